/* What a configuration does: the plan (from descriptors only, so `tenon
 * list --config` can show it without running plugin code) and applying it.
 * Apply follows the plan, so what the listing shows is what happens; every
 * failure the plan can find is found before the first plugin loads. */
#include "config_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct plan_item {
    tenon_plan_item pub;
    char *name, *reason, *origin;
    tenon_error *error;
    bool configured; /* a module the configuration loads */
    tenon__cfg_policy policy;
    unsigned group;  /* 0 loads, 1 configured modules that do not, 2 the rest */
    size_t seq;
} plan_item;

typedef struct plan_inst {
    tenon_plan_instance pub;
    char *reason, *origin;
    tenon_error *error;
    tenon__cfg_policy policy;
    const tenon__cfg_entry *entry;
} plan_inst;

struct tenon_plan {
    plan_item *items;
    size_t n_items, cap_items;
    plan_inst *insts;
    size_t n_insts, cap_insts;
};

const char *tenon_plan_action_name(tenon_plan_action action)
{
    switch (action) {
    case TENON_PLAN_LOAD: return "load";
    case TENON_PLAN_ON_DEMAND: return "on demand";
    case TENON_PLAN_SKIP: return "skip";
    case TENON_PLAN_FAIL: return "fail";
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
    char reason[TENON_ERROR_TEXT_MAX + 64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    plan_item *it = &plan->items[plan->n_items];
    *it = (plan_item){.seq = plan->n_items, .group = action == TENON_PLAN_LOAD ? 0 : 2};
    it->name = tenon__strdup(name);
    it->reason = tenon__strdup(reason);
    it->origin = tenon__strdup(origin ? origin : "");
    it->error = keep_error ? tenon__error_dup_last() : NULL;
    plan->n_items++; /* counted now so tenon_plan_free frees what was made */
    if (!it->name || !it->reason || !it->origin || (keep_error && !it->error))
        return nomem();
    it->pub = (tenon_plan_item){sizeof(tenon_plan_item), action, it->name, p, it->reason,
                                it->origin, it->error, false, NULL};
    return 0;
}

/* The JSON types an option type accepts, and how to say so. */
static bool json_fits(const tenon__cfg_opt *o, tenon_opt_type type, const char **expected)
{
    bool is_int = o->json_type == JSON_INTEGER || (o->json_type == JSON_REAL && o->integral);
    bool is_num = o->json_type == JSON_INTEGER || o->json_type == JSON_REAL;
    bool is_str = o->json_type == JSON_STRING;
    bool is_bool = o->json_type == JSON_TRUE || o->json_type == JSON_FALSE;
    switch (type) {
    case TENON_OPT_BOOL:
        *expected = "true or false";
        return is_bool;
    case TENON_OPT_INT:
        *expected = "an integer";
        return is_int;
    case TENON_OPT_SIZE:
        *expected = "a size (a number of bytes, or a string like \"4k\" or \"1MiB\")";
        return is_int || is_str;
    case TENON_OPT_DURATION:
        *expected = "a duration (a number of seconds, or a string like \"500ms\" or \"2m\")";
        return is_int || is_str;
    case TENON_OPT_DOUBLE:
        *expected = "a number";
        return is_num;
    case TENON_OPT_STRING:
        *expected = "a string";
        return is_str;
    case TENON_OPT_ENUM:
        *expected = "a string (one of the choices)";
        return is_str;
    }
    *expected = "a value";
    return false;
}

static const char *json_kind(const tenon__cfg_opt *o)
{
    switch (o->json_type) {
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    default: return o->json_type == JSON_TRUE ? "true" : "false";
    }
}

/* Checks an entry's options (NULL entry: none) against desc's schema, with
 * the position of the offending key or value. */
static int check_options(const tenon__config *cfg, const tenon__cfg_entry *e,
                         const tenon__cfg_entry *at, const tenon_plugin_desc *desc)
{
    char where[64];
    if (e)
        snprintf(where, sizeof(where), "plugins[%zu].config", e->index);
    else
        snprintf(where, sizeof(where), "plugins[%zu]", at->index);
    for (size_t i = 0; e && i < e->n_opts; i++) {
        const tenon__cfg_opt *o = &e->opts[i];
        const tenon_option *so = tenon_descriptor_option(desc, o->key);
        if (!so) {
            tenon__strbuf sb;
            tenon__sb_init(&sb);
            const char *close = NULL;
            size_t best = strlen(o->key) > 6 ? 3 : 2; /* closer than this is a typo */
            if (desc->n_options == 0)
                tenon__sb_add(&sb, "this plugin takes no options");
            else
                tenon__sb_add(&sb, "valid options: ");
            for (size_t k = 0; k < desc->n_options; k++) {
                tenon__sb_addf(&sb, "%s%s", k ? ", " : "", desc->options[k].name);
                size_t d = tenon__config_distance(o->key, desc->options[k].name);
                if (d < best) {
                    best = d;
                    close = desc->options[k].name;
                }
            }
            if (close)
                tenon__sb_addf(&sb, " (did you mean %s?)", close);
            int rc = tenon__config_fail(cfg, o->key_pos, TENON_EOPTION, desc->name,
                                        tenon__sb_str(&sb),
                                        "%s: unknown option \"%.64s\" for plugin %s", where,
                                        o->key, desc->name);
            tenon__sb_free(&sb);
            return rc;
        }
        char fix[TENON_ERROR_TEXT_MAX];
        const char *expected;
        if (!json_fits(o, so->type, &expected)) {
            char got[128];
            if (o->json_type == JSON_STRING)
                snprintf(got, sizeof(got), "a string \"%.64s\"", o->text);
            else if (o->json_type == JSON_INTEGER || o->json_type == JSON_REAL)
                snprintf(got, sizeof(got), "%s %.64s", json_kind(o), o->text);
            else
                snprintf(got, sizeof(got), "%s", json_kind(o));
            /* The JSON type is wrong: the fix is how to write it in JSON. */
            char range[64] = "";
            if ((so->type == TENON_OPT_INT || so->type == TENON_OPT_DOUBLE) && so->max > so->min)
                snprintf(range, sizeof(range), " from %lld to %lld", (long long)so->min,
                         (long long)so->max);
            bool wants_string = so->type == TENON_OPT_STRING || so->type == TENON_OPT_ENUM;
            snprintf(fix, sizeof(fix), "write '%s' as %s%s%s", o->key, expected, range,
                     o->json_type == JSON_STRING ? ", without quotes"
                     : wants_string              ? ", in quotes"
                                                 : "");
            return tenon__config_fail(
                cfg, o->pos, TENON_EOPTTYPE, desc->name, fix,
                "%s.%s: expected %s (option %s of plugin %s is of type %s), got %s", where,
                o->key, expected, o->key, desc->name, tenon_opt_type_name(so->type), got);
        }
        tenon__value v;
        char why[256];
        int rc = tenon__value_parse(so, o->text, &v, why, sizeof(why));
        if (rc < 0)
            return tenon__config_fail(cfg, o->pos, rc, desc->name,
                                      tenon__option_fix(so, fix, sizeof(fix)),
                                      "%s.%s: option %s of plugin %s (%s): %s", where, o->key,
                                      o->key, desc->name, tenon_opt_type_name(so->type), why);
    }
    for (size_t k = 0; k < desc->n_options; k++) {
        const tenon_option *so = &desc->options[k];
        if (!(so->flags & TENON_OPT_REQUIRED) || (e && tenon_options_get(e->options, so->name)))
            continue;
        tenon__jpos pos = e ? (e->config_pos.line ? e->config_pos : e->pos) : at->pos;
        char fix[TENON_ERROR_TEXT_MAX];
        return tenon__config_fail(cfg, pos, TENON_EOPTION, desc->name,
                                  tenon__option_fix(so, fix, sizeof(fix)),
                                  "%s: option %s of plugin %s is required (%s)%s", where,
                                  so->name, desc->name, tenon_opt_type_name(so->type),
                                  e ? "" : "; give it in an entry without \"name\"");
    }
    /* The library's own check has the last word (it is what load and
     * instance_new run). */
    tenon_values *values = NULL;
    int rc = tenon_values_check(desc, e ? e->options : NULL, &values);
    tenon_values_free(values);
    return rc;
}

/* One configured module. */
typedef struct mod {
    const char *module;
    const tenon__cfg_entry *first; /* the first enabled entry naming it */
    const tenon__cfg_entry *own;   /* its entry without "name", or NULL */
    const char *version;
    tenon__cfg_policy policy;      /* the strictest of its entries' */
    tenon_plugin *p;               /* the active plugin of that name, or NULL */
    bool failed;                   /* found failing before resolution */
    bool absent;                   /* not installed, or overridden */
    tenon_error *error;
    char *reason;
} mod;

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

/* What a failure that does not stop apply adds to its reason. */
static const char *going_on(const tenon__cfg_policy *policy)
{
    return policy->on_error == TENON_ON_ERROR_WARN ? " (on_error warn: apply goes on)"
                                                   : " (on_error skip: apply goes on)";
}

/* Fails m: the thread's last error is the reason. */
static int mod_fail(mod *m, bool absent, const char *reason_fmt, ...) TENON_PRINTF(3, 4);

static int mod_fail(mod *m, bool absent, const char *reason_fmt, ...)
{
    m->failed = !absent || m->policy.required;
    m->absent = absent;
    m->error = tenon__error_dup_last();
    char reason[TENON_ERROR_TEXT_MAX + 64];
    va_list ap;
    va_start(ap, reason_fmt);
    vsnprintf(reason, sizeof(reason), reason_fmt, ap);
    va_end(ap);
    m->reason = tenon__strdup(reason);
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
                           "plugins[%zu]: plugin %s is overridden by %s, so its code never runs",
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
    if (check_options(cfg, m->own, e, p->desc) < 0) {
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

static int add_instance(tenon_plan *plan, const tenon__cfg_entry *e, tenon_plan_action action,
                        const char *iface, bool keep_error, bool stop, const char *fmt, ...)
    TENON_PRINTF(7, 8);

static int add_instance(tenon_plan *plan, const tenon__cfg_entry *e, tenon_plan_action action,
                        const char *iface, bool keep_error, bool stop, const char *fmt, ...)
{
    if (tenon__grow((void **)&plan->insts, &plan->cap_insts, plan->n_insts + 1,
                    sizeof(plan_inst)) < 0)
        return nomem();
    char reason[TENON_ERROR_TEXT_MAX + 64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    plan_inst *in = &plan->insts[plan->n_insts++];
    *in = (plan_inst){.policy = e->policy, .entry = e};
    in->reason = tenon__strdup(reason);
    in->origin = tenon__strdup(e->origin);
    in->error = keep_error ? tenon__error_dup_last() : NULL;
    if (!in->reason || !in->origin || (keep_error && !in->error))
        return nomem();
    in->pub = (tenon_plan_instance){sizeof(tenon_plan_instance), action, e->name, e->module,
                                    iface, e->options, in->origin, in->reason, in->error,
                                    stop && action == TENON_PLAN_FAIL};
    return 0;
}

static int plan_instances(tenon_plan *plan, const tenon__config *cfg, mod *mods, size_t n_mods)
{
    int rc = 0;
    for (size_t i = 0; i < cfg->n_entries && rc == 0; i++) {
        const tenon__cfg_entry *e = &cfg->entries[i];
        if (!e->name || e->glob)
            continue;
        if (!e->enabled) {
            rc = add_instance(plan, e, TENON_PLAN_SKIP, e->interface, false, false,
                              "disabled by config");
            continue;
        }
        mod *m = NULL;
        for (size_t k = 0; k < n_mods && !m; k++)
            if (strcmp(mods[k].module, e->module) == 0)
                m = &mods[k];
        if (!m || m->failed || m->absent) {
            const char *iface = e->interface;
            if (!iface && m && m->p && m->p->desc && m->p->desc->n_provides)
                iface = m->p->desc->provides[0].name;
            rc = add_instance(plan, e, TENON_PLAN_SKIP, iface, false, false,
                              "not made: plugin %s %s", e->module,
                              m && m->absent ? "is not loaded" : "fails");
            continue;
        }
        const tenon_plugin_desc *d = m->p->desc;
        const char *iface = e->interface;
        if (!iface && d->n_provides)
            iface = d->provides[0].name;
        if (!iface || !tenon__provides(m->p, iface, 0)) {
            tenon__strbuf sb;
            tenon__sb_init(&sb);
            for (size_t k = 0; k < d->n_provides; k++)
                tenon__sb_addf(&sb, "%s%s", k ? ", " : "", d->provides[k].name);
            if (!iface)
                tenon__config_fail(cfg, e->pos, TENON_ENOIFACE, e->module,
                                   "instances are made of interfaces; use a plugin that "
                                   "provides one",
                                   "plugins[%zu]: plugin %s provides no interface, so it has no "
                                   "instances",
                                   e->index, e->module);
            else
                tenon__config_fail(cfg, e->interface_pos, TENON_ENOIFACE, e->module,
                                   "name one of them, or leave \"interface\" out for the "
                                   "first",
                                   "plugins[%zu].interface: plugin %s does not provide %s%s%s",
                                   e->index, e->module, iface,
                                   d->n_provides ? "; it provides " : "", tenon__sb_str(&sb));
            tenon__sb_free(&sb);
            rc = add_instance(plan, e, TENON_PLAN_FAIL, iface, true,
                              e->policy.on_error == TENON_ON_ERROR_FAIL, "failed: %s%s",
                              tenon_last_error()->message,
                              e->policy.on_error == TENON_ON_ERROR_FAIL ? ""
                                                                        : going_on(&e->policy));
            continue;
        }
        if (check_options(cfg, e, e, d) < 0) {
            if (tenon_last_error()->code == TENON_ENOMEM)
                return TENON_ENOMEM;
            rc = add_instance(plan, e, TENON_PLAN_FAIL, iface, true,
                              e->policy.on_error == TENON_ON_ERROR_FAIL, "failed: %s%s",
                              tenon_last_error()->message,
                              e->policy.on_error == TENON_ON_ERROR_FAIL ? ""
                                                                        : going_on(&e->policy));
            continue;
        }
        rc = add_instance(plan, e, TENON_PLAN_LOAD, iface, false, false, "configured");
    }
    return rc;
}

static int compare_items(const void *a, const void *b)
{
    const plan_item *x = a, *y = b;
    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Builds the plan. Lock held. */
static int build(tenon_registry *reg, tenon_plan *plan)
{
    const tenon__config *cfg = reg->config;
    size_t n_entries = cfg ? cfg->n_entries : 0;
    mod *mods = tenon__calloc(n_entries ? n_entries : 1, sizeof(mod));
    tenon_plugin **loads = tenon__calloc(reg->n_plugins + 1, sizeof(tenon_plugin *));
    if (!mods || !loads) {
        tenon__free(mods);
        tenon__free(loads);
        return nomem();
    }
    size_t n_mods = 0, n_loads = 0;
    int rc = 0;

    /* 1. The configured modules, in file order, with their entries merged. */
    tenon__map seen;
    tenon__map_init(&seen);
    for (size_t i = 0; i < n_entries && rc == 0; i++) {
        const tenon__cfg_entry *e = &cfg->entries[i];
        if (e->glob || !e->enabled)
            continue;
        mod *m = tenon__map_get(&seen, e->module);
        if (!m) {
            m = &mods[n_mods++];
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

    /* 2. What can be known of each without its dependencies. */
    for (size_t i = 0; i < n_mods && rc == 0; i++)
        rc = check_module(reg, cfg, &mods[i]);

    /* 3. Dependency order: each module's order, appended without repeats,
     *    is an order of the whole (dependencies always come first). */
    for (size_t i = 0; i < n_mods && rc == 0; i++) {
        mod *m = &mods[i];
        if (m->failed || m->absent)
            continue;
        tenon_plugin **order = NULL;
        size_t n = 0;
        int rrc = m->p->state == TENON__UNLOADED ? tenon__resolve(reg, m->p, &order, &n) : 0;
        if (rrc == TENON_ENOMEM) {
            rc = rrc;
            break;
        }
        if (rrc < 0) {
            rc = mod_fail(m, false, "failed: %s", tenon_last_error()->message);
            continue;
        }
        /* A dependency that is itself a failing configured module fails
         * this one too: loading would load it with the options that fail. */
        for (size_t k = 0; k + 1 < n && rc == 0; k++) {
            mod *dm = mod_of(mods, n_mods, order[k]);
            if (dm && dm->failed) {
                tenon__fail(TENON_EMISSINGDEP, TENON_STAGE_RESOLVE, m->module, m->p->path,
                            dm->error ? dm->error->message : NULL,
                            "plugin %s requires %s, which fails", m->module, dm->module);
                rc = mod_fail(m, false, "failed: %s", tenon_last_error()->message);
                n = 0;
            }
        }
        for (size_t k = 0; k < n && rc == 0; k++) {
            tenon_plugin *q = order[k];
            if (in_list(loads, n_loads, q))
                continue;
            loads[n_loads++] = q;
            mod *qm = mod_of(mods, n_mods, q);
            if (qm) {
                rc = add_item(plan, TENON_PLAN_LOAD, q->display_name, q, qm->first->origin,
                              false, "enabled by config");
                if (rc == 0) {
                    plan->items[plan->n_items - 1].configured = true;
                    plan->items[plan->n_items - 1].policy = qm->policy;
                    plan->items[plan->n_items - 1].pub.options =
                        qm->own ? qm->own->options : NULL;
                }
            } else {
                rc = add_item(plan, TENON_PLAN_LOAD, q->display_name, q, NULL, false,
                              "required by %s", required_by(order, n, q));
            }
        }
        if (n == 0 && !m->failed && rc == 0) { /* loaded already */
            rc = add_item(plan, TENON_PLAN_LOAD, m->module, m->p, m->first->origin, false,
                          "enabled by config (loaded)");
            if (rc == 0) {
                plan->items[plan->n_items - 1].configured = true;
                plan->items[plan->n_items - 1].policy = m->policy;
                plan->items[plan->n_items - 1].pub.options = m->own ? m->own->options : NULL;
                if (!in_list(loads, n_loads, m->p))
                    loads[n_loads++] = m->p;
            }
        }
        tenon__free(order);
    }

    /* 4. Configured modules that do not load, in file order. */
    for (size_t i = 0; i < n_mods && rc == 0; i++) {
        mod *m = &mods[i];
        if (!m->failed && !m->absent)
            continue;
        tenon__error_restore(m->error);
        bool stop = stops(&m->policy, m->absent);
        rc = add_item(plan, m->failed ? TENON_PLAN_FAIL : TENON_PLAN_SKIP, m->module, m->p,
                      m->first->origin, true, "%s%s", m->reason,
                      m->absent && !m->policy.required ? " (not required)"
                      : m->failed && !stop             ? going_on(&m->policy)
                                                       : "");
        if (rc == 0) {
            plan_item *it = &plan->items[plan->n_items - 1];
            it->configured = true;
            it->policy = m->policy;
            it->group = 1;
            it->pub.stops = stop;
            it->pub.options = m->own ? m->own->options : NULL;
        }
    }

    /* 5. Every other plugin known. */
    for (size_t i = 0; i < reg->n_plugins && rc == 0; i++) {
        tenon_plugin *p = reg->plugins[i];
        if (in_list(loads, n_loads, p) || mod_of(mods, n_mods, p))
            continue;
        rc = add_other(plan, cfg, p);
    }

    if (rc == 0 && cfg)
        rc = plan_instances(plan, cfg, mods, n_mods);

    for (size_t i = 0; i < n_mods; i++) {
        tenon__free(mods[i].error);
        tenon__free(mods[i].reason);
    }
    tenon__free(mods);
    tenon__free(loads);
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

int tenon_registry_apply_config(tenon_registry *reg)
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
