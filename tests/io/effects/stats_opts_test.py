#!/usr/bin/env python3
"""What a job measures and reports, as fio 3.33: disable_lat, disable_clat,
disable_slat, disable_bw_measurement, stats, bwavgtime, iopsavgtime and
significant_figures.
Each case compares a run with the option against fio 3.33's output for the
same job (its JSON keys zeroed or absent, its jobs left out). Cases are
TAP, through effects_test.py's helpers.

usage: stats_opts_test.py TENON_IO
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import effects_test as E  # noqa: E402
from effects_test import check, run_cases  # noqa: E402

LATS = ("slat_ns", "clat_ns", "lat_ns")


def aio(*args):
    """A libaio job j of 256 KiB on TMP/d with fsync=8, plus args."""
    E.make_file("d", 256 << 10)
    return E.on_file("d", "--ioengine=libaio", "--iodepth=4", "--rw=randrw", "--fsync=8",
                     *args)


def measured(r):
    """{measure: (N, has percentiles)} of the job's reads, and the others."""
    j = r.job()
    rd = j["read"]
    out = {k: (rd[k]["N"], "percentile" in rd[k]) for k in LATS}
    out["buckets"] = sum(sum(j[k].values()) for k in ("latency_ns", "latency_us", "latency_ms"))
    out["sync"] = j["sync"]["lat_ns"]["N"]
    return out


def case_disable_lat():
    """disable_lat: no total latency, and no lat percentiles, as fio 3.33; the rest stays"""
    base = measured(E.ok_run(*aio("--lat_percentiles=1")))
    check(all(base[k][0] > 0 for k in LATS) and base["lat_ns"][1] and base["sync"] > 0,
          "everything measured by default: %s" % base)
    m = measured(E.ok_run(*aio("--disable_lat=1", "--lat_percentiles=1")))
    check(m["lat_ns"] == (0, False), "lat_ns zero, no percentiles: %s" % m)
    check(m["slat_ns"][0] > 0 and m["clat_ns"] == base["clat_ns"] and m["buckets"] > 0
          and m["sync"] > 0, "slat, clat, buckets and sync stay: %s" % m)
    r = E.tenon_io(*E.null("--disable_lat=1", "--max_latency=1s"))
    check(r.rc == 1 and "checks no latency limit" in r.err, "max_latency refused: " + r.err)


def case_disable_clat():
    """disable_clat: no completion latency, percentiles, latency buckets or sync latency, as fio 3.33"""
    m = measured(E.ok_run(*aio("--disable_clat=1")))
    check(m["clat_ns"] == (0, False) and m["buckets"] == 0 and m["sync"] == 0,
          "clat, its percentiles, buckets and sync latency gone: %s" % m)
    check(m["slat_ns"][0] > 0 and m["lat_ns"][0] > 0, "slat and lat stay: %s" % m)
    r = E.tenon_io(*E.null("--disable_clat=1", "--write_hist_log=h"))
    check(r.rc == 1 and "write_hist_log with disable_clat" in r.err, "hist log refused: " + r.err)


def case_disable_slat():
    """disable_slat: no submission latency, as fio 3.33; the rest stays"""
    m = measured(E.ok_run(*aio("--disable_slat=1", "--slat_percentiles=1")))
    check(m["slat_ns"] == (0, False), "slat zero, no percentiles: %s" % m)
    check(m["clat_ns"][0] > 0 and m["lat_ns"][0] > 0 and m["sync"] > 0, "the rest stays: %s" % m)
    r = E.tenon_io(*E.null("--disable_slat=1", "--write_lat_log=l"))
    check(r.rc == 1 and "write_lat_log" in r.err, "lat log refused: " + r.err)


def case_disable_bw():
    """disable_bw_measurement (disable_bw): the report keeps its samples, as fio 3.33's; with clat and slat off, lat must go too"""
    for name in ("disable_bw", "disable_bw_measurement"):
        r = E.ok_run(*E.null("--%s=1" % name, "--time_based", "--runtime=1200ms",
                             "--rate_iops=500"))
        rd = r.job()["read"]
        # two on a quiet machine; a starved run may take one less
        most = rd["runtime"] // 500
        check(1 <= rd["bw_samples"] <= most and 1 <= rd["iops_samples"] <= most and
              rd["lat_ns"]["N"] > 0,
              "%s: samples every 500 ms and latencies stay: %s" % (name, rd))
    r = E.tenon_io(*E.null("--disable_bw=1", "--disable_clat=1", "--disable_slat=1"))
    check(r.rc == 1 and "set disable_lat=1 too" in r.err, "refused: " + r.err)
    m = E.ok_run(*E.null("--disable_bw=1", "--disable_clat=1", "--disable_slat=1",
                         "--disable_lat=1")).job()["read"]
    check(all(m[k]["N"] == 0 for k in LATS) and m["total_ios"] == 256, "all four: %s" % m)
    r = E.tenon_io(*E.null("--disable_bw=1", "--write_bw_log=b"))
    check(r.rc == 1 and "write_bw_log with disable_bw" in r.err, "bw log refused: " + r.err)


def case_stats():
    """stats=0: the job is in no report entry, group line or group_reporting sum (fio 3.33 prints an empty entry instead)"""
    jobs = ["--ioengine=null", "--size=1M", "--bs=4k", "--name=a", "--name=b", "--stats=0",
            "--name=c"]
    j = E.ok_run(*jobs).jobs()
    check([x["jobname"] for x in j] == ["a", "c"], "b left out: %s" % [x["jobname"] for x in j])
    r = E.ok_run(*jobs, fmt="normal")
    check("\nb: (groupid" not in r.out and "io=2048KiB" in r.out,
          "normal report: b out of the jobs and the group's total:\n" + r.out)
    r = E.ok_run("--output-format=terse", *jobs, fmt="terse")
    check([ln.split(";")[2] for ln in r.out.splitlines()] == ["a", "c"], "terse: " + r.out)
    j = E.ok_run("--group_reporting", *jobs).jobs()
    check(len(j) == 1 and j[0]["read"]["io_bytes"] == 2 << 20,
          "group_reporting sums a and c only: %s" % [x["read"]["io_bytes"] for x in j])
    r = E.ok_run(*E.null("--stats=0"), fmt="normal")
    check("Run status group 0 (all jobs):" in r.out and "READ:" not in r.out,
          "a group of stats=0 jobs: its header alone, as fio:\n" + r.out)
    check(E.ok_run(*E.null("--stats=0")).jobs() == [], "JSON: no job")
    r = E.tenon_io(*E.null("--stats=0", "--write_iops_log=i"))
    check(r.rc == 1 and "stats=0" in r.err, "logs refused: " + r.err)


def samples(*args):
    rd = E.ok_run(*E.null("--time_based", "--runtime=1200ms", "--rate_iops=500",
                          *args)).job()["read"]
    return rd["bw_samples"], rd["iops_samples"]


def case_bwavgtime():
    """bwavgtime: a bandwidth sample every N ms (the last partial interval not counted)"""
    check(samples() == (2, 2), "500 ms by default: %s" % (samples(),))
    check(samples("--bwavgtime=200") == (5, 2), "200 ms: %s" % (samples("--bwavgtime=200"),))
    r = E.tenon_io(*E.null("--bwavgtime=200", "--write_bw_log=b"))
    check(r.rc == 1 and "log_avg_msec" in r.err, "with write_bw_log refused: " + r.err)
    r = E.tenon_io(*E.null("--bwavgtime=0"))
    check(r.rc == 1 and "bwavgtime" in r.err, "0 refused: " + r.err)


def case_iopsavgtime():
    """iopsavgtime: an IOPS sample every N ms, apart from the bandwidth's"""
    got = samples("--iopsavgtime=250")
    check(got == (2, 4), "250 ms: %s" % (got,))
    got = samples("--iopsavgtime=300", "--bwavgtime=200")
    check(got == (5, 3), "300 and 200 ms: %s" % (got,))
    r = E.tenon_io(*E.null("--iopsavgtime=200", "--write_iops_log=i"))
    check(r.rc == 1 and "log_avg_msec" in r.err, "with write_iops_log refused: " + r.err)


def case_significant_figures():
    """significant_figures: the normal report's sizes, bandwidths and IOPS with N figures, by fio's num2str rules"""
    job = ["--ioengine=null", "--size=1234564k", "--bs=4k", "--name=a"]
    want = {  # io= of the group line, both halves, as fio 3.33 prints them
        None: "io=1206MiB (1264MB)",
        "2": "io=1GiB (1GB)",
        "6": "io=1205.6MiB (1264.2MB)",
        "7": "io=1234564KiB (1264194kB)",
        "10": "io=1264193536B (1264193536B)",
    }
    for n, io in want.items():
        r = E.ok_run(*job, *(["--significant_figures=" + n] if n else []), fmt="normal")
        check(io in r.out, "%s figures: %r in:\n%s" % (n or "default 4", io, r.out))
    r = E.ok_run(*job, "--significant_figures=7", fmt="normal")
    check("(1234564KiB/" in r.out, "the job's read line too:\n" + r.out)
    two = job + ["--significant_figures=7", "--name=b", "--significant_figures=2"]
    r = E.ok_run(*two, fmt="normal")
    check("(1234564KiB/" in r.out and "(1GiB/" in r.out and "io=2GiB (3GB)" in r.out,
          "each job its own figures, the group line the last job's:\n" + r.out)
    r = E.ok_run(*two, "--group_reporting", fmt="normal")
    check("(2469128KiB/" in r.out and "io=2469128KiB (2528387kB)" in r.out,
          "a group_reporting sum takes its first job's:\n" + r.out)
    for bad in ("0", "11"):
        r = E.tenon_io(*job, "--significant_figures=" + bad)
        check(r.rc == 1 and "significant_figures" in r.err, "%s refused: %s" % (bad, r.err))


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    E.TIO = os.path.abspath(sys.argv[1])
    cases = [f for n, f in sorted(globals().items()) if n.startswith("case_") and callable(f)]
    return run_cases(cases, "tio-statsopts-", E.use_tmp)


if __name__ == "__main__":
    sys.exit(main())
