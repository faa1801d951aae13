/* Exact running moments of a latency series: count, min, max, sum and sum of
 * squares, in integer arithmetic.
 *
 * The per-IO path cannot afford Welford's division per sample, and a double
 * sum of squares loses the low digits after a few billion IOs. Integers do
 * neither: the sum of nanoseconds fits 64 bits for any realistic run (2^64 ns
 * is 584 years of summed latency) and the sum of squares fits 128 bits (a
 * 1-hour latency squared is about 2^84, leaving room for 2^44 of them).
 * Merging two series is then exact, so a group's stddev is the same as if
 * one thread had recorded everything. */
#ifndef TIO_LATSTAT_H
#define TIO_LATSTAT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

__extension__ typedef unsigned __int128 tio_u128;

struct tio_latstat {
    uint64_t n;
    uint64_t sum;
    tio_u128 sumsq;
    uint64_t min; /* UINT64_MAX while n == 0 */
    uint64_t max;
};

void tio_latstat_init(struct tio_latstat *s);

static inline void tio_latstat_add(struct tio_latstat *s, uint64_t v)
{
    s->n++;
    s->sum += v;
    s->sumsq += (tio_u128)v * v;
    s->min = v < s->min ? v : s->min;
    s->max = v > s->max ? v : s->max;
}

void tio_latstat_merge(struct tio_latstat *dst, const struct tio_latstat *src);

/* 0 when empty, like fio's "min" of a direction that did no IO. */
uint64_t tio_latstat_min(const struct tio_latstat *s);
uint64_t tio_latstat_max(const struct tio_latstat *s);
double tio_latstat_mean(const struct tio_latstat *s);

/* Sample standard deviation (divides by n - 1, as fio does); 0 below two
 * samples. */
double tio_latstat_stddev(const struct tio_latstat *s);

/* Rebuilds moments from a summary (count, min, max, mean, sample stddev),
 * e.g. to replay results another tool produced. The sums are rounded to the
 * nearest integer. */
void tio_latstat_from_summary(struct tio_latstat *s, uint64_t n, uint64_t min, uint64_t max,
                              double mean, double stddev);

#ifdef __cplusplus
}
#endif

#endif
