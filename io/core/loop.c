/* The hot path of the whole benchmark: the loops that keep a job's units
 * busy. Per IO it asks for the next IO, calls the engine through its table
 * (one indirect call, no wrapper in between), reads the clock twice and
 * records into thread-owned statistics: no allocation, no lock, no system
 * call of its own. Features hook in through the inline functions of
 * worker.h, one bit test each. */
#include "worker.h"

#include "debug.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define GETEVENTS_SLICE_NS (250 * 1000 * 1000)

int tio_loop_setup(struct worker *w)
{
    struct tio_loop *l = &w->loop;
    unsigned n = tio_units_count(w);
    l->free_ios = calloc(n, sizeof(tio_io *));
    l->events = calloc(n, sizeof(tio_io *));
    l->queued = calloc(n, sizeof(tio_io *));
    l->retry = calloc(n, sizeof(tio_io *));
    if (!l->free_ios || !l->events || !l->queued || !l->retry)
        return -ENOMEM;
    for (unsigned i = 0; i < n; i++)
        l->free_ios[l->n_free++] = tio_units_io(w, n - 1 - i);
    return 0;
}

void tio_loop_teardown(struct worker *w)
{
    struct tio_loop *l = &w->loop;
    free(l->free_ios);
    free(l->events);
    free(l->queued);
    free(l->retry);
    l->free_ios = l->events = l->queued = l->retry = NULL;
}

/* --debug=io: fio's dprint_io_u line for an IO. */
static void debug_io(const char *what, const tio_io *io)
{
    tio_debug_printf(TIO_DEBUG_IO,
                     "%s: io_u %p: off=0x%" PRIx64 ",len=0x%" PRIx64 ",ddir=%u,file=%s\n", what,
                     (const void *)io, io->offset, io->len, io->ddir,
                     io->file ? io->file->name : "");
}

static inline bool next_io(struct worker *w, tio_io *io, uint64_t now)
{
    if (unlikely(tio_halted(w)))
        return false;
    if (!tio_flow_on_issue(w))
        return false;
    bool more = unlikely(tio_phase_verifying(w)) ? tio_vlog_next(w, io, now)
                                                 : tio_next_main(w, io, now);
    if (unlikely(tio_debug_io_on) && more)
        debug_io("fill", io);
    if (more) {
        tio_rate_on_issue(w, io);
        tio_cmdprio_on_issue(w, io);
        tio_iolog_on_issue(w, io);
    }
    return more;
}

bool tio_loop_next_io(struct worker *w, tio_io *io, uint64_t now)
{
    return next_io(w, io, now);
}

static void drain(struct worker *w);

/* thinktime: after an IO went out (and, for a synchronous engine,
 * completed), the stall that may be due, with nothing in flight. */
static inline void think(struct worker *w, uint32_t ddir)
{
    if (unlikely(w->features & TIO_WF_THINK) && ddir <= TIO_TRIM && tio_think_due(w)) {
        drain(w);
        tio_think_stall(w, ddir);
    }
}

/* rate, rate_iops: a job ahead of its schedule first waits for its IOs in
 * flight, then until its next IO is due (fio's rate_ddir, in fio's default
 * inline submit mode). False when the job is to end instead. */
static bool pace(struct worker *w)
{
    if (tio_phase_verifying(w))
        return true;
    uint64_t due = tio_rate_due_ns(w);
    if (due <= tio_now_ns())
        return true;
    drain(w);
    return tio_rate_sleep(w, due);
}

/* ---- Completing an IO ------------------------------------------------------ */

bool tio_loop_complete(struct worker *w, tio_io *io, uint64_t now, bool async)
{
    struct io_meta *m = tio_units_meta(w, io);
    if (unlikely(tio_debug_io_on))
        debug_io("complete", io);
    tio_zbd_on_write(w, io);
    if (likely(io->result == (int64_t)io->len && io->ddir <= TIO_TRIM)) {
        uint64_t lat = now - io->start_ns;
        uint64_t clat = async ? now - io->issue_ns : lat;
        enum tio_ddir d = tio_stats_dir(io->ddir);
        if (unlikely(io->buf != m->buf)) {
            /* The last piece of a short IO: account the whole IO. */
            io->len = m->len;
        }
        if (likely(!(w->features & (TIO_WF_GTOD_REDUCE | TIO_WF_STATS_PART)))) {
            tio_stats_io(w->js, d, m->len, clat, lat);
            tio_cmdprio_on_io(w, d, m, clat, lat);
            tio_lat_on_io(w, io, lat);
            tio_log_on_io(w, d, m, clat, lat, now);
        } else {
            tio_stats_part_io(w, d, m, io, clat, lat);
        }
        if (unlikely(m->verify_read))
            tio_vlog_on_read(w, io);
        return false;
    }
    if (io->ddir == TIO_SYNC || io->ddir == TIO_DATASYNC) {
        int e = (int)-io->result;
        if (io->result >= 0) {
            /* disable_clat and gtod_reduce measure no sync latency, as fio */
            if (likely(!(w->features & (TIO_WF_GTOD_REDUCE | TIO_WF_STATS_PART))) ||
                tio_stats_part_sync(w))
                tio_stats_sync(w->js, now - io->start_ns);
        } else if (tio_error_nonfatal(w->job, io->ddir, e))
            tio_error_carry_on(w, io, e);
        else
            tio_worker_fail(w, e, "%s of %s failed: %s", tio_dir_word(io->ddir),
                            io->file ? io->file->name : "?", strerror(e));
        return false;
    }
    enum tio_ddir d = tio_stats_dir(io->ddir);
    if (io->result < 0) {
        int e = (int)-io->result;
        if (unlikely(w->job->files.fill_device) && (e == ENOSPC || e == EDQUOT)) {
            tio_fill_full(w, m, io->ddir); /* the filesystem is full: the writes' end */
            return false;
        }
        tio_stats_errno(w->js, d, e);
        if (io->ddir == TIO_WRITE)
            tio_vlog_on_write_failed(w, m);
        if (tio_error_nonfatal(w->job, io->ddir, e))
            tio_error_carry_on(w, io, e);
        else
            tio_worker_fail(w, e,
                            "%s of %" PRIu64 " bytes at offset %" PRIu64 " of %s failed: %s",
                            tio_dir_word(io->ddir), io->len, io->offset,
                            io->file ? io->file->name : "?", strerror(e));
        return false;
    }
    if (io->result == 0) {
        tio_stats_errno(w->js, d, ENODATA);
        if (io->ddir == TIO_WRITE)
            tio_vlog_on_write_failed(w, m);
        if (tio_error_nonfatal(w->job, io->ddir, ENODATA))
            tio_error_carry_on(w, io, ENODATA);
        else
            tio_worker_fail(w, ENODATA,
                            "%s at offset %" PRIu64
                            " of %s transferred nothing (end of the file "
                            "or device?)",
                            tio_dir_word(io->ddir), io->offset,
                            io->file ? io->file->name : "?");
        return false;
    }
    /* Short: send the rest. */
    tio_stats_short(w->js, d);
    io->offset += (uint64_t)io->result;
    io->buf = (char *)io->buf + io->result;
    io->len -= (uint64_t)io->result;
    return true;
}

/* ---- Synchronous engines --------------------------------------------------- */

static void run_sync(struct worker *w)
{
    const tio_engine *ops = w->ops;
    void *ed = w->ed;
    tio_io *io = tio_units_io(w, 0);
    uint64_t now = tio_now_ns();
    uint64_t count = 0;
    while ((likely(!(w->features & TIO_WF_RATE)) || pace(w)) && next_io(w, io, now)) {
        count++;
        do {
            io->start_ns = tio_io_clock(w);
            int rc = ops->queue(ed, io);
            now = tio_io_clock(w);
            if (unlikely(rc != TIO_COMPLETED)) {
                if (rc == TIO_DONE) {
                    w->stop = true; /* the engine ended the job: no error */
                    count--;
                    goto done;
                }
                tio_worker_fail(w, rc < 0 ? -rc : EIO,
                                "engine %s: queue returned %d for a synchronous engine",
                                w->t->engine.label, rc);
                return;
            }
        } while (unlikely(tio_loop_complete(w, io, now, false)) && !w->stop);
        tio_sync_on_io(w, io);
        tio_stats_tick(w->js, now);
        tio_phase_on_complete(w, now);
        tio_rate_on_complete(w, now);
        tio_lat_on_complete(w, now);
        think(w, io->ddir);
        if (unlikely(w->features & TIO_WF_THINK))
            now = tio_now_ns();
    }
done:
    /* One IO in flight, submitted and completed one at a time: fio's maps
     * for a synchronous engine, counted once instead of per IO. */
    w->js->depth[0] += count;
    w->js->submit[1] += count;
    w->js->complete[1] += count;
}

/* ---- Asynchronous engines -------------------------------------------------- */

static void commit_queued(struct worker *w)
{
    struct tio_loop *l = &w->loop;
    if (!l->n_queued)
        return;
    int rc = w->ops->commit ? w->ops->commit(w->ed) : 0;
    /* As fio's, slat ends when the submit call that carried the batch has
     * returned (io_submit, io_uring_enter): one clock read for the batch. */
    uint64_t now = tio_io_clock(w);
    if (likely(!(w->features & (TIO_WF_GTOD_REDUCE | TIO_WF_STATS_PART)))) {
        for (unsigned i = 0; i < l->n_queued; i++) {
            tio_io *io = l->queued[i];
            io->issue_ns = now;
            if (unlikely(io->ddir > TIO_TRIM))
                continue; /* a sync: fio has no slat for it */
            tio_stats_slat(w->js, tio_stats_dir(io->ddir), now - io->start_ns);
            tio_log_on_submit(w, io, now - io->start_ns, now);
        }
    } else if (w->features & TIO_WF_STATS_PART) {
        for (unsigned i = 0; i < l->n_queued; i++) {
            l->queued[i]->issue_ns = now;
            if (l->queued[i]->ddir <= TIO_TRIM)
                tio_stats_part_slat(w, l->queued[i], now - l->queued[i]->start_ns);
        }
    }
    tio_stats_submit(w->js, l->n_queued);
    l->n_queued = 0;
    if (rc < 0)
        tio_worker_fail(w, -rc, "engine %s: submitting IO failed: %s", w->t->engine.label,
                        strerror(-rc));
}

/* A unit is done: submit the rest of a short IO, or free it. */
static inline void retire(struct worker *w, tio_io *io, bool again)
{
    struct tio_loop *l = &w->loop;
    if (again) {
        l->retry[l->n_retry++] = io;
    } else {
        tio_sync_on_io(w, io);
        l->free_ios[l->n_free++] = io;
    }
}

/* Queues one unit; returns false if the engine is busy (unit kept). */
static bool submit(struct worker *w, tio_io *io, bool fresh)
{
    struct tio_loop *l = &w->loop;
    if (fresh)
        io->start_ns = tio_io_clock(w);
    if (unlikely(w->features & TIO_WF_OVERLAP) && tio_overlap_inline(w, io)) {
        l->retry[l->n_retry++] = io; /* serialize_overlap: after a completion */
        return false;
    }
    int rc = w->ops->queue(w->ed, io);
    if (rc == TIO_QUEUED) {
        l->queued[l->n_queued++] = io;
        l->inflight++;
        tio_stats_depth(w->js, l->inflight);
        return true;
    }
    if (rc == TIO_COMPLETED) {
        uint64_t now = tio_io_clock(w);
        io->issue_ns = io->start_ns;
        /* Submitted and completed on its own, with what is in flight. */
        tio_stats_depth(w->js, l->inflight + 1);
        w->js->submit[1]++;
        w->js->complete[1]++;
        retire(w, io, tio_loop_complete(w, io, now, false));
        /* no reap follows an IO that completed here: sample and end the
         * ramp as reap does */
        tio_stats_tick(w->js, now);
        tio_phase_on_complete(w, now);
        tio_rate_on_complete(w, now);
        tio_lat_on_complete(w, now);
        return true;
    }
    if (rc == TIO_BUSY) {
        l->retry[l->n_retry++] = io;
        return false;
    }
    tio_worker_fail(w, rc < 0 ? -rc : EIO, "engine %s: queue failed: %s", w->t->engine.label,
                    strerror(rc < 0 ? -rc : EIO));
    l->free_ios[l->n_free++] = io;
    return false;
}

static int reap(struct worker *w, unsigned min)
{
    struct tio_loop *l = &w->loop;
    int64_t timeout = GETEVENTS_SLICE_NS;
    /* iodepth_batch_complete_max: at most that many completions per call */
    unsigned max = l->inflight, cap = w->job->queue.iodepth_batch_complete_max;
    if (cap && max > cap)
        max = cap > min ? cap : min;
    int n = w->ops->getevents(w->ed, min, max, l->events, timeout);
    if (n < 0) {
        if (n == -EINTR)
            return 0;
        tio_worker_fail(w, -n, "engine %s: waiting for completions failed: %s",
                        w->t->engine.label, strerror(-n));
        return n;
    }
    uint64_t now = tio_io_clock(w);
    if (n)
        tio_stats_complete(w->js, (uint64_t)n);
    for (int i = 0; i < n; i++) {
        tio_io *io = l->events[i];
        l->inflight--;
        retire(w, io, tio_loop_complete(w, io, now, true));
    }
    tio_stats_tick(w->js, now);
    tio_phase_on_complete(w, now);
    tio_rate_on_complete(w, now);
    tio_lat_on_complete(w, now);
    return n;
}

static void drain(struct worker *w)
{
    commit_queued(w);
    while (w->loop.inflight > 0) {
        if (reap(w, 1) < 0)
            return;
        if (atomic_load_explicit(&tio_stop, memory_order_relaxed) && w->loop.inflight)
            continue; /* in-flight IOs still complete: buffers stay valid */
    }
}

void tio_loop_quiesce(struct worker *w)
{
    if (!(w->features & TIO_WF_SYNC_ENGINE))
        drain(w);
}

static void run_async(struct worker *w)
{
    struct tio_loop *l = &w->loop;
    unsigned depth = w->job->queue.iodepth ? w->job->queue.iodepth : 1;
    if (depth > tio_units_count(w))
        depth = tio_units_count(w);
    unsigned batch = w->job->queue.iodepth_batch ? w->job->queue.iodepth_batch : 1;
    unsigned low = w->job->queue.iodepth_low && w->job->queue.iodepth_low < depth
                       ? w->job->queue.iodepth_low
                       : depth;
    unsigned complete_min = w->job->queue.iodepth_batch_complete_min;
    if (!complete_min)
        complete_min = 1;
    bool more = true;
    while (!w->stop) {
        if (unlikely(w->features & TIO_WF_LATENCY) && w->lat.quiesce) {
            drain(w); /* latency_target: a new depth starts with nothing in flight */
            w->lat.quiesce = false;
        }
        if (tio_sync_due(w)) {
            drain(w);
            tio_sync_run_due(w);
            continue;
        }
        /* Resubmit the rest of short IOs and what the engine was too busy
         * to take, then fill the queue. */
        bool busy = false;
        while (l->n_retry && !busy && !w->stop) {
            busy = !submit(w, l->retry[--l->n_retry], false);
            /* fio's td_io_queue commits at iodepth_batch whatever the IO:
             * a requeued one too (null's next IO then finds it busy) */
            if (l->n_queued >= batch)
                commit_queued(w);
        }
        while (!busy && more && !tio_sync_due(w) &&
               l->inflight + l->n_queued < tio_lat_depth(w, depth) && l->n_free && !w->stop) {
            if (unlikely(w->features & TIO_WF_RATE) && !pace(w)) {
                more = false;
                break;
            }
            /* taken off the list first: choosing the IO may reap others
             * (zonemode=zbd waits for the IO in flight), which go on it */
            tio_io *io = l->free_ios[--l->n_free];
            uint64_t now = tio_io_clock(w);
            /* fsync=N and the like: a sync may take the IO's place */
            if (!(unlikely(w->features & TIO_WF_SYNC_EVERY) ? tio_sync_next_io(w, io, now)
                                                            : next_io(w, io, now))) {
                l->free_ios[l->n_free++] = io;
                more = false;
                break;
            }
            busy = !submit(w, io, true);
            if (l->n_queued >= batch)
                commit_queued(w);
            think(w, io->ddir);
        }
        commit_queued(w);
        if (!more && !l->inflight && !l->n_retry)
            break;
        if (l->inflight) {
            unsigned min = l->inflight < complete_min ? l->inflight : complete_min;
            if (!more || busy)
                min = 1;
            bool full = more && l->inflight >= tio_lat_depth(w, depth);
            if (reap(w, min) < 0)
                break;
            /* iodepth_low: a full queue drains to this mark before it is
             * filled again, as fio's wait_for_completions */
            int rc = 0;
            while (full && l->inflight > low && !w->stop && rc >= 0)
                rc = reap(w, 1);
            if (rc < 0)
                break;
        } else if (busy) {
            tio_worker_fail(w, EIO, "engine %s is busy with no IO in flight",
                            w->t->engine.label);
        }
    }
    drain(w);
}

void tio_loop_run(struct worker *w)
{
    if (unlikely(w->features & TIO_WF_OFFLOAD))
        tio_offload_run(w);
    else if (w->features & TIO_WF_SYNC_ENGINE)
        run_sync(w);
    else
        run_async(w);
}
