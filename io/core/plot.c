/* `tenon-io --plot FILE.svg`: one self-contained SVG (no scripts, no
 * external fonts or files) that any browser opens. For every job and every
 * direction it did IO in, a panel with the completion-latency distribution
 * (log-scaled latency, percentiles marked) beside IOPS and bandwidth over
 * time (in a distributed run, the sum over the ranks and a thin line per
 * rank). Written atomically, like the report. */
#include "plot.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_logs.h"
#include "plot_ranks.h"
#include "tio_hist.h"
#include "tio_outfile.h"

#define WIDTH 1100
#define PANEL_H 300
#define TITLE_H 44
#define MARGIN 56
#define GAP 70
#define HIST_BINS 48
#define LAT_H 230 /* the latency-over-time chart of a job with a latency log */

static const double marks[] = {50.0, 90.0, 99.0, 99.9};

/* Text escaped for SVG. */
static void put_text(FILE *o, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", o);
            break;
        case '>':
            fputs("&gt;", o);
            break;
        case '&':
            fputs("&amp;", o);
            break;
        case '"':
            fputs("&quot;", o);
            break;
        default:
            fputc(*s, o);
        }
    }
}

static void fmt_ns(double ns, char *buf, size_t size)
{
    if (ns < 1e3)
        snprintf(buf, size, "%.0fns", ns);
    else if (ns < 1e6)
        snprintf(buf, size, "%.3gus", ns / 1e3);
    else if (ns < 1e9)
        snprintf(buf, size, "%.3gms", ns / 1e6);
    else
        snprintf(buf, size, "%.3gs", ns / 1e9);
}

static void fmt_count(double v, const char *unit, char *buf, size_t size)
{
    if (v >= 1e9)
        snprintf(buf, size, "%.3gG%s", v / 1e9, unit);
    else if (v >= 1e6)
        snprintf(buf, size, "%.3gM%s", v / 1e6, unit);
    else if (v >= 1e3)
        snprintf(buf, size, "%.3gk%s", v / 1e3, unit);
    else
        snprintf(buf, size, "%.3g%s", v, unit);
}

/* A round step for about n ticks over [0, max]. */
static double nice_step(double max, int n)
{
    if (max <= 0)
        return 1;
    double raw = max / n;
    double mag = pow(10, floor(log10(raw)));
    double f = raw / mag;
    double nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
    return nice * mag;
}

/* Latency distribution: histogram buckets gathered into log-spaced bins. */
static void latency_chart(FILE *o, const struct tio_hist *h, int x0, int y0, int w, int ht,
                          const char *color)
{
    uint64_t n = tio_hist_count(h);
    double lo = (double)tio_latstat_min(&h->st), hi = (double)tio_latstat_max(&h->st);
    if (lo < 1)
        lo = 1;
    if (hi <= lo)
        hi = lo * 2;
    double llo = log10(lo), lhi = log10(hi) + 1e-9;
    double bins[HIST_BINS] = {0};
    for (unsigned i = 0; i < TIO_HIST_BUCKETS; i++) {
        uint64_t c = h->counts[i];
        if (!c)
            continue;
        double v = (double)tio_hist_bucket_value(i);
        int b = (int)((log10(v < 1 ? 1 : v) - llo) / (lhi - llo) * HIST_BINS);
        b = b < 0 ? 0 : b >= HIST_BINS ? HIST_BINS - 1 : b;
        bins[b] += (double)c;
    }
    double peak = 0;
    for (int b = 0; b < HIST_BINS; b++)
        if (bins[b] > peak)
            peak = bins[b];
    double ymax = n ? peak * 100.0 / (double)n : 1;
    double step = nice_step(ymax, 4);
    ymax = ceil(ymax / step) * step;

    fprintf(o, "<g class=\"latency\">\n");
    fprintf(o, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"frame\"/>\n", x0, y0,
            w, ht);
    for (double t = 0; t <= ymax + step / 2; t += step) {
        int y = y0 + ht - (int)(t / ymax * ht);
        fprintf(o,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"grid\"/>"
                "<text x=\"%d\" y=\"%d\" class=\"tick\" text-anchor=\"end\">%.3g%%</text>\n",
                x0, y, x0 + w, y, x0 - 4, y + 4, t);
    }
    double bw = (double)w / HIST_BINS;
    for (int b = 0; b < HIST_BINS; b++) {
        if (!bins[b])
            continue;
        double pct = bins[b] * 100.0 / (double)n;
        int bh = (int)(pct / ymax * ht);
        fprintf(o, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n",
                x0 + b * bw + 0.5, y0 + ht - bh, bw - 1, bh, color);
    }
    /* Latency axis: decades. */
    for (double d = floor(llo); d <= lhi; d += 1) {
        if (d < llo)
            continue;
        int x = x0 + (int)((d - llo) / (lhi - llo) * w);
        char label[32];
        fmt_ns(pow(10, d), label, sizeof(label));
        fprintf(o,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"grid\"/>"
                "<text x=\"%d\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">%s</text>\n",
                x, y0, x, y0 + ht, x, y0 + ht + 16, label);
    }
    for (size_t k = 0; k < sizeof(marks) / sizeof(marks[0]); k++) {
        double v = (double)tio_hist_percentile(h, marks[k]);
        if (v < lo)
            v = lo;
        int x = x0 + (int)((log10(v) - llo) / (lhi - llo) * w);
        char label[32];
        fmt_ns(v, label, sizeof(label));
        fprintf(o,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"mark\"/>"
                "<text x=\"%d\" y=\"%d\" class=\"marklabel\">p%g %s</text>\n",
                x, y0, x, y0 + ht, x + 3, y0 + 12 + (int)k * 13, marks[k], label);
    }
    fprintf(o,
            "<text x=\"%d\" y=\"%d\" class=\"axis\" text-anchor=\"middle\">completion latency "
            "(log scale)</text>\n",
            x0 + w / 2, y0 + ht + 34);
    fprintf(o, "<text x=\"%d\" y=\"%d\" class=\"axis\">%% of IOs</text>\n", x0, y0 - 6);
    fprintf(o, "</g>\n");
}

/* The largest time, IOPS and bandwidth of series s in direction d. */
static void series_max(const struct tio_series *s, enum tio_ddir d, double *tmax, double *imax,
                       double *bmax)
{
    const struct tio_series_point *p = tio_series_points(s);
    for (size_t i = 0; i < tio_series_count(s); i++) {
        double dur = (double)p[i].dur_ns / 1e9;
        if (dur <= 0)
            continue;
        double t = (double)(p[i].t_ns + p[i].dur_ns) / 1e9;
        double iops = (double)p[i].ios[d] / dur, bw = (double)p[i].bytes[d] / dur;
        *tmax = t > *tmax ? t : *tmax;
        *imax = iops > *imax ? iops : *imax;
        *bmax = bw > *bmax ? bw : *bmax;
    }
}

/* One line of series s: IOPS, or bandwidth (bw), scaled to max. */
static void series_line(FILE *o, const struct tio_series *s, enum tio_ddir d, bool bw,
                        double tmax, double max, int x0, int y0, int w, int ht,
                        const char *attrs)
{
    const struct tio_series_point *p = tio_series_points(s);
    fprintf(o, "<polyline %s fill=\"none\" points=\"", attrs);
    for (size_t i = 0; i < tio_series_count(s); i++) {
        double dur = (double)p[i].dur_ns / 1e9;
        if (dur <= 0)
            continue;
        double t = (double)(p[i].t_ns + p[i].dur_ns / 2) / 1e9;
        double v = (double)(bw ? p[i].bytes[d] : p[i].ios[d]) / dur / max;
        fprintf(o, "%.1f,%.1f ", x0 + t / tmax * w, y0 + ht - v * ht);
    }
    fprintf(o, "\"/>\n");
}

/* IOPS (line) and bandwidth (line, right axis) over the run; in a
 * distributed run (np parts) the sum over the participants, with each
 * participant's IOPS as a thin line. */
static void throughput_chart(FILE *o, const struct tio_series *s, enum tio_ddir d, int x0,
                             int y0, int w, int ht, const char *color,
                             struct tio_job_result *const *parts, size_t np)
{
    struct tio_series sum;
    if (np) {
        tio_plot_ranks_sum(parts, np, &sum);
        s = &sum;
    }
    double tmax = 0, imax = 0, bmax = 0;
    series_max(s, d, &tmax, &imax, &bmax);
    for (size_t r = 0; r < np; r++)
        series_max(&parts[r]->stats.series, d, &tmax, &imax, &bmax);
    if (tmax <= 0)
        tmax = 1;
    double istep = nice_step(imax, 4), bstep = nice_step(bmax, 4), tstep = nice_step(tmax, 6);
    imax = imax > 0 ? ceil(imax / istep) * istep : 1;
    bmax = bmax > 0 ? ceil(bmax / bstep) * bstep : 1;

    fprintf(o, "<g class=\"throughput\">\n");
    fprintf(o, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"frame\"/>\n", x0, y0,
            w, ht);
    for (double v = 0; v <= imax + istep / 2; v += istep) {
        int y = y0 + ht - (int)(v / imax * ht);
        char label[32];
        fmt_count(v, "", label, sizeof(label));
        fprintf(o,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"grid\"/>"
                "<text x=\"%d\" y=\"%d\" class=\"tick\" text-anchor=\"end\">%s</text>\n",
                x0, y, x0 + w, y, x0 - 4, y + 4, label);
    }
    for (double v = 0; v <= bmax + bstep / 2; v += bstep) {
        int y = y0 + ht - (int)(v / bmax * ht);
        char label[32];
        fmt_count(v, "B/s", label, sizeof(label));
        fprintf(o, "<text x=\"%d\" y=\"%d\" class=\"tick bw\">%s</text>\n", x0 + w + 4, y + 4,
                label);
    }
    for (double t = 0; t <= tmax + tstep / 2; t += tstep) {
        int x = x0 + (int)(t / tmax * w);
        fprintf(o, "<text x=\"%d\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">%gs</text>\n",
                x, y0 + ht + 16, t);
    }
    char attrs[160];
    for (size_t r = 0; r < np; r++) {
        snprintf(attrs, sizeof(attrs),
                 "class=\"rankline\" data-rank=\"%zu\" stroke=\"%s\" stroke-opacity=\"0.45\" "
                 "style=\"stroke-width:1\"",
                 r, color);
        series_line(o, &parts[r]->stats.series, d, false, tmax, imax, x0, y0, w, ht, attrs);
    }
    snprintf(attrs, sizeof(attrs), "class=\"iopsline\" stroke=\"%s\"", color);
    series_line(o, s, d, false, tmax, imax, x0, y0, w, ht, attrs);
    series_line(o, s, d, true, tmax, bmax, x0, y0, w, ht, "class=\"bwline\" stroke=\"#888\"");
    fprintf(o, "<text x=\"%d\" y=\"%d\" class=\"axis\" text-anchor=\"middle\">time%s</text>\n",
            x0 + w / 2, y0 + ht + 34, np ? " (thick: all ranks; thin: each rank's IOPS)" : "");
    fprintf(o,
            "<text x=\"%d\" y=\"%d\" class=\"axis\" fill=\"%s\">IOPS</text>"
            "<text x=\"%d\" y=\"%d\" class=\"axis bw\" text-anchor=\"end\">bandwidth</text>\n",
            x0, y0 - 6, color, x0 + w, y0 - 6);
    fprintf(o, "</g>\n");
    if (np)
        tio_series_fini(&sum);
}

static int count_panels(struct tio_job_result *const *results, size_t n)
{
    int panels = 0;
    for (size_t i = 0; i < n; i++)
        for (int d = 0; d < TIO_DDIR_COUNT; d++)
            if (results[i]->stats.dir[d].ios)
                panels++;
    return panels;
}

/* Each panel's chart from its job's latency log, in panel order; NULL
 * entries for panels without one. */
static struct tio_plot_lat **load_lat_logs(struct tio_job_result *const *results,
                                           const struct tio_job *const *jobs, size_t n,
                                           int panels, int *with_log)
{
    struct tio_plot_lat **lat = calloc((size_t)panels + 1, sizeof(*lat));
    *with_log = 0;
    for (size_t i = 0, k = 0; lat && jobs && i < n; i++)
        for (int d = 0; d < TIO_DDIR_COUNT; d++) {
            if (!results[i]->stats.dir[d].ios)
                continue;
            struct tio_plot_lat *l = malloc(sizeof(*l));
            if (l && tio_plot_lat_load(jobs[i], (unsigned)d, l)) {
                lat[k] = l;
                (*with_log)++;
            } else {
                free(l);
            }
            k++;
        }
    return lat;
}

static void write_svg(FILE *o, struct tio_job_result *const *results,
                      const struct tio_job *const *jobs, size_t n,
                      struct tio_job_result *const *parts, size_t np)
{
    static const char *const colors[TIO_DDIR_COUNT] = {"#2a6fdb", "#d9480f", "#2b8a3e"};
    int panels = count_panels(results, n), with_log = 0;
    struct tio_plot_lat **lat = load_lat_logs(results, jobs, n, panels, &with_log);
    int height = 60 + (panels ? panels : 1) * (PANEL_H + TITLE_H + 50) + with_log * LAT_H;
    fprintf(o,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n",
            WIDTH, height, WIDTH, height);
    fprintf(o, "<style>.frame{fill:#fafafa;stroke:#bbb}.grid{stroke:#e3e3e3}"
               ".tick{font-size:11px;fill:#555}.axis{font-size:12px;fill:#333}"
               ".bw{fill:#777}.mark{stroke:#222;stroke-dasharray:4 3}"
               ".marklabel{font-size:11px;fill:#222}.job{font-size:16px;font-weight:bold}"
               ".sub{font-size:12px;fill:#444}polyline{stroke-width:2}</style>\n");
    fprintf(o, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    fprintf(o, "<text x=\"%d\" y=\"30\" class=\"job\">tenon-io results</text>\n", MARGIN);
    if (!panels)
        fprintf(o, "<text x=\"%d\" y=\"70\" class=\"sub\">no job did any IO</text>\n", MARGIN);
    int y = 60, k = 0;
    int cw = (WIDTH - 2 * MARGIN - GAP - 40) / 2; /* room for the bandwidth labels */
    for (size_t i = 0; i < n; i++) {
        const struct tio_job_result *r = results[i];
        for (int d = 0; d < TIO_DDIR_COUNT; d++) {
            const struct tio_dir_stats *ds = &r->stats.dir[d];
            if (!ds->ios)
                continue;
            double secs = ds->runtime_ns ? (double)ds->runtime_ns / 1e9 : 0;
            char iops[32], bw[32], p50[32], p99[32];
            fmt_count(secs > 0 ? (double)ds->ios / secs : 0, "", iops, sizeof(iops));
            fmt_count(secs > 0 ? (double)ds->bytes / secs : 0, "B/s", bw, sizeof(bw));
            fmt_ns((double)tio_hist_percentile(&ds->clat, 50), p50, sizeof(p50));
            fmt_ns((double)tio_hist_percentile(&ds->clat, 99), p99, sizeof(p99));
            fprintf(o, "<g class=\"panel\" data-job=\"");
            put_text(o, r->name);
            fprintf(o, "\" data-ddir=\"%s\">\n", tio_ddir_name((enum tio_ddir)d));
            fprintf(o, "<text x=\"%d\" y=\"%d\" class=\"job\">", MARGIN, y + 18);
            put_text(o, r->name);
            fprintf(o, " (%s)</text>\n", tio_ddir_name((enum tio_ddir)d));
            fprintf(o,
                    "<text x=\"%d\" y=\"%d\" class=\"sub\">IOPS %s, bandwidth %s, %" PRIu64
                    " IOs; clat p50 %s, p99 %s%s%s</text>\n",
                    MARGIN, y + 36, iops, bw, ds->ios, p50, p99, r->error ? "; error: " : "",
                    r->error ? "yes" : "");
            int cy = y + TITLE_H + 14;
            latency_chart(o, &ds->clat, MARGIN, cy, cw, PANEL_H - 60, colors[d]);
            throughput_chart(o, &r->stats.series, (enum tio_ddir)d, MARGIN + cw + GAP, cy, cw,
                             PANEL_H - 60, colors[d], np ? parts + i * np : NULL, np);
            struct tio_plot_lat *l = lat ? lat[k++] : NULL;
            if (l) {
                tio_plot_lat_chart(o, l, MARGIN, cy + PANEL_H, WIDTH - 2 * MARGIN - 40,
                                   LAT_H - 50, colors[d]);
                y += LAT_H;
                free(l);
            }
            fprintf(o, "</g>\n");
            y += PANEL_H + TITLE_H + 50;
        }
    }
    fprintf(o, "</svg>\n");
    free(lat);
}

int tio_plot_write(const char *path, struct tio_job_result *const *results,
                   const struct tio_job *const *jobs, size_t n,
                   struct tio_job_result *const *parts, size_t np, struct tio_error *err)
{
    size_t len = strlen(path);
    if (len < 4 || strcmp(path + len - 4, ".svg") != 0) {
        tio_error_set(err, TIO_EVALUE, NULL, NULL, NULL,
                      "--plot=%s: plots are written as SVG; name the file *.svg", path);
        return -EINVAL;
    }
    struct tio_outfile *of;
    int rc = tio_outfile_open(&of, path, err);
    if (rc < 0)
        return rc;
    write_svg(tio_outfile_stream(of), results, jobs, n, parts, np);
    return tio_outfile_commit(of, err);
}
