/* Instances: configured objects made from a plugin's interface, each with
 * private data the core allocates from the size the plugin declares (as
 * SQLite does with szOsFile), so plugins never manage their own instance
 * memory and a failed instance_init leaks nothing.
 *
 * Every instance records who made it (internal.h): the host, the
 * configuration, a plugin, or another instance's instance_init. An owner's
 * fini may free what it made, so nothing is freed before its owner: what an
 * owner leaves behind is freed right after the owner is gone. */
#include "internal.h"

#include <stdalign.h>
#include <stdio.h>
#include <string.h>

#define DATA_ALIGN alignof(max_align_t)
#define HEADER_SIZE ((sizeof(tenon_instance) + DATA_ALIGN - 1) & ~(DATA_ALIGN - 1))

/* The instance whose instance_init runs on this thread (the innermost), so
 * that a host->instance_create it makes records it as the owner. */
static _Thread_local tenon_instance *initializing;

/* Undoes the pin tenon__interface_acquire took on generation gen of p's
 * code; an old generation it was the last use of is closed. */
static void unpin(tenon_plugin *p, uint64_t gen)
{
    tenon__lock(p->reg);
    tenon__generation_unpin(p, gen);
    bool reap = p->reg->dead_gens != NULL;
    tenon__unlock(p->reg);
    if (reap)
        tenon__generations_reap(p->reg);
}

/* ---- Ownership lists (lock held) ------------------------------------------- */

static void push_front(tenon_instance **list, tenon_instance *inst)
{
    inst->list = list;
    inst->prev = NULL;
    inst->next = *list;
    if (*list)
        (*list)->prev = inst;
    *list = inst;
}

static void unlink_owner(tenon_instance *inst)
{
    if (!inst->list)
        return;
    if (inst->prev)
        inst->prev->next = inst->next;
    else
        *inst->list = inst->next;
    if (inst->next)
        inst->next->prev = inst->prev;
    inst->list = NULL;
    inst->prev = inst->next = NULL;
}

/* Records who makes inst and puts it on that maker's list. */
static void link_owner(tenon_instance *inst, tenon__maker made_by, tenon_plugin *maker)
{
    tenon_registry *reg = inst->reg;
    if (made_by != TENON__MADE_BY_PLUGIN || !maker) {
        inst->made_by = made_by == TENON__MADE_BY_CONFIG ? made_by : TENON__MADE_BY_HOST;
        push_front(&reg->top_instances, inst);
        return;
    }
    inst->made_by = made_by;
    tenon_instance *in = initializing;
    if (in && in->plugin == maker && in->reg == reg) {
        inst->made_by = TENON__MADE_BY_INSTANCE;
        inst->owner = in;
        inst->root = in->root;
        push_front(&in->made, inst);
    } else {
        inst->root = maker;
        push_front(&maker->owned, inst);
    }
}

/* Frees every instance on *list, newest first, until none is left (each
 * free may free others of the list). Lock not held. */
static void free_list(tenon_registry *reg, tenon_instance **list)
{
    for (;;) {
        tenon__lock(reg);
        tenon_instance *inst = *list;
        tenon__unlock(reg);
        if (!inst)
            return;
        tenon_instance_free(inst);
    }
}

int tenon_instance_new(tenon_registry *reg, const char *plugin, const char *iface,
                       const char *name, const tenon_options *opts, tenon_instance **out)
{
    if (out)
        *out = NULL;
    TENON__CHECK_ARG(reg, TENON_STAGE_USE, "reg is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(iface, TENON_STAGE_USE, "iface is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(out, TENON_STAGE_USE, "out is NULL", TENON_EINVAL);
    return tenon__instance_new(reg, plugin, iface, name, opts, TENON__MADE_BY_HOST, NULL, out);
}

int tenon__instance_new(tenon_registry *reg, const char *plugin, const char *iface,
                        const char *name, const tenon_options *opts, tenon__maker made_by,
                        tenon_plugin *maker, tenon_instance **out)
{
    if (out)
        *out = NULL;
    if (!reg || !iface || !out)
        return TENON_EINVAL;
    if (name && !*name)
        name = NULL;

    /* The instance is made from the code generation loaded now, and keeps
     * it: a reload from here on leaves it on this code (its impl, table
     * and descriptor) until it is freed. */
    tenon__taken got;
    int rc = tenon__interface_acquire(reg, plugin, iface, 0, true, NULL, &got);
    if (rc < 0)
        return rc;
    tenon_plugin *p = got.provider;
    const tenon_impl *impl = got.impl;

    tenon_values *values = NULL;
    if ((rc = tenon_values_check(got.desc, opts, &values)) < 0) {
        /* Making an instance is a use of the plugin, whoever asks for it. */
        tenon__error_tls()->stage = TENON_STAGE_USE;
        unpin(p, got.gen);
        return rc;
    }
    size_t data_size = impl->struct_size > offsetof(tenon_impl, instance_size)
                           ? impl->instance_size
                           : 0;
    if (data_size > SIZE_MAX - HEADER_SIZE) {
        tenon_values_free(values);
        unpin(p, got.gen);
        return tenon__nomem(TENON_STAGE_USE, p->display_name);
    }
    tenon_instance *inst = tenon__calloc(1, HEADER_SIZE + data_size);
    char *name_copy = name ? tenon__strdup(name) : NULL;
    if (!inst || (name && !name_copy)) {
        tenon__free(inst);
        tenon__free(name_copy);
        tenon_values_free(values);
        unpin(p, got.gen);
        return tenon__nomem(TENON_STAGE_USE, p->display_name);
    }
    inst->reg = reg;
    inst->plugin = p;
    inst->impl = impl;
    inst->table = got.table;
    inst->gen = got.gen;
    inst->name = name_copy;
    inst->values = values;
    inst->data = data_size ? (char *)inst + HEADER_SIZE : NULL;

    /* Reserve the name and the slot first so a successful init is never
     * followed by a failure that would need the plugin to undo it. */
    tenon__lock(reg);
    if (name && tenon__map_get(&reg->instance_by_name, name)) {
        rc = tenon__fail(TENON_EEXISTS, TENON_STAGE_USE, p->display_name, NULL,
                         "choose another instance name", "an instance named %s already exists",
                         name);
    } else if (tenon__grow((void **)&reg->instances, &reg->cap_instances, reg->n_instances + 1,
                           sizeof(tenon_instance *)) < 0 ||
               (name && tenon__map_put(&reg->instance_by_name, inst->name, inst) < 0)) {
        rc = tenon__nomem(TENON_STAGE_USE, p->display_name);
    } else {
        inst->slot = reg->n_instances;
        reg->instances[reg->n_instances++] = inst;
        link_owner(inst, made_by, maker);
    }
    tenon__unlock(reg);
    if (rc < 0) {
        tenon__free(inst->name);
        tenon_values_free(values);
        tenon__free(inst);
        unpin(p, got.gen);
        return rc;
    }

    if (impl->struct_size > offsetof(tenon_impl, instance_init) && impl->instance_init) {
        tenon_error *e = tenon__error_tls();
        e->code = 0;
        tenon_instance *outer = initializing;
        initializing = inst;
        int irc = impl->instance_init(p, inst, inst->data, values);
        initializing = outer;
        if (irc != 0) {
            char reason[TENON_ERROR_TEXT_MAX];
            if (e->code != 0 && strcmp(e->plugin, p->display_name) == 0)
                tenon__strlcpy(reason, e->message, sizeof(reason));
            else
                snprintf(reason, sizeof(reason), "it returned %d (%s)", irc,
                         tenon_err_name(irc));
            char hint[TENON_ERROR_TEXT_MAX];
            tenon__strlcpy(hint, e->code ? e->hint : "", sizeof(hint));
            inst->impl = NULL; /* no fini for an instance that never initialized */
            tenon_instance_free(inst);
            /* Out of memory (often an instance it made that ran out) stays
             * TENON_ENOMEM, as for a plugin's init. */
            return tenon__fail(irc == TENON_ENOMEM ? TENON_ENOMEM : TENON_EINIT,
                               TENON_STAGE_INIT, p->display_name, p->path,
                               hint[0] ? hint : NULL,
                               "instance %s of %s (%s) failed to initialize: %s",
                               name ? name : "(anonymous)", p->display_name, iface, reason);
        }
    }
    *out = inst;
    return 0;
}

void tenon_instance_free(tenon_instance *inst)
{
    if (!inst)
        return;
    tenon_registry *reg = inst->reg;
    tenon_plugin *p = inst->plugin;
    tenon__lock(reg);
    unlink_owner(inst);
    tenon__unlock(reg);
    if (inst->impl && inst->impl->struct_size > offsetof(tenon_impl, instance_fini) &&
        inst->impl->instance_fini)
        inst->impl->instance_fini(p, inst, inst->data);
    /* Its fini may have freed what its init made; the rest goes now, after
     * its owner (also when the init failed: it never gets a fini). */
    free_list(reg, &inst->made);
    tenon__lock(reg);
    tenon_instance *last = reg->instances[--reg->n_instances];
    reg->instances[inst->slot] = last;
    last->slot = inst->slot;
    if (inst->name && tenon__map_get(&reg->instance_by_name, inst->name) == inst)
        tenon__map_del(&reg->instance_by_name, inst->name);
    tenon__generation_unpin(p, inst->gen);
    bool reap = reg->dead_gens != NULL;
    tenon__unlock(reg);
    tenon__free(inst->name);
    tenon_values_free(inst->values);
    tenon__free(inst);
    /* The last instance of code a reload replaced: that code goes now. */
    if (reap)
        tenon__generations_reap(reg);
}

void tenon__instances_free_owned(tenon_plugin *p)
{
    free_list(p->reg, &p->owned);
}

void tenon__instances_free_unowned(tenon_registry *reg)
{
    free_list(reg, &reg->top_instances);
    /* A plugin that is not loaded has finished with what it made. */
    for (size_t i = 0;; i++) {
        tenon__lock(reg);
        tenon_plugin *p = i < reg->n_plugins ? reg->plugins[i] : NULL;
        bool gone = p && p->owned && p->state != TENON__LOADED;
        tenon__unlock(reg);
        if (!p)
            return;
        if (gone)
            free_list(reg, &p->owned);
    }
}

void tenon__instances_drop_all(tenon_registry *reg)
{
    for (size_t i = 0; i < reg->n_instances; i++) {
        tenon_instance *inst = reg->instances[i];
        tenon__log(reg, TENON_LOG_WARN, inst->plugin->display_name,
                   "instance %s of %s was made during teardown and is dropped without its "
                   "fini",
                   inst->name ? inst->name : "(anonymous)", inst->plugin->display_name);
        tenon__free(inst->name);
        tenon_values_free(inst->values);
        tenon__free(inst);
    }
    reg->n_instances = 0;
}

const void *tenon_instance_table(const tenon_instance *inst)
{
    return inst ? inst->table : NULL;
}

void *tenon_instance_data(const tenon_instance *inst)
{
    return inst ? inst->data : NULL;
}

const char *tenon_instance_name(const tenon_instance *inst)
{
    return inst && inst->name ? inst->name : "";
}

tenon_plugin *tenon_instance_plugin(const tenon_instance *inst)
{
    return inst ? inst->plugin : NULL;
}

const tenon_values *tenon_instance_values(const tenon_instance *inst)
{
    return inst ? inst->values : NULL;
}

tenon_instance *tenon_registry_instance(tenon_registry *reg, const char *name)
{
    TENON__CHECK_ARG(reg, TENON_STAGE_USE, "reg is NULL", NULL);
    TENON__CHECK_ARG(name, TENON_STAGE_USE, "name is NULL", NULL);
    tenon__lock(reg);
    tenon_instance *inst = tenon__map_get(&reg->instance_by_name, name);
    tenon__unlock(reg);
    return inst;
}
