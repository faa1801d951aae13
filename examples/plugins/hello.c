/* An example plugin, linked into the example host (static). */
#include <stdio.h>
#include <string.h>

#include <tenon/plugin.h>

#include "../greeter.h"

typedef struct hello {
    char punctuation[8];
} hello;

static const tenon_host_api *host;

static int hello_init(tenon_plugin *self, const tenon_host_api *api)
{
    host = api;
    host->log(self, TENON_LOG_DEBUG, "ready");
    return 0;
}

static int hello_instance_init(tenon_plugin *self, tenon_instance *inst, void *data,
                               const tenon_values *opts)
{
    (void)self;
    (void)inst;
    hello *h = data;
    snprintf(h->punctuation, sizeof(h->punctuation), "%s",
             host->values_string(opts, "punctuation"));
    return 0;
}

static int hello_greet(void *data, const char *who, char *out, size_t size)
{
    const hello *h = data;
    snprintf(out, size, "Hello, %s%s", who, h->punctuation);
    return 0;
}

static const example_greeter hello_greeter = {
    .struct_size = sizeof(example_greeter),
    .version = EXAMPLE_GREETER_VERSION,
    .greet = hello_greet,
};

TENON_PLUGIN(hello,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "greets in English",
        .license = "MIT",
        .provides = {{EXAMPLE_GREETER, EXAMPLE_GREETER_VERSION, .rank = 10}},
        .options = {{"punctuation", TENON_OPT_STRING, .def = "!",
                     .help = "what ends the greeting"}},
    ),
    TENON_CODE(
        .init = hello_init,
        TENON_IMPLEMENTS(TENON_IMPL(EXAMPLE_GREETER, &hello_greeter,
                                    TENON_INSTANCE_OF(hello),
                                    .instance_init = hello_instance_init)),
    ));
