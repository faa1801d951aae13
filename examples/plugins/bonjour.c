/* An example plugin built as a shared object (dynamic). */
#include <stdio.h>

#include <tenon/plugin.h>

#include "../greeter.h"

typedef struct bonjour {
    bool formal;
} bonjour;

static const tenon_host_api *host;

static int bonjour_init(tenon_plugin *self, const tenon_host_api *api)
{
    (void)self;
    host = api;
    return 0;
}

static int bonjour_instance_init(tenon_plugin *self, tenon_instance *inst, void *data,
                                 const tenon_values *opts)
{
    (void)self;
    (void)inst;
    ((bonjour *)data)->formal = host->values_bool(opts, "formal");
    return 0;
}

static int bonjour_greet(void *data, const char *who, char *out, size_t size)
{
    const bonjour *b = data;
    snprintf(out, size, "%s, %s", b->formal ? "Bonjour" : "Salut", who);
    return 0;
}

static const example_greeter bonjour_greeter = {
    .struct_size = sizeof(example_greeter),
    .version = EXAMPLE_GREETER_VERSION,
    .greet = bonjour_greet,
};

TENON_PLUGIN(bonjour,
    TENON_DESCRIBE(
        .version = "1.2.0",
        .description = "greets in French",
        .license = "MIT",
        .flags = TENON_PLUGIN_UNLOADABLE,
        .provides = {{EXAMPLE_GREETER, EXAMPLE_GREETER_VERSION, .rank = 5}},
        .options = {{"formal", TENON_OPT_BOOL, .def = "true",
                     .help = "say Bonjour rather than Salut"}},
    ),
    TENON_CODE(
        .init = bonjour_init,
        TENON_IMPLEMENTS(TENON_IMPL(EXAMPLE_GREETER, &bonjour_greeter,
                                    TENON_INSTANCE_OF(bonjour),
                                    .instance_init = bonjour_instance_init)),
    ));
