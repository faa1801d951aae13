#!/usr/bin/env python3
"""Random IO over the random map as fio 3.33 runs it where the passes and
the map's marks decide the count: io_size above size with sizes drawn per
IO (each pass ends when every file's map is full, a file whose map is full
is done for the pass, the next pass starts afresh), and percentage_random
with sizes drawn per IO (an IO that falls back from following on is not
marked; one that cannot follow on short of the file's end ends the file).
Each case runs tenon-io with --debug=io and compares every IO's offset,
length and file with fio 3.33's --debug=io for the same job: their count,
bytes, a digest of the whole list and a few IOs named (checked with
/usr/bin/fio; this test does not need it: `--tool fio` reruns the cases
with fio to recheck them).

usage: map_passes_test.py TENON_IO [--tool fio]"""
import hashlib
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from harness import check, run_cases, run_tio  # noqa: E402

TOOL = [sys.argv[1]]
TMP = None
FILL = re.compile(r"fill: io_u \S+ off=0x([0-9a-f]+),len=0x([0-9a-f]+),ddir=\d,file=(\S+)")


def use_tmp(path):
    global TMP
    TMP = path


def ios(args):
    """(offset, length, file name) of each IO the job issues, in order."""
    data = tempfile.mkdtemp(dir=TMP)
    p = run_tio(TOOL[0], "--debug=io", "--name=j", "--directory=" + data, *args, timeout=60)
    check(p.returncode == 0, "%s: exit %s\n%s" % (" ".join(args), p.returncode, p.stderr[-2000:]))
    return [(int(m.group(1), 16), int(m.group(2), 16), os.path.basename(m.group(3)))
            for m in FILL.finditer(p.stdout + p.stderr)]


def same_as_fio(args, count, nbytes, digest, named):
    """The job's IOs are fio's: count IOs of nbytes bytes, the sha1 of
    their "offset,length,file" lines starting with digest, and the IOs
    named ({number from 1: (offset, length, file)}) as fio issues them."""
    got = ios(args)
    what = " ".join(args)
    total = sum(n for _, n, _ in got)
    check((len(got), total) == (count, nbytes),
          "%s: %d IOs of %d bytes, fio 3.33: %d of %d" % (what, len(got), total, count, nbytes))
    for i, io in sorted(named.items()):
        have = got[i - 1] if i <= len(got) else None
        check(have == io, "%s: IO %d is %s, fio 3.33: %s" % (what, i, have, io))
    text = "".join("%d,%d,%s\n" % io for io in got)
    check(hashlib.sha1(text.encode()).hexdigest().startswith(digest),
          "%s: the IOs differ from fio 3.33's (sha1 %s, fio 3.33: %s...)"
          % (what, hashlib.sha1(text.encode()).hexdigest()[:12], digest))


K = 1024


def passes_end_when_the_maps_are_full():
    """io_size above size, sizes drawn per IO: a file whose map is full is
    done for the pass, IO goes on in the others, and the next pass starts
    once all are full (its draws the first pass's, under randrepeat)"""
    same_as_fio(["--rw=randwrite", "--nrfiles=2", "--size=144k", "--io_size=632k",
                 "--bssplit=512/30:1k:8k"], 447, 649216, "16b59c9e2f34",
                {88: (0xa600, 3 * K, "j.0.1"), 89: (0xb400, 512, "j.0.1"),
                 104: (0x1000, 512, "j.0.1"), 105: (0x1000, 512, "j.0.0")})
    # the round robin goes on from the file after the last one used
    same_as_fio(["--rw=randread", "--nrfiles=3", "--size=100k", "--io_size=333k",
                 "--bssplit=512/50:2k:8k"], 253, 340992, "71c7eac88fc5",
                {79: (0x600, 2 * K, "j.0.2"), 80: (0x6000, 512, "j.0.0")})


def passes_of_queued_ios():
    """an engine that queues its IOs: a pass also ends at size bytes"""
    same_as_fio(["--ioengine=libaio", "--iodepth=4", "--rw=randread", "--nrfiles=2",
                 "--size=100k", "--io_size=400k", "--bsrange=512-4k"], 236, 409600,
                "3f54969d4849", {})


def fallback_from_following_on_is_unmarked():
    """percentage_random: an IO that was to follow on from the file's end
    takes a random block it does not mark, so a later random IO reaches
    over it whole (the 119th write: 2048 bytes, not 1024)"""
    same_as_fio(["--rw=randwrite", "--percentage_random=30", "--bssplit=512/30:2k",
                 "--size=744k"], 481, 763392, "9f077828cdae",
                {97: (0xd800, 2 * K, "j.0.0"), 119: (54272, 2 * K, "j.0.0")})


def percentage_random_passes():
    """percentage_random with io_size above size: a random IO cut at a
    block done moves the next one to follow on; a pass ends at the first
    random IO that finds the map full, and the next pass's first random IO
    goes unmarked (fio's unit keeps the mark it had for following on)"""
    same_as_fio(["--rw=randwrite", "--size=100k", "--io_size=500k", "--bsrange=512-4k",
                 "--percentage_random=50"], 241, 512000, "e89a88948623",
                {11: (0x9800, 2 * K, "j.0.0"), 12: (0xa000, 0x600, "j.0.0"),
                 121: (0x18400, 3 * K, "j.0.0"), 122: (0x1800, K, "j.0.0"),
                 139: (0x1a00, K, "j.0.0")})


def following_on_short_of_the_file_end():
    """percentage_random: where less than the smallest size is left before
    the file's end, an IO to follow on ends the file"""
    same_as_fio(["--rw=randwrite", "--nrfiles=3", "--size=100k", "--bsrange=512-4k",
                 "--percentage_random=40"], 31, 59392, "81cdc1ecf945",
                {19: (0x3200, 0xe00, "j.0.1"), 31: (0x8200, 512, "j.0.1")})


CASES = [passes_end_when_the_maps_are_full, passes_of_queued_ios,
         fallback_from_following_on_is_unmarked, percentage_random_passes,
         following_on_short_of_the_file_end]

if __name__ == "__main__":
    if "--tool" in sys.argv:
        TOOL = [sys.argv[sys.argv.index("--tool") + 1]]
    sys.exit(run_cases(CASES, "tenon-map-passes.", use_tmp))
