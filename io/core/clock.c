/* TSC calibration. The TSC is used only when the CPU says it is invariant
 * (constant_tsc and nonstop_tsc): then it ticks at a fixed rate across
 * frequency changes and idle states, and on every core alike. */
#include "clock.h"

#include <stdio.h>
#include <string.h>

struct tio_clock tio_clock_state;

static bool tsc_invariant(void)
{
#if TIO_HAVE_TSC
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return false;
    char line[4096];
    bool constant = false, nonstop = false;
    while (fgets(line, sizeof(line), f)) {
        if (strncmp(line, "flags", 5) != 0)
            continue;
        constant = strstr(line, " constant_tsc") != NULL;
        nonstop = strstr(line, " nonstop_tsc") != NULL;
        break;
    }
    fclose(f);
    return constant && nonstop;
#else
    return false;
#endif
}

#if TIO_HAVE_TSC
/* A CLOCK_MONOTONIC reading and the TSC at the same moment: the TSC read
 * on both sides of clock_gettime, the midpoint taken, and of a few tries
 * the tightest pair kept. Two plain reads one after the other are as far
 * apart as a preemption between them, and on a loaded machine that can be
 * a millisecond of a 20 ms calibration: every sleep and rate would then
 * be 5% off. */
static void pair(uint64_t *mono, uint64_t *tsc)
{
    uint64_t best = UINT64_MAX;
    for (int i = 0; i < 16; i++) {
        uint64_t before = __rdtsc();
        uint64_t m = tio_clock_gettime_ns();
        uint64_t after = __rdtsc();
        if (after - before < best) {
            best = after - before;
            *mono = m;
            *tsc = before + (after - before) / 2;
        }
    }
}
#endif

void tio_clock_init(bool force_gettime)
{
    struct tio_clock *c = &tio_clock_state;
    memset(c, 0, sizeof(*c));
    if (force_gettime || !tsc_invariant())
        return;
#if TIO_HAVE_TSC
    /* Measure the TSC rate against CLOCK_MONOTONIC over ~20 ms. */
    uint64_t m0, t0, m1, t1;
    pair(&m0, &t0);
    struct timespec nap = {0, 20 * 1000 * 1000};
    nanosleep(&nap, NULL);
    pair(&m1, &t1);
    uint64_t dm = m1 - m0, dt = t1 - t0;
    if (dt == 0 || dm == 0)
        return;
    /* mult/2^TIO_CLOCK_SHIFT = dm/dt */
    c->mult = (uint64_t)(((unsigned __int128)dm << TIO_CLOCK_SHIFT) / dt);
    c->tsc_base = t1;
    c->mono_base = m1;
    c->tsc = true;
#endif
}

const char *tio_clock_source(void)
{
    return tio_clock_state.tsc ? "tsc" : "clock_gettime";
}
