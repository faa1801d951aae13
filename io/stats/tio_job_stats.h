/* One job's statistics while it runs. Owned and written by the job's worker
 * thread only; every call here is lock-free and the per-IO ones are
 * allocation-free and inline.
 *
 * Per-IO calls, on the hot path:
 *     tio_stats_slat()       when an engine queues an IO (async engines only)
 *     tio_stats_io()         when an IO completes: count, bytes, clat, lat
 *     tio_stats_tick()       with the completion time, once per IO or batch;
 *                            a compare unless a sample or publish is due
 * Per submit/reap call: tio_stats_depth(), tio_stats_submit(),
 *     tio_stats_complete().
 * Rare: tio_stats_short(), tio_stats_drop(), tio_stats_error(),
 *     tio_stats_sync().
 * Phases: tio_stats_start() when IO starts, tio_stats_reset() at the end of
 *     a ramp period, tio_stats_finish() when the job's IO is done. */
#ifndef TIO_JOB_STATS_H
#define TIO_JOB_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tio_ddir.h"
#include "tio_hist.h"
#include "tio_latstat.h"
#include "tio_live.h"
#include "tio_prio_stats.h"
#include "tio_series.h"
#include "tio_sstat.h"

#ifdef __cplusplus
extern "C" {
#endif

/* fio samples bandwidth and IOPS every 500 ms (bwavgtime, iopsavgtime);
 * using the same interval gives the same sample counts. */
#define TIO_SAMPLE_INTERVAL_DEFAULT_NS UINT64_C(500000000)

/* How often the running totals reach the status line's reader. */
#define TIO_PUBLISH_INTERVAL_NS UINT64_C(100000000)

/* fio's depth maps have seven buckets. Depth: 1, 2, 4, 8, 16, 32, >=64
 * (each from that value up to the next). Submit and complete: 0, 4, 8, 16,
 * 32, 64, >=64 (each from the previous value + 1 up to that value). */
#define TIO_DEPTH_BUCKETS 7

/* Errors are counted by kind ("EIO", "ENOSPC", "verify", ...): a small fixed
 * table, since a run sees few distinct kinds; more kinds than fit are
 * counted under "other". */
#define TIO_ERROR_KINDS_MAX 16
#define TIO_ERROR_KIND_LEN 32

struct tio_error_count {
    char kind[TIO_ERROR_KIND_LEN];
    uint64_t count;
};

struct tio_error_counts {
    unsigned n;
    struct tio_error_count e[TIO_ERROR_KINDS_MAX];
    uint64_t other;
};

struct tio_dir_stats {
    uint64_t ios;            /* completed IOs */
    uint64_t bytes;          /* bytes they moved */
    uint64_t short_ios;      /* completed with fewer bytes than asked */
    uint64_t drop_ios;       /* issued but dropped (fio's "dropped") */
    uint64_t zone_resets;    /* writes: zones reset under zonemode=zbd */
    uint64_t errors;         /* failed IOs */
    uint64_t runtime_ns;     /* time the job spent doing IO, if it did any here */
    struct tio_latstat slat; /* submission latency */
    struct tio_latstat lat;  /* total latency */
    struct tio_sstat bw;     /* bytes/s per sample interval */
    struct tio_sstat iops;   /* IO/s per sample interval */
    struct tio_hist clat;    /* completion latency, with percentiles */
    /* Histograms of slat and lat, only for jobs that report their
     * percentiles (slat_percentiles, lat_percentiles); NULL otherwise, so
     * other jobs pay one predictable branch per IO. */
    struct tio_hist *slat_hist;
    struct tio_hist *lat_hist;
    /* Latency per IO priority: empty unless the job's IOs carry
     * priorities of their own (cmdprio_*). */
    struct tio_prio_stats prios;
};

struct tio_job_stats {
    struct tio_dir_stats dir[TIO_DDIR_COUNT];
    struct tio_hist sync; /* fsync=N/fdatasync=N latencies (not end_fsync's, as fio) */
    uint64_t sync_ios;    /* fsync=N syncs: fio's sync total_ios (not fdatasync's) */
    uint64_t depth[TIO_DEPTH_BUCKETS];
    uint64_t submit[TIO_DEPTH_BUCKETS];
    uint64_t complete[TIO_DEPTH_BUCKETS];
    struct tio_error_counts errors;
    /* Errors the job carried on after (continue_on_error, ignore_error):
     * fio's total_err and first_error. */
    uint64_t nonfatal_errors;
    int first_error;

    /* Sampling state. */
    uint64_t start_ns;
    uint64_t end_ns;
    uint64_t next_tick_ns;
    uint64_t next_sample_ns;
    uint64_t next_publish_ns;
    uint64_t last_sample_ns;
    uint64_t sample_interval_ns;
    uint64_t last_ios[TIO_DDIR_COUNT];
    uint64_t last_bytes[TIO_DDIR_COUNT];
    struct tio_series series;
    struct tio_live_job *live; /* not owned; NULL when nothing watches */
    /* not owned: where interim reports get a copy (tio_stats_mailbox.h) */
    struct tio_stats_mailbox *mailbox;
};

/* sample_interval_ns 0 means TIO_SAMPLE_INTERVAL_DEFAULT_NS; series_cap 0
 * means TIO_SERIES_DEFAULT_CAP. Takes no memory until samples come. */
void tio_job_stats_init(struct tio_job_stats *js, uint64_t sample_interval_ns,
                        size_t series_cap);
void tio_job_stats_fini(struct tio_job_stats *js);

/* Keeps histograms of slat and/or lat too, for their percentiles. Call
 * before IO starts. Returns 0 or -ENOMEM. */
int tio_job_stats_keep_hists(struct tio_job_stats *js, bool slat, bool lat);

/* Where the running totals are published for the status line (or NULL). */
void tio_job_stats_attach_live(struct tio_job_stats *js, struct tio_live_job *live);

/* Where a copy goes when one is asked for (or NULL); before IO starts. */
void tio_job_stats_attach_mailbox(struct tio_job_stats *js, struct tio_stats_mailbox *mb);

/* Makes dst a copy of src's numbers (its series and attachments left
 * out), dst's histograms taken as src keeps them. 0 or -ENOMEM. */
int tio_job_stats_copy(struct tio_job_stats *dst, const struct tio_job_stats *src);

/* IO starts now (monotonic ns). */
void tio_stats_start(struct tio_job_stats *js, uint64_t now_ns);

/* Forgets everything recorded so far and starts again at now_ns, e.g. at the
 * end of fio's ramp_time. */
void tio_stats_reset(struct tio_job_stats *js, uint64_t now_ns);

/* IO is over: sets the runtimes, stores the last partial series point and
 * publishes the final totals. */
void tio_stats_finish(struct tio_job_stats *js, uint64_t now_ns);

static inline void tio_stats_slat(struct tio_job_stats *js, enum tio_ddir d, uint64_t slat_ns)
{
    tio_latstat_add(&js->dir[d].slat, slat_ns);
    if (js->dir[d].slat_hist)
        tio_hist_record(js->dir[d].slat_hist, slat_ns);
}

static inline void tio_stats_io(struct tio_job_stats *js, enum tio_ddir d, uint64_t bytes,
                                uint64_t clat_ns, uint64_t lat_ns)
{
    struct tio_dir_stats *ds = &js->dir[d];
    ds->ios++;
    ds->bytes += bytes;
    tio_hist_record(&ds->clat, clat_ns);
    tio_latstat_add(&ds->lat, lat_ns);
    if (ds->lat_hist)
        tio_hist_record(ds->lat_hist, lat_ns);
}

static inline void tio_stats_short(struct tio_job_stats *js, enum tio_ddir d)
{
    js->dir[d].short_ios++;
}

static inline void tio_stats_drop(struct tio_job_stats *js, enum tio_ddir d)
{
    js->dir[d].drop_ios++;
}

static inline void tio_stats_sync(struct tio_job_stats *js, uint64_t lat_ns)
{
    tio_hist_record(&js->sync, lat_ns);
}

/* IOs in flight when an IO is issued (1 for synchronous engines). */
static inline void tio_stats_depth(struct tio_job_stats *js, uint64_t in_flight)
{
    unsigned b = 63u - (unsigned)__builtin_clzll(in_flight | 1);
    js->depth[b < TIO_DEPTH_BUCKETS - 1 ? b : TIO_DEPTH_BUCKETS - 1]++;
}

/* Bucket of a submit or complete batch of n IOs. */
static inline unsigned tio_depth_batch_bucket(uint64_t n)
{
    if (n == 0)
        return 0;
    if (n <= 4)
        return 1;
    unsigned ceil_log2 = 64u - (unsigned)__builtin_clzll(n - 1);
    unsigned b = ceil_log2 - 1;
    return b < TIO_DEPTH_BUCKETS - 1 ? b : TIO_DEPTH_BUCKETS - 1;
}

/* IOs handed to the engine in one submit call. */
static inline void tio_stats_submit(struct tio_job_stats *js, uint64_t n)
{
    js->submit[tio_depth_batch_bucket(n)]++;
}

/* IOs reaped in one completion call. */
static inline void tio_stats_complete(struct tio_job_stats *js, uint64_t n)
{
    js->complete[tio_depth_batch_bucket(n)]++;
}

/* A failed IO, counted in its direction and under its kind (a short name
 * such as "EIO" or "verify"; copied, truncated to TIO_ERROR_KIND_LEN - 1).
 * d = TIO_DDIR_COUNT counts the kind only: a verify failure's read has
 * completed and is counted already, and fio counts that IO once. */
void tio_stats_error(struct tio_job_stats *js, enum tio_ddir d, const char *kind);

/* An error the job carries on after (it was counted by kind already). */
static inline void tio_stats_nonfatal(struct tio_job_stats *js, int errnum)
{
    if (!js->nonfatal_errors++)
        js->first_error = errnum;
}

/* Same, with the kind named after an errno value ("EIO"). */
void tio_stats_errno(struct tio_job_stats *js, enum tio_ddir d, int errnum);

void tio_stats_tick_slow(struct tio_job_stats *js, uint64_t now_ns);

static inline void tio_stats_tick(struct tio_job_stats *js, uint64_t now_ns)
{
    if (now_ns >= js->next_tick_ns)
        tio_stats_tick_slow(js, now_ns);
}

/* Adds src's numbers to dst's (threads of one job, or jobs of one
 * group_reporting group). slat and lat histograms merge where dst keeps
 * them (tio_job_stats_keep_hists). Latencies, counts and depth maps add exactly;
 * bandwidth and IOPS samples add as concurrent rates (tio_sstat_sum);
 * runtimes take the longest. The series is not merged. */
void tio_job_stats_merge(struct tio_job_stats *dst, const struct tio_job_stats *src);

/* Adds src's numbers to dst's as fio's unified_rw_reporting mixes the
 * directions of one job: counts and latencies add, bandwidth and IOPS
 * samples pool. dst's slat and lat histograms merge where both have them. */
void tio_dir_stats_mix(struct tio_dir_stats *dst, const struct tio_dir_stats *src);

/* Zeroes a direction's numbers (its histograms stay, emptied). */
void tio_dir_stats_clear(struct tio_dir_stats *ds);

/* IOs completed in every direction; failed_too: the failed ones as well
 * (fio's io_blocks, which thinktime_blocks counts). */
static inline uint64_t tio_stats_completed(const struct tio_job_stats *js, bool failed_too)
{
    uint64_t n = 0;
    for (int d = 0; d < TIO_DDIR_COUNT; d++)
        n += js->dir[d].ios + (failed_too ? js->dir[d].errors : 0);
    return n;
}

/* fio's total_ios of a direction: every IO handed to the engine, the
 * failed ones and each resubmitted rest of a short IO included (fio counts
 * each queueing); its iops are these over the runtime. */
static inline uint64_t tio_dir_issued(const struct tio_dir_stats *ds)
{
    return ds->ios + ds->errors + ds->short_ios;
}

/* The three directions' completion latencies in one histogram. */
void tio_job_stats_clat_all(const struct tio_job_stats *js, struct tio_hist *out);

#ifdef __cplusplus
}
#endif

#endif
