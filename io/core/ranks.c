/* How ranks of a distributed run divide a file they share: IOR's segmented
 * layout. Each rank gets its own region of the file, one after the other:
 * the job's offset moves by the rank's place among the ranks that share
 * the file times the job's size per file (or its offset_increment, when
 * the job spaces its clones itself: the ranks then continue that count),
 * so that N ranks never write the same block. Each rank's random seed
 * moves too, so that the ranks' data differ as their writers do. */
#include "ranks.h"

#include <inttypes.h>

/* The bytes one rank's part of each file spans. 0 with err when the job
 * does not say. */
static uint64_t part_bytes(const struct tio_job *job, const char *file, unsigned count,
                           struct tio_error *err)
{
    if (job->offset_increment.set && !job->offset_increment.percent)
        return job->offset_increment.bytes * job->numjobs;
    if (job->size.set && !job->size.percent) {
        unsigned nfiles = job->nrfiles ? job->nrfiles : 1;
        uint64_t part = job->size.bytes / nfiles + (job->size.bytes % nfiles != 0);
        /* whole blocks: the parts never overlap, even with a remainder */
        uint64_t bs = 1;
        for (int d = 0; d < TIO_JOB_DDIR_COUNT; d++)
            bs = job->bs[d] > bs ? job->bs[d] : bs;
        if (part % bs)
            part += bs - part % bs;
        return part;
    }
    tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                  "job %s: %u ranks share %s and the job says no size in bytes to divide it by; "
                  "give size= (each rank's part; not a percentage) or offset_increment=, or give "
                  "each rank its own file with $rank in filename=",
                  job->name, count, file);
    return 0;
}

int tio_ranks_share(struct tio_job *job, const char *file, unsigned index, unsigned count,
                    struct tio_error *err)
{
    if (count <= 1)
        return 0;
    if (job->offset.set && job->offset.percent) {
        tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                      "job %s: %u ranks share %s, whose start is a percentage (offset=%u%%): "
                      "give offset= in bytes so that each rank's part can follow it",
                      job->name, count, file, job->offset.percent);
        return -1;
    }
    uint64_t part = part_bytes(job, file, count, err);
    if (!part)
        return -1;
    uint64_t start = job->offset.set ? job->offset.bytes : 0;
    if (part > (TIO_MAX_OFFSET - start) / count) {
        tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                      "job %s: %u ranks share %s: %u parts of %" PRIu64 " bytes from offset %" PRIu64
                      " end past the largest file offset (2^63-1); lower size",
                      job->name, count, file, count, part, start);
        return -1;
    }
    job->offset.bytes = start + (uint64_t)index * part;
    job->offset.set = true;
    job->randseed += (uint64_t)index * job->numjobs;
    return 0;
}
