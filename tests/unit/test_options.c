/* Option values: tenon_parse_int for every integer-like type (booleans,
 * integers, sizes with units, durations with units), and the option set
 * itself (tenon_options_*), as data tables. Schema checks against a
 * plugin's descriptor are in test_lifecycle. */
#include "helpers.h"

#include <string.h>

typedef struct parse_case {
    tenon_opt_type type;
    const char *text;
    int rc;
    int64_t value;
} parse_case;

#define K 1024LL
static const parse_case cases[] = {
    /* booleans */
    {TENON_OPT_BOOL, "1", 0, 1},
    {TENON_OPT_BOOL, "true", 0, 1},
    {TENON_OPT_BOOL, "YES", 0, 1},
    {TENON_OPT_BOOL, "on", 0, 1},
    {TENON_OPT_BOOL, "0", 0, 0},
    {TENON_OPT_BOOL, "False", 0, 0},
    {TENON_OPT_BOOL, "no", 0, 0},
    {TENON_OPT_BOOL, "off", 0, 0},
    {TENON_OPT_BOOL, "2", TENON_EOPTTYPE, 0},
    {TENON_OPT_BOOL, "yess", TENON_EOPTTYPE, 0},
    /* integers: decimal or 0x hex */
    {TENON_OPT_INT, "0", 0, 0},
    {TENON_OPT_INT, "42", 0, 42},
    {TENON_OPT_INT, "-42", 0, -42},
    {TENON_OPT_INT, "+7", 0, 7},
    {TENON_OPT_INT, "0x10", 0, 16},
    {TENON_OPT_INT, "0XfF", 0, 255},
    {TENON_OPT_INT, "010", 0, 10},
    {TENON_OPT_INT, "08", 0, 8},
    {TENON_OPT_INT, "009", 0, 9},
    {TENON_OPT_INT, "9223372036854775807", 0, INT64_MAX},
    {TENON_OPT_INT, "-9223372036854775808", 0, INT64_MIN},
    {TENON_OPT_INT, "9223372036854775808", TENON_EOPTRANGE, 0},
    {TENON_OPT_INT, "", TENON_EOPTTYPE, 0},
    {TENON_OPT_INT, "ten", TENON_EOPTTYPE, 0},
    {TENON_OPT_INT, "4k", TENON_EOPTTYPE, 0},
    {TENON_OPT_INT, "1.5", TENON_EOPTTYPE, 0},
    {TENON_OPT_INT, "0x", TENON_EOPTTYPE, 0},
    /* sizes: bytes, 1024-based letters, IEC and SI suffixes */
    {TENON_OPT_SIZE, "4096", 0, 4096},
    {TENON_OPT_SIZE, "4k", 0, 4 * K},
    {TENON_OPT_SIZE, "4K", 0, 4 * K},
    {TENON_OPT_SIZE, "4KiB", 0, 4 * K},
    {TENON_OPT_SIZE, "4KB", 0, 4000},
    {TENON_OPT_SIZE, "1m", 0, K *K},
    {TENON_OPT_SIZE, "1MiB", 0, K *K},
    {TENON_OPT_SIZE, "1MB", 0, 1000000},
    {TENON_OPT_SIZE, "2g", 0, 2 * K *K *K},
    {TENON_OPT_SIZE, "1t", 0, K *K *K *K},
    {TENON_OPT_SIZE, "1p", 0, K *K *K *K *K},
    {TENON_OPT_SIZE, "512b", 0, 512},
    {TENON_OPT_SIZE, "0x1000", 0, 4096},
    {TENON_OPT_SIZE, "08k", 0, 8 * K},
    {TENON_OPT_SIZE, "16 k", 0, 16 * K},
    {TENON_OPT_SIZE, "8191p", 0, 8191 * K *K *K *K *K},
    {TENON_OPT_SIZE, "8192P", TENON_EOPTRANGE, 0},
    {TENON_OPT_SIZE, "-4k", TENON_EOPTRANGE, 0},
    {TENON_OPT_SIZE, "-1", TENON_EOPTRANGE, 0},
    {TENON_OPT_SIZE, "4x", TENON_EOPTTYPE, 0},
    {TENON_OPT_SIZE, "4kk", TENON_EOPTTYPE, 0},
    {TENON_OPT_SIZE, "k", TENON_EOPTTYPE, 0},
    /* durations: nanoseconds, a bare number is seconds */
    {TENON_OPT_DURATION, "2", 0, 2000000000LL},
    {TENON_OPT_DURATION, "2s", 0, 2000000000LL},
    {TENON_OPT_DURATION, "250ms", 0, 250000000LL},
    {TENON_OPT_DURATION, "10us", 0, 10000LL},
    {TENON_OPT_DURATION, "7ns", 0, 7},
    {TENON_OPT_DURATION, "2m", 0, 120000000000LL},
    {TENON_OPT_DURATION, "1h", 0, 3600000000000LL},
    {TENON_OPT_DURATION, "1d", 0, 86400000000000LL},
    {TENON_OPT_DURATION, "09s", 0, 9000000000LL},
    {TENON_OPT_DURATION, "-1s", TENON_EOPTRANGE, 0},
    {TENON_OPT_DURATION, "1 fortnight", TENON_EOPTTYPE, 0},
    {TENON_OPT_DURATION, "9223372037s", TENON_EOPTRANGE, 0},
};

static void test_parse_int(void **state)
{
    (void)state;
    int wrong = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const parse_case *c = &cases[i];
        int64_t v = -12345;
        int rc = tenon_parse_int(c->text, c->type, &v);
        if (rc != c->rc || (rc == 0 && v != c->value)) {
            print_error("parse %s \"%s\": got %s %lld, want %s %lld\n",
                        tenon_opt_type_name(c->type), c->text, tenon_err_name(rc), (long long)v,
                        tenon_err_name(c->rc), (long long)c->value);
            wrong++;
        }
    }
    assert_int_equal(wrong, 0);
    int64_t v;
    assert_int_equal(tenon_parse_int("1", TENON_OPT_STRING, &v), TENON_EINVAL);
    assert_int_equal(tenon_parse_int(NULL, TENON_OPT_INT, &v), TENON_EINVAL);
    assert_int_equal(tenon_parse_int("1", TENON_OPT_INT, NULL), TENON_EINVAL);
}

static void test_option_sets(void **state)
{
    (void)state;
    tenon_options *o;
    expect_ok(tenon_options_new(&o));
    assert_int_equal(tenon_options_count(o), 0);
    expect_ok(tenon_options_set(o, "bs", "4k", "job.fio:3"));
    expect_ok(tenon_options_set(o, "iodepth", "8", NULL));
    expect_ok(tenon_options_set(o, "bs", "8k", "--bs=8k"));
    assert_int_equal(tenon_options_count(o), 2);
    const char *k, *v, *origin;
    expect_ok(tenon_options_at(o, 0, &k, &v, &origin));
    /* Replacing keeps the position and takes the new origin. */
    assert_string_equal(k, "bs");
    assert_string_equal(v, "8k");
    assert_string_equal(origin, "--bs=8k");
    expect_ok(tenon_options_at(o, 1, &k, &v, &origin));
    assert_null(origin);
    assert_int_equal(tenon_options_at(o, 2, &k, NULL, NULL), TENON_EINVAL);
    assert_string_equal(tenon_options_get(o, "iodepth"), "8");
    assert_null(tenon_options_get(o, "rw"));
    assert_int_equal(tenon_options_set(o, NULL, "x", NULL), TENON_EINVAL);
    assert_int_equal(tenon_options_set(o, "x", NULL, NULL), TENON_EINVAL);
    assert_int_equal(tenon_options_count(NULL), 0);
    tenon_options_free(o);
    tenon_options_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_int),
        cmocka_unit_test(test_option_sets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
