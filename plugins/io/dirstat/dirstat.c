/* The dirstat engine: each IO looks its directory up by name, with
 * stat(2), lstat(2) or statx(2) (stat_type=), and does no IO (fio's
 * dirstat, newer than fio 3.33). The latency is the lookup's. tenon-io
 * prepares none of the job's files for it (TIO_ENGINE_NAMES_ONLY): as
 * fio's, the engine makes each directory the job names before the first
 * IO, and one that exists already is used as it is. */
#include <sys/stat.h>

#include <tenon/plugin.h>
#include <tenon-io/engine.h>

#include "../common/fileops.h"

typedef struct dirstat_engine {
    int stat_type; /* ENG_STAT_* */
} dirstat_engine;

static const tenon_host_api *host;

static int dirstat_init(tenon_plugin *self, const tenon_host_api *api)
{
    (void)self;
    host = api;
    return 0;
}

static int dirstat_instance_init(tenon_plugin *self, tenon_instance *inst, void *data,
                                 const tenon_values *opts)
{
    (void)self;
    (void)inst;
    dirstat_engine *e = data;
    e->stat_type = eng_stat_type(host, opts);
    return 0;
}

static int dirstat_open(void *engine, tio_file *file)
{
    (void)engine;
    return mkdir(file->name, 0700) == 0 || errno == EEXIST ? 0 : -errno;
}

static int dirstat_setup(void *engine, const tio_setup *setup)
{
    (void)engine;
    return eng_fileop_check(host, setup, "dirstat");
}

static int stat_one(const void *engine, const char *name)
{
    const dirstat_engine *e = engine;
    return eng_stat_name(e->stat_type, name);
}

static int dirstat_queue(void *engine, tio_io *io)
{
    return eng_fileop_queue(engine, io, stat_one);
}

static const tio_engine dirstat_table = {
    .struct_size = sizeof(tio_engine),
    .version = TIO_ENGINE_VERSION,
    .flags = TIO_ENGINE_SYNC | TIO_ENGINE_NAMES_ONLY,
    .open_file = dirstat_open,
    .setup = dirstat_setup,
    .queue = dirstat_queue,
};

TENON_PLUGIN(dirstat,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "each IO looks its directory up (stat, lstat or statx), made first "
                       "if missing; the latency is the lookup's (fio's dirstat)",
        .license = "MIT",
        /* Never chosen for a job that names no engine: it moves no data. */
        .provides = {{TIO_ENGINE_INTERFACE, TIO_ENGINE_VERSION, .rank = -100}},
        .options = {ENG_STAT_TYPE_OPTION},
        .meta = {{TIO_META_TARGETS, "path"}},
    ),
    TENON_CODE(
        .init = dirstat_init,
        TENON_IMPLEMENTS(TENON_IMPL(TIO_ENGINE_INTERFACE, &dirstat_table,
                                    TENON_INSTANCE_OF(dirstat_engine),
                                    .instance_init = dirstat_instance_init)),
    ));
