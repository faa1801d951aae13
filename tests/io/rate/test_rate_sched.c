/* The schedule of a rate-capped job (io/core/rate_sched.c) against a fake
 * clock: a simulated job that issues each IO as soon as it is due must
 * issue what its cap allows, to the byte, at any time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rate_sched.h"

#define US 1000000ull

static const bool both[2] = {true, true};
static const bool reads[2] = {true, false};

/* Runs the job for `secs` of fake time: the clock jumps to each due time,
 * the mix draws directions from `mix` (a repeating pattern of 0s and 1s). */
static void simulate(struct tio_rate_sched *s, uint64_t secs, const char *mix,
                     uint64_t bytes[2], uint64_t ios[2])
{
    uint64_t now = 0;
    size_t i = 0, n = strlen(mix);
    bytes[0] = bytes[1] = ios[0] = ios[1] = 0;
    for (;;) {
        uint64_t due = tio_rate_sched_due(s);
        if (due > now)
            now = due; /* the sleep */
        if (now >= secs * US)
            break;
        unsigned d = tio_rate_sched_pick(s, (unsigned)(mix[i++ % n] - '0'), now);
        tio_rate_sched_issued(s, d, s->bs[d]);
        bytes[d] += s->bs[d];
        ios[d]++;
    }
}

static void linear_times(void **state)
{
    (void)state;
    struct tio_rate_sched s;
    uint64_t bps[2] = {1 << 20, 0}, bs[2] = {4096, 4096};
    tio_rate_sched_init(&s, bps, bs, reads, false, 1);
    assert_int_equal(tio_rate_sched_due(&s), 0); /* the first IO goes at once */
    tio_rate_sched_issued(&s, 0, 4096);
    assert_int_equal(tio_rate_sched_due(&s), 3906); /* 4096 / 1 MiB/s = 3906.25 us */
    tio_rate_sched_issued(&s, 0, 4096);
    assert_int_equal(tio_rate_sched_due(&s), 7812);
    for (int i = 0; i < 254; i++)
        tio_rate_sched_issued(&s, 0, 4096);
    assert_int_equal(tio_rate_sched_due(&s), US); /* 256 IOs: exactly one second */
    tio_rate_sched_reset(&s);
    assert_int_equal(tio_rate_sched_due(&s), 0);
}

static void linear_holds_rate(void **state)
{
    (void)state;
    struct tio_rate_sched s;
    uint64_t bps[2] = {3000000, 0}, bs[2] = {4096, 4096}, bytes[2], ios[2];
    tio_rate_sched_init(&s, bps, bs, reads, false, 1);
    simulate(&s, 10, "0", bytes, ios);
    /* every IO due before 10 s went out: the cap to within one block */
    assert_true(bytes[0] <= 30000000 + 4096);
    assert_true(bytes[0] >= 30000000);
    assert_int_equal(bytes[1], 0);
}

static void iops_cap(void **state)
{
    (void)state;
    struct tio_rate_sched s;
    /* rate_iops=100 at bs=8k: the host passes 100 x 8k as the cap */
    uint64_t bps[2] = {100 * 8192, 0}, bs[2] = {8192, 8192}, bytes[2], ios[2];
    tio_rate_sched_init(&s, bps, bs, reads, false, 1);
    simulate(&s, 10, "0", bytes, ios);
    assert_int_equal(ios[0], 1000);
}

static void mixed_directions(void **state)
{
    (void)state;
    struct tio_rate_sched s;
    /* rate=1m,512k with a 50/50 mix: each direction holds its own cap; a
     * direction ahead of its rate gives way to one that is due */
    uint64_t bps[2] = {1 << 20, 1 << 19}, bs[2] = {4096, 4096}, bytes[2], ios[2];
    tio_rate_sched_init(&s, bps, bs, both, false, 1);
    simulate(&s, 10, "01", bytes, ios);
    assert_true(bytes[0] >= 10ull << 20 && bytes[0] <= (10ull << 20) + 4096);
    assert_true(bytes[1] >= 10ull << 19 && bytes[1] <= (10ull << 19) + 4096);
}

static void uncapped_direction(void **state)
{
    (void)state;
    struct tio_rate_sched s;
    /* rate=,1m: reads are not capped, so a mixed job never waits */
    uint64_t bps[2] = {0, 1 << 20}, bs[2] = {4096, 4096};
    tio_rate_sched_init(&s, bps, bs, both, false, 1);
    for (int i = 0; i < 1000; i++) {
        tio_rate_sched_issued(&s, 0, 4096);
        assert_int_equal(tio_rate_sched_due(&s), 0);
    }
    tio_rate_sched_issued(&s, 1, 4096);
    /* the mix drew a write ahead of its rate: the read, due, goes instead */
    assert_int_equal(tio_rate_sched_pick(&s, 1, 10), 0);
    assert_int_equal(tio_rate_sched_pick(&s, 0, 10), 0);
}

static void poisson_gaps(void **state)
{
    (void)state;
    struct tio_rate_sched s;
    /* 1000 IOPS: exponential gaps of mean 1000 us (fio's 10^6 / IOPS) */
    uint64_t bps[2] = {1000 * 4096, 0}, bs[2] = {4096, 4096};
    tio_rate_sched_init(&s, bps, bs, reads, true, 7);
    uint64_t prev = 0, n = 200000, below_mean = 0;
    for (uint64_t i = 0; i < n; i++) {
        tio_rate_sched_issued(&s, 0, 4096);
        uint64_t due = tio_rate_sched_due(&s);
        assert_true(due >= prev);
        below_mean += due - prev < 1000;
        prev = due;
    }
    double mean = (double)prev / (double)n;
    assert_true(mean > 990 && mean < 1010);
    /* P(gap < mean) = 1 - 1/e = 0.632 for an exponential draw */
    double frac = (double)below_mean / (double)n;
    assert_true(frac > 0.62 && frac < 0.645);
    /* the same seed draws the same schedule */
    struct tio_rate_sched t;
    tio_rate_sched_init(&t, bps, bs, reads, true, 7);
    for (uint64_t i = 0; i < n; i++)
        tio_rate_sched_issued(&t, 0, 4096);
    assert_int_equal(tio_rate_sched_due(&t), prev);
}

/* rate_ignore_thinktime: after a stall the next IO is due at once, not
 * in the past (no catching up), and the schedule keeps its pace after. */
static void skip_stall(void **state)
{
    (void)state;
    struct tio_rate_sched s;
    const uint64_t bps[2] = {100 * 4096, 0}, bs[2] = {4096, 4096};
    tio_rate_sched_init(&s, bps, bs, reads, false, 1);
    for (int i = 0; i < 10; i++)
        tio_rate_sched_issued(&s, 0, 4096);
    assert_int_equal(tio_rate_sched_due(&s), 100000); /* 10 IOs at 100/s */
    /* stalled 500 ms after the 10th IO, which went out at 90 ms: the
     * schedule counts the 50 IOs it missed, less one */
    tio_rate_sched_skip(&s, 0, 500000);
    assert_int_equal(tio_rate_sched_due(&s), 590000);
    tio_rate_sched_issued(&s, 0, 4096);
    assert_int_equal(tio_rate_sched_due(&s), 600000);
    /* a stall shorter than one IO's gap counts what it covered */
    tio_rate_sched_skip(&s, 0, 5000);
    assert_int_equal(tio_rate_sched_due(&s), 605000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(linear_times),       cmocka_unit_test(linear_holds_rate),
        cmocka_unit_test(iops_cap),           cmocka_unit_test(mixed_directions),
        cmocka_unit_test(uncapped_direction), cmocka_unit_test(poisson_gaps),
        cmocka_unit_test(skip_stall),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
