/* --plot of a distributed run: a job's throughput over time summed over
 * its participants (ranks), whose series each keep their own intervals.
 * The sum is taken in bins of one width over the longest series: each
 * point's counts are spread over the bins it overlaps, in proportion. */
#include "plot_ranks.h"

#include <math.h>
#include <stdlib.h>

#define BINS 200

void tio_plot_ranks_sum(struct tio_job_result *const *parts, size_t n, struct tio_series *out)
{
    uint64_t tmax = 0;
    for (size_t r = 0; r < n; r++) {
        const struct tio_series *s = &parts[r]->stats.series;
        const struct tio_series_point *p = tio_series_points(s);
        for (size_t k = 0; k < tio_series_count(s); k++)
            tmax = p[k].t_ns + p[k].dur_ns > tmax ? p[k].t_ns + p[k].dur_ns : tmax;
    }
    tio_series_init(out, 2 * BINS);
    if (!tmax)
        return;
    uint64_t width = (tmax + BINS - 1) / BINS;
    double ios[BINS][TIO_DDIR_COUNT] = {{0}}, bytes[BINS][TIO_DDIR_COUNT] = {{0}};
    for (size_t r = 0; r < n; r++) {
        const struct tio_series *s = &parts[r]->stats.series;
        const struct tio_series_point *p = tio_series_points(s);
        for (size_t k = 0; k < tio_series_count(s); k++) {
            uint64_t start = p[k].t_ns, end = start + (p[k].dur_ns ? p[k].dur_ns : 1);
            for (uint64_t t = start; t < end;) {
                size_t b = (size_t)(t / width);
                uint64_t stop = ((uint64_t)b + 1) * width < end ? ((uint64_t)b + 1) * width
                                                                : end;
                double share = (double)(stop - t) / (double)(end - start);
                for (int d = 0; b < BINS && d < TIO_DDIR_COUNT; d++) {
                    ios[b][d] += (double)p[k].ios[d] * share;
                    bytes[b][d] += (double)p[k].bytes[d] * share;
                }
                t = stop;
            }
        }
    }
    for (size_t b = 0; b < BINS && (uint64_t)b * width < tmax; b++) {
        struct tio_series_point q = {.t_ns = (uint64_t)b * width, .dur_ns = width};
        if (q.t_ns + q.dur_ns > tmax)
            q.dur_ns = tmax - q.t_ns;
        for (int d = 0; d < TIO_DDIR_COUNT; d++) {
            q.ios[d] = (uint64_t)llround(ios[b][d]);
            q.bytes[d] = (uint64_t)llround(bytes[b][d]);
        }
        tio_series_add(out, &q);
    }
    tio_series_flush(out);
}
