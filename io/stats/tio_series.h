/* In-memory time series of one job's throughput, for plots drawn after the
 * run (IOPS and bandwidth over time, per direction).
 *
 * Points hold counts over an interval, not rates, so that two adjacent
 * points merge exactly: the merged point's rate is the true average over
 * its span. Memory is bounded: the array grows by doubling up to a cap; when
 * full, adjacent pairs are merged (halving the resolution) and from then on
 * each stored point gathers twice as many raw samples. A run of any length
 * therefore keeps between cap/2 and cap evenly spaced points. */
#ifndef TIO_SERIES_H
#define TIO_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "tio_ddir.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TIO_SERIES_DEFAULT_CAP 4096

struct tio_series_point {
    uint64_t t_ns;   /* start of the interval, from the job's start */
    uint64_t dur_ns; /* length of the interval */
    uint64_t ios[TIO_DDIR_COUNT];
    uint64_t bytes[TIO_DDIR_COUNT];
};

struct tio_series {
    struct tio_series_point *pts;
    size_t n;
    size_t alloc;
    size_t cap;      /* most points ever kept (even, >= 2) */
    uint64_t stride; /* raw samples per stored point */
    struct tio_series_point pending;
    uint64_t pending_n;
};

/* cap 0 means TIO_SERIES_DEFAULT_CAP. No memory is taken until the first
 * point. */
void tio_series_init(struct tio_series *s, size_t cap);
void tio_series_fini(struct tio_series *s);
void tio_series_clear(struct tio_series *s);

/* Adds one raw sample, which must start where the previous one ended.
 * Never fails: when memory cannot grow, the series merges points instead,
 * trading resolution for memory (and with no memory at all, drops them). */
void tio_series_add(struct tio_series *s, const struct tio_series_point *p);

/* Stores a partly gathered point (the run's last, shorter interval). */
void tio_series_flush(struct tio_series *s);

static inline size_t tio_series_count(const struct tio_series *s)
{
    return s->n;
}
static inline const struct tio_series_point *tio_series_points(const struct tio_series *s)
{
    return s->pts;
}

#ifdef __cplusplus
}
#endif

#endif
