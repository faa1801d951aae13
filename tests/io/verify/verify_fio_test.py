#!/usr/bin/env python3
"""tenon-io and fio read each other's verify blocks: fio writes with each
of its checksum methods and tenon-io checks the file, and the reverse,
whole blocks and with verify_interval; a corrupted byte is caught both
ways at the same offset. meta (the header only) and null (nothing) are
read back both ways too. Skipped when fio is not installed. Output is TAP.

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


# The corrupted byte: 268 bytes into a piece (block 5, or its third 1k
# piece), past every method's header, and data byte 100 after sha512's
# 168-byte header, which fio 3.33's sha512 covers: its "sum" is data bytes
# 88 to 127 and the last 88 here, not a hash (see verify_methods.c).
INTO = 268


# Every method of fio's with a checksum over the data.
SUMS = ("md5", "crc64", "crc32", "crc32c", "crc16", "crc7", "xxhash", "sha1", "sha256",
        "sha512", "sha3-224", "sha3-256", "sha3-384", "sha3-512")


def layouts():
    for method in SUMS:
        yield method, ["--bs=8k"], 5 * 8192
        yield method, ["--bs=8k", "--verify_interval=1k"], 5 * 8192 + 2 * 1024


def case_fio_writes():
    """tenon-io checks what fio wrote, every checksum, with verify_interval"""
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
        corrupt(f, where + INTO)
        p = tio("--name=r", f"--filename={f}", "--rw=read", "--size=1m", f"--verify={method}",
                *extra)
        check(p.returncode == 1 and f"offset {where}" in p.stderr
              and f"{method} checksum mismatch" in p.stderr,
              f"tenon-io catches a corrupted byte in fio's {method} {extra}:\n{p.stderr}")


def case_tio_writes():
    """fio checks what tenon-io wrote, every checksum, with verify_interval"""
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
        corrupt(f, where + INTO)
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


def case_header_only_methods():
    """meta and null: each reads what the other wrote; meta catches a bad header"""
    if not FIO:
        raise Skip("fio is not installed")
    for method in ("meta", "null"):
        for writer, reader in ((fio, tio), (tio, fio)):
            f = os.path.join(TMP, "hdr-" + method)
            if os.path.exists(f):
                os.unlink(f)
            args = [f"--filename={f}", "--size=256k", "--bs=4k", f"--verify={method}"]
            p = writer("--name=w", "--rw=randwrite", "--do_verify=0", *args)
            check(p.returncode == 0, f"{method}: the writer ran:\n{p.stderr}")
            p = reader("--name=r", "--rw=read", *args)
            check(p.returncode == 0 and "err= 0" in p.stdout and "verify failed" not in p.stderr,
                  f"{method}: the reader passes the writer's blocks:\n{p.stderr}{p.stdout[-600:]}")
            if method == "meta":
                corrupt(f, 5 * 4096 + 16)  # inside the header's offset field
                p = reader("--name=r", "--rw=read", *args)
                check("err= 0" not in p.stdout or "verify" in p.stderr,
                      f"meta: a bad header is caught:\n{p.stderr}{p.stdout[-600:]}")


def both_ways(name, args):
    """fio writes and tenon-io checks, then tenon-io writes and fio checks."""
    for writer, reader, who in ((fio, tio, "tenon-io checks fio's"),
                                (tio, fio, "fio checks tenon-io's")):
        f = os.path.join(TMP, "both")
        if os.path.exists(f):
            os.unlink(f)
        a = [f"--filename={f}", "--size=256k", *args]
        p = writer("--name=w", "--rw=randwrite", "--do_verify=0", *a)
        check(p.returncode == 0 and "err= 0" in p.stdout, f"{name}: the writer ran:\n{p.stderr}")
        p = reader("--name=r", "--rw=read", *a)
        check(p.returncode == 0 and "err= 0" in p.stdout and "verify failed" not in p.stderr,
              f"{name}: {who}:\n{p.stderr}{p.stdout[-600:]}")


def case_patterns():
    """verify_pattern (hex, number, "text", %o, compound) alone, with verify=pattern, meta, crc32c"""
    if not FIO:
        raise Skip("fio is not installed")
    for method in ([], ["--verify=pattern"], ["--verify=meta"], ["--verify=crc32c"]):
        # Whole blocks and verify_interval, in turn (every pair would double
        # the runs for no new layout).
        for i, pat in enumerate(("0xdeadbeef", '"abcd"-120xdeadface', "%o", '"x"%o0x01')):
            extra = ["--verify_interval=1k"] if i % 2 else []
            both_ways(f"{method} verify_pattern={pat} {extra}",
                      ["--bs=8k", f"--verify_pattern={pat}", *method, *extra])
    f = os.path.join(TMP, "other")
    p = fio("--name=w", f"--filename={f}", "--rw=write", "--size=256k", "--bs=8k",
            "--verify_pattern=0xaacd", "--do_verify=0")
    p = tio("--name=r", f"--filename={f}", "--rw=read", "--size=256k", "--bs=8k",
            "--verify_pattern=0xabcd")
    check(p.returncode == 1 and "pattern mismatch at offset 40: expected 0xab" in p.stderr,
          "another pattern is caught, naming the byte:\n" + p.stderr)


def case_verify_offset():
    """verify_offset moves the header both ways, with and without verify_interval"""
    if not FIO:
        raise Skip("fio is not installed")
    for extra in (["--verify_offset=1k"], ["--verify_offset=1k", "--verify_interval=2k"],
                  ["--verify_offset=3000", "--verify=sha512"]):
        both_ways(f"{extra}", ["--bs=4k", "--verify=crc32c", *extra])
    p = tio("--name=w", "--filename=" + os.path.join(TMP, "x"), "--size=64k", "--bs=4k",
            "--rw=write", "--verify=crc32c", "--verify_offset=4090")
    check(p.returncode == 1 and "verify_offset=4090 moves the 44-byte verify header past the "
          "end" in p.stderr, "an offset past the piece is refused:\n" + p.stderr)


CASES = [case_fio_writes, case_tio_writes, case_fio_verifies_in_place, case_header_only_methods,
         case_patterns, case_verify_offset]


if __name__ == "__main__":
    sys.exit(script_main(CASES, "tenon-verify-fio.", globals()))
