/* tenon.json: finding and reading the file, and installing what it says
 * in the registry (its trust settings and its place in the list of
 * configurations). The document is checked by config_document.c and
 * config_values.c; the decisions the registry's selection asks for are
 * config_decide.c; applying it (the plan, loading, instances) is
 * config_plan.c.
 *
 * Everything that can be checked without a plugin's descriptor is checked
 * when the file is read, so a configuration either loads whole or not at
 * all; what needs descriptors (option schemas, interfaces, versions) is
 * checked by the plan, where a failure belongs to one entry and its load
 * policy. */
#include "config_internal.h"
#include "path_policy.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

/* Far above any real configuration; stops a wrong path (a disk image, a
 * log) from being read whole. */
#define CONFIG_MAX_SIZE (16u << 20)

/* ---- Freeing --------------------------------------------------------------- */

static void free_strings(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        tenon__free(list[i]);
    tenon__free(list);
}

static void config_free(tenon__config *cfg)
{
    if (!cfg)
        return;
    tenon__free(cfg->path);
    tenon__free(cfg->name);
    tenon__free(cfg->dir);
    free_strings(cfg->paths, cfg->n_paths);
    free_strings(cfg->path_origins, cfg->n_paths);
    tenon__free(cfg->default_origin);
    for (size_t i = 0; i < cfg->n_entries; i++) {
        tenon__cfg_entry *e = &cfg->entries[i];
        tenon__free(e->module);
        tenon__free(e->name);
        tenon__free(e->interface);
        tenon__free(e->version);
        tenon__free(e->sha256);
        tenon__free(e->origin);
        tenon_options_free(e->options);
        for (size_t k = 0; k < e->n_opts; k++) {
            tenon__free(e->opts[k].key);
            tenon__free(e->opts[k].text);
            tenon__free(e->opts[k].origin);
        }
        tenon__free(e->opts);
    }
    tenon__free(cfg->entries);
    for (size_t i = 0; i < cfg->n_rules; i++) {
        tenon__free(cfg->rules[i].pattern);
        tenon__free(cfg->rules[i].origin);
        tenon__free(cfg->rules[i].where);
    }
    tenon__free(cfg->rules);
    free_strings(cfg->trusted_keys, cfg->n_trusted_keys);
    tenon__free(cfg->trusted_key_pos);
    tenon__free(cfg->keys_dir);
    tenon__free(cfg);
}

void tenon__config_free_all(tenon_registry *reg)
{
    tenon__config *cfg = reg->config;
    while (cfg) {
        tenon__config *older = cfg->older;
        config_free(cfg);
        cfg = older;
    }
    reg->config = NULL;
}

/* ---- Installing ------------------------------------------------------------ */

/* The integrity settings, through the trust API. The keys folder goes
 * first: it is the one step that can fail for a reason other than memory
 * (it adds all its keys or none), so a bad folder leaves the registry's
 * trust as it was. Keys only accumulate; pins of a replaced configuration
 * that the new one does not repeat are removed. */
static int apply_trust(tenon_registry *reg, const tenon__config *cfg)
{
    int rc;
    if (cfg->keys_dir && (rc = tenon_registry_trust_keys_dir(reg, cfg->keys_dir)) < 0) {
        tenon_error e = *tenon_last_error();
        if (rc == TENON_ENOMEM)
            return rc;
        char buf[80];
        return tenon__config_fail(cfg, cfg->keys_dir_pos, rc, NULL, e.hint[0] ? e.hint : NULL,
                                  "keys_dir %s: %s",
                                  tenon__cfg_shown(cfg->keys_dir, buf, sizeof(buf)), e.message);
    }
    for (size_t i = 0; i < cfg->n_trusted_keys; i++)
        if ((rc = tenon_registry_trust_key(reg, cfg->trusted_keys[i])) < 0)
            return rc; /* parsed when loaded: only memory can fail */
    for (size_t i = 0; i < cfg->n_entries; i++) {
        const tenon__cfg_entry *e = &cfg->entries[i];
        if (e->sha256 && (rc = tenon_registry_pin_sha256(reg, e->module, e->sha256)) < 0)
            return rc;
    }
    const tenon__config *old = reg->config; /* only install writes it; load_lock held */
    for (size_t i = 0; old && i < old->n_entries; i++) {
        const tenon__cfg_entry *oe = &old->entries[i];
        bool kept = false;
        for (size_t k = 0; oe->sha256 && k < cfg->n_entries && !kept; k++)
            kept = cfg->entries[k].sha256 && strcmp(cfg->entries[k].module, oe->module) == 0;
        if (oe->sha256 && !kept && (rc = tenon_registry_pin_sha256(reg, oe->module, NULL)) < 0)
            return rc;
    }
    if (cfg->require_signed >= 0)
        tenon_registry_require_signed(reg, cfg->require_signed != 0);
    return 0;
}

static int install_locked(tenon_registry *reg, tenon__config *cfg)
{
    int rc = apply_trust(reg, cfg);
    if (rc < 0)
        return rc;
    /* Folders first: adding one is the only step that can fail, and after
     * it the configuration goes in whole. */
    for (size_t i = 0; i < cfg->n_paths; i++) {
        rc = tenon_registry_add_path(reg, cfg->paths[i]);
        if (rc == TENON_ENOMEM)
            return rc;
        if (rc < 0)
            tenon__log(reg, TENON_LOG_WARN, NULL, "%s: plugin folder %s skipped: %s",
                       cfg->path_origins[i], cfg->paths[i], tenon_last_error()->message);
    }
    tenon__lock(reg);
    cfg->older = reg->config;
    cfg->gen = (reg->config ? reg->config->gen : 0) + 1;
    reg->config = cfg;
    tenon__registry_select(reg);
    tenon__unlock(reg);
    tenon__log(reg, TENON_LOG_DEBUG, NULL, "configuration %s: %zu plugin entr%s, %zu folder%s",
               cfg->path, cfg->n_entries, cfg->n_entries == 1 ? "y" : "ies", cfg->n_paths,
               cfg->n_paths == 1 ? "" : "s");
    return 0;
}

/* One configuration load at a time (the load lock is recursive, and the
 * calls inside take the registry lock as they need it). */
static int install(tenon_registry *reg, tenon__config *cfg)
{
    pthread_mutex_lock(&reg->load_lock);
    int rc = install_locked(reg, cfg);
    pthread_mutex_unlock(&reg->load_lock);
    return rc;
}

/* Checks and installs text. path and name are for messages (path
 * also goes in the error's path); dir is the file's folder, or NULL. */
static int load_text(tenon_registry *reg, const char *text, size_t len, const char *path,
                     const char *name, const char *dir)
{
    tenon__config *cfg = tenon__calloc(1, sizeof(*cfg));
    if (!cfg)
        return tenon__cfg_nomem();
    cfg->path = tenon__strdup(path);
    cfg->name = tenon__strdup(name);
    cfg->dir = dir ? tenon__strdup(dir) : NULL;
    cfg->default_enabled = true;
    cfg->default_policy = (tenon__cfg_policy){true, TENON_ON_ERROR_FAIL};
    cfg->require_signed = -1;
    if (!cfg->path || !cfg->name || (dir && !cfg->dir)) {
        config_free(cfg);
        return tenon__cfg_nomem();
    }
    int rc = tenon__config_parse_text(reg, cfg, text, len);
    if (rc == 0)
        rc = install(reg, cfg);
    if (rc < 0)
        config_free(cfg);
    return rc;
}

/* ---- Finding and reading the file ------------------------------------------ */

/* Like the plugin checks: the configuration decides which code runs, so
 * whoever can write it can run code in the host. */
static int file_policy(const struct stat *st, const char *path)
{
    int rc = tenon__trusted_file_policy(st, path, TENON__TRUSTED_CONFIG, geteuid());
    if (rc < 0)
        return rc;
    char dir[PATH_MAX];
    if (!realpath(path, dir))
        return tenon__fail(TENON_EIO, TENON_STAGE_CONFIG, NULL, path, NULL,
                           "cannot resolve configuration %s: %s", path, strerror(errno));
    return tenon__trusted_dirs_policy(dir, path, TENON__TRUSTED_CONFIG);
}

/* Reads a whole configuration file. *missing tells a file that does not
 * exist from one that cannot be read. */
static int read_config(const char *path, const char *why, bool *missing, char **text,
                       size_t *len)
{
    *missing = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        int err = errno;
        *missing = err == ENOENT || err == ENOTDIR;
        return tenon__fail(TENON_ECONFIG, TENON_STAGE_CONFIG, NULL, path,
                           *missing ? "check the file name" : NULL,
                           "cannot read configuration %s%s%s%s: %s", path, why ? " (" : "",
                           why ? why : "", why ? ")" : "", strerror(err));
    }
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0) {
        rc = tenon__fail(TENON_ECONFIG, TENON_STAGE_CONFIG, NULL, path, NULL,
                         "cannot read configuration %s: %s", path, strerror(errno));
    } else if (!S_ISREG(st.st_mode)) {
        rc = tenon__fail(TENON_ECONFIG, TENON_STAGE_CONFIG, NULL, path,
                         "point it at a tenon.json file",
                         "configuration %s%s%s%s is not a regular file", path, why ? " (" : "",
                         why ? why : "", why ? ")" : "");
    } else if ((rc = file_policy(&st, path)) < 0) {
        /* Always, like trusted key files: TENON_REGISTRY_ALLOW_UNSAFE_FILES
         * relaxes plugin files, but whoever writes the configuration can
         * also turn require_signed off and add keys. */
    } else if ((uintmax_t)st.st_size > CONFIG_MAX_SIZE) {
        rc = tenon__fail(TENON_ECONFIG, TENON_STAGE_CONFIG, NULL, path, NULL,
                         "configuration %s is %jd bytes; the limit is %u", path,
                         (intmax_t)st.st_size, CONFIG_MAX_SIZE);
    }
    if (rc < 0) {
        close(fd);
        return rc;
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = tenon__malloc(cap);
    if (!buf) {
        close(fd);
        return tenon__cfg_nomem();
    }
    for (;;) {
        if (n == cap) { /* the file grew while read: take what fits the limit */
            if (cap > CONFIG_MAX_SIZE) {
                rc = tenon__fail(TENON_ECONFIG, TENON_STAGE_CONFIG, NULL, path, NULL,
                                 "configuration %s grew past %u bytes while read", path,
                                 CONFIG_MAX_SIZE);
                break;
            }
            char *grown = tenon__realloc(buf, cap * 2);
            if (!grown) {
                rc = tenon__cfg_nomem();
                break;
            }
            buf = grown;
            cap *= 2;
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = tenon__fail(TENON_ECONFIG, TENON_STAGE_CONFIG, NULL, path, NULL,
                             "cannot read configuration %s: %s", path, strerror(errno));
            break;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    if (rc < 0) {
        tenon__free(buf);
        return rc;
    }
    *text = buf;
    *len = n;
    return 0;
}

static int load_file(tenon_registry *reg, const char *path, const char *why, bool *missing)
{
    char *text = NULL;
    size_t len = 0;
    int rc = read_config(path, why, missing, &text, &len);
    if (rc < 0)
        return rc;
    /* Relative folders in the file are relative to its folder, as written
     * (not through symlinks): where the user sees it. */
    char *dir;
    const char *slash = strrchr(path, '/');
    if (path[0] == '/') {
        dir = slash == path ? tenon__strdup("/") : tenon__strndup(path, (size_t)(slash - path));
    } else {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof(cwd))) {
            tenon__free(text);
            return tenon__fail(TENON_ECONFIG, TENON_STAGE_CONFIG, NULL, path, NULL,
                               "cannot find the current folder for %s: %s", path,
                               strerror(errno));
        }
        dir = slash ? tenon__asprintf("%s/%.*s", strcmp(cwd, "/") ? cwd : "",
                                      (int)(slash - path), path)
                    : tenon__strdup(cwd);
    }
    if (!dir) {
        tenon__free(text);
        return tenon__cfg_nomem();
    }
    rc = load_text(reg, text, len, path, slash ? slash + 1 : path, dir);
    tenon__free(dir);
    tenon__free(text);
    return rc;
}

int tenon_config_load(tenon_registry *reg, const char *path)
{
    TENON__CHECK_ARG(reg, TENON_STAGE_CONFIG, "reg is NULL", TENON_EINVAL);
    bool missing;
    if (path) {
        if (!*path)
            return tenon__fail(TENON_EINVAL, TENON_STAGE_CONFIG, NULL, NULL, NULL,
                               "the configuration file name is empty");
        return load_file(reg, path, NULL, &missing);
    }
    /* Under AT_SECURE the environment and the home folder belong to a less
     * privileged user: only the system file is trusted. */
    bool secure = getauxval(AT_SECURE) != 0;
    const char *env = getenv("TENON_CONFIG");
    if (env && *env) {
        if (secure || (reg->flags & TENON_REGISTRY_NO_ENV))
            tenon__log(reg, TENON_LOG_DEBUG, NULL, "TENON_CONFIG ignored: %s",
                       secure ? "the program runs with elevated privileges (AT_SECURE)"
                              : "the host asked for no environment (TENON_REGISTRY_NO_ENV)");
        else
            return load_file(reg, env, "named by TENON_CONFIG", &missing);
    }
    char *candidates[2] = {NULL, NULL};
    size_t n = 0;
    if (!secure) {
        const char *xdg = getenv("XDG_CONFIG_HOME");
        /* The XDG spec: a relative XDG_CONFIG_HOME is invalid and ignored. */
        if (xdg && xdg[0] == '/') {
            candidates[n++] = tenon__asprintf("%s/%s/tenon.json", xdg, reg->app);
        } else {
            const char *home = getenv("HOME");
            if (!home || home[0] != '/') {
                struct passwd *pw = getpwuid(geteuid());
                home = pw && pw->pw_dir && pw->pw_dir[0] == '/' ? pw->pw_dir : NULL;
            }
            if (home)
                candidates[n++] = tenon__asprintf("%s/.config/%s/tenon.json", home, reg->app);
        }
        if (n && !candidates[0])
            return tenon__cfg_nomem();
    }
    candidates[n] = tenon__asprintf("/etc/%s/tenon.json", reg->app);
    if (!candidates[n]) {
        tenon__free(candidates[0]);
        return tenon__cfg_nomem();
    }
    n++;
    int rc = 0;
    bool found = false;
    for (size_t i = 0; i < n && !found; i++) {
        rc = load_file(reg, candidates[i], "the default configuration", &missing);
        found = !(rc < 0 && missing);
    }
    if (!found) {
        rc = 0;
        tenon__log(reg, TENON_LOG_DEBUG, NULL, "no configuration: looked for %s%s%s%s",
                   candidates[0], n > 1 ? " and " : "", n > 1 ? candidates[1] : "",
                   secure ? " (the environment is ignored under AT_SECURE)" : "");
    }
    for (size_t i = 0; i < n; i++)
        tenon__free(candidates[i]);
    return rc;
}

int tenon_config_load_buffer(tenon_registry *reg, const char *text, size_t len,
                             const char *name)
{
    TENON__CHECK_ARG(reg, TENON_STAGE_CONFIG, "reg is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(text || !len, TENON_STAGE_CONFIG, "text is NULL", TENON_EINVAL);
    return load_text(reg, text ? text : "", len, name ? name : "tenon.json",
                     name ? name : "tenon.json", NULL);
}

const char *tenon_config_file(tenon_registry *reg)
{
    TENON__CHECK_ARG(reg, TENON_STAGE_CONFIG, "reg is NULL", NULL);
    tenon__lock(reg);
    const char *path = reg->config ? reg->config->path : NULL;
    tenon__unlock(reg);
    return path;
}
