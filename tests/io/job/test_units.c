/* Unit tests for fio-style sizes, times, booleans and percentages. The
 * expected values were checked against fio 3.33 (--debug=parse) wherever fio
 * parses the input correctly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tio_job_units.h"
#include "tio_job_error.h"

#define KiB UINT64_C(1024)
#define MiB (KiB * 1024)
#define GiB (MiB * 1024)
#define TiB (GiB * 1024)
#define PiB (TiB * 1024)

static uint64_t size_ok(const char *s, unsigned kb_base)
{
    char why[160] = "";
    uint64_t v = 0;
    int rc = tio_parse_size(s, kb_base, &v, why, sizeof(why));

    if (rc != TIO_OK)
        fail_msg("'%s' (kb_base=%u) failed: %s", s, kb_base, why);
    return v;
}

static void size_bad(const char *s, int code, const char *reason)
{
    char why[160] = "";
    uint64_t v = 0;
    int rc = tio_parse_size(s, 1024, &v, why, sizeof(why));

    if (rc != code)
        fail_msg("'%s': expected %s, got %s (%s)", s, tio_err_name(code), tio_err_name(rc),
                 why);
    if (reason && !strstr(why, reason))
        fail_msg("'%s': reason '%s' lacks '%s'", s, why, reason);
}

static void test_size_plain(void **state)
{
    (void)state;
    assert_int_equal(size_ok("0", 1024), 0);
    assert_int_equal(size_ok("1", 1024), 1);
    assert_int_equal(size_ok("4096", 1024), 4096);
    assert_int_equal(size_ok("010", 1024), 10); /* decimal, not octal (fio too) */
    assert_int_equal(size_ok("0x10", 1024), 16);
    assert_int_equal(size_ok("0XfF", 1024), 255);
    assert_int_equal(size_ok("1b", 1024), 1);
    assert_int_equal(size_ok("1B", 1024), 1);
    assert_int_equal(size_ok("18446744073709551615", 1024), UINT64_MAX);
    assert_int_equal(size_ok("0xffffffffffffffff", 1024), UINT64_MAX);
}

static void test_size_suffix_kb_base_1024(void **state)
{
    (void)state;
    /* fio's default: k, kb, ki mean 1024; only kib/KiB means 1000 */
    assert_int_equal(size_ok("1k", 1024), KiB);
    assert_int_equal(size_ok("1K", 1024), KiB);
    assert_int_equal(size_ok("1kb", 1024), KiB);
    assert_int_equal(size_ok("1KB", 1024), KiB);
    assert_int_equal(size_ok("1kB", 1024), KiB);
    assert_int_equal(size_ok("1Ki", 1024), KiB);
    assert_int_equal(size_ok("1KiB", 1024), 1000);
    assert_int_equal(size_ok("1kib", 1024), 1000);
    assert_int_equal(size_ok("4k", 1024), 4 * KiB);
    assert_int_equal(size_ok("1m", 1024), MiB);
    assert_int_equal(size_ok("1M", 1024), MiB);
    assert_int_equal(size_ok("1MB", 1024), MiB);
    assert_int_equal(size_ok("1mi", 1024), MiB);
    assert_int_equal(size_ok("1MiB", 1024), 1000000);
    assert_int_equal(size_ok("1g", 1024), GiB);
    assert_int_equal(size_ok("1gib", 1024), UINT64_C(1000000000));
    assert_int_equal(size_ok("1t", 1024), TiB);
    assert_int_equal(size_ok("1tib", 1024), UINT64_C(1000000000000));
    assert_int_equal(size_ok("1p", 1024), PiB);
    assert_int_equal(size_ok("1pib", 1024), UINT64_C(1000000000000000));
    assert_int_equal(size_ok("16383p", 1024), 16383 * PiB);
    assert_int_equal(size_ok("4 k", 1024), 4 * KiB);
}

static void test_size_suffix_kb_base_1000(void **state)
{
    (void)state;
    assert_int_equal(size_ok("1k", 1000), 1000);
    assert_int_equal(size_ok("1kb", 1000), 1000);
    assert_int_equal(size_ok("1Ki", 1000), 1000);
    assert_int_equal(size_ok("1KiB", 1000), KiB);
    assert_int_equal(size_ok("1m", 1000), 1000000);
    assert_int_equal(size_ok("1MiB", 1000), MiB);
    assert_int_equal(size_ok("1g", 1000), UINT64_C(1000000000));
    assert_int_equal(size_ok("1GiB", 1000), GiB);
}

static void test_size_errors(void **state)
{
    (void)state;
    size_bad("", TIO_EVALUE, "empty");
    size_bad("4q", TIO_EVALUE, "unknown size suffix 'q'");
    size_bad("4kk", TIO_EVALUE, "unknown size suffix 'kk'");
    size_bad("4kibb", TIO_EVALUE, "unknown size suffix");
    size_bad("1e", TIO_EVALUE, "unknown size suffix 'e'");
    size_bad("k", TIO_EVALUE, "not a size");
    size_bad("abc", TIO_EVALUE, "not a size");
    size_bad("-1", TIO_EVALUE, "negative");
    size_bad("1.5k", TIO_EVALUE, "fractional");
    size_bad(".5", TIO_EVALUE, "not a size");
    size_bad("0x", TIO_EVALUE, "no hexadecimal digits");
    size_bad("0x10k", TIO_EVALUE, "hexadecimal size cannot have a unit");
    size_bad("18446744073709551616", TIO_ERANGE, "too large");
    size_bad("0x10000000000000000", TIO_ERANGE, "too large");
    size_bad("16384p", TIO_ERANGE, "too large"); /* fio 3.33 wraps this to 0 */
    size_bad("99999999999999999999k", TIO_ERANGE, "too large");
}

static void test_uint(void **state)
{
    char why[160];
    uint64_t v;

    (void)state;
    assert_int_equal(tio_parse_uint("32", 1024, 1, 100, &v, why, sizeof(why)), TIO_OK);
    assert_int_equal(v, 32);
    assert_int_equal(tio_parse_uint("1k", 1024, 1, 65536, &v, why, sizeof(why)), TIO_OK);
    assert_int_equal(v, 1024);
    assert_int_equal(tio_parse_uint("0", 1024, 1, 100, &v, why, sizeof(why)), TIO_ERANGE);
    assert_non_null(strstr(why, "minimum is 1"));
    assert_int_equal(tio_parse_uint("101", 1024, 0, 100, &v, why, sizeof(why)), TIO_ERANGE);
    assert_non_null(strstr(why, "maximum is 100"));
    assert_int_equal(tio_parse_uint("x1", 1024, 0, 100, &v, why, sizeof(why)), TIO_EVALUE);
    assert_non_null(strstr(why, "not a number"));
    assert_int_equal(tio_parse_uint("99999999999999999999", 1024, 0, 100, &v, why, sizeof(why)),
                     TIO_ERANGE);
}

static uint64_t time_ok(const char *s, uint64_t unit)
{
    char why[160] = "";
    uint64_t v = 0;

    if (tio_parse_time(s, unit, &v, why, sizeof(why)) != TIO_OK)
        fail_msg("time '%s' failed: %s", s, why);
    return v;
}

static void test_time(void **state)
{
    char why[160];
    uint64_t v;

    (void)state;
    assert_int_equal(time_ok("0", TIO_SEC), 0);
    assert_int_equal(time_ok("10", TIO_SEC), 10000000); /* bare: seconds */
    assert_int_equal(time_ok("10", TIO_USEC), 10);
    assert_int_equal(time_ok("10", TIO_MSEC), 10000);
    assert_int_equal(time_ok("10s", TIO_SEC), 10000000);
    assert_int_equal(time_ok("10S", TIO_SEC), 10000000);
    assert_int_equal(time_ok("10sec", TIO_SEC), 10000000); /* fio 3.33 misreads as 10us */
    assert_int_equal(time_ok("10ms", TIO_SEC), 10000);
    assert_int_equal(time_ok("10Ms", TIO_SEC), 10000);
    assert_int_equal(time_ok("10msec", TIO_SEC), 10000);
    assert_int_equal(time_ok("10us", TIO_SEC), 10);
    assert_int_equal(time_ok("10usec", TIO_SEC), 10);
    assert_int_equal(time_ok("1m", TIO_SEC), 60000000);
    assert_int_equal(time_ok("10M", TIO_SEC), 600000000); /* minutes, not mega */
    assert_int_equal(time_ok("1min", TIO_SEC), 60000000);
    assert_int_equal(time_ok("1h", TIO_SEC), UINT64_C(3600000000));
    assert_int_equal(time_ok("1d", TIO_SEC), UINT64_C(86400000000));
    assert_int_equal(time_ok("2 m", TIO_SEC), 120000000);

    assert_int_equal(tio_parse_time("", TIO_SEC, &v, why, sizeof(why)), TIO_EVALUE);
    assert_int_equal(tio_parse_time("1x", TIO_SEC, &v, why, sizeof(why)), TIO_EVALUE);
    assert_non_null(strstr(why, "unknown time unit 'x'"));
    assert_int_equal(tio_parse_time("1hr", TIO_SEC, &v, why, sizeof(why)), TIO_EVALUE);
    assert_int_equal(tio_parse_time("1.5s", TIO_SEC, &v, why, sizeof(why)), TIO_EVALUE);
    assert_non_null(strstr(why, "fractional"));
    assert_int_equal(tio_parse_time("-1", TIO_SEC, &v, why, sizeof(why)), TIO_EVALUE);
    assert_int_equal(tio_parse_time("s", TIO_SEC, &v, why, sizeof(why)), TIO_EVALUE);
    assert_int_equal(tio_parse_time("1000000000000000", TIO_SEC, &v, why, sizeof(why)),
                     TIO_ERANGE);
    assert_int_equal(tio_parse_time("300000000000d", TIO_SEC, &v, why, sizeof(why)),
                     TIO_ERANGE);
    /* at most 100 years, so that three times in nanoseconds fit in 64 bits */
    assert_int_equal(time_ok("36500d", TIO_SEC), TIO_MAX_TIME_US);
    assert_true(3 * (TIO_MAX_TIME_US * 1000) / 3 == TIO_MAX_TIME_US * 1000);
    assert_int_equal(tio_parse_time("36501d", TIO_SEC, &v, why, sizeof(why)), TIO_ERANGE);
    assert_non_null(strstr(why, "the maximum is 36500d"));
    assert_int_equal(tio_parse_time("3153600000000001us", TIO_SEC, &v, why, sizeof(why)),
                     TIO_ERANGE);
    assert_int_equal(tio_parse_time("18446744073709551615ms", TIO_SEC, &v, why, sizeof(why)),
                     TIO_ERANGE);
}

static void test_bool(void **state)
{
    static const char *const yes[] = {"1", "true", "TRUE", "yes", "Yes", "on", "ON"};
    static const char *const no[] = {"0", "false", "False", "no", "NO", "off", "Off"};
    static const char *const bad[] = {"", "2", "-1", "y", "n", "tru", "01", "1 "};
    char why[160];
    size_t i;
    bool b;

    (void)state;
    for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        b = false;
        assert_int_equal(tio_parse_bool(yes[i], &b, why, sizeof(why)), TIO_OK);
        assert_true(b);
    }
    for (i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        b = true;
        assert_int_equal(tio_parse_bool(no[i], &b, why, sizeof(why)), TIO_OK);
        assert_false(b);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(tio_parse_bool(bad[i], &b, why, sizeof(why)), TIO_EVALUE);
    assert_int_equal(tio_parse_bool("2", &b, why, sizeof(why)), TIO_EVALUE);
    assert_non_null(strstr(why, "use 0 or 1"));
    /* a NULL reason buffer is allowed */
    assert_int_equal(tio_parse_bool("maybe", &b, NULL, 0), TIO_EVALUE);
}

static void test_percent(void **state)
{
    char why[160];
    unsigned p;

    (void)state;
    assert_int_equal(tio_parse_percent("0%", &p, why, sizeof(why)), TIO_OK);
    assert_int_equal(p, 0);
    assert_int_equal(tio_parse_percent("50%", &p, why, sizeof(why)), TIO_OK);
    assert_int_equal(p, 50);
    assert_int_equal(tio_parse_percent("100%", &p, why, sizeof(why)), TIO_OK);
    assert_int_equal(p, 100);
    assert_int_equal(tio_parse_percent("101%", &p, why, sizeof(why)), TIO_ERANGE);
    assert_int_equal(tio_parse_percent("99999999999999999999999%", &p, why, sizeof(why)),
                     TIO_ERANGE);
    assert_int_equal(tio_parse_percent("50", &p, why, sizeof(why)), TIO_EVALUE);
    assert_int_equal(tio_parse_percent("50.5%", &p, why, sizeof(why)), TIO_EVALUE);
    assert_int_equal(tio_parse_percent("%", &p, why, sizeof(why)), TIO_EVALUE);
    assert_int_equal(tio_parse_percent("50%%", &p, why, sizeof(why)), TIO_EVALUE);
    assert_int_equal(tio_parse_percent("", &p, why, sizeof(why)), TIO_EVALUE);
}

static void test_amount(void **state)
{
    struct tio_amount a;
    char why[160];

    (void)state;
    assert_int_equal(tio_parse_amount("1g", 1024, &a, why, sizeof(why)), TIO_OK);
    assert_true(a.set);
    assert_int_equal(a.percent, 0);
    assert_int_equal(a.bytes, GiB);
    assert_int_equal(tio_amount_bytes(&a, 12345), GiB);

    assert_int_equal(tio_parse_amount("50%", 1024, &a, why, sizeof(why)), TIO_OK);
    assert_true(a.set);
    assert_int_equal(a.percent, 50);
    assert_int_equal(tio_amount_bytes(&a, 1000), 500);
    assert_int_equal(tio_amount_bytes(&a, UINT64_MAX), UINT64_MAX / 2);

    assert_int_equal(tio_parse_amount("100%", 1024, &a, why, sizeof(why)), TIO_OK);
    assert_int_equal(tio_amount_bytes(&a, UINT64_MAX), UINT64_MAX);

    assert_int_equal(tio_parse_amount("0", 1024, &a, why, sizeof(why)), TIO_OK);
    assert_false(a.set);
    assert_int_equal(tio_amount_bytes(&a, 1000), 0);

    assert_int_equal(tio_parse_amount("0%", 1024, &a, why, sizeof(why)), TIO_ERANGE);
    assert_int_equal(tio_parse_amount("101%", 1024, &a, why, sizeof(why)), TIO_ERANGE);
    assert_int_equal(tio_parse_amount("1q", 1024, &a, why, sizeof(why)), TIO_EVALUE);
    assert_int_equal(tio_parse_amount("1k", 1000, &a, why, sizeof(why)), TIO_OK);
    assert_int_equal(a.bytes, 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_size_plain),
        cmocka_unit_test(test_size_suffix_kb_base_1024),
        cmocka_unit_test(test_size_suffix_kb_base_1000),
        cmocka_unit_test(test_size_errors),
        cmocka_unit_test(test_uint),
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_bool),
        cmocka_unit_test(test_percent),
        cmocka_unit_test(test_amount),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
