/* Interfaces: hosts and plugins find function tables by interface name and
 * version, from a named plugin or from the best-ranked provider, loading
 * the provider on demand. Lookups of loaded plugins take the registry lock
 * only briefly, so they proceed while another thread runs a long init. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

bool tenon__provides(const tenon_plugin *p, const char *iface, uint32_t min_version)
{
    if (!p->desc)
        return false;
    for (size_t i = 0; i < p->desc->n_provides; i++)
        if (strcmp(p->desc->provides[i].name, iface) == 0 &&
            p->desc->provides[i].version >= min_version)
            return true;
    return false;
}

/* p's newest version of iface: a plugin may provide several versions of
 * one interface side by side, each with its own table. */
static const tenon_provide *provide_of(const tenon_plugin *p, const char *iface)
{
    const tenon_provide *best = NULL;
    for (size_t i = 0; p->desc && i < p->desc->n_provides; i++)
        if (strcmp(p->desc->provides[i].name, iface) == 0 &&
            (!best || p->desc->provides[i].version > best->version))
            best = &p->desc->provides[i];
    return best;
}

/* The impl of iface whose table has the newest version >= min_version. */
static const tenon_impl *impl_find_version(const tenon_plugin *p, const char *iface,
                                           uint32_t min_version)
{
    const tenon_plugin_entry *e = p->entry;
    const tenon_impl *best = NULL;
    uint32_t best_version = 0;
    for (uint32_t i = 0; e && i < e->n_impls; i++) {
        const tenon_impl *impl = (const tenon_impl *)((const char *)e->impls +
                                                      (size_t)i * e->impl_size);
        if (strcmp(impl->interface, iface) != 0)
            continue;
        uint32_t v = ((const tenon_iface_header *)impl->table)->version;
        if (v >= min_version && (!best || v > best_version)) {
            best = impl;
            best_version = v;
        }
    }
    return best;
}

const tenon_impl *tenon__impl_find(const tenon_plugin *p, const char *iface)
{
    return impl_find_version(p, iface, 0);
}

/* Whether a ranks before b as a provider of iface: higher rank, then name. */
static bool ranks_before(const tenon_plugin *a, const tenon_plugin *b, const char *iface)
{
    int32_t ra = provide_of(a, iface)->rank, rb = provide_of(b, iface)->rank;
    if (ra != rb)
        return ra > rb;
    return strcmp(a->display_name, b->display_name) < 0;
}

/* The active, usable plugins providing iface >= min_version, best first.
 * Lock held. Returns the count; fills up to cap. */
static size_t collect_providers(tenon_registry *reg, const char *iface, uint32_t min_version,
                                tenon_plugin **out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < reg->n_plugins; i++) {
        tenon_plugin *p = reg->plugins[i];
        if (!tenon__plugin_usable(p) || !tenon__provides(p, iface, min_version))
            continue;
        /* Insertion sort into the bounded output: provider lists are short. */
        if (n < cap) {
            size_t k = n;
            while (k > 0 && ranks_before(p, out[k - 1], iface)) {
                out[k] = out[k - 1];
                k--;
            }
            out[k] = p;
        } else if (cap > 0 && ranks_before(p, out[cap - 1], iface)) {
            size_t k = cap - 1;
            while (k > 0 && ranks_before(p, out[k - 1], iface)) {
                out[k] = out[k - 1];
                k--;
            }
            out[k] = p;
        }
        n++;
    }
    return n;
}

size_t tenon_providers(tenon_registry *reg, const char *iface, uint32_t min_version,
                       tenon_plugin **out, size_t cap)
{
    TENON__CHECK_ARG(reg, TENON_STAGE_USE, "reg is NULL", 0);
    TENON__CHECK_ARG(iface, TENON_STAGE_USE, "iface is NULL", 0);
    tenon__lock(reg);
    size_t n = collect_providers(reg, iface, min_version, out, out ? cap : 0);
    tenon__unlock(reg);
    return n;
}

/* Picks the provider. Lock held. */
static int choose(tenon_registry *reg, const char *plugin, const char *iface,
                  uint32_t min_version, tenon_plugin **out)
{
    if (plugin) {
        tenon_plugin *p = tenon__map_get(&reg->by_name, plugin);
        if (!p)
            return tenon__no_plugin_named(reg, TENON_STAGE_USE, plugin, NULL);
        if (!tenon__plugin_usable(p) && p->state == TENON__UNLOADED)
            return tenon__plugin_unusable_error(p, TENON_STAGE_USE);
        const tenon_provide *pr = provide_of(p, iface);
        if (!pr)
            return tenon__fail(TENON_ENOIFACE, TENON_STAGE_USE, plugin, p->path, NULL,
                               "plugin %s does not provide interface %s", plugin, iface);
        if (pr->version < min_version)
            return tenon__fail(TENON_EVERSION, TENON_STAGE_USE, plugin, p->path,
                               "upgrade the plugin",
                               "plugin %s provides %s version %u; version %u or newer is "
                               "needed",
                               plugin, iface, pr->version, min_version);
        *out = p;
        return 0;
    }
    tenon_plugin *best = NULL;
    if (collect_providers(reg, iface, min_version, &best, 1) == 0) {
        tenon_plugin *older = NULL;
        if (min_version > 1 && collect_providers(reg, iface, 0, &older, 1) > 0)
            return tenon__fail(TENON_EVERSION, TENON_STAGE_USE, older->display_name,
                               older->path, "upgrade the plugin",
                               "no plugin provides %s version %u or newer (%s provides "
                               "version %u)",
                               iface, min_version, older->display_name,
                               provide_of(older, iface)->version);
        return tenon__fail(TENON_ENOIFACE, TENON_STAGE_USE, NULL, NULL,
                           "install a plugin that provides it; `tenon list` shows what is "
                           "installed",
                           "no usable plugin provides interface %s", iface);
    }
    *out = best;
    return 0;
}

/* Hands out loaded p's interface. The impl and its table live in the
 * plugin's mapping: they are read here, under the lock, and the pin or
 * hold is taken in the same critical section. Lock held. */
static int take_locked(tenon_plugin *p, const char *iface, uint32_t min_version, bool pin,
                       tenon_plugin *holder, const char *host_holder, tenon__taken *out)
{
    const tenon_impl *found = impl_find_version(p, iface, min_version);
    if (!found)
        return tenon__fail(TENON_EVERSION, TENON_STAGE_USE, p->display_name, p->path,
                           "upgrade the plugin",
                           "plugin %s has no table of interface %s at version %u or newer",
                           p->display_name, iface, min_version);
    if (holder && holder != p) {
        int rc = tenon__holder_add(p, holder, holder->display_name);
        if (rc < 0)
            return rc;
    }
    if (host_holder) {
        int rc = tenon__holder_add(p, NULL, host_holder);
        if (rc < 0)
            return rc;
    }
    if (pin) {
        p->n_instances++;
        p->gen_instances++;
    }
    *out = (tenon__taken){p, found, found->table, p->desc, p->gen};
    return 0;
}

static int acquire(tenon_registry *reg, const char *plugin, const char *iface,
                   uint32_t min_version, bool pin, tenon_plugin *holder,
                   const char *host_holder, tenon__taken *out)
{
    tenon_plugin *p = NULL;
    tenon__lock(reg);
    int rc = choose(reg, plugin, iface, min_version, &p);
    if (rc == 0 && p->state == TENON__LOADED) {
        rc = take_locked(p, iface, min_version, pin, holder, host_holder, out);
        tenon__unlock(reg);
        return rc;
    }
    tenon__unlock(reg);
    if (rc < 0)
        return rc;

    pthread_mutex_lock(&reg->load_lock);
    rc = tenon__plugin_load_locked(p);
    if (rc == 0) {
        tenon__lock(reg);
        if (p->state == TENON__LOADED) {
            rc = take_locked(p, iface, min_version, pin, holder, host_holder, out);
        } else {
            rc = tenon__fail(TENON_ESTATE, TENON_STAGE_USE, p->display_name, p->path, NULL,
                             "plugin %s was unloaded during the lookup", p->display_name);
        }
        tenon__unlock(reg);
    }
    pthread_mutex_unlock(&reg->load_lock);
    return rc;
}

int tenon__interface_acquire(tenon_registry *reg, const char *plugin, const char *iface,
                             uint32_t min_version, bool pin, tenon_plugin *holder,
                             tenon__taken *out)
{
    return acquire(reg, plugin, iface, min_version, pin, holder, NULL, out);
}

int tenon_interface_hold(tenon_registry *reg, const char *plugin, const char *iface,
                         uint32_t min_version, const char *holder, const void **table,
                         tenon_plugin **provider)
{
    if (table)
        *table = NULL;
    if (provider)
        *provider = NULL;
    TENON__CHECK_ARG(reg, TENON_STAGE_USE, "reg is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(iface, TENON_STAGE_USE, "iface is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(holder, TENON_STAGE_USE, "holder is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(table, TENON_STAGE_USE, "table is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(provider, TENON_STAGE_USE, "provider is NULL", TENON_EINVAL);
    tenon__taken got;
    int rc = acquire(reg, plugin, iface, min_version, false, NULL, holder, &got);
    if (rc < 0)
        return rc;
    *table = got.table;
    *provider = got.provider;
    return 0;
}

int tenon_interface(tenon_registry *reg, const char *plugin, const char *iface,
                    uint32_t min_version, const void **table, tenon_plugin **provider)
{
    if (table)
        *table = NULL;
    if (provider)
        *provider = NULL;
    TENON__CHECK_ARG(reg, TENON_STAGE_USE, "reg is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(iface, TENON_STAGE_USE, "iface is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(table, TENON_STAGE_USE, "table is NULL", TENON_EINVAL);
    tenon__taken got;
    int rc = tenon__interface_acquire(reg, plugin, iface, min_version, false, NULL, &got);
    if (rc < 0)
        return rc;
    *table = got.table;
    if (provider)
        *provider = got.provider;
    return 0;
}
