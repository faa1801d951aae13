/* The filecreate engine: each IO creates its file, open(2) with O_CREAT
 * (and closes it again), and does no IO to it (fio's filecreate). The
 * latency is the create's. tenon-io prepares none of the job's files for
 * it (TIO_ENGINE_NAMES_ONLY): the engine makes them, by the names the job
 * gives (directory=, filename_format=, nrfiles=). */
#include <fcntl.h>
#include <unistd.h>

#include <tenon/plugin.h>
#include <tenon-io/engine.h>

#include "../common/fileops.h"

typedef struct filecreate_engine {
    int unused; /* no per-thread state; a zero-sized instance is not C */
} filecreate_engine;

static const tenon_host_api *host;

static int filecreate_init(tenon_plugin *self, const tenon_host_api *api)
{
    (void)self;
    host = api;
    return 0;
}

static int filecreate_setup(void *engine, const tio_setup *setup)
{
    (void)engine;
    return eng_fileop_check(host, setup, "filecreate");
}

static int create_one(const void *engine, const char *name)
{
    (void)engine;
    /* fio's mode: a file only its owner reads and writes */
    int fd = open(name, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    close(fd);
    return 0;
}

static int filecreate_queue(void *engine, tio_io *io)
{
    return eng_fileop_queue(engine, io, create_one);
}

static const tio_engine filecreate_table = {
    .struct_size = sizeof(tio_engine),
    .version = TIO_ENGINE_VERSION,
    .flags = TIO_ENGINE_SYNC | TIO_ENGINE_NAMES_ONLY,
    .setup = filecreate_setup,
    .queue = filecreate_queue,
};

TENON_PLUGIN(filecreate,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "each IO creates its file (open with O_CREAT) and does no IO to it; "
                       "the latency is the create's (fio's filecreate)",
        .license = "MIT",
        /* Never chosen for a job that names no engine: it moves no data. */
        .provides = {{TIO_ENGINE_INTERFACE, TIO_ENGINE_VERSION, .rank = -100}},
        .meta = {{TIO_META_TARGETS, "path"}},
    ),
    TENON_CODE(
        .init = filecreate_init,
        TENON_IMPLEMENTS(TENON_IMPL(TIO_ENGINE_INTERFACE, &filecreate_table,
                                    TENON_INSTANCE_OF(filecreate_engine))),
    ));
