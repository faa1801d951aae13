/* The splice engine: reads and writes through a pipe (fio's splice). A
 * read splice(2)s the file's range into the pipe and vmsplice(2)s it out
 * into the IO's buffer; a write vmsplices the buffer into the pipe and
 * splices the pipe into the file at the offset. One pipe per job thread,
 * moved through in pieces no larger than it holds, so no call waits on
 * the thread itself. */
#include <errno.h>
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <tenon/plugin.h>
#include <tenon-io/engine.h>

#include "../common/engine_util.h"

typedef struct splice_engine {
    int pipe[2];  /* [0] read end, [1] write end, once piece is set */
    size_t piece; /* bytes per splice: what the pipe holds */
} splice_engine;

static const tenon_host_api *host;

static int splice_init(tenon_plugin *self, const tenon_host_api *api)
{
    (void)self;
    host = api;
    return 0;
}

static void close_pipe(splice_engine *e)
{
    if (e->piece) {
        close(e->pipe[0]);
        close(e->pipe[1]);
    }
    e->piece = 0;
}

static int splice_setup(void *engine, const tio_setup *setup)
{
    (void)setup;
    splice_engine *e = engine;
    close_pipe(e);
    if (pipe2(e->pipe, O_CLOEXEC) != 0)
        return -errno;
    /* A larger pipe means fewer calls per IO; its default (64 KiB, fio's
     * piece too) if the system refuses. */
    (void)fcntl(e->pipe[1], F_SETPIPE_SZ, 1 << 20);
    int size = fcntl(e->pipe[1], F_GETPIPE_SZ);
    e->piece = size > 0 ? (size_t)size : 65536;
    return 0;
}

/* Moves n bytes out of the pipe into p. Returns 0 or -errno. */
static ssize_t drain_to_user(const splice_engine *e, char *p, size_t n)
{
    while (n) {
        struct iovec iov = {p, n};
        ssize_t got = vmsplice(e->pipe[0], &iov, 1, 0);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return got < 0 ? -errno : -ENODATA;
        p += got;
        n -= (size_t)got;
    }
    return 0;
}

/* Bytes read, fewer at the end of the file, or -errno. */
static int64_t splice_read(const splice_engine *e, tio_io *io)
{
    size_t len = eng_xfer_len(io->len), done = 0;
    loff_t off = (loff_t)io->offset;
    while (done < len) {
        size_t want = len - done < e->piece ? len - done : e->piece;
        ssize_t in = splice(io->file->fd, &off, e->pipe[1], NULL, want,
                            len - done > want ? SPLICE_F_MORE : 0);
        if (in < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (in < 0)
            return done ? (int64_t)done : -(int64_t)errno;
        if (in == 0)
            break; /* the end of the file: a short read */
        ssize_t rc = drain_to_user(e, (char *)io->buf + done, (size_t)in);
        if (rc < 0)
            return rc;
        done += (size_t)in;
    }
    return (int64_t)done;
}

/* Splices n bytes from the pipe into the file at *off. Returns 0 or -errno. */
static int64_t drain_to_file(const splice_engine *e, int fd, loff_t *off, size_t n)
{
    while (n) {
        ssize_t out = splice(e->pipe[0], NULL, fd, off, n, 0);
        if (out < 0 && errno == EINTR)
            continue;
        if (out <= 0)
            return out < 0 ? -(int64_t)errno : -(int64_t)EIO;
        n -= (size_t)out;
    }
    return 0;
}

/* Bytes written, or -errno. */
static int64_t splice_write(const splice_engine *e, tio_io *io)
{
    size_t len = eng_xfer_len(io->len), done = 0;
    loff_t off = (loff_t)io->offset;
    while (done < len) {
        size_t want = len - done < e->piece ? len - done : e->piece;
        struct iovec iov = {(char *)io->buf + done, want};
        ssize_t in = vmsplice(e->pipe[1], &iov, 1, 0);
        if (in < 0 && errno == EINTR)
            continue;
        if (in <= 0)
            return done ? (int64_t)done : in < 0 ? -(int64_t)errno : -(int64_t)EIO;
        /* the pipe is emptied before the next piece, so it never fills */
        int64_t rc = drain_to_file(e, io->file->fd, &off, (size_t)in);
        if (rc < 0)
            return rc;
        done += (size_t)in;
    }
    return (int64_t)done;
}

static int splice_queue(void *engine, tio_io *io)
{
    const splice_engine *e = engine;
    if (eng_complete_other(io))
        return TIO_COMPLETED;
    io->result = io->ddir == TIO_WRITE ? splice_write(e, io) : splice_read(e, io);
    return TIO_COMPLETED;
}

static void splice_teardown(void *engine)
{
    close_pipe(engine);
}

static void splice_instance_fini(tenon_plugin *self, tenon_instance *inst, void *data)
{
    (void)self;
    (void)inst;
    close_pipe(data);
}

static const tio_engine splice_table = {
    .struct_size = sizeof(tio_engine),
    .version = TIO_ENGINE_VERSION,
    .flags = TIO_ENGINE_SYNC,
    .open_file = eng_tag_open,
    .close_file = eng_tag_close,
    .setup = splice_setup,
    .queue = splice_queue,
    .teardown = splice_teardown,
};

TENON_PLUGIN(splice,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "reads and writes through a pipe: splice between the file and the "
                       "pipe, vmsplice between the pipe and the buffer (fio's splice)",
        .license = "MIT",
        .provides = {{TIO_ENGINE_INTERFACE, TIO_ENGINE_VERSION, .rank = 10}},
        .meta = {{TIO_META_TARGETS, "path"}},
    ),
    TENON_CODE(
        .init = splice_init,
        TENON_IMPLEMENTS(TENON_IMPL(TIO_ENGINE_INTERFACE, &splice_table,
                                    TENON_INSTANCE_OF(splice_engine),
                                    .instance_fini = splice_instance_fini)),
    ));
