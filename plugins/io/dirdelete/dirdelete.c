/* The dirdelete engine: each IO removes its directory, rmdir(2), and does
 * no IO (fio's dirdelete, newer than fio 3.33). The latency is the
 * rmdir's. tenon-io prepares none of the job's files for it
 * (TIO_ENGINE_NAMES_ONLY): as fio's, the engine makes each directory the
 * job names before the first IO (one that exists is used as it is), so
 * there is something to remove; a second pass fails with ENOENT. */
#include <unistd.h>
#include <sys/stat.h>

#include <tenon/plugin.h>
#include <tenon-io/engine.h>

#include "../common/fileops.h"

typedef struct dirdelete_engine {
    int unused; /* no per-thread state; a zero-sized instance is not C */
} dirdelete_engine;

static const tenon_host_api *host;

static int dirdelete_init(tenon_plugin *self, const tenon_host_api *api)
{
    (void)self;
    host = api;
    return 0;
}

static int dirdelete_open(void *engine, tio_file *file)
{
    (void)engine;
    return mkdir(file->name, 0700) == 0 || errno == EEXIST ? 0 : -errno;
}

static int dirdelete_setup(void *engine, const tio_setup *setup)
{
    (void)engine;
    return eng_fileop_check(host, setup, "dirdelete");
}

static int rmdir_one(const void *engine, const char *name)
{
    (void)engine;
    return rmdir(name) == 0 ? 0 : -errno;
}

static int dirdelete_queue(void *engine, tio_io *io)
{
    return eng_fileop_queue(engine, io, rmdir_one);
}

static const tio_engine dirdelete_table = {
    .struct_size = sizeof(tio_engine),
    .version = TIO_ENGINE_VERSION,
    .flags = TIO_ENGINE_SYNC | TIO_ENGINE_NAMES_ONLY,
    .open_file = dirdelete_open,
    .setup = dirdelete_setup,
    .queue = dirdelete_queue,
};

TENON_PLUGIN(dirdelete,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "each IO removes its directory (rmdir), made first if missing; the "
                       "latency is the rmdir's (fio's dirdelete)",
        .license = "MIT",
        /* Never chosen for a job that names no engine: it moves no data. */
        .provides = {{TIO_ENGINE_INTERFACE, TIO_ENGINE_VERSION, .rank = -100}},
        .meta = {{TIO_META_TARGETS, "path"}},
    ),
    TENON_CODE(
        .init = dirdelete_init,
        TENON_IMPLEMENTS(TENON_IMPL(TIO_ENGINE_INTERFACE, &dirdelete_table,
                                    TENON_INSTANCE_OF(dirdelete_engine))),
    ));
