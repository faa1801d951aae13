/* Reloading: a loaded plugin's code replaced by the file now on disk while
 * the host keeps running. The new file is checked and mapped, and its init
 * (or migrate) runs, before anything of the old code is touched; a failure
 * anywhere leaves the old code running as it was. The switch is one
 * critical section: lookups after it hand out the new tables, lookups
 * before it handed out the old ones. Each hold and each instance is of one
 * code generation: instances made before a reload keep calling the code
 * they were made from, and an old generation stays mapped until its last
 * holder lets go and its last instance is freed. */
#include "cache_internal.h"

#include <stddef.h>
#include <string.h>

static bool has_migrate(const tenon_plugin_entry *e)
{
    return e->struct_size >= offsetof(tenon_plugin_entry, migrate) + sizeof(e->migrate) &&
           e->migrate;
}

/* The new descriptor's requires, against the plugins loaded now: a reload
 * loads nothing else. Lock held. */
static int check_deps(tenon_registry *reg, tenon_plugin *p, const tenon_plugin_desc *desc)
{
    for (size_t i = 0; i < desc->n_deps; i++) {
        const tenon_dep *dep = &desc->deps[i];
        if (!dep->name[0])
            continue;
        tenon_plugin *d = tenon__map_get(&reg->by_name, dep->name);
        if (!d || d->state != TENON__LOADED)
            return tenon__fail(TENON_EMISSINGDEP, TENON_STAGE_RESOLVE, p->display_name, p->path,
                               "load the dependency first, then reload",
                               "the new file of plugin %s (%s) requires %s, which is not "
                               "loaded: the loaded %s stays",
                               p->display_name, desc->version, dep->name, p->desc->version);
        if (dep->range[0] && tenon_semver_satisfies(d->desc->version, dep->range) != 1)
            return tenon__fail(TENON_EVERSION, TENON_STAGE_RESOLVE, p->display_name, p->path,
                               "reload the dependency to a version in the range first, or "
                               "relax the range",
                               "the new file of plugin %s (%s) requires %s %s, but %s %s is "
                               "loaded: the loaded %s stays",
                               p->display_name, desc->version, dep->name, dep->range, dep->name,
                               d->desc->version, p->desc->version);
    }
    /* And the loaded plugins that require this one must accept the new
     * version. */
    for (size_t i = 0; i < reg->n_plugins; i++) {
        tenon_plugin *q = reg->plugins[i];
        if (q == p || q->state != TENON__LOADED)
            continue;
        for (size_t k = 0; k < q->desc->n_deps; k++) {
            const tenon_dep *dep = &q->desc->deps[k];
            if (strcmp(dep->name, p->desc->name) == 0 && dep->range[0] &&
                tenon_semver_satisfies(desc->version, dep->range) != 1)
                return tenon__fail(TENON_EVERSION, TENON_STAGE_RESOLVE, p->display_name,
                                   p->path,
                                   "install a version in that range, or unload the plugin "
                                   "that requires it first",
                                   "loaded plugin %s requires %s %s, and the new file is "
                                   "version %s: the loaded %s stays",
                                   q->display_name, dep->name, dep->range, desc->version,
                                   p->desc->version);
        }
    }
    return 0;
}

/* Runs the new code's migrate or init with this thread pointed at the new
 * generation's data and options; *data: the data it ends with. */
static int start_new_code(tenon_plugin *p, const tenon_plugin_entry *entry,
                          const tenon_values *values, void *old_data, void **data)
{
    bool migrate = has_migrate(entry);
    *data = migrate ? old_data : NULL;
    if (!migrate && !entry->init)
        return 0;
    tenon__stage(p, TENON_STAGE_INIT);
    tenon_error *e = tenon__error_tls();
    e->code = 0;
    tenon__redirect_plugin(p, data, values);
    int rc = migrate ? entry->migrate(p, &tenon__host_api, old_data)
                     : entry->init(p, &tenon__host_api);
    tenon__redirect_plugin(NULL, NULL, NULL);
    if (rc == 0)
        return 0;
    const char *what = migrate ? "migrate" : "init";
    if (rc == TENON_ENOMEM)
        return tenon__fail(TENON_ENOMEM, TENON_STAGE_INIT, p->display_name, p->path, NULL,
                           "plugin %s %s of the new code failed: out of memory",
                           p->display_name, what);
    if (e->code != 0 && e->stage == TENON_STAGE_INIT && strcmp(e->plugin, p->display_name) == 0)
        return tenon__fail(TENON_EINIT, TENON_STAGE_INIT, p->display_name, p->path, e->hint,
                           "plugin %s %s of the new code failed: %s (the old code stays)",
                           p->display_name, what, e->message);
    return tenon__fail(TENON_EINIT, TENON_STAGE_INIT, p->display_name, p->path,
                       "the plugin's log messages may say more",
                       "plugin %s %s of the new code failed with code %d (%s); the old code "
                       "stays",
                       p->display_name, what, rc, tenon_err_name(rc));
}

/* Runs one generation's fini, unless its state went to newer code, with
 * this thread pointed at the generation's own data and options. */
static void fini_generation(tenon__generation *g)
{
    tenon_plugin *p = g->plugin;
    if (!g->migrated && g->entry && g->entry->fini) {
        tenon__redirect_plugin(p, &g->data, g->values);
        g->entry->fini(p);
        tenon__redirect_plugin(NULL, NULL, NULL);
    }
}

/* Finis (unless done) and unmaps one generation. Lock not held. */
static void close_generation(tenon__generation *g)
{
    if (!g->finied)
        fini_generation(g);
    tenon__close_handle(g->dl);
    tenon_values_free(g->values);
    tenon__free(g);
}

void tenon__generation_released(tenon_plugin *p, uint64_t gen)
{
    for (size_t i = 0; i < p->n_holders; i++)
        if (p->holders[i].gen == gen)
            return;
    for (tenon__generation **at = &p->old_gens; *at; at = &(*at)->next) {
        tenon__generation *g = *at;
        if (g->gen != gen)
            continue;
        if (g->pinned || g->n_instances || g->finied)
            return;
        *at = g->next;
        g->next = p->reg->dead_gens;
        p->reg->dead_gens = g;
        return;
    }
}

void tenon__generations_reap(tenon_registry *reg)
{
    for (;;) {
        tenon__lock(reg);
        tenon__generation *g = reg->dead_gens;
        if (g)
            reg->dead_gens = g->next;
        tenon__unlock(reg);
        if (!g)
            return;
        close_generation(g);
    }
}

void tenon__generation_unpin(tenon_plugin *p, uint64_t gen)
{
    p->n_instances--;
    if (gen == p->gen) {
        p->gen_instances--;
        return;
    }
    for (tenon__generation *g = p->old_gens; g; g = g->next) {
        if (g->gen == gen) {
            g->n_instances--;
            break;
        }
    }
    tenon__generation_released(p, gen);
}

void tenon__generations_fini_all(tenon_plugin *p)
{
    /* Marked first, so that the release of an instance one of these finis
     * frees (an instance the generation made of its own plugin) does not
     * unmap the code that is running. Nothing else changes the list: a
     * reload waits for load_lock, and released generations stay on it. */
    tenon__lock(p->reg);
    for (tenon__generation *g = p->old_gens; g; g = g->next)
        g->finied = true;
    tenon__generation *first = p->old_gens;
    tenon__unlock(p->reg);
    for (tenon__generation *g = first; g; g = g->next)
        fini_generation(g);
}

void tenon__generations_drop_all(tenon_plugin *p)
{
    tenon__lock(p->reg);
    tenon__generation *g = p->old_gens;
    p->old_gens = NULL;
    tenon__unlock(p->reg);
    while (g) {
        tenon__generation *next = g->next;
        close_generation(g);
        g = next;
    }
    tenon__generations_reap(p->reg);
}

/* Why name cannot be reloaded now, or 0. Lock held. */
static int check_reloadable(tenon_registry *reg, const char *name, tenon_plugin **out)
{
    tenon_plugin *p = tenon__map_get(&reg->by_name, name);
    *out = p;
    if (!p)
        return tenon__no_plugin_named(reg, TENON_STAGE_LOAD, name, NULL);
    if (p->static_entry)
        return tenon__fail(TENON_ESTATE, TENON_STAGE_LOAD, name, NULL,
                           "static plugins are part of the host: rebuild the host",
                           "plugin %s is linked into the host and cannot be reloaded", name);
    if (p->state != TENON__LOADED)
        return tenon__fail(TENON_ESTATE, TENON_STAGE_LOAD, name, p->path,
                           "load it: a load takes the file now on disk",
                           "plugin %s is not loaded, so there is nothing to reload", name);
    if (!(p->desc->flags & TENON_PLUGIN_UNLOADABLE))
        return tenon__fail(TENON_ENOTUNLOADABLE, TENON_STAGE_LOAD, name, p->path,
                           "a plugin that supports unloading and reloading declares "
                           ".flags = TENON_PLUGIN_UNLOADABLE; restart the host to use the "
                           "new file",
                           "plugin %s is resident: it does not declare that its code can be "
                           "replaced",
                           name);
    return 0;
}

/* Makes the new code p's current generation. Lock held. */
static void switch_code(tenon_plugin *p, tenon__new_code *nc, tenon_values *values, void *data,
                        tenon__generation *old)
{
    tenon_registry *reg = p->reg;
    /* The instances made so far stay on the old code. */
    *old = (tenon__generation){.gen = p->gen,
                               .dl = p->dl,
                               .entry = p->entry,
                               .values = p->values,
                               .data = p->plugin_data,
                               .n_instances = p->gen_instances,
                               .migrated = has_migrate(nc->entry),
                               .plugin = p};
    p->gen_instances = 0;
    p->dl = nc->dl;
    p->entry = nc->entry;
    p->values = values;
    p->plugin_data = data;
    p->gen++;
    tenon__retire(reg, p->desc);
    p->desc = nc->desc;
    nc->desc = NULL;
    p->dev = nc->st.st_dev;
    p->ino = nc->st.st_ino;
    p->size = nc->st.st_size;
    p->mtime_ns = (int64_t)nc->st.st_mtim.tv_sec * 1000000000 + nc->st.st_mtim.tv_nsec;
    p->ctime_ns = (int64_t)nc->st.st_ctim.tv_sec * 1000000000 + nc->st.st_ctim.tv_nsec;
    p->read_ns = tenon__now_ns();
    p->keyed = true;
    p->desc_from_cache = false;
    p->check = TENON_CHECK_NONE;
    p->checked_ns = 0;
    tenon__retire(reg, p->check_error);
    p->check_error = NULL;
    /* The notes that a newer file exists, or that the file was removed,
     * are about the code just replaced. */
    p->newer_file = false;
    p->removed = false;
    tenon__retire(reg, p->error);
    p->error = NULL;
    /* The new requires, all loaded (check_deps); p->deps has room. */
    p->n_deps = 0;
    for (size_t i = 0; p->deps && i < p->desc->n_deps; i++) {
        tenon_plugin *d = tenon__map_get(&reg->by_name, p->desc->deps[i].name);
        if (d)
            p->deps[p->n_deps++] = d;
    }
}

int tenon_plugin_reload(tenon_registry *reg, const char *name, unsigned flags)
{
    TENON__CHECK_ARG(reg, TENON_STAGE_LOAD, "reg is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(name, TENON_STAGE_LOAD, "name is NULL", TENON_EINVAL);
    if (flags)
        return tenon__fail(TENON_EINVAL, TENON_STAGE_LOAD, name, NULL, "pass 0",
                           "tenon_plugin_reload: unknown flags 0x%x", flags);
    pthread_mutex_lock(&reg->load_lock);
    tenon_plugin *p;
    tenon__lock(reg);
    int rc = check_reloadable(reg, name, &p);
    tenon__unlock(reg);
    if (rc < 0) {
        pthread_mutex_unlock(&reg->load_lock);
        return rc;
    }

    tenon__stage(p, TENON_STAGE_VERIFY);
    tenon__new_code nc;
    rc = tenon__load_generation(p, &nc);
    if (rc == 1) {
        pthread_mutex_unlock(&reg->load_lock);
        tenon__log(reg, TENON_LOG_DEBUG, p->display_name,
                   "%s is the file already loaded: nothing to reload", p->path);
        return 0;
    }
    tenon_values *values = NULL;
    tenon_plugin **deps = NULL;
    if (rc == 0) {
        tenon__lock(reg);
        rc = check_deps(reg, p, nc.desc);
        /* The switch retires the descriptor, the check error and the
         * error: room for them now, so that it cannot run out. Scans and
         * loads, which also retire, wait for load_lock. */
        if (rc == 0)
            rc = tenon__retire_reserve(reg, 3);
        tenon__unlock(reg);
    }
    if (rc == 0)
        rc = tenon_values_check(nc.desc, p->config ? p->config : p->file_config, &values);
    if (rc == 0 && nc.desc->n_deps &&
        !(deps = tenon__calloc(nc.desc->n_deps, sizeof(tenon_plugin *))))
        rc = tenon__nomem(TENON_STAGE_LOAD, p->display_name);
    void *data = NULL;
    if (rc == 0)
        rc = start_new_code(p, nc.entry, values, p->plugin_data, &data);
    tenon__generation *old = rc == 0 ? tenon__calloc(1, sizeof(*old)) : NULL;
    if (rc == 0 && !old) {
        rc = tenon__nomem(TENON_STAGE_LOAD, p->display_name);
        /* The new code started: it is finied as the old one would be. */
        if (nc.entry->fini && !has_migrate(nc.entry)) {
            tenon__redirect_plugin(p, &data, values);
            nc.entry->fini(p);
            tenon__redirect_plugin(NULL, NULL, NULL);
        }
    }
    if (rc < 0) {
        tenon_error err = *tenon__error_tls();
        tenon_values_free(values);
        tenon__free(deps);
        tenon_descriptor_free(nc.desc);
        tenon__close_handle(nc.dl);
        pthread_mutex_unlock(&reg->load_lock);
        tenon__log(reg, TENON_LOG_INFO, p->display_name, "reload refused, %s %s stays: %s",
                   p->display_name, p->desc->version, err.message);
        return tenon__error_restore(&err);
    }

    char old_version[TENON_VERSION_MAX];
    tenon__strlcpy(old_version, p->desc->version, sizeof(old_version));
    tenon__lock(reg);
    tenon__free(p->deps);
    p->deps = deps;
    switch_code(p, &nc, values, data, old);
    bool held = false;
    for (size_t i = 0; i < p->n_holders && !held; i++)
        held = p->holders[i].gen == old->gen;
    old->pinned = tenon__required_by_loaded(reg, p);
    size_t kept_by = old->n_instances;
    if (held || kept_by || old->pinned) {
        old->next = p->old_gens;
        p->old_gens = old;
    } else {
        old->next = reg->dead_gens;
        reg->dead_gens = old;
    }
    tenon__unlock(reg);
    tenon__cache_changed(reg);
    tenon__generations_reap(reg);
    pthread_mutex_unlock(&reg->load_lock);
    tenon__log(reg, TENON_LOG_INFO, p->display_name, "reloaded %s %s -> %s from %s%s",
               p->display_name, old_version, p->desc->version, p->path,
               held || kept_by ? " (the old code stays until its holders release it and its "
                                 "instances are freed)"
                               : "");
    return 0;
}
