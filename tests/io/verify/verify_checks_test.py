#!/usr/bin/env python3
"""What verify checks, and the jobs it refuses:

- IOs shorter than a verify header: a block size too small for the header
  is refused before anything runs; io_size that ends inside a block issues
  the block whole, as fio; no job overflows a buffer;
- every header field is checked and a failure names the field, the
  expected and the found value: magic, header crc32, verify_type, len,
  offset, and for the blocks a job wrote itself numberio and rand_seed, so
  writes that never reached the storage (the faulty engine's drop_writes)
  are caught;
- with different read and write block sizes the verify phase reads back
  exactly the blocks written, and the main phase of a mixed job checks no
  reads (as fio), so intact data is never reported corrupt;
- verify_interval puts a header every N bytes of a block, each piece
  checked on its own; an interval that does not divide the block is
  refused;
- sequential gaps off the block grid (rw=write:2k) are logged as extents
  and read back whole;
- random writes that follow on (rw=randwrite:8) and write a block again:
  on the null engine each write is read back, as fio; on a file each block
  once, as last written.

Output is TAP.

usage: verify_checks_test.py TENON_IO [CASE...]
"""
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from harness import Fail, TioRun, check, run_tio, script_main  # noqa: E402

TIO = None
TMP = None


def run(*args):
    p = run_tio(TIO, *args)
    if p.returncode < 0:
        raise Fail("%s died of signal %d:\n%s" % (" ".join(p.args), -p.returncode, p.stderr))
    return p


def passes(p, what):
    check(p.returncode == 0 and "err= 0" in p.stdout,
          "%s: expected a clean pass, got exit %d:\n%s%s" % (what, p.returncode, p.stderr,
                                                              p.stdout[:1500]))


def fails_with(p, words, what):
    check(p.returncode == 1, "%s: expected exit 1, got %d:\n%s%s" % (what, p.returncode,
                                                                      p.stderr, p.stdout[:800]))
    for w in words:
        check(w in p.stderr, "%s: %r not in the report:\n%s" % (what, w, p.stderr))


def path(name):
    return os.path.join(TMP, name)


def patch(name, offset, data):
    with open(path(name), "r+b") as f:
        f.seek(offset)
        f.write(data)


def case_short_io():
    """IOs shorter than the verify header never overflow: small bs refused, io_size ends whole"""
    f = path("f")
    p = run("--name=t", f"--filename={f}", "--size=8k", "--io_size=4100", "--bs=4k",
            "--rw=write", "--verify=crc32c")
    passes(p, "io_size=4100 bs=4k")
    check("io=8192B" in p.stdout,
          "the last write is a whole block, as fio issues it:\n" + p.stdout[:1500])
    for bs, method, need in (("16", "crc32c", "45"), ("44", "crc32c", "45"),
                             ("104", "sha256", "105")):
        p = run("--name=t", f"--filename={f}", "--size=8k", f"--bs={bs}", "--rw=write",
                f"--verify={method}")
        fails_with(p, ["job t", "too small for verify=" + method, f"bs={need}"],
                   f"bs={bs} verify={method}")
        check("issued" not in p.stdout, "refused before any IO:\n" + p.stdout)
    passes(run("--name=t", f"--filename={f}", "--size=8k", "--bs=45", "--rw=write",
               "--verify=crc32c"), "bs=45 (the smallest block crc32c fits in)")
    p = run("--name=t", "--ioengine=null", "--size=50%", "--verify=crc32c")
    fails_with(p, ["job t", "percentage"], "size=50% on an engine without files")
    passes(run("--name=t", "--ioengine=null", "--size=1m", "--io_size=4100",
               "--verify=crc32c"), "null engine, io_size ending inside a block")


def case_header_fields():
    """each header field is checked and its failure names the field, expected and found"""
    f = "blocks"
    common = (f"--filename={path(f)}", "--bs=4k", "--size=64k")
    passes(run("--name=w", *common, "--rw=write", "--verify=crc32c"), "write")
    with open(path(f), "rb") as fh:
        data = bytearray(fh.read())
    # Block 1 holds a copy of block 0: a misdirected write.
    patch(f, 4096, bytes(data[0:4096]))
    p = run("--name=r", *common, "--rw=read", "--verify=crc32c")
    fails_with(p, ["offset 4096", "bad header offset: expected 4096, found 0"], "offset")
    patch(f, 4096, bytes(data[4096:8192]))
    # A flipped bit in block 2's header (its offset field): the header crc.
    patch(f, 8192 + 16, bytes([data[8192 + 16] ^ 1]))
    p = run("--name=r", *common, "--rw=read", "--verify=crc32c")
    fails_with(p, ["offset 8192", "bad header crc32: expected 0x", "found 0x"], "header crc")
    patch(f, 8192, bytes(data[8192:12288]))
    # Block 3 zeroed: no header.
    patch(f, 12288, bytes(4096))
    p = run("--name=r", *common, "--rw=read", "--verify=crc32c")
    fails_with(p, ["offset 12288", "bad header magic: expected 0xacca, found 0x0000"], "magic")
    patch(f, 12288, bytes(data[12288:16384]))
    passes(run("--name=r", *common, "--rw=read", "--verify=crc32c"), "restored blocks")
    # Another method, another block size.
    p = run("--name=r", *common, "--rw=read", "--verify=sha256")
    fails_with(p, ["bad header verify_type: expected 9 (sha256), found 5 (crc32c)"], "type")
    p = run("--name=r", f"--filename={path(f)}", "--bs=8k", "--size=64k", "--rw=read",
            "--verify=crc32c")
    fails_with(p, ["bad header len: expected 8192, found 4096"], "len")


def case_lost_writes():
    """writes that never reached the storage fail verify naming the header field"""
    f = path("lost")
    common = (f"--filename={f}", "--bs=4k", "--size=256k", "--verify=crc32c")
    passes(run("--name=first", *common, "--rw=write"), "first run")
    p = run("--name=second", *common, "--rw=write", "--ioengine=faulty", "--drop_writes=1")
    fails_with(p, ["job second", "bad header rand_seed: expected 0x", "found 0x"],
               "every write dropped over an earlier run's blocks")
    check("err=84" in p.stdout, "the job's report shows the error:\n" + p.stdout[:800])
    passes(run("--name=second", *common, "--rw=write", "--ioengine=faulty",
               "--drop_writes=0"), "drop_writes=0")
    # The same job overwriting its own blocks (loops=2): a lost second write
    # leaves the first, with an earlier number.
    p = run("--name=second", *common, "--rw=write", "--loops=2", "--ioengine=faulty",
            "--drop_writes=0.5", "--seed=3")
    fails_with(p, ["bad header numberio: expected", "found"], "lost overwrites")
    p = run("--name=third", *common, "--rw=randwrite", "--ioengine=faulty",
            "--drop_writes=0.1", "--seed=1", "--verify=sha256")
    check(p.returncode == 1 and "bad header" in p.stderr,
          "some of a random writer's writes dropped:\n" + p.stderr + p.stdout[:800])


def case_mixed_block_sizes():
    """different read and write block sizes: written blocks read back whole, never misreported"""
    f = path("mixed")
    for method in ("crc32c", "sha256"):
        for bs, rw in (("4k,64k", "randrw"), ("64k,4k", "randrw"), ("4k,16k", "rw"),
                       ("16k,4k", "readwrite")):
            p = run("--name=m", f"--filename={f}", f"--bs={bs}", f"--rw={rw}", "--size=1m",
                    f"--verify={method}", "--rwmixread=30")
            passes(p, f"bs={bs} rw={rw} verify={method}")
        # The blocks written are 64k: read back by a later job as 64k.
        passes(run("--name=w", f"--filename={f}", "--bs=4k,64k", "--rw=randrw", "--size=1m",
                   f"--verify={method}", "--rwmixread=0"), "64k writes")
        passes(run("--name=r", f"--filename={f}", "--bs=64k", "--rw=read", "--size=1m",
                   f"--verify={method}"), "read back as written")
    # A corrupted block is still caught in the verify phase of a mixed job:
    # the faulty engine drops writes there.
    p = run("--name=m", f"--filename={f}", "--bs=4k,64k", "--rw=randrw", "--size=1m",
            "--verify=crc32c", "--ioengine=faulty", "--drop_writes=1")
    fails_with(p, ["bad header"], "dropped 64k writes in a mixed job")


def case_verify_interval():
    """verify_interval: a header every N bytes, each piece checked; non-divisors as fio"""
    f = "pieces"
    common = (f"--filename={path(f)}", "--bs=4k", "--size=64k", "--verify_interval=512")
    passes(run("--name=w", *common, "--rw=randwrite", "--verify=crc32c"), "write, 512")
    with open(path(f), "rb") as fh:
        data = fh.read()
    for k in range(8):
        at = 8192 + 512 * k
        check(data[at:at + 2] == b"\xca\xac" and
              int.from_bytes(data[at + 16:at + 24], "little") == at,
              f"piece {k} of block 2 starts with a header for offset {at}")
    passes(run("--name=r", *common, "--rw=read", "--verify=crc32c"), "read, 512")
    p = run("--name=r", f"--filename={path(f)}", "--bs=4k", "--size=64k", "--rw=read",
            "--verify=crc32c")
    fails_with(p, ["bad header len: expected 4096, found 512"], "read without the interval")
    # Corrupt the data of the fourth piece of block 2.
    patch(f, 8192 + 3 * 512 + 300, b"\x00\xff")
    p = run("--name=r", *common, "--rw=read", "--verify=crc32c")
    fails_with(p, [f"offset {8192 + 3 * 512} (block at 8192", "crc32c checksum mismatch"],
               "a corrupted piece is named")
    passes(run("--name=w", *common, "--rw=randrw", "--verify=sha256", "--bs=4k,16k",
               "--verify_interval=1k"), "sha256, mixed sizes, 1k pieces")
    # As fio: an interval above the block size, or one that does not
    # divide it, means one header per block (read back without it).
    for vi in ("1000", "8k"):
        passes(run("--name=w", f"--filename={path(f)}", "--bs=4k", "--size=64k",
                   "--rw=write", f"--verify_interval={vi}", "--verify=crc32c"), f"vi={vi}")
        passes(run("--name=r", f"--filename={path(f)}", "--bs=4k", "--size=64k",
                   "--rw=read", "--verify=crc32c"), f"vi={vi}: one header per block")
    for vi, method, words in (("64", "crc32c", ["verify_interval=64 is too small", "use 80"]),
                              ("64", "sha256", ["verify_interval=64 is too small for "
                                                "verify=sha256", "use 105"])):
        p = run("--name=w", f"--filename={path(f)}", "--bs=4k", "--size=64k", "--rw=write",
                f"--verify_interval={vi}", f"--verify={method}")
        fails_with(p, ["job w"] + words, f"verify_interval={vi}, verify={method}")


def case_sequential_gap():
    """sequential gaps on and off the write block grid: every block written is read back"""
    # fio 3.33's writes: a pass ends where the next start or the block does
    # not fit before the file's end (rw=write:6k: 0, 10k ... 60k), and
    # passes go on while size is short by a block or more
    for rw, writes in (("write:2k", 11), ("write:6k", 14), ("write:8k", 12)):
        p = run("--name=g", f"--filename={path('g')}", "--bs=4k", "--size=64k", f"--rw={rw}",
                "--verify=crc32c", "--output-format=json")
        job = TioRun(p.returncode, p.stdout, p.stderr).job("g")
        check(p.returncode == 0 and job["error"] == 0, f"rw={rw}:\n{p.stderr}")
        check(job["write"]["total_ios"] == writes,
              f"rw={rw}: {job['write']['total_ios']} writes, fio does {writes}")
        # each pass's verify phase reads back the blocks that pass wrote
        check(job["read"]["total_ios"] == writes,
              f"rw={rw}: {job['read']['total_ios']} verify reads for {writes} writes")


def case_follow_on_rewrites():
    """IO that follows on may write a block again: null engine reads back each write, files pass"""
    # fio 3.33's numbers (random map: its writes logged in a list, each read
    # back; lfsr and zipf have no map: the last write to each block only)
    job = ["--rw=randwrite:8", "--bs=512", "--size=679424", "--verify=sha256",
           "--randrepeat=0", "--randseed=399736", "--iodepth=4", "--output-format=json"]
    for extra, reads in (([], 1327), (["--rw_sequencer=identical"], 1327),
                         (["--rw=randwrite", "--percentage_random=40"], 1327),
                         (["--verify_backlog=16"], 1327),
                         (["--random_generator=lfsr"], 865),
                         (["--random_distribution=zipf:1.2"], 428)):
        p = run("--name=n", "--ioengine=null", *job, *extra)
        got = TioRun(p.returncode, p.stdout, p.stderr).job("n")
        what = "null engine " + " ".join(extra)
        check(p.returncode == 0 and got["error"] == 0, f"{what}:\n{p.stderr}")
        check(got["write"]["total_ios"] == 1327,
              f"{what}: {got['write']['total_ios']} writes, fio does 1327")
        check(got["read"]["total_ios"] == reads,
              f"{what}: {got['read']['total_ios']} verify reads, fio does {reads}")
    # on a file fio fails here (the older write's read finds the newer
    # data); each block is checked as last written, and passes
    p = run("--name=f", f"--filename={path('follow')}", "--ioengine=psync", *job)
    got = TioRun(p.returncode, p.stdout, p.stderr).job("f")
    check(p.returncode == 0 and got["error"] == 0, f"file:\n{p.stderr}")
    check(0 < got["read"]["total_ios"] < got["write"]["total_ios"],
          f"file: {got['read']['total_ios']} reads for {got['write']['total_ios']} writes: "
          "a block written again is read once")


CASES = [case_short_io, case_header_fields, case_lost_writes, case_mixed_block_sizes,
         case_verify_interval, case_sequential_gap, case_follow_on_rewrites]


if __name__ == "__main__":
    sys.exit(script_main(CASES, "tenon-verify-checks.", globals()))
