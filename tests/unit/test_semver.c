/* Semantic versions: parsing, precedence (prereleases included) and ranges
 * ("~", "^", wildcards, comparators, "||"), as data tables. */
#include "helpers.h"

#include <string.h>

static void test_parse(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        uint64_t major, minor, patch;
        const char *pre;
    } good[] = {
        {"1", 1, 0, 0, ""},
        {"1.2", 1, 2, 0, ""},
        {"1.2.3", 1, 2, 3, ""},
        {"0.0.0", 0, 0, 0, ""},
        {"10.20.30", 10, 20, 30, ""},
        {"1.2.3-rc.1", 1, 2, 3, "rc.1"},
        {"1.0.0-alpha-beta", 1, 0, 0, "alpha-beta"},
        {"1.2.3+build.5", 1, 2, 3, ""},
        {"1.2.3-rc.1+build", 1, 2, 3, "rc.1"},
        {"18446744073709551615.0.1", UINT64_MAX, 0, 1, ""},
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        tenon_semver v;
        if (tenon_semver_parse(good[i].text, &v) != 0)
            fail_msg("\"%s\" should parse", good[i].text);
        assert_true(v.major == good[i].major);
        assert_true(v.minor == good[i].minor);
        assert_true(v.patch == good[i].patch);
        assert_string_equal(v.prerelease, good[i].pre);
    }
    static const char *const bad[] = {
        "",
        " ",
        "a",
        "1.",
        "1..2",
        ".1",
        "1.2.3.4",
        "-1",
        "1.2.3-",
        "1.2-rc1",
        "1.2.3+",
        "1.2.3 ",
        " 1.2.3",
        "1.2.3-rc!",
        "18446744073709551616",
        "1.x",
        "1.2.*",
        "*",
        "x",
        "1.2.3-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    };
    int wrong = 0;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        tenon_semver v;
        if (tenon_semver_parse(bad[i], &v) != TENON_EINVAL) {
            print_error("\"%s\" should not parse as a version\n", bad[i]);
            wrong++;
        }
    }
    assert_int_equal(wrong, 0);
    tenon_semver v;
    assert_int_equal(tenon_semver_parse(NULL, &v), TENON_EINVAL);
    assert_int_equal(tenon_semver_parse("1.0.0", NULL), TENON_EINVAL);
}

static int cmp(const char *a, const char *b)
{
    tenon_semver va, vb;
    if (tenon_semver_parse(a, &va) || tenon_semver_parse(b, &vb))
        fail_msg("cannot parse %s or %s", a, b);
    return tenon_semver_compare(&va, &vb);
}

static void test_precedence(void **state)
{
    (void)state;
    /* semver.org's example chain, and more: each sorts before the next. */
    static const char *const ascending[] = {
        "0.0.1",      "0.1.0",        "0.9.9",         "1.0.0-0",       "1.0.0-1",
        "1.0.0-2",    "1.0.0-10",     "1.0.0-alpha",   "1.0.0-alpha.1", "1.0.0-alpha.beta",
        "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1",    "1.0.0",
        "1.0.1",      "1.2.0",        "1.10.0",        "2.0.0-rc.1",    "2.0.0",
        "10.0.0",
    };
    size_t n = sizeof(ascending) / sizeof(ascending[0]);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            int c = cmp(ascending[i], ascending[j]);
            int want = i < j ? -1 : i > j ? 1 : 0;
            if ((c < 0 ? -1 : c > 0 ? 1 : 0) != want)
                fail_msg("compare(%s, %s) = %d, want %d", ascending[i], ascending[j], c, want);
        }
    }
    /* Build metadata does not count; missing parts are zeros. */
    assert_int_equal(cmp("1.0.0+a", "1.0.0+b"), 0);
    assert_int_equal(cmp("1", "1.0.0"), 0);
    assert_int_equal(cmp("1.2", "1.2.0"), 0);
    assert_int_equal(cmp("1.0.0-rc.1+x", "1.0.0-rc.1"), 0);
}

typedef struct sat_case {
    const char *version;
    const char *range;
    int want;
} sat_case;

static const sat_case sat_cases[] = {
    /* comparators, and their combination */
    {"1.2.0", ">=1.2 <2", 1},
    {"1.9.9", ">=1.2 <2", 1},
    {"1.2.0-rc.1", ">=1.2 <2", 0},
    {"2.0.0", ">=1.2 <2", 0},
    {"1.1.9", ">=1.2 <2", 0},
    {"1.5.0", "  >=1.2    <2  ", 1},
    {"1.5.0", ">= 1.2 < 2", 1},
    {"1.2.3", "1.2.3", 1},
    {"1.2.4", "1.2.3", 0},
    {"1.2.3", "=1.2.3", 1},
    {"1.2.9", "=1.2", 1},
    {"1.3.0", "=1.2", 0},
    {"1.4.0", "1", 1},
    {"2.0.0", "1", 0},
    {"1.2.9", ">1.2", 0},
    {"1.3.0", ">1.2", 1},
    {"1.2.4", ">1.2.3", 1},
    {"1.2.3", ">1.2.3", 0},
    {"1.2.9", "<=1.2", 1},
    {"1.3.0", "<=1.2", 0},
    {"1.2.3", "<=1.2.3", 1},
    {"1.2.4", "<=1.2.3", 0},
    {"1.1.9", "<1.2", 1},
    {"1.2.0", "<1.2", 0},
    {"1.0.0-rc.1", "<1.0.0", 1},
    {"1.0.0-rc.1", ">=1.0.0", 0},
    {"1.0.0-rc.2", ">=1.0.0-rc.1 <1.0.0", 1},
    /* caret */
    {"1.2.3", "^1.2.3", 1},
    {"1.9.0", "^1.2.3", 1},
    {"1.2.2", "^1.2.3", 0},
    {"2.0.0", "^1.2.3", 0},
    {"2.0.0-rc.1", "^1.2.3", 1}, /* below 2.0.0 by precedence */
    {"1.0.0", "^1", 1},
    {"1.99.0", "^1", 1},
    {"2.0.0", "^1", 0},
    {"0.2.5", "^0.2.3", 1},
    {"0.3.0", "^0.2.3", 0},
    {"0.2.2", "^0.2.3", 0},
    {"0.0.3", "^0.0.3", 1},
    {"0.0.4", "^0.0.3", 0},
    {"0.9.0", "^0", 1},
    {"1.0.0", "^0", 0},
    {"0.0.9", "^0.0", 1},
    {"0.1.0", "^0.0", 0},
    {"1.4.0", "^1.4", 1},
    {"1.3.9", "^1.4", 0},
    /* tilde */
    {"1.2.3", "~1.2.3", 1},
    {"1.2.9", "~1.2.3", 1},
    {"1.3.0", "~1.2.3", 0},
    {"1.2.2", "~1.2.3", 0},
    {"1.2.0", "~1.2", 1},
    {"1.3.0", "~1.2", 0},
    {"1.9.0", "~1", 1},
    {"2.0.0", "~1", 0},
    {"0.2.5", "~0.2", 1},
    /* wildcards */
    {"1.0.0", "1.x", 1},
    {"1.99.99", "1.x", 1},
    {"2.0.0", "1.x", 0},
    {"0.9.0", "1.x", 0},
    {"1.2.7", "1.2.*", 1},
    {"1.3.0", "1.2.*", 0},
    {"1.2.0", "1.2.X", 1},
    {"1.2.0", "1.x.x", 1},
    {"5.0.0", "*", 1},
    {"5.0.0", "x", 1},
    {"5.0.0", "", 1},
    {"0.0.0-alpha", "*", 1},
    /* alternatives */
    {"0.5.0", "<1 || >=2.5", 1},
    {"1.5.0", "<1 || >=2.5", 0},
    {"2.5.0", "<1 || >=2.5", 1},
    {"2.0.0", "1.x || 3.x", 0},
    {"3.1.0", "1.x || 3.x", 1},
    {"1.0.0", "1.x||3.x", 1},
    {"2.2.0", ">=1 <2 || >=2.1 <2.3 || 4", 1},
    {"2.3.0", ">=1 <2 || >=2.1 <2.3 || 4", 0},
    {"4.1.0", ">=1 <2 || >=2.1 <2.3 || 4", 1},
    /* build metadata in the version or the range is ignored */
    {"1.2.3+build.9", "1.2.3", 1},
    {"1.2.3", "1.2.3+other", 1},
    /* a range no version satisfies is still a range */
    {"1.0.0", ">=2 <1", 0},
    {"1.0.0", "1 2", 0},
};

static void test_satisfies(void **state)
{
    (void)state;
    int wrong = 0;
    for (size_t i = 0; i < sizeof(sat_cases) / sizeof(sat_cases[0]); i++) {
        const sat_case *c = &sat_cases[i];
        int got = tenon_semver_satisfies(c->version, c->range);
        if (got != c->want) {
            print_error("satisfies(\"%s\", \"%s\") = %d, want %d\n", c->version, c->range, got,
                        c->want);
            wrong++;
        }
        if (tenon_semver_range_check(c->range) != 0) {
            print_error("range \"%s\" should be valid\n", c->range);
            wrong++;
        }
    }
    assert_int_equal(wrong, 0);
}

static void test_invalid_ranges(void **state)
{
    (void)state;
    static const char *const bad[] = {
        ">",      ">=",
        "<",      "^",
        "~",      "=",
        "abc",    "1.2.3.4",
        "||",     "1 ||",
        "|| 1",   "1 |",
        "1 | 2",  ">*",
        "^*",     "~x",
        "1.x.3",  ">=1.2 <",
        "=>1",    "1.2.3-",
        "1.2-rc", ">=1 <2 ||| 3",
        "1,2",    ">=1;rm",
        "v",      "1.2.3 - 2.0.0",
    };
    int wrong = 0;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (tenon_semver_range_check(bad[i]) != TENON_EINVAL ||
            tenon_semver_satisfies("1.0.0", bad[i]) != TENON_EINVAL) {
            print_error("range \"%s\" should be refused\n", bad[i]);
            wrong++;
        }
    }
    assert_int_equal(wrong, 0);
    assert_int_equal(tenon_semver_range_check(NULL), TENON_EINVAL);
    /* An invalid version is refused whatever the range. */
    assert_int_equal(tenon_semver_satisfies("one", "*"), TENON_EINVAL);
    assert_int_equal(tenon_semver_satisfies("1.x", "*"), TENON_EINVAL);
    assert_int_equal(tenon_semver_satisfies(NULL, "*"), TENON_EINVAL);
    assert_int_equal(tenon_semver_satisfies("1.0.0", NULL), TENON_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_satisfies),
        cmocka_unit_test(test_invalid_ranges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
