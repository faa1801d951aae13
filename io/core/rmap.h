/* The random map: which blocks of a file random IO has done this pass, so
 * that each is done once, found as fio 3.33's axmap finds them (a drawn
 * block already done gives way to the next free one after it, wrapping at
 * the end) so that the same seed gives fio's offsets. Bits in levels of
 * 64-bit words: a bit of level i+1 is set when its word of level i is
 * full, so the next free block is found in a few words at any size. */
#ifndef TIO_RMAP_H
#define TIO_RMAP_H

#include <stdbool.h>
#include <stdint.h>

#define TIO_RMAP_LEVELS 11 /* 64^11 > 2^64 */
#define TIO_RMAP_NONE UINT64_MAX

struct tio_rmap {
    uint64_t nbits;
    uint64_t done; /* bits set */
    unsigned levels;
    uint64_t *level[TIO_RMAP_LEVELS];
    uint64_t words[TIO_RMAP_LEVELS];
};

/* 0 or -ENOMEM. */
int tio_rmap_init(struct tio_rmap *m, uint64_t nbits);
void tio_rmap_free(struct tio_rmap *m);
/* A new pass: no block done. */
void tio_rmap_reset(struct tio_rmap *m);
/* Marks up to n blocks from b as done, stopping at one done already;
 * returns how many it marked (0: b was done). */
uint64_t tio_rmap_set_nr(struct tio_rmap *m, uint64_t b, uint64_t n);
/* The first free block after b (b itself is done), wrapping at the end;
 * TIO_RMAP_NONE when none is free. */
uint64_t tio_rmap_next_free(const struct tio_rmap *m, uint64_t b);
void tio_rmap_propagate(struct tio_rmap *m, uint64_t b);

static inline bool tio_rmap_isset(const struct tio_rmap *m, uint64_t b)
{
    return b < m->nbits && (m->level[0][b >> 6] >> (b & 63)) & 1;
}

/* Block b when it is free (or past the map's end), else as
 * tio_rmap_next_free. Most draws end in b's own word or the next one:
 * those take no call and no walk down the levels. */
static inline uint64_t tio_rmap_free_from(const struct tio_rmap *m, uint64_t b)
{
    if (b >= m->nbits)
        return b;
    uint64_t i = b >> 6, word = m->level[0][i];
    if (!((word >> (b & 63)) & 1))
        return b;
    /* b's bit is set: the first free bit above it, in its word, else (the
     * rest of its word done) in the next word */
    uint64_t free_bits = ~word & (UINT64_MAX << (b & 63));
    if (!free_bits && i + 1 < m->words[0])
        free_bits = ~m->level[0][++i];
    if (free_bits) {
        uint64_t r = (i << 6) + (uint64_t)__builtin_ctzll(free_bits);
        if (r < m->nbits)
            return r;
    }
    return tio_rmap_next_free(m, b);
}

static inline bool tio_rmap_full(const struct tio_rmap *m)
{
    return m->done >= m->nbits;
}

/* The common case, one free block: its bit, and the upper levels only
 * when its word fills. */
static inline uint64_t tio_rmap_set1(struct tio_rmap *m, uint64_t b)
{
    if (b >= m->nbits)
        return tio_rmap_set_nr(m, b, 1);
    uint64_t *w = &m->level[0][b >> 6], bit = UINT64_C(1) << (b & 63);
    if (*w & bit)
        return 0;
    *w |= bit;
    m->done++;
    if (*w == UINT64_MAX)
        tio_rmap_propagate(m, b);
    return 1;
}

#endif
