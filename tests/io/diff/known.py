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
        "name": "verify-follow-on-overwrites",
        "option": "verify with random IO that follows on (rw=randTYPE:N, "
                  "percentage_random)",
        "patterns": [r"^verify=", r"^(rw=rand\w+:\d|percentage_random=)"],
        "check": _any_job(lambda f: f["opts"].get("verify") is not None and
                          "norandommap" not in f["opts"] and
                          f.get("io_size", 0) <= f["size"] and
                          (":" in str(f["opts"].get("rw", "")) or
                           "percentage_random" in f["opts"])),
        "reason": "with a random map fio 3.33 keeps the writes to verify in a list "
                  "(log_io_piece), not in its tree that drops a block written again, "
                  "and an IO that follows on may write a block again (unmarked, fio's "
                  "IO_U_F_BUSY_OK): its verify phase reads back every write. On files "
                  "the older write's read then finds the newer data and fio fails its "
                  "own verify (\"bad header numberio\", rw=randwrite:8 size=352k "
                  "verify=crc32c: error 84), where tenon-io reads each block once and "
                  "passes; on the null engine fio's reads pass, one per write "
                  "(rw=randwrite:8 bs=512 size=679424 verify=sha256: 1327 writes, fio "
                  "1327 verify reads, tenon-io 833). Fix: on an engine without files, "
                  "read back each write logged; on files fio's verdict is its defect "
                  "(then a jobgen exclusion).",
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
]
