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


def _libaio_sync_turns(f):
    """A read/write mix over several files with fsync=N or fdatasync=N on
    libaio at a queue deeper than one."""
    o = f["opts"]
    return jobgen.is_mixed(f["rw"]) and f.get("rwmixread", 50) not in (0, 100) and \
        f["nrfiles"] > 1 and ("fsync" in o or "fdatasync" in o) and \
        f["engine"] == "libaio" and int(o.get("iodepth", 1)) > 1


def _shared_file_follow_on(f):
    o = f["opts"]
    return int(o.get("numjobs", 1)) > 1 and str(o.get("filename", "")).endswith(".shared") and \
        ("percentage_random" in o or ":" in str(o.get("rw", "")))


KNOWN = [
    {
        "name": "shared-file-follow-on-clones",
        "option": "clones in one shared file (offset_increment) with IO that follows on "
                  "(percentage_random, rw=randTYPE:N)",
        "patterns": [r"^offset_increment=", r"^(percentage_random=|rw=\w+:)"],
        "check": _any_job(_shared_file_follow_on),
        "reason": "the clones lay out the one file as each starts, so whether a clone's "
                  "region ends inside the file (where IO that is to follow on ends the "
                  "file for the pass, as fio's offset at io_size) depends on which "
                  "clones have grown it by then: the counts are neither tool's to fix. "
                  "Seed 16780 (three libaio clones, iodepth=32, io_size above size, "
                  "percentage_random=50, bssplit): fio's third clone writes 182 in a "
                  "fresh folder and 183 over a laid-out file (its first clone 195 and "
                  "186), tenon-io 187 and 192.",
    },
    {
        "name": "libaio-sync-file-turns-in-mixes",
        "option": "fsync=N/fdatasync=N on libaio at iodepth above 1, rw/randrw over several files",
        "patterns": [r"^(fsync|fdatasync)=", r"^nrfiles="],
        "check": _any_job(_libaio_sync_turns),
        "reason": "fio 3.33's libaio engine does a sync at once (FIO_Q_BUSY until the "
                  "IOs queued before it are submitted, then FIO_Q_COMPLETED), so it "
                  "syncs after nearly every write as a synchronous engine does; "
                  "tenon-io's queue model counts a sync as an IO of the queue and "
                  "issues fewer (the sync count is not compared there, sync_bounds). "
                  "Each sync takes a file's turn, and in a mix the direction drawn at "
                  "each turn decides which file reads or writes, so the per-direction "
                  "counts differ too. Seed 8157: rw=rw rwmixread=10 bs=16k,2k nrfiles=2 "
                  "filesize=64k iodepth=2 fsync=1 verify=sha256: fio 36 reads, 32 "
                  "writes, 35 syncs (the same on psync, where tenon-io equals it), "
                  "tenon-io 32, 27, 16.",
    },
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
