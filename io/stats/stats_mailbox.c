/* tio_stats_mailbox.h: a job's statistics copied out at its publish tick. */
#include "tio_stats_mailbox.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

struct tio_stats_mailbox {
    _Atomic uint64_t wanted;   /* tickets handed out */
    uint64_t seen;             /* worker only: the tickets it has served */
    struct tio_cpu_usage cpu0; /* worker only: its CPU time when IO started */
    pthread_mutex_t lock;
    pthread_cond_t served;
    /* under lock */
    uint64_t done;
    bool valid, final;
    int error;
    struct tio_job_stats copy;
    struct tio_cpu_usage cpu;
};

struct tio_stats_mailbox *tio_stats_mailbox_new(void)
{
    struct tio_stats_mailbox *mb = calloc(1, sizeof(*mb));
    if (!mb)
        return NULL;
    pthread_condattr_t ca;
    bool ok = pthread_condattr_init(&ca) == 0;
    ok = ok && pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
         pthread_cond_init(&mb->served, &ca) == 0;
    pthread_condattr_destroy(&ca);
    if (!ok || pthread_mutex_init(&mb->lock, NULL) != 0) {
        if (ok)
            pthread_cond_destroy(&mb->served);
        free(mb);
        return NULL;
    }
    tio_job_stats_init(&mb->copy, 0, 2);
    return mb;
}

void tio_stats_mailbox_free(struct tio_stats_mailbox *mb)
{
    if (!mb)
        return;
    tio_job_stats_fini(&mb->copy);
    pthread_cond_destroy(&mb->served);
    pthread_mutex_destroy(&mb->lock);
    free(mb);
}

void tio_stats_mailbox_cpu_start(struct tio_stats_mailbox *mb)
{
    tio_cpu_usage_now(TIO_CPU_THREAD, &mb->cpu0);
}

static void serve(struct tio_stats_mailbox *mb, const struct tio_job_stats *js, uint64_t now_ns,
                  bool final, int error)
{
    uint64_t wanted = atomic_load_explicit(&mb->wanted, memory_order_acquire);
    if (!final && wanted == mb->seen)
        return; /* nobody asked: the tick costs this load */
    mb->seen = wanted;
    struct tio_cpu_usage now;
    tio_cpu_usage_now(TIO_CPU_THREAD, &now);
    pthread_mutex_lock(&mb->lock);
    /* the histograms the job keeps, taken once, here in its thread */
    if (tio_job_stats_copy(&mb->copy, js) == 0) {
        /* a job still running: its runtime so far, as fio's interim reports */
        for (int d = 0; d < TIO_DDIR_COUNT && !js->end_ns; d++)
            mb->copy.dir[d].runtime_ns = mb->copy.dir[d].ios && now_ns > js->start_ns
                                             ? now_ns - js->start_ns
                                             : 0;
        mb->copy.end_ns = js->end_ns ? js->end_ns : js->start_ns ? now_ns : 0;
        tio_cpu_usage_delta(&mb->cpu0, &now, &mb->cpu);
        mb->valid = true;
    }
    mb->done = wanted;
    if (final) {
        mb->final = true;
        mb->error = error;
    }
    pthread_cond_broadcast(&mb->served);
    pthread_mutex_unlock(&mb->lock);
}

void tio_stats_mailbox_serve(struct tio_stats_mailbox *mb, const struct tio_job_stats *js,
                             uint64_t now_ns)
{
    serve(mb, js, now_ns, false, 0);
}

void tio_stats_mailbox_final(struct tio_stats_mailbox *mb, const struct tio_job_stats *js,
                             uint64_t now_ns, int error)
{
    serve(mb, js, now_ns, true, error);
}

uint64_t tio_stats_mailbox_request(struct tio_stats_mailbox *mb)
{
    return atomic_fetch_add_explicit(&mb->wanted, 1, memory_order_release) + 1;
}

bool tio_stats_mailbox_take(struct tio_stats_mailbox *mb, uint64_t ticket, bool wait,
                            const struct timespec *deadline,
                            void (*take)(void *arg, const struct tio_stats_copy *c), void *arg)
{
    pthread_mutex_lock(&mb->lock);
    while (wait && mb->done < ticket && !mb->final &&
           pthread_cond_timedwait(&mb->served, &mb->lock, deadline) != ETIMEDOUT)
        ;
    bool valid = mb->valid;
    if (valid) {
        struct tio_stats_copy c = {&mb->copy, mb->cpu, mb->error};
        take(arg, &c);
    }
    pthread_mutex_unlock(&mb->lock);
    return valid;
}
