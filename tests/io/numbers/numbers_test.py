#!/usr/bin/env python3
"""The numbers tenon-io reports, checked against their definitions (never
against a time limit):

- rates: bw_bytes = io_bytes * 1000 / runtime, bw = bw_bytes / 1024 and
  iops = ios * 1000 / runtime, with runtime fio's milliseconds rounded up, so
  a job shorter than a millisecond has non-zero rates over 1 ms;
- slat on libaio and io_uring includes the submit system call: a buffered
  64 KiB read of a cached file is copied inside io_submit/io_uring_enter, so
  its smallest slat is at least the smallest 512-byte pread of the same run
  (the floor of one read system call); lat = slat + clat;
- invalidate=1 drops a file's cached pages at each job's start, each pass
  and the verify phase's start, as fio, so that every pass reads the storage (counted by the
  kernel's block input of the tenon-io process);
- SIGINT and SIGTERM end the run with the report of what ran, the job's
  error EINTR (4) naming the signal and a skipped verify phase, a job that
  never started named as such, and exit status 1.

usage: numbers_test.py TENON_IO
"""
import json
import os
import re
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from harness import Fail, Skip, check, run_tio, sanitizer_check, script_main  # noqa: E402

TIO = None
TMP = None
EINTR = 4


def run(*args):
    return run_tio(TIO, *args)


def json_of(p):
    try:
        return json.loads(p.stdout)
    except ValueError as e:
        raise Fail("the JSON report does not parse (%s):\n%s\n%s" % (e, p.stdout[:2000],
                                                                       p.stderr))


def make_file(name, size):
    path = os.path.join(TMP, name)
    block = bytes(range(256)) * 256
    with open(path, "wb") as f:
        for _ in range(size // len(block)):
            f.write(block)
    return path


def check_rates(d, where):
    ios, io_bytes, run_ms = d["total_ios"], d["io_bytes"], d["runtime"]
    check(ios > 0, "%s: no IO done" % where)
    check(run_ms >= 1, "%s: %d IOs over a runtime of %d ms" % (where, ios, run_ms))
    check(d["bw_bytes"] == io_bytes * 1000 // run_ms,
          "%s: bw_bytes %d is not io_bytes %d * 1000 / runtime %d" % (
              where, d["bw_bytes"], io_bytes, run_ms))
    check(d["bw"] == d["bw_bytes"] // 1024, "%s: bw %d is not bw_bytes %d / 1024" % (
        where, d["bw"], d["bw_bytes"]))
    want = ios * 1000.0 / run_ms
    check(abs(d["iops"] - want) <= 1e-6 * want,
          "%s: iops %f is not total_ios %d * 1000 / runtime %d" % (where, d["iops"], ios,
                                                                   run_ms))


def case_sub_ms_rates():
    """a job shorter than a millisecond has its rates over 1 ms, as fio"""
    p = run("--name=t", "--ioengine=null", "--size=64m", "--output-format=json")
    check(p.returncode == 0, "tenon-io failed: %s" % p.stderr)
    check_rates(json_of(p)["jobs"][0]["read"], "null 64 MiB read")
    p = run("--name=t", "--ioengine=null", "--size=64m")
    check(p.returncode == 0, "tenon-io failed: %s" % p.stderr)
    m = re.search(r"read: IOPS=([^,]+), BW=([^ ]+) .*/(\d+)msec\)", p.stdout)
    check(m, "no direction line in:\n" + p.stdout)
    check(m.group(1) != "0" and not m.group(2).startswith("0"),
          "the direction line has zero rates: " + m.group(0))
    check(int(m.group(3)) >= 1, "the direction line has 0 msec: " + m.group(0))


def case_rates_rw():
    """read and write rates follow the runtime of each direction"""
    path = make_file("rw", 4 << 20)
    p = run("--name=t", "--filename=" + path, "--rw=randrw", "--bs=4k", "--io_size=8m",
            "--output-format=json")
    check(p.returncode == 0, "tenon-io failed: %s" % p.stderr)
    job = json_of(p)["jobs"][0]
    check_rates(job["read"], "randrw read")
    check_rates(job["write"], "randrw write")


def slat_case(engine):
    path = make_file("cached", 8 << 20)
    # Read the file once so that both jobs below find it in the page cache.
    with open(path, "rb") as f:
        while f.read(1 << 20):
            pass
    p = run("--output-format=json",
            "--name=floor", "--filename=" + path, "--ioengine=psync", "--rw=read",
            "--bs=512", "--size=2m",
            "--name=async", "--stonewall", "--filename=" + path, "--ioengine=" + engine,
            "--iodepth=8", "--direct=0", "--rw=randread", "--bs=64k", "--size=8m")
    if p.returncode != 0 and re.search(r"(load|set ?up|setup|not supported|ENOSYS|"
                                       r"Function not implemented|Operation not permitted)",
                                       p.stderr, re.I):
        raise Skip("%s does not work here: %s" % (engine, p.stderr.strip()[:200]))
    check(p.returncode == 0, "tenon-io failed: %s" % p.stderr)
    jobs = json_of(p)["jobs"]
    floor = jobs[0]["read"]["clat_ns"]["min"]
    rd = jobs[1]["read"]
    slat, clat, lat = rd["slat_ns"], rd["clat_ns"], rd["lat_ns"]
    check(slat["N"] == rd["total_ios"] and slat["min"] > 0,
          "%s: slat has %d samples for %d IOs, min %d" % (engine, slat["N"], rd["total_ios"],
                                                          slat["min"]))
    check(slat["min"] >= floor,
          "%s: the smallest slat (%d ns) is below the smallest 512-byte pread of the same "
          "run (%d ns): the submit system call is not in slat" % (engine, slat["min"], floor))
    total = slat["mean"] + clat["mean"]
    check(abs(lat["mean"] - total) <= 1e-3 * lat["mean"] + 1,
          "%s: lat mean %f is not slat mean %f + clat mean %f" % (
              engine, lat["mean"], slat["mean"], clat["mean"]))


def case_slat_libaio():
    """libaio slat includes io_submit"""
    slat_case("libaio")


def case_slat_io_uring():
    """io_uring slat includes io_uring_enter"""
    slat_case("io_uring")


def storage_reads(*args):
    """Runs tenon-io and returns (exit status, bytes its threads read from
    storage, not from the page cache: the child's ru_inblock)."""
    cmd = [TIO, "--eta=never", *args]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    sanitizer_check(err, cmd)
    check(p.returncode == 0, "tenon-io failed: %s" % err)
    return usage.ru_inblock * 512


def case_invalidate_each_pass():
    """invalidate=1 drops the cache at each job start, loop and verify, as fio"""
    size = 8 << 20
    path = make_file("passes", size)
    with open(path, "rb+") as f:
        os.fsync(f.fileno())  # clean pages: fadvise can drop them all
    common = ["--filename=" + path, "--ioengine=psync", "--rw=read", "--bs=1m"]
    one = storage_reads("--name=one", *common)
    if one < size * 9 // 10:
        raise Skip("the temporary folder has no block storage behind it (%d of %d bytes "
                   "read from storage)" % (one, size))
    got = storage_reads("--name=loops", *common, "--loops=3")
    check(got >= 3 * size * 9 // 10,
          "3 loops read %d bytes from storage, want about %d: a loop read the page cache"
          % (got, 3 * size))
    rand = ["--rw=randread" if a == "--rw=read" else a for a in common]
    got = storage_reads("--name=randloops", *rand, "--loops=3")
    check(got >= 3 * size * 9 // 10,
          "3 random loops read %d bytes from storage, want about %d: a loop read the page "
          "cache" % (got, 3 * size))
    got = storage_reads("--name=a", *common, "--name=b", "--stonewall", *common)
    check(got >= 2 * size * 9 // 10,
          "2 jobs read %d bytes from storage, want about %d: the second read the page cache"
          % (got, 2 * size))
    # end_fsync leaves clean pages, so the verify phase can read storage.
    got = storage_reads("--name=w", "--filename=" + path, "--ioengine=psync", "--rw=write",
                        "--bs=1m", "--verify=crc32c", "--end_fsync=1")
    check(got >= size * 9 // 10,
          "the verify phase read %d bytes from storage, want about %d: it read the page "
          "cache" % (got, size))


def io_calls(pid):
    with open("/proc/%d/io" % pid) as f:
        fields = dict(line.split(": ") for line in f.read().splitlines())
    return int(fields["syscr"]) + int(fields["syscw"])


def interrupted(sig, *args):
    """Starts tenon-io, waits until its job is doing IO (its read and write
    calls counted in /proc), sends sig and returns the finished process."""
    cmd = [TIO, "--eta=never", *args]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(6000):
            if p.poll() is not None:
                break
            try:
                if io_calls(p.pid) >= 5000:
                    break
            except (OSError, KeyError, ValueError):
                pass
            time.sleep(0.01)
        if p.poll() is not None:
            raise Fail("tenon-io ended before the signal: %s" % p.stderr.read())
        p.send_signal(sig)
        out, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    sanitizer_check(err, cmd)
    return p.returncode, out, err


def case_sigint_verify():
    """SIGINT: the report, EINTR, the skipped verify phase named, exit 1"""
    path = make_file("v", 1 << 20)
    # rw=rw: a time_based job that only writes has no verify phase (fio's rule)
    rc, out, err = interrupted(signal.SIGINT, "--name=v", "--filename=" + path, "--rw=rw",
                               "--bs=4k", "--size=1m", "--verify=crc32c", "--time_based",
                               "--runtime=60")
    check(rc == 1, "exit status %d after SIGINT, want 1; stderr:\n%s" % (rc, err))
    check("interrupted by SIGINT" in err and "verify phase was skipped" in err,
          "stderr does not name the signal and the skipped verify phase:\n" + err)
    head = re.search(r"^v: \(groupid=0, jobs=1\): err= ?(\d+) \(([^)]*)\)", out, re.M)
    check(head and int(head.group(1)) == EINTR and "verify phase was skipped" in head.group(2),
          "the report's job line does not say err=4 and the skipped verify:\n" + out[:1500])
    check(re.search(r"write: IOPS=", out), "no write line in the report:\n" + out[:1500])


def case_sigterm_json():
    """SIGTERM: JSON with error 4 for the running job and the one never started"""
    path = make_file("r", 1 << 20)
    rc, out, err = interrupted(signal.SIGTERM, "--output-format=json",
                               "--name=first", "--filename=" + path, "--rw=read", "--bs=4k",
                               "--time_based", "--runtime=60",
                               "--name=second", "--stonewall", "--filename=" + path,
                               "--rw=read", "--bs=4k")
    check(rc == 1, "exit status %d after SIGTERM, want 1; stderr:\n%s" % (rc, err))
    try:
        jobs = json.loads(out)["jobs"]
    except ValueError as e:
        raise Fail("the JSON report does not parse (%s):\n%s" % (e, out[:2000]))
    first, second = jobs[0], jobs[1]
    check(first["error"] == EINTR and "interrupted by SIGTERM" in first.get("error_text", ""),
          "first job: error %s, text %r" % (first["error"], first.get("error_text")))
    check(first["read"]["total_ios"] > 0, "the first job's IO is not in the report")
    check_rates(first["read"], "interrupted read")
    check(second["error"] == EINTR and "not started" in second.get("error_text", ""),
          "second job: error %s, text %r" % (second["error"], second.get("error_text")))


def case_signal_after_end_is_no_error():
    """a job that ended normally has no error"""
    p = run("--name=t", "--ioengine=null", "--size=1m", "--output-format=json")
    check(p.returncode == 0 and json_of(p)["jobs"][0]["error"] == 0,
          "a finished job reports an error: %s" % p.stderr)


CASES = [case_sub_ms_rates, case_rates_rw, case_slat_libaio, case_slat_io_uring,
         case_invalidate_each_pass,
         case_sigint_verify, case_sigterm_json, case_signal_after_end_is_no_error]

if __name__ == "__main__":
    sys.exit(script_main(CASES, "tio-numbers-", globals()))
