/* Shared by the report writers; not for the host. */
#ifndef TIO_REPORT_INTERNAL_H
#define TIO_REPORT_INTERNAL_H

#include "tio_kv.h"
#include "tio_report.h"

/* One participant's result of one job in a distributed run. */
struct tio_report_client {
    struct tio_job_result *result; /* owned */
    char *host;
    unsigned rank;
};

void tio__report_free_clients(struct tio_report *rep);

struct tio_report {
    char *version;
    struct timespec wall;
    struct tio_kv_list global_options;
    double percentiles[TIO_PERCENTILES_MAX];
    size_t npercentiles;
    unsigned terse_version;
    bool json_plus; /* while building fio's json+ document */
    char *preamble; /* written before the report; NULL: none */
    size_t preamble_len;

    struct tio_job_result **jobs; /* as added, owned */
    size_t njobs;
    size_t jobs_cap;

    struct tio_disk_util *disks;
    size_t ndisks;

    struct tio_report_client *clients; /* report_clients.c */
    size_t nclients;
    size_t clients_cap;

    bool finalized;
    const struct tio_job_result **entries; /* what is reported, in order */
    size_t nentries;
    struct tio_job_result **sums; /* group_reporting sums, owned */
    size_t nsums;
    struct tio_group_total *groups;
    size_t ngroups;
};

/* A direction's runtime in milliseconds as fio counts it: the elapsed
 * microseconds rounded up to the next millisecond. Rounding up keeps a run
 * shorter than a millisecond at 1 ms, so its rates come out over that
 * millisecond instead of 0. fio truncates to microseconds first, so a run
 * under 1 us would get 0 and no rates there; here any elapsed time counts
 * as at least 1 ms, and only a direction that ran no time at all has 0. */
static inline uint64_t tio_runtime_ms(uint64_t runtime_ns)
{
    uint64_t us = runtime_ns / 1000u;
    uint64_t ms = us / 1000u + (us % 1000u != 0);
    return ms || !runtime_ns ? ms : 1;
}

/* The numbers fio prints for one direction, derived once for both writers:
 * bw_bytes = io_bytes * 1000 / runtime_ms (integer), bw = bw_bytes / 1024,
 * iops = issued * 1000.0 / runtime_ms, all over the rounded-up runtime. */
struct tio_dir_summary {
    uint64_t io_bytes;
    uint64_t bw_bytes; /* bytes/s over the direction's runtime */
    double iops;
    uint64_t runtime_ms; /* tio_runtime_ms() */
    uint64_t issued;     /* fio's total_ios: tio_dir_issued() */
    uint64_t short_ios;
    uint64_t drop_ios;
    /* Samples, in KiB/s and IO/s. */
    uint64_t bw_samples;
    double bw_min, bw_max, bw_mean, bw_dev;
    double bw_agg_pct; /* the mean's share of the group's bandwidth */
    uint64_t iops_samples;
    double iops_min, iops_max, iops_mean, iops_dev;
};

void tio_dir_summarize(const struct tio_dir_stats *ds, uint64_t group_agg_bw,
                       struct tio_dir_summary *out);

/* fio's latency distribution maps, in percent of all IOs. Edges are
 * exclusive upper bounds: "4" holds [2, 4). */
#define TIO_LAT_DIST_N 10
#define TIO_LAT_DIST_MS_N 12
extern const unsigned tio_lat_dist_edges[TIO_LAT_DIST_MS_N - 1];

struct tio_lat_dist {
    double ns[TIO_LAT_DIST_N];
    double us[TIO_LAT_DIST_N];
    double ms[TIO_LAT_DIST_MS_N]; /* last is ">=2000" */
};

void tio_lat_dist_compute(const struct tio_job_stats *js, struct tio_lat_dist *out);

/* Depth maps in percent, each small nonzero share shown as 0.1 (fio does
 * this so that a rare depth is still visible). */
void tio_depth_pct(const uint64_t counts[TIO_DEPTH_BUCKETS], double out[TIO_DEPTH_BUCKETS]);

/* fio's json+ "bins" of a histogram (report_json_plus.c); NULL when out of
 * memory. */
json_t *tio__json_bins(const struct tio_hist *h);

/* The percentiles an entry reports: its own list, or the report's. */
static inline const double *tio_entry_percentiles(const struct tio_report *rep,
                                                  const struct tio_job_result *e, size_t *n)
{
    if (e->npercentiles) {
        *n = e->npercentiles;
        return e->percentiles;
    }
    *n = rep->npercentiles;
    return rep->percentiles;
}

/* Finalizes rep, has body write the report into memory, then writes it to
 * out in one piece (a failed write leaves no half-built text behind) and
 * flushes: 0, -ENOMEM, or the write's -errno. report.c. */
int tio__report_render(struct tio_report *rep,
                       void (*body)(FILE *f, const struct tio_report *rep), FILE *out);

/* The group total of a result's group. */
const struct tio_group_total *tio_report_group_of(const struct tio_report *rep,
                                                  unsigned groupid);

#endif
