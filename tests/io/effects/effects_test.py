#!/usr/bin/env python3
"""Every job option tenon-io accepts does something: one small case per
option, comparing a run with the option against one without it (or against
another value), and checking what fio 3.33 does with it. effects.tsv names
the case that proves each option's effect; effects_meta.py checks that
every accepted option has one.

The runs use the null engine or small files in a temporary folder. Cases
that count system calls or read IO offsets run tenon-io under strace and
are skipped, with the reason, where strace is missing or not permitted.
Output is TAP.

usage: effects_test.py TENON_IO [CLOCK_COUNTER_SO]
"""
import json
import os
import re
import shutil
import subprocess
import sys
import time

TIO = None
TMP = None
CLOCK_SO = None
RUN_LIMIT = 60

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from harness import Fail, Skip, check, run_cases, sanitizer_check  # noqa: E402


def use_tmp(path):
    global TMP
    TMP = path


from harness import TioRun as Run  # noqa: E402


def tenon_io(*args, fmt="json", env=None, prefix=()):
    eta = [] if any(a.startswith("--eta") for a in args) else ["--eta=never"]
    cmd = list(prefix) + [TIO] + eta + (["--output-format=json"] if fmt == "json" else []) \
        + list(args)
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=RUN_LIMIT, cwd=TMP, env=env)
    except subprocess.TimeoutExpired:
        raise Fail("tenon-io did not finish within %ds: %s" % (RUN_LIMIT, " ".join(cmd)))
    r = Run(p.returncode, p.stdout, p.stderr, time.monotonic() - t0)
    sanitizer_check(r.err, cmd)
    if r.rc not in (0, 1):
        raise Fail("tenon-io exited %d: %s\n%s" % (r.rc, " ".join(cmd), r.err[:2000]))
    return r


def ok_run(*args, **kw):
    r = tenon_io(*args, **kw)
    check(r.rc == 0, "tenon-io %s failed:\n%s" % (" ".join(args), r.err[:2000]))
    return r


def null(*args):
    """A null-engine job j of 1 MiB in 4 KiB blocks, plus args."""
    return ["--name=j", "--ioengine=null", "--size=1M", "--bs=4k"] + list(args)


def queued(*args):
    """A libaio job j on a 1 MiB file TMP/q in 4 KiB blocks, plus args: a
    queue as deep as iodepth (the null engine, as fio's, has one batch out
    at a time)."""
    make_file("q", 1 << 20)
    return on_file("q", "--ioengine=libaio", *args, size="1M")


def path(name):
    return os.path.join(TMP, name)


def loop_device(img):
    """A loop device over the file img (the caller detaches it), or Skip."""
    try:
        p = subprocess.run(["losetup", "-f", "--show", img], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise Skip("losetup: %s" % e)
    if p.returncode != 0:
        raise Skip("losetup cannot attach a loop device here: %s" % p.stderr.strip())
    return p.stdout.strip()


def make_file(name, size):
    with open(path(name), "wb") as f:
        f.write(os.urandom(size))
    return path(name)


def on_file(name, *args, size="256k"):
    """A psync job j on TMP/name, plus args."""
    return ["--name=j", "--filename=" + path(name), "--size=" + size, "--bs=4k"] + list(args)


def ios(run, ddir="read", name="j"):
    return run.job(name)[ddir]["total_ios"]


# ---- strace ----------------------------------------------------------------

_strace_ok = None


def strace_ready():
    global _strace_ok
    if _strace_ok is None:
        exe = shutil.which("strace")
        _strace_ok = bool(exe) and subprocess.run(
            [exe, "-f", "-o", os.devnull, "true"], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL).returncode == 0
    if not _strace_ok:
        raise Skip("strace is missing or not permitted here (scripts/deps.sh installs it)")


def traced(calls, *args):
    """Runs tenon-io under strace -f for the given system calls; returns the
    run and the trace lines."""
    strace_ready()
    logdir = path("strace")
    os.mkdir(logdir)
    # one log per thread (-ff), so no call is split across lines; a
    # sanitizer build's leak check cannot run under ptrace
    env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")
    r = tenon_io(*args, env=env, prefix=["strace", "-ff", "-qq", "-s", "0", "-e", "signal=none",
                                         "-e", "trace=" + calls, "-o", os.path.join(logdir, "t")])
    lines = []
    for name in sorted(os.listdir(logdir)):
        with open(os.path.join(logdir, name)) as f:
            lines += f.read().splitlines()
    shutil.rmtree(logdir)
    return r, lines


def sleeps(*args):
    """Runs tenon-io under strace; returns the run and the sleeps (in
    seconds) its job's thread asked for, in order. The thread that sleeps
    most is the job's: the main thread sleeps once to calibrate its clock."""
    strace_ready()
    logdir = path("strace")
    os.mkdir(logdir)
    env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")
    r = tenon_io(*args, env=env, prefix=["strace", "-ff", "-qq", "-s", "0", "-e", "signal=none",
                                         "-e", "trace=nanosleep,clock_nanosleep",
                                         "-o", os.path.join(logdir, "t")])
    check(r.rc == 0, "tenon-io %s failed:\n%s" % (" ".join(args), r.err[:2000]))
    best = []
    for name in sorted(os.listdir(logdir)):
        with open(os.path.join(logdir, name)) as f:
            found = [int(m.group(1)) + int(m.group(2)) / 1e9 for m in
                     re.finditer(r"nanosleep\(.*\{tv_sec=(\d+), tv_nsec=(\d+)\}", f.read())]
        if len(found) > len(best):
            best = found
    shutil.rmtree(logdir)
    return r, best


def count_calls(lines, name):
    return sum(1 for line in lines if re.search(r"(^|\s)%s\(" % name, line))


def data_fds(lines, filename):
    """fds that open() returned for filename, in order."""
    fds = set()
    for line in lines:
        m = re.search(r'open(?:at)?\(.*"%s", ([^)]*)\)\s+=\s+(\d+)' % re.escape(filename), line)
        if m:
            fds.add(int(m.group(2)))
    return fds


def open_flags(lines, filename):
    """The flags of every successful open of filename, and of the reopens
    of what it opened through /proc/self/fd (how a target opened once gets
    the job's O_DIRECT or O_SYNC)."""
    out = []
    for line in lines:
        m = re.search(r'open(?:at)?\(.*"(?:%s|/proc/self/fd/\d+)", ([^,)]*)' % re.escape(filename),
                      line)
        if m and "= -1" not in line:
            out.append(m.group(1))
    return out


def offsets(lines, filename, call, length):
    """Offsets of the length-byte preads/pwrites to filename."""
    fds = data_fds(lines, filename)
    out = []
    for line in lines:
        m = re.search(r"%s\((\d+), .*, (\d+), (\d+)\)\s+=" % call, line)
        if m and int(m.group(1)) in fds and int(m.group(2)) == length:
            out.append(int(m.group(3)))
    return out


# ---- the cases, one per option --------------------------------------------

def case_number_ios():
    """number_ios stops after that many IOs, per loop, and not in time_based jobs (fio 3.33)"""
    check(ios(ok_run(*null())) == 256, "1M in 4k blocks is 256 IOs")
    check(ios(ok_run(*null("--number_ios=100"))) == 100, "number_ios=100 issues 100 IOs")
    check(ios(ok_run(*null("--number_ios=100", "--loops=3"))) == 300,
          "number_ios counts per loop, as fio (300 IOs for loops=3)")
    check(ios(ok_run(*null("--number_ios=100", "--iodepth=8"))) == 100,
          "queued IOs count: 100 IOs at iodepth 8 too")
    check(ios(ok_run(*null("--number_ios=5000"))) == 256,
          "number_ios does not extend the job beyond its size")
    r = ok_run(*null("--number_ios=10", "--time_based", "--runtime=100ms"))
    check(ios(r) > 10, "fio ignores number_ios in a time_based job")


def case_fsync_on_close():
    """fsync_on_close syncs a write job's files once per loop; none without it, none for reads"""
    make_file("r", 256 << 10)
    _, lines = traced("fsync", *on_file("w", "--rw=write"))
    check(count_calls(lines, "fsync") == 0, "no fsync without the option: %s" % lines)
    _, lines = traced("fsync", *on_file("w", "--rw=write", "--fsync_on_close=1"))
    check(count_calls(lines, "fsync") == 1, "one fsync with fsync_on_close=1: %s" % lines)
    _, lines = traced("fsync", "--name=j", "--size=256k", "--nrfiles=2", "--rw=write",
                      "--directory=" + TMP, "--fsync_on_close=1")
    check(count_calls(lines, "fsync") == 2, "one fsync per file: %s" % lines)
    _, lines = traced("fsync", *on_file("w", "--rw=write", "--fsync_on_close=1", "--loops=2"))
    check(count_calls(lines, "fsync") == 2, "one fsync per loop: %s" % lines)
    _, lines = traced("fsync", *on_file("r", "--rw=read", "--fsync_on_close=1"))
    check(count_calls(lines, "fsync") == 0, "a read job syncs nothing (fio): %s" % lines)


def case_end_fsync():
    """end_fsync syncs a write job's files when it ends, not a read job's (fio's should_fsync)"""
    make_file("r", 256 << 10)
    _, lines = traced("fsync", *on_file("w", "--rw=write", "--end_fsync=1"))
    check(count_calls(lines, "fsync") == 1, "one fsync with end_fsync=1: %s" % lines)
    _, lines = traced("fsync", *on_file("w", "--rw=write", "--end_fsync=0"))
    check(count_calls(lines, "fsync") == 0, "none with end_fsync=0: %s" % lines)
    _, lines = traced("fsync", *on_file("r", "--rw=read", "--end_fsync=1"))
    check(count_calls(lines, "fsync") == 0, "a read job syncs nothing: %s" % lines)


def case_overwrite():
    """overwrite=1 lays a write job's new file out with data before writing; 0 leaves it sparse"""
    ok_run(*on_file("sparse", "--rw=write", "--io_size=64k", size="1M"))
    ok_run(*on_file("full", "--rw=write", "--io_size=64k", "--overwrite=1", size="1M"))
    sparse = os.stat(path("sparse")).st_blocks * 512
    full = os.stat(path("full")).st_blocks * 512
    if sparse >= 1 << 20:
        raise Skip("this filesystem does not keep files sparse")
    check(full >= 1 << 20, "overwrite=1: the whole 1M is allocated (%d bytes)" % full)
    check(os.path.getsize(path("full")) == 1 << 20, "the file has the job's size")


def case_create_on_open():
    """create_on_open leaves a new file to the job's open: it holds only what the job wrote"""
    ok_run(*on_file("pre", "--rw=write", "--io_size=64k", size="1M"))
    check(os.path.getsize(path("pre")) == 1 << 20, "without it the file is made 1M first")
    ok_run(*on_file("late", "--rw=write", "--io_size=64k", "--create_on_open=1", size="1M"))
    check(os.path.getsize(path("late")) == 64 << 10,
          "with it the file is created by the job's open and holds the 64k written (fio)")
    r = tenon_io(*on_file("none", "--rw=write", "--create_on_open=1",
                          "--allow_file_create=0"))
    check(r.rc == 1 and not os.path.exists(path("none")),
          "allow_file_create=0 still forbids creating it")
    r = tenon_io(*on_file("empty", "--rw=read", "--create_on_open=1"))
    check(r.rc == 1, "a read job on a file create_on_open made empty fails, as in fio")


def case_fallocate():
    """fallocate pre-allocates a file being laid out as fio's mode says; 0 and 1 are aliases"""
    want = {  # mode: (fallocate(2) flags seen, ftruncate seen)
        "native": ("0", False), "posix": ("0", False), "1": ("0", False),
        "keep": ("FALLOC_FL_KEEP_SIZE", False), "truncate": (None, True),
        "none": (None, False), "0": (None, False),
    }
    for mode, (flags, trunc) in want.items():
        name = "fa-" + mode
        r, lines = traced("fallocate,ftruncate", *on_file(name, "--fallocate=" + mode,
                                                          size="256k"))
        check(r.rc == 0, mode + ": " + r.describe())
        falls = [l for l in lines if re.search(r"(^|\s)fallocate\(\d+, \w+, 0, 262144\)", l)]
        got = re.search(r"fallocate\(\d+, (\w+),", falls[0]).group(1) if falls else None
        truncs = [l for l in lines if re.search(r"ftruncate\(\d+, 262144\)", l)]
        check(got == flags and bool(truncs) == trunc,
              "fallocate=%s: fallocate flags %s, ftruncate %s" % (mode, got, bool(truncs)))
        check(os.path.getsize(path(name)) == 256 << 10, mode + ": laid out to 256k")
    r = tenon_io(*on_file("fa-bad", "--fallocate=sometimes"))
    check(r.rc == 1 and "none (0), native, posix (1), keep or truncate" in r.err, r.err)
    fallocate_write_job()


def can_fallocate():
    probe = path("fa-probe")
    try:
        with open(probe, "wb") as f:
            os.posix_fallocate(f.fileno(), 0, 1 << 16)
        return os.stat(probe).st_blocks * 512 >= 1 << 16
    except OSError:
        return False
    finally:
        os.unlink(probe)


def fallocate_write_job():
    """A write job's new file: fio's mode (no layout), seen in st_blocks; its size is whole"""
    allocates = can_fallocate()
    want = {  # mode: (size, all blocks allocated) after one 4k write at 0
        "native": (256 << 10, allocates), "posix": (256 << 10, True), "1": (256 << 10, True),
        "keep": (256 << 10, True), "truncate": (256 << 10, False),
        "none": (256 << 10, False), "0": (256 << 10, False),
    }
    for mode, (size, blocks) in want.items():
        name = "faw-" + mode
        if mode == "keep" and not allocates:
            continue
        ok_run(*on_file(name, "--rw=write", "--io_size=4k", "--fallocate=" + mode))
        st = os.stat(path(name))
        check(st.st_size == size and (st.st_blocks * 512 >= 256 << 10) == blocks,
              "write job, fallocate=%s: size %d (want %d), %d blocks of 512" %
              (mode, st.st_size, size, st.st_blocks))


def layout_threads(*args):
    """Per thread that wrote a layout (1 MiB pwrites), in thread id order:
    how many it wrote; the main thread, the lowest id, listed as tid 0."""
    strace_ready()
    logdir = path("strace")
    os.mkdir(logdir)
    env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")
    r = tenon_io(*args, env=env, prefix=["strace", "-ff", "-qq", "-s", "0", "-e", "signal=none",
                                         "-e", "trace=pwrite64", "-o", os.path.join(logdir, "t")])
    check(r.rc == 0, r.err)
    names = sorted(os.listdir(logdir), key=lambda n: int(n.split(".")[-1]))
    out = {}
    for k, name in enumerate(names):
        with open(os.path.join(logdir, name)) as f:
            n = sum(1 for l in f if re.search(r"pwrite64\(\d+, .*, 1048576, \d+\)", l))
        if n:
            out[k] = n
    shutil.rmtree(logdir)
    return out


def case_create_serialize():
    """create_serialize=1 lays files out before the run; 0 in each job's own thread"""
    jobs = [*on_file("cs-a", "--rw=read", size="2m"), "--name=k", "--filename=" + path("cs-b"),
            "--size=2m", "--rw=read"]
    check(layout_threads(*jobs) == {0: 4}, "create_serialize=1: the main thread lays out both")
    for f in ("cs-a", "cs-b"):
        os.unlink(path(f))
    by = layout_threads("--create_serialize=0", *jobs)
    check(sorted(by.values()) == [2, 2] and 0 not in by,
          "create_serialize=0: each job's thread lays out its own file: %s" % by)
    check(os.path.getsize(path("cs-a")) == os.path.getsize(path("cs-b")) == 2 << 20,
          "both files laid out")


def case_blockalign():
    """ba/blockalign: random offsets are multiples of ba, not of bs; sequential IO ignores it"""
    make_file("d", 64 << 10)
    _, lines = traced("openat,pread64", *on_file("d", "--rw=randread", size="64k"))
    offs = offsets(lines, path("d"), "pread64", 4096)
    check(offs and all(o % 4096 == 0 for o in offs), "without ba: 4k-aligned %s" % offs)
    for opt in ("--ba=512", "--blockalign=512"):
        _, lines = traced("openat,pread64", *on_file("d", "--rw=randread", opt, size="64k"))
        offs = offsets(lines, path("d"), "pread64", 4096)
        check(len(offs) == 16, "16 IOs: %s" % offs)
        check(all(o % 512 == 0 and o + 4096 <= 64 << 10 for o in offs),
              "%s: 512-aligned and inside the file: %s" % (opt, offs))
        check(any(o % 4096 for o in offs), "%s: some offsets not 4k-aligned: %s" % (opt, offs))
    _, lines = traced("openat,pread64", *on_file("d", "--rw=read", "--ba=512", size="64k"))
    offs = offsets(lines, path("d"), "pread64", 4096)
    check(offs == list(range(0, 64 << 10, 4096)), "sequential IO ignores ba: %s" % offs)


def case_gtod_reduce():
    """gtod_reduce: no latency in the report, as fio's; IO counts unchanged"""
    for extra in ([], ["--iodepth=8"]):
        r = ok_run(*null(*extra))
        rd = r.job()["read"]
        check(rd["clat_ns"]["N"] == 256 and rd["lat_ns"]["N"] == 256,
              "latencies are measured by default")
        r = ok_run(*null("--gtod_reduce=1", *extra))
        j = r.job()
        rd = j["read"]
        check(rd["total_ios"] == 256, "every IO is still counted")
        for k in ("slat_ns", "clat_ns", "lat_ns"):
            check(rd[k]["N"] == 0 and "percentile" not in rd[k], "%s not measured: %s" % (k, rd[k]))
        for k in ("latency_ns", "latency_us", "latency_ms"):
            check(not any(j[k].values()), "%s all zero: %s" % (k, j[k]))
    make_file("d", 256 << 10)
    r = ok_run(*on_file("d", "--gtod_reduce=1"), fmt="normal")
    check("clat" not in r.out and "lat (" not in r.out and "bw (" not in r.out,
          "the normal report has no latency or bandwidth lines:\n" + r.out)
    r = ok_run(*null("--gtod_reduce=1", "--time_based", "--runtime=1200ms", "--rate_iops=500"))
    check(ios(r) > 256, "a time_based job still ends at its runtime")
    rd = r.job()["read"]
    # two on a quiet machine (at 500 and 1000 ms); a starved run may miss
    # one, as the clock is read less often, but never samples more often
    most = rd["runtime"] // 500
    check(1 <= rd["bw_samples"] <= most and 1 <= rd["iops_samples"] <= most,
          "bandwidth and IOPS samples every 500 ms, as fio 3.33's: %s" % rd)
    if CLOCK_SO and os.path.exists(CLOCK_SO):
        counts = {}
        for flag in ("0", "1"):
            out = path("clock." + flag)
            env = dict(os.environ, TENON_IO_CLOCK="gettime", LD_PRELOAD=CLOCK_SO,
                       TIO_CLOCK_COUNT_FILE=out,
                       ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0")
            ok_run(*null("--size=16M", "--gtod_reduce=" + flag), env=env)
            with open(out) as f:
                counts[flag] = int(f.read().split()[0])
        check(counts["0"] >= 2 * 4096, "two clock reads per IO by default: %s" % counts)
        check(counts["1"] < 4096 // 8, "gtod_reduce: far fewer reads than IOs: %s" % counts)


def case_allow_file_create():
    """allow_file_create=0 refuses to create a missing file; the default creates it"""
    r = tenon_io(*on_file("new", "--rw=write", "--allow_file_create=0"))
    check(r.rc == 1 and "allow_file_create=0" in r.err and not os.path.exists(path("new")),
          "refused: " + r.err)
    ok_run(*on_file("new", "--rw=write"))
    check(os.path.getsize(path("new")) == 256 << 10, "created by default")


def case_bs():
    """bs/blocksize sets the IO size: 1M in 64k blocks is 16 IOs"""
    check(ios(ok_run(*null("--bs=64k"))) == 16, "bs=64k")
    check(ios(ok_run(*null("--blocksize=64k"))) == 16, "blocksize=64k")
    check(ios(ok_run(*null("--rw=write", "--bs=4k,64k")), "write") == 16, "bs=4k,64k: 64k writes")


def case_buffer_pattern():
    """buffer_pattern fills written blocks with the pattern"""
    ok_run(*on_file("p", "--rw=write", "--buffer_pattern=0xdeadbeef", size="64k"))
    with open(path("p"), "rb") as f:
        data = f.read()
    check(data == bytes.fromhex("deadbeef") * (len(data) // 4) and len(data) == 64 << 10,
          "the file is the pattern repeated")


def _direct_flags(*opts):
    make_file("d", 256 << 10)
    _, lines = traced("openat", *on_file("d", "--rw=read", *opts))
    flags = open_flags(lines, path("d"))
    check(flags, "the data file was opened: %s" % lines)
    return " ".join(flags)


def case_direct():
    """direct=1 opens the file O_DIRECT; the default does not"""
    check("O_DIRECT" not in _direct_flags(), "buffered by default")
    check("O_DIRECT" in _direct_flags("--direct=1"), "direct=1: O_DIRECT")


def case_buffered():
    """buffered=0 is direct=1: O_DIRECT"""
    check("O_DIRECT" in _direct_flags("--buffered=0"), "buffered=0: O_DIRECT")
    check("O_DIRECT" not in _direct_flags("--direct=1", "--buffered=1"), "buffered=1 wins later")


def _read_buffers(*opts, bs=4096):
    """The buffer address of every pread (bs bytes each) of a psync read job
    over 64 KiB x bs/4 KiB."""
    strace_ready()
    size = 16 * bs
    make_file("d", size)
    log = path("reads")
    # a sanitizer build's leak check cannot run under ptrace
    env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")
    r = tenon_io(*on_file("d", "--rw=read", "--bs=%d" % bs, *opts, size=str(size)), env=env,
                 prefix=["strace", "-f", "-qq", "-e", "signal=none", "-e", "trace=pread64",
                         "-e", "raw=pread64", "-o", log])
    check(r.rc == 0, "the job ran: %s" % r.err[:2000])
    with open(log) as f:
        found = re.findall(r"pread64\(0x[0-9a-f]+, (0x[0-9a-f]+), %s," % hex(bs), f.read())
    os.unlink(log)
    check(len(found) == 16, "16 reads of %d bytes traced: %s" % (bs, found))
    return {int(a, 16) % 4096 for a in found}


def case_buffer_placement():
    """large buffered IO buffers start 16 bytes past a page, as fio's; small ones and direct=1 page-aligned"""
    # fio's malloc()ed large buffers sit there, and the kernel's copy of a
    # large read from the page cache runs faster into them than into
    # page-aligned ones (bench/copy_offset.c); a 4 KiB copy runs faster into
    # an aligned one; O_DIRECT needs the alignment.
    check(_read_buffers(bs=1 << 20) == {16}, "buffered 1 MiB: 16 bytes past a page")
    check(_read_buffers() == {0}, "buffered 4 KiB: page-aligned")
    check(_read_buffers("--direct=1", bs=1 << 20) == {0}, "direct=1: page-aligned")


def case_sync():
    """sync=sync/dsync opens a write job's file O_SYNC/O_DSYNC"""
    for value, flag in (("sync", "O_SYNC"), ("dsync", "O_DSYNC")):
        _, lines = traced("openat", *on_file("w", "--rw=write", "--sync=" + value))
        flags = open_flags(lines, path("w"))
        check(any(flag in f for f in flags), "sync=%s: %s in %s" % (value, flag, flags))
    _, lines = traced("openat", *on_file("w", "--rw=write"))
    flags = open_flags(lines, path("w"))
    check(flags and not any("SYNC" in f for f in flags), "no O_SYNC by default: %s" % flags)


def case_description():
    """description is kept and shown in the JSON report's job options"""
    r = ok_run(*null("--description=hello there"))
    check(r.job()["job options"].get("description") == "hello there", r.out[:1500])


def case_directory():
    """directory puts generated files in that folder"""
    os.mkdir(path("sub"))
    ok_run("--name=j", "--size=64k", "--rw=write", "--directory=" + path("sub"))
    check(os.listdir(path("sub")) == ["j.0.0"], "sub holds j.0.0: %s" % os.listdir(path("sub")))


def case_filename():
    """filename names the file(s) used, ':' separating several"""
    ok_run("--name=j", "--size=128k", "--rw=write", "--filename=%s:%s" % (path("a"), path("b")))
    check(os.path.getsize(path("a")) == 64 << 10 and os.path.getsize(path("b")) == 64 << 10,
          "two files share the size")


def case_filename_format():
    """filename_format names the generated files"""
    ok_run("--name=j", "--size=64k", "--rw=write", "--nrfiles=2", "--directory=" + TMP,
           "--filename_format=f-$jobname-$filenum")
    check(os.path.exists(path("f-j-0")) and os.path.exists(path("f-j-1")), str(os.listdir(TMP)))


def case_nrfiles():
    """nrfiles/nr_files: that many generated files"""
    for opt in ("--nrfiles=3", "--nr_files=3"):
        os.mkdir(path(opt[2:-2]))
        ok_run("--name=j", "--size=96k", "--rw=write", opt, "--directory=" + path(opt[2:-2]))
        check(sorted(os.listdir(path(opt[2:-2]))) == ["j.0.0", "j.0.1", "j.0.2"],
              str(os.listdir(path(opt[2:-2]))))


def case_filesize():
    """filesize sizes each file; without size, the job does filesize x nrfiles"""
    r = ok_run("--name=j", "--filesize=64k", "--nrfiles=2", "--rw=write", "--directory=" + TMP)
    check(r.job()["write"]["io_bytes"] == 128 << 10, "128k written")
    check(os.path.getsize(path("j.0.1")) == 64 << 10, "each file 64k")


def case_do_verify():
    """do_verify=0 skips the verify read pass of a verify job"""
    r = ok_run(*on_file("v", "--rw=write", "--verify=crc32c"))
    check(ios(r, "read") == 64, "verify reads back the 64 blocks")
    r = ok_run(*on_file("v", "--rw=write", "--verify=crc32c", "--do_verify=0"))
    check(ios(r, "read") == 0, "do_verify=0: no reads")


def case_verify():
    """verify=crc32c/sha256 reads back and checks what was written; corruption fails the job"""
    for method in ("crc32c", "sha256", "crc32c-intel"):
        r = ok_run(*on_file("v", "--rw=write", "--verify=" + method))
        check(ios(r, "read") == 64, "verify=%s reads 64 blocks" % method)
    r = ok_run(*on_file("v", "--rw=write", "--verify=crc32c", "--do_verify=0"))
    with open(path("v"), "r+b") as f:
        f.seek(8192 + 100)
        f.write(b"\xff" * 8)
    r = tenon_io(*on_file("v", "--rw=read", "--verify=crc32c"))
    check(r.rc == 1 and "verify" in r.err, "a corrupted block fails the read-verify job")


def case_verify_fatal():
    """verify_fatal=1 stops at the first verify failure; without it every bad block is reported"""
    ok_run(*on_file("v", "--rw=write", "--verify=crc32c", "--do_verify=0"))
    with open(path("v"), "r+b") as f:
        for blk in (2, 5, 9):
            f.seek(blk * 4096 + 100)
            f.write(b"\xff" * 8)
    r = tenon_io(*on_file("v", "--rw=read", "--verify=crc32c"))
    bad = lambda err: len(re.findall(r"verify failed: .*4096 bytes\)", err))
    check(r.rc == 1 and bad(r.err) == 3, "three failures:\n" + r.err)
    r = tenon_io(*on_file("v", "--rw=read", "--verify=crc32c", "--verify_fatal=1"))
    check(r.rc == 1 and bad(r.err) == 1, "one, then stop:\n" + r.err)


def case_fsync():
    """fsync=N syncs every N writes (strace counts the fsyncs; the report counts them)"""
    _, lines = traced("fsync", *on_file("w", "--rw=write", "--fsync=16"))
    n = count_calls(lines, "fsync")
    check(n >= 3, "64 writes with fsync=16 sync at least 3 times: %d" % n)
    _, lines = traced("fsync", *on_file("w", "--rw=write"))
    check(count_calls(lines, "fsync") == 0, "none by default")


def case_fdatasync():
    """fdatasync=N issues fdatasync every N writes"""
    _, lines = traced("fsync,fdatasync", *on_file("w", "--rw=write", "--fdatasync=16"))
    check(count_calls(lines, "fdatasync") >= 3 and count_calls(lines, "fsync") == 0,
          "fdatasync, not fsync: %s" % lines)


def case_group_reporting():
    """group_reporting reports a group's jobs as one"""
    check(len(ok_run(*null("--numjobs=2")).jobs()) == 2, "two jobs reported")
    r = ok_run(*null("--numjobs=2", "--group_reporting"))
    check(len(r.jobs()) == 1 and ios(r) == 512, "one entry with both jobs' IOs")


def case_numjobs():
    """numjobs runs that many clones of the job"""
    r = ok_run(*null("--numjobs=3"))
    check(len(r.jobs()) == 3 and all(j["read"]["total_ios"] == 256 for j in r.jobs()), r.out[:500])


def case_invalidate():
    """invalidate drops the file's cached pages before the job (POSIX_FADV_DONTNEED); 0 does not"""
    make_file("d", 256 << 10)
    _, lines = traced("fadvise64", *on_file("d"))
    check(any("POSIX_FADV_DONTNEED" in x for x in lines), "dropped by default: %s" % lines)
    _, lines = traced("fadvise64", *on_file("d", "--invalidate=0"))
    check(not any("POSIX_FADV_DONTNEED" in x for x in lines), "not with 0: %s" % lines)


def case_io_size():
    """io_size/io_limit: bytes of IO, independent of size"""
    for opt in ("--io_size=256k", "--io_limit=256k"):
        check(ios(ok_run(*null(opt))) == 64, opt)
    check(ios(ok_run(*null("--io_size=2M"))) == 512, "more than size wraps around")


def case_iodepth():
    """iodepth keeps that many IOs in flight (the report's IO depths)"""
    check(ok_run(*queued()).job()["iodepth_level"]["1"] == 100.0, "depth 1 by default")
    lv = ok_run(*queued("--iodepth=16")).job()["iodepth_level"]
    check(lv["16"] > 0 and lv["32"] == 0, "depth reaches 16: %s" % lv)


def case_iodepth_batch():
    """iodepth_batch/iodepth_batch_submit: IOs handed to the engine per submit"""
    sub = ok_run(*queued("--iodepth=16")).job()["iodepth_submit"]
    check(sub["4"] == 100.0, "one at a time by default: %s" % sub)
    for opt in ("--iodepth_batch=16", "--iodepth_batch_submit=16"):
        sub = ok_run(*queued("--iodepth=16", opt)).job()["iodepth_submit"]
        check(sub["4"] < 50, "%s: larger batches: %s" % (opt, sub))


def case_iodepth_batch_complete_max():
    """iodepth_batch_complete_max caps the completions reaped per call"""
    c = ok_run(*queued("--iodepth=16")).job()["iodepth_complete"]
    check(c["16"] == 100.0, "all 16 at once by default: %s" % c)
    c = ok_run(*queued("--iodepth=16", "--iodepth_batch_complete_max=2")).job()["iodepth_complete"]
    check(c["4"] == 100.0, "at most 2 per call: %s" % c)


def case_iodepth_batch_complete_min():
    """iodepth_batch_complete_min/iodepth_batch_complete: completions waited for per call"""
    base = ["--iodepth=16", "--iodepth_batch_complete_max=1"]
    c = ok_run(*queued(*base)).job()["iodepth_complete"]
    check(c["4"] == 100.0, "one per call: %s" % c)
    for opt in ("--iodepth_batch_complete_min=8", "--iodepth_batch_complete=8"):
        c = ok_run(*queued(*base, opt)).job()["iodepth_complete"]
        check(c["8"] > 50, "%s: at least 8 per call: %s" % (opt, c))


def case_iodepth_low():
    """iodepth_low: a full queue drains to the mark before it is filled again"""
    base = ["--iodepth=16", "--iodepth_batch_complete_max=1"]
    lv = ok_run(*queued(*base)).job()["iodepth_level"]
    check(lv["16"] > 90, "kept full by default: %s" % lv)
    lv = ok_run(*queued(*base, "--iodepth_low=4")).job()["iodepth_level"]
    check(lv["16"] < 20 and lv["4"] > 10, "refilled from 4: %s" % lv)


def case_ioengine():
    """ioengine picks the engine: null touches no file, ends files as fio's; psync reads"""
    make_file("d", 64 << 10)
    _, lines = traced("openat,pread64", "--name=j", "--filename=" + path("d"), "--size=64k",
                      "--ioengine=null")
    check(not offsets(lines, path("d"), "pread64", 4096), "null reads nothing")
    _, lines = traced("openat,pread64", "--name=j", "--filename=" + path("d"), "--size=64k",
                      "--ioengine=psync")
    check(len(offsets(lines, path("d"), "pread64", 4096)) == 16, "psync reads 16 blocks")
    # posixaio: the C library's threads read every block (strace -f sees them)
    _, lines = traced("openat,pread64,io_submit", "--name=j", "--filename=" + path("d"),
                      "--size=64k", "--ioengine=posixaio", "--iodepth=4")
    check(len(offsets(lines, path("d"), "pread64", 4096)) == 16, "posixaio reads 16 blocks")
    check(count_calls(lines, "io_submit") == 0, "posixaio is not libaio")
    # null's files have no end without size= (fio 3.33): holes never wrap,
    # IO that follows on never turns random, the file is done past filesize
    def writes(*args):
        return ios(ok_run("--name=j", "--ioengine=null", "--bs=4k", *args), "write")
    check(writes("--filesize=36k", "--rw=write:8k") == 3, "holes: done at 36k, no wrap")
    check(writes("--filesize=36k", "--rw=write:-8k") == 1, "backward holes: done below 0")
    check(writes("--filesize=36k", "--rw=write:8k", "--loops=3") == 9, "3 a loop")
    check(writes("--size=36k", "--rw=write:8k") == 9, "size= gives the files an end")
    # the IO at 36k of a 38k file is done whole, then the 10th IO follows on
    check(writes("--filesize=38k", "--rw=randwrite:4") == 10, "follows on to filesize")


def case_kb_base():
    """kb_base=1000 makes k mean 1000"""
    r = ok_run("--kb_base=1000", *null("--bs=1k", "--size=1m"))
    check(r.job()["read"]["io_bytes"] == 1000000 and ios(r) == 1000, r.out[:300])


def case_unit_base():
    """unit_base=8 and 0 report bytes, as fio; 1 (bits) is refused as not supported yet"""
    for opt in ("--unit_base=8", "--unit_base=0"):
        r = ok_run(*null(opt), fmt="normal")
        check("bit/s" not in r.out and "B/s" in r.out, "bytes:\n" + r.out)
    r = tenon_io(*null("--unit_base=1"))
    check(r.rc == 1 and "not supported by tenon-io yet" in r.err, r.err)


def case_loops():
    """loops repeats the job"""
    check(ios(ok_run(*null("--loops=3"))) == 768, "3 x 256 IOs")


def case_name():
    """name names the job in the report; in [global] it names no job, as in fio"""
    check(ok_run("--name=hello", "--ioengine=null", "--size=64k").jobs()[0]["jobname"] == "hello",
          "jobname")
    # in [global] it is accepted and, as in fio, every job keeps its section's name
    with open(path("g.fio"), "w") as f:
        f.write("[global]\nname=g\nioengine=null\nsize=64k\n[a]\n[b]\nname=own\n")
    names = [j["jobname"] for j in ok_run(path("g.fio")).jobs()]
    check(names == ["a", "own"], "names with name= in [global]: %r" % names)


def case_new_group():
    """new_group starts a new reporting group"""
    two = ["--ioengine=null", "--size=64k"]
    r = ok_run("--name=a", *two, "--name=b", *two)
    check([j["groupid"] for j in r.jobs()] == [0, 0], "one group by default")
    r = ok_run("--name=a", *two, "--name=b", "--new_group", *two)
    check([j["groupid"] for j in r.jobs()] == [0, 1], "two groups")


def case_stonewall():
    """stonewall/wait_for_previous: the job waits for the previous ones and starts a new group"""
    make_file("d", 64 << 10)
    for opt in ("--stonewall", "--wait_for_previous"):
        # the first job writes the file, the second reads and verifies it:
        # it can only pass if it starts after the first has finished
        r = ok_run("--name=a", "--filename=" + path("d"), "--size=64k", "--rw=write",
                   "--verify=crc32c", "--do_verify=0", "--name=b", opt,
                   "--filename=" + path("d"), "--size=64k", "--rw=read", "--verify=crc32c")
        check([j["groupid"] for j in r.jobs()] == [0, 1], "%s: two groups" % opt)


def case_norandommap():
    """norandommap: random offsets may repeat; with the map each block is hit once"""
    make_file("d", 256 << 10)
    _, lines = traced("openat,pread64", *on_file("d", "--rw=randread"))
    offs = offsets(lines, path("d"), "pread64", 4096)
    check(len(offs) == 64 and len(set(offs)) == 64, "every block once: %s" % offs)
    _, lines = traced("openat,pread64", *on_file("d", "--rw=randread", "--norandommap"))
    offs = offsets(lines, path("d"), "pread64", 4096)
    check(len(offs) == 64 and len(set(offs)) < 64, "repeats without the map: %s" % offs)


def _rand_offsets(*opts):
    _, lines = traced("openat,pread64", *on_file("d", "--rw=randread", *opts))
    return offsets(lines, path("d"), "pread64", 4096)


def case_randrepeat():
    """randrepeat=1 (default) repeats the offset sequence run to run; 0 does not"""
    make_file("d", 256 << 10)
    check(_rand_offsets() == _rand_offsets(), "same sequence by default")
    check(_rand_offsets("--randrepeat=0") != _rand_offsets("--randrepeat=0"), "differs with 0")


def case_randseed():
    """randseed picks the offsets, and overrides randrepeat (fio's rule, as fio 3.36)"""
    make_file("d", 256 << 10)
    a = _rand_offsets("--randseed=1", "--randrepeat=0")
    check(a == _rand_offsets("--randseed=1", "--randrepeat=0"), "same seed, same sequence")
    check(a != _rand_offsets("--randseed=2", "--randrepeat=0"), "another seed, another sequence")
    check(_rand_offsets("--randseed=1") == a, "randrepeat=1 does not change a randseed's offsets")
    check(_rand_offsets("--randseed=2") != _rand_offsets(), "randseed moves the default offsets")


def case_offset():
    """offset/fileoffset: IO starts there"""
    make_file("d", 256 << 10)
    for opt in ("--offset=64k", "--fileoffset=64k"):
        _, lines = traced("openat,pread64", *on_file("d", opt, size="128k"))
        offs = offsets(lines, path("d"), "pread64", 4096)
        check(offs == list(range(64 << 10, 192 << 10, 4096)), "%s: %s" % (opt, offs))


def case_offset_increment():
    """offset_increment: clone N starts at offset + N x increment"""
    make_file("d", 256 << 10)
    _, lines = traced("openat,pread64", *on_file("d", "--numjobs=2", "--offset_increment=128k",
                                                 size="128k"))
    offs = sorted(offsets(lines, path("d"), "pread64", 4096))
    check(offs == list(range(0, 256 << 10, 4096)), "clones cover 0-128k and 128k-256k: %s" % offs)


def case_ramp_time():
    """ramp_time: IO before it is not in the report (the reported runtime excludes it)"""
    r = ok_run(*null("--size=1p", "--time_based", "--runtime=300ms", "--ramp_time=600ms"))
    rt = r.job()["read"]["runtime"]
    check(0 < rt < r.secs * 1000 - 500, "runtime %d ms of a %.0f ms run" % (rt, r.secs * 1000))


def case_steadystate():
    """ss/steadystate ends a job once its measure is steady; ss_dur is the window, ss_ramp
    the time before samples count; the JSON report has fio's steadystate section, the normal
    report fio's steadystate line"""
    for ss in ("--ss=iops:1000000%", "--steadystate=bw_slope:1000000%"):
        r = ok_run(*null("--size=1p", "--time_based", "--runtime=600", "--ss_dur=2", ss,
                         "--ss_ramp=1"))
        st = r.job()["steadystate"]
        check(st["attained"] == 1 and st["duration"] == 2, "%s attained: %s" % (ss, st))
        check(len(st["data"]["iops"]) == 2 and st["data"]["iops_mean"] > 0, "samples: %s" % st)
        rt = r.job()["read"]["runtime"]
        # ended by the criterion, not runtime=600; not before ss_dur + ss_ramp
        check(3000 <= rt < 600000, "%s: runtime %d ms" % (ss, rt))
    r = ok_run(*null("--size=1p", "--time_based", "--runtime=1", "--steadystate_duration=5",
                     "--steadystate_ramp_time=100", "--ss=iops:1"))
    st = r.job()["steadystate"]
    check(st["attained"] == 0 and st["data"]["iops"] == [0] * 5 and st["criterion"] == "0.000000",
          "ramp not over: no samples: %s" % st)
    r = ok_run(*null("--size=1p", "--time_based", "--runtime=1", "--steadystate_duration=5",
                     "--steadystate_ramp_time=100", "--ss=iops:1"), fmt="normal")
    check("  steadystate  : attained=no, bw=0KiB/s (0kB/s), iops=0, iops mean dev=0.000\n"
          in r.out, "the normal report's line, as fio's:\n" + r.out)
    check("steadystate" not in ok_run(*null()).job(), "no section without ss_dur")
    for bad in ("--ss=iops", "--ss=speed:1", "--ss=iops:x%"):
        r = tenon_io(*null("--ss_dur=2", bad))
        check(r.rc == 1 and "ss" in r.err, "%s refused: %s" % (bad, r.err))


def case_refill_buffers():
    """refill_buffers writes new random data in every block"""
    ok_run(*on_file("a", "--rw=write", "--scramble_buffers=0", size="64k"))
    ok_run(*on_file("b", "--rw=write", "--scramble_buffers=0", "--refill_buffers", size="64k"))
    blocks = lambda n: {open(path(n), "rb").read()[i:i + 4096] for i in range(0, 64 << 10, 4096)}
    check(len(blocks("a")) == 1, "without it one buffer is written again and again")
    check(len(blocks("b")) == 16, "with it every block differs")


def case_scramble_buffers():
    """scramble_buffers (default 1) makes every written block differ; 0 writes the same buffer"""
    ok_run(*on_file("a", "--rw=write", size="64k"))
    ok_run(*on_file("b", "--rw=write", "--scramble_buffers=0", size="64k"))
    blocks = lambda n: {open(path(n), "rb").read()[i:i + 4096] for i in range(0, 64 << 10, 4096)}
    check(len(blocks("a")) == 16 and len(blocks("b")) == 1, "16 vs 1 distinct blocks")


def case_zero_buffers():
    """zero_buffers writes zeros"""
    ok_run(*on_file("z", "--rw=write", "--zero_buffers", size="64k"))
    check(open(path("z"), "rb").read() == bytes(64 << 10), "all zero")


def case_runtime():
    """runtime/timeout ends a job that would run longer"""
    for opt in ("--runtime=200ms", "--timeout=200ms"):
        r = ok_run(*null("--size=1p", opt))
        check(0 < ios(r) < (1 << 50) // 4096, "%s stopped the job" % opt)


def case_time_based():
    """time_based runs until runtime, beyond size"""
    check(ios(ok_run(*null("--time_based", "--runtime=200ms"))) > 256, "more than size")


def case_rw():
    """rw/readwrite picks the direction and pattern"""
    r = ok_run(*null("--rw=write"))
    check(ios(r, "write") == 256 and ios(r, "read") == 0, "write")
    r = ok_run(*null("--readwrite=randrw"))
    check(ios(r, "write") > 0 and ios(r, "read") > 0, "randrw mixes")
    r = ok_run(*null("--rw=randtrim"))
    check(ios(r, "trim") == 256 and ios(r, "read") == 0, "randtrim trims (tests/io/trim)")
    r = ok_run(*null("--rw=trimwrite"))
    check(ios(r, "trim") == 256 and ios(r, "write") == 256, "trimwrite trims and writes")
    make_file("d", 64 << 10)
    _, lines = traced("openat,pread64", *on_file("d", "--rw=read:4k", size="64k"))
    offs = offsets(lines, path("d"), "pread64", 4096)
    check(offs == list(range(0, 64 << 10, 8192)) * 2,
          "rw=read:4k skips 4k after each IO, and wraps to do size bytes, as fio: %s" % offs)


def case_rwmixread():
    """rwmixread sets the share of reads"""
    r = ok_run(*null("--rw=randrw", "--rwmixread=100"))
    check(ios(r, "write") == 0, "all reads")
    r = ok_run(*null("--rw=randrw", "--rwmixread=0"))
    check(ios(r, "read") == 0, "all writes")


def case_rwmixwrite():
    """rwmixwrite sets the share of writes"""
    r = ok_run(*null("--rw=randrw", "--rwmixwrite=100"))
    check(ios(r, "read") == 0, "all writes")


def case_size():
    """size is the bytes of IO over the job's files"""
    check(ok_run(*null("--size=512k")).job()["read"]["io_bytes"] == 512 << 10, "512k")


def case_startdelay():
    """startdelay waits before the job starts"""
    r = ok_run(*null("--size=4k", "--startdelay=500ms"))
    check(r.secs >= 0.5, "the run took %.2fs" % r.secs)


def case_thread():
    """thread: jobs run as threads of one process with and without it (an intended difference)"""
    for opt in ("--thread", "--thread=0"):
        _, lines = traced("clone,clone3,fork,vfork", *null("--numjobs=2", opt))
        spawns = [x for x in lines if re.search(r"(clone3?|v?fork)\(", x)]
        check(spawns and all("CLONE_THREAD" in x for x in spawns),
              "%s: threads only: %s" % (opt, spawns))


def case_unlink():
    """unlink removes the job's files when it ends"""
    ok_run(*on_file("u", "--rw=write"))
    check(os.path.exists(path("u")), "kept by default")
    ok_run(*on_file("u", "--rw=write", "--unlink=1"))
    check(not os.path.exists(path("u")), "removed with unlink=1")


def case_unlink_each_loop():
    """unlink_each_loop=1 is refused as not supported yet; 0 (fio's default) runs"""
    r = tenon_io(*on_file("u", "--rw=write", "--loops=2", "--unlink_each_loop=1"))
    check(r.rc == 1 and "not supported by tenon-io yet" in r.err, r.err)
    ok_run(*on_file("u", "--rw=write", "--unlink_each_loop=0"))


# ---- program options ---------------------------------------------------------

def case_prog_output():
    """--output writes the report to the file instead of standard output"""
    r = ok_run(*null("--output=" + path("rep.json")))
    check("jobname" not in r.out and json.load(open(path("rep.json")))["jobs"][0]["jobname"] == "j",
          "the report is in the file only")


def case_prog_output_format():
    """--output-format=json writes fio's JSON; normal (the default) fio's text"""
    check(ok_run(*null()).job()["read"]["total_ios"] == 256, "json")
    r = ok_run(*null(), fmt="normal")
    check("issued rwts: total=256" in r.out and not r.out.lstrip().startswith("{"), r.out[:500])


def case_prog_eta():
    """--eta=always prints the status line, --eta=never does not"""
    job = null("--size=1p", "--time_based", "--runtime=1200ms")
    r = tenon_io(*job, fmt="normal", prefix=())
    check("Jobs:" not in r.out + r.err, "never (the tests' --eta=never)")
    r = ok_run("--eta=always", *job, fmt="normal")
    check("Jobs:" in r.out + r.err, "always:\n" + r.out[:500])


def case_prog_enghelp():
    """--enghelp lists the engines; --enghelp=ENGINE describes one"""
    r = ok_run("--enghelp", fmt="normal")
    check("null" in r.out and "psync" in r.out, r.out[:500])
    r = ok_run("--enghelp=null", fmt="normal")
    check(r.out.startswith("null ") and "psync" not in r.out, r.out[:500])


def case_prog_help():
    """--help and -h print the usage and run nothing"""
    for opt in ("--help", "-h"):
        r = ok_run(opt, *on_file("h", "--rw=write"), fmt="normal")
        check(r.out.startswith("usage: tenon-io") and not os.path.exists(path("h")), opt)


def case_prog_version():
    """--version prints the version and runs nothing"""
    r = ok_run("--version", *on_file("v", "--rw=write"), fmt="normal")
    check(r.out.startswith("tenon-io-") and not os.path.exists(path("v")), r.out)


def case_prog_parse_only():
    """--parse-only checks the jobs and runs nothing"""
    ok_run("--parse-only", *on_file("p", "--rw=write"), fmt="normal")
    check(not os.path.exists(path("p")), "no file made")
    r = tenon_io("--parse-only", *on_file("p", "--bs=4q"), fmt="normal")
    check(r.rc == 1 and "4q" in r.err, "errors are still found")


def case_prog_section():
    """--section runs only the named job-file sections"""
    with open(path("two.fio"), "w") as f:
        f.write("[global]\nioengine=null\nsize=64k\n[a]\n[b]\n")
    r = ok_run("--section=b", path("two.fio"))
    check([j["jobname"] for j in r.jobs()] == ["b"], r.out[:300])


def main():
    global TIO, CLOCK_SO
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    TIO = os.path.abspath(sys.argv[1])
    CLOCK_SO = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else None
    only = os.environ.get("EFFECTS_CASES", "").split(",") if os.environ.get("EFFECTS_CASES") else None
    cases = [f for n, f in sorted(globals().items()) if n.startswith("case_") and callable(f)
             and (not only or n[5:] in only)]
    return run_cases(cases, "tio-effects-", use_tmp)


if __name__ == "__main__":
    sys.exit(main())
