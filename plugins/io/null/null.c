/* The null engine: no IO at all; every IO succeeds with result = len.
 *
 * It measures tenon-io itself (tens of millions of IOs per second), so the
 * IO path is a few stores. At iodepth 1 queue() completes at once; deeper,
 * it behaves like an async engine, as fio's null engine does, so the host's
 * queue/commit/getevents path is what gets measured. */
#include <errno.h>
#include <stdlib.h>

#include <tenon/plugin.h>
#include <tenon-io/engine.h>

typedef struct null_engine {
    tio_io **ring; /* power-of-two ring of accepted IOs */
    uint32_t mask;
    uint32_t head; /* next to hand back */
    uint32_t done; /* committed up to here */
    uint32_t tail; /* queued up to here */
    uint32_t depth;
} null_engine;

static const tenon_host_api *host;

static int null_init(tenon_plugin *self, const tenon_host_api *api)
{
    (void)self;
    host = api;
    return 0;
}

static void null_release(null_engine *n)
{
    free(n->ring);
    *n = (null_engine){0};
}

static int null_setup(void *engine, const tio_setup *setup)
{
    null_engine *n = engine;
    null_release(n);
    if (setup->iodepth <= 1)
        return 0;
    uint32_t size = 1;
    while (size < setup->iodepth)
        size <<= 1;
    n->ring = malloc(size * sizeof(*n->ring));
    if (!n->ring)
        return -ENOMEM;
    n->mask = size - 1;
    n->depth = setup->iodepth;
    return 0;
}

static int null_queue(void *engine, tio_io *io)
{
    null_engine *n = engine;
    io->result = (int64_t)io->len;
    if (!n->ring)
        return TIO_COMPLETED;
    /* As fio's null engine: busy while what was committed is not reaped,
     * so one batch at a time is out (fsync=N's syncs, number_ios). */
    if (n->tail - n->head >= n->depth || n->done != n->head)
        return TIO_BUSY;
    n->ring[n->tail++ & n->mask] = io;
    return TIO_QUEUED;
}

static int null_commit(void *engine)
{
    null_engine *n = engine;
    n->done = n->tail;
    return 0;
}

static int null_getevents(void *engine, unsigned min, unsigned max, tio_io **events,
                          int64_t timeout_ns)
{
    (void)timeout_ns;
    null_engine *n = engine;
    /* Nothing completes later: if the host wants more than was committed,
     * what it queued since is done too, and waiting would only time out. */
    if (n->done - n->head < min)
        n->done = n->tail;
    unsigned got = 0;
    while (n->head != n->done && got < max)
        events[got++] = n->ring[n->head++ & n->mask];
    return (int)got;
}

static void null_teardown(void *engine)
{
    null_release(engine);
}

static void null_instance_fini(tenon_plugin *self, tenon_instance *inst, void *data)
{
    (void)self;
    (void)inst;
    null_release(data);
}

static const tio_engine null_table = {
    .struct_size = sizeof(tio_engine),
    .version = TIO_ENGINE_VERSION,
    .flags = TIO_ENGINE_NO_FILES | TIO_ENGINE_SYNC_AT_DEPTH1,
    .setup = null_setup,
    .queue = null_queue,
    .commit = null_commit,
    .getevents = null_getevents,
    .teardown = null_teardown,
};

TENON_PLUGIN(null,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "no IO: every IO completes at once with its full length; measures "
                       "tenon-io's own overhead (fio's null engine)",
        .license = "MIT",
        /* Never the default engine: it moves no data. */
        .provides = {{TIO_ENGINE_INTERFACE, TIO_ENGINE_VERSION, .rank = -100}},
        .meta = {{TIO_META_TARGETS, "path"}},
    ),
    TENON_CODE(
        .init = null_init,
        TENON_IMPLEMENTS(TENON_IMPL(TIO_ENGINE_INTERFACE, &null_table,
                                    TENON_INSTANCE_OF(null_engine),
                                    .instance_fini = null_instance_fini)),
    ));
