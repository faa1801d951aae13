#!/usr/bin/env python3
"""Differential test: random valid job files (jobgen.py) run with fio 3.33
and with tenon-io; per job and per direction the IO counts, bytes and sync
counts must be equal, and so must the exit status and each job's error
(for verify jobs, the verdict; a job both refused is equal whatever error
fio's entry gives, see refused_alike).

Read/write mixes (rw=rw, randrw, with any rwmixread) are compared exactly,
reads and writes apart, verified or not: fio 3.33's split is not timing-
dependent. Its direction draws come from rwmix_state, seeded per job like
the offsets, and the switch points (get_rw_ddir, set_rwmix_bytes) count
IOs issued (io_issues), never completions or time; tenon-io draws the same
(rw=randrw bs=4k size=1m: 132 reads, 124 writes in both; repeated fio runs
of a verified randrw with fsync=4 at iodepth=16 on psync, libaio, io_uring
and null give one split each, while io_uring's sync count varies). Only
rate limits (rate_ddir, which jobgen never draws) make the split depend on
time; a case where fio's own split still varies is caught by the rerun
below ("fio varies").

The relaxations that remain, each for a number fio itself does not fix:
  - an entry with an error, or a time_based job: only the status (the IO
    done before the error or the runtime's end is the clock's);
  - sync_bounds: fsync=N's count, one sync either way per pass, none on a
    queue deeper than one (fio's syncs there are timing-dependent);
  - sync_turns_own, syncs_in_flight_own: fio's IO counts themselves depend
    on when the kernel completes syncs on a queue;
  - fio_mixed_verify_failed: fio's own false verify failure of some mixes;
  - refused_alike: fio's error 0 for a job it refused.

usage: difftest.py TENON_IO [--seeds N] [--first S] [--seed S ...] [-v] [--fio FIO]

  --seeds N   run seeds FIRST .. FIRST+N-1 (default 30)
  --first S   first seed (default 1)
  --seed S    run only seed S (repeatable); prints the job file and numbers
  --also S    run seed S too (repeatable): regression seeds of fixed bugs
  -v          print every case, not only mismatches
  --keep      keep the temporary folders (printed) of mismatching cases
  --all       print known mismatches too

Every mismatch prints the seed, the job file, both tools' numbers and the
one command that reruns it. A mismatch that matches an entry of known.py
(a known tenon-io bug with its fix under way) is counted as known, not as a
failure. A mismatch where fio itself is not repeatable is not one either:
the case's fio run is repeated (up to FIO_REPEATS times, in the same folder,
whose name seeds some of fio's draws) and, when fio then gives other numbers
and one of its outcomes equals tenon-io's, the seed is counted as "fio
varies" (fio 3.33 races in some thread jobs: their counts differ from run to
run). Exit status: 0 when nothing unexpected mismatched, 1 otherwise,
77 when fio 3.33 is not installed."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", ".."))
import jobgen  # noqa: E402
from harness import sanitizer_report  # noqa: E402
from known import KNOWN  # noqa: E402

TIMEOUT = int(os.environ.get("DIFFTEST_TIMEOUT", "120"))
FIO_REPEATS = 10
DIRS = ("read", "write", "trim")


def json_of(text):
    try:
        return json.loads(text[text.index("{"):])
    except ValueError:
        return None


def kill_tree(pid):
    """SIGKILL to pid and every process under it (found by parent pid in
    /proc: a child may have left pid's session and process group)."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    todo, tree = [pid], []
    while todo:
        p = todo.pop()
        tree.append(p)
        todo.extend(children.get(p, []))
    for p in tree:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass


def run_tool(cmd, text, keep, top):
    """Runs one tool on the job text in the fresh folder top; returns
    (status, JSON or None, stderr, folder). Both tools run in the same
    folder, one after the other: fio seeds random_distribution's zipf,
    pareto and normal draws from the file's name, folder included."""
    os.mkdir(top)
    data = os.path.join(top, "data")
    os.mkdir(data)
    path = os.path.join(top, "job.fio")
    with open(path, "w") as f:
        f.write(text)
    env = dict(os.environ, DIFFTEST_DIR=data)
    # fio writes verify state files into its working folder. On a timeout
    # the tool goes with every process under it: fio's job processes have
    # sessions of their own and would spin on, holding the output pipes.
    p = subprocess.Popen(cmd + ["--output-format=json", path], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env, cwd=top)
    try:
        out, err = p.communicate(timeout=TIMEOUT)
        status = p.returncode
    except subprocess.TimeoutExpired:
        kill_tree(p.pid)
        p.wait()
        for pipe in (p.stdout, p.stderr):
            pipe.close()
        out, status, err = "", "timeout", f"no exit after {TIMEOUT} s"
    if keep:
        kept = tempfile.mkdtemp(prefix="tenon-difftest.")
        os.rename(top, os.path.join(kept, "run"))
        top = os.path.join(kept, "run")
    else:
        shutil.rmtree(top, ignore_errors=True)
    return status, json_of(out), err, top


def report_entries(case):
    """The facts of the jobs behind each entry of the JSON "jobs" list:
    one entry per clone, or with group_reporting one per group."""
    entries = []
    for i, f in enumerate(case.facts):
        if case.group_reporting:
            new_group = i == 0 or "stonewall" in f["opts"]
            if new_group:
                entries.append([])
            entries[-1].extend([f] * f["numjobs"])
        else:
            entries.extend([[f]] * f["numjobs"])
    return entries


def verifies(f):
    o = f["opts"]
    return o.get("verify") is not None and str(o.get("do_verify", 1)) != "0"


def sync_bounds(facts, fio_syncs):
    """The range of tenon-io's sync.total_ios that agrees with fio's, or
    None when the count is each tool's own. Both count only fsync=N syncs
    in sync.total_ios (not fdatasync=N, not end_fsync) and neither issues
    the sync due after a job's last write."""
    # On a queue deeper than one the number of syncs is each tool's own:
    # tenon-io drains the queue and issues one sync for the writes that
    # came due together, fio issues one whenever it fetches an IO while
    # the write count is a multiple of N (timing-dependent).
    if any("fsync" in f["opts"] and f["engine"] in jobgen.ASYNC_ENGINES and
           int(f["opts"].get("iodepth", 1)) > 1 for f in facts):
        return None
    # fio's count of writes since the last sync also runs on differently
    # from one pass over the region to the next (loops, or io_size above
    # size): allow one sync either way per pass
    passes = sum(passes_of(f) for f in facts if "fsync" in f["opts"])
    return max(0, fio_syncs - passes), fio_syncs + passes


def sync_turns_own(f):
    """fsync=N/fdatasync=N on a queue deeper than one over several files
    with sizes drawn per IO: fio's syncs (each one the next file's turn of
    the rotation) are timing-dependent there (rw=write nrfiles=3
    fdatasync=8 bssplit on io_uring at iodepth=16: 94 or 98 writes from run
    to run), so the files fill at other IOs and the IO counts are each
    tool's own; the bytes are not defined either."""
    o = f["opts"]
    return f["nrfiles"] > 1 and ("fsync" in o or "fdatasync" in o) and \
        f["engine"] in jobgen.ASYNC_ENGINES and int(o.get("iodepth", 1)) > 1 and \
        ("bsrange" in o or "bssplit" in o)


def syncs_in_flight_own(f):
    """number_ios with fsync=N/fdatasync=N on io_uring at a queue deeper
    than one: the syncs are IOs of the queue in both tools, and in-flight
    ones count against number_ios, so the writes done depend on when the
    kernel completes each sync (fio 3.33 alone: 12 or 14 writes from run to
    run for rw=write nrfiles=3 filesize=35k bs=1k fsync=2 number_ios=20
    iodepth=16). The null engine's are exact."""
    o = f["opts"]
    return f["engine"] == "io_uring" and int(o.get("iodepth", 1)) > 1 and \
        ("fsync" in o or "fdatasync" in o) and "number_ios" in o


def passes_of(f):
    """How often a job goes over its region: loops x (io_size / size)."""
    per_loop = -(-f.get("io_size", 0) // f["size"]) if f.get("io_size", 0) > f["size"] else 1
    return int(f["opts"].get("loops", 1)) * per_loop


def fio_mixed_verify_failed(case, fio_stderr):
    """fio 3.33 fails the verify of some rw/randrw mixes on the header's
    seed alone ("bad header rand_seed"), where the data is intact: then
    the verdict of a mixed verify job, and the exit status, are not
    compared (docs/jobfile.md, "Intended differences found by the
    differential test"). tenon-io failing such a job is still reported."""
    return "bad header rand_seed" in fio_stderr and \
        any(verifies(f) and jobgen.is_mixed(f["rw"]) for f in case.facts)


def refused_alike(fio, tio, a, b):
    """Both tools refused this job and both exit non-zero: the same outcome.
    fio 3.33 refuses a job whose region holds less than a block (a clone
    that offset + N x offset_increment moves to its files' end: "fio:
    blocksize is larger than data set range", and the run exits 1), but
    its setup_files fails there without setting the job's error
    (td_verror), so the job's JSON entry says error 0 with no IO, and its
    normal output leaves the job out. That 0 is a fio defect: the job never
    ran. tenon-io refuses it too, says what, where and how to fix it,
    exits 1, and gives the entry the error it failed with (EINVAL)."""
    return fio[0] not in (0, "timeout") and tio[0] not in (0, "timeout") and \
        "blocksize is larger than data set range" in fio[2] and \
        a["error"] == 0 and b["error"] != 0 and \
        all(a[d]["total_ios"] == 0 == b[d]["total_ios"] for d in DIRS)


def numbers(j):
    out = {}
    for d in DIRS:
        for k in ("total_ios", "io_bytes", "io_kbytes"):
            out[f"{d}.{k}"] = j[d][k]
    out["sync.total_ios"] = j.get("sync", {}).get("total_ios", 0)
    out["error"] = j["error"]
    return out


def compare(case, fio, tio):
    """A list of (what, fio value, tenon-io value, facts) that differ;
    facts are those of the jobs behind the report entry, or None for the
    whole run (exit status)."""
    diffs = []
    fs, fj, _, _ = fio
    ts, tj, _, _ = tio
    if sanitizer_report(tio[2]):
        diffs.append(("sanitizer report", "-", "see tenon-io stderr", None))
    excused = fio_mixed_verify_failed(case, fio[2])
    if (fs == 0) != (ts == 0) and not excused:
        diffs.append(("exit status", fs, ts, None))
    if fj is None or tj is None:
        if (fj is None) != (tj is None) and fs == 0 and ts == 0:
            diffs.append(("JSON report", "present" if fj else "absent",
                          "present" if tj else "absent", None))
        return diffs
    fjobs, tjobs = fj.get("jobs", []), tj.get("jobs", [])
    if len(fjobs) != len(tjobs):
        diffs.append(("number of jobs in the report", len(fjobs), len(tjobs), None))
        return diffs
    entries = report_entries(case)
    if len(entries) != len(fjobs):
        entries = [case.facts] * len(fjobs)  # the model is wrong: compare what is safe
    for n, (facts, a, b) in enumerate(zip(entries, fjobs, tjobs)):
        where = f"job #{n} ({a.get('jobname')})"
        na, nb = numbers(a), numbers(b)
        is_verify = any(verifies(f) for f in facts)
        mixed_verify = any(verifies(f) and jobgen.is_mixed(f["rw"]) for f in facts)
        if excused and mixed_verify and na["error"] and not nb["error"]:
            continue
        if (na["error"] == 0) != (nb["error"] == 0):
            if refused_alike(fio, tio, a, b):
                continue
            what = "verify verdict (error)" if is_verify else "error"
            diffs.append((f"{where} {what}", na["error"], nb["error"], facts))
            continue
        if na["error"] or case.time_based:
            continue  # only the status is defined (see the module's docstring)
        if any(sync_turns_own(f) or syncs_in_flight_own(f) for f in facts):
            continue
        bounds = sync_bounds(facts, na["sync.total_ios"])
        if bounds and not bounds[0] <= nb["sync.total_ios"] <= bounds[1]:
            diffs.append((f"{where} sync.total_ios (allowed {bounds[0]}..{bounds[1]})",
                          na["sync.total_ios"], nb["sync.total_ios"], facts))
        for k in na:
            if k in ("error", "sync.total_ios"):
                continue
            if na[k] != nb[k]:
                diffs.append((f"{where} {k}", na[k], nb[k], facts))
    return diffs


class _Scope:
    """The jobs behind one diff (facts), and every job of the case
    (all_facts), for an entry whose cause lies in an earlier job."""

    def __init__(self, facts, all_facts):
        self.facts = facts
        self.all_facts = all_facts


def known_for(diffs, text, case):
    """The names of the known entries that explain every diff, or None.
    A diff of one report entry is explained by an entry whose check holds
    for the jobs behind it; a diff of the whole run (exit status) by any
    entry that explains another diff, or that holds for the whole case."""
    names = []
    for what, a, b, facts in diffs:
        if what == "sanitizer report":
            return None  # never a known mismatch
        if facts is None:
            continue
        k = known_entry(text, _Scope(facts, case.facts))
        if k is None:
            return None
        if k["name"] not in names:
            names.append(k["name"])
    if not names:
        k = known_entry(text, case)
        return [k["name"]] if k else None
    return names


def known_entry(text, case):
    for k in KNOWN:
        if all(re.search(p, text, re.M) for p in k["patterns"]) and \
                k.get("check", lambda c: True)(case):
            return k
    return None


def fio_varies(case, fio_cmd, text, top, fio, tio):
    """True when repeating fio's run gives other numbers than its first run
    and one of its runs equals tenon-io's: the mismatch is fio's own
    variation, not tenon-io's. Each repeat runs in the folder top, as the
    first did."""
    if tio[0] == "timeout":
        return False
    # fio 3.33 hangs now and then (seed 5247: a null engine job with
    # random_distribution=normal spins): once more, then
    repeats = 1 if fio[0] == "timeout" else FIO_REPEATS
    varied = matched = False
    for _ in range(repeats):
        again = run_tool(fio_cmd, text, False, top)
        varied = varied or bool(compare(case, fio, again))
        matched = matched or not compare(case, again, tio)
        if varied and matched:
            return True
    return False


def summary(j):
    if j is None:
        return "no JSON report"
    out = []
    for job in j.get("jobs", []):
        n = numbers(job)
        out.append(f"{job.get('jobname')}: error {n['error']}, " + ", ".join(
            f"{d} {n[d + '.total_ios']} ios/{n[d + '.io_bytes']} B" for d in ("read", "write"))
            + f", sync {n['sync.total_ios']}")
    return "; ".join(out)


def main(argv):
    args = argv[1:]
    if not args:
        print(__doc__)
        return 2
    tio = os.path.abspath(args.pop(0))
    fio_bin = shutil.which("fio")
    count, first, only, also, verbose, keep = 30, 1, [], [], False, False
    show_known = False
    while args:
        a = args.pop(0)
        if a == "--seeds":
            count = int(args.pop(0))
        elif a == "--first":
            first = int(args.pop(0))
        elif a == "--seed":
            only.append(int(args.pop(0)))
        elif a == "--also":
            also.append(int(args.pop(0)))
        elif a == "--fio":
            fio_bin = args.pop(0)
        elif a == "-v":
            verbose = True
        elif a == "--keep":
            keep = True
        elif a == "--all":
            show_known = True
        else:
            print(f"difftest: unknown argument {a!r}\n{__doc__}")
            return 2
    if not fio_bin:
        print("SKIP: fio is not installed")
        return 77
    version = subprocess.run([fio_bin, "--version"], stdout=subprocess.PIPE, text=True).stdout
    if version.strip() != "fio-3.33":
        # the comparison rules (and docs/jobfile.md) describe fio 3.33
        print(f"SKIP: {fio_bin} is {version.strip() or 'of unknown version'}, not fio-3.33")
        return 77
    seeds = only or list(range(first, first + count)) + also
    me = os.path.relpath(os.path.abspath(__file__))
    failed = known = varies = 0
    seen_known = {}
    for seed in seeds:
        case = jobgen.generate(seed)
        text = case.text()
        home = tempfile.mkdtemp(prefix="tenon-difftest.")
        top = os.path.join(home, "run")
        fio = run_tool([fio_bin], text, keep, top)
        tio_r = run_tool([tio, "--eta=never"], text, keep, top)
        diffs = compare(case, fio, tio_r)
        varied = bool(diffs) and not any(d[0] == "sanitizer report" for d in diffs) and \
            fio_varies(case, [fio_bin], text, top, fio, tio_r)
        os.rmdir(home)
        k = ["fio varies"] if varied else known_for(diffs, text, case) if diffs else None
        if varied:
            varies += 1
        elif diffs and k:
            known += 1
            for name in k:
                seen_known[name] = seen_known.get(name, 0) + 1
        elif diffs:
            failed += 1
        show = diffs and not k
        if show or verbose or only or (diffs and show_known):
            state = "MISMATCH" if show else (
                "fio varies: tenon-io equals one of fio's runs" if varied else
                "known: " + ", ".join(k) if diffs else "ok")
            print(f"--- seed {seed}: {state}")
            for what, a, b, _ in diffs:
                print(f"    {what}: fio {a}, tenon-io {b}")
            print(f"    fio:      exit {fio[0]}; {summary(fio[1])}")
            print(f"    tenon-io: exit {tio_r[0]}; {summary(tio_r[1])}")
            if diffs or only:
                for name, r in (("fio", fio), ("tenon-io", tio_r)):
                    for line in r[2].strip().splitlines()[:6]:
                        print(f"    {name} stderr: {line}")
                if keep:
                    print(f"    folders: fio {fio[3]}, tenon-io {tio_r[3]}")
                print(f"    reproduce: python3 {me} {os.path.relpath(tio)} --seed {seed}")
                print("    job file:")
                for line in text.splitlines():
                    print(f"      {line}")
            sys.stdout.flush()
        elif keep:
            shutil.rmtree(os.path.dirname(fio[3]), ignore_errors=True)
            shutil.rmtree(os.path.dirname(tio_r[3]), ignore_errors=True)
    n = len(seeds)
    print(f"{n} seeds: {n - failed - known - varies} equal, {known} known mismatches, "
          f"{varies} where fio varies, {failed} unexpected mismatches")
    for name, c in sorted(seen_known.items()):
        print(f"    known {name}: {c}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
