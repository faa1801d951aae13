/* An example plugin that depends on another: it requires bonjour, looks up
 * its greeter through the host API table in init, and shouts its greeting. */
#include <ctype.h>
#include <stdio.h>

#include <tenon/plugin.h>

#include "../greeter.h"

typedef struct shout {
    const example_greeter *inner;
} shout;

static const tenon_host_api *host;
static const example_greeter *french;

static int shout_init(tenon_plugin *self, const tenon_host_api *api)
{
    host = api;
    const void *table;
    int rc = host->interface(self, "bonjour", EXAMPLE_GREETER, EXAMPLE_GREETER_VERSION, &table);
    if (rc < 0)
        return host->fail(self, rc, "cannot find the bonjour greeter");
    french = table;
    return 0;
}

static int shout_greet(void *data, const char *who, char *out, size_t size)
{
    (void)data;
    /* bonjour keeps no state we need; its formal default is used. */
    struct {
        bool formal;
    } inner_data = {true};
    int rc = french->greet(&inner_data, who, out, size);
    for (char *p = out; rc == 0 && *p; p++)
        *p = (char)toupper((unsigned char)*p);
    return rc;
}

static const example_greeter shout_greeter = {
    .struct_size = sizeof(example_greeter),
    .version = EXAMPLE_GREETER_VERSION,
    .greet = shout_greet,
};

TENON_PLUGIN(shout,
    TENON_DESCRIBE(
        .version = "0.9.0",
        .description = "greets loudly, through the bonjour plugin",
        .license = "MIT",
        .deps = {{"bonjour", ">=1.0 <2"}},
        .provides = {{EXAMPLE_GREETER, EXAMPLE_GREETER_VERSION, .rank = 1}},
    ),
    TENON_CODE(
        .init = shout_init,
        TENON_IMPLEMENTS(TENON_IMPL(EXAMPLE_GREETER, &shout_greeter)),
    ));
