/* A job's log files, written by its worker when the job is over: fio's
 * file names and fio 3.33's line formats (iolog.c flush_samples,
 * flush_hist_samples):
 *
 *   time, value, direction, bs, prio           (the default)
 *   time, value, direction, bs, offset, prio   (log_offset=1)
 *   time, direction, bs, bin0, bin1, ...       (the histogram log)
 *
 * prio is 0 or 1 (whether the IO had the real-time class: prioclass=1, or
 * cmdprio's default class), or fio's 0x%04x priority value under
 * log_prio=1. fio 3.37 and 3.38 add
 * columns, written as they write them: log_window_value=both a second
 * value after the first, log_issue_time an issue time (ns) at the end. Jobs that share a file
 * (per_job_logs=0) append to it, one job at a time, as fio does. A rank
 * of a distributed run adds its tag to every name (tio_coord_tag). */
#include "log.h"

#include "coord.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Jobs that share a file write it one at a time. */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

int tio_log_path(char *buf, size_t size, const char *prefix, const char *type, unsigned index,
                 bool per_job, bool compressed)
{
    const char *suffix = compressed ? "log.fz" : "log", *tag = tio_coord_tag();
    int n = per_job ? snprintf(buf, size, "%s_%s.%u.%s%s", prefix, type, index, suffix, tag)
                    : snprintf(buf, size, "%s_%s.%s%s", prefix, type, suffix, tag);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* Lines are formatted by hand: a log holds a line per IO, and printf's
 * parsing would be most of the time spent writing it. */
static char *put_u64(char *p, uint64_t v)
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

static char *put_sep(char *p)
{
    *p++ = ',';
    *p++ = ' ';
    return p;
}

static char *put_prio(char *p, const struct tio_log_rec *r)
{
    static const char hex[] = "0123456789abcdef";
    if (!(r->ddir & TIO_LOG_PRIO_BIT)) {
        /* fio: whether the priority's class is real-time (1) */
        *p++ = (char)('0' + ((r->prio >> 13) == 1));
        return p;
    }
    *p++ = '0';
    *p++ = 'x';
    for (int s = 12; s >= 0; s -= 4)
        *p++ = hex[(r->prio >> s) & 0xf];
    return p;
}

int tio_log_print_recs(FILE *f, const unsigned char *buf, size_t len)
{
    if (len < TIO_LOG_REC_SHORT)
        return 0;
    struct tio_log_rec r;
    memcpy(&r, buf, TIO_LOG_REC_SHORT);
    /* as fio: the first record says which columns they carry */
    bool both = r.ddir & TIO_LOG_AVG_MAX_BIT, issue = r.ddir & TIO_LOG_ISSUE_BIT;
    bool offset = r.ddir & TIO_LOG_OFFSET_BIT;
    size_t size = both || issue ? TIO_LOG_REC_EXT
                  : offset      ? TIO_LOG_REC_LONG
                                : TIO_LOG_REC_SHORT;
    char line[192];
    for (size_t pos = 0; pos + size <= len; pos += size) {
        memcpy(&r, buf + pos, size);
        char *p = put_sep(put_u64(line, r.time));
        p = put_sep(put_u64(p, r.val));
        if (both)
            p = put_sep(put_u64(p, r.val1));
        p = put_sep(put_u64(p, r.ddir & ~TIO_LOG_BITS));
        p = put_sep(put_u64(p, r.bs));
        if (offset)
            p = put_sep(put_u64(p, r.offset));
        p = put_prio(p, &r);
        if (issue)
            p = put_u64(put_sep(p), r.issue);
        *p++ = '\n';
        if (fwrite(line, 1, (size_t)(p - line), f) != (size_t)(p - line))
            return -1;
    }
    return 0;
}

static int print_hist_recs(FILE *f, const struct tio_log *l, const unsigned char *buf,
                           size_t len)
{
    size_t bins = (l->rec_size - sizeof(struct tio_log_hist_rec)) / sizeof(uint64_t);
    char line[64];
    for (size_t pos = 0; pos + l->rec_size <= len; pos += l->rec_size) {
        struct tio_log_hist_rec h;
        memcpy(&h, buf + pos, sizeof(h));
        char *p = put_sep(put_u64(line, h.time));
        p = put_sep(put_u64(p, h.ddir));
        p = put_u64(p, h.bs);
        fwrite(line, 1, (size_t)(p - line), f);
        const unsigned char *b = buf + pos + sizeof(h);
        for (size_t i = 0; i < bins; i++) {
            uint64_t v;
            memcpy(&v, b + i * sizeof(v), sizeof(v));
            p = put_u64(put_sep(line), v);
            fwrite(line, 1, (size_t)(p - line), f);
        }
        if (fputc('\n', f) == EOF)
            return -1;
    }
    return 0;
}

static int write_chunk_text(FILE *f, const struct tio_log *l, const struct tio_log_chunk *c)
{
    if (!c->deflated)
        return l->hist ? print_hist_recs(f, l, c->data, c->len)
                       : tio_log_print_recs(f, c->data, c->len);
    unsigned char *recs = NULL;
    size_t n = 0, used = 0;
    if (tio_log_inflate_stream(c->data, c->len, &recs, &n, &used) < 0)
        return -1;
    int rc = l->hist ? print_hist_recs(f, l, recs, n) : tio_log_print_recs(f, recs, n);
    free(recs);
    return rc;
}

static int write_chunk_stored(FILE *f, const struct tio_log_chunk *c)
{
    if (c->deflated)
        return fwrite(c->data, 1, c->len, f) == c->len ? 0 : -1;
    if (!c->len)
        return 0;
    struct tio_log_chunk *z = tio_log_deflate(c->data, c->len);
    if (!z)
        return -1;
    int rc = fwrite(z->data, 1, z->len, f) == z->len ? 0 : -1;
    free(z);
    return rc;
}

static int write_one(const struct tio_log *l, bool append, bool stored, char *why,
                     size_t why_size)
{
    FILE *f = fopen(l->path, append ? "ab" : "wb");
    if (!f) {
        snprintf(why, why_size, "cannot write the log %s: %s", l->path, strerror(errno));
        return -errno;
    }
    static const size_t bufsize = 1 << 20;
    char *iobuf = malloc(bufsize);
    if (iobuf)
        setvbuf(f, iobuf, _IOFBF, bufsize);
    int rc = 0;
    for (const struct tio_log_chunk *c = l->head; c && rc == 0; c = c->next)
        rc = stored ? write_chunk_stored(f, c) : write_chunk_text(f, l, c);
    int err = rc < 0 ? (errno ? errno : EIO) : 0;
    if (fclose(f) != 0 && !err)
        err = errno;
    free(iobuf);
    if (err)
        snprintf(why, why_size, "cannot write the log %s: %s", l->path, strerror(err));
    return -err;
}

int tio_logs_create(struct tio_logs *ls, char *why, size_t why_size)
{
    for (int i = 0; i < TIO_LOG_IDS; i++) {
        struct tio_log *l = ls->log[i];
        if (!l)
            continue;
        pthread_mutex_lock(&write_lock);
        FILE *f = fopen(l->path, ls->per_job ? "wb" : "ab");
        int err = f ? 0 : errno;
        if (f && fclose(f) != 0)
            err = errno;
        pthread_mutex_unlock(&write_lock);
        if (err) {
            snprintf(why, why_size,
                     "cannot create the log %s: %s (write_*_log's value is a "
                     "path prefix: its folder must exist and be writable)",
                     l->path, strerror(err));
            return -err;
        }
    }
    return 0;
}

int tio_logs_write(struct tio_logs *ls, char *why, size_t why_size)
{
    int first = 0;
    for (int i = 0; i < TIO_LOG_IDS; i++) {
        struct tio_log *l = ls->log[i];
        if (!l)
            continue;
        if (l->error && !first) {
            snprintf(why, why_size, "the log %s is incomplete: %s", l->path,
                     strerror(-l->error));
            first = l->error;
        }
        pthread_mutex_lock(&write_lock);
        char text[512];
        int rc = write_one(l, !ls->per_job, ls->store_compressed && !l->hist, text,
                           sizeof(text));
        pthread_mutex_unlock(&write_lock);
        if (rc < 0 && !first) {
            snprintf(why, why_size, "%s", text);
            first = rc;
        }
    }
    return first;
}
