/* The verify log of extents (verify_extents.h): a treap keyed by offset,
 * split and merged around each write, its nodes in one growing array. */
#include "verify_extents.h"

#include <stdlib.h>
#include <string.h>

void tio_vext_init(struct tio_vext *x)
{
    memset(x, 0, sizeof(*x));
}

void tio_vext_free(struct tio_vext *x)
{
    free(x->n);
    tio_vext_init(x);
}

void tio_vext_clear(struct tio_vext *x)
{
    x->used = 1; /* slot 0 is the sentinel */
    x->free_list = 0;
    x->root = 0;
    x->count = 0;
}

/* Splits tree t into the nodes before key k (*l) and the rest (*r). */
static void split(struct tio_vext_node *n, uint32_t t, uint64_t k, uint32_t *l, uint32_t *r)
{
    while (t) {
        if (n[t].pos < k) {
            *l = t;
            l = &n[t].kid[1];
            t = n[t].kid[1];
        } else {
            *r = t;
            r = &n[t].kid[0];
            t = n[t].kid[0];
        }
    }
    *l = *r = 0;
}

/* Joins trees a and b, every key of a before every key of b. */
static uint32_t merge(struct tio_vext_node *n, uint32_t a, uint32_t b)
{
    uint32_t root = 0, *at = &root;
    while (a && b) {
        if (n[a].prio > n[b].prio) {
            *at = a;
            at = &n[a].kid[1];
            a = n[a].kid[1];
        } else {
            *at = b;
            at = &n[b].kid[0];
            b = n[b].kid[0];
        }
    }
    *at = a ? a : b;
    return root;
}

/* Returns the nodes of tree t to the free list; how many. */
static uint64_t release(struct tio_vext *x, uint32_t t)
{
    uint64_t freed = 0;
    while (t) {
        struct tio_vext_node *nd = &x->n[t];
        if (nd->kid[0]) { /* rotate the left subtree up: no stack needed */
            uint32_t l = nd->kid[0];
            nd->kid[0] = x->n[l].kid[1];
            x->n[l].kid[1] = t;
            t = l;
            continue;
        }
        uint32_t next = nd->kid[1];
        nd->kid[0] = x->free_list;
        x->free_list = t;
        freed++;
        t = next;
    }
    x->count -= freed;
    return freed;
}

/* A free slot; 0 when out of memory. */
static uint32_t take_slot(struct tio_vext *x)
{
    if (x->free_list) {
        uint32_t t = x->free_list;
        x->free_list = x->n[t].kid[0];
        return t;
    }
    if (!x->used)
        x->used = 1;
    if (x->used >= x->cap) {
        uint32_t cap = x->cap ? x->cap * 2 : 1024;
        if (cap <= x->cap)
            return 0;
        struct tio_vext_node *n = realloc(x->n, (size_t)cap * sizeof(*n));
        if (!n)
            return 0;
        memset(n, 0, sizeof(*n)); /* the sentinel */
        x->n = n;
        x->cap = cap;
    }
    return x->used++;
}

/* The treap's heap keys: a fixed pseudo-random sequence (xorshift32), so
 * the tree stays balanced whatever order the writes come in, and a run's
 * shape depends on nothing outside it. */
static uint32_t next_prio(struct tio_vext *x)
{
    uint32_t v = x->prio_state ? x->prio_state : 2463534242u;
    v ^= v << 13;
    v ^= v >> 17;
    v ^= v << 5;
    x->prio_state = v;
    return v;
}

int64_t tio_vext_put(struct tio_vext *x, uint64_t pos, uint64_t len, uint32_t num)
{
    uint32_t t = take_slot(x);
    if (!t)
        return -1;
    struct tio_vext_node *n = x->n;
    n[t] = (struct tio_vext_node){.pos = pos,
                                  .len = (uint32_t)len,
                                  .num = num,
                                  .prio = next_prio(x)};
    uint32_t a, b, m, c;
    split(n, x->root, pos, &a, &b);
    uint64_t dropped = 0;
    /* the last extent before pos, if it reaches into the write */
    uint32_t last = a;
    while (last && n[last].kid[1])
        last = n[last].kid[1];
    if (last && n[last].pos + n[last].len > pos) {
        split(n, a, n[last].pos, &a, &m);
        dropped += release(x, m);
    }
    split(n, b, pos + len, &m, &c);
    dropped += release(x, m);
    x->root = merge(n, merge(n, a, t), c);
    x->count++;
    return (int64_t)dropped;
}

static uint32_t find(const struct tio_vext *x, uint64_t pos)
{
    uint32_t t = x->root;
    while (t && x->n[t].pos != pos)
        t = x->n[t].kid[x->n[t].pos < pos];
    return t;
}

bool tio_vext_holds(const struct tio_vext *x, uint64_t pos, uint32_t num)
{
    uint32_t t = find(x, pos);
    return t && x->n[t].num == num;
}

bool tio_vext_drop(struct tio_vext *x, uint64_t pos, uint32_t num)
{
    if (!tio_vext_holds(x, pos, num))
        return false;
    uint32_t a, b, m, c;
    split(x->n, x->root, pos, &a, &b);
    split(x->n, b, pos + 1, &m, &c);
    release(x, m);
    x->root = merge(x->n, a, c);
    return true;
}

bool tio_vext_overlaps(const struct tio_vext *x, uint64_t pos, uint64_t len)
{
    /* the last extent starting before the range's end */
    uint32_t t = x->root, best = 0;
    while (t) {
        if (x->n[t].pos < pos + len) {
            best = t;
            t = x->n[t].kid[1];
        } else {
            t = x->n[t].kid[0];
        }
    }
    return best && x->n[best].pos + x->n[best].len > pos;
}

bool tio_vext_first_from(const struct tio_vext *x, uint64_t pos, struct tio_vext_extent *e)
{
    uint32_t t = x->root, best = 0;
    while (t) {
        if (x->n[t].pos >= pos) {
            best = t;
            t = x->n[t].kid[0];
        } else {
            t = x->n[t].kid[1];
        }
    }
    if (!best)
        return false;
    *e = (struct tio_vext_extent){x->n[best].pos, x->n[best].len, x->n[best].num};
    return true;
}
