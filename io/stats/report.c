/* The report object: jobs in, group sums and group totals out. */
#include "report_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tio_outfile.h"

struct tio_report *tio_report_new(const char *version)
{
    struct tio_report *rep = calloc(1, sizeof(*rep));
    if (!rep)
        return NULL;
    rep->version = strdup(version ? version : "");
    if (!rep->version) {
        free(rep);
        return NULL;
    }
    clock_gettime(CLOCK_REALTIME, &rep->wall);
    memcpy(rep->percentiles, tio_default_percentiles, sizeof(tio_default_percentiles));
    rep->npercentiles = TIO_DEFAULT_PERCENTILES_N;
    rep->terse_version = 3;
    return rep;
}

int tio_report_set_preamble(struct tio_report *rep, const char *text, size_t len)
{
    char *copy = malloc(len ? len : 1);
    if (!copy)
        return -ENOMEM;
    memcpy(copy, text, len);
    free(rep->preamble);
    rep->preamble = copy;
    rep->preamble_len = len;
    return 0;
}

void tio_report_set_terse_version(struct tio_report *rep, unsigned version)
{
    rep->terse_version = version >= 2 && version <= 5 ? version : 3;
}

void tio_report_free(struct tio_report *rep)
{
    if (!rep)
        return;
    for (size_t i = 0; i < rep->njobs; i++)
        tio_job_result_free(rep->jobs[i]);
    free(rep->jobs);
    for (size_t i = 0; i < rep->nsums; i++)
        tio_job_result_free(rep->sums[i]);
    free(rep->sums);
    free(rep->entries);
    free(rep->groups);
    free(rep->disks);
    tio__report_free_clients(rep);
    tio_kv_list_free(&rep->global_options);
    free(rep->version);
    free(rep->preamble);
    free(rep);
}

void tio_report_set_time(struct tio_report *rep, const struct timespec *wall)
{
    rep->wall = *wall;
}

int tio_report_add_global_option(struct tio_report *rep, const char *key, const char *value)
{
    return tio_kv_list_set(&rep->global_options, key, value);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int tio_report_set_percentiles(struct tio_report *rep, const double *p, size_t n)
{
    if (!p || n == 0 || n > TIO_PERCENTILES_MAX)
        return -EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!(p[i] > 0.0 && p[i] <= 100.0))
            return -EINVAL;
    memcpy(rep->percentiles, p, n * sizeof(*p));
    rep->npercentiles = n;
    qsort(rep->percentiles, n, sizeof(double), cmp_double);
    return 0;
}

int tio_report_add_job(struct tio_report *rep, struct tio_job_result *job)
{
    if (!job)
        return -EINVAL;
    if (rep->finalized)
        return -EBUSY;
    if (rep->njobs == rep->jobs_cap) {
        size_t cap = rep->jobs_cap ? rep->jobs_cap * 2 : 8;
        struct tio_job_result **jobs = realloc(rep->jobs, cap * sizeof(*jobs));
        if (!jobs)
            return -ENOMEM;
        rep->jobs = jobs;
        rep->jobs_cap = cap;
    }
    rep->jobs[rep->njobs++] = job;
    return 0;
}

int tio_report_add_disk(struct tio_report *rep, const struct tio_disk_util *disk)
{
    struct tio_disk_util *d = realloc(rep->disks, (rep->ndisks + 1) * sizeof(*d));
    if (!d)
        return -ENOMEM;
    rep->disks = d;
    rep->disks[rep->ndisks++] = *disk;
    return 0;
}

static bool group_seen(const struct tio_report *rep, size_t upto, unsigned groupid)
{
    for (size_t i = 0; i < upto; i++)
        if (rep->jobs[i]->groupid == groupid)
            return true;
    return false;
}

static void add_to_total(struct tio_group_total *g, const struct tio_job_result *e)
{
    for (int d = 0; d < TIO_DDIR_COUNT; d++) {
        const struct tio_dir_stats *ds = &e->stats.dir[d];
        uint64_t run_ms = tio_runtime_ms(ds->runtime_ns);
        if (!ds->ios && !ds->bytes)
            continue;
        uint64_t bw = run_ms ? (uint64_t)((tio_u128)ds->bytes * 1000u / run_ms) : 0;
        if (!g->present[d]) {
            g->present[d] = true;
            g->min_bw[d] = bw;
            g->max_bw[d] = bw;
            g->min_run_ms[d] = run_ms;
            g->max_run_ms[d] = run_ms;
        } else {
            if (bw < g->min_bw[d])
                g->min_bw[d] = bw;
            if (bw > g->max_bw[d])
                g->max_bw[d] = bw;
            if (run_ms < g->min_run_ms[d])
                g->min_run_ms[d] = run_ms;
            if (run_ms > g->max_run_ms[d])
                g->max_run_ms[d] = run_ms;
        }
        g->io_bytes[d] += ds->bytes;
    }
}

/* Drops everything finalize built, so that a failed finalize can be retried. */
static void unfinalize(struct tio_report *rep)
{
    for (size_t i = 0; i < rep->nsums; i++)
        tio_job_result_free(rep->sums[i]);
    free(rep->sums);
    free(rep->entries);
    free(rep->groups);
    rep->sums = NULL;
    rep->entries = NULL;
    rep->groups = NULL;
    rep->nsums = rep->nentries = rep->ngroups = 0;
}

/* unified_rw_reporting=mixed: the job's directions become one, in the read
 * slot, so the writers and the group totals see a single direction. */
static void mix_in_place(struct tio_job_result *r)
{
    if (r->unified_rw != TIO_UNIFIED_MIXED)
        return;
    for (int d = 0; d < TIO_DDIR_COUNT; d++) {
        if (d == TIO_DDIR_READ)
            continue;
        tio_dir_stats_mix(&r->stats.dir[TIO_DDIR_READ], &r->stats.dir[d]);
        tio_dir_stats_clear(&r->stats.dir[d]);
    }
}

static struct tio_hist *hist_like(const struct tio_hist *model)
{
    struct tio_hist *h = model ? malloc(sizeof(*h)) : NULL;
    if (h)
        tio_hist_init(h);
    return h;
}

/* unified_rw_reporting=both: the mixed direction beside the others. */
static int build_mixed(struct tio_job_result *r)
{
    if (r->unified_rw != TIO_UNIFIED_BOTH || r->mixed)
        return 0;
    const struct tio_dir_stats *r0 = &r->stats.dir[TIO_DDIR_READ];
    struct tio_dir_stats *m = calloc(1, sizeof(*m));
    if (!m)
        return -ENOMEM;
    tio_dir_stats_clear(m);
    m->slat_hist = hist_like(r0->slat_hist);
    m->lat_hist = hist_like(r0->lat_hist);
    r->mixed = m;
    if ((r0->slat_hist && !m->slat_hist) || (r0->lat_hist && !m->lat_hist))
        return -ENOMEM;
    for (int d = 0; d < TIO_DDIR_COUNT; d++)
        tio_dir_stats_mix(m, &r->stats.dir[d]);
    return 0;
}

int tio_report_finalize(struct tio_report *rep)
{
    if (rep->finalized)
        return 0;
    size_t n = rep->njobs;
    for (size_t i = 0; i < n; i++)
        mix_in_place(rep->jobs[i]);
    rep->entries = calloc(n ? n : 1, sizeof(*rep->entries));
    rep->sums = calloc(n ? n : 1, sizeof(*rep->sums));
    rep->groups = calloc(n ? n : 1, sizeof(*rep->groups));
    struct tio_job_result **members = calloc(n ? n : 1, sizeof(*members));
    if (!rep->entries || !rep->sums || !rep->groups || !members)
        goto nomem;

    /* Groups in order of first appearance; within a group, jobs in the order
     * they were added. */
    for (size_t i = 0; i < n; i++) {
        unsigned gid = rep->jobs[i]->groupid;
        if (group_seen(rep, i, gid))
            continue;
        size_t nm = 0;
        bool sum = false;
        for (size_t j = i; j < n; j++) {
            /* stats=0: the group stays, without the job (as fio's) */
            if (rep->jobs[j]->groupid != gid || rep->jobs[j]->hidden)
                continue;
            members[nm++] = rep->jobs[j];
            sum |= rep->jobs[j]->group_reporting;
        }
        size_t first_entry = rep->nentries;
        if (sum && nm > 0) {
            struct tio_job_result *s = tio_job_result_aggregate(members, nm);
            if (!s)
                goto nomem;
            rep->sums[rep->nsums++] = s;
            rep->entries[rep->nentries++] = s;
        } else {
            for (size_t k = 0; k < nm; k++)
                rep->entries[rep->nentries++] = members[k];
        }
        struct tio_group_total *g = &rep->groups[rep->ngroups++];
        g->groupid = gid;
        g->unified_rw = rep->jobs[i]->unified_rw;
        g->sig_figs = rep->nentries > first_entry ? rep->entries[rep->nentries - 1]->sig_figs
                                                  : 4;
        for (size_t k = first_entry; k < rep->nentries; k++)
            add_to_total(g, rep->entries[k]);
        for (int d = 0; d < TIO_DDIR_COUNT; d++)
            if (g->present[d] && g->max_run_ms[d])
                g->agg_bw[d] = (uint64_t)((tio_u128)g->io_bytes[d] * 1000u / g->max_run_ms[d]);
    }
    free(members);
    for (size_t i = 0; i < rep->njobs; i++)
        if (build_mixed(rep->jobs[i]) != 0)
            goto nomem_built;
    for (size_t i = 0; i < rep->nsums; i++)
        if (build_mixed(rep->sums[i]) != 0)
            goto nomem_built;
    rep->finalized = true;
    return 0;
nomem_built:
    unfinalize(rep);
    return -ENOMEM;
nomem:
    free(members);
    unfinalize(rep);
    return -ENOMEM;
}

size_t tio_report_entry_count(const struct tio_report *rep)
{
    return rep->nentries;
}

const struct tio_job_result *tio_report_entry(const struct tio_report *rep, size_t i)
{
    return i < rep->nentries ? rep->entries[i] : NULL;
}

size_t tio_report_job_count(const struct tio_report *rep)
{
    return rep->njobs;
}

const struct tio_job_result *tio_report_job(const struct tio_report *rep, size_t i)
{
    return i < rep->njobs ? rep->jobs[i] : NULL;
}

size_t tio_report_group_count(const struct tio_report *rep)
{
    return rep->ngroups;
}

const struct tio_group_total *tio_report_group(const struct tio_report *rep, size_t i)
{
    return i < rep->ngroups ? &rep->groups[i] : NULL;
}

const struct tio_group_total *tio_report_group_of(const struct tio_report *rep,
                                                  unsigned groupid)
{
    for (size_t i = 0; i < rep->ngroups; i++)
        if (rep->groups[i].groupid == groupid)
            return &rep->groups[i];
    return NULL;
}

int tio__report_render(struct tio_report *rep,
                       void (*body)(FILE *f, const struct tio_report *rep), FILE *out)
{
    int rc = tio_report_finalize(rep);
    if (rc)
        return rc;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return -ENOMEM;
    body(f, rep);
    bool failed = ferror(f) != 0;
    if (fclose(f) != 0 || failed) {
        free(text);
        return -ENOMEM;
    }
    size_t put = fwrite(text, 1, len, out);
    int e = put == len ? 0 : errno;
    free(text);
    if (put != len)
        return -(e ? e : EIO);
    if (fflush(out) != 0)
        return -errno;
    return 0;
}

int tio_report_write(struct tio_report *rep, FILE *out, unsigned formats)
{
    int rc = 0;
    if (rep->preamble_len &&
        fwrite(rep->preamble, 1, rep->preamble_len, out) != rep->preamble_len)
        rc = -(errno ? errno : EIO);
    if (rc == 0 && (formats & TIO_REPORT_TERSE))
        rc = tio_report_write_terse(rep, out);
    if (rc == 0 && (formats & TIO_REPORT_JSON_PLUS))
        rc = tio_report_write_json_plus(rep, out);
    else if (rc == 0 && (formats & TIO_REPORT_JSON))
        rc = tio_report_write_json(rep, out);
    if (rc == 0 && (formats & TIO_REPORT_NORMAL))
        rc = tio_report_write_normal(rep, out);
    return rc;
}

int tio_report_write_file(struct tio_report *rep, const char *path, unsigned formats,
                          struct tio_error *err)
{
    struct tio_outfile *of = NULL;
    int rc = tio_outfile_open(&of, path, err);
    if (rc)
        return rc;
    rc = tio_report_write(rep, tio_outfile_stream(of), formats);
    if (rc) {
        /* The writers report the error of the call that failed (ENOSPC from
         * the flush, ENOMEM while building); later calls could only guess. */
        tio_error_set(err, TIO_EOUTPUT, NULL, NULL, NULL,
                      "cannot write results to '%s': %s; any previous '%s' is unchanged", path,
                      strerror(-rc), path);
        tio_outfile_abort(of);
        return rc;
    }
    return tio_outfile_commit(of, err);
}
