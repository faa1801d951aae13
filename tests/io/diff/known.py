"""Mismatches between fio 3.33 and tenon-io that are known tenon-io bugs
whose fixes are under way elsewhere (or described for a later fix). The
runner reports a mismatching case that matches an entry as "known" instead
of failing. An entry matches a job file when every one of its `patterns`
(Python regular expressions, multi-line mode) is found in the job file's
text and, if the entry has one, its `check` (a function of the generated
case, see jobgen.Case) returns true. `option` names the option that
triggers the mismatch.

Remove an entry once its fix is in: the runner then fails on the cases
that still mismatch."""


import jobgen


def _any_job(pred):
    return lambda case: any(pred(f) for f in case.facts)


def _stream_passes(f):
    """Sequential IO that mixpass.c does not run pass by pass."""
    o = f["opts"]
    return not jobgen.is_random(f["rw"]) and (
        (f["engine"] == "null" and f["nrfiles"] > 1) or ":" in o.get("rw", "") or
        any(k in o for k in ("zonemode", "file_service_type", "openfiles")))


KNOWN = [
    {
        "name": "random-unaligned-share-end",
        "option": "blocksize_unaligned with bsrange/bssplit, random IO with a random map",
        "patterns": [r"^blocksize_unaligned", r"^(bsrange|bssplit)=", r"^rw=rand"],
        "check": _any_job(lambda f: jobgen.is_random(f["rw"]) and
                          "blocksize_unaligned" in f["opts"] and
                          "norandommap" not in f["opts"] and
                          ("bsrange" in f["opts"] or "bssplit" in f["opts"])),
        "reason": "fio fits a random IO's drawn size to its file's io_size (the bytes "
                  "past the last whole smallest block included); tenon-io does so for "
                  "jobs without a map (next_io.c fit_end: seed 5003 and 30 other seeds "
                  "equal) but keeps a job with a map to its whole blocks, where the "
                  "draws part (seed 898: rw=randread libaio nrfiles=2 size=69k "
                  "numjobs=2 offset_increment=4k bsrange=1k-4k blocksize_unaligned: fio "
                  "52 reads, tenon-io 54). fio's map holds min(real size, io_size) / "
                  "rw_min_bs blocks (filesetup.c init_random_map); how its fills and "
                  "file ends then differ from tenon-io's is not established yet.",
    },
    {
        "name": "distribution-loops-threads",
        "option": "random_distribution with bsrange/bssplit and loops, beside another thread job",
        "patterns": [r"^random_distribution=", r"^(bsrange|bssplit)=", r"^loops=", r"^thread$"],
        "check": _any_job(lambda f: "random_distribution" in f["opts"] and
                          ("bsrange" in f["opts"] or "bssplit" in f["opts"]) and
                          int(f["opts"].get("loops", 1)) > 1),
        "reason": "fio 3.33's second and later loops of such a job draw other offsets or "
                  "sizes when another job of the run is a thread too: with that job not "
                  "a thread, or loops=1, or one size, fio and tenon-io agree (seed 8811: "
                  "rw=randwrite ioengine=null numjobs=2 nrfiles=3 filesize=84k loops=3 "
                  "iodepth=16 bsrange=2k-4k random_distribution=normal:20 thread, beside "
                  "a randrw thread job: fio 259 and 258 writes, tenon-io 265 and 256, as "
                  "fio does without the other job's thread). Cause in fio not found yet.",
    },
    {
        "name": "verify-passes-offset-modifiers",
        "option": "verify with loops or io_size above size, and holes (rw=TYPE:-N) "
                  "or IO that follows on (rw=randTYPE:N)",
        "patterns": [r"^verify=", r"^(loops|io_size)=", r"^rw=\w+:-?\d"],
        "check": _any_job(lambda f: f["opts"].get("verify") is not None and
                          ":" in str(f["opts"].get("rw", "")) and
                          (int(f["opts"].get("loops", 1)) > 1 or
                           f.get("io_size", 0) > f["size"])),
        "reason": "verify passes over a region with offset modifiers: the counts "
                  "differ on any engine (rw=write:-2k bs=2k nrfiles=3 filesize=132k "
                  "loops=3 verify=crc32c on psync: 594 writes in both, fio 3 verify "
                  "reads, tenon-io 9; rw=write:-8k size=504k io_size=776k "
                  "verify=crc32c: fio 194 writes, tenon-io 126; rw=randwrite:4 "
                  "bs=16k size=144k io_size=704k verify=crc32c do_verify=0: fio 36 "
                  "writes, tenon-io 9, 44 in both without verify=). Cause not found "
                  "yet (tio_next_verify_pass and the pass logic of next_io.c).",
    },
    {
        "name": "sync-passes-io_size",
        "option": "fsync=N with io_size above size, passes run as one stream",
        "patterns": [r"^fsync=", r"^io_size="],
        "check": _any_job(lambda f: "fsync" in f["opts"] and
                          f.get("io_size", 0) > f["size"] and _stream_passes(f)),
        "reason": "fio starts each pass to reach io_size with a sync when the writes "
                  "are a multiple of N (its last_was_sync is reset), even right after "
                  "the last pass's sync; tenon-io does so where it runs fio's passes "
                  "(mixpass.c, map_passes.c), not where its passes are one stream whose "
                  "files wrap one by one (sequential IO on the null engine over several "
                  "files, zones, file_service_type, rw=TYPE:N): with fsync=1 one sync "
                  "per pass more in fio (rw=write ioengine=null nrfiles=2 size=80k "
                  "io_size=688k bs=8k,16k fsync=1: 43 writes, fio 52 syncs, tenon-io "
                  "42), past the runner's allowance of one a pass. Fix: such jobs in "
                  "fio's passes too.",
    },
    {
        "name": "verify-mix-second-pass",
        "option": "rw=randrw with verify over several files",
        "patterns": [r"^rw=randrw", r"^verify="],
        "check": _any_job(lambda f: f["nrfiles"] > 1 and jobgen.is_mixed(f["rw"]) and
                          jobgen.is_random(f["rw"]) and "verify" in f["opts"]),
        "reason": "rw=randrw bs=4k nrfiles=3 size=68k rwmixread=100 verify=sha256 "
                  "(seed 9920): fio 17 reads, tenon-io 15 (without verify both 15). "
                  "fio's verify phase ends with clear_io_state (the files no longer "
                  "done) and keep_running starts another pass while the bytes done "
                  "fall short of size by a block or more; a mix that wrote nothing has "
                  "no verify reads to count, so its second pass reads on to size. "
                  "tenon-io keeps a job that verifies to the files' whole blocks "
                  "(next_io.c's whole_shares).",
    },
    {
        "name": "verify-passes-files-full",
        "option": "random writes with a sync and verify over several files, in passes",
        "patterns": [r"^(fsync|fdatasync)=", r"^verify="],
        "check": _any_job(lambda f: f["nrfiles"] > 1 and jobgen.is_random(f["rw"]) and
                          "norandommap" not in f["opts"] and "verify" in f["opts"] and
                          ("io_size" in f["opts"] or "loops" in f["opts"])),
        "reason": "a sync takes a file's turn, so one file can fill before the others; "
                  "fio ends it for the pass, tenon-io does so only in a single pass "
                  "(next_io.c's verify_ends) and in later passes starts the full "
                  "file's map over: fewer blocks to read back (seed 23306: "
                  "rw=randwrite bs=512 nrfiles=3 size=637k io_size=1883648 fsync=16 "
                  "verify=sha256, fio 2544 verify reads, tenon-io 2542).",
    },
]
