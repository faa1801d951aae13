#include "tio_sstat.h"

#include <math.h>

void tio_sstat_init(struct tio_sstat *s)
{
    s->n = 0;
    s->min = 0.0;
    s->max = 0.0;
    s->mean = 0.0;
    s->m2 = 0.0;
}

void tio_sstat_add(struct tio_sstat *s, double x)
{
    if (s->n == 0) {
        s->min = x;
        s->max = x;
    } else {
        if (x < s->min)
            s->min = x;
        if (x > s->max)
            s->max = x;
    }
    s->n++;
    double delta = x - s->mean;
    s->mean += delta / (double)s->n;
    s->m2 += delta * (x - s->mean);
}

void tio_sstat_merge(struct tio_sstat *dst, const struct tio_sstat *src)
{
    if (src->n == 0)
        return;
    if (dst->n == 0) {
        *dst = *src;
        return;
    }
    double na = (double)dst->n, nb = (double)src->n, n = na + nb;
    double delta = src->mean - dst->mean;
    dst->mean += delta * nb / n;
    dst->m2 += src->m2 + delta * delta * na * nb / n;
    dst->n += src->n;
    if (src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
}

static double variance(const struct tio_sstat *s)
{
    return s->n > 1 ? s->m2 / (double)(s->n - 1) : 0.0;
}

void tio_sstat_sum(struct tio_sstat *dst, const struct tio_sstat *src)
{
    if (src->n == 0)
        return;
    if (dst->n == 0) {
        *dst = *src;
        return;
    }
    double var = variance(dst) + variance(src);
    dst->min += src->min;
    dst->max += src->max;
    dst->mean += src->mean;
    dst->n += src->n;
    dst->m2 = var * (double)(dst->n - 1);
}

double tio_sstat_stddev(const struct tio_sstat *s)
{
    return sqrt(variance(s));
}

void tio_sstat_from_summary(struct tio_sstat *s, uint64_t n, double min, double max,
                            double mean, double stddev)
{
    s->n = n;
    s->min = min;
    s->max = max;
    s->mean = mean;
    s->m2 = n > 1 ? stddev * stddev * (double)(n - 1) : 0.0;
}
