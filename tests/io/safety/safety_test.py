#!/usr/bin/env python3
"""tenon-io touches only what a job names, and refuses before writing what
it cannot have meant. Every destructive case works on files, device nodes,
symlinks, tmpfs mounts and loop devices made in a temporary folder (never
the machine's own); the cases that need root, mount or losetup are skipped
with the reason when those are not available. TAP output.

- --output=FILE replaces only a regular file (or a new name) by a rename:
  a character device node stays a device, a symlink stays a link and its
  target gets the report, a /proc link (like /dev/stdout) is written
  through; a folder or a read-only place is refused and nothing is created.
- unlink=1 removes regular files the job named (as fio does), never a
  device node, and of a symlink never the target.
- a path swapped for a symlink to a mounted device during startdelay
  cannot redirect the writes: targets are opened once, before the delay,
  block devices with O_EXCL.
- a job that needs more new data than the filesystem has free is refused
  before any byte is written; all jobs are checked before any file is made.

usage: safety_test.py TENON_IO
"""
import errno
import hashlib
import os
import shutil
import stat
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from harness import Skip, check, run_tio, sanitizer_check, script_main  # noqa: E402

TIO = None
TMP = None


def p(*names):
    return os.path.join(TMP, *names)


class Run:
    def __init__(self, cmd, proc):
        self.cmd, self.rc, self.out, self.err = cmd, proc.returncode, proc.stdout, proc.stderr

    def describe(self):
        return "%s\nexit %s\nstdout: %s\nstderr: %s" % (" ".join(self.cmd), self.rc,
                                                        self.out[-1500:], self.err[-1500:])


def tenon_io(*args, timeout=120):
    proc = run_tio(TIO, *args, timeout=timeout)
    return Run(proc.args, proc)


def need_root():
    if os.geteuid() != 0:
        raise Skip("needs root (device nodes, mounts, loop devices)")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class Mount:
    """A filesystem mounted on a folder in TMP: a tmpfs, or dev."""

    def __init__(self, name, *args):
        need_root()
        self.dir = p(name)
        os.mkdir(self.dir)
        r = subprocess.run(["mount", *args, self.dir], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        if r.returncode != 0:
            os.rmdir(self.dir)
            raise Skip("cannot mount here: " + r.stdout.strip())

    def __enter__(self):
        return self.dir

    def __exit__(self, *exc):
        subprocess.run(["umount", self.dir])


class Loop:
    """A loop device on an image file in TMP, detached at the end."""

    def __init__(self, name, size=16 << 20):
        need_root()
        if not shutil.which("losetup"):
            raise Skip("losetup is not installed")
        self.img = p(name + ".img")
        with open(self.img, "wb") as f:
            f.truncate(size)
        r = subprocess.run(["losetup", "--find", "--show", self.img], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            raise Skip("no loop device here: " + r.stderr.strip())
        self.dev = r.stdout.strip()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        subprocess.run(["losetup", "-d", self.dev])


def small_job(path, *extra):
    return ["--name=j", "--filename=" + path, "--bs=4k", "--size=64k", *extra]


# ---- --output -------------------------------------------------------------------


def case_output_char_device():
    """--output onto a character device node writes to it, and the node stays a device"""
    need_root()
    node = p("null")
    os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    r = tenon_io("--output=" + node, *small_job(p("data"), "--rw=write"))
    check(r.rc == 0, r.describe())
    check(stat.S_ISCHR(os.lstat(node).st_mode), "the device node was replaced: " + r.describe())
    check(not [n for n in os.listdir(TMP) if n.startswith(".null.")],
          "a temporary file was left: %s" % os.listdir(TMP))


def case_output_symlink():
    """--output onto a symlink replaces the file it points to; the link stays"""
    real = p("real.txt")
    with open(real, "w") as f:
        f.write("old results\n")
    os.chmod(real, 0o640)
    link = p("link.txt")
    os.symlink("real.txt", link)
    r = tenon_io("--output=" + link, *small_job(p("data"), "--rw=write"))
    check(r.rc == 0, r.describe())
    check(os.path.islink(link) and os.readlink(link) == "real.txt",
          "the symlink was replaced: " + r.describe())
    text = open(real).read()
    check("old results" not in text and "groupid=0" in text,
          "the link's target does not hold the report: %r" % text[:200])
    check(stat.S_IMODE(os.stat(real).st_mode) == 0o640, "the file's mode was not kept")
    # A dangling link: the file it names is created, the link stays.
    dangling = p("dangling.txt")
    os.symlink("made.txt", dangling)
    r = tenon_io("--output=" + dangling, *small_job(p("data"), "--rw=read"))
    check(r.rc == 0 and os.path.islink(dangling) and "groupid=0" in open(p("made.txt")).read(),
          "a dangling link: " + r.describe())


def case_output_proc_link():
    """--output through a link to /proc/self/fd/1 writes to standard output where it is"""
    link = p("stdout")
    os.symlink("/proc/self/fd/1", link)
    r = tenon_io("--output=" + link, *small_job(p("data"), "--rw=write"))
    check(r.rc == 0 and "groupid=0" in r.out, "no report on standard output: " + r.describe())
    check(os.path.islink(link), "the link was replaced by a file")


def case_output_refused():
    """--output to a folder, or where nothing can be created, fails clearly and creates nothing"""
    folder = p("results")
    os.mkdir(folder)
    r = tenon_io("--output=" + folder, *small_job(p("data"), "--rw=write"))
    check(r.rc == 1 and folder in r.err and "folder" in r.err, r.describe())
    check(os.listdir(folder) == [], "something was created in the folder: %s" % os.listdir(folder))
    r = tenon_io("--output=" + p("missing", "out.txt"), *small_job(p("data"), "--rw=write"))
    check(r.rc == 1 and "missing" in r.err and "No such file" in r.err, r.describe())
    if os.geteuid() != 0:
        ro = p("readonly.txt")
        with open(ro, "w") as f:
            f.write("keep\n")
        os.chmod(ro, 0o444)
        r = tenon_io("--output=" + ro, *small_job(p("data"), "--rw=write"))
        check(r.rc == 1 and "Permission denied" in r.err and open(ro).read() == "keep\n",
              "a read-only results file: " + r.describe())
        return
    with Mount("ro", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs") as d:
        r = tenon_io("--output=" + os.path.join(d, "out.txt"), *small_job(p("data"), "--rw=write"))
        check(r.rc == 1 and "Read-only file system" in r.err and os.listdir(d) == [],
              "a read-only filesystem: " + r.describe())


# ---- unlink=1 ----------------------------------------------------------------------


def case_unlink_keeps_devices():
    """unlink=1 never removes a device node, even after a read job"""
    need_root()
    node = p("cdev")
    os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 5))  # zero
    r = tenon_io(*small_job(node, "--rw=read", "--unlink=1"))
    check(r.rc == 0, r.describe())
    check(os.path.exists(node) and stat.S_ISCHR(os.lstat(node).st_mode),
          "unlink=1 removed a character device node")
    with Loop("unlink") as loop:
        st = os.stat(loop.dev)
        bnode = p("bdev")
        os.mknod(bnode, 0o600 | stat.S_IFBLK, st.st_rdev)
        r = tenon_io(*small_job(bnode, "--rw=read", "--unlink=1"))
        check(r.rc == 0, r.describe())
        check(os.path.exists(bnode) and stat.S_ISBLK(os.lstat(bnode).st_mode),
              "unlink=1 removed a block device node")


def case_unlink_files():
    """unlink=1 removes the regular files the job named (as fio), never a symlink's target"""
    made = p("made")
    r = tenon_io(*small_job(made, "--rw=write", "--unlink=1"))
    check(r.rc == 0 and not os.path.exists(made), "a file the job made stays: " + r.describe())
    existing = p("existing")
    with open(existing, "wb") as f:
        f.write(b"\1" * 65536)
    r = tenon_io(*small_job(existing, "--rw=read", "--unlink=1"))
    check(r.rc == 0 and not os.path.exists(existing),
          "fio removes an existing regular file the job named: " + r.describe())
    target = p("target")
    with open(target, "wb") as f:
        f.write(b"\1" * 65536)
    link = p("link")
    os.symlink(target, link)
    r = tenon_io(*small_job(link, "--rw=read", "--unlink=1"))
    check(r.rc == 0 and os.path.exists(target), "the symlink's target was removed: "
          + r.describe())


# ---- a path swapped during startdelay ---------------------------------------------------


def claimed(dev):
    """Whether someone holds an exclusive open of dev."""
    try:
        fd = os.open(dev, os.O_RDONLY | os.O_EXCL)
    except OSError as e:
        return e.errno == errno.EBUSY
    os.close(fd)
    return False


def holds_open(pid, dev):
    """Whether process pid has dev open."""
    fds = "/proc/%d/fd" % pid
    try:
        names = os.listdir(fds)
    except OSError:
        return False
    for n in names:
        try:
            if os.readlink(os.path.join(fds, n)) == dev:
                return True
        except OSError:
            pass
    return False


def case_swap_during_startdelay():
    """a symlink swapped to a mounted device during startdelay does not redirect the writes"""
    if not shutil.which("mkfs.ext4"):
        raise Skip("mkfs.ext4 is not installed")
    with Loop("mounted") as victim, Loop("scratch") as scratch:
        r = subprocess.run(["mkfs.ext4", "-q", "-F", "-E", "lazy_itable_init=0,lazy_journal_init=0",
                            victim.dev], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        check(r.returncode == 0, "mkfs.ext4: " + r.stdout)
        # Read-only, so nothing but tenon-io could change the image.
        with Mount("mnt", "-o", "ro", victim.dev):
            before = sha256(victim.img)
            link = p("target")
            os.symlink(scratch.dev, link)
            cmd = [TIO, "--eta=never", "--name=w", "--filename=" + link, "--rw=write",
                   "--bs=64k", "--size=1m", "--allow_mounted_write=1", "--startdelay=3"]
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True)
            # Swap once tenon-io has the device open (looking at its open
            # descriptors, not racing it for the device); if it opens only
            # after the delay, swap after a while anyway.
            for _ in range(100):
                if holds_open(proc.pid, scratch.dev) or proc.poll() is not None:
                    break
                time.sleep(0.02)
            os.unlink(link)
            os.symlink(victim.dev, link)
            out, err = proc.communicate(timeout=60)
            sanitizer_check(err, cmd)
            subprocess.run(["sync"])
            after = sha256(victim.img)
            check(after == before, "the mounted device was written (exit %d): %s" %
                  (proc.returncode, err))
            check(proc.returncode == 0, "the job on the device it opened failed: " + err)
            check(claimed(scratch.dev) is False, "the device claim outlived the run")


def case_mounted_device_refused():
    """a write to a device that holds a mounted filesystem is refused, through a symlink too"""
    if not shutil.which("mkfs.ext4"):
        raise Skip("mkfs.ext4 is not installed")
    with Loop("mounted") as victim:
        r = subprocess.run(["mkfs.ext4", "-q", "-F", victim.dev], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
        check(r.returncode == 0, "mkfs.ext4: " + r.stdout)
        with Mount("mnt", "-o", "ro", victim.dev):
            before = sha256(victim.img)
            link = p("dev-link")
            os.symlink(victim.dev, link)
            for target in (victim.dev, link):
                r = tenon_io("--name=w", "--filename=" + target, "--rw=write", "--bs=64k",
                             "--size=1m", "--allow_mounted_write=1")
                check(r.rc == 1 and "mounted filesystem" in r.err and target in r.err,
                      r.describe())
            check(sha256(victim.img) == before, "the mounted device was written")
        # Two jobs writing one unmounted device share its claim.
        r = tenon_io("--name=w", "--filename=" + victim.dev, "--rw=write", "--bs=64k",
                     "--size=1m", "--allow_mounted_write=1", "--numjobs=2")
        check(r.rc == 0, "two jobs on one device: " + r.describe())


# ---- sizes beyond what the filesystem holds ------------------------------------------------


def case_size_beyond_free_space():
    """a job needing more new data than the filesystem has free is refused before writing"""
    with Mount("small", "-t", "tmpfs", "-o", "size=4m", "tmpfs") as d:
        f = os.path.join(d, "big")
        r = tenon_io("--name=j", "--filename=" + f, "--rw=write", "--bs=64k", "--size=64m")
        check(r.rc == 1 and f in r.err and "free" in r.err and "size=" in r.err, r.describe())
        check(not os.path.exists(f), "the file was created")
        existing = os.path.join(d, "existing")
        with open(existing, "wb") as fh:
            fh.write(b"\1" * (1 << 20))
        # A read job past the end would lay out everything up to it.
        r = tenon_io("--name=j", "--filename=" + existing, "--rw=read", "--bs=64k",
                     "--offset=1g", "--size=1m")
        check(r.rc == 1 and "free" in r.err, r.describe())
        check(os.path.getsize(existing) == 1 << 20, "the file was extended")
        # A write past the end writes only its region (fio extends the file).
        r = tenon_io("--name=j", "--filename=" + existing, "--rw=write", "--bs=64k",
                     "--offset=1g", "--size=1m")
        check(r.rc == 0, "a small write past the end: " + r.describe())
        os.unlink(existing)
        r = tenon_io("--name=j", "--filename=" + f, "--rw=randread", "--bs=64k", "--size=1m")
        check(r.rc == 0, "a job that fits: " + r.describe())


def case_all_checked_before_any_file():
    """a refused job stops the run before an earlier job created its file"""
    first = p("first")
    r = tenon_io("--name=a", "--filename=" + first, "--rw=write", "--bs=4k", "--size=64k",
                 "--name=b", "--filename=" + p("second"), "--rw=write", "--bs=4k",
                 "--size=1p")
    check(r.rc == 1 and "free" in r.err, r.describe())
    check(not os.path.exists(first), "the first job's file was created before the refusal")


def case_dangling_symlink_target():
    """a symlink to a missing file is not created through"""
    link = p("dangling")
    os.symlink(p("elsewhere"), link)
    r = tenon_io(*small_job(link, "--rw=write"))
    check(r.rc == 1 and "symlink" in r.err and not os.path.exists(p("elsewhere")),
          r.describe())


def case_fifo_refused():
    """a FIFO target is refused without blocking"""
    fifo = p("fifo")
    os.mkfifo(fifo)
    r = tenon_io(*small_job(fifo, "--rw=read"), timeout=30)
    check(r.rc == 1 and "FIFO" in r.err, r.describe())


if __name__ == "__main__":
    sys.exit(script_main(None, "tenon-safety.", globals()))
