#!/usr/bin/env python3
"""Compiles every ```c block of README.md and docs/*.md, so no example in the
docs can rot. A block that defines a function or a plugin is a whole file;
any other block is a piece of a function: its #include lines are kept at the
top and the rest is compiled inside a function, after <tenon/tenon.h>.
A ```cpp block is a whole C++20 file, compiled with -pedantic.

usage: compile_docs.py SOURCE_ROOT BUILD_ROOT [CC]
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

WRAP_HEAD = "#include <stdio.h>\n#include <tenon/tenon.h>\nint main(void)\n{\n"
WRAP_TAIL = "\n    return 0;\n}\n"


def blocks(path):
    text = open(path, encoding="utf-8").read()
    for m in re.finditer(r"^```(c|cpp)\n(.*?)^```", text, re.S | re.M):
        line = text[:m.start()].count("\n") + 2
        yield line, m.group(1), m.group(2)


def main():
    src, build = sys.argv[1], sys.argv[2]
    cc = sys.argv[3] if len(sys.argv) > 3 else os.environ.get("CC", "cc")
    cxx = os.environ.get("CXX") or shutil.which("c++") or shutil.which("g++")
    docs = [os.path.join(src, "README.md")] + sorted(glob.glob(os.path.join(src, "docs", "*.md")))
    flags = ["-std=c17", "-Wall", "-Wextra", "-Werror", "-Wno-unused-function",
             "-Wno-unused-variable", "-Wno-unused-parameter", "-fsyntax-only",
             "-I", os.path.join(src, "include"), "-I", os.path.join(build, "include"),
             "-I", os.path.join(src, "io", "job"), "-I", os.path.join(src, "io", "stats")]
    failures = count = 0
    with tempfile.TemporaryDirectory(prefix="tenon-docs.") as tmp:
        for doc in docs:
            for line, lang, code in blocks(doc):
                count += 1
                where = f"{os.path.relpath(doc, src)}:{line}"
                if lang == "cpp":
                    if not cxx:
                        print(f"skip {where}: no C++ compiler")
                        continue
                    path = os.path.join(tmp, f"block{count}.cpp")
                    with open(path, "w") as f:
                        f.write(code)
                    cmd = [cxx, "-std=c++20", "-pedantic"] + flags[1:] + [path]
                    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                       text=True)
                    if p.returncode != 0:
                        failures += 1
                        print(f"FAIL {where}\n{p.stdout}")
                    else:
                        print(f"ok   {where}")
                    continue
                whole = re.search(r"^\{", code, re.M) or "TENON_PLUGIN(" in code
                if whole:
                    body = code
                else:
                    lines = code.splitlines(keepends=True)
                    includes = "".join(l for l in lines if l.startswith("#include"))
                    rest = "".join(l for l in lines if not l.startswith("#include"))
                    body = includes + WRAP_HEAD + rest + WRAP_TAIL
                path = os.path.join(tmp, f"block{count}.c")
                with open(path, "w") as f:
                    f.write(body)
                p = subprocess.run([cc] + flags + [path], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
                if p.returncode != 0:
                    failures += 1
                    print(f"FAIL {where}\n{p.stdout}")
                else:
                    print(f"ok   {where}")
    print(f"{count} examples, {failures} failed")
    return 1 if failures or count == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
