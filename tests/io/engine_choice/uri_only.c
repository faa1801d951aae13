/* A test engine that accepts only "tiotest://" targets: every IO completes
 * at once with its full length, and a target's size is 1 MiB. It exists so
 * the engine-choice tests have an engine that does not accept paths, on
 * every build (the nbd engine is optional). */
#include <tenon/plugin.h>
#include <tenon-io/engine.h>

static int uri_only_open(void *engine, tio_file *file)
{
    (void)engine;
    file->size = 1u << 20;
    return 0;
}

static int uri_only_queue(void *engine, tio_io *io)
{
    (void)engine;
    io->result = (int64_t)io->len;
    return TIO_COMPLETED;
}

static const tio_engine uri_only_table = {
    .struct_size = sizeof(tio_engine),
    .version = TIO_ENGINE_VERSION,
    .flags = TIO_ENGINE_SYNC,
    .open_file = uri_only_open,
    .queue = uri_only_queue,
};

TENON_PLUGIN(uri_only,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "test engine: tiotest:// targets only, no IO",
        .license = "MIT",
        .provides = {{TIO_ENGINE_INTERFACE, TIO_ENGINE_VERSION, .rank = 10}},
        .meta = {{TIO_META_TARGETS, "tiotest"}},
    ),
    TENON_CODE(
        TENON_IMPLEMENTS(TENON_IMPL(TIO_ENGINE_INTERFACE, &uri_only_table)),
    ));
