#!/usr/bin/env python3
"""Sequential IO pass by pass, as fio 3.33 ends its passes: with rw=rw each
direction has its own position in each file, and a file is done as soon as
the direction drawn for it has no room left (the direction is then drawn
again for the next file); a pass ends at size bytes (engines that queue
their IO) or when every file is done; each of loops=N is a pass of its
own, and passes go on after the loops while io_size is not reached. Each
case runs a job given as command-line options and compares the IO counts
and bytes per direction with what fio 3.33 does for the same job (checked
with /usr/bin/fio, and with the same seeds the same direction and size
draws; this test does not need fio: `--tool fio` reruns the cases with it).

usage: mixpass_test.py TENON_IO [--tool fio]"""
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from harness import check, run_cases, run_tio  # noqa: E402

TOOL = [sys.argv[1]]
TMP = None


def use_tmp(path):
    global TMP
    TMP = path


def expect(args, reads, writes):
    """The job succeeds with reads and writes: (count, bytes) each."""
    data = tempfile.mkdtemp(dir=TMP)
    p = run_tio(TOOL[0], "--output-format=json", "--name=j", "--directory=" + data, *args,
                timeout=60)
    out = p.stdout
    check(p.returncode == 0 and "{" in out,
          "%s: exit %s\n%s" % (" ".join(args), p.returncode, p.stderr))
    job = json.loads(out[out.index("{"):])["jobs"][0]
    got = ((job["read"]["total_ios"], job["read"]["io_bytes"]),
           (job["write"]["total_ios"], job["write"]["io_bytes"]))
    check(got == (reads, writes), "%s: reads, writes %s, fio 3.33: %s"
          % (" ".join(args), got, (reads, writes)))


def case_file_done_redraw():
    """rw=rw: a file whose drawn direction has no room is done, the next file draws again"""
    expect(["--rw=rw", "--ioengine=sync", "--bs=16k", "--nrfiles=2", "--size=48k"],
           (2, 32768), (1, 16384))


def case_size_remainder():
    """rw=rw with size not a multiple of nrfiles x bs: a direction ends each file"""
    expect(["--rw=rw", "--ioengine=libaio", "--bs=4k", "--nrfiles=3", "--size=50k",
            "--rwmixread=30"], (4, 16384), (9, 36864))


def case_size_remainder_sync():
    """rw=rw, a synchronous engine: the pass ends with the files, not at size"""
    expect(["--rw=rw", "--ioengine=psync", "--bs=4k", "--nrfiles=3", "--size=50k",
            "--rwmixread=30"], (4, 16384), (9, 36864))


def case_loops_bssplit():
    """rw=rw loops=3 with bssplit: each loop ends on its own when one direction is at the end"""
    expect(["--rw=rw", "--ioengine=sync", "--bs=16k", "--size=160k", "--loops=3",
            "--bssplit=512/10:4k/20:16k"], (28, 260096), (26, 233984))


def case_loops_bsrange_async():
    """rw=rw loops=3 with bsrange on an engine that queues: passes end at size"""
    expect(["--rw=rw", "--ioengine=null", "--iodepth=4", "--bs=1k", "--size=273k",
            "--loops=3", "--rwmixread=90", "--bsrange=512-1k"], (1002, 751104), (114, 87552))


def case_io_size_passes():
    """rw=rw io_size above size with bssplit: passes until io_size"""
    expect(["--rw=rw", "--ioengine=pvsync2", "--bs=2k", "--size=200k", "--offset=4k",
            "--io_size=566k", "--bssplit=1k/10:2k/40"], (143, 276480), (156, 303104))


def case_io_size_async():
    """rw=rw io_size above size, an engine that queues"""
    expect(["--rw=rw", "--ioengine=libaio", "--size=64k", "--io_size=200k", "--do_verify=0"],
           (32, 131072), (18, 73728))


def case_io_size_sync():
    """rw=rw io_size above size, a synchronous engine: one pass, ended by the files"""
    expect(["--rw=rw", "--ioengine=psync", "--size=64k", "--io_size=200k", "--do_verify=0"],
           (14, 57344), (16, 65536))


def case_read_loops_bssplit():
    """rw=read loops=2 over 3 files with bssplit: each file and loop ends on its own"""
    expect(["--rw=read", "--ioengine=io_uring", "--bs=8k", "--nrfiles=3", "--size=262400",
            "--loops=2", "--bssplit=512/10:1k:8k"], (142, 522240), (0, 0))


def case_write_io_size():
    """rw=write io_size above size, do_verify=0: passes until io_size"""
    expect(["--rw=write", "--ioengine=libaio", "--size=64k", "--io_size=200k",
            "--do_verify=0"], (0, 0), (50, 204800))


def case_verify_pass():
    """rw=rw with verify: the files are reopened for verify, so a pass follows to reach size"""
    expect(["--rw=rw", "--ioengine=libaio", "--nrfiles=2", "--size=148k", "--rwmixread=100",
            "--verify=crc32c"], (37, 151552), (0, 0))



def case_null_holes_sized():
    """rw=write:16k on the null engine with size=: its files end at size / nrfiles, as files do"""
    expect(["--rw=write:16k", "--ioengine=null", "--bs=16k", "--size=80k"],
           (0, 0), (3, 49152))


def case_null_holes_verify_passes():
    """rw=write:-8k on the null engine with size=, io_size above size: verified pass by pass"""
    expect(["--rw=write:-8k", "--ioengine=null", "--bs=4k", "--nrfiles=2", "--size=80k",
            "--io_size=300k", "--verify=crc32c"], (18, 73728), (75, 307200))


CASES = [v for k, v in list(globals().items()) if k.startswith("case_")]

if __name__ == "__main__":
    if sys.argv[2:4] == ["--tool", "fio"]:
        TOOL[0] = "fio"
    sys.exit(run_cases(CASES, "tenon-mixpass.", use_tmp))
