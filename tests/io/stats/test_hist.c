/* Latency histogram and exact moments. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tio_hist.h"
#include "tio_latstat.h"

/* Deterministic generator, so a failure can be reproduced. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t rng(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    rng_state = x;
    return x;
}

/* Log-uniform over [1, max]: every scale gets tested equally. */
static uint64_t log_uniform(uint64_t max)
{
    double u = (double)(rng() >> 11) / 9007199254740992.0;
    double v = exp(u * log((double)max));
    uint64_t r = (uint64_t)v;
    return r ? r : 1;
}

static struct tio_hist *hist_new(void)
{
    struct tio_hist *h = malloc(sizeof(*h));
    assert_non_null(h);
    tio_hist_init(h);
    return h;
}

static const uint64_t one_hour_ns = UINT64_C(3600) * 1000000000u;

static void test_index_layout(void **state)
{
    (void)state;
    /* Buckets tile the range with no gap and no overlap. */
    uint64_t expect_low = 0;
    for (unsigned i = 0; i < TIO_HIST_BUCKETS; i++) {
        assert_int_equal(tio_hist_bucket_low(i), expect_low);
        assert_int_equal(tio_hist_index(expect_low), i);
        uint64_t w = tio_hist_bucket_width(i);
        assert_int_equal(tio_hist_index(expect_low + w - 1), i);
        expect_low += w;
    }
    assert_int_equal(expect_low, TIO_HIST_MAX_VALUE + 1);
    /* Out-of-range values land in the last bucket. */
    assert_int_equal(tio_hist_index(UINT64_MAX), TIO_HIST_BUCKETS - 1);
    assert_true(TIO_HIST_MAX_VALUE > one_hour_ns);
}

static void test_error_bound(void **state)
{
    (void)state;
    /* Every value from 1 ns to over an hour: the single recorded value comes
     * back within 1% (the design bound is 1/256). */
    double worst = 0.0;
    for (int i = 0; i < 2000000; i++) {
        uint64_t v = log_uniform(one_hour_ns * 2);
        uint64_t rep = tio_hist_bucket_value(tio_hist_index(v));
        double err = fabs((double)rep - (double)v) / (double)v;
        if (err > worst)
            worst = err;
    }
    /* And exhaustively at every bucket edge and the values around it. */
    for (unsigned i = 1; i < TIO_HIST_BUCKETS; i++) {
        uint64_t lo = tio_hist_bucket_low(i);
        uint64_t hi = lo + tio_hist_bucket_width(i) - 1;
        uint64_t cand[] = {lo, hi, lo + 1 <= hi ? lo + 1 : lo};
        for (size_t k = 0; k < 3; k++) {
            uint64_t rep = tio_hist_bucket_value(tio_hist_index(cand[k]));
            double err = fabs((double)rep - (double)cand[k]) / (double)cand[k];
            if (err > worst)
                worst = err;
        }
    }
    print_message("worst relative error: %.5f%%\n", worst * 100.0);
    assert_true(worst <= 1.0 / 256.0 + 1e-12);
    assert_true(worst <= 0.01);
    /* Small values are exact. */
    for (uint64_t v = 0; v < 256; v++)
        assert_int_equal(tio_hist_bucket_value(tio_hist_index(v)), v);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void check_percentiles(const uint64_t *vals, size_t n)
{
    struct tio_hist *h = hist_new();
    uint64_t *sorted = malloc(n * sizeof(*sorted));
    assert_non_null(sorted);
    for (size_t i = 0; i < n; i++) {
        tio_hist_record(h, vals[i]);
        sorted[i] = vals[i];
    }
    qsort(sorted, n, sizeof(*sorted), cmp_u64);
    static const double ps[] = {0.001, 1,  5,  10, 20,   30,   40,    50,    60,     70,
                                80,    90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999, 100};
    for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
        double rank = ceil(ps[i] * (double)n / 100.0 - 1e-6);
        size_t r = rank < 1 ? 1 : (size_t)rank;
        if (r > n)
            r = n;
        uint64_t exact = sorted[r - 1];
        uint64_t got = tio_hist_percentile(h, ps[i]);
        double err = exact ? fabs((double)got - (double)exact) / (double)exact : (double)got;
        if (err > 1.0 / 256.0 + 1e-12)
            fail_msg("p%g: histogram %llu, exact %llu (n=%zu)", ps[i], (unsigned long long)got,
                     (unsigned long long)exact, n);
    }
    assert_int_equal(tio_hist_percentile(h, 100.0), sorted[n - 1]);
    assert_int_equal(tio_latstat_min(&h->st), sorted[0]);
    assert_int_equal(tio_latstat_max(&h->st), sorted[n - 1]);
    free(sorted);
    free(h);
}

static void test_percentiles_vs_sorted(void **state)
{
    (void)state;
    size_t n = 200000;
    uint64_t *v = malloc(n * sizeof(*v));
    assert_non_null(v);
    /* Log-uniform from 1 ns to 2 hours. */
    for (size_t i = 0; i < n; i++)
        v[i] = log_uniform(one_hour_ns * 2);
    check_percentiles(v, n);
    /* A tight cluster with a long tail, like a real device. */
    for (size_t i = 0; i < n; i++) {
        uint64_t base = 40000 + rng() % 15000;
        v[i] = (rng() % 1000 == 0) ? base * (1 + rng() % 300) : base;
    }
    check_percentiles(v, n);
    /* Tiny counts. */
    check_percentiles(v, 1);
    check_percentiles(v, 3);
    check_percentiles(v, 1000);
    free(v);
}

static void test_empty(void **state)
{
    (void)state;
    struct tio_hist *h = hist_new();
    assert_int_equal(tio_hist_percentile(h, 50.0), 0);
    assert_int_equal(tio_latstat_min(&h->st), 0);
    assert_int_equal(tio_latstat_max(&h->st), 0);
    assert_true(tio_latstat_mean(&h->st) == 0.0);
    assert_true(tio_latstat_stddev(&h->st) == 0.0);
    tio_hist_record(h, 7);
    assert_true(tio_latstat_stddev(&h->st) == 0.0);
    tio_hist_reset(h);
    assert_int_equal(tio_hist_count(h), 0);
    for (unsigned i = 0; i < TIO_HIST_BUCKETS; i++)
        assert_int_equal(h->counts[i], 0);
    free(h);
}

static void test_merge_equals_single(void **state)
{
    (void)state;
    struct tio_hist *all = hist_new();
    struct tio_hist *parts[4];
    for (int i = 0; i < 4; i++)
        parts[i] = hist_new();
    for (int i = 0; i < 400000; i++) {
        uint64_t v = log_uniform(one_hour_ns * 8); /* includes clamped values */
        tio_hist_record(all, v);
        tio_hist_record(parts[i % 4], v);
    }
    struct tio_hist *merged = hist_new();
    for (int i = 0; i < 4; i++)
        tio_hist_merge(merged, parts[i]);
    assert_memory_equal(merged->counts, all->counts, sizeof(all->counts));
    assert_int_equal(merged->st.n, all->st.n);
    assert_int_equal(merged->st.sum, all->st.sum);
    assert_true(merged->st.sumsq == all->st.sumsq);
    assert_int_equal(merged->st.min, all->st.min);
    assert_int_equal(merged->st.max, all->st.max);
    assert_true(tio_latstat_stddev(&merged->st) == tio_latstat_stddev(&all->st));
    assert_int_equal(tio_hist_percentile(merged, 99.9), tio_hist_percentile(all, 99.9));
    for (int i = 0; i < 4; i++)
        free(parts[i]);
    free(merged);
    free(all);
}

/* Naive two-pass in long double, the reference for the one-pass sums. */
static void two_pass(const uint64_t *v, size_t n, double *mean, double *sd)
{
    long double s = 0;
    for (size_t i = 0; i < n; i++)
        s += v[i];
    long double m = s / n;
    long double q = 0;
    for (size_t i = 0; i < n; i++)
        q += ((long double)v[i] - m) * ((long double)v[i] - m);
    *mean = (double)m;
    *sd = n > 1 ? (double)sqrtl(q / (n - 1)) : 0.0;
}

static void check_moments(const uint64_t *v, size_t n)
{
    struct tio_latstat st;
    tio_latstat_init(&st);
    for (size_t i = 0; i < n; i++)
        tio_latstat_add(&st, v[i]);
    double mean, sd;
    two_pass(v, n, &mean, &sd);
    double got_mean = tio_latstat_mean(&st), got_sd = tio_latstat_stddev(&st);
    if (fabs(got_mean - mean) > 1e-9 * fabs(mean) + 1e-9 ||
        fabs(got_sd - sd) > 1e-9 * fabs(sd) + 1e-9)
        fail_msg("mean %.9f vs %.9f, stddev %.9f vs %.9f", got_mean, mean, got_sd, sd);
}

static void test_stddev_vs_two_pass(void **state)
{
    (void)state;
    size_t n = 100000;
    uint64_t *v = malloc(n * sizeof(*v));
    assert_non_null(v);
    for (size_t i = 0; i < n; i++)
        v[i] = log_uniform(one_hour_ns);
    check_moments(v, n);
    /* The catastrophic-cancellation case: a large mean, a tiny spread. A
     * double sum of squares loses all of the spread here. */
    for (size_t i = 0; i < n; i++)
        v[i] = UINT64_C(3000000000000) + (rng() % 3);
    check_moments(v, n);
    for (size_t i = 0; i < n; i++)
        v[i] = 50000;
    check_moments(v, n);
    check_moments(v, 2);
    free(v);
}

static void test_summary_roundtrip(void **state)
{
    (void)state;
    struct tio_latstat st;
    tio_latstat_from_summary(&st, 18011, 32538, 12207128, 55824.600522, 232930.459056);
    assert_int_equal(st.n, 18011);
    assert_int_equal(tio_latstat_min(&st), 32538);
    assert_int_equal(tio_latstat_max(&st), 12207128);
    assert_true(fabs(tio_latstat_mean(&st) - 55824.600522) < 1e-3);
    assert_true(fabs(tio_latstat_stddev(&st) - 232930.459056) < 1e-3);
}

static void test_count_below(void **state)
{
    (void)state;
    struct tio_hist *h = hist_new();
    for (uint64_t v = 1; v <= 100000; v++)
        tio_hist_record(h, v);
    /* Exact below 256, within a bucket above. */
    assert_int_equal(tio_hist_count_below(h, 2), 1);
    assert_int_equal(tio_hist_count_below(h, 250), 249);
    uint64_t b = tio_hist_count_below(h, 50000);
    assert_true(b >= 49999 - 50000 / 128 && b <= 49999 + 50000 / 128);
    assert_int_equal(tio_hist_count_below(h, UINT64_MAX), 100000);
    free(h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_index_layout),          cmocka_unit_test(test_error_bound),
        cmocka_unit_test(test_percentiles_vs_sorted), cmocka_unit_test(test_empty),
        cmocka_unit_test(test_merge_equals_single),   cmocka_unit_test(test_stddev_vs_two_pass),
        cmocka_unit_test(test_summary_roundtrip),     cmocka_unit_test(test_count_below),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
