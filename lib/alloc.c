/* Every allocation of libtenon goes through here, so hosts can route them
 * (tenon_set_allocator) and tests can make the Nth one fail. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static tenon_malloc_fn malloc_hook = malloc;
static tenon_realloc_fn realloc_hook = realloc;
static tenon_free_fn free_hook = free;

void tenon_set_allocator(tenon_malloc_fn malloc_fn, tenon_realloc_fn realloc_fn,
                         tenon_free_fn free_fn)
{
    malloc_hook = malloc_fn ? malloc_fn : malloc;
    realloc_hook = realloc_fn ? realloc_fn : realloc;
    free_hook = free_fn ? free_fn : free;
}

void *tenon__malloc(size_t size)
{
    return malloc_hook(size ? size : 1);
}

void *tenon__calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    size_t total = n * size;
    void *p = tenon__malloc(total);
    if (p && total)
        memset(p, 0, total);
    return p;
}

void *tenon__realloc(void *ptr, size_t size)
{
    return realloc_hook(ptr, size ? size : 1);
}

void tenon__free(void *ptr)
{
    if (ptr)
        free_hook(ptr);
}

char *tenon__strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *copy = tenon__malloc(len + 1);
    if (copy) {
        memcpy(copy, s, len);
        copy[len] = '\0';
    }
    return copy;
}

char *tenon__strdup(const char *s)
{
    return tenon__strndup(s, SIZE_MAX);
}

char *tenon__asprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0)
        return NULL;
    char *out = tenon__malloc((size_t)len + 1);
    if (!out)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(out, (size_t)len + 1, fmt, ap);
    va_end(ap);
    return out;
}

int tenon__grow(void **items, size_t *cap, size_t want, size_t item_size)
{
    if (want <= *cap)
        return 0;
    size_t next = *cap ? *cap : 8;
    while (next < want) {
        if (next > SIZE_MAX / 2 / item_size)
            return TENON_ENOMEM;
        next *= 2;
    }
    void *grown = tenon__realloc(*items, next * item_size);
    if (!grown)
        return TENON_ENOMEM;
    *items = grown;
    *cap = next;
    return 0;
}
