/* Instances: configured objects made from a plugin's interface, each with
 * private data the core allocates from the size the plugin declares (as
 * SQLite does with szOsFile), so plugins never manage their own instance
 * memory and a failed instance_init leaks nothing. */
#include "internal.h"

#include <stdalign.h>
#include <stdio.h>
#include <string.h>

#define DATA_ALIGN alignof(max_align_t)
#define HEADER_SIZE ((sizeof(tenon_instance) + DATA_ALIGN - 1) & ~(DATA_ALIGN - 1))

static void unpin(tenon_plugin *p)
{
    tenon__lock(p->reg);
    p->n_instances--;
    tenon__unlock(p->reg);
}

int tenon_instance_new(tenon_registry *reg, const char *plugin, const char *iface,
                       const char *name, const tenon_options *opts, tenon_instance **out)
{
    if (out)
        *out = NULL;
    if (!reg || !iface || !out)
        return TENON_EINVAL;
    if (name && !*name)
        name = NULL;

    tenon_plugin *p;
    const tenon_impl *impl;
    int rc = tenon__interface_acquire(reg, plugin, iface, 0, true, NULL, &p, &impl, NULL);
    if (rc < 0)
        return rc;

    tenon_values *values = NULL;
    if ((rc = tenon_values_check(p->desc, opts, &values)) < 0) {
        /* Making an instance is a use of the plugin, whoever asks for it. */
        tenon__error_tls()->stage = TENON_STAGE_USE;
        unpin(p);
        return rc;
    }
    size_t data_size = impl->struct_size > offsetof(tenon_impl, instance_size)
                           ? impl->instance_size
                           : 0;
    if (data_size > SIZE_MAX - HEADER_SIZE) {
        tenon_values_free(values);
        unpin(p);
        return tenon__nomem(TENON_STAGE_USE, p->display_name);
    }
    tenon_instance *inst = tenon__calloc(1, HEADER_SIZE + data_size);
    char *name_copy = name ? tenon__strdup(name) : NULL;
    if (!inst || (name && !name_copy)) {
        tenon__free(inst);
        tenon__free(name_copy);
        tenon_values_free(values);
        unpin(p);
        return tenon__nomem(TENON_STAGE_USE, p->display_name);
    }
    inst->reg = reg;
    inst->plugin = p;
    inst->impl = impl;
    inst->table = impl->table;
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
        reg->instances[reg->n_instances++] = inst;
    }
    tenon__unlock(reg);
    if (rc < 0) {
        tenon__free(inst->name);
        tenon_values_free(values);
        tenon__free(inst);
        unpin(p);
        return rc;
    }

    if (impl->struct_size > offsetof(tenon_impl, instance_init) && impl->instance_init) {
        tenon_error *e = tenon__error_tls();
        e->code = 0;
        int irc = impl->instance_init(p, inst, inst->data, values);
        if (irc != 0) {
            char reason[TENON_ERROR_TEXT_MAX];
            if (e->code != 0 && strcmp(e->plugin, p->display_name) == 0)
                tenon__strlcpy(reason, e->message, sizeof(reason));
            else
                snprintf(reason, sizeof(reason), "it returned %d (%s)", irc, tenon_err_name(irc));
            char hint[TENON_ERROR_TEXT_MAX];
            tenon__strlcpy(hint, e->code ? e->hint : "", sizeof(hint));
            inst->impl = NULL; /* no fini for an instance that never initialized */
            tenon_instance_free(inst);
            return tenon__fail(TENON_EINIT, TENON_STAGE_INIT, p->display_name, p->path,
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
    if (inst->impl && inst->impl->struct_size > offsetof(tenon_impl, instance_fini) &&
        inst->impl->instance_fini)
        inst->impl->instance_fini(p, inst, inst->data);
    tenon__lock(reg);
    for (size_t i = 0; i < reg->n_instances; i++) {
        if (reg->instances[i] == inst) {
            reg->instances[i] = reg->instances[--reg->n_instances];
            break;
        }
    }
    if (inst->name && tenon__map_get(&reg->instance_by_name, inst->name) == inst)
        tenon__map_del(&reg->instance_by_name, inst->name);
    p->n_instances--;
    tenon__unlock(reg);
    tenon__free(inst->name);
    tenon_values_free(inst->values);
    tenon__free(inst);
}

void tenon__instances_free_all(tenon_registry *reg)
{
    for (;;) {
        tenon__lock(reg);
        tenon_instance *inst = reg->n_instances ? reg->instances[reg->n_instances - 1] : NULL;
        tenon__unlock(reg);
        if (!inst)
            return;
        tenon_instance_free(inst);
    }
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
    if (!reg || !name)
        return NULL;
    tenon__lock(reg);
    tenon_instance *inst = tenon__map_get(&reg->instance_by_name, name);
    tenon__unlock(reg);
    return inst;
}
