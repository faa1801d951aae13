/* What the configuration decides: whether a plugin is enabled, which entry
 * configures a module, and the instances it names for the host. */
#include "config_internal.h"

#include <fnmatch.h>
#include <string.h>

/* ---- Decisions ------------------------------------------------------------- */

tenon__cfg_decision tenon__config_decide(const tenon__config *cfg, const char *name,
                                         uint32_t flags)
{
    if (cfg) {
        const tenon__cfg_rule *exact = NULL, *glob = NULL;
        for (size_t i = 0; i < cfg->n_rules; i++) {
            const tenon__cfg_rule *r = &cfg->rules[i];
            if (!r->glob) {
                /* Exact rules agree (checked when loading); the first names it. */
                if (!exact && strcmp(r->pattern, name) == 0)
                    exact = r;
            } else if (fnmatch(r->pattern, name, 0) == 0 &&
                       (!glob || r->pos.offset > glob->pos.offset ||
                        (r->pos.offset == glob->pos.offset && r->seq > glob->seq))) {
                glob = r;
            }
        }
        const tenon__cfg_rule *r = exact ? exact : glob;
        if (r)
            return (tenon__cfg_decision){r->enable, TENON__CFG_RULE, r};
        if (!cfg->default_enabled)
            return (tenon__cfg_decision){false, TENON__CFG_DEFAULT_CONFIG, NULL};
    }
    if (flags & TENON_PLUGIN_DISABLED_BY_DEFAULT)
        return (tenon__cfg_decision){false, TENON__CFG_DEFAULT_FLAG, NULL};
    return (tenon__cfg_decision){true, TENON__CFG_DEFAULT, NULL};
}

const tenon__cfg_entry *tenon__config_module_entry(const tenon__config *cfg, const char *module)
{
    for (size_t i = 0; cfg && i < cfg->n_entries; i++)
        if (!cfg->entries[i].glob && !cfg->entries[i].name &&
            strcmp(cfg->entries[i].module, module) == 0)
            return &cfg->entries[i];
    return NULL;
}

void tenon__config_select(tenon_registry *reg)
{
    const tenon__config *cfg = reg->config;
    if (!cfg)
        return;
    for (size_t i = 0; i < reg->n_plugins; i++) {
        tenon_plugin *p = reg->plugins[i];
        if (!p->desc)
            continue;
        tenon__cfg_decision d = tenon__config_decide(cfg, p->desc->name, p->desc->flags);
        p->enabled_by_config = d.enabled && d.source == TENON__CFG_RULE;
        p->disabled_by_config = !d.enabled && d.source != TENON__CFG_DEFAULT_FLAG;

        /* The plugin's own options (the entry without "name"), for its next
         * load; a loaded plugin keeps what it was loaded with. */
        if (p->state == TENON__UNLOADED) {
            const tenon__cfg_entry *e = tenon__config_module_entry(cfg, p->desc->name);
            p->file_config = e ? e->options : NULL;
        }
    }
}

/* ---- Configured instances -------------------------------------------------- */

static const tenon__cfg_entry *find_instance(const tenon__config *cfg, const char *name)
{
    for (size_t i = 0; cfg && i < cfg->n_entries; i++)
        if (cfg->entries[i].name && strcmp(cfg->entries[i].name, name) == 0)
            return &cfg->entries[i];
    return NULL;
}

int tenon_config_instance(tenon_registry *reg, const char *name, const char **module,
                          const char **interface, const tenon_options **options)
{
    if (module)
        *module = NULL;
    if (interface)
        *interface = NULL;
    if (options)
        *options = NULL;
    TENON__CHECK_ARG(reg, TENON_STAGE_CONFIG, "reg is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(name, TENON_STAGE_CONFIG, "name is NULL", TENON_EINVAL);
    tenon__lock(reg);
    const tenon__config *cfg = reg->config;
    const tenon__cfg_entry *e = find_instance(cfg, name);
    int rc = 0;
    char buf[80];
    if (!e) {
        tenon__strbuf sb;
        tenon__sb_init(&sb);
        for (size_t i = 0; cfg && i < cfg->n_entries; i++)
            if (cfg->entries[i].name)
                tenon__sb_addf(&sb, "%s%s", sb.len ? ", " : "", cfg->entries[i].name);
        rc = tenon__fail(TENON_ENOTFOUND, TENON_STAGE_CONFIG, NULL, cfg ? cfg->path : NULL,
                         sb.len ? NULL : "add an entry with \"name\" to tenon.json",
                         "no instance named %s in %s%s%s",
                         tenon__cfg_shown(name, buf, sizeof(buf)),
                         cfg ? cfg->name : "the configuration (none is loaded)",
                         sb.len ? "; configured instances: " : "", tenon__sb_str(&sb));
        tenon__sb_free(&sb);
    } else if (!e->enabled) {
        rc = tenon__config_fail(cfg, e->pos, TENON_EDISABLED, e->module,
                                "set \"enabled\": true in its entry",
                                "instance %s is disabled (\"enabled\": false)", e->name);
    } else {
        const char *iface = e->interface;
        if (!iface) {
            /* The first interface the module declares, from whichever file
             * of that name is active now. */
            tenon_plugin *p = tenon__map_get(&reg->by_name, e->module);
            if (!p || !p->desc)
                rc = tenon__config_fail(cfg, e->module_pos, TENON_ENOTFOUND, e->module,
                                        "install it, or add its folder to plugin_path",
                                        "instance %s: no plugin named %s is installed", e->name,
                                        e->module);
            else if (!p->desc->n_provides)
                rc = tenon__config_fail(cfg, e->module_pos, TENON_ENOIFACE, e->module, NULL,
                                        "instance %s: plugin %s provides no interface", e->name,
                                        e->module);
            else
                iface = p->desc->provides[0].name;
        }
        if (rc == 0) {
            if (module)
                *module = e->module;
            if (interface)
                *interface = iface;
            if (options)
                *options = e->options;
        }
    }
    tenon__unlock(reg);
    return rc;
}

size_t tenon_config_instances(tenon_registry *reg, const char **names, size_t cap)
{
    TENON__CHECK_ARG(reg, TENON_STAGE_CONFIG, "reg is NULL", 0);
    tenon__lock(reg);
    size_t n = 0;
    const tenon__config *cfg = reg->config;
    for (size_t i = 0; cfg && i < cfg->n_entries; i++) {
        if (!cfg->entries[i].name)
            continue;
        if (names && n < cap)
            names[n] = cfg->entries[i].name;
        n++;
    }
    tenon__unlock(reg);
    return n;
}
