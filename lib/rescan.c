/* Rescanning: which plugin files were added, removed or replaced since the
 * last look, as a list the caller walks when it suits it. The scan itself
 * (scan.c) reads what changed; this compares each file's identity before
 * and after and keeps, per record, the identity last reported, so every
 * change is reported once. */
#include "internal.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>

struct tenon_changes {
    tenon_change *items;
    size_t n, cap;
};

/* A file record's identity taken before the scan. */
typedef struct before {
    tenon_plugin *p;
    bool exists;
    bool gone; /* ENOENT (or ENOTDIR): removed, not merely unreadable */
    struct stat st;
    tenon_change_kind kind; /* what it reports (0: nothing) */
} before;

static int64_t ns_of(struct timespec t)
{
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void seen_from_stat(tenon_plugin *p, const struct stat *st)
{
    p->seen = true;
    p->seen_dev = st->st_dev;
    p->seen_ino = st->st_ino;
    p->seen_size = st->st_size;
    p->seen_mtime_ns = ns_of(st->st_mtim);
    p->seen_ctime_ns = ns_of(st->st_ctim);
}

/* The first rescan compares with what earlier scans read: the identity
 * the record was made from. */
static void seen_from_record(tenon_plugin *p)
{
    p->seen = true;
    p->seen_dev = p->dev;
    p->seen_ino = p->ino;
    p->seen_size = p->size;
    p->seen_mtime_ns = p->mtime_ns;
    p->seen_ctime_ns = p->ctime_ns;
}

static bool seen_differs(const tenon_plugin *p, const struct stat *st)
{
    return p->seen_dev != st->st_dev || p->seen_ino != st->st_ino ||
           p->seen_size != st->st_size || p->seen_mtime_ns != ns_of(st->st_mtim) ||
           p->seen_ctime_ns != ns_of(st->st_ctim);
}

static int add_change(tenon_changes *list, tenon_plugin *p, tenon_change_kind kind)
{
    if (!list)
        return 0;
    char *path = tenon__strdup(p->path);
    char *name = tenon__strdup(p->display_name);
    if (!path || !name ||
        tenon__grow((void **)&list->items, &list->cap, list->n + 1, sizeof(tenon_change)) < 0) {
        tenon__free(path);
        tenon__free(name);
        return tenon__nomem(TENON_STAGE_SCAN, NULL);
    }
    list->items[list->n++] = (tenon_change){sizeof(tenon_change), kind, path, name, p};
    return 0;
}

/* The file of p is gone. Lock held. */
static void mark_removed(tenon_plugin *p)
{
    p->removed = true;
    p->gone_reported = true;
    p->keyed = false; /* whatever comes back at the path is read again */
    p->newer_file = false;
    tenon_error why = *tenon__error_tls();
    bool loaded = p->state != TENON__UNLOADED;
    tenon__fail(TENON_ENOTFOUND, TENON_STAGE_SCAN, p->display_name, p->path,
                "put the file back, or remove the plugin from the host's configuration",
                loaded ? "the file of plugin %s was removed: the loaded plugin stays in use "
                         "until it is unloaded"
                       : "the file of plugin %s was removed",
                p->display_name);
    if (loaded) {
        tenon_error *note = tenon__error_dup_last();
        if (note) {
            tenon__retire(p->reg, p->error);
            p->error = note;
        }
    } else {
        tenon__plugin_set_error(p, TENON_STATUS_BROKEN);
    }
    tenon__error_restore(&why);
}

int tenon_registry_rescan(tenon_registry *reg, tenon_changes **out)
{
    if (out)
        *out = NULL;
    TENON__CHECK_ARG(reg, TENON_STAGE_SCAN, "reg is NULL", TENON_EINVAL);
    tenon_changes *list = NULL;
    if (out && !(list = tenon__calloc(1, sizeof(*list))))
        return tenon__nomem(TENON_STAGE_SCAN, NULL);

    pthread_mutex_lock(&reg->load_lock);
    /* Identities first, then the scan: a file replaced in between shows
     * as replaced next time, and the record never lags what was reported. */
    tenon__lock(reg);
    size_t n_before = reg->n_plugins;
    /* Records made since the last rescan are new; the first rescan takes
     * what earlier scans read as its baseline. */
    size_t n_base = reg->rescanned ? reg->rescan_mark : n_before;
    before *b = tenon__calloc(n_before ? n_before : 1, sizeof(*b));
    size_t nb = 0;
    for (size_t i = 0; b && i < n_base; i++) {
        tenon_plugin *p = reg->plugins[i];
        if (!p->path)
            continue;
        /* Before the scan refreshes the record's identity. */
        if (!p->seen)
            seen_from_record(p);
        b[nb++].p = p;
    }
    tenon__unlock(reg);
    int rc = b ? 0 : tenon__nomem(TENON_STAGE_SCAN, NULL);
    for (size_t i = 0; rc == 0 && i < nb; i++) {
        b[i].exists = stat(b[i].p->path, &b[i].st) == 0;
        b[i].gone = !b[i].exists && (errno == ENOENT || errno == ENOTDIR);
    }

    if (rc == 0) {
        int src = tenon_registry_scan(reg);
        if (src < 0)
            rc = src;
    }
    /* Files added by path are outside the search path: the scan does not
     * visit them. */
    for (size_t i = 0; rc == 0 && i < nb; i++) {
        tenon_plugin *p = b[i].p;
        if (p->origin == TENON__ORIGIN_FILE && b[i].exists &&
            (p->removed || seen_differs(p, &b[i].st)) &&
            tenon__scan_refresh(reg, p) == TENON_ENOMEM)
            rc = TENON_ENOMEM;
    }

    /* The report is made first and the records change only once it is
     * complete: a rescan that runs out of memory changes nothing, and the
     * next one reports everything. */
    int count = 0;
    if (rc == 0) {
        tenon__lock(reg);
        rc = tenon__retire_reserve(reg, nb + 1);
        for (size_t i = 0; rc == 0 && i < nb; i++) {
            tenon_plugin *p = b[i].p;
            b[i].kind = 0;
            if (b[i].gone && !p->gone_reported)
                b[i].kind = TENON_CHANGE_REMOVED;
            else if (b[i].exists && p->gone_reported)
                b[i].kind = TENON_CHANGE_ADDED;
            else if (b[i].exists && seen_differs(p, &b[i].st))
                b[i].kind = TENON_CHANGE_REPLACED;
            if (b[i].kind) {
                rc = add_change(list, p, b[i].kind);
                count++;
            }
        }
        for (size_t i = n_base; rc == 0 && i < reg->n_plugins; i++) {
            if (!reg->plugins[i]->path)
                continue;
            rc = add_change(list, reg->plugins[i], TENON_CHANGE_ADDED);
            count++;
        }
        for (size_t i = 0; rc == 0 && i < nb; i++) {
            tenon_plugin *p = b[i].p;
            if (b[i].kind == TENON_CHANGE_REMOVED) {
                mark_removed(p);
            } else if (b[i].kind) {
                p->removed = false;
                p->gone_reported = false;
                seen_from_stat(p, &b[i].st);
            }
        }
        for (size_t i = n_base; rc == 0 && i < reg->n_plugins; i++)
            if (reg->plugins[i]->path)
                seen_from_record(reg->plugins[i]);
        if (rc == 0) {
            reg->rescan_mark = reg->n_plugins;
            reg->rescanned = true;
        }
        tenon__registry_select(reg);
        tenon__unlock(reg);
    }
    pthread_mutex_unlock(&reg->load_lock);
    tenon__free(b);
    if (rc < 0) {
        tenon_changes_free(list);
        return rc;
    }
    if (out)
        *out = list;
    return count;
}

size_t tenon_changes_count(const tenon_changes *list)
{
    return list ? list->n : 0;
}

const tenon_change *tenon_changes_at(const tenon_changes *list, size_t i)
{
    return list && i < list->n ? &list->items[i] : NULL;
}

void tenon_changes_free(tenon_changes *list)
{
    if (!list)
        return;
    for (size_t i = 0; i < list->n; i++) {
        tenon__free((void *)list->items[i].path);
        tenon__free((void *)list->items[i].plugin);
    }
    tenon__free(list->items);
    tenon__free(list);
}

const char *tenon_change_kind_name(tenon_change_kind kind)
{
    switch (kind) {
    case TENON_CHANGE_ADDED:
        return "added";
    case TENON_CHANGE_REMOVED:
        return "removed";
    case TENON_CHANGE_REPLACED:
        return "replaced";
    }
    return "?";
}
