/* The registry cache: reading the cache file at the first scan, answering
 * the scan's lookups, and writing the file back atomically when something
 * changed. All cache state is guarded by the registry's load_lock, which
 * scans hold throughout; plugin fields by the registry lock as usual. */
#include "cache_internal.h"
#include "path_policy.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

/* The index of a cache image: open addressing over the entries' paths. */
typedef struct index_slot {
    uint64_t hash;   /* 0: empty */
    uint32_t offset; /* of the entry in the body */
    uint32_t len;    /* of its path */
} index_slot;

/* A folder's listing taken by this registry, to be cached. */
typedef struct listing {
    char *dir;
    struct stat st; /* the folder's, taken before it was read */
    int64_t read_ns;
    char *names; /* n NUL-terminated names, sorted */
    size_t n, names_size;
} listing;

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
    index_slot *slots; /* built on the first lookup the walk misses */
    size_t cap;        /* power of two */
    size_t cursor;     /* where the next file's entry should be */
    uint32_t *folders; /* offsets of the folder listings */
    size_t n_folders;
    size_t hits; /* entries used by the current scan */

    char **dirs; /* canonical folders scanned: their deleted files' entries go */
    size_t n_dirs, cap_dirs;
    listing *listings; /* read by this registry, not yet written */
    size_t n_listings, cap_listings;

    tenon_cache_stats stats;
} tenon__cache;

static int64_t stat_ns(const struct timespec *ts)
{
    return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

/* Paths are hashed a word at a time: lookups run once per scanned file. */
static uint64_t path_hash(const char *s, size_t len)
{
    uint64_t h = tenon__cache_sum(s, len);
    return h ? h : 1;
}

/* ---- Messages -------------------------------------------------------------- */

/* One warning per registry about its cache; the rest goes to debug, so a
 * broken cache folder does not flood the host's log. */
static void cache_warn(tenon_registry *reg, tenon__cache *c, const char *fmt, ...)
    TENON_PRINTF(3, 4);
static void cache_warn(tenon_registry *reg, tenon__cache *c, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    tenon__log(reg, c->warned ? TENON_LOG_DEBUG : TENON_LOG_WARN, NULL, "%s", text);
    c->warned = true;
}

/* ---- Reading the file ------------------------------------------------------ */

/* Reads the whole cache file after checking what it is. *image is
 * allocated. Errors carry a message: NOTFOUND, LOOP, NOTREG, UNSAFE, IO,
 * CACHE (too large), NOMEM. */
static int read_image(const char *path, unsigned char **image, size_t *size)
{
    *image = NULL;
    *size = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT)
            return tenon__fail(TENON_ENOTFOUND, TENON_STAGE_CACHE, NULL, path, NULL,
                               "there is no cache file yet");
        if (e == ELOOP)
            return tenon__fail(TENON_ELOOP, TENON_STAGE_CACHE, NULL, path, NULL,
                               "the cache file is a symbolic link");
        return tenon__fail(TENON_EIO, TENON_STAGE_CACHE, NULL, path, NULL,
                           "cannot open the cache file: %s", strerror(e));
    }
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0)
        rc = tenon__fail(TENON_EIO, TENON_STAGE_CACHE, NULL, path, NULL,
                         "cannot stat the cache file: %s", strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = tenon__fail(TENON_ENOTREG, TENON_STAGE_CACHE, NULL, path, NULL,
                         "the cache file is a %s, not a regular file",
                         S_ISDIR(st.st_mode) ? "folder" : "special file");
    else
        rc = tenon__trusted_file_policy(&st, path, TENON__TRUSTED_CACHE, geteuid());
    if (rc == 0 && (uint64_t)st.st_size > TENON__CACHE_MAX_SIZE)
        rc = tenon__fail(TENON_ECACHE, TENON_STAGE_CACHE, NULL, path, NULL,
                         "the cache file is %lld bytes, more than a cache can be",
                         (long long)st.st_size);
    if (rc < 0) {
        close(fd);
        return rc;
    }
    /* One byte more than the size: a file that grew since fstat is seen. */
    size_t want = (size_t)st.st_size + 1, have = 0;
    unsigned char *buf = tenon__malloc(want);
    if (!buf) {
        close(fd);
        return tenon__nomem(TENON_STAGE_CACHE, NULL);
    }
    while (have < want) {
        ssize_t n = read(fd, buf + have, want - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = tenon__fail(TENON_EIO, TENON_STAGE_CACHE, NULL, path, NULL,
                             "cannot read the cache file: %s", strerror(errno));
            break;
        }
        if (n == 0)
            break;
        have += (size_t)n;
    }
    close(fd);
    if (rc == 0 && have != (size_t)st.st_size)
        rc = tenon__fail(TENON_ECACHE, TENON_STAGE_CACHE, NULL, path, NULL,
                         "the cache file changed size while it was read");
    if (rc < 0) {
        tenon__free(buf);
        return rc;
    }
    *image = buf;
    *size = have;
    return 0;
}

int tenon_cache_read(const char *path, tenon_cache **out)
{
    if (!out || !path)
        return TENON_EINVAL;
    *out = NULL;
    if (path[0] != '/')
        return tenon__fail(TENON_EPATH, TENON_STAGE_CACHE, NULL, path, NULL,
                           "cache path \"%s\" is not absolute", path);
    unsigned char *image;
    size_t size;
    int rc = read_image(path, &image, &size);
    if (rc < 0)
        return rc;
    rc = tenon_cache_parse(image, size, 0, out);
    tenon__free(image);
    if (rc < 0)
        tenon__strlcpy(tenon__error_tls()->path, path, TENON_ERROR_PATH_MAX);
    return rc;
}

static void drop_image(tenon__cache *c)
{
    tenon__free(c->image);
    tenon__free(c->slots);
    tenon__free(c->folders);
    c->folders = NULL;
    c->n_folders = 0;
    c->cursor = 0;
    c->image = NULL;
    c->body = NULL;
    c->body_size = 0;
    c->n_entries = 0;
    c->slots = NULL;
    c->cap = 0;
    c->hits = 0;
    c->poisoned = false;
}

static void free_listings(tenon__cache *c)
{
    for (size_t i = 0; i < c->n_listings; i++) {
        tenon__free(c->listings[i].dir);
        tenon__free(c->listings[i].names);
    }
    tenon__free(c->listings);
    c->listings = NULL;
    c->n_listings = c->cap_listings = 0;
}

static const index_slot *index_find(const tenon__cache *c, const char *path, size_t len,
                                    uint64_t hash)
{
    size_t mask = c->cap - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        const index_slot *s = &c->slots[i];
        if (!s->hash)
            return NULL;
        if (s->hash == hash && s->len == len &&
            memcmp(c->body + s->offset + TENON__CACHE_ENTRY_FIXED + 2, path, len) == 0)
            return s;
    }
}

/* Checks the image: header, checksums, and every entry's frame; notes
 * where the folder listings are. Scans visit a folder's files in the order
 * the cache was written, so files are found by walking on from the last
 * one found; a hash index is built only when that walk misses (at ten
 * thousand plugins, building and probing an index cost more than the
 * rest of a lookup). */
static int index_image(tenon__cache *c, unsigned char *image, size_t size)
{
    int64_t written;
    int rc = tenon__cache_check_image(image, size, 0, &c->body, &c->body_size, &c->n_entries,
                                      &written);
    if (rc < 0)
        return rc;
    if (c->body_size > UINT32_MAX)
        return tenon__fail(TENON_ECACHE, TENON_STAGE_CACHE, NULL, NULL, NULL,
                           "the cache is too large");
    size_t off = 0, n = 0, cap_folders = 0;
    tenon__cache_raw raw;
    while ((rc = tenon__cache_next(c->body, c->body_size, &off, &raw)) == 1) {
        if (++n > c->n_entries)
            return tenon__fail(TENON_ECACHE, TENON_STAGE_CACHE, NULL, NULL, NULL,
                               "it holds more entries than its header announces (%u)",
                               c->n_entries);
        if (raw.flags & TENON__CACHE_E_FOLDER) {
            if (tenon__grow((void **)&c->folders, &cap_folders, c->n_folders + 1,
                            sizeof(uint32_t)) < 0)
                return tenon__nomem(TENON_STAGE_CACHE, NULL);
            c->folders[c->n_folders++] = (uint32_t)(raw.start - c->body);
        }
    }
    if (rc < 0)
        return rc;
    if (n != c->n_entries)
        return tenon__fail(TENON_ECACHE, TENON_STAGE_CACHE, NULL, NULL, NULL,
                           "it holds %zu entries; its header announces %u", n, c->n_entries);
    c->image = image;
    c->cursor = 0;
    return 0;
}

/* The hash index of every entry by path (the later of two wins). */
static int build_index(tenon__cache *c)
{
    c->cap = 16;
    while (c->cap < (size_t)c->n_entries * 2)
        c->cap *= 2;
    c->slots = tenon__calloc(c->cap, sizeof(index_slot));
    if (!c->slots)
        return tenon__nomem(TENON_STAGE_CACHE, NULL);
    size_t off = 0;
    tenon__cache_raw raw;
    while (tenon__cache_next(c->body, c->body_size, &off, &raw) == 1) {
        uint64_t hash = path_hash(raw.path, raw.path_len);
        size_t mask = c->cap - 1, i = hash & mask;
        while (c->slots[i].hash && !(c->slots[i].hash == hash &&
                                     c->slots[i].len == raw.path_len &&
                                     memcmp(c->body + c->slots[i].offset +
                                                TENON__CACHE_ENTRY_FIXED + 2,
                                            raw.path, raw.path_len) == 0))
            i = (i + 1) & mask;
        c->slots[i] = (index_slot){hash, (uint32_t)(raw.start - c->body),
                                   (uint32_t)raw.path_len};
    }
    return 0;
}

/* Reads the cache file for a scan, or finds why it cannot be used. */
static void load(tenon_registry *reg, tenon__cache *c)
{
    c->loaded = true;
    c->file_ok = false;
    c->hits = 0;
    if (c->flags & TENON_CACHE_REBUILD) {
        c->changed = true;
        return;
    }
    unsigned char *image;
    size_t size;
    int rc = read_image(c->path, &image, &size);
    if (rc == TENON_ENOTFOUND) {
        tenon__log(reg, TENON_LOG_DEBUG, NULL, "registry cache %s: none yet", c->path);
        c->changed = true;
        return;
    }
    if (rc == 0) {
        rc = index_image(c, image, size);
        if (rc < 0) {
            tenon__free(image);
            drop_image(c);
        }
    }
    if (rc < 0) {
        char message[TENON_ERROR_TEXT_MAX];
        tenon__strlcpy(message, tenon_last_error()->message, sizeof(message));
        cache_warn(reg, c, "ignoring the registry cache %s: %s; it is rebuilt", c->path,
                   message);
        c->stats.cache_ignored++;
        c->changed = true;
        return;
    }
    c->file_ok = true;
    c->stats.cache_loads++;
    c->stats.entries_loaded = c->n_entries;
    tenon__log(reg, TENON_LOG_DEBUG, NULL, "registry cache %s: %u entries", c->path,
               c->n_entries);
}

/* ---- Scanning -------------------------------------------------------------- */

void tenon__cache_scan_begin(tenon_registry *reg)
{
    tenon__cache *c = reg->cache;
    if (c && !c->loaded)
        load(reg, c);
}

bool tenon__cache_loaded(const tenon_registry *reg)
{
    return reg->cache && reg->cache->loaded;
}

bool tenon__cache_usable(const tenon_registry *reg)
{
    return reg->cache && reg->cache->image && !reg->cache->poisoned;
}

static bool same_key(const tenon__cache_raw *raw, const struct stat *st)
{
    return raw->dev == (uint64_t)st->st_dev && raw->ino == (uint64_t)st->st_ino &&
           raw->size_bytes == (int64_t)st->st_size && raw->mtime_ns == stat_ns(&st->st_mtim) &&
           raw->ctime_ns == stat_ns(&st->st_ctim);
}

/* The entry for path (a folder listing when folder is set), or 0 (raw
 * filled on 1). Entries were checked by index_image, so reading one again
 * cannot fail. */
static int find_entry(tenon__cache *c, const char *path, tenon__cache_raw *raw, bool folder)
{
    if (!c->image || c->poisoned)
        return 0;
    size_t len = strlen(path), off;
    if (folder) {
        for (size_t i = 0; i < c->n_folders; i++) {
            off = c->folders[i];
            if (tenon__cache_next(c->body, c->body_size, &off, raw) == 1 &&
                raw->path_len == len && memcmp(raw->path, path, len) == 0)
                return 1;
        }
        return 0;
    }
    /* Usually the next entry (listings sit apart: skip them). */
    off = c->cursor;
    while (tenon__cache_next(c->body, c->body_size, &off, raw) == 1) {
        if (raw->flags & TENON__CACHE_E_FOLDER)
            continue;
        if (raw->path_len == len && memcmp(raw->path, path, len) == 0) {
            c->cursor = off;
            return 1;
        }
        break;
    }
    if (!c->slots && build_index(c) < 0)
        return 0; /* out of memory: the file is read instead */
    const index_slot *s = index_find(c, path, len, path_hash(path, len));
    if (!s)
        return 0;
    off = s->offset;
    if (tenon__cache_next(c->body, c->body_size, &off, raw) != 1 ||
        (raw->flags & TENON__CACHE_E_FOLDER))
        return 0;
    c->cursor = off;
    return 1;
}

static void poison(tenon_registry *reg, tenon__cache *c)
{
    /* Checksums matched, so this is no accident: trust none of it. */
    char message[TENON_ERROR_TEXT_MAX];
    tenon__strlcpy(message, tenon_last_error()->message, sizeof(message));
    cache_warn(reg, c, "ignoring the registry cache %s: %s; it is rebuilt", c->path, message);
    c->stats.cache_ignored++;
    c->changed = true;
    c->file_ok = false;
    c->poisoned = true;
}

int tenon__cache_listing(tenon_registry *reg, const char *dir, const struct stat *st,
                         const char ***names, size_t *n)
{
    tenon__cache *c = reg->cache;
    tenon__cache_raw raw;
    if (!c || !find_entry(c, dir, &raw, true))
        return 0;
    if (!same_key(&raw, st)) {
        c->stats.cache_stale++;
        c->changed = true;
        return 0;
    }
    int rc = tenon__cache_folder_names(&raw, names, n);
    if (rc == TENON_ENOMEM)
        return rc;
    if (rc < 0) {
        poison(reg, c);
        return 0;
    }
    c->hits++;
    c->stats.cache_folder_hits++;
    return 1;
}

int tenon__cache_note_listing(tenon_registry *reg, const char *dir, const struct stat *st,
                              char *const *names, size_t n)
{
    tenon__cache *c = reg->cache;
    if (!c)
        return 0;
    size_t size = 0;
    for (size_t i = 0; i < n; i++)
        size += strlen(names[i]) + 1;
    listing l = {tenon__strdup(dir), *st, tenon__now_ns(), tenon__malloc(size ? size : 1), n,
                 size};
    if (!l.dir || !l.names ||
        tenon__grow((void **)&c->listings, &c->cap_listings, c->n_listings + 1,
                    sizeof(listing)) < 0) {
        tenon__free(l.dir);
        tenon__free(l.names);
        return tenon__nomem(TENON_STAGE_SCAN, NULL);
    }
    for (size_t i = 0, off = 0; i < n; i++) {
        size_t len = strlen(names[i]) + 1;
        memcpy(l.names + off, names[i], len);
        off += len;
    }
    /* A newer listing of the same folder replaces the older one. */
    for (size_t i = 0; i < c->n_listings; i++) {
        if (strcmp(c->listings[i].dir, dir) == 0) {
            tenon__free(c->listings[i].dir);
            tenon__free(c->listings[i].names);
            c->listings[i] = l;
            c->changed = true;
            return 0;
        }
    }
    c->listings[c->n_listings++] = l;
    c->changed = true;
    return 0;
}

int tenon__cache_scan_dir(tenon_registry *reg, const char *dir)
{
    tenon__cache *c = reg->cache;
    if (!c)
        return 0;
    for (size_t i = 0; i < c->n_dirs; i++)
        if (strcmp(c->dirs[i], dir) == 0)
            return 0;
    char *copy = tenon__strdup(dir);
    if (!copy || tenon__grow((void **)&c->dirs, &c->cap_dirs, c->n_dirs + 1, sizeof(char *)) < 0) {
        tenon__free(copy);
        return tenon__nomem(TENON_STAGE_SCAN, NULL);
    }
    c->dirs[c->n_dirs++] = copy;
    return 0;
}

static bool content_error(int code);

int tenon__cache_lookup(tenon_registry *reg, tenon_plugin *p, const struct stat *st)
{
    tenon__cache *c = reg->cache;
    tenon__cache_raw raw;
    if (!c || !find_entry(c, p->path, &raw, false))
        return 0;
    if (!same_key(&raw, st)) {
        c->stats.cache_stale++;
        c->changed = true;
        return 0;
    }
    tenon_plugin_desc *desc;
    tenon_error *error, *check_error;
    int rc = tenon__cache_decode(&raw, false, &desc, &error, &check_error);
    if (rc == TENON_ENOMEM)
        return rc;
    /* Only errors this library caches may come back from a cache: any
     * other (TENON_ENOMEM above all) would change what the scan does. */
    if (rc == 0 && ((error && !content_error(error->code)) ||
                    (check_error && check_error->code == TENON_ENOMEM))) {
        tenon_descriptor_free(desc);
        tenon__free(error);
        tenon__free(check_error);
        rc = tenon__fail(TENON_ECACHE, TENON_STAGE_CACHE, NULL, p->path, NULL,
                         "the entry for %s holds an error no cache holds", p->path);
    }
    if (rc < 0) {
        poison(reg, c);
        return 0;
    }
    p->dev = st->st_dev;
    p->ino = st->st_ino;
    p->size = st->st_size;
    p->mtime_ns = raw.mtime_ns;
    p->ctime_ns = raw.ctime_ns;
    p->keyed = true;
    p->read_ns = raw.read_ns;
    p->desc = desc;
    p->desc_from_cache = desc != NULL;
    p->check = raw.check;
    p->checked_ns = raw.checked_ns;
    p->check_key = raw.check_key;
    p->check_error = check_error;
    if (error) {
        tenon__error_restore(error);
        tenon__free(error);
    }
    c->hits++;
    c->stats.cache_hits++;
    return 1;
}

/* Errors that are facts about a file's bytes, so they hold for as long as
 * the file is unchanged. Owner, permission, open and read errors depend on
 * more than the bytes and are found again by every scan. */
static bool content_error(int code)
{
    switch (code) {
    case TENON_ENOTELF:
    case TENON_EELFCLASS:
    case TENON_EELFMACHINE:
    case TENON_EELFTYPE:
    case TENON_ETRUNCATED:
    case TENON_ENODESC:
    case TENON_EBADMAGIC:
    case TENON_ELAYOUT:
    case TENON_EFIELD:
    case TENON_ENAME:
        return true;
    default:
        return false;
    }
}

/* A file changed within a timestamp tick of when it was read may change
 * again without its timestamps moving (git's "racily clean" files): such a
 * record is not cached until a later scan reads it at a safe distance.
 * Whole-second timestamps suggest a coarse file system. */
static bool racy(const tenon_plugin *p)
{
    int64_t newest = p->mtime_ns > p->ctime_ns ? p->mtime_ns : p->ctime_ns;
    bool coarse = p->mtime_ns % 1000000000 == 0 && p->ctime_ns % 1000000000 == 0;
    int64_t margin = coarse ? 2000000000ll : 100000000ll;
    return newest > p->read_ns - margin;
}

/* Whether p's record belongs in the cache. Registry lock held. */
static bool cacheable(const tenon_plugin *p)
{
    if (!p->path || !p->keyed || p->static_entry || racy(p))
        return false;
    return p->desc || (p->error && content_error(p->error->code));
}

void tenon__cache_changed(tenon_registry *reg)
{
    if (reg->cache)
        reg->cache->changed = true;
}

void tenon__cache_entry_mismatch(tenon_registry *reg, const tenon_plugin *p, const char *field)
{
    tenon__log(reg, TENON_LOG_WARN, p->display_name,
               "registry cache %s: its entry for plugin %s (%s) differs from the file's own "
               "descriptor in field \"%s\"; the entry is discarded and the file's descriptor "
               "is used (someone or something changed the cache file)",
               reg->cache ? reg->cache->path : "(none)", p->display_name,
               p->path ? p->path : "?", field);
    tenon__cache_changed(reg);
}

static int save(tenon_registry *reg, tenon__cache *c, bool force);

void tenon__cache_scan_end(tenon_registry *reg)
{
    tenon__cache *c = reg->cache;
    if (!c)
        return;
    /* Every entry used and nothing read: the file is what it would be. */
    if (c->changed || !c->file_ok || c->hits != c->n_entries)
        save(reg, c, false);
    drop_image(c);
    c->loaded = false;
}

/* ---- Writing the file ------------------------------------------------------ */

static int io_fail(const char *path, const char *what, int e)
{
    return tenon__fail(TENON_EIO, TENON_STAGE_CACHE, NULL, path,
                       "check the cache folder, or choose another cache file",
                       "cannot %s: %s", what, strerror(e));
}

/* Creates the cache folder (and missing parents) owner-only, and checks
 * that nobody else can replace files in it. */
static int prepare_dir(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno != ENOENT)
            return io_fail(dir, "check the cache folder", errno);
        char parent[PATH_MAX];
        tenon__strlcpy(parent, dir, sizeof(parent));
        char *slash = strrchr(parent, '/');
        if (slash && slash != parent) {
            *slash = '\0';
            int rc = prepare_dir(parent);
            if (rc < 0)
                return rc;
        }
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            return io_fail(dir, "create the cache folder", errno);
        if (stat(dir, &st) != 0)
            return io_fail(dir, "check the cache folder", errno);
    }
    if (!S_ISDIR(st.st_mode))
        return tenon__fail(TENON_EIO, TENON_STAGE_CACHE, NULL, dir, NULL,
                           "the cache folder %s is not a folder", dir);
    return tenon__trusted_dir_policy(&st, dir, dir, TENON__TRUSTED_CACHE);
}

static int write_all(int fd, const unsigned char *data, size_t len)
{
    while (len) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? errno : EIO;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Temporary file in the same folder, fsync, rename over, fsync the folder:
 * a reader sees the old file or the new one, and a crash leaves one of
 * them, never a torn file. */
static int write_atomic(const char *path, const unsigned char *header, const unsigned char *body,
                        size_t body_size)
{
    char dir[PATH_MAX], tmp[PATH_MAX];
    tenon__strlcpy(dir, path, sizeof(dir));
    char *slash = strrchr(dir, '/');
    if (!slash)
        return tenon__fail(TENON_EPATH, TENON_STAGE_CACHE, NULL, path, NULL,
                           "cache path is not absolute");
    const char *base = path + (slash - dir) + 1;
    if (slash == dir)
        slash[1] = '\0';
    else
        *slash = '\0';
    int rc = prepare_dir(dir);
    if (rc < 0)
        return rc;
    int n = snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", strcmp(dir, "/") ? dir : "", base);
    if (n < 0 || (size_t)n >= sizeof(tmp))
        return tenon__fail(TENON_EPATH, TENON_STAGE_CACHE, NULL, path, NULL,
                           "cache path is too long");
    int fd = mkostemp(tmp, O_CLOEXEC); /* mode 0600 */
    if (fd < 0)
        return io_fail(dir, "create a file in the cache folder", errno);
    int e = write_all(fd, header, TENON__CACHE_HEADER_SIZE);
    if (!e)
        e = write_all(fd, body, body_size);
    if (!e && fsync(fd) != 0)
        e = errno;
    if (close(fd) != 0 && !e)
        e = errno;
    if (e) {
        unlink(tmp);
        return io_fail(tmp, "write the cache", e);
    }
    /* An empty folder in the cache file's place is removed; a full one
     * makes the rename fail and is left alone. */
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
        rmdir(path);
    if (rename(tmp, path) != 0) {
        e = errno;
        unlink(tmp);
        return io_fail(path, "replace the cache file", e);
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

static bool under_scanned_dir(const tenon__cache *c, const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t len = slash ? (size_t)(slash - path) : 0;
    if (len == 0)
        len = 1; /* "/x.so" is in "/" */
    for (size_t i = 0; i < c->n_dirs; i++)
        if (strlen(c->dirs[i]) == len && memcmp(c->dirs[i], path, len) == 0)
            return true;
    return false;
}

/* Whether an entry carried over from the old file still describes its file. */
static bool still_current(const tenon__cache_raw *raw)
{
    struct stat st;
    return lstat(raw->path, &st) == 0 && raw->dev == (uint64_t)st.st_dev &&
           raw->ino == (uint64_t)st.st_ino && raw->size_bytes == (int64_t)st.st_size &&
           raw->mtime_ns == stat_ns(&st.st_mtim) && raw->ctime_ns == stat_ns(&st.st_ctim);
}

/* Writes the registry's cacheable records, plus the old file's entries for
 * files this registry did not scan that are still unchanged (so hosts with
 * different search paths can share one cache). Returns 1 when written, 0
 * when nothing had to be, or an error. force: write even if unchanged. */
static int save(tenon_registry *reg, tenon__cache *c, bool force)
{
    if (c->flags & TENON_CACHE_READ_ONLY)
        return 0;
    bool loaded_here = false;
    if (!c->image && !(c->flags & TENON_CACHE_REBUILD)) {
        /* Entries of other registries are carried over from the current
         * file; reading it again also picks up what they wrote since. */
        unsigned char *image;
        size_t size;
        c->file_ok = false;
        if (read_image(c->path, &image, &size) == 0) {
            if (index_image(c, image, size) == 0) {
                loaded_here = true;
                c->file_ok = true;
            } else {
                tenon__free(image);
                drop_image(c);
            }
        }
    }
    tenon__bytes body = {0};
    uint32_t n = 0;
    tenon__cache seen = {0}; /* paths of the registry's files, as an index */
    int rc = 0;

    tenon__lock(reg);
    seen.cap = 16;
    while (seen.cap < (reg->n_plugins + c->n_listings) * 2)
        seen.cap *= 2;
    seen.slots = tenon__calloc(seen.cap, sizeof(index_slot));
    if (!seen.slots)
        rc = tenon__nomem(TENON_STAGE_CACHE, NULL);
    for (size_t i = 0; rc == 0 && i < reg->n_plugins; i++) {
        tenon_plugin *p = reg->plugins[i];
        if (!p->path)
            continue;
        if (cacheable(p)) {
            tenon_cache_entry e = {
                .path = p->path,
                .dev = (uint64_t)p->dev,
                .ino = (uint64_t)p->ino,
                .size = (int64_t)p->size,
                .mtime_ns = p->mtime_ns,
                .ctime_ns = p->ctime_ns,
                .read_ns = p->read_ns,
                .desc = p->desc,
                .error = p->desc ? NULL : p->error,
                .check = (tenon_check_state)p->check,
                .checked_ns = p->checked_ns,
                .check_key = p->check_key,
                .check_error = p->check_error,
            };
            tenon__cache_encode(&body, &e);
            n++;
        }
        /* Remember every path the registry has, cached or not: an old
         * entry for it is stale either way. */
        size_t len = strlen(p->path);
        uint64_t hash = path_hash(p->path, len);
        size_t mask = seen.cap - 1, k = hash & mask;
        while (seen.slots[k].hash)
            k = (k + 1) & mask;
        seen.slots[k] = (index_slot){hash, (uint32_t)i, (uint32_t)len};
    }
    size_t n_registry = n;
    tenon__unlock(reg);

    /* Folder listings taken by this registry. */
    for (size_t i = 0; rc == 0 && i < c->n_listings; i++) {
        const listing *l = &c->listings[i];
        const char **names = tenon__malloc((l->n ? l->n : 1) * sizeof(char *));
        if (!names) {
            rc = tenon__nomem(TENON_STAGE_CACHE, NULL);
            break;
        }
        for (size_t k = 0, off = 0; k < l->n; k++) {
            names[k] = l->names + off;
            off += strlen(l->names + off) + 1;
        }
        /* The same racy rule as for files: a folder changed within a tick
         * of its reading may change again unseen. */
        int64_t m = stat_ns(&l->st.st_mtim), ct = stat_ns(&l->st.st_ctim);
        bool coarse = m % 1000000000 == 0 && ct % 1000000000 == 0;
        if ((m > ct ? m : ct) <= l->read_ns - (coarse ? 2000000000ll : 100000000ll)) {
            tenon_cache_entry e = {
                .path = l->dir,
                .dev = (uint64_t)l->st.st_dev,
                .ino = (uint64_t)l->st.st_ino,
                .size = (int64_t)l->st.st_size,
                .mtime_ns = m,
                .ctime_ns = ct,
                .read_ns = l->read_ns,
                .folder = true,
                .names = names,
                .n_names = l->n,
            };
            tenon__cache_encode(&body, &e);
            n++;
        }
        tenon__free(names);
        size_t len = strlen(l->dir);
        uint64_t hash = path_hash(l->dir, len);
        size_t mask = seen.cap - 1, k = hash & mask;
        while (seen.slots[k].hash)
            k = (k + 1) & mask;
        /* Marked as no registry plugin: compared by path below. */
        seen.slots[k] = (index_slot){hash, UINT32_MAX - (uint32_t)i, (uint32_t)len};
    }

    size_t kept_old = 0;
    if (rc == 0 && c->image) {
        size_t off = 0;
        tenon__cache_raw raw;
        while (tenon__cache_next(c->body, c->body_size, &off, &raw) == 1) {
            uint64_t hash = path_hash(raw.path, raw.path_len);
            bool known = false;
            tenon__lock(reg);
            for (size_t k = hash & (seen.cap - 1); seen.slots[k].hash && !known;
                 k = (k + 1) & (seen.cap - 1)) {
                uint32_t who = seen.slots[k].offset;
                const char *have = who > UINT32_MAX - c->n_listings
                                       ? c->listings[UINT32_MAX - who].dir
                                       : reg->plugins[who]->path;
                known = seen.slots[k].hash == hash && seen.slots[k].len == raw.path_len &&
                        strcmp(have, raw.path) == 0;
            }
            tenon__unlock(reg);
            if (known) {
                kept_old++; /* replaced by the registry's record, or rightly dropped */
                continue;
            }
            /* A file of a folder this registry scanned and did not find is
             * gone; a folder's listing is kept while the folder is as it
             * was (search folders may nest). */
            if ((!(raw.flags & TENON__CACHE_E_FOLDER) && under_scanned_dir(c, raw.path)) ||
                !still_current(&raw))
                continue;
            tenon__bytes_add(&body, raw.start, raw.size);
            n++;
            kept_old++;
        }
    }
    tenon__free(seen.slots);
    if (rc == 0 && body.failed)
        rc = tenon__nomem(TENON_STAGE_CACHE, NULL);
    /* Same entries as the file already has (nothing read, nothing dropped):
     * leave it alone. */
    bool same = c->file_ok && !c->changed && n == c->n_entries && kept_old == c->n_entries &&
                n_registry <= n;
    if (loaded_here)
        drop_image(c);
    if (rc < 0) {
        tenon__bytes_free(&body);
        return rc;
    }
    if (same && !force) {
        tenon__bytes_free(&body);
        return 0;
    }
    if (n == 0 && !c->file_ok && !force) {
        /* Nothing worth a file, and none to replace. */
        tenon__bytes_free(&body);
        c->changed = false;
        return 0;
    }
    unsigned char header[TENON__CACHE_HEADER_SIZE];
    tenon__cache_header(header, body.data, body.len, n, tenon__now_ns());
    rc = write_atomic(c->path, header, body.data, body.len);
    tenon__bytes_free(&body);
    if (rc < 0) {
        char message[TENON_ERROR_TEXT_MAX];
        tenon_error err = *tenon__error_tls();
        tenon__strlcpy(message, err.message, sizeof(message));
        cache_warn(reg, c, "cannot write the registry cache %s: %s", c->path, message);
        tenon__error_restore(&err);
        return rc;
    }
    c->changed = false;
    c->file_ok = true;
    free_listings(c); /* written, and current: carried over from now on */
    /* The file now holds exactly these entries. */
    c->n_entries = n;
    c->hits = n;
    c->stats.cache_saves++;
    c->stats.entries_written = n;
    tenon__log(reg, TENON_LOG_DEBUG, NULL, "registry cache %s: wrote %u entries", c->path, n);
    return 1;
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
    if (!buf || !size)
        return TENON_EINVAL;
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
    drop_image(c);
    free_listings(c);
    for (size_t i = 0; i < c->n_dirs; i++)
        tenon__free(c->dirs[i]);
    tenon__free(c->dirs);
    tenon__free(c->path);
    tenon__free(c);
}

int tenon_registry_set_cache(tenon_registry *reg, const char *path, unsigned flags)
{
    if (!reg || (flags & ~(unsigned)(TENON_CACHE_READ_ONLY | TENON_CACHE_REBUILD)))
        return TENON_EINVAL;
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
    if (!reg)
        return NULL;
    pthread_mutex_lock(&reg->load_lock);
    const char *path = reg->cache ? reg->cache->path : NULL;
    pthread_mutex_unlock(&reg->load_lock);
    return path;
}

int tenon_registry_save_cache(tenon_registry *reg)
{
    if (!reg)
        return TENON_EINVAL;
    pthread_mutex_lock(&reg->load_lock);
    int rc;
    if (!reg->cache)
        rc = tenon__fail(TENON_ESTATE, TENON_STAGE_CACHE, NULL, NULL,
                         "call tenon_registry_set_cache first", "the registry keeps no cache");
    else
        rc = save(reg, reg->cache, false);
    pthread_mutex_unlock(&reg->load_lock);
    return rc;
}

int tenon_registry_cache_stats(tenon_registry *reg, tenon_cache_stats *out)
{
    if (!reg || !out || out->struct_size < offsetof(tenon_cache_stats, files_read))
        return TENON_EINVAL;
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
        save(reg, c, false);
    pthread_mutex_unlock(&reg->load_lock);
    cache_free(c);
}

int tenon_cache_remove(const char *path)
{
    if (!path)
        return TENON_EINVAL;
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
    return io_fail(path, "remove the cache file", errno);
}
