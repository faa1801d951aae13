/* The coordination of one process: each job is a thread, a stonewall joins
 * the threads started before it, stop sets tio_stop, and the results are
 * already where the report takes them. */
#include "coord.h"

#include <stdio.h>
#include <string.h>

/* One process shares nothing with another. */
static int threads_place(struct tio_coord *c, struct tio_host *host, struct tio_error *err)
{
    (void)c;
    (void)host;
    (void)err;
    return 0;
}

static int threads_ready(struct tio_coord *c, bool failed, const struct tio_error *mine,
                         struct tio_error *err)
{
    (void)c;
    if (!failed)
        return 0;
    *err = *mine;
    return -1;
}

static int threads_open(struct tio_coord *c, struct tio_host *host, struct tio_error *err)
{
    (void)c;
    (void)host;
    (void)err;
    return 0;
}

static void threads_close(struct tio_coord *c)
{
    (void)c;
}

/* One process starts its groups in order: nothing to wait for. */
static void threads_barrier(struct tio_coord *c)
{
    (void)c;
}

static void threads_start(struct tio_coord *c, struct tio_host_job *t)
{
    (void)c;
    int rc = pthread_create(&t->tid, NULL, tio_worker_main, t);
    if (rc != 0) {
        t->error = rc;
        snprintf(t->error_text, sizeof(t->error_text), "cannot start the job's thread: %s",
                 strerror(rc));
        return;
    }
    t->started = true;
}

static void threads_wait(struct tio_coord *c, struct tio_host *host, size_t upto)
{
    (void)c;
    tio_coord_join(host, upto);
}

static void threads_stop(struct tio_coord *c)
{
    (void)c;
    tio_stop_raise();
}

static bool threads_stopping(const struct tio_coord *c)
{
    (void)c;
    return atomic_load(&tio_stop);
}

static const char *threads_stop_cause(const struct tio_coord *c)
{
    (void)c;
    return NULL;
}

static bool threads_gather(struct tio_coord *c, struct tio_host *host)
{
    (void)c;
    (void)host;
    return true;
}

static struct tio_job_result *const *threads_parts(const struct tio_coord *c, size_t job,
                                                   size_t *n)
{
    (void)c;
    (void)job;
    *n = 0;
    return NULL;
}

static int threads_report(struct tio_coord *c, struct tio_report *rep)
{
    (void)c;
    (void)rep;
    return 0;
}

/* init and fini: coord.c fills in who one process is; nothing to leave. */
const struct tio_coord_ops tio_coord_threads = {
    .name = "threads",
    .place = threads_place,
    .ready = threads_ready,
    .open = threads_open,
    .close = threads_close,
    .barrier = threads_barrier,
    .start = threads_start,
    .wait = threads_wait,
    .stop = threads_stop,
    .stopping = threads_stopping,
    .stop_cause = threads_stop_cause,
    .gather = threads_gather,
    .parts = threads_parts,
    .report = threads_report,
};
