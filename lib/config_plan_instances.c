/* The instances a configuration makes: one per enabled entry with a
 * "name", skipped when its module does not load, failed when the module
 * does not provide the interface or the options do not fit. */
#include "config_plan_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int nomem(void)
{
    return tenon__nomem(TENON_STAGE_CONFIG, NULL);
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
    plan_inst *in = &plan->insts[plan->n_insts++];
    *in = (plan_inst){.policy = e->policy, .entry = e};
    va_list ap;
    va_start(ap, fmt);
    in->reason = tenon__plan_vreason(fmt, ap);
    va_end(ap);
    in->origin = tenon__strdup(e->origin);
    in->error = keep_error ? tenon__error_dup_last() : NULL;
    if (!in->reason || !in->origin || (keep_error && !in->error))
        return nomem();
    in->pub = (tenon_plan_instance){sizeof(tenon_plan_instance),
                                    action,
                                    e->name,
                                    e->module,
                                    iface,
                                    e->options,
                                    in->origin,
                                    in->reason,
                                    in->error,
                                    stop && action == TENON_PLAN_FAIL};
    return 0;
}

/* An instance that fails: the thread's last error is why. */
static int add_failed_instance(tenon_plan *plan, const tenon__cfg_entry *e, const char *iface)
{
    bool stop = e->policy.on_error == TENON_ON_ERROR_FAIL;
    return add_instance(plan, e, TENON_PLAN_FAIL, iface, true, stop, "failed: %s%s",
                        tenon_last_error()->message,
                        stop ? "" : tenon__plan_going_on(&e->policy));
}

/* Sets the error of entry e, whose module (desc d) does not provide iface
 * (NULL: provides no interface at all). */
static void fail_interface(const tenon__config *cfg, const tenon__cfg_entry *e,
                           const tenon_plugin_desc *d, const char *iface)
{
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
                           e->index, e->module, iface, d->n_provides ? "; it provides " : "",
                           tenon__sb_str(&sb));
    tenon__sb_free(&sb);
}

/* The instance of one enabled named entry e. */
static int plan_instance(tenon_plan *plan, const tenon__config *cfg, const tenon__cfg_entry *e,
                         mod *mods, size_t n_mods)
{
    mod *m = NULL;
    for (size_t k = 0; k < n_mods && !m; k++)
        if (strcmp(mods[k].module, e->module) == 0)
            m = &mods[k];
    if (!m || m->failed || m->absent) {
        const char *iface = e->interface;
        if (!iface && m && m->p && m->p->desc && m->p->desc->n_provides)
            iface = m->p->desc->provides[0].name;
        return add_instance(plan, e, TENON_PLAN_SKIP, iface, false, false,
                            "not made: plugin %s %s", e->module,
                            m && m->absent ? "is not loaded" : "fails");
    }
    const tenon_plugin_desc *d = m->p->desc;
    const char *iface = e->interface;
    if (!iface && d->n_provides)
        iface = d->provides[0].name;
    if (!iface || !tenon__provides(m->p, iface, 0)) {
        fail_interface(cfg, e, d, iface);
        return add_failed_instance(plan, e, iface);
    }
    if (tenon__plan_check_options(cfg, e, e, d) < 0) {
        if (tenon_last_error()->code == TENON_ENOMEM)
            return TENON_ENOMEM;
        return add_failed_instance(plan, e, iface);
    }
    return add_instance(plan, e, TENON_PLAN_LOAD, iface, false, false, "configured");
}

int tenon__plan_instances(tenon_plan *plan, const tenon__config *cfg, mod *mods, size_t n_mods)
{
    int rc = 0;
    for (size_t i = 0; i < cfg->n_entries && rc == 0; i++) {
        const tenon__cfg_entry *e = &cfg->entries[i];
        if (!e->name || e->glob)
            continue;
        if (!e->enabled)
            rc = add_instance(plan, e, TENON_PLAN_SKIP, e->interface, false, false,
                              "disabled by config");
        else
            rc = plan_instance(plan, cfg, e, mods, n_mods);
    }
    return rc;
}
