/* zlib for the logs. fio's compressed log format: each chunk of records
 * is one zlib stream of fio's binary records (struct tio_log_rec), and a
 * .log.fz file is those streams one after another. --inflate-log reads
 * them back stream by stream and prints each stream's records as fio 3.33
 * prints them. */
#include "log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct tio_log_chunk *tio_log_deflate(const unsigned char *src, size_t len)
{
    uLong bound = compressBound((uLong)len);
    struct tio_log_chunk *c = malloc(sizeof(*c) + bound);
    if (!c)
        return NULL;
    uLongf out = bound;
    /* compress2 writes one complete zlib stream, header and checksum */
    if (compress2(c->data, &out, src, (uLong)len, Z_DEFAULT_COMPRESSION) != Z_OK) {
        free(c);
        return NULL;
    }
    c->next = NULL;
    c->len = out;
    c->cap = bound;
    c->deflated = true;
    return c;
}

int tio_log_inflate_stream(const unsigned char *src, size_t len, unsigned char **out,
                           size_t *out_len, size_t *used)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    /* 15 + 32: a zlib or a gzip header, as fio accepts */
    if (inflateInit2(&zs, 15 + 32) != Z_OK)
        return -1;
    size_t cap = len * 4 + 4096, n = 0;
    unsigned char *buf = malloc(cap);
    int rc = Z_OK;
    zs.next_in = (Bytef *)(uintptr_t)src;
    zs.avail_in = (uInt)len;
    while (buf && rc == Z_OK) {
        if (n == cap) {
            unsigned char *nb = realloc(buf, cap * 2);
            if (!nb)
                break;
            buf = nb;
            cap *= 2;
        }
        zs.next_out = buf + n;
        zs.avail_out = (uInt)(cap - n);
        rc = inflate(&zs, Z_NO_FLUSH);
        n = cap - zs.avail_out;
        if (rc == Z_BUF_ERROR && zs.avail_out)
            break; /* the input ended inside the stream */
        if (rc == Z_BUF_ERROR)
            rc = Z_OK;
    }
    *used = len - zs.avail_in;
    inflateEnd(&zs);
    if (rc != Z_STREAM_END) {
        free(buf);
        return -1;
    }
    *out = buf;
    *out_len = n;
    return 0;
}

static unsigned char *slurp(const char *path, size_t *len, char *why, size_t why_size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, why_size, "--inflate-log: cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        unsigned char *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = nb;
        cap *= 2;
    }
    bool bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        snprintf(why, why_size, "--inflate-log: cannot read %s: %s", path,
                 buf ? "read error" : "out of memory");
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

int tio_log_inflate_file(const char *path, FILE *out, char *why, size_t why_size)
{
    size_t len = 0;
    unsigned char *buf = slurp(path, &len, why, why_size);
    if (!buf)
        return -1;
    int rc = 0;
    for (size_t pos = 0, stream = 1; pos < len; stream++) {
        unsigned char *recs = NULL;
        size_t n = 0, used = 0;
        if (tio_log_inflate_stream(buf + pos, len - pos, &recs, &n, &used) < 0) {
            snprintf(why, why_size,
                     "--inflate-log: %s: stream %zu at byte %zu is not a "
                     "complete zlib stream (not a log stored with log_store_compressed=1, or "
                     "cut short)",
                     path, stream, pos);
            rc = -1;
            break;
        }
        pos += used;
        rc = tio_log_print_recs(out, recs, n);
        free(recs);
        if (rc < 0) {
            snprintf(why, why_size, "--inflate-log: cannot write the log's lines: %s",
                     strerror(errno));
            break;
        }
    }
    free(buf);
    return rc;
}
