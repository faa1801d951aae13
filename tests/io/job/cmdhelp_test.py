#!/usr/bin/env python3
"""tenon-io --cmdhelp: fio-style help for the job options, made from the
option table (io/job/options/).

- --cmdhelp=OPTION (or an alias) prints fio's fields: name and help, alias,
  type, default, and what tenon-io does with it;
- --cmdhelp alone lists every job option once, under its family;
- an unknown name fails with the closest option's name, and one of fio's
  options tenon-io lacks fails saying so.

Output is TAP.

usage: cmdhelp_test.py TENON_IO
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from harness import check, run_cases, sanitizer_check  # noqa: E402

TIO = None


def run(*args):
    cmd = [TIO] + list(args)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       timeout=30)
    sanitizer_check(p.stderr, cmd)
    return p


def fields(text):
    """The "name: value" lines of one option's help, as a dict."""
    out = {}
    for line in text.splitlines():
        if ":" in line:
            k, v = line.split(":", 1)
            out.setdefault(k.strip(), v.strip())
    return out


def case_option():
    """--cmdhelp=bs prints bs's help, alias, type, default and status"""
    p = run("--cmdhelp=bs")
    check(p.returncode == 0, "exit status %d: %s" % (p.returncode, p.stderr))
    f = fields(p.stdout)
    check(re.match(r"^ {18}bs: \S", p.stdout), "fio's layout (name right-aligned to 20): %r"
          % p.stdout)
    check(f.get("alias") == "blocksize", "alias: %r" % f)
    check(f.get("default") == "4k", "default: %r" % f)
    check("type" in f and f.get("tenon-io", "").startswith("supported"), "fields: %r" % f)


def case_alias():
    """--cmdhelp=ALIAS describes the option it names"""
    a, b = run("--cmdhelp=readwrite"), run("--cmdhelp=rw")
    check(a.returncode == 0 and a.stdout == b.stdout, "readwrite: %r, rw: %r"
          % (a.stdout, b.stdout))


def case_default_is_applied():
    """the default --cmdhelp shows is the one a job gets"""
    for opt, key, want in (("iodepth", "iodepth", "1"), ("ioengine", "ioengine", "psync"),
                           ("rwmixread", "rwmixread", "50"), ("kb_base", "kb_base", "1024")):
        f = fields(run("--cmdhelp=" + opt).stdout)
        check(f.get("default") == want, "%s: default %r" % (opt, f.get("default")))
        p = run("--parse-only", "--name=j", "--filename=/dev/null", "--size=4k")
        check(p.returncode == 0, "--parse-only: %s" % p.stderr)
        check("\n%s=%s\n" % (key, want) in p.stdout, "%s=%s not in the dump" % (key, want))


def case_list():
    """--cmdhelp lists every job option once, by family"""
    p = run("--cmdhelp")
    check(p.returncode == 0, "exit status %d: %s" % (p.returncode, p.stderr))
    names = re.findall(r"^  (\S+) +: ", p.stdout, re.M)
    check(len(names) == len(set(names)), "an option listed twice")
    for n in ("bs", "verify", "unlink", "kb_base", "startdelay", "name", "iodepth"):
        check(n in names, "%s not listed: %s" % (n, names))
    check(run("--cmdhelp=all").stdout == p.stdout, "--cmdhelp=all differs from --cmdhelp")


def case_unknown_suggests():
    """an unknown option fails with the closest name"""
    p = run("--cmdhelp=bz")
    check(p.returncode == 1 and p.stdout == "", "exit status %d, stdout %r"
          % (p.returncode, p.stdout))
    check("unknown job option 'bz'" in p.stderr and "did you mean 'bs'?" in p.stderr,
          "message: %r" % p.stderr)


def case_fio_only():
    """one of fio's options tenon-io lacks fails saying so"""
    p = run("--cmdhelp=cgroup")
    check(p.returncode == 1 and "not supported by tenon-io" in p.stderr,
          "exit status %d: %r" % (p.returncode, p.stderr))


def main():
    global TIO
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    TIO = sys.argv[1]
    cases = [case_option, case_alias, case_default_is_applied, case_list,
             case_unknown_suggests, case_fio_only]
    return run_cases(cases, "tio-cmdhelp-", lambda tmp: None)


if __name__ == "__main__":
    sys.exit(main())
