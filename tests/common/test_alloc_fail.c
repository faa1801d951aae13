/* The allocation-failure harness itself: a sweep visits every allocation of
 * the operation once, stops at the first run that meets no failure, and
 * catches a leak or a wrong outcome on the run that causes it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "alloc_fail.h"

/* Three allocations; without memory it frees what it had and ends in
 * "ENOMEM" (1 here: -1 is the sweep's stop). */
struct three {
    unsigned long leak_on_failure_of; /* this allocation failing forgets the first block */
    unsigned long ran, enomem;
};

static int three_allocations(void *arg)
{
    struct three *t = arg;
    void *p[3] = {NULL, NULL, NULL};
    int rc = 0;
    for (int i = 0; i < 3; i++) {
        if (!(p[i] = alloc_fail_malloc(16))) {
            rc = 1;
            if (t->leak_on_failure_of == (unsigned long)i + 1) {
                /* forgets the first block, as far as the harness sees */
                free(p[0]);
                p[0] = NULL;
            }
            break;
        }
    }
    for (int i = 0; i < 3; i++)
        alloc_fail_free(p[i]);
    t->ran++;
    if (rc && !alloc_fail.failures)
        return -1;
    t->enomem += rc != 0;
    return 0;
}

static void test_every_allocation_once(void **state)
{
    (void)state;
    struct three t = {0};
    struct alloc_fail_result r;
    alloc_fail.and_later = false;
    assert_int_equal(alloc_fail_sweep(three_allocations, &t, &r), 0);
    assert_int_equal(r.allocations, 3);
    assert_int_equal(r.failed_runs, 3);
    assert_int_equal(t.enomem, 3);
    /* the run without failures, three failing runs, the last one */
    assert_int_equal(t.ran, 5);
    assert_int_equal(alloc_fail.live, 0);
}

static void test_leak_is_caught(void **state)
{
    (void)state;
    struct three t = {.leak_on_failure_of = 3};
    struct alloc_fail_result r;
    alloc_fail.and_later = false;
    assert_int_equal(alloc_fail_sweep(three_allocations, &t, &r), -1);
    assert_non_null(strstr(alloc_fail.error, "allocation 3 failing leaks 1 blocks"));
    assert_int_equal(r.failed_runs, 2); /* runs 1 and 2 were clean */
    alloc_fail.live = 0;
}

/* Wrong when the second of its three allocations fails. */
static int wrong_outcome(void *arg)
{
    (void)arg;
    for (int i = 0; i < 3; i++)
        alloc_fail_free(alloc_fail_malloc(16));
    return alloc_fail.fail_at == 2 ? -1 : 0;
}

static void test_wrong_outcome_stops(void **state)
{
    (void)state;
    struct alloc_fail_result r;
    assert_int_equal(alloc_fail_sweep(wrong_outcome, NULL, &r), -1);
    assert_string_equal(alloc_fail.error, "");
    assert_int_equal(r.failed_runs, 1);
}

/* Paused allocations neither count nor fail; and_later fails the rest. */
static void test_pause_and_later(void **state)
{
    (void)state;
    alloc_fail.and_later = true;
    alloc_fail_arm(2);
    void *a = alloc_fail_malloc(8);
    alloc_fail_pause();
    void *b = alloc_fail_malloc(8);
    alloc_fail_resume();
    void *c = alloc_fail_malloc(8);
    void *d = alloc_fail_realloc(NULL, 8);
    alloc_fail_disarm();
    assert_non_null(a);
    assert_non_null(b);
    assert_null(c);
    assert_null(d);
    assert_int_equal(alloc_fail.calls, 3);
    assert_int_equal(alloc_fail.failures, 2);
    alloc_fail_free(a);
    alloc_fail_free(b);
    assert_int_equal(alloc_fail.live, 0);
    alloc_fail.and_later = false;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_allocation_once),
        cmocka_unit_test(test_leak_is_caught),
        cmocka_unit_test(test_wrong_outcome_stops),
        cmocka_unit_test(test_pause_and_later),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
