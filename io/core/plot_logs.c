/* --plot with write_lat_log: completion latency over time, read back from
 * the clat log the job wrote (NAME_clat.N.log), per direction: each time
 * bin's mean as a line, its maximum as a lighter one. A job whose log is
 * stored compressed, or gone, simply has no such chart. */
#include "plot_logs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* One line's time (ms), value (ns) and direction; false if it is not a
 * log line. */
static bool parse_line(const char *s, uint64_t *t, uint64_t *v, unsigned *d)
{
    char *end;
    *t = strtoull(s, &end, 10);
    if (end == s || *end != ',')
        return false;
    s = end + 1;
    *v = strtoull(s, &end, 10);
    if (end == s || *end != ',')
        return false;
    s = end + 1;
    *d = (unsigned)strtoul(s, &end, 10);
    return end != s && *d < 3;
}

bool tio_plot_lat_load(const struct tio_job *job, unsigned d, struct tio_plot_lat *out)
{
    const struct tio_job_logs *o = &job->logs;
    memset(out, 0, sizeof(*out));
    if (!o->on[TIO_LOG_LAT] || o->store_compressed || o->window_value == TIO_LOG_WINDOW_BOTH)
        return false;
    const char *prefix = o->names[TIO_LOG_LAT] && *o->names[TIO_LOG_LAT] ? o->names[TIO_LOG_LAT]
                                                                         : job->identity.name;
    if (tio_log_path(out->path, sizeof(out->path), prefix, "clat", job->index + 1, o->per_job,
                     false) < 0)
        return false;
    FILE *f = fopen(out->path, "r");
    if (!f)
        return false;
    char line[256];
    uint64_t t, v, tmax = 0;
    unsigned dd;
    size_t n = 0;
    while (fgets(line, sizeof(line), f))
        if (parse_line(line, &t, &v, &dd) && dd == d) {
            tmax = t > tmax ? t : tmax;
            n++;
        }
    uint64_t sum[TIO_PLOT_LAT_BINS] = {0}, cnt[TIO_PLOT_LAT_BINS] = {0};
    rewind(f);
    while (n && fgets(line, sizeof(line), f)) {
        if (!parse_line(line, &t, &v, &dd) || dd != d)
            continue;
        size_t b = tmax ? (size_t)(t * (TIO_PLOT_LAT_BINS - 1) / tmax) : 0;
        sum[b] += v;
        cnt[b]++;
        if ((double)v > out->max[b])
            out->max[b] = (double)v;
    }
    fclose(f);
    if (!n)
        return false;
    out->t_max_s = (double)tmax / 1e3;
    for (size_t b = 0; b < TIO_PLOT_LAT_BINS; b++) {
        out->has[b] = cnt[b] != 0;
        out->mean[b] = cnt[b] ? (double)sum[b] / (double)cnt[b] : 0;
        out->y_max = out->max[b] > out->y_max ? out->max[b] : out->y_max;
    }
    out->lines = n;
    return true;
}

static void polyline(FILE *o, const struct tio_plot_lat *l, const double *v, int x0, int y0,
                     int w, int ht, const char *cls, const char *color)
{
    fprintf(o, "<polyline class=\"%s\" fill=\"none\" stroke=\"%s\" points=\"", cls, color);
    for (size_t b = 0; b < TIO_PLOT_LAT_BINS; b++) {
        if (!l->has[b])
            continue;
        double x = x0 + (double)b / (TIO_PLOT_LAT_BINS - 1) * w;
        fprintf(o, "%.1f,%.1f ", x, y0 + ht - v[b] / l->y_max * ht);
    }
    fprintf(o, "\"/>\n");
}

void tio_plot_lat_chart(FILE *o, const struct tio_plot_lat *l, int x0, int y0, int w, int ht,
                        const char *color)
{
    fprintf(o, "<g class=\"latlog\">\n");
    fprintf(o, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"frame\"/>\n", x0, y0,
            w, ht);
    for (int k = 0; k <= 4; k++) {
        int y = y0 + ht - k * ht / 4;
        fprintf(o,
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"grid\"/>"
                "<text x=\"%d\" y=\"%d\" class=\"tick\" text-anchor=\"end\">%.3gus</text>\n",
                x0, y, x0 + w, y, x0 - 4, y + 4, l->y_max * k / 4 / 1e3);
    }
    for (int k = 0; k <= 4; k++)
        fprintf(o,
                "<text x=\"%d\" y=\"%d\" class=\"tick\" text-anchor=\"middle\">%.3gs</text>\n",
                x0 + k * w / 4, y0 + ht + 16, l->t_max_s * k / 4);
    polyline(o, l, l->max, x0, y0, w, ht, "latmax", "#bbb");
    polyline(o, l, l->mean, x0, y0, w, ht, "latmean", color);
    fprintf(o,
            "<text x=\"%d\" y=\"%d\" class=\"axis\">completion latency over time, mean "
            "and maximum per time bin (%zu lines of this direction in ",
            x0, y0 - 6, l->lines);
    for (const char *s = l->path; *s; s++) {
        if (*s == '<' || *s == '>' || *s == '&' || *s == '"')
            fputc('_', o);
        else
            fputc(*s, o);
    }
    fprintf(o, ")</text>\n</g>\n");
}
