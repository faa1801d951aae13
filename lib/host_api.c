/* The table of host services every plugin's init receives. Plugins reach
 * the host only through it, so they never need the host linked with
 * -rdynamic or any host symbol resolved at load time. */
#include "internal.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

static void api_log(tenon_plugin *self, tenon_log_level level, const char *fmt, ...)
{
    if (!self)
        return;
    va_list ap;
    va_start(ap, fmt);
    tenon__vlog(self->reg, level, self->display_name, fmt, ap);
    va_end(ap);
}

/* While a reload runs the new code's init (or an old generation's fini
 * runs), the plugin record holds the other generation's data and options:
 * the calling thread is pointed at its own generation's. */
static _Thread_local struct {
    tenon_plugin *p;
    void **data;
    const tenon_values *values;
} redirect;

void tenon__redirect_plugin(tenon_plugin *p, void **data, const tenon_values *values)
{
    redirect.p = p;
    redirect.data = data;
    redirect.values = values;
}

static const tenon_values *api_options(tenon_plugin *self)
{
    if (self && self == redirect.p)
        return redirect.values;
    return self ? self->values : NULL;
}

static int api_interface(tenon_plugin *self, const char *plugin, const char *iface,
                         uint32_t min_version, const void **table)
{
    if (table)
        *table = NULL;
    if (!self || !iface || !table)
        return TENON_EINVAL;
    /* The caller becomes a holder so the provider outlives its use; the
     * hold is taken in the lookup's critical section, before anyone else
     * can unload the provider. */
    tenon__taken got;
    int rc = tenon__interface_acquire(self->reg, plugin, iface, min_version, false, self, &got);
    if (rc == 0)
        *table = got.table;
    return rc;
}

static int api_release(tenon_plugin *self, const char *plugin)
{
    if (!self || !plugin)
        return TENON_EINVAL;
    tenon__lock(self->reg);
    tenon_plugin *p = tenon__map_get(&self->reg->by_name, plugin);
    int rc = p ? tenon__holder_remove(p, self, self->display_name)
               : tenon__fail(TENON_ENOTFOUND, TENON_STAGE_USE, plugin, NULL, NULL,
                             "no plugin named %s", plugin);
    tenon__unlock(self->reg);
    tenon__generations_reap(self->reg);
    return rc;
}

static void *api_symbol(tenon_plugin *self, const char *plugin, const char *symbol)
{
    void *addr = tenon_plugin_symbol(self, plugin, symbol);
    if (!addr && self && tenon_last_error()->code)
        api_log(self, TENON_LOG_ERROR, "%s", tenon_last_error()->message);
    return addr;
}

static int api_fail(tenon_plugin *self, int code, const char *fmt, ...)
{
    if (code >= 0)
        code = TENON_EINIT;
    va_list ap;
    va_start(ap, fmt);
    tenon__vfail(code, TENON_STAGE_INIT, self ? self->display_name : NULL,
                 self ? self->path : NULL, NULL, fmt, ap);
    va_end(ap);
    return code;
}

static void api_set_data(tenon_plugin *self, void *data)
{
    if (self && self == redirect.p)
        *redirect.data = data;
    else if (self)
        self->plugin_data = data;
}

static void *api_data(tenon_plugin *self)
{
    if (self && self == redirect.p)
        return *redirect.data;
    return self ? self->plugin_data : NULL;
}

static const char *api_plugin_name(const tenon_plugin *plugin)
{
    return plugin ? plugin->display_name : "";
}

static const char *api_instance_name(const tenon_instance *instance)
{
    return tenon_instance_name(instance);
}

static int api_instance_new(tenon_plugin *self, const char *plugin, const char *iface,
                            const char *const *options, tenon_instance **out)
{
    if (out)
        *out = NULL;
    if (!self || !iface || !out)
        return TENON_EINVAL;
    tenon_options *opts;
    int rc = tenon_options_new(&opts);
    for (size_t i = 0; rc == 0 && options && options[i]; i += 2) {
        if (!options[i + 1]) {
            rc = tenon__fail(TENON_EINVAL, TENON_STAGE_USE, self->display_name, NULL, NULL,
                             "option %s has no value (options are key, value pairs ending "
                             "with NULL)",
                             options[i]);
            break;
        }
        char origin[TENON_ERROR_NAME_MAX + 16];
        snprintf(origin, sizeof(origin), "plugin %s", self->display_name);
        rc = tenon_options_set(opts, options[i], options[i + 1], origin);
    }
    if (rc == 0)
        rc = tenon__instance_new(self->reg, plugin, iface, NULL, opts, TENON__MADE_BY_PLUGIN,
                                 self, out);
    tenon_options_free(opts);
    return rc;
}

static int api_instance_create(tenon_plugin *self, const char *plugin, const char *iface,
                               const tenon_options *opts, tenon_instance **out)
{
    if (out)
        *out = NULL;
    if (!self || !iface || !out)
        return TENON_EINVAL;
    return tenon__instance_new(self->reg, plugin, iface, NULL, opts, TENON__MADE_BY_PLUGIN,
                               self, out);
}

static void api_instance_free(tenon_plugin *self, tenon_instance *instance)
{
    (void)self;
    tenon_instance_free(instance);
}

static const void *api_instance_table(const tenon_instance *instance)
{
    return tenon_instance_table(instance);
}

static void *api_instance_data(const tenon_instance *instance)
{
    return tenon_instance_data(instance);
}

const tenon_host_api tenon__host_api = {
    .struct_size = sizeof(tenon_host_api),
    .version = TENON_HOST_API_VERSION,
    .log = api_log,
    .options = api_options,
    /* The library's own reads: one API for hosts and plugins. */
    .values_bool = tenon_values_bool,
    .values_int = tenon_values_int,
    .values_double = tenon_values_double,
    .values_string = tenon_values_string,
    .values_is_set = tenon_values_is_set,
    .interface = api_interface,
    .release = api_release,
    .symbol = api_symbol,
    .fail = api_fail,
    .set_data = api_set_data,
    .data = api_data,
    .plugin_name = api_plugin_name,
    .instance_name = api_instance_name,
    .instance_new = api_instance_new,
    .instance_free = api_instance_free,
    .instance_table = api_instance_table,
    .instance_data = api_instance_data,
    .options_new = tenon_options_new,
    .options_set = tenon_options_set,
    .options_free = tenon_options_free,
    .instance_create = api_instance_create,
};
