/* From parsed jobs to runnable ones: numjobs clones, fio's derived
 * defaults, file names, reporting groups, and the checks fio makes before
 * it starts (so the host never has to second-guess a resolved job). */
#include <stdio.h>
#include <string.h>

#include "job_internal.h"

static int job_error(struct tio_error *err, const struct tio_job *job, const char *fmt, ...)
    TIO__PRINTF(3, 4);

static int job_error(struct tio_error *err, const struct tio_job *job, const char *fmt, ...)
{
    char msg[TIO_ERROR_TEXT_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return tio_error_set(err, TIO_EJOB, &job->origin, NULL, NULL, "job '%s': %s", job->name, msg);
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
static char *format_name(const struct tio_allocator *a, const struct tio_job *job, unsigned filenum)
{
    const char *p = job->filename_format;
    struct tio__buf b;

    tio__buf_init(&b, a);
    while (*p) {
        if (strncmp(p, "$jobname", 8) == 0) {
            tio__buf_puts(&b, job->name);
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
    size_t i;

    if (job->filename_explicit) {
        /* fio prefixes the first directory even to absolute names */
        for (i = 0; i < job->filenames.n; i++) {
            char *n = job->directories.n ? join_dir(a, job->directories.v[0], job->filenames.v[i])
                                         : tio__strdup(a, job->filenames.v[i]);

            if (tio__strv_push(a, &names, n) != 0)
                goto oom;
        }
    } else {
        /* generated names spread the clones over the directories, as fio */
        const char *dir = job->directories.n ? job->directories.v[job->clone % job->directories.n]
                                             : NULL;

        if (*total + job->nrfiles > TIO_MAX_FILES) {
            tio__strv_free(a, &names);
            return job_error(err, job, "more than %u files in all jobs (lower nrfiles or numjobs)",
                             TIO_MAX_FILES);
        }
        for (i = 0; i < job->nrfiles; i++) {
            char *base = format_name(a, job, (unsigned)i);
            char *n = base && dir ? join_dir(a, dir, base) : base;

            if (n != base)
                tio__free(a, base);
            if (tio__strv_push(a, &names, n) != 0)
                goto oom;
        }
    }
    if (*total + names.n > TIO_MAX_FILES) {
        tio__strv_free(a, &names);
        return job_error(err, job, "more than %u files in all jobs", TIO_MAX_FILES);
    }
    *total += names.n;
    tio__strv_free(a, &job->filenames);
    job->filenames = names;
    job->nrfiles = (unsigned)names.n;
    return TIO_OK;
oom:
    tio__strv_free(a, &names);
    return tio__oom(err);
}

static uint64_t min_bs(const struct tio_job *job)
{
    uint64_t m = UINT64_MAX;

    if (tio_rw_reads(job->rw) && job->bs[TIO_JOB_DDIR_READ] < m)
        m = job->bs[TIO_JOB_DDIR_READ];
    if (tio_rw_writes(job->rw) && job->bs[TIO_JOB_DDIR_WRITE] < m)
        m = job->bs[TIO_JOB_DDIR_WRITE];
    return m;
}

static int resolve_job(const struct tio_allocator *a, struct tio_job *job, size_t *total_files,
                       struct tio_error *err)
{
    int d, rc;

    rc = resolve_files(a, job, total_files, err);
    if (rc)
        return rc;

    if (!job->size.set && job->filesize_min && job->filesize_min == job->filesize_max) {
        if (job->filesize_min > UINT64_MAX / job->nrfiles)
            return job_error(err, job, "filesize times nrfiles does not fit in 64 bits");
        job->size.bytes = job->filesize_min * job->nrfiles;
        job->size.set = true;
    }
    if (!job->size.set && !job->filesize_min && !job->filename_explicit)
        return job_error(err, job, "no size given (set size=, or filesize=, or point "
                         "filename= at an existing file or device to use its size)");
    if (job->size.set && !job->size.percent && job->size.bytes < min_bs(job))
        return job_error(err, job, "size (%llu bytes) is smaller than the block size "
                         "(%llu bytes), so no IO could be done (raise size or lower bs)",
                         (unsigned long long)job->size.bytes,
                         (unsigned long long)min_bs(job));

    /* blockalign only moves random offsets, as in fio; any alignment other
     * than the block size turns off the random map (fio says so too) */
    for (d = 0; d < TIO_JOB_DDIR_COUNT; d++)
        if (!job->ba[d] || !tio_rw_is_random(job->rw))
            job->ba[d] = job->bs[d];
    if (memcmp(job->ba, job->bs, sizeof(job->ba)) != 0) {
        if (job->verify != TIO_VERIFY_NONE)
            return tio_error_set(err, TIO_EUNSUPPORTED, &job->origin, NULL, NULL,
                                 "job '%s': blockalign other than the block size together "
                                 "with verify is not supported by tenon-io yet (remove ba= "
                                 "or verify=)", job->name);
        job->norandommap = true;
    }
    /* batch sizes beyond the queue depth cannot happen: clamp them, as fio
     * does, rather than refuse job files that fio runs */
    if (job->iodepth_batch > job->iodepth)
        job->iodepth_batch = job->iodepth;
    if (!job->iodepth_batch_complete_max || job->iodepth_batch_complete_max > job->iodepth)
        job->iodepth_batch_complete_max = job->iodepth;
    /* a max below the min is raised to it, as fio */
    if (job->iodepth_batch_complete_min > job->iodepth_batch_complete_max)
        job->iodepth_batch_complete_max = job->iodepth_batch_complete_min;
    if (!job->iodepth_low || job->iodepth_low > job->iodepth)
        job->iodepth_low = job->iodepth;
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
    if (s->nr_jobs == 0)
        return tio_error_set(err, TIO_EUSAGE, NULL, NULL, NULL,
                             "no jobs to run (give a job file, or --name=NAME followed by job "
                             "options; see tenon-io --help)");
    for (i = 0; i < s->nr_jobs; i++) {
        total += s->jobs[i].numjobs;
        if (total > TIO_MAX_JOBS)
            return job_error(err, &s->jobs[i], "more than %u jobs once numjobs is applied "
                             "(lower numjobs)", TIO_MAX_JOBS);
    }
    out = tio__reallocarray(a, NULL, total, sizeof(*out));
    if (!out)
        return tio__oom(err);

    for (i = 0; i < s->nr_jobs; i++) {
        for (c = 0; c < s->jobs[i].numjobs; c++) {
            struct tio_job *j = &out[n];

            if (tio__job_copy(a, j, &s->jobs[i]) != 0) {
                free_jobs(a, out, n);
                return tio__oom(err);
            }
            n++;
            j->index = (unsigned)(n - 1);
            j->clone = c;
            if (c > 0) {
                /* clones run beside their first instance, as in fio */
                j->stonewall = false;
                j->new_group = false;
            }
            rc = resolve_job(a, j, &files, err);
            if (rc) {
                free_jobs(a, out, n);
                return rc;
            }
            if (j->index > 0 && j->clone == 0 && (j->stonewall || j->new_group))
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
