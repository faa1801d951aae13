/* Loading as a transaction, unloading only when nothing holds a plugin,
 * and fini in reverse dependency order. A failed load leaves the registry
 * as it was: every plugin loaded on the way (dependencies, and plugins an
 * init looked up) is finied and unloaded again, and holds taken by them
 * are released. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- Holders --------------------------------------------------------------- */

int tenon__holder_add(tenon_plugin *p, tenon_plugin *by, const char *name)
{
    /* A hold is of the code generation loaded now (reload.c). */
    for (size_t i = 0; i < p->n_holders; i++) {
        tenon__holder *h = &p->holders[i];
        if (h->by == by && h->gen == p->gen && strcmp(h->name, name) == 0) {
            h->count++;
            return 0;
        }
    }
    char *copy = tenon__strdup(name);
    if (!copy || tenon__grow((void **)&p->holders, &p->cap_holders, p->n_holders + 1,
                             sizeof(tenon__holder)) < 0) {
        tenon__free(copy);
        return tenon__nomem(TENON_STAGE_USE, p->display_name);
    }
    p->holders[p->n_holders++] = (tenon__holder){by, copy, 1, p->gen};
    return 0;
}

int tenon__holder_remove(tenon_plugin *p, tenon_plugin *by, const char *name)
{
    /* A holder that holds several generations (it took the new one
     * before letting go of the old, as moving to new tables goes) releases
     * the oldest first. */
    size_t found = p->n_holders;
    for (size_t i = 0; i < p->n_holders; i++) {
        tenon__holder *h = &p->holders[i];
        if (h->by == by && strcmp(h->name, name) == 0 &&
            (found == p->n_holders || h->gen < p->holders[found].gen))
            found = i;
    }
    if (found < p->n_holders) {
        tenon__holder *h = &p->holders[found];
        uint64_t gen = h->gen;
        if (--h->count == 0) {
            tenon__free(h->name);
            p->holders[found] = p->holders[--p->n_holders];
            if (gen != p->gen)
                tenon__generation_released(p, gen);
        }
        return 0;
    }
    return tenon__fail(TENON_EINVAL, TENON_STAGE_USE, p->display_name, NULL, NULL,
                       "plugin %s is not held by %s", p->display_name, name);
}

/* Drops every hold that plugin `by` has on other plugins. Lock held. */
static void release_holds_by(tenon_registry *reg, tenon_plugin *by)
{
    for (size_t i = 0; i < reg->n_plugins; i++) {
        tenon_plugin *p = reg->plugins[i];
        for (size_t k = 0; k < p->n_holders;) {
            if (p->holders[k].by == by) {
                uint64_t gen = p->holders[k].gen;
                tenon__free(p->holders[k].name);
                p->holders[k] = p->holders[--p->n_holders];
                if (gen != p->gen)
                    tenon__generation_released(p, gen);
            } else {
                k++;
            }
        }
    }
}

int tenon_plugin_hold(tenon_plugin *p, const char *holder)
{
    TENON__CHECK_ARG(p, TENON_STAGE_LOAD, "p is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(holder, TENON_STAGE_LOAD, "holder is NULL", TENON_EINVAL);
    tenon__lock(p->reg);
    int rc = p->state == TENON__LOADED
                 ? tenon__holder_add(p, NULL, holder)
                 : tenon__fail(TENON_ESTATE, TENON_STAGE_USE, p->display_name, p->path,
                               "load it first", "plugin %s is not loaded", p->display_name);
    tenon__unlock(p->reg);
    return rc;
}

int tenon_plugin_release(tenon_plugin *p, const char *holder)
{
    TENON__CHECK_ARG(p, TENON_STAGE_LOAD, "p is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(holder, TENON_STAGE_LOAD, "holder is NULL", TENON_EINVAL);
    tenon__lock(p->reg);
    int rc = tenon__holder_remove(p, NULL, holder);
    tenon__unlock(p->reg);
    tenon__generations_reap(p->reg);
    return rc;
}

void tenon__stage(tenon_plugin *p, tenon_stage stage)
{
    if (p->reg->stage_hook)
        p->reg->stage_hook(p->reg->stage_userdata, p, stage);
}

/* ---- Fini and unload ------------------------------------------------------- */

/* Finis p, frees what it made and left behind, and unloads its code.
 * load_lock held, registry lock not held (fini is plugin code, which may
 * call back into the registry). Registry teardown (teardown set) skips
 * what only a registry that lives on needs, dropping p's holds and
 * choosing again which plugin of each name is active: each walks every
 * plugin, which would make teardown quadratic. */
void tenon__plugin_fini_unload(tenon_plugin *p, bool teardown)
{
    tenon_registry *reg = p->reg;
    tenon__lock(reg);
    p->state = TENON__LOADING; /* in transition: invisible to lookups */
    tenon__unlock(reg);

    if (p->entry && p->entry->fini) {
        tenon__stage(p, TENON_STAGE_FINI);
        p->entry->fini(p);
    }
    /* Code a reload replaced and something kept (a loaded plugin requires
     * it, or it made an instance of its own plugin) is finied with it: it
     * too may free what it made. */
    tenon__generations_fini_all(p);
    /* Before its code goes: they may be instances of its own. */
    tenon__instances_free_owned(p);

    if (!teardown) {
        tenon__lock(reg);
        release_holds_by(reg, p);
        tenon__unlock(reg);
        tenon__generations_reap(reg);
    }

    tenon__unload_code(p);
    /* Earlier generations a reload kept go with it. */
    tenon__generations_drop_all(p);

    tenon__lock(reg);
    tenon_values_free(p->values);
    p->values = NULL;
    p->plugin_data = NULL;
    tenon__free(p->deps);
    p->deps = NULL;
    p->n_deps = 0;
    p->load_seq = 0;
    p->state = TENON__UNLOADED;
    p->status = TENON_STATUS_FOUND;
    /* A rescan found its file removed while it was loaded (rescan.c): its
     * note is now the reason it cannot load again. */
    if (p->removed)
        p->status = TENON_STATUS_BROKEN;
    if (!teardown)
        tenon__registry_select(reg);
    tenon__unlock(reg);
}

/* Names of what keeps p loaded, for the EBUSY message; "" if nothing.
 * Lock held. */
static void describe_holders(tenon_plugin *p, tenon__strbuf *sb)
{
    tenon_registry *reg = p->reg;
    for (size_t i = 0; i < p->n_holders; i++)
        tenon__sb_addf(sb, "%sheld by %s", sb->len ? ", " : "", p->holders[i].name);
    if (p->n_instances) {
        tenon__sb_addf(sb, "%s%zu instance%s", sb->len ? ", " : "", p->n_instances,
                       p->n_instances == 1 ? "" : "s");
        bool first = true;
        for (size_t i = 0; i < reg->n_instances; i++) {
            tenon_instance *inst = reg->instances[i];
            if (inst->plugin != p || (!inst->name && inst->made_by < TENON__MADE_BY_PLUGIN))
                continue;
            /* An instance a plugin or an instance made goes with its maker:
             * say which. */
            if (inst->name)
                tenon__sb_addf(sb, "%s%s", first ? " (" : ", ", inst->name);
            else if (inst->made_by == TENON__MADE_BY_PLUGIN)
                tenon__sb_addf(sb, "%sone made by plugin %s", first ? " (" : ", ",
                               inst->root->display_name);
            else
                tenon__sb_addf(sb, "%sone made by an instance of %s", first ? " (" : ", ",
                               inst->owner->plugin->display_name);
            first = false;
        }
        if (!first)
            tenon__sb_add(sb, ")");
    }
    for (size_t i = 0; i < reg->n_plugins; i++) {
        tenon_plugin *q = reg->plugins[i];
        if (q->state != TENON__LOADED)
            continue;
        for (size_t d = 0; d < q->n_deps; d++)
            if (q->deps[d] == p)
                tenon__sb_addf(sb, "%srequired by loaded plugin %s", sb->len ? ", " : "",
                               q->display_name);
    }
}

int tenon_plugin_unload(tenon_plugin *p)
{
    TENON__CHECK_ARG(p, TENON_STAGE_LOAD, "p is NULL", TENON_EINVAL);
    tenon_registry *reg = p->reg;
    pthread_mutex_lock(&reg->load_lock);
    tenon__lock(reg);
    int rc = 0;
    if (p->state != TENON__LOADED) {
        rc = tenon__fail(TENON_ESTATE, TENON_STAGE_UNLOAD, p->display_name, p->path, NULL,
                         "plugin %s is not loaded", p->display_name);
    } else if (p->static_entry) {
        rc = tenon__fail(TENON_ESTATE, TENON_STAGE_UNLOAD, p->display_name, NULL,
                         "static plugins are part of the host and stay loaded",
                         "plugin %s is linked into the host and cannot be unloaded",
                         p->display_name);
    } else if (!(p->desc->flags & TENON_PLUGIN_UNLOADABLE)) {
        rc = tenon__fail(TENON_ENOTUNLOADABLE, TENON_STAGE_UNLOAD, p->display_name, p->path,
                         "a plugin that supports unloading declares "
                         ".flags = TENON_PLUGIN_UNLOADABLE",
                         "plugin %s is resident: it does not declare that it can be unloaded",
                         p->display_name);
    } else {
        tenon__strbuf sb;
        tenon__sb_init(&sb);
        describe_holders(p, &sb);
        if (sb.len || sb.failed)
            rc = tenon__fail(TENON_EBUSY, TENON_STAGE_UNLOAD, p->display_name, p->path,
                             "free its instances and release its holders first",
                             "plugin %s is in use: %s", p->display_name, tenon__sb_str(&sb));
        tenon__sb_free(&sb);
    }
    /* In transition from here on, in the critical section that found it
     * unused: lookups of loaded plugins take only the registry lock, and
     * must not pin or hold it between this check and the fini. */
    if (rc == 0)
        p->state = TENON__LOADING;
    tenon__unlock(reg);
    if (rc == 0)
        tenon__plugin_fini_unload(p, false);
    pthread_mutex_unlock(&reg->load_lock);
    return rc;
}

/* ---- Load ------------------------------------------------------------------ */

/* Runs p's init. The plugin explains a failure with host->fail(); when it
 * did not, the error says what init returned. */
static int run_init(tenon_plugin *p)
{
    if (!p->entry->init)
        return 0;
    tenon__stage(p, TENON_STAGE_INIT);
    tenon_error *e = tenon__error_tls();
    e->code = 0;
    int rc = p->entry->init(p, &tenon__host_api);
    if (rc == 0)
        return 0;
    /* Out of memory (often a host->interface lookup that ran out) stays
     * TENON_ENOMEM: it is not the plugin's fault, and must not record the
     * plugin as broken. */
    if (rc == TENON_ENOMEM)
        return tenon__fail(TENON_ENOMEM, TENON_STAGE_INIT, p->display_name, p->path, NULL,
                           "plugin %s init failed: out of memory", p->display_name);
    if (e->code != 0 && e->stage == TENON_STAGE_INIT && strcmp(e->plugin, p->display_name) == 0)
        return tenon__fail(TENON_EINIT, TENON_STAGE_INIT, p->display_name, p->path, e->hint,
                           "plugin %s init failed: %s", p->display_name, e->message);
    return tenon__fail(TENON_EINIT, TENON_STAGE_INIT, p->display_name, p->path,
                       "the plugin's log messages may say more",
                       "plugin %s init failed with code %d (%s)", p->display_name, rc,
                       tenon_err_name(rc));
}

/* The plugins that satisfied p's requires. Lock held. */
static int record_deps(tenon_plugin *p)
{
    if (!p->desc->n_deps)
        return 0;
    p->deps = tenon__calloc(p->desc->n_deps, sizeof(tenon_plugin *));
    if (!p->deps)
        return tenon__nomem(TENON_STAGE_LOAD, p->display_name);
    for (size_t i = 0; i < p->desc->n_deps; i++) {
        tenon_plugin *d = tenon__map_get(&p->reg->by_name, p->desc->deps[i].name);
        if (d)
            p->deps[p->n_deps++] = d;
    }
    return 0;
}

/* Loads one plugin whose dependencies are loaded. */
static int load_one(tenon_plugin *p)
{
    tenon_registry *reg = p->reg;
    tenon__stage(p, TENON_STAGE_LOAD);
    int rc = tenon__load_code(p);
    if (rc < 0)
        return rc;
    tenon_values *values = NULL;
    rc = tenon_values_check(p->desc, p->config ? p->config : p->file_config, &values);
    if (rc < 0) {
        tenon__unload_code(p);
        return rc;
    }
    tenon__lock(reg);
    p->values = values;
    rc = record_deps(p);
    tenon__unlock(reg);
    if (rc == 0)
        rc = run_init(p);
    if (rc < 0) {
        /* A failing init leaves nothing behind, not even instances it made
         * and did not free. */
        tenon__instances_free_owned(p);
        tenon__lock(reg);
        release_holds_by(reg, p);
        tenon_values_free(p->values);
        p->values = NULL;
        tenon__free(p->deps);
        p->deps = NULL;
        p->n_deps = 0;
        p->plugin_data = NULL;
        tenon__unlock(reg);
        tenon__generations_reap(reg);
        tenon__unload_code(p);
        return rc;
    }
    tenon__lock(reg);
    p->state = TENON__LOADED;
    p->status = TENON_STATUS_LOADED;
    p->load_seq = ++reg->load_counter;
    tenon__unlock(reg);
    tenon__log(reg, TENON_LOG_DEBUG, p->display_name, "loaded %s %s from %s", p->display_name,
               p->desc->version, p->path ? p->path : "the host (static)");
    return 0;
}

bool tenon__required_by_loaded(const tenon_registry *reg, const tenon_plugin *p)
{
    for (size_t i = 0; i < reg->n_plugins; i++) {
        const tenon_plugin *q = reg->plugins[i];
        if (q == p || q->state != TENON__LOADED)
            continue;
        for (size_t d = 0; d < q->n_deps; d++)
            if (q->deps[d] == p)
                return true;
    }
    return false;
}

/* Undoes every load since start_seq that nothing outside the transaction
 * has come to depend on, newest first. Newer plugins of the transaction go
 * first and drop their holds as they go, so whatever still holds or
 * requires a plugin when its turn comes is outside the transaction (or
 * kept because of it: another thread's instance), and keeps it loaded. */
static void rollback(tenon_registry *reg, uint64_t start_seq)
{
    for (;;) {
        tenon_plugin *last = NULL;
        tenon__lock(reg);
        for (size_t i = 0; i < reg->n_plugins; i++) {
            tenon_plugin *q = reg->plugins[i];
            if (q->state == TENON__LOADED && q->load_seq > start_seq && q->n_instances == 0 &&
                q->n_holders == 0 && (!last || q->load_seq > last->load_seq) &&
                !tenon__required_by_loaded(reg, q))
                last = q;
        }
        /* In transition from here on, as in tenon_plugin_unload: nobody
         * may pin or hold it between this check and its fini. */
        if (last)
            last->state = TENON__LOADING;
        tenon__unlock(reg);
        if (!last)
            return;
        tenon__plugin_fini_unload(last, false);
    }
}

int tenon__plugin_load_locked(tenon_plugin *p)
{
    tenon_registry *reg = p->reg;
    tenon__lock(reg);
    if (p->state == TENON__LOADED) {
        tenon__unlock(reg);
        return 0;
    }
    if (p->state == TENON__LOADING) {
        tenon__unlock(reg);
        return tenon__fail(TENON_ESTATE, TENON_STAGE_LOAD, p->display_name, p->path,
                           "a plugin's init may only use plugins it lists in its requires",
                           "plugin %s is itself being loaded (looked up during its own load "
                           "transaction)",
                           p->display_name);
    }
    if (!p->desc || !tenon__plugin_usable(p)) {
        int rc = tenon__plugin_unusable_error(p, TENON_STAGE_LOAD);
        tenon__unlock(reg);
        return rc;
    }
    tenon_plugin **order;
    size_t n;
    int rc = tenon__resolve(reg, p, &order, &n);
    if (rc < 0) {
        tenon__unlock(reg);
        return rc;
    }
    for (size_t i = 0; i < n; i++)
        order[i]->state = TENON__LOADING;
    uint64_t start_seq = reg->load_counter;
    tenon__unlock(reg);

    size_t failed_at = n;
    for (size_t i = 0; i < n; i++) {
        if ((rc = load_one(order[i])) < 0) {
            failed_at = i;
            break;
        }
    }
    if (failed_at < n) {
        tenon_plugin *bad = order[failed_at];
        tenon_error err = *tenon__error_tls();
        tenon__lock(reg);
        for (size_t i = failed_at; i < n; i++)
            order[i]->state = TENON__UNLOADED;
        /* A failure of the plugin itself is remembered so listings show it
         * and later loads fail fast; running out of memory is not the
         * plugin's fault. */
        if (rc != TENON_ENOMEM && rc != TENON_ECACHE) {
            tenon__error_restore(&err);
            tenon__plugin_set_error(bad, TENON_STATUS_BROKEN);
        }
        tenon__unlock(reg);
        rollback(reg, start_seq);
        tenon__lock(reg);
        tenon__registry_select(reg);
        tenon__unlock(reg);
        tenon__error_restore(&err);
        if (bad != p && rc != TENON_ENOMEM) {
            tenon_error *e = tenon__error_tls();
            char msg[TENON_ERROR_TEXT_MAX];
            tenon__strlcpy(msg, e->message, sizeof(msg));
            tenon__fail(rc, e->stage, e->plugin, e->path, e->hint, "%s (needed by %s)", msg,
                        p->display_name);
        }
    }
    tenon__free(order);
    /* The loader replaced a descriptor from the registry cache (or from an
     * older file) with the file's own, which changes what to load: choose
     * again. Each retry follows a change of a file, so a few suffice. */
    static _Thread_local unsigned retries;
    if (rc == TENON_ECACHE && retries < 4) {
        retries++;
        rc = tenon__plugin_load_locked(p);
        retries--;
    }
    return rc;
}

int tenon_plugin_load(tenon_plugin *p)
{
    TENON__CHECK_ARG(p, TENON_STAGE_LOAD, "p is NULL", TENON_EINVAL);
    pthread_mutex_lock(&p->reg->load_lock);
    int rc = tenon__plugin_load_locked(p);
    pthread_mutex_unlock(&p->reg->load_lock);
    return rc;
}

int tenon_registry_load(tenon_registry *reg, const char *name, tenon_plugin **out)
{
    if (out)
        *out = NULL;
    TENON__CHECK_ARG(reg, TENON_STAGE_LOAD, "reg is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(name, TENON_STAGE_LOAD, "name is NULL", TENON_EINVAL);
    tenon_plugin *p = tenon_registry_find(reg, name);
    if (!p) {
        /* Perhaps only broken or incompatible files carry that name. */
        tenon__lock(reg);
        for (size_t i = 0; i < reg->n_plugins && !p; i++)
            if (strcmp(reg->plugins[i]->display_name, name) == 0)
                p = reg->plugins[i];
        int rc = p ? tenon__plugin_unusable_error(p, TENON_STAGE_LOAD)
                   : tenon__no_plugin_named(reg, TENON_STAGE_LOAD, name,
                                            "check the name with `tenon list`, or add the "
                                            "folder that holds it to the search path");
        tenon__unlock(reg);
        return rc;
    }
    int rc = tenon_plugin_load(p);
    if (rc == 0 && out)
        *out = p;
    return rc;
}

int tenon_registry_load_all(tenon_registry *reg, const char *iface)
{
    TENON__CHECK_ARG(reg, TENON_STAGE_LOAD, "reg is NULL", TENON_EINVAL);
    size_t n = tenon_registry_count(reg);
    int failed = 0;
    for (size_t i = 0; i < n; i++) {
        tenon_plugin *p = tenon_registry_at(reg, i);
        tenon__lock(reg);
        bool want = p->state == TENON__UNLOADED && p->status == TENON_STATUS_FOUND &&
                    (!iface || tenon__provides(p, iface, 0));
        tenon__unlock(reg);
        if (!want)
            continue;
        int rc = tenon_plugin_load(p);
        if (rc == TENON_ENOMEM)
            return rc;
        if (rc < 0) {
            failed++;
            char line[TENON_ERROR_TEXT_MAX * 2];
            tenon_error_format(tenon_last_error(), line, sizeof(line));
            tenon__log(reg, TENON_LOG_WARN, p->display_name, "%s", line);
        }
    }
    return failed;
}
