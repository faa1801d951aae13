/* LD_PRELOAD shim for the gtod_reduce case: counts the process's
 * CLOCK_MONOTONIC reads and writes the count to $TIO_CLOCK_COUNT_FILE at
 * exit. tenon-io reads that clock through clock_gettime when
 * TENON_IO_CLOCK=gettime. */
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static atomic_ulong monotonic_reads;

__attribute__((visibility("default"))) int clock_gettime(clockid_t id, struct timespec *ts)
{
    static int (*real)(clockid_t, struct timespec *);

    if (!real)
        real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
    if (id == CLOCK_MONOTONIC)
        atomic_fetch_add(&monotonic_reads, 1);
    return real(id, ts);
}

__attribute__((destructor)) static void report(void)
{
    const char *path = getenv("TIO_CLOCK_COUNT_FILE");
    FILE *f = path ? fopen(path, "w") : NULL;

    if (!f)
        return;
    fprintf(f, "%lu\n", (unsigned long)atomic_load(&monotonic_reads));
    fclose(f);
}
