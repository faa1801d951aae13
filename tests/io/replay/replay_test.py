#!/usr/bin/env python3
"""read_iolog, write_iolog, the replay options, flow and wait_for take
effect as fio 3.33 defines them: a recorded job replays to the same IO, a
log fio recorded replays to exactly its IOs, the replay options reshape it,
bad logs are refused with file:line, flow shares IO by weight, wait_for
orders jobs. No timing thresholds. Output is TAP.

usage: replay_test.py TENON_IO
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))
from harness import check, run_tio, script_main, TioRun  # noqa: E402

FIO_LOG = os.path.join(HERE, "fio-3.33-randrw.iolog")


def tio(*args):
    p = run_tio(TIO, "--output-format=json", *args, cwd=TMP)
    return TioRun(p.returncode, p.stdout, p.stderr)


def ok(*args):
    r = tio(*args)
    check(r.rc == 0, "tenon-io %s failed: %s" % (" ".join(args), r.describe()))
    return r


def refused(what, *args):
    r = tio(*args)
    check(r.rc != 0, "%s: accepted: %s" % (" ".join(args), r.describe()))
    check(what in r.err, "%s: the error does not say %r:\n%s" % (" ".join(args), what, r.err))
    return r.err


def ios(path):
    """The IO lines of an iolog, without their times."""
    with open(os.path.join(TMP, path)) as f:
        lines = f.read().splitlines()
    check(lines[0] == "fio version 3 iolog", "header: %r" % lines[0])
    return [" ".join(l.split()[1:]) for l in lines[1:]]


def counts(j):
    return tuple(j[d]["total_ios"] for d in ("read", "write", "trim"))


def write_log(name, text):
    with open(os.path.join(TMP, name), "w") as f:
        f.write(text)


def case_round_trip():
    """write_iolog -> read_iolog: the replay issues the very IOs recorded"""
    a = ok("--name=j", "--filename=f", "--size=128k", "--bs=4k", "--rw=randrw", "--fsync=3",
           "--write_iolog=a.log")
    b = ok("--name=j", "--filename=f", "--read_iolog=a.log", "--write_iolog=b.log",
           "--ioengine=libaio", "--iodepth=4")
    check(ios("a.log") == ios("b.log"), "the replay's own log differs from the recording")
    check(any(" sync " in l for l in ios("a.log")), "syncs are recorded")
    check(counts(a.job()) == counts(b.job()), "counts %s vs %s" % (counts(a.job()), counts(b.job())))


def case_fio_recorded():
    """a log fio 3.33 recorded replays to exactly its reads, writes and syncs"""
    with open(FIO_LOG) as f:
        text = f.read()
    write_log("fio.log", text.replace(" data.bin ", " f "))
    r = ok("--name=j", "--filename=f", "--size=64k", "--read_iolog=fio.log",
           "--write_iolog=again.log", "--replay_no_stall=1")
    acts = [l.split()[2] for l in text.splitlines()[1:]]
    check(counts(r.job()) == (acts.count("read"), acts.count("write"), 0), str(counts(r.job())))
    got = [l for l in ios("again.log") if l.split()[1] in ("read", "write")]
    want = [" ".join(l.split()[1:]).replace("data.bin", "f") for l in text.splitlines()[1:]
            if l.split()[2] in ("read", "write")]
    check(got == want, "replayed IO differs:\n%s\n%s" % (got, want))


def case_version2_and_trim():
    """a version 2 log (no times, wait lines) and trims replay as logged"""
    write_log("v2.log", "fio version 2 iolog\nf add\nf open\nf write 0 4096\nf wait 1\n"
              "f trim 4096 8192\nf read 0 4096\nf close\n")
    r = ok("--name=j", "--filename=f", "--size=64k", "--read_iolog=v2.log", "--write_iolog=o.log")
    check(counts(r.job()) == (1, 1, 1), str(counts(r.job())))
    check([l for l in ios("o.log") if "add" not in l and "open" not in l and "close" not in l] ==
          ["f write 0 4096", "f trim 4096 8192", "f read 0 4096"], str(ios("o.log")))


def case_chunked():
    """read_iolog_chunked: the same replay, the log read as it goes; a bad line ends the job there"""
    lines = "".join("%d f %s %d 4096\n" % (i, "read" if i % 3 else "write", (i * 7 % 16) * 4096)
                    for i in range(200))
    write_log("c.log", "fio version 3 iolog\n0 f add\n" + lines)
    ok("--name=j", "--filename=f", "--size=64k", "--read_iolog=c.log", "--write_iolog=a.log",
       "--replay_no_stall=1")
    ok("--name=j", "--filename=f", "--size=64k", "--read_iolog=c.log", "--write_iolog=b.log",
       "--replay_no_stall=1", "--read_iolog_chunked=1")
    check(ios("a.log") == ios("b.log") and len(ios("a.log")) == 201 + 2,
          "chunked and whole replays differ")


def case_clones():
    """read_iolog=A:B: clone N ($jobnum) takes log N modulo their number, as fio, whose
    second job is $jobnum 2 (the clones are added last first); verify is refused"""
    write_log("a.log", "fio version 3 iolog\n0 f read 0 4096\n")
    write_log("b.log", "fio version 3 iolog\n0 f write 0 4096\n1 f write 4096 4096\n")
    r = ok("--name=j", "--filename=f", "--size=64k", "--numjobs=3", "--read_iolog=a.log:b.log")
    got = [(j["read"]["total_ios"], j["write"]["total_ios"]) for j in r.jobs()]
    check(got == [(1, 0), (1, 0), (0, 2)], str(got))
    refused("verify with read_iolog", "--name=j", "--filename=f", "--size=64k",
            "--read_iolog=a.log", "--verify=crc32c")


def case_time_scale():
    """version 3 times are honoured, scaled by replay_time_scale (a lower bound: never early)"""
    write_log("t.log", "fio version 3 iolog\n0 f add\n0 f read 0 4096\n200000 f read 4096 4096\n")
    r = ok("--name=j", "--filename=f", "--size=64k", "--read_iolog=t.log")
    check(r.job()["read"]["runtime"] >= 200, "the 200 ms gap was not waited for")
    r = ok("--name=j", "--filename=f", "--size=64k", "--read_iolog=t.log", "--replay_time_scale=50")
    check(r.job()["read"]["runtime"] >= 400, "at 50%% the gap is 400 ms: %s" % r.job()["read"]["runtime"])


def case_replay_options():
    """replay_scale, replay_align, replay_skip and replay_redirect reshape the replay"""
    write_log("s.log", "fio version 3 iolog\n0 x add\n1 x read 12288 4096\n2 x write 40960 4096\n"
              "3 x sync 0 0\n")
    ok("--name=j", "--filename=f", "--filename=g", "--size=64k", "--read_iolog=s.log",
       "--replay_redirect=g", "--replay_scale=2", "--replay_align=8192", "--replay_skip=sync",
       "--write_iolog=o.log")
    io = [l for l in ios("o.log") if len(l.split()) == 4]
    check(io == ["g read 0 4096", "g write 16384 4096"], str(io))


def case_null_engine_any_name():
    """an engine without files takes any file name (nothing is touched), sized by the log"""
    write_log("n.log", "fio version 3 iolog\n0 /etc/passwd add\n5 /etc/passwd write 0 4096\n"
              "9 /etc/passwd trim 0 1073741824\n")
    r = ok("--name=j", "--ioengine=null", "--read_iolog=n.log")
    check(counts(r.job()) == (0, 1, 1), str(counts(r.job())))


def case_parse_errors():
    """bad logs are refused: file:line, what is wrong, how to fix it"""
    cases = [
        ("bad1.log", "fio iolog\n", "bad1.log:1:", "version 1"),
        ("bad2.log", "fio version 3 iolog\n0 f add\n1 f frob 0 4096\n", "bad2.log:3:", "not an action"),
        ("bad3.log", "fio version 3 iolog\n1 f read x 4096\n", "bad3.log:2:", "not an offset"),
        ("bad4.log", "fio version 3 iolog\n1 f read 0\n", "bad4.log:2:", "fields"),
        ("bad5.log", "fio version 3 iolog\n1 f wait 5\n", "bad5.log:2:", "version 2"),
        ("bad6.log", "fio version 2 iolog\nf read 0 0\n", "bad6.log:2:", "0 bytes"),
        ("bad7.log", "fio version 3 iolog\n1 /etc/passwd read 0 4096\n", "bad7.log:2:",
         "not one of the job's files"),
        ("bad8.log", "fio version 3 iolog\n1 f read 1048576 4096\n", "bad8.log:2:",
         "past the end"),
        ("bad9.log", "\x00\x74\x61\x65junk", "bad9.log:1:", "blktrace"),
    ]
    for name, text, where, what in cases:
        write_log(name, text)
        err = refused(what, "--name=j", "--filename=f", "--size=64k", "--read_iolog=" + name)
        check(where in err, "%s: no %s in:\n%s" % (name, where, err))
    refused("power of 2", "--name=j", "--filename=f", "--size=64k", "--read_iolog=x",
            "--replay_align=3000")
    refused("not one of the job's files", "--name=j", "--filename=f", "--size=64k",
            "--read_iolog=bad3.log", "--replay_redirect=/etc/passwd")
    # a hostile log: huge offsets, files the job does not name, paths out of its folder
    write_log("h.log", "fio version 3 iolog\n0 ../../etc/shadow add\n1 f write 18446744073709547520 4096\n")
    refused("not one of the job's files", "--name=j", "--filename=f", "--size=64k",
            "--read_iolog=h.log")
    write_log("h2.log", "fio version 3 iolog\n1 f write 4611686018427387904 4096\n")
    refused("past the end", "--name=j", "--filename=f", "--size=64k", "--read_iolog=h2.log")
    check(os.path.getsize(os.path.join(TMP, "f")) == 65536, "the job's file was not extended")


def case_flow():
    """flow: jobs of one flow_id share IO in the ratio of their weights"""
    # counted, not timed: b does 3000 IOs and exitall ends a with it; by the
    # flow rule a is then at a third of b whatever the scheduler did (fio
    # 3.33: 1001 and 3000); the slack is the IOs the two threads decide at
    # once
    r = ok("--ioengine=null", "--bs=4k", "--exitall",
           "--name=a", "--size=100g", "--runtime=60", "--time_based", "--flow_id=3", "--flow=1",
           "--name=b", "--size=12000k", "--flow_id=3", "--flow=3")
    a, b = r.job("a")["read"]["total_ios"], r.job("b")["read"]["total_ios"]
    check(b == 3000 and 995 <= a <= 1005, "flow=1 vs flow=3: %d vs %d IOs" % (a, b))


def case_flow_weights_from_start():
    """flow: every job's weight counts from the run's start, as fio's: a job whose partner waits out its startdelay does one IO meanwhile (fio 3.33: the same)"""
    r = ok("--ioengine=null", "--bs=4k", "--size=100g", "--name=a", "--flow_id=3", "--flow=1",
           "--runtime=300ms", "--time_based", "--name=b", "--flow_id=3", "--flow=3",
           "--startdelay=1", "--runtime=100ms", "--time_based")
    a = r.job("a")["read"]["total_ios"]
    check(a == 1, "a ran %d IOs while b waited; fio runs 1" % a)


def case_wait_for():
    """wait_for: a job starts once the named one has finished; bad names are refused"""
    r = ok("--filename=f", "--size=64k", "--bs=4k",
           "--name=a", "--rw=write", "--buffer_pattern=0x5a", "--rate_iops=100",
           "--name=b", "--wait_for=a", "--rw=read", "--verify=pattern", "--verify_pattern=0x5a")
    check(r.job("b")["read"]["total_ios"] == 16, "b read all of what a wrote")
    refused("cannot wait for itself", "--name=a", "--ioengine=null", "--size=1m", "--wait_for=a")
    refused("no job of that name", "--name=a", "--ioengine=null", "--size=1m", "--wait_for=zz")
    refused("defined after", "--name=a", "--ioengine=null", "--size=1m", "--wait_for=b",
            "--name=b", "--ioengine=null", "--size=1m")


if __name__ == "__main__":
    sys.exit(script_main(None, "tio-replay-", globals()))
