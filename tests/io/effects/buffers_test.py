#!/usr/bin/env python3
"""Compressible and deduplicable write data (buffer_compress_percentage,
buffer_compress_chunk, dedupe_percentage, dedupe_mode,
dedupe_working_set_percentage, dedupe_global) and how refill_buffers,
scramble_buffers, zero_buffers and buffer_pattern combine with them, as in
fio 3.33: psync jobs write files in a temporary folder, whose blocks are
compressed with zlib and counted. Where /usr/bin/fio is installed, the
same job under fio must write the very same bytes (same generator and
seeds); without it those comparisons are skipped. Output is TAP.

usage: buffers_test.py TENON_IO [CASE...]
"""
import os
import subprocess
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import effects_test as E  # noqa: E402
from effects_test import Skip, check, run_cases  # noqa: E402

FIO = "/usr/bin/fio"
BS = 4096


def job(name, *opts, size="1M"):
    return ["--name=j", "--filename=" + E.path(name), "--size=" + size, "--bs=4k",
            "--rw=write"] + list(opts)


def write(name, *opts, size="1M"):
    """The bytes tenon-io writes for the job."""
    E.ok_run(*job(name, *opts, size=size))
    with open(E.path(name), "rb") as f:
        return f.read()


def fio_write(name, *opts, size="1M"):
    """The bytes fio 3.33 writes for the same job; Skip without fio."""
    if not os.access(FIO, os.X_OK):
        raise Skip("no %s to compare with" % FIO)
    p = subprocess.run([FIO] + job(name, *opts, size=size), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, cwd=E.TMP, timeout=120)
    check(p.returncode == 0, "fio %s failed:\n%s" % (" ".join(opts), p.stderr[:2000]))
    with open(E.path(name), "rb") as f:
        return f.read()


def blocks(data, bs=BS):
    return [data[i:i + bs] for i in range(0, len(data), bs)]


def ratio(data):
    """Compressed size over size, each block compressed on its own (what a
    compressing device sees), so repeated blocks do not count."""
    return sum(len(zlib.compress(b)) for b in blocks(data)) / len(data)


def repeated(data):
    """The share of blocks that repeat a block written elsewhere."""
    bl = blocks(data)
    return 1 - len(set(bl)) / len(bl)


def same_as_fio(opts, size="1M"):
    mine = write("t", *opts, size=size)
    theirs = fio_write("f", *opts, size=size)
    at = next((i for i in range(len(mine)) if mine[i:i + 1] != theirs[i:i + 1]), None)
    check(mine == theirs, "%s: tenon-io and fio 3.33 wrote different bytes (%d and %d bytes, "
          "first difference at %s; compressed to %.4f and %.4f)"
          % (" ".join(opts), len(mine), len(theirs), at, ratio(mine), ratio(theirs)))


def case_compress_ratio():
    """buffer_compress_percentage 0/50/75/100: blocks compress to that share, by zlib"""
    # 0 is fio's plain random data, whose hashed words zlib shrinks by ~0.1%
    for pct, lo, hi in ((0, 0.99, 1.01), (50, 0.50, 0.53), (75, 0.25, 0.28), (100, 0.0, 0.01)):
        data = write("c%d" % pct, "--buffer_compress_percentage=%d" % pct, "--refill_buffers")
        r = ratio(data)
        check(lo <= r <= hi, "compress %d%%: blocks compressed to %.4f, expected %.2f..%.2f"
              % (pct, r, lo, hi))
    check(write("z", "--buffer_compress_percentage=100") == bytes(1 << 20),
          "100% compressible is all zeros")


def case_compress_chunk():
    """buffer_compress_chunk: random then zeros in every chunk; 0 is one region per write"""
    for chunk, region in (("512", 512), ("1k", 1024), ("0", BS), ("64k", BS)):
        data = write("k" + chunk, "--buffer_compress_percentage=50",
                     "--buffer_compress_chunk=" + chunk)
        for i in range(0, len(data), region):
            half = region // 2
            # the random half: fio's hashes keep a seed's zero low bits,
            # so count distinct bytes rather than zeros
            if data[i + half:i + region] != bytes(half) or len(set(data[i:i + half])) < 32:
                check(False, "chunk %s: the region at %d is not half random, half zeros"
                      % (chunk, i))
        check(ratio(data) < 0.55, "chunk %s: compresses to %.4f" % (chunk, ratio(data)))


def case_compress_pattern():
    """buffer_pattern fills the compressible part of each region; zero_buffers gives way"""
    data = write("p", "--buffer_compress_percentage=75", "--buffer_pattern=0xdeadbeef",
                 "--zero_buffers")
    for i in range(0, len(data), 512):
        check(data[i + 128:i + 512] == bytes.fromhex("deadbeef") * 96,
              "the region at %d ends in the pattern" % i)
        check(data[i:i + 128] != bytes(128), "the region at %d starts random" % i)
    check(write("q", "--buffer_compress_percentage=100", "--buffer_pattern=0xab")
          == b"\xab" * (1 << 20), "100%: the pattern everywhere")
    check(write("r", "--zero_buffers", "--buffer_pattern=0xab") == b"\xab" * (1 << 20),
          "the pattern wins over zero_buffers, as in fio")


def case_compress_refill():
    """compressible data is new in every write unless refill_buffers=0; never scrambled"""
    check(repeated(write("a", "--buffer_compress_percentage=50")) == 0,
          "refill_buffers is on: every block differs")
    check(len(set(blocks(write("b", "--buffer_compress_percentage=50",
                                    "--refill_buffers=0")))) == 1,
          "refill_buffers=0: one buffer filled once, not scrambled")
    check(len(set(blocks(write("c", "--buffer_compress_percentage=0")))) == 1,
          "a percentage written, even 0, turns scramble_buffers off as in fio")


def case_dedupe_percentage():
    """dedupe_percentage: that share of blocks repeats another block"""
    for pct in (0, 25, 50, 80):
        r = repeated(write("d%d" % pct, "--dedupe_percentage=%d" % pct))
        check(abs(r - pct / 100) <= 0.05, "dedupe %d%%: %.3f of the blocks repeat" % (pct, r))
    check(len(set(blocks(write("all", "--dedupe_percentage=100")))) == 1,
          "100%: every block is the same")
    data = write("dc", "--dedupe_percentage=50", "--buffer_compress_percentage=50")
    check(abs(repeated(data) - 0.5) <= 0.05 and 0.5 <= ratio(data) <= 0.53,
          "with compression: %.3f repeat, compressed to %.4f" % (repeated(data), ratio(data)))


def case_dedupe_working_set():
    """dedupe_mode=working_set: repeated blocks come from the first written ones"""
    data = write("w", "--dedupe_percentage=50", "--dedupe_mode=working_set",
                 "--dedupe_working_set_percentage=10")
    rank = {}  # a block's place among the distinct blocks, in written order
    seen = set()
    repeats = set()
    for b in blocks(data):
        if b in seen:
            repeats.add(rank[b])
        seen.add(b)
        rank.setdefault(b, len(rank))
    check(abs(repeated(data) - 0.5) <= 0.08, "%.3f of the blocks repeat" % repeated(data))
    # the working set: the seeds of the first 10% of 256 unique blocks (the
    # first filled the buffer at setup and is not written); a repeat may
    # also be written before its first unique write
    check(repeats and max(repeats) < 25 + 8, "repeats of the first unique blocks only: %s"
          % sorted(repeats))
    check(len(repeats) >= 20, "repeats of most of the working set: %s" % sorted(repeats))


def case_dedupe_global():
    """dedupe_global: the jobs' working sets are shared, so jobs repeat each other's blocks"""
    opts = ["--dedupe_percentage=60", "--dedupe_mode=working_set",
            "--dedupe_working_set_percentage=30", "--numjobs=2", "--offset_increment=1M"]
    for glob in ("0", "1"):
        data = write("g" + glob, *(opts + ["--dedupe_global=" + glob]))
        one, two = set(blocks(data[:1 << 20])), set(blocks(data[1 << 20:]))
        check(bool(one & two) == (glob == "1"), "dedupe_global=%s: %d blocks in both jobs' halves"
              % (glob, len(one & two)))


def case_verify_compress():
    """with verify, the verified blocks are as compressible as fio's; dedupe is refused"""
    for method in ("crc32c", "md5"):
        data = write("v" + method, "--buffer_compress_percentage=50", "--verify=" + method)
        check(0.50 <= ratio(data) <= 0.53, "verify=%s: compressed to %.4f" % (method, ratio(data)))
    r = E.tenon_io(*job("x", "--dedupe_percentage=50", "--verify=crc32c"), fmt="")
    check(r.rc == 1 and "dedupe_percentage with verify" in r.err, "refused: %s" % r.err)


def case_refused():
    """bad values and combinations fio refuses are refused with the reason"""
    bad = [
        (["--buffer_compress_percentage=101"], "at most|maximum is 100"),
        (["--dedupe_percentage=150"], "maximum is 100"),
        (["--dedupe_working_set_percentage=101"], "maximum is 100"),
        (["--buffer_compress_percentage=-1"], "negative"),
        (["--buffer_compress_chunk=-1"], "negative"),
        (["--dedupe_mode=sometimes"], "repeat or working_set"),
        (["--dedupe_percentage=60", "--dedupe_mode=working_set",
          "--dedupe_working_set_percentage=50"], "at most 100"),
        (["--dedupe_percentage=50", "--dedupe_mode=working_set",
          "--dedupe_working_set_percentage=0"], "holds no block"),
        (["--dedupe_percentage=50", "--dedupe_mode=working_set", "--dedupe_global=1",
          "--randrepeat=0"], "set randseed"),
    ]
    for opts, why in bad:
        r = E.tenon_io(*job("b", *opts), fmt="")
        import re
        check(r.rc == 1 and re.search(why, r.err), "%s: %s" % (" ".join(opts), r.err.strip()))
    r = E.tenon_io("--name=j", "--directory=" + E.TMP, "--nrfiles=2", "--size=1M",
                   "--rw=write", "--dedupe_percentage=50", "--dedupe_mode=working_set", fmt="")
    check(r.rc == 1 and "one file per job" in r.err, "nrfiles=2: %s" % r.err.strip())


def case_same_bytes_as_fio():
    """the same job and seed write fio 3.33's very bytes"""
    for opts in (["--buffer_compress_percentage=50"],
                 ["--buffer_compress_percentage=75", "--buffer_compress_chunk=1k"],
                 ["--buffer_compress_percentage=60", "--buffer_pattern=0xdeadbeef"],
                 ["--buffer_compress_percentage=50", "--random_generator=tausworthe64",
                  "--bsrange=1k-16k", "--buffer_compress_chunk=0"],
                 ["--dedupe_percentage=50"],
                 ["--dedupe_percentage=30", "--buffer_compress_percentage=40", "--randseed=7"],
                 ["--dedupe_percentage=100"],
                 ["--dedupe_percentage=50", "--rw=randwrite", "--loops=2"],
                 ["--dedupe_percentage=50", "--ioengine=libaio", "--iodepth=4"],
                 ["--dedupe_percentage=40", "--dedupe_mode=working_set",
                  "--dedupe_working_set_percentage=20"],
                 ["--dedupe_percentage=50", "--refill_buffers=0"],
                 ["--buffer_compress_percentage=100", "--dedupe_percentage=50"],
                 # plain random data: fio's fill_random_buf, a seed per buffer
                 ["--scramble_buffers=0"],
                 ["--scramble_buffers=0", "--bsrange=1k-16k", "--randseed=3"],
                 ["--refill_buffers"],
                 ["--refill_buffers", "--loops=2", "--random_generator=tausworthe64"],
                 ["--refill_buffers", "--rw=randwrite", "--bssplit=4k/50:16k/50"]):
        same_as_fio(opts)


CLONES = ["--buffer_compress_percentage=50", "--numjobs=3", "--offset_increment=64k"]


def case_clones_as_fio():
    """numjobs=3 with offset_increment: each clone's place and seeds as fio's, fio's bytes"""
    # fio adds the clones last first: its second job (seeded as thread 2) is
    # $jobnum 2, at offset + 2 x offset_increment; the third is $jobnum 1
    import hashlib
    got = hashlib.sha256(write("c", *CLONES, size="64k")).hexdigest()
    check(got == "bef9b8cda7744315394e83cae77b74d27dcf19b1e7b650808a80b7bb9ac66cae",
          "sha256 %s is not what fio 3.33 wrote" % got)
    same_as_fio(CLONES, size="64k")


MIX_LOOPS = (
    (["--rw=rw", "--loops=3", "--buffer_compress_percentage=50", "--refill_buffers",
      "--rwmixread=30"], "a5ff432a3afcea8f4c6e892b4ee931b69dcf4809aaf8e23f41b3432d43404c19"),
    (["--rw=rw", "--loops=2", "--dedupe_percentage=40"],
     "b2484eb10a0c35679ee49e7be0298d2d97e37a51cf305548e8f3988c0c22fff9"),
)


def case_mix_loops_as_fio():
    """rw=rw with loops: each loop starts over, its directions and data reseeded, as fio's"""
    # fio's loop ends where a direction reaches the file's end; the next one
    # starts both at the start, its draws reseeded (randrepeat). The files
    # exist beforehand: fio's layout would draw from the buffer stream first
    import hashlib
    for opts, digest in MIX_LOOPS:
        for name in ("m", "mf"):
            with open(E.path(name), "wb") as f:
                f.truncate(256 << 10)
        got = hashlib.sha256(write("m", *opts, size="256k")).hexdigest()
        check(got == digest, "%s: sha256 %s, fio 3.33 wrote %s" % (" ".join(opts), got, digest))
        if os.access(FIO, os.X_OK):
            theirs = fio_write("mf", *opts, size="256k")
            check(hashlib.sha256(theirs).hexdigest() == got, "%s: fio wrote other bytes now"
                  % " ".join(opts))


# sha256 of what fio 3.33 wrote for these jobs (1 MiB, bs=4k, rw=write,
# default seeds): checked without fio too
FIO_DIGESTS = (
    (["--refill_buffers", "--bsrange=1k-16k"],
     "ce013fffbe03a3af5872c1c997a2df11af3737c19c441030f8b469e3a086127e"),
    (["--buffer_compress_percentage=50", "--buffer_compress_chunk=1k"],
     "b67a3b704c018654476044303eb4969eab382652ce6a8f3e572b7e4e3b0b1fd9"),
    (["--dedupe_percentage=30", "--buffer_compress_percentage=40"],
     "bcb5bf474546933c75c0e49dd3af0fceae5392ee5770750a53501ca5102ae921"),
    (["--dedupe_percentage=40", "--dedupe_mode=working_set",
      "--dedupe_working_set_percentage=20"],
     "978245d67117c137205bec9c2760598d6c7c7c1706249bb390afaeafa06c2bb2"),
)


def case_fio_digests():
    """the bytes fio 3.33 wrote for four jobs, recorded as digests"""
    import hashlib
    for opts, digest in FIO_DIGESTS:
        got = hashlib.sha256(write("h", *opts)).hexdigest()
        check(got == digest, "%s: sha256 %s, fio 3.33 wrote %s" % (" ".join(opts), got, digest))


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    E.TIO = os.path.abspath(sys.argv[1])
    only = sys.argv[2:]
    cases = [f for n, f in globals().items() if n.startswith("case_") and callable(f)
             and (not only or n[5:] in only)]
    return run_cases(cases, "tio-buffers-", E.use_tmp)


if __name__ == "__main__":
    sys.exit(main())
