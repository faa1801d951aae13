/* A plugin that uses another plugin's interface through the host table,
 * which makes it a holder of that plugin:
 *   HOLD_NAME    plugin name (an identifier)
 *   HOLD_TARGET  the plugin it uses (a string); it provides "fixture.dep"
 *   HOLD_FAIL    defined: init takes the hold, then fails
 *   HOLD_LAZY    defined: init takes nothing; the "fixture.lazy" table's
 *                use() takes the hold at run time, and fini calls the
 *                target's table, which must still be loaded then
 * Flagged unloadable. Provides "fixture.lazy" in every mode. */
#include <string.h>

#include "fixture.h"

#define FX_STR2(x) #x
#define FX_STR(x) FX_STR2(x)

#define LAZY_IFACE "fixture.lazy"

typedef struct lazy_table {
    uint32_t struct_size;
    uint32_t version;
    /* Looks up the target (loading it if needed) and holds it. 0 or a
     * negative tenon error. */
    int (*use)(void);
    /* Drops the hold. */
    int (*release)(void);
} lazy_table;

static const fx_table *target;

static int take(void)
{
    const void *t;
    int rc = fx_host->interface(fx_self, HOLD_TARGET, FX_IFACE, 1, &t);
    if (rc < 0)
        return rc;
    target = t;
    /* The table works: the plugin is loaded and initialized. */
    return strcmp(target->name(), HOLD_TARGET) == 0 ? 0 : TENON_EMISMATCH;
}

static int holder_init(tenon_plugin *self, const tenon_host_api *host)
{
    fx_remember(self, host);
    host->log(self, TENON_LOG_INFO, "init");
#ifndef HOLD_LAZY
    int rc = take();
    if (rc < 0)
        return rc;
#endif
#ifdef HOLD_FAIL
    return host->fail(self, TENON_EINIT, "fails after taking a hold on %s", HOLD_TARGET);
#else
    return 0;
#endif
}

static void holder_fini(tenon_plugin *self)
{
    /* The target is still there: fini runs before what it holds. */
    if (target)
        fx_host->log(self, TENON_LOG_INFO, "fini (target %s alive)", target->name());
    else
        fx_host->log(self, TENON_LOG_INFO, "fini");
    target = NULL;
}

static int lazy_use(void)
{
    return take();
}

static int lazy_release(void)
{
    int rc = fx_host->release(fx_self, HOLD_TARGET);
    if (rc == 0)
        target = NULL;
    return rc;
}

static const lazy_table lazy = {
    .struct_size = sizeof(lazy_table),
    .version = 1,
    .use = lazy_use,
    .release = lazy_release,
};

FX_PLUGIN(HOLD_NAME,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "holds another plugin through host->interface",
        .flags = TENON_PLUGIN_UNLOADABLE,
        .provides = {{LAZY_IFACE, 1}},
    ),
    TENON_CODE(
        .init = holder_init,
        .fini = holder_fini,
        TENON_IMPLEMENTS(TENON_IMPL(LAZY_IFACE, &lazy)),
    ));
