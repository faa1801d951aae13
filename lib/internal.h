/* Internal declarations shared by libtenon's sources. Nothing here is part
 * of the ABI; non-static internal symbols carry the tenon__ prefix. */
#ifndef TENON_INTERNAL_H
#define TENON_INTERNAL_H

#include <tenon/tenon.h>

#include <pthread.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/types.h>

#define TENON__ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define TENON__HIDDEN __attribute__((visibility("hidden")))
#define TENON__STR2(x) #x
#define TENON__STR(x) TENON__STR2(x)

/* ---- alloc.c ------------------------------------------------------------- */

TENON__HIDDEN void *tenon__malloc(size_t size);
TENON__HIDDEN void *tenon__calloc(size_t n, size_t size);
TENON__HIDDEN void *tenon__realloc(void *ptr, size_t size);
TENON__HIDDEN void tenon__free(void *ptr);
TENON__HIDDEN char *tenon__strdup(const char *s);
TENON__HIDDEN char *tenon__strndup(const char *s, size_t n);
TENON__HIDDEN char *tenon__asprintf(const char *fmt, ...) TENON_PRINTF(1, 2);
/* Grows *items (of item_size each) to hold at least want; doubles. */
TENON__HIDDEN int tenon__grow(void **items, size_t *cap, size_t want, size_t item_size);

/* ---- error.c ------------------------------------------------------------- */

/* Fills the thread's last error and returns code. plugin, path and hint may
 * be NULL. The message is formatted from fmt. */
TENON__HIDDEN int tenon__fail(int code, tenon_stage stage, const char *plugin, const char *path,
                              const char *hint, const char *fmt, ...) TENON_PRINTF(6, 7);
TENON__HIDDEN int tenon__vfail(int code, tenon_stage stage, const char *plugin,
                               const char *path, const char *hint, const char *fmt, va_list ap)
    TENON_PRINTF(6, 0);
/* "no plugin named NAME" with a fix that fits: scan the registry when it
 * was never scanned, otherwise check the name. hint: the fix when it was
 * scanned (NULL: check the name with `tenon list`). Lock held. */
TENON__HIDDEN int tenon__no_plugin_named(const tenon_registry *reg, tenon_stage stage,
                                         const char *name, const char *hint);
/* The thread's error, writable, for adjusting stage or plugin on the way up. */
TENON__HIDDEN tenon_error *tenon__error_tls(void);
/* Out of memory: fills the error without allocating. */
TENON__HIDDEN int tenon__nomem(tenon_stage stage, const char *plugin);
/* Copies the thread's last error into a new heap object (NULL on ENOMEM). */
TENON__HIDDEN tenon_error *tenon__error_dup_last(void);
/* Makes the thread's last error equal to *err again. */
TENON__HIDDEN int tenon__error_restore(const tenon_error *err);
TENON__HIDDEN void tenon__strlcpy(char *dst, const char *src, size_t size);
/* Refuses an invalid argument of an exported function (ok false): records
 * TENON_EINVAL naming the function and what is wrong with the argument
 * (what: "reg is NULL"), then returns ret (TENON_EINVAL, NULL, 0, or
 * nothing in a void function), so that tenon_last_error() describes every
 * failure. A bug in the caller, so the hint points at the call. */
#define TENON__CHECK_ARG(ok, stage, what, ret)                                  \
    do {                                                                        \
        if (!(ok)) {                                                            \
            tenon__fail(TENON_EINVAL, (stage), NULL, NULL,                      \
                        "fix the call in the calling program: the function's "  \
                        "comment in its <tenon/...> header says what it takes", \
                        "%s: %s", __func__, what);                              \
            return ret;                                                         \
        }                                                                       \
    } while (0)

/* ---- strbuf.c ------------------------------------------------------------ */

typedef struct tenon__strbuf {
    char *data;
    size_t len, cap;
    bool failed; /* an allocation failed; the text is truncated */
} tenon__strbuf;

TENON__HIDDEN void tenon__sb_init(tenon__strbuf *sb);
TENON__HIDDEN void tenon__sb_free(tenon__strbuf *sb);
TENON__HIDDEN void tenon__sb_add(tenon__strbuf *sb, const char *s);
TENON__HIDDEN void tenon__sb_addf(tenon__strbuf *sb, const char *fmt, ...) TENON_PRINTF(2, 3);
/* The text so far ("" if none); valid until the next change. */
TENON__HIDDEN const char *tenon__sb_str(const tenon__strbuf *sb);

/* ---- hashmap.c: string keys to pointers ---------------------------------- */

typedef struct tenon__map {
    struct tenon__map_slot *slots;
    size_t cap, count, tombstones;
} tenon__map;

TENON__HIDDEN void tenon__map_init(tenon__map *map);
TENON__HIDDEN void tenon__map_free(tenon__map *map); /* keys are not owned */
/* key must outlive its entry. Replaces an existing value. */
TENON__HIDDEN int tenon__map_put(tenon__map *map, const char *key, void *value);
TENON__HIDDEN void *tenon__map_get(const tenon__map *map, const char *key);
TENON__HIDDEN void tenon__map_del(tenon__map *map, const char *key);
/* Empties the map, keeping its capacity. */
TENON__HIDDEN void tenon__map_clear(tenon__map *map);
/* Makes room for n keys, so that putting up to n keys into the map (after
 * a clear) never allocates. Returns 0 or TENON_ENOMEM. */
TENON__HIDDEN int tenon__map_reserve(tenon__map *map, size_t n);
TENON__HIDDEN uint64_t tenon__hash(const char *s);

/* ---- descriptor.c -------------------------------------------------------- */

/* Checks a raw descriptor of size bytes (the note payload) and builds the
 * host view in one allocation. name_for_messages and path name the source
 * in errors. Errors: BADMAGIC, LAYOUT, FIELD, NAME, NOMEM. */
TENON__HIDDEN int tenon__desc_from_raw(const void *raw, size_t size, const char *path,
                                       tenon_plugin_desc **out);
/* The first field (by its descriptor name: "flags", "requires", "options"...)
 * in which a and b differ, or NULL when they are the same. affects_selection
 * says whether that field decides which plugins are used and in what
 * order (name, version, flags, overrides, requires, provides). */
TENON__HIDDEN const char *tenon__desc_diff(const tenon_plugin_desc *a,
                                           const tenon_plugin_desc *b, bool *affects_selection);
/* Checks that a plugin name is safe: [A-Za-z0-9_][A-Za-z0-9_.+-]*, at most
 * TENON_NAME_MAX-1 bytes, no "..". Returns 0 or TENON_ENAME (thread error set). */
TENON__HIDDEN int tenon__name_check(const char *name, tenon_stage stage, const char *path);

/* ---- elf_reader.c -------------------------------------------------------- */

/* Finds the descriptor note in the ELF file open as fd (of size file_size)
 * and returns a copy of its payload in *raw (caller frees) of *raw_size
 * bytes. path names the file in errors. */
TENON__HIDDEN int tenon__elf_read_note(int fd, off_t file_size, const char *path, void **raw,
                                       size_t *raw_size);
TENON__HIDDEN int tenon__elf_read_note_memory(const void *image, size_t size, const char *path,
                                              void **raw, size_t *raw_size);
/* The file's first bytes, read into a buffer reused across calls. */
typedef struct tenon__elf_buf {
    unsigned char *data; /* free with tenon__free */
    size_t cap;
} tenon__elf_buf;
/* Same as tenon__elf_read_note, without copying: *raw points into
 * buf->data until the next call with buf. Scans read every file this way. */
TENON__HIDDEN int tenon__elf_read_note_in(int fd, off_t file_size, const char *path,
                                          tenon__elf_buf *buf, const void **raw,
                                          size_t *raw_size);

/* ---- path_policy.c ------------------------------------------------------- */

/* Canonicalizes an absolute path (realpath). Errors: PATH (relative), LOOP,
 * NOTFOUND, IO. *out is allocated. */
TENON__HIDDEN int tenon__path_canonical(const char *path, tenon_stage stage, char **out);
/* Checks that st (of the file at path) is a regular file owned by root or
 * the effective user and not writable by group or others. */
TENON__HIDDEN int tenon__file_policy(const struct stat *st, const char *path);
/* Checks every folder from path's parent up to "/": owned by root or the
 * effective user, and not writable by group or others unless sticky. */
TENON__HIDDEN int tenon__dirs_policy(const char *path);
/* The same check of one folder dir, from its stat (path: the plugin file
 * the error is about). */
TENON__HIDDEN int tenon__dir_policy(const struct stat *st, const char *dir, const char *path);
/* Opens path for reading without following a final symlink and without
 * blocking on a FIFO, and fstats it. Errors: NOTFOUND, NOTREG, LOOP, IO. */
TENON__HIDDEN int tenon__open_plugin_file(const char *path, int *fd, struct stat *st);
/* Same for name in the folder open as dirfd (path names the file in
 * errors). keep_nonblock leaves O_NONBLOCK set, for callers that only
 * pread and close (regular files ignore it), saving two fcntl calls. */
TENON__HIDDEN int tenon__open_plugin_file_at(int dirfd, const char *name, const char *path,
                                             bool keep_nonblock, int *fd, struct stat *st);
/* tenon__file_policy with the effective uid given, for loops over many
 * files (geteuid is a system call). */
TENON__HIDDEN int tenon__file_policy_as(const struct stat *st, const char *path, uid_t euid);

/* ---- trust.c: the integrity policy (pins, trusted keys, require_signed) --- */

typedef struct tenon__pin {
    char *plugin;
    unsigned char sha256[32];
} tenon__pin;

typedef struct tenon__trust {
    tenon__pin *pins;
    size_t n_pins, cap_pins;
    tenon_public_key *keys;
    size_t n_keys, cap_keys;
    bool require_signed;
} tenon__trust;

/* ---- registry ------------------------------------------------------------ */

typedef enum tenon__load_state {
    TENON__UNLOADED = 0,
    TENON__LOADING, /* inside a load transaction, not visible as loaded */
    TENON__LOADED,
} tenon__load_state;

typedef struct tenon__holder {
    tenon_plugin *by; /* holding plugin, or NULL for a host holder */
    char *name;       /* holder's name, for messages */
    unsigned count;
    uint64_t gen; /* the code generation held (reload.c) */
} tenon__holder;

/* Code of a plugin that a reload replaced, still mapped while holders or
 * instances of its generation remain (reload.c). */
typedef struct tenon__generation {
    struct tenon__generation *next;
    uint64_t gen;
    void *dl;
    const tenon_plugin_entry *entry;
    tenon_values *values;
    void *data;         /* what it stored with host->set_data */
    size_t n_instances; /* live instances made from it: their code is its code */
    bool migrated;      /* its state went to the new code: its fini does not run */
    bool pinned;        /* loaded plugins required it: kept until the plugin unloads */
    /* The plugin's unload ran (or runs) its fini: only that unload unmaps
     * it, after what it made is freed, not the release of its last
     * instance, which its own fini may be freeing. */
    bool finied;
    tenon_plugin *plugin;
} tenon__generation;

/* Where a plugin came from; lower wins a name conflict. */
enum {
    TENON__ORIGIN_STATIC = 0,
    TENON__ORIGIN_FILE = 1, /* tenon_registry_add_file */
    TENON__ORIGIN_PATH = 2, /* + index of the search path folder */
};

struct tenon_plugin {
    tenon_registry *reg;
    tenon_plugin_desc *desc; /* NULL only when the descriptor was unreadable */
    char *path;              /* canonical file; NULL for a static plugin */
    char *display_name;      /* desc name, or the file's base name */
    const tenon_plugin_entry *static_entry;
    unsigned origin;
    size_t index; /* position in the registry */

    /* Identity of the file when it was scanned. */
    dev_t dev;
    ino_t ino;
    off_t size;
    int64_t mtime_ns, ctime_ns;

    tenon_status status;
    tenon_error *error; /* why it is not usable; owned */
    tenon_plugin *shadowed_by;
    bool disabled_by_config;
    bool enabled_by_config;

    /* Load state; protected by the registry lock. */
    tenon__load_state state;
    void *dl;
    const tenon_plugin_entry *entry;
    uint64_t load_seq;
    tenon_plugin **deps; /* the plugins that satisfied requires */
    size_t n_deps;
    tenon__holder *holders;
    size_t n_holders, cap_holders;
    /* Live instances of every generation, and of the current one (gen):
     * each instance keeps the code it was made from (reload.c). */
    size_t n_instances;
    size_t gen_instances;
    /* Instances this plugin made with host->instance_create outside any
     * instance_init (instance.c), newest first: its fini may free them, and
     * what it leaves is freed right after its fini. */
    tenon_instance *owned;
    /* Teardown's fallback without memory (lifecycle.c): a loaded plugin
     * requires, holds or owns an instance of this one. */
    bool needed;
    void *plugin_data;
    tenon_options *config; /* plugin-level options the host set */
    tenon_values *values;  /* checked plugin-level options while loaded */
    /* Plugin-level options from tenon.json (config.c), used when the host set
     * none; borrowed from the configuration, which lives as long as the
     * registry, so selecting never allocates. */
    const tenon_options *file_config;

    /* Registry cache (cache.c). keyed: dev..ctime_ns are the identity of
     * the bytes the descriptor (or error) came from, so the record may be
     * cached. check_*: the last child-process check (tenon_check_state);
     * check_broken: that check made the status BROKEN. */
    bool keyed;
    bool check_broken;
    uint8_t check;
    /* The scanned folder the file is in (reg->pinned index + 1), or 0:
     * loading opens the file relative to that folder (scan.c). */
    uint32_t dir_slot;
    int64_t read_ns, checked_ns;
    tenon_error *check_error; /* owned */
    /* desc came from the registry cache, not from the file: loading checks
     * it against the file's own descriptor (loader.c). */
    bool desc_from_cache;
    uint64_t check_key; /* the options the last check ran with (tenon__check_key) */
    /* A rescan found the file replaced while the plugin was loaded: the
     * next load takes the new file's descriptor (loader.c, scan.c). */
    bool newer_file;

    /* rescan.c: the identity of the file tenon_registry_rescan last saw at
     * path (seen: it has one); removed: the file is gone (a loaded plugin
     * stays loaded until it is unloaded, then it is BROKEN with the reason,
     * lifecycle.c; a scan that finds the file back clears it);
     * gone_reported: a rescan reported it removed, so the next one that
     * finds it reports it added. */
    bool seen, removed, gone_reported;
    dev_t seen_dev;
    ino_t seen_ino;
    off_t seen_size;
    int64_t seen_mtime_ns, seen_ctime_ns;

    /* reload.c: the code generation loaded now (0 for the first load), and
     * the earlier generations still mapped because holders hold them. */
    uint64_t gen;
    struct tenon__generation *old_gens;
};

typedef struct tenon__search_dir {
    char *path;
    unsigned origin;
    bool scanned;
    bool from_env;
    bool rescan; /* scanned before the scan under way: scan it again */
} tenon__search_dir;

struct tenon_registry {
    pthread_mutex_t lock;      /* all state below */
    pthread_mutex_t load_lock; /* recursive; serializes load transactions */
    char *app;
    unsigned flags;

    tenon__search_dir *dirs;
    size_t n_dirs, cap_dirs;
    size_t n_user_dirs; /* dirs added by the API come first */

    tenon_plugin **plugins;
    size_t n_plugins, cap_plugins;
    tenon__map by_name; /* active plugin per name */
    bool scan_called;   /* tenon_registry_scan ran: lookups that fail say so if not */

    tenon_instance **instances;
    size_t n_instances, cap_instances;
    tenon__map instance_by_name;
    /* Instances the host and the configuration made, newest first. */
    tenon_instance *top_instances;

    uint64_t load_counter;

    tenon_error **retired; /* replaced plugin errors, freed with the registry */
    size_t n_retired, cap_retired;

    tenon_log_fn log_fn;
    void *log_userdata;
    tenon_log_level log_level;

    /* tenon.json in effect (config.c); replaced ones are chained behind it
     * and kept until the registry goes, since callers hold its strings. */
    struct tenon__config *config;

    struct tenon__cache *cache; /* NULL: no registry cache (cache.c) */
    /* The folders scans found plugins in, kept open: see
     * tenon__open_scanned_plugin. Guarded by load_lock. */
    struct tenon__pinned_dir *pinned;
    size_t n_pinned, cap_pinned;
    uint64_t files_read; /* descriptors read from plugin files */

    /* Called as a plugin enters a lifecycle stage (validate.c reports
     * progress from its child with it). */
    void (*stage_hook)(void *userdata, const tenon_plugin *p, tenon_stage stage);
    void *stage_userdata;

    tenon__trust trust; /* protected by lock */
    /* Called after a plugin file passed every check and before it is
     * dlopened through the checked descriptor: tests swap files here. */
    void (*before_dlopen_hook)(void *userdata, tenon_plugin *p);
    void *before_dlopen_userdata;

    /* Old code generations without holders, to fini and close outside
     * the lock (reload.c). */
    tenon__generation *dead_gens;

    /* rescan.c: records from rescan_mark on were made since the last
     * rescan (rescanned: there was one), so the next one reports them. */
    size_t rescan_mark;
    bool rescanned;
};

/* Who made an instance: it decides when registry teardown frees it. */
typedef enum tenon__maker {
    TENON__MADE_BY_HOST = 0, /* tenon_instance_new */
    TENON__MADE_BY_CONFIG,   /* tenon_config_apply */
    TENON__MADE_BY_PLUGIN,   /* host->instance_create outside an instance_init */
    TENON__MADE_BY_INSTANCE, /* host->instance_create inside an instance_init */
} tenon__maker;

/* Instances form a forest by ownership: each one is on the list of what
 * its maker made (the making instance's made, the making plugin's owned,
 * or the registry's top_instances), newest first. An instance is freed
 * after everything that owns it: an owner's fini may free what it made,
 * and whatever it leaves is freed right after it (instance.c). The links
 * are protected by the registry lock. */
struct tenon_instance {
    tenon_registry *reg;
    tenon_plugin *plugin;
    const tenon_impl *impl;
    const void *table;
    char *name;
    tenon_values *values;
    void *data;

    size_t slot;  /* position in reg->instances */
    uint64_t gen; /* the plugin's code generation it was made from (reload.c) */
    tenon__maker made_by;
    tenon_instance *owner; /* MADE_BY_INSTANCE: the instance whose init made it */
    tenon_plugin *root;    /* the plugin at the top of its owners; NULL: host or config */
    tenon_instance **list; /* head of the list it is on; NULL once off it */
    tenon_instance *prev, *next;
    tenon_instance *made; /* what its instance_init made, newest first */
};

TENON__HIDDEN void tenon__lock(tenon_registry *reg);
TENON__HIDDEN void tenon__unlock(tenon_registry *reg);
TENON__HIDDEN void tenon__log(tenon_registry *reg, tenon_log_level level, const char *plugin,
                              const char *fmt, ...) TENON_PRINTF(4, 5);
TENON__HIDDEN void tenon__vlog(tenon_registry *reg, tenon_log_level level, const char *plugin,
                               const char *fmt, va_list ap) TENON_PRINTF(4, 0);

/* Adds a plugin record (takes ownership of desc and path). Lock held. */
TENON__HIDDEN int tenon__registry_append(tenon_registry *reg, tenon_plugin *p);
/* Recomputes which plugin of each name is active and which are shadowed,
 * overridden or disabled. Lock held. */
TENON__HIDDEN void tenon__registry_select(tenon_registry *reg);
/* config.c: applies tenon.json's enable/disable decisions and plugin-level
 * options to every record (tenon__registry_select calls it; lock held), and
 * frees every configuration (registry teardown). */
TENON__HIDDEN void tenon__config_select(tenon_registry *reg);
TENON__HIDDEN void tenon__config_free_all(tenon_registry *reg);
/* Records err (the thread's last error) as p's reason for status. Lock held. */
TENON__HIDDEN void tenon__plugin_set_error(tenon_plugin *p, tenon_status status);
/* Whether p can be loaded or used (FOUND or LOADED). */
TENON__HIDDEN bool tenon__plugin_usable(const tenon_plugin *p);
/* The error to report when p is not usable (its recorded reason). */
TENON__HIDDEN int tenon__plugin_unusable_error(const tenon_plugin *p, tenon_stage stage);

/* cache.c: the registry cache. Scans call begin (reads the cache file the
 * first time), dir for each folder scanned, lookup for each file, and end
 * (writes the cache if something changed, frees what was read). load_lock
 * held, registry lock not held. */
TENON__HIDDEN void tenon__cache_scan_begin(tenon_registry *reg);
TENON__HIDDEN bool tenon__cache_loaded(const tenon_registry *reg);
TENON__HIDDEN int tenon__cache_scan_dir(tenon_registry *reg, const char *canonical_dir);
/* Fills p (path set) from the cache when st, the file's current identity,
 * matches its entry. Returns 1 if filled, 0 if not, or TENON_ENOMEM. */
TENON__HIDDEN int tenon__cache_lookup(tenon_registry *reg, tenon_plugin *p,
                                      const struct stat *st);
TENON__HIDDEN bool tenon__cache_usable(const tenon_registry *reg);
/* A folder's plugin file names from the cache, when st (the open folder's
 * fstat) matches its entry: returns 1 and *names (allocated; the strings
 * live until the scan ends), 0 if not cached, or TENON_ENOMEM. */
TENON__HIDDEN int tenon__cache_listing(tenon_registry *reg, const char *dir,
                                       const struct stat *st, const char ***names, size_t *n);
/* Remembers a folder's listing (taken after st) for the next write. */
TENON__HIDDEN int tenon__cache_note_listing(tenon_registry *reg, const char *dir,
                                            const struct stat *st, char *const *names,
                                            size_t n);
/* A descriptor was read from a file: the cache file needs writing. */
TENON__HIDDEN void tenon__cache_changed(tenon_registry *reg);
TENON__HIDDEN void tenon__cache_scan_end(tenon_registry *reg);
/* Records a child-process check of p (rc 0: passed; else the thread's
 * error says why). Lock not held. */
TENON__HIDDEN void tenon__cache_record_check(tenon_plugin *p, int rc, uint64_t key);
/* validate.c: the key of the plugin-level options p would be loaded with
 * now (the host's, else tenon.json's), which a check result holds for: 0
 * when there are none. Lock held. */
TENON__HIDDEN uint64_t tenon__check_key(const tenon_plugin *p);
/* scan.c: a plugin broken by a check with other options than it would be
 * loaded with now is usable again until checked with these. Lock held;
 * returns whether a status changed. */
TENON__HIDDEN bool tenon__checks_reconcile(tenon_registry *reg);
/* Writes the cache if needed and frees it (registry teardown). */
TENON__HIDDEN void tenon__cache_close(tenon_registry *reg);

/* scan.c: opens p's file for loading and checks it, its folder and the
 * folders above: when p was found by a scan, relative to the folder the
 * scan checked and kept open, whose own owner and mode are checked again
 * (one fstat); the folders above it cannot redirect that open, so they
 * need no new walk; otherwise by path, every folder checked. Errors: those
 * of tenon__open_plugin_file, tenon__file_policy, tenon__dirs_policy.
 * load_lock held. */
TENON__HIDDEN int tenon__open_scanned_plugin(tenon_plugin *p, int *fd, struct stat *st);
/* Closes the kept folders (registry teardown). */
TENON__HIDDEN void tenon__scan_free(tenon_registry *reg);
/* Keeps a block (a descriptor, an error, a string: anything freed with
 * tenon__free) that callers may still point into until the registry goes
 * (in reg->retired). Lock held. */
TENON__HIDDEN void tenon__retire(tenon_registry *reg, void *block);
/* Makes room to retire n more blocks without allocating (a step that must
 * not fail half done reserves first). Lock held. */
TENON__HIDDEN int tenon__retire_reserve(tenon_registry *reg, size_t n);

/* scan_record.c: reads p's file (an added file, outside the search path) again and
 * refreshes its record as a scan does for a changed file. load_lock held. */
TENON__HIDDEN int tenon__scan_refresh(tenon_registry *reg, tenon_plugin *p);

/* scan_record.c: reads one file's descriptor and makes its record (not
 * appended). */
TENON__HIDDEN int tenon__scan_file(tenon_registry *reg, const char *canonical, unsigned origin,
                                   tenon_plugin **out);

/* scan_record.c: checks a descriptor's ABI against the library's. */
TENON__HIDDEN int tenon__abi_check(const tenon_plugin_desc *desc, const char *path);

/* loader.c: dlopens a verified file and checks its entry, or adopts a
 * static entry. On success p->dl and p->entry are set. Lock not held. */
TENON__HIDDEN int tenon__load_code(tenon_plugin *p);
TENON__HIDDEN void tenon__unload_code(tenon_plugin *p);
/* The checked, mapped new code of a loaded plugin (reload.c). */
typedef struct tenon__new_code {
    void *dl;
    const tenon_plugin_entry *entry;
    tenon_plugin_desc *desc; /* the new file's, owned */
    struct stat st;          /* the new file's identity */
} tenon__new_code;
/* Opens p's file as it is now and, without touching p's loaded code,
 * checks it as a load does (descriptor, ABI, same plugin name, pins and
 * signature, entry) and dlopens it through its fd. Returns 0 (*out
 * filled), 1 when the file is the very code already mapped (nothing to
 * do), or an error: TENON_ESTATE for a file overwritten in place while
 * mapped. load_lock held, registry lock not held. */
TENON__HIDDEN int tenon__load_generation(tenon_plugin *p, tenon__new_code *out);
/* dlcloses a handle from tenon__load_generation or p->dl. */
TENON__HIDDEN void tenon__close_handle(void *handle);
/* Whether addr is defined by the object behind handle itself. */
TENON__HIDDEN bool tenon__symbol_in_object(void *handle, const void *addr);
/* Checks an entry against its descriptor: ABI, descriptor identity, impls. */
TENON__HIDDEN int tenon__entry_check(const tenon_plugin *p, const tenon_plugin_entry *entry,
                                     const tenon_plugin_desc *file_desc);

/* trust.c: checks the plugin file open as fd (of st) against the pins and
 * signature policy, reading it with pread so the bytes checked are the
 * bytes then loaded through fd. Lock not held. */
TENON__HIDDEN int tenon__integrity_check(tenon_plugin *p, int fd, const struct stat *st);
TENON__HIDDEN void tenon__trust_free(tenon__trust *t);
/* For validate.c, whose child registry must apply the host's policy: the
 * parent copies reg's policy into *out under reg's lock (held by the
 * caller; free *out with tenon__trust_free), and the forked child moves
 * it into its own registry (no lock of the parent's is touched after
 * fork). */
TENON__HIDDEN int tenon__trust_snapshot(tenon_registry *reg, tenon__trust *out);
TENON__HIDDEN void tenon__trust_adopt(tenon_registry *reg, tenon__trust *t);

/* resolve.c: the load order of p's not-yet-loaded closure, dependencies
 * first. *order is allocated. Lock held. */
TENON__HIDDEN int tenon__resolve(tenon_registry *reg, tenon_plugin *p, tenon_plugin ***order,
                                 size_t *n);

/* teardown.c: finis every loaded plugin, each before what it requires,
 * holds or owns instances of (a cycle falls back to reverse load order),
 * freeing what each one's fini leaves of the instances it made. Registry
 * teardown; load_lock held. */
TENON__HIDDEN void tenon__fini_all(tenon_registry *reg);

/* lifecycle.c */
/* Whether a loaded plugin other than p requires it. Lock held. */
TENON__HIDDEN bool tenon__required_by_loaded(const tenon_registry *reg, const tenon_plugin *p);
TENON__HIDDEN void tenon__stage(tenon_plugin *p, tenon_stage stage);
TENON__HIDDEN int tenon__plugin_load_locked(tenon_plugin *p); /* load_lock held */
/* Finis p, frees what it made and left behind, and unloads its code and
 * every older generation of it. load_lock held, lock not held. teardown:
 * registry teardown, which skips what only a registry that lives on needs. */
TENON__HIDDEN void tenon__plugin_fini_unload(tenon_plugin *p, bool teardown);
TENON__HIDDEN int tenon__holder_add(tenon_plugin *p, tenon_plugin *by, const char *name);
TENON__HIDDEN int tenon__holder_remove(tenon_plugin *p, tenon_plugin *by, const char *name);

/* reload.c: an old generation of p lost a holder or an instance: when
 * none of either remains it goes on the registry's list of generations to
 * close (lock held). reap finis and closes them (lock not held). */
TENON__HIDDEN void tenon__generation_released(tenon_plugin *p, uint64_t gen);
TENON__HIDDEN void tenon__generations_reap(tenon_registry *reg);
/* An instance of p made from generation gen is gone (lock held; reap
 * after unlocking). */
TENON__HIDDEN void tenon__generation_unpin(tenon_plugin *p, uint64_t gen);
/* p's unload: fini_all runs the fini of every old generation of p still
 * mapped, newest first (after p's own fini, before what p made is freed);
 * drop_all then unmaps them. load_lock held, lock not held. */
TENON__HIDDEN void tenon__generations_fini_all(tenon_plugin *p);
TENON__HIDDEN void tenon__generations_drop_all(tenon_plugin *p);
/* host_api.c: on this thread, host->data, host->set_data and host->options
 * of p use *data and values instead of p's (p NULL: stop). Lets a new
 * generation's init, or an old one's fini, run beside the other's. */
TENON__HIDDEN void tenon__redirect_plugin(tenon_plugin *p, void **data,
                                          const tenon_values *values);

/* interface.c: finds the impl of iface in p (loaded). */
TENON__HIDDEN const tenon_impl *tenon__impl_find(const tenon_plugin *p, const char *iface);
TENON__HIDDEN bool tenon__provides(const tenon_plugin *p, const char *iface,
                                   uint32_t min_version);
/* What tenon__interface_acquire hands out, all read in one critical
 * section, so all of one code generation. */
typedef struct tenon__taken {
    tenon_plugin *provider;
    const tenon_impl *impl;
    const void *table;
    /* The generation's descriptor (a reload retires it, and retired blocks
     * live as long as the registry) and its number. */
    const tenon_plugin_desc *desc;
    uint64_t gen;
} tenon__taken;
/* Finds (and loads) the provider of iface. On success, under the registry
 * lock, so before any other thread can unload or reload it: with pin set
 * an instance of the current generation is counted (undo with
 * tenon__generation_unpin); with holder set (other than the provider)
 * holder becomes one of its holders. Without a pin or a hold, the impl and
 * table may be unmapped by a concurrent unload or reload as soon as this
 * returns. */
TENON__HIDDEN int tenon__interface_acquire(tenon_registry *reg, const char *plugin,
                                           const char *iface, uint32_t min_version, bool pin,
                                           tenon_plugin *holder, tenon__taken *out);

/* host_api.c */
TENON__HIDDEN extern const tenon_host_api tenon__host_api;

/* instance.c */
/* tenon_instance_new with its maker recorded: HOST or CONFIG (maker NULL),
 * or PLUGIN with maker the calling plugin (host->instance_create), which
 * becomes INSTANCE when the call comes from an instance_init of maker's
 * on this thread. */
TENON__HIDDEN int tenon__instance_new(tenon_registry *reg, const char *plugin,
                                      const char *iface, const char *name,
                                      const tenon_options *opts, tenon__maker made_by,
                                      tenon_plugin *maker, tenon_instance **out);
/* Frees what p made and left behind, newest first (after its fini, or
 * after a failed init). Lock not held. */
TENON__HIDDEN void tenon__instances_free_owned(tenon_plugin *p);
/* Registry teardown, before any plugin's fini: frees the instances the
 * host and the configuration made (newest first, each before what it
 * made), and those whose making plugin is no longer loaded. */
TENON__HIDDEN void tenon__instances_free_unowned(tenon_registry *reg);
/* Registry teardown, after every fini: frees the records of instances
 * made during the teardown without running their code, which is gone. */
TENON__HIDDEN void tenon__instances_drop_all(tenon_registry *reg);

/* options.c */
typedef struct tenon__value {
    int64_t i;     /* BOOL, INT, SIZE, DURATION */
    double d;      /* DOUBLE */
    const char *s; /* STRING, ENUM: points into the values' storage */
} tenon__value;

TENON__HIDDEN int tenon__options_copy(const tenon_options *src, tenon_options **out);
/* Parses text as a value of opt. On failure returns TENON_EOPTTYPE or
 * TENON_EOPTRANGE and writes what was expected into why. out->s is not set. */
TENON__HIDDEN int tenon__value_parse(const tenon_option *opt, const char *text,
                                     tenon__value *out, char *why, size_t why_size);
/* The fix of an error about option opt: what to set it to ("set 'depth' to
 * an integer from 1 to 64"), written into buf, which is returned. */
TENON__HIDDEN const char *tenon__option_fix(const tenon_option *opt, char *buf, size_t size);

#endif
