#!/usr/bin/env python3
"""Engine instances from a tenon.json, used by tenon-io as ioengine=NAME:
one module (faulty) configured twice with different configs, used by two
jobs of one run; plus a configured option the engine does not have, which
must be refused with the file, line and column.

usage: instances_test.py TENON_IO
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

CONFIG = """{
  "plugins": [
    { "module": "faulty", "name": "clean",
      "config": { "engine": "psync", "eio": 0, "seed": 1 } },
    { "module": "faulty", "name": "flaky",
      "config": { "engine": "psync", "eio": 0.25, "seed": 1 } }
  ]
}
"""

BAD = """{
  "plugins": [
    { "module": "psync", "name": "fast",
      "config": { "hipri": true } }
  ]
}
"""


def main():
    tio = sys.argv[1]
    tmp = tempfile.mkdtemp(prefix="tenon-instances.")
    failures = 0
    try:
        cfg = os.path.join(tmp, "tenon.json")
        with open(cfg, "w") as f:
            f.write(CONFIG)
        cmd = [tio, f"--plugin-config={cfg}", "--eta=never", "--output-format=json",
               f"--directory={tmp}", "--size=4m", "--bs=4k", "--rw=randread",
               "--continue_on_error=all",
               "--name=a", "--ioengine=clean", "--name=b", "--ioengine=flaky"]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        doc = json.loads(p.stdout[p.stdout.index("{"):])
        jobs = {j["jobname"]: j for j in doc["jobs"]}
        a, b = jobs["a"], jobs["b"]
        if a["read"]["total_ios"] != 1024 or a.get("error_counts"):
            print("FAIL: instance 'clean' should see no errors:", a.get("error_counts"))
            failures += 1
        eio = b.get("error_counts", {}).get("EIO", 0)
        if not (100 <= eio <= 420):
            print(f"FAIL: instance 'flaky' (eio 0.25 of 1024 IOs) injected {eio} errors")
            failures += 1
        print(f"clean: {a['read']['total_ios']} IOs, no errors; flaky: {eio} EIO")

        bad = os.path.join(tmp, "bad.json")
        with open(bad, "w") as f:
            f.write(BAD)
        p = subprocess.run([tio, f"--plugin-config={bad}", "--name=a", "--ioengine=fast",
                            "--size=1m", f"--directory={tmp}"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        want = ["unknown option 'hipri'", "bad.json:4:", "psync"]
        if p.returncode == 0 or not all(w in p.stderr for w in want):
            print(f"FAIL: a configured option psync lacks must be refused with its position;"
                  f" got exit {p.returncode}: {p.stderr.strip()}")
            failures += 1
        else:
            print("refused:", p.stderr.strip())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
