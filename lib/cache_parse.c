/* The public reader of cache images (include/tenon/cache.h), for tools
 * and tests: every entry decoded, with the checks a scan makes. */
#include "cache_internal.h"

#include <string.h>

struct tenon_cache {
    tenon_cache_entry *entries;
    size_t n;
    int64_t written_ns;
    char *paths; /* the entries' paths, NUL-separated */
};

void tenon_cache_free(tenon_cache *cache)
{
    if (!cache)
        return;
    for (size_t i = 0; i < cache->n; i++) {
        tenon_descriptor_free((tenon_plugin_desc *)cache->entries[i].desc);
        tenon__free((void *)cache->entries[i].error);
        tenon__free((void *)cache->entries[i].check_error);
        tenon__free((void *)cache->entries[i].names);
    }
    tenon__free(cache->entries);
    tenon__free(cache->paths);
    tenon__free(cache);
}

int tenon_cache_parse(const void *data, size_t size, unsigned flags, tenon_cache **out)
{
    TENON__CHECK_ARG(out, TENON_STAGE_CACHE, "out is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(data || !size, TENON_STAGE_CACHE, "data is NULL", TENON_EINVAL);
    *out = NULL;
    const unsigned char *body;
    size_t body_size;
    uint32_t n;
    int64_t written;
    int rc = tenon__cache_check_image(data, size, flags, &body, &body_size, &n, &written);
    if (rc < 0)
        return rc;
    tenon_cache *cache = tenon__calloc(1, sizeof(*cache));
    if (!cache)
        return tenon__nomem(TENON_STAGE_CACHE, NULL);
    cache->written_ns = written;
    cache->entries = tenon__calloc(n ? n : 1, sizeof(tenon_cache_entry));
    cache->paths = tenon__malloc(body_size ? body_size : 1);
    if (!cache->entries || !cache->paths) {
        tenon_cache_free(cache);
        return tenon__nomem(TENON_STAGE_CACHE, NULL);
    }
    size_t off = 0, path_off = 0;
    tenon__cache_raw raw;
    while ((rc = tenon__cache_next(body, body_size, &off, &raw)) == 1) {
        if (cache->n == n) {
            rc = tenon__cache_malformed("it holds more entries than its header announces (%u)",
                                        n);
            break;
        }
        tenon_cache_entry *e = &cache->entries[cache->n];
        tenon_plugin_desc *desc = NULL;
        tenon_error *error = NULL, *check = NULL;
        if (raw.flags & TENON__CACHE_E_FOLDER) {
            const char **names;
            size_t n_names;
            if ((rc = tenon__cache_folder_names(&raw, &names, &n_names)) < 0)
                break;
            /* The strings move to the cache's own storage with the paths. */
            for (size_t k = 0; k < n_names; k++) {
                size_t len = strlen(names[k]);
                memcpy(cache->paths + path_off, names[k], len + 1);
                names[k] = cache->paths + path_off;
                path_off += len + 1;
            }
            e->folder = true;
            e->names = names;
            e->n_names = n_names;
        } else if ((rc = tenon__cache_decode(&raw, true, &desc, &error, &check)) < 0) {
            break;
        }
        memcpy(cache->paths + path_off, raw.path, raw.path_len + 1);
        e->path = cache->paths + path_off;
        path_off += raw.path_len + 1;
        e->dev = raw.dev;
        e->ino = raw.ino;
        e->size = raw.size_bytes;
        e->mtime_ns = raw.mtime_ns;
        e->ctime_ns = raw.ctime_ns;
        e->read_ns = raw.read_ns;
        e->desc = desc;
        e->error = error;
        e->check = (tenon_check_state)raw.check;
        e->checked_ns = raw.checked_ns;
        e->check_key = raw.check_key;
        e->check_error = check;
        cache->n++;
    }
    if (rc == 0 && cache->n != n)
        rc = tenon__cache_malformed("it holds %zu entries; its header announces %u", cache->n,
                                    n);
    if (rc < 0) {
        tenon_cache_free(cache);
        return rc;
    }
    *out = cache;
    return 0;
}

size_t tenon_cache_count(const tenon_cache *cache)
{
    return cache ? cache->n : 0;
}

const tenon_cache_entry *tenon_cache_at(const tenon_cache *cache, size_t index)
{
    return cache && index < cache->n ? &cache->entries[index] : NULL;
}

int64_t tenon_cache_written_ns(const tenon_cache *cache)
{
    return cache ? cache->written_ns : 0;
}
