/* Allocation through the configured allocator, and the few containers the
 * parser needs. Routing everything through one function lets the tests fail
 * the Nth allocation and prove each failure path is clean. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job_internal.h"

void *tio__realloc(const struct tio_allocator *a, void *p, size_t size)
{
    if (a && a->realloc)
        return a->realloc(a->ctx, p, size);
    if (size == 0) {
        free(p);
        return NULL;
    }
    return realloc(p, size);
}

void *tio__alloc(const struct tio_allocator *a, size_t size)
{
    void *p = tio__realloc(a, NULL, size ? size : 1);

    if (p)
        memset(p, 0, size ? size : 1);
    return p;
}

void *tio__reallocarray(const struct tio_allocator *a, void *p, size_t n, size_t size)
{
    size_t bytes;

    if (size && n > SIZE_MAX / size)
        return NULL;
    bytes = n * size;
    return tio__realloc(a, p, bytes ? bytes : 1);
}

void tio__free(const struct tio_allocator *a, void *p)
{
    if (p)
        tio__realloc(a, p, 0);
}

char *tio__strndup(const struct tio_allocator *a, const char *s, size_t n)
{
    char *d;

    if (n == SIZE_MAX)
        return NULL;
    d = tio__realloc(a, NULL, n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *tio__strdup(const struct tio_allocator *a, const char *s)
{
    return s ? tio__strndup(a, s, strlen(s)) : NULL;
}

int tio__grow(const struct tio_allocator *a, void **arr, size_t *cap, size_t need, size_t size)
{
    size_t ncap;
    void *p;

    if (need <= *cap)
        return 0;
    ncap = *cap ? *cap : 4;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return -1;
        ncap *= 2;
    }
    p = tio__reallocarray(a, *arr, ncap, size);
    if (!p)
        return -1;
    *arr = p;
    *cap = ncap;
    return 0;
}

void tio__buf_init(struct tio__buf *b, const struct tio_allocator *a)
{
    b->a = a;
    b->s = NULL;
    b->len = 0;
    b->cap = 0;
    b->failed = false;
}

void tio__buf_add(struct tio__buf *b, const char *s, size_t n)
{
    void *p;

    if (b->failed)
        return;
    if (n > SIZE_MAX - b->len - 1) {
        b->failed = true;
        return;
    }
    p = b->s;
    if (tio__grow(b->a, &p, &b->cap, b->len + n + 1, 1) != 0) {
        b->failed = true;
        return;
    }
    b->s = p;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void tio__buf_puts(struct tio__buf *b, const char *s)
{
    tio__buf_add(b, s, strlen(s));
}

void tio__buf_putc(struct tio__buf *b, char c)
{
    tio__buf_add(b, &c, 1);
}

void tio__buf_printf(struct tio__buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    int n;

    if (b->failed)
        return;
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = true;
        return;
    }
    if ((size_t)n < sizeof(small)) {
        tio__buf_add(b, small, (size_t)n);
        return;
    }
    {
        void *p = b->s;

        if (tio__grow(b->a, &p, &b->cap, b->len + (size_t)n + 1, 1) != 0) {
            b->failed = true;
            return;
        }
        b->s = p;
        va_start(ap, fmt);
        vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
        b->len += (size_t)n;
    }
}

char *tio__buf_take(struct tio__buf *b)
{
    char *s;

    if (b->failed) {
        tio__buf_free(b);
        return NULL;
    }
    if (!b->s) {
        s = tio__strdup(b->a, "");
    } else {
        s = b->s;
    }
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

void tio__buf_free(struct tio__buf *b)
{
    tio__free(b->a, b->s);
    b->s = NULL;
    b->len = b->cap = 0;
    b->failed = false;
}

int tio__strv_push(const struct tio_allocator *a, struct tio_strv *v, char *owned)
{
    char **p;

    if (!owned)
        return -1;
    /* exact-size growth: vectors are short and copied often */
    p = tio__reallocarray(a, v->v, v->n + 1, sizeof(*p));
    if (!p) {
        tio__free(a, owned);
        return -1;
    }
    p[v->n++] = owned;
    v->v = p;
    return 0;
}

int tio__strv_copy(const struct tio_allocator *a, struct tio_strv *dst,
                   const struct tio_strv *src)
{
    size_t i;

    dst->v = NULL;
    dst->n = 0;
    if (!src->n)
        return 0;
    dst->v = tio__reallocarray(a, NULL, src->n, sizeof(*dst->v));
    if (!dst->v)
        return -1;
    for (i = 0; i < src->n; i++) {
        dst->v[i] = tio__strdup(a, src->v[i]);
        if (!dst->v[i]) {
            dst->n = i;
            tio__strv_free(a, dst);
            return -1;
        }
    }
    dst->n = src->n;
    return 0;
}

void tio__strv_free(const struct tio_allocator *a, struct tio_strv *v)
{
    size_t i;

    for (i = 0; i < v->n; i++)
        tio__free(a, v->v[i]);
    tio__free(a, v->v);
    v->v = NULL;
    v->n = 0;
}

int tio__origin_copy(const struct tio_allocator *a, struct tio_origin *dst,
                     const struct tio_origin *src)
{
    *dst = *src;
    dst->file = NULL;
    dst->argtext = NULL;
    if (src->file && !(dst->file = tio__strdup(a, src->file)))
        return -1;
    if (src->argtext && !(dst->argtext = tio__strdup(a, src->argtext))) {
        tio__free(a, dst->file);
        dst->file = NULL;
        return -1;
    }
    return 0;
}

void tio__origin_free(const struct tio_allocator *a, struct tio_origin *o)
{
    tio__free(a, o->file);
    tio__free(a, o->argtext);
    o->file = NULL;
    o->argtext = NULL;
}
