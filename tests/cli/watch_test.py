#!/usr/bin/env python3
"""tenon watch end to end: it is started on a folder, plugin files are
added, replaced (a new file renamed over the old name, as installers do)
and removed, and each change must come out as one line; then it is
interrupted and must exit 0. Both with inotify and with --poll. TAP output.

usage: watch_test.py TENON FIXTURE_DIR
"""
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from harness import Tap, sanitizer_report  # noqa: E402

tap = Tap()
ok = tap.ok
tenon, fixtures = sys.argv[1:3]
# Only a guard against a hang: a change normally shows within a second.
HANG_GUARD = 60


def install(folder, fixture, name):
    tmp = os.path.join(folder, name + ".new")
    shutil.copy(os.path.join(fixtures, fixture + ".so"), tmp)
    os.rename(tmp, os.path.join(folder, name))


class Watch:
    def __init__(self, folder, *extra):
        env = dict(os.environ)
        env.pop("TENON_PLUGIN_PATH", None)
        self.p = subprocess.Popen([tenon, "watch", "--no-env", "--no-default", "--no-cache",
                                   "--path", folder, *extra],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.buf = {self.p.stdout.fileno(): b"", self.p.stderr.fileno(): b""}

    def line(self, stream):
        """The next line of stream (stdout or stderr), or None on a hang."""
        fd = stream.fileno()
        end = time.monotonic() + HANG_GUARD
        while b"\n" not in self.buf[fd]:
            left = end - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, 4096)
            if not chunk:
                return None
            self.buf[fd] += chunk
        text, _, self.buf[fd] = self.buf[fd].partition(b"\n")
        return text.decode()

    def stop(self):
        self.p.send_signal(signal.SIGINT)
        try:
            rc = self.p.wait(timeout=HANG_GUARD)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = self.p.wait()
        err = self.buf[self.p.stderr.fileno()].decode() + self.p.stderr.read().decode()
        out = self.buf[self.p.stdout.fileno()].decode() + self.p.stdout.read().decode()
        return rc, out, err


def scenario(tmp, mode, extra):
    folder = os.path.join(tmp, mode)
    os.makedirs(folder)
    install(folder, "versioned_v1", "versioned.so")
    w = Watch(folder, *extra)
    ready = w.line(w.p.stderr)
    ok(ready is not None and "watching 1 folder" in ready, f"{mode}: says it is watching",
       ready)
    path = os.path.realpath(os.path.join(folder, "versioned.so"))
    install(folder, "versioned_v2", "versioned.so")
    got = w.line(w.p.stdout)
    ok(got == f"replaced versioned {path}", f"{mode}: a replaced file is one line", got)
    install(folder, "good_basic", "good_basic.so")
    got = w.line(w.p.stdout)
    basic = os.path.realpath(os.path.join(folder, "good_basic.so"))
    ok(got == f"added good_basic {basic}", f"{mode}: an added file is one line", got)
    os.unlink(os.path.join(folder, "versioned.so"))
    got = w.line(w.p.stdout)
    ok(got == f"removed versioned {path}", f"{mode}: a removed file is one line", got)
    rc, out, err = w.stop()
    ok(rc == 0, f"{mode}: exits 0 when interrupted", f"rc {rc}\n{err}")
    ok(out == "", f"{mode}: nothing more was printed", out)
    report = sanitizer_report(err)
    ok(report is None, f"{mode}: no sanitizer report", report)


def folder_replaced(tmp):
    """A watched folder that is removed and made again is polled from then
    on: what is installed into the new one still shows."""
    folder = os.path.join(tmp, "replaced")
    os.makedirs(folder)
    install(folder, "good_basic", "good_basic.so")
    basic = os.path.realpath(os.path.join(folder, "good_basic.so"))
    w = Watch(folder)
    ready = w.line(w.p.stderr)
    ok(ready is not None and "(inotify)" in ready, "folder replaced: watching with inotify",
       ready)
    shutil.rmtree(folder)
    got = w.line(w.p.stdout)
    ok(got == f"removed good_basic {basic}", "folder replaced: its plugin is removed", got)
    os.makedirs(folder)
    install(folder, "versioned_v1", "versioned.so")
    got = w.line(w.p.stdout)
    path = os.path.realpath(os.path.join(folder, "versioned.so"))
    ok(got == f"added versioned {path}", "folder replaced: a file in the new folder is added",
       got)
    rc, out, err = w.stop()
    ok(rc == 0, "folder replaced: exits 0 when interrupted", f"rc {rc}\n{err}")


def main():
    tmp = tempfile.mkdtemp(prefix="tenon-watch.")
    try:
        p = subprocess.run([tenon, "watch", "--help"], stdout=subprocess.PIPE, text=True)
        ok(p.returncode == 0 and "usage: tenon watch" in p.stdout, "tenon watch --help",
           p.stdout)
        p = subprocess.run([tenon, "watch", "--poll", "0"], stderr=subprocess.PIPE, text=True)
        ok(p.returncode == 2 and "--poll takes milliseconds" in p.stderr,
           "tenon watch --poll 0: usage error", p.stderr)
        scenario(tmp, "inotify", [])
        scenario(tmp, "poll", ["--poll", "50"])
        folder_replaced(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
