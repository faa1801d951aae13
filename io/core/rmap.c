/* The random map's levels: marking runs of blocks and finding free ones,
 * with fio's axmap's results (the same block for the same state). */
#include "rmap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The low n bits. */
static uint64_t low_bits(unsigned n)
{
    return n >= 64 ? UINT64_MAX : (UINT64_C(1) << n) - 1;
}

int tio_rmap_init(struct tio_rmap *m, uint64_t nbits)
{
    memset(m, 0, sizeof(*m));
    m->nbits = nbits;
    uint64_t n = nbits;
    do {
        n = (n + 63) >> 6;
        m->words[m->levels] = n ? n : 1;
        m->level[m->levels] = calloc(m->words[m->levels], sizeof(uint64_t));
        if (!m->level[m->levels]) {
            tio_rmap_free(m);
            return -ENOMEM;
        }
        m->levels++;
    } while (n > 1);
    return 0;
}

void tio_rmap_free(struct tio_rmap *m)
{
    for (unsigned i = 0; i < m->levels; i++)
        free(m->level[i]);
    memset(m, 0, sizeof(*m));
}

void tio_rmap_reset(struct tio_rmap *m)
{
    for (unsigned i = 0; i < m->levels; i++)
        memset(m->level[i], 0, m->words[i] * sizeof(uint64_t));
    m->done = 0;
}

/* Block b's word of level 0 just filled: set its bit one level up, and so
 * on while words fill. */
void tio_rmap_propagate(struct tio_rmap *m, uint64_t b)
{
    for (unsigned i = 1; i < m->levels; i++) {
        uint64_t idx = b >> (6 * i);
        uint64_t *w = &m->level[i][idx >> 6];
        *w |= UINT64_C(1) << (idx & 63);
        if (*w != UINT64_MAX)
            return;
    }
}

uint64_t tio_rmap_set_nr(struct tio_rmap *m, uint64_t b, uint64_t n)
{
    uint64_t total = 0, first = b;
    /* word by word, as fio: a run ends at the first block done already
     * (bits past the map's end in its last word may be set, as in fio) */
    while (n && b <= m->nbits && (b >> 6) < m->words[0]) {
        unsigned bit = b & 63;
        uint64_t want = n < 64u - bit ? n : 64u - bit, k = want;
        uint64_t *w = &m->level[0][b >> 6];
        uint64_t mask = low_bits((unsigned)k) << bit, over = *w & mask;
        if (over == mask)
            break;
        if (over) {
            k = (uint64_t)__builtin_ctzll(over) - bit;
            if (!k)
                break;
            mask = low_bits((unsigned)k) << bit;
        }
        *w |= mask;
        total += k;
        if (*w == UINT64_MAX)
            tio_rmap_propagate(m, b);
        if (k != want)
            break;
        n -= k;
        b += k;
    }
    /* the bits past the end are not blocks: the map is full when its
     * blocks are, as fio's next free block is one below its end */
    m->done += first >= m->nbits ? 0 : first + total > m->nbits ? m->nbits - first : total;
    return total;
}

/* The first free bit at or after b, from the top level down; NONE when
 * there is none before the end. */
static uint64_t first_free(const struct tio_rmap *m, uint64_t b)
{
    uint64_t index = 0;
    for (unsigned i = m->levels; i-- > 0;) {
        index <<= 6;
        uint64_t base = b >> (6 * i);
        if (index < base)
            index = base;
        uint64_t off = index >> 6;
        if (off >= m->words[i])
            return TIO_RMAP_NONE;
        uint64_t free_bits = ~low_bits(index & 63) & ~m->level[i][off];
        while (!free_bits) {
            if (++off >= m->words[i])
                return TIO_RMAP_NONE;
            free_bits = ~m->level[i][off];
        }
        index = (off << 6) + (uint64_t)__builtin_ctzll(free_bits);
    }
    return index >= m->nbits ? TIO_RMAP_NONE : index;
}

uint64_t tio_rmap_next_free(const struct tio_rmap *m, uint64_t b)
{
    if (b >= m->nbits)
        return TIO_RMAP_NONE;
    uint64_t next = b + 1 == m->nbits ? 0 : b + 1, r;
    uint64_t free_bits = ~low_bits(next & 63) & ~m->level[0][next >> 6];
    if (free_bits) {
        r = (next & ~UINT64_C(63)) + (uint64_t)__builtin_ctzll(free_bits);
        if (r >= m->nbits)
            r = TIO_RMAP_NONE;
    } else {
        r = first_free(m, next);
    }
    if (r == TIO_RMAP_NONE && next)
        r = first_free(m, 0);
    return r;
}
