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


def _any_job(pred):
    return lambda case: any(pred(f) for f in case.facts)


KNOWN = [
    {
        "name": "size-remainder",
        "option": "size not a multiple of nrfiles x bs, with norandommap, io_size or rw mixes",
        "patterns": [r"^size="],
        "check": _any_job(lambda f: f["remainder"] and (
            "norandommap" in f["opts"] or "io_size" in f["opts"] or
            f["rw"] in ("rw", "randrw"))),
        "reason": "fio's IO loop stops at size bytes (capped at the sum of the files' "
                  "shares, io_size when given) in whole blocks, or when every file's "
                  "blocks are done; the blocks that no file holds whole still count "
                  "where nothing ends the files first (norandommap, rw mixes with a "
                  "position per direction, io_size above the whole blocks). tenon-io's "
                  "regions hold whole blocks, and its IO loop stops at their bytes (or "
                  "io_size) and cuts the last IO short: a worker change.",
    },
]
