/* Declarations shared by the sources of the configuration plan
 * (config_plan.c builds it and applies it, config_plan_options.c checks an
 * entry's options, config_plan_instances.c plans the named instances).
 * Nothing here is part of the ABI. */
#ifndef TENON_CONFIG_PLAN_INTERNAL_H
#define TENON_CONFIG_PLAN_INTERNAL_H

#include "config_internal.h"

#include <stdarg.h>

typedef struct plan_item {
    tenon_plan_item pub;
    char *name, *reason, *origin;
    tenon_error *error;
    bool configured; /* a module the configuration loads */
    tenon__cfg_policy policy;
    unsigned group; /* 0 loads, 1 configured modules that do not, 2 the rest */
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

/* One configured module. */
typedef struct mod {
    const char *module;
    const tenon__cfg_entry *first; /* the first enabled entry naming it */
    const tenon__cfg_entry *own;   /* its entry without "name", or NULL */
    const char *version;
    tenon__cfg_policy policy; /* the strictest of its entries' */
    tenon_plugin *p;          /* the active plugin of that name, or NULL */
    bool failed;              /* found failing before resolution */
    bool absent;              /* not installed, or overridden */
    tenon_error *error;
    char *reason;
} mod;

/* What a failure that does not stop apply adds to its reason. */
static inline const char *tenon__plan_going_on(const tenon__cfg_policy *policy)
{
    return policy->on_error == TENON_ON_ERROR_WARN ? " (on_error warn: apply goes on)"
                                                   : " (on_error skip: apply goes on)";
}

/* The reason of an item, an instance or a module, formatted and allocated
 * (NULL when out of memory). */
TENON__HIDDEN char *tenon__plan_vreason(const char *fmt, va_list ap) TENON_PRINTF(1, 0);

/* Checks an entry's options (NULL entry: none) against desc's schema, with
 * the position of the offending key or value; at is the entry to blame when
 * e is NULL. */
TENON__HIDDEN int tenon__plan_check_options(const tenon__config *cfg, const tenon__cfg_entry *e,
                                            const tenon__cfg_entry *at,
                                            const tenon_plugin_desc *desc);

/* Adds the instances of cfg's named entries to plan; mods[0..n_mods) are
 * the configured modules, already checked. */
TENON__HIDDEN int tenon__plan_instances(tenon_plan *plan, const tenon__config *cfg, mod *mods,
                                        size_t n_mods);

#endif
