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
        fuzz_require(j->bs[d] >= 1 && j->bs[d] <= UINT64_C(0x7ffff000));
        fuzz_require(j->ba[d] <= UINT64_C(0x7ffff000));
    }
    fuzz_require(j->nrfiles >= 1);
    if (j->size.set && !j->size.percent)
        per_file = j->size.bytes / j->nrfiles;
    if (j->offset.set && !j->offset.percent)
        start = j->offset.bytes;
    if (j->offset_increment.set && !j->offset_increment.percent)
        fuzz_require(!__builtin_mul_overflow(j->offset_increment.bytes, (uint64_t)j->clone,
                                             &step));
    fuzz_require(!__builtin_add_overflow(start, step, &start) && start <= max_off);
    /* the host takes clone x a percentage of the file's size */
    fuzz_require(!j->offset_increment.percent ||
                 j->offset.percent + (uint64_t)j->clone * j->offset_increment.percent <= 100);
    fuzz_require(!__builtin_add_overflow(start, per_file, &total) && total <= max_off);
    /* the sequential generator adds offset + bs + skip, then bs again */
    fuzz_require(j->rw_modifier <= (UINT64_C(1) << 62));
    if (j->io_size.set && !j->io_size.percent)
        io = j->io_size.bytes;
    else if (!j->io_size.set && j->size.set && !j->size.percent)
        io = j->size.bytes;
    fuzz_require(!__builtin_mul_overflow(io, (uint64_t)(j->loops ? j->loops : 1), &total));
    /* deadlines and delays are nanoseconds since boot */
    fuzz_require(!__builtin_add_overflow(j->ramp_time, j->runtime, &total) &&
                 !__builtin_add_overflow(total, j->startdelay_max, &total) &&
                 !__builtin_mul_overflow(total, UINT64_C(1000), &ns));
}

static void fuzz_check_plan(const struct tio_plan *plan)
{
    for (size_t i = 0; i < plan->nr_jobs; i++)
        fuzz_check_job(&plan->jobs[i]);
}

#endif /* FUZZ_JOB_INVARIANTS_H */
