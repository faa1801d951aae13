#!/usr/bin/env python3
"""tenon-io's program options and output formats as fio 3.33 defines them:
--readonly, --max-jobs, --showcmd, --aux-path, --minimal, --terse-version,
--status-interval,
--output-format=json+/terse and lists of formats, and the percentile job
options (clat_percentiles, lat_percentiles, slat_percentiles,
percentile_list) in every format. Runs use the null engine or small files
in a temporary folder. Output is TAP.

usage: output_test.py TENON_IO
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from harness import Fail, check, run_cases, sanitizer_check  # noqa: E402
from harness import TioRun as Run  # noqa: E402

TIO = None
TMP = None
DEFAULT_PCTS = ["1.000000", "5.000000", "10.000000", "20.000000", "30.000000", "40.000000",
                "50.000000", "60.000000", "70.000000", "80.000000", "90.000000", "95.000000",
                "99.000000", "99.500000", "99.900000", "99.950000", "99.990000"]


def use_tmp(path):
    global TMP
    TMP = path


def tio(*args):
    cmd = [TIO, "--eta=never"] + list(args)
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=60, cwd=TMP)
    except subprocess.TimeoutExpired:
        raise Fail("tenon-io did not finish: %s" % " ".join(cmd))
    sanitizer_check(p.stderr, cmd)
    return Run(p.returncode, p.stdout, p.stderr)


def ok(*args):
    r = tio(*args)
    check(r.rc == 0 and not r.err, "tenon-io %s:\n%s" % (" ".join(args), r.describe()))
    return r


def refused(words, *args):
    r = tio(*args)
    check(r.rc == 1 and words in r.err, "want exit 1 and '%s':\n%s" % (words, r.describe()))
    return r


def null(*args, name="j", size="256k"):
    return ["--name=" + name, "--ioengine=null", "--size=" + size, "--bs=4k"] + list(args)


def path(name):
    return os.path.join(TMP, name)


def terse_fields(line):
    return line.rstrip("\n").split(";")


# ---- program options ---------------------------------------------------------

def case_readonly():
    """--readonly refuses a job that writes or trims, before any IO, wherever it is given"""
    ok("--readonly", *null("--rw=randread"))
    ok(*null("--rw=randread"), "--readonly")
    for rw in ("write", "randwrite", "rw", "randrw", "trim", "randtrim", "trimwrite",
               "randtrimwrite"):
        refused("--readonly allows no write", "--readonly", *on_file("w", "--rw=" + rw))
        check(not os.path.exists(path("w")), "no file made for rw=%s" % rw)
        refused("--readonly allows no write", *null("--rw=" + rw), "--readonly")


def on_file(name, *args, size="64k"):
    return ["--name=j", "--filename=" + path(name), "--size=" + size, "--bs=4k"] + list(args)


def case_readonly_no_layout():
    """--readonly creates no file and extends none; a big enough file is read"""
    refused("--readonly allows no file to be created", "--readonly", *on_file("missing"))
    check(not os.path.exists(path("missing")), "not created")
    with open(path("small"), "wb") as f:
        f.write(b"\1" * 4096)
    refused("--readonly allows no write to extend it", "--readonly", *on_file("small"))
    check(os.path.getsize(path("small")) == 4096, "not extended")
    with open(path("big"), "wb") as f:
        f.write(b"\1" * 65536)
    r = ok("--readonly", "--output-format=json", *on_file("big"))
    check(r.job()["read"]["total_ios"] == 16, "read all of it")


def case_max_jobs():
    """--max-jobs=N refuses more than N jobs after numjobs; N or fewer run"""
    r = ok("--max-jobs=2", "--output-format=json", *null("--numjobs=2"))
    check(len(r.jobs()) == 2, "two jobs")
    refused("more than --max-jobs=2", "--max-jobs=2", *null("--numjobs=3"))
    refused("whole number of jobs", "--max-jobs=0", *null())


def case_showcmd():
    """--showcmd prints each job file as a command line and runs nothing"""
    with open(path("a.fio"), "w") as f:
        f.write("[global]\nioengine=null\nbs=8k\n[one]\nrw=read\nsize=1m\n"
                "[two]\nsize=2m\nstonewall\ndescription=two words\n")
    r = ok("--showcmd", path("a.fio"), path("a.fio"))
    want = ("tenon-io --ioengine=null --bs=8k --name=one --rw=read --size=1m --name=two "
            "--size=2m --stonewall '--description=two words' ")
    check(r.out.splitlines() == [want, want], r.out)
    # what it prints runs the same jobs
    words = ["--ioengine=null", "--bs=8k", "--name=one", "--rw=read", "--size=1m",
             "--name=two", "--size=2m", "--stonewall", "--description=two words"]
    a = ok("--output-format=json", path("a.fio")).jobs()
    b = ok("--output-format=json", *words).jobs()
    check([(j["jobname"], j["read"]["total_ios"]) for j in a] ==
          [(j["jobname"], j["read"]["total_ios"]) for j in b], "same jobs")


def case_aux_path():
    """--aux-path names a folder for auxiliary files and changes nothing else"""
    r = ok("--aux-path=" + TMP, "--output-format=json", *null())
    check(r.job()["read"]["total_ios"] == 64, r.out[:300])


def case_status_interval():
    """--status-interval: reports of the run so far while it runs, then the final one"""
    r = ok("--status-interval=200ms", "--output-format=terse",
           *null("--time_based", "--runtime=1500ms", "--rate_iops=200"))
    lines = [terse_fields(l) for l in r.out.splitlines() if l.startswith("3;")]
    ios = [int(f[5]) for f in lines]  # KiB read: cumulative from the start
    check(len(lines) >= 2 and ios == sorted(ios) and lines[0][2] == "j",
          "interim then final terse lines, IOs never going down: %s" % ios)
    out = path("status.json")
    ok("--status-interval=200ms", "--output-format=json", "--output=" + out,
       *null("--time_based", "--runtime=1500ms", "--rate_iops=200"))
    with open(out) as f:
        text = f.read()
    check(text.count('"jobs"') >= 2, "interim reports kept ahead of the final one in --output")
    refused("at least 1ms", "--status-interval=500us", *null())
    refused("is not a time", "--status-interval=often", *null())


def json_docs(text):
    """Every JSON report in text, in order."""
    dec, docs, i = json.JSONDecoder(), [], text.find("{")
    while i >= 0:
        doc, end = dec.raw_decode(text, i)
        docs.append(doc)
        i = text.find("{", end)
    return docs


def case_status_interval_full():
    """--status-interval: interim reports as full as the final one, cumulative, in each format"""
    job = null("--time_based", "--runtime=1500ms", "--rate_iops=200", "--iodepth=4",
               "--ioengine=libaio", "--lat_percentiles=1", size="1m")
    job[job.index("--ioengine=null")] = "--filename=" + path("si.dat")
    reports = json_docs(ok("--status-interval=400ms", "--output-format=json", *job).out)
    reads = [d["jobs"][0]["read"] for d in reports]
    check(len(reads) >= 3, "interim JSON reports then the final one: %d" % len(reads))
    ios = [r["total_ios"] for r in reads]
    check(ios == sorted(ios) and ios[0] > 0, "cumulative IOs: %s" % ios)
    for r in reads:
        check(r["clat_ns"]["max"] > 0 and r["lat_ns"]["mean"] > 0 and r["runtime"] > 0
              and "percentile" in r["clat_ns"] and "percentile" in r["lat_ns"]
              and r["iops_samples"] >= 0, "a report without latencies: %s" % r)
    mins = [r["clat_ns"]["min"] for r in reads]
    check(mins == sorted(mins, reverse=True), "the minimum never rises: %s" % mins)
    for d in reports:
        depth = d["jobs"][0]["iodepth_level"]
        check(abs(sum(float(v) for v in depth.values()) - 100) < 0.5, depth)
    text = ok("--status-interval=400ms", *job).out
    check(text.count("clat percentiles") >= 3 and text.count("Run status group 0") >= 3
          and text.count("  cpu          :") >= 3, "normal interim reports:\n" + text[:3000])
    lines = [terse_fields(x) for x in ok("--status-interval=400ms", "--output-format=terse",
                                         *job).out.splitlines() if x.startswith("3;")]
    check(len(lines) >= 3 and all(float(f[14]) > 0 and float(f[39]) > 0 for f in lines),
          "terse interim lines with clat max and lat mean: %s" % [f[13:17] for f in lines])
    # a synchronous engine and several jobs, one reported as a group
    text = ok("--status-interval=400ms", "--output-format=json", "--group_reporting",
              *null("--time_based", "--runtime=1200ms", "--rate_iops=100", "--numjobs=2")).out
    for d in json_docs(text):
        j = d["jobs"][0]
        check(len(d["jobs"]) == 1 and j["read"]["clat_ns"]["max"] > 0
              and abs(sum(float(v) for v in j["iodepth_level"].values()) - 100) < 0.5, j)


def case_bandwidth_log():
    """--bandwidth-log writes fio's agg-{read,write,trim}_bw.log: msec, KiB/s, ddir, 0, 0"""
    ok(*null("--rw=read", "--time_based", "--runtime=1200ms", size="64m"), "--bandwidth-log")
    logs = {}
    for d, name in enumerate(("read", "write", "trim")):
        with open(path("agg-%s_bw.log" % name)) as f:
            logs[name] = [[int(x) for x in line.split(", ")] for line in f]
        check([x[0] for x in logs[name]] == [500, 1000], logs[name])
        check(all(x[2] == d and x[3:] == [0, 0] for x in logs[name]), logs[name])
    check(all(x[1] > 0 for x in logs["read"]), logs["read"])
    check(all(x[1] == 0 for x in logs["write"] + logs["trim"]), logs)


def debug_lines(text, cat):
    return [line.split(None, 2) for line in text.splitlines() if line.startswith(cat + " ")]


def case_debug():
    """--debug=io,random,parse: fio's trace lines; with --output they go into the file"""
    r = ok("--debug=io,random", *null("--rw=randread", size="16k"))
    io = debug_lines(r.out, "io")
    check(len(io) == 8 and io[0][2].startswith("fill: io_u 0x") and
          io[1][2].startswith("complete: io_u 0x") and ",len=0x1000,ddir=0," in io[0][2], io)
    check(len(r.out.split("\n", 1)[0]) > 14 and r.out[8] == " ", "category padded to 8")
    rnd = debug_lines(r.out, "random")
    check([x[2] for x in rnd][0] == "FIO_RAND_NR_OFFS=21" and len(rnd) == 22 and
          all(x[2].startswith("rand_seeds[%d]=" % i) for i, x in enumerate(rnd[1:])), rnd)
    ok("--debug=random", "--output=" + path("o"), *null())
    with open(path("o")) as f:
        text = f.read()
    check(text.startswith("random ") and "rand_seeds[0]=" in text and "issued rwts" in text, text)
    r = ok("--parse-only", "--debug=parse", *null("--bs=8k"))
    check(["parse", "handle_option=bs, ptr=8k"] == [debug_lines(r.out, "parse")[-1][0],
                                                     debug_lines(r.out, "parse")[-1][2]], r.out)
    r = ok("--debug=all", *null(size="4k"))
    check(debug_lines(r.out, "io") and debug_lines(r.out, "random"), "all")
    check("zbd" in ok("--debug=?").out, "? lists fio's categories")
    refused("not traced by tenon-io", "--debug=file", *null())
    refused("unknown debug category", "--debug=bogus", *null())


def case_randseed_fixes_seed():
    """an explicit randseed fixes the seed even with randrepeat=0, as fio"""
    def seed(*opts):
        r = ok("--debug=random", *null(*opts))
        return [x[2] for x in debug_lines(r.out, "random")]
    check(seed("--randseed=5", "--randrepeat=0") == seed("--randseed=5", "--randrepeat=0"),
          "same")
    check(seed("--randrepeat=0") != seed("--randrepeat=0"), "without randseed: drawn anew")


# ---- output formats ------------------------------------------------------------

def case_terse():
    """terse: fio's v3 line, 121 fields"""
    r = ok("--output-format=terse", *null("--rw=randread"))
    lines = r.out.splitlines()
    check(len(lines) == 1, r.out)
    f = terse_fields(lines[0])
    check(f[0] == "3" and f[1].startswith("tenon-io-") and f[2] == "j" and f[3:5] == ["0", "0"],
          f[:5])
    check(len(f) == 121, "%d fields: %s" % (len(f), lines[0]))
    # read: KiB, KiB/s, IOPS, runtime; then slat, clat, 20 percentiles, lat, bw
    check(f[5] == "256", "io KiB %s" % f[5])
    check(f[17].startswith("1.000000%=") and f[33].startswith("99.990000%=")
          and f[34:37] == ["0%=0"] * 3, f[17:37])
    # write (no IO): zeros, percentiles printed with value 0 as fio does
    check(f[46:50] == ["0", "0", "0", "0"] and f[58] == "1.000000%=0", f[46:60])
    check(f[-22].endswith("%") and f[-23].endswith("%"), "latency maps at the end: %s" % f[-23:])


def case_terse_versions():
    """--terse-version: v2 has no version fields, v4 adds trim, v5 adds samples"""
    lens = {}
    for v in ("2", "3", "4", "5"):
        r = ok("--minimal", "--terse-version=" + v, *null())
        f = terse_fields(r.out.splitlines()[0])
        lens[v] = len(f)
        check(f[0] == v, f[:3])
    check(lens == {"2": 161, "3": 121, "4": 162, "5": 180}, lens)
    refused("terse versions are 2, 3, 4 and 5", "--terse-version=1", *null())


def case_minimal():
    """--minimal prints only the terse line, whatever --output-format said before"""
    r = ok("--output-format=json", "--minimal", *null())
    check(r.out.count("\n") == 1 and r.out.startswith("3;"), r.out[:300])


def case_json_plus():
    """json+: each latency with percentiles also has fio's bins, summing to N"""
    r = ok("--output-format=json+", *null("--rw=randread"))
    c = r.job()["read"]["clat_ns"]
    check("bins" in c and sum(c["bins"].values()) == c["N"] == 64, c)
    keys = [int(k) for k in c["bins"]]
    check(keys == sorted(keys) and min(keys) <= c["min"] * 1.01 and max(keys) >= c["max"] * 0.99,
          keys)
    check("bins" not in r.job()["read"]["lat_ns"], "no lat bins without lat_percentiles")
    r = ok("--output-format=json", *null())
    check("bins" not in r.job()["read"]["clat_ns"], "json has no bins")


def case_json_plus_buckets():
    """json+ bins use fio's bucket values: exact below 128 ns, 64 per power of two above"""
    for v in range(0, 128):
        check(fio_bucket(v) == v, v)
    check(fio_bucket(193) == 193 and fio_bucket(192) == 193 and fio_bucket(1000) == 1004,
          [fio_bucket(x) for x in (192, 193, 1000)])
    r = ok("--output-format=json+", *null("--lat_percentiles=1", size="1m"))
    for lat in ("clat_ns", "lat_ns"):
        for k in r.job()["read"][lat]["bins"]:
            check(fio_bucket(int(k)) == int(k), "%s key %s is a bucket value" % (lat, k))


def fio_bucket(v):
    """The value fio's json+ shows for v (fio's stat.c bucket math)."""
    msb = v.bit_length() - 1 if v else 0
    if msb <= 6:
        return v
    eb = msb - 6
    idx = ((eb + 1) << 6) + (63 & (v >> eb))
    base = 1 << (eb + 6)
    return base + (idx % 64) * (1 << eb) + (1 << eb) // 2


def case_format_lists():
    """terse,json+,normal prints all three in fio's order: terse, JSON, normal"""
    r = ok("--output-format=normal,json+,terse", *null())
    t, rest = r.out.split("\n", 1)
    check(t.startswith("3;"), t)
    j = rest.index("{")
    end = rest.index("\n}\n") + 3
    check(rest[:j].strip() == "", rest[:j])
    check("bins" in Run(0, rest[j:end], "").job()["read"]["clat_ns"], "json+")
    check("issued rwts" in rest[end:], rest[end:][:300])
    refused("unknown output format 'xml'", "--output-format=json,xml", *null())


# ---- percentiles -----------------------------------------------------------

def pcts(r, lat, ddir="read"):
    return list(r.job()[ddir][lat].get("percentile", {}).keys())


def case_percentile_defaults():
    """by default only clat has percentiles, fio's 17"""
    r = ok("--output-format=json", *null())
    check(pcts(r, "clat_ns") == DEFAULT_PCTS, pcts(r, "clat_ns"))
    check(pcts(r, "lat_ns") == [] and pcts(r, "slat_ns") == [], "no lat or slat percentiles")
    check("clat percentiles" in ok(*null()).out, "normal")


def case_clat_percentiles():
    """clat_percentiles=0 drops clat's percentiles from every format"""
    r = ok("--output-format=json", *null("--clat_percentiles=0"))
    check(pcts(r, "clat_ns") == [], r.job()["read"]["clat_ns"])
    check("percentiles" not in ok(*null("--clat_percentiles=0")).out, "normal")
    f = terse_fields(ok("--minimal", *null("--clat_percentiles=0")).out)
    check(f[17:37] == ["0%=0"] * 20, f[17:37])


def case_lat_percentiles():
    """lat_percentiles=1 adds total latency percentiles; terse then shows lat's"""
    r = ok("--output-format=json", *null("--lat_percentiles=1"))
    lat = r.job()["read"]["lat_ns"]
    check(pcts(r, "lat_ns") == DEFAULT_PCTS and pcts(r, "clat_ns") == DEFAULT_PCTS, lat)
    check(lat["percentile"]["99.990000"] == lat["max"], lat)
    out = ok(*null("--lat_percentiles=1")).out
    check("    clat percentiles" in out and "    lat percentiles" in out, out)
    refused("same group", *null("--lat_percentiles=1"), *null(name="k"))


def case_slat_percentiles():
    """slat_percentiles=1 adds submission latency percentiles where there is slat"""
    r = ok("--output-format=json", "--ioengine=libaio", "--iodepth=4", "--direct=0",
           *on_file("s", "--slat_percentiles=1", "--rw=randread"))
    s = r.job()["read"]["slat_ns"]
    check(s["N"] > 0 and list(s["percentile"].keys()) == DEFAULT_PCTS, s)
    r = ok("--output-format=json", *null("--slat_percentiles=1"))
    check(pcts(r, "slat_ns") == [], "a sync engine has no slat, so no percentiles")


def case_percentile_list():
    """percentile_list picks the percentiles, sorted, in JSON, normal and terse"""
    r = ok("--output-format=json", *null("--percentile_list=99.9:50:1"))
    check(pcts(r, "clat_ns") == ["1.000000", "50.000000", "99.900000"], pcts(r, "clat_ns"))
    out = ok(*null("--percentile_list=99.9:50:1")).out
    check(" 1.00th=[" in out and "50.00th=[" in out and "99.90th=[" in out, out)
    f = terse_fields(ok("--minimal", *null("--percentile_list=50")).out)
    check(f[17].startswith("50.000000%=") and f[18:37] == ["0%=0"] * 19, f[17:37])
    refused("'101' is not a percentile", *null("--percentile_list=50:101"))


def case_unified_rw_reporting():
    """unified_rw_reporting: mixed reports one "mixed" direction, both adds it to the others"""
    mix = null("--rw=randrw", "--unified_rw_reporting=mixed")
    j = ok("--output-format=json", *mix).job()
    check([k for k in j if k in ("read", "write", "trim", "sync", "mixed")] == ["mixed", "sync"]
          and j["mixed"]["total_ios"] == 64 and j["mixed"]["clat_ns"]["N"] == 64, j.keys())
    out = ok(*mix).out
    check("  mixed: IOPS=" in out and "  read:" not in out and "  MIXED: bw=" in out, out)
    check(len(terse_fields(ok("--minimal", *mix).out)) == 80, "terse: one direction")
    both = null("--rw=randrw", "--unified_rw_reporting=both")
    j = ok("--output-format=json", *both).job()
    check([k for k in j if k in ("read", "write", "trim", "sync", "mixed")] ==
          ["read", "write", "trim", "sync", "mixed"] and
          j["mixed"]["total_ios"] == j["read"]["total_ios"] + j["write"]["total_ios"] == 64, j)
    out = ok(*both).out
    check("  read:" in out and "  mixed:" in out and "  MIXED: bw=" in out and " READ:" in out,
          out)
    check(len(terse_fields(ok("--minimal", *both).out)) == 162, "terse: read, write, mixed")
    j = ok("--output-format=json", *null("--rw=randrw", "--unified_rw_reporting=0")).job()
    check("mixed" not in j, "0 is none")
    refused("none, mixed or both", *null("--unified_rw_reporting=3"))


def case_group_reporting_percentiles():
    """group_reporting sums the lat histograms of the group's jobs"""
    r = ok("--output-format=json+", *null("--numjobs=2", "--group_reporting",
                                           "--lat_percentiles=1"))
    lat = r.job()["read"]["lat_ns"]
    check(lat["N"] == 128 and sum(lat["bins"].values()) == 128, lat)


def main():
    global TIO
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    TIO = os.path.abspath(sys.argv[1])
    cases = [f for n, f in sorted(globals().items()) if n.startswith("case_") and callable(f)]
    return run_cases(cases, "tio-output-", use_tmp)


if __name__ == "__main__":
    sys.exit(main())
