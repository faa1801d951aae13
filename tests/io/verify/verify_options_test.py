#!/usr/bin/env python3
"""The verify options beyond the method, as fio defines them:

- verify_only: a write job writes nothing and checks what an earlier run
  wrote (any job name: neither seed nor write number is checked); =0 is a
  normal run; a block that was never written fails;
- verify_backlog / verify_backlog_batch: checks along the way, so a
  time_based write job (which never reaches its verify phase) still reads
  back; the end's verify phase reads only what is left;
- verify_dump: a failed piece is written to FILE.OFFSET.received and
  .expected (.hdr_fail for a bad header), as fio names them;
- verify_header_seed=0: another run's seed is not a failure;
- verify_state_save writes fio's state file (local-NAME-INDEX-verify.state:
  version 3, sizes, crc32c, the last completions), which fio loads, and
  verify_state_load reads fio's; a missing file is an error; --aux-path
  puts state and dump files in its folder, as fio;
- verify_async and experimental_verify are accepted and the blocks are
  still checked (in the job's thread, from the log);
- verify=pattern without verify_pattern, and verify_pattern with verify=0,
  are refused;
- a job that only reads and verifies does every loop and reaches its
  io_size, as fio's HOWTO has loops (fio 3.37 fixed fio 3.33's one pass).

Output is TAP.

usage: verify_options_test.py TENON_IO [CASE...]
"""
import os
import shutil
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from harness import TioRun, check, run_cases, sanitizer_check  # noqa: E402

TIO = None
TMP = None


def use_tmp(path):
    global TMP
    TMP = path


def run(*args):
    cmd = [TIO, "--eta=never", "--output-format=json", *args]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=120, cwd=TMP)
    sanitizer_check(p.stderr, cmd)
    return TioRun(p.returncode, p.stdout, p.stderr)


def on(name, *args):
    return [f"--filename={os.path.join(TMP, name)}", "--size=256k", "--bs=4k", *args]


def corrupt(name, offset):
    with open(os.path.join(TMP, name), "r+b") as f:
        f.seek(offset)
        b = f.read(1)
        f.seek(offset)
        f.write(bytes([b[0] ^ 0x5a]))


def case_verify_only():
    """verify_only=1 writes nothing and checks an earlier run's blocks; =0 runs as usual"""
    r = run("--name=layout", *on("f", "--rw=randwrite", "--verify=crc32c"))
    check(r.rc == 0, "layout:\n" + r.describe())
    r = run("--name=j", *on("f", "--rw=randwrite", "--verify=crc32c", "--verify_only=1"))
    j = r.job()
    check(r.rc == 0 and j["error"] == 0 and j["read"]["total_ios"] == 64,
          "verify_only reads back all 64 blocks:\n" + r.describe())
    check(j["write"]["total_ios"] == 64, "fio counts the writes it would do: " + r.describe())
    corrupt("f", 7 * 4096 + 100)
    r = run("--name=j", *on("f", "--rw=write", "--verify=crc32c", "--verify_only=1"))
    check(r.rc == 1 and "offset 28672" in r.err and "checksum mismatch" in r.err,
          "a corrupted block fails verify_only:\n" + r.describe())
    r = run("--name=j", *on("g", "--rw=write", "--verify=crc32c", "--verify_only=0"))
    check(r.rc == 0 and r.job()["write"]["total_ios"] == 64 and os.path.getsize(
        os.path.join(TMP, "g")) == 256 * 1024, "verify_only=0 writes:\n" + r.describe())


def case_read_verify_passes():
    """a job that only reads and verifies does each loop and reaches io_size above size"""
    r = run("--name=w", *on("f", "--rw=write", "--verify=md5", "--do_verify=0"))
    check(r.rc == 0, "layout:\n" + r.describe())
    for extra, kib in ((["--rw=read", "--loops=2"], 512), (["--rw=randread", "--loops=3"], 768),
                       (["--rw=read", "--io_size=640k"], 640),
                       (["--rw=randread", "--io_size=512k", "--ioengine=libaio", "--iodepth=4"],
                        512)):
        r = run("--name=r", *on("f", "--verify=md5", *extra))
        j = r.job("r")
        check(r.rc == 0 and j["error"] == 0 and j["read"]["io_kbytes"] == kib,
              "%s: read %s KiB, want %d:\n%s" % (" ".join(extra), j["read"]["io_kbytes"], kib,
                                                 r.describe()))


def case_verify_backlog():
    """verify_backlog checks along the way; the verify phase reads only the rest"""
    r = run("--name=j", *on("b", "--rw=write", "--verify=crc32c", "--verify_backlog=16",
                            "--verify_backlog_batch=4"))
    j = r.job()
    check(r.rc == 0 and j["read"]["total_ios"] == 64 and j["write"]["total_ios"] == 64,
          "every block read back once:\n" + r.describe())
    r = run("--name=j", *on("t", "--rw=randwrite", "--norandommap=1", "--verify=crc32c",
                            "--time_based=1", "--runtime=1", "--verify_backlog=32",
                            "--ioengine=libaio", "--iodepth=16"))
    j = r.job()
    check(r.rc == 0 and j["error"] == 0 and j["read"]["total_ios"] > 0
          and "never starts" not in r.err,
          "a time_based writer with a backlog reads back as it goes:\n" + r.describe())


def case_verify_dump():
    """verify_dump writes the failed piece and what it should hold, named as fio does"""
    run("--name=w", *on("d", "--rw=write", "--verify=crc32c", "--do_verify=0"))
    corrupt("d", 3 * 4096 + 300)
    corrupt("d", 5 * 4096 + 8)
    r = run("--name=r", *on("d", "--rw=read", "--verify=crc32c", "--verify_dump=1"))
    check(r.rc == 1 and "received data dumped as d.12288.received" in r.err
          and "expected data dumped as d.12288.expected" in r.err
          and "hdr_fail data dumped as d.20480.hdr_fail" in r.err, r.describe())
    with open(os.path.join(TMP, "d.12288.received"), "rb") as f:
        got = f.read()
    with open(os.path.join(TMP, "d.12288.expected"), "rb") as f:
        want = f.read()
    diff = [i for i in range(4096) if got[i] != want[i]]
    # The header's time differs (fio's too); past it, only the corrupted byte.
    check(len(got) == 4096 and [i for i in diff if i >= 40] == [300], f"differences at {diff}")


def case_verify_header_seed():
    """verify_header_seed=0 lets another run's seed pass; the default catches it"""
    # The same job with another randseed writes the blocks, then writes
    # that never reach the file leave them: same write numbers, other seeds.
    run("--name=w", "--randseed=1", *on("s", "--rw=write", "--verify=crc32c", "--do_verify=0"))
    lost = ["--name=w", "--randseed=2", "--ioengine=faulty", "--drop_writes=1"]
    r = run(*lost, *on("s", "--rw=write", "--verify=crc32c"))
    check(r.rc == 1 and "bad header rand_seed" in r.err, r.describe())
    r = run(*lost, *on("s", "--rw=write", "--verify=crc32c", "--verify_header_seed=0"))
    check(r.rc == 0 and r.job("w")["read"]["total_ios"] == 64, r.describe())


def case_verify_state():
    """verify_state_save writes fio's state file; verify_state_load reads it back"""
    state = os.path.join(TMP, "local-vs-0-verify.state")
    r = run("--name=vs", *on("st", "--rw=randwrite", "--verify=crc32c", "--iodepth=4",
                             "--ioengine=libaio"))
    check(r.rc == 0 and os.path.exists(state), "the state file is written:\n" + r.describe())
    with open(state, "rb") as f:
        data = f.read()
    version, size, _crc = struct.unpack("<QQQ", data[:24])
    comps, depth, nfiles, numberio, index = struct.unpack("<QIIQQ", data[24:56])
    check(version == 3 and size == 152 + 4 * 1 * 16 and len(data) == 24 + size
          and comps == 4 and depth == 4 and nfiles == 1 and numberio == 64 and index == 0
          and data[24 + 88:24 + 90] == b"vs", f"fio's layout: {data[:140].hex()}")
    r = run("--name=vs", *on("st", "--rw=randread", "--verify=crc32c",
                             "--verify_state_load=1"))
    check(r.rc == 0 and r.job("vs")["read"]["total_ios"] > 0, r.describe())
    fio = shutil.which("fio")
    if fio:
        p = subprocess.run([fio, "--name=vs", *on("st", "--rw=randread", "--verify=crc32c",
                                                   "--verify_state_load=1")],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=TMP,
                           timeout=120)
        check(p.returncode == 0 and "err= 0" in p.stdout, "fio loads it:\n" + p.stderr)
        os.unlink(state)
        p = subprocess.run([fio, "--name=vs", *on("st", "--rw=randwrite", "--verify=crc32c")],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=TMP,
                           timeout=120)
        r = run("--name=vs", *on("st", "--rw=randread", "--verify=crc32c",
                                 "--verify_state_load=1"))
        check(r.rc == 0 and r.job("vs")["read"]["total_ios"] > 0, "fio's file:\n" + r.describe())
    os.unlink(state)
    r = run("--name=vs", *on("st", "--rw=randwrite", "--verify=crc32c",
                             "--verify_state_save=0"))
    check(r.rc == 0 and not os.path.exists(state), "verify_state_save=0 writes none")
    r = run("--name=vs", *on("st", "--rw=randread", "--verify=crc32c",
                             "--verify_state_load=1"))
    check(r.rc == 1 and "verify_state_load: cannot open local-vs-0-verify.state" in r.err,
          r.describe())


def case_aux_path():
    """--aux-path: the state file and verify_dump's files go into its folder (fio)"""
    aux = os.path.join(TMP, "aux")
    os.makedirs(aux, exist_ok=True)
    r = run("--name=ax", f"--aux-path={aux}", *on("ax", "--rw=randwrite", "--verify=crc32c"))
    state = "local-ax-0-verify.state"
    check(r.rc == 0 and os.path.exists(os.path.join(aux, state))
          and not os.path.exists(os.path.join(TMP, state)), r.describe())
    # loaded from there: relative to the working folder, as fio's harness passes it
    r = run("--name=ax", "--aux-path=aux", *on("ax", "--rw=randread", "--verify=crc32c",
                                               "--verify_state_load=1"))
    check(r.rc == 0 and r.job("ax")["read"]["total_ios"] > 0, r.describe())
    r = run("--name=ax", *on("ax", "--rw=randread", "--verify=crc32c",
                             "--verify_state_load=1"))
    check(r.rc == 1 and f"cannot open {state}" in r.err, r.describe())
    corrupt("ax", 2 * 4096 + 100)
    r = run("--name=ax", "--aux-path=aux", *on("ax", "--rw=read", "--verify=crc32c",
                                               "--verify_dump=1"))
    check(r.rc == 1 and "dumped as aux/ax.8192.received" in r.err
          and os.path.exists(os.path.join(aux, "ax.8192.expected")), r.describe())


def case_accepted():
    """verify_async and experimental_verify: accepted, every block still checked"""
    for extra in (["--verify_async=2", "--verify_async_cpus=0-1"],
                  ["--experimental_verify=1"]):
        r = run("--name=j", *on("a", "--rw=randwrite", "--verify=crc32c", *extra))
        check(r.rc == 0 and r.job()["read"]["total_ios"] == 64, r.describe())


def case_refusals():
    """verify=pattern needs verify_pattern; verify_pattern with verify=0 is refused"""
    r = run("--name=j", *on("p", "--rw=write", "--verify=pattern"))
    check(r.rc == 1 and "verify=pattern checks blocks against verify_pattern" in r.err,
          r.describe())
    r = run("--name=j", *on("p", "--rw=write", "--verify=0", "--verify_pattern=0xaa"))
    check(r.rc == 1 and "verify_pattern with verify=0" in r.err, r.describe())


CASES = [case_verify_only, case_read_verify_passes, case_verify_backlog, case_verify_dump, case_verify_header_seed,
         case_verify_state, case_aux_path, case_accepted, case_refusals]


def main():
    global TIO
    TIO = os.path.abspath(sys.argv[1])
    only = sys.argv[2:]
    cases = [c for c in CASES if not only or c.__name__[5:] in only]
    return run_cases(cases, "tenon-verify-options.", use_tmp)


if __name__ == "__main__":
    sys.exit(main())
