/* What a configuration does: the plan (from descriptors only, so `tenon
 * list --config` can show it without running plugin code) and applying it.
 * Apply follows the plan, so what the listing shows is what happens; every
 * failure the plan can find is found before the first plugin loads. */
#include "config_plan_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *tenon_plan_action_name(tenon_plan_action action)
{
    switch (action) {
    case TENON_PLAN_LOAD:
        return "load";
    case TENON_PLAN_ON_DEMAND:
        return "on demand";
    case TENON_PLAN_SKIP:
        return "skip";
    case TENON_PLAN_FAIL:
        return "fail";
    }
    return "unknown";
}

void tenon_plan_free(tenon_plan *plan)
{
    if (!plan)
        return;
    for (size_t i = 0; i < plan->n_items; i++) {
        tenon__free(plan->items[i].name);
        tenon__free(plan->items[i].reason);
        tenon__free(plan->items[i].origin);
        tenon__free(plan->items[i].error);
    }
    for (size_t i = 0; i < plan->n_insts; i++) {
        tenon__free(plan->insts[i].reason);
        tenon__free(plan->insts[i].origin);
        tenon__free(plan->insts[i].error);
    }
    tenon__free(plan->items);
    tenon__free(plan->insts);
    tenon__free(plan);
}

size_t tenon_plan_count(const tenon_plan *plan)
{
    return plan ? plan->n_items : 0;
}

const tenon_plan_item *tenon_plan_at(const tenon_plan *plan, size_t i)
{
    return plan && i < plan->n_items ? &plan->items[i].pub : NULL;
}

size_t tenon_plan_instance_count(const tenon_plan *plan)
{
    return plan ? plan->n_insts : 0;
}

const tenon_plan_instance *tenon_plan_instance_at(const tenon_plan *plan, size_t i)
{
    return plan && i < plan->n_insts ? &plan->insts[i].pub : NULL;
}

const tenon_error *tenon_plan_stop_error(const tenon_plan *plan)
{
    for (size_t i = 0; plan && i < plan->n_items; i++)
        if (plan->items[i].pub.stops)
            return plan->items[i].pub.error;
    for (size_t i = 0; plan && i < plan->n_insts; i++)
        if (plan->insts[i].pub.stops)
            return plan->insts[i].pub.error;
    return NULL;
}

/* ---- Building -------------------------------------------------------------- */

static int nomem(void)
{
    return tenon__nomem(TENON_STAGE_CONFIG, NULL);
}

char *tenon__plan_vreason(const char *fmt, va_list ap)
{
    char reason[TENON_ERROR_TEXT_MAX + 64];
    vsnprintf(reason, sizeof(reason), fmt, ap);
    return tenon__strdup(reason);
}

/* Adds an item; with keep_error, the thread's last error becomes its error. */
static int add_item(tenon_plan *plan, tenon_plan_action action, const char *name,
                    tenon_plugin *p, const char *origin, bool keep_error, const char *fmt, ...)
    TENON_PRINTF(7, 8);

static int add_item(tenon_plan *plan, tenon_plan_action action, const char *name,
                    tenon_plugin *p, const char *origin, bool keep_error, const char *fmt, ...)
{
    if (tenon__grow((void **)&plan->items, &plan->cap_items, plan->n_items + 1,
                    sizeof(plan_item)) < 0)
        return nomem();
    plan_item *it = &plan->items[plan->n_items];
    *it = (plan_item){.seq = plan->n_items, .group = action == TENON_PLAN_LOAD ? 0 : 2};
    it->name = tenon__strdup(name);
    va_list ap;
    va_start(ap, fmt);
    it->reason = tenon__plan_vreason(fmt, ap);
    va_end(ap);
    it->origin = tenon__strdup(origin ? origin : "");
    it->error = keep_error ? tenon__error_dup_last() : NULL;
    plan->n_items++; /* counted now so tenon_plan_free frees what was made */
    if (!it->name || !it->reason || !it->origin || (keep_error && !it->error))
        return nomem();
    it->pub = (tenon_plan_item){sizeof(tenon_plan_item),
                                action,
                                it->name,
                                p,
                                it->reason,
                                it->origin,
                                it->error,
                                false,
                                NULL};
    return 0;
}

static void merge_policy(tenon__cfg_policy *into, const tenon__cfg_policy *p)
{
    into->required = into->required || p->required;
    if (p->on_error < into->on_error) /* FAIL < WARN < SKIP: the strictest wins */
        into->on_error = p->on_error;
}

static bool stops(const tenon__cfg_policy *policy, bool absent)
{
    return absent ? policy->required : policy->on_error == TENON_ON_ERROR_FAIL;
}

/* Fails m: the thread's last error is the reason. */
static int mod_fail(mod *m, bool absent, const char *reason_fmt, ...) TENON_PRINTF(3, 4);

static int mod_fail(mod *m, bool absent, const char *reason_fmt, ...)
{
    m->failed = !absent || m->policy.required;
    m->absent = absent;
    m->error = tenon__error_dup_last();
    va_list ap;
    va_start(ap, reason_fmt);
    m->reason = tenon__plan_vreason(reason_fmt, ap);
    va_end(ap);
    return m->error && m->reason ? 0 : nomem();
}

static const char *file_of(const tenon_plugin *p)
{
    return p && p->path ? p->path : "a static plugin";
}

/* A record named name that failed scanning (broken or incompatible), or
 * NULL. */
static tenon_plugin *broken_named(tenon_registry *reg, const char *name)
{
    for (size_t i = 0; i < reg->n_plugins; i++) {
        tenon_plugin *p = reg->plugins[i];
        if (strcmp(p->display_name, name) == 0 &&
            (p->status == TENON_STATUS_BROKEN || p->status == TENON_STATUS_INCOMPATIBLE))
            return p;
    }
    return NULL;
}

/* The static checks of one module: is it there, is it the right one, do
 * its own options fit its schema. Lock held. */
static int check_module(tenon_registry *reg, const tenon__config *cfg, mod *m)
{
    const tenon__cfg_entry *e = m->first;
    tenon_plugin *p = tenon__map_get(&reg->by_name, m->module);
    m->p = p;
    if (!p) {
        tenon_plugin *bad = broken_named(reg, m->module);
        if (bad) {
            m->p = bad;
            if (bad->error)
                tenon__error_restore(bad->error);
            else
                tenon__plugin_unusable_error(bad, TENON_STAGE_CONFIG);
            return mod_fail(m, false, "failed: %s", tenon_last_error()->message);
        }
        tenon__strbuf sb;
        tenon__sb_init(&sb);
        tenon__sb_add(&sb, "install it, or add its folder to plugin_path (searched: ");
        for (size_t i = 0; i < reg->n_dirs; i++)
            tenon__sb_addf(&sb, "%s%s", i ? ", " : "", reg->dirs[i].path);
        tenon__sb_add(&sb, reg->n_dirs ? ")" : "no folders)");
        tenon__config_fail(cfg, e->module_pos, TENON_ENOTFOUND, m->module, tenon__sb_str(&sb),
                           "plugins[%zu]: no plugin named %s is installed", e->index,
                           m->module);
        tenon__sb_free(&sb);
        return mod_fail(m, true, "not installed");
    }
    if (p->status == TENON_STATUS_OVERRIDDEN) {
        tenon__config_fail(cfg, e->module_pos, TENON_EOVERRIDDEN, m->module,
                           "disable the overriding plugin, or configure it instead",
                           "plugins[%zu]: plugin %s is overridden by %s, so its code never "
                           "runs",
                           e->index, m->module,
                           p->shadowed_by ? p->shadowed_by->display_name : "another plugin");
        return mod_fail(m, true, "overridden by %s",
                        p->shadowed_by ? p->shadowed_by->display_name : "another plugin");
    }
    if (p->status == TENON_STATUS_DISABLED) { /* cannot happen: an entry enables it */
        tenon__plugin_unusable_error(p, TENON_STAGE_CONFIG);
        return mod_fail(m, true, "disabled");
    }
    if (m->version && tenon_semver_satisfies(p->desc->version, m->version) != 1) {
        tenon__config_fail(cfg, e->version_pos.line ? e->version_pos : e->pos, TENON_EVERSION,
                           m->module, "install a version in the range, or change the range",
                           "plugins[%zu].version: plugin %s is version %s (%s), outside %s",
                           e->index, m->module, p->desc->version, file_of(p), m->version);
        return mod_fail(m, false, "failed: %s", tenon_last_error()->message);
    }
    if (tenon__plan_check_options(cfg, m->own, e, p->desc) < 0) {
        if (tenon_last_error()->code == TENON_ENOMEM)
            return TENON_ENOMEM;
        return mod_fail(m, false, "failed: %s", tenon_last_error()->message);
    }
    return 0;
}

static bool in_list(tenon_plugin *const *list, size_t n, const tenon_plugin *p)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == p)
            return true;
    return false;
}

static mod *mod_of(mod *mods, size_t n, const tenon_plugin *p)
{
    for (size_t i = 0; i < n; i++)
        if (mods[i].p == p)
            return &mods[i];
    return NULL;
}

/* Why p, a dependency in order[0..n), loads: the first plugin after it in
 * the order that requires it. */
static const char *required_by(tenon_plugin *const *order, size_t n, const tenon_plugin *p)
{
    for (size_t i = 0; i < n; i++) {
        const tenon_plugin_desc *d = order[i]->desc;
        for (size_t k = 0; d && k < d->n_deps; k++)
            if (strcmp(d->deps[k].name, p->desc->name) == 0)
                return order[i]->display_name;
    }
    return "another plugin";
}

/* Why p, not loaded by the configuration, is what it is. */
static int add_other(tenon_plan *plan, const tenon__config *cfg, tenon_plugin *p)
{
    const char *name = p->display_name;
    switch (p->status) {
    case TENON_STATUS_SHADOWED:
        return add_item(plan, TENON_PLAN_SKIP, name, p, NULL, false, "shadowed by %s",
                        file_of(p->shadowed_by));
    case TENON_STATUS_OVERRIDDEN:
        return add_item(plan, TENON_PLAN_SKIP, name, p, NULL, false, "overridden by %s",
                        p->shadowed_by ? p->shadowed_by->display_name : "another plugin");
    case TENON_STATUS_BROKEN:
    case TENON_STATUS_INCOMPATIBLE:
        if (p->error)
            tenon__error_restore(p->error);
        else
            tenon__plugin_unusable_error(p, TENON_STAGE_CONFIG);
        return add_item(plan, TENON_PLAN_FAIL, name, p, NULL, true, "failed: %s",
                        tenon_last_error()->message);
    case TENON_STATUS_LOADED:
        return add_item(plan, TENON_PLAN_ON_DEMAND, name, p, NULL, false, "already loaded");
    case TENON_STATUS_DISABLED:
    case TENON_STATUS_FOUND: {
        tenon__cfg_decision d = tenon__config_decide(cfg, p->desc->name, p->desc->flags);
        if (d.enabled)
            return add_item(plan, TENON_PLAN_ON_DEMAND, name, p,
                            d.source == TENON__CFG_RULE ? d.rule->origin : NULL, false,
                            d.source == TENON__CFG_RULE ? "enabled by config"
                                                        : "enabled by default");
        if (d.source == TENON__CFG_DEFAULT_FLAG)
            return add_item(plan, TENON_PLAN_SKIP, name, p, NULL, false, "disabled by default");
        return add_item(plan, TENON_PLAN_SKIP, name, p,
                        d.source == TENON__CFG_RULE ? d.rule->origin : cfg->default_origin,
                        false, "disabled by config");
    }
    }
    return 0;
}

static int compare_items(const void *a, const void *b)
{
    const plan_item *x = a, *y = b;
    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* One build of the plan: the configured modules and the plugins that load. */
typedef struct planner {
    tenon_registry *reg;
    const tenon__config *cfg;
    tenon_plan *plan;
    mod *mods;
    size_t n_mods;
    tenon_plugin **loads; /* in load order */
    size_t n_loads;
} planner;

/* 1. The configured modules, in file order, with their entries merged. */
static int collect_modules(planner *pl)
{
    const tenon__config *cfg = pl->cfg;
    size_t n_entries = cfg ? cfg->n_entries : 0;
    int rc = 0;
    tenon__map seen;
    tenon__map_init(&seen);
    for (size_t i = 0; i < n_entries && rc == 0; i++) {
        const tenon__cfg_entry *e = &cfg->entries[i];
        if (e->glob || !e->enabled)
            continue;
        mod *m = tenon__map_get(&seen, e->module);
        if (!m) {
            m = &pl->mods[pl->n_mods++];
            *m = (mod){.module = e->module, .first = e, .policy = e->policy};
            if (tenon__map_put(&seen, e->module, m) < 0)
                rc = nomem();
        } else {
            merge_policy(&m->policy, &e->policy);
        }
        if (!e->name)
            m->own = e;
        if (e->version)
            m->version = e->version;
    }
    tenon__map_free(&seen);
    return rc;
}

/* The item just added is configured module m's. */
static plan_item *mark_configured(tenon_plan *plan, const mod *m)
{
    plan_item *it = &plan->items[plan->n_items - 1];
    it->configured = true;
    it->policy = m->policy;
    it->pub.options = m->own ? m->own->options : NULL;
    return it;
}

/* A dependency in m's order[0..*n) that is itself a failing configured
 * module fails m too: loading would load it with the options that fail.
 * Then *n becomes 0: nothing of the order loads. */
static int fail_on_failing_dependency(planner *pl, mod *m, tenon_plugin *const *order,
                                      size_t *n)
{
    int rc = 0;
    for (size_t k = 0; k + 1 < *n && rc == 0; k++) {
        mod *dm = mod_of(pl->mods, pl->n_mods, order[k]);
        if (dm && dm->failed) {
            tenon__fail(TENON_EMISSINGDEP, TENON_STAGE_RESOLVE, m->module, m->p->path,
                        dm->error ? dm->error->message : NULL,
                        "plugin %s requires %s, which fails", m->module, dm->module);
            rc = mod_fail(m, false, "failed: %s", tenon_last_error()->message);
            *n = 0;
        }
    }
    return rc;
}

/* Appends order[0..n) to the loads, without repeats, an item for each. */
static int add_loads(planner *pl, tenon_plugin *const *order, size_t n)
{
    int rc = 0;
    for (size_t k = 0; k < n && rc == 0; k++) {
        tenon_plugin *q = order[k];
        if (in_list(pl->loads, pl->n_loads, q))
            continue;
        pl->loads[pl->n_loads++] = q;
        mod *qm = mod_of(pl->mods, pl->n_mods, q);
        if (qm) {
            rc = add_item(pl->plan, TENON_PLAN_LOAD, q->display_name, q, qm->first->origin,
                          false, "enabled by config");
            if (rc == 0)
                mark_configured(pl->plan, qm);
        } else {
            rc = add_item(pl->plan, TENON_PLAN_LOAD, q->display_name, q, NULL, false,
                          "required by %s", required_by(order, n, q));
        }
    }
    return rc;
}

/* 3. What loads for module m: its dependency order. Each module's order,
 *    appended without repeats, is an order of the whole (dependencies
 *    always come first). */
static int plan_module_loads(planner *pl, mod *m)
{
    tenon_plugin **order = NULL;
    size_t n = 0;
    int rrc = m->p->state == TENON__UNLOADED ? tenon__resolve(pl->reg, m->p, &order, &n) : 0;
    if (rrc == TENON_ENOMEM)
        return rrc;
    if (rrc < 0)
        return mod_fail(m, false, "failed: %s", tenon_last_error()->message);
    int rc = fail_on_failing_dependency(pl, m, order, &n);
    if (rc == 0)
        rc = add_loads(pl, order, n);
    if (n == 0 && !m->failed && rc == 0) { /* loaded already */
        rc = add_item(pl->plan, TENON_PLAN_LOAD, m->module, m->p, m->first->origin, false,
                      "enabled by config (loaded)");
        if (rc == 0) {
            mark_configured(pl->plan, m);
            if (!in_list(pl->loads, pl->n_loads, m->p))
                pl->loads[pl->n_loads++] = m->p;
        }
    }
    tenon__free(order);
    return rc;
}

/* 4. Configured modules that do not load, in file order. */
static int plan_modules_not_loading(planner *pl)
{
    int rc = 0;
    for (size_t i = 0; i < pl->n_mods && rc == 0; i++) {
        mod *m = &pl->mods[i];
        if (!m->failed && !m->absent)
            continue;
        tenon__error_restore(m->error);
        bool stop = stops(&m->policy, m->absent);
        rc = add_item(pl->plan, m->failed ? TENON_PLAN_FAIL : TENON_PLAN_SKIP, m->module, m->p,
                      m->first->origin, true, "%s%s", m->reason,
                      m->absent && !m->policy.required ? " (not required)"
                      : m->failed && !stop             ? tenon__plan_going_on(&m->policy)
                                                       : "");
        if (rc == 0) {
            plan_item *it = mark_configured(pl->plan, m);
            it->group = 1;
            it->pub.stops = stop;
        }
    }
    return rc;
}

/* 5. Every other plugin known. */
static int plan_others(planner *pl)
{
    int rc = 0;
    for (size_t i = 0; i < pl->reg->n_plugins && rc == 0; i++) {
        tenon_plugin *p = pl->reg->plugins[i];
        if (in_list(pl->loads, pl->n_loads, p) || mod_of(pl->mods, pl->n_mods, p))
            continue;
        rc = add_other(pl->plan, pl->cfg, p);
    }
    return rc;
}

static void planner_free(planner *pl)
{
    for (size_t i = 0; i < pl->n_mods; i++) {
        tenon__free(pl->mods[i].error);
        tenon__free(pl->mods[i].reason);
    }
    tenon__free(pl->mods);
    tenon__free(pl->loads);
}

/* Builds the plan. Lock held. */
static int build(tenon_registry *reg, tenon_plan *plan)
{
    const tenon__config *cfg = reg->config;
    size_t n_entries = cfg ? cfg->n_entries : 0;
    planner pl = {.reg = reg, .cfg = cfg, .plan = plan};
    pl.mods = tenon__calloc(n_entries ? n_entries : 1, sizeof(mod));
    pl.loads = tenon__calloc(reg->n_plugins + 1, sizeof(tenon_plugin *));
    if (!pl.mods || !pl.loads) {
        tenon__free(pl.mods);
        tenon__free(pl.loads);
        return nomem();
    }
    int rc = collect_modules(&pl);
    /* 2. What can be known of each without its dependencies. */
    for (size_t i = 0; i < pl.n_mods && rc == 0; i++)
        rc = check_module(reg, cfg, &pl.mods[i]);
    for (size_t i = 0; i < pl.n_mods && rc == 0; i++)
        if (!pl.mods[i].failed && !pl.mods[i].absent)
            rc = plan_module_loads(&pl, &pl.mods[i]);
    if (rc == 0)
        rc = plan_modules_not_loading(&pl);
    if (rc == 0)
        rc = plan_others(&pl);
    if (rc == 0 && cfg)
        rc = tenon__plan_instances(plan, cfg, pl.mods, pl.n_mods);
    planner_free(&pl);
    if (rc == 0 && plan->n_items > 1) {
        qsort(plan->items, plan->n_items, sizeof(plan_item), compare_items);
        /* pub points at its own item's strings, which did not move. */
    }
    return rc;
}

int tenon_config_plan(tenon_registry *reg, tenon_plan **out)
{
    if (out)
        *out = NULL;
    TENON__CHECK_ARG(reg, TENON_STAGE_CONFIG, "reg is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(out, TENON_STAGE_CONFIG, "out is NULL", TENON_EINVAL);
    int rc = tenon_registry_scan(reg);
    if (rc < 0)
        return rc;
    tenon_plan *plan = tenon__calloc(1, sizeof(*plan));
    if (!plan)
        return nomem();
    tenon__lock(reg);
    rc = build(reg, plan);
    tenon__unlock(reg);
    if (rc < 0) {
        tenon_plan_free(plan);
        return rc == TENON_ENOMEM ? nomem() : rc;
    }
    *out = plan;
    return 0;
}

/* ---- Applying -------------------------------------------------------------- */

/* A failure the policy lets apply go on after. */
static void report(tenon_registry *reg, const char *name, const char *origin,
                   tenon_on_error on_error, const tenon_error *err)
{
    char line[TENON_ERROR_TEXT_MAX * 2 + 64];
    tenon_error_format(err, line, sizeof(line));
    tenon__log(reg, on_error == TENON_ON_ERROR_WARN ? TENON_LOG_WARN : TENON_LOG_DEBUG, name,
               "%s (entry at %s, on_error \"%s\": going on)", line, origin,
               on_error == TENON_ON_ERROR_WARN ? "warn" : "skip");
}

int tenon_config_apply(tenon_registry *reg)
{
    TENON__CHECK_ARG(reg, TENON_STAGE_CONFIG, "reg is NULL", TENON_EINVAL);
    /* One apply at a time; the load lock is recursive, so the loads below
     * take it again. */
    pthread_mutex_lock(&reg->load_lock);
    tenon__lock(reg);
    tenon__config *cfg = reg->config;
    int rc = 0;
    if (cfg && cfg->applied)
        rc = tenon__fail(TENON_ESTATE, TENON_STAGE_CONFIG, NULL, cfg->path,
                         "load a configuration again to apply it again",
                         "configuration %s was already applied", cfg->path);
    else if (cfg)
        cfg->applied = true;
    tenon__unlock(reg);
    if (!cfg || rc < 0) {
        pthread_mutex_unlock(&reg->load_lock);
        return rc;
    }

    /* Until the first plugin loads, a failure leaves the configuration
     * unapplied, so the host may call again (after freeing memory, say). */
    tenon_plan *plan = NULL;
    if ((rc = tenon_config_plan(reg, &plan)) == 0 && tenon_plan_stop_error(plan))
        rc = tenon__error_restore(tenon_plan_stop_error(plan));
    if (rc < 0) {
        tenon_plan_free(plan);
        tenon__lock(reg);
        cfg->applied = false;
        tenon__unlock(reg);
        pthread_mutex_unlock(&reg->load_lock);
        return rc;
    }

    int failed = 0;
    for (size_t i = 0; i < plan->n_items; i++) {
        plan_item *it = &plan->items[i];
        if (!it->configured)
            continue;
        if (it->pub.action == TENON_PLAN_FAIL ||
            (it->pub.action == TENON_PLAN_SKIP && it->pub.error)) {
            if (it->pub.action == TENON_PLAN_FAIL) {
                failed++;
                report(reg, it->name, it->origin, it->policy.on_error, it->error);
            } else {
                tenon__log(reg, TENON_LOG_INFO, it->name, "%s: %s; not loaded", it->origin,
                           it->reason);
            }
            continue;
        }
        if (it->pub.action != TENON_PLAN_LOAD)
            continue;
        rc = tenon_plugin_load(it->pub.plugin);
        if (rc == TENON_ENOMEM)
            break;
        if (rc < 0) {
            if (it->policy.on_error == TENON_ON_ERROR_FAIL)
                break;
            failed++;
            report(reg, it->name, it->origin, it->policy.on_error, tenon_last_error());
            rc = 0;
            it->pub.action = TENON_PLAN_FAIL; /* its instances are not made */
        }
    }
    for (size_t i = 0; i < plan->n_insts && rc == 0; i++) {
        plan_inst *in = &plan->insts[i];
        if (in->pub.action == TENON_PLAN_FAIL) {
            failed++;
            report(reg, in->pub.name, in->origin, in->policy.on_error, in->error);
            continue;
        }
        if (in->pub.action != TENON_PLAN_LOAD)
            continue;
        bool module_failed = false;
        for (size_t k = 0; k < plan->n_items; k++)
            if (plan->items[k].configured && plan->items[k].pub.action == TENON_PLAN_FAIL &&
                strcmp(plan->items[k].name, in->pub.module) == 0)
                module_failed = true;
        if (module_failed)
            continue;
        tenon_instance *inst;
        rc = tenon__instance_new(reg, in->pub.module, in->pub.interface, in->pub.name,
                                 in->pub.options, TENON__MADE_BY_CONFIG, NULL, &inst);
        if (rc == TENON_ENOMEM)
            break;
        if (rc < 0) {
            if (in->policy.on_error == TENON_ON_ERROR_FAIL)
                break;
            failed++;
            report(reg, in->pub.name, in->origin, in->policy.on_error, tenon_last_error());
            rc = 0;
        }
    }
    tenon_plan_free(plan);
    pthread_mutex_unlock(&reg->load_lock);
    return rc < 0 ? rc : failed;
}
