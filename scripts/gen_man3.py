#!/usr/bin/env python3
"""One man page per public function of libtenon, from the header comments.

The public headers (include/tenon/*.h) document each function in the plain
C comment right above its declaration. Declarations that follow one comment
without a blank line share it (tenon_options_new and tenon_options_free), and
share their page's synopsis, as malloc(3) and free(3) do. A function with no
comment of its own is documented by the comment that names it with
parentheses ("Hosts call tenon_registry_create()").

usage:
  gen_man3.py --list HEADER...                  page names, one a line
  gen_man3.py --outdir DIR [--version V] HEADER...   writes DIR/NAME.3
  gen_man3.py --check SYMBOLS [--pages DIR] HEADER...
        every name in SYMBOLS (tests/abi/symbols.txt) is a documented public
        function, and with --pages has its page in DIR; exits 1 otherwise
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

NAME_RE = re.compile(r"\b(tenon_\w+)\s*\(")


class Group:
    """Declarations documented by one comment."""

    def __init__(self, header, comment):
        self.header = header
        self.comment = comment
        self.functions = []  # (name, prototype)


def comment_text(lines):
    text = []
    for line in lines:
        line = line.strip()
        line = re.sub(r"^/\*+", "", line)
        line = re.sub(r"\*+/$", "", line)
        line = re.sub(r"^\*(?!/)", "", line)
        text.append(line.strip())
    return "\n".join(text).strip()


def parse(path):
    """The header's groups, in file order."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    header = "tenon/" + os.path.basename(path)
    groups = []
    current = None  # the group the next declaration joins
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("/*"):
            block = [line]
            while "*/" not in block[-1] and i + 1 < len(lines):
                i += 1
                block.append(lines[i])
            # A comment on the line of code it follows (a field's) documents
            # no function.
            if not line.startswith((" ", "\t")):
                current = Group(header, comment_text(block))
            i += 1
            continue
        if not stripped or stripped.startswith("}") or stripped.startswith("#"):
            current = None
            i += 1
            continue
        if stripped.startswith("TENON_API") or stripped.startswith("static inline"):
            decl = [stripped]
            end = ";" if stripped.startswith("TENON_API") else "{"
            while end not in decl[-1] and i + 1 < len(lines):
                i += 1
                decl.append(lines[i].strip())
            text = " ".join(decl)
            text = text.split(end)[0].strip() + ";"
            text = re.sub(r"^TENON_API\s+", "", text)
            text = re.sub(r"^static inline\s+", "", text)
            # Deprecation is said in the comment; the synopsis shows the call.
            text = re.sub(r'\s*TENON_DEPRECATED\("[^"]*"\)\s*', " ", text).strip()
            text = re.sub(r"\s+;$", ";", text)
            text = re.sub(r"\s+", " ", text).replace("( ", "(").replace(" )", ")")
            m = NAME_RE.search(text)
            if m:
                if current is None:
                    current = Group(header, "")
                    groups.append(current)
                elif current not in groups:
                    groups.append(current)
                current.functions.append((m.group(1), text))
            if end == "{":  # skip the inline body
                depth = text.count("{") + lines[i].count("{") - lines[i].count("}")
                while depth > 0 and i + 1 < len(lines):
                    i += 1
                    depth += lines[i].count("{") - lines[i].count("}")
                current = None
            i += 1
            continue
        i += 1
    return groups


def all_groups(headers):
    groups = []
    for h in sorted(headers):
        groups.extend(parse(h))
    # A function with no comment of its own joins the group whose comment
    # names it.
    for g in [g for g in groups if not g.comment]:
        for name, proto in list(g.functions):
            home = next((o for o in groups if o.comment and re.search(
                r"\b" + re.escape(name) + r"\(\)", o.comment)), None)
            if home:
                home.functions.append((name, proto))
                g.functions.remove((name, proto))
    return [g for g in groups if g.functions]


def roff(text):
    out = []
    for line in text.split("\n"):
        line = line.replace("\\", "\\e")
        if line.startswith((".", "'")):
            line = "\\&" + line
        out.append(line)
    return "\n".join(out)


def summary(comment):
    # The first sentence: a period before a capital, not one of "e.g. X".
    text = comment.replace("\n", " ")
    first = re.split(r"(?<!e\.g)(?<!i\.e)\.\s+(?=[A-Z])", text, maxsplit=1)[0]
    return first.rstrip(".")


def page(group, name, version, siblings):
    names = [n for n, _ in group.functions]
    title = name.upper()
    out = [f'.TH {title} 3 "" "tenon {version}" "tenon library functions"',
           ".SH NAME",
           roff(", ".join(names)) + " \\- " + roff(summary(group.comment)),
           ".SH SYNOPSIS",
           ".nf",
           f".B #include <{group.header}>",
           ".PP"]
    for _, proto in group.functions:
        out.append(".B " + roff(proto).replace('"', '\\(dq'))
    out += [".fi", ".SH DESCRIPTION"]
    paragraphs = [p.replace("\n", " ") for p in re.split(r"\n\s*\n", group.comment)]
    for k, p in enumerate(paragraphs):
        if k:
            out.append(".PP")
        out.append(roff(p))
    out += [".PP",
            f"Declared in <{group.header}>; the header's comments are the reference this page "
            "is generated from.",
            ".SH SEE ALSO"]
    others = [s for s in siblings if s not in names][:12]
    refs = [".BR tenon (3)"] + [f".BR {roff(s)} (3)" for s in others]
    out.append(",\n".join(refs))
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--outdir")
    ap.add_argument("--version", default="")
    ap.add_argument("--check")
    ap.add_argument("--pages")
    ap.add_argument("headers", nargs="+")
    a = ap.parse_args()
    groups = all_groups(a.headers)
    functions = {n: g for g in groups for n, _ in g.functions}
    if a.list:
        print("\n".join(sorted(functions)))
        return 0
    if a.outdir:
        os.makedirs(a.outdir, exist_ok=True)
        for g in groups:
            siblings = [n for o in groups if o.header == g.header for n, _ in o.functions]
            for name, _ in g.functions:
                with open(os.path.join(a.outdir, name + ".3"), "w", encoding="utf-8") as f:
                    f.write(page(g, name, a.version, siblings))
        return 0
    if a.check:
        with open(a.check, encoding="utf-8") as f:
            symbols = [s.strip() for s in f if s.strip()]
        problems = []
        for s in symbols:
            g = functions.get(s)
            if not g:
                problems.append(f"{s}: exported, but no public header declares it")
            elif not g.comment:
                problems.append(f"{s}: declared in {g.header} without a comment above it")
            elif a.pages and not os.path.isfile(os.path.join(a.pages, s + ".3")):
                problems.append(f"{s}: no man page {s}.3 in {a.pages}")
        groff = shutil.which("groff")
        if a.pages and groff:
            # Pages that groff warns about render badly somewhere.
            for name in sorted(functions):
                path = os.path.join(a.pages, name + ".3")
                if os.path.isfile(path):
                    p = subprocess.run([groff, "-man", "-ww", "-z", path],
                                       stderr=subprocess.PIPE, text=True)
                    if p.returncode or p.stderr.strip():
                        problems.append(f"{name}.3: groff warns: {p.stderr.strip()}")
        for n, g in sorted(functions.items()):
            if not g.comment:
                problems.append(f"{n}: declared in {g.header} without a comment above it")
        for p in sorted(set(problems)):
            print("FAIL: " + p)
        if problems:
            print("Document each function in the comment right above its declaration.")
            return 1
        print(f"{len(symbols)} exported functions, {len(functions)} public functions, "
              "each with its man page")
        return 0
    ap.error("give --list, --outdir or --check")
    return 2


if __name__ == "__main__":
    sys.exit(main())
