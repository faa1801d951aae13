"""Random valid fio job files for the differential test, from a seed.

One seed is one job file: a [global] section and one to three jobs, drawn
only from options that fio 3.33 and tenon-io both support, on small files
(a few MiB at most) in the folder ${DIFFTEST_DIR}. The same seed always
gives the same text (random.Random's random(), randrange() and choice(),
the only calls used, give the same sequence on every Python 3 since 3.2).

Some combinations are never drawn because the two tools define them
differently on purpose; each is listed in EXCLUDED with its reason (the
reasons are in docs/jobfile.md, "Intended differences found by the
differential test")."""
import random

ENGINES = ("psync", "sync", "pvsync2", "libaio", "io_uring", "null")
ASYNC_ENGINES = ("libaio", "io_uring", "null")
RWS = ("read", "write", "randread", "randwrite", "rw", "randrw")
BLOCK_SIZES = (512, 1024, 2048, 4096, 8192, 16384)
MAX_BYTES = 2 << 20  # the most one job file lays out, over all its files

EXCLUDED = {
    "randommap-split-bs":
        "random IO with different read and write block sizes always gets "
        "norandommap: fio 3.33 sizes its random map in the smallest block size "
        "of any direction but looks it up in the direction's own block numbers, "
        "and ends such a job early (rw=randread, bs=8k,1k, size=688k "
        "reads 408k), where size= asks for all of it",
    "verify-overlapping-writes":
        "no verify with norandommap on a queue deeper than one: two writes of "
        "the same block can be in flight together, and fio 3.33 then fails "
        "verification (its HOWTO, norandommap, says so) where tenon-io passes",
    "verify-follow-on-files":
        "no rw=randTYPE:N or percentage_random with verify and a random map "
        "on an engine with files: an IO that follows on may write a block "
        "again, fio 3.33 logs each write in a list with a map (log_io_piece) "
        "and reads them all back, so the older write's read finds the newer "
        "data and fio fails its own verify (rw=randwrite:8 size=352k "
        "verify=crc32c: \"bad header numberio\", error 84), where tenon-io "
        "checks the last write to each block and passes",
    "follow-on-at-region-end":
        "no rw=randTYPE:N or percentage_random where a file's region ends "
        "before the file does: an IO that would follow on at the region's end "
        "ends the file in fio 3.33 (rw=randread:8 nrfiles=3 size=848k bs=8k "
        "reads 664k), where tenon-io takes a random offset, as fio does where "
        "the file ends there too",
    "unaligned-wrap":
        "no blocksize_unaligned where sequential IO wraps (io_size, loops, "
        "time_based): the last unaligned IO before the region's end may differ "
        "by one IO",
    "seed-options":
        "randseed only with randrepeat=0, and no allrandrepeat: tenon-io follows "
        "fio 3.36 and later there (a randseed given overrides randrepeat, and "
        "allrandrepeat is another name of randrepeat), where fio 3.33 moved no "
        "offset by randseed under randrepeat=1 and gave allrandrepeat fixed "
        "seeds of its own",
    "distribution-split-bs-remainder":
        "random_distribution only with one block size for reads and writes, "
        "and where the size splits into whole blocks over the files: fio 3.33 "
        "draws zipf, pareto and normal blocks in the smaller block size and "
        "multiplies them by the direction's own, so the larger one's IO goes "
        "past the file and ends it (rw=randread bs=8k,4k size=376k "
        "random_distribution=normal reads nothing), and it ends a file at the "
        "first draw of its last, partial block (nrfiles=2 size=275k bs=1k "
        "reads 53k), short of size=; tenon-io keeps the draw's place in the "
        "file and does size= bytes",
    "trims-on-files":
        "trims only with ioengine=null: fio 3.33 discards block devices only "
        "(its HOWTO: rw=trim is for Linux block devices and SCSI character "
        "devices) and fails a trim of a regular file with ENOTTY (error 25), "
        "where tenon-io punches a hole in it (docs/jobfile.md, Trims)",
    "trims-io_size":
        "no trims with io_size: fio 3.33 ends rw=trimwrite at size= "
        "(size=224k io_size=336k bs=8k trims and writes 224k), where its HOWTO "
        "says trimwrite trims io_size bytes and writes io_size bytes",
    "trimwrite-sync":
        "no trims with fsync=N or fdatasync=N: fio 3.33 turns each sync a "
        "trimwrite job comes to into its next trim or write (fsync=4 over 16 "
        "writes: no sync), where its HOWTO has one after every N writes",
    "randtrimwrite-offset":
        "no rw=randtrimwrite with offset or offset_increment: fio 3.33 writes "
        "at the trim's offset plus the offset once more, so its next write never "
        "meets the trim it follows (offset=16k size=64k bs=16k: 1 trim, 4 writes "
        "of one block), where its HOWTO says each write goes to the block just "
        "trimmed",
    "io_size-loops":
        "with loops, io_size is never above size: fio 3.33 then does neither "
        "io_size x loops nor size x loops (size=278k io_size=648k loops=2 or 3: "
        "834k), while its own total is io_size x loops",
    "read-verify-passes":
        "no verify on a job that only reads with loops or io_size above size: "
        "fio 3.33 counts such a job's reads as verify reads, no bytes done, and "
        "ends it after the first pass (t0029: loops=2 reads 4k of 4k); fio 3.37 "
        "fixed it (\"verify: fix loops option behavior of read-verify "
        "workloads\") and tenon-io does each pass, as fio's HOWTO has loops",
}


def is_mixed(rw):
    return rw in ("rw", "randrw")


def is_random(rw):
    return rw.startswith("rand")


def writes(rw):
    return rw in ("write", "randwrite", "rw", "randrw")


def reads(rw):
    return rw in ("read", "randread", "rw", "randrw")


def size_text(n):
    """fio's size units, picked so both tools read the same number."""
    for unit, mult in (("m", 1 << 20), ("k", 1 << 10)):
        if n % mult == 0 and n >= mult:
            return f"{n // mult}{unit}"
    return str(n)


class Job:
    """One section: its options in the order they are written."""

    def __init__(self, name):
        self.name = name
        self.opts = []

    def set(self, key, value=None):
        self.opts.append((key, value))

    def get(self, key, default=None):
        for k, v in reversed(self.opts):
            if k == key:
                return v
        return default

    def text(self):
        lines = [f"[{self.name}]"]
        for k, v in self.opts:
            lines.append(k if v is None else f"{k}={v}")
        return "\n".join(lines) + "\n"


class Case:
    """A job file and what the comparison needs to know about it."""

    def __init__(self, seed):
        self.seed = seed
        self.glob = Job("global")
        self.jobs = []            # Job
        self.facts = []           # per job: dict of what was drawn
        self.group_reporting = False
        self.time_based = False

    def text(self):
        head = f"; differential test, seed {self.seed}\n"
        return head + "\n".join([self.glob.text()] + [j.text() for j in self.jobs])


def _bs(r, job):
    """bs for one or both directions; returns (read bs, write bs)."""
    if r.random() < 0.15:
        return 4096, 4096  # fio's default, not written
    rb = r.choice(BLOCK_SIZES)
    if r.random() < 0.25:
        wb = r.choice(BLOCK_SIZES)
        job.set("bs", f"{size_text(rb)},{size_text(wb)}")
        return rb, wb
    job.set("bs", size_text(rb))
    return rb, rb


def _job(r, case, index, engine_global):
    job = Job(f"j{index}")
    f = {"name": job.name}
    rw = r.choice(RWS)
    f["rw"] = rw
    job.set("rw", rw)
    engine = engine_global or r.choice(ENGINES)
    if not engine_global:
        job.set("ioengine", engine)
    f["engine"] = engine
    rb, wb = _bs(r, job)
    f["bs"] = (rb, wb)
    unit = max(rb, wb)  # sizes are whole blocks of either direction

    numjobs = 1
    if r.random() < 0.2:
        numjobs = r.choice((2, 3))
        job.set("numjobs", numjobs)
    f["numjobs"] = numjobs

    budget = MAX_BYTES // (numjobs * (len(case.jobs) + 1))
    blocks_max = max(2, budget // unit // 2)
    shape = r.random()
    nrfiles = 1
    if shape < 0.15:
        # one file shared by the clones, each at its own offset
        blocks = r.randrange(2, blocks_max + 1)
        size = blocks * unit
        job.set("filename", f"{job.name}.shared")
        job.set("size", size_text(size))
        if numjobs > 1:
            job.set("offset_increment", size_text(size))
        f["size"] = size
    elif shape < 0.35:
        nrfiles = r.choice((1, 2, 3))
        per = r.randrange(2, max(3, blocks_max // nrfiles + 1)) * unit
        job.set("nrfiles", nrfiles)
        job.set("filesize", size_text(per))
        f["size"] = per * nrfiles
    else:
        if r.random() < 0.3:
            nrfiles = r.choice((2, 3))
            job.set("nrfiles", nrfiles)
        blocks = r.randrange(max(2, nrfiles), blocks_max + 1)
        size = blocks * unit
        if r.random() < 0.15:
            size += r.choice(BLOCK_SIZES) // 2  # a remainder that no block fits
        job.set("size", size_text(size))
        f["size"] = size
    f["nrfiles"] = nrfiles
    # the size does not split into whole blocks of the larger block size
    # over the files (fio and tenon-io spread such remainders differently)
    f["remainder"] = f["size"] % (nrfiles * unit) != 0

    if r.random() < 0.15:
        job.set("offset", size_text(r.randrange(1, 5) * unit))
    if numjobs > 1 and "offset_increment" not in dict(job.opts) and r.random() < 0.3:
        job.set("offset_increment", size_text(r.randrange(1, 5) * unit))
    loops = r.choice((2, 3)) if r.random() < 0.15 else 1
    if r.random() < 0.15:
        io_size = r.randrange(1, 2 * blocks_max) * unit
        if loops > 1:
            io_size = min(io_size, f["size"] - f["size"] % unit)  # EXCLUDED["io_size-loops"]
        job.set("io_size", size_text(io_size))
        f["io_size"] = io_size
    if loops > 1:
        job.set("loops", loops)
    if r.random() < 0.08:
        job.set("number_ios", r.randrange(1, 64))
    if engine in ASYNC_ENGINES or r.random() < 0.1:
        if r.random() < 0.7:
            job.set("iodepth", r.choice((1, 2, 4, 8, 16, 32)))
    if is_mixed(rw):
        mix = r.choice((None, 0, 10, 25, 50, 70, 90, 100))
        if mix is not None:
            job.set("rwmixread", mix)
        f["rwmixread"] = 50 if mix is None else mix
    if is_random(rw) and (r.random() < 0.3 or rb != wb):
        job.set("norandommap")  # with rb != wb: EXCLUDED["randommap-split-bs"]
    if r.random() < 0.15:
        job.set("randrepeat", 0)  # EXCLUDED["seed-options"]
        job.set("randseed", r.randrange(1, 1 << 20))
    elif r.random() < 0.1:
        job.set("randrepeat", 1)
    if writes(rw):
        if r.random() < 0.12:
            job.set("fsync", r.choice((1, 2, 4, 16)))
        elif r.random() < 0.1:
            job.set("fdatasync", r.choice((1, 3, 8)))
        if r.random() < 0.12:
            job.set("end_fsync", 1)
    if r.random() < 0.08:
        job.set("direct", 0)
    overlapping = ("norandommap", None) in job.opts and engine in ASYNC_ENGINES and \
        int(job.get("iodepth", 1)) > 1  # EXCLUDED["verify-overlapping-writes"]
    # EXCLUDED["read-verify-passes"]: drawn all the same, so that the
    # other seeds' jobs stay as they were
    passes = loops > 1 or f.get("io_size", 0) > f["size"]
    read_verify_ok = writes(rw) or not passes
    if r.random() < 0.12 and (writes(rw) or r.random() < 0.2) and not overlapping:
        method = r.choice(("crc32c", "sha256"))
        if read_verify_ok:
            job.set("verify", method)
        if r.random() < 0.3:
            do_verify = r.choice((0, 1))
            if read_verify_ok:
                job.set("do_verify", do_verify)
    buf = r.random()
    if buf < 0.08:
        job.set("zero_buffers")
    elif buf < 0.16:
        job.set("refill_buffers")
    elif buf < 0.24:
        job.set("scramble_buffers", r.choice((0, 1)))
    if index > 0 and r.random() < 0.4:
        job.set("stonewall")
    if r.random() < 0.05:
        job.set("startdelay", 0)
    if r.random() < 0.2:
        job.set("thread")
    if case.time_based:
        job.set("time_based")
        job.set("runtime", "200ms")
    _pattern(random.Random(case.seed * 7919 + index), job, f, rw, rb, wb)
    _workload(random.Random(case.seed * 104729 + index), job, f, rw, rb, wb)
    f["opts"] = dict(job.opts)
    return job, f


def _pattern(r, job, f, rw, rb, wb):
    """Block-size mixes, offset modifiers and the generators' options, drawn
    from a stream of their own so that the other options of a seed stay as
    they were."""
    opts = dict(job.opts)
    if r.random() < 0.3 and rb == wb and "verify" not in opts:
        lo = r.choice([b for b in BLOCK_SIZES if b <= rb])
        if r.random() < 0.5:
            job.set("bsrange", f"{size_text(lo)}-{size_text(rb)}")
        else:
            sizes = sorted({lo, rb, r.choice(BLOCK_SIZES[:BLOCK_SIZES.index(rb) + 1])})
            parts = [f"{size_text(b)}/{p}" if p else size_text(b)
                     for b, p in zip(sizes, (r.choice((0, 10, 30)), r.choice((0, 20, 40)), 0))]
            job.set("bssplit", ":".join(parts))
        wraps = "io_size" in opts or "loops" in opts or "time_based" in opts
        if r.random() < 0.2 and not wraps:  # EXCLUDED["unaligned-wrap"]
            job.set("blocksize_unaligned")
    if is_random(rw) and not f["remainder"]:  # EXCLUDED["follow-on-at-region-end"]
        # EXCLUDED["verify-follow-on-files"]: drawn all the same, so that
        # the draws after stay as they were
        rewrites = "verify" in opts and str(opts.get("do_verify", 1)) != "0" and \
            "norandommap" not in opts and f["engine"] != "null"
        if r.random() < 0.15:
            rw_follow = f"{rw}:{r.choice((2, 4, 8))}"
            sequencer = r.choice(("sequential", "identical")) if r.random() < 0.5 else None
            if not rewrites:
                job.set("rw", rw_follow)
                if sequencer:
                    job.set("rw_sequencer", sequencer)
        elif r.random() < 0.15:
            perc = r.choice((0, 30, 50, 90))
            if not rewrites:
                job.set("percentage_random", perc)
    elif rw in ("read", "write") and r.random() < 0.1:
        job.set("rw", f"{rw}:-{size_text(max(rb, wb) * r.choice((1, 2)))}")
    if r.random() < 0.1:
        job.set("random_generator", r.choice(("tausworthe", "tausworthe64")))


def _workload(r, job, f, rw, rb, wb):
    """Access distributions, strided zones and trims, from a stream of their
    own as _pattern's; only on jobs these combine with in both tools (one
    file, one block size, no verify, no offset modifiers)."""
    opts = dict(job.opts)
    plain = rb == wb and f["nrfiles"] == 1 and ":" not in job.get("rw") and \
        not any(k in opts for k in ("verify", "bsrange", "bssplit", "percentage_random"))
    if is_random(rw) and r.random() < 0.2:
        dist = r.choice(("zipf", "zipf:1.4", "pareto:0.3", "normal", "normal:20",
                         "zoned:60/20:40/80", "zoned:50/10:30/30:20/60"))
        if rb == wb and not f["remainder"]:  # EXCLUDED["distribution-split-bs-remainder"]
            job.set("random_distribution", dist)
    if not plain or is_mixed(rw) or f["remainder"]:
        return
    if r.random() < 0.12 and "offset_increment" not in opts and "io_size" not in opts:
        region = f["size"]
        blocks = region // rb
        zrange = rb * r.randrange(1, max(2, blocks // 2))
        job.set("zonemode", "strided")
        job.set("zonerange", size_text(zrange))
        job.set("zonesize", size_text(rb * r.randrange(1, 2 * zrange // rb + 1)))
        if r.random() < 0.3:
            job.set("zoneskip", size_text(rb * r.randrange(1, 4)))
    elif writes(rw) and r.random() < 0.12:
        trims = ("trim", "trimwrite") if rw == "write" else ("randtrim", "randtrimwrite")
        trim = r.choice(trims)
        # EXCLUDED["trims-io_size"], ["trimwrite-sync"], ["randtrimwrite-offset"]
        if "io_size" in opts or "fsync" in opts or "fdatasync" in opts or (
                trim == "randtrimwrite" and (
                "offset" in opts or "offset_increment" in opts)):
            return
        job.set("rw", trim)
        f["rw"] = trim
        if f["engine"] != "null":  # EXCLUDED["trims-on-files"]
            job.set("ioengine", "null")
            f["engine"] = "null"


def generate(seed):
    """The case of one seed."""
    r = random.Random(seed)
    case = Case(seed)
    case.glob.set("directory", "${DIFFTEST_DIR}")
    engine_global = None
    if r.random() < 0.3:
        engine_global = r.choice(ENGINES)
        case.glob.set("ioengine", engine_global)
    if r.random() < 0.15:
        case.group_reporting = True
        case.glob.set("group_reporting")
    case.time_based = r.random() < 0.06
    n = r.choice((1, 1, 1, 2, 2, 3))
    for i in range(n):
        job, facts = _job(r, case, i, engine_global)
        case.jobs.append(job)
        case.facts.append(facts)
    return case
