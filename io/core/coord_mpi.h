/* What the two halves of the MPI coordination share: coord_mpi.c runs the
 * ranks in step, coord_mpi_gather.c brings their results to rank 0. */
#ifndef TIO_COORD_MPI_H
#define TIO_COORD_MPI_H

#include <mpi.h>
#include <signal.h>

#include "coord.h"

struct tio_job_result;

struct tio_mpi {
    int rank;
    int size;
    char host[256];
    bool inited; /* MPI_Init was this process's */

    /* the run: one done flag per job thread, set as its thread ends */
    struct tio_host *run;
    atomic_bool *done;

    /* stopping: a signal here, a job that failed here, or a rank that said so */
    volatile sig_atomic_t signalled;
    bool agreed_stop; /* every rank knows the run ends */
    bool told;        /* this rank told the others to stop this group */
    int stop_rank;    /* the rank whose failure stopped the group; -1 */
    char stop_text[1024];
    char cause[1400]; /* tio_stop_signal_name()'s text */

    /* rank 0, after gather: every rank's result of every job, for
     * client_stats: ranks[job * size + rank] */
    struct tio_job_result **ranks;
    size_t nranks_results;
    char (*hosts)[256];
};

extern struct tio_mpi tio__mpi;

/* Whether job's error happened on this rank rather than because another
 * rank stopped the group (coord_mpi.c). */
bool tio__mpi_own_error(size_t job);

/* Gathers every rank's results to rank 0 (coord_mpi_gather.c). */
bool tio__mpi_gather(struct tio_coord *c, struct tio_host *host);
struct tio_job_result *const *tio__mpi_parts(const struct tio_coord *c, size_t job, size_t *n);
int tio__mpi_report(struct tio_coord *c, struct tio_report *rep);
void tio__mpi_gather_free(void);

/* Whether every rank is still there (coord_mpi_alive.c): init once (0, or
 * -1 out of memory), start as a group's wait begins, poll while it waits
 * (silence: counting how long each rank said nothing); a rank lost ends
 * the run. */
int tio__mpi_alive_init(struct tio_mpi *m);
void tio__mpi_alive_start(struct tio_mpi *m);
void tio__mpi_alive_poll(struct tio_mpi *m, bool silence);
/* Completes req (a collective between groups) polling as a group's wait
 * does: a lost rank ends the run rather than the wait hanging. */
void tio__mpi_alive_wait(struct tio_mpi *m, MPI_Request *req);
void tio__mpi_alive_fini(void);

#endif
