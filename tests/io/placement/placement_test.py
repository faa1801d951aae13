#!/usr/bin/env python3
"""CPU and NUMA placement takes effect as fio 3.33 defines it, on the
thread that does the job's IO: cpumask and cpus_allowed set its affinity
(sched_setaffinity from that thread before its first IO, seen under strace,
and the kernel's Cpus_allowed_list of the running thread); under
cpus_allowed_policy=split job i of the run (numjobs clones counted) gets the
(i mod n)-th CPU of the set, as fio's thread_number - 1; numa_cpu_nodes
runs it on the nodes' CPUs and numa_mem_policy sets its memory policy
(set_mempolicy, read back with get_mempolicy into --debug=process). CPUs
that are not online, nodes that are not there and malformed lists are
refused before any IO, naming what there is. Output is TAP.

usage: placement_test.py TENON_IO
"""
import os
import re
import select
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(HERE, "..", "effects"))
import effects_test as E  # noqa: E402
from harness import Skip, check, run_cases  # noqa: E402


def read_list(path):
    """A kernel list file ("0-3,8") as a set of numbers; None if absent."""
    try:
        with open(path) as f:
            text = f.read().strip()
    except OSError:
        return None
    out = set()
    for part in filter(None, text.split(",")):
        lo, _, hi = part.partition("-")
        out.update(range(int(lo), int(hi or lo) + 1))
    return out


def fmt(ids):
    """A set as the kernel and tenon-io write it: "0-2,5"."""
    ids, out = sorted(ids), []
    while ids:
        lo = hi = ids.pop(0)
        while ids and ids[0] == hi + 1:
            hi = ids.pop(0)
        out.append(str(lo) if lo == hi else "%d-%d" % (lo, hi))
    return ",".join(out)


ONLINE = read_list("/sys/devices/system/cpu/online") or set(range(os.cpu_count() or 1))
MINE = os.sched_getaffinity(0)


def usable():
    """The CPUs this process may run on, which the jobs may be placed on."""
    cpus = sorted(ONLINE & MINE)
    if not cpus:
        raise Skip("no online CPU in this process's affinity")
    return cpus


def nodes():
    """The NUMA nodes here (libnuma's: those memory may come from)."""
    have = read_list("/sys/devices/system/node/has_memory") or \
        read_list("/sys/devices/system/node/online")
    if not have:
        raise Skip("this kernel shows no NUMA nodes (/sys/devices/system/node)")
    return have


def null(*args, name="j"):
    return ["--name=" + name, "--ioengine=null", "--size=64k", "--bs=4k"] + list(args)


def placed(r):
    """--debug=process's lines: {"job.clone": (cpus, policy)}."""
    out = {}
    for m in re.finditer(r"^process +\d+ +job (\S+): CPUs allowed (\S+), memory policy (\S+)$",
                         r.out, re.M):
        out[m.group(1)] = (m.group(2), m.group(3))
    return out


def refused(what, *args):
    r = E.tenon_io(*args)
    check(r.rc != 0 and what in r.err, "refused with '%s':\n%s" % (what, r.describe()))
    return r


def per_thread(calls, *args):
    """tenon-io under strace -ff: the run and each thread's trace lines."""
    E.strace_ready()
    logdir = E.path("strace")
    os.mkdir(logdir)
    env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")
    r = E.tenon_io(*args, env=env, prefix=["strace", "-ff", "-qq", "-s", "0", "-e",
                                           "signal=none", "-e", "trace=" + calls, "-o",
                                           os.path.join(logdir, "t")])
    threads = {}
    for name in os.listdir(logdir):
        with open(os.path.join(logdir, name)) as f:
            threads[name] = f.read().splitlines()
    shutil.rmtree(logdir)
    return r, threads


# ---- CPUs -------------------------------------------------------------------

def case_io_thread_placed():
    """cpus_allowed: the thread doing the job's IO sets its affinity before its first IO"""
    cpu = usable()[-1]
    target = E.make_file("f", 64 * 1024)
    r, threads = per_thread("sched_setaffinity,pread64", "--name=j", "--filename=" + target,
                            "--size=64k", "--bs=4k", "--cpus_allowed=%d" % cpu)
    check(r.rc == 0, r.describe())
    # the job's reads are its 4 KiB blocks (the main thread reads plugins' headers)
    io = [t for t in threads.values() if any(re.match(r"pread64\(\d+, .*, 4096, ", x) for x in t)]
    check(len(io) == 1, "one thread does the job's IO: %d" % len(io))
    calls = [x for x in io[0] if x.startswith(("sched_setaffinity(", "pread64("))]
    check(re.match(r"sched_setaffinity\(0, \d+, \[%d\]\)\s+= 0" % cpu, calls[0]),
          "the IO thread's first call sets CPU %d: %s" % (cpu, calls[:2]))
    check(sum(1 for x in calls if x.startswith("sched_setaffinity(")) == 1, "once")
    others = [x for t in threads.values() if t is not io[0] for x in t
              if x.startswith("sched_setaffinity(")]
    check(not others, "no other thread is placed: %s" % others)
    # without the options nothing is set
    r, threads = per_thread("sched_setaffinity", *null())
    check(not [x for t in threads.values() for x in t if "sched_setaffinity(" in x],
          "no sched_setaffinity without cpus_allowed")


def case_running_thread():
    """the running job's thread has the affinity (the kernel's Cpus_allowed_list), the main thread keeps its own"""
    cpu = usable()[-1]
    cmd = [E.TIO, "--eta=never", "--debug=process", "--output-format=json"] + null(
        "--time_based", "--runtime=3", "--rate_iops=20", "--cpus_allowed=%d" % cpu)
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         cwd=E.TMP)
    try:
        line, end = "", time.monotonic() + 30
        while not line.startswith("process") and time.monotonic() < end:
            ready, _, _ = select.select([p.stdout], [], [], 1)
            if ready:
                line = p.stdout.readline()
                if not line:
                    break
        check(line.startswith("process"), "a --debug=process line: %r" % line)
        tid = int(line.split()[1])
        with open("/proc/%d/task/%d/status" % (p.pid, tid)) as f:
            job = re.search(r"^Cpus_allowed_list:\s*(\S+)", f.read(), re.M).group(1)
        with open("/proc/%d/status" % p.pid) as f:
            main = re.search(r"^Cpus_allowed_list:\s*(\S+)", f.read(), re.M).group(1)
        check(job == str(cpu), "the job's thread %d runs on %s, not %d" % (tid, job, cpu))
        check(main == fmt(MINE), "the main thread keeps %s: %s" % (fmt(MINE), main))
    finally:
        out, err = p.communicate(timeout=60)
    check(p.returncode == 0, err[:2000])


def case_split():
    """cpus_allowed_policy=split: job i of the run (clones counted) on the (i mod n)-th CPU, as fio"""
    cpus = usable()
    spec = fmt(cpus)
    r = E.ok_run("--debug=process", "--cpus_allowed=" + spec, "--cpus_allowed_policy=split",
                 *null("--numjobs=3", name="a"), *null("--numjobs=2", name="b"))
    got = placed(r)
    want = {}
    # the debug lines name a job by its $jobnum: fio adds clones last first
    for i, job in enumerate(["a.0", "a.2", "a.1", "b.0", "b.1"]):
        want[job] = str(cpus[i % len(cpus)])
    check({k: v[0] for k, v in got.items()} == want, "placed %s, want %s" % (got, want))
    # shared (the default): every job on the whole set
    r = E.ok_run("--debug=process", "--cpus_allowed=" + spec, *null("--numjobs=2"))
    check({v[0] for v in placed(r).values()} == {spec} and len(placed(r)) == 2, placed(r))
    # the policy of a job of its own, the set from [global]
    jobfile = E.path("split.fio")
    with open(jobfile, "w") as f:
        f.write("[global]\nioengine=null\nsize=64k\ncpus_allowed=%s\n[x]\n[y]\n"
                "cpus_allowed_policy=split\nnumjobs=2\n" % spec)
    got = placed(E.ok_run("--debug=process", jobfile))
    check(got["x.0"][0] == spec and got["y.0"][0] == str(cpus[1 % len(cpus)]) and
          got["y.1"][0] == str(cpus[2 % len(cpus)]), "indexes count every job: %s" % got)


def case_split_traced():
    """split: each job's thread asks the kernel for its one CPU"""
    cpus = usable()
    r, threads = per_thread("sched_setaffinity", "--cpus_allowed=" + fmt(cpus),
                            "--cpus_allowed_policy=split", *null("--numjobs=%d" % (len(cpus) + 1)))
    check(r.rc == 0, r.describe())
    sets = sorted(m.group(1) for t in threads.values() for x in t
                  for m in [re.match(r"sched_setaffinity\(0, \d+, \[(\d+)\]\)\s+= 0", x)] if m)
    want = sorted(str(cpus[i % len(cpus)]) for i in range(len(cpus) + 1))
    check(sets == want, "sched_setaffinity CPUs %s, want %s" % (sets, want))


def case_cpumask():
    """cpumask: bit N is CPU N; the last of cpumask and cpus_allowed given wins"""
    cpu = usable()[-1]
    if cpu > 31:
        raise Skip("cpumask names CPUs 0 to 31 only")
    got = placed(E.ok_run("--debug=process", *null("--cpumask=%d" % (1 << cpu))))
    check(got["j.0"][0] == str(cpu), got)
    got = placed(E.ok_run("--debug=process",
                          *null("--cpumask=0x%x" % (1 << cpu), "--cpus_allowed=" + fmt(MINE))))
    check(got["j.0"][0] == fmt(MINE), "cpus_allowed after cpumask wins: %s" % got)
    got = placed(E.ok_run("--debug=process", *null("--cpus_allowed=" + fmt(MINE),
                                                     "--cpumask=%d" % (1 << cpu))))
    check(got["j.0"][0] == str(cpu), "cpumask after cpus_allowed wins: %s" % got)
    got = placed(E.ok_run("--debug=process", *null()))
    check(got["j.0"][0] == fmt(MINE), "without: the process's own %s" % got)


def case_cpus_refused():
    """CPUs not online and malformed lists are refused before any IO, naming the online CPUs"""
    off = max(ONLINE) + 1
    target = E.path("never")
    r = refused("CPU %d is not online (the online CPUs: %s" % (off, fmt(ONLINE)),
                "--name=j", "--filename=" + target, "--size=64k", "--rw=write",
                "--cpus_allowed=0,%d" % off)
    check("cpus_allowed=0,%d" % off in r.err, r.err)
    check(not os.path.exists(target), "refused before the file was made")
    refused("CPU %d is not online" % off, "--parse-only", *null("--cpus_allowed=%d" % off))
    if off <= 31:
        refused("cpumask=%d: CPU %d is not online" % (1 << off, off),
                *null("--cpumask=%d" % (1 << off)))
    refused("the range 3-1 runs backwards", *null("--cpus_allowed=3-1"))
    refused("'x' is not a CPU number", *null("--cpus_allowed=x"))
    refused("a CPU number is missing", *null("--cpus_allowed=0,,1"))
    refused("CPU 4096 is too large (at most 1023)", *null("--cpus_allowed=4096"))
    refused("allows no CPU", *null("--cpumask=0"))
    refused("cpumask covers CPUs 0 to 31 only", *null("--cpumask=0x100000000"))
    refused("unknown CPU policy 'even' (use shared, split)",
            *null("--cpus_allowed_policy=even"))


# ---- NUMA -------------------------------------------------------------------

def numa_ready():
    have = nodes()
    r = E.tenon_io(*null("--numa_mem_policy=default"))
    if r.rc != 0 and "built without" in r.err:
        raise Skip("this tenon-io was built without libnuma")
    if r.rc != 0 and "not available" in r.err:
        raise Skip("NUMA is not available here")
    return have


def case_numa_mem_policy():
    """numa_mem_policy: the job thread's policy, as the kernel reads it back (and as set_mempolicy was asked)"""
    have = numa_ready()
    node = min(have)
    for given, want, mode in [("bind:%d" % node, "bind:%d" % node, "MPOL_BIND"),
                              ("prefer:%d" % node, "prefer:%d" % node, "MPOL_PREFERRED"),
                              ("interleave", "interleave:" + fmt(have), "MPOL_INTERLEAVE"),
                              ("interleave:%d" % node, "interleave:%d" % node,
                               "MPOL_INTERLEAVE"),
                              ("bind:all", "bind:" + fmt(have), "MPOL_BIND"),
                              ("local", "local", "MPOL_LOCAL"),
                              ("default", "default", None)]:
        got = placed(E.ok_run("--debug=process", *null("--numa_mem_policy=" + given)))
        check(got["j.0"][1] == want, "%s: the thread's policy is %s, want %s" %
              (given, got["j.0"][1], want))
        r, threads = per_thread("set_mempolicy", *null("--numa_mem_policy=" + given))
        check(r.rc == 0, r.describe())
        modes = [x.split("(")[1].split(",")[0] for t in threads.values() for x in t
                 if x.startswith("set_mempolicy(") and "= 0" in x]
        # libnuma probes MPOL_PREFERRED_MANY as it loads, and puts the policy back
        modes = [m for m in modes if m != "MPOL_PREFERRED_MANY"]
        if mode:
            check(mode in modes, "%s: set_mempolicy(%s): %s" % (given, mode, modes))
        else:
            check(set(modes) <= {"MPOL_DEFAULT"} and len(modes) <= 1,
                  "default leaves the policy alone, as fio: %s" % modes)
    got = placed(E.ok_run("--debug=process", *null()))
    check(got["j.0"][1] == "default", "without: the default policy %s" % got)


def case_numa_cpu_nodes():
    """numa_cpu_nodes: the job's thread runs on the nodes' CPUs (all: every node's)"""
    have = numa_ready()
    node = min(have)
    cpus = read_list("/sys/devices/system/node/node%d/cpulist" % node)
    if not cpus:
        raise Skip("node %d has no CPUs" % node)
    got = placed(E.ok_run("--debug=process", *null("--numa_cpu_nodes=%d" % node)))
    check(got["j.0"][0] == fmt(cpus), "node %d's CPUs %s: %s" % (node, fmt(cpus), got))
    every = set()
    for n in have:
        every |= read_list("/sys/devices/system/node/node%d/cpulist" % n) or set()
    got = placed(E.ok_run("--debug=process", *null("--numa_cpu_nodes=all")))
    check(got["j.0"][0] == fmt(every), "all: %s" % got)
    # as fio: numa_cpu_nodes comes after cpus_allowed and replaces it
    got = placed(E.ok_run("--debug=process", *null("--cpus_allowed=%d" % min(cpus),
                                                     "--numa_cpu_nodes=%d" % node)))
    check(got["j.0"][0] == fmt(cpus), "numa_cpu_nodes wins: %s" % got)


def case_numa_refused():
    """nodes that are not there and malformed policies are refused before any IO"""
    have = numa_ready()
    off = max(have) + 1
    target = E.path("never")
    refused("node %d is not present (the NUMA nodes here: %s" % (off, fmt(have)),
            "--name=j", "--filename=" + target, "--size=64k", "--rw=write",
            "--numa_mem_policy=bind:%d" % off)
    check(not os.path.exists(target), "refused before the file was made")
    refused("numa_cpu_nodes=%d: node %d is not present" % (off, off),
            *null("--numa_cpu_nodes=%d" % off))
    refused("node %d is not present" % off, *null("--numa_mem_policy=prefer:%d" % off))
    refused("node %d is not present" % off,
            *null("--numa_mem_policy=interleave:%d-%d" % (min(have), off)))
    refused("prefer takes one node", *null("--numa_mem_policy=prefer:0-1"))
    refused("prefer takes one node", *null("--numa_mem_policy=prefer"))
    refused("bind needs its nodes", *null("--numa_mem_policy=bind"))
    refused("local takes no nodes", *null("--numa_mem_policy=local:0"))
    refused("default takes no nodes", *null("--numa_mem_policy=default:0"))
    refused("unknown memory policy 'preferred'", *null("--numa_mem_policy=preferred"))
    refused("'!' node syntax is not supported", *null("--numa_cpu_nodes=!0"))
    refused("'+' node syntax is not supported", *null("--numa_mem_policy=bind:+0"))
    refused("'x' is not a node number", *null("--numa_cpu_nodes=x"))


def case_debug_all():
    """--debug=all includes process; process alone shows each job's line"""
    r = E.ok_run("--debug=all", *null())
    check("j.0" in placed(r), "process lines with all")
    r = E.ok_run("--debug=process", *null("--numjobs=2"))
    check(sorted(placed(r)) == ["j.0", "j.1"], placed(r))


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    E.TIO = os.path.abspath(sys.argv[1])
    cases = [f for n, f in sorted(globals().items()) if n.startswith("case_") and callable(f)]
    return run_cases(cases, "tio-placement-", E.use_tmp)


if __name__ == "__main__":
    sys.exit(main())
