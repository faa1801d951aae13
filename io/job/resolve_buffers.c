/* fio's fix-ups and checks of the buffer-content options (init.c's
 * fixup_options for buffer_compress_percentage, dedupe_percentage and the
 * dedupe working set), and what tenon-io refuses to combine with them
 * rather than do something other than fio's HOWTO says. */
#include <stdio.h>

#include "job_internal.h"

/* fio's dedupe working set: a share of size= in blocks of the smallest
 * write, on the job's one file. */
static int check_working_set(const struct tio_job *job, struct tio_error *err)
{
    const struct tio_job_buffers *b = &job->buffers;
    const struct tio_amount *size = &job->files.size;

    if (!size->set || size->percent)
        return tio__job_error(err, job,
                              "dedupe_mode=working_set needs size= in bytes (the working set "
                              "is dedupe_working_set_percentage of it); set size=");
    if (job->files.nrfiles != 1)
        return tio__job_error(err, job,
                              "dedupe_mode=working_set works on one file per job, as in fio, "
                              "but the job has %u (set nrfiles=1 or use dedupe_mode=repeat)",
                              job->files.nrfiles);
    if (b->dedupe_working_set_percentage + b->dedupe_percentage > 100)
        return tio__job_error(err, job,
                              "dedupe_percentage=%u cannot be reached when "
                              "dedupe_working_set_percentage=%u of size is kept for unique "
                              "blocks (their sum must be at most 100)",
                              b->dedupe_percentage, b->dedupe_working_set_percentage);
    uint64_t bs = job->pattern.min_bs[TIO_JOB_DDIR_WRITE];
    /* fio keeps no working set when every write repeats one */
    if (b->dedupe_percentage < 100 &&
        (size->bytes / 100) * b->dedupe_working_set_percentage +
                (size->bytes % 100) * b->dedupe_working_set_percentage / 100 <
            bs)
        return tio__job_error(err, job,
                              "the dedupe working set (dedupe_working_set_percentage=%u of "
                              "size=%llu) holds no block of %llu bytes; raise either",
                              b->dedupe_working_set_percentage, (unsigned long long)size->bytes,
                              (unsigned long long)bs);
    /* the other jobs' buffer seeds must be known before they run */
    if (b->dedupe_global && !job->pattern.randrepeat && !job->pattern.randseed_set)
        return tio__job_error(err, job,
                              "dedupe_global=1 with randrepeat=0 and no randseed: the jobs "
                              "could not share their working sets' seeds (set randseed= or "
                              "randrepeat=1)");
    return TIO_OK;
}

int tio__resolve_buffers(struct tio_job *job, struct tio_error *err)
{
    struct tio_job_buffers *b = &job->buffers;

    /* fio: fully compressible is all zeros, filled once; anything less
     * refills every write, unless refill_buffers was written */
    if (b->compress_percentage == 100) {
        b->zero_buffers = true;
        b->compress_percentage = 0;
    } else if (b->compress_percentage && !b->refill_given) {
        b->refill_buffers = true;
    }
    if (!b->dedupe_percentage)
        return TIO_OK;
    if (job->verify.method != TIO_VERIFY_NONE && tio_rw_writes(job->pattern.rw))
        return tio__job_error(err, job,
                              "dedupe_percentage with verify: fio fills every verified write "
                              "with its own data, so no write would repeat another (drop "
                              "dedupe_percentage or verify)");
    if (b->dedupe_mode == TIO_DEDUPE_WORKING_SET)
        return check_working_set(job, err);
    return TIO_OK;
}
