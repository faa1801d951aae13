/* fio's default ("normal") text report.
 *
 * The layout follows fio 3.33 line for line (labels, column widths, units
 * and where each block appears), so that people and scripts used to fio's
 * output read ours without surprises. The text is built in memory and
 * written in one go, so a failing stream never gets half a report and the
 * error that stopped it is the real one. */
#include "report_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tio_job.h"
#include "tio_units.h"

/* "err= 0" or "err=28 (text)". */
static void put_header(FILE *f, const struct tio_job_result *e)
{
    char when[64] = "";
    struct tm tm;
    if (localtime_r(&e->end_time, &tm))
        strftime(when, sizeof(when), "%a %b %e %H:%M:%S %Y", &tm);
    int err = tio_job_result_error(e);
    fprintf(f, "%s: (groupid=%u, jobs=%u): err=%2d", e->name, e->groupid, e->njobs, err);
    if (e->error && e->error_text && *e->error_text)
        fprintf(f, " (%s)", e->error_text);
    else if (err)
        fprintf(f, " (%s)", strerror(err));
    fprintf(f, ": pid=%ld: %s\n", e->pid, when);
}

static void put_lat_line(FILE *f, const char *name, const struct tio_latstat *st)
{
    uint64_t min = tio_latstat_min(st), max = tio_latstat_max(st);
    double mean = tio_latstat_mean(st), dev = tio_latstat_stddev(st);
    enum tio_lat_unit unit = tio_lat_unit_for_stats(min, max, dev);
    uint64_t div = tio_lat_unit_div(unit);
    char a[TIO_NUM_STR_MAX], b[TIO_NUM_STR_MAX];
    tio_fmt_num(a, sizeof(a), min / div, 6, 1000, "");
    tio_fmt_num(b, sizeof(b), max / div, 6, 1000, "");
    fprintf(f, "    %s (%s): min=%s, max=%s, avg=%5.02f, stdev=%5.02f\n", name,
            tio_lat_unit_name(unit), a, b, mean / (double)div, dev / (double)div);
}

/* Decimals a percentile needs: 2 for fio's list, more for e.g. 99.999. */
static int pct_decimals(double p)
{
    for (int d = 2; d < 6; d++) {
        double scaled = p * pow(10.0, d);
        if (fabs(scaled - round(scaled)) < 1e-6)
            return d;
    }
    return 6;
}

static void put_percentiles(FILE *f, const char *label, const struct tio_hist *h,
                            const double *p, size_t np)
{
    uint64_t vals[TIO_PERCENTILES_MAX];
    uint64_t maxv = 0;
    for (size_t i = 0; i < np; i++) {
        vals[i] = tio_hist_percentile(h, p[i]);
        if (vals[i] > maxv)
            maxv = vals[i];
    }
    enum tio_lat_unit unit = tio_lat_unit_for_max(maxv);
    uint64_t div = tio_lat_unit_div(unit);
    fprintf(f, "    %s percentiles (%s):\n", label, tio_lat_unit_name(unit));
    for (size_t i = 0; i < np; i++) {
        if (i % 4 == 0)
            fputs("     |", f);
        /* Rounded, unlike the min/max line's truncation, as fio does. */
        fprintf(f, " %5.*fth=[%5" PRIu64 "]", pct_decimals(p[i]), p[i],
                (vals[i] + div / 2) / div);
        if (i + 1 == np)
            fputc('\n', f);
        else if (i % 4 == 3)
            fputs(",\n", f);
        else
            fputc(',', f);
    }
}

static void put_samples(FILE *f, const struct tio_dir_summary *s)
{
    if (s->bw_samples) {
        double min = s->bw_min, max = s->bw_max, mean = s->bw_mean, dev = s->bw_dev;
        const char *unit = "KiB";
        /* Past 1 GiB/s, KiB/s numbers get too long to read: switch to MiB. */
        if (mean > 1024.0 * 1024.0) {
            min /= 1024.0;
            max /= 1024.0;
            mean /= 1024.0;
            dev /= 1024.0;
            unit = "MiB";
        }
        fprintf(f,
                "   bw (%5s/s): min=%5" PRIu64 ", max=%5" PRIu64
                ", per=%3.2f%%, avg=%5.02f, stdev=%5.02f, samples=%" PRIu64 "\n",
                unit, (uint64_t)min, (uint64_t)max, s->bw_agg_pct, mean, dev, s->bw_samples);
    }
    if (s->iops_samples) {
        fprintf(f,
                "   iops        : min=%5" PRIu64 ", max=%5" PRIu64
                ", avg=%5.02f, stdev=%5.02f, samples=%" PRIu64 "\n",
                (uint64_t)s->iops_min, (uint64_t)s->iops_max, s->iops_mean, s->iops_dev,
                s->iops_samples);
    }
}

/* fio's per-priority lines, when at least two priorities have IOs: their
 * latency (total under lat_percentiles, completion otherwise), then, with
 * percentiles asked for, their percentiles and share of the IOs. */
static void put_prio_lats(FILE *f, const struct tio_job_result *e,
                          const struct tio_prio_stats *ps)
{
    if (tio_prio_stats_with_samples(ps) < 2)
        return;
    const char *type = e->lat_percentiles ? "lat" : "clat";
    for (unsigned i = 0; i < ps->n; i++) {
        char name[64];
        if (!tio_hist_count(&ps->e[i].h))
            continue;
        snprintf(name, sizeof(name), "%s prio %u/%u", type, ps->e[i].ioprio >> 13,
                 ps->e[i].ioprio & 7);
        put_lat_line(f, name, &ps->e[i].h.st);
    }
}

static void put_prio_percentiles(FILE *f, const struct tio_job_result *e,
                                 const struct tio_dir_stats *ds, const double *p, size_t np)
{
    const struct tio_prio_stats *ps = &ds->prios;
    if (!(e->clat_percentiles || e->lat_percentiles) || tio_prio_stats_with_samples(ps) < 2)
        return;
    uint64_t all = e->lat_percentiles ? ds->lat.n : ds->clat.st.n;
    for (unsigned i = 0; i < ps->n; i++) {
        uint64_t n = tio_hist_count(&ps->e[i].h);
        char name[96];
        if (!n)
            continue;
        snprintf(name, sizeof(name), "%s prio %u/%u (%.2f%% of IOs)",
                 e->lat_percentiles ? "lat" : "clat", ps->e[i].ioprio >> 13,
                 ps->e[i].ioprio & 7, all ? 100.0 * (double)n / (double)all : 0.0);
        put_percentiles(f, name, &ps->e[i].h, p, np);
    }
}

/* Direction d's lines under the label name; ds is its numbers (e's own,
 * or the mixed ones of unified_rw_reporting). */
static void put_dir(FILE *f, const struct tio_report *rep, const struct tio_job_result *e,
                    enum tio_ddir d, const struct tio_dir_stats *ds, const char *name)
{
    const struct tio_group_total *g = tio_report_group_of(rep, e->groupid);
    struct tio_dir_summary s;
    tio_dir_summarize(ds, g ? g->agg_bw[d] : 0, &s);

    char iops[TIO_NUM_STR_MAX], bwb[TIO_NUM_STR_MAX], bwd[TIO_NUM_STR_MAX], io[TIO_NUM_STR_MAX];
    unsigned sig = e->sig_figs;
    tio_fmt_num(iops, sizeof(iops), (uint64_t)s.iops, sig, 1000, "");
    tio_fmt_num(bwb, sizeof(bwb), s.bw_bytes, sig, 1024, "B/s");
    tio_fmt_num(bwd, sizeof(bwd), s.bw_bytes, sig, 1000, "B/s");
    tio_fmt_num(io, sizeof(io), s.io_bytes, sig, 1024, "B");
    char resets[40] = "";
    /* as fio: the write line ends with zonemode=zbd's zone resets, 0 without it */
    if (ds == &e->stats.dir[TIO_DDIR_WRITE])
        snprintf(resets, sizeof(resets), "; %" PRIu64 " zone resets", ds->zone_resets);
    fprintf(f, "  %s: IOPS=%s, BW=%s (%s)(%s/%" PRIu64 "msec)%s\n", name, iops, bwb, bwd, io,
            s.runtime_ms, resets);
    if (ds->slat.n)
        put_lat_line(f, "slat", &ds->slat);
    if (ds->clat.st.n)
        put_lat_line(f, "clat", &ds->clat.st);
    if (ds->lat.n)
        put_lat_line(f, " lat", &ds->lat);
    put_prio_lats(f, e, &ds->prios);
    size_t np;
    const double *p = tio_entry_percentiles(rep, e, &np);
    /* fio's order: slat, clat, then lat percentiles, each when asked for */
    if (e->slat_percentiles && ds->slat_hist && ds->slat.n)
        put_percentiles(f, "slat", ds->slat_hist, p, np);
    if (e->clat_percentiles && ds->clat.st.n)
        put_percentiles(f, "clat", &ds->clat, p, np);
    if (e->lat_percentiles && ds->lat_hist && ds->lat.n)
        put_percentiles(f, "lat", ds->lat_hist, p, np);
    put_prio_percentiles(f, e, ds, p, np);
    put_samples(f, &s);
}

static void put_dist_row(FILE *f, const char *unit, const double *v, size_t n,
                         const unsigned *edges, const char *last_label)
{
    unsigned shown = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == 0.0)
            continue;
        if (shown % 5 == 0) {
            if (shown)
                fputc('\n', f);
            fprintf(f, "  lat (%s)   : ", unit);
        } else {
            fputs(", ", f);
        }
        if (last_label && i + 1 == n)
            fprintf(f, "%s=%3.2f%%", last_label, v[i]);
        else
            fprintf(f, "%u=%3.2f%%", edges[i], v[i]);
        shown++;
    }
    if (shown)
        fputc('\n', f);
}

static void put_depths(FILE *f, const char *label, const uint64_t *counts,
                       const char *const *labels)
{
    double pct[TIO_DEPTH_BUCKETS];
    tio_depth_pct(counts, pct);
    fputs(label, f);
    for (int i = 0; i < TIO_DEPTH_BUCKETS; i++)
        fprintf(f, "%s%s=%3.1f%%", i ? ", " : "", labels[i], pct[i]);
    fputc('\n', f);
}

/* fio's normal report leaves out a job that moved no data and issued no
 * read, write or trim (create_only, a job whose files had nothing to do):
 * its group line still counts it. */
static bool did_io(const struct tio_job_stats *js)
{
    for (int d = 0; d < TIO_DDIR_COUNT; d++)
        if (js->dir[d].bytes || tio_dir_issued(&js->dir[d]))
            return true;
    return false;
}

/* fio's steadystate line. Its decimal bandwidth is fio's too: the KiB/s
 * figure shown with decimal prefixes (fio divides by 1024 for both). */
static void put_steadystate(FILE *f, const struct tio_ss *ss, unsigned sig)
{
    char bw_b[TIO_NUM_STR_MAX], bw_d[TIO_NUM_STR_MAX], iops[TIO_NUM_STR_MAX];
    uint64_t bw_kib = tio_ss_mean(ss, false) / 1024;

    tio_fmt_num_from(bw_b, sizeof(bw_b), bw_kib, sig, 1024, 1, "B/s");
    tio_fmt_num_from(bw_d, sizeof(bw_d), bw_kib, sig, 1000, 1, "B/s");
    tio_fmt_num(iops, sizeof(iops), tio_ss_mean(ss, true), sig, 1000, "");
    fprintf(f, "  steadystate  : attained=%s, bw=%s (%s), iops=%s, %s%s=%.3f%s\n",
            ss->attained ? "yes" : "no", bw_b, bw_d, iops,
            ss->mode & TIO_SS_IOPS ? "iops" : "bw",
            ss->mode & TIO_SS_SLOPE ? " slope" : " mean dev", ss->criterion,
            ss->mode & TIO_SS_PCT ? "%" : "");
}

static void put_entry(FILE *f, const struct tio_report *rep, const struct tio_job_result *e)
{
    const struct tio_job_stats *js = &e->stats;
    if (!did_io(js))
        return;
    put_header(f, e);
    bool mixed_only = e->unified_rw == TIO_UNIFIED_MIXED;
    for (int d = 0; d < TIO_DDIR_COUNT; d++)
        if (js->dir[d].ios || js->dir[d].bytes)
            put_dir(f, rep, e, (enum tio_ddir)d, &js->dir[d],
                    mixed_only ? "mixed" : tio_ddir_name((enum tio_ddir)d));
    if (e->unified_rw == TIO_UNIFIED_BOTH && e->mixed && (e->mixed->ios || e->mixed->bytes))
        put_dir(f, rep, e, TIO_DDIR_READ, e->mixed, "mixed");

    struct tio_lat_dist dist;
    tio_lat_dist_compute(js, &dist);
    put_dist_row(f, "nsec", dist.ns, TIO_LAT_DIST_N, tio_lat_dist_edges, NULL);
    put_dist_row(f, "usec", dist.us, TIO_LAT_DIST_N, tio_lat_dist_edges, NULL);
    put_dist_row(f, "msec", dist.ms, TIO_LAT_DIST_MS_N, tio_lat_dist_edges, ">=2000");

    if (js->sync.st.n) {
        fputs("  fsync/fdatasync/sync_file_range:\n", f);
        put_lat_line(f, "sync", &js->sync.st);
        size_t np;
        const double *p = tio_entry_percentiles(rep, e, &np);
        put_percentiles(f, "sync", &js->sync, p, np);
    }

    uint64_t run_ms = tio_job_result_runtime_ms(e);
    double usr = 0.0, sys = 0.0;
    if (run_ms) {
        usr = (double)e->cpu.usr_ns / ((double)run_ms * 1e4);
        sys = (double)e->cpu.sys_ns / ((double)run_ms * 1e4);
    }
    fprintf(f,
            "  cpu          : usr=%3.2f%%, sys=%3.2f%%, ctx=%" PRIu64 ", majf=%" PRIu64
            ", minf=%" PRIu64 "\n",
            usr, sys, e->cpu.ctx, e->cpu.majf, e->cpu.minf);
    put_depths(f, "  IO depths    : ", js->depth, tio_depth_level_labels);
    put_depths(f, "     submit    : ", js->submit, tio_depth_batch_labels);
    put_depths(f, "     complete  : ", js->complete, tio_depth_batch_labels);

    const struct tio_dir_stats *r = &js->dir[TIO_DDIR_READ], *w = &js->dir[TIO_DDIR_WRITE],
                               *t = &js->dir[TIO_DDIR_TRIM];
    fprintf(f,
            "     issued rwts: total=%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
            " short=%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",0 dropped=%" PRIu64 ",%" PRIu64
            ",%" PRIu64 ",0\n",
            tio_dir_issued(r), tio_dir_issued(w), tio_dir_issued(t), js->sync_ios, r->short_ios,
            w->short_ios, t->short_ios, r->drop_ios, w->drop_ios, t->drop_ios);
    if (e->continue_on_error)
        fprintf(f, "     errors    : total=%" PRIu64 ", first_error=%d/<%s>\n",
                js->nonfatal_errors, js->first_error, strerror(js->first_error));
    fprintf(f,
            "     latency   : target=%" PRIu64 ", window=%" PRIu64
            ", percentile=%.2f%%, depth=%u\n",
            e->latency_target_us, e->latency_window_us, e->latency_percentile, e->iodepth);

    if (e->ss)
        put_steadystate(f, e->ss, e->sig_figs);

    /* tenon-io's own line: failed IOs by kind. fio has no such line; it is
     * only printed when something failed, so error-free output stays
     * identical to fio's layout. */
    const struct tio_error_counts *ec = &js->errors;
    if (ec->n || ec->other) {
        fputs("  errors       : ", f);
        for (unsigned i = 0; i < ec->n; i++)
            fprintf(f, "%s%s=%" PRIu64, i ? ", " : "", ec->e[i].kind, ec->e[i].count);
        if (ec->other)
            fprintf(f, "%sother=%" PRIu64, ec->n ? ", " : "", ec->other);
        fputc('\n', f);
    }
}

static void put_group_line(FILE *f, unsigned sig, const char *label, uint64_t agg, uint64_t min,
                           uint64_t max, uint64_t io, uint64_t min_run, uint64_t max_run)
{
    char agg_b[TIO_NUM_STR_MAX], agg_d[TIO_NUM_STR_MAX], min_b[TIO_NUM_STR_MAX],
        min_d[TIO_NUM_STR_MAX], max_b[TIO_NUM_STR_MAX], max_d[TIO_NUM_STR_MAX],
        io_b[TIO_NUM_STR_MAX], io_d[TIO_NUM_STR_MAX];
    tio_fmt_num(agg_b, sizeof(agg_b), agg, sig, 1024, "B/s");
    tio_fmt_num(agg_d, sizeof(agg_d), agg, sig, 1000, "B/s");
    tio_fmt_num(min_b, sizeof(min_b), min, sig, 1024, "B/s");
    tio_fmt_num(min_d, sizeof(min_d), min, sig, 1000, "B/s");
    tio_fmt_num(max_b, sizeof(max_b), max, sig, 1024, "B/s");
    tio_fmt_num(max_d, sizeof(max_d), max, sig, 1000, "B/s");
    tio_fmt_num(io_b, sizeof(io_b), io, sig, 1024, "B");
    tio_fmt_num(io_d, sizeof(io_d), io, sig, 1000, "B");
    fprintf(f, "%7s: bw=%s (%s), %s-%s (%s-%s), io=%s (%s), run=%" PRIu64 "-%" PRIu64 "msec\n",
            label, agg_b, agg_d, min_b, max_b, min_d, max_d, io_b, io_d, min_run, max_run);
}

/* unified_rw_reporting=both: fio's MIXED line over the group's directions. */
static void put_mixed_group(FILE *f, const struct tio_group_total *g)
{
    uint64_t io = 0, agg = 0, min = UINT64_MAX, max = 0, min_run = UINT64_MAX, max_run = 0;
    for (int d = 0; d < TIO_DDIR_COUNT; d++) {
        if (!g->max_run_ms[d])
            continue;
        io += g->io_bytes[d];
        agg += g->agg_bw[d];
        min = g->min_bw[d] < min ? g->min_bw[d] : min;
        max = g->max_bw[d] > max ? g->max_bw[d] : max;
        min_run = g->min_run_ms[d] < min_run ? g->min_run_ms[d] : min_run;
        max_run = g->max_run_ms[d] > max_run ? g->max_run_ms[d] : max_run;
    }
    put_group_line(f, g->sig_figs, "MIXED", agg, min, max, io, min_run, max_run);
}

static void put_group(FILE *f, const struct tio_group_total *g)
{
    static const char *const label[TIO_DDIR_COUNT] = {"READ", "WRITE", "TRIM"};
    fprintf(f, "\nRun status group %u (all jobs):\n", g->groupid);
    for (int d = 0; d < TIO_DDIR_COUNT; d++) {
        if (!g->present[d])
            continue;
        put_group_line(f, g->sig_figs, g->unified_rw == TIO_UNIFIED_MIXED ? "MIXED" : label[d],
                       g->agg_bw[d], g->min_bw[d], g->max_bw[d], g->io_bytes[d],
                       g->min_run_ms[d], g->max_run_ms[d]);
    }
    if (g->unified_rw == TIO_UNIFIED_BOTH)
        put_mixed_group(f, g);
}

static void put_disks(FILE *f, const struct tio_report *rep)
{
    if (!rep->ndisks)
        return;
    fputs("\nDisk stats (read/write):\n", f);
    for (size_t i = 0; i < rep->ndisks; i++) {
        const struct tio_disk_util *d = &rep->disks[i];
        fprintf(f,
                "  %s: ios=%" PRIu64 "/%" PRIu64 ", merge=%" PRIu64 "/%" PRIu64
                ", ticks=%" PRIu64 "/%" PRIu64 ", in_queue=%" PRIu64 ", util=%3.2f%%\n",
                d->name, d->ios[0], d->ios[1], d->merges[0], d->merges[1], d->ticks[0],
                d->ticks[1], d->in_queue, d->util);
    }
}

/* Builds the whole text in memory. Returns 0 or -ENOMEM. */
static void body(FILE *f, const struct tio_report *rep)
{
    /* fio separates the results from the lines before them (its banner, or
     * the status line) with an empty line. */
    fputc('\n', f);
    for (size_t i = 0; i < rep->nentries; i++)
        put_entry(f, rep, rep->entries[i]);
    for (size_t i = 0; i < rep->ngroups; i++)
        put_group(f, &rep->groups[i]);
    put_disks(f, rep);
}

int tio_report_write_normal(struct tio_report *rep, FILE *out)
{
    return tio__report_render(rep, body, out);
}
