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
        "name": "size-remainder-rw-loops",
        "option": "rw=rw with loops > 1 and size not a multiple of nrfiles x bs",
        "patterns": [r"^size=", r"^loops=", r"^rw=rw$"],
        "check": _any_job(lambda f: f["remainder"] and f["rw"] == "rw" and
                          int(f["opts"].get("loops", 1)) > 1),
        "reason": "each of fio's loops of a sequential mix ends at size bytes (each "
                  "file's share, the bytes no block fits included) or earlier when one "
                  "direction reaches the end of every file; tenon-io runs the loops as "
                  "one stream and takes the shares as the loop's bytes, so a loop whose "
                  "files run out first does 1-2 more blocks than fio's.",
    },
]
