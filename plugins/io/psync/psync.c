/* The psync engine: pread(2)/pwrite(2), one system call per IO (fio's
 * psync, and fio's default engine). The offset travels with the call, so
 * there is no file position to keep, and threads may share an fd. */
#include <errno.h>
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

static int psync_queue(void *engine, tio_io *io)
{
    (void)engine;
    int fd = io->file->fd;
    ssize_t rc;
    switch (io->ddir) {
    case TIO_READ:
        do
            rc = pread(fd, io->buf, eng_xfer_len(io->len), (off_t)io->offset);
        while (rc < 0 && errno == EINTR);
        break;
    case TIO_WRITE:
        do
            rc = pwrite(fd, io->buf, eng_xfer_len(io->len), (off_t)io->offset);
        while (rc < 0 && errno == EINTR);
        break;
    default:
        eng_complete_other(io);
        return TIO_COMPLETED;
    }
    io->result = rc < 0 ? -(int64_t)errno : (int64_t)rc;
    return TIO_COMPLETED;
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
