#!/usr/bin/env python3
"""io_submit_mode=offload and serialize_overlap take effect as fio 3.33
defines them: under offload a pool of iodepth threads submits the IO the
job's thread makes, on every kind of engine (null, synchronous ones,
queued ones), with verify and with rate control, and the report counts
every IO once with fio's offload latencies (lat from the IO's making;
slat, on a queued engine, up to its submission; lat = slat + clat).
serialize_overlap holds back an IO that overlaps one in flight (--debug=io
shows fio's "in-flight overlap" line): inline only when the job changes
data at a depth above 1, as fio; under offload across every offload job
that asks for it. Bad values are refused. Output is TAP.

usage: offload_test.py TENON_IO
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, "..", "effects"))
import effects_test as E  # noqa: E402
from harness import check, run_cases  # noqa: E402

OFFLOAD = "--io_submit_mode=offload"


def ok(*args, fmt="json"):
    r = E.tenon_io(*args, fmt=fmt)
    check(r.rc == 0, "tenon-io %s failed:\n%s" % (" ".join(args), r.describe()))
    return r


def case_null():
    """null, iodepth=16: every IO once, each submitter at depth 1, the mode in the job's options"""
    r = ok("--name=j", "--ioengine=null", "--size=64m", "--iodepth=16", OFFLOAD)
    j = r.job()
    check(j["read"]["total_ios"] == 16384 and j["read"]["io_bytes"] == 64 << 20,
          "64 MiB in 4k IOs: %d IOs, %d bytes" % (j["read"]["total_ios"], j["read"]["io_bytes"]))
    check(j["iodepth_level"]["1"] == 100.0, "depth 1 per submitter: %s" % j["iodepth_level"])
    check(j["read"]["lat_ns"]["mean"] >= j["read"]["clat_ns"]["mean"],
          "lat counts from the IO's making: %s" % j["read"]["lat_ns"])
    check(j["job options"].get("io_submit_mode") == "offload", str(j["job options"]))
    r = ok("--name=j", "--ioengine=null", "--size=1m", "--io_submit_mode=inline")
    check(E.ios(r) == 256, "inline, the default, still works")


def verify_run(engine, *extra):
    f = E.make_file("f", 1 << 20)
    r = ok("--name=j", "--filename=" + f, "--size=1m", "--bs=4k", "--rw=randwrite",
           "--ioengine=" + engine, "--iodepth=4", "--verify=crc32c", OFFLOAD, *extra)
    j = r.job()
    check(j["error"] == 0 and j["write"]["total_ios"] == 256 and j["read"]["total_ios"] == 256,
          "%s: 256 writes, all read back and checked: %s" % (engine, r.describe()))
    return j


def case_sync_engines_verify():
    """psync, pvsync2 and sync (which keeps a file position per file description) with verify"""
    for engine in ("psync", "pvsync2", "sync"):
        j = verify_run(engine)
        check(j["write"]["slat_ns"]["N"] == 0, "%s: no slat on a synchronous engine" % engine)


def case_queued_engines_verify():
    """libaio and io_uring with verify: slat up to the submission, lat = slat + clat"""
    for engine in ("libaio", "io_uring"):
        j = verify_run(engine)
        w = j["write"]
        check(w["slat_ns"]["N"] == 256, "%s: a slat per write: %s" % (engine, w["slat_ns"]))
        total = w["slat_ns"]["mean"] + w["clat_ns"]["mean"]
        check(abs(w["lat_ns"]["mean"] - total) <= 1e-3 * total + 1,
              "%s: lat %f is not slat + clat %f" % (engine, w["lat_ns"]["mean"], total))


def case_rate_iops():
    """rate_iops: the job's thread paces the IOs it hands out, every IO done"""
    r, s = E.sleeps("--name=j", "--ioengine=null", "--size=160k", "--bs=4k", "--iodepth=4",
                    "--rate_iops=100", OFFLOAD)
    check(E.ios(r) == 40, "every IO is done: %d" % E.ios(r))
    check(len(s) >= 30 and max(s) <= 0.0101,
          "sleeps of at most 10 ms: %d, max %s" % (len(s), max(s) if s else None))


def case_fsync():
    """fsync=N under offload: the job's syncs are done and counted as inline"""
    f = E.make_file("f", 256 << 10)
    common = ["--name=j", "--filename=" + f, "--size=256k", "--bs=4k", "--rw=write",
              "--ioengine=psync", "--iodepth=4", "--fsync=8"]
    j = ok(*common, OFFLOAD).job()
    inline = ok(*common).job()
    check(j["write"]["total_ios"] == 64, "64 writes: %s" % j["write"]["total_ios"])
    # a sync after every 8th write but the last, which no IO follows (fio)
    check(j["sync"]["total_ios"] == inline["sync"]["total_ios"] == 7,
          "syncs: %s offload, %s inline" % (j["sync"]["total_ios"], inline["sync"]["total_ios"]))


def overlaps(*args):
    r = ok("--debug=io", *args, fmt="normal")
    return r.out.count("in-flight overlap") + r.err.count("in-flight overlap")


def case_serialize_overlap_inline():
    """serialize_overlap inline: writes at depth 4 on two blocks are held back; reads are not checked"""
    f = E.make_file("f", 8 << 10)
    common = ["--name=j", "--filename=" + f, "--size=8k", "--io_size=256k", "--bs=4k",
              "--norandommap", "--ioengine=libaio", "--iodepth=4"]
    # four IOs in flight on two blocks: some must overlap
    check(overlaps(*common, "--rw=randwrite", "--serialize_overlap=1") > 0,
          "overlapping writes are held back")
    check(overlaps(*common, "--rw=randwrite") == 0, "without it nothing is checked")
    check(overlaps(*common, "--rw=randread", "--serialize_overlap=1") == 0,
          "a job that changes no data has nothing to serialize (fio)")
    j = ok(*common, "--rw=randwrite", "--serialize_overlap=1", "--verify=crc32c").job()
    check(j["error"] == 0, "verify passes")


def slow(name, *args):
    """A write job on TMP/name whose every IO takes 20 ms (the faulty engine)."""
    f = E.make_file(name, 4 << 10)
    return ["--name=" + name, "--filename=" + f, "--size=4k", "--bs=4k", "--rw=randwrite",
            "--ioengine=faulty", "--engine=psync", "--delay=20ms", "--delay_rate=1",
            OFFLOAD] + list(args)


def case_serialize_overlap_offload():
    """serialize_overlap offload: within a job and across jobs at the same offsets, and all complete"""
    # four 20 ms writes of one block handed out at once: three must wait
    check(overlaps(*slow("a", "--io_size=64k", "--iodepth=4", "--serialize_overlap=1")) > 0,
          "overlapping writes of one job are held back")
    check(overlaps(*slow("a", "--io_size=64k", "--iodepth=4")) == 0,
          "without it nothing is checked")
    # two jobs on two files, at the same offset: fio compares offsets alone
    both = slow("a", "--loops=4", "--serialize_overlap=1") + \
        slow("b", "--loops=4", "--serialize_overlap=1")
    check(overlaps(*both) > 0, "the jobs take turns")
    r = ok("--name=j", "--ioengine=null", "--thread", "--size=4k", OFFLOAD,
           "--serialize_overlap=1", "--numjobs=4", "--loops=3000")
    check(all(j["read"]["total_ios"] == 3000 for j in r.jobs()), "every IO of every job")
    f = E.make_file("f", 64 << 10)
    j = ok("--name=j", "--filename=" + f, "--size=64k", "--io_size=1m", "--bs=4k",
           "--rw=randwrite", "--norandommap", "--ioengine=psync", "--iodepth=4", OFFLOAD,
           "--serialize_overlap=1", "--verify=crc32c").job()
    check(j["error"] == 0, "verify passes")


def case_bad_values():
    """bad values are refused, saying what to write"""
    r = E.tenon_io("--name=j", "--ioengine=null", "--size=1m", "--io_submit_mode=sideways")
    check(r.rc != 0 and "inline or offload" in r.err, r.err[:500])
    r = E.tenon_io("--name=j", "--ioengine=null", "--size=1m", "--serialize_overlap=maybe")
    check(r.rc != 0 and "serialize_overlap" in r.err, r.err[:500])
    r = E.tenon_io("--name=j", "--ioengine=null", "--size=1m", OFFLOAD, "--latency_target=10ms")
    check(r.rc != 0 and "io_submit_mode=inline" in r.err, r.err[:500])


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    E.TIO = os.path.abspath(sys.argv[1])
    cases = [f for n, f in globals().items() if n.startswith("case_") and callable(f)]
    return run_cases(cases, "tio-offload-", E.use_tmp)


if __name__ == "__main__":
    sys.exit(main())
