#!/usr/bin/env python3
"""The job thread's memory and priority, as fio 3.33 sets them: mem/iomem
(what the IO buffers are allocated from), hugepage-size, lockmem, nice and
ioscheduler, each shown by the system calls a run makes (strace), the
files it maps or what sysfs shows after. ioscheduler is tried only on a
loop device made here from a file in the temporary folder. Cases are TAP,
through effects_test.py's helpers.

usage: memory_test.py TENON_IO
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import effects_test as E  # noqa: E402
from effects_test import Skip, check, run_cases  # noqa: E402


def calls(lines, name):
    return [m.group(1) for m in (re.search(r"(?:^|\s)%s\((.*)\)\s+=" % name, x) for x in lines)
            if m]


def buffers_job(*opts):
    """A psync read of 256k in 64k blocks: one 64k buffer."""
    E.make_file("data", 256 << 10)
    return E.on_file("data", "--bs=64k", *opts)


def case_mem_shm():
    """mem=shm: the buffers are a System V segment of their size, removed at the end"""
    _, lines = E.traced("shmget,shmat,shmdt,shmctl", *buffers_job("--mem=shm"))
    check(calls(lines, "shmget") == ["IPC_PRIVATE, 65536, IPC_CREAT|0600"],
          "one segment of 64k: %s" % lines)
    check(len(calls(lines, "shmat")) == 1 and len(calls(lines, "shmdt")) == 1, lines)
    check(any("IPC_RMID" in x for x in calls(lines, "shmctl")), "removed: %s" % lines)


def case_mem_mmap():
    """mem=mmap: an anonymous private mapping; mmap:FILE maps the file (made, sized, removed)"""
    want = "NULL, 65536, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0"
    _, lines = E.traced("mmap", *buffers_job("--mem=mmap"))
    check(want in calls(lines, "mmap"), "%s in %s" % (want, calls(lines, "mmap")))
    _, lines = E.traced("mmap,ftruncate", *buffers_job("--iomem=mmap:" + E.path("m")))
    check(any(x.endswith(", 65536") for x in calls(lines, "ftruncate")), "sized: %s" % lines)
    check(any(re.match(r"NULL, 65536, PROT_READ\|PROT_WRITE, MAP_PRIVATE, \d+, 0$", x)
              for x in calls(lines, "mmap")), "a private map of the file: %s" % lines)
    check(not os.path.exists(E.path("m")), "the file it made is removed")
    with open(E.path("keep"), "wb") as f:
        f.write(b"k" * 4096)
    E.ok_run(*buffers_job("--mem=mmap:" + E.path("keep")))
    check(os.path.exists(E.path("keep")), "a file that was there stays (fio)")


def case_mem_mmapshared():
    """mem=mmapshared:FILE maps the file shared, so what the job reads lands in it"""
    E.make_file("data", 256 << 10)
    with open(E.path("shared"), "wb") as f:
        f.write(bytes(64 << 10))
    E.ok_run(*buffers_job("--mem=mmapshared:" + E.path("shared"), "--rw=read"))
    last = open(E.path("data"), "rb").read()[192 << 10:]
    check(open(E.path("shared"), "rb").read() == last,
          "the file holds the job's last 64k read")
    with open(E.path("small"), "wb") as f:
        f.write(bytes(4096))
    r = E.tenon_io(*buffers_job("--mem=mmapshared:" + E.path("small")))
    check(r.rc == 1 and "needs 65536" in r.err,
          "a file too small for the buffers is refused (fio's IO would die of SIGBUS): %s"
          % r.err)
    _, lines = E.traced("mmap", *buffers_job("--mem=mmapshared"))
    check("NULL, 65536, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0"
          in calls(lines, "mmap"), "without a file: anonymous and private, as fio's")


def case_mem_huge():
    """shmhuge and mmaphuge ask for huge pages, rounded up to hugepage-size"""
    r, lines = E.traced("shmget", *buffers_job("--mem=shmhuge"))
    check(calls(lines, "shmget") == ["IPC_PRIVATE, 2097152, IPC_CREAT|SHM_HUGETLB|0600"],
          "rounded to the 2M default: %s" % lines)
    free = int(open("/proc/sys/vm/nr_hugepages").read())
    if not free:
        check(r.rc == 1 and "huge pages" in r.err, "no huge pages: %s" % r.err)
    r, lines = E.traced("mmap", *buffers_job("--mem=mmaphuge", "--hugepage-size=4m"))
    check(any(x.startswith("NULL, 4194304, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|"
                           "MAP_HUGETLB") for x in calls(lines, "mmap")),
          "rounded to hugepage-size=4m: %s" % calls(lines, "mmap"))
    if not free:
        check(r.rc == 1 and "huge pages" in r.err, "no huge pages: %s" % r.err)


def sanitized():
    """AddressSanitizer's and ThreadSanitizer's mlock() does nothing."""
    with open(E.TIO, "rb") as f:
        exe = f.read()
    return b"__asan_init" in exe or b"__tsan_init" in exe


def case_lockmem():
    """lockmem pins that much memory with mlock(2) while the job runs"""
    if sanitized():
        raise Skip("a sanitizer build's mlock() is a stub that calls nothing")
    _, lines = E.traced("mlock,munlock", *buffers_job("--lockmem=1m"))
    check([x.split(", ")[1] for x in calls(lines, "mlock")] == ["1048576"],
          "one mlock of 1M: %s" % lines)
    check(len(calls(lines, "munlock")) == 1, "released at the end: %s" % lines)
    _, lines = E.traced("mlock", *buffers_job())
    check(not calls(lines, "mlock"), "none without it")


def case_nice():
    """nice: the job's thread sets its nice value (setpriority), as fio's nice(2)"""
    # nice(2) adds to the thread's value (a test run may already be niced)
    want = min(os.getpriority(os.PRIO_PROCESS, 0) + 7, 19)
    _, lines = E.traced("setpriority", *buffers_job("--nice=7"))
    check(calls(lines, "setpriority") == ["PRIO_PROCESS, 0, %d" % want],
          "nice 7 more: %s" % lines)
    _, lines = E.traced("setpriority", *buffers_job())
    check(not calls(lines, "setpriority"), "none by default")
    r = E.tenon_io(*buffers_job("--nice=20"))
    check(r.rc == 1 and "nice" in r.err, r.describe())


def case_ioscheduler():
    """ioscheduler switches a block device's scheduler (sysfs); files and unknown names refused"""
    E.make_file("img", 4 << 20)
    dev = E.loop_device(E.path("img"))
    try:
        sysfs = "/sys/block/%s/queue/scheduler" % os.path.basename(dev)
        offered = open(sysfs).read().split()
        names = [n.strip("[]") for n in offered]
        old = [n.strip("[]") for n in offered if n.startswith("[")][0]
        other = [n for n in names if n != old]
        if not other:
            raise Skip("%s offers one scheduler only: %s" % (dev, offered))
        r = E.tenon_io("--name=j", "--filename=" + dev, "--size=64k",
                       "--ioscheduler=" + other[0])
        check(r.rc == 0, r.describe())
        check("[%s]" % other[0] in open(sysfs).read(), "switched: %s" % open(sysfs).read())
        r = E.tenon_io("--name=j", "--filename=" + dev, "--size=64k",
                       "--ioscheduler=nosuchsched")
        check(r.rc == 1 and "does not offer" in r.err and "[%s]" % other[0] in r.err,
              "an unknown scheduler is refused, the offered ones listed: %s" % r.err)
        with open(sysfs, "w") as f:
            f.write(old)
    finally:
        subprocess.run(["losetup", "-d", dev], timeout=30)
    r = E.tenon_io(*buffers_job("--ioscheduler=none"))
    check(r.rc == 1 and "not a block device" in r.err, "a regular file is refused: %s" % r.err)


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    E.TIO = os.path.abspath(sys.argv[1])
    cases = [f for n, f in sorted(globals().items()) if n.startswith("case_") and callable(f)]
    return run_cases(cases, "tio-memory-", E.use_tmp)


if __name__ == "__main__":
    sys.exit(main())
