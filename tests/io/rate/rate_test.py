#!/usr/bin/env python3
"""Rate control takes effect as fio 3.33 defines it, shown without timing:
a capped job sleeps between IOs (seen under strace, with the length of each
sleep it asks for), an uncapped direction never waits, and bad values or
combinations are refused with a clear error. How closely a job holds its
rate over time is bench/rate-hold's measure, and the schedule's arithmetic
is test_rate_sched.c's (a fake clock). Output is TAP.

usage: rate_test.py TENON_IO
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, "..", "effects"))
import effects_test as E  # noqa: E402
from harness import check, run_cases  # noqa: E402


def job(*args):
    """40 IOs of 4k on the null engine, one at a time."""
    return ["--name=j", "--ioengine=null", "--size=160k", "--bs=4k"] + list(args)


def case_rate():
    """rate: a capped job sleeps until each IO is due, at most one IO's gap (per direction)"""
    _, base = E.sleeps(*job())
    r, s = E.sleeps(*job("--rate=400k"))
    check(E.ios(r) == 40, "every IO is done")
    check(len(base) < 5 and len(s) >= 30, "sleeps: %d capped, %d uncapped" % (len(s), len(base)))
    check(max(s) <= 0.0101, "a linear sleep is at most one IO's gap: %s" % max(s))
    # per direction: rate=r,w as fio; an empty or 0 part caps nothing
    for rw, value, capped in (("read", ",400k", False), ("read", "400k,", True),
                              ("write", "400k,", False), ("write", ",400k", True),
                              ("write", "400k,0", False)):
        _, s = E.sleeps(*job("--rw=" + rw, "--rate=" + value))
        check((len(s) >= 30) == capped,
              "rw=%s rate=%s: %d sleeps (%d uncapped)" % (rw, value, len(s), len(base)))


def case_rate_iops():
    """rate_iops: the cap in IOs per second; with rate in one direction it is refused, as fio"""
    r, s = E.sleeps(*job("--rate_iops=100"))
    check(E.ios(r) == 40, "every IO is done")
    check(len(s) >= 30 and max(s) <= 0.0101,
          "sleeps of at most 10 ms: %d, max %s" % (len(s), max(s)))
    r = E.tenon_io(*job("--rate_iops=100", "--rate=1m"))
    check(r.rc != 0 and "mutually exclusive" in r.err, r.err[:500])
    r = E.tenon_io(*job("--rate_iops=1k"))
    check(r.rc != 0 and "plain integer" in r.err, r.err[:500])


def case_rate_process():
    """rate_process: linear's gaps are fixed, poisson's exponential (some over twice the mean)"""
    _, lin = E.sleeps(*job("--rate_iops=100", "--rate_process=linear"))
    _, poi = E.sleeps(*job("--rate_iops=100", "--rate_process=poisson"))
    check(max(lin) <= 0.0101, "linear: at most 10 ms: %s" % max(lin))
    check(max(poi) > 0.02, "poisson: some gap over twice the mean: %s" % max(poi))
    r = E.tenon_io(*job("--rate_process=steady"))
    check(r.rc != 0 and "linear, poisson" in r.err, r.err[:500])


def case_rate_min():
    """rate_min, rate_iops_min: a job held below its minimum (by its cap) fails with fio's message"""
    for opt, word, cap in (("--rate_min=1m", "rate_min=1048576B/s not met", "--rate_iops=10"),
                           ("--ratemin=1m", "rate_min=1048576B/s not met", "--rate_iops=10"),
                           ("--rate_iops_min=50", "rate_iops_min=50 not met", "--rate=40k")):
        r = E.tenon_io(*job(cap, "--time_based", "--runtime=20s",
                            "--rate_cycle=100", opt))
        check(r.rc != 0 and word in r.err, "%s: %s" % (opt, r.err[:500]))
    r = E.tenon_io(*job("--rate=100k", "--rate_min=1m"))
    check(r.rc != 0 and "exceeds its rate" in r.err, r.err[:500])
    r = E.tenon_io(*job("--rate_iops_min=10", "--rate_min=1m"))
    check(r.rc != 0 and "mutually exclusive" in r.err, r.err[:500])


def case_parse_only_refuses():
    """the rate options' conflicts are refused before any job starts: --parse-only refuses them"""
    for opts, word in ((["--rate_iops=100", "--rate=1m"], "rate and rate_iops are both given"),
                       (["--rate=100k", "--rate_min=1m"], "exceeds its rate"),
                       (["--rate_iops=100", "--rate_iops_min=200"], "exceeds its rate"),
                       (["--rate_iops_min=10", "--rate_min=1m"],
                        "rate_min and rate_iops_min are mutually exclusive"),
                       (["--rate=1k", "--rate_process=poisson"], "at least one block")):
        for mode in (["--parse-only"], []):
            r = E.tenon_io(*(mode + job(*opts)), fmt="normal")
            check(r.rc == 1 and "job j: " in r.err and word in r.err and "groupid" not in r.out,
                  "%s %s: rc %d: %s" % (" ".join(mode), " ".join(opts), r.rc, r.err[:500]))


def case_rate_cycle():
    """rate_cycle: the minimum is checked once per cycle after 2 s: a 3 s cycle never comes in 4 s"""
    r = E.tenon_io(*job("--rate_iops=10", "--time_based", "--runtime=4s", "--rate_cycle=3000",
                        "--ratecycle=3000", "--rate_min=1m"))
    check(r.rc == 0, "no check came due: %s" % r.err[:500])
    r = E.tenon_io(*job("--rate_iops=10", "--time_based", "--runtime=4s", "--rate_cycle=500",
                        "--rate_min=1m"))
    check(r.rc != 0 and "not met" in r.err, r.err[:500])


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    E.TIO = os.path.abspath(sys.argv[1])
    cases = [f for n, f in sorted(globals().items()) if n.startswith("case_") and callable(f)]
    return run_cases(cases, "tio-rate-", E.use_tmp)


if __name__ == "__main__":
    sys.exit(main())
