/* Numbers derived from the raw statistics, shared by the text and JSON
 * reports so that both always agree. */
#include "report_internal.h"

#include <string.h>

const double tio_default_percentiles[TIO_DEFAULT_PERCENTILES_N] = {
    1.0, 5.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0,
    80.0, 90.0, 95.0, 99.0, 99.5, 99.9, 99.95, 99.99,
};

const unsigned tio_lat_dist_edges[TIO_LAT_DIST_MS_N - 1] = {
    2, 4, 10, 20, 50, 100, 250, 500, 750, 1000, 2000,
};

const char *const tio_depth_level_labels[TIO_DEPTH_BUCKETS] = {
    "1", "2", "4", "8", "16", "32", ">=64",
};

const char *const tio_depth_batch_labels[TIO_DEPTH_BUCKETS] = {
    "0", "4", "8", "16", "32", "64", ">=64",
};

void tio_dir_summarize(const struct tio_dir_stats *ds, uint64_t group_agg_bw,
                       struct tio_dir_summary *out)
{
    memset(out, 0, sizeof(*out));
    out->io_bytes = ds->bytes;
    out->runtime_ms = ds->runtime_ns / 1000000u;
    if (out->runtime_ms) {
        /* 128 bits: bytes * 1000 overflows 64 bits past 18 PB. */
        out->bw_bytes = (uint64_t)((tio_u128)ds->bytes * 1000u / out->runtime_ms);
        out->iops = (double)ds->ios * 1000.0 / (double)out->runtime_ms;
    }
    out->issued = ds->ios + ds->errors;
    out->short_ios = ds->short_ios;
    out->drop_ios = ds->drop_ios;

    out->bw_samples = ds->bw.n;
    if (ds->bw.n) {
        out->bw_min = ds->bw.min / 1024.0;
        out->bw_max = ds->bw.max / 1024.0;
        out->bw_mean = ds->bw.mean / 1024.0;
        out->bw_dev = tio_sstat_stddev(&ds->bw) / 1024.0;
        if (group_agg_bw) {
            out->bw_agg_pct = ds->bw.mean / (double)group_agg_bw * 100.0;
            /* Sampling noise can put the mean over the group's average;
             * a share above the whole makes no sense, so cap it as fio does. */
            if (out->bw_agg_pct > 100.0)
                out->bw_agg_pct = 100.0;
        }
    }
    out->iops_samples = ds->iops.n;
    if (ds->iops.n) {
        out->iops_min = ds->iops.min;
        out->iops_max = ds->iops.max;
        out->iops_mean = ds->iops.mean;
        out->iops_dev = tio_sstat_stddev(&ds->iops);
    }
}

static double share(uint64_t part, uint64_t total, double floor_pct)
{
    if (!total || !part)
        return 0.0;
    double pct = (double)part * 100.0 / (double)total;
    return pct < floor_pct ? floor_pct : pct;
}

void tio_lat_dist_compute(const struct tio_job_stats *js, struct tio_lat_dist *out)
{
    memset(out, 0, sizeof(*out));
    /* Merging the three directions' histograms would copy 114 KiB; counting
     * each one below every edge is as cheap and needs no memory. */
    uint64_t total = 0;
    for (int d = 0; d < TIO_DDIR_COUNT; d++)
        total += js->dir[d].clat.st.n;
    if (!total)
        return;

    uint64_t below[3][TIO_LAT_DIST_MS_N]; /* [scale][edge], edge 0 = scale's start */
    static const uint64_t scale[3] = {1, 1000, 1000000};
    for (int s = 0; s < 3; s++) {
        for (int e = 0; e < TIO_LAT_DIST_MS_N; e++) {
            uint64_t x = e == 0 ? (s == 0 ? 0 : scale[s]) : tio_lat_dist_edges[e - 1] * scale[s];
            uint64_t n = 0;
            for (int d = 0; d < TIO_DDIR_COUNT; d++)
                n += x ? tio_hist_count_below(&js->dir[d].clat, x) : 0;
            below[s][e] = n;
        }
    }
    for (int i = 0; i < TIO_LAT_DIST_N; i++) {
        out->ns[i] = share(below[0][i + 1] - below[0][i], total, 0.01);
        out->us[i] = share(below[1][i + 1] - below[1][i], total, 0.01);
    }
    for (int i = 0; i < TIO_LAT_DIST_MS_N - 1; i++)
        out->ms[i] = share(below[2][i + 1] - below[2][i], total, 0.01);
    out->ms[TIO_LAT_DIST_MS_N - 1] = share(total - below[2][TIO_LAT_DIST_MS_N - 1], total, 0.01);
}

void tio_depth_pct(const uint64_t counts[TIO_DEPTH_BUCKETS], double out[TIO_DEPTH_BUCKETS])
{
    uint64_t total = 0;
    for (int i = 0; i < TIO_DEPTH_BUCKETS; i++)
        total += counts[i];
    for (int i = 0; i < TIO_DEPTH_BUCKETS; i++)
        out[i] = share(counts[i], total, 0.1);
}
