#!/usr/bin/env python3
"""How a job's files are prepared, as fio 3.33 does it: create_fsync,
create_only, pre_read, fadvise_hint, write_hint, file_append, offset_align,
unique_filename and sync_file_range, each shown by the system calls a run
makes (strace), the file's contents or what the kernel keeps for it. The
expected calls are fio 3.33's for the same job. Cases are TAP, through
effects_test.py's helpers.

usage: prep_test.py TENON_IO
"""
import fcntl
import os
import re
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import effects_test as E  # noqa: E402
from effects_test import Skip, check, count_calls, run_cases  # noqa: E402

F_GET_RW_HINT = 1024 + 11


def calls(lines, name):
    """The argument lists of each call of name, in order."""
    return [m.group(1) for m in (re.search(r"(?:^|\s)%s\((.*)\)\s+=" % name, x) for x in lines)
            if m]


def data_io(lines, name, start=64 << 10):
    """(bytes, offset) of each pread64 or pwrite64 at or past start: the
    job's file, not the shared libraries the loader reads at offsets 0..64."""
    out = []
    for x in calls(lines, name):
        n, off = (int(v) for v in x.split(", ")[-2:])
        if off >= start:
            out.append((n, off))
    return out


def case_create_fsync():
    """create_fsync: a file laid out with data is fsynced after (the default); 0 skips it"""
    _, lines = E.traced("fsync", *E.on_file("a", "--rw=read"))
    check(count_calls(lines, "fsync") == 1, "one fsync after the layout: %s" % lines)
    _, lines = E.traced("fsync", *E.on_file("b", "--rw=read", "--create_fsync=0"))
    check(count_calls(lines, "fsync") == 0, "none with create_fsync=0: %s" % lines)
    _, lines = E.traced("fsync", *E.on_file("b", "--rw=read"))
    check(count_calls(lines, "fsync") == 0, "nothing to lay out, nothing synced: %s" % lines)


def case_create_only():
    """create_only lays the files out and does no IO; the job reports none"""
    r = E.ok_run(*E.on_file("c", "--rw=read", "--create_only=1"))
    check(os.path.getsize(E.path("c")) == 256 << 10, "the file is laid out")
    check(E.ios(r) == 0 and r.job()["error"] == 0, "no read was done: %s" % r.describe())
    _, lines = E.traced("pread64,pwrite64", *E.on_file("c", "--rw=randrw", "--offset=64k",
                                                       "--create_only=1", size="128k"))
    check(not data_io(lines, "pread64") and not data_io(lines, "pwrite64"),
          "no IO on an existing file: %s" % lines)
    r = E.ok_run(*E.on_file("d", "--rw=write", "--create_only=1", "--create_serialize=0"))
    check(os.path.getsize(E.path("d")) == 256 << 10 and E.ios(r, "write") == 0,
          "a write job's file is made in its thread, then nothing is written")
    # fio's normal report leaves out a job without IO; the group line stays
    r = E.ok_run(*E.on_file("c", "--rw=read", "--create_only=1"), "--name=k",
                 "--ioengine=null", "--size=64k", fmt="normal")
    check("j: (groupid=" not in r.out and "k: (groupid=" in r.out and "Run status" in r.out,
          "only job k's entry is in the normal report: %s" % r.out)


def case_pre_read():
    """pre_read reads the region in the largest read size before the IO, and turns invalidate off"""
    E.make_file("p", 1 << 20)
    args = E.on_file("p", "--rw=randread", "--offset=64k", "--bsrange=4k-16k", "--pre_read=1",
                     "--number_ios=2", size="128k")
    _, lines = E.traced("pread64,fadvise64", *args)
    reads = data_io(lines, "pread64")
    check(reads[:8] == [(16384, 65536 + i * 16384) for i in range(8)],
          "16k reads over 64k..192k first (fio's largest read size): %s" % reads)
    check(len(reads) == 8 + 2, "then the job's own 2 reads: %s" % reads)
    check(not any("POSIX_FADV_DONTNEED" in x for x in lines), "no cache drop: %s" % lines)
    r = E.tenon_io(*E.on_file("p", "--pre_read=1", "--direct=1"))
    check(r.rc == 1 and "pre_read" in r.err and "direct" in r.err,
          "direct=1 is refused (fio's pre-read fails there): %s" % r.err)


def case_fadvise_hint():
    """fadvise_hint: 1 (the default) advises from rw=, random/sequential as named, 0 nothing"""
    E.make_file("h", 256 << 10)
    want = [([], "POSIX_FADV_SEQUENTIAL"), (["--rw=randread"], "POSIX_FADV_RANDOM"),
            (["--rw=randread", "--fadvise_hint=sequential"], "POSIX_FADV_SEQUENTIAL"),
            (["--fadvise_hint=random"], "POSIX_FADV_RANDOM"),
            (["--rw=randread", "--fadvise_hint=0"], None)]
    for opts, advice in want:
        _, lines = E.traced("fadvise64", *E.on_file("h", "--offset=64k", *opts, size="128k"))
        hints = [x for x in calls(lines, "fadvise64") if "DONTNEED" not in x]
        if advice is None:
            check(not hints, "%s: no advice: %s" % (opts, hints))
        else:
            check(len(hints) == 1 and hints[0].endswith(", 65536, 131072, " + advice),
                  "%s: %s over the region: %s" % (opts, advice, hints))
    r = E.tenon_io(*E.on_file("h", "--fadvise_hint=2"))
    check(r.rc == 1 and "fadvise_hint" in r.err, r.describe())


def rw_hint(name):
    fd = os.open(E.path(name), os.O_RDONLY)
    try:
        return struct.unpack("Q", fcntl.fcntl(fd, F_GET_RW_HINT, bytes(8)))[0]
    except OSError as e:
        raise Skip("F_GET_RW_HINT is not supported here: %s" % e)
    finally:
        os.close(fd)


def case_write_hint():
    """write_hint sets the file's write life time hint (fcntl F_SET_RW_HINT), none when not given"""
    E.ok_run(*E.on_file("w", "--rw=write"))
    check(rw_hint("w") == 0, "no hint without the option")
    for value, code in (("short", 2), ("extreme", 5), ("none", 1)):
        E.ok_run(*E.on_file("w", "--rw=write", "--write_hint=" + value))
        check(rw_hint("w") == code, "write_hint=%s: RWH_WRITE_LIFE_* %d" % (value, code))
    r = E.tenon_io(*E.on_file("w", "--write_hint=forever"))
    check(r.rc == 1 and "write_hint" in r.err, r.describe())


def case_file_append():
    """file_append: a regular file's IO starts at its end, offset= ignored; what was there stays"""
    old = open(E.make_file("f", 64 << 10), "rb").read()
    _, lines = E.traced("pwrite64", *E.on_file("f", "--rw=write", "--file_append=1",
                                               "--offset=4k", size="16k"))
    offs = [int(x.split(", ")[-1]) for x in calls(lines, "pwrite64")]
    check(offs == [65536, 69632, 73728, 77824], "writes from the old end: %s" % offs)
    data = open(E.path("f"), "rb").read()
    check(len(data) == 80 << 10 and data[:64 << 10] == old, "appended, the old data kept")


def case_offset_align():
    """offset_align: a percentage offset is aligned up to it, not to the smallest block size"""
    E.make_file("o", 1 << 20)
    for opts, first in (([], 106496), (["--offset_align=64k"], 131072)):
        _, lines = E.traced("pread64", *E.on_file("o", "--offset=10%", *opts, size="8k"))
        offs = [int(x.split(", ")[-1]) for x in calls(lines, "pread64")]
        check(offs[-2:] == [first, first + 4096], "%s: IO from %d: %s" % (opts, first, offs))


def case_unique_filename():
    """unique_filename prefixes names only for a client of fio's server: without one, no change"""
    d = E.path("u")
    os.mkdir(d)
    for v in ("1", "0"):
        E.ok_run("--name=j", "--directory=" + d, "--size=16k", "--unique_filename=" + v)
        check(os.listdir(d) == ["j.0.0"], "unique_filename=%s: %s" % (v, os.listdir(d)))
        os.unlink(os.path.join(d, "j.0.0"))


def case_sync_file_range():
    """sync_file_range=FLAGS:N: every N writes, the range written since the last one, as fio"""
    _, lines = E.traced("sync_file_range", *E.on_file("s", "--rw=write",
                                                      "--sync_file_range=wait_before,write:4",
                                                      size="64k"))
    got = [", ".join(x.split(", ")[1:]) for x in calls(lines, "sync_file_range")]
    flags = "SYNC_FILE_RANGE_WAIT_BEFORE|SYNC_FILE_RANGE_WRITE"
    check(got == ["0, 16384, " + flags, "16384, 16384, " + flags, "32768, 16384, " + flags],
          "fio's three calls (none after the last write): %s" % got)
    _, lines = E.traced("sync_file_range", *E.on_file("s", "--rw=write",
                                                      "--sync_file_range=wait_after",
                                                      size="16k"))
    got = [", ".join(x.split(", ")[1:]) for x in calls(lines, "sync_file_range")]
    check(got == ["%d, 4096, SYNC_FILE_RANGE_WAIT_AFTER" % (i * 4096) for i in range(3)],
          "no :N is every write: %s" % got)
    r = E.ok_run(*E.on_file("s", "--rw=write", "--sync_file_range=write:2", size="64k"))
    sync = r.job()["sync"]
    check(sync["total_ios"] == 0 and sync["lat_ns"]["N"] == 7,
          "latencies without a count, as fio's: %s" % sync)
    _, lines = E.traced("sync_file_range", *E.on_file("s", "--rw=read",
                                                      "--sync_file_range=write:1"))
    check(not calls(lines, "sync_file_range"), "a read job syncs nothing")
    for bad in ("--sync_file_range=flush", "--sync_file_range=write:x"):
        r = E.tenon_io(*E.on_file("s", bad))
        check(r.rc == 1 and "sync_file_range" in r.err, r.describe())
    r = E.tenon_io(*E.on_file("s", "--rw=write", "--sync_file_range=write", "--fsync=2"))
    check(r.rc == 1 and "fsync" in r.err, "with fsync= it is refused: %s" % r.err)


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    E.TIO = os.path.abspath(sys.argv[1])
    cases = [f for n, f in sorted(globals().items()) if n.startswith("case_") and callable(f)]
    return run_cases(cases, "tio-prep-", E.use_tmp)


if __name__ == "__main__":
    sys.exit(main())
