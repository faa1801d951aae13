#!/usr/bin/env python3
"""Random offsets from fio 3.33's generators: for each job of cases.txt
(random_distribution's models, random_generator=lfsr, the seeds that
drive them), tenon-io's IOs - offset, length, direction, in order, from
its --debug=io trace - are the ones fio 3.33 issued for the same job,
recorded in data/NAME.txt by record.sh. One TAP case per job.

usage: dist_test.py TENON_IO [NAME...]"""
import os
import re
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))
from harness import Tap, run_tio  # noqa: E402

FILL = re.compile(r" fill: io_u [^:]*: off=(0x[0-9a-f]+),len=(0x[0-9a-f]+),ddir=(\d)")


def cases():
    with open(os.path.join(HERE, "cases.txt")) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                name, opts = line.split(None, 1)
                yield name, opts.split()


def run_case(tap, tio, name, opts):
    """One job of cases.txt: tenon-io's IOs against fio's, as one TAP line."""
    with open(os.path.join(HERE, "data", name + ".txt")) as f:
        want = [tuple(line.split()) for line in f if line.strip()]
    # a folder of its own: fio names the file after the job unless one of
    # that name is there
    tmp = tempfile.mkdtemp(prefix="tio-dist-")
    try:
        p = run_tio(tio, "--debug=io", "--name=j", "--ioengine=null", *opts, cwd=tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    got = [m.groups() for m in FILL.finditer(p.stderr + p.stdout)]
    first = next((i for i, (a, b) in enumerate(zip(want, got)) if a != b),
                 min(len(want), len(got)))
    tap.ok(p.returncode == 0 and got == want, "%s: %s" % (name, " ".join(opts)),
           "exit %d, %d IOs (fio 3.33: %d); first difference at IO %d: fio %s, "
           "tenon-io %s\n%s" % (p.returncode, len(got), len(want), first,
                                 want[first:first + 1], got[first:first + 1],
                                 p.stderr[-1500:]))


def distribution_cases(tap, tio, only):
    """random_distribution: zipf, pareto, normal, zoned, zoned_abs."""
    for name, opts in cases():
        if name.split("-")[0] in ("zipf", "pareto", "normal", "zoned") and \
                (not only or name in only):
            run_case(tap, tio, name, opts)


def lfsr_cases(tap, tio, only):
    """random_generator=lfsr, with and without the random map, over loops."""
    for name, opts in cases():
        if name.startswith("lfsr") and (not only or name in only):
            run_case(tap, tio, name, opts)


def seed_cases(tap, tio, only):
    """randseed: no reseed per loop (fio turns randrepeat off under it)."""
    for name, opts in cases():
        if name.startswith("loops-") and (not only or name in only):
            run_case(tap, tio, name, opts)


def split_bs_cases(tap, tio, only):
    """zipf, pareto and normal draw in the smaller block size; a direction
    with larger blocks keeps the draw's place in the file (fio 3.33 goes
    past the file and ends it, docs/jobfile.md "Intended differences"):
    bs=8k,4k reads at fio's bs=4k offsets (normal-4k) rounded down to 8k,
    all of size= and none past it."""
    name = "split-bs-normal"
    if only and name not in only:
        return
    with open(os.path.join(HERE, "data", "normal-4k.txt")) as f:
        want = [(hex(int(line.split()[0], 16) // 8192 * 8192), "0x2000", "0")
                for line in f if line.strip()]
    opts = ["--size=376k", "--bs=8k,4k", "--rw=randread", "--random_distribution=normal:20"]
    tmp = tempfile.mkdtemp(prefix="tio-dist-")
    try:
        p = run_tio(tio, "--debug=io", "--name=j", "--ioengine=null", *opts, cwd=tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    got = [m.groups() for m in FILL.finditer(p.stderr + p.stdout)]
    tap.ok(p.returncode == 0 and len(got) == 376 // 8 and got == want[:len(got)],
           "%s: %s" % (name, " ".join(opts)),
           "exit %d, %d IOs (want 47); first 3: %s, want %s\n%s" % (
               p.returncode, len(got), got[:3], want[:3], p.stderr[-1500:]))


def main():
    tio, only = os.path.abspath(sys.argv[1]), sys.argv[2:]
    tap = Tap()
    for group in (distribution_cases, lfsr_cases, seed_cases, split_bs_cases):
        group(tap, tio, only)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
