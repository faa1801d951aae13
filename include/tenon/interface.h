/* Interfaces and instances: what hosts use plugins through. */
#ifndef TENON_INTERFACE_H
#define TENON_INTERFACE_H

#include <tenon/common.h>
#include <tenon/options.h>
#include <tenon/registry.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Finds interface iface at version >= min_version, from the plugin called
 * plugin, or when plugin is NULL from the highest-ranked usable provider
 * (ties: the name that sorts first). Loads the provider if needed. On
 * success sets *table (which starts with tenon_iface_header) and, if not
 * NULL, *provider. The host does not become a holder; hosts that unload
 * plugins from other threads take a hold (tenon_plugin_hold).
 * Errors: TENON_ENOTFOUND, TENON_ENOIFACE, TENON_EVERSION, load errors. */
TENON_API int tenon_interface(tenon_registry *reg, const char *plugin, const char *iface,
                              uint32_t min_version, const void **table,
                              tenon_plugin **provider);

/* tenon_interface, and in the same critical section a hold by holder (as
 * tenon_plugin_hold) on the code generation the table belongs to: the
 * table stays mapped and callable, even across tenon_plugin_reload, until
 * the matching tenon_plugin_release(*provider, holder). To move to the
 * code a reload brought, call it again and then release once: a holder
 * that holds several generations releases the oldest first. plugin may be
 * NULL (the best provider); *provider is required. Errors: those of
 * tenon_interface, TENON_ENOMEM. */
TENON_API int tenon_interface_hold(tenon_registry *reg, const char *plugin, const char *iface,
                                   uint32_t min_version, const char *holder, const void **table,
                                   tenon_plugin **provider);

/* Every usable plugin (not disabled, shadowed, overridden, broken or
 * incompatible) that declares iface at version >= min_version, best rank
 * first, without loading any. Stores up to cap; returns how many there are. */
TENON_API size_t tenon_providers(tenon_registry *reg, const char *iface, uint32_t min_version,
                                 tenon_plugin **out, size_t cap);

/* Makes an instance of iface from plugin (NULL: the best provider), named
 * name (unique in the registry; NULL for an anonymous instance). opts are
 * checked against the plugin's schema first; the core allocates the
 * plugin's declared private data, zeroed, and calls its instance_init.
 * The plugin cannot unload while the instance lives, and the instance
 * keeps the code it was made from across tenon_plugin_reload until it is
 * freed. Errors: those of
 * tenon_interface and tenon_values_check, TENON_EEXISTS (name taken),
 * TENON_EINIT (instance_init failed; the error has the plugin's reason). */
TENON_API int tenon_instance_new(tenon_registry *reg, const char *plugin, const char *iface,
                                 const char *name, const tenon_options *opts,
                                 tenon_instance **out);

/* Calls the plugin's instance_fini and frees the instance. NULL allowed. */
TENON_API void tenon_instance_free(tenon_instance *inst);

/* What an instance is made of. The table (which starts with
 * tenon_iface_header), the plugin's private data, the name ("" for an
 * anonymous instance), the plugin and the checked option values all belong
 * to the instance and stay valid until tenon_instance_free. NULL (or "")
 * for a NULL instance. */
TENON_API const void *tenon_instance_table(const tenon_instance *inst);
TENON_API void *tenon_instance_data(const tenon_instance *inst);
TENON_API const char *tenon_instance_name(const tenon_instance *inst);
TENON_API tenon_plugin *tenon_instance_plugin(const tenon_instance *inst);
TENON_API const tenon_values *tenon_instance_values(const tenon_instance *inst);

/* The named instance, or NULL. */
TENON_API tenon_instance *tenon_registry_instance(tenon_registry *reg, const char *name);

#ifdef __cplusplus
}
#endif

#endif
