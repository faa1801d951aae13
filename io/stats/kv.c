#include "tio_kv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *tio_kv_list_get(const struct tio_kv_list *l, const char *key)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i].key, key) == 0)
            return l->items[i].value;
    return NULL;
}

int tio_kv_list_set(struct tio_kv_list *l, const char *key, const char *value)
{
    if (!key || !value)
        return -EINVAL;
    char *v = strdup(value);
    if (!v)
        return -ENOMEM;
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->items[i].key, key) == 0) {
            free(l->items[i].value);
            l->items[i].value = v;
            return 0;
        }
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        struct tio_kv *items = realloc(l->items, cap * sizeof(*items));
        if (!items) {
            free(v);
            return -ENOMEM;
        }
        l->items = items;
        l->cap = cap;
    }
    char *k = strdup(key);
    if (!k) {
        free(v);
        return -ENOMEM;
    }
    l->items[l->n].key = k;
    l->items[l->n].value = v;
    l->n++;
    return 0;
}

int tio_kv_list_copy(struct tio_kv_list *dst, const struct tio_kv_list *src)
{
    tio_kv_list_free(dst);
    for (size_t i = 0; i < src->n; i++) {
        int rc = tio_kv_list_set(dst, src->items[i].key, src->items[i].value);
        if (rc) {
            tio_kv_list_free(dst);
            return rc;
        }
    }
    return 0;
}

void tio_kv_list_free(struct tio_kv_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].key);
        free(l->items[i].value);
    }
    free(l->items);
    l->items = NULL;
    l->n = 0;
    l->cap = 0;
}
