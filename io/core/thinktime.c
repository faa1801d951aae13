/* thinktime: after every thinktime_blocks IOs (completed, or issued with
 * thinktime_blocks_type=issue), or once thinktime_iotime of IO has passed,
 * the job waits for what it has in flight (the loop drains), spins for
 * thinktime_spin, then sleeps for the rest of thinktime: fio's
 * handle_thinktime. A stall never outlasts the job's runtime or a stop. */
#include "worker.h"

#include <time.h>

int tio_think_setup(struct worker *w)
{
    const struct tio_job_think *o = &w->job->think;
    if (!o->thinktime)
        return 0;
    w->think = (struct tio_think){.last_ns = tio_now_ns()};
    w->features |= TIO_WF_THINK;
    return 0;
}

bool tio_think_due(struct worker *w)
{
    const struct tio_job_think *o = &w->job->think;
    struct tio_think *t = &w->think;
    bool stall = false;
    t->issued++;
    if (o->iotime) {
        t->checked_ns = tio_now_ns();
        if (t->checked_ns - t->last_ns >= (o->iotime + o->thinktime) * 1000)
            stall = true;
        else if (!o->blocks_given)
            return false; /* fio: the default of one block does not apply then */
    }
    t->blocks = o->blocks_issue ? t->issued : tio_stats_completed(w->js, true);
    /* the counts start over when a ramp ends */
    if (t->blocks < t->last_blocks)
        t->last_blocks = 0;
    return stall || t->blocks >= t->last_blocks + o->blocks;
}

void tio_think_stall(struct worker *w, uint32_t ddir)
{
    const struct tio_job_think *o = &w->job->think;
    struct tio_think *t = &w->think;
    uint64_t start = tio_now_ns(), now = start;
    uint64_t spin_end = start + o->spin * 1000;
    while (now < spin_end && !w->stop && !atomic_load_explicit(&tio_stop, memory_order_relaxed))
        now = tio_now_ns();
    if (o->thinktime > o->spin)
        (void)tio_rate_sleep(w, now + (o->thinktime - o->spin) * 1000);
    uint64_t total_us = (tio_now_ns() - start) / 1000;
    if (o->rate_ignore && (w->features & TIO_WF_RATE) && ddir <= TIO_WRITE)
        tio_rate_sched_skip(&w->rate.sched, ddir, total_us);
    t->last_blocks = t->blocks;
    if (o->iotime)
        t->last_ns = t->checked_ns;
}
