#include "tio_job_result.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct tio_job_result *tio_job_result_new(const char *name, unsigned groupid,
                                          uint64_t sample_interval_ns, size_t series_cap)
{
    /* calloc: the result is large (the histograms) and mostly zero. */
    struct tio_job_result *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->name = strdup(name ? name : "");
    if (!r->name) {
        free(r);
        return NULL;
    }
    r->groupid = groupid;
    r->njobs = 1;
    r->iodepth = 1;
    r->latency_percentile = 100.0;
    r->clat_percentiles = true;
    r->sig_figs = 4;
    tio_job_stats_init(&r->stats, sample_interval_ns, series_cap);
    return r;
}

void tio_job_result_free(struct tio_job_result *r)
{
    if (!r)
        return;
    free(r->name);
    free(r->error_text);
    tio_kv_list_free(&r->options);
    if (r->mixed) {
        free(r->mixed->slat_hist);
        free(r->mixed->lat_hist);
        tio_prio_stats_free(&r->mixed->prios);
        free(r->mixed);
    }
    tio_job_stats_fini(&r->stats);
    tio_ss_free(r->ss);
    free(r);
}

int tio_job_result_error(const struct tio_job_result *r)
{
    if (r->error)
        return r->error;
    return r->continue_on_error ? r->stats.first_error : 0;
}

int tio_job_result_set_error(struct tio_job_result *r, int error, const char *text)
{
    char *copy = NULL;
    if (text) {
        copy = strdup(text);
        if (!copy)
            return -ENOMEM;
    }
    free(r->error_text);
    r->error_text = copy;
    r->error = error;
    return 0;
}

int tio_job_result_add_option(struct tio_job_result *r, const char *key, const char *value)
{
    return tio_kv_list_set(&r->options, key, value);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void tio_job_result_set_percentiles(struct tio_job_result *r, const double *p, size_t n)
{
    if (n > TIO_RESULT_PERCENTILES_MAX)
        n = TIO_RESULT_PERCENTILES_MAX;
    memcpy(r->percentiles, p, n * sizeof(*p));
    r->npercentiles = n;
    qsort(r->percentiles, n, sizeof(*r->percentiles), cmp_double);
}

uint64_t tio_job_result_runtime_ms(const struct tio_job_result *r)
{
    if (r->runtime_ms)
        return r->runtime_ms;
    const struct tio_job_stats *js = &r->stats;
    if (js->end_ns > js->start_ns)
        return (js->end_ns - js->start_ns) / 1000000u;
    return 0;
}

struct tio_job_result *tio_job_result_aggregate(struct tio_job_result *const *jobs, size_t n)
{
    if (n == 0)
        return NULL;
    const struct tio_job_result *first = jobs[0];
    struct tio_job_result *g = tio_job_result_new(first->name, first->groupid,
                                                  first->stats.sample_interval_ns, 2);
    if (!g)
        return NULL;
    if (tio_kv_list_copy(&g->options, &first->options) != 0)
        goto fail;
    g->njobs = 0;
    g->group_reporting = first->group_reporting;
    g->hidden = first->hidden;
    g->pid = first->pid;
    g->iodepth = first->iodepth;
    g->latency_target_us = first->latency_target_us;
    g->latency_window_us = first->latency_window_us;
    g->latency_percentile = first->latency_percentile;
    g->continue_on_error = first->continue_on_error;
    g->unified_rw = first->unified_rw;
    g->sig_figs = first->sig_figs;
    g->clat_percentiles = first->clat_percentiles;
    g->lat_percentiles = first->lat_percentiles;
    g->slat_percentiles = first->slat_percentiles;
    g->npercentiles = first->npercentiles;
    memcpy(g->percentiles, first->percentiles, sizeof(g->percentiles));
    if (tio_job_stats_keep_hists(&g->stats, first->stats.dir[0].slat_hist != NULL,
                                 first->stats.dir[0].lat_hist != NULL) != 0)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        const struct tio_job_result *j = jobs[i];
        g->njobs += j->njobs;
        if (!g->error && j->error) {
            if (tio_job_result_set_error(g, j->error, j->error_text) != 0)
                goto fail;
        }
        if (j->end_time > g->end_time)
            g->end_time = j->end_time;
        if (j->elapsed_s > g->elapsed_s)
            g->elapsed_s = j->elapsed_s;
        if (j->eta_s > g->eta_s)
            g->eta_s = j->eta_s;
        g->runtime_ms += tio_job_result_runtime_ms(j);
        tio_cpu_usage_add(&g->cpu, &j->cpu);
        tio_job_stats_merge(&g->stats, &j->stats);
        /* the group's samples are held by one of its jobs */
        if (j->ss && !g->ss && !(g->ss = tio_ss_dup(j->ss)))
            goto fail;
    }
    return g;
fail:
    tio_job_result_free(g);
    return NULL;
}
