/* The pvsync2 engine: preadv2(2)/pwritev2(2), whose per-call RWF_* flags
 * give what plain pread cannot: polled completion (hipri), no page-cache
 * residue (uncached), and a fail-fast mode (nowait). fio's pvsync2. */
#include <sys/uio.h>

#include <tenon/plugin.h>
#include <tenon-io/engine.h>

#include "../common/engine_util.h"

/* Linux 6.14's uncached buffered IO; C libraries older than the kernel lack
 * the name. A kernel that does not know the flag fails the IO with
 * EOPNOTSUPP, which is the right report for uncached=1 there. */
#ifndef RWF_DONTCACHE
#define RWF_DONTCACHE 0x00000080
#endif

typedef struct pvsync2_engine {
    int rw_flags; /* RWF_* for every read and write */
} pvsync2_engine;

static const tenon_host_api *host;

static int pvsync2_init(tenon_plugin *self, const tenon_host_api *api)
{
    (void)self;
    host = api;
    return 0;
}

static int pvsync2_instance_init(tenon_plugin *self, tenon_instance *inst, void *data,
                                 const tenon_values *opts)
{
    (void)self;
    (void)inst;
    pvsync2_engine *e = data;
    e->rw_flags = 0;
    if (host->values_bool(opts, "hipri"))
        e->rw_flags |= RWF_HIPRI;
    if (host->values_bool(opts, "uncached"))
        e->rw_flags |= RWF_DONTCACHE;
    if (host->values_bool(opts, "nowait"))
        e->rw_flags |= RWF_NOWAIT;
    return 0;
}

/* With nowait, EAGAIN is the measurement (the IO would have blocked), so
 * it is reported, not retried. */
static ssize_t pvsync2_xfer(const void *engine, tio_io *io, bool write)
{
    const pvsync2_engine *e = engine;
    struct iovec iov = {io->buf, eng_xfer_len(io->len)};
    return write ? pwritev2(io->file->fd, &iov, 1, (off_t)io->offset, e->rw_flags)
                 : preadv2(io->file->fd, &iov, 1, (off_t)io->offset, e->rw_flags);
}

static int pvsync2_queue(void *engine, tio_io *io)
{
    return eng_positional_queue(engine, io, pvsync2_xfer);
}

static const tio_engine pvsync2_table = {
    .struct_size = sizeof(tio_engine),
    .version = TIO_ENGINE_VERSION,
    .flags = TIO_ENGINE_SYNC,
    .open_file = eng_tag_open,
    .close_file = eng_tag_close,
    .queue = pvsync2_queue,
};

TENON_PLUGIN(pvsync2,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "preadv2/pwritev2 with per-IO RWF_* flags: polled, uncached or "
                       "nowait IO (fio's pvsync2)",
        .license = "MIT",
        .provides = {{TIO_ENGINE_INTERFACE, TIO_ENGINE_VERSION, .rank = 80}},
        .options = {
            {"hipri", TENON_OPT_BOOL, .def = "false",
             .help = "poll for completion (RWF_HIPRI); takes effect with direct=1 on "
                     "a device with poll queues"},
            {"uncached", TENON_OPT_BOOL, .def = "false",
             .help = "buffered IO that drops its pages when done (RWF_DONTCACHE, Linux "
                     "6.14+; EOPNOTSUPP before)"},
            {"nowait", TENON_OPT_BOOL, .def = "false",
             .help = "fail with EAGAIN instead of blocking (RWF_NOWAIT)"},
        },
        .meta = {{TIO_META_TARGETS, "path"}},
    ),
    TENON_CODE(
        .init = pvsync2_init,
        TENON_IMPLEMENTS(TENON_IMPL(TIO_ENGINE_INTERFACE, &pvsync2_table,
                                    TENON_INSTANCE_OF(pvsync2_engine),
                                    .instance_init = pvsync2_instance_init)),
    ));
