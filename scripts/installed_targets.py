#!/usr/bin/env python3
"""The ninja targets `meson install` installs from BUILD_DIR, one a line,
so `make install` builds those (and what they need) and not every test and
fuzz program: `ninja -C BUILD $(installed_targets.py BUILD)`, then
`meson install --no-rebuild`.

usage: installed_targets.py BUILD_DIR
"""
import json
import os
import subprocess
import sys


def installed_targets(build):
    out = subprocess.run(["meson", "introspect", "--targets", build], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    names = []
    for t in json.loads(out):
        if not t.get("installed"):
            continue
        for f in t["filename"]:
            names.append(os.path.relpath(f, os.path.abspath(build)))
    return names


if __name__ == "__main__":
    print("\n".join(installed_targets(sys.argv[1])))
