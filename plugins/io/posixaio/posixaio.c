/* The posixaio engine: POSIX asynchronous IO (aio_read, aio_write,
 * aio_fsync), as fio's posixaio engine. glibc carries these out on its own
 * threads, so buffered IO is asynchronous too, at a thread hand-off's cost.
 *
 * queue() starts the IO at once (there is nothing to batch: each POSIX call
 * takes one request) with the aiocb kept in the unit's engine_data, so the
 * IO path allocates nothing. getevents() reaps with aio_error/aio_return
 * and waits with aio_suspend. Syncs go through aio_fsync, which covers
 * every write queued before it; trims have no POSIX AIO form and run
 * synchronously once nothing is in flight (queue() answers TIO_BUSY until
 * then), as fio does. */
#include <aio.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <tenon/plugin.h>
#include <tenon-io/engine.h>

#include "../common/engine_util.h"

typedef struct paio_unit {
    struct aiocb cb; /* first: aio_suspend's list points at it */
    tio_io *io;
} paio_unit;

typedef struct paio_engine {
    tenon_plugin *self; /* for messages from setup() */
    uint32_t depth;
    /* In flight: n_inflight units, in no particular order. */
    paio_unit **inflight;
    uint32_t n_inflight;
    /* aio_suspend's argument, rebuilt from inflight before each wait. */
    const struct aiocb **wait_list;
} paio_engine;

static const tenon_host_api *host;

static int paio_init(tenon_plugin *self, const tenon_host_api *api)
{
    (void)self;
    host = api;
    return 0;
}

static int paio_instance_init(tenon_plugin *self, tenon_instance *inst, void *data,
                              const tenon_values *opts)
{
    (void)inst;
    (void)opts;
    paio_engine *e = data;
    e->self = self;
    return 0;
}

/* Waits for everything in flight, so that no request refers to a buffer or
 * descriptor after the engine lets go of them. */
static void paio_drain(paio_engine *e)
{
    while (e->n_inflight) {
        for (uint32_t i = 0; i < e->n_inflight; i++)
            e->wait_list[i] = &e->inflight[i]->cb;
        aio_suspend(e->wait_list, (int)e->n_inflight, NULL);
        uint32_t i = 0;
        while (i < e->n_inflight) {
            if (aio_error(&e->inflight[i]->cb) == EINPROGRESS) {
                i++;
                continue;
            }
            (void)aio_return(&e->inflight[i]->cb);
            e->inflight[i] = e->inflight[--e->n_inflight];
        }
    }
}

static void paio_release(paio_engine *e)
{
    if (e->wait_list)
        paio_drain(e);
    free(e->inflight);
    free(e->wait_list);
    /* Keep what instance_init set: setup() may run again. */
    *e = (paio_engine){.self = e->self};
}

/* The C library allocates its request pool and starts its threads on the
 * first requests: done here with depth syncs of a pipe (each fails with
 * EINVAL at once), that the IO path allocates nothing. */
static void paio_warm_up(paio_engine *e)
{
    int fds[2];
    if (pipe(fds) != 0)
        return;
    paio_unit *units = calloc(e->depth, sizeof(*units));
    if (units) {
        for (uint32_t i = 0; i < e->depth; i++) {
            units[i].cb.aio_fildes = fds[0];
            units[i].cb.aio_sigevent.sigev_notify = SIGEV_NONE;
            if (aio_fsync(O_SYNC, &units[i].cb) == 0)
                e->inflight[e->n_inflight++] = &units[i];
        }
        paio_drain(e);
        free(units);
    }
    close(fds[0]);
    close(fds[1]);
}

static int paio_setup(void *engine, const tio_setup *setup)
{
    paio_engine *e = engine;
    paio_release(e);
    e->depth = setup->iodepth ? setup->iodepth : 1;
    for (uint32_t i = 0; i < setup->n_ios; i++)
        if (!tio_setup_io(setup, i)->engine_data) {
            host->log(e->self, TENON_LOG_ERROR,
                      "posixaio: unit %u has no engine data (io_data_size not honoured)", i);
            return -EINVAL;
        }
    e->inflight = calloc(e->depth, sizeof(*e->inflight));
    e->wait_list = calloc(e->depth, sizeof(*e->wait_list));
    if (!e->inflight || !e->wait_list) {
        paio_release(e);
        return -ENOMEM;
    }
    paio_warm_up(e);
    return 0;
}

static int paio_start(paio_unit *u, tio_io *io)
{
    struct aiocb *cb = &u->cb;
    memset(cb, 0, sizeof(*cb));
    cb->aio_fildes = io->file->fd;
    cb->aio_sigevent.sigev_notify = SIGEV_NONE;
    switch (io->ddir) {
    case TIO_READ:
    case TIO_WRITE:
        cb->aio_buf = io->buf;
        cb->aio_nbytes = eng_xfer_len(io->len);
        cb->aio_offset = (off_t)io->offset;
        return io->ddir == TIO_READ ? aio_read(cb) : aio_write(cb);
    default: /* TIO_SYNC, TIO_DATASYNC */
        return aio_fsync(io->ddir == TIO_DATASYNC ? O_DSYNC : O_SYNC, cb);
    }
}

static int paio_queue(void *engine, tio_io *io)
{
    paio_engine *e = engine;
    if (e->n_inflight >= e->depth)
        return TIO_BUSY;
    switch (io->ddir) {
    case TIO_READ:
    case TIO_WRITE:
    case TIO_SYNC:
    case TIO_DATASYNC:
        break;
    case TIO_TRIM:
        if (e->n_inflight)
            return TIO_BUSY;
        io->result = eng_trim(io->file->fd, eng_file_kind(io->file), io->offset, io->len);
        return TIO_COMPLETED;
    default:
        io->result = -EINVAL;
        return TIO_COMPLETED;
    }
    paio_unit *u = io->engine_data;
    u->io = io;
    if (paio_start(u, io) != 0) {
        /* glibc is out of resources for now: reap, then try again. */
        if (errno == EAGAIN && e->n_inflight)
            return TIO_BUSY;
        io->result = -errno;
        return TIO_COMPLETED;
    }
    e->inflight[e->n_inflight++] = u;
    return TIO_QUEUED;
}

/* Takes up to max finished requests out of inflight into events. */
static unsigned paio_reap(paio_engine *e, unsigned max, tio_io **events)
{
    unsigned got = 0;
    uint32_t i = 0;
    while (i < e->n_inflight && got < max) {
        paio_unit *u = e->inflight[i];
        int err = aio_error(&u->cb);
        if (err == EINPROGRESS) {
            i++;
            continue;
        }
        ssize_t res = aio_return(&u->cb);
        u->io->result = err ? -(int64_t)err : (int64_t)res;
        events[got++] = u->io;
        e->inflight[i] = e->inflight[--e->n_inflight];
    }
    return got;
}

static int paio_getevents(void *engine, unsigned min, unsigned max, tio_io **events,
                          int64_t timeout_ns)
{
    paio_engine *e = engine;
    /* Never wait for more than can come. */
    if (min > e->n_inflight)
        min = e->n_inflight;
    struct timespec deadline = {0, 0};
    if (timeout_ns > 0) {
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        uint64_t ns = (uint64_t)deadline.tv_nsec + (uint64_t)timeout_ns;
        deadline.tv_sec += (time_t)(ns / 1000000000u);
        deadline.tv_nsec = (long)(ns % 1000000000u);
    }
    unsigned got = paio_reap(e, max, events);
    while (got < min && got < max) {
        struct timespec left, *tsp = NULL;
        if (timeout_ns >= 0) {
            int64_t rem = 0;
            if (timeout_ns > 0) {
                struct timespec now;
                clock_gettime(CLOCK_MONOTONIC, &now);
                rem = (int64_t)(deadline.tv_sec - now.tv_sec) * 1000000000 +
                      (deadline.tv_nsec - now.tv_nsec);
            }
            if (rem <= 0)
                break;
            left.tv_sec = (time_t)(rem / 1000000000);
            left.tv_nsec = (long)(rem % 1000000000);
            tsp = &left;
        }
        for (uint32_t i = 0; i < e->n_inflight; i++)
            e->wait_list[i] = &e->inflight[i]->cb;
        if (aio_suspend(e->wait_list, (int)e->n_inflight, tsp) != 0 && errno == EAGAIN)
            break; /* the timeout passed */
        got += paio_reap(e, max - got, events + got);
    }
    return (int)got;
}

static void paio_teardown(void *engine)
{
    paio_release(engine);
}

static void paio_instance_fini(tenon_plugin *self, tenon_instance *inst, void *data)
{
    (void)self;
    (void)inst;
    paio_release(data);
}

static const tio_engine paio_table = {
    .struct_size = sizeof(tio_engine),
    .version = TIO_ENGINE_VERSION,
    .io_data_size = sizeof(paio_unit),
    .open_file = eng_tag_open,
    .close_file = eng_tag_close,
    .setup = paio_setup,
    .queue = paio_queue,
    .getevents = paio_getevents,
    .teardown = paio_teardown,
};

TENON_PLUGIN(posixaio,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "POSIX asynchronous IO (aio_read, aio_write, aio_fsync; fio's "
                       "posixaio), carried out by the C library's threads",
        .license = "MIT",
        .provides = {{TIO_ENGINE_INTERFACE, TIO_ENGINE_VERSION, .rank = 50}},
        .meta = {{TIO_META_TARGETS, "path"}},
    ),
    TENON_CODE(
        .init = paio_init,
        TENON_IMPLEMENTS(TENON_IMPL(TIO_ENGINE_INTERFACE, &paio_table,
                                    TENON_INSTANCE_OF(paio_engine),
                                    .instance_init = paio_instance_init,
                                    .instance_fini = paio_instance_fini)),
    ));
