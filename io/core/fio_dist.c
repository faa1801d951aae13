/* fio 3.33's zipf, pareto, normal and LFSR generators (see fio_dist.h).
 * The arithmetic follows fio's exactly, its integer widths and its
 * conversions included, since any change moves the offsets. */
#include "fio_dist.h"

#include <math.h>
#include <string.h>

#define ZIPF_MAX_GEN 10000000u /* fio caps zeta(n)'s terms at 10M */
#define FRAND32_MAX 4294967295.0
#define GOLDEN_RATIO_64 UINT64_C(0x61C8864680B583EB)
#define GOLDEN_RATIO_32 UINT32_C(0x61C88647)

static uint64_t draw32(struct tio_fdist *z)
{
    return tio_taus88(z->rand.s32);
}

/* fio's scramble of a drawn block: its multiplicative hash, so hot blocks
 * spread over the file instead of crowding at its start (a multiplier of
 * 1 once it is off: no branch per draw). */
static uint64_t fio_hash(const struct tio_fdist *z, uint64_t v)
{
    return v * z->hash_mult;
}

void tio_fdist_no_hash(struct tio_fdist *z)
{
    z->hash_mult = 1;
}

static void shared_init(struct tio_fdist *z, uint64_t nranges, double center, uint32_t seed)
{
    memset(z, 0, sizeof(*z));
    z->nranges = nranges;
    z->hash_mult = GOLDEN_RATIO_64;
    tio_frand_seed(&z->rand, seed, false);
    z->rand_off = draw32(z); /* drawn even when a center replaces it */
    if (center >= 0)
        z->rand_off = (uint64_t)((double)nranges * center);
}

void tio_zipf_init(struct tio_fdist *z, uint64_t nranges, double theta, double center,
                   uint32_t seed)
{
    shared_init(z, nranges, center, seed);
    z->theta = theta;
    z->zeta2 = pow(1.0, theta) + pow(0.5, theta);
    uint64_t terms = nranges < ZIPF_MAX_GEN ? nranges : ZIPF_MAX_GEN;
    for (uint64_t i = 0; i < terms; i++)
        z->zetan += pow(1.0 / (double)(i + 1), theta);
}

uint64_t tio_zipf_next(struct tio_fdist *z)
{
    double n = (double)z->nranges;
    double alpha = 1.0 / (1.0 - z->theta);
    double eta = (1.0 - pow(2.0 / n, 1.0 - z->theta)) / (1.0 - z->zeta2 / z->zetan);
    double rand_uni = (double)draw32(z) / FRAND32_MAX;
    double rand_z = rand_uni * z->zetan;
    uint64_t val;

    if (rand_z < 1.0)
        val = 1;
    else if (rand_z < 1.0 + pow(0.5, z->theta))
        val = 2;
    else
        val = 1 + (uint64_t)(n * pow(eta * rand_uni - eta + 1.0, alpha));
    return (fio_hash(z, val - 1) + z->rand_off) % z->nranges;
}

void tio_pareto_init(struct tio_fdist *z, uint64_t nranges, double h, double center,
                     uint32_t seed)
{
    shared_init(z, nranges, center, seed);
    z->pareto_pow = log(h) / log(1.0 - h);
}

uint64_t tio_pareto_next(struct tio_fdist *z)
{
    double r = (double)draw32(z) / FRAND32_MAX;
    uint64_t n = (uint64_t)((double)(z->nranges - 1) * pow(r, z->pareto_pow));
    return (fio_hash(z, n) + z->rand_off) % z->nranges;
}

void tio_gauss_init(struct tio_fdist *z, uint64_t nranges, double dev, double center,
                    uint32_t seed)
{
    memset(z, 0, sizeof(*z));
    tio_frand_seed(&z->rand, seed, false);
    z->nranges = nranges;
    z->hash_mult = GOLDEN_RATIO_64;
    if (dev != 0.0) {
        z->stddev = (uint32_t)ceil((double)nranges * dev / 100.0);
        if (z->stddev > nranges / 2)
            z->stddev = (uint32_t)(nranges / 2);
    }
    /* fio keeps the offset in an unsigned int, a center below 0.5 wrapping
     * it as the conversion does on x86-64 */
    z->rand_off = center < 0 ? 0 : (uint32_t)(int64_t)((double)nranges * (center - 0.5));
}

/* A deviation in [-stddev/2, stddev/2), as fio's int arithmetic gives it. */
static int64_t gauss_dev(struct tio_fdist *z)
{
    if (!z->stddev)
        return 0;
    uint32_t sd = (uint32_t)z->stddev;
    int vr = (int)((double)sd * ((double)draw32(z) / (FRAND32_MAX + 1.0)));
    return (int32_t)((uint32_t)vr - sd / 2);
}

uint64_t tio_gauss_next(struct tio_fdist *z)
{
    uint64_t sum = 0;
    for (int i = 0; i < 12; i++)
        sum += draw32(z) % (z->nranges + 1);
    sum = (sum + 11) / 12;
    if (z->stddev) {
        int64_t dev = gauss_dev(z);
        /* fio spins forever once dev reaches 0 with sum at nranges (all
         * draws at the top of a small range): stop there instead */
        while (dev && (uint64_t)dev + sum >= z->nranges)
            dev /= 2;
        sum += (uint64_t)dev;
    }
    return (fio_hash(z, sum) + z->rand_off) % z->nranges;
}

static uint32_t rol32(uint32_t w, unsigned s)
{
    return (w << s) | (w >> (32 - s));
}

uint32_t tio_fio_jhash(const void *key, size_t len, uint32_t initval)
{
    const uint8_t *k = key;
    uint32_t length = (uint32_t)len;
    uint32_t a, b, c;
    a = b = c = GOLDEN_RATIO_32 + length + initval;
    while (length > 12) {
        /* fio adds one byte per word here, not four */
        a += k[0];
        b += k[4];
        c += k[8];
        a -= c, a ^= rol32(c, 4), c += b;
        b -= a, b ^= rol32(a, 6), a += c;
        c -= b, c ^= rol32(b, 8), b += a;
        a -= c, a ^= rol32(c, 16), c += b;
        b -= a, b ^= rol32(a, 19), a += c;
        c -= b, c ^= rol32(b, 4), b += a;
        length -= 12;
        k += 12;
    }
    if (!length)
        return c;
    uint32_t *dst[3] = {&a, &b, &c};
    for (uint32_t i = 0; i < length; i++)
        *dst[i / 4] += (uint32_t)k[i] << (8 * (i % 4));
    c ^= b, c -= rol32(b, 14);
    a ^= c, a -= rol32(c, 11);
    b ^= a, b -= rol32(a, 25);
    c ^= b, c -= rol32(b, 16);
    a ^= c, a -= rol32(c, 4);
    b ^= a, b -= rol32(a, 14);
    c ^= b, c -= rol32(b, 24);
    return c;
}
