/* fio 3.33's non-uniform generators of random blocks, so that the same
 * seed gives fio's offsets: zipf and pareto (lib/zipf.c), normal
 * (lib/gauss.c), each scrambled by fio's 64-bit multiplicative hash and
 * shifted by a random or given center; and fio's jhash, which seeds them
 * from a file's name. (random_generator=lfsr is lfsr.c's.) All pure: no worker, no job. */
#ifndef TIO_FIO_DIST_H
#define TIO_FIO_DIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rand_gen.h"

/* zipf, pareto (pareto_pow) and normal (stddev) share one state. */
struct tio_fdist {
    uint64_t nranges;
    double theta, zeta2, zetan; /* zipf */
    double pareto_pow;          /* pareto */
    uint64_t stddev;            /* normal: fio's unsigned int */
    uint64_t rand_off;
    uint64_t hash_mult;    /* fio's hash multiplier; 1 once the hash is off */
    struct tio_frand rand; /* always fio's 32-bit Tausworthe */
};

/* center < 0: fio's default (a random offset; normal: none). */
void tio_zipf_init(struct tio_fdist *z, uint64_t nranges, double theta, double center,
                   uint32_t seed);
uint64_t tio_zipf_next(struct tio_fdist *z);
void tio_pareto_init(struct tio_fdist *z, uint64_t nranges, double h, double center,
                     uint32_t seed);
uint64_t tio_pareto_next(struct tio_fdist *z);
void tio_gauss_init(struct tio_fdist *z, uint64_t nranges, double dev, double center,
                    uint32_t seed);
uint64_t tio_gauss_next(struct tio_fdist *z);
/* fio's {zipf,gauss}_disable_hash: the draws left unscrambled, as fio
 * draws files (file_service_type), the low ranges the likely ones. */
void tio_fdist_no_hash(struct tio_fdist *z);

/* fio's jhash of a name (its own variant: one byte per word in whole
 * 12-byte blocks), with which it seeds a file's distribution. */
uint32_t tio_fio_jhash(const void *key, size_t len, uint32_t initval);

#endif
