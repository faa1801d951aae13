#!/usr/bin/env python3
"""max_latency and latency_target take effect as fio 3.33 defines them,
shown without timing thresholds: a limit no IO can meet fails the job with
ETIMEDOUT naming it, one every IO meets changes nothing, and the
latency_target search ends at the deepest queue when every window meets
its target (the report's latency_depth). Output is TAP.

usage: latency_test.py TENON_IO
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, "..", "effects"))
import effects_test as E  # noqa: E402
from harness import check, run_cases  # noqa: E402

ETIMEDOUT = 110


def aio(*args):
    f = E.make_file("f", 1 << 20)
    return ["--name=j", "--filename=" + f, "--size=1m", "--ioengine=libaio"] + list(args)


def case_max_latency():
    """max_latency: an IO over it fails the job (ETIMEDOUT); bare numbers are microseconds"""
    r = E.tenon_io(*aio("--rw=randread", "--max_latency=1"))
    check(r.rc == 1 and r.job()["error"] == ETIMEDOUT, r.err[:500])
    check("exceeds max_latency (1000 nsec)" in r.err, r.err[:500])
    r = E.ok_run(*aio("--rw=randread", "--max_latency=60s"))
    check(E.ios(r) == 256, "a limit every IO meets changes nothing")
    # per direction: writes only
    r = E.ok_run(*aio("--rw=randread", "--max_latency=60s,1"))
    r = E.tenon_io(*aio("--rw=randwrite", "--max_latency=60s,1"))
    check(r.rc == 1 and r.job()["error"] == ETIMEDOUT, "the write limit holds: " + r.err[:300])


def case_latency_target():
    """latency_target: with every window on target, the depth doubles to iodepth, one more window runs there and the job ends"""
    r = E.ok_run(*aio("--rw=randread", "--iodepth=8", "--latency_target=60s",
                      "--latency_window=20ms", "--time_based", "--runtime=60"))
    j = r.job()
    check(j["latency_depth"] == 8, "the depth found: %s" % j["latency_depth"])
    check(j["latency_target"] == 60 * 1000000 and j["latency_window"] == 20000 and
          j["latency_percentile"] == 100.0, "the report shows the options: %s" % j)
    check(j["job_runtime"] < 60000, "the search ended the job: %d ms" % j["job_runtime"])


def case_latency_window():
    """latency_window: each depth is tried this long; without target it does nothing"""
    r = E.ok_run(*aio("--rw=randread", "--iodepth=4", "--latency_window=10ms"))
    check(r.job()["latency_depth"] == 4 and E.ios(r) == 256, "no target: %s" % r.job())


def case_latency_percentile():
    """latency_percentile: below 100, IOs over the target count against the window instead of failing the job"""
    r = E.ok_run(*aio("--rw=randread", "--iodepth=4", "--latency_target=1",
                      "--latency_window=20ms", "--latency_percentile=50", "--time_based",
                      "--runtime=1"))
    check(r.job()["latency_depth"] == 1 and r.job()["error"] == 0,
          "no window met 1 us: the depth stays 1: %s" % r.job()["latency_depth"])
    r = E.tenon_io(*aio("--rw=randread", "--latency_target=1"))
    check(r.rc == 1 and r.job()["error"] == ETIMEDOUT, "at 100%%, depth 1: %s" % r.err[:300])
    r = E.tenon_io(*aio("--latency_percentile=101"))
    check(r.rc != 0 and "percentage" in r.err, r.err[:300])


def case_latency_run():
    """latency_run: the search never settles: the job runs its runtime"""
    r = E.ok_run(*aio("--rw=randread", "--iodepth=8", "--latency_target=60s",
                      "--latency_window=20ms", "--latency_run=1", "--time_based",
                      "--runtime=1"))
    check(r.job()["job_runtime"] >= 900, "it ran its runtime: %d ms" % r.job()["job_runtime"])


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    E.TIO = os.path.abspath(sys.argv[1])
    cases = [f for n, f in sorted(globals().items()) if n.startswith("case_") and callable(f)]
    return run_cases(cases, "tio-latency-", E.use_tmp)


if __name__ == "__main__":
    sys.exit(main())
