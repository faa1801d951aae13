#!/usr/bin/env python3
"""exitall, exit_what and exitall_on_error end jobs together as fio's
fio_terminate_threads does. Shown without timing: the jobs that should end
early can never end on their own (a null job of a petabyte), so the run
ending at all shows they were ended; those that should go on run their
whole size or runtime. Output is TAP.

usage: exitall_test.py TENON_IO
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, "..", "effects"))
import effects_test as E  # noqa: E402
from harness import check, run_cases  # noqa: E402

PB = 1 << 50


def run(text):
    path = E.path("job.fio")
    with open(path, "w") as f:
        f.write("[global]\nioengine=null\nbs=4k\n" + text)
    return E.tenon_io(path)


def done(r, name, ddir="read"):
    return r.job(name)[ddir]["io_bytes"]


def case_exitall():
    """exitall: the first job to end ends the others of its group; another group goes on"""
    r = run("exitall\n[a]\nsize=1m\n[b]\nsize=1p\n[c]\nnew_group\nsize=1p\ntime_based\n"
            "runtime=2\n")
    check(r.rc == 0, r.err[:500])
    check(done(r, "a") == 1 << 20 and done(r, "b") < PB, "b was ended, a ran whole")
    check(r.job("b")["error"] == 0, "an ended job has no error")
    check(r.job("c")["job_runtime"] >= 1900, "c, of another group, ran its runtime: %d ms"
          % r.job("c")["job_runtime"])


def case_exit_what():
    """exit_what: all ends every job, stonewall the jobs running alongside (the next segment runs)"""
    r = run("[a]\nexitall\nexit_what=all\nsize=1m\n[b]\nsize=1p\n[c]\nnew_group\nsize=1p\n"
            "[d]\nstonewall\nsize=1p\n")
    check(r.rc == 0, r.err[:500])
    check(done(r, "b") < PB and done(r, "c") < PB and done(r, "d") < PB, "all were ended")
    r = run("[a]\nexitall\nexit_what=stonewall\nsize=1m\n[b]\nsize=1p\n[c]\nnew_group\n"
            "size=1p\n[d]\nstonewall\nsize=2m\n")
    check(r.rc == 0, r.err[:500])
    check(done(r, "b") < PB and done(r, "c") < PB, "the running ones were ended")
    check(done(r, "d") == 2 << 20, "the next segment ran whole: %d" % done(r, "d"))
    r = run("[a]\nexit_what=sometimes\nsize=1m\n")
    check(r.rc != 0 and "group, stonewall, all" in r.err, r.err[:300])


def case_exitall_on_error():
    """exitall_on_error: a job that ends in error ends the others; one that ends well does not"""
    f = E.make_file("f", 1 << 20)
    r = run("[a]\nexitall_on_error\nioengine=faulty\nfilename=%s\nsize=1m\neio=1\n"
            "[b]\nsize=1p\n" % f)
    check(r.rc == 1 and r.job("a")["error"] == 5, "a failed: %s" % r.err[:500])
    check(done(r, "b") < PB and r.job("b")["error"] == 0, "b was ended, without error")
    r = run("[a]\nexitall_on_error\nsize=1m\n[b]\nsize=1p\ntime_based\nruntime=2\n")
    check(r.rc == 0 and r.job("b")["job_runtime"] >= 1900, "b went on: %d ms"
          % r.job("b")["job_runtime"])


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    E.TIO = os.path.abspath(sys.argv[1])
    cases = [f for n, f in sorted(globals().items()) if n.startswith("case_") and callable(f)]
    return run_cases(cases, "tio-exitall-", E.use_tmp)


if __name__ == "__main__":
    sys.exit(main())
