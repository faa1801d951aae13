/* Rates over fio's runtime: the elapsed microseconds rounded up to whole
 * milliseconds, so that a run shorter than a millisecond reports its rates
 * over 1 ms instead of IOPS=0 and BW=0. Every field is checked against its
 * definition for elapsed times on both sides of each rounding edge, in the
 * JSON report, the normal report's direction line and the group totals. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tio_job_result.h"
#include "tio_report.h"

/* fio 3.33, backend.c update_runtime(): (elapsed_us + 999) / 1000, except
 * that a run under 1 us, 0 there, counts as 1 ms so that it has rates. */
static uint64_t fio_runtime_ms(uint64_t elapsed_ns)
{
    uint64_t ms = (elapsed_ns / 1000 + 999) / 1000;
    return ms || !elapsed_ns ? ms : 1;
}

static struct tio_report *one_job(uint64_t elapsed_ns, uint64_t ios, uint64_t bs)
{
    struct tio_report *rep = tio_report_new("test");
    assert_non_null(rep);
    struct tio_job_result *r = tio_job_result_new("t", 0, 0, 0);
    assert_non_null(r);
    const uint64_t t0 = 1000000000ull;
    tio_stats_start(&r->stats, t0);
    for (uint64_t i = 0; i < ios; i++)
        tio_stats_io(&r->stats, TIO_DDIR_READ, bs, 100, 120);
    tio_stats_finish(&r->stats, t0 + elapsed_ns);
    assert_int_equal(tio_report_add_job(rep, r), 0);
    assert_int_equal(tio_report_finalize(rep), 0);
    return rep;
}

static void check_json(uint64_t elapsed_ns, uint64_t ios, uint64_t bs)
{
    struct tio_report *rep = one_job(elapsed_ns, ios, bs);
    json_t *root = tio_report_to_json(rep);
    assert_non_null(root);
    json_t *rd = json_object_get(json_array_get(json_object_get(root, "jobs"), 0), "read");
    assert_non_null(rd);

    uint64_t bytes = ios * bs;
    uint64_t run = fio_runtime_ms(elapsed_ns);
    uint64_t bw_bytes = run ? bytes * 1000 / run : 0;
    double iops = run ? 1000.0 * (double)ios / (double)run : 0.0;

    json_int_t got_run = json_integer_value(json_object_get(rd, "runtime"));
    json_int_t got_bwb = json_integer_value(json_object_get(rd, "bw_bytes"));
    json_int_t got_bw = json_integer_value(json_object_get(rd, "bw"));
    double got_iops = json_number_value(json_object_get(rd, "iops"));
    if ((uint64_t)got_run != run || (uint64_t)got_bwb != bw_bytes ||
        (uint64_t)got_bw != bw_bytes / 1024 || fabs(got_iops - iops) > 1e-6 * (iops + 1))
        fail_msg("elapsed %" PRIu64 " ns, %" PRIu64 " IOs of %" PRIu64
                 ": runtime %lld bw_bytes %lld bw %lld iops %f; want %" PRIu64 " %" PRIu64
                 " %" PRIu64 " %f",
                 elapsed_ns, ios, bs, (long long)got_run, (long long)got_bwb, (long long)got_bw,
                 got_iops, run, bw_bytes, bw_bytes / 1024, iops);

    const struct tio_group_total *g = tio_report_group(rep, 0);
    assert_non_null(g);
    assert_int_equal(g->min_run_ms[TIO_DDIR_READ], run);
    assert_int_equal(g->max_run_ms[TIO_DDIR_READ], run);
    assert_int_equal(g->agg_bw[TIO_DDIR_READ], bw_bytes);
    assert_int_equal(g->min_bw[TIO_DDIR_READ], bw_bytes);
    json_decref(root);
    tio_report_free(rep);
}

static void json_rates_follow_fio_runtime(void **state)
{
    (void)state;
    static const uint64_t elapsed[] = {
        1,             /* 1 ns: fio would truncate to 0 us */
        999,           /* 999 ns */
        1000,          /* 1 us */
        400000,        /* a 64 MiB null job: well under a millisecond */
        999999,        /* 999 us */
        1000000,       /* exactly 1 ms */
        1000999,       /* 1000 us: still 1 ms */
        1001000,       /* 1001 us: 2 ms */
        1500000,       /* 1.5 ms: 2 ms, not 1 */
        60000000000ull /* a minute */
    };
    for (size_t i = 0; i < sizeof(elapsed) / sizeof(elapsed[0]); i++) {
        check_json(elapsed[i], 16384, 4096);
        check_json(elapsed[i], 1, 512);
    }
}

/* "read: IOPS=16.4M, BW=62.5GiB/s (67.1GB/s)(64.0MiB/1msec)": a sub-ms run
 * is printed over 1 msec with non-zero rates, as fio prints it. */
static void normal_line_over_one_msec(void **state)
{
    (void)state;
    struct tio_report *rep = one_job(400000, 16384, 4096);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    assert_int_equal(tio_report_write_normal(rep, f), 0);
    fclose(f);
    const char *line = strstr(text, "  read: IOPS=");
    assert_non_null(line);
    if (strncmp(line, "  read: IOPS=16.4M, BW=62.5GiB/s (67.1GB/s)(64.0MiB/1msec)", 58) != 0)
        fail_msg("direction line: %.*s", (int)strcspn(line, "\n"), line);
    assert_non_null(strstr(text, "run=1-1msec"));
    free(text);
    tio_report_free(rep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_rates_follow_fio_runtime),
        cmocka_unit_test(normal_line_over_one_msec),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
