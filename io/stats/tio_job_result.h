/* Everything a report says about one job (or one group_reporting group):
 * who it was, how it ended, and its statistics.
 *
 * The host creates a result per job before the job starts, hands
 * &result->stats to the job's worker (which records into it without locks),
 * and fills in the rest when the job ends. The statistics live inside the
 * result so nothing is copied at the end of a run. */
#ifndef TIO_JOB_RESULT_H
#define TIO_JOB_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "tio_cpu.h"
#include "tio_job_stats.h"
#include "tio_kv.h"
#include "tio_ss.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TIO_RESULT_PERCENTILES_MAX 20 /* fio's percentile_list limit */

enum { TIO_UNIFIED_NONE = 0, TIO_UNIFIED_MIXED = 1, TIO_UNIFIED_BOTH = 2 };

struct tio_job_result {
    char *name;
    unsigned groupid;
    unsigned njobs;             /* jobs summed into this result; 1 for a job */
    bool group_reporting;       /* report the job's group as one result */
    bool hidden;                /* fio's stats=0: in no entry, sum or group total */
    int error;                  /* errno value of the first error, 0 if none */
    char *error_text;           /* what failed and where; NULL if no error */
    long pid;                   /* process or thread id shown in the header */
    time_t end_time;            /* wall-clock time the job ended */
    uint64_t elapsed_s;         /* fio "elapsed": wall time since the job was set up */
    uint64_t eta_s;             /* fio "eta": 0 for a job that completed */
    uint64_t runtime_ms;        /* fio "job_runtime"; 0 means from the stats */
    unsigned iodepth;           /* fio "latency_depth" */
    uint64_t latency_target_us; /* fio's latency_target, latency_window, */
    uint64_t latency_window_us; /* latency_percentile: shown as given */
    double latency_percentile;
    bool continue_on_error; /* terse lines then end with the error count and first error */
    /* Which latencies show percentiles (fio's clat_percentiles, default on,
     * lat_percentiles, slat_percentiles) and which: npercentiles 0 means
     * the report's list. */
    /* fio's unified_rw_reporting: TIO_UNIFIED_MIXED reports one "mixed"
     * direction (in dir[TIO_DDIR_READ] once the report is finalized),
     * TIO_UNIFIED_BOTH the directions and then "mixed" (built into mixed). */
    unsigned unified_rw;
    struct tio_dir_stats *mixed;
    bool clat_percentiles;
    bool lat_percentiles;
    bool slat_percentiles;
    size_t npercentiles;
    double percentiles[TIO_RESULT_PERCENTILES_MAX];
    struct tio_cpu_usage cpu;   /* used by the job while it ran */
    struct tio_kv_list options; /* the options the job was given, as text */
    struct tio_job_stats stats;
    /* fio's steadystate section: the job's (or, under group_reporting, its
     * group's) samples and criterion; NULL without ss_dur. Owned. */
    struct tio_ss *ss;
    /* fio's significant_figures: digits of the normal report's IOPS,
     * bandwidths and sizes (1-10, default 4); a sum takes its first job's. */
    unsigned sig_figs;
};

/* A result with stats initialised (sample_interval_ns and series_cap as in
 * tio_job_stats_init; 0 for the defaults), njobs 1, latency_percentile 100.
 * NULL when out of memory. */
struct tio_job_result *tio_job_result_new(const char *name, unsigned groupid,
                                          uint64_t sample_interval_ns, size_t series_cap);
void tio_job_result_free(struct tio_job_result *r);

/* Sets error and its text (copied; may be NULL). Returns 0 or -ENOMEM. */
/* The error a report shows, as fio's: the job's fatal error, else, when
 * continue_on_error let it carry on, the first error it carried on after;
 * 0 if neither. */
int tio_job_result_error(const struct tio_job_result *r);

int tio_job_result_set_error(struct tio_job_result *r, int error, const char *text);

/* Records an option the job was given ("bs", "4k"). Returns 0 or -errno. */
int tio_job_result_add_option(struct tio_job_result *r, const char *key, const char *value);

/* The job's own percentile list (fio's percentile_list), sorted here; at
 * most TIO_RESULT_PERCENTILES_MAX. */
void tio_job_result_set_percentiles(struct tio_job_result *r, const double *p, size_t n);

/* The job's runtime in ms: runtime_ms if set, else from the stats. */
uint64_t tio_job_result_runtime_ms(const struct tio_job_result *r);

/* Sums jobs into one result the way fio's group_reporting does: named and
 * numbered after the first job, statistics merged (tio_job_stats_merge),
 * CPU times, faults and job runtimes summed (so CPU percentages come out as
 * the jobs' average), the first error kept. The jobs are not changed.
 * NULL when out of memory or n is 0. */
struct tio_job_result *tio_job_result_aggregate(struct tio_job_result *const *jobs, size_t n);

#ifdef __cplusplus
}
#endif

#endif
