/* Random numbers for offsets, mixes and buffer contents: xoshiro256**
 * (fast, 256-bit state, good statistical quality). Offsets and block
 * sizes use fio's own generators (rand_gen.h). */
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

#endif
