/* Discovery: reading descriptors from plugin files, never running them.
 * Every file gets a record, including the ones that fail (with the reason),
 * so listings show what is wrong instead of silently skipping it. This file
 * walks the search path's folders (listing, sorting, the folder checks,
 * the folders kept open for loads); scan_record.c makes each file's
 * record. */
#include "scan_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* A folder a scan checked and found plugins in, kept open. */
typedef struct tenon__pinned_dir {
    char *path;
    int fd;
} tenon__pinned_dir;

/* Keeps the open folder dfd (checked by the caller); returns its slot
 * (index + 1), or 0 when it cannot be kept (loading then goes by path). */
static uint32_t pin_dir(tenon_registry *reg, const char *dir, int dfd)
{
    for (size_t i = 0; i < reg->n_pinned; i++)
        if (strcmp(reg->pinned[i].path, dir) == 0) {
            /* Scanned again under another name: keep the newer open. */
            int fd = fcntl(dfd, F_DUPFD_CLOEXEC, 0);
            if (fd < 0)
                return 0;
            close(reg->pinned[i].fd);
            reg->pinned[i].fd = fd;
            return (uint32_t)i + 1;
        }
    if (reg->n_pinned >= UINT32_MAX - 1)
        return 0;
    char *copy = tenon__strdup(dir);
    int fd = copy ? fcntl(dfd, F_DUPFD_CLOEXEC, 0) : -1;
    if (fd < 0 || tenon__grow((void **)&reg->pinned, &reg->cap_pinned, reg->n_pinned + 1,
                              sizeof(tenon__pinned_dir)) < 0) {
        if (fd >= 0)
            close(fd);
        tenon__free(copy);
        return 0;
    }
    reg->pinned[reg->n_pinned++] = (tenon__pinned_dir){copy, fd};
    return (uint32_t)reg->n_pinned;
}

void tenon__retire(tenon_registry *reg, void *block)
{
    if (!block)
        return;
    if (tenon__grow((void **)&reg->retired, &reg->cap_retired, reg->n_retired + 1,
                    sizeof(tenon_error *)) == 0)
        reg->retired[reg->n_retired++] = block;
    /* Out of memory: the block leaks rather than dangles. */
}

int tenon__retire_reserve(tenon_registry *reg, size_t n)
{
    if (tenon__grow((void **)&reg->retired, &reg->cap_retired, reg->n_retired + n,
                    sizeof(tenon_error *)) < 0)
        return tenon__nomem(TENON_STAGE_LOAD, NULL);
    return 0;
}

void tenon__scan_free(tenon_registry *reg)
{
    for (size_t i = 0; i < reg->n_pinned; i++) {
        close(reg->pinned[i].fd);
        tenon__free(reg->pinned[i].path);
    }
    tenon__free(reg->pinned);
    reg->pinned = NULL;
    reg->n_pinned = reg->cap_pinned = 0;
}

int tenon__open_scanned_plugin(tenon_plugin *p, int *fd, struct stat *st)
{
    tenon_registry *reg = p->reg;
    bool policy = !(reg->flags & TENON_REGISTRY_ALLOW_UNSAFE_FILES);
    int rc;
    /* The fd is only read and named to the dynamic loader, which opens
     * the file itself: O_NONBLOCK may stay (two fcntl calls fewer). */
    if (!p->dir_slot || p->dir_slot > reg->n_pinned) {
        rc = tenon__open_plugin_file_at(AT_FDCWD, p->path, p->path, true, fd, st);
        if (rc == 0 && policy &&
            ((rc = tenon__file_policy(st, p->path)) < 0 ||
             (rc = tenon__dirs_policy(p->path)) < 0)) {
            close(*fd);
            *fd = -1;
        }
        return rc;
    }
    /* Opened relative to the folder the scan checked: renaming or
     * replacing any folder above it cannot change what this opens, so the
     * walk up to "/" is not needed again; the folder itself and the file
     * are checked as they are now. */
    const tenon__pinned_dir *d = &reg->pinned[p->dir_slot - 1];
    rc = tenon__open_plugin_file_at(d->fd, base_name(p->path), p->path, true, fd, st);
    if (rc < 0 || !policy)
        return rc;
    struct stat dst;
    if ((rc = tenon__file_policy(st, p->path)) == 0) {
        if (fstat(d->fd, &dst) != 0)
            rc = tenon__fail(TENON_EIO, TENON_STAGE_VERIFY, NULL, p->path, NULL,
                             "cannot check folder %s: %s", d->path, strerror(errno));
        else
            rc = tenon__dir_policy(&dst, d->path, p->path);
    }
    if (rc < 0) {
        close(*fd);
        *fd = -1;
    }
    return rc;
}

static bool is_plugin_file_name(const char *name)
{
    size_t len = strlen(name);
    return len > 3 && name[0] != '.' && strcmp(name + len - 3, ".so") == 0;
}

static void swap_names(char **x, ptrdiff_t i, ptrdiff_t j)
{
    char *t = x[i];
    x[i] = x[j];
    x[j] = t;
}

static void swap_runs(char **x, ptrdiff_t i, ptrdiff_t j, ptrdiff_t n)
{
    while (n-- > 0)
        swap_names(x, i++, j++);
}

/* Sorts n names whose first depth bytes are equal: multikey quicksort
 * (Bentley and Sedgewick, 1997). Plugin names share long prefixes
 * ("libfoo-plugin-..."), which a comparison sort compares again on every
 * comparison; this looks at each byte about once. qsort was a quarter of a
 * warm scan's instructions. */
static void sort_names(char **x, ptrdiff_t n, size_t depth)
{
    while (n > 1) {
        if (n < 8) {
            for (ptrdiff_t i = 1; i < n; i++)
                for (ptrdiff_t j = i; j > 0 && strcmp(x[j - 1] + depth, x[j] + depth) > 0; j--)
                    swap_names(x, j - 1, j);
            return;
        }
        /* Pivot: the median of three bytes, so sorted input is no worst case. */
        ptrdiff_t m = n / 2, l = 0, h = n - 1;
        int cl = (unsigned char)x[l][depth], cm = (unsigned char)x[m][depth],
            ch = (unsigned char)x[h][depth];
        ptrdiff_t med = (cl < cm) ? (cm < ch ? m : (cl < ch ? h : l))
                                  : (cl < ch ? l : (cm < ch ? h : m));
        swap_names(x, 0, med);
        int v = (unsigned char)x[0][depth];
        ptrdiff_t a = 1, b = 1, c = n - 1, d = n - 1;
        for (;;) {
            int r;
            while (b <= c && (r = (unsigned char)x[b][depth] - v) <= 0) {
                if (r == 0)
                    swap_names(x, a++, b);
                b++;
            }
            while (b <= c && (r = (unsigned char)x[c][depth] - v) >= 0) {
                if (r == 0)
                    swap_names(x, c, d--);
                c--;
            }
            if (b > c)
                break;
            swap_names(x, b++, c--);
        }
        ptrdiff_t r = a < b - a ? a : b - a;
        swap_runs(x, 0, b - r, r);
        r = d - c < n - d - 1 ? d - c : n - d - 1;
        swap_runs(x, b, n - r, r);
        ptrdiff_t less = b - a, equal = a + n - d - 1, more = d - c;
        sort_names(x, less, depth);
        if (v != 0)
            sort_names(x + less, equal, depth + 1);
        /* The last part by looping, so recursion stays shallow. */
        x += n - more;
        n = more;
    }
}

/* Appends p to the registry; frees it on failure. */
static int append_record(tenon_registry *reg, tenon_plugin *p)
{
    tenon__lock(reg);
    int rc = tenon__registry_append(reg, p);
    tenon__unlock(reg);
    if (rc < 0) {
        tenon__scan_free_record(p);
        return tenon__nomem(TENON_STAGE_SCAN, NULL);
    }
    return 0;
}

/* Collects the plugin file names of the open folder d, each stored after
 * its d_type byte, in one buffer; *names points at the names, sorted. */
static int collect_names(DIR *d, char **buf_out, char ***names_out, size_t *n_out)
{
    char *buf = NULL;
    size_t len = 0, cap = 0, n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!is_plugin_file_name(de->d_name))
            continue;
        size_t need = strlen(de->d_name) + 2;
        if (tenon__grow((void **)&buf, &cap, len + need, 1) < 0) {
            tenon__free(buf);
            return tenon__nomem(TENON_STAGE_SCAN, NULL);
        }
        buf[len] = (char)de->d_type;
        memcpy(buf + len + 1, de->d_name, need - 1);
        len += need;
        n++;
    }
    char **names = tenon__malloc((n ? n : 1) * sizeof(char *));
    if (!names) {
        tenon__free(buf);
        return tenon__nomem(TENON_STAGE_SCAN, NULL);
    }
    for (size_t i = 0, off = 0; i < n; i++) {
        names[i] = buf + off + 1;
        off += strlen(buf + off + 1) + 2;
    }
    sort_names(names, (ptrdiff_t)n, 0);
    *buf_out = buf;
    *names_out = names;
    *n_out = n;
    return 0;
}

/* Appends p, or when known (the records a rescan may meet again, by path)
 * has a record of key, refreshes that record with p. */
static int add_or_refresh(tenon_registry *reg, const tenon__map *known, const char *key,
                          tenon_plugin *p)
{
    tenon_plugin *old = known ? tenon__map_get(known, key) : NULL;
    return old ? tenon__scan_refresh_record(reg, old, p) : append_record(reg, p);
}

/* Whether known has a record of key whose file is still the one at st. */
static bool unchanged(const tenon__map *known, const char *key, const struct stat *st)
{
    tenon_plugin *old = known ? tenon__map_get(known, key) : NULL;
    return old && st && tenon__scan_same_identity(old, st);
}

/* Scans one folder (lock not held while reading files). known: the file
 * records made before this scan, by path, or NULL if there are none: a
 * file met again is read again only if its identity changed. */
static int scan_dir(tenon_registry *reg, const char *dir, unsigned origin,
                    const tenon__map *known)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (!d) {
        int e = errno;
        if (dfd >= 0)
            close(dfd);
        tenon__log(reg, TENON_LOG_DEBUG, NULL, "plugin folder %s: %s", dir, strerror(e));
        return 0;
    }
    tenon__cache_scan_begin(reg);
    char *buf = NULL;
    char **names = NULL;
    size_t n = 0;
    int rc = tenon__cache_scan_dir(reg, dir);
    /* A folder whose identity is unchanged has the entries it had: its
     * listing comes from the cache, and only its files are stat'ed. The
     * stat comes first, so a change while reading shows next time. */
    struct stat dst;
    bool have_dst = rc == 0 && reg->cache && fstat(dfd, &dst) == 0;
    bool listed = false;
    if (have_dst && tenon__cache_usable(reg)) {
        int lrc = tenon__cache_listing(reg, dir, &dst, (const char ***)&names, &n);
        if (lrc < 0)
            rc = lrc;
        listed = lrc == 1;
    }
    if (rc == 0 && !listed) {
        rc = collect_names(d, &buf, &names, &n);
        if (rc == 0 && have_dst)
            rc = tenon__cache_note_listing(reg, dir, &dst, names, n);
    }

    /* The folder chain is checked once for all files in it. */
    tenon_error *dir_error = NULL;
    if (rc == 0 && n > 0 && !(reg->flags & TENON_REGISTRY_ALLOW_UNSAFE_FILES)) {
        char probe[PATH_MAX];
        snprintf(probe, sizeof(probe), "%s/%s", strcmp(dir, "/") ? dir : "", names[0]);
        if (tenon__dirs_policy(probe) < 0) {
            tenon__error_tls()->path[0] = '\0';
            dir_error = tenon__error_dup_last();
            if (!dir_error)
                rc = tenon__nomem(TENON_STAGE_SCAN, NULL);
        }
    }

    /* Loads of these files open them relative to this very folder. */
    uint32_t slot = rc == 0 && n > 0 && !dir_error ? pin_dir(reg, dir, dfd) : 0;
    uid_t euid = geteuid();
    tenon__elf_buf read_buf = {NULL, 0}; /* one read buffer for every file */
    char path[PATH_MAX];
    size_t dir_len = strcmp(dir, "/") ? strlen(dir) : 0;
    if (dir_len + 1 >= sizeof(path))
        n = 0;
    memcpy(path, dir, dir_len);
    path[dir_len] = '/';
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char *name = names[i];
        unsigned char type = listed ? DT_UNKNOWN : (unsigned char)name[-1];
        size_t name_len = strlen(name);
        if (dir_len + 1 + name_len >= sizeof(path))
            continue;
        memcpy(path + dir_len + 1, name, name_len + 1);
        /* The cache needs each file's identity; without it, readdir's type
         * tells symlinks apart and the open that reads the file stats it. */
        struct stat st;
        bool have_st = false;
        if (type == DT_UNKNOWN ||
            (type != DT_LNK && !dir_error &&
             (tenon__cache_usable(reg) || (known && tenon__map_get(known, path))))) {
            have_st = fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
            if (have_st)
                type = S_ISLNK(st.st_mode) ? DT_LNK : DT_REG;
        }
        tenon_plugin *p;
        /* A symlink is followed to its canonical target, whose own folders
         * are then checked. */
        if (type == DT_LNK) {
            char *canonical = NULL;
            int crc = tenon__path_canonical(path, TENON_STAGE_SCAN, &canonical);
            if (crc == TENON_ENOMEM) {
                rc = crc;
                break;
            }
            if (crc < 0) {
                tenon_error err = *tenon__error_tls();
                tenon__strlcpy(err.path, path, sizeof(err.path));
                rc = tenon__scan_make_record(reg, path, origin, false, &err, AT_FDCWD, path,
                                             NULL, euid, &read_buf, &p);
                if (rc == 0)
                    rc = add_or_refresh(reg, known, path, p);
                continue;
            }
            if (dir_error) {
                tenon_error err = *dir_error;
                tenon__strlcpy(err.path, path, sizeof(err.path));
                rc = tenon__scan_make_record(reg, path, origin, false, &err, AT_FDCWD, path,
                                             NULL, euid, &read_buf, &p);
                if (rc == 0)
                    rc = add_or_refresh(reg, known, path, p);
            } else {
                struct stat target;
                bool have_target = (tenon__cache_usable(reg) ||
                                    (known && tenon__map_get(known, canonical))) &&
                                   fstatat(AT_FDCWD, canonical, &target, AT_SYMLINK_NOFOLLOW) ==
                                       0;
                if (unchanged(known, canonical, have_target ? &target : NULL)) {
                    tenon__free(canonical);
                    continue;
                }
                rc = tenon__scan_make_record(reg, canonical, origin, true, NULL, AT_FDCWD,
                                             canonical, have_target ? &target : NULL, euid,
                                             &read_buf, &p);
                if (rc == 0)
                    rc = add_or_refresh(reg, known, canonical, p);
            }
            tenon__free(canonical);
        } else if (dir_error) {
            tenon_error err = *dir_error;
            tenon__strlcpy(err.path, path, sizeof(err.path));
            rc = tenon__scan_make_record(reg, path, origin, false, &err, dfd, name, NULL, euid,
                                         &read_buf, &p);
            if (rc == 0)
                rc = add_or_refresh(reg, known, path, p);
        } else {
            if (unchanged(known, path, have_st ? &st : NULL))
                continue;
            rc = tenon__scan_make_record(reg, path, origin, false, NULL, dfd, name,
                                         have_st ? &st : NULL, euid, &read_buf, &p);
            if (rc == 0) {
                p->dir_slot = slot;
                rc = add_or_refresh(reg, known, path, p);
            }
        }
    }
    closedir(d);
    tenon__free(read_buf.data);
    tenon__free(dir_error);
    tenon__free(names);
    tenon__free(buf);
    return rc;
}

bool tenon__checks_reconcile(tenon_registry *reg)
{
    bool changed = false;
    for (size_t i = 0; i < reg->n_plugins; i++) {
        tenon_plugin *p = reg->plugins[i];
        if (!p->check_broken || p->state != TENON__UNLOADED ||
            p->status != TENON_STATUS_BROKEN || p->check_key == tenon__check_key(p))
            continue;
        /* The failed check ran with other options (tenon.json changed):
         * the plugin is checked again, not refused for it. */
        tenon__retire(reg, p->error);
        p->error = NULL;
        p->status = TENON_STATUS_FOUND;
        p->check_broken = false;
        changed = true;
    }
    return changed;
}

int tenon_registry_scan(tenon_registry *reg)
{
    TENON__CHECK_ARG(reg, TENON_STAGE_SCAN, "reg is NULL", TENON_EINVAL);
    /* One scan at a time; lookups go on meanwhile. */
    pthread_mutex_lock(&reg->load_lock);
    tenon__lock(reg);
    reg->scan_called = true;
    tenon__unlock(reg);
    int rc = 0;
    /* Folders scanned before are scanned again, so that a file added or
     * replaced since is read; files known before are met again through
     * known, and read again only if their identity changed. */
    tenon__map known;
    tenon__map_init(&known);
    bool have_known = false;
    tenon__lock(reg);
    for (size_t i = 0; rc == 0 && i < reg->n_plugins; i++) {
        tenon_plugin *p = reg->plugins[i];
        if (p->path && !tenon__map_get(&known, p->path)) {
            if (tenon__map_put(&known, p->path, p) < 0)
                rc = tenon__nomem(TENON_STAGE_SCAN, NULL);
            have_known = true;
        }
    }
    for (size_t i = 0; i < reg->n_dirs; i++) {
        reg->dirs[i].rescan = reg->dirs[i].scanned;
    }
    tenon__unlock(reg);
    for (;;) {
        char *dir = NULL;
        unsigned origin = 0;
        tenon__lock(reg);
        for (size_t i = 0; rc == 0 && i < reg->n_dirs; i++) {
            if (!reg->dirs[i].scanned || reg->dirs[i].rescan) {
                reg->dirs[i].scanned = true;
                reg->dirs[i].rescan = false;
                dir = tenon__strdup(reg->dirs[i].path);
                origin = reg->dirs[i].origin;
                if (!dir)
                    rc = tenon__nomem(TENON_STAGE_SCAN, NULL);
                break;
            }
        }
        tenon__unlock(reg);
        if (!dir || rc < 0)
            break;
        /* Folders from TENON_PLUGIN_PATH and the default one are kept as
         * written (they may not exist yet): scan their canonical form, so
         * plugin paths are canonical and the folder checks walk the real
         * parents, not those of a symlink. */
        char *canonical;
        int crc = tenon__path_canonical(dir, TENON_STAGE_SCAN, &canonical);
        if (crc < 0) {
            tenon__log(reg, TENON_LOG_DEBUG, NULL, "plugin folder %s: %s", dir,
                       tenon_last_error()->message);
            tenon__free(dir);
            if (crc == TENON_ENOMEM) {
                rc = crc;
                break;
            }
            continue;
        }
        tenon__free(dir);
        dir = canonical;
        rc = scan_dir(reg, dir, origin, have_known ? &known : NULL);
        tenon__free(dir);
        if (rc < 0)
            break;
    }
    tenon__map_free(&known);
    tenon__lock(reg);
    tenon__registry_select(reg);
    if (tenon__checks_reconcile(reg))
        tenon__registry_select(reg);
    size_t n = reg->n_plugins;
    tenon__unlock(reg);
    if (tenon__cache_loaded(reg)) {
        tenon_error err = *tenon__error_tls();
        tenon__cache_scan_end(reg);
        tenon__error_restore(&err);
    }
    pthread_mutex_unlock(&reg->load_lock);
    return rc < 0 ? rc : (int)(n > INT32_MAX ? INT32_MAX : n);
}
