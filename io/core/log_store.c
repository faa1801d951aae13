/* Where a log's records wait for the end of the job: a list of chunks in
 * memory, appended to by the worker alone. Under log_compression a chunk
 * is as large as the option says and is deflated as soon as it is full,
 * as fio compresses its logs while the job runs (fio does it on a helper
 * thread; here the worker does it, once per chunk, never per IO). */
#include "log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Without log_compression: 1 MiB chunks, 32768 short records each. */
#define CHUNK_BYTES_DEFAULT ((size_t)1 << 20)

struct tio_log *tio_log_new(const char *path, size_t rec_size, uint64_t compress_bytes)
{
    struct tio_log *l = calloc(1, sizeof(*l));
    if (!l)
        return NULL;
    l->path = strdup(path);
    if (!l->path) {
        free(l);
        return NULL;
    }
    l->rec_size = rec_size;
    size_t bytes = compress_bytes ? (size_t)compress_bytes : CHUNK_BYTES_DEFAULT;
    /* whole records only, and at least one */
    l->chunk_bytes = bytes < rec_size ? rec_size : bytes - bytes % rec_size;
    l->deflate_full = compress_bytes != 0;
    return l;
}

static void free_chunks(struct tio_log_chunk *c)
{
    while (c) {
        struct tio_log_chunk *next = c->next;
        free(c);
        c = next;
    }
}

void tio_log_clear(struct tio_log *l)
{
    free_chunks(l->head);
    l->head = l->tail = NULL;
    l->tail_link = NULL;
}

void tio_log_free(struct tio_log *l)
{
    if (!l)
        return;
    tio_log_clear(l);
    free(l->path);
    free(l);
}

/* The full tail chunk, deflated in its place. */
static int deflate_tail(struct tio_log *l)
{
    struct tio_log_chunk *raw = l->tail;
    struct tio_log_chunk *z = tio_log_deflate(raw->data, raw->len);
    if (!z)
        return -ENOMEM;
    *l->tail_link = z;
    l->tail = z;
    free(raw);
    return 0;
}

static int new_chunk(struct tio_log *l)
{
    if (l->tail && l->deflate_full && !l->tail->deflated) {
        int rc = deflate_tail(l);
        if (rc < 0)
            return rc;
    }
    struct tio_log_chunk *c = malloc(sizeof(*c) + l->chunk_bytes);
    if (!c)
        return -ENOMEM;
    c->next = NULL;
    c->len = 0;
    c->cap = l->chunk_bytes;
    c->deflated = false;
    l->tail_link = l->tail ? &l->tail->next : &l->head;
    *l->tail_link = c;
    l->tail = c;
    return 0;
}

void *tio_log_append_slow(struct tio_log *l)
{
    if (l->error)
        return NULL;
    int rc = new_chunk(l);
    if (rc < 0) {
        l->error = rc;
        return NULL;
    }
    struct tio_log_chunk *c = l->tail;
    c->len = l->rec_size;
    return c->data;
}
