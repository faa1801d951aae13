/* Every rank's results to rank 0: per job, the aggregate over the ranks
 * becomes the job's result (what the normal report and JSON "jobs" show),
 * and each rank's own result is kept for JSON "client_stats".
 *
 * The aggregate is fio's group sum taken over ranks: bytes and IOs add,
 * the runtime is the longest rank's (so bandwidth and IOPS are IOR's: all
 * bytes over the longest runtime), and the latency histograms merge bin
 * by bin, so percentiles are those of every IO of every rank. The ranks
 * run the same binary, so a job's statistics travel as bytes; its
 * throughput over time (the series --plot draws) follows as points. */
#include "coord_mpi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tio_report.h"

/* One rank's end of one job. */
struct rank_end {
    int error;
    int own; /* the error happened there, not because another rank stopped */
    uint64_t verify_failures;
    char text[TIO_ERR_TEXT];
    struct tio_cpu_usage cpu;
    struct tio_job_stats stats;
};

static void *need(void *p)
{
    if (!p) {
        fprintf(stderr, "tenon-io: rank %d: out of memory gathering the results\n",
                tio__mpi.rank);
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    return p;
}

/* Rank r's result of job t, from what it sent. */
static struct tio_job_result *rank_result(const struct tio_host_job *t,
                                          const struct rank_end *e)
{
    const struct tio_job_result *mine = t->result;
    struct tio_job_result *r = need(tio_job_result_new(mine->name, mine->groupid, 0, 0));
    struct tio_series empty = r->stats.series;
    r->stats = e->stats;
    r->stats.series = empty; /* the sender's pointers mean nothing here */
    r->stats.live = NULL;
    for (int d = 0; d < TIO_DDIR_COUNT; d++) { /* they travel apart: gather_hists() */
        r->stats.dir[d].slat_hist = r->stats.dir[d].lat_hist = NULL;
        r->stats.dir[d].prios = (struct tio_prio_stats){0, NULL};
    }
    r->cpu = e->cpu;
    r->iodepth = t->job->queue.iodepth;
    r->group_reporting = mine->group_reporting;
    /* what the report shows of it: the same job file's on every rank */
    r->unified_rw = mine->unified_rw;
    r->clat_percentiles = mine->clat_percentiles;
    r->lat_percentiles = mine->lat_percentiles;
    r->slat_percentiles = mine->slat_percentiles;
    r->npercentiles = mine->npercentiles;
    memcpy(r->percentiles, mine->percentiles, sizeof(r->percentiles));
    if (tio_kv_list_copy(&r->options, &mine->options) != 0 ||
        (e->error && tio_job_result_set_error(r, e->error, e->text) != 0))
        need(NULL);
    return r;
}

/* A histogram each rank may keep (slat or lat percentiles): every rank
 * runs the same job, so all or none have it. Rank 0 gets each rank's
 * into dst[r]. */
static void gather_hist(struct tio_mpi *m, const struct tio_hist *mine, struct tio_hist **dst,
                        struct tio_hist *scratch)
{
    if (!mine)
        return;
    bool root = m->rank == 0;
    MPI_Gather(mine, (int)sizeof(*mine), MPI_BYTE, root ? scratch : NULL, (int)sizeof(*mine),
               MPI_BYTE, 0, MPI_COMM_WORLD);
    for (int r = 0; root && r < m->size; r++) {
        dst[r] = need(malloc(sizeof(*dst[r])));
        *dst[r] = scratch[r];
    }
}

/* The latency per priority (cmdprio_*): its count may differ by rank. */
static void gather_prios(struct tio_mpi *m, const struct tio_prio_stats *mine,
                         struct tio_prio_stats **dst)
{
    bool root = m->rank == 0;
    int n = (int)mine->n, *counts = NULL, *displs = NULL;
    if (root) {
        counts = need(calloc((size_t)m->size, sizeof(*counts)));
        displs = need(calloc((size_t)m->size, sizeof(*displs)));
    }
    MPI_Gather(&n, 1, MPI_INT, counts, 1, MPI_INT, 0, MPI_COMM_WORLD);
    int total = 0;
    const int each = (int)sizeof(struct tio_prio_hist);
    for (int r = 0; root && r < m->size; r++) {
        displs[r] = total * each;
        total += counts[r];
        counts[r] *= each;
    }
    struct tio_prio_hist *all = root && total ? need(calloc((size_t)total, sizeof(*all)))
                                              : NULL;
    MPI_Gatherv(mine->e, n * each, MPI_BYTE, all, counts, displs, MPI_BYTE, 0, MPI_COMM_WORLD);
    for (int r = 0; all && r < m->size; r++) { /* none when no rank had any */
        const struct tio_prio_hist *from = all + displs[r] / each;
        for (int k = 0; k < counts[r] / each; k++) {
            int at = tio_prio_stats_index(dst[r], from[k].ioprio);
            if (at < 0)
                need(NULL);
            dst[r]->e[at].h = from[k].h;
        }
    }
    free(all);
    free(counts);
    free(displs);
}

/* What the fixed-size part of the statistics cannot carry: the optional
 * histograms, into rank 0's per-rank results rs. */
static void gather_hists(struct tio_mpi *m, const struct tio_job_stats *mine,
                         struct tio_job_result **rs)
{
    bool root = m->rank == 0;
    struct tio_hist **to = need(calloc((size_t)m->size, sizeof(*to)));
    struct tio_prio_stats **pto = need(calloc((size_t)m->size, sizeof(*pto)));
    struct tio_hist *scratch = root ? need(calloc((size_t)m->size, sizeof(*scratch))) : NULL;
    for (int d = 0; d < TIO_DDIR_COUNT; d++) {
        const struct tio_dir_stats *ds = &mine->dir[d];
        gather_hist(m, ds->slat_hist, to, scratch);
        for (int r = 0; root && ds->slat_hist && r < m->size; r++)
            rs[r]->stats.dir[d].slat_hist = to[r];
        gather_hist(m, ds->lat_hist, to, scratch);
        for (int r = 0; root && ds->lat_hist && r < m->size; r++)
            rs[r]->stats.dir[d].lat_hist = to[r];
        for (int r = 0; root && r < m->size; r++)
            pto[r] = &rs[r]->stats.dir[d].prios;
        gather_prios(m, &ds->prios, pto);
    }
    free(scratch);
    free(pto);
    free(to);
}

/* Rank 0: job i's results of every rank into one. */
static void combine(struct tio_mpi *m, struct tio_host_job *t, size_t i,
                    const struct rank_end *all)
{
    struct tio_job_result **rs = &m->ranks[i * (size_t)m->size];
    int culprit = -1;
    uint64_t failures = 0, longest = 0;
    for (int r = 0; r < m->size; r++) {
        failures += all[r].verify_failures;
        uint64_t ms = tio_job_result_runtime_ms(rs[r]);
        longest = ms > longest ? ms : longest;
        if (all[r].error && (culprit < 0 || (all[r].own && !all[culprit].own)))
            culprit = r;
    }
    struct tio_job_result *g = need(tio_job_result_aggregate(rs, (size_t)m->size));
    g->runtime_ms = longest;
    tio_job_result_free(t->result);
    t->result = g;
    t->verify_failures = failures;
    t->error = 0;
    if (culprit >= 0) {
        char text[TIO_ERR_TEXT];
        snprintf(text, sizeof(text), "rank %d on %s: %s", culprit, m->hosts[culprit],
                 all[culprit].text);
        t->error = all[culprit].error;
        snprintf(t->error_text, sizeof(t->error_text), "%s", text);
    }
}

/* Every rank's points of one job's throughput over time (its series), on
 * rank 0: rank r's are pts[at[r] .. at[r + 1]). */
struct rank_series {
    struct tio_series_point *pts;
    int *at;
};

static void gather_series(struct tio_mpi *m, const struct tio_series *mine, bool root,
                          struct rank_series *out)
{
    int n = (int)tio_series_count(mine), sz = (int)sizeof(struct tio_series_point);
    int *counts = root ? need(calloc((size_t)m->size, sizeof(int))) : NULL;
    int *displs = root ? need(calloc((size_t)m->size, sizeof(int))) : NULL;
    out->at = root ? need(calloc((size_t)m->size + 1, sizeof(int))) : NULL;
    MPI_Gather(&n, 1, MPI_INT, counts, 1, MPI_INT, 0, MPI_COMM_WORLD);
    for (int r = 0; root && r < m->size; r++) {
        out->at[r + 1] = out->at[r] + counts[r];
        displs[r] = out->at[r] * sz;
        counts[r] *= sz;
    }
    out->pts = root ? need(calloc((size_t)out->at[m->size] + 1, (size_t)sz)) : NULL;
    MPI_Gatherv(tio_series_points(mine), n * sz, MPI_BYTE, out->pts, counts, displs, MPI_BYTE,
                0, MPI_COMM_WORLD);
    free(counts);
    free(displs);
}

/* Rank 0: each rank's points into its result of job i (--plot's per-rank
 * lines). */
static void keep_series(struct tio_mpi *m, size_t i, struct rank_series *rs)
{
    for (int r = 0; r < m->size; r++) {
        struct tio_series *to = &m->ranks[i * (size_t)m->size + (size_t)r]->stats.series;
        for (int k = rs->at[r]; k < rs->at[r + 1]; k++)
            tio_series_add(to, &rs->pts[k]);
        tio_series_flush(to);
    }
    free(rs->pts);
    free(rs->at);
}

bool tio__mpi_gather(struct tio_coord *c, struct tio_host *host)
{
    struct tio_mpi *m = c->data;
    bool root = m->rank == 0;
    tio__mpi_gather_free();
    if (root) {
        m->hosts = need(calloc((size_t)m->size, sizeof(*m->hosts)));
        m->nranks_results = host->n_threads * (size_t)m->size;
        m->ranks = need(calloc(m->nranks_results ? m->nranks_results : 1, sizeof(*m->ranks)));
    }
    MPI_Gather(m->host, (int)sizeof(m->host), MPI_CHAR, root ? m->hosts : NULL,
               (int)sizeof(m->host), MPI_CHAR, 0, MPI_COMM_WORLD);
    struct rank_end *mine = need(calloc(1, sizeof(*mine)));
    struct rank_end *all = root ? need(calloc((size_t)m->size, sizeof(*all))) : NULL;
    for (size_t i = 0; i < host->n_threads; i++) {
        struct tio_host_job *t = &host->threads[i];
        memset(mine, 0, sizeof(*mine));
        mine->error = t->error;
        mine->own = tio__mpi_own_error(i);
        mine->verify_failures = t->verify_failures;
        snprintf(mine->text, sizeof(mine->text), "%s", t->error ? t->error_text : "");
        mine->cpu = t->result->cpu;
        mine->stats = t->result->stats;
        MPI_Gather(mine, (int)sizeof(*mine), MPI_BYTE, all, (int)sizeof(*mine), MPI_BYTE, 0,
                   MPI_COMM_WORLD);
        struct tio_job_result **rs = root ? &m->ranks[i * (size_t)m->size] : NULL;
        for (int r = 0; root && r < m->size; r++)
            rs[r] = rank_result(t, &all[r]);
        gather_hists(m, &t->result->stats, rs);
        struct rank_series series;
        gather_series(m, &t->result->stats.series, root, &series);
        if (root) {
            keep_series(m, i, &series);
            combine(m, t, i, all);
        } else {
            t->error = 0; /* rank 0 reports it, naming this rank */
        }
    }
    free(mine);
    free(all);
    return root;
}

struct tio_job_result *const *tio__mpi_parts(const struct tio_coord *c, size_t job, size_t *n)
{
    const struct tio_mpi *m = c->data;
    size_t at = job * (size_t)m->size;
    *n = 0;
    if (!m->ranks || at >= m->nranks_results || !m->ranks[at])
        return NULL;
    *n = (size_t)m->size;
    return &m->ranks[at];
}

int tio__mpi_report(struct tio_coord *c, struct tio_report *rep)
{
    struct tio_mpi *m = c->data;
    if (!m->ranks || !m->run)
        return 0;
    for (size_t i = 0; i < m->run->n_threads; i++) {
        for (int r = 0; r < m->size; r++) {
            struct tio_job_result **slot = &m->ranks[i * (size_t)m->size + (size_t)r];
            if (tio_report_add_client(rep, *slot, m->hosts[r], (unsigned)r) != 0)
                return -1;
            *slot = NULL;
        }
    }
    return 0;
}

void tio__mpi_gather_free(void)
{
    struct tio_mpi *m = &tio__mpi;
    for (size_t i = 0; m->ranks && i < m->nranks_results; i++)
        tio_job_result_free(m->ranks[i]);
    m->nranks_results = 0;
    free(m->ranks);
    free(m->hosts);
    m->ranks = NULL;
    m->hosts = NULL;
}
