#!/usr/bin/env python3
"""The nbd engine against a real NBD server (nbdkit), end to end through
tenon-io: reads, writes, flushes and verify over a Unix socket and over TCP
on 127.0.0.1, at iodepth 1 (queue() waits) and 16 (libnbd's asynchronous
commands); data written through NBD is checked by reading the backing file
directly and the other way round; several jobs in one run; TLS with
pre-shared keys (nbds+unix://); and faults: the
server killed mid-run, a server that stops answering, nothing listening, a
read-only export, schemes the engine does not claim.

Every tenon-io run has a time limit, so a hang is a failure, not a stuck
test. Output is TAP.

usage: nbd_test.py TENON_IO
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

TIO = None
TMP = None
RUN_LIMIT = 90  # seconds: no tenon-io run here should take a tenth of it


# Fail, Skip, check, sanitizer_check: shared by the integration tests.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from harness import Fail, Skip, check, run_cases, sanitizer_check  # noqa: E402


def use_tmp(path):
    """The current case's temporary folder."""
    global TMP
    TMP = path


# ---- nbdkit -------------------------------------------------------------


class Nbdkit:
    """An nbdkit process serving one export, on a Unix socket or on TCP
    127.0.0.1 with a free port. --exit-with-parent: it cannot outlive us."""

    def __init__(self, plugin_args, tcp=False, readonly=False, server_args=()):
        self.tcp = tcp
        self.proc = None
        self.scheme = "nbd"
        for _ in range(5):
            cmd = ["nbdkit", "--foreground", "--exit-with-parent"] + list(server_args)
            if readonly:
                cmd.append("-r")
            if tcp:
                self.port = free_port()
                cmd += ["-i", "127.0.0.1", "-p", str(self.port)]
            else:
                self.sock = tempfile.mktemp(prefix="nbd.", suffix=".sock", dir=TMP)
                cmd += ["-U", self.sock]
            self.log = open(os.path.join(TMP, "nbdkit.log"), "a")
            self.proc = subprocess.Popen(cmd + plugin_args, stdout=self.log,
                                         stderr=subprocess.STDOUT)
            if self.wait_ready():
                return
            self.stop()
        raise Fail("nbdkit did not start (see %s)" % os.path.join(TMP, "nbdkit.log"))

    def wait_ready(self):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False  # e.g. the port was taken meanwhile
            try:
                if self.tcp:
                    s = socket.create_connection(("127.0.0.1", self.port), timeout=1)
                else:
                    s = socket.socket(socket.AF_UNIX)
                    s.connect(self.sock)
                s.close()
                return True
            except OSError:
                time.sleep(0.05)
        return False

    @property
    def uri(self):
        if self.tcp:
            return "%s://127.0.0.1:%d/" % (self.scheme, self.port)
        return "%s+unix:///?socket=%s" % (self.scheme, self.sock)

    def signal(self, sig):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.kill()
        if self.proc:
            self.proc.wait()
        self.proc = None


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---- tenon-io -------------------------------------------------------------


from harness import TioRun as Run  # noqa: E402


def tenon_io(args, limit=RUN_LIMIT, job_text=None):
    cmd = [TIO, "--eta=never"] + args
    if job_text is not None:
        path = tempfile.mktemp(prefix="job.", suffix=".fio", dir=TMP)
        with open(path, "w") as f:
            f.write(job_text)
        cmd.append(path)
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=limit)
    except subprocess.TimeoutExpired as e:
        raise Fail("tenon-io did not finish within %ds (a hang): %s\nstderr so far:\n%s" % (
            limit, " ".join(cmd), (e.stderr or b"").decode(errors="replace")))
    r = Run(p.returncode, p.stdout, p.stderr, time.monotonic() - t0)
    sanitizer_check(r.err, cmd)
    if r.rc < 0 or r.rc > 1:
        raise Fail("tenon-io crashed or misbehaved (exit %d): %s\n%s" % (
            r.rc, " ".join(cmd), r.describe()))
    return r


def expect_ok(r, what):
    check(r.rc == 0, "%s: expected success, got %s" % (what, r.describe()))


def job_ios(j, d):
    return j[d]["total_ios"]


# ---- Cases ----------------------------------------------------------------

def job_args(uri, name="j", **kv):
    args = ["--name=%s" % name, "--ioengine=nbd", "--filename=%s" % uri]
    args += ["--%s=%s" % (k, v) for k, v in kv.items()]
    return args


def case_unix_verify_depth1():
    """write + verify pass at iodepth 1 over a Unix socket"""
    with_server(["memory", "size=64M"], False, lambda s: write_verify(s.uri, 1))


def case_unix_verify_depth16():
    """write + verify pass at iodepth 16 over a Unix socket"""
    with_server(["memory", "size=64M"], False, lambda s: write_verify(s.uri, 16))


def case_tcp_verify_depth1():
    """write + verify pass at iodepth 1 over TCP 127.0.0.1"""
    with_server(["memory", "size=64M"], True, lambda s: write_verify(s.uri, 1))


def case_tcp_verify_depth16():
    """write + verify pass at iodepth 16 over TCP 127.0.0.1"""
    with_server(["memory", "size=64M"], True, lambda s: write_verify(s.uri, 16))


def write_verify(uri, depth):
    r = tenon_io(["--output-format=json"] + job_args(
        uri, rw="randwrite", bs="4k", size="16M", iodepth=depth, verify="crc32c"))
    expect_ok(r, "randwrite with verify")
    j = r.job("j")
    check(job_ios(j, "write") == 4096 and job_ios(j, "read") == 4096,
          "expected 4096 writes and 4096 verify reads, got %d and %d" % (
              job_ios(j, "write"), job_ios(j, "read")))


def case_second_run_reads_back():
    """data written in one run (iodepth 16) reads back and verifies in later runs (iodepth 1 and 16)"""
    def body(s):
        r = tenon_io(job_args(s.uri, rw="write", bs="64k", size="32M", iodepth=16,
                              verify="crc32c", do_verify=0))
        expect_ok(r, "write without its own verify pass")
        for depth in (1, 16):
            r = tenon_io(["--output-format=json"] + job_args(
                s.uri, rw="randread", bs="64k", size="32M", iodepth=depth, verify="crc32c"))
            expect_ok(r, "read back with verify at iodepth %d" % depth)
            check(job_ios(r.job("j"), "read") == 512, "expected 512 reads")
        # And the check has teeth: what was never written does not verify.
        r = tenon_io(job_args(s.uri, rw="read", bs="64k", offset="32M", size="1M",
                              verify="crc32c"))
        check(r.rc == 1 and "verify failed" in r.err,
              "reading never-written blocks with verify must fail: " + r.describe())
    with_server(["memory", "size=64M"], False, body)


def case_data_lands_in_the_export():
    """bytes written through NBD are in the backing file at the right offsets, and the reverse"""
    disk = os.path.join(TMP, "disk.img")
    with open(disk, "wb") as f:
        f.truncate(32 << 20)

    def body(s):
        r = tenon_io(job_args(s.uri, rw="randwrite", bs="16k", size="8M", offset="4M",
                              iodepth=8, verify="crc32c", do_verify=0))
        expect_ok(r, "write through nbd")
        # Read the backing file with another engine: verify headers carry
        # the offset, so misplaced data fails.
        r = tenon_io(["--name=j", "--ioengine=psync", "--filename=%s" % disk, "--rw=read",
                      "--bs=16k", "--size=8M", "--offset=4M", "--verify=crc32c"])
        expect_ok(r, "the backing file verifies through psync")
        r = tenon_io(["--name=j", "--ioengine=psync", "--filename=%s" % disk,
                      "--rw=randwrite", "--bs=8k", "--size=4M", "--offset=20M",
                      "--verify=crc32c", "--do_verify=0"])
        expect_ok(r, "write the backing file through psync")
        r = tenon_io(job_args(s.uri, rw="read", bs="8k", size="4M", offset="20M", iodepth=4,
                              verify="crc32c"))
        expect_ok(r, "read through nbd what psync wrote")
    with_server(["file", "file=" + disk, "cache=none"], False, body)


def case_trim():
    """trims go out as NBD_CMD_TRIM: counted, and the export reads zeros where they went"""
    def body(s):
        expect_ok(tenon_io(job_args(s.uri, rw="write", bs="64k", size="2M",
                                    verify="crc32c", do_verify=0)), "fill")
        r = tenon_io(["--output-format=json"] + job_args(
            s.uri, rw="randtrimwrite", bs="64k", size="1M", iodepth=8))
        expect_ok(r, "randtrimwrite")
        j = r.job("j")
        check(job_ios(j, "trim") == 16 and job_ios(j, "write") == 16,
              "16 trims and their writes: %s" % r.describe())
        r = tenon_io(["--output-format=json"] + job_args(
            s.uri, rw="trim", bs="64k", size="1M", offset="1M", iodepth=4))
        expect_ok(r, "trim")
        check(job_ios(r.job("j"), "trim") == 16, "16 trims: %s" % r.describe())
        # the memory plugin frees trimmed blocks: they read as zeros, so the
        # verify headers written there are gone
        r = tenon_io(job_args(s.uri, rw="read", bs="64k", size="1M", offset="1M",
                              verify="crc32c"))
        check(r.rc == 1 and "found 0x0000" in r.err,
              "trimmed blocks read as zeros: " + r.describe())
    with_server(["memory", "size=64M"], False, body)


def case_trim_verify_zero():
    """trim_verify_zero: a server that ignores trims fails the zeros check; =0 skips those blocks"""
    disk = os.path.join(TMP, "disk.img")
    with open(disk, "wb") as f:
        f.truncate(1 << 20)
    # an export whose trims do nothing: the blocks keep their data
    plugin = ["eval", "get_size=echo %d" % (1 << 20),
              "pread=dd if=%s skip=$4 count=$3 iflag=skip_bytes,count_bytes status=none" % disk,
              "pwrite=dd of=%s seek=$4 conv=notrunc oflag=seek_bytes status=none" % disk,
              "can_write=exit 0", "can_trim=exit 0", "trim=exit 0"]

    def body(s):
        args = job_args(s.uri, rw="trimwrite", size="64k", verify="crc32c",
                        trim_percentage=50, trim_backlog=4)
        r = tenon_io(args)
        check(r.rc == 1 and "a trimmed block does not read as zeros" in r.err,
              "trimmed blocks that kept their data fail: " + r.describe())
        r = tenon_io(["--output-format=json", "--trim_verify_zero=0"] + args)
        expect_ok(r, "trim_verify_zero=0")
        check(job_ios(r.job("j"), "read") == 11, "5 trimmed blocks not verified: " +
              r.describe())
    with_server(plugin, False, body)


def case_long_ios_split():
    """IOs larger than max_request are split and completed"""
    def body(s):
        r = tenon_io(["--output-format=json"] + job_args(
            s.uri, rw="write", bs="1M", size="8M", iodepth=4, max_request="64k",
            verify="crc32c"))
        expect_ok(r, "1M IOs with max_request=64k")
        j = r.job("j")
        check(j["write"]["io_bytes"] == 8 << 20, "expected 8 MiB written")
        check(j["write"]["short_ios"] > 0, "expected short IOs to be counted")
    with_server(["memory", "size=64M"], False, body)


def case_flush():
    """end_fsync and fsync=N flush through NBD_CMD_FLUSH (iodepth 1)"""
    def body(s):
        r = tenon_io(["--output-format=json"] + job_args(
            s.uri, rw="randwrite", bs="4k", size="4M", iodepth=1, fsync=8, end_fsync=1))
        expect_ok(r, "fsync=8 end_fsync=1")
        j = r.job("j")
        # As fio's, sync.total_ios counts fsync=N syncs only (not end_fsync's),
        # and no sync follows the last write: 1024 writes / 8 - 1.
        check(j["sync"]["total_ios"] == 127,
              "HOST: expected 127 syncs from fsync=8, got %d. worker.c's "
              "submit(): an IO that an asynchronous engine completes inside queue() "
              "(TIO_COMPLETED; the nbd engine does at iodepth 1) is never passed to "
              "after_write(), so fsync=N never fires for it" % j["sync"]["total_ios"])
    with_server(["memory", "size=64M"], False, body)


def case_flush_async():
    """fsync=N at iodepth 16: each sync completes as itself (HOST: worker.c sync_file)"""
    def body(s):
        r = tenon_io(["--output-format=json"] + job_args(
            s.uri, rw="randwrite", bs="4k", size="4M", iodepth=16, fsync=8, verify="crc32c"))
        check(r.rc == 0,
              "HOST: with an asynchronous engine, worker.c's after_write() calls sync_file() "
              "from inside reap() while other IOs are in flight, and sync_file() takes the "
              "first event getevents() returns as the sync, whatever IO it is. The sync "
              "should wait until nothing is in flight (see the report). " + r.describe())
    with_server(["memory", "size=64M"], False, body)


def case_several_jobs():
    """several jobs in one run: Unix and TCP, iodepth 1 and 16, numjobs=2, mixed reads and writes"""
    a = Nbdkit(["memory", "size=64M"])
    b = Nbdkit(["memory", "size=64M"], tcp=True)
    try:
        job = """
[global]
ioengine=nbd
bs=4k
size=8M
verify=crc32c

[unix-deep]
filename={a}
rw=randwrite
iodepth=16

[tcp-sync]
filename={b}
rw=write
iodepth=1

[tcp-readers]
filename={b}
offset=16M
rw=randrw
iodepth=8
numjobs=2
verify=0
""".format(a=a.uri, b=b.uri)
        r = tenon_io(["--output-format=json"], job_text=job)
        expect_ok(r, "four job threads")
        jobs = r.json()["jobs"]
        check(len(jobs) == 4, "expected 4 job reports, got %d" % len(jobs))
        for j in jobs:
            check(j["error"] == 0, "job %s failed: %s" % (j["jobname"], j.get("error_text")))
            check(j["read"]["total_ios"] + j["write"]["total_ios"] > 0,
                  "job %s did no IO" % j["jobname"])
    finally:
        a.stop()
        b.stop()


def case_uri_option():
    """uri= (fio's nbd option, as in fio's examples/nbd.fio): the job's target, its size the export's"""
    s = Nbdkit(["memory", "size=16M"])
    try:
        job = """
[global]
ioengine=nbd
uri={u}
rw=randwrite
bs=64k
iodepth=4
verify=crc32c

[whole]

[second-half]
offset=8m
rw=read
verify=0
""".format(u=s.uri)
        r = tenon_io(["--output-format=json"], job_text=job)
        expect_ok(r, "uri= without size=")
        for name, d, want in (("whole", "write", 16 << 20), ("second-half", "read", 8 << 20)):
            j = r.job(name)
            done = j[d]["io_bytes"]
            check(done == want, "job %s: the export's size from offset on (%d bytes), did %d"
                  % (name, want, done))
        r = tenon_io(["--name=j", "--ioengine=nbd", "--uri=/tmp/not-a-uri", "--size=1m"])
        check(r.rc == 1 and "not a URI" in r.err, "a path in uri= is refused: " + r.describe())
    finally:
        s.stop()


def case_server_killed():
    """nbdkit killed mid-run: those jobs fail promptly naming the target, the others finish, exit 1"""
    s = Nbdkit(["memory", "size=64M"])
    try:
        local = os.path.join(TMP, "local.dat")
        job = """
[global]
bs=4k
size=8M
time_based
runtime=30

[deep]
ioengine=nbd
filename={u}
rw=randrw
iodepth=16

[sync]
ioengine=nbd
filename={u}
rw=randwrite
iodepth=1

[local]
ioengine=psync
filename={f}
rw=randread
runtime=4
""".format(u=s.uri, f=local)
        path = os.path.join(TMP, "kill.fio")
        with open(path, "w") as f:
            f.write(job)
        t0 = time.monotonic()
        p = subprocess.Popen([TIO, "--eta=never", "--output-format=json", path],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        s.signal(signal.SIGKILL)
        killed = time.monotonic()
        try:
            out, err = p.communicate(timeout=RUN_LIMIT)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            raise Fail("HOST or engine: tenon-io hung after the server died\n" + err)
        r = Run(p.returncode, out, err, time.monotonic() - t0)
        sanitizer_check(err, [TIO, path])
        check(r.rc == 1, "expected exit 1, got " + r.describe())
        # The nbd jobs end at once; the local job runs its 4 s and the run
        # ends with it, long before the 30 s runtime.
        check(r.secs - (killed - t0) < 10, "the run took %.1fs after the kill" % (r.secs - (killed - t0)))
        for name in ("deep", "sync"):
            j = r.job(name)
            check(j["error"] in (104, 107, 32, 5), "job %s: expected a connection error, got %d" % (name, j["error"]))
            check(s.uri in j.get("error_text", ""), "job %s: the error does not name the target: %r" % (name, j.get("error_text")))
            check(re.search(r"job %s: .*%s.*(not connected|reset|pipe)" % (name, re.escape(s.uri)), r.err),
                  "no stderr line for job %s naming the target and why:\n%s" % (name, r.err))
        check("connection lost" in r.err, "the engine did not log why the connection was lost:\n" + r.err)
        j = r.job("local")
        check(j["error"] == 0 and j["read"]["total_ios"] > 0, "the local job did not finish cleanly")
    finally:
        s.stop()


def case_server_stops_answering():
    """a server that stops answering (SIGSTOP): io_timeout fails the job with ETIMEDOUT"""
    s = Nbdkit(["memory", "size=64M"])
    try:
        p = subprocess.Popen([TIO, "--eta=never", "--output-format=json"] + job_args(
            s.uri, rw="randread", bs="4k", size="8M", iodepth=8, time_based=1, runtime=30,
            io_timeout="2s"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1)
        s.signal(signal.SIGSTOP)
        stopped = time.monotonic()
        try:
            out, err = p.communicate(timeout=RUN_LIMIT)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            raise Fail("tenon-io hung on a silent server despite io_timeout=2s\n" + err)
        r = Run(p.returncode, out, err, time.monotonic() - stopped)
        sanitizer_check(err, [TIO])
        check(r.rc == 1, "expected exit 1, got " + r.describe())
        check(r.secs < 10, "took %.1fs after the server stopped (io_timeout=2s)" % r.secs)
        j = r.job("j")
        check(j["error"] == 110, "expected ETIMEDOUT (110), got %d" % j["error"])
        check("no reply from the server" in r.err and s.uri in r.err,
              "expected the engine to say the server did not reply:\n" + r.err)
        check(j.get("error_counts", {}).get("ETIMEDOUT", 0) >= 1, "ETIMEDOUT not counted")
    finally:
        s.stop()


def case_nothing_listening():
    """nothing listening: a clear error naming the target, exit 1, quickly"""
    uri = "nbd://127.0.0.1:%d/" % free_port()
    r = tenon_io(job_args(uri, rw="read", bs="4k", size="1M"), limit=20)
    check(r.rc == 1, "expected exit 1: " + r.describe())
    check(uri in r.err and "refused" in r.err.lower(), "expected 'connection refused' naming %s:\n%s" % (uri, r.err))


def case_connect_timeout():
    """a listener that never speaks NBD: connect_timeout ends the wait"""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)  # the kernel completes the TCP handshake; nobody answers
    try:
        uri = "nbd://127.0.0.1:%d/" % srv.getsockname()[1]
        r = tenon_io(job_args(uri, rw="read", bs="4k", size="1M", connect_timeout="1s"),
                     limit=20)
        check(r.rc == 1, "expected exit 1: " + r.describe())
        check(r.secs < 8, "connect_timeout=1s took %.1fs" % r.secs)
        check("connect_timeout" in r.err and uri in r.err, "expected a connect_timeout message:\n" + r.err)
    finally:
        srv.close()


def case_no_such_export():
    """an export the server does not have: the server's refusal is reported"""
    def body(s):
        uri = "nbd://127.0.0.1:%d/nosuch" % s.port
        r = tenon_io(job_args(uri, rw="read", bs="4k", size="1M"), limit=20)
        check(r.rc == 1 and uri in r.err, "expected a failure naming %s: %s" % (uri, r.describe()))
    # nbdkit's exportname filter refuses names it does not list.
    with_server(["--filter=exportname", "memory", "size=1M", "exportname=disk",
                 "exportname-strict=true"], True, body)


def case_read_only_export():
    """a write job on a read-only export is refused with EROFS; reads work"""
    def body(s):
        r = tenon_io(job_args(s.uri, rw="write", bs="4k", size="1M"), limit=20)
        check(r.rc == 1 and "read-only" in r.err, "expected a read-only refusal: " + r.describe())
        r = tenon_io(job_args(s.uri, rw="read", bs="4k", size="1M"), limit=20)
        expect_ok(r, "reading a read-only export")
    with_server(["memory", "size=8M"], False, body, readonly=True)


def case_unclaimed_scheme():
    """a scheme the engine does not claim is not routed to it"""
    r = tenon_io(job_args("nbd+vsock://1/x", rw="read", bs="4k", size="1M"), limit=20)
    check(r.rc == 1 and "nbd+vsock" in r.err, "expected a routing error: " + r.describe())


def case_tls_require_refuses_plain():
    """tls=require refuses a plain nbd:// URI"""
    def body(s):
        r = tenon_io(job_args(s.uri, rw="read", bs="4k", size="1M", tls="require"), limit=20)
        check(r.rc == 1 and s.uri in r.err, "expected a refusal: " + r.describe())
    with_server(["memory", "size=1M"], True, body)


def case_tls_psk():
    """nbds+unix:// with TLS pre-shared keys: write and verify; wrong key, plain URI and tls=off are refused"""
    keys = os.path.join(TMP, "keys.psk")
    with open(keys, "w") as f:
        f.write("alice:%s\n" % os.urandom(32).hex())
    wrong = os.path.join(TMP, "wrong.psk")
    with open(wrong, "w") as f:
        f.write("alice:%s\n" % os.urandom(32).hex())
    try:
        s = Nbdkit(["memory", "size=16M"],
                   server_args=["--tls=require", "--tls-psk=" + keys])
    except Fail as e:
        raise Skip("nbdkit cannot serve TLS here: %s" % e)
    try:
        plain = s.uri
        s.scheme = "nbds"
        r = tenon_io(["--output-format=json"] + job_args(
            s.uri, rw="randwrite", bs="4k", size="4M", iodepth=8, verify="crc32c",
            tls_psk_file=keys, tls_username="alice"))
        if r.rc != 0 and "without TLS support" in r.err:
            raise Skip("libnbd was built without TLS")
        expect_ok(r, "write and verify over TLS")
        r = tenon_io(job_args(s.uri, rw="read", bs="4k", size="1M", tls_psk_file=wrong,
                              tls_username="alice"), limit=30)
        check(r.rc == 1 and s.uri in r.err, "a wrong key must fail: " + r.describe())
        r = tenon_io(job_args(plain, rw="read", bs="4k", size="1M"), limit=30)
        check(r.rc == 1 and "TLS" in r.err, "a plain URI to a TLS-only server: " + r.describe())
        r = tenon_io(job_args(s.uri, rw="read", bs="4k", size="1M", tls="off",
                              tls_psk_file=keys, tls_username="alice"), limit=30)
        check(r.rc == 1 and "not permitted" in r.err, "tls=off must refuse nbds: " + r.describe())
    finally:
        s.stop()


# ---- Regions: size=, offset=, io_size= and offset_increment= on an export --

EXPORT = 8 << 20  # bytes of the logged memory export


def logged_export(body):
    """Runs body(server, requests) against an 8 MiB memory export behind
    nbdkit's log filter; requests() returns the (command, offset, count)
    of every read, write and trim the server has received so far."""
    log = os.path.join(TMP, "requests.log")
    s = Nbdkit(["--filter=log", "memory", "size=%d" % EXPORT, "logfile=" + log])

    def requests():
        with open(log) as f:
            text = f.read()
        return [(m.group(1), int(m.group(2), 16), int(m.group(3), 16)) for m in re.finditer(
            r"\b(Read|Write|Trim) id=\d+ offset=(0x[0-9a-f]+) count=(0x[0-9a-f]+)", text)]
    try:
        body(s, requests)
    finally:
        s.stop()


def touched(reqs, command):
    """The 4 KiB blocks the requests of one command touched, with repeats."""
    blocks = []
    for c, off, count in reqs:
        if c == command:
            blocks += range(off >> 12, (off + count + 4095) >> 12)
    return blocks


def expect_blocks(reqs, command, first, end, what):
    """Every block of [first, end) touched exactly once, nothing else."""
    got = touched(reqs, command)
    want = list(range(first >> 12, end >> 12))
    check(sorted(got) == want,
          "%s: expected each 4k block of [%#x, %#x) %s once, got %d %s requests over %s" % (
              what, first, end, command.lower(), len(got), command.lower(),
              "[%#x, %#x)" % (min(got) << 12, (max(got) + 1) << 12) if got else "nothing"))


def case_size_past_export_refused():
    """size= past the export's end, or offset= at or past it, is refused before any IO, naming target, sizes and the fix"""
    def body(s, requests):
        for rw, kv, words in (
                ("write", {"size": "16M"},
                 ["is %d bytes" % EXPORT, "needs %d" % (16 << 20), "offset 0", "size="]),
                ("read", {"size": "4M", "offset": "6M"},
                 ["is %d bytes" % EXPORT, "needs %d" % (10 << 20), "offset %d" % (6 << 20)]),
                ("write", {"offset": "8M"},
                 ["is %d bytes" % EXPORT, "byte %d" % EXPORT, "past its end", "offset="]),
                ("randwrite", {"offset": "9M", "size": "1M"},
                 ["byte %d" % (9 << 20), "past its end"]),
                ("write", {"offset": "2M", "offset_increment": "3M", "numjobs": 3,
                           "size": "1M"},
                 ["byte %d" % (8 << 20), "offset_increment="])):
            what = "%s %s" % (rw, " ".join("%s=%s" % i for i in kv.items()))
            r = tenon_io(["--output-format=json"] + job_args(s.uri, rw=rw, bs="4k", **kv),
                         limit=30)
            check(r.rc == 1, "%s on an 8 MiB export must be refused: %s" % (what, r.describe()))
            check(re.search(r"job j: .*%s is" % re.escape(s.uri), r.err),
                  "%s: the refusal does not name the job and the target:\n%s" % (what, r.err))
            for w in words:
                check(w in r.err, "%s: the refusal does not say %r:\n%s" % (what, w, r.err))
            check(any(j["error"] == 22 for j in r.json()["jobs"]),
                  "%s: expected EINVAL as the job's error" % what)
            if "numjobs" not in kv:
                reqs = [q for q in requests() if q[0] in ("Read", "Write")]
                check(not reqs, "%s: IO reached the export before the refusal: %s" % (
                    what, reqs[:5]))
    logged_export(body)


def case_percent_regions():
    """size=%, offset=%, io_size=% and offset_increment=% on an export touch exactly the bytes fio would"""
    cases = [
        # (options, rw, first byte, end byte)
        ({"size": "50%"}, "write", 0, 4 << 20),
        ({"offset": "50%"}, "write", 4 << 20, 8 << 20),
        ({"size": "25%", "offset": "25%"}, "write", 2 << 20, 4 << 20),
        ({"size": "80%", "offset": "50%"}, "write", 4 << 20, 8 << 20),  # cut at the end
        ({"io_size": "50%"}, "write", 0, 4 << 20),
        ({"io_size": "50%", "offset": "2M"}, "write", 2 << 20, 5 << 20),
        ({"size": "25%", "offset": "50%"}, "read", 4 << 20, 6 << 20),
        # 1 MiB per clone, each a quarter further: [0,1M) [2M,3M) [4M,5M) [6M,7M)
        ({"size": "1M", "offset_increment": "25%", "numjobs": 4}, "write", None, None),
    ]

    def body(s, requests):
        for kv, rw, first, end in cases:
            what = "%s %s" % (rw, " ".join("%s=%s" % i for i in kv.items()))
            before = len(requests())
            r = tenon_io(["--output-format=json"] + job_args(s.uri, rw=rw, bs="4k", **kv))
            expect_ok(r, what)
            reqs = requests()[before:]
            command = "Read" if rw == "read" else "Write"
            if first is None:
                got = sorted(touched(reqs, command))
                want = sorted(b for k in range(4) for b in range(k * 512, k * 512 + 256))
                check(got == want, "%s: expected 1 MiB at each quarter of the export, got "
                      "blocks %s..%s (%d)" % (what, got[:1], got[-1:], len(got)))
                continue
            expect_blocks(reqs, command, first, end, what)
            j = r.job("j")
            check(j[rw]["io_bytes"] == end - first, "%s: io_bytes %d, expected %d" % (
                what, j[rw]["io_bytes"], end - first))
        # A percentage offset is aligned up to the block size, as fio's
        # default offset_align: 33% of 8 MiB rounds up to 0x2b0000 at 64k.
        before = len(requests())
        r = tenon_io(job_args(s.uri, rw="write", bs="64k", offset="33%"))
        expect_ok(r, "offset=33% bs=64k")
        expect_blocks(requests()[before:], "Write", 0x2b0000, 8 << 20, "offset=33% bs=64k")
    logged_export(body)


def case_enghelp():
    """--enghelp=nbd lists the engine's options from its descriptor"""
    r = tenon_io(["--enghelp=nbd"], limit=20)
    expect_ok(r, "--enghelp=nbd")
    for opt in ("io_timeout", "connect_timeout", "tls", "tls_psk_file", "fua", "max_request"):
        check(opt in r.out, "option %s missing from --enghelp=nbd:\n%s" % (opt, r.out))
    check("nbd,nbd+unix,nbds,nbds+unix" in r.out, "targets missing:\n" + r.out)


def with_server(args, tcp, body, readonly=False):
    s = Nbdkit(args, tcp=tcp, readonly=readonly)
    try:
        body(s)
    finally:
        s.stop()


CASES = [
    case_enghelp,
    case_unix_verify_depth1,
    case_unix_verify_depth16,
    case_tcp_verify_depth1,
    case_tcp_verify_depth16,
    case_second_run_reads_back,
    case_data_lands_in_the_export,
    case_trim,
    case_trim_verify_zero,
    case_long_ios_split,
    case_flush,
    case_flush_async,
    case_several_jobs,
    case_server_killed,
    case_server_stops_answering,
    case_nothing_listening,
    case_connect_timeout,
    case_no_such_export,
    case_read_only_export,
    case_unclaimed_scheme,
    case_tls_require_refuses_plain,
    case_tls_psk,
    case_size_past_export_refused,
    case_percent_regions,
    case_uri_option,
]


def main():
    global TIO
    TIO = os.path.abspath(sys.argv[1])
    only = sys.argv[2:]
    cases = [c for c in CASES if not only or c.__name__[5:] in only]
    if not shutil.which("nbdkit"):
        print("1..%d" % len(cases))
        for i, c in enumerate(cases, 1):
            print("ok %d - %s # SKIP nbdkit is not installed (Debian: apt-get install nbdkit)"
                  % (i, c.__doc__))
        return 0
    return run_cases(cases, "tenon-nbd.", use_tmp)


if __name__ == "__main__":
    sys.exit(main())
