/* One plugin file's record: its descriptor read under the owner and mode
 * policy (or taken from the cache when the file's identity matches), a
 * failure recorded with its reason, and a record brought up to date when
 * its file changed. scan.c walks the folders and calls these per file. */
#include "scan_internal.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Makes the name a broken file is listed under: its file name without
 * ".so", which is the convention for plugin files. */
static char *name_from_file(const char *path)
{
    const char *base = base_name(path);
    size_t len = strlen(base);
    if (len > 3 && strcmp(base + len - 3, ".so") == 0)
        len -= 3;
    return tenon__strndup(base, len);
}

int tenon__abi_check(const tenon_plugin_desc *desc, const char *path)
{
    if (desc->abi_major != TENON_ABI_MAJOR)
        return tenon__fail(TENON_EABIMAJOR, TENON_STAGE_VERIFY, desc->name, path,
                           "rebuild the plugin against the tenon headers of this library "
                           "(ABI " TENON__STR(TENON_ABI_MAJOR) ".x)",
                           "plugin %s was built for tenon ABI %u.%u; this host's libtenon "
                           "has ABI %u.%u and loads only ABI %u.x plugins",
                           desc->name, desc->abi_major, desc->abi_minor, TENON_ABI_MAJOR,
                           TENON_ABI_MINOR, TENON_ABI_MAJOR);
    if (desc->abi_minor > TENON_ABI_MINOR)
        return tenon__fail(TENON_EABIMINOR, TENON_STAGE_VERIFY, desc->name, path,
                           "upgrade libtenon, or rebuild the plugin against this library's "
                           "headers",
                           "plugin %s needs tenon ABI %u.%u (plugin), newer than this host's "
                           "libtenon ABI %u.%u (host)",
                           desc->name, desc->abi_major, desc->abi_minor, TENON_ABI_MAJOR,
                           TENON_ABI_MINOR);
    return 0;
}

static void discard_record(tenon_plugin *p)
{
    tenon_descriptor_free(p->desc);
    tenon__free(p->error);
    tenon__free(p->check_error);
    tenon__free(p->path);
    tenon__free(p->display_name);
    tenon__free(p);
}

/* Fills p from the file name in the folder open as dirfd (p->path names
 * it); errors leave the thread error set. st, when the caller has one, is
 * the file's stat: if it matches the file's cache entry, the entry is used
 * instead of reading the file, and the owner and permission checks run on
 * st, so they hold with a warm cache too. */
static int read_descriptor(tenon_registry *reg, tenon_plugin *p, int dirfd, const char *name,
                           const struct stat *st, bool check_dirs, uid_t euid,
                           tenon__elf_buf *buf)
{
    bool policy = !(reg->flags & TENON_REGISTRY_ALLOW_UNSAFE_FILES);
    int rc;
    if (st && tenon__cache_usable(reg)) {
        rc = tenon__cache_lookup(reg, p, st);
        if (rc < 0)
            return rc;
        if (rc == 1) {
            if (policy && ((rc = tenon__file_policy_as(st, p->path, euid)) < 0 ||
                           (check_dirs && (rc = tenon__dirs_policy(p->path)) < 0))) {
                tenon_descriptor_free(p->desc);
                tenon__free(p->check_error);
                p->desc = NULL;
                p->check_error = NULL;
                p->check = TENON_CHECK_NONE;
                p->keyed = false;
                return rc;
            }
            return p->desc ? tenon__abi_check(p->desc, p->path) : tenon_last_error()->code;
        }
    }
    int fd;
    struct stat fst;
    p->read_ns = tenon__now_ns();
    /* Scanning only preads and closes: O_NONBLOCK may stay. */
    rc = tenon__open_plugin_file_at(dirfd, name, p->path, true, &fd, &fst);
    if (rc < 0)
        return rc;
    p->dev = fst.st_dev;
    p->ino = fst.st_ino;
    p->size = fst.st_size;
    p->mtime_ns = (int64_t)fst.st_mtim.tv_sec * 1000000000 + fst.st_mtim.tv_nsec;
    p->ctime_ns = (int64_t)fst.st_ctim.tv_sec * 1000000000 + fst.st_ctim.tv_nsec;
    if (policy) {
        if ((rc = tenon__file_policy_as(&fst, p->path, euid)) < 0 ||
            (check_dirs && (rc = tenon__dirs_policy(p->path)) < 0)) {
            close(fd);
            return rc;
        }
    }
    /* From here on the outcome is a fact about the bytes of the file
     * whose identity was just taken. */
    p->keyed = true;
    reg->files_read++;
    tenon__cache_changed(reg);
    /* The note is checked where it was read: no copy of its 14 KiB. */
    const void *raw;
    size_t raw_size;
    rc = tenon__elf_read_note_in(fd, fst.st_size, p->path, buf, &raw, &raw_size);
    close(fd);
    if (rc < 0)
        return rc;
    rc = tenon__desc_from_raw(raw, raw_size, p->path, &p->desc);
    if (rc < 0)
        return rc;
    return tenon__abi_check(p->desc, p->path);
}

int tenon__scan_make_record(tenon_registry *reg, const char *canonical, unsigned origin,
                            bool check_dirs, const tenon_error *dir_error, int dirfd,
                            const char *name, const struct stat *st, uid_t euid,
                            tenon__elf_buf *buf, tenon_plugin **out)
{
    *out = NULL;
    tenon_plugin *p = tenon__calloc(1, sizeof(*p));
    if (!p)
        return tenon__nomem(TENON_STAGE_SCAN, NULL);
    p->reg = reg;
    p->origin = origin;
    p->path = tenon__strdup(canonical);
    if (!p->path) {
        tenon__free(p);
        return tenon__nomem(TENON_STAGE_SCAN, NULL);
    }
    int rc = dir_error ? tenon__error_restore(dir_error)
                       : read_descriptor(reg, p, dirfd, name, st, check_dirs, euid, buf);
    if (rc == TENON_ENOMEM) {
        discard_record(p);
        return rc;
    }
    if (rc < 0) {
        tenon_error *e = tenon__error_tls();
        if (e->stage == TENON_STAGE_NONE)
            e->stage = TENON_STAGE_SCAN;
        if (!e->path[0])
            tenon__strlcpy(e->path, canonical, sizeof(e->path));
        bool incompatible = rc == TENON_EABIMAJOR || rc == TENON_EABIMINOR;
        if (!incompatible) {
            tenon_descriptor_free(p->desc);
            p->desc = NULL;
        }
        p->error = tenon__error_dup_last();
        p->status = incompatible ? TENON_STATUS_INCOMPATIBLE : TENON_STATUS_BROKEN;
        if (!p->error) {
            discard_record(p);
            return tenon__nomem(TENON_STAGE_SCAN, NULL);
        }
    } else if (p->check == TENON_CHECK_FAILED && p->check_error) {
        /* A child-process check of these very bytes failed in an earlier
         * run: the plugin stays broken, with that reason, until its file
         * changes or a new check passes. */
        p->error = tenon__malloc(sizeof(*p->error));
        if (!p->error) {
            discard_record(p);
            return tenon__nomem(TENON_STAGE_SCAN, NULL);
        }
        *p->error = *p->check_error;
        p->status = TENON_STATUS_BROKEN;
        p->check_broken = true;
    }
    p->display_name = p->desc ? tenon__strdup(p->desc->name) : name_from_file(canonical);
    if (!p->display_name) {
        discard_record(p);
        return tenon__nomem(TENON_STAGE_SCAN, NULL);
    }
    *out = p;
    return 0;
}

void tenon__scan_free_record(tenon_plugin *p)
{
    discard_record(p);
}

int tenon__scan_file(tenon_registry *reg, const char *canonical, unsigned origin,
                     tenon_plugin **out)
{
    tenon__elf_buf buf = {NULL, 0};
    int rc = tenon__scan_make_record(reg, canonical, origin, true, NULL, AT_FDCWD, canonical,
                                     NULL, geteuid(), &buf, out);
    tenon__free(buf.data);
    return rc;
}

bool tenon__scan_same_identity(const tenon_plugin *p, const struct stat *st)
{
    return p->keyed && p->dev == st->st_dev && p->ino == st->st_ino && p->size == st->st_size &&
           p->mtime_ns == (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec &&
           p->ctime_ns == (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
}

static bool same_error(const tenon_error *a, const tenon_error *b)
{
    return a && b && a->code == b->code && strcmp(a->message, b->message) == 0;
}

int tenon__scan_refresh_record(tenon_registry *reg, tenon_plugin *old, tenon_plugin *n)
{
    if (!old->desc && !n->desc && same_error(old->error, n->error) && !old->keyed &&
        !n->keyed) {
        tenon__scan_free_record(n); /* the same failure as before */
        return 0;
    }
    tenon__lock(reg);
    /* A file a rescan found removed is back (rescan.c). */
    bool was_removed = old->removed;
    old->removed = false;
    if (old->state != TENON__UNLOADED || old->n_instances) {
        bool noted = old->newer_file && !was_removed;
        old->newer_file = true;
        if (!noted) {
            tenon_error why = *tenon__error_tls();
            if (n->desc)
                tenon__fail(TENON_EMISMATCH, TENON_STAGE_SCAN, old->display_name, old->path,
                            "unload the plugin and load it again to use the new file",
                            "the file was replaced since plugin %s %s was loaded from it (it "
                            "now holds %s %s): the loaded plugin stays in use until it is "
                            "loaded again",
                            old->display_name, old->desc ? old->desc->version : "?",
                            n->desc->name, n->desc->version);
            else
                tenon__fail(TENON_EMISMATCH, TENON_STAGE_SCAN, old->display_name, old->path,
                            "fix or restore the file before the plugin is loaded again",
                            "the file was replaced since plugin %s was loaded from it, and "
                            "the new file is unusable (%s): the loaded plugin stays in use",
                            old->display_name, n->error ? n->error->message : "unreadable");
            tenon_error *note = tenon__error_dup_last();
            tenon__error_restore(&why);
            if (note) {
                tenon__retire(reg, old->error);
                old->error = note;
            }
        }
        tenon__unlock(reg);
        tenon__scan_free_record(n);
        return 0;
    }
    tenon__retire(reg, old->desc);
    tenon__retire(reg, old->error);
    tenon__retire(reg, old->check_error);
    tenon__retire(reg, old->display_name);
    old->desc = n->desc;
    old->error = n->error;
    old->check_error = n->check_error;
    old->display_name = n->display_name;
    old->status = n->status;
    old->dev = n->dev;
    old->ino = n->ino;
    old->size = n->size;
    old->mtime_ns = n->mtime_ns;
    old->ctime_ns = n->ctime_ns;
    old->keyed = n->keyed;
    old->check = n->check;
    old->check_broken = n->check_broken;
    old->checked_ns = n->checked_ns;
    old->read_ns = n->read_ns;
    old->dir_slot = n->dir_slot;
    old->desc_from_cache = n->desc_from_cache;
    old->newer_file = false;
    tenon__unlock(reg);
    tenon__free(n->path);
    tenon__free(n);
    tenon__log(reg, TENON_LOG_DEBUG, old->display_name,
               "%s changed since it was scanned: read again", old->path);
    return 0;
}

int tenon__scan_refresh(tenon_registry *reg, tenon_plugin *p)
{
    tenon_plugin *n;
    tenon__elf_buf buf = {NULL, 0};
    int rc = tenon__scan_make_record(reg, p->path, p->origin, true, NULL, AT_FDCWD, p->path,
                                     NULL, geteuid(), &buf, &n);
    tenon__free(buf.data);
    if (rc < 0)
        return rc;
    return tenon__scan_refresh_record(reg, p, n);
}

int tenon_registry_add_file(tenon_registry *reg, const char *path, tenon_plugin **out)
{
    if (out)
        *out = NULL;
    TENON__CHECK_ARG(reg, TENON_STAGE_SCAN, "reg is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(path, TENON_STAGE_SCAN, "path is NULL", TENON_EINVAL);
    char *canonical;
    int rc = tenon__path_canonical(path, TENON_STAGE_SCAN, &canonical);
    if (rc < 0)
        return rc;
    pthread_mutex_lock(&reg->load_lock);
    tenon__lock(reg);
    for (size_t i = 0; i < reg->n_plugins; i++) {
        tenon_plugin *known = reg->plugins[i];
        /* The same file, whether scanned or added before: one record. */
        if (known->path && strcmp(known->path, canonical) == 0) {
            tenon__unlock(reg);
            pthread_mutex_unlock(&reg->load_lock);
            tenon__free(canonical);
            if (out)
                *out = known;
            return known->error && !tenon__plugin_usable(known)
                       ? tenon__error_restore(known->error)
                       : 0;
        }
    }
    tenon__unlock(reg);

    tenon_plugin *p;
    tenon__elf_buf buf = {NULL, 0};
    rc = tenon__scan_make_record(reg, canonical, TENON__ORIGIN_FILE, true, NULL, AT_FDCWD,
                                 canonical, NULL, geteuid(), &buf, &p);
    tenon__free(buf.data);
    tenon__free(canonical);
    if (rc == 0) {
        tenon__lock(reg);
        rc = tenon__registry_append(reg, p);
        if (rc == 0)
            tenon__registry_select(reg);
        tenon__unlock(reg);
        if (rc < 0) {
            tenon__scan_free_record(p);
            rc = tenon__nomem(TENON_STAGE_SCAN, NULL);
        }
    }
    pthread_mutex_unlock(&reg->load_lock);
    if (rc < 0)
        return rc;
    if (out)
        *out = p;
    if (p->error && !tenon__plugin_usable(p))
        return tenon__error_restore(p->error);
    return 0;
}
