#!/usr/bin/env python3
"""IO priorities take effect as fio 3.33 defines them: prio and prioclass
set the job thread's priority (ioprio_set, seen under strace), cmdprio_*
give a share of the IOs a priority of their own (the iocbs libaio submits
carry it, seen under strace; the latency log shows each IO's priority),
and the report keeps each priority's latency apart (JSON "prios", as fio's:
per-priority counts add up to the direction's). Bad values and engines
that cannot issue per-IO priorities are refused. Output is TAP.

usage: prio_test.py TENON_IO
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, "..", "effects"))
import effects_test as E  # noqa: E402
from harness import Skip, check, run_cases  # noqa: E402

RT_1_3 = 1 << 13 | 3


def need_root():
    # the real-time class (cmdprio's default) needs CAP_SYS_ADMIN
    if os.geteuid() != 0:
        raise Skip("the real-time IO priority class needs root")


def aio(name, *args, size="1m"):
    return ["--name=j", "--filename=" + E.path(name), "--size=" + size,
            "--ioengine=libaio"] + list(args)


def submitted(*args):
    """The io_submit lines of a run, iocbs shown (strace's -s 0 hides them)."""
    E.strace_ready()
    out = E.path("strace.log")
    env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")
    r = E.tenon_io(*args, env=env, prefix=["strace", "-f", "-qq", "-e", "signal=none",
                                           "-e", "trace=io_submit", "-o", out])
    check(r.rc == 0, r.err[:500])
    with open(out) as f:
        lines = f.read().splitlines()
    os.unlink(out)
    return lines


def prios(run, ddir):
    return {(p["prioclass"], p["prio"]): p for p in run.job("j")[ddir].get("prios", [])}


def case_cmdprio_percentage():
    """cmdprio_percentage: about that share of IOs go out at the real-time class; their latency is reported apart"""
    need_root()
    r = E.ok_run(*aio("f", "--rw=randrw", "--bs=4k", "--cmdprio_percentage=50",
                      "--clat_percentiles=1"))
    for ddir in ("read", "write"):
        p = prios(r, ddir)
        check(set(p) == {(0, 0), (1, 0)}, "%s prios: %s" % (ddir, sorted(p)))
        total = r.job("j")[ddir]["clat_ns"]["N"]
        check(sum(x["clat_ns"]["N"] for x in p.values()) == total,
              "%s: per-priority counts add up to %d" % (ddir, total))
        check(all("percentile" in x["clat_ns"] for x in p.values()), "percentiles per priority")
    # lat_percentiles: the priorities keep total latency instead
    r = E.ok_run(*aio("f", "--rw=randread", "--cmdprio_percentage=50", "--lat_percentiles=1"))
    p = prios(r, "read")
    check(all("lat_ns" in x and "clat_ns" not in x for x in p.values()), str(p)[:300])
    check(sum(x["lat_ns"]["N"] for x in p.values()) == r.job("j")["read"]["lat_ns"]["N"],
          "lat counts add up")


def case_cmdprio_reaches_the_kernel():
    """cmdprio_percentage, cmdprio_class, cmdprio: the iocbs libaio submits carry the priority"""
    need_root()
    lines = submitted(*aio("f", "--rw=randread", "--size=256k", "--cmdprio_percentage=100",
                           "--cmdprio_class=2", "--cmdprio=5"))
    given = re.findall(r"aio_reqprio=(IOPRIO_PRIO_VALUE\([^)]*\))", "\n".join(lines))
    check(len(given) == 64 and set(given) == {"IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 5)"},
          "64 reads at best-effort level 5: %s" % sorted(set(given)))
    lines = submitted(*aio("f", "--rw=randread", "--size=256k"))
    check(not re.search("IOCB_FLAG_IOPRIO", "\n".join(lines)), "no priority without cmdprio")


def case_cmdprio_bssplit():
    """cmdprio_bssplit: per block size, a share of IOs at the entry's class and level (the log shows each IO's)"""
    need_root()
    r = E.ok_run(*aio("f", "--rw=randwrite", "--size=4m", "--bssplit=4k/50:8k/50",
                      "--cmdprio_bssplit=4k/100/1/3:8k/0", "--log_prio=1",
                      "--write_lat_log=" + E.path("pl")))
    p = prios(r, "write")
    check(set(p) == {(0, 0), (1, 3)}, "prios: %s" % sorted(p))
    seen = {}
    with open(E.path("pl_lat.1.log")) as f:
        for line in f:
            cols = [c.strip() for c in line.split(",")]
            seen.setdefault(int(cols[3]), set()).add(int(cols[4], 16))
    check(seen == {4096: {RT_1_3}, 8192: {0}}, "priorities by block size: %s" % seen)
    check(p[(1, 3)]["clat_ns"]["N"] == sum(1 for _ in open(E.path("pl_lat.1.log")))
          - p[(0, 0)]["clat_ns"]["N"], "the 1/3 count is the 4k IOs'")


def case_prio():
    """prio, prioclass: the job thread's priority is set with ioprio_set before IO"""
    r, lines = E.traced("ioprio_set", *aio("f", "--rw=read", "--size=64k", "--prio=6",
                                            "--prioclass=3"))
    check(r.rc == 0, r.err[:500])
    calls = [x for x in lines if "ioprio_set(" in x]
    check(len(calls) == 1 and "IOPRIO_CLASS_IDLE" in calls[0] and "6" in calls[0],
          "one ioprio_set at idle level 6: %s" % calls)
    # prioclass without prio is level 0 of that class; prio alone is best-effort
    r, lines = E.traced("ioprio_set", *aio("f", "--rw=read", "--size=64k", "--prio=2"))
    calls = [x for x in lines if "ioprio_set(" in x]
    check(len(calls) == 1 and "IOPRIO_CLASS_BE" in calls[0], str(calls))
    r, lines = E.traced("ioprio_set", *aio("f", "--rw=read", "--size=64k"))
    check(not [x for x in lines if "ioprio_set(" in x], "no ioprio_set when not asked")


def case_cmdprio_class():
    """cmdprio_class: a class per direction; without it the real-time class"""
    need_root()
    r = E.ok_run(*aio("f", "--rw=randrw", "--cmdprio_percentage=50", "--cmdprio_class=2,3",
                      "--cmdprio=1,4"))
    check(set(prios(r, "read")) == {(0, 0), (2, 1)}, str(sorted(prios(r, "read"))))
    check(set(prios(r, "write")) == {(0, 0), (3, 4)}, str(sorted(prios(r, "write"))))


def case_cmdprio():
    """cmdprio: the level of the IOs that get a priority; the job's own prio is the others'"""
    need_root()
    r = E.ok_run(*aio("f", "--rw=randread", "--cmdprio_percentage=30", "--cmdprio=2",
                      "--prio=5", "--prioclass=2"))
    check(set(prios(r, "read")) == {(2, 5), (1, 2)}, str(sorted(prios(r, "read"))))


def case_refused():
    """per-IO priorities need an engine that issues them; the two forms exclude each other"""
    r = E.tenon_io("--name=j", "--filename=" + E.path("f"), "--size=64k",
                   "--cmdprio_percentage=50")
    check(r.rc != 0 and "io_uring or libaio" in r.err, r.err[:500])
    r = E.tenon_io(*aio("f", "--cmdprio_percentage=50", "--cmdprio_bssplit=4k/50"))
    check(r.rc != 0 and "exclude each other" in r.err, r.err[:500])
    r = E.tenon_io(*aio("f", "--prioclass=4"))
    check(r.rc != 0 and "priority class" in r.err, r.err[:500])


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    E.TIO = os.path.abspath(sys.argv[1])
    cases = [f for n, f in sorted(globals().items()) if n.startswith("case_") and callable(f)]
    return run_cases(cases, "tio-prio-", E.use_tmp)


if __name__ == "__main__":
    sys.exit(main())
