/* From parsed jobs to runnable ones: numjobs clones, fio's derived
 * defaults, file names, reporting groups, and the checks fio makes before
 * it starts (so the host never has to second-guess a resolved job). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "job_internal.h"

int tio__job_error(struct tio_error *err, const struct tio_job *job, const char *fmt, ...)
{
    char msg[TIO_ERROR_TEXT_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return tio_error_set(err, TIO_EJOB, &job->origin, NULL, NULL, "job '%s': %s",
                         job->identity.name, msg);
}

static char *join_dir(const struct tio_allocator *a, const char *dir, const char *name)
{
    struct tio__buf b;
    size_t dl = strlen(dir);

    tio__buf_init(&b, a);
    tio__buf_puts(&b, dir);
    if (dl == 0 || (dir[dl - 1] != '/' && name[0] != '/'))
        tio__buf_putc(&b, '/');
    tio__buf_puts(&b, name);
    return tio__buf_take(&b);
}

/* fio's filename_format: $jobname, $jobnum (the clone number), $filenum. */
static char *format_name(const struct tio_allocator *a, const struct tio_job *job,
                         unsigned filenum)
{
    const char *p = job->files.filename_format;
    struct tio__buf b;

    tio__buf_init(&b, a);
    while (*p) {
        if (strncmp(p, "$jobname", 8) == 0) {
            tio__buf_puts(&b, job->identity.name);
            p += 8;
        } else if (strncmp(p, "$jobnum", 7) == 0) {
            tio__buf_printf(&b, "%u", job->clone);
            p += 7;
        } else if (strncmp(p, "$filenum", 8) == 0) {
            tio__buf_printf(&b, "%u", filenum);
            p += 8;
        } else {
            tio__buf_putc(&b, *p++);
        }
    }
    return tio__buf_take(&b);
}

static int resolve_files(const struct tio_allocator *a, struct tio_job *job, size_t *total,
                         struct tio_error *err)
{
    struct tio_strv names = {NULL, 0};
    size_t i,
        count = job->files.filename_explicit ? job->files.filenames.n : job->files.nrfiles;

    if (*total + count > TIO_MAX_FILES)
        return tio__job_error(err, job,
                              job->files.filename_explicit
                                  ? "more than %u files in all jobs"
                                  : "more than %u files in all jobs (lower nrfiles or numjobs)",
                              TIO_MAX_FILES);
    /* sized once: growing by one name per push copies the array each time,
     * which costs seconds at nrfiles=1048576 under some allocators */
    if (count) {
        names.v = tio__reallocarray(a, NULL, count, sizeof(*names.v));
        if (!names.v)
            return tio__oom(err);
    }
    if (job->files.filename_explicit) {
        /* fio prefixes the first directory even to absolute names */
        for (i = 0; i < job->files.filenames.n; i++) {
            char *n = job->files.directories.n
                          ? join_dir(a, job->files.directories.v[0], job->files.filenames.v[i])
                          : tio__strdup(a, job->files.filenames.v[i]);

            if (!n)
                goto oom;
            names.v[names.n++] = n;
        }
    } else {
        /* generated names spread the clones over the directories, as fio */
        const char *dir = job->files.directories.n
                              ? job->files.directories.v[job->clone % job->files.directories.n]
                              : NULL;

        for (i = 0; i < job->files.nrfiles; i++) {
            char *base = format_name(a, job, (unsigned)i);
            char *n = base && dir ? join_dir(a, dir, base) : base;

            if (n != base)
                tio__free(a, base);
            if (!n)
                goto oom;
            names.v[names.n++] = n;
        }
    }
    *total += names.n;
    tio__strv_free(a, &job->files.filenames);
    job->files.filenames = names;
    job->files.nrfiles = (unsigned)names.n;
    return TIO_OK;
oom:
    tio__strv_free(a, &names);
    return tio__oom(err);
}

static uint64_t min_bs(const struct tio_job *job)
{
    uint64_t m = UINT64_MAX;

    if (tio_rw_reads(job->pattern.rw) && job->pattern.bs[TIO_JOB_DDIR_READ] < m)
        m = job->pattern.bs[TIO_JOB_DDIR_READ];
    if (tio_rw_writes(job->pattern.rw) && job->pattern.bs[TIO_JOB_DDIR_WRITE] < m)
        m = job->pattern.bs[TIO_JOB_DDIR_WRITE];
    if (tio_rw_trims(job->pattern.rw) && job->pattern.bs[TIO_JOB_DDIR_TRIM] < m)
        m = job->pattern.bs[TIO_JOB_DDIR_TRIM];
    return m;
}

/* The most one read or write moves on Linux (MAX_RW_COUNT): a larger block
 * could only ever be done short, and the host sizes buffers from it. */
#define MAX_BLOCK_SIZE UINT64_C(0x7ffff000)

/* seq=: a sequential job's next offset is the last one + bs + the skip; a
 * skip below 2^62 keeps that sum inside 64 bits for any region. */
#define MAX_RW_SKIP (UINT64_C(1) << 62)

static bool mul_fits(uint64_t a, uint64_t b, uint64_t *r)
{
    if (a && b > UINT64_MAX / a)
        return false;
    *r = a * b;
    return true;
}

/* random_distribution and random_generator=lfsr. As fio, a distribution
 * other than random turns the random map off. The LFSR gives each block
 * once a pass, map or not (a map never redirects its blocks): tenon-io
 * takes it where its blocks are the IOs' own (fio's, with another block
 * size or alignment, leave blocks out or run past the file's end). */
static int resolve_random(struct tio_job *job, struct tio_error *err)
{
    struct tio_job_pattern *p = &job->pattern;
    if (p->random_distribution != TIO_DIST_RANDOM)
        p->norandommap = true;
    if (p->random_generator != TIO_RAND_LFSR || !tio_rw_is_random(p->rw))
        return TIO_OK;
    const char *why = NULL;
    if (p->random_distribution != TIO_DIST_RANDOM)
        why =
            "a random_distribution other than random (fio 3.33 ignores the LFSR or fails then)";
    for (int d = 0; d < 2 && !why; d++)
        if (p->min_bs[d] != p->max_bs[d] || p->ba[d] != p->bs[d] || p->bs[d] != p->bs[!d])
            why = "block sizes that vary or differ by direction, or blockalign other than bs";
    if (why)
        return tio_error_set(err, TIO_EUNSUPPORTED, &job->origin, NULL, NULL,
                             "job '%s': random_generator=lfsr together with %s is not "
                             "supported by tenon-io (use tausworthe, or drop the other)",
                             job->identity.name, why);
    return TIO_OK;
}

/* bsrange and bssplit: bs becomes the smallest size (fio sizes the random
 * map, blockalign's default and the budget's blocks in it), min_bs and
 * max_bs are bs when neither is given. bs_is_seq_rand reads bs=A,B as
 * sequential A, random B: a job's IO is either, so its sizes (min_bs,
 * max_bs, bssplit) move to the directions it does. */
static int resolve_bs(struct tio_job *job, struct tio_error *err)
{
    struct tio_job_pattern *p = &job->pattern;

    for (int d = 0; d < TIO_JOB_DDIR_COUNT; d++) {
        if (!p->min_bs[d])
            p->min_bs[d] = p->max_bs[d] = p->bs[d];
        p->bs[d] = p->min_bs[d];
    }
    if (p->bs_is_seq_rand) {
        int from = tio_rw_is_random(p->rw) ? TIO_JOB_DDIR_WRITE : TIO_JOB_DDIR_READ;
        if (p->rw_modifier && tio_rw_is_random(p->rw))
            return tio_error_set(err, TIO_EUNSUPPORTED, &job->origin, NULL, NULL,
                                 "job '%s': bs_is_seq_rand with rw=TYPE:N is not supported "
                                 "by tenon-io yet (remove one of them)",
                                 job->identity.name);
        /* bs stays each direction's own smallest size: blockalign's
         * default and the random map's blocks, as fio */
        for (int d = 0; d < TIO_JOB_DDIR_COUNT; d++) {
            p->min_bs[d] = p->min_bs[from];
            p->max_bs[d] = p->max_bs[from];
            p->bssplit_nr[d] = p->bssplit_nr[from];
            memmove(p->bssplit[d], p->bssplit[from], sizeof(p->bssplit[d]));
        }
    }
    /* bs itself is checked with the other sizes (check_arithmetic) */
    for (int d = 0; d < TIO_JOB_DDIR_COUNT; d++)
        if (p->max_bs[d] > MAX_BLOCK_SIZE && p->max_bs[d] != p->bs[d])
            return tio__job_error(err, job,
                                  "bsrange/bssplit: the largest block size %llu is too "
                                  "large (the maximum is %llu bytes, the most one read or "
                                  "write "
                                  "can move)",
                                  (unsigned long long)p->max_bs[d],
                                  (unsigned long long)MAX_BLOCK_SIZE);
    return TIO_OK;
}

/* Every byte count the host derives from a job - block sizes, where each
 * clone's region starts and ends, the bytes of IO over all loops - is
 * checked here, so none of them can wrap (fio 3.33 silently wraps several,
 * "offset_increment=4e18 numjobs=8" among them). Percentages are resolved
 * against the file's size by the host and cannot exceed it. */
static int check_arithmetic(const struct tio_job *job, struct tio_error *err)
{
    static const char *const dirs[] = {"read", "write", "trim"};
    uint64_t start = 0, per_file = 0, step, io, total;
    int d;

    for (d = 0; d < TIO_JOB_DDIR_COUNT; d++) {
        if (job->pattern.bs[d] > MAX_BLOCK_SIZE)
            return tio__job_error(err, job,
                                  "bs: the %s block size %llu is too large (the maximum "
                                  "is %llu bytes, the most one read or write can move)",
                                  dirs[d], (unsigned long long)job->pattern.bs[d],
                                  (unsigned long long)MAX_BLOCK_SIZE);
        if (job->pattern.ba[d] > MAX_BLOCK_SIZE)
            return tio__job_error(err, job,
                                  "ba: the %s block alignment %llu is too large (the "
                                  "maximum is %llu bytes)",
                                  dirs[d], (unsigned long long)job->pattern.ba[d],
                                  (unsigned long long)MAX_BLOCK_SIZE);
    }
    if (job->verify.verify_interval > MAX_BLOCK_SIZE)
        return tio__job_error(err, job,
                              "verify_interval=%llu is too large (the maximum is %llu "
                              "bytes)",
                              (unsigned long long)job->verify.verify_interval,
                              (unsigned long long)MAX_BLOCK_SIZE);
    if (job->pattern.rw_modifier > MAX_RW_SKIP)
        return tio__job_error(err, job,
                              "rw: the offset modifier %llu is too large (the maximum is "
                              "%llu bytes)",
                              (unsigned long long)job->pattern.rw_modifier,
                              (unsigned long long)MAX_RW_SKIP);
    if (job->files.filesize_max > TIO_MAX_OFFSET)
        return tio__job_error(err, job,
                              "filesize=%llu is larger than a file can be (the maximum is "
                              "%llu bytes, 2^63-1)",
                              (unsigned long long)job->files.filesize_max,
                              (unsigned long long)TIO_MAX_OFFSET);
    if (job->files.size.set && !job->files.size.percent) {
        per_file = job->files.size.bytes / (job->files.nrfiles ? job->files.nrfiles : 1);
        if (per_file > TIO_MAX_OFFSET)
            return tio__job_error(err, job,
                                  "size=%llu is larger than a file can be (the maximum "
                                  "is %llu bytes per file, 2^63-1)",
                                  (unsigned long long)job->files.size.bytes,
                                  (unsigned long long)TIO_MAX_OFFSET);
    } else if (!job->files.size.set) {
        per_file = job->files.filesize_max;
    }

    if (job->files.offset.set && !job->files.offset.percent) {
        start = job->files.offset.bytes;
        if (start > TIO_MAX_OFFSET)
            return tio__job_error(err, job,
                                  "offset=%llu is past the largest file offset (the "
                                  "maximum is %llu, 2^63-1)",
                                  (unsigned long long)start,
                                  (unsigned long long)TIO_MAX_OFFSET);
    }
    if (job->files.offset_increment.set && !job->files.offset_increment.percent && job->clone) {
        if (!mul_fits(job->files.offset_increment.bytes, job->clone, &step) ||
            step > TIO_MAX_OFFSET - start)
            return tio__job_error(err, job,
                                  "offset (%llu) + offset_increment (%llu) x clone %u "
                                  "(of numjobs=%u) is past the largest file offset (the "
                                  "maximum is "
                                  "%llu, 2^63-1; lower offset_increment or numjobs)",
                                  (unsigned long long)start,
                                  (unsigned long long)job->files.offset_increment.bytes,
                                  job->clone, job->identity.numjobs,
                                  (unsigned long long)TIO_MAX_OFFSET);
        start += step;
    }
    /* clone x a percentage is computed against the file's size later: past
     * 100% the region starts beyond the end of any file (and the product
     * could wrap for a large device) */
    if (job->files.offset_increment.percent && job->clone &&
        (uint64_t)job->files.offset.percent +
                (uint64_t)job->clone * job->files.offset_increment.percent >
            100)
        return tio__job_error(err, job,
                              "offset (%u%%) + offset_increment (%u%%) x clone %u (of "
                              "numjobs=%u) is past the end of the file (the maximum is 100%%; "
                              "lower "
                              "offset_increment or numjobs)",
                              job->files.offset.percent, job->files.offset_increment.percent,
                              job->clone, job->identity.numjobs);
    if (per_file > TIO_MAX_OFFSET - start)
        return tio__job_error(err, job,
                              "the job's region ends past the largest file offset: "
                              "offset %llu + size %llu per file is more than %llu (2^63-1; "
                              "lower "
                              "offset, offset_increment or size)",
                              (unsigned long long)start, (unsigned long long)per_file,
                              (unsigned long long)TIO_MAX_OFFSET);

    /* bytes of IO over all loops: io_size, or the size when io_size is unset */
    if (job->files.io_size.set && !job->files.io_size.percent)
        io = job->files.io_size.bytes;
    else if (!job->files.io_size.set && job->files.size.set && !job->files.size.percent)
        io = job->files.size.bytes;
    else
        io = 0;
    if (!mul_fits(io, job->files.loops ? job->files.loops : 1, &total))
        return tio__job_error(err, job,
                              "%s (%llu) x loops (%u) is more than 2^64-1 bytes of IO "
                              "(the maximum is %llu loops; lower loops or %s)",
                              job->files.io_size.set ? "io_size" : "size",
                              (unsigned long long)io, job->files.loops,
                              (unsigned long long)(UINT64_MAX / io),
                              job->files.io_size.set ? "io_size" : "size");
    return TIO_OK;
}

/* fio: verify_pattern alone means verify with a header and the pattern;
 * the backlog batch defaults to the backlog. */
static int resolve_verify(struct tio_job *job, struct tio_error *err)
{
    if (job->verify.verify_pattern_len && !job->verify.verify_given)
        job->verify.method = TIO_VERIFY_PATTERN_HDR;
    if (job->verify.verify_pattern_len && job->verify.method == TIO_VERIFY_NONE)
        return tio__job_error(err, job,
                              "verify_pattern with verify=0: fio would write the pattern "
                              "only into the first buffers; use buffer_pattern= for the data "
                              "written, or drop verify=0 to check the pattern");
    if (job->verify.verify_backlog && !job->verify.verify_backlog_batch)
        job->verify.verify_backlog_batch = job->verify.verify_backlog;
    return 0;
}

static uint64_t gcd64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* fio's fixup of verify_interval (init.c): at most the smallest write
 * size (or, for a job that reads, read size), and a divisor of the
 * smallest and largest write sizes, else their gcd: one header per block
 * when the sizes are fixed. 0 stays one header per block. */
static void resolve_verify_interval(struct tio_job *job)
{
    const struct tio_job_pattern *p = &job->pattern;
    uint64_t *vi = &job->verify.verify_interval;
    uint64_t wmin = p->min_bs[TIO_JOB_DDIR_WRITE], wmax = p->max_bs[TIO_JOB_DDIR_WRITE];
    if (job->verify.method == TIO_VERIFY_NONE || !*vi || !wmin)
        return;
    if (*vi > wmin)
        *vi = wmin;
    else if (tio_rw_reads(p->rw) && *vi > p->min_bs[TIO_JOB_DDIR_READ])
        *vi = p->min_bs[TIO_JOB_DDIR_READ];
    if (wmin % *vi || wmax % *vi)
        *vi = gcd64(wmin, wmax);
}

/* fio's cpuio does pseudo IO (FIO_NOIO): fio asks no size of it, since
 * none bounds it, and fio's examples give none. The parser knows engines
 * only by name, so this is fio's engine of that name; the host holds every
 * other engine to a size. */
static bool pseudo_io(const struct tio_job *job)
{
    return job->queue.ioengine && strcmp(job->queue.ioengine, "cpuio") == 0;
}

/* fill_device, as fio: its size "really large", sequential writes end at
 * ENOSPC, reads read what the layout put there before the filesystem was
 * full. fio's random or mixed IO over that size does nothing (its random
 * map of 2^63 bytes fails) or fails past the file's end: those need a
 * size here; trims have nothing it could mean. */
static int resolve_fill_device(const struct tio_job *job, struct tio_error *err)
{
    enum tio_rw rw = job->pattern.rw;
    if (!job->files.fill_device)
        return 0;
    if (rw == TIO_RW_TRIM || rw == TIO_RW_RANDTRIM || rw == TIO_RW_TRIMWRITE ||
        rw == TIO_RW_RANDTRIMWRITE)
        return tio_error_set(err, TIO_EUNSUPPORTED, &job->origin, NULL, NULL,
                             "job '%s': fill_device fills the filesystem by writing: it "
                             "means nothing to trims (drop it, or use rw=write)",
                             job->identity.name);
    bool sized = job->files.size.set || job->files.filesize_min;
    if (rw == TIO_RW_WRITE || rw == TIO_RW_READ || rw == TIO_RW_RANDREAD || sized)
        return 0;
    return tio_error_set(err, TIO_EUNSUPPORTED, &job->origin, NULL, NULL,
                         "job '%s': fill_device without size= gives random or mixed IO a "
                         "region of 2^63 bytes, which fio 3.33 cannot do either (its random "
                         "map fails, or reads go past the file's end); set size= (the "
                         "region; ENOSPC still ends the writes) or use rw=write",
                         job->identity.name);
}

/* A fixed filesize makes the job's size filesize x the files (below):
 * checked before the files are made, as a job file asking for too many
 * should not cost the making of them first. */
static int check_filesize_total(const struct tio_job *job, struct tio_error *err)
{
    uint64_t each = job->files.filesize_min;
    size_t count = job->files.filename_explicit ? job->files.filenames.n : job->files.nrfiles;
    if (job->files.size.set || !each || each != job->files.filesize_max || !count ||
        each <= UINT64_MAX / count)
        return TIO_OK;
    return tio__job_error(err, job,
                          "filesize (%llu) x nrfiles (%zu) is more than 2^64-1 bytes (the "
                          "maximum nrfiles for this filesize is %llu)",
                          (unsigned long long)each, count,
                          (unsigned long long)(UINT64_MAX / each));
}

static int resolve_job(const struct tio_allocator *a, struct tio_job *job, size_t *total_files,
                       struct tio_error *err)
{
    int d, rc;

    rc = tio__resolve_zone_counts(job, err);
    if (rc)
        return rc;
    rc = check_filesize_total(job, err);
    if (rc)
        return rc;
    rc = resolve_files(a, job, total_files, err);
    if (rc)
        return rc;
    rc = resolve_verify(job, err);
    if (rc)
        return rc;
    rc = resolve_fill_device(job, err);
    if (rc == 0)
        rc = tio__resolve_prep(job, err);
    if (rc)
        return rc;
    /* fio: openfiles defaults to nrfiles, and is at most that */
    if (!job->files.openfiles || job->files.openfiles > job->files.nrfiles)
        job->files.openfiles = job->files.nrfiles;

    if (!job->files.size.set && job->files.filesize_min &&
        job->files.filesize_min == job->files.filesize_max) {
        job->files.size.bytes = job->files.filesize_min * job->files.nrfiles;
        job->files.size.set = true;
        job->files.size_of_filesize = true; /* fio's o.size stays 0 (no_end.c) */
    }
    /* a replay's IO is what its log says (io/core/iolog_read.c) */
    if (!job->files.size.set && !job->files.filesize_min && !job->files.filename_explicit &&
        !job->files.fill_device && !job->replay.read_iolog && !pseudo_io(job))
        return tio__job_error(err, job,
                              "no size given (set size=, or filesize=, or point "
                              "filename= at an existing file or device to use its size)");
    if (job->files.size.set && !job->files.size.percent && job->files.size.bytes < min_bs(job))
        return tio__job_error(err, job,
                              "size (%llu bytes) is smaller than the block size "
                              "(%llu bytes), so no IO could be done (raise size or lower bs)",
                              (unsigned long long)job->files.size.bytes,
                              (unsigned long long)min_bs(job));

    rc = resolve_bs(job, err);
    if (rc)
        return rc;
    resolve_verify_interval(job);
    rc = tio__resolve_buffers(job, err);
    if (rc)
        return rc;
    /* blockalign only moves random offsets, as in fio; any alignment other
     * than the block size turns off the random map (fio says so too) */
    for (d = 0; d < TIO_JOB_DDIR_COUNT; d++)
        if (!job->pattern.ba[d] || !tio_rw_is_random(job->pattern.rw))
            job->pattern.ba[d] = job->pattern.bs[d];
    rc = resolve_random(job, err);
    if (rc)
        return rc;
    if (memcmp(job->pattern.ba, job->pattern.bs, sizeof(job->pattern.ba)) != 0)
        job->pattern.norandommap = true;
    rc = tio__resolve_zones(job, err);
    if (rc)
        return rc;
    /* latency_target varies the depth of the job's own queue; offload's
     * depth is its pool's */
    if (job->queue.offload && job->latency.target)
        return tio_error_set(err, TIO_EUNSUPPORTED, &job->origin, NULL, NULL,
                             "job '%s': latency_target with io_submit_mode=offload is not "
                             "supported by tenon-io (use io_submit_mode=inline, or drop "
                             "latency_target)",
                             job->identity.name);
    rc = check_arithmetic(job, err);
    if (rc)
        return rc;
    /* batch sizes beyond the queue depth cannot happen: clamp them, as fio
     * does, rather than refuse job files that fio runs */
    if (job->queue.iodepth_batch > job->queue.iodepth)
        job->queue.iodepth_batch = job->queue.iodepth;
    if (!job->queue.iodepth_batch_complete_max ||
        job->queue.iodepth_batch_complete_max > job->queue.iodepth)
        job->queue.iodepth_batch_complete_max = job->queue.iodepth;
    /* a max below the min is raised to it, as fio */
    if (job->queue.iodepth_batch_complete_min > job->queue.iodepth_batch_complete_max)
        job->queue.iodepth_batch_complete_max = job->queue.iodepth_batch_complete_min;
    if (!job->queue.iodepth_low || job->queue.iodepth_low > job->queue.iodepth)
        job->queue.iodepth_low = job->queue.iodepth;
    return TIO_OK;
}

/* wait_for, as fio checks it: the waitee is a job defined before this
 * one (no forward reference), not the job itself, and its name is unique
 * among those. */
static int check_wait_for(const struct tio_plan *s, size_t i, struct tio_error *err)
{
    const struct tio_job *job = &s->jobs[i];
    const char *waitee = job->flow.wait_for;
    if (!waitee)
        return TIO_OK;
    if (!strcmp(waitee, job->identity.name))
        return tio__job_error(err, job, "a job cannot wait for itself (wait_for=%s)", waitee);
    unsigned found = 0;
    for (size_t k = 0; k < i; k++)
        found += !strcmp(s->jobs[k].identity.name, waitee);
    if (found > 1)
        return tio__job_error(err, job,
                              "wait_for=%s names %u jobs defined before this one: give the "
                              "waitee "
                              "a name of its own",
                              waitee, found);
    if (found == 0) {
        for (size_t k = i + 1; k < s->nr_jobs; k++)
            if (!strcmp(s->jobs[k].identity.name, waitee))
                return tio__job_error(err, job,
                                      "wait_for=%s: that job is defined after this one; a "
                                      "waitee "
                                      "must come first in the job file (move it up)",
                                      waitee);
        return tio__job_error(err, job,
                              "wait_for=%s: no job of that name (wait_for names a job section "
                              "defined before this one)",
                              waitee);
    }
    return TIO_OK;
}

static void free_jobs(const struct tio_allocator *a, struct tio_job *jobs, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        tio__job_free(a, &jobs[i]);
    tio__free(a, jobs);
}

int tio_plan_resolve(struct tio_plan *s, struct tio_error *err)
{
    const struct tio_allocator *a;
    struct tio_job *out;
    size_t total = 0, n = 0, files = 0, i;
    struct tio_error scratch;
    unsigned c, group = 0;
    int rc;

    if (!err)
        err = &scratch;
    tio_error_clear(err);
    if (!s)
        return tio_error_set(err, TIO_EINVAL, NULL, NULL, NULL, "no plan to resolve");
    if (s->resolved)
        return TIO_OK;
    a = &s->alloc;
    /* fio: --parse-only with options and no job checks the options alone */
    if (s->nr_jobs == 0 && s->program.parse_only && s->cmdline_global) {
        s->resolved = true;
        return TIO_OK;
    }
    if (s->nr_jobs == 0)
        return tio_error_set(err, TIO_EUSAGE, NULL, NULL, NULL,
                             "no jobs to run (give a job file, or --name=NAME followed by job "
                             "options; see tenon-io --help)");
    for (i = 0; i < s->nr_jobs; i++) {
        rc = check_wait_for(s, i, err);
        if (rc)
            return rc;
        total += s->jobs[i].identity.numjobs;
        if (total > TIO_MAX_JOBS)
            return tio__job_error(err, &s->jobs[i],
                                  "more than %u jobs once numjobs is applied "
                                  "(lower numjobs)",
                                  TIO_MAX_JOBS);
    }
    out = tio__reallocarray(a, NULL, total, sizeof(*out));
    if (!out)
        return tio__oom(err);

    for (i = 0; i < s->nr_jobs; i++) {
        for (c = 0; c < s->jobs[i].identity.numjobs; c++) {
            struct tio_job *j = &out[n];

            if (tio__job_copy(a, j, &s->jobs[i]) != 0) {
                free_jobs(a, out, n);
                return tio__oom(err);
            }
            n++;
            j->index = (unsigned)(n - 1);
            /* fio adds the clones last first: the job after the first
             * instance is $jobnum numjobs-1 (its files, offset_increment
             * step, read_iolog part), the last one is $jobnum 1 */
            j->clone = c ? s->jobs[i].identity.numjobs - c : 0;
            if (c > 0) {
                /* clones run beside their first instance, as in fio */
                j->identity.stonewall = false;
                j->identity.new_group = false;
            }
            rc = resolve_job(a, j, &files, err);
            if (rc) {
                free_jobs(a, out, n);
                return rc;
            }
            if (j->index > 0 && j->clone == 0 &&
                (j->identity.stonewall || j->identity.new_group))
                group++;
            j->group = group;
        }
    }

    free_jobs(a, s->jobs, s->nr_jobs);
    s->jobs = out;
    s->nr_jobs = n;
    s->jobs_cap_ = n;
    s->nr_groups = group + 1;
    s->resolved = true;
    return TIO_OK;
}
