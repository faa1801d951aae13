/* Out of memory, everywhere it can happen: every allocation of a step is
 * made to fail in turn (the 1st, then the 2nd, ...) until the step needs no
 * more, and each failure must give a clean error (or, where the design says
 * so, a clean degradation) with nothing leaked, which ASan checks.
 *
 * Allocations of the library are caught by linking with --wrap; jansson's
 * through its allocator hooks; both count them in tests/common/alloc_fail.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc_fail.h"
#include "test_util.h"
#include "tio_eta.h"
#include "tio_outfile.h"
#include "tio_series.h"

/* The library's allocations reach the harness through these (free is not
 * wrapped: the C library frees blocks it allocated itself, so live blocks
 * cannot be counted here, and ASan checks the leaks). */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t s);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__real_aligned_alloc(size_t a, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t s);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
void *__wrap_aligned_alloc(size_t a, size_t n);

void *__wrap_malloc(size_t n)
{
    return alloc_fail_next() ? NULL : __real_malloc(n);
}
void *__wrap_calloc(size_t n, size_t s)
{
    return alloc_fail_next() ? NULL : __real_calloc(n, s);
}
void *__wrap_realloc(void *p, size_t n)
{
    return alloc_fail_next() ? NULL : __real_realloc(p, n);
}
char *__wrap_strdup(const char *s)
{
    return alloc_fail_next() ? NULL : __real_strdup(s);
}
char *__wrap_strndup(const char *s, size_t n)
{
    return alloc_fail_next() ? NULL : __real_strndup(s, n);
}
void *__wrap_aligned_alloc(size_t a, size_t n)
{
    return alloc_fail_next() ? NULL : __real_aligned_alloc(a, n);
}

static void *json_alloc(size_t n)
{
    return alloc_fail_next() ? NULL : __real_malloc(n);
}

/* Runs step with the 1st, 2nd, ... allocation failing until it gets through
 * without a failure. Returns how many failures were tried. */
static unsigned long each_failure(alloc_fail_run step, void *arg)
{
    struct alloc_fail_result r;
    if (alloc_fail_sweep(step, arg, &r) != 0)
        fail_msg("%s", alloc_fail.error);
    return r.failed_runs;
}

static int render_step(void *arg)
{
    const char *input = arg;
    alloc_fail_pause();
    struct tio_report *rep = tu_load_input(tu_data_path(input));
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    alloc_fail_resume();
    int rc1 = tio_report_write_normal(rep, f);
    int rc2 = tio_report_write_json(rep, f);
    json_t *doc = tio_report_to_json(rep);
    alloc_fail_pause();
    json_decref(doc);
    fclose(f);
    free(buf);
    tio_report_free(rep);
    assert_true(rc1 == 0 || rc1 == -ENOMEM);
    assert_true(rc2 == 0 || rc2 == -ENOMEM);
    if (!alloc_fail.failures)
        assert_int_equal(rc1 | rc2, 0);
    return 0;
}

static void test_reports(void **state)
{
    (void)state;
    static const char *const inputs[] = {
        "normal/psync-randrw-fsync/input.json",
        "normal/group-reporting/input.json",
        "normal/libaio-qd8-errors/input.json",
    };
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        unsigned long tried = each_failure(render_step, (void *)inputs[i]);
        print_message("%s: %lu allocation failures handled\n", inputs[i], tried);
        assert_true(tried > 10);
    }
}

static int results_step(void *arg)
{
    (void)arg;
    struct tio_job_result *a = tio_job_result_new("a", 0, 0, 0);
    struct tio_job_result *b = tio_job_result_new("b", 0, 0, 0);
    if (a && b && tio_job_result_add_option(a, "rw", "read") == 0 &&
        tio_job_result_add_option(a, "bs", "4k") == 0 &&
        tio_job_result_set_error(b, 5, "EIO") == 0) {
        struct tio_job_result *jobs[] = {a, b};
        struct tio_job_result *g = tio_job_result_aggregate(jobs, 2);
        if (g) {
            assert_string_equal(tio_kv_list_get(&g->options, "bs"), "4k");
            assert_string_equal(g->error_text, "EIO");
        }
        tio_job_result_free(g);
        struct tio_report *rep = tio_report_new("x");
        if (rep && tio_report_add_job(rep, a) == 0)
            a = NULL;
        if (rep && tio_report_add_job(rep, b) == 0)
            b = NULL;
        if (rep)
            (void)tio_report_finalize(rep);
        tio_report_free(rep);
    }
    tio_job_result_free(a);
    tio_job_result_free(b);
    return 0;
}

static int eta_step(void *arg)
{
    (void)arg;
    struct tio_eta *eta = tio_eta_new(3);
    tio_eta_free(eta);
    return 0;
}

static int outfile_step(void *arg)
{
    const char *dir = arg;
    char path[4096];
    struct tio_error err;
    snprintf(path, sizeof(path), "%s/oom.txt", dir);
    struct tio_outfile *of;
    if (tio_outfile_open(&of, path, &err) != 0) {
        assert_non_null(strstr(err.text, "oom.txt"));
        return 0;
    }
    fputs("x\n", tio_outfile_stream(of));
    (void)tio_outfile_commit(of, &err);
    return 0;
}

static void test_objects(void **state)
{
    (void)state;
    assert_true(each_failure(results_step, NULL) > 5);
    assert_true(each_failure(eta_step, NULL) >= 2);
    char *dir = tu_mkdtemp();
    assert_true(each_failure(outfile_step, dir) >= 2);
    tu_rmdir_all(dir);
    free(dir);
}

/* The series never fails: without memory it keeps fewer, coarser points. */
static void test_series_degrades(void **state)
{
    (void)state;
    for (unsigned long n = 1; n < 6; n++) {
        struct tio_series s;
        tio_series_init(&s, 1024);
        uint64_t ios = 0;
        alloc_fail_arm(n);
        for (uint64_t i = 0; i < 5000; i++) {
            struct tio_series_point p;
            memset(&p, 0, sizeof(p));
            p.t_ns = i * 10;
            p.dur_ns = 10;
            p.ios[0] = i;
            ios += i;
            tio_series_add(&s, &p);
        }
        tio_series_flush(&s);
        alloc_fail_disarm();
        /* The first allocation failing leaves no memory at all: that point
         * is dropped. Later failures keep everything, coarser. */
        uint64_t got = 0, t = tio_series_count(&s) ? tio_series_points(&s)[0].t_ns : 0;
        if (n > 1)
            assert_int_equal(t, 0);
        for (size_t i = 0; i < tio_series_count(&s); i++) {
            assert_int_equal(tio_series_points(&s)[i].t_ns, t);
            t += tio_series_points(&s)[i].dur_ns;
            got += tio_series_points(&s)[i].ios[0];
        }
        if (n > 1)
            assert_int_equal(got, ios);
        assert_true(tio_series_count(&s) <= 1024);
        tio_series_fini(&s);
    }
}

int main(void)
{
    json_set_alloc_funcs(json_alloc, free);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reports),
        cmocka_unit_test(test_objects),
        cmocka_unit_test(test_series_degrades),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
