/* Raw symbol lookup between plugins, for parity with VPP's
 * vlib_get_plugin_symbol. Interfaces are the way plugins talk; this exists
 * for code being ported, and only reaches plugins the caller declared in its
 * requires (so they are loaded first, finied later, and cannot unload
 * while the caller is loaded). */
#include "internal.h"

#include <dlfcn.h>
#include <string.h>

void *tenon_plugin_symbol(tenon_plugin *caller, const char *plugin, const char *symbol)
{
    TENON__CHECK_ARG(caller, TENON_STAGE_USE, "caller is NULL", NULL);
    TENON__CHECK_ARG(plugin, TENON_STAGE_USE, "plugin is NULL", NULL);
    TENON__CHECK_ARG(symbol, TENON_STAGE_USE, "symbol is NULL", NULL);
    if (!caller->desc) {
        tenon__fail(TENON_EINVAL, TENON_STAGE_USE, NULL, NULL, NULL,
                    "tenon_plugin_symbol needs a caller, a plugin name and a symbol");
        return NULL;
    }
    bool declared = false;
    for (size_t i = 0; i < caller->desc->n_deps && !declared; i++)
        declared = strcmp(caller->desc->deps[i].name, plugin) == 0;
    if (!declared) {
        tenon__fail(TENON_EPERM, TENON_STAGE_USE, caller->display_name, caller->path,
                    "add it to .deps in the caller's TENON_DESCRIBE()",
                    "symbol lookup of %s in plugin %s refused: %s does not list %s in its "
                    "requires",
                    symbol, plugin, caller->display_name, plugin);
        return NULL;
    }
    tenon__lock(caller->reg);
    void *dl = NULL;
    bool found = false;
    for (size_t i = 0; i < caller->n_deps; i++) {
        if (strcmp(caller->deps[i]->display_name, plugin) == 0 &&
            caller->deps[i]->state == TENON__LOADED) {
            dl = caller->deps[i]->dl;
            found = true;
        }
    }
    tenon__unlock(caller->reg);
    if (!found) {
        tenon__fail(TENON_ESTATE, TENON_STAGE_USE, caller->display_name, caller->path,
                    "look symbols up from init or later, once dependencies are loaded",
                    "plugin %s is not loaded as a dependency of %s", plugin,
                    caller->display_name);
        return NULL;
    }
    if (!dl) {
        tenon__fail(TENON_EUNSUPPORTED, TENON_STAGE_USE, plugin, NULL,
                    "use an interface: static plugins share the host's symbol table",
                    "plugin %s is linked into the host; its symbols have no plugin handle",
                    plugin);
        return NULL;
    }
    void *addr = dlsym(dl, symbol);
    /* dlsym also searches the plugin's own libraries (libc...); only the
     * plugin's definitions count. */
    if (!addr || !tenon__symbol_in_object(dl, addr)) {
        tenon__fail(TENON_ENOTFOUND, TENON_STAGE_USE, plugin, NULL,
                    "export it from the plugin (visibility \"default\") or use an interface",
                    "plugin %s does not define the symbol %s", plugin, symbol);
        return NULL;
    }
    return addr;
}
