#!/usr/bin/env python3
"""The mmap engine on a full filesystem: a store into a page whose blocks
cannot be allocated raises SIGBUS, so the engine allocates before it
touches a page and must end the job with ENOSPC as the other engines do
(the job's error, the report, exit 1), never die by a signal.

- writes past the room of a tmpfs filled while the job waits (a job bigger
  than the free space is refused before it starts) fail with ENOSPC naming
  the file, with the normal and the JSON report;
- reading a sparse file on a full tmpfs (where even a load from a hole
  needs a page) reads zeros and allocates nothing;
- overwriting blocks that are already there needs no room: it passes and
  verifies on a full tmpfs;
- on a filesystem without fallocate() (ext2, on a loop device), writes into
  holes go through pwrite() and end the job with ENOSPC too.

The cases need root (mount); without it, or without mke2fs or loop devices,
they are skipped with the reason. Output is TAP.

usage: mmap_test.py TENON_IO
"""
import os
import re
import shutil
import subprocess
import sys
import time

TIO = None
TMP = None
RUN_LIMIT = 60  # seconds: every run here moves a few MiB

# Fail, Skip, check, sanitizer_check: shared by the integration tests.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from harness import Fail, Skip, check, run_tio, sanitizer_check, script_main  # noqa: E402


from harness import TioRun as Run  # noqa: E402


def tenon_io(args):
    p = run_tio(TIO, *args, timeout=RUN_LIMIT, hang_fails=True)
    r = Run(p.returncode, p.stdout, p.stderr)
    if r.rc not in (0, 1):
        raise Fail("tenon-io died (exit %d%s): %s\n%s" % (
            r.rc, ", SIGBUS" if r.rc == -7 else "", " ".join(p.args), r.describe()))
    return r


def tenon_io_then_fill(args, path, size, d):
    """Runs tenon-io with a start delay and fills the filesystem at d once
    the job's file has been made: a job bigger than the free space is
    refused before it starts, so the space must go while the job waits."""
    # fallocate=none: no block is reserved before the fill (fio's default,
    # native, would reserve them all and leave nothing to run out of)
    cmd = [TIO, "--eta=never", "--startdelay=3", "--fallocate=none"] + args
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while proc.poll() is None and not (os.path.exists(path) and
                                       os.path.getsize(path) == size):
        time.sleep(0.01)
    fill(d)
    try:
        out, err = proc.communicate(timeout=RUN_LIMIT)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise Fail("tenon-io did not finish within %ds (a hang): %s\n%s" % (
            RUN_LIMIT, " ".join(cmd), err))
    os.unlink(os.path.join(d, "filler"))
    r = Run(proc.returncode, out, err)
    sanitizer_check(r.err, cmd)
    if r.rc not in (0, 1):
        raise Fail("tenon-io died (exit %d%s): %s\n%s" % (
            r.rc, ", SIGBUS" if r.rc == -7 else "", " ".join(cmd), r.describe()))
    return r


def mmap_job(path, **kv):
    args = ["--name=j", "--ioengine=mmap", "--filename=%s" % path]
    kv.setdefault("bs", "4k")
    return args + ["--%s=%s" % (k, v) for k, v in kv.items()]


class Mount:
    """A small filesystem mounted in the case's folder, unmounted on the way
    out whatever happened (a loop device made by mount -o loop goes with
    it)."""

    def __init__(self, what, args):
        if os.geteuid() != 0:
            raise Skip("mounting %s needs root" % what)
        self.dir = os.path.join(TMP, "small")
        os.mkdir(self.dir)
        p = subprocess.run(["mount"] + args + [self.dir],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if p.returncode != 0:
            raise Skip("cannot mount %s here: %s" % (what, p.stdout.strip()))

    def __enter__(self):
        return self.dir

    def __exit__(self, *exc):
        for _ in range(20):
            if subprocess.run(["umount", self.dir]).returncode == 0:
                return
            time.sleep(0.1)  # a process of ours still closing a file there
        subprocess.run(["umount", "-l", self.dir])


def Tmpfs(size):
    return Mount("a tmpfs", ["-t", "tmpfs", "-o", "size=%s" % size, "tmpfs"])


def Ext2(size):
    """ext2 keeps no extents, and Linux has no fallocate() for such files."""
    mkfs = shutil.which("mke2fs") or shutil.which("mke2fs", path="/sbin:/usr/sbin")
    if not mkfs:
        raise Skip("mke2fs is not installed (Debian: apt-get install e2fsprogs)")
    img = os.path.join(TMP, "ext2.img")
    sparse(img, size)
    p = subprocess.run([mkfs, "-q", "-F", "-t", "ext2", "-b", "1024", img],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        raise Skip("mke2fs failed: " + p.stdout.strip())
    return Mount("an ext2 image", ["-t", "ext2", "-o", "loop", img])


def fill(d):
    """Fills the filesystem at d."""
    fd = os.open(os.path.join(d, "filler"), os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while os.write(fd, b"\1" * 4096) > 0:
            pass
    except OSError:
        pass
    finally:
        os.close(fd)


def sparse(path, size):
    with open(path, "wb") as f:
        f.truncate(size)


# ---- Cases ------------------------------------------------------------------


def case_write_past_the_room():
    """writes past the room of a filled tmpfs end the job with ENOSPC and a report, not SIGBUS"""
    with Tmpfs("2m") as d:
        for rw in ("write", "randwrite"):
            path = os.path.join(d, rw)
            r = tenon_io_then_fill(["--output-format=json"] + mmap_job(path, rw=rw, size="1M"),
                                   path, 1 << 20, d)
            check(r.rc == 1, "%s: expected exit 1: %s" % (rw, r.describe()))
            j = r.job()
            check(j["error"] == 28 and path in j.get("error_text", "")
                  and "No space left on device" in j["error_text"],
                  "%s: expected ENOSPC naming %s, got %r" % (rw, path, j.get("error_text")))
            written = j["write"]["io_bytes"]
            check(written < 1 << 20,
                  "%s: expected the job to stop short of 1 MiB, got %d bytes" % (rw, written))
            check(re.search(r"job j: .*%s.*No space left on device" % re.escape(path), r.err),
                  "%s: no stderr line naming the file:\n%s" % (rw, r.err))
            os.unlink(path)
            r = tenon_io_then_fill(mmap_job(path, rw=rw, size="1M"), path, 1 << 20, d)
            check(r.rc == 1 and re.search(r"^j: \(groupid=0, jobs=1\): err=\s*28", r.out, re.M),
                  "%s: the normal report is missing or has no err=28: %s" % (rw, r.describe()))
            os.unlink(path)


def case_read_holes_on_full_tmpfs():
    """a sparse file on a full tmpfs reads as zeros and allocates nothing"""
    with Tmpfs("1m") as d:
        path = os.path.join(d, "sparse")
        sparse(path, 4 << 20)
        fill(d)
        for rw in ("read", "randread"):
            r = tenon_io(["--output-format=json"] + mmap_job(path, rw=rw, size="4M"))
            check(r.rc == 0, "%s of holes on a full tmpfs: %s" % (rw, r.describe()))
            check(r.job()["read"]["io_bytes"] == 4 << 20, "%s: expected 4 MiB read" % rw)
            check(os.stat(path).st_blocks == 0,
                  "%s: reading allocated %d blocks of the sparse file" % (
                      rw, os.stat(path).st_blocks))


def case_overwrite_on_full_tmpfs():
    """overwriting blocks already there needs no room: passes and verifies on a full tmpfs"""
    with Tmpfs("1m") as d:
        path = os.path.join(d, "laid-out")
        with open(path, "wb") as f:
            f.write(os.urandom(512 << 10))
        fill(d)
        r = tenon_io(["--output-format=json"] + mmap_job(
            path, rw="randwrite", size="512k", verify="crc32c"))
        check(r.rc == 0, "overwriting on a full tmpfs: " + r.describe())
        j = r.job()
        check(j["write"]["io_bytes"] == 512 << 10 and j["read"]["io_bytes"] == 512 << 10,
              "expected 512 KiB written and verified, got %d and %d" % (
                  j["write"]["io_bytes"], j["read"]["io_bytes"]))


def case_no_fallocate():
    """on ext2 (no fallocate), writes into holes go through pwrite and end with ENOSPC, not SIGBUS"""
    with Ext2(2 << 20) as d:
        path = os.path.join(d, "big")
        r = tenon_io_then_fill(["--output-format=json"] + mmap_job(path, rw="write", size="1M"),
                               path, 1 << 20, d)
        check(r.rc == 1, "expected exit 1: " + r.describe())
        j = r.job()
        check(j["error"] == 28 and "No space left on device" in j.get("error_text", ""),
              "expected ENOSPC, got %r" % j.get("error_text"))
        check(j["write"]["io_bytes"] < 1 << 20,
              "expected the job to stop short of 1 MiB, got %d" % j["write"]["io_bytes"])


if __name__ == "__main__":
    sys.exit(script_main(None, "tenon-mmap.", globals()))
