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


KNOWN = [
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
