/* The registry cache: its messages, the check results it keeps, and the
 * public calls. Reading the file is cache_read.c, the scan's lookups
 * cache_lookup.c, writing it back atomically when something changed
 * cache_save.c. All cache state is guarded by the registry's load_lock,
 * which scans hold throughout; plugin fields by the registry lock as
 * usual. */
#include "cache_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- Messages -------------------------------------------------------------- */

void tenon__cache_warn(tenon_registry *reg, tenon__cache *c, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    tenon__log(reg, c->warned ? TENON_LOG_DEBUG : TENON_LOG_WARN, NULL, "%s", text);
    c->warned = true;
}

void tenon__cache_ignore(tenon_registry *reg, tenon__cache *c)
{
    char message[TENON_ERROR_TEXT_MAX];
    tenon__strlcpy(message, tenon_last_error()->message, sizeof(message));
    tenon__cache_warn(reg, c, "ignoring the registry cache %s: %s; it is rebuilt", c->path,
                      message);
    c->stats.cache_ignored++;
    c->changed = true;
    c->file_ok = false;
}

/* ---- Checks ---------------------------------------------------------------- */

/* Keeps an error that callers may still hold until the registry goes, as
 * tenon__plugin_set_error does. Registry lock held. */
static void retire_error(tenon_registry *reg, tenon_error *err)
{
    if (!err)
        return;
    if (tenon__grow((void **)&reg->retired, &reg->cap_retired, reg->n_retired + 1,
                    sizeof(tenon_error *)) == 0)
        reg->retired[reg->n_retired++] = err;
    else
        tenon__free(err);
}

void tenon__cache_record_check(tenon_plugin *p, int rc, uint64_t key)
{
    if (p->static_entry || !p->path)
        return;
    tenon_registry *reg = p->reg;
    tenon_error err = *tenon__error_tls();
    tenon_error *copy = NULL;
    if (rc < 0) {
        copy = tenon__malloc(sizeof(*copy));
        if (!copy)
            return; /* the check is simply not remembered */
        *copy = err;
    }
    pthread_mutex_lock(&reg->load_lock);
    tenon__lock(reg);
    retire_error(reg, p->check_error);
    p->check_error = copy;
    p->check = rc < 0 ? TENON_CHECK_FAILED : TENON_CHECK_PASSED;
    p->checked_ns = tenon__now_ns();
    p->check_key = key;
    if (rc < 0) {
        p->check_broken = p->desc && p->state == TENON__UNLOADED &&
                          p->status == TENON_STATUS_BROKEN;
    } else if (p->check_broken && p->state == TENON__UNLOADED &&
               p->status == TENON_STATUS_BROKEN) {
        /* Broken only because an earlier check failed: it passes now. */
        retire_error(reg, p->error);
        p->error = NULL;
        p->status = TENON_STATUS_FOUND;
        p->check_broken = false;
        tenon__registry_select(reg);
    }
    tenon__unlock(reg);
    if (reg->cache)
        reg->cache->changed = true;
    pthread_mutex_unlock(&reg->load_lock);
    tenon__error_restore(&err);
}

tenon_check_state tenon_plugin_check_state(const tenon_plugin *p, const tenon_error **why)
{
    if (why)
        *why = NULL;
    if (!p)
        return TENON_CHECK_NONE;
    tenon__lock(p->reg);
    tenon_check_state s = (tenon_check_state)p->check;
    /* A check with other options than the plugin would load with now
     * (tenon.json changed) says nothing about this configuration. */
    if (s != TENON_CHECK_NONE && p->check_key != tenon__check_key(p))
        s = TENON_CHECK_NONE;
    if (why && s == TENON_CHECK_FAILED)
        *why = p->check_error;
    tenon__unlock(p->reg);
    return s;
}

/* ---- Public ---------------------------------------------------------------- */

static bool app_name_ok(const char *app)
{
    if (!app[0] || app[0] == '.' || strstr(app, "..") || strlen(app) > 64)
        return false;
    for (const char *s = app; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' || *s == '.' || *s == '+'))
            return false;
    return true;
}

int tenon_cache_default_path(const char *app, char *buf, size_t size)
{
    TENON__CHECK_ARG(buf, TENON_STAGE_CACHE, "buf is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(size, TENON_STAGE_CACHE, "size is 0", TENON_EINVAL);
    buf[0] = '\0';
    if (!app)
        app = "tenon";
    if (getauxval(AT_SECURE))
        return tenon__fail(TENON_EPATH, TENON_STAGE_CACHE, NULL, NULL,
                           "name the cache file with tenon_registry_set_cache",
                           "a setuid or setgid program has no default registry cache: its "
                           "environment belongs to the user who started it");
    if (!app_name_ok(app))
        return tenon__fail(TENON_EPATH, TENON_STAGE_CACHE, NULL, NULL,
                           "name the cache file with tenon_registry_set_cache",
                           "app name \"%s\" cannot name a cache file", app);
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    int n;
    if (xdg && xdg[0] == '/')
        n = snprintf(buf, size, "%s/tenon/%s.cache", xdg, app);
    else if (home && home[0] == '/')
        n = snprintf(buf, size, "%s/.cache/tenon/%s.cache", home, app);
    else
        return tenon__fail(TENON_EPATH, TENON_STAGE_CACHE, NULL, NULL,
                           "set XDG_CACHE_HOME or HOME, or name the cache file",
                           "no cache folder: neither XDG_CACHE_HOME nor HOME is an absolute "
                           "path");
    if (n < 0 || (size_t)n >= size) {
        buf[0] = '\0';
        return tenon__fail(TENON_EINVAL, TENON_STAGE_CACHE, NULL, NULL, NULL,
                           "the cache path does not fit in %zu bytes", size);
    }
    return 0;
}

static void cache_free(tenon__cache *c)
{
    if (!c)
        return;
    tenon__cache_drop_image(c);
    tenon__cache_free_listings(c);
    for (size_t i = 0; i < c->n_dirs; i++)
        tenon__free(c->dirs[i]);
    tenon__free(c->dirs);
    tenon__free(c->path);
    tenon__free(c);
}

int tenon_registry_set_cache(tenon_registry *reg, const char *path, unsigned flags)
{
    TENON__CHECK_ARG(reg, TENON_STAGE_CACHE, "reg is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(!(flags & ~(unsigned)(TENON_CACHE_READ_ONLY | TENON_CACHE_REBUILD)),
                     TENON_STAGE_CACHE, "flags has unknown bits", TENON_EINVAL);
    char buf[PATH_MAX];
    if (!path) {
        tenon__lock(reg);
        char *app = tenon__strdup(reg->app);
        tenon__unlock(reg);
        if (!app)
            return tenon__nomem(TENON_STAGE_CACHE, NULL);
        int rc = tenon_cache_default_path(app, buf, sizeof(buf));
        tenon__free(app);
        if (rc < 0)
            return rc;
        path = buf;
    } else if (path[0] != '/') {
        return tenon__fail(TENON_EPATH, TENON_STAGE_CACHE, NULL, path,
                           "give the absolute path of the cache file",
                           "cache path \"%s\" is not absolute", path);
    }
    tenon__cache *c = tenon__calloc(1, sizeof(*c));
    if (!c || !(c->path = tenon__strdup(path))) {
        tenon__free(c);
        return tenon__nomem(TENON_STAGE_CACHE, NULL);
    }
    c->flags = flags;
    pthread_mutex_lock(&reg->load_lock);
    tenon__cache *old = reg->cache;
    reg->cache = c;
    pthread_mutex_unlock(&reg->load_lock);
    cache_free(old);
    return 0;
}

const char *tenon_registry_cache_path(tenon_registry *reg)
{
    TENON__CHECK_ARG(reg, TENON_STAGE_CACHE, "reg is NULL", NULL);
    pthread_mutex_lock(&reg->load_lock);
    const char *path = reg->cache ? reg->cache->path : NULL;
    pthread_mutex_unlock(&reg->load_lock);
    return path;
}

int tenon_registry_save_cache(tenon_registry *reg)
{
    TENON__CHECK_ARG(reg, TENON_STAGE_CACHE, "reg is NULL", TENON_EINVAL);
    pthread_mutex_lock(&reg->load_lock);
    int rc;
    if (!reg->cache)
        rc = tenon__fail(TENON_ESTATE, TENON_STAGE_CACHE, NULL, NULL,
                         "call tenon_registry_set_cache first", "the registry keeps no cache");
    else
        rc = tenon__cache_save(reg, reg->cache, false);
    pthread_mutex_unlock(&reg->load_lock);
    return rc;
}

int tenon_registry_cache_stats(tenon_registry *reg, tenon_cache_stats *out)
{
    TENON__CHECK_ARG(reg, TENON_STAGE_CACHE, "reg is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(out, TENON_STAGE_CACHE, "out is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(out->struct_size >= offsetof(tenon_cache_stats, files_read),
                     TENON_STAGE_CACHE, "out->struct_size is too small", TENON_EINVAL);
    size_t size = out->struct_size < sizeof(*out) ? out->struct_size : sizeof(*out);
    tenon_cache_stats s = {0};
    pthread_mutex_lock(&reg->load_lock);
    if (reg->cache)
        s = reg->cache->stats;
    s.files_read = reg->files_read;
    pthread_mutex_unlock(&reg->load_lock);
    s.struct_size = (uint32_t)size;
    memcpy(out, &s, size);
    return 0;
}

void tenon__cache_close(tenon_registry *reg)
{
    pthread_mutex_lock(&reg->load_lock);
    tenon__cache *c = reg->cache;
    reg->cache = NULL;
    if (c && c->changed)
        tenon__cache_save(reg, c, false);
    pthread_mutex_unlock(&reg->load_lock);
    cache_free(c);
}

int tenon_cache_remove(const char *path)
{
    TENON__CHECK_ARG(path, TENON_STAGE_CACHE, "path is NULL", TENON_EINVAL);
    if (path[0] != '/')
        return tenon__fail(TENON_EPATH, TENON_STAGE_CACHE, NULL, path, NULL,
                           "cache path \"%s\" is not absolute", path);
    if (unlink(path) == 0 || errno == ENOENT)
        return 0;
    if (errno == EISDIR || errno == EPERM) {
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            if (rmdir(path) == 0)
                return 0;
            return tenon__fail(TENON_EIO, TENON_STAGE_CACHE, NULL, path,
                               "remove the folder, or choose another cache file",
                               "a folder that is not empty is where the cache file belongs");
        }
    }
    return tenon__cache_io_fail(path, "remove the cache file", errno);
}
