/* Steady-state criteria over synthetic samples: the slope is the
 * least-squares line's (x = 0..dur-1, oldest first), the deviation the
 * largest distance from the mean, both absolute or in percent of the mean,
 * and the window slides one sample at a time. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <string.h>

#include "tio_job.h"
#include "tio_ss.h"

static void test_slope_needs_a_full_window(void **state)
{
    (void)state;
    struct tio_ss *s = tio_ss_new(TIO_SS_IOPS | TIO_SS_SLOPE, 1.0, 3);
    assert_non_null(s);
    assert_false(tio_ss_add(s, 100, 0));
    assert_false(tio_ss_add(s, 100, 0));
    assert_true(s->criterion == 0.0);
    /* flat: slope 0 < 1 */
    assert_true(tio_ss_add(s, 100, 0));
    assert_true(s->attained);
    assert_true(fabs(s->slope) < 1e-9);
    tio_ss_free(s);
}

static void test_slope_value_and_sign(void **state)
{
    (void)state;
    /* 10, 20, 30, 40: slope 10 per sample; 25 mean: 40% */
    struct tio_ss *s = tio_ss_new(TIO_SS_SLOPE | TIO_SS_PCT, 40.0, 4);
    uint64_t up[] = {10, 20, 30, 40};
    for (int i = 0; i < 3; i++)
        assert_false(tio_ss_add(s, 0, up[i]));
    assert_false(tio_ss_add(s, 0, up[3])); /* 40% is not below 40% */
    assert_true(fabs(s->slope - 10.0) < 1e-9);
    assert_true(fabs(s->criterion - 40.0) < 1e-9);
    tio_ss_free(s);

    /* falling as fast counts as unsteady too: |criterion| is compared */
    s = tio_ss_new(TIO_SS_SLOPE, 9.0, 4);
    uint64_t down[] = {40, 30, 20, 10};
    for (int i = 0; i < 4; i++)
        assert_false(tio_ss_add(s, 0, down[i]));
    assert_true(fabs(s->criterion + 10.0) < 1e-9);
    tio_ss_free(s);
}

static void test_window_slides(void **state)
{
    (void)state;
    /* the early ramp leaves the window: 0, 50 then 100, 100, 100 */
    struct tio_ss *s = tio_ss_new(TIO_SS_IOPS | TIO_SS_SLOPE | TIO_SS_PCT, 0.5, 3);
    uint64_t v[] = {0, 50, 100, 100};
    for (int i = 0; i < 4; i++)
        assert_false(tio_ss_add(s, v[i], 0));
    assert_true(tio_ss_add(s, 100, 0));
    /* oldest first in the JSON data */
    json_t *o = tio_ss_json(s);
    assert_non_null(o);
    json_t *iops = json_object_get(json_object_get(o, "data"), "iops");
    assert_int_equal(json_array_size(iops), 3);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(json_integer_value(json_array_get(iops, i)), 100);
    assert_string_equal(json_string_value(json_object_get(o, "ss")), "iops_slope:0.500000%");
    assert_int_equal(json_integer_value(json_object_get(o, "attained")), 1);
    assert_string_equal(json_string_value(json_object_get(o, "criterion")), "0.000000%");
    json_decref(o);
    tio_ss_free(s);
}

static void test_deviation(void **state)
{
    (void)state;
    /* 90, 110, 100: mean 100, largest distance 10 = 10% */
    struct tio_ss *s = tio_ss_new(TIO_SS_IOPS | TIO_SS_PCT, 10.5, 3);
    assert_false(tio_ss_add(s, 90, 0));
    assert_false(tio_ss_add(s, 110, 0));
    assert_true(tio_ss_add(s, 100, 0));
    assert_true(fabs(s->deviation - 10.0) < 1e-9);
    assert_true(fabs(s->criterion - 10.0) < 1e-9);
    tio_ss_free(s);

    s = tio_ss_new(TIO_SS_IOPS, 9.0, 3); /* absolute: 10 is not below 9 */
    assert_false(tio_ss_add(s, 90, 0));
    assert_false(tio_ss_add(s, 110, 0));
    assert_false(tio_ss_add(s, 100, 0));
    tio_ss_free(s);
}

static void test_means_and_idle(void **state)
{
    (void)state;
    /* fio divides by the window's length even before it is full */
    struct tio_ss *s = tio_ss_new(TIO_SS_SLOPE | TIO_SS_PCT, 1.0, 4);
    tio_ss_add(s, 4, 400);
    tio_ss_add(s, 8, 800);
    assert_int_equal(tio_ss_mean(s, true), 3);
    assert_int_equal(tio_ss_mean(s, false), 300);
    tio_ss_free(s);
    /* no IO: no relative slope, never steady */
    s = tio_ss_new(TIO_SS_SLOPE | TIO_SS_PCT, 1.0, 2);
    assert_false(tio_ss_add(s, 0, 0));
    assert_false(tio_ss_add(s, 0, 0));
    assert_false(s->attained);
    struct tio_ss *d = tio_ss_dup(s);
    assert_non_null(d);
    assert_int_equal(d->n, 2);
    tio_ss_free(d);
    tio_ss_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slope_needs_a_full_window),
        cmocka_unit_test(test_slope_value_and_sign),
        cmocka_unit_test(test_window_slides),
        cmocka_unit_test(test_deviation),
        cmocka_unit_test(test_means_and_idle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
