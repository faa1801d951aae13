#!/usr/bin/env python3
"""Data integrity end to end: write with verify (crc32c, sha256), read back
in a later run, then corrupt one block on purpose and expect the mismatch
reported with the file, the offset and the expected and found values, and
a non-zero exit; md5 (a method with another layout) writes and checks
too. With root and a loop device, a block device is written only with
allow_mounted_write=1, and never while it holds a mounted filesystem. TAP output.

usage: verify_test.py TENON_IO
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from harness import Tap, sanitizer_report  # noqa: E402

tap = Tap()
ok = tap.ok

tio = sys.argv[1]


def run(*args):
    p = subprocess.run([tio, "--eta=never", *args], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=120)
    report = sanitizer_report(p.stderr)
    ok(report is None, "no sanitizer report from tenon-io", report)
    return p.returncode, p.stdout, p.stderr


def loop_tests(tmp):
    if os.geteuid() != 0 or not shutil.which("losetup"):
        print("# skip block-device checks: needs root and losetup")
        return
    img = os.path.join(tmp, "disk.img")
    with open(img, "wb") as f:
        f.truncate(64 << 20)
    p = subprocess.run(["losetup", "--find", "--show", img], stdout=subprocess.PIPE, text=True,
                       stderr=subprocess.PIPE)
    if p.returncode != 0:
        print(f"# skip block-device checks: no loop device here ({p.stderr.strip()})")
        return
    dev = p.stdout.strip()
    mnt = os.path.join(tmp, "mnt")
    try:
        rc, out, err = run("--name=w", f"--filename={dev}", "--rw=write", "--bs=64k",
                           "--size=4m")
        ok(rc == 1 and "allow_mounted_write=1" in err and dev in err,
           "a write to a block device needs allow_mounted_write=1", err)
        rc, out, err = run("--name=w", f"--filename={dev}", "--rw=write", "--bs=64k",
                           "--size=4m", "--allow_mounted_write=1")
        ok(rc == 0, "with allow_mounted_write=1 the device is written", err)
        rc, out, err = run("--name=r", f"--filename={dev}", "--rw=randread", "--bs=4k",
                           "--size=4m")
        ok(rc == 0, "reading a block device needs no option", err)
        if shutil.which("mkfs.ext4") and subprocess.run(
                ["mkfs.ext4", "-q", "-F", dev], stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL).returncode == 0:
            os.makedirs(mnt)
            if subprocess.run(["mount", dev, mnt], stderr=subprocess.DEVNULL).returncode == 0:
                try:
                    rc, out, err = run("--name=w", f"--filename={dev}", "--rw=write",
                                       "--bs=64k", "--size=4m", "--allow_mounted_write=1")
                    ok(rc == 1 and "mounted filesystem" in err,
                       "a device holding a mounted filesystem is never written", err)
                finally:
                    subprocess.run(["umount", mnt])
            else:
                print("# skip the mounted-device check: mount is not permitted here")
    finally:
        subprocess.run(["losetup", "-d", dev])


def main():
    tmp = tempfile.mkdtemp(prefix="tenon-verify.")
    try:
        for method in ("crc32c", "sha256"):
            path = os.path.join(tmp, f"data-{method}")
            rc, out, err = run("--name=w", f"--filename={path}", "--rw=randwrite", "--bs=4k",
                               "--size=4m", f"--verify={method}")
            ok(rc == 0 and "err= 0" in out, f"{method}: write with verify passes", out + err)
            rc, out, err = run("--name=r", f"--filename={path}", "--rw=read", "--bs=4k",
                               "--size=4m", f"--verify={method}")
            ok(rc == 0, f"{method}: a later read run verifies every block", err)
            # Corrupt block 3 (offset 12288), inside its payload.
            with open(path, "r+b") as f:
                f.seek(12288 + 1000)
                f.write(b"\xff\x00\xff\x00")
            rc, out, err = run("--name=r", f"--filename={path}", "--rw=read", "--bs=4k",
                               "--size=4m", f"--verify={method}")
            ok(rc == 1, f"{method}: a corrupted block makes the exit status non-zero", err)
            ok(path in err and "offset 12288" in err and "checksum mismatch" in err
               and "expected" in err and "found" in err,
               f"{method}: the report names the file, the offset, expected and found", err)
            ok("verify" in out and "err=" in out, f"{method}: the job's report shows the error",
               out[:500])
        path = os.path.join(tmp, "data-md5")
        rc, out, err = run("--name=w", f"--filename={path}", "--rw=write", "--size=1m",
                           "--verify=md5")
        ok(rc == 0 and "err= 0" in out, "md5: write with verify passes", err)
        loop_tests(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
