/* The sync engine: lseek(2) then read(2)/write(2), as fio's sync engine.
 *
 * It uses the fd's file position, so the fd must belong to this thread
 * alone. The position after the last IO is remembered: a sequential stream
 * then costs one system call per IO, like psync, and only a jump costs the
 * lseek. */
#include <errno.h>
#include <unistd.h>

#include <tenon/plugin.h>
#include <tenon-io/engine.h>

#include "../common/engine_util.h"

typedef struct sync_engine {
    const tio_file *last_file; /* the file whose position is known, or NULL */
    uint64_t last_pos;
} sync_engine;

static const tenon_host_api *host;

static int sync_init(tenon_plugin *self, const tenon_host_api *api)
{
    (void)self;
    host = api;
    return 0;
}

/* A file (re)opened or closed may have a new fd at position 0. */
static int sync_open_file(void *engine, tio_file *file)
{
    ((sync_engine *)engine)->last_file = NULL;
    return eng_tag_open(engine, file);
}

static int sync_close_file(void *engine, tio_file *file)
{
    ((sync_engine *)engine)->last_file = NULL;
    return eng_tag_close(engine, file);
}

static int sync_queue(void *engine, tio_io *io)
{
    sync_engine *s = engine;
    int fd = io->file->fd;
    ssize_t rc;

    if (eng_complete_other(io))
        return TIO_COMPLETED;

    if (s->last_file != io->file || s->last_pos != io->offset) {
        if (lseek(fd, (off_t)io->offset, SEEK_SET) < 0) {
            s->last_file = NULL;
            io->result = -(int64_t)errno;
            return TIO_COMPLETED;
        }
    }
    size_t len = eng_xfer_len(io->len);
    do
        rc = io->ddir == TIO_READ ? read(fd, io->buf, len) : write(fd, io->buf, len);
    while (rc < 0 && errno == EINTR);
    if (rc < 0) {
        /* The position after a failed call is not defined. */
        s->last_file = NULL;
        io->result = -(int64_t)errno;
        return TIO_COMPLETED;
    }
    s->last_file = io->file;
    s->last_pos = io->offset + (uint64_t)rc;
    io->result = (int64_t)rc;
    return TIO_COMPLETED;
}

static const tio_engine sync_table = {
    .struct_size = sizeof(tio_engine),
    .version = TIO_ENGINE_VERSION,
    .flags = TIO_ENGINE_SYNC,
    .open_file = sync_open_file,
    .close_file = sync_close_file,
    .queue = sync_queue,
};

TENON_PLUGIN(sync,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "lseek then read/write, one IO at a time (fio's sync); needs an fd "
                       "per thread",
        .license = "MIT",
        .provides = {{TIO_ENGINE_INTERFACE, TIO_ENGINE_VERSION, .rank = 90}},
        .meta = {{TIO_META_TARGETS, "path"}},
    ),
    TENON_CODE(
        .init = sync_init,
        TENON_IMPLEMENTS(TENON_IMPL(TIO_ENGINE_INTERFACE, &sync_table,
                                    TENON_INSTANCE_OF(sync_engine))),
    ));
