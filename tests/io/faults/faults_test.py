#!/usr/bin/env python3
"""Faults in tenon-io, injected by the faulty engine around psync, libaio
and io_uring, and real ones: a full tmpfs.

- injected EIO and ENOSPC are counted per job, by kind, in the normal and
  the JSON report, and the counts are exactly what the seed predicts;
- continue_on_error behaves as fio's: none, read, write, io, all;
- short reads and writes are completed by tenon-io (verify passes);
- delays hold completions back without serializing an asynchronous engine;
- a write job bigger than a small tmpfs fails cleanly with ENOSPC naming the
  file, and a report written to the full tmpfs (--output) leaves no corrupt
  file behind: the previous one stays whole, or there is none.

The tmpfs cases need root (mount -t tmpfs); without it they are skipped
with the reason. Output is TAP.

usage: faults_test.py TENON_IO
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

TIO = None
TMP = None
RUN_LIMIT = 120
ENGINES = []  # inner engines usable here: psync, and libaio/io_uring if they work


# Fail, Skip, check, sanitizer_check: shared by the integration tests.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from harness import Fail, Skip, check, run_cases, sanitizer_check  # noqa: E402


def use_tmp(path):
    """The current case's temporary folder."""
    global TMP
    TMP = path


from harness import TioRun as Run  # noqa: E402


def tenon_io(args, limit=RUN_LIMIT):
    cmd = [TIO, "--eta=never"] + args
    t0 = time.monotonic()
    try:
        # in the test's folder: a verify state file lands there, not in the caller's
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=limit, cwd=TMP)
    except subprocess.TimeoutExpired as e:
        raise Fail("tenon-io did not finish within %ds (a hang): %s\n%s" % (
            limit, " ".join(cmd), (e.stderr or b"").decode(errors="replace")))
    r = Run(p.returncode, p.stdout, p.stderr, time.monotonic() - t0)
    sanitizer_check(r.err, cmd)
    if r.rc not in (0, 1):
        raise Fail("tenon-io crashed or misbehaved (exit %d): %s\n%s" % (
            r.rc, " ".join(cmd), r.describe()))
    return r


def faulty(engine, path, **kv):
    args = ["--name=j", "--ioengine=faulty", "--engine=%s" % engine, "--filename=%s" % path]
    kv.setdefault("bs", "4k")
    kv.setdefault("size", "8M")
    return args + ["--%s=%s" % (k, v) for k, v in kv.items()]


def data_file():
    return os.path.join(TMP, "data")


# ---- The fault draws, as the faulty engine makes them ----------------------

MASK = (1 << 64) - 1


def draws(seed, n):
    """The first n IOs' four draws (eio, enospc, short, delay) of faulty's
    splitmix64 generator for seed."""
    state = seed & MASK
    out = []
    for _ in range(n):
        four = []
        for _ in range(4):
            state = (state + 0x9E3779B97F4A7C15) & MASK
            z = state
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            z ^= z >> 31
            four.append((z >> 11) * 2.0 ** -53)
        out.append(four)
    return out


def expected_write_faults(seed, n, eio, enospc):
    e = s = 0
    for d in draws(seed, n):
        if d[0] < eio:
            e += 1
        elif d[1] < enospc:
            s += 1
    return e, s


def normal_error_counts(text):
    # tenon-io's line by kind ("  errors       : EIO=3"), not fio's
    # continue_on_error line ("     errors    : total=3, first_error=5/<...>")
    m = re.search(r"^  errors       :\s*(.*)$", text, re.M)
    if not m:
        return {}
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", m.group(1))}


# ---- Cases ------------------------------------------------------------------

def case_counts_in_reports():
    """injected EIO/ENOSPC counts appear in the normal and JSON reports, exactly as the seed predicts"""
    n = 2048  # 8M / 4k writes
    want_eio, want_enospc = expected_write_faults(11, n, 0.02, 0.03)
    check(want_eio and want_enospc, "the seed gives no faults; pick another")
    for engine in ENGINES:
        # ENOSPC is not one of the errors continue_on_error alone carries on
        # after (EIO, EILSEQ, as fio): ignore_error lists both
        args = faulty(engine, data_file(), rw="randwrite", iodepth=8, eio=0.02, enospc=0.03,
                      seed=11, continue_on_error="write", ignore_error=",EIO:ENOSPC",
                      error_dump=0)
        rj = tenon_io(["--output-format=json"] + args)
        check(rj.rc == 0, "%s: ignore_error must carry on after EIO and ENOSPC: %s" % (
            engine, rj.describe()))
        j = rj.job()
        counts = j.get("error_counts", {})
        check(counts.get("EIO") == want_eio and counts.get("ENOSPC") == want_enospc,
              "%s: JSON error_counts %s, the seed predicts EIO=%d ENOSPC=%d" % (
                  engine, counts, want_eio, want_enospc))
        ok = n - want_eio - want_enospc
        check(j["write"]["io_bytes"] == ok * 4096,
              "%s: %d bytes written, expected %d (%d writes that did not fail)" % (
                  engine, j["write"]["io_bytes"], ok * 4096, ok))
        rn = tenon_io(args)
        check(rn.rc == 0, "%s: normal output run failed: %s" % (engine, rn.describe()))
        nc = normal_error_counts(rn.out)
        check(nc.get("EIO") == want_eio and nc.get("ENOSPC") == want_enospc,
              "%s: normal report errors line %s, expected EIO=%d ENOSPC=%d:\n%s" % (
                  engine, nc, want_eio, want_enospc, rn.out))


def case_continue_on_error():
    """continue_on_error: none, read, write, io, all behave as fio's"""
    base = dict(rw="randrw", iodepth=4, eio=0.05, seed=5)
    for engine in ENGINES:
        r = tenon_io(["--output-format=json"] + faulty(engine, data_file(), **base))
        check(r.rc == 1, "%s none: the first error must end the job with exit 1: %s" % (
            engine, r.describe()))
        j = r.job()
        check(j["error"] == 5 and "Input/output error" in j.get("error_text", "")
              and data_file() in j.get("error_text", ""),
              "%s none: expected EIO naming the file, got %r" % (engine, j.get("error_text")))
        check(j["read"]["total_ios"] + j["write"]["total_ios"] < 2048,
              "%s none: the job went on after its first error" % engine)
        check(re.search(r"job j: .*%s.*Input/output error" % re.escape(data_file()), r.err),
              "%s none: no stderr line naming the file and the error:\n%s" % (engine, r.err))

        r = tenon_io(["--output-format=json"] + faulty(engine, data_file(),
                                                       continue_on_error="read", **base))
        check(r.rc == 1 and r.job()["error_text"].startswith("write of"),
              "%s read: read errors go on, the first write error ends it: %s" % (
                  engine, r.describe()))
        r = tenon_io(["--output-format=json"] + faulty(engine, data_file(),
                                                       continue_on_error="write", **base))
        check(r.rc == 1 and r.job()["error_text"].startswith("read of"),
              "%s write: write errors go on, the first read error ends it: %s" % (
                  engine, r.describe()))
        for coe in ("io", "all"):
            r = tenon_io(["--output-format=json"] + faulty(engine, data_file(),
                                                           continue_on_error=coe, **base))
            check(r.rc == 0, "%s %s: errors are tolerated, exit 0: %s" % (engine, coe, r.describe()))
            j = r.job()
            c = j.get("error_counts", {})
            check(c.get("EIO", 0) > 0, "%s %s: no EIO counted: %s" % (engine, coe, c))
            # Issued counts include the failed IOs, as fio's total_ios do.
            check(j["read"]["total_ios"] + j["write"]["total_ios"] == 2048,
                  "%s %s: %d IOs issued, not 2048" % (
                      engine, coe, j["read"]["total_ios"] + j["write"]["total_ios"]))
            moved = (j["read"]["io_bytes"] + j["write"]["io_bytes"]) // 4096
            check(moved + c["EIO"] == 2048, "%s %s: %d IOs moved data and %d failed: not 2048"
                  % (engine, coe, moved, c["EIO"]))
        r = tenon_io(["--output-format=json"] + faulty(engine, data_file(), rw="randread",
                                                       eio=0.05, seed=5,
                                                       continue_on_error="read"))
        check(r.rc == 0, "%s: a read job with continue_on_error=read: %s" % (engine, r.describe()))


def case_ignore_error():
    """continue_on_error carries on after EIO only (fio's non-fatal set); ignore_error names others"""
    n = 2048
    want_eio, want_enospc = expected_write_faults(11, n, 0.02, 0.03)
    for engine in ENGINES:
        base = dict(rw="randwrite", iodepth=8, eio=0.02, enospc=0.03, seed=11)
        r = tenon_io(["--output-format=json"] + faulty(engine, data_file(),
                                                       continue_on_error="write", **base))
        check(r.rc == 1 and r.job()["error"] == 28,
              "%s: ENOSPC must end the job under continue_on_error alone: %s" % (
                  engine, r.describe()))
        # a list of its own turns continue_on_error on for its type
        r = tenon_io(["--output-format=json"] + faulty(engine, data_file(),
                                                       ignore_error=",ENOSPC:5", **base))
        check(r.rc == 0, "%s: ignore_error=,ENOSPC:5: %s" % (engine, r.describe()))
        j = r.job()
        check(j["total_err"] == want_eio + want_enospc,
              "%s: total_err %s, the seed predicts %d" % (engine, j.get("total_err"),
                                                          want_eio + want_enospc))
        check(j["first_error"] in (5, 28) and j["error"] == j["first_error"],
              "%s: error %s, first_error %s" % (engine, j["error"], j["first_error"]))
        # the list replaces fio's own: EIO alone is not carried on after then
        r = tenon_io(["--output-format=json"] + faulty(engine, data_file(),
                                                       ignore_error=",ENOSPC", **base))
        check(r.rc == 1 and r.job()["error"] == 5, "%s: ignore_error=,ENOSPC and an EIO: %s"
              % (engine, r.describe()))
    r = tenon_io(faulty("psync", data_file(), ignore_error="ENOPE"))
    check(r.rc != 0 and "not an error" in r.err, r.err[:300])


def case_error_dump():
    """error_dump: every error carried on after is reported on stderr, unless error_dump=0"""
    want_eio, _ = expected_write_faults(11, 2048, 0.02, 0)
    args = faulty("psync", data_file(), rw="randwrite", eio=0.02, seed=11,
                  continue_on_error="write")
    r = tenon_io(args)
    lines = [x for x in r.err.splitlines() if "io error on file" in x]
    check(r.rc == 0 and len(lines) == want_eio and "Input/output error: write offset=" in lines[0],
          "one line per error, as fio's: %d lines, %d errors:\n%s" % (len(lines), want_eio,
                                                                       r.err[:500]))
    r = tenon_io(args + ["--error_dump=0"])
    check(r.rc == 0 and "io error" not in r.err, r.err[:300])
    check(re.search(r"errors    : total=%d, first_error=5/<Input/output error>" % want_eio, r.out),
          "the normal report's errors line, as fio's:\n%s" % r.out)


def case_short_ios_completed():
    """short reads and writes are completed by tenon-io: all bytes move and verify passes"""
    for engine in ENGINES:
        for direct in (0, 1):
            if direct and engine == "psync":
                continue
            r = tenon_io(["--output-format=json"] + faulty(
                engine, data_file(), rw="randwrite", bs="64k", size="16M", iodepth=8,
                short_read=0.3, short_write=0.3, seed=2, verify="crc32c", direct=direct))
            check(r.rc == 0, "%s direct=%d: %s" % (engine, direct, r.describe()))
            j = r.job()
            for d in ("read", "write"):
                check(j[d]["io_bytes"] == 16 << 20, "%s direct=%d: %s moved %d bytes, not 16 MiB" % (
                    engine, direct, d, j[d]["io_bytes"]))
                check(j[d]["short_ios"] > 0, "%s direct=%d: no short %ss counted" % (engine, direct, d))


def case_delays():
    """delay holds completions back; with an asynchronous engine delayed IOs overlap"""
    for engine in ENGINES:
        depth = 1 if engine == "psync" else 8
        r = tenon_io(["--output-format=json"] + faulty(
            engine, data_file(), rw="randread", size="64k", iodepth=depth, delay="50ms"))
        check(r.rc == 0, "%s: %s" % (engine, r.describe()))
        j = r.job()
        lat = j["read"]["lat_ns"]
        # tenon-io's clock is the calibrated TSC, the engine's CLOCK_MONOTONIC:
        # allow for the calibration's error.
        check(lat["min"] >= 0.97 * 50e6, "%s: an IO completed in %.2f ms despite delay=50ms" % (
            engine, lat["min"] / 1e6))
        # 16 IOs: at least 800 ms one after another (each took 50 ms, as
        # checked above); at iodepth 8 about two rounds. The job's own
        # runtime, not the process's, so that a slow start on a loaded
        # machine does not count.
        if depth > 1:
            ms = j["read"]["runtime"]
            check(ms < 600, "%s iodepth %d: delayed IOs did not overlap (%d ms)" % (
                engine, depth, ms))
    if "libaio" in ENGINES:
        r = tenon_io(["--output-format=json"] + faulty(
            "libaio", data_file(), rw="randwrite", size="2M", iodepth=16, delay="2ms",
            delay_rate=0.5, short_write=0.2, verify="crc32c"))
        check(r.rc == 0, "libaio, delays mixed with short writes and verify: " + r.describe())


def case_failed_writes_not_verified():
    """with continue_on_error, a failed write is not expected to verify (fio's unlog_io_piece)"""
    r = tenon_io(["--output-format=json"] + faulty(
        "psync", data_file(), rw="randwrite", eio=0.02, seed=3, verify="crc32c",
        continue_on_error="io"))
    j = r.job()
    check(r.rc == 0 and j.get("error_counts", {}).get("verify", 0) == 0,
          "HOST: worker.c marks a block written when the write is issued (mark_written in "
          "next_main) and never unmarks it when the write fails and continue_on_error lets "
          "the job go on, so the verify pass reports blocks that were never written. fio "
          "drops failed writes from its verify list (unlog_io_piece). Got: %s %s" % (
              j.get("error_counts"), j.get("error_text")))


def case_bad_configurations():
    """faulty refuses bad inner engines and options with clear messages"""
    cases = [
        (dict(engine="null"), "does no file IO"),
        (dict(engine="nosuch"), "nosuch"),
        (dict(engine_options="bogus"), "key=value"),
        (dict(engine="libaio", engine_options="nowait=maybe"), "libaio"),
        (dict(eio=2), "eio"),
        (dict(eio=0.6, enospc=0.6), "more than 1"),
    ]
    for kv, text in cases:
        eng = kv.pop("engine", "psync")
        if eng == "libaio" and "libaio" not in ENGINES:
            continue
        r = tenon_io(faulty(eng, data_file(), rw="read", size="1M", **kv), limit=30)
        check(r.rc == 1 and text in r.err, "%s: expected an error mentioning %r: %s" % (
            kv or eng, text, r.describe()))


# ---- A real full filesystem ---------------------------------------------------

class Tmpfs:
    def __init__(self, size):
        if os.geteuid() != 0:
            raise Skip("mounting a tmpfs needs root")
        self.dir = os.path.join(TMP, "small")
        os.mkdir(self.dir)
        p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s" % size, "tmpfs", self.dir],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if p.returncode != 0:
            raise Skip("cannot mount a tmpfs here: " + p.stdout.strip())

    def __enter__(self):
        return self.dir

    def __exit__(self, *exc):
        subprocess.run(["umount", self.dir])


def fill(d):
    """Fills the filesystem at d."""
    with open(os.path.join(d, "filler"), "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass


def case_enospc_tmpfs():
    """a write job on a tmpfs filled during its startdelay fails with ENOSPC naming the file"""
    with Tmpfs("2m") as d:
        for engine in ENGINES:
            # A job bigger than the free space is refused before it starts,
            # so the space goes while the job waits: after its file is made.
            path = os.path.join(d, "big-" + engine)
            cmd = [TIO, "--eta=never", "--output-format=json", "--name=j",
                   "--ioengine=" + engine, "--filename=" + path, "--rw=write", "--bs=64k",
                   "--size=1M", "--iodepth=4", "--startdelay=3", "--fallocate=none"]
            t0 = time.monotonic()
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True)
            while proc.poll() is None and not (os.path.exists(path) and
                                               os.path.getsize(path) == 1 << 20):
                time.sleep(0.01)
            fill(d)
            out, err = proc.communicate(timeout=RUN_LIMIT)
            sanitizer_check(err, cmd)
            r = Run(proc.returncode, out, err, time.monotonic() - t0)
            check(r.rc == 1, "%s: expected exit 1: %s" % (engine, r.describe()))
            j = r.job()
            check(j["error"] == 28 and path in j.get("error_text", "")
                  and "No space left on device" in j["error_text"],
                  "%s: expected ENOSPC naming %s, got %r" % (engine, path, j.get("error_text")))
            check(j.get("error_counts", {}).get("ENOSPC", 0) >= 1, "%s: ENOSPC not counted" % engine)
            check(re.search(r"job j: .*%s.*No space left on device" % re.escape(path), r.err),
                  "%s: no stderr line naming the file:\n%s" % (engine, r.err))
            os.unlink(path)
            os.unlink(os.path.join(d, "filler"))
        # A verify job that would lay out more than fits is refused first.
        path = os.path.join(d, "laid-out")
        r = tenon_io(["--name=j", "--ioengine=psync", "--filename=" + path, "--rw=randwrite",
                      "--bs=64k", "--size=8M", "--verify=crc32c"])
        check(r.rc == 1 and path in r.err and "No space left on device" in r.err,
              "laying out a file bigger than the filesystem: " + r.describe())


def listing(d):
    return sorted(n for n in os.listdir(d))


def case_output_on_full_tmpfs():
    """--output on a full tmpfs: the previous results file stays whole, or there is none"""
    with Tmpfs("2m") as d:
        out = os.path.join(d, "results.json")
        job = ["--name=j", "--ioengine=null", "--size=1M", "--bs=4k", "--rw=read"]
        r = tenon_io(["--output-format=json", "--output=" + out] + job)
        check(r.rc == 0 and os.path.exists(out), "writing the first report: " + r.describe())
        before = open(out, "rb").read()
        json.loads(before)
        fill(d)
        names = listing(d)
        # A job that runs out of space itself, and a report that cannot be written.
        big = os.path.join(d, "big")
        r = tenon_io(["--output-format=json", "--output=" + out, "--name=k", "--ioengine=psync",
                      "--filename=" + big, "--rw=write", "--bs=64k", "--size=8M"])
        check(r.rc == 1, "expected exit 1 on a full filesystem: " + r.describe())
        check("cannot write results" in r.err or "No space left" in r.err,
              "expected a message about the results file:\n" + r.err)
        check(open(out, "rb").read() == before, "the previous results file changed")
        check(listing(d) in (names, sorted(names + ["big"])),
              "stray files left behind: %s (before: %s)" % (listing(d), names))
        # No previous file: none appears.
        fresh = os.path.join(d, "fresh.json")
        r = tenon_io(["--output-format=json", "--output=" + fresh] + job)
        check(r.rc == 1, "expected exit 1 when the report cannot be written: " + r.describe())
        check(not os.path.exists(fresh), "a results file appeared on a full filesystem")
        check("fresh.json" in r.err, "the message does not name the results file:\n" + r.err)
        check(not [n for n in os.listdir(d) if n.startswith(".")],
              "temporary files left behind: %s" % os.listdir(d))


CASES = [
    case_counts_in_reports,
    case_ignore_error,
    case_error_dump,
    case_continue_on_error,
    case_short_ios_completed,
    case_delays,
    case_failed_writes_not_verified,
    case_bad_configurations,
    case_enospc_tmpfs,
    case_output_on_full_tmpfs,
]


def probe_engines():
    """psync always; libaio and io_uring when built and working here."""
    global TMP
    TMP = tempfile.mkdtemp(prefix="tenon-faults.")
    try:
        for e in ("psync", "libaio", "io_uring"):
            r = tenon_io(["--name=p", "--ioengine=" + e, "--filename=" + data_file(),
                          "--size=64k", "--rw=read", "--iodepth=2"], limit=30)
            if r.rc == 0:
                ENGINES.append(e)
            else:
                print("# engine %s left out: %s" % (e, r.err.strip().splitlines()[-1:]))
    finally:
        shutil.rmtree(TMP, ignore_errors=True)


def main():
    global TIO
    TIO = os.path.abspath(sys.argv[1])
    only = sys.argv[2:]
    cases = [c for c in CASES if not only or c.__name__[5:] in only]
    probe_engines()
    return run_cases(cases, "tenon-faults.", use_tmp)


if __name__ == "__main__":
    sys.exit(main())
