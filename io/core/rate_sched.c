/* The schedule of a rate-capped job, as fio's usec_for_io and rate_ddir:
 * linear spaces IOs so that the bytes issued by time t are bps x t; poisson
 * adds to the last due time an exponential gap of mean 10^6 / IOPS us. */
#include "rate_sched.h"

#include <math.h>
#include <string.h>

void tio_rate_sched_init(struct tio_rate_sched *s, const uint64_t bps[2], const uint64_t bs[2],
                         const bool does[2], bool poisson, uint64_t seed)
{
    memset(s, 0, sizeof(*s));
    for (unsigned d = 0; d < 2; d++) {
        s->bps[d] = bps[d];
        s->bs[d] = bs[d];
        s->does[d] = does[d];
        /* a stream of its own per direction: the offsets' stream stays
         * what it is without a cap */
        tio_rand_seed(&s->rng[d], seed ^ (0x9e3779b97f4a7c15ull * (d + 1)));
    }
    s->poisson = poisson;
}

void tio_rate_sched_reset(struct tio_rate_sched *s)
{
    memset(s->issued, 0, sizeof(s->issued));
    memset(s->next_us, 0, sizeof(s->next_us));
    memset(s->last_us, 0, sizeof(s->last_us));
}

/* A uniform draw in (0, 1]: -log of it is finite. */
static double draw_0_1(struct tio_rand *r)
{
    return (double)((tio_rand_next(r) >> 11) + 1) / 9007199254740992.0;
}

void tio_rate_sched_issued(struct tio_rate_sched *s, unsigned d, uint64_t len)
{
    uint64_t bps = s->bps[d];
    if (!bps)
        return; /* never due later than now: no cap */
    if (s->poisson) {
        /* fio: an integer mean gap, times -log(u) */
        uint64_t iops = bps / s->bs[d];
        uint64_t mean = 1000000 / (iops ? iops : 1);
        s->last_us[d] += (uint64_t)((double)mean * -log(draw_0_1(&s->rng[d])));
        s->next_us[d] = s->last_us[d];
        return;
    }
    s->issued[d] += len;
    uint64_t secs = s->issued[d] / bps, rem = s->issued[d] % bps;
    s->next_us[d] = secs * 1000000 + rem * 1000000 / bps;
}

void tio_rate_sched_skip(struct tio_rate_sched *s, unsigned d, uint64_t us)
{
    uint64_t bps = s->bps[d];
    if (!bps || !us)
        return;
    uint64_t missed = bps * us / 1000000;
    uint64_t per_io_us = s->bs[d] * 1000000 / bps;
    /* fio takes one block off only when a whole block's time was missed */
    uint64_t over = per_io_us <= us ? s->bs[d] : 0;
    s->last_us[d] += us;
    if (s->poisson) {
        s->next_us[d] = s->last_us[d];
        return;
    }
    s->issued[d] += missed > over ? missed - over : 0;
    uint64_t secs = s->issued[d] / bps, rem = s->issued[d] % bps;
    s->next_us[d] = secs * 1000000 + rem * 1000000 / bps;
}

uint64_t tio_rate_sched_due(const struct tio_rate_sched *s)
{
    if (s->does[0] && s->does[1])
        return s->next_us[0] < s->next_us[1] ? s->next_us[0] : s->next_us[1];
    return s->does[1] ? s->next_us[1] : s->next_us[0];
}

unsigned tio_rate_sched_pick(const struct tio_rate_sched *s, unsigned d, uint64_t now_us)
{
    unsigned o = d ^ 1;
    if (s->next_us[d] <= now_us || !s->does[o])
        return d;
    if (s->next_us[o] <= now_us)
        return o;
    return s->next_us[d] <= s->next_us[o] ? d : o;
}
