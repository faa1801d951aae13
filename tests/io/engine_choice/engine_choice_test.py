#!/usr/bin/env python3
"""Engine choice and --parse-only.

- An engine the job names is the one that runs: a target it does not accept
  fails the job before any IO, with an error naming the engine, the target
  and the fix; only a job that names no engine is routed to the engine that
  claims its targets.
- --parse-only applies every check a run applies: each case runs twice,
  with and without --parse-only, and both must exit alike and print the
  same error. --parse-only never creates or changes a file.

The test engine uri_only (uri_only.c) accepts only tiotest:// targets; it
is found as external:PATH, or through TENON_PLUGIN_PATH for routing.
Output is TAP.

The test engine setup_fail (setup_fail.c) refuses every job in its setup(),
giving its reason through the host API table's fail() with the plugin handle
tio_setup carries; the job's error must be that reason. (An engine's setup
runs in the job's thread, so --parse-only cannot know this refusal.)

usage: engine_choice_test.py TENON_IO URI_ONLY_SO ENGINE_DIR SETUP_FAIL_SO
"""
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from harness import Tap, run_tio, sanitizer_report  # noqa: E402

TIO, URI_ONLY, ENGINE_DIR, SETUP_FAIL = (os.path.abspath(a) for a in sys.argv[1:5])


def engine_so(name):
    """A dynamic engine of this build, or None (static builds)."""
    path = os.path.join(ENGINE_DIR, name + ".so")
    return path if os.path.exists(path) else None


class Case:
    """One job: its arguments ({tmp} is the case's folder), the exit both a
    run and --parse-only must give, the substrings the error must hold and
    the ones it must not (work a refused job must never have begun). needs:
    a plugin file the case uses; a case whose file is not built is skipped."""

    def __init__(self, name, args, status, want=(), never=(), needs=True, route=False,
                 check=None, jobfile=None):
        self.name, self.args, self.status = name, args, status
        self.jobfile = jobfile  # text of a job file given after args, or None
        self.want, self.never, self.needs = want, never, needs
        self.route = route   # uri_only in the plugin search path
        self.check = check   # check(run, tmp) on the real run's result, or None


NULL_SO = engine_so("null")
NBD_SO = engine_so("nbd")

CASES = [
    # ---- an engine the job names is never replaced ----
    Case("external engine that accepts no paths, given a path",
         ["--name=t", "--ioengine=external:" + URI_ONLY, "--filename={tmp}/f", "--size=8m"],
         1, want=["engine uri_only", "does not accept target {tmp}/f", "drop ioengine="]),
    Case("external nbd engine given a path",
         ["--name=t", "--ioengine=external:%s" % NBD_SO, "--filename={tmp}/f", "--size=8m"],
         1, want=["engine nbd", "does not accept target {tmp}/f", "drop ioengine="],
         needs=NBD_SO),
    Case("path engine given an nbd:// target",
         ["--name=t", "--ioengine=psync", "--filename=nbd://127.0.0.1:1/x", "--size=1m"],
         1, want=["engine psync", "does not accept target nbd://127.0.0.1:1/x"],
         never=["cannot connect", "cannot open it"]),
    Case("path engine given a URI target another engine claims",
         ["--name=t", "--ioengine=psync", "--filename=tiotest://x", "--size=64k"],
         1, want=["engine psync (ioengine=psync) does not accept target tiotest://x",
                  "drop ioengine="], route=True),
    Case("[global] ioengine= names the engine as well",
         ["--ioengine=sync", "--name=t", "--filename=tiotest://x", "--size=64k"],
         1, want=["engine sync", "does not accept target tiotest://x"], route=True),
    Case("a job file's [global] ioengine= names the engine",
         [], 1, want=["job a: engine psync", "does not accept target tiotest://x"], route=True,
         jobfile="[global]\nioengine=psync\nsize=64k\n[a]\nfilename=tiotest://x\n"),
    Case("no ioengine=: the target is routed to the engine that claims it",
         ["--name=t", "--filename=tiotest://x", "--size=64k", "--output-format=json"],
         0, route=True, check=lambda r, tmp: check_bytes(r, 65536, None)),
    Case("external engine that accepts paths runs, and the report names it",
         ["--name=t", "--ioengine=external:%s" % NULL_SO, "--filename={tmp}/f", "--size=64k",
          "--output-format=json"],
         0, needs=NULL_SO,
         check=lambda r, tmp: check_bytes(r, 65536, "external:%s" % NULL_SO)
         or (os.path.exists(os.path.join(tmp, "f")) and "the null engine created the file")),

    # ---- --parse-only refuses what the run refuses ----
    Case("unknown option",
         ["--name=t", "--foo_bar=1", "--filename={tmp}/f", "--size=1m"],
         1, want=["unknown option 'foo_bar'", "ioengine 'psync' has no such option"]),
    Case("unknown option of a routed job names the engine it routed to",
         ["--name=t", "--foo_bar=1", "--filename=tiotest://x", "--size=64k"],
         1, want=["unknown option 'foo_bar'", "ioengine 'uri_only'"], route=True),
    Case("an option of fio's tiobench profile is ignored, as fio ignores it, and said so",
         ["--name=t", "--threads=1", "--filename={tmp}/f", "--size=1m", "--numjobs=2"],
         0, want=["threads=1: ignored: an option of fio's tiobench profile",
                  "ignores unless profile=tiobench", "did you mean 'thread'?"],
         check=lambda r, tmp: r.stderr.count("ignored: an option of fio's") != 1
         and "the note is not said exactly once for the two clones"),
    Case("engine option the named engine does not have",
         ["--name=t", "--ioengine=null", "--hipri=1", "--filename={tmp}/f", "--size=1m"],
         1, want=["unknown option 'hipri'", "ioengine 'null'"]),
    Case("no such engine",
         ["--name=t", "--ioengine=nosuch", "--filename={tmp}/f", "--size=1m"],
         1, want=["ioengine=nosuch: no such engine"]),
    Case("external engine file that does not exist",
         ["--name=t", "--ioengine=external:{tmp}/none.so", "--filename={tmp}/f", "--size=1m"],
         1, want=["ioengine=external:{tmp}/none.so"]),
    Case("verify=pattern without verify_pattern",
         ["--name=t", "--verify=pattern", "--filename={tmp}/f", "--size=1m"],
         1, want=["verify=pattern checks blocks against verify_pattern"]),
    Case("a bad value",
         ["--name=t", "--bs=abc", "--filename={tmp}/f", "--size=1m"],
         1, want=["bs=abc"]),
    Case("the second job is bad: nothing runs",
         ["--name=a", "--filename={tmp}/a", "--size=64k", "--name=b", "--verify=pattern",
          "--filename={tmp}/b", "--size=64k"],
         1, want=["job b: verify=pattern"]),
    Case("a good psync job",
         ["--name=t", "--filename={tmp}/f", "--size=64k", "--output-format=json"],
         0, check=lambda r, tmp: check_bytes(r, 65536, None)),
    Case("a good null job",
         ["--name=t", "--ioengine=null", "--size=64k"], 0),
]


def check_bytes(run, want_bytes, want_engine):
    """None, or what is wrong with the JSON report of job t."""
    try:
        doc = json.loads(run.stdout[run.stdout.index("{"):])
    except ValueError as e:
        return "the JSON report does not parse: %s" % e
    job = doc["jobs"][0]
    got = job["read"]["io_bytes"]
    if got != want_bytes:
        return "read %d bytes, want %d" % (got, want_bytes)
    engine = job["job options"].get("ioengine")
    if engine != want_engine:
        return "job options name ioengine %r, want %r" % (engine, want_engine)
    return None


def listing(folder):
    out = {}
    for root, _, files in os.walk(folder):
        for f in files:
            p = os.path.join(root, f)
            st = os.stat(p)
            out[p] = (st.st_size, st.st_mtime_ns)
    return out


def run(args, env):
    return run_tio(TIO, *args, env=env, timeout=60, sanitizer_fails=False)


def setup_reason(tap, top):
    """An engine's setup() refusal is reported with the reason it gave."""
    tmp = os.path.join(top, "setup-fail")
    os.mkdir(tmp)
    p = run(["--name=t", "--ioengine=external:" + SETUP_FAIL, "--filename=%s/f" % tmp,
             "--size=64k", "--output-format=json"], dict(os.environ))
    want = "job t: engine setup_fail: setup failed: setup_fail refuses every job (job t, 1 files)"
    rep = sanitizer_report(p.stderr)
    tap.ok(p.returncode == 1 and want in p.stderr and not rep,
           "an engine's setup() refusal is reported with the reason it gave through fail()",
           "exit %d, want 1; want %r in:\n%s" % (p.returncode, want, p.stderr))


def main():
    tap = Tap()
    top = tempfile.mkdtemp(prefix="tenon-engine-choice.")
    try:
        plugins = os.path.join(top, "plugins")
        os.mkdir(plugins, 0o755)
        shutil.copy(URI_ONLY, os.path.join(plugins, "uri_only.so"))
        os.chmod(os.path.join(plugins, "uri_only.so"), 0o755)
        for i, c in enumerate(CASES):
            if not c.needs:
                tap.n += 1
                print("ok %d - %s # SKIP the engine is not built as a plugin file" % (
                    tap.n, c.name))
                continue
            tmp = os.path.join(top, "case%d" % i)
            os.mkdir(tmp)
            env = dict(os.environ)
            if c.route:
                env["TENON_PLUGIN_PATH"] = plugins
            args = [a.replace("{tmp}", tmp) for a in c.args]
            if c.jobfile:
                jobs = os.path.join(top, "case%d.fio" % i)
                with open(jobs, "w") as f:
                    f.write(c.jobfile)
                args.append(jobs)
            want = [w.replace("{tmp}", tmp) for w in c.want]

            before = listing(tmp)
            po = run(args + ["--parse-only"], env)
            after = listing(tmp)
            real = run(args, env)
            bad = []
            for label, p in (("--parse-only", po), ("run", real)):
                rep = sanitizer_report(p.stderr)
                if rep:
                    bad.append("%s: sanitizer report:\n%s" % (label, rep))
                if p.returncode != c.status:
                    bad.append("%s: exit %d, want %d" % (label, p.returncode, c.status))
                for w in want:
                    if w not in p.stderr:
                        bad.append("%s: the error lacks %r" % (label, w))
                for n in c.never:
                    if n in p.stderr:
                        bad.append("%s: the error holds %r" % (label, n))
            if before != after:
                bad.append("--parse-only changed files: %s -> %s" % (before, after))
            if c.status != 0 and listing(tmp) != before:
                bad.append("the refused run touched files: %s" % listing(tmp))
            if c.status != 0 and po.stderr != real.stderr:
                bad.append("--parse-only and the run print different errors")
            if c.status == 0 and "[job 0]" not in po.stdout:
                bad.append("--parse-only printed no dump")
            if c.check and real.returncode == 0:
                wrong = c.check(real, tmp)
                if wrong:
                    bad.append("run: %s" % wrong)
            detail = "\n".join(bad) + "\n--- parse-only stderr:\n%s--- run stderr:\n%s" % (
                po.stderr, real.stderr)
            tap.ok(not bad, c.name, detail)
        setup_reason(tap, top)
    finally:
        shutil.rmtree(top, ignore_errors=True)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
