/* A running job's statistics, handed whole to another thread on request
 * (--status-interval's interim reports), without a lock on the IO path.
 *
 * The requester takes a ticket; the job's worker sees it at its next
 * publish tick (every TIO_PUBLISH_INTERVAL_NS, never per IO), copies its
 * statistics and CPU time into the mailbox under the mailbox's lock and
 * signals. The worker also leaves a last copy when its IO ends
 * (tio_stats_finish) and when the job is over (final). The requester reads
 * the copy under the same lock, so it never reads what the worker writes. */
#ifndef TIO_STATS_MAILBOX_H
#define TIO_STATS_MAILBOX_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "tio_cpu.h"
#include "tio_job_stats.h"

#ifdef __cplusplus
extern "C" {
#endif

struct tio_stats_mailbox;

/* NULL when out of memory. */
struct tio_stats_mailbox *tio_stats_mailbox_new(void);
void tio_stats_mailbox_free(struct tio_stats_mailbox *mb);

/* Worker side: job_stats.c serves a request at its publish tick and at
 * finish; the worker leaves the final copy, with the job's error (an errno
 * value, 0 for none), when the job is over. */
void tio_stats_mailbox_serve(struct tio_stats_mailbox *mb, const struct tio_job_stats *js,
                             uint64_t now_ns);
void tio_stats_mailbox_final(struct tio_stats_mailbox *mb, const struct tio_job_stats *js,
                             uint64_t now_ns, int error);
/* The CPU time the worker thread has used so far counts from now. */
void tio_stats_mailbox_cpu_start(struct tio_stats_mailbox *mb);

/* Requester side: a ticket for a fresh copy. */
uint64_t tio_stats_mailbox_request(struct tio_stats_mailbox *mb);

/* What take is handed: valid under the mailbox's lock only. */
struct tio_stats_copy {
    const struct tio_job_stats *stats;
    struct tio_cpu_usage cpu; /* the worker's CPU use since IO started */
    int error;                /* the job's error, once it is over */
};

/* Waits (when wait) until ticket is served, the job is over, or the
 * CLOCK_MONOTONIC deadline passes; then, if the mailbox holds a copy, calls
 * take with it under the lock and returns true. */
bool tio_stats_mailbox_take(struct tio_stats_mailbox *mb, uint64_t ticket, bool wait,
                            const struct timespec *deadline,
                            void (*take)(void *arg, const struct tio_stats_copy *c), void *arg);

#ifdef __cplusplus
}
#endif

#endif
