/* The dircreate engine: each IO creates its directory, mkdir(2), and does
 * no IO (fio's dircreate, newer than fio 3.33). The latency is the
 * mkdir's. tenon-io prepares none of the job's files for it
 * (TIO_ENGINE_NAMES_ONLY): the names the job gives (directory=,
 * filename_format=, nrfiles=) are the directories made. A directory that
 * exists already fails the IO with EEXIST, as in fio. */
#include <sys/stat.h>

#include <tenon/plugin.h>
#include <tenon-io/engine.h>

#include "../common/fileops.h"

typedef struct dircreate_engine {
    int unused; /* no per-thread state; a zero-sized instance is not C */
} dircreate_engine;

static const tenon_host_api *host;

static int dircreate_init(tenon_plugin *self, const tenon_host_api *api)
{
    (void)self;
    host = api;
    return 0;
}

static int dircreate_setup(void *engine, const tio_setup *setup)
{
    (void)engine;
    return eng_fileop_check(host, setup, "dircreate");
}

static int mkdir_one(const void *engine, const char *name)
{
    (void)engine;
    /* 0700 as fio's dirstat and dirdelete make theirs (fio's dircreate
     * passes S_IFDIR as the mode, which leaves no permission at all) */
    return mkdir(name, 0700) == 0 ? 0 : -errno;
}

static int dircreate_queue(void *engine, tio_io *io)
{
    return eng_fileop_queue(engine, io, mkdir_one);
}

static const tio_engine dircreate_table = {
    .struct_size = sizeof(tio_engine),
    .version = TIO_ENGINE_VERSION,
    .flags = TIO_ENGINE_SYNC | TIO_ENGINE_NAMES_ONLY,
    .setup = dircreate_setup,
    .queue = dircreate_queue,
};

TENON_PLUGIN(dircreate,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "each IO creates its directory (mkdir) and does no IO; the latency "
                       "is the mkdir's (fio's dircreate)",
        .license = "MIT",
        /* Never chosen for a job that names no engine: it moves no data. */
        .provides = {{TIO_ENGINE_INTERFACE, TIO_ENGINE_VERSION, .rank = -100}},
        .meta = {{TIO_META_TARGETS, "path"}},
    ),
    TENON_CODE(
        .init = dircreate_init,
        TENON_IMPLEMENTS(TENON_IMPL(TIO_ENGINE_INTERFACE, &dircreate_table,
                                    TENON_INSTANCE_OF(dircreate_engine))),
    ));
