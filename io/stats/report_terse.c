/* fio's terse format ("--output-format=terse", "--minimal"): one line of
 * semicolon-separated fields per reported job, in fio 3.33's field order
 * for terse versions 2 to 5 (--terse-version; 3 is the default), so that
 * scripts that cut fio's terse lines cut ours the same way:
 *
 *   version;fio version;jobname;groupid;error            (v2: 2;jobname;groupid;error)
 *   per direction (read, write; trim too in v2, v4, v5; unified_rw_reporting=mixed:
 *   the mixed direction alone; =both: the directions, then mixed):
 *     io KiB;bw KiB/s;iops;runtime ms;
 *     slat min;max;mean;stddev (us);  clat min;max;mean;stddev (us);
 *     20 x percentile%=clat us (";0%=0" past the list);
 *     lat min;max;mean;stddev (us);   bw min;max;agg%;mean;stddev (KiB/s);
 *     v5 only: bw samples; iops min;max;mean;stddev;samples
 *   usr%;sys%;ctx;majf;minf; 7 IO depth %; 10 us latency %; 12 ms latency %;
 *   v3+: each disk: name;read ios;write ios;read merges;write merges;
 *        read ticks;write ticks;in_queue;util%
 *   continue_on_error set: total errors;first error
 *   a description: ;description
 *
 * Where fio writes "fio-3.33" tenon-io writes "tenon-io-VERSION". */
#include "report_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* fio's FIO_IO_U_LIST_MAX_LEN: the percentile fields are always 20. */
#define TERSE_PERCENTILES 20

static void put_lat(FILE *f, const struct tio_latstat *st)
{
    if (!st->n) {
        fputs(";0;0;0.000000;0.000000", f);
        return;
    }
    fprintf(f, ";%" PRIu64 ";%" PRIu64 ";%f;%f", tio_latstat_min(st) / 1000,
            tio_latstat_max(st) / 1000, tio_latstat_mean(st) / 1000.0,
            tio_latstat_stddev(st) / 1000.0);
}

static void put_dir(FILE *f, const struct tio_report *rep, const struct tio_job_result *e,
                    enum tio_ddir d, const struct tio_dir_stats *ds)
{
    const struct tio_group_total *g = tio_report_group_of(rep, e->groupid);
    struct tio_dir_summary s;
    tio_dir_summarize(ds, g ? g->agg_bw[d] : 0, &s);
    unsigned v = rep->terse_version;

    /* fio divides in integers here, unlike the JSON's real IOPS */
    uint64_t bw = s.runtime_ms ? s.io_bytes * 1000 / s.runtime_ms / 1024 : 0;
    uint64_t iops = s.runtime_ms ? s.issued * 1000 / s.runtime_ms : 0;
    fprintf(f, ";%" PRIu64 ";%" PRIu64 ";%" PRIu64 ";%" PRIu64, s.io_bytes >> 10, bw, iops,
            s.runtime_ms);
    put_lat(f, &ds->slat);
    put_lat(f, &ds->clat.st);
    /* lat's percentiles when asked for, else clat's, else none */
    const struct tio_hist *h = e->lat_percentiles && ds->lat_hist ? ds->lat_hist
                               : e->clat_percentiles              ? &ds->clat
                                                                  : NULL;
    size_t np;
    const double *pl = tio_entry_percentiles(rep, e, &np);
    for (size_t i = 0; i < TERSE_PERCENTILES; i++) {
        if (!h || i >= np)
            fputs(";0%=0", f);
        else
            fprintf(f, ";%f%%=%" PRIu64, pl[i], tio_hist_percentile(h, pl[i]) / 1000);
    }
    put_lat(f, &ds->lat);
    if (s.bw_samples)
        fprintf(f, ";%" PRIu64 ";%" PRIu64 ";%f%%;%f;%f", (uint64_t)s.bw_min,
                (uint64_t)s.bw_max, s.bw_agg_pct, s.bw_mean, s.bw_dev);
    else
        fputs(";0;0;0.000000%;0.000000;0.000000", f);
    if (v == 5) {
        fprintf(f, ";%" PRIu64, s.bw_samples);
        if (s.iops_samples)
            fprintf(f, ";%" PRIu64 ";%" PRIu64 ";%f;%f;%" PRIu64, (uint64_t)s.iops_min,
                    (uint64_t)s.iops_max, s.iops_mean, s.iops_dev, s.iops_samples);
        else
            fputs(";0;0;0.000000;0.000000;0", f);
    }
}

static void put_entry(FILE *f, const struct tio_report *rep, const struct tio_job_result *e)
{
    const struct tio_job_stats *js = &e->stats;
    unsigned v = rep->terse_version;

    if (v == 2)
        fprintf(f, "2;%s;%u;%d", e->name, e->groupid, tio_job_result_error(e));
    else
        fprintf(f, "%u;tenon-io-%s;%s;%u;%d", v, rep->version, e->name, e->groupid,
                tio_job_result_error(e));
    /* unified_rw_reporting: mixed has the read fields only (mixed), both
     * adds the mixed fields after the directions */
    put_dir(f, rep, e, TIO_DDIR_READ, &js->dir[TIO_DDIR_READ]);
    if (e->unified_rw != TIO_UNIFIED_MIXED) {
        put_dir(f, rep, e, TIO_DDIR_WRITE, &js->dir[TIO_DDIR_WRITE]);
        if (v != 3)
            put_dir(f, rep, e, TIO_DDIR_TRIM, &js->dir[TIO_DDIR_TRIM]);
    }
    if (e->unified_rw == TIO_UNIFIED_BOTH && e->mixed)
        put_dir(f, rep, e, TIO_DDIR_READ, e->mixed);

    uint64_t run_ms = tio_job_result_runtime_ms(e);
    double usr = run_ms ? (double)e->cpu.usr_ns / ((double)run_ms * 1e4) : 0.0;
    double sys = run_ms ? (double)e->cpu.sys_ns / ((double)run_ms * 1e4) : 0.0;
    fprintf(f, ";%f%%;%f%%;%" PRIu64 ";%" PRIu64 ";%" PRIu64, usr, sys, e->cpu.ctx, e->cpu.majf,
            e->cpu.minf);

    double pct[TIO_DEPTH_BUCKETS];
    tio_depth_pct(js->depth, pct);
    for (int i = 0; i < TIO_DEPTH_BUCKETS; i++)
        fprintf(f, ";%3.1f%%", pct[i]);

    /* fio keeps the terse layout of before its nanosecond map: the
     * sub-microsecond share is added to the first microsecond field. */
    struct tio_lat_dist dist;
    tio_lat_dist_compute(js, &dist);
    for (int i = 0; i < TIO_LAT_DIST_N; i++)
        dist.us[0] += dist.ns[i];
    for (int i = 0; i < TIO_LAT_DIST_N; i++)
        fprintf(f, ";%3.2f%%", dist.us[i]);
    for (int i = 0; i < TIO_LAT_DIST_MS_N; i++)
        fprintf(f, ";%3.2f%%", dist.ms[i]);

    if (v >= 3) {
        for (size_t i = 0; i < rep->ndisks; i++) {
            const struct tio_disk_util *d = &rep->disks[i];
            fprintf(f,
                    ";%s;%" PRIu64 ";%" PRIu64 ";%" PRIu64 ";%" PRIu64 ";%" PRIu64 ";%" PRIu64
                    ";%" PRIu64 ";%3.2f%%",
                    d->name, d->ios[0], d->ios[1], d->merges[0], d->merges[1], d->ticks[0],
                    d->ticks[1], d->in_queue, d->util);
        }
    }
    if (e->continue_on_error)
        fprintf(f, ";%" PRIu64 ";%d", js->nonfatal_errors, js->first_error);
    const char *desc = tio_kv_list_get(&e->options, "description");
    if (desc && *desc)
        fprintf(f, "%s;%s", v == 2 ? "\n" : "", desc);
    fputc('\n', f);
}

static void body(FILE *f, const struct tio_report *rep)
{
    for (size_t i = 0; i < rep->nentries; i++)
        put_entry(f, rep, rep->entries[i]);
}

int tio_report_write_terse(struct tio_report *rep, FILE *out)
{
    return tio__report_render(rep, body, out);
}
