#!/usr/bin/env python3
"""Think time takes effect as fio 3.33 defines it, shown without timing: the
job's thread asks for one sleep per stall (seen under strace, with the
length of each sleep it asks for), after every thinktime_blocks IOs counted
as they complete or as they are issued, for thinktime less the part spent
spinning; with thinktime_iotime, after that much time doing IO. Bad values
are refused. How rate_ignore_thinktime moves a capped job's schedule is
test_rate_sched.c's (a fake clock). Output is TAP.

usage: think_test.py TENON_IO
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, "..", "effects"))
import effects_test as E  # noqa: E402
from harness import check, run_cases  # noqa: E402


def job(*args):
    """40 IOs of 4k on the null engine."""
    return ["--name=j", "--ioengine=null", "--size=160k", "--bs=4k"] + list(args)


def case_thinktime():
    """thinktime: a stall after every IO; a bare number is microseconds"""
    _, base = E.sleeps(*job())
    r, s = E.sleeps(*job("--thinktime=2000"))
    check(E.ios(r) == 40, "every IO is done")
    check(len(base) < 5 and len(s) == 40, "sleeps: %d with thinktime, %d without" %
          (len(s), len(base)))
    check(all(0.0015 < x <= 0.002 for x in s), "each asks for at most 2 ms: %s" % s[:5])
    _, s = E.sleeps(*job("--thinktime=2ms"))
    check(len(s) == 40 and max(s) <= 0.002, "2ms is the same: %d sleeps" % len(s))


def case_thinktime_blocks():
    """thinktime_blocks: a stall after every N completed IOs"""
    _, s = E.sleeps(*job("--thinktime=1000", "--thinktime_blocks=10"))
    check(len(s) == 4, "40 IOs, a stall every 10: %d sleeps" % len(s))
    _, s = E.sleeps(*job("--thinktime=1000", "--thinktime_blocks=7"))
    check(len(s) == 5, "40 IOs, a stall every 7: %d sleeps" % len(s))


def case_thinktime_blocks_type():
    """thinktime_blocks_type=issue: IOs counted as they go out (an asynchronous engine stalls sooner)"""
    f = E.make_file("f", 256 * 1024)
    common = ["--name=j", "--filename=" + f, "--size=256k", "--bs=4k", "--ioengine=libaio",
              "--iodepth=8", "--thinktime=1000", "--thinktime_blocks=8"]
    _, issue = E.sleeps(*common, "--thinktime_blocks_type=issue")
    check(len(issue) == 8, "64 IOs issued, a stall every 8: %d sleeps" % len(issue))
    _, complete = E.sleeps(*common, "--thinktime_blocks_type=complete")
    check(1 <= len(complete) <= 8, "counted as they complete: %d sleeps" % len(complete))
    r = E.tenon_io(*job("--thinktime=1", "--thinktime_blocks_type=later"))
    check(r.rc != 0 and "complete, issue" in r.err, r.err[:300])


def case_thinktime_spin():
    """thinktime_spin: that part of the stall is spent on the CPU, the rest asleep"""
    _, s = E.sleeps(*job("--thinktime=2000", "--thinktime_spin=1500"))
    check(len(s) == 40 and all(x <= 0.0005 for x in s),
          "each sleep is at most the 500 us left: %s" % s[:5])
    _, s = E.sleeps(*job("--thinktime=2000", "--thinktime_spin=2000"))
    check(len(s) < 5, "all spun, no sleep: %d sleeps" % len(s))


def case_thinktime_iotime():
    """thinktime_iotime: a stall after that much time of IO; bare numbers are seconds"""
    r, s = E.sleeps("--name=j", "--ioengine=null", "--size=1g", "--bs=4k", "--time_based",
                  "--runtime=3", "--thinktime=500ms", "--thinktime_iotime=1")
    # one cycle of 1 s of IO and 0.5 s stalled fits before 3 s, and a
    # second stall at most, cut short by the runtime; a stall sleeps in
    # slices so that a stop is seen in time
    check(s and 0 < sum(s) <= 1.0, "time asked to sleep: %.3f s (%d sleeps)" % (sum(s), len(s)))
    check(E.ios(r) > 0, "IO ran between the stalls")


def case_rate_ignore_thinktime():
    """rate_ignore_thinktime: accepted with a rate; the schedule's shift is test_rate_sched.c's"""
    r, s = E.sleeps(*job("--rate_iops=1000", "--thinktime=5ms", "--thinktime_blocks=10",
                       "--rate_ignore_thinktime=1"))
    check(E.ios(r) == 40, "every IO is done")
    # after each stall the next IO goes out at once or one gap later, never
    # after a catch-up burst of the 5 IOs missed: one sleep per IO but the
    # first of each ten, plus the stalls
    stalls = [x for x in s if x > 0.004]
    check(len(stalls) == 4, "four stalls: %s" % s)


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    E.TIO = os.path.abspath(sys.argv[1])
    cases = [f for n, f in sorted(globals().items()) if n.startswith("case_") and callable(f)]
    return run_cases(cases, "tio-think-", E.use_tmp)


if __name__ == "__main__":
    sys.exit(main())
