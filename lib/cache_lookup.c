/* The scan's questions to the registry cache: a folder's listing, a
 * file's record (both only while their file is unchanged), and what the
 * scan found that the next write should record. */
#include "cache_internal.h"

#include <string.h>
#include <sys/stat.h>

/* ---- The index ------------------------------------------------------------- */

static const tenon__cache_slot *index_find(const tenon__cache *c, const char *path, size_t len,
                                           uint64_t hash)
{
    size_t mask = c->cap - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
        const tenon__cache_slot *s = &c->slots[i];
        if (!s->hash)
            return NULL;
        if (s->hash == hash && s->len == len &&
            memcmp(c->body + s->offset + TENON__CACHE_ENTRY_FIXED + 2, path, len) == 0)
            return s;
    }
}

/* The hash index of every entry by path (the later of two wins). */
static int build_index(tenon__cache *c)
{
    c->cap = 16;
    while (c->cap < (size_t)c->n_entries * 2)
        c->cap *= 2;
    c->slots = tenon__calloc(c->cap, sizeof(tenon__cache_slot));
    if (!c->slots)
        return tenon__nomem(TENON_STAGE_CACHE, NULL);
    size_t off = 0;
    tenon__cache_raw raw;
    while (tenon__cache_next(c->body, c->body_size, &off, &raw) == 1) {
        uint64_t hash = tenon__cache_path_hash(raw.path, raw.path_len);
        size_t mask = c->cap - 1, i = hash & mask;
        while (c->slots[i].hash &&
               !(c->slots[i].hash == hash && c->slots[i].len == raw.path_len &&
                 memcmp(c->body + c->slots[i].offset + TENON__CACHE_ENTRY_FIXED + 2, raw.path,
                        raw.path_len) == 0))
            i = (i + 1) & mask;
        c->slots[i] = (tenon__cache_slot){hash, (uint32_t)(raw.start - c->body),
                                          (uint32_t)raw.path_len};
    }
    return 0;
}

/* ---- Lookups --------------------------------------------------------------- */

void tenon__cache_scan_begin(tenon_registry *reg)
{
    tenon__cache *c = reg->cache;
    if (c && !c->loaded)
        tenon__cache_load(reg, c);
}

bool tenon__cache_loaded(const tenon_registry *reg)
{
    return reg->cache && reg->cache->loaded;
}

bool tenon__cache_usable(const tenon_registry *reg)
{
    return reg->cache && reg->cache->image && !reg->cache->poisoned;
}

/* The entry for path (a folder listing when folder is set), or 0 (raw
 * filled on 1). Entries were checked by tenon__cache_index_image, so
 * reading one again cannot fail. */
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
    const tenon__cache_slot *s = index_find(c, path, len, tenon__cache_path_hash(path, len));
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
    tenon__cache_ignore(reg, c);
    c->poisoned = true;
}

int tenon__cache_listing(tenon_registry *reg, const char *dir, const struct stat *st,
                         const char ***names, size_t *n)
{
    tenon__cache *c = reg->cache;
    tenon__cache_raw raw;
    if (!c || !find_entry(c, dir, &raw, true))
        return 0;
    if (!tenon__cache_same_file(&raw, st)) {
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
    tenon__cache_dirlist l =
        {tenon__strdup(dir), *st, tenon__now_ns(), tenon__malloc(size ? size : 1), n, size};
    if (!l.dir || !l.names ||
        tenon__grow((void **)&c->listings, &c->cap_listings, c->n_listings + 1,
                    sizeof(tenon__cache_dirlist)) < 0) {
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
    if (!copy ||
        tenon__grow((void **)&c->dirs, &c->cap_dirs, c->n_dirs + 1, sizeof(char *)) < 0) {
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
    if (!tenon__cache_same_file(&raw, st)) {
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

bool tenon__cache_cacheable(const tenon_plugin *p)
{
    if (!p->path || !p->keyed || p->static_entry ||
        tenon__cache_racy(p->mtime_ns, p->ctime_ns, p->read_ns))
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

void tenon__cache_scan_end(tenon_registry *reg)
{
    tenon__cache *c = reg->cache;
    if (!c)
        return;
    /* Every entry used and nothing read: the file is what it would be. */
    if (c->changed || !c->file_ok || c->hits != c->n_entries)
        tenon__cache_save(reg, c, false);
    tenon__cache_drop_image(c);
    c->loaded = false;
}
