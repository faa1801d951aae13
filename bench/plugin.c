/* The plugin the benchmarks scan, load and call. It is shaped like a
 * tenon-io engine (options, one interface, init and fini). Built twice:
 * plain, and linked against a library (-DBENCH_WITH_DEP), as plugins that
 * wrap a library (liburing, libaio, libnbd) are; dlopen's cost differs a
 * lot between the two, tenon's scanning cost does not. */
#include <tenon/plugin.h>

#include "bench.h"

#ifdef BENCH_WITH_DEP
#include "dep.h"
#endif

static int inits;

static int bench_call(void *ctx, int x)
{
    (void)ctx;
    return x + 1;
}

static const bench_table table = {
    .struct_size = sizeof(bench_table),
    .version = BENCH_IFACE_VERSION,
    .call = bench_call,
};

static int bench_init(tenon_plugin *self, const tenon_host_api *host)
{
    (void)self;
    (void)host;
#ifdef BENCH_WITH_DEP
    inits += bench_dep_value();
#else
    inits++;
#endif
    return 0;
}

static void bench_fini(tenon_plugin *self)
{
    (void)self;
    inits--;
}

TENON_PLUGIN(bench_0000000,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "benchmark plugin",
        .license = "MIT",
        .flags = TENON_PLUGIN_UNLOADABLE,
        .provides = {{BENCH_IFACE, BENCH_IFACE_VERSION, .rank = 1}},
        .options = {
            {.name = "depth", .type = TENON_OPT_INT, .def = "1", .help = "queue depth",
             .min = 1, .max = 4096},
            {.name = "mode", .type = TENON_OPT_ENUM, .def = "fast", .choices = "fast|safe",
             .help = "how to run"},
        },
        .meta = {{"benchmark", "yes"}},
    ),
    TENON_CODE(
        .init = bench_init,
        .fini = bench_fini,
        TENON_IMPLEMENTS(TENON_IMPL(BENCH_IFACE, &table)),
    ));
