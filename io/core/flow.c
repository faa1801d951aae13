/* flow, flow_id, flow_sleep and wait_for: coordination between jobs, as
 * fio 3.33 does it.
 *
 * flow: the jobs of one flow_id share a counter of their IOs and the sum
 * of their weights. Before each IO, a job whose share of the counter is
 * above its share of the weights (its count / the group's count > its
 * weight / the group's weight) waits: flow_sleep microseconds if set, else
 * it tries again at once (fio spins; tenon-io yields the processor). Every
 * job's weight is in from the run's start, as fio's; a job that ends takes
 * its count and weight out of the group, so the others recalibrate among
 * themselves.
 *
 * wait_for: a job starts once every clone of the named job (defined
 * before it; io/job/resolve.c checks that) has finished. */
#include "worker.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct tio_flow {
    unsigned id, refs;
    _Atomic uint64_t counter; /* starts at 1, as fio's */
    _Atomic uint64_t weight;
    struct tio_flow *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t job_done = PTHREAD_COND_INITIALIZER;
static struct tio_flow *flows;

/* Every flow job's weight counts from the run's start, as fio adds it
 * when it reads the job (init.c), not when the job's thread gets going: a
 * job that started first would otherwise run unchecked until the others'
 * threads joined, and be that far ahead for the rest of the run. */
int tio_flow_join_all(struct tio_host *host)
{
    int rc = 0;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < host->n_threads && rc == 0; i++) {
        struct tio_host_job *t = &host->threads[i];
        if (!t->job->flow.weight)
            continue;
        struct tio_flow *f = flows;
        while (f && f->id != t->job->flow.id)
            f = f->next;
        if (!f) {
            f = calloc(1, sizeof(*f));
            if (!f) {
                rc = -ENOMEM;
                break;
            }
            f->id = t->job->flow.id;
            atomic_init(&f->counter, 1);
            atomic_init(&f->weight, 0);
            f->next = flows;
            flows = f;
        }
        f->refs++;
        atomic_fetch_add(&f->weight, t->job->flow.weight);
        t->flow = f;
        t->flow_count = 0;
    }
    pthread_mutex_unlock(&lock);
    return rc;
}

/* Takes a job's count and weight out of its group (the others recalibrate
 * among themselves) and drops its reference; once per job, whether its
 * thread ran, failed early or never started. Called with the lock held. */
static void leave(struct tio_host_job *t)
{
    struct tio_flow *f = t->flow;
    if (!f)
        return;
    atomic_fetch_sub(&f->counter, t->flow_count);
    atomic_fetch_sub(&f->weight, t->job->flow.weight);
    if (--f->refs == 0) {
        struct tio_flow **p = &flows;
        while (*p != f)
            p = &(*p)->next;
        *p = f->next;
        free(f);
    }
    t->flow = NULL;
}

void tio_flow_leave_all(struct tio_host *host)
{
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < host->n_threads; i++)
        leave(&host->threads[i]);
    pthread_mutex_unlock(&lock);
}

int tio_flow_setup(struct worker *w)
{
    if (!w->t->flow)
        return 0;
    w->flow = w->t->flow;
    w->flow_count = 0;
    w->features |= TIO_WF_FLOW;
    return 0;
}

void tio_flow_teardown(struct worker *w)
{
    if (!w->flow)
        return;
    w->t->flow_count = w->flow_count;
    w->flow = NULL;
}

/* fio's flow_threshold_exceeded: true (after its sleep) when the job is
 * ahead of its share; otherwise the IO counts. */
static bool ahead(struct worker *w)
{
    struct tio_flow *f = w->flow;
    double mine = (double)w->flow_count /
                  (double)atomic_load_explicit(&f->counter, memory_order_relaxed);
    double share = (double)w->job->flow.weight /
                   (double)atomic_load_explicit(&f->weight, memory_order_relaxed);
    if (mine > share)
        return true;
    atomic_fetch_add_explicit(&f->counter, 1, memory_order_relaxed);
    w->flow_count++;
    return false;
}

bool tio_flow_wait(struct worker *w)
{
    while (ahead(w)) {
        if (tio_halted(w) || tio_phase_time_up(w, tio_now_ns()))
            return false;
        if (w->job->flow.sleep_us) {
            uint64_t us = w->job->flow.sleep_us;
            struct timespec ts = {(time_t)(us / 1000000), (long)(us % 1000000) * 1000};
            nanosleep(&ts, NULL);
        } else {
            sched_yield();
        }
    }
    return true;
}

/* ---- wait_for -------------------------------------------------------------- */

void tio_flow_job_done(struct tio_host_job *t)
{
    pthread_mutex_lock(&lock);
    leave(t);
    atomic_store(&t->finished, true);
    pthread_cond_broadcast(&job_done);
    pthread_mutex_unlock(&lock);
}

static bool waitee_running(const struct tio_host_job *me)
{
    const char *waitee = me->job->flow.wait_for;
    const struct tio_host *host = me->host;
    for (size_t i = 0; i < host->n_threads; i++) {
        const struct tio_host_job *t = &host->threads[i];
        if (t != me && !strcmp(t->job->identity.name, waitee) && !atomic_load(&t->finished))
            return true;
    }
    return false;
}

void tio_flow_wait_for(struct tio_host_job *t)
{
    if (!t->job->flow.wait_for)
        return;
    pthread_mutex_lock(&lock);
    while (waitee_running(t) && !atomic_load(&tio_stop)) {
        /* timed, so that SIGINT or SIGTERM (tio_stop) ends the wait */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&job_done, &lock, &ts);
    }
    pthread_mutex_unlock(&lock);
}
