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
]
