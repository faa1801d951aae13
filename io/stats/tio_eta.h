/* fio's live status line:
 *
 *   Jobs: 1 (f=1): [r(1)][45.0%][r=1234MiB/s][r=316k IOPS][eta 00m:11s]
 *
 * A tio_eta owns one tio_live_job per job (workers publish into them, see
 * tio_live.h). tio_eta_snapshot reads them without locks and computes rates
 * since the previous snapshot; tio_eta_format turns a snapshot into the
 * line. tio_eta_start runs a reporter thread that redraws the line about
 * once a second; the caller decides whether to start it (only when the
 * stream is a terminal and --eta is not "never"). */
#ifndef TIO_ETA_H
#define TIO_ETA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tio_ddir.h"
#include "tio_live.h"

#ifdef __cplusplus
extern "C" {
#endif

struct tio_eta;

struct tio_eta_snapshot {
    uint64_t now_ns;
    unsigned running; /* jobs in a running state */
    unsigned files;   /* files open across jobs */
    size_t njobs;
    const char *states; /* njobs state characters, in job order */
    double percent;     /* 0..100 */
    bool eta_known;
    uint64_t eta_s;
    bool have_rates;               /* false for the first snapshot */
    bool dir_used[TIO_DDIR_COUNT]; /* some job moved data in this direction */
    uint64_t bw[TIO_DDIR_COUNT];   /* bytes/s since the previous snapshot */
    uint64_t iops[TIO_DDIR_COUNT];
};

/* NULL when out of memory. Every job starts in state 'P' with no plan. */
struct tio_eta *tio_eta_new(size_t njobs);

/* Stops the reporter thread if it runs, then frees. */
void tio_eta_free(struct tio_eta *eta);

/* Job i's live block: set its plan (plan_bytes, plan_runtime_ns,
 * time_based) before the job starts, then hand it to the worker. */
struct tio_live_job *tio_eta_job(struct tio_eta *eta, size_t i);
size_t tio_eta_job_count(const struct tio_eta *eta);

/* Reads every job's published totals at now_ns (CLOCK_MONOTONIC) and
 * computes rates since the previous call. out->states points into eta and
 * stays valid until the next call. */
void tio_eta_snapshot(struct tio_eta *eta, uint64_t now_ns, struct tio_eta_snapshot *out);

/* The status line (no "\r", no newline). Returns the length it needs, like
 * snprintf. */
int tio_eta_format(const struct tio_eta_snapshot *s, char *buf, size_t size);

/* Starts the reporter thread: every interval_ms (0 means 1000) it takes a
 * snapshot and redraws the line on out with "\r", padding with spaces over a
 * longer previous line. Returns 0 or -errno. */
int tio_eta_start(struct tio_eta *eta, FILE *out, unsigned interval_ms);

/* Stops the reporter thread (promptly; it does not wait out the interval),
 * draws the line a last time and ends it with a newline. No-op when not
 * started. */
void tio_eta_stop(struct tio_eta *eta);

/* CLOCK_MONOTONIC now, in ns. */
uint64_t tio_eta_now_ns(void);

#ifdef __cplusplus
}
#endif

#endif
