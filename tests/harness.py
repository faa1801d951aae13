"""What the Python integration tests share: TAP output, the exceptions a
check raises, and the detection of sanitizer reports (a sanitizer build
exits like a failed job, so the output is what tells them apart), and a
tenon-io run's result."""

import json

SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                   "WARNING: ThreadSanitizer")


class Fail(Exception):
    pass


class Skip(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)


def sanitizer_report(text):
    """The sanitizer report in a program's output, or None."""
    for mark in SANITIZER_MARKS:
        if mark in text:
            return text
    return None


def sanitizer_check(err, cmd):
    if sanitizer_report(err):
        raise Fail("sanitizer report from %s:\n%s" % (" ".join(cmd), err))


class TioRun:
    """One finished tenon-io run: its exit status, output, how long it took
    (None when not measured), and the JSON report in its output."""

    def __init__(self, rc, out, err, secs=None):
        self.rc, self.out, self.err, self.secs = rc, out, err, secs

    def json(self):
        try:
            return json.loads(self.out[self.out.index("{"):])
        except ValueError as e:
            raise Fail("the JSON report does not parse (%s):\n%s\n%s" % (
                e, self.out[:2000], self.err[:2000]))

    def jobs(self):
        return self.json()["jobs"]

    def job(self, name="j"):
        for j in self.jobs():
            if j["jobname"] == name:
                return j
        raise Fail("no job %s in the JSON report:\n%s" % (name, self.out[:2000]))

    def describe(self):
        took = "" if self.secs is None else " after %.1fs" % self.secs
        return "exit %s%s\n--- stderr:\n%s\n--- stdout:\n%s" % (
            self.rc, took, self.err.strip()[:3000], self.out.strip()[:3000])


class Tap:
    """Numbered TAP results; a failed one prints its detail as comments."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, what, detail=""):
        self.n += 1
        print(f"{'ok' if cond else 'not ok'} {self.n} - {what}")
        if not cond:
            self.failed += 1
            for line in str(detail).splitlines()[:40]:
                print(f"#   {line}")

    def done(self):
        print(f"1..{self.n}")
        return 1 if self.failed else 0


def run_cases(cases, tmp_prefix, use_tmp):
    """Runs each case (a function whose docstring names it) in a fresh
    temporary folder handed to use_tmp, as TAP: Skip and Fail are reported
    with their text, anything else with its traceback. Returns the exit
    status."""
    import shutil
    import sys
    import tempfile
    import traceback

    print("1..%d" % len(cases))
    failed = 0
    for i, c in enumerate(cases, 1):
        # a TAP result is one line: a docstring's lines are joined
        what = " ".join((c.__doc__ or c.__name__).split())
        tmp = tempfile.mkdtemp(prefix=tmp_prefix)
        use_tmp(tmp)
        try:
            c()
            print("ok %d - %s" % (i, what))
        except Skip as e:
            print("ok %d - %s # SKIP %s" % (i, what, " ".join(str(e).split())))
        except Exception as e:
            failed += 1
            print("not ok %d - %s" % (i, what))
            text = str(e) if isinstance(e, Fail) else traceback.format_exc()
            for line in text.splitlines():
                print("#   " + line)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        sys.stdout.flush()
    return 1 if failed else 0


def run_tio(tio, *args, timeout=120, hang_fails=False, sanitizer_fails=True, **kw):
    """Runs tenon-io (the path tio) with --eta=never and args, its output
    captured as text. A sanitizer report fails the case (unless not
    sanitizer_fails: the caller looks for it); so does a run past timeout
    seconds when hang_fails (else TimeoutExpired is raised). Further
    keywords go to subprocess.run (cwd, stdin, errors, env)."""
    import subprocess

    cmd = [tio, "--eta=never", *args]
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           timeout=timeout, **kw)
    except subprocess.TimeoutExpired as e:
        if not hang_fails:
            raise
        err = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else e.stderr
        raise Fail("hung: %s did not end within %d s\n%s" % (" ".join(cmd), timeout,
                                                            err or ""))
    if sanitizer_fails:
        sanitizer_check(p.stderr, cmd)
    return p


def script_main(cases, tmp_prefix, scope):
    """The main() of a script of cases, as TAP: tenon-io is argv[1], set
    as TIO in scope (the script's globals()); the cases run are those
    argv[2:] names (without "case_"), or all; each case's temporary folder
    is TMP in scope while it runs. cases None: the script's functions named
    case_*, in the order they are defined. Returns the exit status."""
    import os
    import sys

    if cases is None:
        cases = [v for k, v in scope.items() if k.startswith("case_") and callable(v)]
    scope["TIO"] = os.path.abspath(sys.argv[1])
    only = sys.argv[2:]
    cases = [c for c in cases if not only or c.__name__[5:] in only]
    return run_cases(cases, tmp_prefix, lambda path: scope.__setitem__("TMP", path))
