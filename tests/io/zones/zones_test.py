#!/usr/bin/env python3
"""zonemode=strided against fio 3.33: each row of zones_fio.tsv is a job
(command-line options, null engine) and the offsets and sizes fio 3.33
issued for it, as its write_iops_log with log_offset=1 lists them, per job
("|" between the jobs of numjobs). Each case runs tenon-io on the same job
and compares. Other cases: the errors for what fio refuses, and what
tenon-io does not combine with zones yet (zonemode=zbd: tests/io/zbd).

usage: zones_test.py TENON_IO [CASE...]
       zones_test.py --record FIO   rewrites zones_fio.tsv's offsets with
                                    what FIO issues (fio 3.33 made them)"""
import glob
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from harness import check, run_tio, script_main  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, "zones_fio.tsv")
TIO = None
TMP = None


def issued(tool, args, tmp):
    """The IOs the job issued, per job: "w" for writes, offset:size in KiB; the jobs
    in sorted order."""
    if tool != "fio-record":  # record() ran fio itself
        for old in glob.glob(os.path.join(tmp, "z_iops.*.log")):
            os.unlink(old)
        p = run_tio(tool, "--name=z", "--ioengine=null", "--log_offset=1",
                    "--write_iops_log=" + os.path.join(tmp, "z"), "--output=/dev/null", *args,
                    timeout=60)
        if p.returncode != 0:
            return "error: " + p.stderr.strip()
    jobs = []
    for log in sorted(glob.glob(os.path.join(tmp, "z_iops.*.log")),
                      key=lambda n: int(n.split(".")[-2])):
        ios = []
        with open(log) as f:
            for line in f:
                t = [x.strip() for x in line.split(",")]
                ios.append("%s%d:%d" % ("w" if t[2] == "1" else "", int(t[4]) // 1024,
                                        int(t[3]) // 1024))
        jobs.append(" ".join(ios))
    # fio numbers the logs of numjobs clones in an order of its own
    return " | ".join(sorted(jobs))


def rows():
    with open(TABLE) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                args, want = line.rstrip("\n").split("\t")
                yield args.split(), want


def case_offsets_as_fio():
    """strided zones: the offsets fio 3.33 issues (zones_fio.tsv)"""
    bad = []
    for args, want in rows():
        got = issued(TIO, args, TMP)
        if got != want:
            bad.append("%s\n  fio 3.33: %s\n  tenon-io: %s" % (" ".join(args), want, got))
    check(not bad, "\n".join(bad))


def case_disk_zone_profile():
    """a file read in strided zones (fio's disk zone profile, scaled down), async"""
    img = os.path.join(TMP, "disk")
    with open(img, "wb") as f:
        f.truncate(64 << 20)
    job = os.path.join(TMP, "profile.fio")
    with open(job, "w") as f:
        f.write("[global]\nbs=64k\nrw=read\nioengine=libaio\niodepth=2\n"
                "zonemode=strided\nzonesize=1m\nzoneskip=7m\n"
                "[profile]\nfilename=%s\nwrite_iops_log=%s\nlog_offset=1\n"
                % (img, os.path.join(TMP, "p")))
    p = run_tio(TIO, "--output=/dev/null", job, timeout=60)
    check(p.returncode == 0, p.stderr)
    with open(os.path.join(TMP, "p_iops.1.log")) as f:
        got = [int(line.split(",")[4]) for line in f]
    # fio 3.33: 1m of each 8m, 16 blocks of 64k, over and over until the
    # file's 64m of IO are done
    want = [(n // 16 % 8) * (8 << 20) + n % 16 * (64 << 10) for n in range(1024)]
    check(got == want, "offsets %s..., fio 3.33: %s..." % (got[:40], want[:40]))


def case_file_clones():
    """file clones in strided zones: offset + N x offset_increment, zones to the file's end"""
    logs = os.path.join(TMP, "c")
    p = run_tio(TIO, "--name=c", "--filename=" + os.path.join(TMP, "f"), "--log_offset=1",
                "--write_iops_log=" + logs, "--output=/dev/null", "--rw=randread",
                "--zonemode=strided", "--zonesize=8k", "--zonerange=16k", "--size=32k",
                "--offset=16k", "--offset_increment=48k", "--numjobs=2", timeout=60)
    check(p.returncode == 0, p.stderr)
    got = []
    for n in (1, 2):
        with open("%s_iops.%d.log" % (logs, n)) as f:
            got.append([int(line.split(",")[4]) // 1024 for line in f])
    want = [[16, 24, 44, 36, 52, 60, 68, 72], [68, 64, 88, 80, 68, 72, 88, 84]]
    check(got == want, "offsets (KiB) %s, fio 3.33: %s" % (got, want))
    check(os.path.getsize(os.path.join(TMP, "f")) == 96 << 10, "file laid out to 96k as fio")


def refused(args, *words):
    p = run_tio(TIO, "--name=z", "--output=/dev/null", *args, timeout=60)
    check(p.returncode != 0 and all(w in p.stderr for w in words),
          "%s: exit %d, want an error naming %s:\n%s" % (" ".join(args), p.returncode, words,
                                                       p.stderr))


def case_fio_refusals():
    """zonesize without a zone mode, strided without zonesize: refused as fio"""
    refused(["--ioengine=null", "--size=64k", "--zonesize=4k"], "zonesize=4096",
            "zonemode=strided")
    refused(["--ioengine=null", "--size=64k", "--zonemode=strided"], "needs zonesize=")
    refused(["--ioengine=null", "--size=64k", "--zonemode=stripy"], "zonemode", "strided")


def case_not_yet():
    """what strided zones do not combine with yet is refused, saying with what"""
    base = ["--ioengine=null", "--size=64k", "--zonemode=strided", "--zonesize=8k"]
    refused(base + ["--nrfiles=2"], "more than one file", "nrfiles=1")
    refused(base + ["--rw=write", "--verify=crc32c"], "verify")
    refused(base + ["--rw=read:-4k"], "backward")
    refused(base + ["--rw=rw"], "rw=rw")
    refused(base + ["--bsrange=4k-8k"], "bsrange")
    refused(base + ["--rw=randrw", "--bs=4k,8k"], "block sizes")
    refused(base + ["--zonerange=6k"], "zonerange=6144", "multiple")
    refused(base + ["--zonerange=128k"], "zonerange=131072", "larger than")
    refused(base + ["--rw=randread:4", "--random_generator=lfsr"], "lfsr", "randTYPE:N")


def record(fio):
    """Rewrites the table's offsets with fio's."""
    import subprocess
    import tempfile
    tmp = tempfile.mkdtemp(prefix="tenon-zones.")
    out = []
    with open(TABLE) as f:
        lines = f.read().splitlines()
    for line in lines:
        if not line.strip() or line.startswith("#"):
            out.append(line)
            continue
        args = line.split("\t")[0].split()
        for old in glob.glob(os.path.join(tmp, "z_iops.*.log")):
            os.unlink(old)
        subprocess.run([fio, "--name=z", "--ioengine=null", "--log_offset=1",
                        "--write_iops_log=" + os.path.join(tmp, "z"), "--output=/dev/null",
                        *args], check=True)
        out.append("%s\t%s" % (" ".join(args), issued("fio-record", args, tmp)))
    with open(TABLE, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    if sys.argv[1] == "--record":
        record(sys.argv[2])
        sys.exit(0)
    sys.exit(script_main(None, "tenon-zones.", globals()))
