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


def _null_left_sync(case):
    """A null job at iodepth above 1 (of the jobs behind the diff) after a
    null thread job at iodepth 1."""
    mine = {f["name"] for f in case.facts}
    seen = False
    for f in getattr(case, "all_facts", case.facts):
        if f["engine"] != "null":
            continue
        depth = int(f["opts"].get("iodepth", 1))
        if seen and depth > 1 and f["name"] in mine:
            return True
        seen = seen or ("thread" in f["opts"] and depth <= 1)
    return False


KNOWN = [
    {
        "name": "fio-null-engine-shared-sync-flag",
        "option": "ioengine=null with iodepth above 1 after a null thread job at iodepth 1",
        "patterns": [r"^ioengine=null", r"^thread", r"^iodepth="],
        "check": _null_left_sync,
        "reason": "a fio 3.33 bug that tenon-io does not copy: fio's null engine marks its "
                  "one ioengine table, shared by every job of fio's process, synchronous "
                  "when a job at iodepth 1 sets it up; a later null job (a thread, or a "
                  "process forked past a stonewall) then completes each IO in queue() "
                  "whatever its iodepth. tenon-io runs the iodepth the job asks for. "
                  "Seed 2495: rw=write:-2k bs=2k loops=2 iodepth=32 verify=crc32c after "
                  "such a job: fio one pass and one verify read, tenon-io (and fio with "
                  "the job alone) two.",
    },
]
