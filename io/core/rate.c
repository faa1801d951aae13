/* Rate control: rate, rate_iops and rate_process hold a job to its cap.
 * Before each IO of the main phase, a job ahead of its schedule waits for
 * its IOs in flight (fio's io_u_quiesce, done by the loop) and sleeps until
 * the next IO is due, never past its runtime; the schedule itself is
 * rate_sched.c's. */
#include "worker.h"

#include <errno.h>
#include <inttypes.h>
#include <time.h>

/* A sleep is cut into slices this long, so that a stop is seen in time. */
#define SLEEP_SLICE_NS (50 * 1000 * 1000ull)

static bool does_dir(const struct tio_job *job, unsigned d)
{
    switch (job->pattern.rw) {
    case TIO_RW_READ:
    case TIO_RW_RANDREAD:
        return d == TIO_READ;
    case TIO_RW_WRITE:
    case TIO_RW_RANDWRITE:
        return d == TIO_WRITE;
    default:
        return (d == TIO_READ ? job->pattern.rwmixread : 100 - job->pattern.rwmixread) > 0;
    }
}

int tio_rate_setup(struct worker *w)
{
    const struct tio_job *job = w->job;
    const struct tio_job_rate *r = &job->rate;
    uint64_t bps[2] = {0, 0}, bs[2];
    bool does[2], any = false;
    for (unsigned d = 0; d < 2; d++) {
        if (r->rate[d] && r->rate_iops[d]) {
            tio_worker_fail(w, EINVAL, "rate and rate_iops are both given for %s: they are "
                            "mutually exclusive (as in fio); keep one", tio_dir_word(d));
            return -EINVAL;
        }
        bs[d] = job->pattern.bs[d];
        bps[d] = r->rate[d] ? r->rate[d] : r->rate_iops[d] * bs[d];
        does[d] = does_dir(job, d);
        if (bps[d] && r->poisson && bps[d] < bs[d]) {
            tio_worker_fail(w, EINVAL, "rate_process=poisson needs a %s rate of at least one "
                            "block (%" PRIu64 " bytes) per second; raise rate or rate_iops",
                            tio_dir_word(d), bs[d]);
            return -EINVAL;
        }
        any |= bps[d] && does[d];
    }
    if (!any)
        return 0;
    w->features |= TIO_WF_RATE;
    tio_rate_sched_init(&w->rate.sched, bps, bs, does, r->poisson, w->seed);
    return 0;
}

void tio_rate_epoch(struct worker *w, uint64_t now)
{
    w->rate.epoch_ns = now;
    tio_rate_sched_reset(&w->rate.sched);
}

static uint64_t since_epoch_us(const struct worker *w, uint64_t now)
{
    return now > w->rate.epoch_ns ? (now - w->rate.epoch_ns) / 1000 : 0;
}

uint64_t tio_rate_due_ns(const struct worker *w)
{
    return w->rate.epoch_ns + tio_rate_sched_due(&w->rate.sched) * 1000;
}

bool tio_rate_sleep(struct worker *w, uint64_t until)
{
    uint64_t deadline = w->phase.deadline_ns;
    for (;;) {
        if (w->stop || atomic_load_explicit(&tio_stop, memory_order_relaxed))
            return false;
        uint64_t now = tio_now_ns();
        if (deadline && now >= deadline)
            return false;
        if (now >= until)
            return true;
        uint64_t end = deadline && deadline < until ? deadline : until;
        uint64_t ns = end - now;
        if (ns > SLEEP_SLICE_NS)
            ns = SLEEP_SLICE_NS;
        struct timespec ts = {(time_t)(ns / 1000000000ull), (long)(ns % 1000000000ull)};
        nanosleep(&ts, NULL);
    }
}

unsigned tio_rate_dir(struct worker *w, unsigned d)
{
    return tio_rate_sched_pick(&w->rate.sched, d, since_epoch_us(w, tio_now_ns()));
}
