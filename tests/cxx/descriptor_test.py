#!/usr/bin/env python3
"""The descriptor of a plugin written in C++ is constant data in its ELF
note: `tenon info` reads it without running plugin code, and `tenon check`
loads, inits and finis the plugin in a child process.

usage: descriptor_test.py [--no-check] TENON PLUGIN.so...
"""
import json
import os
import subprocess
import sys


def main():
    args = sys.argv[1:]
    run_check = args[0] != "--no-check"
    if not run_check:
        args = args[1:]
    tenon, plugins = args[0], args[1:]
    failures = 0

    def check(ok, what):
        nonlocal failures
        print(f"{'ok  ' if ok else 'FAIL'} {what}")
        failures += not ok

    for so in plugins:
        name = os.path.basename(so)[:-3]
        info = subprocess.run([tenon, "info", "--no-env", "--no-default", "--json", so],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        check(info.returncode == 0, f"tenon info {name}: {info.stderr.strip()}")
        if info.returncode == 0:
            doc = json.loads(info.stdout)
            text = json.dumps(doc)
            check(doc.get("name") == name, f"{name}: name {doc.get('name')!r}")
            check(doc.get("version") == "1.2.3", f"{name}: version {doc.get('version')!r}")
            check("adds numbers, in C++" in text, f"{name}: description")
            check("tenon-test.counter" in text, f"{name}: provides tenon-test.counter")
            check('"label"' in text and '"count"' in text, f"{name}: option label, default count")
        if not run_check:
            continue
        chk = subprocess.run([tenon, "check", "--no-env", "--no-default", so],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        check(chk.returncode == 0, f"tenon check {name}\n{chk.stdout}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
