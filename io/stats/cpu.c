#include "tio_cpu.h"

#include <errno.h>
#include <sys/resource.h>

static uint64_t tv_ns(struct timeval tv)
{
    return (uint64_t)tv.tv_sec * 1000000000u + (uint64_t)tv.tv_usec * 1000u;
}

int tio_cpu_usage_now(enum tio_cpu_scope scope, struct tio_cpu_usage *out)
{
    struct rusage ru;
    int who = scope == TIO_CPU_THREAD ? RUSAGE_THREAD : RUSAGE_SELF;
    if (getrusage(who, &ru) != 0)
        return -errno;
    out->usr_ns = tv_ns(ru.ru_utime);
    out->sys_ns = tv_ns(ru.ru_stime);
    out->ctx = (uint64_t)ru.ru_nvcsw + (uint64_t)ru.ru_nivcsw;
    out->majf = (uint64_t)ru.ru_majflt;
    out->minf = (uint64_t)ru.ru_minflt;
    return 0;
}

static uint64_t sub(uint64_t a, uint64_t b)
{
    return a > b ? a - b : 0;
}

void tio_cpu_usage_delta(const struct tio_cpu_usage *start, const struct tio_cpu_usage *end,
                         struct tio_cpu_usage *out)
{
    out->usr_ns = sub(end->usr_ns, start->usr_ns);
    out->sys_ns = sub(end->sys_ns, start->sys_ns);
    out->ctx = sub(end->ctx, start->ctx);
    out->majf = sub(end->majf, start->majf);
    out->minf = sub(end->minf, start->minf);
}

void tio_cpu_usage_add(struct tio_cpu_usage *dst, const struct tio_cpu_usage *src)
{
    dst->usr_ns += src->usr_ns;
    dst->sys_ns += src->sys_ns;
    dst->ctx += src->ctx;
    dst->majf += src->majf;
    dst->minf += src->minf;
}
