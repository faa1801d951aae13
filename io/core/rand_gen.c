/* fio's generators' seeding and fio's per-purpose seed table. */
#include "rand_gen.h"

#include <sys/random.h>

#include "tio_job.h"

#define FIO_FIXED_SEED UINT64_C(0xb1899bed) /* fio 3.33's offsets' seed under randrepeat */
#define SEED_STEP UINT64_C(0x9e370001)

/* A state word below its minimum is raised past it: the generator's k
 * most significant bits must not all be 0 (L'Ecuyer's erratum). */
static uint64_t at_least(uint64_t x, uint64_t min)
{
    return x < min ? x + min : x;
}

/* fio starts from 53 (it writes (2^31) + (2^17) + (2^7), where ^ is xor)
 * and cranks the generator six times before use. */
static void seed32(uint32_t s[3], uint32_t seed)
{
    s[0] = (uint32_t)at_least((53u * 69069u) ^ seed, 1);
    s[1] = (uint32_t)at_least((s[0] * 69069u) ^ seed, 7);
    s[2] = (uint32_t)at_least((s[1] * 69069u) ^ seed, 15);
    for (int i = 0; i < 6; i++)
        tio_taus88(s);
}

static void seed64(uint64_t s[5], uint64_t seed)
{
    static const uint64_t min[5] = {1, 7, 15, 33, 49};
    uint64_t x = 53;
    for (int i = 0; i < 5; i++)
        x = s[i] = at_least((x * UINT64_C(6906969069)) ^ seed, min[i]);
    for (int i = 0; i < 6; i++)
        tio_taus258(s);
}

void tio_frand_seed(struct tio_frand *r, uint64_t seed, bool use64)
{
    r->use64 = use64;
    if (use64)
        seed64(r->s64, seed);
    else
        seed32(r->s32, (uint32_t)seed);
}

void tio_fseeds(const struct tio_job *job, uint64_t seeds[TIO_FSEED_COUNT])
{
    const struct tio_job_pattern *p = &job->pattern;
    uint64_t thread = (uint64_t)job->index + 1;
    if (!p->randrepeat && !p->randseed_set) {
        if (getrandom(seeds, sizeof(uint64_t) * TIO_FSEED_COUNT, 0) !=
            (ssize_t)(sizeof(uint64_t) * TIO_FSEED_COUNT))
            for (int i = 0; i < TIO_FSEED_COUNT; i++)
                seeds[i] = (uint64_t)(uintptr_t)seeds ^ ((uint64_t)i << 40) ^ thread;
    } else {
        uint64_t seed = p->randseed;
        for (int i = 0; i < 4; i++)
            seed *= SEED_STEP;
        for (int i = 0; i < TIO_FSEED_COUNT; i++) {
            seeds[i] = seed * thread + (uint64_t)i;
            seed *= SEED_STEP;
        }
    }
    /* fio 3.33: randrepeat alone fixes the offsets' seed. A randseed given
     * overrides randrepeat, as fio's own fixup says and fio 3.36 does;
     * fio 3.33 still fixed the offsets then, so its randseed moved no
     * offset unless randrepeat=0 */
    if (tio_reseeds(p))
        seeds[TIO_FSEED_BLOCK] = FIO_FIXED_SEED * thread;
}

bool tio_reseeds(const struct tio_job_pattern *p)
{
    return p->randrepeat && !p->randseed_set;
}
