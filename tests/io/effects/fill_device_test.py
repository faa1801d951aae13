#!/usr/bin/env python3
"""fill_device (fill_fs): a write job with no size writes its file until
the filesystem is full, and ENOSPC is its end, not an error, as fio. Runs
on a small tmpfs mounted in the case's folder (root only; skipped
otherwise). Cases are TAP, through effects_test.py's helpers.

usage: fill_device_test.py TENON_IO
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import effects_test as E  # noqa: E402
from effects_test import check, run_cases  # noqa: E402
from harness import Skip  # noqa: E402


class Tmpfs:
    """A tmpfs of size bytes in the case's folder, unmounted on the way out."""

    def __init__(self, size, name="small"):
        if os.geteuid() != 0:
            raise Skip("mounting a tmpfs needs root")
        self.dir = E.path(name)
        os.mkdir(self.dir)
        p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%d" % size, "tmpfs", self.dir],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if p.returncode != 0:
            raise Skip("cannot mount a tmpfs here: " + p.stdout.strip())

    def __enter__(self):
        return self.dir

    def __exit__(self, *exc):
        for _ in range(20):
            if subprocess.run(["umount", self.dir]).returncode == 0:
                return
            time.sleep(0.1)  # a process of ours still closing a file there
        subprocess.run(["umount", "-l", self.dir])


def case_fill():
    """no size: the file grows until ENOSPC, which ends the job without an error"""
    for engine, depth in (("psync", "1"), ("libaio", "8")):
        with Tmpfs(8 << 20, engine) as d:
            r = E.tenon_io("--name=fill", "--directory=" + d, "--rw=write", "--bs=64k",
                           "--fill_device=1", "--ioengine=" + engine, "--iodepth=" + depth)
            size = os.path.getsize(os.path.join(d, "fill.0.0"))
            job = r.job("fill") if r.rc == 0 else {}
            check(r.rc == 0 and job["error"] == 0 and size == 8 << 20
                  and job["write"]["io_bytes"] == size,
                  "%s: file %d bytes:\n%s" % (engine, size, r.err[:2000]))


def case_alias_and_size():
    """fill_fs is its alias; with size= the job stops at size or ENOSPC, first come"""
    with Tmpfs(8 << 20) as d:
        r = E.tenon_io("--name=f", "--directory=" + d, "--rw=write", "--bs=64k",
                       "--fill_fs=1", "--size=1m")
        check(r.rc == 0 and r.job("f")["write"]["io_bytes"] == 1 << 20, r.err[:2000])
        r = E.tenon_io("--name=g", "--directory=" + d, "--rw=write", "--bs=64k",
                       "--fill_fs=1", "--size=64m")
        check(r.rc == 0 and r.job("g")["write"]["io_bytes"] == 7 << 20, r.err[:2000])


def case_refused():
    """reads, random IO and verify with fill_device are refused as not supported yet"""
    for extra in (["--rw=read"], ["--rw=randwrite"], ["--rw=write", "--verify=crc32c"]):
        r = E.tenon_io("--name=f", "--directory=" + E.TMP, "--fill_device=1", *extra)
        check(r.rc == 1 and "fill_device is supported by tenon-io with rw=write" in r.err,
              " ".join(extra) + ": " + r.err)


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    E.TIO = os.path.abspath(sys.argv[1])
    cases = [f for n, f in sorted(globals().items()) if n.startswith("case_") and callable(f)]
    return run_cases(cases, "tio-fill-", E.use_tmp)


if __name__ == "__main__":
    sys.exit(main())
