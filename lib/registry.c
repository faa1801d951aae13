/* The registry object: search paths, the list of known plugins, which one
 * of each name is active, and logging. Scanning, loading and lookups live
 * in their own files. */
#include "internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

/* Where an installed libtenon lives; used when it is linked statically. */
#ifndef TENON_LIBDIR
#define TENON_LIBDIR "/usr/local/lib"
#endif

void tenon__lock(tenon_registry *reg)
{
    pthread_mutex_lock(&reg->lock);
}

void tenon__unlock(tenon_registry *reg)
{
    pthread_mutex_unlock(&reg->lock);
}

/* ---- Logging --------------------------------------------------------------- */

static void default_log(void *userdata, tenon_log_level level, const char *plugin,
                        const char *message)
{
    (void)userdata;
    static const char *const names[] = {"error", "warning", "info", "debug"};
    fprintf(stderr, "tenon: %s%s%s: %s\n", plugin ? plugin : "", plugin ? ": " : "",
            names[level <= TENON_LOG_DEBUG ? level : TENON_LOG_DEBUG], message);
}

void tenon__vlog(tenon_registry *reg, tenon_log_level level, const char *plugin,
                 const char *fmt, va_list ap)
{
    tenon_log_fn fn = reg->log_fn;
    if (!fn || level > reg->log_level)
        return;
    char message[1024];
    vsnprintf(message, sizeof(message), fmt, ap);
    fn(reg->log_userdata, level, plugin, message);
}

void tenon__log(tenon_registry *reg, tenon_log_level level, const char *plugin, const char *fmt,
                ...)
{
    va_list ap;
    va_start(ap, fmt);
    tenon__vlog(reg, level, plugin, fmt, ap);
    va_end(ap);
}

void tenon_registry_set_log(tenon_registry *reg, tenon_log_fn fn, void *userdata,
                            tenon_log_level max_level)
{
    TENON__CHECK_ARG(reg, TENON_STAGE_SCAN, "reg is NULL", );
    tenon__lock(reg);
    reg->log_fn = fn;
    reg->log_userdata = userdata;
    reg->log_level = max_level;
    tenon__unlock(reg);
}

/* ---- Search path ----------------------------------------------------------- */

static char default_base[PATH_MAX];
static pthread_once_t default_base_once = PTHREAD_ONCE_INIT;

/* The folder the library is installed in, so a relocated install (or the
 * build tree, which mirrors the layout) finds its plugins; the configured
 * one when libtenon is linked statically into a program. */
static void compute_default_base(void)
{
    Dl_info info;
    if (dladdr((void *)compute_default_base, &info) && info.dli_fname) {
        const char *slash = strrchr(info.dli_fname, '/');
        const char *base = slash ? slash + 1 : info.dli_fname;
        if (slash && info.dli_fname[0] == '/' && strncmp(base, "libtenon.so", 11) == 0) {
            int n = snprintf(default_base, sizeof(default_base), "%.*s",
                             (int)(slash - info.dli_fname), info.dli_fname);
            if (n > 0 && (size_t)n < sizeof(default_base))
                return;
        }
    }
    tenon__strlcpy(default_base, TENON_LIBDIR, sizeof(default_base));
}

/* Each application has its own default folder, LIBDIR/APP/plugins: hosts
 * never see each other's plugins unless they ask for them. */
static char *default_dir_of(const char *app)
{
    pthread_once(&default_base_once, compute_default_base);
    return tenon__asprintf("%s/%s/plugins", default_base, app);
}

static char tenon_app_dir[PATH_MAX + sizeof("/tenon/plugins")];
static pthread_once_t tenon_app_dir_once = PTHREAD_ONCE_INIT;

static void compute_tenon_app_dir(void)
{
    pthread_once(&default_base_once, compute_default_base);
    snprintf(tenon_app_dir, sizeof(tenon_app_dir), "%s/tenon/plugins", default_base);
}

/* The default folder of app "tenon", which hosts created with app NULL and
 * the tenon tool use. */
const char *tenon_default_plugin_dir(void)
{
    pthread_once(&tenon_app_dir_once, compute_tenon_app_dir);
    return tenon_app_dir;
}

/* An application name names folders (LIBDIR/APP/plugins, /etc/APP): one
 * path component, so it cannot point anywhere else. */
static bool app_name_ok(const char *app)
{
    if (!app[0] || strcmp(app, ".") == 0 || strcmp(app, "..") == 0 || strlen(app) > NAME_MAX)
        return false;
    for (const char *c = app; *c; c++)
        if (*c == '/' || (unsigned char)*c < 0x20 || *c == 0x7f)
            return false;
    return true;
}

/* Appends a folder (not canonicalized yet for env/default ones, which may
 * not exist). Lock held or registry private. */
static int push_dir(tenon_registry *reg, const char *path, bool from_env)
{
    for (size_t i = 0; i < reg->n_dirs; i++)
        if (strcmp(reg->dirs[i].path, path) == 0)
            return 0; /* first occurrence keeps its priority */
    char *copy = tenon__strdup(path);
    if (!copy || tenon__grow((void **)&reg->dirs, &reg->cap_dirs, reg->n_dirs + 1,
                             sizeof(tenon__search_dir)) < 0) {
        tenon__free(copy);
        return tenon__nomem(TENON_STAGE_SCAN, NULL);
    }
    reg->dirs[reg->n_dirs] = (tenon__search_dir){copy, 0, false, from_env};
    reg->n_dirs++;
    return 0;
}

/* Renumbers origins after an insertion: API folders first, then env, then
 * the default folder. */
static void renumber_dirs(tenon_registry *reg)
{
    for (size_t i = 0; i < reg->n_dirs; i++)
        reg->dirs[i].origin = TENON__ORIGIN_PATH + (unsigned)i;
}

int tenon_registry_add_path(tenon_registry *reg, const char *dir)
{
    TENON__CHECK_ARG(reg, TENON_STAGE_SCAN, "reg is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(dir, TENON_STAGE_SCAN, "dir is NULL", TENON_EINVAL);
    char *canonical;
    int rc = tenon__path_canonical(dir, TENON_STAGE_SCAN, &canonical);
    if (rc < 0)
        return rc;
    tenon__lock(reg);
    for (size_t i = 0; i < reg->n_dirs; i++) {
        if (strcmp(reg->dirs[i].path, canonical) == 0) {
            tenon__unlock(reg);
            tenon__free(canonical);
            return 0;
        }
    }
    if (tenon__grow((void **)&reg->dirs, &reg->cap_dirs, reg->n_dirs + 1,
                    sizeof(tenon__search_dir)) < 0) {
        tenon__unlock(reg);
        tenon__free(canonical);
        return tenon__nomem(TENON_STAGE_SCAN, NULL);
    }
    /* API folders go before the env and default ones. */
    size_t at = reg->n_user_dirs;
    memmove(&reg->dirs[at + 1], &reg->dirs[at], (reg->n_dirs - at) * sizeof(reg->dirs[0]));
    reg->dirs[at] = (tenon__search_dir){canonical, 0, false, false};
    reg->n_dirs++;
    reg->n_user_dirs++;
    renumber_dirs(reg);
    /* Scanned plugins keep their origin numbers; folders added later only
     * gain lower priority than what was added before them in the API, so
     * re-derive origins of plugins from their folder. */
    for (size_t i = 0; i < reg->n_plugins; i++) {
        tenon_plugin *p = reg->plugins[i];
        if (p->origin >= TENON__ORIGIN_PATH + at)
            p->origin++;
    }
    tenon__registry_select(reg);
    tenon__unlock(reg);
    return 0;
}

size_t tenon_registry_paths(tenon_registry *reg, const char **dirs, size_t cap)
{
    TENON__CHECK_ARG(reg, TENON_STAGE_SCAN, "reg is NULL", 0);
    TENON__CHECK_ARG(dirs || !cap, TENON_STAGE_SCAN, "dirs is NULL", 0);
    tenon__lock(reg);
    size_t n = reg->n_dirs;
    for (size_t i = 0; i < n && i < cap; i++)
        dirs[i] = reg->dirs[i].path;
    tenon__unlock(reg);
    return n;
}

/* ---- Creation and teardown ------------------------------------------------- */

static int add_static(tenon_registry *reg, const tenon_plugin_entry *entry)
{
    tenon_plugin *p = tenon__calloc(1, sizeof(*p));
    if (!p)
        return tenon__nomem(TENON_STAGE_SCAN, NULL);
    p->reg = reg;
    p->origin = TENON__ORIGIN_STATIC;
    p->static_entry = entry;
    int rc;
    if (!entry || entry->struct_size < offsetof(tenon_plugin_entry, impls) ||
        !entry->descriptor) {
        rc = tenon__fail(TENON_EMISMATCH, TENON_STAGE_SCAN, NULL, NULL, "rebuild the host",
                         "a static plugin entry is malformed");
    } else {
        rc = tenon__desc_from_raw(entry->descriptor, entry->descriptor->size, NULL, &p->desc);
        if (rc == 0)
            rc = tenon__abi_check(p->desc, NULL);
    }
    if (rc < 0) {
        tenon__plugin_set_error(p, rc == TENON_EABIMAJOR || rc == TENON_EABIMINOR
                                       ? TENON_STATUS_INCOMPATIBLE
                                       : TENON_STATUS_BROKEN);
        if (!p->error) {
            tenon__free(p);
            return tenon__nomem(TENON_STAGE_SCAN, NULL);
        }
    }
    p->display_name = tenon__strdup(p->desc ? p->desc->name : "(static plugin)");
    if (!p->display_name || tenon__registry_append(reg, p) < 0) {
        tenon__free(p->display_name);
        tenon__free(p->error);
        tenon_descriptor_free(p->desc);
        tenon__free(p);
        return tenon__nomem(TENON_STAGE_SCAN, NULL);
    }
    return 0;
}

static int add_env_and_default_dirs(tenon_registry *reg)
{
    /* Under AT_SECURE (setuid/setgid, capabilities) the environment belongs
     * to a less privileged user: never let it choose code to run. */
    if (!(reg->flags & TENON_REGISTRY_NO_ENV) && !getauxval(AT_SECURE)) {
        const char *env = getenv("TENON_PLUGIN_PATH");
        while (env && *env) {
            size_t len = strcspn(env, ":");
            if (len > 0 && env[0] == '/' && len < PATH_MAX) {
                char dir[PATH_MAX];
                memcpy(dir, env, len);
                dir[len] = '\0';
                int rc = push_dir(reg, dir, true);
                if (rc < 0)
                    return rc;
            } else if (len > 0) {
                tenon__log(reg, TENON_LOG_WARN, NULL,
                           "TENON_PLUGIN_PATH entry \"%.*s\" is not absolute; ignored",
                           (int)len, env);
            }
            env += len + (env[len] == ':');
        }
    }
    if (!(reg->flags & TENON_REGISTRY_NO_DEFAULT_PATH)) {
        char *dir = default_dir_of(reg->app);
        int rc = dir ? push_dir(reg, dir, false) : tenon__nomem(TENON_STAGE_SCAN, NULL);
        tenon__free(dir);
        if (rc < 0)
            return rc;
    }
    renumber_dirs(reg);
    return 0;
}

int tenon_registry_create_with(const char *app, unsigned flags,
                               const tenon_plugin_entry *const *static_begin,
                               const tenon_plugin_entry *const *static_end,
                               tenon_registry **out)
{
    TENON__CHECK_ARG(out, TENON_STAGE_SCAN, "out is NULL", TENON_EINVAL);
    *out = NULL;
    if (app && !app_name_ok(app))
        return tenon__fail(TENON_EINVAL, TENON_STAGE_SCAN, NULL, NULL,
                           "name the application with one file name, e.g. \"tenon-io\"",
                           "application name \"%s\" is not a file name (it names the "
                           "folders LIBDIR/APP/plugins and /etc/APP)",
                           app);
    tenon_registry *reg = tenon__calloc(1, sizeof(*reg));
    if (!reg)
        return tenon__nomem(TENON_STAGE_SCAN, NULL);
    pthread_mutex_init(&reg->lock, NULL);
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&reg->load_lock, &attr);
    pthread_mutexattr_destroy(&attr);
    tenon__map_init(&reg->by_name);
    tenon__map_init(&reg->instance_by_name);
    reg->flags = flags;
    reg->log_fn = default_log;
    reg->log_level = TENON_LOG_WARN;
    reg->app = tenon__strdup(app ? app : "tenon");
    int rc = reg->app ? 0 : tenon__nomem(TENON_STAGE_SCAN, NULL);
    if (rc == 0)
        rc = add_env_and_default_dirs(reg);
    if (rc == 0 && !(flags & TENON_REGISTRY_NO_STATIC) && static_begin && static_end) {
        for (const tenon_plugin_entry *const *e = static_begin; e < static_end && rc == 0; e++)
            rc = add_static(reg, *e);
    }
    if (rc < 0) {
        tenon_registry_free(reg);
        return rc;
    }
    tenon__lock(reg);
    tenon__registry_select(reg);
    tenon__unlock(reg);
    *out = reg;
    return 0;
}

void tenon_registry_free(tenon_registry *reg)
{
    if (!reg)
        return;
    tenon__cache_close(reg);
    /* Teardown follows ownership: the instances the host and the
     * configuration made go first, each before what it made; then every
     * plugin is finied before what it requires, holds or owns instances of
     * (a cycle of holds falls back to reverse load order), and what a
     * plugin made and left behind is freed right after its fini. */
    tenon__instances_free_unowned(reg);
    pthread_mutex_lock(&reg->load_lock);
    tenon__fini_all(reg);
    pthread_mutex_unlock(&reg->load_lock);
    tenon__instances_drop_all(reg);

    for (size_t i = 0; i < reg->n_plugins; i++) {
        tenon_plugin *p = reg->plugins[i];
        tenon_descriptor_free(p->desc);
        tenon__free(p->path);
        tenon__free(p->display_name);
        tenon__free(p->error);
        tenon__free(p->check_error);
        tenon__free(p->deps);
        for (size_t h = 0; h < p->n_holders; h++)
            tenon__free(p->holders[h].name);
        tenon__free(p->holders);
        tenon_options_free(p->config);
        tenon_values_free(p->values);
        tenon__free(p);
    }
    tenon__free(reg->plugins);
    for (size_t i = 0; i < reg->n_retired; i++)
        tenon__free(reg->retired[i]);
    tenon__free(reg->retired);
    for (size_t i = 0; i < reg->n_dirs; i++)
        tenon__free(reg->dirs[i].path);
    tenon__free(reg->dirs);
    tenon__scan_free(reg);
    tenon__free(reg->instances);
    tenon__map_free(&reg->by_name);
    tenon__map_free(&reg->instance_by_name);
    tenon__free(reg->app);
    tenon__config_free_all(reg);
    tenon__trust_free(&reg->trust);
    pthread_mutex_destroy(&reg->lock);
    pthread_mutex_destroy(&reg->load_lock);
    tenon__free(reg);
}

/* ---- The plugin list ------------------------------------------------------- */

int tenon__registry_append(tenon_registry *reg, tenon_plugin *p)
{
    /* The name index gets room for every plugin now, so that
     * tenon__registry_select, which cannot fail, never allocates. */
    if (tenon__grow((void **)&reg->plugins, &reg->cap_plugins, reg->n_plugins + 1,
                    sizeof(tenon_plugin *)) < 0 ||
        tenon__map_reserve(&reg->by_name, reg->n_plugins + 1) < 0)
        return TENON_ENOMEM;
    p->index = reg->n_plugins;
    reg->plugins[reg->n_plugins++] = p;
    return 0;
}

void tenon__plugin_set_error(tenon_plugin *p, tenon_status status)
{
    tenon_error *copy = tenon__error_dup_last();
    if (copy) {
        if (!copy->plugin[0] && p->desc)
            tenon__strlcpy(copy->plugin, p->desc->name, sizeof(copy->plugin));
        if (!copy->path[0] && p->path)
            tenon__strlcpy(copy->path, p->path, sizeof(copy->path));
        /* Callers may still hold the old error (tenon_plugin_error), so it
         * is retired, not freed, until the registry goes. */
        if (p->error && tenon__grow((void **)&p->reg->retired, &p->reg->cap_retired,
                                    p->reg->n_retired + 1, sizeof(tenon_error *)) == 0)
            p->reg->retired[p->reg->n_retired++] = p->error;
        else
            tenon__free(p->error);
        p->error = copy;
    }
    p->status = status;
}

bool tenon__plugin_usable(const tenon_plugin *p)
{
    return p->status == TENON_STATUS_FOUND || p->status == TENON_STATUS_LOADED;
}

int tenon__plugin_unusable_error(const tenon_plugin *p, tenon_stage stage)
{
    const char *name = p->display_name;
    switch (p->status) {
    case TENON_STATUS_SHADOWED:
        return tenon__fail(TENON_ESHADOWED, stage, name, p->path,
                           "remove one of the two, or order the search path",
                           "plugin %s at %s is shadowed by the one at %s", name,
                           p->path ? p->path : "(static)",
                           p->shadowed_by && p->shadowed_by->path ? p->shadowed_by->path
                                                                  : "(static)");
    case TENON_STATUS_OVERRIDDEN:
        return tenon__fail(TENON_EOVERRIDDEN, stage, name, p->path,
                           "disable the overriding plugin to use this one",
                           "plugin %s is overridden by %s", name,
                           p->shadowed_by ? p->shadowed_by->display_name : "another plugin");
    case TENON_STATUS_DISABLED:
        if (p->error)
            return tenon__error_restore(p->error);
        return tenon__fail(TENON_EDISABLED, stage, name, p->path,
                           (p->desc && (p->desc->flags & TENON_PLUGIN_DISABLED_BY_DEFAULT))
                               ? "enable it in the configuration (\"enabled\": true)"
                               : "enable it in the configuration",
                           "plugin %s is %s", name,
                           p->disabled_by_config ? "disabled by the configuration"
                                                 : "disabled by default");
    default:
        if (p->error)
            return tenon__error_restore(p->error);
        return tenon__fail(TENON_EBROKEN, stage, name, p->path, NULL, "plugin %s is broken",
                           name);
    }
}

/* Whether a beats b for the same name: static, then explicit files, then
 * search path order, then scan order. */
static bool wins(const tenon_plugin *a, const tenon_plugin *b)
{
    if (a->origin != b->origin)
        return a->origin < b->origin;
    return a->index < b->index;
}

static bool has_reason_status(tenon_status s)
{
    return s == TENON_STATUS_BROKEN || s == TENON_STATUS_INCOMPATIBLE;
}

void tenon__registry_select(tenon_registry *reg)
{
    /* tenon.json first: its decisions feed the disabled statuses below. */
    tenon__config_select(reg);
    /* 1. Which plugin of each name is active: only readable, compatible
     *    ones compete; the loaded one always stays. (The map has room for
     *    every plugin: see tenon__registry_append.) */
    tenon__map_clear(&reg->by_name);
    for (size_t i = 0; i < reg->n_plugins; i++) {
        tenon_plugin *p = reg->plugins[i];
        if (!p->desc || has_reason_status(p->status))
            continue;
        tenon_plugin *cur = tenon__map_get(&reg->by_name, p->desc->name);
        bool take = !cur || (cur->state == TENON__UNLOADED &&
                             (p->state != TENON__UNLOADED || wins(p, cur)));
        if (take && tenon__map_put(&reg->by_name, p->desc->name, p) < 0)
            tenon__log(reg, TENON_LOG_ERROR, NULL, "out of memory while indexing plugins");
    }
    for (size_t i = 0; i < reg->n_plugins; i++) {
        tenon_plugin *p = reg->plugins[i];
        if (!p->desc || has_reason_status(p->status))
            continue;
        tenon_plugin *active = tenon__map_get(&reg->by_name, p->desc->name);
        if (p->state != TENON__UNLOADED) {
            p->status = p->state == TENON__LOADED ? TENON_STATUS_LOADED : p->status;
            p->shadowed_by = NULL;
            continue;
        }
        if (active && active != p) {
            p->status = TENON_STATUS_SHADOWED;
            p->shadowed_by = active;
            continue;
        }
        p->shadowed_by = NULL;
        bool disabled = p->disabled_by_config ||
                        ((p->desc->flags & TENON_PLUGIN_DISABLED_BY_DEFAULT) &&
                         !p->enabled_by_config);
        p->status = disabled ? TENON_STATUS_DISABLED : TENON_STATUS_FOUND;
    }
    /* 2. Overrides (VPP): an active, enabled plugin that overrides B makes
     *    B's code never run. A loaded B cannot be overridden any more. */
    for (size_t i = 0; i < reg->n_plugins; i++) {
        tenon_plugin *a = reg->plugins[i];
        if (!a->desc || !tenon__plugin_usable(a))
            continue;
        for (size_t k = 0; k < a->desc->n_overrides; k++) {
            tenon_plugin *b = tenon__map_get(&reg->by_name, a->desc->overrides[k]);
            if (b && b != a && b->state == TENON__UNLOADED &&
                b->status != TENON_STATUS_OVERRIDDEN) {
                b->status = TENON_STATUS_OVERRIDDEN;
                b->shadowed_by = a;
            }
        }
    }
}

size_t tenon_registry_count(tenon_registry *reg)
{
    TENON__CHECK_ARG(reg, TENON_STAGE_SCAN, "reg is NULL", 0);
    tenon__lock(reg);
    size_t n = reg->n_plugins;
    tenon__unlock(reg);
    return n;
}

tenon_plugin *tenon_registry_at(tenon_registry *reg, size_t index)
{
    TENON__CHECK_ARG(reg, TENON_STAGE_SCAN, "reg is NULL", NULL);
    tenon__lock(reg);
    tenon_plugin *p = index < reg->n_plugins ? reg->plugins[index] : NULL;
    tenon__unlock(reg);
    return p;
}

tenon_plugin *tenon_registry_find(tenon_registry *reg, const char *name)
{
    TENON__CHECK_ARG(reg, TENON_STAGE_SCAN, "reg is NULL", NULL);
    TENON__CHECK_ARG(name, TENON_STAGE_SCAN, "name is NULL", NULL);
    tenon__lock(reg);
    tenon_plugin *p = tenon__map_get(&reg->by_name, name);
    if (!p)
        tenon__no_plugin_named(reg, TENON_STAGE_SCAN, name, NULL);
    tenon__unlock(reg);
    return p;
}

/* ---- Accessors ------------------------------------------------------------- */

const tenon_plugin_desc *tenon_plugin_descriptor(const tenon_plugin *p)
{
    return p ? p->desc : NULL;
}

const char *tenon_plugin_name(const tenon_plugin *p)
{
    return p ? p->display_name : NULL;
}

const char *tenon_plugin_version(const tenon_plugin *p)
{
    return p && p->desc ? p->desc->version : NULL;
}

const char *tenon_plugin_path(const tenon_plugin *p)
{
    return p ? p->path : NULL;
}

bool tenon_plugin_is_static(const tenon_plugin *p)
{
    return p && p->static_entry;
}

tenon_status tenon_plugin_status(const tenon_plugin *p)
{
    if (!p)
        return TENON_STATUS_BROKEN;
    tenon__lock(p->reg);
    tenon_status s = p->status;
    tenon__unlock(p->reg);
    return s;
}

const char *tenon_status_name(tenon_status status)
{
    switch (status) {
    case TENON_STATUS_FOUND:
        return "ok";
    case TENON_STATUS_LOADED:
        return "loaded";
    case TENON_STATUS_DISABLED:
        return "disabled";
    case TENON_STATUS_INCOMPATIBLE:
        return "incompatible";
    case TENON_STATUS_SHADOWED:
        return "shadowed";
    case TENON_STATUS_OVERRIDDEN:
        return "overridden";
    case TENON_STATUS_BROKEN:
        return "broken";
    }
    return "unknown";
}

const tenon_error *tenon_plugin_error(const tenon_plugin *p)
{
    if (!p)
        return NULL;
    tenon__lock(p->reg);
    const tenon_error *e = p->error;
    tenon__unlock(p->reg);
    return e;
}

tenon_plugin *tenon_plugin_shadowed_by(const tenon_plugin *p)
{
    if (!p)
        return NULL;
    tenon__lock(p->reg);
    tenon_plugin *s = p->shadowed_by;
    tenon__unlock(p->reg);
    return s;
}

tenon_registry *tenon_plugin_registry(const tenon_plugin *p)
{
    return p ? p->reg : NULL;
}
