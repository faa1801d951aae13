/* Random numbers for offsets, mixes and buffer contents: xoshiro256**
 * (fast, 256-bit state, good statistical quality), and a permutation of
 * block numbers so random IO touches every block exactly once per pass, as
 * fio's random map does, without a bitmap. */
#ifndef TIO_RAND_H
#define TIO_RAND_H

#include <stdint.h>

struct tio_rand {
    uint64_t s[4];
};

void tio_rand_seed(struct tio_rand *r, uint64_t seed);

static inline uint64_t tio_rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t tio_rand_next(struct tio_rand *r)
{
    uint64_t *s = r->s;
    uint64_t result = tio_rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = tio_rotl(s[3], 45);
    return result;
}

/* Uniform in [0, n) (Lemire's multiply-shift; bias < n / 2^64). */
static inline uint64_t tio_rand_below(struct tio_rand *r, uint64_t n)
{
    return (uint64_t)(((unsigned __int128)tio_rand_next(r) * n) >> 64);
}

/* A pseudo-random permutation of [0, n): a full-period linear congruential
 * sequence modulo the next power of two, passed through a bijective mix of
 * the same width (an LCG's low bits alone cycle with short periods), and
 * values >= n skipped (fewer than two steps per value on average). Each
 * value comes exactly once per period. */
struct tio_perm {
    uint64_t n, mask, a, c, x, m1, m2;
    unsigned half; /* shift of the xorshift steps */
    uint64_t left; /* values left in this pass */
};

void tio_perm_init(struct tio_perm *p, uint64_t n, uint64_t seed);

static inline uint64_t tio_perm_next(struct tio_perm *p)
{
    if (p->left == 0)
        p->left = p->n; /* a new pass repeats the same order, as fio's map does */
    p->left--;
    for (;;) {
        p->x = (p->x * p->a + p->c) & p->mask;
        /* xorshift and odd multiplies are bijections on k-bit values. */
        uint64_t y = p->x;
        y ^= y >> p->half;
        y = (y * p->m1) & p->mask;
        y ^= y >> p->half;
        y = (y * p->m2) & p->mask;
        y ^= y >> p->half;
        if (y < p->n)
            return y;
    }
}

#endif
