/* Dependency resolution: the order in which a plugin's not-yet-loaded
 * dependencies load (dependencies first), with every failure named: the
 * whole cycle, what is missing and who needs it, and both sides of a
 * version conflict. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

typedef struct walk {
    tenon_registry *reg;
    unsigned char *color; /* by plugin index: 0 new, 1 on the path, 2 done */
    tenon_plugin **path;  /* the current chain, for cycle messages */
    size_t depth;
    tenon_plugin **order;
    size_t n_order;
} walk;

static int cycle_error(walk *w, tenon_plugin *back_to)
{
    tenon__strbuf sb;
    tenon__sb_init(&sb);
    size_t start = 0;
    while (start < w->depth && w->path[start] != back_to)
        start++;
    for (size_t i = start; i < w->depth; i++)
        tenon__sb_addf(&sb, "%s -> ", w->path[i]->display_name);
    tenon__sb_add(&sb, back_to->display_name);
    int rc = tenon__fail(TENON_ECYCLE, TENON_STAGE_RESOLVE, back_to->display_name, NULL,
                         "break the cycle: one of these plugins must stop requiring the next",
                         "dependency cycle: %s", tenon__sb_str(&sb));
    tenon__sb_free(&sb);
    return rc;
}

static int missing_error(walk *w, tenon_plugin *who, const tenon_dep *dep)
{
    tenon__strbuf sb;
    tenon__sb_init(&sb);
    tenon__sb_add(&sb, "install it into one of the plugin folders (");
    for (size_t i = 0; i < w->reg->n_dirs; i++)
        tenon__sb_addf(&sb, "%s%s", i ? ", " : "", w->reg->dirs[i].path);
    tenon__sb_add(&sb, w->reg->n_dirs ? ")" : "none configured)");
    int rc = tenon__fail(TENON_EMISSINGDEP, TENON_STAGE_RESOLVE, who->display_name, who->path,
                         tenon__sb_str(&sb),
                         "plugin %s requires %s%s%s, which is not installed", who->display_name,
                         dep->name, dep->range[0] ? " " : "", dep->range);
    tenon__sb_free(&sb);
    return rc;
}

static int unusable_dep_error(tenon_plugin *who, const tenon_dep *dep, tenon_plugin *d)
{
    char reason[TENON_ERROR_TEXT_MAX];
    if (d->status == TENON_STATUS_OVERRIDDEN && d->shadowed_by)
        snprintf(reason, sizeof(reason), "it is overridden by %s",
                 d->shadowed_by->display_name);
    else if (d->status == TENON_STATUS_DISABLED)
        snprintf(reason, sizeof(reason), "it is disabled");
    else if (d->error)
        snprintf(reason, sizeof(reason), "it is %s: %s", tenon_status_name(d->status),
                 d->error->message);
    else
        snprintf(reason, sizeof(reason), "it is %s", tenon_status_name(d->status));
    return tenon__fail(TENON_EMISSINGDEP, TENON_STAGE_RESOLVE, who->display_name, who->path,
                       d->status == TENON_STATUS_DISABLED ? "enable it in the configuration"
                                                          : "fix or replace that plugin",
                       "plugin %s requires %s, but %s", who->display_name, dep->name, reason);
}

static int visit(walk *w, tenon_plugin *p)
{
    w->color[p->index] = 1;
    w->path[w->depth++] = p;
    for (size_t i = 0; i < p->desc->n_deps; i++) {
        const tenon_dep *dep = &p->desc->deps[i];
        tenon_plugin *d = tenon__map_get(&w->reg->by_name, dep->name);
        if (!d) {
            /* Broken and incompatible plugins have no active name, but
             * they are installed: say what is wrong with them. */
            for (size_t k = 0; k < w->reg->n_plugins && !d; k++)
                if (strcmp(w->reg->plugins[k]->display_name, dep->name) == 0)
                    d = w->reg->plugins[k];
            return d ? unusable_dep_error(p, dep, d) : missing_error(w, p, dep);
        }
        if (!tenon__plugin_usable(d) && d->state != TENON__LOADING)
            return unusable_dep_error(p, dep, d);
        if (dep->range[0] && tenon_semver_satisfies(d->desc->version, dep->range) != 1)
            return tenon__fail(TENON_EVERSION, TENON_STAGE_RESOLVE, p->display_name, p->path,
                               "install a version of the dependency in the range, or relax "
                               "the range",
                               "version conflict: %s %s requires %s %s, but %s is %s (%s)",
                               p->display_name, p->desc->version, dep->name, dep->range,
                               d->display_name, d->desc->version, d->path ? d->path : "static");
        if (w->color[d->index] == 1)
            return cycle_error(w, d);
        if (w->color[d->index] == 0 && d->state == TENON__UNLOADED) {
            int rc = visit(w, d);
            if (rc < 0)
                return rc;
        }
    }
    w->depth--;
    w->color[p->index] = 2;
    if (p->state == TENON__UNLOADED)
        w->order[w->n_order++] = p;
    return 0;
}

int tenon__resolve(tenon_registry *reg, tenon_plugin *p, tenon_plugin ***order, size_t *n)
{
    *order = NULL;
    *n = 0;
    walk w = {reg, NULL, NULL, 0, NULL, 0};
    w.color = tenon__calloc(reg->n_plugins, 1);
    w.path = tenon__calloc(reg->n_plugins + 1, sizeof(tenon_plugin *));
    w.order = tenon__calloc(reg->n_plugins + 1, sizeof(tenon_plugin *));
    if (!w.color || !w.path || !w.order) {
        tenon__free(w.color);
        tenon__free(w.path);
        tenon__free(w.order);
        return tenon__nomem(TENON_STAGE_RESOLVE, p->display_name);
    }
    int rc = visit(&w, p);
    tenon__free(w.color);
    tenon__free(w.path);
    if (rc < 0) {
        tenon__free(w.order);
        return rc;
    }
    *order = w.order;
    *n = w.n_order;
    return 0;
}

int tenon_plugin_load_order(tenon_plugin *p, tenon_plugin **order, size_t cap)
{
    TENON__CHECK_ARG(p, TENON_STAGE_RESOLVE, "p is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(order || !cap, TENON_STAGE_RESOLVE, "order is NULL", TENON_EINVAL);
    tenon_registry *reg = p->reg;
    tenon__lock(reg);
    int rc;
    if (!p->desc || (!tenon__plugin_usable(p) && p->state == TENON__UNLOADED)) {
        rc = tenon__plugin_unusable_error(p, TENON_STAGE_RESOLVE);
    } else {
        tenon_plugin **all;
        size_t n;
        rc = tenon__resolve(reg, p, &all, &n);
        if (rc == 0) {
            for (size_t i = 0; i < n && i < cap; i++)
                order[i] = all[i];
            tenon__free(all);
            rc = (int)n;
        }
    }
    tenon__unlock(reg);
    return rc;
}
