#!/usr/bin/env python3
"""TENON_PLUGIN() refuses, at compile time, a descriptor string that does
not fit its field with its terminating NUL. C accepts a literal exactly as
long as its array and drops the NUL; the host would then refuse the plugin
at run time with a message about a damaged descriptor. Each compiler found
(the build's, gcc, clang) compiles a plugin whose description or option
help is one byte short of, exactly at, and one byte past the capacity.
TAP output.

usage: descriptor_fit_test.py SOURCE_INCLUDE BUILD_INCLUDE COMPILER...
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import Tap  # noqa: E402

DESCRIPTION_MAX = 192
HELP_MAX = 128

SOURCE = """#include <tenon/plugin.h>
TENON_PLUGIN(fit,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "%s",
        .license = "MIT",
        .options = {{"depth", TENON_OPT_INT, .def = "4", .help = "%s", .min = 1, .max = 64}},
    ),
    TENON_CODE(.init = 0));
"""


def compile_plugin(compiler, includes, tmp, description, help_text, werror):
    path = os.path.join(tmp, "fit.c")
    with open(path, "w") as f:
        f.write(SOURCE % (description, help_text))
    args = [*compiler, "-std=c17", "-Wall", "-Wextra", *(["-Werror"] if werror else []),
            *[f"-I{i}" for i in includes], "-c", path, "-o", os.devnull]
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    return p.returncode, p.stdout


def main():
    tap = Tap()
    includes = sys.argv[1:3]
    compilers = [sys.argv[3:]]
    for name in ("gcc", "clang"):
        found = shutil.which(name)
        if found and [found] != compilers[0] and [name] != compilers[0]:
            compilers.append([found])
    tmp = tempfile.mkdtemp(prefix="tenon-fit.")
    try:
        for cc in compilers:
            label = os.path.basename(cc[0])
            short_d, short_h = "d" * (DESCRIPTION_MAX - 1), "h" * (HELP_MAX - 1)
            rc, out = compile_plugin(cc, includes, tmp, short_d, short_h, True)
            tap.ok(rc == 0, f"{label}: strings that fit with their NUL compile cleanly", out)
            for field, d, h in (("description", "d" * DESCRIPTION_MAX, short_h),
                                ("option help", short_d, "h" * HELP_MAX)):
                rc, out = compile_plugin(cc, includes, tmp, d, h, False)
                tap.ok(rc != 0 and "too long" in out,
                       f"{label}: the {field} exactly as long as its field (no room for the NUL) "
                       "does not compile, even without -Werror", out)
                rc, out = compile_plugin(cc, includes, tmp, d + "x", h + ("x" if h != short_h
                                                                          else ""), True)
                tap.ok(rc != 0 and "too long" in out,
                       f"{label}: the {field} longer than its field does not compile", out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
