/* Time series: bounded memory, nothing lost when points merge. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "tio_series.h"

static void feed(struct tio_series *s, uint64_t n, uint64_t *ios_total, uint64_t *bytes_total)
{
    *ios_total = 0;
    *bytes_total = 0;
    for (uint64_t i = 0; i < n; i++) {
        struct tio_series_point p;
        memset(&p, 0, sizeof(p));
        p.t_ns = i * 500000000u;
        p.dur_ns = 500000000u;
        p.ios[0] = 1000 + i % 7;
        p.bytes[0] = p.ios[0] * 4096;
        p.ios[1] = i % 3;
        p.bytes[1] = p.ios[1] * 4096;
        *ios_total += p.ios[0] + p.ios[1];
        *bytes_total += p.bytes[0] + p.bytes[1];
        tio_series_add(s, &p);
    }
}

static void check_series(const struct tio_series *s, uint64_t n_raw, uint64_t ios_total,
                         uint64_t bytes_total)
{
    const struct tio_series_point *pts = tio_series_points(s);
    size_t n = tio_series_count(s);
    uint64_t ios = 0, bytes = 0, t = 0;
    for (size_t i = 0; i < n; i++) {
        /* Contiguous: each point starts where the previous one ended. */
        assert_int_equal(pts[i].t_ns, t);
        t += pts[i].dur_ns;
        for (int d = 0; d < TIO_DDIR_COUNT; d++) {
            ios += pts[i].ios[d];
            bytes += pts[i].bytes[d];
        }
    }
    assert_int_equal(t, n_raw * 500000000u);
    assert_int_equal(ios, ios_total);
    assert_int_equal(bytes, bytes_total);
}

static void test_bounded(void **state)
{
    (void)state;
    struct tio_series s;
    tio_series_init(&s, 1000);
    uint64_t ios, bytes;
    uint64_t n_raw = 100003; /* 14 hours at 2 samples a second */
    feed(&s, n_raw, &ios, &bytes);
    assert_true(tio_series_count(&s) <= 1000);
    assert_true(s.alloc <= 1000);
    tio_series_flush(&s);
    assert_true(tio_series_count(&s) <= 1000);
    assert_true(tio_series_count(&s) >= 500);
    check_series(&s, n_raw, ios, bytes);
    /* Evenly spaced: all but the last point span the same time. */
    const struct tio_series_point *pts = tio_series_points(&s);
    for (size_t i = 1; i + 1 < tio_series_count(&s); i++)
        assert_int_equal(pts[i].dur_ns, pts[0].dur_ns);
    tio_series_fini(&s);
}

static void test_small_run_keeps_every_sample(void **state)
{
    (void)state;
    struct tio_series s;
    tio_series_init(&s, 0);
    uint64_t ios, bytes;
    feed(&s, 300, &ios, &bytes);
    tio_series_flush(&s);
    assert_int_equal(tio_series_count(&s), 300);
    check_series(&s, 300, ios, bytes);
    tio_series_clear(&s);
    assert_int_equal(tio_series_count(&s), 0);
    tio_series_fini(&s);
}

static void test_tiny_cap(void **state)
{
    (void)state;
    for (size_t cap = 2; cap <= 9; cap++) {
        for (uint64_t n_raw = 1; n_raw < 200; n_raw += 7) {
            struct tio_series s;
            tio_series_init(&s, cap);
            uint64_t ios, bytes;
            feed(&s, n_raw, &ios, &bytes);
            tio_series_flush(&s);
            assert_true(tio_series_count(&s) <= (cap & ~(size_t)1));
            check_series(&s, n_raw, ios, bytes);
            tio_series_fini(&s);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bounded),
        cmocka_unit_test(test_small_run_keeps_every_sample),
        cmocka_unit_test(test_tiny_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
