/* How the job threads of a run are started, held in step and gathered.
 *
 * program.c picks the implementation once (tio_coord_begin): MPI when the
 * process was launched by mpirun as one rank of several, else threads of
 * this process; it places what ranks share before the files are prepared
 * and agrees that every rank is ready. run.c drives a run through this
 * interface only: a start barrier before
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
struct tio_report;

/* Who this process is in the run: rank of nranks, on host ($rank, $nranks
 * and $hostname of the job files). One process alone is rank 0 of 1. */
struct tio_coord_self {
    unsigned rank;
    unsigned nranks;
    char host[256];
};

struct tio_coord_ops {
    const char *name;
    /* Once, before the job files are parsed: joins the run and says who
     * this process is. Returns 0 or -1 with a message in err. */
    int (*init)(struct tio_coord *c, struct tio_coord_self *self, struct tio_error *err);
    /* Once, when tenon-io ends: leaves the run. */
    void (*fini)(struct tio_coord *c);
    /* After tio_host_plan, before the files are prepared: divides what
     * participants share (a file named the same on several ranks). Returns
     * 0 or -1 with err. */
    int (*place)(struct tio_coord *c, struct tio_host *host, struct tio_error *err);
    /* After the files are prepared: every participant says whether it is
     * ready (failed: mine says why). Returns 0 when all are, else -1 with
     * err naming the participant that is not. */
    int (*ready)(struct tio_coord *c, bool failed, const struct tio_error *mine,
                 struct tio_error *err);
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
    /* What stopped the jobs when it was not a signal of this process
     * ("rank 1 on node2 failing: ..."), or NULL. */
    const char *(*stop_cause)(const struct tio_coord *c);
    /* After every job ended: brings the results of every participant into
     * host->threads[].result of the one that reports. Returns whether this
     * participant writes the report. */
    bool (*gather)(struct tio_coord *c, struct tio_host *host);
    /* On the participant that reports, after gather and before report:
     * every participant's own result of job (n of them), for --plot's
     * line per participant; NULL for one participant. */
    struct tio_job_result *const *(*parts)(const struct tio_coord *c, size_t job, size_t *n);
    /* On the participant that reports, after gather: adds what the report
     * shows per participant (fio's "client_stats"). Returns 0 or -ENOMEM. */
    int (*report)(struct tio_coord *c, struct tio_report *rep);
};

struct tio_coord {
    const struct tio_coord_ops *ops;
    void *data; /* the implementation's */
};

/* Threads of this process; tio_stop is the stop flag. */
extern const struct tio_coord_ops tio_coord_threads;

/* Ranks of an MPI run (coord_mpi.c, built with -Dmpi). */
extern const struct tio_coord_ops tio_coord_mpi;

/* coord.c: picks the implementation and initialises it. Under mpirun (the
 * launcher's environment says so) that is MPI; otherwise threads, and MPI
 * is never initialised. A build without MPI refuses to run under mpirun
 * with several ranks rather than run the job N times unknowingly. Returns
 * the coordination, or NULL with err. */
struct tio_coord *tio_coord_begin(struct tio_error *err);
/* The one tio_coord_begin picked (threads before it is called). */
struct tio_coord *tio_coord_current(void);
const struct tio_coord_self *tio_coord_self(void);
/* What a file this process writes for itself (a log, a verify state) adds
 * to its name so that ranks sharing a folder never write the same file:
 * "" alone (names as fio's), ".HOST.rankN" as one rank of a distributed
 * run (fio's client names a client's logs NAME.HOST). */
const char *tio_coord_tag(void);
/* Joins the job threads among the first upto that were started. */
void tio_coord_join(struct tio_host *host, size_t upto);
/* Leaves the run; the next tio_coord_begin starts afresh. */
void tio_coord_end(void);

#endif
