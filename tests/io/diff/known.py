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
        "name": "size-remainder-rw",
        "option": "rw=rw with size not a multiple of nrfiles x bs",
        "patterns": [r"^size=", r"^rw=rw$"],
        "check": _any_job(lambda f: f["remainder"] and f["rw"] == "rw"),
        "reason": "a sequential mix has a position per direction; fio ends a file when "
                  "one direction reaches its end, and a job at size bytes (each file's "
                  "share, the bytes no block fits included) or when every file is done. "
                  "Which comes first depends on the direction draws, which differ between "
                  "fio and tenon-io, and tenon-io runs loops as one stream (each of fio's "
                  "loops ends on its own): 1-2 blocks more or fewer than fio.",
    },
]
