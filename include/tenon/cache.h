/* The registry cache: what scanning learned about each plugin file (its
 * descriptor, or why it has none) and what checking it in a child process
 * found, kept between runs. A scan with a warm cache stats every file and
 * reads only the ones whose identity (device, inode, size, mtime, ctime)
 * changed; a failure is kept with its reason, never as a bare blacklist,
 * and is forgotten as soon as the file changes.
 *
 * The cache only makes scanning and listing faster. It never makes a plugin
 * load that the checks would refuse: the owner and permission checks run on
 * every scan, and loading re-reads and re-checks the descriptor from the
 * file it is about to map. A cache file that is corrupt, truncated, of
 * another format version, or owned or writable by another user is ignored
 * with one warning through the registry's log, and rebuilt. */
#ifndef TENON_CACHE_H
#define TENON_CACHE_H

#include <tenon/common.h>
#include <tenon/descriptor.h>
#include <tenon/error.h>
#include <tenon/registry.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    /* Use the cache but never write it (a read-only home, a shared image). */
    TENON_CACHE_READ_ONLY = 1u << 0,
    /* Ignore what the cache file holds: read every plugin file again and
     * write a new cache. */
    TENON_CACHE_REBUILD = 1u << 1,
};

/* Makes reg keep a cache in the file at path (absolute), or, when path is
 * NULL, in the default file for the registry's app (tenon_cache_default_path).
 * Call it before the first scan. The cache is read at the next scan and
 * written, only when something changed, after each scan and by
 * tenon_registry_save_cache and tenon_registry_free. Setting it again
 * replaces the previous setting. Errors: TENON_EPATH (relative path, or no
 * default folder: see tenon_cache_default_path), TENON_EINVAL, TENON_ENOMEM. */
TENON_API int tenon_registry_set_cache(tenon_registry *reg, const char *path, unsigned flags);

/* The cache file of reg, or NULL when it keeps none. Owned by the registry. */
TENON_API const char *tenon_registry_cache_path(tenon_registry *reg);

/* Writes the cache now if anything changed since it was read or last
 * written (validation results, plugins scanned since). Writing is atomic: a
 * temporary file in the same folder, fsync, rename, fsync of the folder;
 * the file is 0600 and a folder it creates 0700. Returns 1 when written, 0
 * when nothing needed writing or the cache is read-only, or a negative
 * error: TENON_ESTATE (no cache set), TENON_EIO, TENON_EUNSAFE (the folder
 * is writable by others), TENON_ENOMEM. */
TENON_API int tenon_registry_save_cache(tenon_registry *reg);

/* The default cache file of app (NULL: "tenon"):
 * $XDG_CACHE_HOME/tenon/APP.cache, else $HOME/.cache/tenon/APP.cache. Not
 * available (TENON_EPATH) when neither variable holds an absolute path,
 * when app is not a plain name, or in a setuid/setgid program (AT_SECURE),
 * whose environment belongs to another user. Writes at most size bytes
 * including the NUL; TENON_EINVAL when the path does not fit. */
TENON_API int tenon_cache_default_path(const char *app, char *buf, size_t size);

/* Counters of a registry's scans, for tests, benchmarks and curious hosts. */
typedef struct tenon_cache_stats {
    uint32_t struct_size; /* set by the caller: sizeof(tenon_cache_stats) */
    uint32_t reserved;
    uint64_t files_read;        /* descriptors read from plugin files */
    uint64_t cache_hits;        /* plugin records made from the cache */
    uint64_t cache_folder_hits; /* folders whose listing came from the cache */
    uint64_t cache_stale;       /* cache entries dropped because their file changed */
    uint64_t cache_loads;       /* times the cache file was read and used */
    uint64_t cache_ignored;     /* times the cache file was ignored (corrupt, unsafe...) */
    uint64_t cache_saves;       /* times the cache file was written */
    uint64_t entries_loaded;    /* entries in the cache file when last read */
    uint64_t entries_written;   /* entries in the cache file when last written */
} tenon_cache_stats;

/* Fills *out (whose struct_size the caller set) up to that size. Counters
 * of the cache stay 0 when reg keeps no cache. Errors: TENON_EINVAL. */
TENON_API int tenon_registry_cache_stats(tenon_registry *reg, tenon_cache_stats *out);

/* What the last tenon_plugin_validate of a plugin's file found, in this
 * process or, through the cache, in an earlier one. */
typedef enum tenon_check_state {
    TENON_CHECK_NONE = 0, /* never checked, or the file changed since */
    TENON_CHECK_PASSED,
    TENON_CHECK_FAILED,
} tenon_check_state;

/* p's check state; when FAILED and why is not NULL, *why is the failure
 * (TENON_ECRASH with the signal, TENON_ETIMEOUT, or the error the child
 * met), owned by the registry. Hosts that check plugins before using them
 * check again only the ones in state NONE. */
TENON_API tenon_check_state tenon_plugin_check_state(const tenon_plugin *p,
                                                     const tenon_error **why);

/* ---- Reading cache files (tools, fuzzers) --------------------------------- */

typedef struct tenon_cache tenon_cache;

typedef struct tenon_cache_entry {
    const char *path;  /* canonical plugin file, or folder */
    uint64_t dev, ino; /* the file's identity when it was read */
    int64_t size, mtime_ns, ctime_ns;
    int64_t read_ns;                /* when it was read (ns since the epoch) */
    const tenon_plugin_desc *desc;  /* its descriptor, or NULL */
    const tenon_error *error;       /* why it has no usable descriptor, or NULL */
    tenon_check_state check;        /* the last child-process check */
    int64_t checked_ns;             /* when that check ran, or 0 */
    const tenon_error *check_error; /* why the check failed, or NULL */
    /* A folder's listing instead of a plugin file: its plugin file names,
     * sorted, as of the identity above (then desc and error are NULL).
     * Scans skip reading a folder whose identity is unchanged. */
    bool folder;
    const char *const *names;
    size_t n_names;
    /* Which plugin-level options the check ran with (a hash of them; 0:
     * none): a check with other options does not count. */
    uint64_t check_key;
} tenon_cache_entry;

enum {
    /* Skip the checksums (fuzzers, which cannot forge them, reach the
     * parser's other checks this way). */
    TENON_CACHE_PARSE_NO_CHECKSUM = 1u << 0,
};

/* Parses a cache image of size bytes. Every offset and length is checked;
 * every descriptor is checked as strictly as one read from a plugin file.
 * Errors: TENON_ECACHE (tenon_last_error says what is wrong and where),
 * TENON_ENOMEM, TENON_EINVAL. */
TENON_API int tenon_cache_parse(const void *data, size_t size, unsigned flags,
                                tenon_cache **out);

/* Reads and parses the cache file at path, after checking that it is a
 * regular file owned by the effective user or root and not writable by
 * group or others. Errors: those of tenon_cache_parse, TENON_ENOTFOUND,
 * TENON_EUNSAFE, TENON_ENOTREG, TENON_ELOOP (a symlink), TENON_EIO. */
TENON_API int tenon_cache_read(const char *path, tenon_cache **out);

/* The number of entries (plugin files and folder listings). */
TENON_API size_t tenon_cache_count(const tenon_cache *cache);
/* Entry index (0 <= index < count), in the file's order; NULL otherwise.
 * Valid until tenon_cache_free. */
TENON_API const tenon_cache_entry *tenon_cache_at(const tenon_cache *cache, size_t index);
/* When the file was written (ns since the epoch). */
TENON_API int64_t tenon_cache_written_ns(const tenon_cache *cache);
TENON_API void tenon_cache_free(tenon_cache *cache);

/* Deletes the cache file at path (a symlink is removed, not followed).
 * A missing file is not an error. Errors: TENON_EIO, TENON_EPATH. */
TENON_API int tenon_cache_remove(const char *path);

#ifdef __cplusplus
}
#endif

#endif
