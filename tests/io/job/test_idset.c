/* Unit tests for CPU and NUMA node lists (cpus_allowed, numa_cpu_nodes,
 * numa_mem_policy's nodes). Where fio 3.33 reads a list well, the set is
 * the one its --debug=parse "set cpu allowed" lines show; where it guesses
 * (atoi on "x", "3-1" as nothing, "0,,1" as 0), the list is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tio_job_error.h"
#include "tio_job_units.h"

/* The set s reads as, formatted back ("0,2-3"). */
static const char *ok(const char *s)
{
    static char buf[512];
    char why[200] = "";
    struct tio_idset set;
    int rc = tio_parse_idset(s, "CPU", &set, why, sizeof(why));
    if (rc != TIO_OK)
        fail_msg("'%s' failed: %s", s, why);
    tio_idset_format(&set, buf, sizeof(buf));
    return buf;
}

static void bad(const char *s, int code, const char *reason)
{
    char why[200] = "";
    struct tio_idset set;
    memset(&set, 0xa5, sizeof(set));
    struct tio_idset before = set;
    int rc = tio_parse_idset(s, "CPU", &set, why, sizeof(why));
    if (rc != code)
        fail_msg("'%s': expected %s, got %s (%s)", s, tio_err_name(code), tio_err_name(rc),
                 why);
    if (!strstr(why, reason))
        fail_msg("'%s': reason '%s' lacks '%s'", s, why, reason);
    if (memcmp(&set, &before, sizeof(set)) != 0)
        fail_msg("'%s': a refused list changed the set", s);
}

static void test_lists(void **state)
{
    (void)state;
    assert_string_equal(ok("0"), "0");
    assert_string_equal(ok("0,5"), "0,5");
    assert_string_equal(ok("0,5,8-15"), "0,5,8-15");
    assert_string_equal(ok("3-3"), "3");
    assert_string_equal(ok("5,1,3"), "1,3,5");
    assert_string_equal(ok("0-2,1-4"), "0-4"); /* overlaps join */
    assert_string_equal(ok("1,2,3,7"), "1-3,7");
    assert_string_equal(ok("007"), "7"); /* decimal, as atoi */
    assert_string_equal(ok("1023"), "1023");
    assert_string_equal(ok("0-1023"), "0-1023");
}

static void test_blanks(void **state)
{
    (void)state;
    /* fio strips the ends and atoi skips blanks ahead of a number */
    assert_string_equal(ok("  0,5 "), "0,5");
    assert_string_equal(ok("0, 2-3 ,5"), "0,2-3,5");
    assert_string_equal(ok("2 - 3"), "2-3");
    assert_string_equal(ok("\t1\t"), "1");
}

static void test_refused(void **state)
{
    (void)state;
    bad("", TIO_EVALUE, "empty");
    bad("  ", TIO_EVALUE, "empty");
    bad("x", TIO_EVALUE, "'x' is not a CPU number");
    bad("0,x1", TIO_EVALUE, "'x1' is not a CPU number");
    bad("0x3", TIO_EVALUE, "unexpected 'x' after CPU 0");
    bad("0,,1", TIO_EVALUE, "a CPU number is missing");
    bad("0,", TIO_EVALUE, "a CPU number is missing");
    bad(",0", TIO_EVALUE, "a CPU number is missing");
    bad("-1", TIO_EVALUE, "a CPU number is missing");
    bad("1-", TIO_EVALUE, "a CPU number is missing");
    bad("3-1", TIO_EVALUE, "runs backwards (write the lower CPU first: 1-3)");
    bad("1-2-3", TIO_EVALUE, "not a range");
    bad("0:1", TIO_EVALUE, "unexpected ':'");
    bad("0 1", TIO_EVALUE, "unexpected '1'");
    bad("1.5", TIO_EVALUE, "unexpected '.'");
    bad("1024", TIO_ERANGE, "CPU 1024 is too large (at most 1023)");
    bad("0-99999999999999999999999", TIO_ERANGE, "too large");
}

static void test_what(void **state)
{
    (void)state;
    char why[200] = "";
    struct tio_idset set;
    assert_int_equal(tio_parse_idset("a", "node", &set, why, sizeof(why)), TIO_EVALUE);
    assert_non_null(strstr(why, "'a' is not a node number"));
    /* no reason asked for */
    assert_int_equal(tio_parse_idset("a", "node", &set, NULL, 0), TIO_EVALUE);
}

static void test_count_nth(void **state)
{
    (void)state;
    char why[200];
    struct tio_idset set;
    assert_int_equal(tio_parse_idset("2,5-6,1000", "CPU", &set, why, sizeof(why)), TIO_OK);
    assert_int_equal(tio_idset_count(&set), 4);
    assert_int_equal(tio_idset_nth(&set, 0), 2);
    assert_int_equal(tio_idset_nth(&set, 1), 5);
    assert_int_equal(tio_idset_nth(&set, 2), 6);
    assert_int_equal(tio_idset_nth(&set, 3), 1000);
    assert_int_equal(tio_idset_nth(&set, 4), TIO_IDSET_MAX);
    assert_true(tio_idset_has(&set, 1000));
    assert_false(tio_idset_has(&set, 3));
    assert_false(tio_idset_has(&set, TIO_IDSET_MAX));
}

static void test_format_truncates(void **state)
{
    (void)state;
    char why[200], buf[4];
    struct tio_idset set;
    assert_int_equal(tio_parse_idset("0,2,4,6", "CPU", &set, why, sizeof(why)), TIO_OK);
    /* snprintf's contract: the length needed, the text cut and ended */
    assert_int_equal(tio_idset_format(&set, buf, sizeof(buf)), 7);
    assert_string_equal(buf, "0,2");
    assert_int_equal(tio_idset_format(&set, NULL, 0), 7);
    memset(&set, 0, sizeof(set));
    assert_int_equal(tio_idset_format(&set, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lists),     cmocka_unit_test(test_blanks),
        cmocka_unit_test(test_refused),   cmocka_unit_test(test_what),
        cmocka_unit_test(test_count_nth), cmocka_unit_test(test_format_truncates),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
