/* The random map on its own: a run of blocks reaching past the map's last
 * block is marked whole within the last word (fio's axmap sets those bits,
 * and fio keeps the IO's unaligned size), yet the map is full only when its
 * own blocks are; a run stops at a block done already, past the end too. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "rmap.h"

static void test_run_past_end_keeps_its_length(void **state)
{
    (void)state;
    struct tio_rmap m;
    assert_int_equal(tio_rmap_init(&m, 34), 0);
    /* block 33 is the last; an IO drawn there two blocks long */
    assert_int_equal(tio_rmap_set_nr(&m, 33, 2), 2);
    assert_int_equal(m.done, 1);
    assert_false(tio_rmap_full(&m));
    for (uint64_t b = 0; b < 33; b++) {
        assert_false(tio_rmap_full(&m));
        assert_int_equal(tio_rmap_set1(&m, b), 1);
    }
    assert_true(tio_rmap_full(&m));
    assert_int_equal(tio_rmap_next_free(&m, 0), TIO_RMAP_NONE);
    tio_rmap_free(&m);
}

static void test_run_stops_at_a_bit_set_past_end(void **state)
{
    (void)state;
    struct tio_rmap m;
    assert_int_equal(tio_rmap_init(&m, 34), 0);
    assert_int_equal(tio_rmap_set_nr(&m, 33, 2), 2); /* bits 33 and 34 */
    /* a later run from 31 finds bit 33 done: it marks 31 and 32 only */
    assert_int_equal(tio_rmap_set_nr(&m, 31, 4), 2);
    assert_int_equal(m.done, 3);
    tio_rmap_reset(&m);
    assert_int_equal(m.done, 0);
    assert_int_equal(tio_rmap_set_nr(&m, 32, 4), 4); /* 32..35: two past the end */
    assert_int_equal(m.done, 2);
    tio_rmap_free(&m);
}

static void test_map_of_whole_words(void **state)
{
    (void)state;
    struct tio_rmap m;
    assert_int_equal(tio_rmap_init(&m, 128), 0);
    /* no word past the last: a run is cut at the map's end */
    assert_int_equal(tio_rmap_set_nr(&m, 126, 4), 2);
    assert_int_equal(m.done, 2);
    tio_rmap_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_past_end_keeps_its_length),
        cmocka_unit_test(test_run_stops_at_a_bit_set_past_end),
        cmocka_unit_test(test_map_of_whole_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
