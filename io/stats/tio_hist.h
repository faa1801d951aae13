/* Log-linear latency histogram over nanoseconds.
 *
 * Bucket math. With S = TIO_HIST_SUB_BITS (7): a value v is split into its
 * power of two 2^k (k = floor(log2 v)) and the S bits just below the top bit.
 * Values below 2^(S+1) = 256 ns get one bucket each (exact). Above, every
 * range [2^k, 2^(k+1)) is cut into 2^S = 128 equal sub-buckets of width
 * w = 2^(k-S). The index is
 *
 *     shift = max(0, k - S)
 *     index = (shift << S) + (v >> shift)
 *
 * which needs one clz, two shifts and an add: k comes from clz(v | 2^S),
 * and OR-ing in 2^S makes shift 0 for every small value without a branch.
 * Buckets are contiguous: shift 0 covers indexes 0..255, each further shift
 * adds 128.
 *
 * Error bound. A bucket [lo, lo + w) with w > 1 has lo >= 128 * w. Reporting
 * its middle lo + (w - 1) / 2 is off by at most w / 2 from any value in it,
 * a relative error of at most 1 / 256 = 0.39% (the requirement is 1%).
 *
 * Range. Values up to 2^44 - 1 ns (4.9 hours) are bucketed; larger values go
 * to the last bucket while min, max, mean and stddev stay exact. That is
 * (44 - 7 + 1) * 128 = 4864 buckets, 38 KiB per histogram.
 *
 * Threads. A histogram belongs to one thread; record into it without locks
 * and merge histograms after the threads are done. */
#ifndef TIO_HIST_H
#define TIO_HIST_H

#include <stddef.h>
#include <stdint.h>

#include "tio_latstat.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TIO_HIST_SUB_BITS 7u
#define TIO_HIST_MAX_BITS 44u
#define TIO_HIST_MAX_VALUE ((UINT64_C(1) << TIO_HIST_MAX_BITS) - 1)
#define TIO_HIST_BUCKETS ((TIO_HIST_MAX_BITS - TIO_HIST_SUB_BITS + 1u) << TIO_HIST_SUB_BITS)

struct tio_hist {
    struct tio_latstat st; /* exact moments of every recorded value */
    uint64_t counts[TIO_HIST_BUCKETS];
};

static inline unsigned tio_hist_index(uint64_t v)
{
    v = v < TIO_HIST_MAX_VALUE ? v : TIO_HIST_MAX_VALUE;
    unsigned k = 63u - (unsigned)__builtin_clzll(v | (UINT64_C(1) << TIO_HIST_SUB_BITS));
    unsigned shift = k - TIO_HIST_SUB_BITS;
    return (shift << TIO_HIST_SUB_BITS) + (unsigned)(v >> shift);
}

/* The per-IO call: O(1), no allocation, no lock. */
static inline void tio_hist_record(struct tio_hist *h, uint64_t ns)
{
    h->counts[tio_hist_index(ns)]++;
    tio_latstat_add(&h->st, ns);
}

void tio_hist_init(struct tio_hist *h);
void tio_hist_reset(struct tio_hist *h);
void tio_hist_merge(struct tio_hist *dst, const struct tio_hist *src);

/* Smallest value of bucket i, and its width. */
uint64_t tio_hist_bucket_low(unsigned i);
uint64_t tio_hist_bucket_width(unsigned i);

/* The value that stands for bucket i: its middle. */
uint64_t tio_hist_bucket_value(unsigned i);

static inline uint64_t tio_hist_count(const struct tio_hist *h)
{
    return h->st.n;
}

/* Value at percentile p (0 < p <= 100): the value of rank ceil(p/100 * n)
 * in sorted order, within the bucket error, clamped to [min, max].
 * 0 when empty. */
uint64_t tio_hist_percentile(const struct tio_hist *h, double p);

/* Number of recorded values below x, counting each bucket on the side of
 * x where its middle lies (used for fio's latency distribution maps). */
uint64_t tio_hist_count_below(const struct tio_hist *h, uint64_t x);

/* Loads one bucket directly, e.g. to replay another tool's histogram. The
 * moments are not touched; set them with tio_latstat_from_summary. */
void tio_hist_add_count(struct tio_hist *h, uint64_t value, uint64_t count);

#ifdef __cplusplus
}
#endif

#endif
