/* The filedelete engine: each IO removes its file, unlink(2), and does no
 * IO to it (fio's filedelete). The latency is the unlink's. tenon-io
 * creates and lays out the job's files first, as for any path engine, so
 * there is something to remove; a second pass over a file fails with
 * ENOENT, as in fio. */
#include <unistd.h>

#include <tenon/plugin.h>
#include <tenon-io/engine.h>

#include "../common/fileops.h"

typedef struct filedelete_engine {
    int unused; /* no per-thread state; a zero-sized instance is not C */
} filedelete_engine;

static const tenon_host_api *host;

static int filedelete_init(tenon_plugin *self, const tenon_host_api *api)
{
    (void)self;
    host = api;
    return 0;
}

static int filedelete_setup(void *engine, const tio_setup *setup)
{
    (void)engine;
    return eng_fileop_check(host, setup, "filedelete");
}

static int unlink_one(const void *engine, const char *name)
{
    (void)engine;
    return unlink(name) == 0 ? 0 : -errno;
}

static int filedelete_queue(void *engine, tio_io *io)
{
    return eng_fileop_queue(engine, io, unlink_one);
}

static const tio_engine filedelete_table = {
    .struct_size = sizeof(tio_engine),
    .version = TIO_ENGINE_VERSION,
    .flags = TIO_ENGINE_SYNC,
    .setup = filedelete_setup,
    .queue = filedelete_queue,
};

TENON_PLUGIN(filedelete,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "each IO removes its file (unlink) and does no IO to it; the "
                       "latency is the unlink's (fio's filedelete)",
        .license = "MIT",
        /* Never chosen for a job that names no engine: it moves no data. */
        .provides = {{TIO_ENGINE_INTERFACE, TIO_ENGINE_VERSION, .rank = -100}},
        .meta = {{TIO_META_TARGETS, "path"}},
    ),
    TENON_CODE(
        .init = filedelete_init,
        TENON_IMPLEMENTS(TENON_IMPL(TIO_ENGINE_INTERFACE, &filedelete_table,
                                    TENON_INSTANCE_OF(filedelete_engine))),
    ));
