/* Number formatting; every expected string below was printed by fio 3.33
 * for the same number. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "tio_units.h"

#define CHECK(call, want)                                           \
    do {                                                            \
        char b_[TIO_NUM_STR_MAX];                                   \
        const char *got_ = call;                                    \
        (void)b_;                                                   \
        if (strcmp(got_, want) != 0)                                \
            fail_msg("%s: got '%s', want '%s'", #call, got_, want); \
    } while (0)

static void test_bandwidth(void **state)
{
    (void)state;
    char b[TIO_NUM_STR_MAX];
    /* 10,483,712 B/s: fio's "BW=9.99MiB/s (10.5MB/s)". */
    CHECK(tio_fmt_bw_bin(b, sizeof(b), 10479000), "9.99MiB/s");
    CHECK(tio_fmt_bw_dec(b, sizeof(b), 10479000), "10.5MB/s");
    CHECK(tio_fmt_bw_bin(b, sizeof(b), 9996 * 1024 + 100), "9996KiB/s");
    CHECK(tio_fmt_bw_dec(b, sizeof(b), 9996 * 1024 + 100), "10.2MB/s");
    CHECK(tio_fmt_bw_bin(b, sizeof(b), 100352), "98.0KiB/s");
    CHECK(tio_fmt_bw_dec(b, sizeof(b), 100352), "100kB/s");
    CHECK(tio_fmt_bw_bin(b, sizeof(b), 1023 * 1024 + 10), "1023KiB/s");
    CHECK(tio_fmt_bw_dec(b, sizeof(b), 999 * 1024 + 500), "1023kB/s");
    CHECK(tio_fmt_bw_bin(b, sizeof(b), 36868093), "35.2MiB/s");
    CHECK(tio_fmt_bw_dec(b, sizeof(b), 36868093), "36.9MB/s");
    CHECK(tio_fmt_bw_bin(b, sizeof(b), UINT64_C(37044040336)), "34.5GiB/s");
    CHECK(tio_fmt_bw_dec(b, sizeof(b), UINT64_C(37044040336)), "37.0GB/s");
    CHECK(tio_fmt_bw_bin(b, sizeof(b), 500), "500B/s");
    CHECK(tio_fmt_bw_bin(b, sizeof(b), 0), "0B/s");
}

static void test_amounts(void **state)
{
    (void)state;
    char b[TIO_NUM_STR_MAX];
    CHECK(tio_fmt_bytes_bin(b, sizeof(b), UINT64_C(1073741824)), "1024MiB");
    CHECK(tio_fmt_bytes_dec(b, sizeof(b), UINT64_C(1073741824)), "1074MB");
    CHECK(tio_fmt_bytes_bin(b, sizeof(b), 1999 * 1024), "1999KiB");
    CHECK(tio_fmt_bytes_dec(b, sizeof(b), 1999 * 1024), "2047kB");
    CHECK(tio_fmt_bytes_bin(b, sizeof(b), 33423360), "31.9MiB");
    CHECK(tio_fmt_bytes_dec(b, sizeof(b), 33423360), "33.4MB");
    CHECK(tio_fmt_bytes_bin(b, sizeof(b), UINT64_C(190840832)), "182MiB");
    CHECK(tio_fmt_bytes_bin(b, sizeof(b), 20 * 1024 * 1024), "20.0MiB");
    CHECK(tio_fmt_bytes_bin(b, sizeof(b), UINT64_C(148023296000)), "138GiB");
    CHECK(tio_fmt_bytes_bin(b, sizeof(b), UINT64_MAX), "16.0EiB");
}

static void test_iops(void **state)
{
    (void)state;
    char b[TIO_NUM_STR_MAX];
    CHECK(tio_fmt_iops(b, sizeof(b), 97), "97");
    CHECK(tio_fmt_iops(b, sizeof(b), 9995), "9995");
    CHECK(tio_fmt_iops(b, sizeof(b), 10240), "10.2k");
    CHECK(tio_fmt_iops(b, sizeof(b), 19382), "19.4k");
    CHECK(tio_fmt_iops(b, sizeof(b), 9039000), "9039k");
    CHECK(tio_fmt_iops(b, sizeof(b), 18061441), "18.1M");
    CHECK(tio_fmt_iops(b, sizeof(b), 316000), "316k");
    /* Rounding that carries into a fifth digit moves to the next unit. */
    CHECK(tio_fmt_iops(b, sizeof(b), 9999600), "10000k"); /* fio 3.33 prints it so */
}

static void test_latency_values(void **state)
{
    (void)state;
    char b[TIO_NUM_STR_MAX];
    /* min/max in latency lines: six digits. */
    CHECK(tio_fmt_num(b, sizeof(b), 72416123, 6, 1000, ""), "72416k");
    CHECK(tio_fmt_num(b, sizeof(b), 4024512, 6, 1000, ""), "4024.5k");
    CHECK(tio_fmt_num(b, sizeof(b), 143053, 6, 1000, ""), "143053");
    CHECK(tio_fmt_num(b, sizeof(b), 0, 6, 1000, ""), "0");
}

static void test_lat_units(void **state)
{
    (void)state;
    /* From fio runs: (min, max, stddev) and the unit fio printed. */
    assert_int_equal(tio_lat_unit_for_stats(39000, 357000, 8380), TIO_LAT_USEC);
    assert_int_equal(tio_lat_unit_for_stats(1963, 39138, 1184), TIO_LAT_NSEC);
    assert_int_equal(tio_lat_unit_for_stats(1432, 72416000, 1073431), TIO_LAT_NSEC);
    assert_int_equal(tio_lat_unit_for_stats(2500, 285000, 2450), TIO_LAT_USEC);
    assert_int_equal(tio_lat_unit_for_stats(0, 9184, 18), TIO_LAT_NSEC);
    assert_int_equal(tio_lat_unit_for_stats(3000000, 900000000, 5000000), TIO_LAT_MSEC);
    /* Percentile blocks: largest value within five digits. */
    assert_int_equal(tio_lat_unit_for_max(39168), TIO_LAT_NSEC);
    assert_int_equal(tio_lat_unit_for_max(359000), TIO_LAT_USEC);
    assert_int_equal(tio_lat_unit_for_max(61080000), TIO_LAT_USEC);
    assert_int_equal(tio_lat_unit_for_max(161080000), TIO_LAT_MSEC);
    assert_string_equal(tio_lat_unit_name(TIO_LAT_USEC), "usec");
}

static void test_eta(void **state)
{
    (void)state;
    char b[TIO_NUM_STR_MAX];
    CHECK(tio_fmt_eta(b, sizeof(b), 11), "00m:11s");
    CHECK(tio_fmt_eta(b, sizeof(b), 3599), "59m:59s");
    CHECK(tio_fmt_eta(b, sizeof(b), 3723), "01h:02m:03s");
    CHECK(tio_fmt_eta(b, sizeof(b), 2 * 86400 + 3723), "2d:01h:02m:03s");
    CHECK(tio_fmt_num_from(b, sizeof(b), 0, 4, 1024, 1, "B/s"), "0KiB/s");
    CHECK(tio_fmt_num_from(b, sizeof(b), 155648, 4, 1024, 1, "B/s"), "152MiB/s");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bandwidth), cmocka_unit_test(test_amounts),
        cmocka_unit_test(test_iops),      cmocka_unit_test(test_latency_values),
        cmocka_unit_test(test_lat_units), cmocka_unit_test(test_eta),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
