#!/usr/bin/env python3
"""Two "machines" that share only a network: two network namespaces joined
by a veth pair (made by this test, its addresses only inside them), an
nbdkit export served from the first, and mpirun in the first starting one
rank in each (Open MPI's TCP transport over the veth; its rsh launcher runs
the second rank's daemon through `ip netns exec`). The ranks write the
export's two halves and each verifies the other's (rank_shift=1); rank 0
reports both.

Skipped, saying why, unless run as root with ip, nbdkit, mpirun, MPI in
the build and the nbd engine. Every run has a hang limit (LIMIT seconds);
no case measures time otherwise. Output is TAP.

usage: netns_test.py TENON_IO mpi|no-mpi
"""
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
from harness import Fail, Skip, TioRun, check, run_cases, sanitizer_check  # noqa: E402

TIO = os.path.abspath(sys.argv[1])
BUILT_WITH_MPI = sys.argv[2] == "mpi"
LIMIT = 60
TMP = None
TAG = "t%d" % (os.getpid() % 100000)
NS = (TAG + "a", TAG + "b")
ADDR = ("10.231.0.1", "10.231.0.2")
PORT = 10809

AGENT = """#!/bin/sh
# Open MPI's rsh agent: "HOST command..." runs the command in HOST's namespace
echo "$1" >> "%(log)s"
host=$1
shift
case "$host" in
%(b)s) exec ip netns exec %(nsb)s sh -c "$*" ;;
*) exec sh -c "$*" ;;
esac
"""


def use_tmp(path):
    global TMP
    TMP = path


def need():
    if os.geteuid() != 0:
        raise Skip("network namespaces need root")
    for tool, pkg in (("ip", "iproute2"), ("nbdkit", "nbdkit"), ("mpirun", "openmpi-bin")):
        if not shutil.which(tool):
            raise Skip("%s is not installed (Debian: %s)" % (tool, pkg))
    if not BUILT_WITH_MPI:
        raise Skip("tenon-io was built without MPI (Debian: libopenmpi-dev, meson -Dmpi=enabled)")
    p = subprocess.run([TIO, "--enghelp=nbd"], capture_output=True, text=True)
    if p.returncode != 0:
        raise Skip("the nbd engine is not built (Debian: libnbd-dev)")


def ip(*args):
    p = subprocess.run(["ip"] + list(args), capture_output=True, text=True)
    if p.returncode != 0:
        raise Fail("ip %s: %s" % (" ".join(args), p.stderr.strip()))


def make_network():
    ip("netns", "add", NS[0])
    ip("netns", "add", NS[1])
    ip("link", "add", TAG + "va", "type", "veth", "peer", "name", TAG + "vb")
    for ns, dev, addr in zip(NS, (TAG + "va", TAG + "vb"), ADDR):
        ip("link", "set", dev, "netns", ns)
        ip("-n", ns, "addr", "add", addr + "/24", "dev", dev)
        ip("-n", ns, "link", "set", dev, "up")
        ip("-n", ns, "link", "set", "lo", "up")


def drop_network():
    for ns in NS:  # deleting a namespace deletes its end of the veth pair
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def case_two_namespaces():
    """two namespaces over a veth pair: one rank in each, an nbdkit export in the first"""
    need()
    server = None
    try:
        make_network()
        log = open(os.path.join(TMP, "nbdkit.log"), "w")
        server = subprocess.Popen(["ip", "netns", "exec", NS[0], "nbdkit", "--foreground",
                                   "--exit-with-parent", "-i", ADDR[0], "-p", str(PORT),
                                   "memory", "8M"], stdout=log, stderr=log)
        agent_log = os.path.join(TMP, "agent.log")
        agent = os.path.join(TMP, "agent.sh")
        with open(agent, "w") as f:
            f.write(AGENT % {"log": agent_log, "b": ADDR[1], "nsb": NS[1]})
        os.chmod(agent, 0o755)
        job = os.path.join(TMP, "ns.fio")
        with open(job, "w") as f:
            f.write("[global]\nioengine=nbd\nfilename=nbd://%s:%d/\nsize=1m\nbs=64k\n"
                    "verify=crc32c\n[w]\nrw=write\ndo_verify=0\n"
                    "[r]\nstonewall\nrw=read\nrank_shift=1\n" % (ADDR[0], PORT))
        net = "10.231.0.0/24"
        cmd = ["ip", "netns", "exec", NS[0], "mpirun", "--allow-run-as-root",
               "-H", "%s:1,%s:1" % ADDR, "-x", "LD_LIBRARY_PATH",
               "--mca", "plm_rsh_agent", agent, "--mca", "btl", "self,tcp",
               "--mca", "btl_tcp_if_include", net, "--mca", "oob_tcp_if_include", net,
               TIO, "--eta=never", "--output-format=json", job]
        env = dict(os.environ)
        env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":detect_leaks=0"
        env.setdefault("LD_LIBRARY_PATH", "")
        try:
            p = subprocess.run(cmd, cwd=TMP, capture_output=True, text=True, errors="replace",
                               timeout=LIMIT, env=env)
        except subprocess.TimeoutExpired:
            raise Fail("hung: the two-namespace run did not end within %d s" % LIMIT)
        sanitizer_check(p.stderr, cmd)
        run = TioRun(p.returncode, p.stdout, p.stderr)
        check(run.rc == 0, "the run failed:\n" + run.describe())
        with open(agent_log) as f:
            check(ADDR[1] in f.read().split(), "no rank was started in the second namespace")
        report = run.json()
        for name in ("w", "r"):
            job = [j for j in report["jobs"] if j["jobname"] == name][0]
            d = "write" if name == "w" else "read"
            check(job["error"] == 0 and job[d]["io_bytes"] == 2 * 1024 * 1024,
                  "%s: %s bytes, %s" % (name, job[d]["io_bytes"], job.get("error_text")))
        ranks = sorted(c["rank"] for c in report["client_stats"] if c["jobname"] == "r")
        check(ranks == [0, 1], "client_stats ranks of r: %s" % ranks)
    finally:
        if server:
            server.kill()
            server.wait()
        drop_network()


if __name__ == "__main__":
    sys.exit(run_cases([case_two_namespaces], "tio-netns-", use_tmp))
