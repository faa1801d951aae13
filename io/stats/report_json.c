/* fio's JSON report ("--output-format=json").
 *
 * Key names, nesting and value types (integer or real) are fio 3.33's, so
 * tools written for fio's JSON read ours. tenon-io adds keys only where fio
 * has none: "error_text" and "error_counts" in each job, "rank" and
 * "aggregate_of" in a distributed run's "client_stats". */
#include "report_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Collects the first failure of a chain of jansson calls, so that building
 * the document reads straight through and out-of-memory is checked once. */
struct jb {
    bool ok;
};

static void put(struct jb *b, json_t *obj, const char *key, json_t *val)
{
    /* json_object_set_new takes val in every case, failure included; when
     * obj itself could not be made, val is dropped here. */
    if (!obj) {
        json_decref(val);
        b->ok = false;
        return;
    }
    if (!val || json_object_set_new(obj, key, val) != 0)
        b->ok = false;
}

static json_t *jint(uint64_t v)
{
    /* json_int_t is signed 64-bit; counters never get near 2^63. */
    return json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v);
}

/* fio prints reals with six decimals; rounding here keeps ours as short. */
static json_t *jreal(double v)
{
    if (!isfinite(v))
        v = 0.0;
    double r = round(v * 1e6) / 1e6;
    return json_real(isfinite(r) ? r : v);
}

/* A latency object; h is its histogram when its percentiles are asked for
 * (NULL: no "percentile" object, as fio). */
static json_t *lat_obj(struct jb *b, const struct tio_latstat *st, const struct tio_hist *h,
                       const struct tio_report *rep, const struct tio_job_result *e)
{
    size_t np;
    const double *pl = tio_entry_percentiles(rep, e, &np);
    json_t *o = json_object();
    put(b, o, "min", jint(tio_latstat_min(st)));
    put(b, o, "max", jint(tio_latstat_max(st)));
    put(b, o, "mean", jreal(tio_latstat_mean(st)));
    put(b, o, "stddev", jreal(tio_latstat_stddev(st)));
    put(b, o, "N", jint(st->n));
    if (h && st->n) {
        json_t *p = json_object();
        for (size_t i = 0; i < np; i++) {
            char key[32];
            snprintf(key, sizeof(key), "%f", pl[i]);
            put(b, p, key, jint(tio_hist_percentile(h, pl[i])));
        }
        put(b, o, "percentile", p);
        if (rep->json_plus)
            put(b, o, "bins", tio__json_bins(h));
    }
    return o;
}

/* fio's "prios": each priority's latency (total latency under
 * lat_percentiles, completion latency otherwise), when at least two
 * priorities have IOs. */
static void put_prios(struct jb *b, json_t *dir, const struct tio_report *rep,
                      const struct tio_job_result *e, const struct tio_prio_stats *ps)
{
    if (tio_prio_stats_with_samples(ps) < 2)
        return;
    bool pct = e->clat_percentiles || e->lat_percentiles;
    json_t *arr = json_array();
    for (unsigned i = 0; i < ps->n; i++) {
        const struct tio_prio_hist *ph = &ps->e[i];
        if (!tio_hist_count(&ph->h))
            continue;
        json_t *o = json_object();
        put(b, o, "prioclass", jint(ph->ioprio >> 13));
        put(b, o, "prio", jint(ph->ioprio & 7));
        put(b, o, e->lat_percentiles ? "lat_ns" : "clat_ns",
            lat_obj(b, &ph->h.st, pct ? &ph->h : NULL, rep, e));
        if (!o || json_array_append_new(arr, o) != 0)
            b->ok = false;
    }
    put(b, dir, "prios", arr);
}

/* Direction d's object; ds is its numbers (e's own, or the mixed ones). */
static json_t *dir_obj(struct jb *b, const struct tio_report *rep,
                       const struct tio_job_result *e, enum tio_ddir d,
                       const struct tio_dir_stats *ds)
{
    const struct tio_group_total *g = tio_report_group_of(rep, e->groupid);
    struct tio_dir_summary s;
    tio_dir_summarize(ds, g ? g->agg_bw[d] : 0, &s);

    json_t *o = json_object();
    put(b, o, "io_bytes", jint(s.io_bytes));
    put(b, o, "io_kbytes", jint(s.io_bytes / 1024));
    put(b, o, "bw_bytes", jint(s.bw_bytes));
    put(b, o, "bw", jint(s.bw_bytes / 1024));
    put(b, o, "iops", jreal(s.iops));
    put(b, o, "runtime", jint(s.runtime_ms));
    put(b, o, "total_ios", jint(s.issued));
    put(b, o, "short_ios", jint(s.short_ios));
    put(b, o, "drop_ios", jint(s.drop_ios));
    put(b, o, "slat_ns",
        lat_obj(b, &ds->slat, e->slat_percentiles ? ds->slat_hist : NULL, rep, e));
    put(b, o, "clat_ns",
        lat_obj(b, &ds->clat.st, e->clat_percentiles ? &ds->clat : NULL, rep, e));
    put(b, o, "lat_ns", lat_obj(b, &ds->lat, e->lat_percentiles ? ds->lat_hist : NULL, rep, e));
    put_prios(b, o, rep, e, &ds->prios);
    put(b, o, "bw_min", jint((uint64_t)s.bw_min));
    put(b, o, "bw_max", jint((uint64_t)s.bw_max));
    put(b, o, "bw_agg", jreal(s.bw_agg_pct));
    put(b, o, "bw_mean", jreal(s.bw_mean));
    put(b, o, "bw_dev", jreal(s.bw_dev));
    put(b, o, "bw_samples", jint(s.bw_samples));
    put(b, o, "iops_min", jint((uint64_t)s.iops_min));
    put(b, o, "iops_max", jint((uint64_t)s.iops_max));
    put(b, o, "iops_mean", jreal(s.iops_mean));
    put(b, o, "iops_stddev", jreal(s.iops_dev));
    put(b, o, "iops_samples", jint(s.iops_samples));
    return o;
}

static json_t *kv_obj(struct jb *b, const struct tio_kv_list *l)
{
    json_t *o = json_object();
    for (size_t i = 0; i < l->n; i++)
        put(b, o, l->items[i].key, json_string(l->items[i].value));
    return o;
}

static json_t *pct_map(struct jb *b, const double *v, size_t n, const char *const *labels)
{
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++)
        put(b, o, labels[i], jreal(v[i]));
    return o;
}

static json_t *dist_map(struct jb *b, const double *v, size_t n, bool with_tail)
{
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++) {
        char key[16];
        if (with_tail && i + 1 == n)
            snprintf(key, sizeof(key), ">=%u", tio_lat_dist_edges[i - 1]);
        else
            snprintf(key, sizeof(key), "%u", tio_lat_dist_edges[i]);
        put(b, o, key, jreal(v[i]));
    }
    return o;
}

static json_t *entry_obj(struct jb *b, const struct tio_report *rep,
                         const struct tio_job_result *e)
{
    const struct tio_job_stats *js = &e->stats;
    json_t *o = json_object();
    put(b, o, "jobname", json_string(e->name));
    put(b, o, "groupid", jint(e->groupid));
    put(b, o, "error", json_integer(tio_job_result_error(e)));
    if (e->error)
        put(b, o, "error_text",
            json_string(e->error_text ? e->error_text : strerror(e->error)));
    put(b, o, "eta", jint(e->eta_s));
    put(b, o, "elapsed", jint(e->elapsed_s));
    put(b, o, "job options", kv_obj(b, &e->options));
    if (e->unified_rw == TIO_UNIFIED_MIXED)
        put(b, o, "mixed", dir_obj(b, rep, e, TIO_DDIR_READ, &js->dir[TIO_DDIR_READ]));
    else
        for (int d = 0; d < TIO_DDIR_COUNT; d++)
            put(b, o, tio_ddir_name((enum tio_ddir)d),
                dir_obj(b, rep, e, (enum tio_ddir)d, &js->dir[d]));

    json_t *sync = json_object();
    put(b, sync, "total_ios", jint(js->sync_ios));
    put(b, sync, "lat_ns",
        lat_obj(b, &js->sync.st, e->clat_percentiles || e->lat_percentiles ? &js->sync : NULL,
                rep, e));
    put(b, o, "sync", sync);
    if (e->unified_rw == TIO_UNIFIED_BOTH && e->mixed)
        put(b, o, "mixed", dir_obj(b, rep, e, TIO_DDIR_READ, e->mixed));

    uint64_t run_ms = tio_job_result_runtime_ms(e);
    put(b, o, "job_runtime", jint(run_ms));
    put(b, o, "usr_cpu", jreal(run_ms ? (double)e->cpu.usr_ns / ((double)run_ms * 1e4) : 0.0));
    put(b, o, "sys_cpu", jreal(run_ms ? (double)e->cpu.sys_ns / ((double)run_ms * 1e4) : 0.0));
    put(b, o, "ctx", jint(e->cpu.ctx));
    put(b, o, "majf", jint(e->cpu.majf));
    put(b, o, "minf", jint(e->cpu.minf));

    double pct[TIO_DEPTH_BUCKETS];
    tio_depth_pct(js->depth, pct);
    put(b, o, "iodepth_level", pct_map(b, pct, TIO_DEPTH_BUCKETS, tio_depth_level_labels));
    tio_depth_pct(js->submit, pct);
    put(b, o, "iodepth_submit", pct_map(b, pct, TIO_DEPTH_BUCKETS, tio_depth_batch_labels));
    tio_depth_pct(js->complete, pct);
    put(b, o, "iodepth_complete", pct_map(b, pct, TIO_DEPTH_BUCKETS, tio_depth_batch_labels));

    struct tio_lat_dist dist;
    tio_lat_dist_compute(js, &dist);
    put(b, o, "latency_ns", dist_map(b, dist.ns, TIO_LAT_DIST_N, false));
    put(b, o, "latency_us", dist_map(b, dist.us, TIO_LAT_DIST_N, false));
    put(b, o, "latency_ms", dist_map(b, dist.ms, TIO_LAT_DIST_MS_N, true));
    if (e->continue_on_error) {
        put(b, o, "total_err", jint(js->nonfatal_errors));
        put(b, o, "first_error", jint((uint64_t)js->first_error));
    }
    put(b, o, "latency_depth", jint(e->iodepth));
    put(b, o, "latency_target", jint(e->latency_target_us));
    put(b, o, "latency_percentile", jreal(e->latency_percentile));
    put(b, o, "latency_window", jint(e->latency_window_us));

    json_t *errs = json_object();
    for (unsigned i = 0; i < js->errors.n; i++)
        put(b, errs, js->errors.e[i].kind, jint(js->errors.e[i].count));
    if (js->errors.other)
        put(b, errs, "other", jint(js->errors.other));
    put(b, o, "error_counts", errs);
    if (e->ss)
        put(b, o, "steadystate", tio_ss_json(e->ss));
    return o;
}

static json_t *disk_obj(struct jb *b, const struct tio_disk_util *d)
{
    json_t *o = json_object();
    put(b, o, "name", json_string(d->name));
    put(b, o, "read_ios", jint(d->ios[0]));
    put(b, o, "write_ios", jint(d->ios[1]));
    put(b, o, "read_merges", jint(d->merges[0]));
    put(b, o, "write_merges", jint(d->merges[1]));
    put(b, o, "read_ticks", jint(d->ticks[0]));
    put(b, o, "write_ticks", jint(d->ticks[1]));
    put(b, o, "in_queue", jint(d->in_queue));
    put(b, o, "util", jreal(d->util));
    return o;
}

/* fio's client/server JSON: every participant's entry of every job, with
 * its host, then each job's sum over them named "All clients" (tenon-io
 * adds "rank", and "aggregate_of": the job's name). */
static json_t *clients_arr(struct jb *b, const struct tio_report *rep)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < rep->nclients; i++) {
        const struct tio_report_client *c = &rep->clients[i];
        json_t *o = entry_obj(b, rep, c->result);
        put(b, o, "hostname", json_string(c->host));
        put(b, o, "port", jint(0));
        put(b, o, "rank", jint(c->rank));
        if (json_array_append_new(a, o) != 0)
            b->ok = false;
    }
    for (size_t i = 0; a && i < rep->njobs; i++) {
        if (rep->jobs[i]->hidden)
            continue;
        json_t *o = entry_obj(b, rep, rep->jobs[i]);
        put(b, o, "aggregate_of", json_string(rep->jobs[i]->name));
        put(b, o, "jobname", json_string("All clients"));
        put(b, o, "hostname", json_string(""));
        put(b, o, "port", jint(0));
        if (json_array_append_new(a, o) != 0)
            b->ok = false;
    }
    if (!a)
        b->ok = false;
    return a;
}

json_t *tio_report_to_json(struct tio_report *rep)
{
    if (tio_report_finalize(rep) != 0)
        return NULL;
    struct jb b = {.ok = true};
    json_t *root = json_object();

    char version[128];
    snprintf(version, sizeof(version), "tenon-io-%s", rep->version);
    put(&b, root, "fio version", json_string(version));
    put(&b, root, "timestamp", json_integer((json_int_t)rep->wall.tv_sec));
    put(&b, root, "timestamp_ms",
        json_integer((json_int_t)rep->wall.tv_sec * 1000 + rep->wall.tv_nsec / 1000000));
    char when[64] = "";
    struct tm tm;
    time_t t = rep->wall.tv_sec;
    if (localtime_r(&t, &tm))
        strftime(when, sizeof(when), "%a %b %e %H:%M:%S %Y", &tm);
    put(&b, root, "time", json_string(when));
    put(&b, root, "global options", kv_obj(&b, &rep->global_options));

    json_t *jobs = json_array();
    for (size_t i = 0; i < rep->nentries; i++)
        if (json_array_append_new(jobs, entry_obj(&b, rep, rep->entries[i])) != 0)
            b.ok = false;
    put(&b, root, "jobs", jobs);

    json_t *disks = json_array();
    for (size_t i = 0; i < rep->ndisks; i++)
        if (json_array_append_new(disks, disk_obj(&b, &rep->disks[i])) != 0)
            b.ok = false;
    put(&b, root, "disk_util", disks);
    if (rep->nclients)
        put(&b, root, "client_stats", clients_arr(&b, rep));

    if (!b.ok) {
        json_decref(root);
        return NULL;
    }
    return root;
}

int tio_report_write_json(struct tio_report *rep, FILE *out)
{
    json_t *root = tio_report_to_json(rep);
    if (!root)
        return -ENOMEM;
    /* 15 significant digits print the six rounded decimals without the
     * binary noise that 17 would show (55824.600521999997). */
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
    json_decref(root);
    if (!text)
        return -ENOMEM;
    size_t len = strlen(text);
    size_t putn = fwrite(text, 1, len, out);
    int e = putn == len ? 0 : errno;
    free(text);
    if (putn != len)
        return -(e ? e : EIO);
    if (fputc('\n', out) == EOF || fflush(out) != 0)
        return -errno;
    return 0;
}
