/* A well-formed plugin with options of every type, an interface with
 * instance data, metadata, and an instance_init that fails on request. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "basic.h"
#include "fixture.h"

static int live_instances; /* instances of several threads */
static int64_t plugin_depth_value;

static int basic_init(tenon_plugin *self, const tenon_host_api *host)
{
    fx_remember(self, host);
    const tenon_values *opts = host->options(self);
    plugin_depth_value = host->values_int(opts, "depth");
    host->set_data(self, &plugin_depth_value);
    host->log(self, TENON_LOG_INFO, "init");
    return 0;
}

static int basic_instance_init(tenon_plugin *self, tenon_instance *inst, void *data,
                               const tenon_values *opts)
{
    (void)inst;
    basic_instance *b = data;
    if (fx_host->values_bool(opts, "fail"))
        return fx_host->fail(self, TENON_EINIT, "instance refused: option fail is set");
    b->verbose = fx_host->values_bool(opts, "verbose");
    b->depth = fx_host->values_int(opts, "depth");
    b->depth_given = fx_host->values_is_set(opts, "depth");
    b->block = fx_host->values_int(opts, "block");
    b->timeout_ns = fx_host->values_int(opts, "timeout");
    b->ratio = fx_host->values_double(opts, "ratio");
    snprintf(b->label, sizeof(b->label), "%s", fx_host->values_string(opts, "label"));
    snprintf(b->mode, sizeof(b->mode), "%s", fx_host->values_string(opts, "mode"));
    b->magic = BASIC_MAGIC;
    __atomic_fetch_add(&live_instances, 1, __ATOMIC_RELAXED);
    return 0;
}

static void basic_instance_fini(tenon_plugin *self, tenon_instance *inst, void *data)
{
    (void)self;
    (void)inst;
    basic_instance *b = data;
    if (b->magic == BASIC_MAGIC)
        __atomic_fetch_sub(&live_instances, 1, __ATOMIC_RELAXED);
    b->magic = 0;
}

static int basic_live(void)
{
    return __atomic_load_n(&live_instances, __ATOMIC_RELAXED);
}

static int64_t basic_plugin_depth(void)
{
    const int64_t *d = fx_host->data(fx_self);
    return d ? *d : -1;
}

static const basic_table table = {
    .struct_size = sizeof(basic_table),
    .version = BASIC_IFACE_VERSION,
    .live = basic_live,
    .plugin_depth = basic_plugin_depth,
};

TENON_PLUGIN(good_basic,
    TENON_DESCRIBE(
        .version = "1.2.3",
        .description = "a plugin with options of every type",
        .license = "MIT",
        .url = "https://example.org/good_basic",
        .provides = {{BASIC_IFACE, BASIC_IFACE_VERSION, .rank = 7}},
        .options = {
            {"verbose", TENON_OPT_BOOL, .def = "false", .help = "say more"},
            {"depth", TENON_OPT_INT, .def = "4", .help = "queue depth", .min = 1, .max = 64},
            {"block", TENON_OPT_SIZE, .def = "4k", .help = "block size"},
            {"timeout", TENON_OPT_DURATION, .def = "1500ms", .help = "how long to wait"},
            {"ratio", TENON_OPT_DOUBLE, .def = "0.5", .help = "read share", .min = 0, .max = 1},
            {"label", TENON_OPT_STRING, .def = "none", .help = "a free text"},
            {"mode", TENON_OPT_ENUM, .def = "auto", .help = "how to run",
             .choices = "fast|slow|auto"},
            {"fail", TENON_OPT_BOOL, .def = "0", .help = "make instance_init fail"},
        },
        .meta = {{"homepage", "https://example.org"}, {"maintainer", "tests"}},
    ),
    TENON_CODE(
        .init = basic_init,
        .fini = fx_fini,
        TENON_IMPLEMENTS(TENON_IMPL(BASIC_IFACE, &table,
                                    TENON_INSTANCE_OF(basic_instance),
                                    .instance_init = basic_instance_init,
                                    .instance_fini = basic_instance_fini)),
    ));
