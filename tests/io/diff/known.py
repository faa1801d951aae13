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
        "name": "filesize-offset",
        "option": "filesize with offset or offset_increment",
        "patterns": [r"^filesize=", r"^offset"],
        "check": _any_job(lambda f: "filesize" in f["opts"] and
                          ("offset" in f["opts"] or "offset_increment" in f["opts"])),
        "reason": "filesize=F with a start offset O (offset, or offset_increment for a "
                  "clone): fio keeps each file F bytes and does IO in [O, F), and fails "
                  "the job when O is past F; tenon-io grows the file to O+F and does F "
                  "bytes of IO.",
    },
    {
        "name": "size-remainder",
        "option": "size not a multiple of nrfiles x bs",
        "patterns": [r"^size="],
        "check": _any_job(lambda f: f["remainder"]),
        "reason": "fio splits size over the files as size/nrfiles and gives the "
                  "remainder to the first files in whole smallest blocks (and stops a "
                  "norandommap job only at size bytes); tenon-io rounds each file's share "
                  "down to the larger of the read and write block sizes, even for a job "
                  "that only reads or only writes, and gives the null engine one region "
                  "instead of nrfiles.",
    },
]
