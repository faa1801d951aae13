/* fio's LFSR (io/core/lfsr.c): every block number once per cycle, none
 * past the last, the end of the cycle reported, and a reseed that starts
 * the same sequence again. fio's exact sequences are checked against fio
 * by zones_test.py. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "lfsr.h"

static const uint64_t sizes[] = {1, 2, 3, 7, 8, 9, 16, 100, 1000, 4096, 65537};

static void each_block_once(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        uint64_t n = sizes[i], b;
        struct tio_lfsr l;
        assert_true(tio_lfsr_init(&l, n, 0x1234));
        unsigned char *seen = calloc(n, 1);
        assert_non_null(seen);
        for (uint64_t k = 0; k < n; k++) {
            assert_true(tio_lfsr_next(&l, &b));
            assert_true(b < n);
            assert_false(seen[b]);
            seen[b] = 1;
        }
        assert_false(tio_lfsr_next(&l, &b)); /* the cycle is over */
        free(seen);
    }
}

static void reseed_repeats(void **state)
{
    (void)state;
    struct tio_lfsr l;
    uint64_t a[50], b;
    assert_true(tio_lfsr_init(&l, 1000, 77));
    /* the first draw after init steps once more (fio's spin cycle), and
     * a reseed does not bring that back */
    assert_true(tio_lfsr_next(&l, &b));
    assert_true(tio_lfsr_reset(&l, 77));
    for (int k = 0; k < 50; k++)
        assert_true(tio_lfsr_next(&l, &a[k]));
    assert_true(tio_lfsr_reset(&l, 77));
    for (int k = 0; k < 50; k++) {
        assert_true(tio_lfsr_next(&l, &b));
        assert_int_equal(a[k], b);
    }
}

static void bad_seed_and_size(void **state)
{
    (void)state;
    struct tio_lfsr l;
    /* 16 blocks: a 5-bit register, whose all-ones state never moves */
    assert_false(tio_lfsr_init(&l, 16, 0x1f));
    assert_false(tio_lfsr_init(&l, 0, 1));
    assert_false(tio_lfsr_init(&l, UINT64_MAX, 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_block_once),
        cmocka_unit_test(reseed_repeats),
        cmocka_unit_test(bad_seed_and_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
