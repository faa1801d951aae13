/* The filestat engine: each IO looks its file up by name, with stat(2),
 * lstat(2) or statx(2) (stat_type=), and does no IO to it (fio's
 * filestat). The latency is the lookup's. tenon-io creates and lays out
 * the job's files first, as for any path engine, so there is something to
 * look up. */
#include <tenon/plugin.h>
#include <tenon-io/engine.h>

#include "../common/fileops.h"

typedef struct filestat_engine {
    int stat_type; /* ENG_STAT_* */
} filestat_engine;

static const tenon_host_api *host;

static int filestat_init(tenon_plugin *self, const tenon_host_api *api)
{
    (void)self;
    host = api;
    return 0;
}

static int filestat_instance_init(tenon_plugin *self, tenon_instance *inst, void *data,
                                  const tenon_values *opts)
{
    (void)self;
    (void)inst;
    filestat_engine *e = data;
    e->stat_type = eng_stat_type(host, opts);
    return 0;
}

static int filestat_setup(void *engine, const tio_setup *setup)
{
    (void)engine;
    return eng_fileop_check(host, setup, "filestat");
}

static int stat_one(const void *engine, const char *name)
{
    const filestat_engine *e = engine;
    return eng_stat_name(e->stat_type, name);
}

static int filestat_queue(void *engine, tio_io *io)
{
    return eng_fileop_queue(engine, io, stat_one);
}

static const tio_engine filestat_table = {
    .struct_size = sizeof(tio_engine),
    .version = TIO_ENGINE_VERSION,
    .flags = TIO_ENGINE_SYNC,
    .setup = filestat_setup,
    .queue = filestat_queue,
};

TENON_PLUGIN(filestat,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "each IO looks its file up (stat, lstat or statx) and does no IO to "
                       "it; the latency is the lookup's (fio's filestat)",
        .license = "MIT",
        /* Never chosen for a job that names no engine: it moves no data. */
        .provides = {{TIO_ENGINE_INTERFACE, TIO_ENGINE_VERSION, .rank = -100}},
        .options = {ENG_STAT_TYPE_OPTION},
        .meta = {{TIO_META_TARGETS, "path"}},
    ),
    TENON_CODE(
        .init = filestat_init,
        TENON_IMPLEMENTS(TENON_IMPL(TIO_ENGINE_INTERFACE, &filestat_table,
                                    TENON_INSTANCE_OF(filestat_engine),
                                    .instance_init = filestat_instance_init)),
    ));
