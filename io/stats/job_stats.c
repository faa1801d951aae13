#include "tio_job_stats.h"

#include "tio_stats_mailbox.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void dir_stats_init(struct tio_dir_stats *ds)
{
    ds->ios = 0;
    ds->bytes = 0;
    ds->short_ios = 0;
    ds->drop_ios = 0;
    ds->zone_resets = 0;
    ds->errors = 0;
    ds->runtime_ns = 0;
    tio_latstat_init(&ds->slat);
    tio_latstat_init(&ds->lat);
    tio_sstat_init(&ds->bw);
    tio_sstat_init(&ds->iops);
    tio_hist_init(&ds->clat);
    if (ds->slat_hist)
        tio_hist_init(ds->slat_hist);
    if (ds->lat_hist)
        tio_hist_init(ds->lat_hist);
    tio_prio_stats_reset(&ds->prios);
}

static void clear_counters(struct tio_job_stats *js)
{
    for (int d = 0; d < TIO_DDIR_COUNT; d++) {
        dir_stats_init(&js->dir[d]);
        js->last_ios[d] = 0;
        js->last_bytes[d] = 0;
        js->last_iops_ios[d] = 0;
    }
    tio_hist_init(&js->sync);
    js->sync_ios = 0;
    memset(js->depth, 0, sizeof(js->depth));
    memset(js->submit, 0, sizeof(js->submit));
    memset(js->complete, 0, sizeof(js->complete));
    memset(&js->errors, 0, sizeof(js->errors));
    js->nonfatal_errors = 0;
    js->first_error = 0;
}

void tio_job_stats_init(struct tio_job_stats *js, uint64_t sample_interval_ns,
                        size_t series_cap)
{
    for (int d = 0; d < TIO_DDIR_COUNT; d++) {
        js->dir[d].slat_hist = js->dir[d].lat_hist = NULL;
        js->dir[d].prios = (struct tio_prio_stats){0, NULL};
    }
    clear_counters(js);
    js->start_ns = 0;
    js->end_ns = 0;
    js->sample_interval_ns = sample_interval_ns ? sample_interval_ns
                                                : TIO_SAMPLE_INTERVAL_DEFAULT_NS;
    js->iops_interval_ns = js->sample_interval_ns;
    js->next_iops_ns = UINT64_MAX;
    js->last_iops_ns = 0;
    /* Nothing is due before tio_stats_start. */
    js->next_tick_ns = UINT64_MAX;
    js->next_sample_ns = UINT64_MAX;
    js->next_publish_ns = UINT64_MAX;
    js->last_sample_ns = 0;
    tio_series_init(&js->series, series_cap);
    js->live = NULL;
    js->mailbox = NULL;
}

void tio_job_stats_set_intervals(struct tio_job_stats *js, uint64_t bw_ns, uint64_t iops_ns)
{
    js->sample_interval_ns = bw_ns ? bw_ns : TIO_SAMPLE_INTERVAL_DEFAULT_NS;
    js->iops_interval_ns = iops_ns ? iops_ns : TIO_SAMPLE_INTERVAL_DEFAULT_NS;
}

void tio_job_stats_fini(struct tio_job_stats *js)
{
    tio_series_fini(&js->series);
    for (int d = 0; d < TIO_DDIR_COUNT; d++) {
        free(js->dir[d].slat_hist);
        free(js->dir[d].lat_hist);
        js->dir[d].slat_hist = js->dir[d].lat_hist = NULL;
        tio_prio_stats_free(&js->dir[d].prios);
    }
}

static int keep(struct tio_hist **h)
{
    if (*h)
        return 0;
    *h = malloc(sizeof(**h));
    if (!*h)
        return -ENOMEM;
    tio_hist_init(*h);
    return 0;
}

int tio_job_stats_keep_hists(struct tio_job_stats *js, bool slat, bool lat)
{
    for (int d = 0; d < TIO_DDIR_COUNT; d++) {
        if (slat && keep(&js->dir[d].slat_hist) != 0)
            return -ENOMEM;
        if (lat && keep(&js->dir[d].lat_hist) != 0)
            return -ENOMEM;
    }
    return 0;
}

void tio_job_stats_attach_live(struct tio_job_stats *js, struct tio_live_job *live)
{
    js->live = live;
}

void tio_job_stats_attach_mailbox(struct tio_job_stats *js, struct tio_stats_mailbox *mb)
{
    js->mailbox = mb;
}

int tio_job_stats_copy(struct tio_job_stats *dst, const struct tio_job_stats *src)
{
    bool slat = src->dir[0].slat_hist != NULL, lat = src->dir[0].lat_hist != NULL;
    if (tio_job_stats_keep_hists(dst, slat, lat) != 0)
        return -ENOMEM;
    struct tio_job_stats keep = *dst; /* its own memory: histograms, prios, series */
    *dst = *src;
    int rc = 0;
    for (int d = 0; d < TIO_DDIR_COUNT; d++) {
        struct tio_dir_stats *o = &dst->dir[d];
        const struct tio_dir_stats *k = &keep.dir[d];
        o->slat_hist = k->slat_hist;
        o->lat_hist = k->lat_hist;
        if (o->slat_hist)
            *o->slat_hist = src->dir[d].slat_hist ? *src->dir[d].slat_hist : *o->slat_hist;
        if (o->lat_hist)
            *o->lat_hist = src->dir[d].lat_hist ? *src->dir[d].lat_hist : *o->lat_hist;
        o->prios = k->prios;
        tio_prio_stats_reset(&o->prios);
        if (tio_prio_stats_merge(&o->prios, &src->dir[d].prios) != 0)
            rc = -ENOMEM;
    }
    dst->series = keep.series;
    dst->live = NULL;
    dst->mailbox = NULL;
    return rc;
}

static void publish(struct tio_job_stats *js, uint64_t now_ns)
{
    if (js->mailbox)
        tio_stats_mailbox_serve(js->mailbox, js, now_ns);
    if (!js->live)
        return;
    for (int d = 0; d < TIO_DDIR_COUNT; d++)
        tio_live_publish(js->live, (enum tio_ddir)d, js->dir[d].ios, js->dir[d].bytes);
}

static bool iops_apart(const struct tio_job_stats *js)
{
    return js->iops_interval_ns != js->sample_interval_ns;
}

static void update_next_tick(struct tio_job_stats *js)
{
    js->next_tick_ns = js->next_sample_ns < js->next_publish_ns ? js->next_sample_ns
                                                                : js->next_publish_ns;
    if (iops_apart(js) && js->next_iops_ns < js->next_tick_ns)
        js->next_tick_ns = js->next_iops_ns;
}

void tio_stats_start(struct tio_job_stats *js, uint64_t now_ns)
{
    js->start_ns = now_ns;
    js->end_ns = 0;
    js->last_sample_ns = now_ns;
    js->next_sample_ns = now_ns + js->sample_interval_ns;
    js->last_iops_ns = now_ns;
    js->next_iops_ns = iops_apart(js) ? now_ns + js->iops_interval_ns : UINT64_MAX;
    js->next_publish_ns = now_ns + TIO_PUBLISH_INTERVAL_NS;
    update_next_tick(js);
    if (js->live)
        tio_live_set_started(js->live, now_ns);
    if (js->mailbox)
        tio_stats_mailbox_cpu_start(js->mailbox);
}

void tio_stats_reset(struct tio_job_stats *js, uint64_t now_ns)
{
    clear_counters(js);
    tio_series_clear(&js->series);
    publish(js, now_ns);
    tio_stats_start(js, now_ns);
}

/* One sample per interval and direction, for the directions the job has
 * used so far, so a read-only job has no write samples (as in fio). */
static void take_sample(struct tio_job_stats *js, uint64_t now_ns, bool store_rates)
{
    uint64_t dt = now_ns - js->last_sample_ns;
    if (dt == 0)
        return;
    struct tio_series_point p;
    memset(&p, 0, sizeof(p));
    p.t_ns = js->last_sample_ns - js->start_ns;
    p.dur_ns = dt;
    for (int d = 0; d < TIO_DDIR_COUNT; d++) {
        struct tio_dir_stats *ds = &js->dir[d];
        uint64_t dios = ds->ios - js->last_ios[d];
        uint64_t dbytes = ds->bytes - js->last_bytes[d];
        p.ios[d] = dios;
        p.bytes[d] = dbytes;
        if (store_rates && ds->ios) {
            tio_sstat_add(&ds->bw, (double)dbytes * 1e9 / (double)dt);
            if (!iops_apart(js))
                tio_sstat_add(&ds->iops, (double)dios * 1e9 / (double)dt);
        }
        js->last_ios[d] = ds->ios;
        js->last_bytes[d] = ds->bytes;
    }
    tio_series_add(&js->series, &p);
    js->last_sample_ns = now_ns;
}

/* iopsavgtime apart from bwavgtime: an IOPS sample per direction used. */
static void take_iops_sample(struct tio_job_stats *js, uint64_t now_ns)
{
    uint64_t dt = now_ns - js->last_iops_ns;
    for (int d = 0; dt && d < TIO_DDIR_COUNT; d++) {
        struct tio_dir_stats *ds = &js->dir[d];
        if (ds->ios)
            tio_sstat_add(&ds->iops,
                          (double)(ds->ios - js->last_iops_ios[d]) * 1e9 / (double)dt);
        js->last_iops_ios[d] = ds->ios;
    }
    js->last_iops_ns = now_ns;
    js->next_iops_ns = now_ns + js->iops_interval_ns;
}

void tio_stats_tick_slow(struct tio_job_stats *js, uint64_t now_ns)
{
    if (now_ns >= js->next_iops_ns)
        take_iops_sample(js, now_ns);
    if (now_ns >= js->next_sample_ns) {
        take_sample(js, now_ns, true);
        js->next_sample_ns = now_ns + js->sample_interval_ns;
    }
    if (now_ns >= js->next_publish_ns) {
        publish(js, now_ns);
        js->next_publish_ns = now_ns + TIO_PUBLISH_INTERVAL_NS;
    }
    update_next_tick(js);
}

void tio_stats_finish(struct tio_job_stats *js, uint64_t now_ns)
{
    if (now_ns < js->start_ns)
        now_ns = js->start_ns;
    js->end_ns = now_ns;
    /* The last, partial interval goes to the plot but not into the
     * bandwidth samples: a few milliseconds would skew min and stddev. */
    if (now_ns > js->last_sample_ns)
        take_sample(js, now_ns, false);
    tio_series_flush(&js->series);
    uint64_t runtime = now_ns - js->start_ns;
    for (int d = 0; d < TIO_DDIR_COUNT; d++)
        js->dir[d].runtime_ns = js->dir[d].ios ? runtime : 0;
    publish(js, now_ns);
    /* no more samples; the totals still reach the status line and interim
     * reports while a verify phase reads */
    js->next_sample_ns = UINT64_MAX;
    js->next_iops_ns = UINT64_MAX;
    js->next_publish_ns = now_ns + TIO_PUBLISH_INTERVAL_NS;
    update_next_tick(js);
}

void tio_stats_error(struct tio_job_stats *js, enum tio_ddir d, const char *kind)
{
    if ((unsigned)d < TIO_DDIR_COUNT)
        js->dir[d].errors++;
    struct tio_error_counts *ec = &js->errors;
    if (!kind || !*kind)
        kind = "other";
    for (unsigned i = 0; i < ec->n; i++) {
        if (strncmp(ec->e[i].kind, kind, TIO_ERROR_KIND_LEN - 1) == 0) {
            ec->e[i].count++;
            return;
        }
    }
    if (ec->n == TIO_ERROR_KINDS_MAX) {
        ec->other++;
        return;
    }
    snprintf(ec->e[ec->n].kind, sizeof(ec->e[ec->n].kind), "%s", kind);
    ec->e[ec->n].count = 1;
    ec->n++;
}

void tio_stats_errno(struct tio_job_stats *js, enum tio_ddir d, int errnum)
{
    char name[TIO_ERROR_KIND_LEN];
    const char *s = strerrorname_np(errnum);
    if (!s) {
        snprintf(name, sizeof(name), "E%d", errnum);
        s = name;
    }
    tio_stats_error(js, d, s);
}

static void merge_errors(struct tio_error_counts *dst, const struct tio_error_counts *src)
{
    for (unsigned i = 0; i < src->n; i++) {
        unsigned j;
        for (j = 0; j < dst->n; j++)
            if (strcmp(dst->e[j].kind, src->e[i].kind) == 0)
                break;
        if (j < dst->n) {
            dst->e[j].count += src->e[i].count;
        } else if (dst->n < TIO_ERROR_KINDS_MAX) {
            dst->e[dst->n] = src->e[i];
            dst->n++;
        } else {
            dst->other += src->e[i].count;
        }
    }
    dst->other += src->other;
}

/* rates_add: the samples are concurrent rates that add up (jobs of a
 * group); otherwise they are more samples of one rate (fio's mixed
 * direction pools its directions' samples). */
static void dir_merge(struct tio_dir_stats *a, const struct tio_dir_stats *b, bool rates_add)
{
    a->ios += b->ios;
    a->bytes += b->bytes;
    a->short_ios += b->short_ios;
    a->drop_ios += b->drop_ios;
    a->zone_resets += b->zone_resets;
    a->errors += b->errors;
    if (b->runtime_ns > a->runtime_ns)
        a->runtime_ns = b->runtime_ns;
    tio_latstat_merge(&a->slat, &b->slat);
    tio_latstat_merge(&a->lat, &b->lat);
    if (rates_add) {
        tio_sstat_sum(&a->bw, &b->bw);
        tio_sstat_sum(&a->iops, &b->iops);
    } else {
        tio_sstat_merge(&a->bw, &b->bw);
        tio_sstat_merge(&a->iops, &b->iops);
    }
    tio_hist_merge(&a->clat, &b->clat);
    if (a->slat_hist && b->slat_hist)
        tio_hist_merge(a->slat_hist, b->slat_hist);
    if (a->lat_hist && b->lat_hist)
        tio_hist_merge(a->lat_hist, b->lat_hist);
    /* Without memory for a priority the report lacks its line; the
     * direction's totals above stay whole. */
    (void)tio_prio_stats_merge(&a->prios, &b->prios);
}

void tio_dir_stats_mix(struct tio_dir_stats *dst, const struct tio_dir_stats *src)
{
    dir_merge(dst, src, false);
}

void tio_dir_stats_clear(struct tio_dir_stats *ds)
{
    dir_stats_init(ds);
}

void tio_job_stats_merge(struct tio_job_stats *dst, const struct tio_job_stats *src)
{
    for (int d = 0; d < TIO_DDIR_COUNT; d++)
        dir_merge(&dst->dir[d], &src->dir[d], true);
    tio_hist_merge(&dst->sync, &src->sync);
    dst->sync_ios += src->sync_ios;
    for (int i = 0; i < TIO_DEPTH_BUCKETS; i++) {
        dst->depth[i] += src->depth[i];
        dst->submit[i] += src->submit[i];
        dst->complete[i] += src->complete[i];
    }
    merge_errors(&dst->errors, &src->errors);
    dst->nonfatal_errors += src->nonfatal_errors;
    /* fio's group keeps the last job's first error */
    if (src->first_error)
        dst->first_error = src->first_error;
}

void tio_job_stats_clat_all(const struct tio_job_stats *js, struct tio_hist *out)
{
    tio_hist_init(out);
    for (int d = 0; d < TIO_DDIR_COUNT; d++)
        tio_hist_merge(out, &js->dir[d].clat);
}
