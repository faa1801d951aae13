#include "tio_hist.h"

#include <math.h>
#include <string.h>

void tio_hist_init(struct tio_hist *h)
{
    tio_hist_reset(h);
}

void tio_hist_reset(struct tio_hist *h)
{
    tio_latstat_init(&h->st);
    memset(h->counts, 0, sizeof(h->counts));
}

void tio_hist_merge(struct tio_hist *dst, const struct tio_hist *src)
{
    tio_latstat_merge(&dst->st, &src->st);
    for (unsigned i = 0; i < TIO_HIST_BUCKETS; i++)
        dst->counts[i] += src->counts[i];
}

uint64_t tio_hist_bucket_low(unsigned i)
{
    unsigned top = i >> TIO_HIST_SUB_BITS;
    if (top < 2)
        return i;
    unsigned shift = top - 1;
    uint64_t mantissa = (UINT64_C(1) << TIO_HIST_SUB_BITS) |
                        (i & ((1u << TIO_HIST_SUB_BITS) - 1));
    return mantissa << shift;
}

uint64_t tio_hist_bucket_width(unsigned i)
{
    unsigned top = i >> TIO_HIST_SUB_BITS;
    return top < 2 ? 1 : UINT64_C(1) << (top - 1);
}

uint64_t tio_hist_bucket_value(unsigned i)
{
    return tio_hist_bucket_low(i) + (tio_hist_bucket_width(i) - 1) / 2;
}

static uint64_t clamp_to_range(const struct tio_hist *h, uint64_t v)
{
    if (v < h->st.min)
        return h->st.min;
    if (v > h->st.max)
        return h->st.max;
    return v;
}

uint64_t tio_hist_percentile(const struct tio_hist *h, double p)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < TIO_HIST_BUCKETS; i++)
        n += h->counts[i];
    if (!n || !h->st.n)
        return 0;
    /* The small epsilon keeps 99.9% of 1000 at rank 999: 99.9 is stored as
     * 99.90000000000000568, which would otherwise round up to 1000. */
    long double want = ceill((long double)p * (long double)n / 100.0L - 1e-6L);
    uint64_t rank = want < 1.0L ? 1 : (want > (long double)n ? n : (uint64_t)want);
    /* The extremes are known exactly; no need for a bucket's middle. */
    if (rank == n)
        return h->st.max;
    if (rank == 1)
        return h->st.min;
    uint64_t seen = 0;
    for (unsigned i = 0; i < TIO_HIST_BUCKETS; i++) {
        seen += h->counts[i];
        if (seen >= rank)
            return clamp_to_range(h, tio_hist_bucket_value(i));
    }
    return h->st.max;
}

uint64_t tio_hist_count_below(const struct tio_hist *h, uint64_t x)
{
    uint64_t below = 0;
    for (unsigned i = 0; i < TIO_HIST_BUCKETS; i++) {
        if (tio_hist_bucket_value(i) >= x)
            break;
        below += h->counts[i];
    }
    return below;
}

void tio_hist_add_count(struct tio_hist *h, uint64_t value, uint64_t count)
{
    h->counts[tio_hist_index(value)] += count;
}
