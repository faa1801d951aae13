/* Writing the registry cache back: the registry's records, its folder
 * listings and the entries of other hosts still current, into a
 * temporary file renamed over the old one. */
#include "cache_internal.h"
#include "path_policy.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- The file -------------------------------------------------------------- */

int tenon__cache_io_fail(const char *path, const char *what, int e)
{
    return tenon__fail(TENON_EIO, TENON_STAGE_CACHE, NULL, path,
                       "check the cache folder, or choose another cache file", "cannot %s: %s",
                       what, strerror(e));
}

/* Creates the cache folder (and missing parents) owner-only, and checks
 * that nobody else can replace files in it. */
static int prepare_dir(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno != ENOENT)
            return tenon__cache_io_fail(dir, "check the cache folder", errno);
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
            return tenon__cache_io_fail(dir, "create the cache folder", errno);
        if (stat(dir, &st) != 0)
            return tenon__cache_io_fail(dir, "check the cache folder", errno);
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
static int write_atomic(const char *path, const unsigned char *header,
                        const unsigned char *body, size_t body_size)
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
        return tenon__cache_io_fail(dir, "create a file in the cache folder", errno);
    int e = write_all(fd, header, TENON__CACHE_HEADER_SIZE);
    if (!e)
        e = write_all(fd, body, body_size);
    if (!e && fsync(fd) != 0)
        e = errno;
    if (close(fd) != 0 && !e)
        e = errno;
    if (e) {
        unlink(tmp);
        return tenon__cache_io_fail(tmp, "write the cache", e);
    }
    /* An empty folder in the cache file's place is removed; a full one
     * makes the rename fail and is left alone. */
    struct stat st;
    if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
        rmdir(path);
    if (rename(tmp, path) != 0) {
        e = errno;
        unlink(tmp);
        return tenon__cache_io_fail(path, "replace the cache file", e);
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
    return lstat(raw->path, &st) == 0 && tenon__cache_same_file(raw, &st);
}

/* ---- Saving ---------------------------------------------------------------- */

/* A cache file being put together. */
typedef struct draft {
    tenon__bytes body;
    uint32_t n;        /* entries in body */
    size_t n_registry; /* of them, the registry's records */
    size_t kept_old;   /* old entries replaced, rightly dropped, or carried over */
    /* Every path the registry knows, as an index: offset is the plugin's
     * index in the registry, or UINT32_MAX - i for listing i. */
    tenon__cache_slot *seen;
    size_t cap; /* power of two */
} draft;

/* Entries of other registries are carried over from the current file;
 * reading it again also picks up what they wrote since. Returns whether
 * the file was read here (and is to be dropped after the save). */
static bool reread(tenon__cache *c)
{
    if (c->image || (c->flags & TENON_CACHE_REBUILD))
        return false;
    unsigned char *image;
    size_t size;
    c->file_ok = false;
    if (tenon__cache_read_image(c->path, &image, &size) != 0)
        return false;
    if (tenon__cache_index_image(c, image, size) != 0) {
        tenon__free(image);
        tenon__cache_drop_image(c);
        return false;
    }
    c->file_ok = true;
    return true;
}

static void remember(draft *d, const char *path, uint32_t who)
{
    size_t len = strlen(path);
    uint64_t hash = tenon__cache_path_hash(path, len);
    size_t mask = d->cap - 1, k = hash & mask;
    while (d->seen[k].hash)
        k = (k + 1) & mask;
    d->seen[k] = (tenon__cache_slot){hash, who, (uint32_t)len};
}

/* The registry's cacheable records. Every path the registry has is
 * remembered, cached or not: an old entry for it is stale either way.
 * Registry lock held. */
static int add_records(tenon_registry *reg, const tenon__cache *c, draft *d)
{
    d->cap = 16;
    while (d->cap < (reg->n_plugins + c->n_listings) * 2)
        d->cap *= 2;
    d->seen = tenon__calloc(d->cap, sizeof(tenon__cache_slot));
    if (!d->seen)
        return tenon__nomem(TENON_STAGE_CACHE, NULL);
    for (size_t i = 0; i < reg->n_plugins; i++) {
        tenon_plugin *p = reg->plugins[i];
        if (!p->path)
            continue;
        if (tenon__cache_cacheable(p)) {
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
            tenon__cache_encode(&d->body, &e);
            d->n++;
        }
        remember(d, p->path, (uint32_t)i);
    }
    d->n_registry = d->n;
    return 0;
}

/* Folder listings taken by this registry. */
static int add_listings(const tenon__cache *c, draft *d)
{
    for (size_t i = 0; i < c->n_listings; i++) {
        const tenon__cache_dirlist *l = &c->listings[i];
        const char **names = tenon__malloc((l->n ? l->n : 1) * sizeof(char *));
        if (!names)
            return tenon__nomem(TENON_STAGE_CACHE, NULL);
        for (size_t k = 0, off = 0; k < l->n; k++) {
            names[k] = l->names + off;
            off += strlen(l->names + off) + 1;
        }
        /* The same racy rule as for files: a folder changed within a tick
         * of its reading may change again unseen. */
        int64_t m = tenon__cache_stat_ns(&l->st.st_mtim);
        int64_t ct = tenon__cache_stat_ns(&l->st.st_ctim);
        if (!tenon__cache_racy(m, ct, l->read_ns)) {
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
            tenon__cache_encode(&d->body, &e);
            d->n++;
        }
        tenon__free(names);
        /* Marked as no registry plugin: compared by path. */
        remember(d, l->dir, UINT32_MAX - (uint32_t)i);
    }
    return 0;
}

/* Whether the registry knows raw's path (a plugin file or a listing). */
static bool known(tenon_registry *reg, const tenon__cache *c, const draft *d,
                  const tenon__cache_raw *raw)
{
    uint64_t hash = tenon__cache_path_hash(raw->path, raw->path_len);
    bool found = false;
    tenon__lock(reg);
    for (size_t k = hash & (d->cap - 1); d->seen[k].hash && !found;
         k = (k + 1) & (d->cap - 1)) {
        uint32_t who = d->seen[k].offset;
        const char *have = who > UINT32_MAX - c->n_listings ? c->listings[UINT32_MAX - who].dir
                                                            : reg->plugins[who]->path;
        found = d->seen[k].hash == hash && d->seen[k].len == raw->path_len &&
                strcmp(have, raw->path) == 0;
    }
    tenon__unlock(reg);
    return found;
}

/* The old file's entries for what this registry did not scan and that
 * are still unchanged (so hosts with different search paths can share one
 * cache). */
static void carry_over(tenon_registry *reg, const tenon__cache *c, draft *d)
{
    if (!c->image)
        return;
    size_t off = 0;
    tenon__cache_raw raw;
    while (tenon__cache_next(c->body, c->body_size, &off, &raw) == 1) {
        if (known(reg, c, d, &raw)) {
            d->kept_old++; /* replaced by the registry's record, or rightly dropped */
            continue;
        }
        /* A file of a folder this registry scanned and did not find is
         * gone; a folder's listing is kept while the folder is as it was
         * (search folders may nest). */
        if ((!(raw.flags & TENON__CACHE_E_FOLDER) && under_scanned_dir(c, raw.path)) ||
            !still_current(&raw))
            continue;
        tenon__bytes_add(&d->body, raw.start, raw.size);
        d->n++;
        d->kept_old++;
    }
}

/* Writes the file; on failure warns (once) and keeps the thread's error. */
static int write_file(tenon_registry *reg, tenon__cache *c, const draft *d)
{
    unsigned char header[TENON__CACHE_HEADER_SIZE];
    tenon__cache_header(header, d->body.data, d->body.len, d->n, tenon__now_ns());
    int rc = write_atomic(c->path, header, d->body.data, d->body.len);
    if (rc < 0) {
        char message[TENON_ERROR_TEXT_MAX];
        tenon_error err = *tenon__error_tls();
        tenon__strlcpy(message, err.message, sizeof(message));
        tenon__cache_warn(reg, c, "cannot write the registry cache %s: %s", c->path, message);
        tenon__error_restore(&err);
        return rc;
    }
    c->changed = false;
    c->file_ok = true;
    tenon__cache_free_listings(c); /* written, and current: carried over from now on */
    /* The file now holds exactly these entries. */
    c->n_entries = d->n;
    c->hits = d->n;
    c->stats.cache_saves++;
    c->stats.entries_written = d->n;
    tenon__log(reg, TENON_LOG_DEBUG, NULL, "registry cache %s: wrote %u entries", c->path,
               d->n);
    return 1;
}

/* Writes the registry's cacheable records, its folder listings and the old
 * file's entries still current. force: write even if unchanged. */
int tenon__cache_save(tenon_registry *reg, tenon__cache *c, bool force)
{
    if (c->flags & TENON_CACHE_READ_ONLY)
        return 0;
    bool loaded_here = reread(c);
    draft d = {0};
    tenon__lock(reg);
    int rc = add_records(reg, c, &d);
    tenon__unlock(reg);
    if (rc == 0)
        rc = add_listings(c, &d);
    if (rc == 0)
        carry_over(reg, c, &d);
    tenon__free(d.seen);
    if (rc == 0 && d.body.failed)
        rc = tenon__nomem(TENON_STAGE_CACHE, NULL);
    /* Same entries as the file already has (nothing read, nothing dropped):
     * leave it alone. */
    bool same = c->file_ok && !c->changed && d.n == c->n_entries &&
                d.kept_old == c->n_entries && d.n_registry <= d.n;
    if (loaded_here)
        tenon__cache_drop_image(c);
    if (rc == 0 && !force && !same && d.n == 0 && !c->file_ok)
        c->changed = false; /* nothing worth a file, and none to replace */
    else if (rc == 0 && (force || !same))
        rc = write_file(reg, c, &d);
    tenon__bytes_free(&d.body);
    return rc;
}
