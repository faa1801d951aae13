/* The registry cache's file read for a scan: checked for what it is and
 * who may write it, then framed entry by entry (cache_format.c reads the
 * bytes); tenon_cache_read for tools. */
#include "cache_internal.h"
#include "path_policy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int tenon__cache_read_image(const char *path, unsigned char **image, size_t *size)
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
    TENON__CHECK_ARG(out, TENON_STAGE_CACHE, "out is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(path, TENON_STAGE_CACHE, "path is NULL", TENON_EINVAL);
    *out = NULL;
    if (path[0] != '/')
        return tenon__fail(TENON_EPATH, TENON_STAGE_CACHE, NULL, path, NULL,
                           "cache path \"%s\" is not absolute", path);
    unsigned char *image;
    size_t size;
    int rc = tenon__cache_read_image(path, &image, &size);
    if (rc < 0)
        return rc;
    rc = tenon_cache_parse(image, size, 0, out);
    tenon__free(image);
    if (rc < 0)
        tenon__strlcpy(tenon__error_tls()->path, path, TENON_ERROR_PATH_MAX);
    return rc;
}

void tenon__cache_drop_image(tenon__cache *c)
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

void tenon__cache_free_listings(tenon__cache *c)
{
    for (size_t i = 0; i < c->n_listings; i++) {
        tenon__free(c->listings[i].dir);
        tenon__free(c->listings[i].names);
    }
    tenon__free(c->listings);
    c->listings = NULL;
    c->n_listings = c->cap_listings = 0;
}

/* Checks the image: header, checksums, and every entry's frame; notes
 * where the folder listings are. Scans visit a folder's files in the order
 * the cache was written, so files are found by walking on from the last
 * one found; a hash index is built only when that walk misses (at ten
 * thousand plugins, building and probing an index cost more than the
 * rest of a lookup). */
int tenon__cache_index_image(tenon__cache *c, unsigned char *image, size_t size)
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

void tenon__cache_load(tenon_registry *reg, tenon__cache *c)
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
    int rc = tenon__cache_read_image(c->path, &image, &size);
    if (rc == TENON_ENOTFOUND) {
        tenon__log(reg, TENON_LOG_DEBUG, NULL, "registry cache %s: none yet", c->path);
        c->changed = true;
        return;
    }
    if (rc == 0) {
        rc = tenon__cache_index_image(c, image, size);
        if (rc < 0) {
            tenon__free(image);
            tenon__cache_drop_image(c);
        }
    }
    if (rc < 0) {
        tenon__cache_ignore(reg, c);
        return;
    }
    c->file_ok = true;
    c->stats.cache_loads++;
    c->stats.entries_loaded = c->n_entries;
    tenon__log(reg, TENON_LOG_DEBUG, NULL, "registry cache %s: %u entries", c->path,
               c->n_entries);
}
