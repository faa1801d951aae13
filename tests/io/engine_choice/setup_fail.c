/* A test engine whose setup() always refuses the job, giving its reason
 * through the host API table's fail() with the plugin handle that
 * tio_setup carries: the engine keeps no handle of its own, and tenon-io
 * must report the reason, not just the errno. */
#include <errno.h>

#include <tenon/plugin.h>
#include <tenon-io/engine.h>

static const tenon_host_api *host;

static int setup_fail_init(tenon_plugin *self, const tenon_host_api *api)
{
    (void)self;
    host = api;
    return 0;
}

static int setup_fail_setup(void *engine, const tio_setup *setup)
{
    (void)engine;
    tenon_plugin *self = tio_setup_plugin(setup);
    if (!self)
        return -ENOTSUP;
    host->fail(self, TENON_EINIT, "setup_fail refuses every job (job %s, %u files)",
               setup->job_name, setup->n_files);
    return -EINVAL;
}

static int setup_fail_queue(void *engine, tio_io *io)
{
    (void)engine;
    io->result = (int64_t)io->len;
    return TIO_COMPLETED;
}

static const tio_engine setup_fail_table = {
    .struct_size = sizeof(tio_engine),
    .version = TIO_ENGINE_VERSION,
    .flags = TIO_ENGINE_SYNC,
    .setup = setup_fail_setup,
    .queue = setup_fail_queue,
};

TENON_PLUGIN(setup_fail,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "test engine: setup refuses every job, with a reason",
        .license = "MIT",
        .provides = {{TIO_ENGINE_INTERFACE, TIO_ENGINE_VERSION}},
    ),
    TENON_CODE(
        .init = setup_fail_init,
        TENON_IMPLEMENTS(TENON_IMPL(TIO_ENGINE_INTERFACE, &setup_fail_table)),
    ));
