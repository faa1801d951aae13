/* CPU usage of a job, from getrusage: the worker samples its own thread at
 * the start and end of its IO, and the difference is the job's share. */
#ifndef TIO_CPU_H
#define TIO_CPU_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tio_cpu_usage {
    uint64_t usr_ns;
    uint64_t sys_ns;
    uint64_t ctx;  /* voluntary + involuntary context switches */
    uint64_t majf; /* major page faults */
    uint64_t minf; /* minor page faults */
};

enum tio_cpu_scope {
    TIO_CPU_THREAD, /* the calling thread (jobs run as threads) */
    TIO_CPU_PROCESS /* the whole process (jobs run as processes) */
};

/* Current totals for the scope. Returns 0 or -errno. */
int tio_cpu_usage_now(enum tio_cpu_scope scope, struct tio_cpu_usage *out);

/* end - start, field by field (0 where a counter went backwards). */
void tio_cpu_usage_delta(const struct tio_cpu_usage *start, const struct tio_cpu_usage *end,
                         struct tio_cpu_usage *out);

void tio_cpu_usage_add(struct tio_cpu_usage *dst, const struct tio_cpu_usage *src);

#ifdef __cplusplus
}
#endif

#endif
