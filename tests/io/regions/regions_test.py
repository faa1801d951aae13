#!/usr/bin/env python3
"""Per-file regions and file sizes as fio 3.33 makes them: how size= is
split over the files (its remainder to the first files in whole smallest
blocks), filesize= with a start offset, percentages of each file's own
size, percentage offsets aligned up to the smallest block size, and the
region of an engine without files. Each case runs tenon-io on a job given
as command-line options and compares the IO counts and bytes of its JSON
report, and the sizes of the files left behind, with values fio 3.33 gives
for the same job (checked with /usr/bin/fio; this test does not need it:
`--tool fio` reruns the cases with fio to recheck them).

usage: regions_test.py TENON_IO [--tool fio]"""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from harness import Fail, check, run_cases, run_tio  # noqa: E402

TOOL = [sys.argv[1]]
TMP = None

KIB = 1024


def use_tmp(path):
    global TMP
    TMP = path


def run(args, existing=None):
    """Runs the job in a fresh data folder holding the `existing` files
    ({name: bytes}); returns (status, JSON or None, stderr, {file: size})."""
    data = tempfile.mkdtemp(dir=TMP)
    for name, size in (existing or {}).items():
        with open(os.path.join(data, name), "wb") as f:
            f.write(b"\x5a" * size)
    p = run_tio(TOOL[0], "--output-format=json", "--name=j", "--directory=" + data, *args,
                timeout=60)
    out = p.stdout
    report = json.loads(out[out.index("{"):]) if "{" in out else None
    sizes = {n: os.path.getsize(os.path.join(data, n)) for n in sorted(os.listdir(data))}
    return p.returncode, report, p.stderr, sizes


def expect(args, reads, writes, sizes, existing=None):
    """The job succeeds with reads and writes (count, bytes) and leaves
    files of sizes ({name: bytes}, or a list of sizes in name order)."""
    status, report, err, got = run(args, existing)
    check(status == 0 and report, "%s: exit %s\n%s" % (" ".join(args), status, err))
    job = report["jobs"][0]
    counts = ((job["read"]["total_ios"], job["read"]["io_bytes"]),
              (job["write"]["total_ios"], job["write"]["io_bytes"]))
    check(counts == (reads, writes), "%s: reads, writes %s, fio 3.33: %s"
          % (" ".join(args), counts, (reads, writes)))
    want = sizes if isinstance(sizes, dict) else None
    have = got if want is not None else sorted(got.values())
    want = want if want is not None else sorted(sizes)
    check(have == want, "%s: file sizes %s, fio 3.33: %s" % (" ".join(args), have, want))


def refuse(args, words, existing=None):
    """The job is refused; tenon-io's message holds every one of words."""
    status, _, err, _ = run(args, existing)
    check(status != 0, "%s: exit 0, fio 3.33 refuses the job" % " ".join(args))
    if TOOL[0].endswith("tenon-io"):
        for w in words:
            check(w in err, "%s: the message lacks %r:\n%s" % (" ".join(args), w, err))


def size_split_keeps_the_bytes_no_block_fits():
    """size= over 3 files: each file is size/3 bytes, its IO whole blocks"""
    expect(["--rw=randwrite", "--bs=512", "--nrfiles=3", "--size=17k"],
           (0, 0), (33, 33 * 512), [5802] * 3)
    expect(["--rw=read", "--bs=512", "--nrfiles=3", "--size=17k"],
           (33, 33 * 512), (0, 0), [5802] * 3)


def size_remainder_to_first_files():
    """the remainder of size= goes to the first files in smallest blocks"""
    # 600 files of 1024 bytes and 550 left over: one more 512-byte block
    expect(["--rw=write", "--bs=512", "--nrfiles=600", "--size=%d" % (600 * KIB + 550)],
           (0, 0), (1201, 1201 * 512), [1024] * 599 + [1536])


def block_size_of_the_direction_done():
    """a write-only job with bs=4k,1k cuts its files in 1k blocks"""
    expect(["--rw=write", "--bs=4k,1k", "--nrfiles=3", "--size=17k"],
           (0, 0), (15, 15 * KIB), [5802] * 3)
    expect(["--rw=read", "--bs=1k,4k", "--nrfiles=3", "--size=17k"],
           (15, 15 * KIB), (0, 0), [5802] * 3)


def engine_without_files_splits_like_files():
    """the null engine does the blocks of nrfiles files, not of size="""
    expect(["--ioengine=null", "--rw=randwrite", "--bs=16k", "--nrfiles=3", "--size=352k"],
           (0, 0), (21, 21 * 16 * KIB), {})
    expect(["--ioengine=null", "--rw=write", "--bs=16k", "--size=360k"],
           (0, 0), (22, 22 * 16 * KIB), {})
    expect(["--ioengine=null", "--rw=randread", "--bs=4k", "--nrfiles=2", "--filesize=48k",
            "--offset=4k", "--norandommap"], (22, 22 * 4 * KIB), (0, 0), {})
    refuse(["--ioengine=null", "--rw=read", "--bs=4k", "--filesize=48k", "--offset=52k"],
           ["job j", "offset 53248", "filesize=49152"])


def engine_without_files_ends_each_file():
    """null engine: fio's nrfiles files, each ending on its own with sizes drawn per IO"""
    # a last IO cut to fit, or the file done; the others go on
    expect(["--ioengine=null", "--rw=read", "--nrfiles=3", "--size=80k", "--bsrange=512-16k",
            "--randseed=7"], (20, 81408), (0, 0), {})
    expect(["--ioengine=null", "--rw=randread", "--nrfiles=3", "--size=816k",
            "--bsrange=512-4k"], (510, 816 * KIB), (0, 0), {})
    expect(["--ioengine=null", "--rw=write", "--nrfiles=3", "--size=100k", "--bsrange=512-16k",
            "--randseed=3"], (0, 0), (17, 101376), {})


def sync_takes_a_files_turn():
    """fsync=N, fdatasync=N: the sync takes the next file's turn of the rotation, as fio"""
    # fio chooses the file before the direction: with sizes drawn per IO the
    # files then fill as in fio
    bssplit = ["--rw=write", "--nrfiles=3", "--size=289k", "--bssplit=512/30:1k"]
    expect(bssplit + ["--fdatasync=3"], (0, 0), (339, 294912), [98645] * 3)
    expect(["--ioengine=null", "--fsync=3"] + bssplit, (0, 0), (339, 294912), {})
    expect(["--rw=randwrite", "--nrfiles=3", "--size=96k", "--fsync=1", "--bsrange=512-4k"],
           (0, 0), (65, 96 * KIB), [32 * KIB] * 3)
    expect(["--rw=randwrite", "--nrfiles=2", "--size=200k", "--fsync=2", "--bsrange=1k-8k",
            "--file_service_type=roundrobin:2"], (0, 0), (59, 200 * KIB), [100 * KIB] * 2)
    expect(["--rw=write", "--nrfiles=3", "--size=100k", "--fsync=2", "--bsrange=1k-8k",
            "--file_service_type=random"], (0, 0), (27, 101376), [34133] * 3)


def filesize_with_offset():
    """filesize= is the file's size; IO runs from offset to its end"""
    expect(["--rw=write", "--bs=4k", "--filesize=64k", "--offset=16k"],
           (0, 0), (12, 48 * KIB), [64 * KIB])
    expect(["--rw=read", "--bs=4k", "--filesize=10k", "--offset=1k", "--nrfiles=2"],
           (4, 16 * KIB), (0, 0), [10 * KIB] * 2)


def filesize_offset_past_the_end():
    """an offset past filesize= is refused, naming both"""
    refuse(["--rw=write", "--bs=4k", "--filesize=64k", "--offset=80k"],
           ["job j", "offset 81920", "filesize=65536", "offset="])


def filesize_range():
    """filesize=low-high: each file a size in the range, whole smallest blocks"""
    args = ["--rw=write", "--bs=4k", "--filesize=16k-32k", "--nrfiles=4"]
    status, report, err, sizes = run(args)
    check(status == 0 and report, "%s: exit %s\n%s" % (" ".join(args), status, err))
    check(len(sizes) == 4 and all(16 * KIB <= n <= 32 * KIB and n % (4 * KIB) == 0
                                  for n in sizes.values()),
          "%s: file sizes %s, fio 3.33: in 16k..32k, in 4k blocks" % (" ".join(args), sizes))
    writes = report["jobs"][0]["write"]["total_ios"]
    check(writes == sum(sizes.values()) // (4 * KIB),
          "%s: %d writes for files of %s" % (" ".join(args), writes, sizes))
    refuse(args + ["--offset=20k"], ["job j", "offset 20480", "filesize=16384-32768"])


def percentage_offset_aligned():
    """offset=N% is rounded up to the smallest block size"""
    # 10% of 100 KiB is 10240, aligned up to 16k: 84 KiB left, 10 blocks
    expect(["--rw=read", "--bs=8k", "--filename=a", "--offset=10%"],
           (10, 80 * KIB), (0, 0), {"a": 100 * KIB}, existing={"a": 100 * KIB})


def percentage_size_of_each_file():
    """size=N% is N% of each file's own size"""
    expect(["--rw=read", "--bs=4k", "--filename=a:b", "--size=50%"],
           (16, 64 * KIB), (0, 0), {"a": 64 * KIB, "b": 64 * KIB},
           existing={"a": 64 * KIB, "b": 64 * KIB})


def percentage_size_in_smallest_blocks():
    """size=N% is cut to the smallest block size, not the largest"""
    expect(["--rw=write", "--bs=4k,1k", "--filename=a", "--size=50%"],
           (0, 0), (5, 5 * KIB), {"a": 10 * KIB}, existing={"a": 10 * KIB})


def expect_total(args, ios, nbytes):
    """The job succeeds with ios IOs of nbytes bytes, both directions
    together (a mix splits them by random draws fio and tenon-io make
    differently)."""
    status, report, err, _ = run(args)
    check(status == 0 and report, "%s: exit %s\n%s" % (" ".join(args), status, err))
    job = report["jobs"][0]
    got = (job["read"]["total_ios"] + job["write"]["total_ios"],
           job["read"]["io_bytes"] + job["write"]["io_bytes"])
    check(got == (ios, nbytes), "%s: IOs, bytes %s, fio 3.33: %s"
          % (" ".join(args), got, (ios, nbytes)))


def budget_counts_the_bytes_no_block_fits():
    """where the files do not run out first, IO goes on to the shares'
    bytes (17406 of size=17k), the last IO whole"""
    split = ["--bs=512", "--nrfiles=3", "--size=17k"]
    expect(["--rw=randwrite", "--norandommap"] + split, (0, 0), (34, 34 * 512), [5802] * 3)
    expect_total(["--rw=randrw", "--norandommap"] + split, 34, 34 * 512)
    # an engine without files splits size= as over files
    expect(["--rw=randread", "--ioengine=null", "--norandommap", "--nrfiles=3",
            "--size=380k"], (95, 95 * 4 * KIB), (0, 0), [])


def budget_of_larger_files():
    """files larger than their share keep the job to size= or filesize=;
    sequential IO with holes wraps and goes on to size"""
    big = {n: 20000 for n in "abc"}
    for opt in ("--size=17k", "--filesize=5802"):
        expect(["--rw=randwrite", "--norandommap", "--bs=512", "--filename=a:b:c", opt],
               (0, 0), (34, 34 * 512), big, existing=big)
    expect(["--rw=write:1k", "--bs=512", "--size=5802"], (0, 0), (12, 12 * 512), [5802])


def backward_holes_go_on_to_size():
    """sequential IO with backward holes of a block or more never reaches
    a file's end: each loop goes on to size (736k, not the whole blocks'
    735k), with verify too (248k: 16 writes of 16k, not 14)"""
    expect(["--rw=write:-16k", "--bs=16k,1k", "--nrfiles=3", "--size=736k", "--loops=2"],
           (0, 0), (1472, 1472 * KIB), [251221] * 3)
    expect(["--rw=write:-16k", "--bs=16k", "--nrfiles=2", "--size=248k", "--verify=crc32c"],
           (2, 32 * KIB), (16, 256 * KIB), [124 * KIB] * 2)


def files_running_out_end_the_job():
    """a file whose blocks are used up is done (a random map shared by
    both directions; a sequential mix once one direction reaches the
    end), and the job once every file is"""
    split = ["--bs=512", "--nrfiles=3", "--size=17k"]
    expect_total(["--rw=randrw"] + split, 33, 33 * 512)
    expect(["--rw=rw", "--rwmixread=100"] + split, (33, 33 * 512), (0, 0), [5802] * 3)


def last_io_stays_whole():
    """io_size that no block size divides: the last IO is a whole block"""
    expect(["--rw=write", "--bs=4k", "--size=1M", "--io_size=10k"],
           (0, 0), (3, 12 * KIB), [1024 * KIB])


def loops_end_where_the_files_run_out():
    """io_size above the whole blocks with loops: each loop ends where
    the random map is used up; passes go on only up to io_size"""
    expect(["--rw=randwrite", "--bs=512", "--nrfiles=3", "--size=49k", "--io_size=49k",
            "--loops=2"], (0, 0), (192, 192 * 512), [16725] * 3)
    expect(["--rw=randwrite", "--bs=512", "--nrfiles=3", "--size=17k", "--io_size=40k"],
           (0, 0), (80, 80 * 512), [5802] * 3)


CASES = [size_split_keeps_the_bytes_no_block_fits, size_remainder_to_first_files,
         budget_counts_the_bytes_no_block_fits, budget_of_larger_files,
         backward_holes_go_on_to_size,
         files_running_out_end_the_job,
         last_io_stays_whole, loops_end_where_the_files_run_out,
         block_size_of_the_direction_done, engine_without_files_splits_like_files,
         engine_without_files_ends_each_file, sync_takes_a_files_turn,
         filesize_with_offset, filesize_offset_past_the_end, filesize_range, percentage_offset_aligned,
         percentage_size_of_each_file, percentage_size_in_smallest_blocks]

if __name__ == "__main__":
    if "--tool" in sys.argv:
        TOOL = [sys.argv[sys.argv.index("--tool") + 1]]
    sys.exit(run_cases(CASES, "tenon-regions.", use_tmp))
