/* Rate control: rate, rate_iops and rate_process hold a job to its cap;
 * rate_min and rate_iops_min fail a job that falls below its floor.
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
    case TIO_RW_TRIM: /* caps on trims (and trimwrite's writes): refused by trim.c */
    case TIO_RW_RANDTRIM:
    case TIO_RW_TRIMWRITE:
    case TIO_RW_RANDTRIMWRITE:
        return false;
    default:
        return (d == TIO_READ ? job->pattern.rwmixread : 100 - job->pattern.rwmixread) > 0;
    }
}

/* rate_min, rate_iops_min: as fio's init checks them. */
static int check_min(const struct tio_job *job, struct tio_error *err)
{
    const struct tio_job_rate *r = &job->rate;
    bool bytes = false, iops = false;
    for (unsigned d = 0; d < 2; d++) {
        if ((r->rate[d] && r->rate[d] < r->rate_min[d]) ||
            (r->rate_iops[d] && r->rate_iops[d] < r->rate_iops_min[d])) {
            tio_error_set(err, TIO_EVALUE, NULL, NULL, NULL,
                          "job %s: the minimum %s rate exceeds its rate (as fio, this is "
                          "refused): lower rate_min or rate_iops_min, or raise the rate",
                          job->identity.name, tio_dir_word(d));
            return -1;
        }
        bytes |= r->rate_min[d] != 0;
        iops |= r->rate_iops_min[d] != 0;
    }
    if (bytes && iops) {
        tio_error_set(err, TIO_EVALUE, NULL, NULL, NULL,
                      "job %s: rate_min and rate_iops_min are mutually exclusive (as in "
                      "fio); keep one",
                      job->identity.name);
        return -1;
    }
    return 0;
}

/* What fio refuses in a job's rate options, refused before any job starts
 * (tio_host_plan: --parse-only refuses it too). */
int tio_rate_job_check(const struct tio_job *job, struct tio_error *err)
{
    const struct tio_job_rate *r = &job->rate;
    for (unsigned d = 0; d < 2; d++) {
        uint64_t bs = job->pattern.bs[d];
        uint64_t bps = r->rate[d] ? r->rate[d] : r->rate_iops[d] * bs;
        if (r->rate[d] && r->rate_iops[d]) {
            tio_error_set(err, TIO_EVALUE, NULL, NULL, NULL,
                          "job %s: rate and rate_iops are both given for %s: they are "
                          "mutually exclusive (as in fio); keep one",
                          job->identity.name, tio_dir_word(d));
            return -1;
        }
        if (bps && r->poisson && bps < bs) {
            tio_error_set(err, TIO_EVALUE, NULL, NULL, NULL,
                          "job %s: rate_process=poisson needs a %s rate of at least one "
                          "block (%" PRIu64 " bytes) per second; raise rate or rate_iops",
                          job->identity.name, tio_dir_word(d), bs);
            return -1;
        }
    }
    return check_min(job, err);
}

int tio_rate_setup(struct worker *w)
{
    const struct tio_job *job = w->job;
    const struct tio_job_rate *r = &job->rate;
    uint64_t bps[2] = {0, 0}, bs[2];
    bool does[2], any = false;
    for (unsigned d = 0; d < 2; d++) {
        bs[d] = job->pattern.bs[d];
        bps[d] = r->rate[d] ? r->rate[d] : r->rate_iops[d] * bs[d];
        does[d] = does_dir(job, d);
        any |= bps[d] && does[d];
        /* rate_min, rate_iops_min: checked by tio_rate_job_check */
        if ((r->rate_min[d] || r->rate_iops_min[d]) && does[d])
            w->features |= TIO_WF_RATE_MIN;
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
    for (unsigned d = 0; d < 2; d++)
        w->rate.min_bytes[d] = w->rate.min_ios[d] = w->rate.min_ns[d] = 0;
}

/* fio's check_min_rate: none in the ramp nor in the first 2 s; then, once
 * per rate_cycle, the bytes (or IOs) completed since the last check. */
static bool below_min(struct worker *w, unsigned d, uint64_t now)
{
    const struct tio_job_rate *r = &w->job->rate;
    const struct tio_dir_stats *ds = &w->js->dir[tio_stats_dir(d)];
    struct tio_rate *s = &w->rate;
    if ((!r->rate_min[d] && !r->rate_iops_min[d]) || !ds->bytes)
        return false;
    if (s->min_bytes[d] || s->min_ios[d]) {
        uint64_t spent = now > s->min_ns[d] ? (now - s->min_ns[d]) / 1000000 : 0;
        if (spent < r->rate_cycle || spent == 0)
            return false;
        if (r->rate_min[d]) {
            uint64_t got = (ds->bytes - s->min_bytes[d]) * 1000 / spent;
            if (got < r->rate_min[d]) {
                tio_worker_fail(w, EIO,
                                "%s: rate_min=%" PRIu64 "B/s not met, got %" PRIu64
                                "B/s over the last %" PRIu64 " ms (rate_cycle)",
                                tio_dir_word(d), r->rate_min[d], got, spent);
                return true;
            }
        } else {
            uint64_t got = (ds->ios - s->min_ios[d]) * 1000 / spent;
            if (got < r->rate_iops_min[d]) {
                tio_worker_fail(w, EIO,
                                "%s: rate_iops_min=%" PRIu64 " not met, got %" PRIu64
                                " IOPS over the last %" PRIu64 " ms (rate_cycle)",
                                tio_dir_word(d), r->rate_iops_min[d], got, spent);
                return true;
            }
        }
    }
    s->min_bytes[d] = ds->bytes;
    s->min_ios[d] = ds->ios;
    s->min_ns[d] = now;
    return false;
}

void tio_rate_check_min(struct worker *w, uint64_t now)
{
    if (w->phase.ramp_end_ns || now < w->rate.epoch_ns + 2000000000ull)
        return;
    for (unsigned d = 0; d < 2; d++)
        if (below_min(w, d, now))
            return;
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
