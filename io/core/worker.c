/* One job thread: make the engine instance, open the targets through their
 * handles, run the IO loop, verify, tear down.
 *
 * The loop is the hot path of the whole benchmark. Per IO it computes an
 * offset, calls the engine through its table (one indirect call, no wrapper
 * in between), reads the clock twice and records into thread-owned
 * statistics: no allocation, no lock, no system call of its own. */
#include "host.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "tio_cpu.h"
#include "tio_job_stats.h"

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define MAX_VERIFY_REPORTS 10
#define GETEVENTS_SLICE_NS (250 * 1000 * 1000)

atomic_bool tio_stop;

/* What the host remembers about an IO unit besides what the engine sees. */
struct io_meta {
    uint64_t offset; /* the whole IO as issued (a short IO is resubmitted */
    uint64_t len;    /* for the rest, with offset/len/buf moved on) */
    void *buf;
    uint32_t file;
    bool verify_read; /* check the data when it completes */
};

/* Per file and direction: where sequential IO goes next, and the random
 * permutation of blocks. */
struct file_gen {
    uint64_t seq[2];
    struct tio_perm perm[2];
    uint64_t blocks[2];
    bool perm_ready[2];
    uint8_t *written; /* verify: bitmap of blocks written, in write-bs units */
    uint64_t verify_next;
};

struct worker {
    struct tio_host_job *t;
    const struct tio_job *job;
    struct tio_job_stats *js;
    const tio_engine *ops;
    void *ed;
    struct tio_handle *h;
    size_t nf;

    tio_io *ios;
    struct io_meta *meta;
    unsigned n_ios;
    void *buffers;
    size_t buf_size;
    tio_io **free_ios;
    unsigned n_free;
    tio_io **events;
    tio_io **queued;
    unsigned n_queued;
    tio_io **retry; /* units to submit again: short IOs and TIO_BUSY */
    unsigned n_retry;
    unsigned inflight;

    struct tio_rand rng;
    struct file_gen *gen;
    size_t next_file;

    uint64_t bytes_total; /* 0: no byte limit (time_based) */
    uint64_t bytes_issued;
    uint64_t deadline_ns; /* 0: none */
    uint64_t ramp_end_ns; /* 0: no ramp, or over */
    bool verify_phase;
    size_t verify_file;

    enum tio_verify_kind vk;
    bool verify;
    enum tio_job_state running_state;
    uint32_t job_hash;
    unsigned writes_since_sync;
    tio_io sync_io;
    bool sync_due;       /* fsync=N came due on an asynchronous engine */
    uint32_t sync_due_file;
    bool stop;
};

/* ---- Failure reporting ----------------------------------------------------- */

static void fail(struct worker *w, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(struct worker *w, int err, const char *fmt, ...)
{
    struct tio_host_job *t = w->t;
    if (!t->error) {
        t->error = err ? err : EIO;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(t->error_text, sizeof(t->error_text), fmt, ap);
        va_end(ap);
    }
    w->stop = true;
}

static enum tio_ddir stats_dir(uint32_t d)
{
    return d == TIO_WRITE ? TIO_DDIR_WRITE : d == TIO_TRIM ? TIO_DDIR_TRIM : TIO_DDIR_READ;
}

static const char *dir_word(uint32_t d)
{
    switch (d) {
    case TIO_READ: return "read";
    case TIO_WRITE: return "write";
    case TIO_TRIM: return "trim";
    case TIO_SYNC: return "fsync";
    default: return "fdatasync";
    }
}

/* ---- Choosing the next IO -------------------------------------------------- */

static bool is_random(const struct tio_job *job)
{
    return tio_rw_is_random(job->rw);
}

static uint32_t pick_dir(struct worker *w)
{
    switch (w->job->rw) {
    case TIO_RW_READ:
    case TIO_RW_RANDREAD:
        return TIO_READ;
    case TIO_RW_WRITE:
    case TIO_RW_RANDWRITE:
        return TIO_WRITE;
    default:
        return tio_rand_below(&w->rng, 100) < w->job->rwmixread ? TIO_READ : TIO_WRITE;
    }
}

static void fill_write_buffer(struct worker *w, tio_io *io, uint64_t offset)
{
    const struct tio_job *job = w->job;
    if (w->verify) {
        tio_verify_fill(io->buf, io->len, w->vk, w->job_hash, offset, tio_rand_next(&w->rng));
        return;
    }
    if (job->zero_buffers || job->buffer_pattern)
        return; /* set once at setup */
    if (job->refill_buffers) {
        uint8_t *b = io->buf;
        for (uint64_t i = 0; i + 8 <= io->len; i += 8) {
            uint64_t v = tio_rand_next(&w->rng);
            memcpy(b + i, &v, 8);
        }
    } else if (job->scramble_buffers && io->len >= 8) {
        /* Make every written block differ, so deduplicating storage cannot
         * shortcut the writes, at the cost of one store. */
        memcpy(io->buf, &offset, 8);
    }
}

static void mark_written(struct worker *w, uint32_t file, uint64_t pos, uint64_t len)
{
    uint8_t *bm = w->gen[file].written;
    uint64_t bs = w->job->bs[TIO_DDIR_WRITE];
    if (!bm || !bs)
        return;
    for (uint64_t b = pos / bs; b < (pos + len) / bs; b++)
        bm[b >> 3] |= (uint8_t)(1u << (b & 7));
}

/* A write that failed (and continue_on_error let the job go on) wrote
 * nothing that verify could check: forget it, as fio's unlog_io_piece. */
static void unmark_written(struct worker *w, const struct io_meta *m)
{
    uint8_t *bm = w->gen[m->file].written;
    uint64_t bs = w->job->bs[TIO_DDIR_WRITE];
    if (!bm || !bs)
        return;
    uint64_t pos = m->offset - w->t->regions[m->file].start;
    for (uint64_t b = pos / bs; b < (pos + m->len) / bs; b++)
        bm[b >> 3] &= (uint8_t)~(1u << (b & 7));
}

/* Fills io with the next IO of the main phase; false when there is none. */
static bool next_main(struct worker *w, tio_io *io, uint64_t now)
{
    const struct tio_job *job = w->job;
    if (w->deadline_ns && now >= w->deadline_ns)
        return false;
    if (w->bytes_total && w->bytes_issued >= w->bytes_total)
        return false;

    uint32_t d = pick_dir(w);
    unsigned di = d == TIO_WRITE ? 1 : 0;
    size_t fi = w->next_file;
    if (++w->next_file == w->nf)
        w->next_file = 0;
    struct file_gen *g = &w->gen[fi];
    const struct tio_region *r = &w->t->regions[fi];
    uint64_t bs = job->bs[di];
    if (w->bytes_total && w->bytes_total - w->bytes_issued < bs)
        bs = w->bytes_total - w->bytes_issued;
    uint64_t pos;
    if (is_random(job)) {
        uint64_t blocks = g->blocks[di];
        uint64_t block = job->norandommap ? tio_rand_below(&w->rng, blocks)
                                          : tio_perm_next(&g->perm[di]);
        pos = block * job->bs[di];
    } else {
        if (g->seq[di] + bs > r->len)
            g->seq[di] = 0; /* wrap: time_based, loops, or rw mixes */
        pos = g->seq[di];
        g->seq[di] += bs + job->rw_modifier;
    }
    if (pos + bs > r->len)
        bs = r->len - pos;

    struct io_meta *m = &w->meta[io->index];
    io->ddir = d;
    io->offset = r->start + pos;
    io->len = bs;
    io->file = &w->h[fi].file;
    io->buf = m->buf;
    m->offset = io->offset;
    m->len = bs;
    m->file = (uint32_t)fi;
    m->verify_read = w->verify && d == TIO_READ &&
                     (job->rw == TIO_RW_READ || job->rw == TIO_RW_RANDREAD ||
                      (g->written && (g->written[(pos / job->bs[1]) >> 3] &
                                      (1u << ((pos / job->bs[1]) & 7)))));
    if (d == TIO_WRITE) {
        fill_write_buffer(w, io, io->offset);
        if (w->verify)
            mark_written(w, (uint32_t)fi, pos, bs);
    }
    w->bytes_issued += bs;
    return true;
}

/* The verify phase reads back every block the job wrote. */
static bool next_verify(struct worker *w, tio_io *io)
{
    uint64_t bs = w->job->bs[TIO_DDIR_WRITE];
    while (w->verify_file < w->nf) {
        struct file_gen *g = &w->gen[w->verify_file];
        const struct tio_region *r = &w->t->regions[w->verify_file];
        uint64_t blocks = r->len / bs;
        while (g->verify_next < blocks) {
            uint64_t b = g->verify_next++;
            if (!(g->written[b >> 3] & (1u << (b & 7))))
                continue;
            struct io_meta *m = &w->meta[io->index];
            io->ddir = TIO_READ;
            io->offset = r->start + b * bs;
            io->len = bs;
            io->file = &w->h[w->verify_file].file;
            io->buf = m->buf;
            m->offset = io->offset;
            m->len = bs;
            m->file = (uint32_t)w->verify_file;
            m->verify_read = true;
            return true;
        }
        w->verify_file++;
    }
    return false;
}

static bool next_io(struct worker *w, tio_io *io, uint64_t now)
{
    if (unlikely(w->stop || atomic_load_explicit(&tio_stop, memory_order_relaxed)))
        return false;
    return w->verify_phase ? next_verify(w, io) : next_main(w, io, now);
}

/* ---- Completing an IO ------------------------------------------------------ */

static void verify_done(struct worker *w, tio_io *io)
{
    struct io_meta *m = &w->meta[io->index];
    char why[256];
    /* An engine without files (null) moves no data, so there is nothing
     * to check: fio counts these reads and passes them. */
    if (w->t->engine.no_files)
        return;
    if (tio_verify_check(m->buf, m->len, w->vk, m->offset, why, sizeof(why)))
        return;
    struct tio_host_job *t = w->t;
    t->verify_failures++;
    tio_stats_error(w->js, TIO_DDIR_READ, "verify");
    if (t->verify_failures <= MAX_VERIFY_REPORTS)
        fprintf(stderr, "tenon-io: job %s: verify failed: %s offset %" PRIu64 " (%" PRIu64
                " bytes): %s\n",
                w->job->name, w->h[m->file].file.name, m->offset, m->len, why);
    if (!t->error) {
        t->error = EILSEQ;
        snprintf(t->error_text, sizeof(t->error_text),
                 "verify failed: %s offset %" PRIu64 ": %s", w->h[m->file].file.name, m->offset,
                 why);
    }
    if (w->job->verify_fatal)
        w->stop = true;
}

static bool error_tolerated(const struct tio_job *job, uint32_t d)
{
    unsigned coe = job->continue_on_error;
    return (d == TIO_READ && (coe & TIO_COE_READ)) || (d == TIO_WRITE && (coe & TIO_COE_WRITE));
}

/* Accounts a completed IO. Returns true if it must be submitted again (a
 * short transfer: the rest goes out with offset and buffer moved on). */
static bool complete_io(struct worker *w, tio_io *io, uint64_t now, bool async)
{
    struct io_meta *m = &w->meta[io->index];
    if (likely(io->result == (int64_t)io->len && io->ddir <= TIO_WRITE)) {
        uint64_t lat = now - io->start_ns;
        uint64_t clat = async ? now - io->issue_ns : lat;
        enum tio_ddir d = stats_dir(io->ddir);
        if (unlikely(io->buf != m->buf)) {
            /* The last piece of a short IO: account the whole IO. */
            io->len = m->len;
        }
        tio_stats_io(w->js, d, m->len, clat, lat);
        if (unlikely(m->verify_read))
            verify_done(w, io);
        return false;
    }
    if (io->ddir == TIO_SYNC || io->ddir == TIO_DATASYNC) {
        if (io->result < 0)
            fail(w, (int)-io->result, "%s of %s failed: %s", dir_word(io->ddir),
                 io->file ? io->file->name : "?", strerror((int)-io->result));
        else
            tio_stats_sync(w->js, now - io->start_ns);
        return false;
    }
    enum tio_ddir d = stats_dir(io->ddir);
    if (io->result < 0) {
        int e = (int)-io->result;
        tio_stats_errno(w->js, d, e);
        if (io->ddir == TIO_WRITE)
            unmark_written(w, m);
        if (!error_tolerated(w->job, io->ddir))
            fail(w, e, "%s of %" PRIu64 " bytes at offset %" PRIu64 " of %s failed: %s",
                 dir_word(io->ddir), io->len, io->offset, io->file ? io->file->name : "?",
                 strerror(e));
        return false;
    }
    if (io->result == 0) {
        tio_stats_errno(w->js, d, ENODATA);
        if (io->ddir == TIO_WRITE)
            unmark_written(w, m);
        if (!error_tolerated(w->job, io->ddir))
            fail(w, ENODATA,
                 "%s at offset %" PRIu64 " of %s transferred nothing (end of the file or "
                 "device?)",
                 dir_word(io->ddir), io->offset, io->file ? io->file->name : "?");
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

static void sync_file(struct worker *w, size_t fi, uint32_t kind)
{
    tio_io *io = &w->sync_io;
    io->ddir = kind;
    io->file = &w->h[fi].file;
    io->offset = 0;
    io->len = 0;
    io->start_ns = tio_now_ns();
    io->issue_ns = io->start_ns;
    int rc = w->ops->queue(w->ed, io);
    if (rc == TIO_QUEUED || rc == TIO_BUSY) {
        if (rc == TIO_BUSY || !w->ops->commit || w->ops->commit(w->ed) < 0) {
            fail(w, EIO, "engine refused the %s of %s", dir_word(kind), io->file->name);
            return;
        }
        tio_io *ev;
        int n = 0;
        while (n == 0 && !w->stop)
            n = w->ops->getevents(w->ed, 1, 1, &ev, -1);
        if (n < 0) {
            fail(w, -n, "waiting for the %s of %s: %s", dir_word(kind), io->file->name,
                 strerror(-n));
            return;
        }
    } else if (rc < 0) {
        fail(w, -rc, "engine failed the %s of %s: %s", dir_word(kind), io->file->name,
             strerror(-rc));
        return;
    }
    complete_io(w, io, tio_now_ns(), false);
}

/* fsync=N / fdatasync=N: a sync after every N writes. */
static inline void after_write(struct worker *w, uint32_t file)
{
    const struct tio_job *job = w->job;
    unsigned every = job->fsync ? job->fsync : job->fdatasync;
    if (likely(!every))
        return;
    if (++w->writes_since_sync >= every) {
        w->writes_since_sync = 0;
        if (w->ops->flags & TIO_ENGINE_SYNC) {
            sync_file(w, file, job->fsync ? TIO_SYNC : TIO_DATASYNC);
        } else {
            /* On an asynchronous engine the sync waits until nothing is in
             * flight (run_async drains first), so the only completion it
             * can meet is its own. */
            w->sync_due = true;
            w->sync_due_file = file;
        }
    }
}

static void check_ramp(struct worker *w, uint64_t now)
{
    if (unlikely(w->ramp_end_ns) && now >= w->ramp_end_ns) {
        w->ramp_end_ns = 0;
        tio_stats_reset(w->js, now);
        tio_live_set_state(w->t->live, w->running_state);
    }
}

static void run_sync(struct worker *w)
{
    const tio_engine *ops = w->ops;
    void *ed = w->ed;
    tio_io *io = &w->ios[0];
    uint64_t now = tio_now_ns();
    uint64_t count = 0;
    while (next_io(w, io, now)) {
        count++;
        do {
            io->start_ns = tio_now_ns();
            int rc = ops->queue(ed, io);
            now = tio_now_ns();
            if (unlikely(rc != TIO_COMPLETED)) {
                fail(w, rc < 0 ? -rc : EIO,
                     "engine %s: queue returned %d for a synchronous engine", w->t->engine.label,
                     rc);
                return;
            }
        } while (unlikely(complete_io(w, io, now, false)) && !w->stop);
        if (io->ddir == TIO_WRITE)
            after_write(w, w->meta[io->index].file);
        tio_stats_tick(w->js, now);
        check_ramp(w, now);
    }
    /* One IO in flight, submitted and completed one at a time: fio's maps
     * for a synchronous engine, counted once instead of per IO. */
    w->js->depth[0] += count;
    w->js->submit[1] += count;
    w->js->complete[1] += count;
}

/* ---- Asynchronous engines -------------------------------------------------- */

static void commit_queued(struct worker *w)
{
    if (!w->n_queued)
        return;
    uint64_t now = tio_now_ns();
    for (unsigned i = 0; i < w->n_queued; i++) {
        tio_io *io = w->queued[i];
        io->issue_ns = now;
        tio_stats_slat(w->js, stats_dir(io->ddir), now - io->start_ns);
    }
    tio_stats_submit(w->js, w->n_queued);
    w->n_queued = 0;
    if (w->ops->commit) {
        int rc = w->ops->commit(w->ed);
        if (rc < 0)
            fail(w, -rc, "engine %s: submitting IO failed: %s", w->t->engine.label,
                 strerror(-rc));
    }
}

/* Queues one unit; returns false if the engine is busy (unit kept). */
static bool submit(struct worker *w, tio_io *io, bool fresh)
{
    if (fresh)
        io->start_ns = tio_now_ns();
    int rc = w->ops->queue(w->ed, io);
    if (rc == TIO_QUEUED) {
        w->queued[w->n_queued++] = io;
        w->inflight++;
        tio_stats_depth(w->js, w->inflight);
        return true;
    }
    if (rc == TIO_COMPLETED) {
        uint64_t now = tio_now_ns();
        io->issue_ns = io->start_ns;
        /* Submitted and completed on its own, with what is in flight. */
        tio_stats_depth(w->js, w->inflight + 1);
        w->js->submit[1]++;
        w->js->complete[1]++;
        if (complete_io(w, io, now, false)) {
            w->retry[w->n_retry++] = io;
        } else {
            if (io->ddir == TIO_WRITE)
                after_write(w, w->meta[io->index].file);
            w->free_ios[w->n_free++] = io;
        }
        return true;
    }
    if (rc == TIO_BUSY) {
        w->retry[w->n_retry++] = io;
        return false;
    }
    fail(w, rc < 0 ? -rc : EIO, "engine %s: queue failed: %s", w->t->engine.label,
         strerror(rc < 0 ? -rc : EIO));
    w->free_ios[w->n_free++] = io;
    return false;
}

static int reap(struct worker *w, unsigned min)
{
    int64_t timeout = GETEVENTS_SLICE_NS;
    int n = w->ops->getevents(w->ed, min, w->inflight, w->events, timeout);
    if (n < 0) {
        if (n == -EINTR)
            return 0;
        fail(w, -n, "engine %s: waiting for completions failed: %s", w->t->engine.label,
             strerror(-n));
        return n;
    }
    uint64_t now = tio_now_ns();
    if (n)
        tio_stats_complete(w->js, (uint64_t)n);
    for (int i = 0; i < n; i++) {
        tio_io *io = w->events[i];
        w->inflight--;
        if (complete_io(w, io, now, true)) {
            w->retry[w->n_retry++] = io;
        } else {
            if (io->ddir == TIO_WRITE)
                after_write(w, w->meta[io->index].file);
            w->free_ios[w->n_free++] = io;
        }
    }
    tio_stats_tick(w->js, now);
    check_ramp(w, now);
    return n;
}

static void drain(struct worker *w)
{
    commit_queued(w);
    while (w->inflight > 0) {
        if (reap(w, 1) < 0)
            return;
        if (atomic_load_explicit(&tio_stop, memory_order_relaxed) && w->inflight)
            continue; /* in-flight IOs still complete: buffers stay valid */
    }
}

static void run_async(struct worker *w)
{
    unsigned depth = w->job->iodepth ? w->job->iodepth : 1;
    if (depth > w->n_ios)
        depth = w->n_ios;
    unsigned batch = w->job->iodepth_batch ? w->job->iodepth_batch : 1;
    unsigned complete_min = w->job->iodepth_batch_complete_min;
    if (!complete_min)
        complete_min = 1;
    bool more = true;
    while (!w->stop) {
        if (w->sync_due) {
            drain(w);
            w->sync_due = false;
            if (!w->stop)
                sync_file(w, w->sync_due_file,
                          w->job->fsync ? TIO_SYNC : TIO_DATASYNC);
            continue;
        }
        /* Resubmit the rest of short IOs and what the engine was too busy
         * to take, then fill the queue. */
        bool busy = false;
        while (w->n_retry && !busy && !w->stop)
            busy = !submit(w, w->retry[--w->n_retry], false);
        while (!busy && more && !w->sync_due && w->inflight + w->n_queued < depth && w->n_free &&
               !w->stop) {
            tio_io *io = w->free_ios[w->n_free - 1];
            if (!next_io(w, io, tio_now_ns())) {
                more = false;
                break;
            }
            w->n_free--;
            busy = !submit(w, io, true);
            if (w->n_queued >= batch)
                commit_queued(w);
        }
        commit_queued(w);
        if (!more && !w->inflight && !w->n_retry)
            break;
        if (w->inflight) {
            unsigned min = w->inflight < complete_min ? w->inflight : complete_min;
            if (!more || busy)
                min = 1;
            if (reap(w, min) < 0)
                break;
        } else if (busy) {
            fail(w, EIO, "engine %s is busy with no IO in flight", w->t->engine.label);
        }
    }
    drain(w);
}

/* ---- Setup and teardown ---------------------------------------------------- */

static int setup_units(struct worker *w)
{
    const struct tio_job *job = w->job;
    bool sync_engine = (w->ops->flags & TIO_ENGINE_SYNC) != 0;
    w->n_ios = sync_engine ? 1 : (job->iodepth ? job->iodepth : 1);
    uint64_t max_bs = job->bs[0] > job->bs[1] ? job->bs[0] : job->bs[1];
    w->buf_size = (size_t)((max_bs + 4095) & ~(uint64_t)4095);
    size_t total = w->buf_size * w->n_ios;
    if (posix_memalign(&w->buffers, 4096, total ? total : 4096) != 0)
        return -ENOMEM;
    w->ios = calloc(w->n_ios, sizeof(*w->ios));
    w->meta = calloc(w->n_ios, sizeof(*w->meta));
    w->free_ios = calloc(w->n_ios, sizeof(tio_io *));
    w->events = calloc(w->n_ios, sizeof(tio_io *));
    w->queued = calloc(w->n_ios, sizeof(tio_io *));
    w->retry = calloc(w->n_ios, sizeof(tio_io *));
    char *engine_data = w->ops->io_data_size ? calloc(w->n_ios, w->ops->io_data_size) : NULL;
    if (!w->ios || !w->meta || !w->free_ios || !w->events || !w->queued || !w->retry ||
        (w->ops->io_data_size && !engine_data)) {
        free(engine_data);
        return -ENOMEM;
    }
    /* Buffer contents: random once (fio's default), a pattern, or zeros. */
    uint8_t *b = w->buffers;
    if (job->zero_buffers) {
        memset(b, 0, total);
    } else if (job->buffer_pattern && job->buffer_pattern_len) {
        for (size_t i = 0; i < total; i++)
            b[i] = job->buffer_pattern[i % job->buffer_pattern_len];
    } else {
        for (size_t i = 0; i + 8 <= total; i += 8) {
            uint64_t v = tio_rand_next(&w->rng);
            memcpy(b + i, &v, 8);
        }
    }
    for (unsigned i = 0; i < w->n_ios; i++) {
        tio_io *io = &w->ios[i];
        io->index = i;
        io->buf = b + (size_t)i * w->buf_size;
        io->engine_data = engine_data ? engine_data + (size_t)i * w->ops->io_data_size : NULL;
        w->meta[i].buf = io->buf;
        w->free_ios[w->n_free++] = &w->ios[w->n_ios - 1 - i];
    }
    w->sync_io.index = 0;
    return 0;
}

static void free_units(struct worker *w)
{
    if (w->ios && w->n_ios)
        free(w->ios[0].engine_data);
    free(w->ios);
    free(w->meta);
    free(w->free_ios);
    free(w->events);
    free(w->queued);
    free(w->retry);
    free(w->buffers);
}

static int open_targets(struct worker *w)
{
    struct tio_host_job *t = w->t;
    const struct tio_job *job = w->job;
    bool no_files = t->engine.no_files;
    w->nf = no_files ? 1 : t->n_files;
    w->h = calloc(w->nf ? w->nf : 1, sizeof(*w->h));
    w->gen = calloc(w->nf ? w->nf : 1, sizeof(*w->gen));
    if (!w->h || !w->gen) {
        fail(w, ENOMEM, "out of memory");
        return -1;
    }
    t->handles = w->h;
    bool write = job->rw != TIO_RW_READ && job->rw != TIO_RW_RANDREAD;
    for (size_t i = 0; i < w->nf; i++) {
        tio_file *f = &w->h[i].file;
        f->struct_size = sizeof(*f);
        f->index = (uint32_t)i;
        f->name = no_files ? "(none)" : t->names[i];
        f->fd = -1;
        f->open_flags = TIO_OPEN_READ | (write ? TIO_OPEN_WRITE : 0) |
                        (job->direct ? TIO_OPEN_DIRECT : 0);
        f->size = no_files ? t->regions[0].len : t->sizes[i];
        if (!no_files && !t->engine.uri_targets) {
            f->fd = tio_file_open(job, t->names[i], write, t->error_text, sizeof(t->error_text));
            if (f->fd < 0) {
                t->error = errno ? errno : EIO;
                w->stop = true;
                return -1;
            }
        }
        int orc = no_files ? 0
                           : tio_handle_open(&w->h[i], w->ops, w->ed, t->engine.label,
                                             t->error_text, sizeof(t->error_text));
        if (orc < 0) {
            /* The job's error is the engine's own (ECONNREFUSED...). */
            t->error = -orc;
            w->stop = true;
            return -1;
        }
        if (no_files)
            w->h[i].ops = w->ops;
        /* URI targets learn their size from the engine. */
        if (t->engine.uri_targets) {
            struct tio_region *r = &t->regions[i];
            if (!r->len || r->start + r->len > f->size)
                r->len = f->size > r->start ? f->size - r->start : 0;
            uint64_t bs = job->bs[0] > job->bs[1] ? job->bs[0] : job->bs[1];
            r->len -= bs ? r->len % bs : 0;
            if (!r->len) {
                fail(w, EINVAL, "%s: the target has no room for IO (size %" PRIu64 ")", f->name,
                     f->size);
                return -1;
            }
        }
    }
    tio_live_set_files(t->live, (uint32_t)w->nf);
    return 0;
}

static int setup_generators(struct worker *w)
{
    const struct tio_job *job = w->job;
    uint64_t seed = job->randseed + (job->randrepeat ? job->clone : (uint64_t)tio_now_ns());
    tio_rand_seed(&w->rng, seed);
    uint64_t total = 0;
    for (size_t i = 0; i < w->nf; i++) {
        const struct tio_region *r = &w->t->regions[i];
        total += r->len;
        for (int d = 0; d < 2; d++) {
            uint64_t bs = job->bs[d] ? job->bs[d] : 4096;
            w->gen[i].blocks[d] = r->len / bs ? r->len / bs : 1;
            tio_perm_init(&w->gen[i].perm[d], w->gen[i].blocks[d], seed * 31 + i * 2 + (uint64_t)d);
        }
        if (w->verify && job->rw != TIO_RW_READ && job->rw != TIO_RW_RANDREAD) {
            uint64_t blocks = r->len / job->bs[TIO_DDIR_WRITE] + 1;
            w->gen[i].written = calloc((blocks + 7) / 8, 1);
            if (!w->gen[i].written)
                return -ENOMEM;
        }
    }
    uint64_t io_size = job->io_size.set ? tio_amount_bytes(&job->io_size, total) : total;
    w->bytes_total = job->time_based ? 0 : io_size * (job->loops ? job->loops : 1);
    return 0;
}

static void run_job(struct worker *w)
{
    struct tio_host_job *t = w->t;
    const struct tio_job *job = w->job;
    bool sync_engine = (w->ops->flags & TIO_ENGINE_SYNC) != 0;

    enum tio_job_state running =
        job->rw == TIO_RW_READ        ? TIO_STATE_SEQ_READ
        : job->rw == TIO_RW_RANDREAD  ? TIO_STATE_RAND_READ
        : job->rw == TIO_RW_WRITE     ? TIO_STATE_SEQ_WRITE
        : job->rw == TIO_RW_RANDWRITE ? TIO_STATE_RAND_WRITE
        : job->rw == TIO_RW_RW        ? TIO_STATE_SEQ_MIXED
                                      : TIO_STATE_RAND_MIXED;
    w->running_state = running;
    uint64_t start = tio_now_ns();
    if (job->ramp_time) {
        w->ramp_end_ns = start + job->ramp_time * 1000;
        tio_live_set_state(t->live, TIO_STATE_RAMP);
    } else {
        tio_live_set_state(t->live, running);
    }
    if (job->runtime)
        w->deadline_ns = start + (job->ramp_time + job->runtime) * 1000;
    tio_live_set_started(t->live, start);
    tio_stats_start(w->js, start);

    if (sync_engine)
        run_sync(w);
    else
        run_async(w);
    if (w->ramp_end_ns) {
        w->ramp_end_ns = 0;
        tio_live_set_state(t->live, running);
    }

    if (job->end_fsync && !t->engine.no_files && !w->stop) {
        tio_live_set_state(t->live, TIO_STATE_FSYNC);
        for (size_t i = 0; i < w->nf && !w->stop; i++)
            sync_file(w, i, TIO_SYNC);
    }
    tio_stats_finish(w->js, tio_now_ns());

    /* fio's verify pass: read back and check what this job wrote. Its reads
     * are reported too, like fio's. */
    if (w->verify && job->do_verify && !w->stop && w->gen[0].written &&
        !atomic_load(&tio_stop)) {
        tio_live_set_state(t->live, TIO_STATE_VERIFY);
        w->verify_phase = true;
        w->deadline_ns = 0;
        w->bytes_total = 0;
        uint64_t vstart = tio_now_ns();
        if (sync_engine)
            run_sync(w);
        else
            run_async(w);
        /* The statistics closed with the write phase; the verify reads get
         * the verify phase's time, as fio reports them. */
        struct tio_dir_stats *rd = &w->js->dir[TIO_DDIR_READ];
        if (rd->ios && !rd->runtime_ns)
            rd->runtime_ns = tio_now_ns() - vstart;
    }
}

void *tio_worker_main(void *arg)
{
    struct tio_host_job *t = arg;
    const struct tio_job *job = t->job;
    struct worker wk = {0};
    struct worker *w = &wk;
    w->t = t;
    w->job = job;
    w->js = &t->result->stats;
    struct tio_cpu_usage cpu0 = {0}, cpu1 = {0};
    tio_cpu_usage_now(TIO_CPU_THREAD, &cpu0);

    if (job->startdelay) {
        uint64_t us = job->startdelay;
        if (job->startdelay_max > job->startdelay) {
            struct tio_rand r;
            tio_rand_seed(&r, job->randseed + job->clone);
            us += tio_rand_below(&r, job->startdelay_max - job->startdelay + 1);
        }
        struct timespec ts = {(time_t)(us / 1000000), (long)(us % 1000000) * 1000};
        nanosleep(&ts, NULL);
    }

    w->verify = job->verify != TIO_VERIFY_NONE;
    w->vk = job->verify == TIO_VERIFY_SHA256 ? TIO_VK_SHA256 : TIO_VK_CRC32C;
    w->job_hash = tio_verify_job_hash(job->name);

    char inst_name[256];
    snprintf(inst_name, sizeof(inst_name), "%s.%u.%u", job->name, job->index, job->clone);
    tenon_registry *reg = t->host->engines.reg;
    if (tenon_instance_new(reg, tenon_plugin_name(t->engine.plugin), TIO_ENGINE_INTERFACE, NULL,
                           t->engine.options, &t->instance) < 0) {
        char line[4096];
        tenon_error_format(tenon_last_error(), line, sizeof(line));
        fail(w, EINVAL, "engine %s: %s", t->engine.label, line);
        goto out;
    }
    (void)inst_name;
    w->ops = tenon_instance_table(t->instance);
    w->ed = tenon_instance_data(t->instance);
    t->ops = w->ops;
    t->edata = w->ed;

    if (open_targets(w) < 0)
        goto out;
    int rc = setup_generators(w);
    if (rc == 0)
        rc = setup_units(w);
    if (rc < 0) {
        fail(w, -rc, "cannot set up the job: %s", strerror(-rc));
        goto out;
    }
    if (w->ops->setup) {
        tio_file **files = calloc(w->nf, sizeof(tio_file *));
        if (!files) {
            fail(w, ENOMEM, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < w->nf; i++)
            files[i] = &w->h[i].file;
        tio_setup s = {
            .struct_size = sizeof(s),
            .iodepth = w->n_ios,
            .job_name = job->name,
            .ios = w->ios,
            .n_ios = w->n_ios,
            .flags = job->direct ? TIO_OPEN_DIRECT : 0,
            .buffers = w->buffers,
            .buffers_len = w->buf_size * w->n_ios,
            .buffer_size = w->buf_size,
            .files = t->engine.no_files ? NULL : files,
            .n_files = t->engine.no_files ? 0 : (uint32_t)w->nf,
        };
        rc = w->ops->setup(w->ed, &s);
        free(files);
        if (rc < 0) {
            fail(w, -rc, "engine %s: setup failed: %s", t->engine.label, strerror(-rc));
            goto teardown;
        }
    }
    run_job(w);
teardown:
    if (w->ops->teardown)
        w->ops->teardown(w->ed);
out:
    tio_live_set_state(t->live, t->error ? TIO_STATE_ERROR : TIO_STATE_EXITED);
    for (size_t i = 0; w->h && i < w->nf; i++)
        tio_handle_close(&w->h[i]);
    tio_live_set_files(t->live, 0);
    for (size_t i = 0; w->gen && i < w->nf; i++)
        free(w->gen[i].written);
    free(w->gen);
    free(w->h);
    t->handles = NULL;
    free_units(w);
    tio_cpu_usage_now(TIO_CPU_THREAD, &cpu1);
    tio_cpu_usage_delta(&cpu0, &cpu1, &t->result->cpu);
    if (t->instance)
        tenon_instance_free(t->instance);
    t->instance = NULL;
    if (job->unlink && !t->engine.uri_targets && !t->engine.no_files)
        for (size_t i = 0; i < t->n_files; i++)
            unlink(t->names[i]);
    return NULL;
}
