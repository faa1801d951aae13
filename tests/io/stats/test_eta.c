/* The live status line: format, snapshot arithmetic, reporter thread. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tio_eta.h"

#define SEC UINT64_C(1000000000)

static void test_format(void **state)
{
    (void)state;
    struct tio_eta_snapshot s;
    memset(&s, 0, sizeof(s));
    char line[256];
    s.running = 1;
    s.files = 1;
    s.njobs = 1;
    s.states = "r";
    tio_eta_format(&s, line, sizeof(line));
    /* Before the first rates, fio shows only the counts. */
    assert_string_equal(line, "Jobs: 1 (f=1)");

    s.have_rates = true;
    s.percent = 45.0;
    s.eta_known = true;
    s.eta_s = 11;
    s.dir_used[TIO_DDIR_READ] = true;
    s.bw[TIO_DDIR_READ] = UINT64_C(1234) * 1024 * 1024;
    s.iops[TIO_DDIR_READ] = 316000;
    int n = tio_eta_format(&s, line, sizeof(line));
    assert_string_equal(line,
                        "Jobs: 1 (f=1): [r(1)][45.0%][r=1234MiB/s][r=316k IOPS][eta 00m:11s]");
    assert_int_equal(n, (int)strlen(line));

    /* The example from fio's manual. */
    s.running = 1;
    s.files = 1;
    s.njobs = 2;
    s.states = "_M";
    s.percent = 24.8;
    s.eta_s = 91;
    s.dir_used[TIO_DDIR_WRITE] = true;
    s.bw[TIO_DDIR_READ] = 21495808;  /* 20.5 MiB/s */
    s.bw[TIO_DDIR_WRITE] = 24641536; /* 23.5 MiB/s */
    s.iops[TIO_DDIR_READ] = 82;
    s.iops[TIO_DDIR_WRITE] = 94;
    tio_eta_format(&s, line, sizeof(line));
    assert_string_equal(line,
                        "Jobs: 1 (f=1): [_(1),M(1)][24.8%][r=20.5MiB/s,w=23.5MiB/s][r=82,w=94 "
                        "IOPS][eta 01m:31s]");

    /* Run-length encoding of many jobs; a short buffer still reports the
     * length it needs. */
    s.running = 20;
    s.files = 20;
    s.njobs = 20;
    s.states = "RRRRRRRRRRWWWWWWWWWW";
    n = tio_eta_format(&s, line, sizeof(line));
    assert_non_null(strstr(line, "Jobs: 20 (f=20): [R(10),W(10)][24.8%]"));
    char tiny[8];
    int m = tio_eta_format(&s, tiny, sizeof(tiny));
    assert_int_equal(m, n);
    assert_string_equal(tiny, "Jobs: 2");
}

static void test_snapshot(void **state)
{
    (void)state;
    struct tio_eta *eta = tio_eta_new(2);
    assert_non_null(eta);
    assert_int_equal(tio_eta_job_count(eta), 2);
    assert_null(tio_eta_job(eta, 2));
    struct tio_live_job *a = tio_eta_job(eta, 0), *b = tio_eta_job(eta, 1);
    /* Live blocks sit on separate cache lines. */
    assert_true((uintptr_t)b - (uintptr_t)a >= TIO_LIVE_ALIGN);
    assert_int_equal((uintptr_t)a % TIO_LIVE_ALIGN, 0);

    /* a: 10 s time_based; b: 1 GiB of writes. */
    a->plan_runtime_ns = 10 * SEC;
    a->time_based = true;
    b->plan_bytes = UINT64_C(1) << 30;
    uint64_t t0 = 100 * SEC;

    struct tio_eta_snapshot s;
    tio_eta_snapshot(eta, t0, &s);
    assert_false(s.have_rates);
    assert_int_equal(s.running, 0);
    assert_string_equal(s.states, "PP");

    tio_live_set_state(a, TIO_STATE_RAND_READ);
    tio_live_set_files(a, 1);
    tio_live_set_started(a, t0);
    tio_live_set_state(b, TIO_STATE_SEQ_WRITE);
    tio_live_set_files(b, 1);
    tio_live_set_started(b, t0);
    tio_live_publish(a, TIO_DDIR_READ, 300000, UINT64_C(300000) * 4096);
    tio_live_publish(b, TIO_DDIR_WRITE, 1024, UINT64_C(1) << 28); /* a quarter */

    tio_eta_snapshot(eta, t0 + 2 * SEC, &s);
    assert_true(s.have_rates);
    assert_int_equal(s.running, 2);
    assert_int_equal(s.files, 2);
    assert_string_equal(s.states, "rW");
    assert_int_equal(s.iops[TIO_DDIR_READ], 150000);
    assert_int_equal(s.bw[TIO_DDIR_WRITE], (UINT64_C(1) << 28) / 2);
    assert_true(s.dir_used[TIO_DDIR_READ] && s.dir_used[TIO_DDIR_WRITE]);
    assert_false(s.dir_used[TIO_DDIR_TRIM]);
    /* a is 20% through its time, b 25% through its bytes. */
    assert_true(s.percent > 22.49 && s.percent < 22.51);
    /* a needs 8 s more; b, at its pace, 6 s. */
    assert_true(s.eta_known);
    assert_int_equal(s.eta_s, 8);

    /* Done jobs count as complete; the line shows them as reaped. */
    tio_live_set_state(a, TIO_STATE_REAPED);
    tio_live_set_state(b, TIO_STATE_REAPED);
    tio_eta_snapshot(eta, t0 + 3 * SEC, &s);
    assert_int_equal(s.running, 0);
    assert_true(s.percent > 99.99);
    assert_int_equal(s.eta_s, 0);
    assert_int_equal(s.iops[TIO_DDIR_READ], 0);
    char line[256];
    tio_eta_format(&s, line, sizeof(line));
    assert_string_equal(line, "Jobs: 0 (f=0): [_(2)][100.0%][r=0KiB/s,w=0KiB/s][r=0,w=0 "
                              "IOPS][eta 00m:00s]");
    tio_eta_free(eta);
}

static void test_reporter_thread(void **state)
{
    (void)state;
    struct tio_eta *eta = tio_eta_new(1);
    assert_non_null(eta);
    struct tio_live_job *j = tio_eta_job(eta, 0);
    j->plan_runtime_ns = 60 * SEC;
    j->time_based = true;
    tio_live_set_state(j, TIO_STATE_SEQ_READ);
    tio_live_set_files(j, 1);
    tio_live_set_started(j, tio_eta_now_ns());
    FILE *out = tmpfile();
    assert_non_null(out);
    assert_int_equal(tio_eta_start(eta, out, 10), 0);
    assert_int_not_equal(tio_eta_start(eta, out, 10), 0); /* already running */
    for (int i = 0; i < 10; i++) {
        tio_live_publish(j, TIO_DDIR_READ, (uint64_t)i * 1000, (uint64_t)i * 4096000);
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    uint64_t before = tio_eta_now_ns();
    tio_eta_stop(eta);
    /* Stop does not wait out an interval. */
    assert_true(tio_eta_now_ns() - before < SEC / 2);
    tio_eta_stop(eta); /* no-op */

    long len = ftell(out);
    assert_true(len > 0);
    rewind(out);
    char *buf = calloc(1, (size_t)len + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)len, out), (size_t)len);
    fclose(out);
    assert_non_null(strstr(buf, "Jobs: 1 (f=1): [R(1)]"));
    assert_non_null(strchr(buf, '\r'));
    assert_int_equal(buf[len - 1], '\n');
    free(buf);
    tio_eta_free(eta);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_snapshot),
        cmocka_unit_test(test_reporter_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
