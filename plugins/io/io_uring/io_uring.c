/* The io_uring engine, through liburing (fio's io_uring).
 *
 * queue() fills an SQE in the ring shared with the kernel, so it costs no
 * system call; commit() submits everything queued with one io_uring_enter
 * (none with sqpoll, unless the kernel thread sleeps); getevents() walks the
 * completion ring in place and advances it once per batch, entering the
 * kernel only when it has to wait.
 *
 * The ring has iodepth entries (rounded up to a power of two by the kernel)
 * and a completion ring twice that, so neither can overflow while at most
 * iodepth IOs are outstanding; queue() answers TIO_BUSY beyond that.
 *
 * A sync is an IORING_OP_FSYNC queued as any IO, with no ordering against
 * the writes in flight beside it: fio's, whose fsync=N syncs join the
 * queue (sync_policy.c). Trims run synchronously once nothing is
 * outstanding, as in fio: io_uring has no discard for regular files and
 * block devices alike. So do syncs with hipri: an IOPOLL ring takes nothing
 * but reads and writes. */
#include <errno.h>
#include <liburing.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>

#include <tenon/plugin.h>
#include <tenon-io/engine.h>

#include "../common/engine_util.h"

typedef struct uring_engine {
    tenon_plugin *self; /* for messages from setup() */
    /* Options. */
    bool hipri, fixedbufs, registerfiles, sqpoll, nowait;
    int sq_cpu;
    bool ioprio; /* the host's units carry per-IO priorities */

    struct io_uring ring;
    bool ring_ok;
    uint32_t depth;
    uint32_t outstanding; /* queued or in flight, not reaped */
    /* The registered buffers: unit i's is buf_base + i * buf_size. */
    const uint8_t *buf_base;
    size_t buf_size;
    uint32_t n_bufs;
    /* Files whose engine_data this engine set in setup(). */
    tio_file **files;
    uint32_t n_files;
} uring_engine;

static const tenon_host_api *host;

static int uring_init(tenon_plugin *self, const tenon_host_api *api)
{
    (void)self;
    host = api;
    return 0;
}

static int uring_instance_init(tenon_plugin *self, tenon_instance *inst, void *data,
                               const tenon_values *opts)
{
    (void)inst;
    uring_engine *e = data;
    e->self = self;
    e->hipri = host->values_bool(opts, "hipri");
    e->fixedbufs = host->values_bool(opts, "fixedbufs");
    e->registerfiles = host->values_bool(opts, "registerfiles");
    e->sqpoll = host->values_bool(opts, "sqthread_poll") || host->values_bool(opts, "sqpoll");
    e->nowait = host->values_bool(opts, "nowait");
    e->sq_cpu = (int)host->values_int(opts, "sqthread_poll_cpu");
    if (e->sq_cpu >= 0 && !e->sqpoll)
        return host->fail(self, TENON_EOPTION,
                          "sqthread_poll_cpu=%d needs sqthread_poll=1 (or sqpoll=1)",
                          e->sq_cpu);
    return 0;
}

/* with_files: also clear the registered slots from the files' tags. Only
 * teardown may: by instance_fini the host may have freed the files. */
static void uring_release(uring_engine *e, bool with_files)
{
    for (uint32_t i = 0; with_files && i < e->n_files; i++)
        e->files[i]->engine_data = ENG_TAG(ENG_TAG_KIND(e->files[i]->engine_data), 0);
    free(e->files);
    e->files = NULL;
    e->n_files = 0;
    /* Exiting the ring also drops its registered buffers and files. */
    if (e->ring_ok)
        io_uring_queue_exit(&e->ring);
    e->ring_ok = false;
    e->outstanding = 0;
    e->depth = 0;
    e->buf_base = NULL;
    e->buf_size = 0;
    e->n_bufs = 0;
}

static int uring_create(uring_engine *e, unsigned entries)
{
    struct io_uring_params p;
    unsigned base = IORING_SETUP_CLAMP;
    if (e->hipri)
        base |= IORING_SETUP_IOPOLL;
    if (e->sqpoll) {
        base |= IORING_SETUP_SQPOLL;
        if (e->sq_cpu >= 0)
            base |= IORING_SETUP_SQ_AFF;
    }
    /* Completions wait for the thread to enter the kernel rather than
     * interrupting it, and a flag says when some wait (Linux 5.19); older
     * kernels refuse the flags and get a plain ring. SQPOLL rings take
     * neither. SINGLE_ISSUER is not used: it ties the ring to the thread
     * that created it, and setup() need not run on the IO thread. */
    unsigned extra = e->sqpoll ? 0 : IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG;
    int rc;
    for (;;) {
        memset(&p, 0, sizeof(p));
        p.flags = base | extra;
        if (e->sq_cpu >= 0)
            p.sq_thread_cpu = (unsigned)e->sq_cpu;
        rc = io_uring_queue_init_params(entries, &e->ring, &p);
        if (rc != -EINVAL || !extra)
            break;
        extra = 0;
    }
    if (rc < 0)
        return rc;
    e->ring_ok = true;
    return 0;
}

static int uring_register_buffers(uring_engine *e, const tio_setup *setup)
{
    if (!setup->buffers || !setup->buffer_size || !setup->n_ios)
        return 0;
    struct iovec *iov = calloc(setup->n_ios, sizeof(*iov));
    if (!iov)
        return -ENOMEM;
    for (uint32_t i = 0; i < setup->n_ios; i++)
        iov[i] = (struct iovec){(uint8_t *)setup->buffers + (size_t)i * setup->buffer_size,
                                setup->buffer_size};
    int rc = io_uring_register_buffers(&e->ring, iov, setup->n_ios);
    free(iov);
    if (rc < 0) {
        host->log(e->self, TENON_LOG_ERROR,
                  "io_uring: fixedbufs: registering %u buffers of %zu bytes failed: %s%s",
                  setup->n_ios, setup->buffer_size, strerror(-rc),
                  rc == -ENOMEM ? " (raise the locked-memory limit, ulimit -l)" : "");
        return rc;
    }
    e->buf_base = setup->buffers;
    e->buf_size = setup->buffer_size;
    e->n_bufs = setup->n_ios;
    return 0;
}

static int uring_register_files(uring_engine *e, const tio_setup *setup)
{
    if (!setup->n_files)
        return 0;
    int *fds = calloc(setup->n_files, sizeof(*fds));
    e->files = calloc(setup->n_files, sizeof(*e->files));
    if (!fds || !e->files) {
        free(fds);
        return -ENOMEM;
    }
    for (uint32_t i = 0; i < setup->n_files; i++)
        fds[i] = setup->files[i]->fd;
    int rc = io_uring_register_files(&e->ring, fds, setup->n_files);
    free(fds);
    if (rc < 0) {
        host->log(e->self, TENON_LOG_ERROR,
                  "io_uring: registerfiles: registering %u files failed: %s", setup->n_files,
                  strerror(-rc));
        return rc;
    }
    for (uint32_t i = 0; i < setup->n_files; i++) {
        tio_file *f = setup->files[i];
        f->engine_data = ENG_TAG(ENG_TAG_KIND(f->engine_data), i + 1);
        e->files[e->n_files++] = f;
    }
    return 0;
}

static int uring_setup(void *engine, const tio_setup *setup)
{
    uring_engine *e = engine;
    uring_release(e, true);
    e->depth = setup->iodepth ? setup->iodepth : 1;
    e->ioprio = tio_setup_has_ioprio(setup);
    int rc = uring_create(e, e->depth);
    if (rc < 0) {
        host->log(e->self, TENON_LOG_ERROR, "io_uring: cannot create a ring of %u: %s%s",
                  e->depth, strerror(-rc),
                  rc == -EPERM ? " (io_uring may be disabled: kernel.io_uring_disabled)" : "");
        return rc;
    }
    /* A clamped ring holds fewer. */
    if (e->depth > e->ring.sq.ring_entries)
        e->depth = e->ring.sq.ring_entries;
    if (e->fixedbufs && (rc = uring_register_buffers(e, setup)) < 0)
        goto fail;
    if (e->registerfiles && (rc = uring_register_files(e, setup)) < 0)
        goto fail;
    return 0;
fail:
    uring_release(e, true);
    return rc;
}

static int uring_queue(void *engine, tio_io *io)
{
    uring_engine *e = engine;
    if (e->outstanding >= e->depth)
        return TIO_BUSY;

    tio_file *f = io->file;
    /* An IOPOLL ring only takes reads and writes. */
    if (io->ddir == TIO_TRIM || (e->hipri && io->ddir != TIO_READ && io->ddir != TIO_WRITE)) {
        if (e->outstanding)
            return TIO_BUSY;
        io->result = io->ddir == TIO_TRIM
                         ? eng_trim(f->fd, eng_file_kind(f), io->offset, io->len)
                         : eng_sync(f->fd, io->ddir);
        return TIO_COMPLETED;
    }
    if (io->ddir > TIO_DATASYNC) {
        io->result = -EINVAL;
        return TIO_COMPLETED;
    }

    struct io_uring_sqe *sqe = io_uring_get_sqe(&e->ring);
    if (!sqe)
        return TIO_BUSY; /* the kernel has not consumed earlier SQEs yet */

    uintptr_t slot = ENG_TAG_SLOT(f->engine_data);
    int fd = slot ? (int)(slot - 1) : f->fd;
    unsigned len = (unsigned)eng_xfer_len(io->len);
    /* A buffer inside its unit's registered area can use it. */
    bool fixed = e->n_bufs && io->index < e->n_bufs &&
                 (const uint8_t *)io->buf >= e->buf_base + (size_t)io->index * e->buf_size &&
                 (const uint8_t *)io->buf + len <=
                     e->buf_base + ((size_t)io->index + 1) * e->buf_size;

    switch (io->ddir) {
    case TIO_READ:
        if (fixed)
            io_uring_prep_read_fixed(sqe, fd, io->buf, len, io->offset, (int)io->index);
        else
            io_uring_prep_read(sqe, fd, io->buf, len, io->offset);
        break;
    case TIO_WRITE:
        if (fixed)
            io_uring_prep_write_fixed(sqe, fd, io->buf, len, io->offset, (int)io->index);
        else
            io_uring_prep_write(sqe, fd, io->buf, len, io->offset);
        break;
    case TIO_SYNC:
        io_uring_prep_fsync(sqe, fd, 0);
        break;
    default: /* TIO_DATASYNC */
        io_uring_prep_fsync(sqe, fd, IORING_FSYNC_DATASYNC);
        break;
    }
    if (slot)
        sqe->flags |= IOSQE_FIXED_FILE;
    if (e->nowait && io->ddir <= TIO_WRITE)
        sqe->rw_flags |= RWF_NOWAIT;
    if (e->ioprio && io->ioprio != TIO_IOPRIO_THREAD)
        sqe->ioprio = (uint16_t)io->ioprio;
    io_uring_sqe_set_data(sqe, io);
    e->outstanding++;
    return TIO_QUEUED;
}

/* Submits what the ring holds. Returns 0 or -errno. */
static int uring_submit(uring_engine *e)
{
    int rc;
    do
        rc = io_uring_submit(&e->ring);
    while (rc == -EINTR);
    /* Out of resources for now (or a partial submission): completions
     * free them, and getevents() submits the rest before it waits. */
    if (rc >= 0 || rc == -EAGAIN || rc == -EBUSY)
        return 0;
    return rc;
}

static int uring_commit(void *engine)
{
    return uring_submit(engine);
}

static uint64_t uring_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Hands back up to max completions from the ring, advancing it once. */
static unsigned uring_reap(uring_engine *e, unsigned max, tio_io **events)
{
    unsigned head, seen = 0, got = 0;
    struct io_uring_cqe *cqe;
    io_uring_for_each_cqe(&e->ring, head, cqe) {
        if (got == max)
            break;
        seen++;
        /* liburing's own timeouts on kernels without IORING_FEAT_EXT_ARG. */
        if (cqe->user_data == LIBURING_UDATA_TIMEOUT)
            continue;
        tio_io *io = io_uring_cqe_get_data(cqe);
        io->result = cqe->res;
        events[got++] = io;
    }
    io_uring_cq_advance(&e->ring, seen);
    e->outstanding -= got;
    return got;
}

static int uring_getevents(void *engine, unsigned min, unsigned max, tio_io **events,
                           int64_t timeout_ns)
{
    uring_engine *e = engine;
    unsigned got = uring_reap(e, max, events);
    if (min > got + e->outstanding)
        min = got + e->outstanding;
    if (got >= min && (got || !e->outstanding))
        return (int)got;

    /* Completions may be parked as task work (COOP_TASKRUN), or need
     * polling (IOPOLL), or SQEs may still wait for submission: a poll
     * (min == 0) enters the kernel once to flush them. */
    if (got >= min) {
        unsigned flags = IO_URING_READ_ONCE(*e->ring.sq.kflags);
        if (e->hipri || io_uring_sq_ready(&e->ring) || (flags & IORING_SQ_TASKRUN)) {
            int rc = io_uring_submit_and_get_events(&e->ring);
            if (rc < 0 && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY && rc != -ETIME)
                return rc;
            got += uring_reap(e, max - got, events + got);
        }
        return (int)got;
    }

    /* liburing gives up with -ETIME after one wait that the kernel ended
     * early (an IOPOLL ring does so at once), so the deadline is ours. */
    uint64_t deadline = timeout_ns >= 0 ? uring_now_ns() + (uint64_t)timeout_ns : 0;
    while (got < min) {
        struct io_uring_cqe *cqe;
        int rc;
        if (timeout_ns >= 0) {
            uint64_t now = uring_now_ns();
            uint64_t left = now < deadline ? deadline - now : 0;
            struct __kernel_timespec ts = {.tv_sec = (long long)(left / 1000000000u),
                                           .tv_nsec = (long long)(left % 1000000000u)};
            rc = io_uring_submit_and_wait_timeout(&e->ring, &cqe, min - got, &ts, NULL);
        } else {
            rc = io_uring_submit_and_wait(&e->ring, min - got);
        }
        if (rc < 0 && rc != -ETIME && rc != -EINTR && rc != -EAGAIN && rc != -EBUSY)
            return got ? (int)got : rc;
        got += uring_reap(e, max - got, events + got);
        if (got >= min || (rc == -EINTR && got))
            break;
        if (timeout_ns >= 0 && uring_now_ns() >= deadline)
            break;
    }
    return (int)got;
}

static void uring_teardown(void *engine)
{
    uring_release(engine, true);
}

static void uring_instance_fini(tenon_plugin *self, tenon_instance *inst, void *data)
{
    (void)self;
    (void)inst;
    uring_release(data, false);
}

static const tio_engine uring_table = {
    .struct_size = sizeof(tio_engine),
    .version = TIO_ENGINE_VERSION,
    .flags = TIO_ENGINE_IOPRIO,
    .open_file = eng_tag_open,
    .close_file = eng_tag_close,
    .setup = uring_setup,
    .queue = uring_queue,
    .commit = uring_commit,
    .getevents = uring_getevents,
    .teardown = uring_teardown,
};

TENON_PLUGIN(io_uring,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "Linux io_uring through liburing (fio's io_uring): batched "
                       "submission and completion through rings shared with the kernel",
        .license = "MIT",
        .provides = {{TIO_ENGINE_INTERFACE, TIO_ENGINE_VERSION, .rank = 60}},
        .options = {
            {"hipri", TENON_OPT_BOOL, .def = "false",
             .help = "poll for completions (IORING_SETUP_IOPOLL); needs direct=1 and a "
                     "device with poll queues"},
            {"fixedbufs", TENON_OPT_BOOL, .def = "false",
             .help = "register the IO buffers once and use READ_FIXED/WRITE_FIXED (counts "
                     "against ulimit -l)"},
            {"registerfiles", TENON_OPT_BOOL, .def = "false",
             .help = "register the files' descriptors and submit with IOSQE_FIXED_FILE"},
            {"sqthread_poll", TENON_OPT_BOOL, .def = "false",
             .help = "a kernel thread polls the submission ring (IORING_SETUP_SQPOLL)"},
            {"sqpoll", TENON_OPT_BOOL, .def = "false",
             .help = "the same as sqthread_poll"},
            {"sqthread_poll_cpu", TENON_OPT_INT, .def = "-1", .min = -1, .max = 65535,
             .help = "CPU to bind the sqthread_poll thread to; -1 leaves it unbound"},
            {"nowait", TENON_OPT_BOOL, .def = "false",
             .help = "fail reads and writes with EAGAIN instead of blocking (RWF_NOWAIT)"},
        },
        .meta = {{TIO_META_TARGETS, "path"}},
    ),
    TENON_CODE(
        .init = uring_init,
        TENON_IMPLEMENTS(TENON_IMPL(TIO_ENGINE_INTERFACE, &uring_table,
                                    TENON_INSTANCE_OF(uring_engine),
                                    .instance_init = uring_instance_init,
                                    .instance_fini = uring_instance_fini)),
    ));
