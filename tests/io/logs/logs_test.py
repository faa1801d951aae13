#!/usr/bin/env python3
"""fio's per-job logs as tenon-io writes them: file names (write_bw_log,
write_lat_log, write_iops_log, write_hist_log, per_job_logs), fio 3.33's
line formats (log_offset, log_prio), log_avg_msec windows, histogram logs
(log_hist_msec, log_hist_coarseness), zlib storage (log_compression,
log_store_compressed) read back with --inflate-log, and the refusals.

Where they are installed, fio's own tools read the logs: fio 3.33
(/usr/bin/fio) inflates tenon-io's stored logs and writes the same files
and line shapes for the same job; tools/hist/fiologparser_hist.py (from
fio's source mirror, needs pandas) reads the histogram log; and
t/log_compression.py of fio's test suite passes against tenon-io. Each of
those cases is skipped, with the reason, where its tool is missing. No
timing thresholds: averaged logs are checked for their windows, not their
numbers. Output is TAP.

usage: logs_test.py TENON_IO
"""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from harness import Fail, Skip, check, run_cases, sanitizer_check  # noqa: E402

TIO = None
TMP = None
FIO = "/usr/bin/fio"
FIO_MIRROR = "/work/.mirror/axboe+fio/repo"
FIO_TESTS = "/work/shared/fio-tests"
# fio's histogram: 29 groups of 64 bins
PLAT_NR = 29 * 64


def use_tmp(p):
    global TMP
    TMP = p


def path(*names):
    return os.path.join(TMP, *names)


def run(*args, tool=None, cwd=None, want_rc=0):
    cmd = [tool or TIO] + list(args)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=120, cwd=cwd or TMP)
    sanitizer_check(p.stderr, cmd)
    if want_rc is not None and p.returncode != want_rc:
        raise Fail("%s exited %d, not %d:\n%s" % (" ".join(cmd), p.returncode, want_rc,
                                                  p.stderr[:2000]))
    return p


def job(*args, tool=None, cwd=None):
    """A 64 KiB psync write of 4 KiB blocks (16 IOs) with the given options."""
    return run("--output=/dev/null", "--name=j", "--ioengine=psync", "--rw=write",
               "--bs=4k", "--size=64k", "--filename=" + path("data"), *args, tool=tool,
               cwd=cwd)


def lines(name, where=None):
    with open(os.path.join(where or TMP, name)) as f:
        return [ln.rstrip("\n") for ln in f if ln.strip()]


def fields(line):
    return [x.strip() for x in line.split(",")]


def logs_in(where=None):
    return sorted(n for n in os.listdir(where or TMP) if "_" in n and ".log" in n)


def case_names():
    """file names: NAME_TYPE.N.log per kind, the job's name by default"""
    job("--write_bw_log", "--write_lat_log", "--write_iops_log", "--write_hist_log")
    want = ["j_bw.1.log", "j_clat.1.log", "j_clat_hist.1.log", "j_iops.1.log", "j_lat.1.log",
            "j_slat.1.log"]
    check(logs_in() == want, "got %s, want %s" % (logs_in(), want))


def case_names_prefix_and_index():
    """NAME is the value; N is the job's number over all jobs; per_job_logs=0 drops it"""
    run("--output=/dev/null", "--ioengine=null", "--size=64k", "--name=a", "--numjobs=2",
        "--write_iops_log=p", "--name=b", "--write_iops_log=p", "--per_job_logs=0",
        "--name=c", "--write_bw_log=q")
    want = ["p_iops.1.log", "p_iops.2.log", "p_iops.log", "q_bw.4.log"]
    check(logs_in() == want, "got %s, want %s" % (logs_in(), want))


def case_empty_name():
    """write_bw_log= (empty) in a job file names the log after the job, as fio"""
    with open(path("e.fio"), "w") as f:
        f.write("[e]\nioengine=null\nsize=64k\nwrite_bw_log=\n")
    run("--output=/dev/null", "e.fio")
    check(logs_in() == ["e_bw.1.log"], logs_in())


def case_unix_epoch():
    """log_unix_epoch / log_alternate_epoch: times in ms since the clock's epoch"""
    import time
    for i, opts in enumerate((["--log_unix_epoch=1"],
                              ["--log_alternate_epoch=1", "--log_alternate_epoch_clock_id=1"])):
        before = int((time.time() if i == 0 else time.monotonic()) * 1000)
        job("--write_iops_log=u%d" % i, *opts)
        after = int((time.time() if i == 0 else time.monotonic()) * 1000)
        times = [int(fields(ln)[0]) for ln in lines("u%d_iops.1.log" % i)]
        check(len(times) == 16 and all(before <= t <= after for t in times),
              "%s: %s not within [%d, %d]" % (opts, times[:3], before, after))
    r = run("--output=/dev/null", "--name=j", "--ioengine=null", "--size=64k", "--write_bw_log",
            "--log_unix_epoch=1", "--log_alternate_epoch_clock_id=999", want_rc=1)
    check("no such clock" in r.stderr, r.stderr)


def case_per_job_logs_appends():
    """per_job_logs=0: jobs of the same log name append to one file, as fio"""
    run("--output=/dev/null", "--ioengine=null", "--size=64k", "--bs=4k", "--per_job_logs=0",
        "--name=a", "--write_iops_log=s", "--name=b", "--write_iops_log=s")
    n = len(lines("s_iops.log"))
    check(n == 32, "two jobs of 16 IOs: %d lines" % n)


def case_line_format():
    """per-IO lines: time, value, direction, bs, prio (fio 3.33)"""
    job("--write_bw_log=x", "--write_lat_log=x", "--write_iops_log=x")
    for kind in ("bw", "lat", "clat", "iops"):
        ls = lines("x_%s.1.log" % kind)
        check(len(ls) == 16, "%s: 16 IOs, %d lines" % (kind, len(ls)))
        for ln in ls:
            f = fields(ln)
            check(len(f) == 5 and all(re.fullmatch(r"\d+", x) for x in f),
                  "%s: line %r" % (kind, ln))
            check(f[2] == "1" and f[3] == "4096" and f[4] == "0", "%s: %r" % (kind, ln))
        if kind == "iops":
            check(all(fields(ln)[1] == "1" for ln in ls), "an IOPS line per IO is 1")
        else:
            check(all(int(fields(ln)[1]) > 0 for ln in ls), "%s: values" % kind)
        times = [int(fields(ln)[0]) for ln in ls]
        check(times == sorted(times), "%s: times in order" % kind)
    check(lines("x_slat.1.log") == [], "a synchronous engine has no slat samples")


def case_log_offset():
    """log_offset=1 adds each IO's offset before prio"""
    job("--write_lat_log=o", "--log_offset=1")
    offs = [int(fields(ln)[4]) for ln in lines("o_lat.1.log")]
    check(offs == [i * 4096 for i in range(16)], "offsets %s" % offs)
    check(all(len(fields(ln)) == 6 for ln in lines("o_clat.1.log")), "6 columns")


def case_log_prio():
    """log_prio=1 writes the priority value as fio's 0x%04x"""
    job("--write_iops_log=p", "--log_prio=1")
    check(all(fields(ln)[4] == "0x0000" for ln in lines("p_iops.1.log")),
          lines("p_iops.1.log")[:2])


def case_slat_async():
    """an asynchronous engine logs each submission's slat"""
    p = run("--output=/dev/null", "--name=j", "--ioengine=libaio", "--iodepth=4",
            "--rw=write", "--bs=4k", "--size=64k", "--filename=" + path("data"),
            "--write_lat_log=a", want_rc=None)
    if p.returncode != 0 and "libaio" in p.stderr:
        raise Skip("no libaio engine: " + p.stderr.strip()[:200])
    check(p.returncode == 0, p.stderr)
    check(len(lines("a_slat.1.log")) == 16, "16 slat lines: %d" % len(lines("a_slat.1.log")))


def windows_ok(ls, avg):
    """Averaged lines: bs and offset 0, one line per window of avg ms."""
    times = [int(fields(ln)[0]) for ln in ls]
    for ln in ls:
        f = fields(ln)
        check(len(f) == 5 and f[3] == "0" and f[4] == "0", "averaged line %r" % ln)
    return times


def case_avg_msec():
    """log_avg_msec: latency windows close on the first sample past them, bw/iops per interval"""
    run("--output=/dev/null", "--name=j", "--ioengine=null", "--rw=read", "--bs=4k",
        "--size=1g", "--time_based", "--runtime=1", "--log_avg_msec=100",
        "--write_lat_log=v", "--write_bw_log=v", "--write_iops_log=v")
    lat = windows_ok(lines("v_lat.1.log"), 100)
    check(len(lat) >= 2, "at least two windows in 1 s: %s" % lat)
    win = [t // 100 for t in lat]
    check(win == sorted(set(win)), "one lat line per 100 ms window: %s" % lat)
    check(all(t >= 100 for t in lat[:-1]), "no window closes before its end: %s" % lat)
    for kind in ("bw", "iops"):
        ts = windows_ok(lines("v_%s.1.log" % kind), 100)
        check(len(ts) >= 2 and ts == sorted(ts), "%s samples: %s" % (kind, ts))
        check(all(b - a >= 99 for a, b in zip(ts, ts[1:])),
              "%s: samples at least log_avg_msec apart (fio's 1 ms slack): %s" % (kind, ts))
    iops = [int(fields(ln)[1]) for ln in lines("v_iops.1.log")]
    check(all(v > 1 for v in iops), "IOPS are rates, not per-IO ones: %s" % iops[:5])


def case_window_value():
    """log_max_value / log_window_value: max logs each window's maximum, both adds it (fio 3.37)"""
    common = ["--output=/dev/null", "--name=j", "--ioengine=null", "--rw=read", "--bs=4k",
              "--size=1g", "--time_based", "--runtime=300ms", "--log_avg_msec=100"]
    for opt in ("--log_max_value=1", "--log_window_value=max"):
        run(*common, "--write_lat_log=m", opt)
        check(all(len(fields(ln)) == 5 for ln in lines("m_lat.1.log")) and
              lines("m_lat.1.log"), "%s: lines" % opt)
    run(*common, "--write_lat_log=b", "--write_iops_log=b", "--log_window_value=both",
        "--log_offset=1")
    for kind in ("lat", "iops"):
        ls = lines("b_%s.1.log" % kind)
        check(ls, "%s: lines" % kind)
        for ln in ls:
            f = fields(ln)
            # time, mean, max, direction, bs 0, offset 0, prio
            check(len(f) == 7 and f[4:] == ["0", "0", "0"] and int(f[2]) >= int(f[1]),
                  "%s: %r" % (kind, ln))


def case_issue_time():
    """log_issue_time=1 (fio 3.38): clat and slat lines end with the issue time, others 0"""
    p = run("--output=/dev/null", "--name=j", "--ioengine=libaio", "--iodepth=4",
            "--rw=write", "--bs=4k", "--size=64k", "--filename=" + path("data"),
            "--write_lat_log=i", "--write_bw_log=i", "--log_offset=1", "--log_issue_time=1",
            want_rc=None)
    if p.returncode != 0 and "libaio" in p.stderr:
        raise Skip("no libaio engine: " + p.stderr.strip()[:200])
    check(p.returncode == 0, p.stderr)
    for kind, zero in (("clat", False), ("slat", False), ("lat", True), ("bw", True)):
        ls = lines("i_%s.1.log" % kind)
        check(len(ls) == 16, "%s: %d lines" % (kind, len(ls)))
        for ln in ls:
            f = fields(ln)
            check(len(f) == 7 and (f[6] == "0") == zero, "%s: %r" % (kind, ln))
    issue = [int(fields(ln)[6]) for ln in lines("i_slat.1.log")]
    check(issue == sorted(issue), "issue times in order: %s" % issue)
    p = run("--parse-only", "--name=j", "--ioengine=null", "--size=64k", "--write_lat_log",
            "--log_issue_time=1", want_rc=1)
    check("log_offset" in p.stderr, p.stderr)


def hist_lines(name, coarseness=0):
    ls = lines(name)
    for ln in ls:
        f = fields(ln)
        check(len(f) == 3 + (PLAT_NR >> coarseness), "%d fields" % len(f))
    return ls


def case_hist_log():
    """write_hist_log: one line per log_hist_msec window of fio's bins, coarsened"""
    job("--write_hist_log=h")
    check(lines("h_clat_hist.1.log") == [], "no log_hist_msec: empty, as fio")
    for c in (0, 3):
        run("--output=/dev/null", "--name=j", "--ioengine=null", "--rw=read", "--bs=4k",
            "--size=1g", "--time_based", "--runtime=500ms", "--log_hist_msec=100",
            "--log_hist_coarseness=%d" % c, "--write_hist_log=h%d" % c)
        ls = hist_lines("h%d_clat_hist.1.log" % c, c)
        check(len(ls) >= 2, "windows of 100 ms in 500 ms: %d" % len(ls))
        check(all(sum(int(x) for x in fields(ln)[3:]) > 0 for ln in ls), "counts")


def case_fiologparser_hist():
    """fio's tools/hist/fiologparser_hist.py reads the histogram log"""
    src = subprocess.run(["git", "-C", FIO_MIRROR, "show",
                          "fio-3.33:tools/hist/fiologparser_hist.py"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if src.returncode != 0:
        raise Skip("fio's source mirror is not at " + FIO_MIRROR)
    py = next((p for p in (sys.executable, "/usr/bin/python3")
               if subprocess.run([p, "-c", "import pandas, numpy"],
                                 stderr=subprocess.DEVNULL).returncode == 0), None)
    if not py:
        raise Skip("no Python with pandas (Debian: python3-pandas)")
    with open(path("fiologparser_hist.py"), "w") as f:
        f.write(src.stdout)
    run("--output=/dev/null", "--name=j", "--ioengine=null", "--rw=read", "--bs=4k",
        "--size=1g", "--time_based", "--runtime=500ms", "--log_hist_msec=100",
        "--write_hist_log=h")
    p = run(path("fiologparser_hist.py"), "h_clat_hist.1.log", tool=py)
    out = p.stdout.strip().splitlines()
    check(out and out[0].startswith("end-time, samples"), p.stdout[:500])
    check(len(out) >= 2 and int(fields(out[1])[1]) > 0, p.stdout[:500])


def case_compression_round_trip():
    """log_store_compressed=1 stores .log.fz; --inflate-log gives the lines back"""
    job("--write_bw_log=z", "--write_lat_log=z", "--log_offset=1",
        "--log_compression=1k", "--log_store_compressed=1")
    check(logs_in() == ["z_bw.1.log.fz", "z_clat.1.log.fz", "z_lat.1.log.fz",
                        "z_slat.1.log.fz"], logs_in())
    p = run("--inflate-log=z_lat.1.log.fz")
    ls = p.stdout.splitlines()
    check([int(fields(ln)[4]) for ln in ls] == [i * 4096 for i in range(16)], ls[:3])
    check(all(len(fields(ln)) == 6 for ln in ls), ls[:3])
    check(run("--inflate-log=z_slat.1.log.fz").stdout == "", "empty slat")


def case_compression_in_memory():
    """log_compression alone: chunks deflated in memory, the file is text, in order"""
    run("--output=/dev/null", "--name=j", "--ioengine=null", "--rw=write", "--bs=4k",
        "--size=4m", "--write_bw_log=c", "--log_offset=1", "--log_compression=1k")
    offs = [int(fields(ln)[4]) for ln in lines("c_bw.1.log")]
    check(offs == [i * 4096 for i in range(1024)], "1024 IOs in order: %s" % offs[:5])


def case_plot_from_log():
    """--plot draws each direction's completion latency over time from the job's clat log"""
    run("--output=/dev/null", "--name=j", "--ioengine=null", "--rw=randrw", "--bs=4k",
        "--size=1g", "--time_based", "--runtime=300ms", "--log_avg_msec=10",
        "--write_lat_log=p", "--plot=p.svg")
    with open(path("p.svg")) as f:
        svg = f.read()
    check(svg.count('class="latlog"') == 2 and "p_clat.1.log" in svg, svg[:300])
    pts = re.findall(r'class="latmean"[^>]*points="([^"]*)"', svg)
    check(len(pts) == 2 and all(len(p.split()) >= 2 for p in pts), pts)
    run("--output=/dev/null", "--name=j", "--ioengine=null", "--size=1m", "--plot=q.svg")
    with open(path("q.svg")) as f:
        check('class="latlog"' not in f.read(), "no log, no latency-over-time chart")


def case_unwritable_path():
    """a log path that cannot be written fails the job before its IO, naming the path"""
    p = run("--output=/dev/null", "--name=j", "--ioengine=null", "--size=64k",
            "--write_bw_log=" + path("no", "such", "dir"), want_rc=1)
    check(path("no", "such", "dir_bw.1.log") in p.stderr, p.stderr)


def case_inflate_errors():
    """--inflate-log of a file that is not a stored log says so"""
    with open(path("bad.fz"), "w") as f:
        f.write("not zlib\n")
    p = run("--inflate-log=bad.fz", want_rc=1)
    check("bad.fz" in p.stderr and "zlib" in p.stderr, p.stderr)
    p = run("--inflate-log=missing.fz", want_rc=1)
    check("missing.fz" in p.stderr, p.stderr)


def case_refusals():
    """gtod_reduce with logs, a compressed histogram log, fio 3.37+ columns stored are refused"""
    for args, word in ((["--write_bw_log", "--gtod_reduce=1"], "gtod_reduce"),
                       (["--write_hist_log", "--log_store_compressed=1"], "write_hist_log"),
                       (["--write_bw_log", "--log_window_value=both",
                         "--log_store_compressed=1"], "log_window_value=both")):
        p = run("--output=/dev/null", "--name=j", "--ioengine=null", "--size=64k", *args,
                want_rc=1)
        check(word in p.stderr, "%s: %s" % (args, p.stderr))
    run("--parse-only", "--name=j", "--ioengine=null", "--size=64k", "--log_issue_time=0")


def need_fio():
    if not os.access(FIO, os.X_OK):
        raise Skip("fio is not installed at " + FIO)


def case_fio_inflates_ours():
    """fio 3.33's --inflate-log reads tenon-io's .log.fz, and tenon-io reads fio's"""
    need_fio()
    job("--write_iops_log=t", "--log_offset=1", "--log_store_compressed=1")
    ours = run("--inflate-log=t_iops.1.log.fz").stdout
    theirs = run("--inflate-log=t_iops.1.log.fz", tool=FIO).stdout
    check(ours == theirs and len(ours.splitlines()) == 16, "%r\n%r" % (ours[:200], theirs[:200]))
    os.mkdir(path("fio"))
    job("--write_iops_log=t", "--log_offset=1", "--log_store_compressed=1", tool=FIO,
        cwd=path("fio"))
    ours = run("--inflate-log=" + path("fio", "t_iops.1.log.fz")).stdout
    theirs = run("--inflate-log=" + path("fio", "t_iops.1.log.fz"), tool=FIO).stdout
    check(ours == theirs and len(ours.splitlines()) == 16, "%r\n%r" % (ours[:200], theirs[:200]))


def shape(where):
    """Per file: line count, then per column whether it is all integers or hex,
    and the columns that do not vary with timing (direction, bs, offset)."""
    out = {}
    for n in logs_in(where):
        ls = lines(n, where)
        kinds = set()
        fixed = []
        for ln in ls:
            f = fields(ln)
            kinds.add(tuple("hex" if x.startswith("0x") else "int" if x.isdigit() else "?"
                            for x in f))
            fixed.append((f[2], f[3], f[4]))
        out[n] = (len(ls), sorted(kinds), sorted(fixed))
    return out


def case_same_shape_as_fio():
    """the same job writes the same files, line counts and columns as fio 3.33"""
    need_fio()
    for tool, where in ((TIO, path("t")), (FIO, path("f"))):
        os.mkdir(where)
        job("--write_bw_log=s", "--write_lat_log=s", "--write_iops_log=s",
            "--write_hist_log=s", "--log_offset=1", tool=tool, cwd=where)
    ours, theirs = shape(path("t")), shape(path("f"))
    check(ours == theirs, "tenon-io %s\nfio      %s" % (ours, theirs))


def case_fio_log_compression_suite():
    """fio's t/log_compression.py passes against tenon-io"""
    script = os.path.join(FIO_TESTS, "t", "log_compression.py")
    if not os.path.exists(script):
        raise Skip("fio's test suite is not at " + FIO_TESTS)
    p = run(script, "-f", TIO, tool=sys.executable)
    check("2 tests passed, 0 failed" in p.stdout, p.stdout)


def case_fio_generate_plots():
    """fio's tools/fio_generate_plots draws the logs (gnuplot)"""
    if not shutil.which("gnuplot"):
        raise Skip("gnuplot is not installed (Debian: gnuplot-nox)")
    src = subprocess.run(["git", "-C", FIO_MIRROR, "show", "fio-3.33:tools/fio_generate_plots"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    if src.returncode != 0:
        raise Skip("fio's source mirror is not at " + FIO_MIRROR)
    with open(path("fio_generate_plots"), "w") as f:
        f.write(src.stdout)
    job("--write_bw_log=g", "--write_lat_log=g", "--write_iops_log=g")
    run("sh", path("fio_generate_plots"), "g", tool="env")
    svgs = sorted(n for n in os.listdir(TMP) if n.endswith(".svg"))
    check(len(svgs) >= 4, "plots: %s" % svgs)


def main():
    global TIO
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    TIO = os.path.abspath(sys.argv[1])
    only = os.environ.get("LOGS_CASES", "").split(",") if os.environ.get("LOGS_CASES") else None
    cases = [f for n, f in sorted(globals().items()) if n.startswith("case_") and callable(f)
             and (not only or n[5:] in only)]
    return run_cases(cases, "tio-logs-", use_tmp)


if __name__ == "__main__":
    sys.exit(main())
