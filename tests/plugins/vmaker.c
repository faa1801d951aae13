/* Makes an instance of the reload fixture "versioned" in init and frees it
 * in fini (the documented pattern), so tests see an instance that a plugin
 * owns stay on the code generation it was made from across reloads. */
#include "fixture.h"
#include "versioned.h"

static tenon_instance *made;

static int vm_init(tenon_plugin *self, const tenon_host_api *host)
{
    fx_init(self, host);
    int rc = host->instance_new(self, "versioned", VERSIONED_IFACE, NULL, &made);
    if (rc < 0)
        return host->fail(self, rc, "cannot make an instance of versioned");
    return 0;
}

static void vm_fini(tenon_plugin *self)
{
    fx_fini(self);
    fx_host->instance_free(self, made);
    made = NULL;
}

TENON_PLUGIN(vmaker,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "makes an instance of versioned",
        .license = "MIT",
        .flags = TENON_PLUGIN_UNLOADABLE,
    ),
    TENON_CODE(.init = vm_init, .fini = vm_fini));
