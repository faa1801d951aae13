/* Cost of the per-IO statistics calls, as a worker makes them:
 * tio_stats_io (count, bytes, clat histogram, lat moments) plus
 * tio_stats_tick. Run with `meson test --benchmark` or directly; prints
 * nanoseconds per IO. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tio_job_result.h"

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 100000000u;
    struct tio_job_result *r = tio_job_result_new("bench", 0, 0, 0);
    if (!r)
        return 1;
    struct tio_job_stats *js = &r->stats;
    /* Latencies that move around like a real device's, without a costly
     * generator: a cheap LCG over a few thousand nanoseconds. */
    uint64_t x = 12345, t = 1;
    tio_stats_start(js, t);
    uint64_t t0 = now_ns();
    for (uint64_t i = 0; i < n; i++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        uint64_t clat = 1500 + ((x >> 40) & 4095);
        t += 100;
        tio_stats_io(js, TIO_DDIR_READ, 4096, clat, clat + 20);
        tio_stats_tick(js, t);
    }
    uint64_t t1 = now_ns();
    tio_stats_finish(js, t);
    double per = (double)(t1 - t0) / (double)n;
    printf("%.2f ns per IO (tio_stats_io + tio_stats_tick, %llu IOs, p99 %llu ns)\n", per,
           (unsigned long long)n,
           (unsigned long long)tio_hist_percentile(&js->dir[TIO_DDIR_READ].clat, 99.0));
    tio_job_result_free(r);
    return 0;
}
