#!/usr/bin/env python3
"""Compiles each public header of libtenon alone, as every C++ standard from
C++11 to C++23, with g++ and clang++ and -Wall -Wextra -Werror -pedantic
(and some stricter C++ warnings); and the C++ test plugin (which uses every
plugin macro) as C++14 to C++23, dynamic and static (-pedantic from C++20,
where designated initializers became standard).

usage: header_check.py SOURCE_ROOT BUILD_ROOT PLUGIN_SOURCE
"""
import concurrent.futures
import glob
import os
import shutil
import subprocess
import sys
import tempfile

STANDARDS = ["c++11", "c++14", "c++17", "c++20", "c++23"]
# Older compilers know C++23 by its draft name.
DRAFT = {"c++23": "c++2b", "c++20": "c++2a"}
# Flags C++ projects commonly add: the headers must not trip them either.
WARN = ["-Wall", "-Wextra", "-Werror", "-Wold-style-cast", "-Wzero-as-null-pointer-constant",
        "-Wshadow"]


def std_flag(cxx, std):
    for name in (std, DRAFT.get(std)):
        if name and subprocess.run([cxx, f"-std={name}", "-x", "c++", "-fsyntax-only", "/dev/null"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
            return f"-std={name}"
    return None


def main():
    src, build, plugin = sys.argv[1:4]
    includes = ["-I", os.path.join(src, "include"), "-I", os.path.join(build, "include")]
    headers = sorted(os.path.basename(h) for h in glob.glob(os.path.join(src, "include", "tenon", "*.h")))
    compilers = [c for c in ("g++", "clang++") if shutil.which(c)]
    missing = [c for c in ("g++", "clang++") if c not in compilers]
    for c in missing:
        print(f"FAIL {c} is not installed (scripts/deps.sh installs it)")
    jobs = []
    with tempfile.TemporaryDirectory(prefix="tenon-cxx.") as tmp:
        for header in headers:
            path = os.path.join(tmp, header.replace(".h", ".cpp"))
            with open(path, "w") as f:
                f.write(f"#include <tenon/{header}>\n")
            for cxx in compilers:
                for std in STANDARDS:
                    jobs.append((f"{cxx} {std} <tenon/{header}>", cxx, std,
                                 WARN + ["-pedantic", "-fsyntax-only"] + includes + [path]))
        for cxx in compilers:
            for std in STANDARDS[1:]:
                pedantic = ["-pedantic"] if std >= "c++20" else []
                for mode in ([], ["-DTENON_PLUGIN_STATIC"]):
                    what = f"{cxx} {std} plugin{' static' if mode else ''}"
                    jobs.append((what, cxx, std,
                                 WARN + pedantic + mode + ["-fsyntax-only"] + includes + [plugin]))

        def run(job):
            what, cxx, std, args = job
            flag = std_flag(cxx, std)
            if not flag:
                return what, None, f"{cxx} does not know {std}"
            p = subprocess.run([cxx, flag] + args, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
            return what, p.returncode == 0, p.stdout

        failures = len(missing)
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            for what, ok, out in pool.map(run, jobs):
                if ok is None:
                    print(f"skip {what}: {out}")
                elif ok:
                    print(f"ok   {what}")
                else:
                    failures += 1
                    print(f"FAIL {what}\n{out}")
    print(f"{len(jobs)} compiles, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
