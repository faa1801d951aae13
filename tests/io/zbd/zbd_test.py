#!/usr/bin/env python3
"""zonemode=zbd on emulated zones (files, the null engine, a loop device):

  - zbd_fio.tsv's jobs issue the IOs and zone resets fio 3.33 issued;
  - writes land at their zones' write pointers, reads below them (unless
    read_beyond_wp), the open zones stay within max_open_zones and
    job_max_open_zones, and the resets the report counts are the writes
    that started a zone over (checked on the IOs a run logs, whatever
    fio did);
  - what fio refuses, and what tenon-io does not combine with zbd yet, is
    refused with the reason.

A zoned block device (null_blk, SMR, ZNS) is not at hand here: its path
(sysfs, BLKREPORTZONE, BLKRESETZONE) is not run by these tests.

usage: zbd_test.py TENON_IO [CASE...]
       zbd_test.py --record FIO   rewrites zbd_fio.tsv with what FIO did"""
import glob
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from harness import Skip, check, run_tio, script_main  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, "zbd_fio.tsv")
TIO = None
TMP = None
ZONE = 64 << 10


def run(tool, args, tmp, name="z"):
    """Runs a zbd job; returns (exit status, zone resets per job, IOs per job as
    [(direction: 0 read, 1 write, 2 trim, offset, size)] in order of completion,
    stdout + stderr)."""
    for old in glob.glob(os.path.join(tmp, "%s_iops.*.log" % name)):
        os.unlink(old)
    path = os.path.join(tmp, "file")
    with open(path, "wb") as f:
        f.truncate(1 << 20)
    args = [a.replace("{file}", path).replace("{tmp}", tmp) for a in args]
    cmd = [tool, "--name=" + name, "--zonemode=zbd", "--log_offset=1",
           "--write_iops_log=" + os.path.join(tmp, name), *args]
    if tool == TIO:
        p = run_tio(tool, *cmd[1:], timeout=60)
    else:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=60)
    resets = [int(n) for n in re.findall(r"; (\d+) zone resets", p.stdout)]
    jobs = []
    for log in sorted(glob.glob(os.path.join(tmp, "%s_iops.*.log" % name)),
                      key=lambda n: int(n.split(".")[-2])):
        with open(log) as f:
            jobs.append([(int(t[2]), int(t[4]), int(t[3]))
                         for t in (line.split(",") for line in f)])
    return p.returncode, resets, jobs, p.stdout + p.stderr


def summary(rc, resets, jobs):
    ios = " | ".join(" ".join("%s%d:%d" % (("", "w", "t")[d], o >> 10, s >> 10)
                              for d, o, s in j) for j in jobs)
    return "%d\t%s\t%s" % (rc, ",".join(map(str, resets)), ios)


def rows():
    with open(TABLE) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                cols = line.rstrip("\n").split("\t")
                yield cols[0].split(), "\t".join(cols[1:])


def case_as_fio():
    """zbd_fio.tsv: the IOs and zone resets of fio 3.33"""
    bad = []
    for args, want in rows():
        got = summary(*run(TIO, args, TMP)[:3])
        if got != want:
            bad.append("%s\n  fio 3.33: %s\n  tenon-io: %s" % (" ".join(args), want[:600],
                                                              got[:600]))
    check(not bad, "\n".join(bad))


def replay(ios, zone=ZONE, cap=ZONE, check_reads=True):
    """Walks a job's IOs (a synchronous engine's: in order) with write pointers
    per zone; returns the resets (writes at a zone's start while it held data)
    and the most zones open at once (written, not full)."""
    wp, resets, most = {}, 0, 0
    for i, (write, off, size) in enumerate(ios):
        z = off // zone
        start = z * zone
        if write == 1:
            if off == start and wp.get(z, start) != start:
                resets += 1
                wp[z] = start
            check(off == wp.get(z, start),
                  "IO %d: a write at %d, the zone's write pointer is at %d"
                  % (i, off, wp.get(z, start)))
            check(off + size <= start + cap, "IO %d: a write past the zone's capacity" % i)
            wp[z] = off + size
        elif write == 0 and check_reads:
            check(off + size <= wp.get(z, start),
                  "IO %d: a read of %d..%d, the zone's write pointer is at %d"
                  % (i, off, off + size, wp.get(z, start)))
        open_now = sum(1 for k, v in wp.items() if k * zone < v < k * zone + cap)
        most = max(most, open_now)
    return resets, most


def case_writes_at_wp():
    """sequential and random writes land at write pointers; the resets counted are those"""
    for extra in (["--rw=write", "--io_size=3m"], ["--rw=randwrite", "--norandommap",
                                                   "--io_size=3m"],
                  ["--rw=randwrite", "--bsrange=4k-32k", "--io_size=2m"],
                  ["--rw=randwrite", "--ioengine=psync", "--zonecapacity=40k"]):
        args = ["--filename={file}", "--size=1m", "--bs=16k", "--zonesize=64k"] + extra
        rc, resets, jobs, out = run(TIO, args, TMP)
        check(rc == 0 and jobs and jobs[0], "%s: exit %d\n%s" % (args, rc, out))
        cap = 40 << 10 if "--zonecapacity=40k" in extra else ZONE
        counted, _ = replay(jobs[0], cap=cap)
        check(resets == [counted], "%s: %s zone resets reported, %d in the IOs"
              % (" ".join(extra), resets, counted))
        check(counted > 0 or extra[0] == "--rw=randwrite" and len(extra) > 2,
              "%s: no zone was written again" % " ".join(extra))


def case_reads_below_wp():
    """reads stay below the write pointers; read_beyond_wp lets them past"""
    path = os.path.join(TMP, "two.fio")
    with open(path, "w") as f:
        f.write("[global]\nfilename=%s\nsize=1m\nbs=16k\nzonemode=zbd\nzonesize=64k\n"
                "log_offset=1\n[w]\nrw=randwrite\nio_size=200k\nwrite_iops_log=%s\n"
                "[r]\nstonewall\nrw=randread\nio_size=2m\nwrite_iops_log=%s\n"
                % (os.path.join(TMP, "file"), os.path.join(TMP, "w"), os.path.join(TMP, "r")))
    with open(os.path.join(TMP, "file"), "wb") as f:
        f.truncate(1 << 20)
    for beyond in (False, True):
        p = run_tio(TIO, path, *(["--read_beyond_wp=1"] if beyond else []), timeout=60)
        check(p.returncode == 0, p.stderr)
        ios = []
        for name in ("w", "r"):
            with open(glob.glob(os.path.join(TMP, "%s_iops.*.log" % name))[0]) as f:
                ios += [(t[2].strip() == "1", int(t[4]), int(t[3]))
                        for t in (line.split(",") for line in f)]
        reads = [io for io in ios if not io[0]]
        check(len(reads) == 128, "%d reads, want 2m of 16k" % len(reads))
        if not beyond:
            replay(ios)  # fails on a read past a write pointer
        else:
            past = [io for io in reads if (io[1] % ZONE) >= 48 << 10]
            check(past, "read_beyond_wp=1: no read past the written part of any zone")


def case_open_zone_limits():
    """max_open_zones and job_max_open_zones bound the zones written at once"""
    for limit, args in ((2, ["--max_open_zones=2"]),
                        (1, ["--max_open_zones=3", "--job_max_open_zones=1"]),
                        (4, ["--max_open_zones=4", "--bsrange=4k-32k"])):
        rc, resets, jobs, out = run(TIO, ["--filename={file}", "--size=1m", "--bs=16k",
                                          "--zonesize=64k", "--rw=randwrite",
                                          "--io_size=4m", "--norandommap"] + args, TMP)
        check(rc == 0, out)
        _, most = replay(jobs[0])
        check(most == limit, "%s: %d zones open at most, want %d" % (args, most, limit))


def case_ignore_zone_limits():
    """ignore_zone_limits: no device limit on emulated zones, so the same IOs (fio too)"""
    args = ["--filename={file}", "--size=1m", "--bs=16k", "--zonesize=64k", "--rw=randwrite",
            "--max_open_zones=3"]
    plain = run(TIO, args, TMP)[:3]
    ignoring = run(TIO, args + ["--ignore_zone_limits=1"], TMP)[:3]
    check(plain[0] == 0 and plain == ignoring, "%s\n%s" % (summary(*plain), summary(*ignoring)))


def case_region_rounded():
    """an offset inside a zone is rounded up, the region's end down, as fio says"""
    rc, _, jobs, out = run(TIO, ["--filename={file}", "--size=500k", "--offset=100k",
                                 "--bs=16k", "--zonesize=64k", "--rw=write"], TMP)
    check(rc == 0, out)
    check("rounded up offset from 102400 to 131072" in out and "rounded down io_size" in out,
          out)
    offs = [o for _, o, _ in jobs[0]]
    check(min(offs) == 128 << 10 and max(offs) + (16 << 10) == 576 << 10,
          "IOs from %d to %d, want 128k to 576k" % (min(offs), max(offs)))


def refused(args, *words, fails=True):
    rc, _, _, out = run(TIO, args, TMP)
    check((rc != 0) == fails and all(w in out for w in words),
          "%s: exit %d, want an error naming %s:\n%s" % (" ".join(args), rc, words, out))


def case_refused():
    """bad zone sizes, limits and combinations are refused, saying what and how"""
    f = ["--filename={file}", "--bs=16k"]
    refused(f + ["--rw=write"], "needs zonesize=")
    refused(f + ["--rw=write", "--zonesize=256"], "zonesize=256", "at least 512")
    refused(f + ["--rw=write", "--zonesize=2m"], "smaller than", "zonesize=2097152")
    refused(f + ["--rw=write", "--zonesize=64k", "--zonecapacity=128k"], "zonecapacity=131072",
            "larger than zonesize")
    refused(f + ["--rw=write", "--zonesize=64k", "--size=100k", "--offset=10k"],
            "no whole zone")
    refused(f + ["--rw=write", "--zonesize=64k", "--max_open_zones=5000"], "max_open_zones")
    refused(f + ["--rw=write", "--zonesize=64k", "--job_max_open_zones=2"],
            "job_max_open_zones=2", "max_open_zones too")
    refused(f + ["--rw=write", "--zonesize=64k", "--zone_reset_frequency=2"], "0 to 1")
    refused(f + ["--rw=trim", "--zonesize=64k"], "trim block size 16384", "not the zone size")
    refused(f + ["--rw=trim", "--zonesize=64k", "--bsrange=64k-128k"], "bsrange and bssplit")
    refused(f + ["--rw=trimwrite", "--zonesize=64k", "--bs=64k,16k,64k"], "trimwrite",
            "not supported")
    refused(f + ["--rw=write", "--zonesize=64k", "--verify=crc32c", "--bs=24k"],
            "block size 24576", "not a divisor")
    refused(f + ["--rw=write", "--zonesize=64k", "--verify=crc32c", "--zone_reset_frequency=1"],
            "zone_reset_frequency with verify")
    refused(f + ["--rw=write", "--zonesize=64k", "--verify=crc32c", "--time_based",
                 "--runtime=1"], "verify and time_based", "not supported")
    refused(f + ["--rw=write", "--zonesize=64k", "--verify=crc32c", "--experimental_verify=1"],
            "experimental_verify", "not supported")
    refused(f + ["--rw=write", "--zonesize=64k", "--zoneskip=48k"], "zoneskip=49152",
            "not a multiple")
    refused(f + ["--rw=write", "--zonesize=64k", "--zoneskip=1z", "--size=512k"],
            "zoneskip=65536", "past the job's region")
    refused(f + ["--rw=write", "--zonesize=64k", "--size=1.5z"], "not a number of zones")
    refused(f + ["--rw=write", "--zonemode=none", "--size=2z"], "size=2z", "zonemode")
    refused(f + ["--rw=write", "--size=2z"], "size=2z", "needs zonesize=")
    refused(f + ["--rw=write", "--zonesize=64k", "--create_serialize=0"], "create_serialize=0")
    refused(f + ["--rw=write", "--zonesize=64k", "--bs=128k"], "larger than the zone size")


def case_shared_zones():
    """jobs on one file share its zones; differing zonesize or max_open_zones is refused"""
    path = os.path.join(TMP, "jobs.fio")
    file = os.path.join(TMP, "file")
    with open(file, "wb") as f:
        f.truncate(1 << 20)
    with open(path, "w") as f:
        f.write("[global]\nfilename=%s\nsize=1m\nbs=16k\nzonemode=zbd\nzonesize=64k\n"
                "[a]\nrw=write\nio_size=48k\n[b]\nstonewall\nrw=write\nio_size=96k\n"
                "write_iops_log=%s\nlog_offset=1\n" % (file, os.path.join(TMP, "b")))
    p = run_tio(TIO, path, timeout=60)
    check(p.returncode == 0, p.stderr)
    with open(glob.glob(os.path.join(TMP, "b_iops.*.log"))[0]) as f:
        first = int(f.readline().split(",")[4])
    # b starts at zone 0, whose write pointer a left at 48k: b writes there (fio 3.33 too)
    check(first == 48 << 10, "the second job's first write at %d, want 49152" % first)
    for bad, word in (("zonesize=128k", "zonesize=131072"), ("max_open_zones=3", "max_open_zones=3")):
        with open(path, "w") as f:
            f.write("[global]\nfilename=%s\nsize=1m\nbs=16k\nzonemode=zbd\nzonesize=64k\n"
                    "[a]\nrw=write\n[b]\nstonewall\nrw=write\n%s\n" % (file, bad))
        p = run_tio(TIO, path, timeout=60)
        check(p.returncode != 0 and word in p.stderr and "every job" in p.stderr,
              "%s: exit %d\n%s" % (bad, p.returncode, p.stderr))


def case_loop_device():
    """a loop device (a block device without zones) gets emulated zones, as fio"""
    img = os.path.join(TMP, "img")
    with open(img, "wb") as f:
        f.truncate(4 << 20)
    try:
        dev = subprocess.run(["losetup", "--find", "--show", img], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise Skip("no losetup: %s" % e)
    if dev.returncode != 0:
        raise Skip("no loop device: %s" % dev.stderr.strip())
    loop = dev.stdout.strip()
    try:
        rc, resets, jobs, out = run(TIO, ["--filename=" + loop, "--allow_mounted_write=1",
                                          "--size=4m", "--bs=16k", "--zonesize=256k",
                                          "--rw=randwrite", "--max_open_zones=2"], TMP)
        check(rc == 0, out)
        counted, most = replay(jobs[0], zone=256 << 10, cap=256 << 10)
        check(resets == [counted] and most == 2, "resets %s (%d in the IOs), %d open"
              % (resets, counted, most))
    finally:
        subprocess.run(["losetup", "-d", loop], timeout=30)


def case_verify_verdicts():
    """verify checks what the zones hold: data written with headers passes,
    data written without them fails (fio 3.33 the same)"""
    base = ["--filename={file}", "--size=256k", "--bs=16k", "--zonesize=64k"]
    second = ["--name=v", "--stonewall", "--zonemode=zbd", "--write_iops_log={tmp}/z",
              "--log_offset=1", "--filename={file}", "--size=256k",
              "--bs=16k", "--zonesize=64k", "--rw=read", "--verify=crc32c"]
    for first, ok in ((["--rw=write", "--verify=crc32c", "--do_verify=0"], True),
                      (["--rw=write"], False)):
        rc, _, jobs, out = run(TIO, base + first + second, TMP)
        check((rc == 0) == ok and len(jobs) == 2 and jobs[1],
              "%s: exit %d, want %s\n%s" % (first, rc, "success" if ok else "failure", out))
        check(ok or "verify" in out, "no verify failure said:\n" + out)


def case_trim_keeps_data():
    """a trim on emulated zones resets the write pointer alone: the file's data
    stays (fio punches no hole either)"""
    rc, resets, jobs, out = run(TIO, ["--filename={file}", "--size=1m", "--bs=16k",
                                      "--zonesize=64k", "--rw=write", "--buffer_pattern=0xab",
                                      "--name=t", "--stonewall", "--zonemode=zbd",
                                      "--write_iops_log={tmp}/z", "--log_offset=1",
                                      "--filename={file}", "--size=1m", "--bs=64k",
                                      "--zonesize=64k", "--rw=trim"], TMP)
    check(rc == 0 and [d for d, _, _ in jobs[1]] == [2] * 16, out)
    with open(os.path.join(TMP, "file"), "rb") as f:
        data = f.read()
    check(data == b"\xab" * (1 << 20), "the trims changed the file's data")


def record(fio):
    """Rewrites the table's results with fio's."""
    import tempfile
    tmp = tempfile.mkdtemp(prefix="tenon-zbd.")
    out = []
    with open(TABLE) as f:
        for line in f.read().splitlines():
            if not line.strip() or line.startswith("#"):
                out.append(line)
                continue
            args = line.split("\t")[0]
            out.append(args + "\t" + summary(*run(fio, args.split(), tmp)[:3]))
    with open(TABLE, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--record":
        record(sys.argv[2])
        sys.exit(0)
    sys.exit(script_main(None, "tenon-zbd.", globals()))
