/* fio_dist.c's generators on their own: the LFSR gives each of n values
 * exactly once a pass, for sizes around every register length, and again
 * after a reset; zipf, pareto and normal stay below their range; fio's
 * jhash of names of every remainder length against values fio 3.33
 * computes (its hash.h, run on these names). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fio_dist.h"
#include "lfsr.h"

static void each_once(uint64_t n, uint64_t seed)
{
    struct tio_lfsr l;
    assert_true(tio_lfsr_init(&l, n, seed));
    uint8_t *seen = calloc(n, 1);
    assert_non_null(seen);
    for (int pass = 0; pass < 2; pass++) {
        memset(seen, 0, n);
        for (uint64_t i = 0; i < n; i++) {
            uint64_t v = UINT64_MAX;
            assert_true(tio_lfsr_next(&l, &v));
            assert_true(v < n);
            assert_int_equal(seen[v], 0);
            seen[v] = 1;
        }
        uint64_t v;
        assert_false(tio_lfsr_next(&l, &v));
        tio_lfsr_reset(&l, seed);
    }
    free(seen);
}

static void test_lfsr_each_block_once(void **state)
{
    (void)state;
    for (unsigned bits = 1; bits <= 17; bits++) {
        uint64_t p = UINT64_C(1) << bits;
        each_once(p - 1, 0xb1899bed);
        each_once(p, 0x1234);
        each_once(p + 1, 6);
    }
    each_once(1, 0);
    each_once(3, 5);
}

static void test_lfsr_limits(void **state)
{
    (void)state;
    struct tio_lfsr l;
    assert_false(tio_lfsr_init(&l, 0, 1));
    assert_false(tio_lfsr_init(&l, UINT64_C(1) << 63, 1));
    /* the all-ones state never leaves itself: fio refuses it */
    assert_false(tio_lfsr_init(&l, 100, 127));
}

static void test_models_in_range(void **state)
{
    (void)state;
    struct tio_fdist z;
    tio_zipf_init(&z, 1000, 1.2, -1, 42);
    for (int i = 0; i < 10000; i++)
        assert_true(tio_zipf_next(&z) < 1000);
    tio_pareto_init(&z, 77, 0.3, 0.5, 42);
    for (int i = 0; i < 10000; i++)
        assert_true(tio_pareto_next(&z) < 77);
    tio_gauss_init(&z, 5, 99, 0.1, 42);
    for (int i = 0; i < 10000; i++)
        assert_true(tio_gauss_next(&z) < 5);
}

static void test_jhash(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        uint32_t h;
    } want[] = {
#include "jhash_cases.h"
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        assert_int_equal(tio_fio_jhash(want[i].s, strlen(want[i].s), 0), want[i].h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lfsr_each_block_once),
        cmocka_unit_test(test_lfsr_limits),
        cmocka_unit_test(test_models_in_range),
        cmocka_unit_test(test_jhash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
