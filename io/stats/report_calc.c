/* Numbers derived from the raw statistics, shared by the text and JSON
 * reports so that both always agree. */
#include "report_internal.h"

#include <string.h>

const double tio_default_percentiles[TIO_DEFAULT_PERCENTILES_N] = {
    1.0,  5.0,  10.0, 20.0, 30.0, 40.0, 50.0,  60.0,  70.0,
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
    out->runtime_ms = tio_runtime_ms(ds->runtime_ns);
    if (out->runtime_ms) {
        /* 128 bits: bytes * 1000 overflows 64 bits past 18 PB. */
        out->bw_bytes = (uint64_t)((tio_u128)ds->bytes * 1000u / out->runtime_ms);
        out->iops = (double)tio_dir_issued(ds) * 1000.0 / (double)out->runtime_ms;
    }
    out->issued = tio_dir_issued(ds);
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
    /* The 32 ranges of the three maps, back to back: [0,2) ns ... [750,1000)
     * ns, [1,2) us ... [750,1000) us, [1,2) ms ... [1000,2000) ms, then
     * everything from 2000 ms up. One walk over each histogram's buckets
     * fills them, since both are in increasing order. */
    enum {
        NS = TIO_LAT_DIST_N,
        US = TIO_LAT_DIST_N,
        MS = TIO_LAT_DIST_MS_N,
        SLOTS = NS + US + MS
    };
    uint64_t upper[SLOTS]; /* exclusive upper bound of each range */
    for (int i = 0; i < NS; i++)
        upper[i] = tio_lat_dist_edges[i];
    for (int i = 0; i < US; i++)
        upper[NS + i] = (uint64_t)tio_lat_dist_edges[i] * 1000u;
    for (int i = 0; i < MS - 1; i++)
        upper[NS + US + i] = (uint64_t)tio_lat_dist_edges[i] * 1000000u;
    upper[SLOTS - 1] = UINT64_MAX;

    uint64_t count[SLOTS] = {0};
    uint64_t total = 0;
    for (int d = 0; d < TIO_DDIR_COUNT; d++) {
        const struct tio_hist *h = &js->dir[d].clat;
        if (!h->st.n)
            continue;
        int slot = 0;
        for (unsigned i = 0; i < TIO_HIST_BUCKETS; i++) {
            if (!h->counts[i])
                continue;
            /* Each bucket counts on the side of an edge where its middle is. */
            uint64_t v = tio_hist_bucket_value(i);
            while (v >= upper[slot])
                slot++;
            count[slot] += h->counts[i];
            total += h->counts[i];
        }
    }
    if (!total)
        return;
    for (int i = 0; i < NS; i++)
        out->ns[i] = share(count[i], total, 0.01);
    for (int i = 0; i < US; i++)
        out->us[i] = share(count[NS + i], total, 0.01);
    for (int i = 0; i < MS; i++)
        out->ms[i] = share(count[NS + US + i], total, 0.01);
}

void tio_depth_pct(const uint64_t counts[TIO_DEPTH_BUCKETS], double out[TIO_DEPTH_BUCKETS])
{
    uint64_t total = 0;
    for (int i = 0; i < TIO_DEPTH_BUCKETS; i++)
        total += counts[i];
    for (int i = 0; i < TIO_DEPTH_BUCKETS; i++)
        out[i] = share(counts[i], total, 0.1);
}
