/* fio's steady-state detection (ss=, ss_dur=, ss_ramp=): a thread reads
 * the jobs' running totals once a second (the ones the status line reads,
 * so nothing is added to the IO path), turns them into one IOPS and one
 * bandwidth sample per job, or per reporting group under group_reporting,
 * and ends the job or group once the window's criterion holds. */
#include "host.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "debug.h"
#include "tio_live.h"
#include "tio_ss.h"

#define SS_TICK_NS 1000000000ull

/* One job's last reading. */
struct ss_member {
    uint64_t ios, bytes, at_ns; /* at_ns 0: not seen running yet */
};

struct tio_ss_sampler {
    struct tio_host *host;
    struct tio_ss **win; /* per job: its window, on the group's owner only */
    size_t *owner;       /* per job: the job whose window it feeds */
    struct ss_member *m;
    pthread_t tid;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool quit;
};

static bool in_group(const struct tio_host_job *a, const struct tio_host_job *b)
{
    return a == b || (a->job->reporting.group_reporting && b->job->reporting.group_reporting &&
                      a->job->group == b->job->group);
}

static bool running(const struct tio_live_job *l)
{
    uint32_t st = atomic_load_explicit(&l->state, memory_order_relaxed);
    return atomic_load_explicit(&l->start_ns, memory_order_relaxed) && st != TIO_STATE_EXITED &&
           st != TIO_STATE_REAPED && st != TIO_STATE_ERROR && st != TIO_STATE_SIGNALED;
}

/* Adds the job's rates since its last reading to *iops and *bw; false
 * while its ss_ramp (and fio's second after it) has not passed. */
static bool read_member(struct tio_ss_sampler *s, size_t i, uint64_t now, uint64_t *iops,
                        uint64_t *bw)
{
    struct tio_host_job *t = &s->host->threads[i];
    struct ss_member *m = &s->m[i];
    uint64_t ios = 0, bytes = 0;
    for (int d = 0; d < TIO_DDIR_COUNT; d++) {
        ios += atomic_load_explicit(&t->live->ios[d], memory_order_relaxed);
        bytes += atomic_load_explicit(&t->live->bytes[d], memory_order_relaxed);
    }
    uint64_t start = atomic_load_explicit(&t->live->start_ns, memory_order_relaxed);
    if (!m->at_ns)
        m->at_ns = start < now ? start : now;
    uint64_t dt = now > m->at_ns ? now - m->at_ns : 1;
    uint64_t ramp = t->job->steadystate.ramp;
    bool counts = !ramp || now - start >= (ramp + 1000000) * 1000;
    if (counts) {
        *iops += (uint64_t)((double)(ios - m->ios) * 1e9 / (double)dt);
        *bw += (uint64_t)((double)(bytes - m->bytes) * 1e9 / (double)dt);
    }
    m->ios = ios;
    m->bytes = bytes;
    m->at_ns = now;
    return counts;
}

static void tick(struct tio_ss_sampler *s, uint64_t now)
{
    struct tio_host *h = s->host;
    for (size_t o = 0; o < h->n_threads; o++) {
        struct tio_ss *win = s->win[o];
        if (!win || win->attained)
            continue;
        uint64_t iops = 0, bw = 0;
        bool any = false;
        for (size_t i = 0; i < h->n_threads; i++)
            if (s->owner[i] == o && running(h->threads[i].live))
                any |= read_member(s, i, now, &iops, &bw);
        /* samples start once one job of the group is past its ramp */
        if (!any || !tio_ss_add(win, iops, bw))
            continue;
        for (size_t i = 0; i < h->n_threads; i++)
            if (s->owner[i] == o)
                tio_job_end_now(&h->threads[i]);
    }
}

static void *sampler_main(void *arg)
{
    struct tio_ss_sampler *s = arg;
    uint64_t next = tio_now_ns() + SS_TICK_NS;
    pthread_mutex_lock(&s->lock);
    while (!s->quit) {
        uint64_t now = tio_now_ns();
        if (now < next) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            uint64_t wait = next - now;
            ts.tv_sec += (time_t)(wait / SS_TICK_NS);
            ts.tv_nsec += (long)(wait % SS_TICK_NS);
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&s->cond, &s->lock, &ts);
            continue;
        }
        tick(s, now);
        next += SS_TICK_NS;
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

static void sampler_free(struct tio_ss_sampler *s)
{
    for (size_t i = 0; s->win && i < s->host->n_threads; i++)
        tio_ss_free(s->win[i]);
    free(s->win);
    free(s->owner);
    free(s->m);
    free(s);
}

/* As fio: a group's window is held by its last job, and every job feeds
 * the window of the last job of its group. */
static int assign_windows(struct tio_ss_sampler *s)
{
    struct tio_host *h = s->host;
    for (size_t i = 0; i < h->n_threads; i++) {
        const struct tio_job_steadystate *ss = &h->threads[i].job->steadystate;
        size_t o = i;
        for (size_t k = i + 1; k < h->n_threads; k++)
            if (in_group(&h->threads[i], &h->threads[k]))
                o = k;
        s->owner[i] = ss->dur ? o : SIZE_MAX;
        if (ss->dur && o == i) {
            unsigned dur = (unsigned)(ss->dur / 1000000);
            s->win[i] = tio_ss_new(ss->mode, ss->limit, dur ? dur : 1);
            if (!s->win[i])
                return -1;
        }
    }
    return 0;
}

struct tio_ss_sampler *tio_ss_start(struct tio_host *host, bool *failed)
{
    bool wanted = false;
    *failed = false;
    for (size_t i = 0; i < host->n_threads; i++)
        wanted |= host->threads[i].job->steadystate.dur != 0;
    if (!wanted)
        return NULL;
    struct tio_ss_sampler *s = calloc(1, sizeof(*s));
    if (!s)
        goto oom;
    s->host = host;
    s->win = calloc(host->n_threads, sizeof(*s->win));
    s->owner = calloc(host->n_threads, sizeof(*s->owner));
    s->m = calloc(host->n_threads, sizeof(*s->m));
    if (!s->win || !s->owner || !s->m || assign_windows(s) < 0)
        goto oom;
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->cond, NULL);
    int rc = pthread_create(&s->tid, NULL, sampler_main, s);
    if (rc == 0)
        return s;
    fprintf(stderr, "tenon-io: cannot start the steady-state thread: %s\n", strerror(rc));
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->cond);
    sampler_free(s);
    *failed = true;
    return NULL;
oom:
    fprintf(stderr, "tenon-io: out of memory\n");
    if (s)
        sampler_free(s);
    *failed = true;
    return NULL;
}

void tio_ss_stop(struct tio_ss_sampler *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->quit = true;
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->tid, NULL);
    for (size_t i = 0; i < s->host->n_threads; i++) {
        struct tio_job_result *r = s->host->threads[i].result;
        if (s->win[i] && r && !r->ss) {
            r->ss = s->win[i];
            s->win[i] = NULL;
        }
    }
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->cond);
    sampler_free(s);
}

struct tio_ss *tio_ss_now(struct tio_ss_sampler *s, size_t i)
{
    if (!s)
        return NULL;
    pthread_mutex_lock(&s->lock);
    struct tio_ss *c = s->win[i] ? tio_ss_dup(s->win[i]) : NULL;
    pthread_mutex_unlock(&s->lock);
    return c;
}

void tio_ss_trace_parse(const struct tio_job *job)
{
    const struct tio_job_steadystate *ss = &job->steadystate;
    if (ss->mode & TIO_SS_PCT)
        tio_debug_printf(TIO_DEBUG_PARSE, "set steady state threshold to %f%%\n", ss->limit);
    else if (ss->mode & TIO_SS_IOPS)
        tio_debug_printf(TIO_DEBUG_PARSE, "set steady state IOPS threshold to %f\n", ss->limit);
    else
        tio_debug_printf(TIO_DEBUG_PARSE, "set steady state BW threshold to %llu\n",
                         (unsigned long long)ss->limit);
}
