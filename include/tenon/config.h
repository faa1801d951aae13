/* tenon.json: one file that says which plugins a host may use, which it
 * loads, how each is configured, and which named instances it makes.
 * docs/config.md describes the format; this header the calls.
 *
 *     tenon_registry_create("tenon-io", 0, &reg);
 *     tenon_config_load(reg, NULL);   // TENON_CONFIG, XDG, /etc
 *     tenon_config_apply(reg);        // load, then make instances
 *
 * Every call about the configuration is named tenon_config_* (since 1.1;
 * 1.0's tenon_registry_load_config, tenon_registry_load_config_buffer and
 * tenon_registry_apply_config remain, deprecated).
 *
 * Every function here is safe to call from several threads at once. */
#ifndef TENON_CONFIG_H
#define TENON_CONFIG_H

#include <tenon/common.h>
#include <tenon/error.h>
#include <tenon/options.h>
#include <tenon/registry.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What tenon_config_apply does when an entry fails ("on_error"). */
typedef enum tenon_on_error {
    TENON_ON_ERROR_FAIL = 0, /* stop and return the error */
    TENON_ON_ERROR_WARN = 1, /* log a warning, go on */
    TENON_ON_ERROR_SKIP = 2, /* record it (debug log, the plan), go on */
} tenon_on_error;

/* Reads a configuration and makes it the registry's. path names the file;
 * when it is NULL the first of these that exists is read:
 *   1. $TENON_CONFIG (not under AT_SECURE, nor with TENON_REGISTRY_NO_ENV);
 *   2. $XDG_CONFIG_HOME/APP/tenon.json, XDG_CONFIG_HOME defaulting to
 *      ~/.config (not under AT_SECURE: the environment and the home folder
 *      then belong to a less privileged user);
 *   3. /etc/APP/tenon.json,
 * where APP is the name given to tenon_registry_create. Finding none of the
 * default files is not an error (a debug message names the files looked
 * at); an explicit path or a TENON_CONFIG file that is missing is.
 *
 * The file and its folders must be owned by root or the effective user and
 * not writable by group or others (folders may be if sticky), like plugin
 * files, and like trusted key files even with
 * TENON_REGISTRY_ALLOW_UNSAFE_FILES: it decides what code runs, and can
 * turn require_signed off.
 *
 * Loading checks the whole document (syntax, keys, types, names, clashing
 * entries) but no plugin: options are checked against each plugin's schema
 * by tenon_config_plan and tenon_config_apply. On success the
 * configuration's enable/disable decisions apply to every plugin known now
 * or scanned later, and its plugin_path folders are added to the search
 * path (a missing folder is logged as a warning and skipped). Loading again
 * replaces the configuration; folders it added stay in the search path, and
 * loaded plugins keep the options they were loaded with.
 *
 * Errors (tenon_last_error() has stage TENON_STAGE_CONFIG, the file in path,
 * and a message that starts with "FILE:LINE:COLUMN: " and says what was
 * expected): TENON_ECONFIG, TENON_EUNSAFE, TENON_ENOMEM, and the errors of
 * the trust settings. On failure the previous configuration stays. */
TENON_API int tenon_config_load(tenon_registry *reg, const char *path);

/* Same, from len bytes of text in memory (for tools, tests and fuzzers).
 * name is what messages call it ("tenon.json" when NULL). Relative
 * plugin_path and keys_dir values are errors here: there is no file for them
 * to be relative to. */
TENON_API int tenon_config_load_buffer(tenon_registry *reg, const char *text, size_t len,
                                       const char *name);

/* The configuration file in effect (as given, or as found), or NULL when
 * none was loaded. Valid until the registry is freed. */
TENON_API const char *tenon_config_file(tenon_registry *reg);

/* Loads the configured, enabled modules (every "plugins" entry with a
 * module name and "enabled": true) in dependency order, then makes the
 * configured instances in file order. Each entry's load_policy decides what
 * a failure does: a module that is not installed, disabled or overridden
 * stops the run when the entry is "required"; any other failure (the
 * plugin is broken, its options do not match its schema, a dependency is
 * missing, init fails, the instance fails) does what "on_error" says:
 * "fail" stops and returns the error, "warn" logs a warning and goes on,
 * "skip" goes on (debug log). Failures the descriptors show (all but a
 * hash or signature that does not match, and init and instance_init
 * failures) are found before any plugin is loaded, so a stopping one loads
 * nothing, and the configuration may be applied again.
 *
 * Scans the search path first. A configuration applies once: a second call
 * returns TENON_ESTATE. Without a configuration, returns 0 and does nothing.
 * Returns the number of entries that failed and were skipped or warned
 * about, or a negative error. */
TENON_API int tenon_config_apply(tenon_registry *reg);

/* Deprecated since 1.1: the 1.0 names of tenon_config_load(),
 * tenon_config_load_buffer() and tenon_config_apply(), which they call. */
TENON_API int tenon_registry_load_config(tenon_registry *reg, const char *path)
    TENON_DEPRECATED("use tenon_config_load");
TENON_API int tenon_registry_load_config_buffer(tenon_registry *reg, const char *text,
                                                size_t len, const char *name)
    TENON_DEPRECATED("use tenon_config_load_buffer");
TENON_API int tenon_registry_apply_config(tenon_registry *reg)
    TENON_DEPRECATED("use tenon_config_apply");

/* A configured instance by name: its module, its interface (the one the
 * entry names, else the first the module provides) and its options (their
 * origins are "tenon.json:LINE:COLUMN"). Hosts that make their own
 * instances, e.g. one per thread, use these with tenon_instance_new. Any out
 * pointer may be NULL; pointers stay valid until the registry is freed.
 * Errors: TENON_ENOTFOUND (no instance of that name: the message lists the
 * configured ones), TENON_EDISABLED (the entry says "enabled": false), and,
 * when the entry names no interface, the module's lookup errors. */
TENON_API int tenon_config_instance(tenon_registry *reg, const char *name, const char **module,
                                    const char **interface, const tenon_options **options);

/* The names of the configured instances (enabled or not), in file order.
 * Stores up to cap; returns how many there are. */
TENON_API size_t tenon_config_instances(tenon_registry *reg, const char **names, size_t cap);

/* ---- The plan: what the configuration would do, computed from descriptors
 * only (no plugin code runs). tenon_config_apply follows it, and
 * `tenon list --config` prints it. */

typedef enum tenon_plan_action {
    TENON_PLAN_LOAD = 0,      /* apply loads it (configured, or a dependency) */
    TENON_PLAN_ON_DEMAND = 1, /* usable; loads when a host asks for it */
    TENON_PLAN_SKIP = 2,      /* not loaded: disabled, shadowed, overridden, absent */
    TENON_PLAN_FAIL = 3,      /* cannot load: see error */
} tenon_plan_action;

typedef struct tenon_plan_item {
    uint32_t struct_size;
    tenon_plan_action action;
    const char *name;             /* plugin (module) name */
    tenon_plugin *plugin;         /* NULL for a configured module that is not installed */
    const char *reason;           /* "enabled by config", "required by A", "disabled by
                               * default", "disabled by config", "overridden by A",
                               * "shadowed by FILE", "not installed", "failed: ..." */
    const char *origin;           /* "tenon.json:LINE:COLUMN" behind the decision, or "" */
    const tenon_error *error;     /* why it fails (TENON_PLAN_FAIL), else NULL */
    bool stops;                   /* a failure that makes apply stop */
    const tenon_options *options; /* the plugin's own options (its entry without
                                   * "name"), or NULL */
} tenon_plan_item;

typedef struct tenon_plan_instance {
    uint32_t struct_size;
    tenon_plan_action action; /* LOAD: apply makes it; SKIP: disabled, or its module is
                               * skipped; FAIL: see error */
    const char *name;
    const char *module;
    const char *interface; /* NULL when it cannot be known (module missing) */
    const tenon_options *options;
    const char *origin; /* of the entry */
    const char *reason;
    const tenon_error *error;
    bool stops;
} tenon_plan_instance;

typedef struct tenon_plan tenon_plan;

/* Computes the plan: scans the search path, then orders every plugin known
 * (loads first, in load order; then the others in registry order) and every
 * configured instance. Works without a configuration too (everything usable
 * is on demand). Errors: TENON_ENOMEM. */
TENON_API int tenon_config_plan(tenon_registry *reg, tenon_plan **out);
TENON_API void tenon_plan_free(tenon_plan *plan);
TENON_API size_t tenon_plan_count(const tenon_plan *plan);
TENON_API const tenon_plan_item *tenon_plan_at(const tenon_plan *plan, size_t i);
TENON_API size_t tenon_plan_instance_count(const tenon_plan *plan);
TENON_API const tenon_plan_instance *tenon_plan_instance_at(const tenon_plan *plan, size_t i);
/* The first failure that would stop tenon_config_apply, or NULL. */
TENON_API const tenon_error *tenon_plan_stop_error(const tenon_plan *plan);
/* "load", "on demand", "skip", "fail". */
TENON_API const char *tenon_plan_action_name(tenon_plan_action action);

#ifdef __cplusplus
}
#endif

#endif
