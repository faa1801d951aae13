#!/usr/bin/env python3
"""Input that once made tenon-io hang or wrap around: each must end
promptly with a clear error (or, for a FIFO job file, run).

- a percentage size on an engine that does no file IO (fio 3.33 refuses it
  too), and an io_size that comes out as 0 bytes: both used to spin forever;
- include of a FIFO, a directory or a device, and such a job file on the
  command line: refused without blocking (a FIFO job file with a writer is
  read, as fio reads it);
- sizes, offsets, counts and times whose products do not fit in 64 bits:
  an error naming the option and the maximum, never a wrap;
- SIGTERM while a job waits out its startdelay.

Every run has a hang limit (LIMIT seconds): reaching it is the failure, no
case measures time otherwise. Output is TAP.

usage: hang_test.py TENON_IO
"""
import os
import subprocess
import sys
import threading

TIO = None
TMP = None
LIMIT = 20

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from harness import Fail, check, run_tio, sanitizer_check, script_main  # noqa: E402


def run(args, stdin=subprocess.DEVNULL):
    return run_tio(TIO, *args, timeout=LIMIT, hang_fails=True, cwd=TMP, stdin=stdin,
                   errors="replace")


def refused(args, *words):
    """tenon-io refuses args with an error holding every word."""
    p = run(args)
    check(p.returncode != 0, "%s was not refused:\n%s" % (args, p.stdout[-2000:]))
    for w in words:
        check(w in p.stderr, "the error for %s does not say %r:\n%s" % (args, w, p.stderr))
    return p


def write(name, text):
    path = os.path.join(TMP, name)
    with open(path, "w") as f:
        f.write(text)
    return path


NULL_JOB = ["--name=t", "--ioengine=null"]


def case_null_percent_size():
    """null engine with size=1% is refused (there is no file to take it of)"""
    refused(NULL_JOB + ["--size=1%"], "job t", "size=1%", "size= in bytes")


def case_io_size_zero():
    """an io_size that comes out as 0 bytes is refused, not run forever"""
    refused(NULL_JOB + ["--bs=1", "--size=50", "--io_size=1%"], "job t", "io_size", "0 bytes")


def case_io_size_percent_loops_overflow():
    """io_size=100% x loops beyond 2^64 bytes is refused, not wrapped to 'no limit'"""
    refused(NULL_JOB + ["--size=8p", "--io_size=100%", "--loops=4096"],
            "job t", "io_size", "loops")


def case_include_fifo():
    """include of a FIFO is refused at once, naming the include line"""
    os.mkfifo(os.path.join(TMP, "fifo"))
    job = write("job.fio", "[t]\nioengine=null\nsize=1m\ninclude fifo\n")
    refused(["--parse-only", job], "job.fio:4", "fifo'", "is a FIFO")


def case_include_devices():
    """include of a directory, /dev/zero or /dev/urandom is refused at once"""
    os.mkdir(os.path.join(TMP, "folder"))
    for target, kind in (("folder", "directory"), ("/dev/zero", "character device"),
                         ("/dev/urandom", "character device")):
        job = write("job.fio", "[t]\nioengine=null\nsize=1m\ninclude %s\n" % target)
        refused(["--parse-only", job], "job.fio:4", target, kind)


def case_jobfile_devices():
    """/dev/zero, /dev/urandom or a folder as the job file is refused at once"""
    for target in ("/dev/zero", "/dev/urandom", TMP):
        refused(["--parse-only", target], target, "give a regular file")


def case_jobfile_stdin_zeros():
    """zeros on stdin ("-") are refused at the first NUL, not read to the size limit"""
    cmd = [TIO, "--parse-only", "-"]
    p = subprocess.Popen(cmd, cwd=TMP, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    try:
        # tenon-io stops reading at the first NUL: a broken pipe is expected
        try:
            p.stdin.write(b"\0" * (1 << 20))
            p.stdin.close()
        except BrokenPipeError:
            pass
        out, err = p.communicate(timeout=LIMIT)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        raise Fail("hung reading zeros from stdin")
    check(p.returncode != 0 and b"NUL byte" in err, "zeros on stdin: %r" % err)


def case_jobfile_huge():
    """a job file larger than the limit is refused before it is read"""
    path = os.path.join(TMP, "huge.fio")
    with open(path, "w") as f:
        f.truncate(1 << 40)  # sparse: costs nothing
    refused(["--parse-only", path], "huge.fio", "larger than")


def case_jobfile_fifo_is_read():
    """a FIFO job file is read once its writer comes, as fio reads it"""
    fifo = os.path.join(TMP, "job.fifo")
    os.mkfifo(fifo)

    def writer():
        with open(fifo, "w") as f:
            f.write("[t]\nioengine=null\nsize=1m\n")

    th = threading.Thread(target=writer, daemon=True)
    th.start()
    p = run(["--parse-only", fifo])
    th.join(LIMIT)
    check(p.returncode == 0 and "name=t" in p.stdout, "FIFO job file: %s" % p.stderr)


OVERFLOWS = [
    (["--size=1m", "--offset=18446744073709551615"], ["offset=", "2^63-1"]),
    (["--size=1m", "--numjobs=3", "--offset_increment=5000p"],
     ["offset_increment", "numjobs", "2^63-1"]),
    (["--size=5000p", "--offset=5000p"], ["offset", "size", "2^63-1"]),
    (["--size=8192p"], ["size=", "2^63-1"]),
    (["--size=16p", "--bs=8p"], ["bs", "the maximum is"]),
    (["--size=1m", "--io_size=16p", "--bs=8e"], ["bs=8e", "suffix"]),
    (["--size=1m", "--io_size=8p", "--loops=4294967295"], ["io_size", "loops", "maximum"]),
    (["--filesize=4p", "--nrfiles=4096"], ["filesize", "nrfiles", "maximum"]),
    (["--size=16e"], ["size=16e", "suffix"]),
    (["--size=101%"], ["size=101%", "100%"]),
    (["--size=1m", "--offset=-1"], ["offset=-1", "negative"]),
    (["--size=1m", "--iodepth=4x"], ["iodepth=4x"]),
    (["--size=1m", "--runtime=18446744073709551615ms"], ["runtime=", "maximum is 36500d"]),
    (["--size=1m", "--startdelay=36501d"], ["startdelay=", "maximum is 36500d"]),
    (["--size=1m", "--ramp_time=99999999999999999999"], ["ramp_time=", "too"]),
    (["--size=1m", "--rw=write:5000p"], ["rw", "maximum is"]),
]


def case_overflows():
    """every overflowing size, offset, count and time is a prompt error"""
    for extra, words in OVERFLOWS:
        refused(NULL_JOB + extra, *words)


def case_huge_bs_on_a_file():
    """bs=2^64-1 on an existing file (no size=) is refused, not a 0-byte buffer"""
    path = write("data", "x" * 8192)
    refused(["--name=t", "--ioengine=psync", "--filename=" + path,
             "--bs=18446744073709551615"], "bs", "the maximum is")


def case_sigterm_in_startdelay():
    """SIGTERM during a long startdelay ends the run (it used to sleep on)"""
    import signal
    import time
    cmd = [TIO, "--eta=never"] + NULL_JOB + ["--size=1m", "--startdelay=1h"]
    p = subprocess.Popen(cmd, cwd=TMP, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    try:
        time.sleep(1)  # let it reach the delay; an earlier signal ends it anyway
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=LIMIT)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        raise Fail("SIGTERM did not end a job in its startdelay within %d s" % LIMIT)
    sanitizer_check(err, cmd)


CASES = [v for k, v in sorted(globals().items()) if k.startswith("case_")]


if __name__ == "__main__":
    sys.exit(script_main(CASES, "tenon-hang.", globals()))
