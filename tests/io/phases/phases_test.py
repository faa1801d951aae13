#!/usr/bin/env python3
"""A job's phases as fio 3.33 runs them: the verify phase after every pass
(loops, io_size above size), fsync=N's syncs and how the report counts
them, random writes verified over several files (a full file ends, a job
without a random map writes size), a verify failure's read counted once,
a time_based job that only writes, whose verify phase never starts, IO that
follows on to a region's end inside its file in verified passes, a sync's
place on the null engine's queue in a mix over several files, and the
null engine's files without an end in verify passes (a mix's direction
over them), a sync's file turn that fills one map first, number_ios over
loops and verify passes. Every expected number
below was read from fio 3.33's JSON report for the same job (the test does
not need fio). TAP output.

usage: phases_test.py TENON_IO
"""
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from harness import Tap, run_tio, sanitizer_report  # noqa: E402

tap = Tap()
ok = tap.ok

tio = sys.argv[1]
tmp = tempfile.mkdtemp(prefix="tio-phases-")


def run(*args):
    p = run_tio(tio, "--output-format=json", "--ioengine=psync", "--directory=" + tmp, *args,
                sanitizer_fails=False)
    report = sanitizer_report(p.stderr)
    ok(report is None, "no sanitizer report from tenon-io", report)
    try:
        job = json.loads(p.stdout)["jobs"][0]
    except (ValueError, KeyError, IndexError):
        job = None
    return p.returncode, job, p.stderr


def counts(job):
    """read and write total_ios, sync total_ios, error."""
    if job is None:
        return None
    return (job["read"]["total_ios"], job["write"]["total_ios"], job["sync"]["total_ios"],
            job["error"])


def expect(what, args, want):
    rc, job, err = run(*args)
    got = counts(job)
    ok(rc == (1 if want[3] else 0) and got == want,
       "%s: read, write, sync IOs and error %s" % (what, want),
       "got %s, exit %d\n%s" % (got, rc, err))
    return err


# fio verifies after every loop: 17 blocks written and read back 3 times.
expect("verify after each of 3 loops",
       ["--name=loops", "--rw=write", "--bs=16k", "--size=272k", "--loops=3",
        "--verify=sha256"], (51, 51, 0, 0))

# io_size above size: passes of size bytes, each verified, until writes and
# verify reads reach io_size (147 + 147 three times: 882k >= 852k).
expect("io_size above size repeats write and verify passes",
       ["--name=iosize", "--rw=write", "--bs=1k", "--size=147k", "--io_size=852k",
        "--verify=sha256"], (441, 441, 0, 0))
expect("io_size above size with do_verify=0 stops at size",
       ["--name=iosize0", "--rw=write", "--bs=1k", "--size=147k", "--io_size=852k",
        "--verify=sha256", "--do_verify=0"], (0, 147, 0, 0))
# fsync=4 over those passes: a sync every 4 writes, none after the last
expect("fsync=4 over three verify passes",
       ["--name=iosizesync", "--rw=write", "--bs=1k", "--size=147k", "--io_size=852k",
        "--verify=sha256", "--fsync=4"], (441, 441, 110, 0))

# fsync=N: no sync after the job's last write; the report counts fsync=N
# syncs only, not fdatasync=N's or end_fsync's.
expect("16 writes with fsync=4 sync 3 times",
       ["--name=fs", "--rw=write", "--bs=4k", "--size=64k", "--fsync=4"], (0, 16, 3, 0))
expect("end_fsync adds no counted sync",
       ["--name=fse", "--rw=write", "--bs=4k", "--size=64k", "--fsync=4", "--end_fsync=1"],
       (0, 16, 3, 0))
expect("fdatasync=4 syncs are not in sync.total_ios",
       ["--name=fds", "--rw=write", "--bs=4k", "--size=64k", "--fdatasync=4"], (0, 16, 0, 0))
rc, job, err = run("--name=fdl", "--rw=write", "--bs=4k", "--size=64k", "--fdatasync=4")
ok(job is not None and job["sync"]["lat_ns"]["N"] == 3,
   "fdatasync=4's 3 syncs have latencies, as fio's", job and job["sync"]["lat_ns"])
expect("end_fsync alone counts no sync",
       ["--name=fsonly", "--rw=write", "--bs=4k", "--size=64k", "--end_fsync=1"], (0, 16, 0, 0))

# Each pass to reach io_size starts with a sync when the writes are a
# multiple of N (fio resets its last_was_sync): psync ends a pass when the
# file is done, after the sync of its last write, so 8 passes start with
# one more; on a queue a pass ends at size, before that sync.
expect("fsync=1 over io_size passes: a sync starts each pass",
       ["--name=pass", "--rw=write", "--bs=16k", "--size=80k", "--io_size=688k",
        "--fsync=1"], (0, 43, 50, 0))
expect("fsync=1 over io_size passes on a queue: a pass ends at size",
       ["--name=passq", "--rw=write", "--bs=16k", "--size=80k", "--io_size=688k",
        "--fsync=1", "--ioengine=libaio", "--iodepth=1"], (0, 43, 42, 0))

# The same where the passes are not run as fio's (one stream here): the
# files chosen by file_service_type or openfiles, a pass over once every
# file is done (or, on a queue, at size: 96k in 8k blocks ends there, 100k
# with the files done); the null engine's holes, its files ending at size /
# nrfiles (size=) or without an end (filesize=).
expect("file_service_type=random: a sync starts each pass",
       ["--name=fsr", "--rw=write", "--nrfiles=2", "--bs=16k", "--size=80k",
        "--io_size=688k", "--fsync=1", "--file_service_type=random"], (0, 43, 52, 0))
expect("openfiles=2, fsync=3: a pass starts with a sync at a multiple of 3",
       ["--name=fso", "--rw=write", "--nrfiles=3", "--bs=8k", "--size=96k",
        "--io_size=688k", "--fsync=3", "--openfiles=2"], (0, 86, 35, 0))
fsq = ["--rw=write", "--nrfiles=3", "--bs=8k", "--io_size=688k", "--fsync=1",
       "--file_service_type=sequential", "--ioengine=libaio", "--iodepth=1"]
expect("file_service_type on a queue: a pass ends at size",
       ["--name=fsq", "--size=96k"] + fsq, (0, 86, 85, 0))
expect("file_service_type on a queue: a pass ends with the files, short of size",
       ["--name=fsq2", "--size=100k"] + fsq, (0, 86, 92, 0))
expect("null engine, holes, size=: a sync starts each pass",
       ["--name=nh", "--ioengine=null", "--rw=write:16k", "--nrfiles=2", "--bs=16k",
        "--size=80k", "--io_size=688k", "--fsync=1"], (0, 43, 63, 0))
expect("null engine, holes, files without an end: a sync starts each pass",
       ["--name=nhe", "--ioengine=null", "--rw=write:8k", "--nrfiles=2", "--bs=4k",
        "--filesize=40k", "--io_size=688k", "--fsync=2"], (0, 172, 106, 0))

# On a queue a sync is an IO of the queue, fetched while the writes are a
# multiple of N and the last IO to complete was no sync; fio's null engine
# has one batch out at a time: 16 writes and 14 syncs. The syncs in flight
# count against number_ios: 8 writes for number_ios=9.
nul = ["--ioengine=null", "--rw=write", "--bs=4k", "--size=64k", "--fsync=2",
       "--iodepth=8"]
expect("fsync=2 on the null engine's queue", ["--name=nq"] + nul, (0, 16, 14, 0))
rc, job, err = run("--name=nqn", "--number_ios=9", *nul)
got = counts(job)
ok(rc == 0 and got is not None and got[1] == 8,
   "number_ios=9 counts the syncs in flight: 8 writes", "got %s\n%s" % (got, err))


def fio_null_queue(blocks, loops, every, number_ios=0):
    """fio 3.33's thread loop and do_io for rw=write on the null engine at
    iodepth > 1 (iodepth_batch=1), fsync=every (or fdatasync), a file of
    blocks blocks. Returns (writes, syncs).

    Each queued IO is committed at once and the engine is busy until it is
    reaped, so one IO is out at a time: an IO fetched while another is out
    is requeued and fetched again after that one completes. A sync is
    fetched in place of a write when the writes issued are a multiple of
    every and the last IO to complete was no sync (fio's should_fsync and
    get_rw_ddir). number_ios counts the writes completed plus the IO out
    (a sync too, until it completes; a requeued one not), against
    number_ios x loops. A pass ends once its writes reach the file's end;
    it completes what is out, and the next forgets the last IO (fio's
    clear_io_state); passes run loops times, then while the writes are
    short of the file's blocks and number_ios is not reached; a pass that
    writes nothing ends the job."""
    limit = number_ios * loops if number_ios else float("inf")
    done = issued = syncs = 0
    loops_left = loops - 1
    while True:
        last_was_sync, out, requeued, pass_writes = False, None, None, 0
        while pass_writes < blocks and issued < blocks * loops and \
                done + (out is not None) < limit:
            if requeued:
                io, requeued = requeued, None
            elif not last_was_sync and issued and issued % every == 0:
                io = "sync"
            else:
                io = "write"
            if out:
                requeued = io
                last_was_sync = out == "sync"
                done += out == "write"
                syncs += out == "sync"
                out = None
                continue
            out = io
            if io == "write":
                issued += 1
                pass_writes += 1
        if out:
            done += out == "write"
            syncs += out == "sync"
        if not pass_writes:
            return done, syncs
        if loops_left:
            loops_left -= 1
        elif done >= limit or done >= blocks:
            return done, syncs


# The null engine's queue against that model: passes that start with a
# sync (loops), number_ios reached with a sync out (a pass of one sync
# follows), or with a write out; fdatasync's syncs are not counted.
# Random writes with a map end their passes with the same count of blocks
# (over one file or two), so the model holds for them too.
for rw, nrfiles, blocks, loops, kind, every, nios, depth in (
        ("write", 1, 8, 3, "fsync", 1, 0, 8), ("write", 1, 30, 3, "fsync", 4, 0, 2),
        ("write", 1, 62, 2, "fsync", 1, 0, 8), ("write", 1, 4096, 1, "fsync", 2, 9, 8),
        ("write", 1, 4096, 2, "fsync", 3, 20, 2), ("write", 1, 4096, 1, "fsync", 1, 2, 4),
        ("write", 1, 4096, 1, "fsync", 4, 33, 16), ("write", 1, 5, 2, "fsync", 3, 4, 4),
        ("write", 1, 196, 3, "fdatasync", 1, 25, 4), ("write", 1, 62, 3, "fdatasync", 1, 52, 8),
        ("randwrite", 1, 8, 3, "fsync", 1, 0, 8), ("randwrite", 1, 2, 3, "fsync", 2, 1, 4),
        ("randwrite", 2, 30, 3, "fsync", 4, 0, 2), ("randwrite", 2, 14, 2, "fsync", 1, 9, 4),
        ("randwrite", 2, 62, 2, "fdatasync", 1, 20, 8)):
    writes, syncs = fio_null_queue(blocks, loops, every, nios)
    expect("null engine, iodepth=%d, %s over %d file(s) of %d blocks in all, loops=%d, %s=%d, "
           "number_ios=%d" % (depth, rw, nrfiles, blocks, loops, kind, every, nios),
           ["--name=nm", "--ioengine=null", "--rw=" + rw, "--bs=4k", "--size=%dk" % (4 * blocks),
            "--nrfiles=%d" % nrfiles, "--loops=%d" % loops, "--%s=%d" % (kind, every),
            "--number_ios=%d" % nios, "--iodepth=%d" % depth],
           (0, writes, syncs if kind == "fsync" else 0, 0))

# Random writes over several files, verified: a sync takes a file's turn,
# so one file fills before the other; fio ends that file (its map full)
# and writes the rest to the other, no block written twice, every one
# read back.
expect("fsync=1 over 2 files: a full file ends, every block read back",
       ["--name=turn", "--rw=randwrite", "--nrfiles=2", "--size=832k", "--bs=16k",
        "--fsync=1", "--verify=md5"], (52, 52, 51, 0))
expect("fsync=1 over 2 files, number_ios=30: 30 blocks read back",
       ["--name=turn30", "--rw=randwrite", "--nrfiles=2", "--size=832k", "--bs=16k",
        "--fsync=1", "--number_ios=30", "--verify=sha256"], (30, 30, 29, 0))
# Without a random map the files never run out: fio's budget stays at size
# (34 blocks of 8k over files of 11 whole blocks), verify or not; the
# blocks written more than once are read back once (21).
expect("norandommap over 3 uneven files: size/bs writes",
       ["--name=nomap", "--rw=randwrite", "--nrfiles=3", "--size=272k", "--bs=8k",
        "--norandommap", "--verify=crc32c"], (21, 34, 0, 0))

# IO that follows on (percentage_random=0: all but the first IO) in a
# region that ends inside its file (offset=16k size=16k of a 48k file):
# fio ends the file at the region's end in each verified pass as in a
# pass that does not verify, so each of the 3 loops writes 4 blocks and
# reads them back (was one pass of 12 writes and a verify of 4 blocks).
with open(os.path.join(tmp, "fo"), "wb") as f:
    f.write(b"\0" * 49152)
expect("follow-on verified in a region inside its file: each pass ends there",
       ["--name=fo", "--filename=fo", "--rw=randwrite", "--bs=4k", "--offset=16k",
        "--size=16k", "--loops=3", "--norandommap", "--percentage_random=0",
        "--verify=crc32c"], (12, 12, 0, 0))

# A verify failure: the read completed and is counted once (fio 3.33 stops
# at the bad block with error 84 and 1 read; verify_fatal=1 does the same
# here). Without verify_fatal tenon-io reads on, as fio's HOWTO says.
expect("write the file to corrupt",
       ["--name=v", "--filename=v", "--rw=write", "--bs=4k",
        "--size=64k", "--verify=crc32c", "--do_verify=0"], (0, 16, 0, 0))
with open(os.path.join(tmp, "v"), "r+b") as f:
    f.seek(100)
    f.write(b"\xff" * 8)
expect("a bad first block with verify_fatal=1: one read, counted once",
       ["--name=v", "--filename=v", "--rw=read", "--bs=4k",
        "--size=64k", "--verify=crc32c", "--verify_fatal=1"], (1, 0, 0, 84))
expect("a bad block without verify_fatal: every read counted once",
       ["--name=v", "--filename=v", "--rw=read", "--bs=4k",
        "--size=64k", "--verify=crc32c"], (16, 0, 0, 84))

# do_verify=0 with io_size above size, random IO with a map: fio counts its
# files done over the passes. A queue ends each pass at size, before the
# map fills, and goes on to io_size (313 IOs of 2k); a synchronous engine
# ends its pass with every file done, and no other follows (74).
expect("do_verify=0, io_size: a queue goes on to io_size",
       ["--name=q", "--ioengine=null", "--rw=randrw", "--rwmixread=25", "--bs=2k",
        "--size=148k", "--io_size=626k", "--iodepth=4", "--do_verify=0"], (73, 240, 0, 0))
expect("do_verify=0, io_size: a synchronous engine stops at size",
       ["--name=s", "--ioengine=null", "--rw=randrw", "--rwmixread=25", "--bs=2k",
        "--size=148k", "--io_size=626k", "--do_verify=0"], (17, 57, 0, 0))

# Random writes without a random map (norandommap, or any distribution but
# random) never run out of blocks. A synchronous engine's pass is not
# counted in bytes, so fio's first loop writes every loop's blocks and one
# verify phase reads back each block written (68 of 150); on a queue each
# loop is a pass of size, verified, and the next draws the same offsets
# again (46 blocks twice).
expect("norandommap loops on a synchronous engine: one pass, one verify phase",
       ["--name=nm", "--rw=randwrite", "--size=300k", "--loops=2", "--verify=sha256",
        "--norandommap"], (68, 150, 0, 0))
expect("norandommap loops on a queue: a verified pass per loop, the same offsets",
       ["--name=nmq", "--ioengine=libaio", "--rw=randwrite", "--size=300k", "--loops=2",
        "--verify=sha256", "--norandommap"], (92, 150, 0, 0))
expect("a zoned distribution's loops on a queue start its zones afresh",
       ["--name=zq", "--ioengine=libaio", "--rw=randwrite", "--size=300k", "--loops=2",
        "--verify=sha256", "--random_distribution=zoned:60/20:40/80"], (68, 150, 0, 0))
# number_ios counts the verify phase's reads too: 29 writes and 29 reads
# leave none of 51 for a second pass.
expect("number_ios counts verify reads",
       ["--name=ni", "--rw=write", "--bs=8k", "--size=234k", "--io_size=1344k",
        "--number_ios=51", "--fsync=4", "--verify=crc32c"], (29, 29, 7, 0))

# Loops of random IO without a map that end with end_fsync, on a
# synchronous engine: fio's first loop does them all, with no sync between
# them (its iolog has every sync after the last write).
iolog = os.path.join(tmp, "loops.iolog")
rc, job, err = run("--name=ls", "--rw=randrw", "--nrfiles=2", "--size=64k", "--loops=3",
                   "--bsrange=512-8k", "--norandommap", "--end_fsync=1",
                   "--write_iolog=" + iolog)
try:
    with open(iolog) as f:
        actions = [line.split()[-3] if len(line.split()) > 3 else line.split()[-1]
                   for line in f.read().splitlines()[1:]]
except OSError:
    actions = []
io_at = [i for i, a in enumerate(actions) if a in ("read", "write")]
sync_at = [i for i, a in enumerate(actions) if a == "sync"]
ok(rc == 0 and io_at and sync_at and min(sync_at) > max(io_at),
   "norandommap loops with end_fsync: every sync after the last IO",
   "actions %s\n%s" % (actions, err))

# verify_backlog reads back what fio logged: with do_verify=0 nothing.
expect("verify_backlog with do_verify=0 reads nothing back",
       ["--name=bl", "--rw=randwrite", "--size=64k", "--verify=crc32c",
        "--verify_backlog=4", "--do_verify=0"], (0, 16, 0, 0))

# The null engine's files without an end (filesize=, offset=), IO that
# follows on every other IO (rw=randwrite:2), verified, io_size above the
# files' 96k. fio counts no bytes per pass on a synchronous engine (null at
# iodepth=1): a pass ends only once every file is done, 9 writes here, not
# at 96k (was 12 over two passes).
nulv = ["--ioengine=null", "--rw=randwrite:2", "--bs=16k", "--nrfiles=3",
        "--filesize=48k", "--offset=16k", "--io_size=272k", "--verify=crc32c", "--thread"]
expect("null engine files without an end, verified: a pass is not cut at size",
       ["--name=nv"] + nulv + ["--fsync=4"], (9, 9, 2, 0))
# A mix over such a file, verified: the pass ends when fio finds no file
# left, before it draws a direction, so the next pass's mix (fio's
# io_issues run on over the passes) starts from the IOs issued; its second
# pass writes twice in a row, and fsync=3's syncs come due with the third
# write (fio repeats it after the read that follows).
expect("null engine file without an end, randrw:2 verified: the mix over passes",
       ["--name=nm", "--ioengine=null", "--rw=randrw:2", "--bs=8k", "--filesize=48k",
        "--io_size=96k", "--verify=crc32c", "--fsync=3"], (12, 3, 2, 0))
# fsync=N over several files under a random map: each sync takes a file's
# turn, so one map fills first; fio's file is done then and the others
# take its turns (no new pass over every file), and in a mix the direction
# drawn in each turn falls on the next file.
expect("randrw over three files, fsync=3: a full file is done, not started over",
       ["--name=ft", "--ioengine=null", "--rw=randrw", "--bs=512", "--nrfiles=3",
        "--size=276k", "--rwmixread=25", "--fsync=3"], (137, 415, 179, 0))
expect("randrw over three files, fsync=4 on psync",
       ["--name=fp", "--rw=randrw", "--bs=512", "--nrfiles=3", "--size=276k",
        "--fsync=4"], (266, 286, 141, 0))
# number_ios with loops on an engine that queues: each loop still ends at
# size (fio counts the bytes queued), the next one reseeded, and number_ios
# counts over all loops (13 x 2 IOs: 16 in the first loop, 10 in the next).
expect("number_ios with loops=2 on a queue: loops end at size",
       ["--name=nl", "--ioengine=null", "--iodepth=2", "--rw=randrw", "--bs=16k",
        "--size=256k", "--loops=2", "--rwmixread=25", "--norandommap",
        "--number_ios=13"], (8, 18, 0, 0))
# number_ios with verify over several files and a sync's file turn: a full
# file ends (fio's file done), as without number_ios.
expect("number_ios, verify, fdatasync=8 over two files: a full file ends",
       ["--name=nv2", "--ioengine=sync", "--rw=randrw", "--bs=8k", "--nrfiles=2",
        "--size=128k", "--io_size=464k", "--number_ios=44", "--rwmixread=10",
        "--fdatasync=8", "--verify=sha256"], (32, 24, 0, 0))
# Five clones (fio's thread numbers 1 to 5 seed them): a pass after the
# verify phase draws its offsets afresh under randrepeat (fio's
# clear_io_state), and the verify phase's first read clears the mark fio's
# unit kept from the IO that could not follow on at the pass's end (the
# next pass's random IOs are marked in the map again).
p = run_tio(tio, "--output-format=json", "--directory=" + tmp, "--name=nv5",
            "--numjobs=5", *nulv, sanitizer_fails=False)
try:
    got = [j["write"]["total_ios"] for j in json.loads(p.stdout)["jobs"]]
except (ValueError, KeyError):
    got = None
ok(p.returncode == 0 and got == [14, 9, 14, 14, 17],
   "null engine files without an end, five clones: fio's writes per clone",
   "got %s\n%s" % (got, p.stderr))

# The same mix on the null engine's queue (iodepth=32, fdatasync=1) as
# fio's second job: its thread number seeds other draws, and each sync's
# place decides which file the next direction falls on (fio: 888 reads and
# 92 writes; alone, as the first job, 96 writes).
p = run_tio(tio, "--output-format=json", "--directory=" + tmp, "--name=first",
            "--ioengine=psync", "--rw=write", "--bs=4k", "--size=4k", "--name=nq",
            "--ioengine=null", "--rw=randrw", "--bs=512", "--nrfiles=2", "--size=227840",
            "--iodepth=32", "--rwmixread=90", "--fdatasync=1", "--loops=2",
            "--verify=crc32c", "--stonewall", sanitizer_fails=False)
try:
    got = counts(json.loads(p.stdout)["jobs"][1])
except (ValueError, KeyError, IndexError):
    got = None
ok(p.returncode == 0 and got == (888, 92, 0, 0),
   "null queue, fdatasync=1 over two files in a mix, second job: fio's reads and writes",
   "got %s\n%s" % (got, p.stderr))

# A time_based job that only writes never reaches its verify phase: fio
# warns and skips it.
rc, job, err = run("--name=tb", "--rw=write", "--bs=4k", "--size=64k", "--verify=crc32c",
                   "--time_based", "--runtime=100ms")
got = counts(job)
ok(rc == 0 and got is not None and got[0] == 0 and got[1] > 0 and got[3] == 0,
   "time_based write-only with verify: no verify reads", "got %s\n%s" % (got, err))
ok("verify phase never starts" in err and "job tb" in err,
   "it says the verify phase never starts", err)

shutil.rmtree(tmp, ignore_errors=True)
sys.exit(tap.done())
