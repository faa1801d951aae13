/* The registry: everything known about plugins. Scanning reads descriptors
 * only; loading verifies, resolves dependencies, dlopens and inits.
 * Every function here is safe to call from several threads at once.
 *
 * Which calls scan (one rule, since 1.1): tenon_registry_scan and
 * tenon_registry_rescan, and the two calls that decide about every plugin
 * at once, tenon_config_plan and tenon_config_apply, which need the whole
 * search path to see shadowing, overrides and dependencies. Every other
 * call (tenon_registry_find, tenon_registry_load, tenon_interface,
 * tenon_interface_hold, tenon_instance_new, tenon_providers,
 * tenon_plugin_reload...) works with the plugins the registry knows now:
 * the static ones, those of earlier scans and those added by file. Looking
 * up a name it does not know fails with TENON_ENOTFOUND, "no plugin named
 * NAME"; before any scan the message adds that the registry was never
 * scanned and the hint says to call tenon_registry_scan first. */
#ifndef TENON_REGISTRY_H
#define TENON_REGISTRY_H

#include <tenon/common.h>
#include <tenon/descriptor.h>
#include <tenon/error.h>
#include <tenon/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tenon_registry tenon_registry;

enum {
    /* Ignore TENON_PLUGIN_PATH. (It is always ignored under AT_SECURE.) */
    TENON_REGISTRY_NO_ENV = 1u << 0,
    /* Do not search the library's default plugin folder. */
    TENON_REGISTRY_NO_DEFAULT_PATH = 1u << 1,
    /* Skip the owner and permission checks on plugin files and their
     * folders. Unsafe: any user who can write there runs code in the host. */
    TENON_REGISTRY_ALLOW_UNSAFE_FILES = 1u << 2,
    /* Ignore the host's static plugins. */
    TENON_REGISTRY_NO_STATIC = 1u << 3,
};

typedef enum tenon_status {
    TENON_STATUS_FOUND = 0,    /* scanned and usable, not loaded */
    TENON_STATUS_LOADED,       /* loaded and initialized */
    TENON_STATUS_DISABLED,     /* disabled by default or by configuration */
    TENON_STATUS_INCOMPATIBLE, /* built for another ABI */
    TENON_STATUS_SHADOWED,     /* another plugin of the same name wins */
    TENON_STATUS_OVERRIDDEN,   /* another plugin declares it overrides this one */
    TENON_STATUS_BROKEN,       /* unreadable, unsafe, or failed to load */
} tenon_status;

/* Creates a registry for the host called app (e.g. "tenon-io"; NULL means
 * "tenon"), with TENON_REGISTRY_* flags, and stores it in *out. app names
 * the host's own default plugin folder, LIBDIR/APP/plugins beside the
 * installed library, and its configuration paths; it must be one file name
 * (no '/', not "." or ".."). Hosts call tenon_registry_create(), which also
 * hands over the static plugins linked into the calling program
 * (static_begin..static_end). Errors: TENON_ENOMEM, TENON_EINVAL (out is
 * NULL, or app is not a file name). Since 1.1. */
TENON_API int tenon_registry_create_with(const char *app, unsigned flags,
                                         const tenon_plugin_entry *const *static_begin,
                                         const tenon_plugin_entry *const *static_end,
                                         tenon_registry **out);

/* Deprecated since 1.1: tenon_registry_create_with() with the output first,
 * as 1.0 had it. */
TENON_API int tenon_registry_new_with(tenon_registry **out, const char *app, unsigned flags,
                                      const tenon_plugin_entry *const *static_begin,
                                      const tenon_plugin_entry *const *static_end)
    TENON_DEPRECATED("use tenon_registry_create_with, which takes out last");

/* The static plugins of the module that includes this header, collected by
 * the linker from the "tenon_static_plugins" section. */
extern const tenon_plugin_entry *const __start_tenon_static_plugins[]
    __attribute__((weak, visibility("hidden")));
extern const tenon_plugin_entry *const __stop_tenon_static_plugins[]
    __attribute__((weak, visibility("hidden")));

static inline int tenon_registry_create(const char *app, unsigned flags, tenon_registry **out)
{
    return tenon_registry_create_with(app, flags, __start_tenon_static_plugins,
                                      __stop_tenon_static_plugins, out);
}

/* Deprecated since 1.1: tenon_registry_create() with the output first, as
 * 1.0 had it. */
static inline TENON_DEPRECATED(
    "use tenon_registry_create, which takes out last") int tenon_registry_new(tenon_registry *
                                                                                  *out,
                                                                              const char *app,
                                                                              unsigned flags)
{
    return tenon_registry_create_with(app, flags, __start_tenon_static_plugins,
                                      __stop_tenon_static_plugins, out);
}

/* Destroys every instance, finis every loaded plugin in reverse dependency
 * order, unloads them and frees the registry. NULL is allowed. */
TENON_API void tenon_registry_free(tenon_registry *reg);

/* Log callback: every library and plugin message at or below max_level. The
 * default prints warnings and errors to stderr. fn may be NULL (silence). */
typedef void (*tenon_log_fn)(void *userdata, tenon_log_level level, const char *plugin,
                             const char *message);
TENON_API void tenon_registry_set_log(tenon_registry *reg, tenon_log_fn fn, void *userdata,
                                      tenon_log_level max_level);

/* Appends a folder to the search path. Folders added here come before
 * TENON_PLUGIN_PATH and the default folder. dir must be absolute; it is
 * canonicalized. Errors: TENON_EPATH, TENON_ENOMEM. */
TENON_API int tenon_registry_add_path(tenon_registry *reg, const char *dir);

/* The search path in effect, in order: added folders, TENON_PLUGIN_PATH,
 * the default folder. Returns the number of folders; stores up to cap of
 * them (owned by the registry) in dirs. */
TENON_API size_t tenon_registry_paths(tenon_registry *reg, const char **dirs, size_t cap);

/* The default plugin folder of app "tenon" (hosts created with app NULL,
 * and the tenon tool): LIBDIR/tenon/plugins beside the installed library.
 * A host's own is LIBDIR/APP/plugins (see tenon_registry_paths). */
TENON_API const char *tenon_default_plugin_dir(void);

/* Reads the descriptor of every "*.so" in the search path not scanned yet,
 * and again of every file whose identity changed since it was read (a
 * loaded plugin keeps what it was loaded from; its next load takes the new
 * file). No plugin code runs. A file that fails is recorded with status BROKEN (or
 * INCOMPATIBLE) and its error; scanning goes on. Returns the number of
 * plugins now known, or a negative error for a failure of the registry
 * itself (TENON_ENOMEM). */
TENON_API int tenon_registry_scan(tenon_registry *reg);

/* ---- Rescanning and reloading --------------------------------------------- */

/* What a rescan found changed about one plugin file. */
typedef enum tenon_change_kind {
    TENON_CHANGE_ADDED = 1, /* a new file (or one that came back) */
    TENON_CHANGE_REMOVED,   /* the file is gone */
    TENON_CHANGE_REPLACED,  /* another file, or other bytes, at the same path */
} tenon_change_kind;

/* One change. Only grows at the end: read struct_size before newer fields. */
typedef struct tenon_change {
    uint32_t struct_size;
    tenon_change_kind kind;
    const char *path;     /* the plugin file, canonical */
    const char *plugin;   /* the plugin's name (for a removed file: as it was) */
    tenon_plugin *record; /* the plugin's record; valid until tenon_registry_free */
} tenon_change;

/* The changes one rescan found, in registry order; owned by the caller. */
typedef struct tenon_changes tenon_changes;

/* Scans like tenon_registry_scan and reports which plugin files were added,
 * removed or replaced since the last rescan (the first one compares with
 * what the scans before it read). A file is replaced when its device,
 * inode, size, mtime or ctime differ. Records are updated as
 * tenon_registry_scan updates them; a removed plugin that is not loaded
 * becomes BROKEN (TENON_ENOTFOUND), one that is loaded stays loaded until
 * it is unloaded and is BROKEN then; a file that comes back is added. No
 * plugin code runs. The report is a list, not a callback, so that an event
 * loop (libuv, GLib) can rescan from a timer or a file watch and walk the
 * list when it suits it, with no registry lock held. *out (if not NULL)
 * gets the list, empty when nothing changed; free it with
 * tenon_changes_free. Returns the number of changes, or a negative error
 * (TENON_EINVAL, TENON_ENOMEM). */
TENON_API int tenon_registry_rescan(tenon_registry *reg, tenon_changes **out);

/* The number of changes in list (0 for NULL). */
TENON_API size_t tenon_changes_count(const tenon_changes *list);

/* Change i of list, or NULL when i is out of range. Its strings belong to
 * the list. */
TENON_API const tenon_change *tenon_changes_at(const tenon_changes *list, size_t i);

/* Frees a list from tenon_registry_rescan. NULL is allowed. */
TENON_API void tenon_changes_free(tenon_changes *list);

/* "added", "removed" or "replaced" (static); "?" for other values. */
TENON_API const char *tenon_change_kind_name(tenon_change_kind kind);

/* Replaces the code of loaded plugin name with its file as it is now on
 * disk, while the host runs. The new file passes every check a load makes
 * (owner and permissions, descriptor and ABI, the same plugin name, pins
 * and signature, entry), its requires must be met by loaded plugins, and
 * its version must be in the range of every loaded plugin requiring it;
 * then its migrate (see tenon_plugin_entry), or else its init, runs. Only
 * then is the old code replaced, in one step: lookups and new instances
 * from then on (tenon_interface, tenon_interface_hold, tenon_instance_new)
 * get the new code. Instances made before stay on the code they were made
 * from (its table, its instance_fini) until they are freed. Code that
 * holders hold (tenon_plugin_hold, tenon_interface_hold, a plugin's
 * host->interface) or instances were made from stays mapped, its tables
 * valid, until the last holder releases it and its last instance is freed;
 * then its fini runs (unless migrate took its state) and it is unmapped.
 * Old code loaded plugins require stays until the plugin unloads.
 * Any failure leaves the old code running, untouched, and returns the
 * error: the checks' and init's, TENON_EMISSINGDEP and TENON_EVERSION (a
 * requirement not met either way), TENON_ENOTUNLOADABLE (not
 * flagged TENON_PLUGIN_UNLOADABLE),
 * TENON_ESTATE (not loaded, static, or its file was overwritten in place
 * while mapped: install by writing a new file and renaming it over the
 * old name). Returns 0 also when the file is the one already loaded.
 * flags: 0. */
TENON_API int tenon_plugin_reload(tenon_registry *reg, const char *name, unsigned flags);

/* Adds one plugin file (absolute path) outside the search path, as
 * ioengine=external:... does. Its name takes precedence over scanned
 * dynamic plugins of the same name. On success *out (if not NULL) is the
 * plugin. Errors: those of tenon_descriptor_read, TENON_EPATH, TENON_EUNSAFE,
 * TENON_ENOTREG, TENON_ELOOP, TENON_EABIMAJOR, TENON_EABIMINOR. */
TENON_API int tenon_registry_add_file(tenon_registry *reg, const char *path,
                                      tenon_plugin **out);

/* Every plugin known, in scan order (static ones first), shadowed and broken
 * ones included. Pointers stay valid until tenon_registry_free. */
TENON_API size_t tenon_registry_count(tenon_registry *reg);
TENON_API tenon_plugin *tenon_registry_at(tenon_registry *reg, size_t index);

/* The plugin that a load of name would use (not a shadowed one), or NULL
 * with tenon_last_error() set (TENON_ENOTFOUND, "no plugin named NAME"). */
TENON_API tenon_plugin *tenon_registry_find(tenon_registry *reg, const char *name);

/* Finds and loads name (tenon_plugin_load). */
TENON_API int tenon_registry_load(tenon_registry *reg, const char *name, tenon_plugin **out);

/* Loads every usable plugin that provides iface (every usable plugin when
 * iface is NULL), in dependency order. Plugins that fail are recorded with
 * their error and skipped. Returns the number that failed, or a negative
 * error for a failure of the registry itself. */
TENON_API int tenon_registry_load_all(tenon_registry *reg, const char *iface);

/* ---- One plugin ---------------------------------------------------------- */

/* What the descriptor says: the whole descriptor (NULL when the file's
 * descriptor could not be read), the name (the descriptor's, or the file's
 * base name for an unreadable file) and the version (NULL without a
 * descriptor). Owned by the registry; valid until tenon_registry_free. */
TENON_API const tenon_plugin_desc *tenon_plugin_descriptor(const tenon_plugin *p);
TENON_API const char *tenon_plugin_name(const tenon_plugin *p);
TENON_API const char *tenon_plugin_version(const tenon_plugin *p);
/* The file, canonical; NULL for a static plugin. */
TENON_API const char *tenon_plugin_path(const tenon_plugin *p);
/* Whether p is linked into the host (collected from tenon_static_plugins). */
TENON_API bool tenon_plugin_is_static(const tenon_plugin *p);
/* p's status now (see tenon_status); it changes as plugins load, unload or
 * fail. tenon_status_name gives "ok", "loaded", "broken"... (static). */
TENON_API tenon_status tenon_plugin_status(const tenon_plugin *p);
TENON_API const char *tenon_status_name(tenon_status status);
/* Why the plugin is broken, incompatible, disabled...; NULL when none. The
 * error belongs to the registry. */
TENON_API const tenon_error *tenon_plugin_error(const tenon_plugin *p);
/* The plugin that shadows or overrides p, or NULL. */
TENON_API tenon_plugin *tenon_plugin_shadowed_by(const tenon_plugin *p);
/* The registry p belongs to. */
TENON_API tenon_registry *tenon_plugin_registry(const tenon_plugin *p);

/* Verifies, resolves, loads and inits p and, first, its dependencies in
 * dependency order. Loading is transactional: when p or a dependency fails,
 * everything loaded on the way is finied and unloaded again, and the error
 * says which plugin failed at which stage. Loading a loaded plugin is a
 * no-op. Errors: every verify, resolve, load and init error. */
TENON_API int tenon_plugin_load(tenon_plugin *p);

/* Finis and unloads p. Refused with TENON_ESTATE for a static plugin,
 * TENON_ENOTUNLOADABLE unless p is flagged TENON_PLUGIN_UNLOADABLE, and
 * TENON_EBUSY while it has instances or holders (the error names them). */
TENON_API int tenon_plugin_unload(tenon_plugin *p);

/* Holds p (loaded) on behalf of holder, so it cannot be unloaded until the
 * matching release. holder names the holder in error messages. */
TENON_API int tenon_plugin_hold(tenon_plugin *p, const char *holder);
TENON_API int tenon_plugin_release(tenon_plugin *p, const char *holder);

/* Validates p in a child process: verify, load, init and fini of p and its
 * dependencies run there, under a timeout (timeout_ms; 0 means 10 s), so a
 * plugin that crashes or hangs cannot take the host down. A crash is
 * reported as TENON_ECRASH naming the signal and the stage it happened in,
 * a hang as TENON_ETIMEOUT; any other failure is the error the child met.
 * A failure is recorded as p's status (BROKEN) and error unless p is
 * loaded. Returns 0 if p loaded, initialized and finished cleanly. */
TENON_API int tenon_plugin_validate(tenon_plugin *p, unsigned timeout_ms);

/* A raw symbol of plugin, for caller (a plugin) to use, as VPP's
 * vlib_get_plugin_symbol: only plugins caller lists in its requires, loaded
 * as its dependencies, and only symbols the plugin itself defines. Returns
 * NULL with tenon_last_error() set: TENON_EPERM (not declared),
 * TENON_ESTATE (not loaded as a dependency), TENON_EUNSUPPORTED (a static
 * plugin), TENON_ENOTFOUND (no such symbol). Prefer interfaces. */
TENON_API void *tenon_plugin_symbol(tenon_plugin *caller, const char *plugin,
                                    const char *symbol);

/* The load order the registry would use for p: its dependencies first,
 * p last. Stores up to cap plugins; returns how many there are, or a
 * negative error (TENON_ECYCLE, TENON_EMISSINGDEP, TENON_EVERSION). */
TENON_API int tenon_plugin_load_order(tenon_plugin *p, tenon_plugin **order, size_t cap);

#ifdef __cplusplus
}
#endif

#endif
