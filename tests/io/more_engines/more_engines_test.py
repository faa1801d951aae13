#!/usr/bin/env python3
"""Engines that are not a read/write path, and splice, through tenon-io:

- filecreate, filestat, filedelete, dircreate, dirstat, dirdelete on a
  temporary folder: each IO is one create, lookup or removal of one of the
  job's files (nrfiles, filename_format), exactly those and nothing else
  in the folder; stat_type=lstat|statx; a file of more than one block,
  size= missing and unlink=1 are refused with the reason;
- cpuio: needs no size (its cycles are pseudo IO), runs them for its
  runtime and reports user CPU time; cpuload= is required;
  exit_on_io_done=1 ends it once the run's other jobs are done with their IO;
- splice: data written through the pipe reads back (verify), and a file
  written by psync reads back the same through splice.

Output is TAP.

usage: more_engines_test.py TENON_IO
"""
import os
import sys

TIO = None
TMP = None
RUN_LIMIT = 60  # seconds: every run here is small

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from harness import Fail, check, run_tio, script_main  # noqa: E402
from harness import TioRun as Run  # noqa: E402


def tenon_io(*args, want=0):
    p = run_tio(TIO, "--output-format=json", *args, timeout=RUN_LIMIT, hang_fails=True,
                cwd=TMP)
    r = Run(p.returncode, p.stdout, p.stderr)
    if r.rc != want:
        raise Fail("wanted exit %d: %s\n%s" % (want, " ".join(p.args), r.describe()))
    return r


def refused(*args):
    p = run_tio(TIO, *args, timeout=RUN_LIMIT, hang_fails=True, cwd=TMP)
    check(p.returncode == 1, "refused (exit 1): %s\n%s" % (" ".join(p.args), p.stderr))
    return p.stderr


def ios(job):
    return job["read"]["total_ios"] + job["write"]["total_ios"]


def entries(d):
    return sorted(os.listdir(d))


def meta_job(engine, d, nrfiles, *extra):
    return ("--name=j", "--ioengine=" + engine, "--directory=" + d,
            "--nrfiles=%d" % nrfiles, "--filesize=4k", "--bs=4k",
            "--filename_format=m.$filenum") + extra


def case_filecreate_makes_each_file():
    d = os.path.join(TMP, "d")
    os.mkdir(d)
    open(os.path.join(d, "other"), "w").close()
    j = tenon_io(*meta_job("filecreate", d, 5)).job()
    check(ios(j) == 5, "5 creates, got %d IOs" % ios(j))
    check(j["read"]["clat_ns"]["N"] == 5, "one latency per create")
    check(entries(d) == ["m.%d" % i for i in range(5)] + ["other"],
          "the 5 named files and nothing else: %s" % entries(d))
    check(all(os.path.getsize(os.path.join(d, "m.%d" % i)) == 0 for i in range(5)),
          "created empty: no IO to them")


def case_filestat_looks_each_file_up():
    d = os.path.join(TMP, "d")
    os.mkdir(d)
    for st in ("stat", "lstat", "statx"):
        j = tenon_io(*meta_job("filestat", d, 4, "--stat_type=" + st)).job()
        check(ios(j) == 4 and j["error"] == 0, "stat_type=%s: 4 lookups, got %d" % (st, ios(j)))
    check(entries(d) == ["m.%d" % i for i in range(4)], "the files stay: %s" % entries(d))


def case_filedelete_removes_each_file():
    d = os.path.join(TMP, "d")
    os.mkdir(d)
    open(os.path.join(d, "keep"), "w").close()
    j = tenon_io(*meta_job("filedelete", d, 3)).job()
    check(ios(j) == 3, "3 removals, got %d" % ios(j))
    check(entries(d) == ["keep"], "only the job's files removed: %s" % entries(d))


def case_dir_engines():
    d = os.path.join(TMP, "d")
    os.mkdir(d)
    j = tenon_io(*meta_job("dircreate", d, 3)).job()
    check(ios(j) == 3, "3 mkdirs, got %d" % ios(j))
    check(all(os.path.isdir(os.path.join(d, "m.%d" % i)) for i in range(3)), "3 directories")
    # a second dircreate finds them: EEXIST, as fio
    tenon_io(*meta_job("dircreate", d, 3), want=1)
    j = tenon_io(*meta_job("dirstat", d, 4, "--stat_type=statx")).job()
    check(ios(j) == 4, "4 lookups (the missing one made first), got %d" % ios(j))
    check(entries(d) == ["m.%d" % i for i in range(4)], "4 directories: %s" % entries(d))
    open(os.path.join(d, "keep"), "w").close()
    j = tenon_io(*meta_job("dirdelete", d, 4)).job()
    check(ios(j) == 4, "4 rmdirs, got %d" % ios(j))
    check(entries(d) == ["keep"], "only the job's directories removed: %s" % entries(d))


def case_metadata_refusals():
    d = os.path.join(TMP, "d")
    os.mkdir(d)
    err = refused("--name=j", "--ioengine=filecreate", "--directory=" + d, "--filesize=16k",
                  "--bs=4k")
    check("more than one block" in err, "a file of 4 blocks is refused: " + err)
    err = refused("--name=j", "--ioengine=dircreate", "--directory=" + d, "--size=4k",
                  "--unlink=1")
    check("unlink=1" in err, "unlink=1 is refused: " + err)
    err = refused("--name=j", "--ioengine=filestat", "--directory=" + d, "--size=4k",
                  "--stat_type=fstat")
    check("stat_type" in err, "a bad stat_type is refused: " + err)
    check(entries(d) == [], "nothing made by a refused job: %s" % entries(d))


def case_cpuio_burns_user_cpu():
    # no size: pseudo IO, bounded by the runtime (fio's examples/cpuio.fio)
    j = tenon_io("--name=j", "--ioengine=cpuio", "--cpuload=100", "--cpuchunks=20000",
                 "--time_based", "--runtime=1").job()
    check(ios(j) > 0 and j["error"] == 0, "cycles for a second, got %d" % ios(j))
    check(j["usr_cpu"] > 0, "user CPU reported: %s" % j["usr_cpu"])
    j = tenon_io("--name=j", "--ioengine=cpuio", "--cpuload=50", "--cpumode=qsort",
                 "--runtime=1").job()
    check(ios(j) >= 1 and j["usr_cpu"] > 0, "qsort cycles: %d, usr %s" % (ios(j), j["usr_cpu"]))
    err = refused("--name=j", "--ioengine=cpuio", "--runtime=1")
    check("cpuload" in err, "cpuload= is required: " + err)


def case_cpuio_exit_on_io_done():
    job = os.path.join(TMP, "job.fio")
    with open(job, "w") as f:
        f.write("[burn]\nioengine=cpuio\ncpuload=10\ncpuchunks=1000\nexit_on_io_done=1\n"
                "[io]\nioengine=psync\nfilename=data\nsize=4m\nrw=write\n")
    r = tenon_io(job)
    check(r.job("io")["write"]["io_bytes"] == 4 << 20, "the IO job did its 4 MiB")
    check(r.job("burn")["error"] == 0, "the cpuio job ended without an error once the IO "
          "job was done (no runtime=: it would run for ever otherwise)")
    # alone, there is no IO to wait for: it ends at once, as fio's
    j = tenon_io("--name=j", "--ioengine=cpuio", "--cpuload=10", "--exit_on_io_done=1").job()
    check(ios(j) == 0 and j["error"] == 0, "no cycle without IO jobs: %d" % ios(j))


def case_splice_moves_the_data():
    f = os.path.join(TMP, "f")
    tenon_io("--name=j", "--ioengine=splice", "--rw=write", "--bs=192k", "--size=6m",
             "--filename=" + f, "--verify=crc32c", "--do_verify=1")
    tenon_io("--name=j", "--ioengine=splice", "--rw=randread", "--bs=192k", "--size=6m",
             "--filename=" + f, "--verify=crc32c", "--verify_only=1")
    # psync writes, splice reads, psync reads: the same bytes
    g = os.path.join(TMP, "g")
    tenon_io("--name=j", "--ioengine=psync", "--rw=write", "--bs=64k", "--size=2m",
             "--filename=" + g, "--verify=md5", "--do_verify=0")
    tenon_io("--name=j", "--ioengine=splice", "--rw=read", "--bs=64k", "--size=2m",
             "--filename=" + g, "--verify=md5", "--verify_only=1")
    # an odd length and a file that ends inside the last block
    with open(g, "r+b") as fh:
        fh.truncate(2 * 1024 * 1024 - 1000)
    j = tenon_io("--name=j", "--ioengine=splice", "--rw=read", "--bs=100000", "--size=1m",
                 "--filename=" + g).job()
    # as fio 3.33: the 11th read starts inside size= and ends past it, in the file
    check(j["error"] == 0 and j["read"]["io_bytes"] == 1100000,
          "11 reads of 100000 bytes: %s" % j["read"]["io_bytes"])


if __name__ == "__main__":
    sys.exit(script_main(None, "tio-more-engines.", globals()))
