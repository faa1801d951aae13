#include "tio_series.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FIRST_ALLOC 64

void tio_series_init(struct tio_series *s, size_t cap)
{
    memset(s, 0, sizeof(*s));
    if (cap == 0)
        cap = TIO_SERIES_DEFAULT_CAP;
    if (cap < 2)
        cap = 2;
    s->cap = cap & ~(size_t)1;
    s->stride = 1;
}

void tio_series_fini(struct tio_series *s)
{
    free(s->pts);
    s->pts = NULL;
    s->n = 0;
    s->alloc = 0;
}

void tio_series_clear(struct tio_series *s)
{
    s->n = 0;
    s->stride = 1;
    s->pending_n = 0;
    memset(&s->pending, 0, sizeof(s->pending));
}

static void merge_into(struct tio_series_point *dst, const struct tio_series_point *src)
{
    dst->dur_ns = src->t_ns + src->dur_ns - dst->t_ns;
    for (int d = 0; d < TIO_DDIR_COUNT; d++) {
        dst->ios[d] += src->ios[d];
        dst->bytes[d] += src->bytes[d];
    }
}

/* Halves the number of stored points by merging neighbours. alloc is always
 * even, so a full array pairs up exactly; an odd count (never expected) keeps
 * its last point alone. */
static void compact(struct tio_series *s)
{
    size_t out = 0;
    for (size_t i = 0; i < s->n; i += 2) {
        struct tio_series_point p = s->pts[i];
        if (i + 1 < s->n)
            merge_into(&p, &s->pts[i + 1]);
        s->pts[out++] = p;
    }
    s->n = out;
    s->stride *= 2;
}

static int grow(struct tio_series *s)
{
    size_t want = s->alloc ? s->alloc * 2 : FIRST_ALLOC;
    if (want > s->cap)
        want = s->cap;
    if (want <= s->alloc)
        return -ENOMEM;
    struct tio_series_point *p = realloc(s->pts, want * sizeof(*p));
    if (!p)
        return -ENOMEM;
    s->pts = p;
    s->alloc = want;
    return 0;
}

static void store(struct tio_series *s, const struct tio_series_point *p)
{
    if (s->n == s->alloc && grow(s) != 0) {
        if (s->n < 2)
            return; /* no memory at all: the plot loses this point */
        compact(s);
        /* p holds half of the new stride; it starts the next point. */
        s->pending = *p;
        s->pending_n = s->stride / 2;
        return;
    }
    s->pts[s->n++] = *p;
}

void tio_series_add(struct tio_series *s, const struct tio_series_point *p)
{
    if (s->pending_n == 0)
        s->pending = *p;
    else
        merge_into(&s->pending, p);
    s->pending_n++;
    if (s->pending_n < s->stride)
        return;
    struct tio_series_point full = s->pending;
    s->pending_n = 0;
    store(s, &full);
}

void tio_series_flush(struct tio_series *s)
{
    /* At most two rounds: a store that compacts puts the point back into
     * pending, and the next store then has room. */
    while (s->pending_n) {
        struct tio_series_point last = s->pending;
        s->pending_n = 0;
        store(s, &last);
    }
}
