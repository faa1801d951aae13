#!/usr/bin/env python3
"""openfiles and file_service_type: the file (and offset) of each IO of a
job with several files is the one fio 3.33 picks for the same job and seed
(sequences taken from fio's --debug=io, read here off tenon-io's). Cases
are TAP, through effects_test.py's helpers.

usage: file_service_test.py TENON_IO
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import effects_test as E  # noqa: E402
from effects_test import check, run_cases  # noqa: E402


def order(*opts):
    """FILE:OFFSET (hex) of each IO issued, from --debug=io."""
    for f in os.listdir(E.TMP):
        if f.startswith("j.0."):
            os.unlink(E.path(f))
    r = E.tenon_io("--name=j", "--ioengine=psync", "--debug=io", "--filesize=16k", "--bs=4k",
                   *opts, fmt="normal")
    check(r.rc == 0, r.err)
    return " ".join(m.group(2) + ":" + m.group(1) for m in
                    re.finditer(r" fill: .*off=0x([0-9a-f]+),len=0x[0-9a-f]+,ddir=\d,"
                                r"file=j\.0\.(\d+)", r.out))


def same_as_fio(opts, expect):
    got = order(*opts)
    check(got == expect, "%s:\n  fio 3.33: %s\n  tenon-io: %s" % (" ".join(opts), expect, got))


THREE = ["--nrfiles=3", "--openfiles=2", "--rw=randwrite"]


def case_roundrobin():
    """roundrobin over the open files; the third waits until one of two is done"""
    same_as_fio(THREE, "0:0 1:2000 0:3000 1:1000 0:1000 1:3000 0:2000 1:0 "
                       "2:3000 2:2000 2:0 2:1000")
    same_as_fio(["--nrfiles=4", "--openfiles=2", "--rw=write",
                 "--file_service_type=roundrobin:2"],
                "0:0 0:1000 1:0 1:1000 0:2000 0:3000 1:2000 1:3000 "
                "2:0 2:1000 3:0 3:1000 2:2000 2:3000 3:2000 3:3000")


def case_random():
    """random: fio's file draws (its seed), with :N IOs per draw, and again per loop"""
    same_as_fio(THREE + ["--file_service_type=random"],
                "2:0 2:2000 0:3000 0:1000 2:1000 0:0 2:3000 1:3000 1:0 0:2000 1:1000 1:2000")
    same_as_fio(THREE + ["--file_service_type=random:2"],
                "2:0 2:2000 2:3000 2:1000 0:1000 0:3000 0:2000 0:0 1:3000 1:2000 1:0 1:1000")
    loop = "2:0 2:2000 0:3000 0:1000 2:1000 0:0 2:3000 1:3000 1:0 0:2000 1:1000 1:2000"
    same_as_fio(THREE + ["--file_service_type=random", "--loops=2"], loop + " " + loop)


def case_sequential():
    """sequential: one file until it is done, then the next"""
    same_as_fio(THREE + ["--file_service_type=sequential"],
                "0:0 0:2000 0:3000 0:1000 1:3000 1:1000 1:2000 1:0 2:3000 2:2000 2:0 2:1000")


def case_nonuniform():
    """zipf, pareto, normal/gauss: fio's file draws; a full file starts over, never done"""
    same_as_fio(["--nrfiles=3", "--rw=randwrite", "--file_service_type=zipf:1.2"],
                "0:0 0:2000 0:3000 0:1000 0:3000 0:1000 1:1000 0:0 1:0 0:2000 0:3000 0:0")
    same_as_fio(["--nrfiles=5", "--rw=randread", "--file_service_type=pareto:0.3"],
                "1:0 4:2000 4:3000 0:1000 4:1000 0:3000 3:1000 4:0 3:3000 1:1000 4:2000 "
                "4:3000 0:0 3:2000 4:0 4:1000 0:2000 4:2000 4:0 0:1000")
    same_as_fio(["--nrfiles=4", "--rw=randrw", "--file_service_type=zipf:0.8:0.5",
                 "--openfiles=2"],
                "3:0 2:2000 2:3000 3:1000 2:1000 2:0 2:1000 3:3000 2:0 2:3000 2:2000 2:0 "
                "2:1000 2:2000 2:3000 2:1000")
    same_as_fio(["--nrfiles=6", "--rw=randwrite", "--file_service_type=normal:20:0.7"],
                "4:0 3:2000 3:3000 4:1000 5:1000 2:3000 5:2000 4:2000 5:3000 4:3000 4:2000 "
                "4:3000 3:0 5:0 4:0 3:1000 3:1000 4:1000 4:1000 4:2000 4:3000 3:3000 4:0 "
                "4:1000")
    same_as_fio(["--nrfiles=3", "--rw=randwrite", "--file_service_type=gauss",
                 "--norandommap"],
                "1:0 1:2000 1:3000 1:1000 1:1000 1:3000 1:1000 1:1000 1:3000 1:0 1:3000 1:2000")
    # sequential IO: a file at its end starts over from its start
    same_as_fio(["--nrfiles=3", "--rw=write", "--file_service_type=gauss:5"],
                "1:0 1:1000 1:2000 1:3000 1:0 1:1000 1:2000 1:3000 1:0 1:1000 1:2000 1:3000")
    same_as_fio(["--nrfiles=3", "--rw=rw", "--file_service_type=pareto:0.5:0.2"],
                "0:0 1:0 1:1000 2:0 0:1000 2:0 0:0 2:1000 0:1000 0:2000 2:2000 1:2000")


def case_nonuniform_values():
    """out-of-range zipf, pareto or normal values and centers are refused, as in fio"""
    for bad in ("zipf:1", "pareto:0", "pareto:1.5", "normal:100", "gauss:-1", "zipf:1.2:2",
                "zipf:x"):
        r = E.tenon_io("--name=j", "--size=4k", "--file_service_type=" + bad)
        check(r.rc != 0 and "file_service_type=" + bad in r.err, r.describe())


def case_verify():
    """a verify job with fewer open files than files reads back every block it wrote"""
    r = E.tenon_io("--name=v", "--nrfiles=3", "--openfiles=2", "--filesize=64k", "--bs=4k",
                   "--rw=randwrite", "--verify=crc32c", "--file_service_type=random:4")
    check(r.rc == 0 and r.job("v")["read"]["total_ios"] == 48, r.describe())


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    E.TIO = os.path.abspath(sys.argv[1])
    cases = [f for n, f in sorted(globals().items()) if n.startswith("case_") and callable(f)]
    return run_cases(cases, "tio-fservice-", E.use_tmp)


if __name__ == "__main__":
    sys.exit(main())
