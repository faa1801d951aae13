#!/usr/bin/env python3
"""`make install` builds only what `meson install` installs
(scripts/installed_targets.py): the CLI, tenon-io, the library, the engine
plugins and the man pages, and no test, fuzz or benchmark program. TAP output.

usage: install_targets_test.py INSTALLED_TARGETS_PY BUILD_DIR
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import Tap  # noqa: E402


def main():
    tap = Tap()
    script, build = sys.argv[1:3]
    p = subprocess.run([sys.executable, script, build], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    targets = p.stdout.split()
    tap.ok(p.returncode == 0 and targets, "the installed targets are listed", p.stderr)
    for want in ("tools/tenon/tenon", "io/tenon-io", "lib/libtenon.a",
                 "docs/tenon_registry_new.3"):
        tap.ok(want in targets, f"{want} is built for the install", "\n".join(targets))
    extra = [t for t in targets if t.split("/")[0] in ("tests", "fuzz", "bench")]
    tap.ok(not extra, "no test, fuzz or benchmark program is built for the install",
           "\n".join(extra))
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
