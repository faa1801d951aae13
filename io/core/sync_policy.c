/* When a job syncs its files: fsync=N, fdatasync=N or sync_file_range=
 * FLAGS:N after every N writes, and end_fsync or fsync_on_close as each pass ends. A sync is an IO of its
 * own (TIO_SYNC, TIO_DATASYNC) that the job waits for; on an asynchronous
 * engine it goes out only once nothing else is in flight.
 *
 * As fio 3.33, the sync every N writes goes out before the IO that follows
 * the Nth write: none follows the main phase's last write, so no sync is
 * issued after it (16 writes with fsync=4: 3 syncs); a pass that ends on a
 * due sync issues it when the next pass starts. The report's sync count is
 * fio's too: the fsync=N syncs only (fdatasync=N and sync_file_range
 * syncs have latencies but no count, end_fsync's neither).
 *
 * On a queue (an asynchronous engine, not offloaded) the syncs are fio's
 * own model: a sync is an IO of the queue like any other. fio decides one
 * each time it fetches an IO, before the direction: when the writes issued
 * are a multiple of N and the last IO to complete was no sync. So several
 * can be out at once (rw=write fsync=2 iodepth=8 on io_uring: a sync for
 * every IO fetched until one completes), and those in flight count against
 * number_ios as fio's in-flight IOs do. A new pass forgets the last IO
 * (fio's last_was_sync is reset), so it may start with a sync. */
#include "files.h"
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

/* sync_file_range=FLAGS:N, as fio: every N writes, sync_file_range(2)
 * with FLAGS of the range the file's completed writes spanned since its
 * last sync (none when nothing was written: fio then calls nothing). It
 * is a system call on the file's descriptor, done by the job's thread as
 * fio's engines do it (io_uring's native one aside), so it needs the
 * files tenon-io opened. */
static int setup_range(struct worker *w)
{
    struct tio_sync_policy *s = &w->sync;
    const struct tio_host_job *t = w->t;
    if (!tio_files_has_path_targets(t)) {
        tio_worker_fail(w, EINVAL,
                        "sync_file_range needs files tenon-io opens itself, and engine %s "
                        "has none (drop sync_file_range, or use an engine such as psync, "
                        "libaio or io_uring)",
                        t->engine.label);
        return -EINVAL;
    }
    s->ranges = malloc(w->nf * sizeof(*s->ranges));
    if (!s->ranges)
        return -ENOMEM;
    for (size_t i = 0; i < w->nf; i++)
        s->ranges[i] = (struct tio_sync_range){UINT64_MAX, 0};
    s->every = w->job->durability.sfr_every;
    s->kind = TIO_SYNC_RANGE;
    return 0;
}

int tio_sync_setup(struct worker *w)
{
    const struct tio_job *job = w->job;
    struct tio_sync_policy *s = &w->sync;
    s->every = job->durability.fsync ? job->durability.fsync : job->durability.fdatasync;
    s->kind = job->durability.fsync ? TIO_SYNC : TIO_DATASYNC;
    s->io.index = 0;
    if (!s->every && job->durability.sfr_every && job->durability.sfr_flags) {
        int rc = setup_range(w);
        if (rc < 0)
            return rc;
    }
    if (s->every)
        w->features |= TIO_WF_SYNC_EVERY;
    /* TIO_WF_OFFLOAD is chosen later: see on_queue() */
    s->queued = s->every && s->kind != TIO_SYNC_RANGE && !(w->features & TIO_WF_SYNC_ENGINE);
    return 0;
}

/* fio's model on a queue: the engine has this job's syncs among its IOs. */
static bool on_queue(const struct worker *w)
{
    return w->sync.queued && !(w->features & TIO_WF_OFFLOAD);
}

void tio_sync_teardown(struct worker *w)
{
    free(w->sync.ranges);
    w->sync.ranges = NULL;
}

/* The sync_file_range(2) itself: accounted as fio's, a sync latency. */
static void sync_range(struct worker *w, size_t fi, bool accounted)
{
    struct tio_sync_range *r = &w->sync.ranges[fi];
    uint64_t t0 = tio_now_ns();
    int rc = 0;
    if (r->first != UINT64_MAX && r->end > r->first)
        rc = sync_file_range(w->h[fi].file.fd, (off64_t)r->first, (off64_t)(r->end - r->first),
                             w->job->durability.sfr_flags);
    if (rc != 0) {
        tio_worker_fail(w, errno, "sync_file_range of %s failed: %s", w->h[fi].file.name,
                        strerror(errno));
        return;
    }
    if (accounted)
        tio_stats_sync(w->js, tio_now_ns() - t0);
}

/* The sync completed: a failure stops the job; the syncs fio accounts
 * (those of fsync=N and fdatasync=N, not of a pass's end) are accounted. */
static void sync_done(struct worker *w, tio_io *io, bool accounted)
{
    if (io->result < 0) {
        tio_worker_fail(w, (int)-io->result, "%s of %s failed: %s", tio_dir_word(io->ddir),
                        io->file ? io->file->name : "?", strerror((int)-io->result));
        return;
    }
    if (!accounted)
        return;
    /* disable_clat and gtod_reduce measure no sync latency, as fio */
    if (likely(!(w->features & (TIO_WF_GTOD_REDUCE | TIO_WF_STATS_PART))) ||
        tio_stats_part_sync(w))
        tio_stats_sync(w->js, tio_now_ns() - io->start_ns);
    if (io->ddir == TIO_SYNC)
        w->js->sync_ios++;
}

/* A sync the engine does (TIO_SYNC, TIO_DATASYNC), waited for. */
static void engine_sync(struct worker *w, size_t fi, uint32_t kind, bool accounted)
{
    tio_io *io = &w->sync.io;
    io->ddir = kind;
    io->file = &w->h[fi].file;
    io->offset = 0;
    io->len = 0;
    io->start_ns = tio_now_ns();
    io->issue_ns = io->start_ns;
    tio_iolog_on_issue(w, io);
    int rc = w->ops->queue(w->ed, io);
    if (rc == TIO_QUEUED || rc == TIO_BUSY) {
        if (rc == TIO_BUSY || !w->ops->commit || w->ops->commit(w->ed) < 0) {
            tio_worker_fail(w, EIO, "engine refused the %s of %s", tio_dir_word(kind),
                            io->file->name);
            return;
        }
        tio_io *ev;
        int n = 0;
        while (n == 0 && !w->stop)
            n = w->ops->getevents(w->ed, 1, 1, &ev, -1);
        if (n < 0) {
            tio_worker_fail(w, -n, "waiting for the %s of %s: %s", tio_dir_word(kind),
                            io->file->name, strerror(-n));
            return;
        }
    } else if (rc < 0) {
        tio_worker_fail(w, -rc, "engine failed the %s of %s: %s", tio_dir_word(kind),
                        io->file->name, strerror(-rc));
        return;
    }
    sync_done(w, io, accounted);
}

void tio_sync_file(struct worker *w, size_t fi, uint32_t kind, bool accounted)
{
    if (kind == TIO_SYNC_RANGE)
        sync_range(w, fi, accounted);
    else
        engine_sync(w, fi, kind, accounted);
    /* fio: a file's written range starts anew with any sync of it */
    if (w->sync.ranges)
        w->sync.ranges[fi] = (struct tio_sync_range){UINT64_MAX, 0};
}

/* fio's sync every N writes goes to the file its next IO would have: it
 * takes that IO's turn of the files' rotation (fio chooses the file before
 * the direction), and no room is asked of the file. file when the job has
 * one file, w->nf when every file is done (fio then has no IO to sync). */
static size_t turn_of_files(struct worker *w, uint32_t file)
{
    struct tio_next *n = &w->next;
    if (w->nf < 2)
        return file;
    if (w->features & TIO_WF_FSERVICE)
        return tio_fservice_turn(w);
    for (size_t k = 0; k < w->nf; k++) {
        size_t fi = n->next_file;
        if (++n->next_file == w->nf)
            n->next_file = 0;
        if (!n->until_used || !n->gen[fi].used_up)
            return fi; /* a file done is passed over, as next_io.c does */
    }
    return w->nf;
}

/* The write count is a multiple of N and the last IO was no sync: fio
 * syncs before the next IO. */
static void sync_before_next(struct worker *w, uint32_t file)
{
    struct tio_sync_policy *s = &w->sync;
    if (!tio_next_has_more(w)) {
        /* The main phase's last write: no IO follows it in this pass. */
        s->due_next_pass = true;
        s->due_file = file;
        return;
    }
    size_t fi = turn_of_files(w, file);
    if (fi == w->nf)
        return;
    file = (uint32_t)fi;
    if (w->features & TIO_WF_SYNC_ENGINE) {
        tio_sync_file(w, file, s->kind, true);
    } else {
        /* On an asynchronous engine the sync waits until nothing is in
         * flight (the loop drains first), so the only completion it can
         * meet is its own. */
        s->due = true;
        s->due_file = file;
    }
}

/* On a queue: any IO completed, a sync of this job's included (its latency
 * is recorded as it completes, loop.c). */
static void queued_done(struct worker *w, const tio_io *io)
{
    struct tio_sync_policy *s = &w->sync;
    bool sync = io->ddir == TIO_SYNC || io->ddir == TIO_DATASYNC;
    s->last_was_sync = sync;
    s->pass_synced = s->pass_synced && sync;
    if (!sync || !s->inflight)
        return; /* a sync of read_iolog's replay is not one of these */
    s->inflight--;
    if (io->ddir == TIO_SYNC && io->result >= 0)
        w->js->sync_ios++;
}

/* As fio, which decides before each IO: a sync once the count of writes
 * is a multiple of N, unless the last IO was a sync. So in a mix, each
 * read that follows, the write count unchanged, is followed by another
 * sync (rw=rw fsync=1: a sync after every IO from the first write on). */
void tio_sync_count(struct worker *w, const tio_io *io)
{
    struct tio_sync_policy *s = &w->sync;
    if (on_queue(w)) {
        queued_done(w, io);
        return;
    }
    if (io->ddir != TIO_WRITE && io->ddir != TIO_READ)
        return;
    s->pass_synced = false;
    const struct io_meta *m = tio_units_meta(w, io);
    uint32_t file = m->file;
    if (io->ddir == TIO_READ) {
        /* a mix's own reads: fio fetches verify reads without this check */
        if (s->at_multiple && tio_rw_reads(w->job->pattern.rw) && !tio_phase_verifying(w))
            sync_before_next(w, file);
        return;
    }
    if (s->ranges && io->result >= 0) {
        /* fio's first_write/last_write: what completed writes spanned */
        struct tio_sync_range *r = &s->ranges[file];
        if (m->offset < r->first)
            r->first = m->offset;
        if (m->offset + m->len > r->end)
            r->end = m->offset + m->len;
    }
    s->at_multiple = false;
    if (++s->writes_since_sync < s->every)
        return;
    s->writes_since_sync = 0;
    s->at_multiple = true;
    sync_before_next(w, file);
}

/* fio's pass on a queue ends at size bytes issued: its IO loop fetches no
 * sync after the write that reaches them (the next pass starts with it). */
static bool pass_left(const struct worker *w)
{
    const struct tio_next *n = &w->next;
    if (w->mixpass)
        return tio_mixpass_pass_left(w);
    if (w->features & TIO_WF_FSERVICE)
        return tio_fservice_pass_left(w);
    return !(w->features & TIO_WF_MAP_PASSES) ||
           n->bytes_issued - n->pass_start < n->pass_bytes;
}

bool tio_sync_pass_at_size(const struct worker *w)
{
    return on_queue(w) && !pass_left(w);
}

/* On a queue, in place of the next IO: a sync of the file whose turn it
 * is, when it is due and the job would go on (fio checks size, io_size
 * and number_ios, in-flight syncs included, before it fetches an IO). */
static bool queued_sync(struct worker *w, tio_io *io)
{
    struct tio_sync_policy *s = &w->sync;
    if (s->last_was_sync || !s->writes || s->writes % s->every || !tio_next_has_more(w) ||
        !pass_left(w))
        return false;
    size_t fi = turn_of_files(w, 0);
    if (fi == w->nf)
        return false;
    struct io_meta *m = tio_units_meta(w, io);
    io->ddir = s->kind;
    io->file = &w->h[fi].file;
    io->offset = 0;
    io->len = 0;
    io->buf = m->buf;
    m->offset = 0;
    m->len = 0;
    m->file = (uint32_t)fi;
    m->verify_read = false;
    tio_iolog_on_issue(w, io);
    s->inflight++;
    return true;
}

/* fio's pass ends with nothing in flight, and the next forgets the last
 * IO (clear_io_state): a sync may be its first. */
static void end_pass_queued(struct worker *w)
{
    tio_loop_quiesce(w);
    w->sync.last_was_sync = false;
    w->sync.ios_pass_at = w->next.ios_issued + 1;
}

/* number_ios reached with syncs among the IOs out: fio's pass ends there,
 * but once they complete its count (the reads and writes done) is short
 * of number_ios again, so its thread loop starts another pass when a loop
 * or a block of size is left. That pass forgets the last IO, so it starts
 * with a sync when the writes are a multiple of N; a pass that does no
 * read or write ends the job (ios_pass_at: none since it started).
 * rw=write fsync=2 number_ios=9 on the null engine at iodepth 8: 8 writes
 * and 8 syncs, the last in a pass of its own. True when the stream goes
 * on as that pass. */
static bool ios_pass_after(struct worker *w)
{
    struct tio_sync_policy *s = &w->sync;
    const struct tio_next *n = &w->next;
    const struct tio_job_pattern *p = &w->job->pattern;
    if (!s->inflight || s->ios_pass_at == n->ios_issued + 1 || !n->bytes_total ||
        (w->features & (TIO_WF_VERIFY | TIO_WF_MAP_PASSES | TIO_WF_FSERVICE | TIO_WF_NO_END)))
        return false;
    uint64_t maxbs = p->max_bs[0] > p->max_bs[1] ? p->max_bs[0] : p->max_bs[1];
    bool loop_left = n->bytes_total >= n->loop_bytes &&
                     n->bytes_issued <= n->bytes_total - n->loop_bytes;
    if (!loop_left && n->bytes_issued + maxbs > n->loop_bytes)
        return false;
    end_pass_queued(w);
    return !w->stop && n->ios_issued < n->ios_total;
}

/* fio's IO loop ends a pass once its bytes are issued, before it fetches
 * another IO; the next pass starts with nothing in flight and the last IO
 * forgotten, so its first IO may be a sync, queued as any other (on the
 * null engine at iodepth 8, rw=write fsync=1: two syncs, the second
 * fetched while the first is out, then a write). Sequential passes
 * (mixpass.c), random passes (map_passes.c) and random loops run as one
 * stream (next_io.c); false when the job's IO is over or a loop's end
 * sync is due first (phase.c). */
static bool pass_start(struct worker *w)
{
    if (unlikely(tio_next_loop_due(w))) {
        /* random loops as one stream: the same end of fio's pass */
        end_pass_queued(w);
        tio_next_loop_start(w);
        return true;
    }
    const struct tio_next *n = &w->next;
    bool map_passes = (w->features & TIO_WF_MAP_PASSES) != 0;
    if (map_passes) {
        /* tio_passes_go_on's end of a pass, met before the IO is fetched */
        if ((n->bytes_issued - n->pass_start < n->pass_bytes && n->files_used_up < w->nf) ||
            (n->bytes_total && n->bytes_issued >= n->bytes_total))
            return true;
    } else if (!(w->features & TIO_WF_MIX_PASS)) {
        return true;
    }
    w->sync.pass_ahead = true;
    bool more = map_passes ? tio_passes_next(w) : tio_mixpass_start_due(w);
    w->sync.pass_ahead = false;
    return more;
}

bool tio_sync_next_io(struct worker *w, tio_io *io, uint64_t now)
{
    struct tio_sync_policy *s = &w->sync;
    /* a replay's IOs are the log's, syncs included (fio's read_iolog_get) */
    if (!on_queue(w) || tio_phase_verifying(w) || (w->features & TIO_WF_REPLAY))
        return tio_loop_next_io(w, io, now);
    if (!pass_start(w))
        return false;
    if ((w->features & TIO_WF_IOS_LIMIT) &&
        w->next.ios_issued + s->inflight >= w->next.ios_total && !ios_pass_after(w))
        return false;
    if (tio_halted(w))
        return false;
    if (queued_sync(w, io))
        return true;
    if (!tio_loop_next_io(w, io, now))
        return false;
    if (io->ddir == TIO_WRITE)
        s->writes++; /* fio's io_issues[DDIR_WRITE] */
    return true;
}

void tio_sync_run_due(struct worker *w)
{
    w->sync.due = false;
    if (!w->stop)
        tio_sync_file(w, w->sync.due_file, w->sync.kind, true);
}

/* The writes so far are a multiple of N: a pass that starts now starts
 * with a sync. */
static bool at_multiple(const struct worker *w)
{
    const struct tio_sync_policy *s = &w->sync;
    return on_queue(w) ? s->writes && s->writes % s->every == 0 : s->at_multiple;
}

void tio_sync_pass_start(struct worker *w)
{
    struct tio_sync_policy *s = &w->sync;
    if (s->pass_synced)
        return;               /* tio_sync_new_pass synced this pass's start */
    s->last_was_sync = false; /* fio's clear_io_state */
    s->ios_pass_at = w->next.ios_issued + 1;
    if (!s->due_next_pass)
        return;
    s->due_next_pass = false;
    if (!w->stop) {
        tio_sync_file(w, s->due_file, s->kind, true);
        s->pass_synced = true;
    }
}

/* fio's thread loop starts a pass (mixpass.c, map_passes.c, no_end.c; in
 * file_service.c's stream, where fio's would start): it has no IO in
 * flight, forgets its last IO, and so syncs first when the writes are a
 * multiple of N, even right after the last pass's sync (rw=write size=80k
 * io_size=688k bs=16k fsync=1: 43 writes and 50 syncs, 8 passes that end
 * with a sync and start with another). */
void tio_sync_new_pass(struct worker *w)
{
    struct tio_sync_policy *s = &w->sync;
    if (s->pass_ahead) {
        /* before the IO is fetched (pass_start): its sync, if due, is
         * fetched as any other (queued_sync) */
        end_pass_queued(w);
        return;
    }
    s->ios_pass_at = w->next.ios_issued + 1;
    if (s->pass_synced || w->stop || !at_multiple(w))
        return;
    s->due_next_pass = false;
    size_t fi = turn_of_files(w, 0);
    if (fi == w->nf)
        return;
    s->pass_synced = true;
    if (w->features & TIO_WF_OFFLOAD) {
        s->due = true; /* the offload loop waits for its pool, then syncs */
        s->due_file = (uint32_t)fi;
        return;
    }
    tio_loop_quiesce(w);
    if (w->stop)
        return;
    tio_sync_file(w, fi, s->kind, true);
    s->last_was_sync = true;
}

/* fio syncs a write job's files under end_fsync or fsync_on_close when
 * each pass ends (and fsync_on_close again when it closes them; tenon-io
 * keeps its files open between loops, so that is once per loop). */
bool tio_sync_at_pass_end(const struct worker *w)
{
    const struct tio_job *job = w->job;
    return (job->durability.end_fsync || job->durability.fsync_on_close) &&
           tio_rw_writes(job->pattern.rw) && !w->t->engine.no_files;
}

void tio_sync_pass_end(struct worker *w)
{
    tio_live_set_state(w->t->live, TIO_STATE_FSYNC);
    for (size_t i = 0; i < w->nf && !w->stop; i++)
        tio_sync_file(w, i, TIO_SYNC, false);
}
