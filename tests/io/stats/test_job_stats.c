/* A job's statistics as a worker feeds them: sampling, depth maps, errors,
 * group sums. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tio_eta.h"
#include "tio_job_result.h"

#define MS UINT64_C(1000000)

/* Simulates a worker doing `rate` IOs per second of 4 KiB reads for
 * `dur_ms`, with time advancing per IO. */
static uint64_t run_reads(struct tio_job_stats *js, uint64_t t0, uint64_t dur_ms, uint64_t rate)
{
    uint64_t n = dur_ms * rate / 1000;
    uint64_t step = 1000000000u / rate;
    uint64_t t = t0;
    for (uint64_t i = 0; i < n; i++) {
        t += step;
        tio_stats_io(js, TIO_DDIR_READ, 4096, 40000, 40100);
        tio_stats_tick(js, t);
    }
    return t;
}

static void test_sampling(void **state)
{
    (void)state;
    struct tio_job_result *r = tio_job_result_new("s", 0, 0, 0);
    assert_non_null(r);
    struct tio_job_stats *js = &r->stats;
    uint64_t t0 = 1000 * MS;
    tio_stats_start(js, t0);
    uint64_t t = run_reads(js, t0, 3000, 10000);
    tio_stats_finish(js, t + 1 * MS);

    struct tio_dir_stats *rd = &js->dir[TIO_DDIR_READ];
    assert_int_equal(rd->ios, 30000);
    assert_int_equal(rd->bytes, 30000 * 4096);
    /* 500 ms samples over 3 s: 6 full intervals, the partial end is not a
     * sample. */
    assert_int_equal(rd->bw.n, 6);
    assert_int_equal(rd->iops.n, 6);
    assert_true(fabs(rd->iops.mean - 10000.0) < 10.0);
    assert_true(fabs(rd->bw.mean - 10000.0 * 4096) < 4096 * 10.0);
    /* No writes, no write samples. */
    assert_int_equal(js->dir[TIO_DDIR_WRITE].bw.n, 0);
    assert_int_equal(rd->runtime_ns, 3001 * MS);
    assert_int_equal(js->dir[TIO_DDIR_WRITE].runtime_ns, 0);
    /* The series has every interval, including the partial one. */
    assert_int_equal(tio_series_count(&js->series), 7);
    uint64_t ios = 0;
    for (size_t i = 0; i < tio_series_count(&js->series); i++)
        ios += tio_series_points(&js->series)[i].ios[TIO_DDIR_READ];
    assert_int_equal(ios, 30000);
    assert_int_equal(tio_job_result_runtime_ms(r), 3001);
    tio_job_result_free(r);
}

static void test_reset_after_ramp(void **state)
{
    (void)state;
    struct tio_job_result *r = tio_job_result_new("ramp", 0, 0, 0);
    assert_non_null(r);
    struct tio_job_stats *js = &r->stats;
    tio_stats_start(js, 0);
    uint64_t t = run_reads(js, 0, 1000, 1000);
    tio_stats_error(js, TIO_DDIR_READ, "EIO");
    tio_stats_reset(js, t);
    assert_int_equal(js->dir[TIO_DDIR_READ].ios, 0);
    assert_int_equal(js->dir[TIO_DDIR_READ].clat.st.n, 0);
    assert_int_equal(js->errors.n, 0);
    assert_int_equal(tio_series_count(&js->series), 0);
    t = run_reads(js, t, 1000, 1000);
    tio_stats_finish(js, t);
    assert_int_equal(js->dir[TIO_DDIR_READ].ios, 1000);
    assert_int_equal(js->dir[TIO_DDIR_READ].bw.n, 2);
    tio_job_result_free(r);
}

static void test_depth_buckets(void **state)
{
    (void)state;
    struct tio_job_result *r = tio_job_result_new("d", 0, 0, 0);
    assert_non_null(r);
    struct tio_job_stats *js = &r->stats;
    /* Depth levels: 1, 2-3, 4-7, 8-15, 16-31, 32-63, >=64. */
    static const uint64_t depth[] = {1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 1000};
    static const uint64_t want_depth[TIO_DEPTH_BUCKETS] = {1, 2, 2, 2, 2, 2, 2};
    for (size_t i = 0; i < sizeof(depth) / sizeof(depth[0]); i++)
        tio_stats_depth(js, depth[i]);
    assert_memory_equal(js->depth, want_depth, sizeof(want_depth));
    /* Batches: 0, 1-4, 5-8, 9-16, 17-32, 33-64, >64. */
    static const uint64_t batch[] = {0, 1, 4, 5, 8, 9, 16, 17, 32, 33, 64, 65, 4096};
    for (size_t i = 0; i < sizeof(batch) / sizeof(batch[0]); i++) {
        tio_stats_submit(js, batch[i]);
        tio_stats_complete(js, batch[i]);
    }
    static const uint64_t want_batch[TIO_DEPTH_BUCKETS] = {1, 2, 2, 2, 2, 2, 2};
    assert_memory_equal(js->submit, want_batch, sizeof(want_batch));
    assert_memory_equal(js->complete, want_batch, sizeof(want_batch));
    tio_job_result_free(r);
}

static void test_errors(void **state)
{
    (void)state;
    struct tio_job_result *r = tio_job_result_new("e", 0, 0, 0);
    assert_non_null(r);
    struct tio_job_stats *js = &r->stats;
    tio_stats_errno(js, TIO_DDIR_READ, 5);
    tio_stats_errno(js, TIO_DDIR_WRITE, 5);
    tio_stats_error(js, TIO_DDIR_READ, "verify");
    assert_int_equal(js->errors.n, 2);
    assert_string_equal(js->errors.e[0].kind, "EIO");
    assert_int_equal(js->errors.e[0].count, 2);
    assert_string_equal(js->errors.e[1].kind, "verify");
    assert_int_equal(js->dir[TIO_DDIR_READ].errors, 2);
    assert_int_equal(js->dir[TIO_DDIR_WRITE].errors, 1);
    /* Past the table's size, kinds go to "other". */
    for (int i = 0; i < TIO_ERROR_KINDS_MAX + 3; i++) {
        char k[16];
        snprintf(k, sizeof(k), "k%d", i);
        tio_stats_error(js, TIO_DDIR_TRIM, k);
    }
    assert_int_equal(js->errors.n, TIO_ERROR_KINDS_MAX);
    assert_int_equal(js->errors.other, 5);
    tio_job_result_free(r);
}

static void test_aggregate(void **state)
{
    (void)state;
    struct tio_job_result *a = tio_job_result_new("a", 3, 0, 0);
    struct tio_job_result *b = tio_job_result_new("b", 3, 0, 0);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(tio_job_result_add_option(a, "rw", "randread"), 0);
    tio_stats_start(&a->stats, 0);
    tio_stats_start(&b->stats, 0);
    uint64_t ta = run_reads(&a->stats, 0, 2000, 2000);
    uint64_t tb = run_reads(&b->stats, 0, 2000, 1000);
    tio_stats_finish(&a->stats, ta);
    tio_stats_finish(&b->stats, tb + 5 * MS);
    a->cpu.usr_ns = 500 * MS;
    b->cpu.usr_ns = 1500 * MS;
    b->cpu.ctx = 7;
    assert_int_equal(tio_job_result_set_error(b, 5, "EIO on b"), 0);

    struct tio_job_result *jobs[] = {a, b};
    struct tio_job_result *g = tio_job_result_aggregate(jobs, 2);
    assert_non_null(g);
    assert_string_equal(g->name, "a");
    assert_int_equal(g->groupid, 3);
    assert_int_equal(g->njobs, 2);
    assert_int_equal(g->error, 5);
    assert_string_equal(g->error_text, "EIO on b");
    assert_string_equal(tio_kv_list_get(&g->options, "rw"), "randread");
    struct tio_dir_stats *rd = &g->stats.dir[TIO_DDIR_READ];
    assert_int_equal(rd->ios, 6000);
    assert_int_equal(rd->clat.st.n, 6000);
    /* The group's runtime is its longest job's; its job_runtime their sum. */
    assert_int_equal(rd->runtime_ns, tb + 5 * MS);
    assert_int_equal(tio_job_result_runtime_ms(g), ta / MS + (tb + 5 * MS) / MS);
    /* Concurrent rates add up: about 3000 IOPS per sample. */
    assert_int_equal(rd->iops.n, a->stats.dir[0].iops.n + b->stats.dir[0].iops.n);
    assert_true(fabs(rd->iops.mean - 3000.0) < 10.0);
    assert_int_equal(g->cpu.usr_ns, 2000 * MS);
    assert_int_equal(g->cpu.ctx, 7);
    assert_null(tio_job_result_aggregate(jobs, 0));
    tio_job_result_free(g);
    tio_job_result_free(a);
    tio_job_result_free(b);
}

static void test_live_publish(void **state)
{
    (void)state;
    struct tio_eta *eta = tio_eta_new(1);
    assert_non_null(eta);
    struct tio_job_result *r = tio_job_result_new("l", 0, 0, 0);
    assert_non_null(r);
    struct tio_live_job *live = tio_eta_job(eta, 0);
    tio_job_stats_attach_live(&r->stats, live);
    tio_stats_start(&r->stats, 10 * MS);
    assert_int_not_equal(atomic_load(&live->start_ns), 0);
    /* Published every 100 ms, not per IO. */
    tio_stats_io(&r->stats, TIO_DDIR_WRITE, 4096, 1, 1);
    tio_stats_tick(&r->stats, 20 * MS);
    assert_int_equal(atomic_load(&live->ios[TIO_DDIR_WRITE]), 0);
    tio_stats_tick(&r->stats, 111 * MS);
    assert_int_equal(atomic_load(&live->ios[TIO_DDIR_WRITE]), 1);
    assert_int_equal(atomic_load(&live->bytes[TIO_DDIR_WRITE]), 4096);
    tio_stats_io(&r->stats, TIO_DDIR_WRITE, 4096, 1, 1);
    tio_stats_finish(&r->stats, 150 * MS);
    assert_int_equal(atomic_load(&live->ios[TIO_DDIR_WRITE]), 2);
    tio_job_result_free(r);
    tio_eta_free(eta);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sampling),      cmocka_unit_test(test_reset_after_ramp),
        cmocka_unit_test(test_depth_buckets), cmocka_unit_test(test_errors),
        cmocka_unit_test(test_aggregate),     cmocka_unit_test(test_live_publish),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
