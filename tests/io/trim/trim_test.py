#!/usr/bin/env python3
"""Trim jobs (rw=trim, randtrim, trimwrite, randtrimwrite) as fio 3.33 runs
them: every engine that can trim punches holes in a regular file (the
file's allocated blocks and SEEK_DATA show it) and discards a block
device's blocks (BLKDISCARD, on a loop device over a file in the temporary
folder, skipped where loop devices cannot be made); trimwrite writes each
block right after trimming it, at the trim's size; the trims fill the trim
slots of the report; --readonly refuses trim jobs before any IO. The nbd
engine's trims are nbd_test.py's. Output is TAP.

usage: trim_test.py TENON_IO
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, "..", "effects"))
import effects_test as E  # noqa: E402
from harness import Skip, check, run_cases  # noqa: E402

ENGINES = ("psync", "sync", "pvsync2", "libaio", "io_uring", "posixaio", "mmap")


def allocated(p):
    """Bytes of p its filesystem holds."""
    return os.stat(p).st_blocks * 512


def data_at(p, off):
    """Whether p has data (not a hole) at off: SEEK_DATA from there."""
    fd = os.open(p, os.O_RDONLY)
    try:
        return os.lseek(fd, off, os.SEEK_DATA) == off
    except OSError:
        return False  # ENXIO: only a hole from off to the end
    finally:
        os.close(fd)


def bw_log(name):
    """The (ddir, size, offset) of each IO in the per-IO log name_bw.log."""
    out = []
    with open(E.path(name + "_bw.log")) as f:
        for line in f:
            v = [x.strip() for x in line.split(",")]
            out.append((int(v[2]), int(v[3]), int(v[4])))
    return out


def case_trim_file_every_engine():
    """rw=trim punches a hole over the whole file, size kept, with each engine that trims"""
    for eng in ENGINES:
        f = E.make_file("f", 256 << 10)
        check(allocated(f) >= 256 << 10, "the file starts allocated")
        r = E.ok_run(*E.on_file("f", "--rw=trim", "--ioengine=" + eng, "--iodepth=4"))
        j = r.job()
        check(j["trim"]["total_ios"] == 64 and j["trim"]["io_bytes"] == 256 << 10,
              "%s: 64 trims of 4k: %s" % (eng, j["trim"]))
        check(j["read"]["total_ios"] == 0 and j["write"]["total_ios"] == 0,
              "%s: no reads or writes" % eng)
        check(os.path.getsize(f) == 256 << 10, "%s: the size is kept" % eng)
        check(allocated(f) == 0 and not data_at(f, 0),
              "%s: the file is one hole (%d bytes allocated)" % (eng, allocated(f)))
        os.unlink(f)


def case_randtrim_part():
    """randtrim with io_size trims that many distinct blocks at random, and nothing else"""
    f = E.make_file("f", 256 << 10)
    r = E.ok_run(*E.on_file("f", "--rw=randtrim", "--bs=16k", "--io_size=128k",
                            "--write_bw_log=t", "--log_offset=1", "--per_job_logs=0"))
    check(r.job()["trim"]["total_ios"] == 8, "8 trims of 16k")
    log = bw_log("t")
    offs = sorted(o for _, _, o in log)
    check(all(d == 2 and s == 16384 for d, s, _ in log), "trims of 16k: %s" % log)
    check(len(set(offs)) == 8 and offs != [i * 16384 for i in range(8)],
          "8 distinct offsets, not the first 8 blocks in order: %s" % offs)
    for o in range(0, 256 << 10, 16384):
        check(data_at(f, o) == (o not in offs), "block at %d: a hole iff trimmed" % o)


def case_trim_block_size():
    """bs=r,w,t: trims take the third size; two sizes give trims the writes'"""
    r = E.ok_run(*E.null("--rw=trim", "--bs=4k,8k,16k"))
    check(r.job()["trim"]["total_ios"] == 64, "1M in 16k trims: %s" % r.job()["trim"])
    r = E.ok_run(*E.null("--rw=trim", "--bs=4k,32k"))
    check(r.job()["trim"]["total_ios"] == 32, "1M in 32k trims: %s" % r.job()["trim"])


def case_trimwrite_file():
    """trimwrite: each block trimmed then written at the trim's size; the file ends full"""
    f = E.make_file("f", 256 << 10)
    r = E.ok_run(*E.on_file("f", "--rw=trimwrite", "--bs=4k,4k,16k", "--write_bw_log=t",
                            "--log_offset=1", "--per_job_logs=0"))
    j = r.job()
    check(j["trim"]["io_bytes"] == 256 << 10 and j["write"]["io_bytes"] == 256 << 10,
          "each byte trimmed and written: trim %s write %s" % (j["trim"], j["write"]))
    log = bw_log("t")
    want = []
    for o in range(0, 256 << 10, 16384):
        want += [(2, 16384, o), (1, 16384, o)]
    check(log == want, "trim, then a write of the same 16k: %s" % log[:6])
    check(allocated(f) >= 256 << 10, "the writes filled the holes again")


def case_randtrimwrite_pairs():
    """randtrimwrite: random trims, each followed by a write of its blocks, at iodepth 8"""
    r = E.ok_run(*E.null("--rw=randtrimwrite", "--bsrange=512-8k", "--iodepth=8",
                         "--write_bw_log=t", "--log_offset=1", "--per_job_logs=0"))
    log = bw_log("t")
    check(len(log) % 2 == 0 and len(log) > 2, "pairs: %d IOs" % len(log))
    for i in range(0, len(log), 2):
        t, w = log[i], log[i + 1]
        check(t[0] == 2 and w[0] == 1 and t[1:] == w[1:],
              "IO %d: a trim then its write: %s %s" % (i, t, w))
    covered = sum(s for d, s, _ in log if d == 2)
    check(covered == 1 << 20 and r.job()["trim"]["io_bytes"] == 1 << 20,
          "the random map covers the 1M once: %d" % covered)


def case_report():
    """the trim slots of the JSON and normal reports hold the trims"""
    r = E.ok_run(*E.null("--rw=randtrim", "--size=256k"))
    j = r.job()["trim"]
    check(j["total_ios"] == 64 and j["io_kbytes"] == 256 and j["bw"] > 0 and
          j["clat_ns"]["N"] == 64, "JSON trim section: %s" % j)
    r = E.ok_run(*E.null("--rw=trimwrite", "--size=256k"), fmt="normal")
    check("  trim: IOPS=" in r.out and "   TRIM: bw=" in r.out and "  write: IOPS=" in r.out,
          "normal output: trim and write lines\n%s" % r.out[:1500])
    check("issued rwts: total=0,64,64,0" in r.out, "issued rwts\n%s" % r.out[:1500])


def case_readonly():
    """--readonly refuses trim jobs before any IO, and leaves the file as it was"""
    for rw in ("trim", "randtrim", "trimwrite", "randtrimwrite"):
        f = E.make_file("f", 64 << 10)
        r = E.tenon_io("--readonly", *E.on_file("f", "--rw=" + rw, size="64k"))
        check(r.rc != 0 and "--readonly" in r.err and rw in r.err, "%s: %s" % (rw, r.err))
        check(allocated(f) >= 64 << 10 and data_at(f, 0), "%s: the file is untouched" % rw)


def case_rate_refused():
    """a rate cap on trims is refused (not supported yet), a read-only cap is not"""
    r = E.tenon_io(*E.null("--rw=randtrim", "--rate=1m"))
    check(r.rc != 0 and "rate" in r.err and "trim" in r.err, r.err[:500])
    r = E.tenon_io(*E.null("--rw=trimwrite", "--rate_iops=,100"))
    check(r.rc != 0 and "rate_iops" in r.err, r.err[:500])
    E.ok_run(*E.null("--rw=randtrim", "--rate=1m,,"))
    r = E.tenon_io(*E.null("--rw=randtrim", "--rate=1m", "--parse-only"))
    check(r.rc != 0 and "rate" in r.err, "--parse-only refuses it too: %s" % r.err[:500])


def backlog_job(*args):
    """A trimwrite job with verify on a 64k file in 4k blocks, plus args."""
    E.make_file("f", 64 << 10)
    return E.on_file("f", "--rw=trimwrite", "--verify=crc32c", size="64k") + list(args)


def case_trim_backlog():
    """trim_percentage and trim_backlog trim verified blocks, fio 3.33's IOs in fio's order"""
    r = E.ok_run(*backlog_job("--trim_percentage=50", "--trim_backlog=4", "--write_bw_log=t",
                              "--log_offset=1", "--per_job_logs=0"))
    j = r.job()
    # fio 3.33 on a loop device: issued rwts 16,16,21
    check((j["read"]["total_ios"], j["write"]["total_ios"], j["trim"]["total_ios"]) ==
          (16, 16, 21), "fio's counts: %s" % r.describe())
    main = [(d, o) for d, _, o in bw_log("t") if d != 0]
    k = 4096
    want = [(2, 0), (1, 0), (2, k), (1, k), (2, 2 * k), (1, 2 * k), (2, 3 * k), (1, 3 * k),
            (2, 0), (2, k), (2, 3 * k), (2, 4 * k), (1, 4 * k), (2, 4 * k)]
    check(main[:len(want)] == want, "fio's sequence of trims and writes: %s" % main[:16])
    r = E.ok_run(*backlog_job("--trim_percentage=100", "--trim_backlog=3"))
    check(r.job()["trim"]["total_ios"] == 32, "every block trimmed twice: %s" % r.describe())
    r = E.ok_run(*backlog_job("--trim_percentage=100", "--trim_backlog=4",
                              "--trim_backlog_batch=1"))
    # fio 3.33: a batch of one still trims every queued block, its count
    # carrying over to the blocks queued after it
    check(r.job()["trim"]["total_ios"] == 32, "fio's 32 trims: %s" % r.describe())
    r = E.ok_run(*backlog_job("--trim_percentage=0", "--trim_backlog=4"))
    check(r.job()["trim"]["total_ios"] == 16, "none queued: %s" % r.describe())


def case_trim_verify_zero():
    """trim_verify_zero: trimmed blocks are read back as zeros (1), or not verified (0)"""
    r = E.ok_run(*backlog_job("--trim_percentage=50", "--trim_backlog=4"))
    check(r.job()["read"]["total_ios"] == 16, "all 16 blocks verified: %s" % r.describe())
    r = E.ok_run(*backlog_job("--trim_percentage=50", "--trim_backlog=4",
                              "--trim_verify_zero=0"))
    check(r.job()["read"]["total_ios"] == 11, "5 trimmed blocks skipped: %s" % r.describe())


def case_trim_backlog_refused():
    """trim_backlog with trim_percentage on a job that never trims is refused (fio 3.33 aborts)"""
    E.make_file("f", 64 << 10)
    r = E.tenon_io(*E.on_file("f", "--rw=randwrite", "--verify=crc32c", "--trim_percentage=10",
                              "--trim_backlog=4", size="64k"))
    check(r.rc != 0 and "rw=trimwrite or randtrimwrite" in r.err, r.err[:500])
    r = E.tenon_io(*backlog_job("--trim_percentage=10", "--trim_backlog=4",
                                "--verify_backlog=8"))
    check(r.rc != 0 and "verify_backlog" in r.err, r.err[:500])
    r = E.tenon_io(*E.null("--trim_percentage=101"))
    check(r.rc != 0 and "trim_percentage" in r.err, r.err[:500])


def case_loop_device_discard():
    """on a block device (a loop device over a temporary file) trims are BLKDISCARD"""
    img = E.make_file("img", 4 << 20)
    dev = E.loop_device(img)
    try:
        r = E.tenon_io("--name=j", "--filename=" + dev, "--rw=trim", "--size=1m")
        check(r.rc != 0 and "refusing to trim block device" in r.err, r.err[:500])
        for eng, off in (("psync", "0"), ("libaio", "1m"), ("io_uring", "2m")):
            r = E.ok_run("--name=j", "--filename=" + dev, "--rw=randtrim", "--bs=64k",
                         "--size=1m", "--offset=" + off, "--allow_mounted_write=1",
                         "--ioengine=" + eng, "--iodepth=4")
            check(r.job()["trim"]["total_ios"] == 16, "%s: 16 discards" % eng)
        # the loop driver punches the discarded range out of its backing file
        check(not data_at(img, 0) and data_at(img, 3 << 20),
              "the first 3M are holes in the backing file, the rest is data")
        with open(dev, "rb") as d:
            check(d.read(3 << 20) == bytes(3 << 20), "discarded blocks read as zeros")
        r = E.ok_run("--name=j", "--filename=" + dev, "--rw=randtrimwrite", "--size=512k",
                     "--verify=crc32c", "--trim_percentage=40", "--trim_backlog=5",
                     "--trim_backlog_batch=2", "--allow_mounted_write=1")
        j = r.job()
        # fio 3.33 on a loop device: issued rwts 128,128,176
        check((j["read"]["total_ios"], j["write"]["total_ios"], j["trim"]["total_ios"]) ==
              (128, 128, 176), "trim_backlog on a device, fio's counts: %s" % r.describe())
    finally:
        subprocess.run(["losetup", "-d", dev], timeout=30)


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    E.TIO = os.path.abspath(sys.argv[1])
    cases = [f for n, f in globals().items() if n.startswith("case_") and callable(f)]
    return run_cases(cases, "tio-trim-", E.use_tmp)


if __name__ == "__main__":
    sys.exit(main())
