#!/usr/bin/env python3
"""fill_device (fill_fs): a write job with no size writes its file until
the filesystem is full, and ENOSPC is its end, not an error, as fio; a read
job reads what a layout until ENOSPC put there; a verify job checks what
it wrote. Runs
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


def case_counts():
    """the write ENOSPC failed counts in total_ios and iops, not in io_bytes, as fio's"""
    # fio 3.33 on these tmpfs: 8 MiB is 128 writes and the failed 129th; 8196k
    # is 128 writes, a 129th cut short at 4k (short_ios 1, its 4k not in
    # io_bytes) and its rest failed: 130
    for size, ios, short in ((8 << 20, 129, 0), (8196 << 10, 130, 1)):
        with Tmpfs(size, "c%d" % ios) as d:
            r = E.tenon_io("--name=f", "--directory=" + d, "--rw=write", "--bs=64k",
                           "--fill_device=1")
            w = r.job("f")["write"] if r.rc == 0 else {}
            check(r.rc == 0 and w["io_bytes"] == 8 << 20 and w["total_ios"] == ios
                  and w["short_ios"] == short
                  and os.path.getsize(os.path.join(d, "f.0.0")) == size
                  and (w["runtime"] == 0 or abs(w["iops"] - ios * 1000.0 / w["runtime"]) < 1e-3),
                  "%d: %s" % (size, r.describe() if r.rc else w))
            os.remove(os.path.join(d, "f.0.0"))
            r = E.tenon_io("--name=f", "--directory=" + d, "--rw=write", "--bs=64k",
                           "--fill_device=1", fmt="normal")
            check(r.rc == 0 and "issued rwts: total=0,%d,0,0 short=0,%d,0,0" % (ios, short)
                  in r.out, r.out[-1500:])


def case_alias_and_size():
    """fill_fs is its alias; with size= the job stops at size or ENOSPC, first come"""
    with Tmpfs(8 << 20) as d:
        r = E.tenon_io("--name=f", "--directory=" + d, "--rw=write", "--bs=64k",
                       "--fill_fs=1", "--size=1m")
        check(r.rc == 0 and r.job("f")["write"]["io_bytes"] == 1 << 20, r.err[:2000])
        r = E.tenon_io("--name=g", "--directory=" + d, "--rw=write", "--bs=64k",
                       "--fill_fs=1", "--size=64m")
        check(r.rc == 0 and r.job("g")["write"]["io_bytes"] == 7 << 20, r.err[:2000])


def case_reads():
    """reads: the file is laid out until the filesystem is full, then read as it is"""
    for rw, size in (("read", None), ("randread", None), ("read", "64m"), ("read", "2m")):
        with Tmpfs(8 << 20, rw + (size or "")) as d:
            extra = ["--size=" + size] if size else []
            r = E.tenon_io("--name=f", "--directory=" + d, "--rw=" + rw, "--bs=64k",
                           "--fill_device=1", *extra)
            want = 2 << 20 if size == "2m" else 8 << 20
            check(r.rc == 0 and r.job("f")["read"]["io_bytes"] == want
                  and os.path.getsize(os.path.join(d, "f.0.0")) == want,
                  "%s %s: %s" % (rw, size, r.describe()))


def case_reads_no_room():
    """reads of several files: one the full filesystem left empty is an error naming it"""
    with Tmpfs(8 << 20) as d:
        r = E.tenon_io("--name=f", "--directory=" + d, "--rw=read", "--bs=64k", "--nrfiles=2",
                       "--fill_device=1")
        check(r.rc == 1 and "f.0.1" in r.err and "fill_device" in r.err, r.describe())


def case_verify():
    """verify: the writes end at ENOSPC, then what was written is read back and checked"""
    for extra in ([], ["--ioengine=libaio", "--iodepth=8", "--bs=48k", "--nrfiles=3"]):
        with Tmpfs(8 << 20, "v%d" % len(extra)) as d:
            r = E.tenon_io("--name=v", "--directory=" + d, "--rw=write", "--bs=64k",
                           "--verify=crc32c", "--fill_device=1", *extra)
            job = r.job("v") if r.rc == 0 else {}
            check(r.rc == 0 and job["error"] == 0 and job["write"]["io_bytes"] > 7 << 20
                  and job["read"]["io_bytes"] == job["write"]["io_bytes"],
                  " ".join(extra) + ": " + r.describe())


def case_random_writes_sized():
    """random writes with a size past the free space end at ENOSPC without an error"""
    with Tmpfs(8 << 20) as d:
        r = E.tenon_io("--name=f", "--directory=" + d, "--rw=randwrite", "--bs=64k",
                       "--size=20m", "--fill_device=1")
        check(r.rc == 0 and r.job("f")["error"] == 0
              and 0 < r.job("f")["write"]["io_bytes"] <= 8 << 20, r.describe())


def case_refused():
    """random or mixed IO without size= (fio cannot do it either) and trims are refused"""
    for extra, why in ((["--rw=randwrite"], "without size="), (["--rw=rw"], "without size="),
                       (["--rw=randrw"], "without size="), (["--rw=trim"], "trims")):
        r = E.tenon_io("--name=f", "--directory=" + E.TMP, "--fill_device=1", *extra)
        check(r.rc == 1 and why in r.err, " ".join(extra) + ": " + r.err)


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    E.TIO = os.path.abspath(sys.argv[1])
    cases = [f for n, f in sorted(globals().items()) if n.startswith("case_") and callable(f)]
    return run_cases(cases, "tio-fill-", E.use_tmp)


if __name__ == "__main__":
    sys.exit(main())
