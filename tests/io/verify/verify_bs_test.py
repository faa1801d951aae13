#!/usr/bin/env python3
"""verify with block sizes that vary (bsrange, bssplit, blocksize_unaligned)
and differ per direction, as fio 3.33 does it:

- each write is logged with its offset and length (fio's io_piece log) and
  the verify phase reads every one back whole; a write that overlaps
  earlier ones (norandommap, blockalign, rw=write:-N) replaces them, so
  they are not read back;
- a header every verify_interval bytes, by default the smallest write size
  (fio's init.c), one per IO under blocksize_unaligned;
- sequential, random and mixed jobs, verify_backlog, verify_only,
  verify_state_save/load; where fio is installed, the IOs issued equal
  fio's for the same job;
- fio checks what tenon-io wrote and tenon-io checks what fio wrote, read
  back by a read-only job with other sizes (each read checked by the
  headers it holds), a corrupted byte caught both ways at the same piece;
- writes that never reached the storage (the faulty engine's drop_writes)
  are caught;
- layouts whose headers would overlap are refused.

Output is TAP.

usage: verify_bs_test.py TENON_IO [CASE...]
"""
import os
import shutil
import struct
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from harness import Skip, TioRun, check, run_tio, script_main  # noqa: E402

TIO = None
TMP = None
FIO = shutil.which("fio")


def tio(*args):
    p = run_tio(TIO, "--output-format=json", *args, cwd=TMP)
    return TioRun(p.returncode, p.stdout, p.stderr)


def fio(*args):
    if not FIO:
        raise Skip("fio is not installed")
    p = subprocess.run([FIO, "--output-format=json", *args], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=120, cwd=TMP)
    return TioRun(p.returncode, p.stdout, p.stderr)


def clean(r, what):
    check(r.rc == 0 and all(j["error"] == 0 for j in r.jobs()),
          f"{what}: expected a clean pass:\n{r.describe()}")
    return r.jobs()[0]


def failed(r, words, what):
    check(r.rc != 0 or any(j["error"] for j in r.jobs()),
          f"{what}: expected a verify failure:\n{r.describe()}")
    for w in words:
        check(w in r.err, f"{what}: {w!r} not in:\n{r.err}")


def fio_clean(r, what):
    # fio 3.33 exits 0 after a verify failure: its job carries the error.
    check(r.rc == 0 and "verify" not in r.err and all(j["error"] == 0 for j in r.jobs()),
          f"{what}: fio expected a clean pass:\n{r.err}{r.out[-600:]}")


def path(name):
    return os.path.join(TMP, name)


def fresh(name):
    if os.path.exists(path(name)):
        os.unlink(path(name))
    return f"--filename={path(name)}"


def issued(job):
    return job["read"]["total_ios"], job["write"]["total_ios"]


def corrupt(name, offset):
    with open(path(name), "r+b") as f:
        f.seek(offset)
        b = f.read(1)
        f.seek(offset)
        f.write(bytes([b[0] ^ 0x5a]))


def headers(name, step):
    """(offset, len) of the fio header at each step bytes of the file."""
    out = []
    with open(path(name), "rb") as f:
        data = f.read()
    for at in range(0, len(data), step):
        magic, _type, length, _seed, offset = struct.unpack("<HHIQQ", data[at:at + 24])
        out.append((at, magic, length, offset))
    return out


# Jobs whose IOs tenon-io draws as fio does (one pass each).
JOBS = [
    ("write", ["--bsrange=1k-64k"], "crc32c"),
    ("randwrite", ["--bsrange=1k-64k"], "md5"),
    ("write", ["--bssplit=4k/30:16k/40:64k/30"], "sha256"),
    ("randwrite", ["--bssplit=512/50:64k/50"], "crc64"),
    ("rw", ["--bsrange=512-32k", "--rwmixread=70"], "sha256"),
    ("randrw", ["--bssplit=4k/30:16k/40:64k/30"], "md5"),
    ("randwrite", ["--bssplit=4k/30:5k/30:8k/40"], "crc32c"),
    ("randrw", ["--bs=16k,4k"], "crc32c"),
    ("rw", ["--bs=4k,16k"], "xxhash"),
    # passes: each verifies what it wrote; verify reads do not count
    # against io_size x loops, as fio
    ("randrw", ["--bsrange=4k-16k", "--rwmixread=40", "--loops=2"], "crc32c"),
    ("randrw", ["--bs=4k", "--rwmixread=40", "--io_size=8m"], "crc32c"),
    ("randwrite", ["--bssplit=4k/50:64k/50", "--loops=3"], "crc32c"),
]


def case_varying_sizes():
    """bsrange, bssplit, per-direction bs, rw mixes: every write read back whole, as fio"""
    for rw, sizes, method in JOBS:
        args = ["--name=j", "--size=4m", f"--rw={rw}", f"--verify={method}", *sizes]
        job = clean(tio(fresh("v"), *args), f"{rw} {sizes}")
        reads, writes = issued(job)
        if rw in ("write", "randwrite"):
            # one verify read per write, of its length
            check(reads == writes and job["read"]["io_bytes"] == job["write"]["io_bytes"],
                  f"{rw} {sizes}: {reads} verify reads of {job['read']['io_bytes']} bytes "
                  f"for {writes} writes of {job['write']['io_bytes']}")
        if FIO:
            theirs = fio(fresh("v"), *args)
            fio_clean(theirs, f"fio {rw} {sizes}")
            check(issued(theirs.jobs()[0]) == (reads, writes),
                  f"{rw} {sizes}: tenon-io issued {reads},{writes}, fio "
                  f"{issued(theirs.jobs()[0])}")


def case_async_deep():
    """libaio at depth 32 with bssplit, direct: every write read back"""
    job = clean(tio(fresh("a"), "--name=j", "--size=8m", "--rw=randwrite",
                    "--bssplit=512/50:256k/50", "--verify=md5", "--ioengine=libaio",
                    "--iodepth=32", "--direct=1"), "libaio")
    check(issued(job)[0] == issued(job)[1], f"reads {issued(job)}")


def case_header_layout():
    """a header every smallest write size (fio's default), every verify_interval if set"""
    clean(tio(fresh("h"), "--name=j", "--size=1m", "--rw=write", "--bssplit=4k/50:64k/50",
              "--verify=crc32c", "--do_verify=0"), "write")
    for at, magic, length, offset in headers("h", 4096):
        check(magic == 0xacca and length == 4096 and offset == at,
              f"piece at {at}: magic {magic:#x} len {length} offset {offset}")
    clean(tio(fresh("h"), "--name=j", "--size=1m", "--rw=randwrite", "--bsrange=4k-64k",
              "--verify=crc32c", "--verify_interval=2k"), "verify_interval=2k")
    for at, magic, length, offset in headers("h", 2048):
        check(magic == 0xacca and length == 2048 and offset == at,
              f"2k piece at {at}: magic {magic:#x} len {length} offset {offset}")
    # Read back by any size that the pieces divide; a piece size the
    # headers do not hold fails on their length.
    clean(tio("--name=r", f"--filename={path('h')}", "--size=1m", "--rw=read",
              "--bsrange=2k-32k", "--verify=crc32c", "--verify_interval=2k"), "read 2k pieces")
    failed(tio("--name=r", f"--filename={path('h')}", "--size=1m", "--rw=read", "--bs=4k",
               "--verify=crc32c"), ["bad header len: expected 4096, found 2048"],
           "4k pieces over 2k headers")


def case_unaligned():
    """blocksize_unaligned: one header per write, of the write's own length"""
    job = clean(tio(fresh("u"), "--name=j", "--size=1m", "--rw=randwrite",
                    "--bsrange=1k-9k", "--blocksize_unaligned=1", "--verify=crc32c"),
                "randwrite unaligned")
    check(issued(job)[0] > 0, f"verify reads {issued(job)}")
    job = clean(tio(fresh("u"), "--name=j", "--size=1m", "--rw=write", "--bsrange=1k-9k",
                    "--blocksize_unaligned=1", "--verify=crc32c", "--do_verify=0"),
                "write unaligned")
    with open(path("u"), "rb") as f:
        data = f.read()
    magic, _t, length, _s, offset = struct.unpack("<HHIQQ", data[:24])
    magic2, _t, _l, _s, offset2 = struct.unpack("<HHIQQ", data[length:length + 24])
    check(magic == magic2 == 0xacca and offset == 0 and offset2 == length,
          f"first write {length} bytes, the next header at {offset2}")


def case_overlaps():
    """norandommap: a write over earlier ones replaces them in the log, as fio"""
    args = ["--name=j", "--size=4m", "--rw=randwrite", "--bsrange=1k-64k",
            "--verify=crc32c", "--norandommap"]
    job = clean(tio(fresh("o"), *args), "norandommap")
    reads, writes = issued(job)
    check(0 < reads < writes, f"{reads} verify reads for {writes} overlapping writes")
    if FIO:
        theirs = fio(fresh("o"), *args)
        check(issued(theirs.jobs()[0]) == (reads, writes),
              f"tenon-io {reads},{writes}, fio {issued(theirs.jobs()[0])}")
    # blockalign off the block size: writes overlap anywhere (fio turns
    # the random map off); the same IOs and verify reads as fio.
    for ba in ("1k", "2k"):
        args = ["--name=j", "--size=1m", "--rw=randwrite", "--bs=4k", f"--ba={ba}",
                "--verify=md5", "--ioengine=libaio", "--iodepth=8"]
        job = clean(tio(fresh("o"), *args), f"ba={ba}")
        check(0 < issued(job)[0] < issued(job)[1], f"ba={ba}: {issued(job)}")
        if FIO:
            check(issued(fio(fresh("o"), *args).jobs()[0]) == issued(job), f"ba={ba}: as fio")
    # Sequential writes 2k apart, each over the last (rw=write:-6k): only
    # the last is left whole, as fio reads back.
    job = clean(tio(fresh("o"), "--name=j", "--size=256k", "--rw=write:-6k", "--bs=8k",
                    "--verify=crc32c", "--offset=128k"), "rw=write:-6k")
    check(issued(job) == (1, 32), f"rw=write:-6k: {issued(job)}")


def case_backlog_and_only():
    """verify_backlog checks along the way; verify_only reads back an earlier run's"""
    for rw, sizes in (("randwrite", "--bsrange=1k-64k"), ("write", "--bssplit=4k/50:64k/50")):
        args = ["--name=j", "--size=4m", f"--rw={rw}", sizes, "--verify=crc32c",
                "--verify_backlog=16", "--verify_backlog_batch=8"]
        job = clean(tio(fresh("b"), *args), f"backlog {rw}")
        check(issued(job)[0] == issued(job)[1], f"backlog {rw}: {issued(job)}")
        if FIO:
            check(issued(fio(fresh("b"), *args).jobs()[0]) == issued(job),
                  f"backlog {rw}: as fio")
        job = clean(tio("--name=j", f"--filename={path('b')}", "--size=4m", f"--rw={rw}",
                        sizes, "--verify=crc32c", "--verify_only=1"), f"verify_only {rw}")
        check(issued(job)[0] > 0, f"verify_only {rw}: {issued(job)}")


def case_cross_fio():
    """fio checks tenon-io's writes and tenon-io checks fio's, reading with other sizes"""
    if not FIO:
        raise Skip("fio is not installed")
    write = ["--size=2m", "--rw=randwrite", "--bssplit=4k/50:64k/50", "--verify=md5",
             "--do_verify=0"]
    read = ["--size=2m", "--rw=read", "--bsrange=4k-128k", "--verify=md5"]
    where = 5 * 4096
    for writer, reader, name in ((fio, tio, "from-fio"), (tio, fio, "from-tio")):
        r = writer("--name=w", fresh(name), *write)
        check(r.rc == 0, f"{name}: written:\n{r.describe()}")
        r = reader("--name=r", f"--filename={path(name)}", *read)
        (fio_clean if reader is fio else clean)(r, f"{name}: read back")
        # and by the writer's own sizes, a post job of fio's suite
        r = reader("--name=r", f"--filename={path(name)}", *read[:2], "--rw=read",
                   "--bssplit=4k/50:64k/50", "--verify=md5")
        (fio_clean if reader is fio else clean)(r, f"{name}: read back by bssplit")
        corrupt(name, where + 300)
        r = reader("--name=r", f"--filename={path(name)}", *read)
        # (fio 3.33's report shows no error then: its log names the piece)
        check((r.rc != 0 or reader is fio) and "verify failed" in r.err
              and f"offset {where}" in r.err,
              f"{name}: the corrupted piece at {where} is named:\n{r.err}")


def case_lost_writes():
    """writes that never reached the storage are caught with varying sizes"""
    common = ["--size=1m", "--bsrange=1k-64k", "--verify=crc32c"]
    clean(tio("--name=first", fresh("l"), "--rw=write", *common), "first run")
    r = tio("--name=second", f"--filename={path('l')}", "--rw=write", *common,
            "--ioengine=faulty", "--drop_writes=1")
    failed(r, ["bad header rand_seed", "job second"], "every write dropped")
    r = tio("--name=third", f"--filename={path('l')}", "--rw=randwrite", "--size=1m",
            "--bssplit=4k/50:64k/50", "--verify=sha256", "--ioengine=faulty",
            "--drop_writes=0.2", "--seed=1")
    failed(r, ["bad header"], "some random writes dropped")
    r = tio("--name=fourth", f"--filename={path('l')}", "--rw=write", *common, "--loops=2",
            "--ioengine=faulty", "--drop_writes=0.5", "--seed=3")
    failed(r, ["bad header"], "lost overwrites")
    clean(tio("--name=fifth", f"--filename={path('l')}", "--rw=randwrite", *common,
              "--ioengine=faulty", "--drop_writes=0"), "drop_writes=0")


def case_verify_state():
    """verify_state_save and _load with varying sizes, fio's file both ways"""
    state = path("local-vs-0-verify.state")
    w = ["--name=vs", "--size=2m", "--rw=randwrite", "--bsrange=4k-64k", "--verify=crc32c",
         "--ioengine=libaio", "--iodepth=4"]
    rd = ["--name=vs", f"--filename={path('st')}", "--size=2m", "--rw=randread",
          "--bsrange=4k-64k", "--verify=crc32c", "--verify_state_load=1"]
    clean(tio(fresh("st"), *w), "write with state")
    check(os.path.exists(state), "the state file is written")
    job = clean(tio(*rd), "load")
    check(job["read"]["total_ios"] > 0, "read back")
    if FIO:
        fio_clean(fio(*rd), "fio loads tenon-io's state")
        os.unlink(state)
        fio_clean(fio(fresh("st"), *w), "fio writes with state")
        clean(tio(*rd), "tenon-io loads fio's state")


def case_refusals():
    """layouts whose headers would not fit, trim_backlog with varying sizes: refused"""
    r = tio("--name=j", fresh("x"), "--size=64k", "--rw=write", "--bssplit=96/50:160/50",
            "--verify=crc32c")
    check(r.rc == 1 and "job j" in r.err and "a header every 32 bytes" in r.err,
          r.describe())
    r = tio("--name=j", fresh("x"), "--size=64k", "--rw=trimwrite", "--bsrange=4k-16k",
            "--verify=crc32c", "--trim_percentage=50", "--trim_backlog=4")
    check(r.rc == 1 and "trim_backlog with verify" in r.err, r.describe())


CASES = None

if __name__ == "__main__":
    sys.exit(script_main(CASES, "tenon-verify-bs.", globals()))
