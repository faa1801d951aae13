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
        "reason": "the examples first listed here (rw=write:-2k loops=3 on psync, "
                  "rw=write:-8k io_size above size, rw=randwrite:4 do_verify=0) and the "
                  "null engine's files without an end (seed 83679) now match; what is "
                  "left: seed 2495 (null engine, rw=write:-2k bs=2k loops=2 iodepth=32 "
                  "verify=crc32c: every write to one block): fio reads it back once over "
                  "both loops when the job's thread number is 4 (three jobs before it), "
                  "twice when it is 1, as tenon-io always does; the thread number moves "
                  "only seeds there, and which of fio's state it reaches is not found.",
    },
]
