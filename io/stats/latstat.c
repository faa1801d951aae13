#include "tio_latstat.h"

#include <math.h>

void tio_latstat_init(struct tio_latstat *s)
{
    s->n = 0;
    s->sum = 0;
    s->sumsq = 0;
    s->min = UINT64_MAX;
    s->max = 0;
}

void tio_latstat_merge(struct tio_latstat *dst, const struct tio_latstat *src)
{
    dst->n += src->n;
    dst->sum += src->sum;
    dst->sumsq += src->sumsq;
    if (src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
}

uint64_t tio_latstat_min(const struct tio_latstat *s)
{
    return s->n ? s->min : 0;
}

uint64_t tio_latstat_max(const struct tio_latstat *s)
{
    return s->n ? s->max : 0;
}

double tio_latstat_mean(const struct tio_latstat *s)
{
    if (!s->n)
        return 0.0;
    return (double)((long double)s->sum / (long double)s->n);
}

double tio_latstat_stddev(const struct tio_latstat *s)
{
    if (s->n < 2)
        return 0.0;
    /* M2 = sumsq - sum^2/n. sum^2 may need 128 bits on its own, so split
     * sum = q*n + r: sum^2/n = q^2*n + 2*q*r + r^2/n. The integer part never
     * exceeds sumsq (Cauchy-Schwarz), so it is subtracted exactly and only
     * the fraction r^2/n, smaller than n, is left to floating point. */
    uint64_t n = s->n;
    uint64_t q = s->sum / n;
    uint64_t r = s->sum % n;
    tio_u128 whole = (tio_u128)q * q * n + (tio_u128)2 * q * r;
    long double m2 = 0.0L;
    if (s->sumsq >= whole)
        m2 = (long double)(s->sumsq - whole) - (long double)r * (long double)r / (long double)n;
    if (m2 < 0.0L)
        m2 = 0.0L;
    return (double)sqrtl(m2 / (long double)(n - 1));
}

void tio_latstat_from_summary(struct tio_latstat *s, uint64_t n, uint64_t min, uint64_t max,
                              double mean, double stddev)
{
    tio_latstat_init(s);
    if (!n)
        return;
    s->n = n;
    s->min = min;
    s->max = max;
    long double sum = roundl((long double)mean * (long double)n);
    s->sum = (uint64_t)sum;
    long double m2 = (long double)stddev * (long double)stddev * (long double)(n - 1);
    long double sumsq = m2 + sum * sum / (long double)n;
    s->sumsq = (tio_u128)roundl(sumsq);
}
