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
        "name": "distribution-loops-threads",
        "option": "random_distribution with bsrange/bssplit and loops, beside another thread job",
        "patterns": [r"^random_distribution=", r"^(bsrange|bssplit)=", r"^loops=", r"^thread$"],
        "check": _any_job(lambda f: "random_distribution" in f["opts"] and
                          ("bsrange" in f["opts"] or "bssplit" in f["opts"]) and
                          int(f["opts"].get("loops", 1)) > 1),
        "reason": "fio 3.33's second and later loops of such a job draw other offsets or "
                  "sizes when another job of the run is a thread too: with that job not "
                  "a thread, or loops=1, or one size, fio and tenon-io agree (seed 8811: "
                  "rw=randwrite ioengine=null numjobs=2 nrfiles=3 filesize=84k loops=3 "
                  "iodepth=16 bsrange=2k-4k random_distribution=normal:20 thread, beside "
                  "a randrw thread job: fio 259 and 258 writes, tenon-io 265 and 256, as "
                  "fio does without the other job's thread). Cause in fio not found yet.",
    },
    {
        "name": "null-files-no-end",
        "option": "ioengine=null with sequential holes (rw=TYPE:N, rw=TYPE:-N) or "
                  "random IO that follows on (percentage_random, rw=randTYPE:N)",
        "patterns": [r"^ioengine=null$", r"^(rw=\w+:-?\d|percentage_random=)"],
        "check": _any_job(lambda f: f["engine"] == "null" and
                          (":" in str(f["opts"].get("rw", "")) or
                           "percentage_random" in f["opts"])),
        "reason": "fio 3.33 gives a file-less engine's files no end (real_file_size "
                  "-1): sequential IO with holes never wraps there, and an IO that "
                  "follows on from a file's end does not fall back to a random block; "
                  "the file is done at the first offset at or past its size, forward or "
                  "(below 0) backward (rw=write:8k bs=4k filesize=36k: 3 writes, "
                  "rw=write:-8k: 1; the same jobs on files wrap and do 9 in fio, as "
                  "tenon-io does with either engine). tenon-io gives the null engine's "
                  "files the ends real files have.",
    },
    {
        "name": "sync-passes-io_size",
        "option": "fsync=N with io_size above size",
        "patterns": [r"^fsync=", r"^io_size="],
        "check": _any_job(lambda f: "fsync" in f["opts"] and
                          f.get("io_size", 0) > f["size"]),
        "reason": "fio starts each pass to reach io_size with a sync when the last "
                  "one ended due (its last_was_sync is reset), tenon-io runs the "
                  "passes as one stream: with fsync=1 one sync per pass more in fio "
                  "(rw=write size=80k io_size=688k fsync=1 bs=16k: 43 writes, fio 52 "
                  "syncs, tenon-io 42), past the runner's allowance of one a pass.",
    },
    {
        "name": "empty-clone-error",
        "option": "offset_increment that leaves a clone no bytes",
        "patterns": [r"^offset_increment="],
        "check": _any_job(lambda f: int(f["opts"].get("numjobs", 1)) > 1),
        "reason": "a clone whose region is empty (offset + N x offset_increment at "
                  "filesize): fio 3.33 refuses it (\"blocksize is larger than data set "
                  "range\") yet reports the job's error as 0; tenon-io reports EINVAL "
                  "(22). Both exit 1.",
    },
    {
        "name": "sync-turn-verify-wraps",
        "option": "fsync=N/fdatasync=N with verify over several files",
        "patterns": [r"^(fsync|fdatasync)=", r"^verify="],
        "check": _any_job(lambda f: f["nrfiles"] > 1 and
                          ("fsync" in f["opts"] or "fdatasync" in f["opts"]) and
                          "verify" in f["opts"]),
        "reason": "the sync takes a file's turn as in fio, so one file can fill before "
                  "the others; fio then has that file done and writes the rest to the "
                  "others, where tenon-io (a job that verifies does not end its files "
                  "where they run out, next_io.c's until_used) starts the full file over "
                  "and overwrites its blocks: fewer blocks to read back (rw=write "
                  "nrfiles=2 size=832k bs=16k fsync=1 number_ios=29 verify=sha256: fio "
                  "29 verify reads, tenon-io 26). Fix: end such a file in a single pass.",
    },
    {
        "name": "number_ios-syncs-in-flight",
        "option": "number_ios with fsync=N/fdatasync=N at iodepth above 1 on null or io_uring",
        "patterns": [r"^number_ios=", r"^(fsync|fdatasync)=", r"^iodepth="],
        "check": _any_job(lambda f: f["engine"] in ("null", "io_uring") and
                          int(f["opts"].get("iodepth", 1)) > 1 and
                          ("fsync" in f["opts"] or "fdatasync" in f["opts"]) and
                          "number_ios" in f["opts"]),
        "reason": "fio 3.33 counts the IOs queued and in flight, syncs included, "
                  "against number_ios, and these engines queue a sync as any IO (libaio "
                  "does it inline): while a sync is in flight one write less is allowed. "
                  "How many syncs fio has out is its own (it decides one per fetched IO "
                  "while the write count is a multiple of N and the last completed IO "
                  "was no sync: rw=write size=64k fsync=2 iodepth=8 on null, 16 writes "
                  "and 14 syncs), where tenon-io drains and issues one sync for the "
                  "writes that came due together (1 sync). So the write count differs "
                  "(same job with number_ios=9: null fio 8 writes, tenon-io 9; io_uring "
                  "fio 2). Fix: fio's sync model on queued engines (sync_policy.c).",
    },
]
