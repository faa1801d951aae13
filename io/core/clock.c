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

void tio_clock_init(bool force_gettime)
{
    struct tio_clock *c = &tio_clock_state;
    memset(c, 0, sizeof(*c));
    if (force_gettime || !tsc_invariant())
        return;
#if TIO_HAVE_TSC
    /* Measure the TSC rate against CLOCK_MONOTONIC over ~20 ms. */
    uint64_t m0 = tio_clock_gettime_ns();
    uint64_t t0 = __rdtsc();
    struct timespec nap = {0, 20 * 1000 * 1000};
    nanosleep(&nap, NULL);
    uint64_t m1 = tio_clock_gettime_ns();
    uint64_t t1 = __rdtsc();
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
