/* An ordered list of option names and values as text, for fio's
 * "job options" and "global options" maps. */
#ifndef TIO_KV_H
#define TIO_KV_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tio_kv {
    char *key;
    char *value;
};

struct tio_kv_list {
    struct tio_kv *items;
    size_t n;
    size_t cap;
};

/* Adds key=value, or replaces the value when key is already there (an option
 * given twice takes its last value, as in fio). Copies both strings.
 * Returns 0 or -ENOMEM / -EINVAL. */
int tio_kv_list_set(struct tio_kv_list *l, const char *key, const char *value);

/* Value of key, or NULL. */
const char *tio_kv_list_get(const struct tio_kv_list *l, const char *key);

/* Replaces dst's contents with a copy of src's. Returns 0 or -ENOMEM (dst is
 * then empty). */
int tio_kv_list_copy(struct tio_kv_list *dst, const struct tio_kv_list *src);

void tio_kv_list_free(struct tio_kv_list *l);

#ifdef __cplusplus
}
#endif

#endif
