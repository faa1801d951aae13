/* The benchmark's clock: nanoseconds on CLOCK_MONOTONIC's scale, read from
 * the CPU's time-stamp counter when it is invariant (a few ns per read,
 * against ~25 ns for clock_gettime), else from clock_gettime. Latencies are
 * measured twice per IO, so the difference shows at millions of IOPS. */
#ifndef TIO_CLOCK_H
#define TIO_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define TIO_HAVE_TSC 1
#else
#define TIO_HAVE_TSC 0
#endif

/* The TSC's ticks to ns as a fixed-point factor with this many fractional
 * bits: a constant, so that the conversion is a multiply and a fixed
 * shift (a variable shift of 128 bits costs a branch and a dependency). */
#define TIO_CLOCK_SHIFT 32

struct tio_clock {
    bool tsc;           /* read the TSC; else clock_gettime */
    uint64_t tsc_base;  /* TSC value at mono_base */
    uint64_t mono_base; /* CLOCK_MONOTONIC ns at tsc_base */
    uint64_t mult;      /* ns = (tsc - tsc_base) * mult >> TIO_CLOCK_SHIFT */
};

extern struct tio_clock tio_clock_state;

/* Decides the source and calibrates the TSC (about 20 ms); call once at
 * startup, before any thread reads the clock. force_gettime disables the TSC. */
void tio_clock_init(bool force_gettime);

static inline uint64_t tio_clock_gettime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t tio_now_ns(void)
{
#if TIO_HAVE_TSC
    const struct tio_clock *c = &tio_clock_state;
    if (c->tsc) {
        uint64_t d = __rdtsc() - c->tsc_base;
        return c->mono_base + (uint64_t)(((unsigned __int128)d * c->mult) >> TIO_CLOCK_SHIFT);
    }
#endif
    return tio_clock_gettime_ns();
}

/* "tsc" or "clock_gettime". */
const char *tio_clock_source(void);

#endif
