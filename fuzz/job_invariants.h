/* What the host computes from a resolved job without checking it again:
 * the job fuzzers stop (abort) when a resolved job would make any of
 * these sums or products wrap, so an overflow the resolver lets through
 * is found as a crash, not as a hang or a wrong run later. */
#ifndef FUZZ_JOB_INVARIANTS_H
#define FUZZ_JOB_INVARIANTS_H

#include <stdint.h>
#include <stdlib.h>

#include "tio_job.h"

static void fuzz_require(int ok)
{
    if (!ok)
        abort();
}

static void fuzz_check_job(const struct tio_job *j)
{
    const uint64_t max_off = UINT64_C(0x7fffffffffffffff);
    uint64_t start = 0, per_file = 0, step = 0, io = 0, total, ns;

    for (int d = 0; d < TIO_JOB_DDIR_COUNT; d++) {
        /* the worker rounds bs up to 4 KiB and multiplies it by iodepth */
        fuzz_require(j->pattern.bs[d] >= 1 && j->pattern.bs[d] <= UINT64_C(0x7ffff000));
        fuzz_require(j->pattern.ba[d] <= UINT64_C(0x7ffff000));
    }
    fuzz_require(j->files.nrfiles >= 1);
    if (j->files.size.set && !j->files.size.percent)
        per_file = j->files.size.bytes / j->files.nrfiles;
    if (j->files.offset.set && !j->files.offset.percent)
        start = j->files.offset.bytes;
    if (j->files.offset_increment.set && !j->files.offset_increment.percent)
        fuzz_require(!__builtin_mul_overflow(j->files.offset_increment.bytes,
                                             (uint64_t)j->clone, &step));
    fuzz_require(!__builtin_add_overflow(start, step, &start) && start <= max_off);
    /* the host takes clone x a percentage of the file's size */
    fuzz_require(!j->files.offset_increment.percent ||
                 j->files.offset.percent +
                         (uint64_t)j->clone * j->files.offset_increment.percent <=
                     100);
    fuzz_require(!__builtin_add_overflow(start, per_file, &total) && total <= max_off);
    /* the sequential generator adds offset + bs + skip, then bs again */
    fuzz_require(j->pattern.rw_modifier <= (UINT64_C(1) << 62));
    if (j->files.io_size.set && !j->files.io_size.percent)
        io = j->files.io_size.bytes;
    else if (!j->files.io_size.set && j->files.size.set && !j->files.size.percent)
        io = j->files.size.bytes;
    fuzz_require(
        !__builtin_mul_overflow(io, (uint64_t)(j->files.loops ? j->files.loops : 1), &total));
    /* deadlines and delays are nanoseconds since boot */
    fuzz_require(!__builtin_add_overflow(j->time.ramp_time, j->time.runtime, &total) &&
                 !__builtin_add_overflow(total, j->time.startdelay_max, &total) &&
                 !__builtin_mul_overflow(total, UINT64_C(1000), &ns));
}

static void fuzz_check_plan(const struct tio_plan *plan)
{
    for (size_t i = 0; i < plan->nr_jobs; i++)
        fuzz_check_job(&plan->jobs[i]);
}

#endif /* FUZZ_JOB_INVARIANTS_H */
