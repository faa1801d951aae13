/* fio's random generators, so that a job with the same seed draws the same
 * numbers as under fio 3.33: the combined Tausworthe generators of
 * L'Ecuyer (taus88, 32-bit; taus258, 64-bit) and fio's table of per-purpose
 * seeds (block sizes, mixes, offsets, ...) derived from randseed. */
#ifndef TIO_RAND_GEN_H
#define TIO_RAND_GEN_H

#include <stdbool.h>
#include <stdint.h>

struct tio_job;
struct tio_job_pattern;

struct tio_frand {
    bool use64; /* random_generator=tausworthe64 */
    uint32_t s32[3];
    uint64_t s64[5];
};

/* fio's seed slots, in fio's order (each stream has its own seed). */
enum tio_fseed {
    TIO_FSEED_BS, /* block sizes, per direction: BS + ddir */
    TIO_FSEED_BS1,
    TIO_FSEED_BS2,
    TIO_FSEED_VERIFY,
    TIO_FSEED_MIX,
    TIO_FSEED_FILE,
    TIO_FSEED_BLOCK, /* random offsets */
    TIO_FSEED_FILE_SIZE,
    TIO_FSEED_TRIM,
    TIO_FSEED_BUF,
    TIO_FSEED_SEQ_RAND_READ,
    TIO_FSEED_SEQ_RAND_WRITE,
    TIO_FSEED_SEQ_RAND_TRIM,
    TIO_FSEED_START_DELAY,
    TIO_FSEED_DEDUPE,
    TIO_FSEED_POISSON,
    TIO_FSEED_ZONE,
    TIO_FSEED_POISSON2,
    TIO_FSEED_POISSON3,
    TIO_FSEED_PRIO,
    TIO_FSEED_DEDUPE_WS,
    TIO_FSEED_COUNT
};

/* fio's seeds of a job (thread number = job->index + 1): from randseed,
 * the offsets' fixed under randrepeat when no randseed is given; random
 * ones when neither randrepeat nor randseed is set. */
void tio_fseeds(const struct tio_job *job, uint64_t seeds[TIO_FSEED_COUNT]);
void tio_frand_seed(struct tio_frand *r, uint64_t seed, bool use64);

/* fio's rand_repeatable once its options are fixed up, after it has
 * drawn the seeds: a randseed given turns it off. Under it each loop
 * starts the streams afresh, and a file's distribution is seeded from its
 * name rather than from the offsets' seed. */
bool tio_reseeds(const struct tio_job_pattern *p);

static inline uint32_t tio_taus88(uint32_t s[3])
{
    s[0] = ((s[0] & 4294967294u) << 12) ^ (((s[0] << 13) ^ s[0]) >> 19);
    s[1] = ((s[1] & 4294967288u) << 4) ^ (((s[1] << 2) ^ s[1]) >> 25);
    s[2] = ((s[2] & 4294967280u) << 17) ^ (((s[2] << 3) ^ s[2]) >> 11);
    return s[0] ^ s[1] ^ s[2];
}

static inline uint64_t tio_taus258(uint64_t s[5])
{
    s[0] = ((s[0] & 18446744073709551614ull) << 10) ^ (((s[0] << 1) ^ s[0]) >> 53);
    s[1] = ((s[1] & 18446744073709551104ull) << 5) ^ (((s[1] << 24) ^ s[1]) >> 50);
    s[2] = ((s[2] & 18446744073709547520ull) << 29) ^ (((s[2] << 3) ^ s[2]) >> 23);
    s[3] = ((s[3] & 18446744073709420544ull) << 23) ^ (((s[3] << 5) ^ s[3]) >> 24);
    s[4] = ((s[4] & 18446744073701163008ull) << 8) ^ (((s[4] << 3) ^ s[4]) >> 33);
    return s[0] ^ s[1] ^ s[2] ^ s[3] ^ s[4];
}

static inline uint64_t tio_frand_next(struct tio_frand *r)
{
    return r->use64 ? tio_taus258(r->s64) : tio_taus88(r->s32);
}

/* The generator's largest value plus one, as a double (fio scales by it). */
static inline double tio_frand_span(const struct tio_frand *r)
{
    return r->use64 ? 18446744073709551616.0 : 4294967296.0;
}

/* A value in [0, n): n scaled by a draw over the generator's span, as
 * fio's offsets and block sizes are. */
static inline uint64_t tio_frand_scale(struct tio_frand *r, uint64_t n)
{
    uint64_t v = tio_frand_next(r);
    return (uint64_t)((double)n * ((double)v / tio_frand_span(r)));
}

/* A draw as the fraction of the generator's span fio scales by. */
static inline double tio_frand_unit(struct tio_frand *r)
{
    if (r->use64)
        return (double)tio_taus258(r->s64) * 0x1p-64;
    return (double)tio_taus88(r->s32) * 0x1p-32;
}

/* fio's scaling of a draw to [0, n), n given as a double below 2^63
 * (converted once, not per draw). */
static inline uint64_t tio_frand_at(double unit, double n)
{
    return (uint64_t)(int64_t)(n * unit);
}

/* In [lo, hi], both included, as fio's rand_between. */
static inline uint64_t tio_frand_between(struct tio_frand *r, uint64_t lo, uint64_t hi)
{
    if (r->use64)
        return lo + tio_frand_scale(r, hi - lo + 1);
    uint32_t v = tio_taus88(r->s32);
    uint32_t end = (uint32_t)(hi - lo) + 1;
    return lo + (uint64_t)(int)((double)end * (v / 4294967296.0));
}

#endif
