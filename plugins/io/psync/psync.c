/* The psync engine: pread(2)/pwrite(2), one system call per IO (fio's
 * psync, and fio's default engine). The offset travels with the call, so
 * there is no file position to keep, and threads may share an fd. */
#include <unistd.h>

#include <tenon/plugin.h>
#include <tenon-io/engine.h>

#include "../common/engine_util.h"

typedef struct psync_engine {
    int unused; /* no per-thread state; a zero-sized instance is not C */
} psync_engine;

static const tenon_host_api *host;

static int psync_init(tenon_plugin *self, const tenon_host_api *api)
{
    (void)self;
    host = api;
    return 0;
}

static ssize_t psync_xfer(const void *engine, tio_io *io, bool write)
{
    (void)engine;
    size_t len = eng_xfer_len(io->len);
    return write ? pwrite(io->file->fd, io->buf, len, (off_t)io->offset)
                 : pread(io->file->fd, io->buf, len, (off_t)io->offset);
}

static int psync_queue(void *engine, tio_io *io)
{
    return eng_positional_queue(engine, io, psync_xfer);
}

static const tio_engine psync_table = {
    .struct_size = sizeof(tio_engine),
    .version = TIO_ENGINE_VERSION,
    .flags = TIO_ENGINE_SYNC,
    .open_file = eng_tag_open,
    .close_file = eng_tag_close,
    .queue = psync_queue,
};

TENON_PLUGIN(psync,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "pread/pwrite, one system call per IO (fio's psync, the default "
                       "engine)",
        .license = "MIT",
        /* fio's default ioengine, so the best rank. */
        .provides = {{TIO_ENGINE_INTERFACE, TIO_ENGINE_VERSION, .rank = 100}},
        .meta = {{TIO_META_TARGETS, "path"}},
    ),
    TENON_CODE(
        .init = psync_init,
        TENON_IMPLEMENTS(TENON_IMPL(TIO_ENGINE_INTERFACE, &psync_table,
                                    TENON_INSTANCE_OF(psync_engine))),
    ));
