/* How the job threads of a run are started, held in step and gathered.
 *
 * run.c drives a run through this interface only: a start barrier before
 * each group, starting each job, waiting for what was started (a
 * stonewall, the run's end), stopping everything (a signal), and gathering
 * the results to the participant that writes the report. The thread
 * implementation (coord_threads.c) is what one process does: pthreads,
 * and tio_stop. Another implementation (MPI: one participant per rank)
 * slots in behind the same calls.
 *
 * Nothing here is on the per-IO path: a job learns that the run stops by
 * reading tio_stop at its next IO, and every implementation's stop must
 * end in setting that flag in every participant.
 */
#ifndef TIO_COORD_H
#define TIO_COORD_H

#include <stdbool.h>
#include <stddef.h>

#include "host.h"

struct tio_coord;

struct tio_coord_ops {
    const char *name;
    /* Before the first job starts, after the signal handlers are in place.
     * Returns 0 or -1 with a message in err. */
    int (*open)(struct tio_coord *c, struct tio_host *host, struct tio_error *err);
    /* After the report (or after gather said this participant writes none). */
    void (*close)(struct tio_coord *c);
    /* The start barrier: every participant reaches it before a group starts. */
    void (*barrier)(struct tio_coord *c);
    /* Starts job t. On failure t->error and t->error_text say why. */
    void (*start)(struct tio_coord *c, struct tio_host_job *t);
    /* Waits until every job among the first upto has ended. */
    void (*wait)(struct tio_coord *c, struct tio_host *host, size_t upto);
    /* Asks every job to stop at its next IO. Async-signal-safe: called from
     * the signal handler. */
    void (*stop)(struct tio_coord *c);
    bool (*stopping)(const struct tio_coord *c);
    /* After every job ended: brings the results of every participant into
     * host->threads[].result of the one that reports. Returns whether this
     * participant writes the report. */
    bool (*gather)(struct tio_coord *c, struct tio_host *host);
};

struct tio_coord {
    const struct tio_coord_ops *ops;
    void *data; /* the implementation's */
};

/* Threads of this process; tio_stop is the stop flag. */
extern const struct tio_coord_ops tio_coord_threads;

#endif
