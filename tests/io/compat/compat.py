#!/usr/bin/env python3
"""fio compatibility: each job file in jobs/ runs with fio and with tenon-io
(size-based, so the amount of IO is defined by the job); per job, the IO
counts and bytes must be equal, and every key path of fio's JSON must exist
in tenon-io's JSON with the same type, except the few listed below that have
no meaning for tenon-io.

usage: compat.py TENON_IO JOBS_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

# Key paths fio writes that tenon-io leaves out on purpose.
NOT_APPLICABLE = set()
# fio prints "disk_util" only for block devices it can map files to; the
# set of devices depends on the machine, not on the tool.
SKIP_PREFIXES = ("disk_util",)


def key_paths(value, prefix=""):
    """Every key path of a JSON value, with list items as []."""
    out = {}
    if isinstance(value, dict):
        for k, v in value.items():
            p = f"{prefix}.{k}" if prefix else k
            out[p] = type(v).__name__
            out.update(key_paths(v, p))
    elif isinstance(value, list):
        for item in value:
            out.update(key_paths(item, prefix + "[]"))
    return out


def json_of(text):
    return json.loads(text[text.index("{"):])


def normalize_type(t):
    return "number" if t in ("int", "float") else t


def run(cmd, env, cwd):
    # fio writes verify state files into its working folder: keep them in
    # the job's temporary folder.
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                       cwd=cwd, timeout=300)
    if p.returncode != 0:
        raise SystemExit(f"FAIL: {' '.join(cmd)} exited {p.returncode}\n{p.stderr}")
    return json_of(p.stdout)


def main():
    tio, jobs_dir = sys.argv[1], sys.argv[2]
    if not shutil.which("fio"):
        print("SKIP: fio is not installed")
        return 77
    failures = 0
    for name in sorted(os.listdir(jobs_dir)):
        if not name.endswith(".fio"):
            continue
        job = os.path.join(jobs_dir, name)
        results = {}
        for tool, cmd in (("fio", ["fio"]), ("tenon-io", [tio, "--eta=never"])):
            d = tempfile.mkdtemp(prefix="tenon-compat.")
            env = dict(os.environ, COMPAT_DIR=d)
            try:
                results[tool] = run(cmd + ["--output-format=json", os.path.abspath(job)], env, d)
            finally:
                shutil.rmtree(d, ignore_errors=True)
        fio_jobs, tio_jobs = results["fio"]["jobs"], results["tenon-io"]["jobs"]
        if len(fio_jobs) != len(tio_jobs):
            print(f"FAIL {name}: fio reports {len(fio_jobs)} jobs, tenon-io {len(tio_jobs)}")
            failures += 1
            continue
        for fj, tj in zip(fio_jobs, tio_jobs):
            for key in ("jobname", "groupid"):
                if fj[key] != tj[key]:
                    print(f"FAIL {name}: {key} {fj[key]!r} (fio) != {tj[key]!r} (tenon-io)")
                    failures += 1
            for d in ("read", "write"):
                for key in ("total_ios", "io_bytes", "io_kbytes"):
                    if fj[d][key] != tj[d][key]:
                        print(f"FAIL {name}: job {fj['jobname']} {d}.{key}: fio {fj[d][key]}, "
                              f"tenon-io {tj[d][key]}")
                        failures += 1
        fio_keys = key_paths(results["fio"])
        tio_keys = key_paths(results["tenon-io"])
        for path, t in sorted(fio_keys.items()):
            if path in NOT_APPLICABLE or any(path.startswith(n + ".") for n in NOT_APPLICABLE):
                continue
            if path.startswith(SKIP_PREFIXES):
                continue
            if path not in tio_keys:
                print(f"FAIL {name}: key {path} is in fio's JSON but not in tenon-io's")
                failures += 1
            elif normalize_type(tio_keys[path]) != normalize_type(t):
                print(f"FAIL {name}: key {path} is a {t} in fio's JSON but a {tio_keys[path]} "
                      f"in tenon-io's")
                failures += 1
        print(f"{'ok  ' if not failures else '... '} {name}: {len(fio_jobs)} jobs compared")
    print(f"{failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
