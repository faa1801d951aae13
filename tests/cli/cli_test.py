#!/usr/bin/env python3
"""The tenon command-line tool end to end: every command's --help, list
(statuses: ok, broken with the reason, shadowed, incompatible), info (name,
file, --json, --check), check (a crash and a hang in init are caught in
child processes and named, the other plugins still checked, exit 1), graph
(load order, dot, a cycle), exit codes. TAP output.

usage: cli_test.py TENON FIXTURE_DIR EXAMPLE_PLUGIN_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import Tap, sanitizer_report  # noqa: E402

tap = Tap()
ok = tap.ok
tenon, fixtures, examples = sys.argv[1:4]
CACHE_HOME = tempfile.mkdtemp(prefix="tenon-cli-cache.")


def run(*args, timeout=60):
    env = dict(os.environ)
    env.pop("TENON_PLUGIN_PATH", None)
    env["XDG_CACHE_HOME"] = CACHE_HOME  # never the user's cache
    p = subprocess.run([tenon, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=timeout, env=env)
    report = sanitizer_report(p.stderr)
    ok(report is None, f"no sanitizer report from tenon {' '.join(args[:2])}", report)
    return p.returncode, p.stdout, p.stderr


def folder(tmp, name, plugins):
    d = os.path.join(tmp, name)
    os.makedirs(d, exist_ok=True)
    for p in plugins:
        shutil.copy(os.path.join(fixtures, p + ".so"), d)
    return d


def main():
    tmp = tempfile.mkdtemp(prefix="tenon-cli.")
    try:
        iso = ["--no-env", "--no-default"]
        # --help, --version, usage errors
        rc, out, _ = run("--version")
        ok(rc == 0 and "plugin ABI" in out, "tenon --version", out)
        for cmd in ("list", "info", "check", "graph", "new", "cache", "keygen", "sign", "verify"):
            rc, out, err = run(cmd, "--help")
            ok(rc == 0 and "usage: tenon" in out, f"tenon {cmd} --help", out + err)
        rc, _, err = run("frobnicate")
        ok(rc == 2 and "unknown command" in err, "unknown command: exit 2", err)
        rc, _, err = run("list", "--bogus")
        ok(rc == 2, "unknown option: exit 2", err)

        # list: ok, broken with the reason, incompatible, shadowed
        good = folder(tmp, "good", ["chain_a", "chain_b", "chain_c", "bad_magic",
                                    "bad_abimajor"])
        rc, out, err = run("list", "--path", good, *iso)
        ok(rc == 0 and "chain_a" in out and "ok" in out, "list shows the plugins", out + err)
        ok("broken: descriptor magic" in out, "list says why a plugin is broken", out)
        ok("incompatible:" in out and "ABI 99" in out, "list says why a plugin is incompatible",
           out)
        first = folder(tmp, "first", ["shadow_v1"])
        second = folder(tmp, "second", ["shadow_v2"])
        rc, out, err = run("list", "--path", first, "--path", second, *iso)
        ok(f"shadowed by {first}/shadow_v1.so" in out, "list names the shadowing file", out)
        rc, out, err = run("list", "--path", good, "--json", *iso)
        try:
            doc = json.loads(out)
            names = {p["name"]: p for p in doc["plugins"]}
            ok(names["chain_a"]["status"] == "ok" and names["chain_a"]["requires"][0]["name"]
               == "chain_b" and names["bad_magic"]["error"]["code"] == "TENON_EBADMAGIC",
               "list --json", out[:2000])
        except (ValueError, KeyError) as e:
            ok(False, "list --json", f"{e}\n{out[:2000]}")

        # info by name and by file
        rc, out, err = run("info", "chain_a", "--path", good, *iso)
        ok(rc == 0 and "version:      1.0.0" in out and "chain_b >=1.2 <2" in out
           and "load order: chain_c chain_b chain_a" in out, "info NAME", out + err)
        rc, out, err = run("info", os.path.join(good, "bad_magic.so"), *iso)
        ok(rc == 1 and "magic" in out, "info FILE of a broken plugin: exit 1 and why", out + err)
        rc, out, err = run("info", "nosuch", "--path", good, *iso)
        ok(rc == 1 and "no plugin named nosuch" in err, "info of an unknown name: exit 1", err)
        rc, out, err = run("info", "chain_b", "--path", good, "--json", "--check", *iso)
        try:
            doc = json.loads(out)
            ok(rc == 0 and doc["checks"]["load_init_fini"] is True, "info --json --check", out)
        except ValueError as e:
            ok(False, "info --json --check", f"{e}\n{out}")

        # check: crash and hang caught in children, the others still checked
        mixed = folder(tmp, "mixed", ["chain_c", "bad_initcrash", "bad_inithang",
                                      "bad_initfail", "bad_undefined"])
        start = time.monotonic()
        rc, out, err = run("check", "--timeout", "800", mixed, *iso, timeout=60)
        took = time.monotonic() - start
        ok(rc == 1, "check: exit 1 when a plugin fails", out + err)
        ok("ok      chain_c" in out, "check: a good plugin in the same folder passes", out)
        ok("signal 11 (SIGSEGV" in out and "during init of bad_initcrash" in out,
           "check: a crash in init is named with the signal and stage", out)
        ok("did not finish within 800 ms" in out and "init of bad_inithang" in out,
           "check: a hang in init is named with the timeout and stage", out)
        ok("refuses to start: no frobnicator" in out, "check: an init failure gives its reason",
           out)
        ok("undefined symbol" in out, "check: an unresolved symbol is named", out)
        ok("5 checked, 4 failed" in out and took < 30, f"check: bounded time ({took:.1f}s)", out)
        rc, out, err = run("check", os.path.join(examples, "bonjour.so"), *iso)
        ok(rc == 0 and "1 checked, 0 failed" in out, "check FILE of a good plugin: exit 0",
           out + err)
        rc, out, err = run("check", "--json", "--timeout", "800", mixed, *iso, timeout=60)
        try:
            doc = json.loads(out)
            ok(doc["failed"] == 4 and doc["checked"] == 5, "check --json", out[:1500])
        except ValueError as e:
            ok(False, "check --json", f"{e}\n{out}")

        # graph
        rc, out, err = run("graph", "--path", good, *iso)
        order = [l.split(". ")[1].split()[0] for l in out.splitlines() if ". " in l]
        ok(rc == 0 and order.index("chain_c") < order.index("chain_b") < order.index("chain_a"),
           "graph: dependencies load first", out)
        rc, out, err = run("graph", "--dot", "--path", good, *iso)
        ok(rc == 0 and out.startswith("digraph tenon") and '"chain_a" -> "chain_b"' in out,
           "graph --dot", out)
        dot = shutil.which("dot")
        if dot:
            p = subprocess.run([dot, "-Tsvg"], input=out, stdout=subprocess.PIPE, text=True)
            ok(p.returncode == 0 and "<svg" in p.stdout, "graph --dot renders with Graphviz")
        cyc = folder(tmp, "cycle", ["cyc_a", "cyc_b", "cyc_c"])
        rc, out, err = run("graph", "--path", cyc, *iso)
        ok(rc == 1 and "cyc_a -> cyc_b -> cyc_c -> cyc_a" in out.replace("dependency cycle: ", ""),
           "graph names a cycle and exits 1", out + err)
        untrusted_text(tmp, iso)
        dependency_messages(tmp, iso)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(CACHE_HOME, ignore_errors=True)
    return tap.done()


def patched(tmp, name, old, new):
    """A copy of fixture `name` in its own folder with descriptor bytes
    replaced (same length), as a plugin built by another tool could carry."""
    assert len(old) == len(new)
    d = os.path.join(tmp, "patched-" + str(len(os.listdir(tmp))))
    os.makedirs(d)
    with open(os.path.join(fixtures, name + ".so"), "rb") as f:
        data = f.read()
    assert data.count(old) == 1
    path = os.path.join(d, name + ".so")
    with open(path, "wb") as f:
        f.write(data.replace(old, new))
    os.chmod(path, 0o755)
    return d


def untrusted_text(tmp, iso):
    """Untrusted strings never reach the terminal raw and never vanish from
    JSON."""
    # A configuration value with a newline cannot forge a listing row.
    cfg = os.path.join(tmp, "forge.json")
    forged = "\n1   load      chain_a   9.9.9 forged\x1b[31m\x7f\u009b"
    with open(cfg, "w") as f:
        json.dump({"plugins": [{"module": "chain_c", "config": {"x" + forged: "1"}}]}, f)
    os.chmod(cfg, 0o644)
    rc, out, err = run("list", "--config", cfg, "--path", folder(tmp, "good", []), *iso)
    ok(not any(l.startswith("1   load      chain_a") for l in (out + err).splitlines())
       and "x\\x0a1   load      chain_a   9.9.9 forged\\x1b[31m\\x7f\\u009b" in out + err
       and "\x1b" not in out + err and "\x7f" not in out + err and "\u009b" not in out + err,
       "list --config: a newline, ESC, DEL and CSI in a configuration string are escaped",
       out + err)
    # The C1 control U+009B (a CSI on many terminals) is escaped.
    c1 = patched(tmp, "chain_c", b"dependency fixture", b"dependency\xc2\x9bfixtur")
    rc, out, err = run("info", os.path.join(c1, "chain_c.so"), *iso)
    ok("description:  dependency\\u009bfixtur\n" in out and "\u009b" not in out,
       "info: a C1 control in a descriptor string is printed as \\u009b", out + err)
    rc, out, err = run("list", "--path", c1, "--json", *iso)
    try:
        doc = json.loads(out)
        ok(doc["plugins"][0]["description"] == "dependency\u009bfixtur",
           "list --json: valid UTF-8 is kept as it is", out)
    except (ValueError, KeyError, IndexError) as e:
        ok(False, "list --json: valid UTF-8 is kept as it is", f"{e}\n{out}")
    # Invalid UTF-8: escaped on the terminal, visible (never dropped) in JSON.
    bad = patched(tmp, "chain_c", b"dependency fixture", b"dependency\xfffixture")
    rc, out, err = run("info", os.path.join(bad, "chain_c.so"), *iso)
    ok("description:  dependency\\xfffixture\n" in out,
       "info: an invalid UTF-8 byte is printed as \\xff", out + err)
    for cmd in (("list", "--path", bad, "--json"), ("info", os.path.join(bad, "chain_c.so"),
                                                     "--json")):
        rc, out, err = run(*cmd, *iso)
        try:
            doc = json.loads(out)
            plugin = doc["plugins"][0] if cmd[0] == "list" else doc
            ok(plugin.get("description") == "dependency\\xfffixture",
               f"{cmd[0]} --json: a string with invalid UTF-8 is kept, the byte as \\xff", out)
        except (ValueError, KeyError, IndexError) as e:
            ok(False, f"{cmd[0]} --json keeps a string with invalid UTF-8", f"{e}\n{out}")
    # A negative or huge timeout is refused, not wrapped into another number.
    for cmd in ("info", "check"):
        for value in ("-1", "5000000000", "10x"):
            rc, out, err = run(cmd, "--timeout", value, "chain_c", *iso)
            ok(rc == 2 and err == f"tenon {cmd}: --timeout '{value}' is not a number of "
               "milliseconds; give one from 1 to 3600000\n",
               f"{cmd} --timeout {value} is refused with the valid range", err)


def dependency_messages(tmp, iso):
    # A plugin whose dependency is missing is not listed as ok.
    d = folder(tmp, "nodep", ["chain_a", "chain_b"])
    rc, out, err = run("list", "--path", d, *iso)
    row = [l for l in out.splitlines() if l.startswith("chain_b ")]
    ok(row and row[0].endswith("missing-dependency: plugin chain_b requires chain_c ^2.1, "
                                "which is not installed"),
       "list: a plugin with a missing dependency shows missing-dependency and its name", out)
    rc, out, err = run("list", "--path", d, "--json", *iso)
    try:
        doc = json.loads(out)
        names = {p["name"]: p for p in doc["plugins"]}
        ok(names["chain_b"]["status"] == "missing-dependency", "list --json: missing-dependency",
           out[:2000])
    except (ValueError, KeyError) as e:
        ok(False, "list --json: missing-dependency", f"{e}\n{out[:2000]}")
    # info FILE: a dependency in the file's own folder is found and named.
    both = folder(tmp, "together", ["chain_b", "chain_c"])
    rc, out, err = run("info", os.path.join(both, "chain_b.so"), *iso)
    ok(rc == 0 and f"  dependencies      ok only with the file's folder {both}, which is not "
       f"in the search path (add --path {both}, or install the plugins together); load "
       "order: chain_c chain_b\n" in out,
       "info FILE: a dependency in the file's folder is found, and the folder named", out + err)
    ok("not installed" not in out, "info FILE: never says a present dependency is not installed",
       out)


if __name__ == "__main__":
    sys.exit(main())
