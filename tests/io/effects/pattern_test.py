#!/usr/bin/env python3
"""IO patterns and block sizes drawn as fio 3.33 draws them: per option, a
job on a 64 KiB file whose IOs (offset, length), read off strace, are the
ones fio 3.33 issues for the same job and seed (taken from its --debug=io).
Cases are TAP, through effects_test.py's helpers.

usage: pattern_test.py TENON_IO
"""
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import effects_test as E  # noqa: E402
from effects_test import check, run_cases  # noqa: E402


def ios(*opts, call="pread64"):
    """(offset, length) of each IO of a psync job on a 64 KiB file; with
    call="pread64,pwrite64", (0 read or 1 write, offset, length)."""
    E.make_file("d", 64 << 10)
    E.strace_ready()
    logdir = E.path("strace")
    os.mkdir(logdir)
    env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")
    E.tenon_io(*E.on_file("d", *opts, size="64k"), env=env,
               prefix=["strace", "-ff", "-qq", "-s", "0", "-e", "signal=none", "-e",
                       "trace=openat," + call, "-o", os.path.join(logdir, "t")])
    # the job's own thread: not the process's main thread (its checks of
    # the file read it too), which has the lowest id
    logs = sorted(os.listdir(logdir), key=lambda n: int(n.split(".")[-1]))
    out = []
    for name in logs[1:]:
        with open(os.path.join(logdir, name)) as f:
            for line in f:
                m = re.search(r"(%s)\((\d+), .*, (\d+), (\d+)\)\s+=" % call.replace(",", "|"),
                              line)
                if m and "," in call:
                    out.append((int(m.group(1) == "pwrite64"), int(m.group(4)), int(m.group(3))))
                elif m:
                    out.append((int(m.group(4)), int(m.group(3))))
    shutil.rmtree(logdir)
    return out


def same_as_fio(opts, expect, call="pread64"):
    got = ios(*opts, call=call)
    check(got == expect, "%s:\n  fio 3.33: %s\n  tenon-io: %s" % (" ".join(opts), expect, got))


K = 1024


def case_bsrange():
    """bsrange: sizes drawn per IO with fio's generator and seed"""
    same_as_fio(["--rw=read", "--bsrange=1k-16k"],
                [(0, 3 * K), (3 * K, 11 * K), (14 * K, 13 * K), (27 * K, 6 * K), (33 * K, 15 * K),
                 (48 * K, 2 * K), (50 * K, 3 * K), (53 * K, 4 * K), (57 * K, 3 * K),
                 (60 * K, 4 * K)])
    same_as_fio(["--rw=read", "--blocksize_range=16k-1k"],
                [(0, 3 * K), (3 * K, 11 * K), (14 * K, 13 * K), (27 * K, 6 * K), (33 * K, 15 * K),
                 (48 * K, 2 * K), (50 * K, 3 * K), (53 * K, 4 * K), (57 * K, 3 * K),
                 (60 * K, 4 * K)])


def case_bssplit():
    """bssplit: weighted sizes, per direction, empty percentages share the rest"""
    same_as_fio(["--rw=read", "--bssplit=4k/10:16k/50:8k/40"],
                [(0, 8 * K), (8 * K, 16 * K), (24 * K, 16 * K), (40 * K, 8 * K), (48 * K, 16 * K)])
    same_as_fio(["--rw=write", "--bssplit=,2k/20:4k:8k/30"],
                [(0, 2 * K), (2 * K, 2 * K), (4 * K, 8 * K), (12 * K, 4 * K), (16 * K, 4 * K),
                 (20 * K, 8 * K), (28 * K, 4 * K), (32 * K, 2 * K), (34 * K, 4 * K),
                 (38 * K, 4 * K), (42 * K, 4 * K), (46 * K, 8 * K), (54 * K, 4 * K),
                 (58 * K, 2 * K), (60 * K, 4 * K)], call="pwrite64")
    r = E.tenon_io(*E.null("--bssplit=4k/60:8k/60:16k"))
    check(r.rc != 0 and "add up to 120" in r.err, "over 100%% refused: %s" % r.err)


def case_blocksize_unaligned():
    """blocksize_unaligned: drawn sizes are not rounded to the smallest"""
    same_as_fio(["--rw=read", "--bsrange=3k-20k", "--blocksize_unaligned"],
                [(0, 5978), (5978, 16565), (22543, 19484), (42027, 9513), (51540, 5540),
                 (57080, 6578)])
    got = ios("--rw=read", "--bsrange=3k-20k", "--bs_unaligned")
    check(got and got[0] == (0, 5978), "bs_unaligned: %s" % got[:2])


def case_bs_is_seq_rand():
    """bs_is_seq_rand: bs=A,B is A for sequential IO, B for random IO"""
    got = ios("--rw=randread", "--norandommap", "--bs_is_seq_rand=1", "--bs=4k,16k")
    # fio 3.33 ends this job where a 16k read no longer fits (tenon-io cuts it)
    check(got[:2] == [(0, 16 * K), (44 * K, 16 * K)], "random reads are 16k: %s" % got)
    got = ios("--rw=read", "--bs_is_seq_rand=1", "--bs=4k,16k")
    check(got == [(o, 4 * K) for o in range(0, 64 * K, 4 * K)], "sequential reads 4k: %s" % got)


def case_rw_backward():
    """rw=read:-8k: each IO starts 8k before the last one's end, from the end after 0"""
    same_as_fio(["--rw=read:-8k"],
                [(0, 4 * K)] + [(o * K, 4 * K) for o in range(56, -1, -4)])


def case_norandommap_offsets():
    """random offsets without a map: fio's tausworthe, seeds and scaling"""
    same_as_fio(["--rw=randread", "--norandommap"],
                [(o * K, 4 * K) for o in (0, 44, 52, 28, 24, 52, 24, 20, 56, 4, 52, 40, 56, 12,
                                          24, 32)])


def case_randseed():
    """randseed gives the seeds, whatever randrepeat says (fio's rule, which fio 3.36
    keeps; fio 3.33 moved the offsets only with randrepeat=0)"""
    same_as_fio(["--rw=randread", "--norandommap", "--randseed=42", "--randrepeat=0"],
                [(o * K, 4 * K) for o in (56, 60, 4, 8, 12, 20, 48, 12, 52, 60, 4, 44, 20, 28,
                                          52, 40)])
    check(ios("--rw=randread", "--norandommap", "--randseed=42")
          == ios("--rw=randread", "--norandommap", "--randseed=42", "--randrepeat=0"),
          "randseed overrides randrepeat=1")
    check(ios("--rw=randread", "--norandommap", "--randseed=42")
          != ios("--rw=randread", "--norandommap"), "randseed moves the offsets")


def case_allrandrepeat():
    """allrandrepeat is randrepeat under another name, as in fio 3.36 and later"""
    a = ios("--rw=randread", "--bsrange=1k-16k", "--norandommap", "--allrandrepeat=1")
    b = ios("--rw=randread", "--bsrange=1k-16k", "--norandommap", "--randrepeat=1")
    c = ios("--rw=randread", "--bsrange=1k-16k", "--norandommap", "--allrandrepeat=0")
    d = ios("--rw=randread", "--bsrange=1k-16k", "--norandommap", "--allrandrepeat=0")
    check(a == b and a != c and c != d, "allrandrepeat as randrepeat:\n%s\n%s\n%s\n%s"
          % (a, b, c, d))


def case_random_generator():
    """random_generator=tausworthe64: fio's 64-bit generator; lfsr with bsrange refused"""
    same_as_fio(["--rw=randread", "--norandommap", "--random_generator=tausworthe64"],
                [(o * K, 4 * K) for o in (60, 0, 4, 4, 32, 0, 28, 20, 52, 48, 36, 4, 56, 48,
                                          60, 4)])
    r = E.tenon_io(*E.null("--rw=randread", "--random_generator=lfsr", "--bsrange=4k-8k"))
    check(r.rc != 0 and "lfsr" in r.err, "lfsr with bsrange refused: %s" % r.err)


def case_rw_sequencer():
    """rw=randread:4: a random offset every 4 IOs; identical repeats it"""
    same_as_fio(["--rw=randread:4", "--norandommap"],
                [(o * K, 4 * K) for o in (0, 4, 8, 12, 44, 48, 52, 56, 52, 56, 60, 28, 24, 28,
                                          32, 36)])
    same_as_fio(["--rw=randread:4", "--norandommap", "--rw_sequencer=identical"],
                [(o * K, 4 * K) for o in (0, 0, 0, 0, 44, 44, 44, 44, 52, 52, 52, 52, 28, 28,
                                          28, 28)])


def case_percentage_random():
    """percentage_random: the share of IOs at random offsets, the rest follow on"""
    same_as_fio(["--rw=randread", "--percentage_random=30", "--norandommap"],
                [(o * K, 4 * K) for o in (0, 4, 8, 44, 48, 52, 56, 28, 32, 24, 52, 56, 60, 24,
                                          28, 32)])


def case_random_map_offsets():
    """with the random map: a block done gives way to the next free one, as fio's"""
    first = (0, 44, 52, 28, 24, 56, 32, 20, 60, 4, 8, 40, 12, 16, 36, 48)
    same_as_fio(["--rw=randread"], [(o * K, 4 * K) for o in first])
    # each loop draws the same offsets again (fio reseeds under randrepeat)
    same_as_fio(["--rw=randread", "--loops=2"], [(o * K, 4 * K) for o in first * 2])
    same_as_fio(["--rw=randwrite", "--bsrange=1k-8k"],
                [(o * K, n * K) for o, n in ((3, 2), (47, 1), (53, 4), (30, 5), (25, 5), (57, 3),
                                             (24, 1), (22, 2), (60, 3), (5, 8), (63, 1), (41, 2),
                                             (0, 2), (15, 7), (35, 1), (36, 5), (43, 1), (51, 1),
                                             (44, 3), (48, 3), (2, 1), (52, 1), (13, 2))],
                call="pwrite64")


def case_rwmix_directions():
    """a mixed job's directions as fio draws them (rwmixread's share, held a while)"""
    same_as_fio(["--rw=randrw", "--rwmixread=70"],
                [(d, o * K, 4 * K) for d, o in ((0, 0), (0, 44), (0, 52), (1, 28), (0, 24),
                                                (0, 56), (1, 32), (0, 20), (0, 60), (0, 4),
                                                (1, 8), (0, 40), (1, 12), (0, 16), (0, 36),
                                                (0, 48))], call="pread64,pwrite64")


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    E.TIO = os.path.abspath(sys.argv[1])
    cases = [f for n, f in sorted(globals().items()) if n.startswith("case_") and callable(f)]
    return run_cases(cases, "tio-pattern-", E.use_tmp)


if __name__ == "__main__":
    sys.exit(main())
