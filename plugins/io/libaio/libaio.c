/* The libaio engine: Linux native AIO (io_setup/io_submit/io_getevents),
 * as fio's libaio engine. Truly asynchronous only with direct=1: buffered
 * IO is done inside io_submit().
 *
 * queue() prepares the IO's iocb (kept in the unit's engine_data, so the IO
 * path allocates nothing) and collects it; commit() hands everything
 * collected to the kernel in one io_submit(); getevents() reaps with
 * io_getevents(), or, with userspace_reap=1, straight from the completion
 * ring the kernel shares with the process, with no system call while
 * completions are waiting.
 *
 * Native AIO has no trim and, before Linux 4.18, no fsync: those run
 * synchronously once nothing is in flight (queue() answers TIO_BUSY until
 * then), which also gives a sync the ordering fsync(2) promises. */
#include <errno.h>
#include <libaio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tenon/plugin.h>
#include <tenon-io/engine.h>

#include "../common/engine_util.h"

/* The kernel's completion ring header (fs/aio.c, struct aio_ring), mapped
 * at the address of the io_context_t. It is kernel ABI: userspace may
 * consume events by advancing head, as io_getevents() would. */
struct eng_aio_ring {
    unsigned id;
    unsigned nr;   /* number of io_events */
    unsigned head; /* next to consume; written by the consumer */
    unsigned tail; /* next the kernel fills */
    unsigned magic;
    unsigned compat_features;
    unsigned incompat_features;
    unsigned header_length; /* size of this header */
    struct io_event io_events[];
};
/* Linux's <linux/aio_abi.h> flag; that header's struct iocb clashes with
 * libaio's own. */
#ifndef IOCB_FLAG_IOPRIO
#define IOCB_FLAG_IOPRIO (1 << 1)
#endif

#define ENG_AIO_RING_MAGIC 0xa10a10a1u

/* How long commit() keeps retrying a submission the kernel refuses for
 * lack of resources while nothing is in flight to free any. */
#define ENG_AIO_RETRY_NS (30ull * 1000000000ull)

typedef struct aio_engine {
    tenon_plugin *self; /* for messages from setup() */
    io_context_t ctx;
    bool ctx_ok;
    bool user_reap; /* option userspace_reap, and the ring allows it */
    int rw_flags;   /* RWF_* per read and write */
    bool ioprio;    /* the host's units carry per-IO priorities */
    uint32_t depth;
    uint32_t inflight; /* submitted, not reaped */
    /* Prepared, not yet accepted by io_submit: n_pending of them from
     * pending[pend_head], wrapping at depth. */
    struct iocb **pending;
    uint32_t pend_head, n_pending;
    /* IOs whose submission failed; they complete through getevents(). */
    tio_io **failed;
    uint32_t n_failed;
    struct io_event *events;
} aio_engine;

static const tenon_host_api *host;

static int aio_init(tenon_plugin *self, const tenon_host_api *api)
{
    (void)self;
    host = api;
    return 0;
}

static int aio_instance_init(tenon_plugin *self, tenon_instance *inst, void *data,
                             const tenon_values *opts)
{
    (void)inst;
    aio_engine *e = data;
    e->self = self;
    e->user_reap = host->values_bool(opts, "userspace_reap");
    e->rw_flags = host->values_bool(opts, "nowait") ? RWF_NOWAIT : 0;
    return 0;
}

static void aio_release(aio_engine *e)
{
    if (e->ctx_ok)
        io_destroy(e->ctx); /* waits for anything still in flight */
    free(e->pending);
    free(e->failed);
    free(e->events);
    /* Keep what instance_init set: setup() may run again. */
    *e = (aio_engine){.self = e->self, .user_reap = e->user_reap, .rw_flags = e->rw_flags};
}

static int aio_setup(void *engine, const tio_setup *setup)
{
    aio_engine *e = engine;
    aio_release(e);
    e->depth = setup->iodepth ? setup->iodepth : 1;
    e->ioprio = tio_setup_has_ioprio(setup);
    for (uint32_t i = 0; i < setup->n_ios; i++)
        if (!tio_setup_io(setup, i)->engine_data) {
            host->log(e->self, TENON_LOG_ERROR,
                      "libaio: unit %u has no engine data (io_data_size not honoured)", i);
            return -EINVAL;
        }
    e->pending = calloc(e->depth, sizeof(*e->pending));
    e->failed = calloc(e->depth, sizeof(*e->failed));
    e->events = calloc(e->depth, sizeof(*e->events));
    if (!e->pending || !e->failed || !e->events) {
        aio_release(e);
        return -ENOMEM;
    }
    int rc = io_setup((int)e->depth, &e->ctx);
    if (rc < 0) {
        if (rc == -EAGAIN)
            host->log(e->self, TENON_LOG_ERROR,
                      "libaio: io_setup(%u) exceeds fs.aio-max-nr; lower iodepth or "
                      "raise the sysctl",
                      e->depth);
        aio_release(e);
        return rc;
    }
    e->ctx_ok = true;
    const struct eng_aio_ring *ring = (const void *)e->ctx;
    if (e->user_reap && (ring->magic != ENG_AIO_RING_MAGIC || ring->incompat_features != 0 ||
                         ring->header_length != sizeof(*ring)))
        e->user_reap = false;
    return 0;
}

static uint32_t aio_outstanding(const aio_engine *e)
{
    return e->inflight + e->n_pending + e->n_failed;
}

static int aio_queue(void *engine, tio_io *io)
{
    aio_engine *e = engine;
    if (aio_outstanding(e) >= e->depth)
        return TIO_BUSY;

    struct iocb *cb = io->engine_data;
    int fd = io->file->fd;
    switch (io->ddir) {
    case TIO_READ:
        io_prep_pread(cb, fd, io->buf, eng_xfer_len(io->len), (long long)io->offset);
        break;
    case TIO_WRITE:
        io_prep_pwrite(cb, fd, io->buf, eng_xfer_len(io->len), (long long)io->offset);
        break;
    case TIO_SYNC:
    case TIO_DATASYNC:
    case TIO_TRIM:
        if (aio_outstanding(e))
            return TIO_BUSY;
        io->result = io->ddir == TIO_TRIM
                         ? eng_trim(fd, eng_file_kind(io->file), io->offset, io->len)
                         : eng_sync(fd, io->ddir);
        return TIO_COMPLETED;
    default:
        io->result = -EINVAL;
        return TIO_COMPLETED;
    }
    cb->data = io;
    cb->aio_rw_flags = (unsigned)e->rw_flags;
    if (e->ioprio && io->ioprio != TIO_IOPRIO_THREAD) {
        cb->aio_reqprio = (short)io->ioprio;
        cb->u.c.flags |= IOCB_FLAG_IOPRIO;
    }
    uint32_t at = e->pend_head + e->n_pending;
    e->pending[at >= e->depth ? at - e->depth : at] = cb;
    e->n_pending++;
    return TIO_QUEUED;
}

static bool aio_transient(int rc)
{
    return rc == -EAGAIN || rc == -ENOMEM || rc == 0;
}

static uint64_t aio_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void aio_pending_drop(aio_engine *e, uint32_t n)
{
    e->pend_head += n;
    if (e->pend_head >= e->depth)
        e->pend_head -= e->depth;
    e->n_pending -= n;
}

/* Submits the pending iocbs. When the kernel is short of resources, the
 * rest waits for the next commit or getevents() if IOs in flight will free
 * some, and is retried (for up to ENG_AIO_RETRY_NS) if none would. An
 * iocb the kernel rejects completes with its error. Returns 0 or -errno. */
static int aio_submit(aio_engine *e)
{
    uint64_t deadline = 0;
    while (e->n_pending) {
        uint32_t at = e->pend_head;
        uint32_t n = e->n_pending;
        /* The pending ring may wrap: submit up to its end first. */
        if (at + n > e->depth)
            n = e->depth - at;
        int rc = io_submit(e->ctx, (long)n, &e->pending[at]);
        if (rc > 0) {
            aio_pending_drop(e, (uint32_t)rc);
            e->inflight += (uint32_t)rc;
            deadline = 0;
            continue;
        }
        if (rc == -EINTR)
            continue;
        if (aio_transient(rc)) {
            if (e->inflight)
                return 0;
            uint64_t now = aio_now_ns();
            if (!deadline)
                deadline = now + ENG_AIO_RETRY_NS;
            else if (now > deadline)
                return rc ? rc : -EAGAIN;
            struct timespec pause = {0, 10000};
            nanosleep(&pause, NULL);
            continue;
        }
        /* The first iocb was refused (a bad fd, a misaligned O_DIRECT
         * buffer...): that IO fails, the others go on. */
        tio_io *io = e->pending[at]->data;
        io->result = rc;
        e->failed[e->n_failed++] = io;
        aio_pending_drop(e, 1);
    }
    return 0;
}

static int aio_commit(void *engine)
{
    return aio_submit(engine);
}

static void aio_complete(tio_io **out, const struct io_event *ev)
{
    tio_io *io = ev->data;
    /* res carries a byte count or a negative errno in an unsigned long. */
    io->result = (int64_t)(long)ev->res;
    *out = io;
}

/* Consumes up to max events from the shared ring, without a system call. */
static unsigned aio_user_reap(aio_engine *e, unsigned max, tio_io **events)
{
    struct eng_aio_ring *ring = (void *)e->ctx;
    unsigned head = ring->head, nr = ring->nr;
    unsigned tail = __atomic_load_n(&ring->tail, __ATOMIC_ACQUIRE);
    unsigned got = 0;
    while (head != tail && got < max) {
        aio_complete(&events[got++], &ring->io_events[head]);
        head = head + 1 == nr ? 0 : head + 1;
    }
    if (got)
        __atomic_store_n(&ring->head, head, __ATOMIC_RELEASE);
    return got;
}

/* Waits (up to tsp) for at least min events, taking up to max. io_getevents
 * returns with fewer than min only when the timeout passed. */
static int aio_wait(aio_engine *e, unsigned min, unsigned max, tio_io **events,
                    struct timespec *tsp)
{
    if (max > e->depth)
        max = e->depth;
    int rc;
    do
        rc = io_getevents(e->ctx, (long)min, (long)max, e->events, tsp);
    while (rc == -EINTR);
    if (rc < 0)
        return rc;
    for (int i = 0; i < rc; i++)
        aio_complete(&events[i], &e->events[i]);
    e->inflight -= (uint32_t)rc;
    return rc;
}

static int aio_getevents(void *engine, unsigned min, unsigned max, tio_io **events,
                         int64_t timeout_ns)
{
    aio_engine *e = engine;
    unsigned got = 0;

    while (e->n_failed && got < max)
        events[got++] = e->failed[--e->n_failed];
    if (e->n_pending) {
        int rc = aio_submit(e);
        if (rc < 0 && !got)
            return rc;
        while (e->n_failed && got < max)
            events[got++] = e->failed[--e->n_failed];
    }
    if (!e->inflight || got >= max)
        return (int)got;
    /* Never wait for more than can come. */
    if (min > got + e->inflight)
        min = got + e->inflight;

    if (e->user_reap) {
        unsigned n = aio_user_reap(e, max - got, events + got);
        e->inflight -= n;
        got += n;
        if (got >= min)
            return (int)got;
    } else if (got >= min) {
        if (got)
            return (int)got;
        /* A poll: whatever has completed, without waiting. */
        struct timespec zero = {0, 0};
        return aio_wait(e, 0, max, events, &zero);
    }

    struct timespec ts, *tsp = NULL;
    if (timeout_ns >= 0) {
        ts.tv_sec = (time_t)(timeout_ns / 1000000000);
        ts.tv_nsec = (long)(timeout_ns % 1000000000);
        tsp = &ts;
    }
    int rc = aio_wait(e, min - got, max - got, events + got, tsp);
    if (rc < 0)
        return got ? (int)got : rc;
    return (int)(got + (unsigned)rc);
}

static void aio_teardown(void *engine)
{
    aio_release(engine);
}

static void aio_instance_fini(tenon_plugin *self, tenon_instance *inst, void *data)
{
    (void)self;
    (void)inst;
    aio_release(data);
}

static const tio_engine aio_table = {
    .struct_size = sizeof(tio_engine),
    .version = TIO_ENGINE_VERSION,
    .flags = TIO_ENGINE_IOPRIO,
    .io_data_size = sizeof(struct iocb),
    .open_file = eng_tag_open,
    .close_file = eng_tag_close,
    .setup = aio_setup,
    .queue = aio_queue,
    .commit = aio_commit,
    .getevents = aio_getevents,
    .teardown = aio_teardown,
};

TENON_PLUGIN(libaio,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "Linux native asynchronous IO through libaio (fio's libaio); "
                       "asynchronous with direct=1, synchronous in io_submit otherwise",
        .license = "MIT",
        .provides = {{TIO_ENGINE_INTERFACE, TIO_ENGINE_VERSION, .rank = 50}},
        .options = {
            {"userspace_reap", TENON_OPT_BOOL, .def = "false",
             .help = "reap completions from the kernel's shared ring without a system "
                     "call while any are waiting"},
            {"nowait", TENON_OPT_BOOL, .def = "false",
             .help = "fail an IO with EAGAIN instead of blocking in submission "
                     "(RWF_NOWAIT)"},
        },
        .meta = {{TIO_META_TARGETS, "path"}},
    ),
    TENON_CODE(
        .init = aio_init,
        TENON_IMPLEMENTS(TENON_IMPL(TIO_ENGINE_INTERFACE, &aio_table,
                                    TENON_INSTANCE_OF(aio_engine),
                                    .instance_init = aio_instance_init,
                                    .instance_fini = aio_instance_fini)),
    ));
