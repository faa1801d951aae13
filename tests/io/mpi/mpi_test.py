#!/usr/bin/env python3
"""tenon-io as the ranks of an MPI run (mpirun -n 2 and -n 4, oversubscribed
on this one machine): $rank, $nranks and $hostname in file names, a shared
file divided between the ranks, groups in step, the report of rank 0 with
the aggregate of every rank and fio's "client_stats" per rank, a failing
rank ending the job everywhere with its rank named, a killed or stopped
rank named by the others, logs and verify state files per rank, rank_shift
with a file per rank, and --parse-only printed once.

Every run has a hang limit (LIMIT seconds): reaching it is the failure; no
case measures time otherwise. Output is TAP; every case is skipped, saying
why, without mpirun or when tenon-io was built without MPI.

usage: mpi_test.py TENON_IO mpi|no-mpi
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from harness import Fail, Skip, TioRun, check, run_cases, sanitizer_check  # noqa: E402

TIO = os.path.abspath(sys.argv[1])
BUILT_WITH_MPI = sys.argv[2] == "mpi"
MPIRUN = shutil.which("mpirun")
LIMIT = 60
TMP = None
KIB = 1024


def use_tmp(path):
    global TMP
    TMP = path


def mpirun_cmd(n):
    if not MPIRUN:
        raise Skip("mpirun is not installed (Debian: openmpi-bin)")
    if not BUILT_WITH_MPI:
        raise Skip("tenon-io was built without MPI (Debian: libopenmpi-dev, meson -Dmpi=enabled)")
    cmd = [MPIRUN, "--oversubscribe", "-n", str(n)]
    if os.geteuid() == 0:
        cmd.append("--allow-run-as-root")
    return cmd


def env():
    e = dict(os.environ)
    # Open MPI keeps memory until exit on purpose: not tenon-io's leaks.
    e["ASAN_OPTIONS"] = e.get("ASAN_OPTIONS", "") + ":detect_leaks=0"
    # one machine: the shared-memory and loopback transports are enough
    e.setdefault("OMPI_MCA_btl", "self,vader,tcp")
    e.setdefault("OMPI_MCA_btl_tcp_if_include", "lo")
    e.setdefault("OMPI_MCA_oob_tcp_if_include", "lo")
    return e


def job_file(name, text):
    path = os.path.join(TMP, name)
    with open(path, "w") as f:
        f.write(text.replace("@TMP@", TMP))
    return path


def mpi(n, args):
    cmd = mpirun_cmd(n) + [TIO, "--eta=never"] + args
    start = time.monotonic()
    try:
        p = subprocess.run(cmd, cwd=TMP, capture_output=True, text=True, errors="replace",
                           timeout=LIMIT, env=env())
    except subprocess.TimeoutExpired:
        raise Fail("hung: %s did not end within %d s" % (" ".join(cmd), LIMIT))
    sanitizer_check(p.stderr, cmd)
    return TioRun(p.returncode, p.stdout, p.stderr, time.monotonic() - start)


def ok(run):
    check(run.rc == 0, "the run failed:\n" + run.describe())
    return run


def clients(report, job):
    """Each rank's entry of job, by rank, and the job's "All clients" entry."""
    per = {c["rank"]: c for c in report["client_stats"]
           if c["jobname"] == job and "rank" in c}
    total = [c for c in report["client_stats"]
             if c["jobname"] == "All clients" and c.get("aggregate_of") == job]
    check(len(total) == 1, "no single All clients entry for %s" % job)
    return per, total[0]


def check_aggregate(report, job, n):
    """The job's aggregate in "jobs" is what its ranks' entries add up to:
    bytes and IOs sum, the runtime is the longest rank's and bandwidth is
    all bytes over it, latency counts add, min and max are the extremes
    and every percentile of the merged histogram lies between the ranks'
    (within the histogram's bucket error)."""
    per, total = clients(report, job)
    check(sorted(per) == list(range(n)), "client_stats ranks: %s" % sorted(per))
    agg = [j for j in report["jobs"] if j["jobname"] == job][0]
    for d in ("read", "write"):
        a, ranks = agg[d], [per[r][d] for r in range(n)]
        for key in ("io_bytes", "total_ios"):
            check(a[key] == sum(x[key] for x in ranks),
                  "%s %s %s: aggregate %s, ranks %s" % (job, d, key, a[key],
                                                        [x[key] for x in ranks]))
        check(a["runtime"] == max(x["runtime"] for x in ranks),
              "%s %s runtime: aggregate %s, ranks %s" % (job, d, a["runtime"],
                                                         [x["runtime"] for x in ranks]))
        if a["runtime"]:
            check(a["bw_bytes"] == a["io_bytes"] * 1000 // a["runtime"],
                  "%s %s bw_bytes %s is not io_bytes / longest runtime" % (job, d, a["bw_bytes"]))
        if not a["total_ios"]:
            continue
        clat = a["clat_ns"]
        check(clat["N"] == sum(x["clat_ns"]["N"] for x in ranks), "clat N does not add up")
        check(clat["min"] == min(x["clat_ns"]["min"] for x in ranks if x["total_ios"]),
              "clat min is not the ranks' least")
        check(clat["max"] == max(x["clat_ns"]["max"] for x in ranks), "clat max")
        for p, v in clat["percentile"].items():
            vals = [x["clat_ns"]["percentile"][p] for x in ranks if x["total_ios"]]
            # within the histogram's bucket error (0.39%): each rank's value
            # is clamped to that rank's own min and max, the merged one not
            check(min(vals) * (1 - 1 / 256) <= v <= max(vals) * (1 + 1 / 256),
                  "%s %s p%s: merged %s outside the ranks' %s" % (job, d, p, v, vals))
    check(total["write"]["io_bytes"] == agg["write"]["io_bytes"] and
          total["read"]["io_bytes"] == agg["read"]["io_bytes"],
          "All clients differs from the job's aggregate")
    return agg, per


def case_file_per_process():
    """-n 2: $rank, $nranks, $hostname name a file per rank; the aggregate adds the ranks"""
    jf = job_file("fpp.fio", "[w]\nfilename=@TMP@/data.$rank.of.$nranks.$hostname\n"
                  "size=64k\nbs=4k\nrw=write\nverify=crc32c\n")
    run = ok(mpi(2, ["--output-format=json", jf]))
    host = os.uname().nodename
    for r in range(2):
        path = os.path.join(TMP, "data.%d.of.2.%s" % (r, host))
        check(os.path.exists(path) and os.path.getsize(path) == 64 * KIB,
              "%s missing or not 64 KiB: %s" % (path, sorted(os.listdir(TMP))))
    agg, per = check_aggregate(run.json(), "w", 2)
    check(agg["write"]["io_bytes"] == 128 * KIB, "aggregate bytes %s" % agg["write"]["io_bytes"])
    check(all(per[r]["hostname"] == host for r in per), "client hostnames")
    check(len(run.jobs()) == 1, "rank 0 reports the job once: %d entries" % len(run.jobs()))


def case_optional_histograms():
    """-n 2: slat/lat percentiles and latency per priority merge over the ranks too"""
    run = ok(mpi(2, ["--output-format=json", "--name=h", "--filename=" + TMP + "/h.$rank",
                     "--size=256k", "--ioengine=libaio", "--rw=randrw", "--lat_percentiles=1",
                     "--slat_percentiles=1", "--cmdprio_percentage=50", "--cmdprio_class=2",
                     "--percentile_list=50:99"]))
    report = run.json()
    agg, per = check_aggregate(report, "h", 2)
    for d in ("read", "write"):
        for kind in ("slat_ns", "lat_ns"):
            check(set(agg[d][kind].get("percentile", {})) == {"50.000000", "99.000000"},
                  "%s %s percentiles of the aggregate: %s" % (d, kind, agg[d][kind]))
            check(agg[d][kind]["N"] == sum(per[r][d][kind]["N"] for r in per),
                  "%s %s N adds up" % (d, kind))
        prios = {(p["prioclass"], p["prio"]): p["lat_ns"]["N"] for p in agg[d]["prios"]}
        check(set(prios) == {(0, 0), (2, 0)} and sum(prios.values()) == agg[d]["lat_ns"]["N"],
              "%s prios of the aggregate: %s" % (d, prios))


def case_shared_segmented():
    """-n 4: a file every rank names is divided into four parts, written and verified"""
    jf = job_file("seg.fio", "[global]\nfilename=@TMP@/shared\nsize=64k\nbs=4k\n"
                  "verify=crc32c\n[w]\nrw=randwrite\n[r]\nstonewall\nrw=read\n")
    run = ok(mpi(4, ["--output-format=json", jf]))
    check(os.path.getsize(os.path.join(TMP, "shared")) == 4 * 64 * KIB,
          "shared file size %d" % os.path.getsize(os.path.join(TMP, "shared")))
    # every 4 KiB block carries fio's verify header with its own offset:
    # the four parts together cover the file once
    with open(os.path.join(TMP, "shared"), "rb") as f:
        data = f.read()
    for off in range(0, len(data), 4 * KIB):
        magic = int.from_bytes(data[off:off + 2], "little")
        where = int.from_bytes(data[off + 16:off + 24], "little")
        check(magic == 0xacca and where == off, "block at %d: magic %#x offset %d"
              % (off, magic, where))
    check_aggregate(run.json(), "w", 4)
    agg, _ = check_aggregate(run.json(), "r", 4)
    check(agg["read"]["io_bytes"] == 4 * 64 * KIB and agg["error"] == 0,
          "the verify read: %s bytes, error %s" % (agg["read"]["io_bytes"], agg["error"]))


def headers(path, bs=4 * KIB):
    """(offset, thread) of fio's verify header in each block of path."""
    with open(path, "rb") as f:
        data = f.read()
    out = []
    for off in range(0, len(data), bs):
        check(int.from_bytes(data[off:off + 2], "little") == 0xacca,
              "block at %d of %s has no verify header" % (off, path))
        out.append((int.from_bytes(data[off + 16:off + 24], "little"),
                    int.from_bytes(data[off + 32:off + 34], "little")))
    return out


def case_shared_strided():
    """-n 4: rank_layout=strided deals the blocks out in turn: block k is rank k mod 4's"""
    jf = job_file("str.fio", "[global]\nfilename=@TMP@/shared\nsize=16k\nbs=4k\n"
                  "verify=crc32c\nrank_layout=strided\n[w]\nrw=write\n"
                  "[r]\nstonewall\nrw=read\n")
    run = ok(mpi(4, ["--output-format=json", jf]))
    got = headers(os.path.join(TMP, "shared"))
    want = [(k * 4 * KIB, k % 4 + 1) for k in range(16)]
    check(got == want, "(offset, writer rank + 1) per block: %s" % got)
    agg, _ = check_aggregate(run.json(), "w", 4)
    check(agg["write"]["io_bytes"] == 64 * KIB, "written %s" % agg["write"]["io_bytes"])
    agg, _ = check_aggregate(run.json(), "r", 4)
    check(agg["read"]["io_bytes"] == 64 * KIB and agg["error"] == 0, "verify read")


def case_strided_refusals():
    """-n 2: rank_layout=strided refuses random IO, naming the job and the fix"""
    jf = job_file("strr.fio", "[w]\nfilename=@TMP@/shared\nsize=16k\nrw=randwrite\n"
                  "rank_layout=strided\n")
    run = mpi(2, [jf])
    check(run.rc != 0 and "rank_layout=strided" in run.err and "segmented" in run.err,
          "not refused:\n" + run.describe())
    check(not os.path.exists(os.path.join(TMP, "shared")), "the file was created")


def case_verify_reorder():
    """-n 4: rank_shift=1 verifies a neighbour's part; data of the wrong rank is caught"""
    jf = job_file("re.fio", "[global]\nfilename=@TMP@/shared\nsize=16k\nbs=4k\n"
                  "verify=crc32c\n[w]\nrw=write\ndo_verify=0\n"
                  "[r]\nstonewall\nrw=read\nrank_shift=1\n")
    run = ok(mpi(4, ["--output-format=json", jf]))
    per, _ = clients(run.json(), "r")
    check(all(per[r]["error"] == 0 and per[r]["read"]["io_bytes"] == 16 * KIB for r in per),
          "reordered verify: %s" % [(per[r]["error"], per[r].get("error_text")) for r in per])
    # writers that took their neighbours' parts: every part holds another rank's data
    os.unlink(os.path.join(TMP, "shared"))
    jf = job_file("wrong.fio", "[global]\nfilename=@TMP@/shared\nsize=16k\nbs=4k\n"
                  "verify=crc32c\n[w]\nrw=write\ndo_verify=0\nrank_shift=1\n"
                  "[r]\nstonewall\nrw=read\nrank_shift=1\n")
    run = mpi(4, ["--output-format=json", jf])
    check(run.rc != 0, "data of the wrong rank passed:\n" + run.describe())
    r = [j for j in run.jobs() if j["jobname"] == "r"][0]
    # whichever rank failed first: it read its neighbour's part, written by
    # that part's left neighbour
    m = re.search(r"rank (\d) on \S+: .*bad header thread: expected (\d), found (\d) .* "
                  r"belongs to rank (\d) .* but rank (\d) wrote it", r.get("error_text") or "")
    check(m, "the error does not say which rank wrote it: %s" % r.get("error_text"))
    rank, expected, found, owner, writer = (int(g) for g in m.groups())
    check(owner == (rank + 1) % 4 and writer == rank and expected == owner + 1 and
          found == writer + 1, "the wrong ranks are named: %s" % r["error_text"])


def case_time_based():
    """-n 2: a time-based job runs its runtime on every rank; runtime is the longest"""
    jf = job_file("tb.fio", "[t]\nioengine=null\nsize=1m\nbs=4k\nrw=randread\n"
                  "time_based\nruntime=1s\n")
    run = ok(mpi(2, ["--output-format=json", jf]))
    agg, per = check_aggregate(run.json(), "t", 2)
    for r in per:
        check(per[r]["read"]["runtime"] >= 1000, "rank %d ran %s ms" % (r, per[r]["read"]["runtime"]))


def case_time_based_rank0_ends():
    """-n 2: a time-based group ends on every rank when rank 0's ends, not as an error"""
    # rank 0 runs 1 s, rank 1 would run 11 s (Open MPI names each rank in its environment)
    jf = job_file("tb0.fio", "[t]\nioengine=null\nsize=1m\nbs=4k\nrw=read\n"
                  "time_based\nruntime=${OMPI_COMM_WORLD_RANK}1s\n[next]\nstonewall\n"
                  "ioengine=null\nsize=64k\nbs=4k\nrw=write\n")
    run = ok(mpi(2, ["--output-format=json", jf]))
    per, _ = clients(run.json(), "t")
    check(per[0]["read"]["runtime"] >= 1000 and per[0]["error"] == 0, "rank 0: %s ms, %s"
          % (per[0]["read"]["runtime"], per[0].get("error_text")))
    check(per[1]["error"] == 0 and per[1]["read"]["runtime"] < 11000,
          "rank 1 did not end with rank 0: %s ms, %s" % (per[1]["read"]["runtime"],
                                                          per[1].get("error_text")))
    nxt = [j for j in run.jobs() if j["jobname"] == "next"][0]
    check(nxt["error"] == 0 and nxt["write"]["io_bytes"] == 2 * 64 * KIB,
          "the next group: %s" % nxt.get("error_text"))


def case_groups_in_step():
    """-n 2: a stonewall waits for every rank's group; the report has every group"""
    jf = job_file("sw.fio", "[global]\nioengine=null\nsize=256k\nbs=4k\n"
                  "[a]\nrw=read\n[b]\nstonewall\nrw=write\n[c]\nstonewall\nrw=randread\n")
    run = ok(mpi(2, ["--output-format=json", jf]))
    names = [j["jobname"] for j in run.jobs()]
    check(names == ["a", "b", "c"], "jobs %s" % names)
    for j in ("a", "b", "c"):
        check_aggregate(run.json(), j, 2)


def case_failing_rank():
    """-n 2: a job failing on rank 1 ends it on rank 0 too, naming rank 1; later groups run"""
    good = os.path.join(TMP, "v.0")
    subprocess.run([TIO, "--eta=never", "--name=w", "--filename=" + good, "--size=64k",
                    "--rw=write", "--verify=crc32c", "--do_verify=0"], check=True,
                   capture_output=True, env=env(), cwd=TMP)
    with open(os.path.join(TMP, "v.1"), "wb") as f:
        f.write(os.urandom(64 * KIB))
    jf = job_file("fail.fio", "[global]\nfilename=@TMP@/v.$rank\nsize=64k\nbs=4k\n"
                  "[r]\nrw=read\nverify=crc32c\nverify_fatal=1\ntime_based\nruntime=%ds\n"
                  "[after]\nstonewall\nrw=read\n" % (LIMIT * 2))
    run = mpi(2, ["--output-format=json", jf])
    check(run.rc != 0, "the run succeeded:\n" + run.describe())
    report = run.json()
    r = [j for j in report["jobs"] if j["jobname"] == "r"][0]
    check(r["error"] != 0 and r["error_text"].startswith("rank 1 on "),
          "the job's error does not name rank 1: %s" % r.get("error_text"))
    per, _ = clients(report, "r")
    check("interrupted by rank 1 on" in (per[0].get("error_text") or ""),
          "rank 0 was not stopped by rank 1: %s" % per[0].get("error_text"))
    after = [j for j in report["jobs"] if j["jobname"] == "after"][0]
    check(after["error"] == 0 and after["read"]["io_bytes"] == 2 * 64 * KIB,
          "the next group: %s" % after.get("error_text"))
    check("rank 1 on" in run.err, "stderr does not name rank 1:\n" + run.err)


def case_prepare_failure():
    """-n 2: a file rank 1 cannot use stops every rank before any IO, naming rank 1"""
    os.mkdir(os.path.join(TMP, "p.1"))
    jf = job_file("prep.fio", "[w]\nfilename=@TMP@/p.$rank\nsize=64k\nrw=write\n")
    run = mpi(2, [jf])
    check(run.rc != 0, "the run succeeded:\n" + run.describe())
    lines = [ln for ln in run.err.splitlines() if ln.startswith("tenon-io: rank 1 on ")]
    check(len(lines) == 1 and "folder" in lines[0],
          "not one error naming rank 1 and the folder:\n" + run.err)
    check(not os.path.exists(os.path.join(TMP, "p.0")) or
          os.path.getsize(os.path.join(TMP, "p.0")) in (0, 64 * KIB), "p.0")


def tag(rank):
    """What a rank adds to the names of the files it writes for itself."""
    return ".%s.rank%d" % (os.uname().nodename, rank)


def case_logs_per_rank():
    """-n 2: every log and --bandwidth-log's have the rank in their names; one run alone not"""
    jf = job_file("logs.fio", "[w]\nfilename=@TMP@/lg.$rank\nsize=64k\nbs=4k\nrw=write\n"
                  "write_bw_log=lg\nwrite_lat_log=lg\nwrite_iops_log=lg\nwrite_hist_log=lg\n"
                  "log_hist_msec=10\n")
    ok(mpi(2, ["--bandwidth-log", jf]))
    kinds = ["lg_bw.1.log", "lg_iops.1.log", "lg_lat.1.log", "lg_clat.1.log", "lg_slat.1.log",
             "lg_clat_hist.1.log", "agg-write_bw.log"]
    files = sorted(os.listdir(TMP))
    for k in kinds:
        for r in range(2):
            check(k + tag(r) in files, "%s missing: %s" % (k + tag(r), files))
        check(k not in files, "%s written without the rank: %s" % (k, files))
    with open(os.path.join(TMP, "lg_bw.1.log" + tag(1))) as f:
        check(f.read().strip(), "rank 1's bandwidth log is empty")
    # without mpirun the names stay fio's
    e = {k: v for k, v in env().items() if not k.startswith(("OMPI_", "PMIX", "PMI_"))}
    sub = os.path.join(TMP, "solo")
    os.mkdir(sub)
    p = subprocess.run([TIO, "--eta=never", "--bandwidth-log", jf], cwd=sub,
                       capture_output=True, text=True, env=e, timeout=LIMIT)
    ok(TioRun(p.returncode, p.stdout, p.stderr))
    check(all(k in os.listdir(sub) for k in kinds), "alone: %s" % os.listdir(sub))


def case_verify_state_per_rank():
    """-n 2: verify state files are per rank, and verify_state_load reads the rank's own"""
    w = job_file("vsw.fio", "[vs]\nfilename=@TMP@/vs.$rank\nsize=64k\nbs=4k\nrw=write\n"
                 "verify=crc32c\ndo_verify=0\n")
    ok(mpi(2, [w]))
    states = ["%s-vs-0-verify.state" % tag(r)[1:] for r in range(2)]
    files = os.listdir(TMP)
    check(all(s in files for s in states) and "local-vs-0-verify.state" not in files,
          "state files: %s" % sorted(files))
    rd = job_file("vsr.fio", "[vs]\nfilename=@TMP@/vs.$rank\nsize=64k\nbs=4k\nrw=read\n"
                  "verify=crc32c\nverify_state_load=1\n")
    run = ok(mpi(2, ["--output-format=json", rd]))
    per, _ = clients(run.json(), "vs")
    check(all(per[r]["read"]["io_bytes"] == 64 * KIB for r in per), "verified reads")
    os.unlink(os.path.join(TMP, states[1]))
    run = mpi(2, [rd])
    check(run.rc != 0 and "rank 1 on" in run.err + run.out and states[1] in run.err + run.out,
          "rank 1 did not miss its own state file:\n" + run.describe())


def case_parse_only():
    """-n 2: --parse-only prints the jobs once"""
    jf = job_file("po.fio", "[pojob]\nfilename=@TMP@/po.$rank\nsize=64k\nrw=write\n")
    run = ok(mpi(2, ["--parse-only", jf]))
    check(run.out.count("[plan]") == 1 and "pojob" in run.out, "not printed once:\n" + run.out)
    jf = job_file("pobad.fio", "[pojob]\nfilename=@TMP@/nofile.$rank\nrw=read\n")
    run = mpi(2, ["--parse-only", jf])
    lines = [ln for ln in run.err.splitlines() if ln.startswith("tenon-io: ")]
    check(run.rc != 0 and len(lines) == 1 and "rank 0 on" in lines[0],
          "not one error naming the rank:\n" + run.err)


def case_time_based_verify():
    """-n 2: a time-based job that verifies ends with rank 0's, as its runtime would"""
    # rank 0 verifies for 1 s, rank 1 would for 11 s
    jf = job_file("tbv.fio", "[global]\nfilename=@TMP@/tbv.$rank\nsize=64k\nbs=4k\n"
                  "verify=crc32c\n[w]\nrw=write\n[t]\nstonewall\nrw=randread\ntime_based\n"
                  "runtime=${OMPI_COMM_WORLD_RANK}1s\n")
    run = ok(mpi(2, ["--output-format=json", jf]))
    per, _ = clients(run.json(), "t")
    for r in range(2):
        check(per[r]["error"] == 0 and per[r]["read"]["io_bytes"] > 0,
              "rank %d did not verify: %s" % (r, per[r].get("error_text")))
    check(per[1]["read"]["runtime"] < 11000, "rank 1 verified %s ms, past rank 0's end"
          % per[1]["read"]["runtime"])


def case_verify_reorder_file_per_rank():
    """-n 4: rank_shift=1 with a file per rank verifies the next rank's file; wrong data is caught"""
    jf = job_file("fre.fio", "[global]\nfilename=@TMP@/fr.$rank\nsize=16k\nbs=4k\n"
                  "verify=crc32c\n[w]\nrw=write\ndo_verify=0\n"
                  "[r]\nstonewall\nrw=read\nrank_shift=1\n")
    run = ok(mpi(4, ["--output-format=json", jf]))
    per, _ = clients(run.json(), "r")
    check(all(per[r]["error"] == 0 and per[r]["read"]["io_bytes"] == 16 * KIB for r in per),
          "reordered verify: %s" % [(per[r]["error"], per[r].get("error_text")) for r in per])
    for r in range(4):
        got = headers(os.path.join(TMP, "fr.%d" % r))
        check(all(t == r + 1 for _, t in got), "fr.%d not written by rank %d: %s" % (r, r, got))
    jf = job_file("frw.fio", "[global]\nfilename=@TMP@/fr.$rank\nsize=16k\nbs=4k\n"
                  "verify=crc32c\n[w]\nrw=write\ndo_verify=0\nrank_shift=1\n"
                  "[r]\nstonewall\nrw=read\nrank_shift=1\n")
    run = mpi(4, ["--output-format=json", jf])
    check(run.rc != 0, "data of the wrong rank passed:\n" + run.describe())
    got = headers(os.path.join(TMP, "fr.1"))
    check(all(t == 1 for _, t in got), "fr.1 not written by rank 0 (shifted): %s" % got)
    r = [j for j in run.jobs() if j["jobname"] == "r"][0]
    m = re.search(r"rank (\d) on \S+: .*bad header thread: expected (\d), found (\d) .* "
                  r"belongs to rank (\d) .* but rank (\d) wrote it", r.get("error_text") or "")
    check(m, "the error does not say which rank wrote it: %s" % r.get("error_text"))
    rank, expected, found, owner, writer = (int(g) for g in m.groups())
    check(owner == (rank + 1) % 4 and writer == rank and expected == owner + 1 and
          found == writer + 1, "the wrong ranks are named: %s" % r["error_text"])


def case_plot():
    """-n 2: --plot draws the sum over the ranks and a line per rank"""
    jf = job_file("plot.fio", "[p]\nioengine=null\nsize=1m\nbs=4k\nrw=randread\n"
                  "time_based\nruntime=1s\n")
    ok(mpi(2, ["--plot=" + os.path.join(TMP, "p.svg"), jf]))
    with open(os.path.join(TMP, "p.svg")) as f:
        svg = f.read()
    ranks = re.findall(r'<polyline class="rankline" data-rank="(\d)"[^>]*points="([^"]*)"', svg)
    check(sorted(r for r, _ in ranks) == ["0", "1"] and all(pts.strip() for _, pts in ranks),
          "not a line per rank: %s" % [(r, len(p)) for r, p in ranks])
    agg = re.findall(r'<polyline class="iopsline"[^>]*points="([^"]*)"', svg)
    check(len(agg) == 1 and agg[0].strip(), "no line for all ranks")


def case_killed_rank():
    """-n 3: kill -9 of one rank ends the other ranks' run, tenon-io naming it"""
    jf = long_job("long.fio", 3)
    cmd = mpirun_cmd(3) + [TIO, "--eta=never", jf]
    p = subprocess.Popen(cmd, cwd=TMP, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, errors="replace", env=env())
    try:
        victim = running_rank(jf, 1)
        os.kill(victim, signal.SIGKILL)
        out, err = p.communicate(timeout=LIMIT)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        raise Fail("hung: the other ranks did not end within %d s of the kill" % LIMIT)
    check(p.returncode != 0, "the run succeeded after a rank was killed")
    # mpirun ends the other ranks with a signal at once: they ask each other
    # and rank 0 names the one that did not answer
    lines = [ln for ln in err.splitlines() if ln.startswith("tenon-io: ")]
    check(len(lines) == 1 and re.match(r"tenon-io: rank 1 on \S+ \(pid %d\) is lost: " % victim,
                                       lines[0]), "tenon-io did not name rank 1:\n" + err)


def case_stopped_rank():
    """-n 2: a rank that stops answering (SIGSTOP) is named and the run ends"""
    jf = long_job("stop.fio", 2)
    cmd = mpirun_cmd(2) + [TIO, "--eta=never", jf]
    p = subprocess.Popen(cmd, cwd=TMP, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, errors="replace", env=env())
    victim = None
    try:
        victim = running_rank(jf, 1)
        os.kill(victim, signal.SIGSTOP)
        out, err = p.communicate(timeout=LIMIT)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        raise Fail("hung: rank 0 did not end within %d s of rank 1 stopping" % LIMIT)
    finally:
        if victim:
            try:
                os.kill(victim, signal.SIGKILL)
            except OSError:
                pass
    check(p.returncode != 0, "the run succeeded with a stopped rank")
    check(re.search(r"tenon-io: rank 1 on \S+ \(pid %d\) is lost: nothing heard" % victim, err),
          "tenon-io did not name rank 1:\n" + err)


def long_job(name, n):
    """A job file whose job reads its rank's file (made here) for a long time."""
    for r in range(n):
        with open(os.path.join(TMP, "mark.%d" % r), "wb") as f:
            f.write(bytes(64 * KIB))
    return job_file(name, "[r]\nsize=64k\nbs=4k\nrw=read\nrate_iops=200\ntime_based\n"
                    "runtime=%ds\nfilename=@TMP@/mark.$rank\n" % (LIMIT * 10))


def running_rank(jf, rank):
    """The process of rank once its job runs: it has its file open (the
    files are only checked before, every rank past the start barrier)."""
    mark = os.path.join(TMP, "mark.%d" % rank)
    for _ in range(LIMIT * 10):
        pid = rank_pid(jf, rank)
        try:
            fds = os.listdir("/proc/%d/fd" % pid) if pid else []
            if any(os.readlink("/proc/%d/fd/%s" % (pid, fd)) == mark for fd in fds):
                return pid
        except OSError:
            pass
        time.sleep(0.1)
    raise Fail("rank %d never started its job" % rank)


def rank_pid(jf, rank):
    """The process of the given rank running job file jf (its environment
    says its rank), or None."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                argv = f.read().split(b"\0")
            if jf.encode() not in argv or os.path.basename(argv[0]) != b"tenon-io":
                continue
            with open("/proc/%s/environ" % pid, "rb") as f:
                envs = f.read().split(b"\0")
        except OSError:
            continue
        if ("OMPI_COMM_WORLD_RANK=%d" % rank).encode() in envs:
            return int(pid)
    return None


def case_without_mpirun():
    """without mpirun: no MPI, no client_stats, $rank is 0 of 1"""
    jf = job_file("solo.fio", "[w]\nfilename=@TMP@/solo.$rank.$nranks\nsize=16k\nrw=write\n")
    e = {k: v for k, v in env().items() if not k.startswith(("OMPI_", "PMIX", "PMI_"))}
    p = subprocess.run([TIO, "--eta=never", "--output-format=json", jf], cwd=TMP,
                       capture_output=True, text=True, env=e, timeout=LIMIT)
    run = ok(TioRun(p.returncode, p.stdout, p.stderr))
    check("client_stats" not in run.json(), "client_stats without mpirun")
    check(os.path.exists(os.path.join(TMP, "solo.0.1")), "solo.0.1: %s" % os.listdir(TMP))


CASES = [case_file_per_process, case_shared_segmented, case_shared_strided,
         case_strided_refusals, case_verify_reorder, case_time_based, case_time_based_rank0_ends,
         case_groups_in_step,
         case_failing_rank, case_prepare_failure, case_killed_rank, case_stopped_rank,
         case_logs_per_rank, case_verify_state_per_rank, case_parse_only, case_time_based_verify,
         case_verify_reorder_file_per_rank, case_plot, case_without_mpirun]

if __name__ == "__main__":
    sys.exit(run_cases(CASES, "tio-mpi-", use_tmp))
