/* The registry cache's file format, shared by cache_format.c (bytes in
 * memory) and the cache_*.c files (files, and the registry's use of them).
 *
 * A cache file is a 64-byte header and a body of entries, all in the
 * writer's byte order (a file of the other order is foreign and rebuilt):
 *
 *   header   magic "TENONRC\x1a", u32 format version, u32 header size (64),
 *            u32 byte-order mark 0x01020304, u16 ABI major, u16 ABI minor of
 *            the writing library, i64 written_ns, u64 body size,
 *            u32 entry count, u32 reserved (0), u64 body checksum,
 *            u64 header checksum (of the 56 bytes before it)
 *   entry    u32 size (a multiple of 8, this field included), u16 flags
 *            (DESC, ERROR, or FOLDER alone), u8 check state, u8 reserved (0),
 *            u64 dev, u64 ino, i64 size, mtime_ns, ctime_ns, read_ns,
 *            checked_ns, u64 check key (the options the check ran with; 0
 *            when none or unchecked); then the path; the descriptor if DESC; the read
 *            error if ERROR; the check error if the check state is FAILED;
 *            for a FOLDER, u32 count and that many plugin file names in
 *            strictly increasing strcmp order; zero padding
 *   string   u16 length, the bytes, a NUL (so strings are used in place)
 *   desc     u16 layout, u16 abi major, u16 abi minor, u32 flags, strings
 *            name, version, description, license, url; u8 counts of
 *            requires, provides, overrides, options, meta; then each list:
 *            requires (name, range), provides (name, u32 version, i32 rank),
 *            overrides (name), options (name, u8 type, u32 flags, default,
 *            help, choices, i64 min, i64 max), meta (key, value)
 *   error    i32 code, u8 stage, i32 errno, strings plugin, path, message, hint
 *
 * Every length is checked against what is left and against the capacity
 * the field has in a descriptor or tenon_error, so nothing read from a
 * cache can be larger than what a plugin file could carry. */
#ifndef TENON_CACHE_INTERNAL_H
#define TENON_CACHE_INTERNAL_H

#include "internal.h"

#include <tenon/cache.h>

#include <sys/stat.h>

#define TENON__CACHE_MAGIC "TENONRC\x1a"
#define TENON__CACHE_VERSION 2u
#define TENON__CACHE_HEADER_SIZE 64u
#define TENON__CACHE_BYTE_ORDER 0x01020304u
#define TENON__CACHE_ENTRY_FIXED 72u
/* Larger files are not caches this library wrote (10000 plugins take a few
 * MiB). */
#define TENON__CACHE_MAX_SIZE (256u * 1024 * 1024)

enum {
    TENON__CACHE_E_DESC = 1u << 0,
    TENON__CACHE_E_ERROR = 1u << 1,
    TENON__CACHE_E_FOLDER = 1u << 2,
};

/* A growable byte buffer. */
typedef struct tenon__bytes {
    unsigned char *data;
    size_t len, cap;
    bool failed; /* an allocation failed; the contents are incomplete */
} tenon__bytes;

TENON__HIDDEN void tenon__bytes_free(tenon__bytes *b);
TENON__HIDDEN void tenon__bytes_add(tenon__bytes *b, const void *data, size_t len);

/* The checksum of the format: a 64-bit multiply-xorshift over 8-byte words,
 * to catch damage (a flipped bit, a torn write), not forgery, which the
 * file's owner and permission checks keep out. */
TENON__HIDDEN uint64_t tenon__cache_sum(const void *data, size_t size);

/* Fails with TENON_ECACHE: the image is not a cache this library can use
 * (the hint says it is rebuilt). */
TENON__HIDDEN int tenon__cache_malformed(const char *fmt, ...) TENON_PRINTF(1, 2);

/* Appends one entry for e (path, key, descriptor or error, check). */
TENON__HIDDEN void tenon__cache_encode(tenon__bytes *out, const tenon_cache_entry *e);

/* The header of a body of n entries. */
TENON__HIDDEN void tenon__cache_header(unsigned char header[TENON__CACHE_HEADER_SIZE],
                                       const unsigned char *body, size_t body_size,
                                       uint32_t n_entries, int64_t written_ns);

/* Checks a whole image's header (and, unless flags has
 * TENON_CACHE_PARSE_NO_CHECKSUM, its checksums). On success *body and
 * *body_size delimit the entries. Errors: TENON_ECACHE, message set. */
TENON__HIDDEN int tenon__cache_check_image(const unsigned char *image, size_t size,
                                           unsigned flags, const unsigned char **body,
                                           size_t *body_size, uint32_t *n_entries,
                                           int64_t *written_ns);

/* One entry as it sits in the body, its fixed fields decoded. */
typedef struct tenon__cache_raw {
    const unsigned char *start; /* the entry's first byte */
    size_t size;                /* its size, padding included */
    const char *path;           /* NUL-terminated, in the body */
    size_t path_len;
    uint16_t flags;
    uint8_t check;
    uint64_t dev, ino;
    int64_t size_bytes, mtime_ns, ctime_ns, read_ns, checked_ns;
    uint64_t check_key;
    const unsigned char *payload, *end; /* after the path, up to the padding */
} tenon__cache_raw;

/* Reads the entry at *offset of body and advances *offset. Returns 1 for an
 * entry, 0 at the end, TENON_ECACHE for a malformed one. */
TENON__HIDDEN int tenon__cache_next(const unsigned char *body, size_t body_size, size_t *offset,
                                    tenon__cache_raw *raw);

/* Decodes an entry's descriptor, read error and check error (each NULL when
 * absent; errors are new tenon_error objects). On failure nothing is
 * allocated. Descriptors get the checks descriptor.c makes on a plugin
 * file's, except that strict=false skips parsing option defaults: the
 * registry's scans skip it because loading checks every option value
 * anyway and a default that does not parse fails there cleanly; a
 * default-parsing pass was a tenth of a warm scan. Errors: TENON_ECACHE,
 * TENON_ENOMEM. */
TENON__HIDDEN int tenon__cache_decode(const tenon__cache_raw *raw, bool strict,
                                      tenon_plugin_desc **desc, tenon_error **error,
                                      tenon_error **check_error);

/* A FOLDER entry's names: *names (allocated; the strings stay in the
 * image) holds *n of them, checked to be plugin file names in strictly
 * increasing order. Errors: TENON_ECACHE, TENON_ENOMEM. */
TENON__HIDDEN int tenon__cache_folder_names(const tenon__cache_raw *raw, const char ***names,
                                            size_t *n);

/* Realtime now in ns. */
TENON__HIDDEN int64_t tenon__now_ns(void);

/* cache.c: p's descriptor came from the cache and differs from the one its
 * file holds in field: warns (naming the plugin, the cache file and the
 * field) and makes the next write replace the entry. load_lock held,
 * registry lock not held. */
TENON__HIDDEN void tenon__cache_entry_mismatch(tenon_registry *reg, const tenon_plugin *p,
                                               const char *field);

/* ---- The registry's cache: cache.c (messages, checks, public calls),
 * cache_read.c (reading the file), cache_lookup.c (the scan's questions),
 * cache_save.c (writing the file). All guarded by the registry's
 * load_lock. ------------------------------------------------------------ */

/* The index of a cache image: open addressing over the entries' paths. */
typedef struct tenon__cache_slot {
    uint64_t hash;   /* 0: empty */
    uint32_t offset; /* of the entry in the body */
    uint32_t len;    /* of its path */
} tenon__cache_slot;

/* A folder's listing taken by this registry, to be cached. */
typedef struct tenon__cache_dirlist {
    char *dir;
    struct stat st; /* the folder's, taken before it was read */
    int64_t read_ns;
    char *names; /* n NUL-terminated names, sorted */
    size_t n, names_size;
} tenon__cache_dirlist;

typedef struct tenon__cache {
    char *path;
    unsigned flags;
    bool warned;  /* the one warning about this cache was given */
    bool changed; /* the file no longer matches what is known */
    bool loaded;  /* the file was read for the current scan */
    bool file_ok; /* ... and it was a valid cache */
    /* An entry failed to decode: nothing more is used from the image,
     * which stays until the scan ends (names from it may be in use). */
    bool poisoned;

    unsigned char *image;
    const unsigned char *body;
    size_t body_size;
    uint32_t n_entries;
    tenon__cache_slot *slots; /* built on the first lookup the walk misses */
    size_t cap;               /* power of two */
    size_t cursor;            /* where the next file's entry should be */
    uint32_t *folders;        /* offsets of the folder listings */
    size_t n_folders;
    size_t hits; /* entries used by the current scan */

    char **dirs; /* canonical folders scanned: their deleted files' entries go */
    size_t n_dirs, cap_dirs;
    tenon__cache_dirlist *listings; /* read by this registry, not yet written */
    size_t n_listings, cap_listings;

    tenon_cache_stats stats;
} tenon__cache;

static inline int64_t tenon__cache_stat_ns(const struct timespec *ts)
{
    return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

/* Whether raw was recorded from the file st describes, unchanged since. */
static inline bool tenon__cache_same_file(const tenon__cache_raw *raw, const struct stat *st)
{
    return raw->dev == (uint64_t)st->st_dev && raw->ino == (uint64_t)st->st_ino &&
           raw->size_bytes == (int64_t)st->st_size &&
           raw->mtime_ns == tenon__cache_stat_ns(&st->st_mtim) &&
           raw->ctime_ns == tenon__cache_stat_ns(&st->st_ctim);
}

/* Paths are hashed a word at a time: lookups run once per scanned file. */
static inline uint64_t tenon__cache_path_hash(const char *s, size_t len)
{
    uint64_t h = tenon__cache_sum(s, len);
    return h ? h : 1;
}

/* A file (or folder) changed within a timestamp tick of when it was read
 * may change again without its timestamps moving (git's "racily clean"
 * files): such a record is not cached until a later scan reads it at a
 * safe distance. Whole-second timestamps suggest a coarse file system. */
static inline bool tenon__cache_racy(int64_t mtime_ns, int64_t ctime_ns, int64_t read_ns)
{
    int64_t newest = mtime_ns > ctime_ns ? mtime_ns : ctime_ns;
    bool coarse = mtime_ns % 1000000000 == 0 && ctime_ns % 1000000000 == 0;
    int64_t margin = coarse ? 2000000000ll : 100000000ll;
    return newest > read_ns - margin;
}

/* cache.c: one warning per registry about its cache; the rest goes to
 * debug, so a broken cache folder does not flood the host's log. */
TENON__HIDDEN void tenon__cache_warn(tenon_registry *reg, tenon__cache *c, const char *fmt, ...)
    TENON_PRINTF(3, 4);
/* The cache file cannot be used, as the thread's error says: warns, and
 * makes the next write rebuild it. */
TENON__HIDDEN void tenon__cache_ignore(tenon_registry *reg, tenon__cache *c);

/* cache_read.c: reads the whole cache file after checking what it is.
 * *image is allocated. Errors carry a message: NOTFOUND, LOOP, NOTREG,
 * UNSAFE, IO, CACHE (too large), NOMEM. */
TENON__HIDDEN int tenon__cache_read_image(const char *path, unsigned char **image,
                                          size_t *size);
/* Checks image and makes it c's (c takes it on success). Errors carry a
 * message. */
TENON__HIDDEN int tenon__cache_index_image(tenon__cache *c, unsigned char *image, size_t size);
/* Frees c's image and everything pointing into it. */
TENON__HIDDEN void tenon__cache_drop_image(tenon__cache *c);
/* Frees the folder listings taken since the last write. */
TENON__HIDDEN void tenon__cache_free_listings(tenon__cache *c);
/* Reads the cache file for a scan, or finds why it cannot be used. */
TENON__HIDDEN void tenon__cache_load(tenon_registry *reg, tenon__cache *c);

/* cache_lookup.c: whether p's record belongs in the cache. Registry lock
 * held. */
TENON__HIDDEN bool tenon__cache_cacheable(const tenon_plugin *p);

/* cache_save.c: writes the cache file when something changed (or force);
 * returns 1 when written, 0 when nothing had to be, or an error. */
TENON__HIDDEN int tenon__cache_save(tenon_registry *reg, tenon__cache *c, bool force);
/* TENON_EIO "cannot WHAT: strerror(e)" about path, at the cache stage. */
TENON__HIDDEN int tenon__cache_io_fail(const char *path, const char *what, int e);

#endif
