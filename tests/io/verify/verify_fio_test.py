#!/usr/bin/env python3
"""tenon-io and fio read each other's verify blocks: fio writes with
verify=crc32c or sha256 and tenon-io checks the file, and the reverse,
whole blocks and with verify_interval; a corrupted byte is caught both
ways at the same offset. Skipped when fio is not installed. Output is TAP.

usage: verify_fio_test.py TENON_IO [CASE...]
"""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from harness import Skip, check, run_tio, script_main  # noqa: E402

TIO = None
TMP = None
FIO = shutil.which("fio")


def tio(*args):
    return run_tio(TIO, *args)


def fio(*args):
    if not FIO:
        raise Skip("fio is not installed")
    # In the case's folder: fio leaves a verify state file after a failure.
    p = subprocess.run([FIO, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=120, cwd=TMP)
    return p


def fio_passed(p):
    # fio 3.33 exits 0 after a verify failure: its job line carries the error.
    return p.returncode == 0 and "err= 0" in p.stdout and "verify failed" not in p.stderr


def corrupt(path, offset):
    with open(path, "r+b") as f:
        f.seek(offset)
        b = f.read(1)
        f.seek(offset)
        f.write(bytes([b[0] ^ 0x5a]))


# Block 5, its third 1k piece, inside the data.
BAD = 5 * 8192 + 2 * 1024 + 700


def layouts():
    for method in ("crc32c", "sha256"):
        yield method, ["--bs=8k"], 5 * 8192
        yield method, ["--bs=8k", "--verify_interval=1k"], 5 * 8192 + 2 * 1024


def case_fio_writes():
    """tenon-io checks what fio wrote (crc32c, sha256, verify_interval)"""
    for method, extra, where in layouts():
        f = os.path.join(TMP, "from-fio")
        if os.path.exists(f):
            os.unlink(f)
        p = fio("--name=w", f"--filename={f}", "--rw=randwrite", "--size=1m",
                f"--verify={method}", "--do_verify=0", *extra)
        check(fio_passed(p), "fio wrote the file:\n" + p.stdout[-800:] + p.stderr)
        p = tio("--name=r", f"--filename={f}", "--rw=read", "--size=1m", f"--verify={method}",
                *extra)
        check(p.returncode == 0 and "err= 0" in p.stdout,
              f"tenon-io passes fio's {method} {extra}:\n{p.stderr}{p.stdout[:800]}")
        corrupt(f, BAD)
        p = tio("--name=r", f"--filename={f}", "--rw=read", "--size=1m", f"--verify={method}",
                *extra)
        check(p.returncode == 1 and f"offset {where}" in p.stderr
              and f"{method} checksum mismatch" in p.stderr,
              f"tenon-io catches a corrupted byte in fio's {method} {extra}:\n{p.stderr}")


def case_tio_writes():
    """fio checks what tenon-io wrote (crc32c, sha256, verify_interval)"""
    for method, extra, where in layouts():
        f = os.path.join(TMP, "from-tio")
        if os.path.exists(f):
            os.unlink(f)
        if not FIO:
            raise Skip("fio is not installed")
        p = tio("--name=w", f"--filename={f}", "--rw=randwrite", "--size=1m",
                f"--verify={method}", "--do_verify=0", *extra)
        check(p.returncode == 0, "tenon-io wrote the file:\n" + p.stderr)
        p = fio("--name=r", f"--filename={f}", "--rw=read", "--size=1m", f"--verify={method}",
                *extra)
        check(fio_passed(p), f"fio passes tenon-io's {method} {extra}:\n"
              + p.stderr + p.stdout[-800:])
        corrupt(f, BAD)
        p = fio("--name=r", f"--filename={f}", "--rw=read", "--size=1m", f"--verify={method}",
                *extra)
        check(not fio_passed(p) and f"offset {where}" in p.stderr,
              f"fio catches a corrupted byte in tenon-io's {method} {extra}:\n"
              + p.stderr + p.stdout[-800:])


def case_fio_verifies_in_place():
    """sequential 4k files: fio rw=read checks tenon-io's, tenon-io rw=read checks fio's"""
    f = os.path.join(TMP, "seq")
    if not FIO:
        raise Skip("fio is not installed")
    p = tio("--name=w", f"--filename={f}", "--rw=write", "--bs=4k", "--size=1m",
            "--verify=crc32c", "--do_verify=0")
    check(p.returncode == 0, "tenon-io wrote the file:\n" + p.stderr)
    p = fio("--name=r", f"--filename={f}", "--rw=read", "--bs=4k", "--size=1m",
            "--verify=crc32c")
    check(fio_passed(p), "fio rw=read verify=crc32c on tenon-io's file:\n" + p.stderr + p.stdout[-800:])
    p = fio("--name=w", f"--filename={f}", "--rw=write", "--bs=4k", "--size=1m",
            "--verify=crc32c", "--do_verify=0")
    check(fio_passed(p), "fio wrote the file:\n" + p.stderr)
    p = tio("--name=r", f"--filename={f}", "--rw=read", "--bs=4k", "--size=1m",
            "--verify=crc32c")
    check(p.returncode == 0 and "err= 0" in p.stdout,
          "tenon-io rw=read verify=crc32c on fio's file:\n" + p.stderr + p.stdout[:800])


CASES = [case_fio_writes, case_tio_writes, case_fio_verifies_in_place]


if __name__ == "__main__":
    sys.exit(script_main(CASES, "tenon-verify-fio.", globals()))
