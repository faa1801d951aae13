/* Latency limits, as fio's: max_latency fails the job (ETIMEDOUT) at the
 * first read, write or trim that takes longer; latency_target searches for
 * the deepest queue (up to iodepth) at which latency_percentile of the IOs
 * of a latency_window finish within the target. The search starts at depth
 * 1, doubles while windows succeed, bisects between the last good and the
 * last bad depth, and, once a window leaves the depth where it was, runs
 * one more window there with fresh statistics and ends the job: the report
 * is that depth's (latency_depth). latency_run keeps searching instead. An
 * IO over the target at depth 1 with latency_percentile=100 fails the job,
 * as in fio. */
#include "worker.h"

#include <errno.h>
#include <inttypes.h>

int tio_lat_setup(struct worker *w)
{
    const struct tio_job_latency *o = &w->job->latency;
    bool any_max = o->max[0] || o->max[1] || o->max[2];
    if (!any_max && !o->target)
        return 0;
    unsigned depth = w->job->queue.iodepth ? w->job->queue.iodepth : 1;
    w->lat = (struct tio_lat){.qd = o->target ? 1 : depth,
                              .qd_high = depth,
                              .qd_high_max = depth,
                              .qd_low = 1};
    w->lat.cycle_ns = tio_now_ns();
    w->features |= TIO_WF_LATENCY;
    return 0;
}

static void new_cycle(struct worker *w, uint64_t now)
{
    w->lat.failed = 0;
    w->lat.ios_at = tio_stats_completed(w->js, false);
    w->lat.cycle_ns = now;
}

static void too_slow(struct worker *w, const tio_io *io, uint64_t lat_ns, uint64_t max_us,
                     const char *what)
{
    tio_worker_fail(w, ETIMEDOUT,
                    "latency of %" PRIu64 " nsec exceeds %s (%" PRIu64 " nsec): %s of %" PRIu64
                    " bytes at offset %" PRIu64 " of %s",
                    lat_ns, what, max_us * 1000, tio_dir_word(io->ddir), io->len, io->offset,
                    io->file ? io->file->name : "?");
}

/* A window failed, or an IO did at latency_percentile=100: a shallower
 * queue. True when there is none. */
static bool ramp_down(struct worker *w, uint64_t now)
{
    struct tio_lat *l = &w->lat;
    if (l->qd == 1)
        return true;
    l->qd_high = l->qd;
    if (l->qd == l->qd_low)
        l->qd_low--;
    l->qd = (l->qd + l->qd_low) / 2;
    l->stable = 0;
    l->quiesce = true; /* what went out at the deeper queue must not count */
    new_cycle(w, now);
    return false;
}

static void ramp_up(struct worker *w, uint64_t now)
{
    struct tio_lat *l = &w->lat;
    unsigned depth = l->qd_high_max, qd = l->qd;
    l->qd_low = l->qd;
    /* at the top of what has worked: after three good windows in a row,
     * try one deeper (fio's heuristic) */
    if (l->qd + 1 == l->qd_high && ++l->stable >= 3) {
        l->qd_high++;
        l->stable = 0;
    }
    l->qd = l->qd_high != depth ? (l->qd + l->qd_high) / 2 : l->qd * 2;
    if (l->qd > depth)
        l->qd = depth;
    if (!w->job->latency.run && l->qd == qd) {
        if (l->end_run) {
            w->phase.ended = true; /* its own job: no other thread reads it */
        } else {
            l->quiesce = true;
            l->end_run = true;
            tio_stats_reset(w->js, now);
        }
    }
    new_cycle(w, now);
}

void tio_lat_io(struct worker *w, const tio_io *io, uint64_t lat_ns)
{
    const struct tio_job_latency *o = &w->job->latency;
    uint64_t max = o->max[tio_stats_dir(io->ddir)];
    if (max && lat_ns > max * 1000) {
        too_slow(w, io, lat_ns, max, "max_latency");
        return;
    }
    if (!o->target || lat_ns <= o->target * 1000)
        return;
    if (o->percentile < 100.0)
        w->lat.failed++;
    else if (ramp_down(w, tio_now_ns()))
        too_slow(w, io, lat_ns, o->target, "latency_target at queue depth 1");
}

void tio_lat_check(struct worker *w, uint64_t now)
{
    const struct tio_job_latency *o = &w->job->latency;
    struct tio_lat *l = &w->lat;
    if (!o->target || w->phase.ramp_end_ns || now - l->cycle_ns < o->window * 1000)
        return;
    uint64_t ios = tio_stats_completed(w->js, false) - l->ios_at;
    double ok = ios ? 100.0 * (double)(ios - l->failed) / (double)ios : 0.0;
    if (ios && ok >= o->percentile)
        ramp_up(w, now);
    else
        (void)ramp_down(w, now);
}
