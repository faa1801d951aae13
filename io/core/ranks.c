/* How ranks of a distributed run divide a file they share, as IOR does:
 *
 * - segmented (the default): each rank gets its own region of the file,
 *   one after the other: the job's offset moves by the rank's place among
 *   the ranks that share the file times the job's size per file (or
 *   numjobs x offset_increment, when the job spaces its clones itself: the
 *   ranks then continue that count);
 * - strided (rank_layout=strided): the blocks are dealt out in turn, rank
 *   i of N taking blocks i, i + N, i + 2N...: a sequential job that starts
 *   i blocks in and skips N - 1 blocks after each (fio's rw=write:SKIP),
 *   over N times its size, doing its size of IO.
 *
 * Either way N ranks never write the same block. rank_shift=K makes rank i
 * take the part of rank i + K (mod N), as IOR's -C reorders the readers:
 * a verify job then reads what another rank wrote. Each part has its own
 * random seed, and each writer puts its rank among the sharers (plus 1) in
 * fio's verify header (the header's "thread"); a shifted verify job checks
 * that the part it reads was written by the rank the part belongs to. */
#include "ranks.h"

#include <inttypes.h>

static int refuse_unsized(const struct tio_job *job, const char *file, unsigned count,
                          struct tio_error *err)
{
    tio_error_set(
        err, TIO_EJOB, NULL, NULL, NULL,
        "job %s: %u ranks share %s and the job says no size in bytes to divide it by; "
        "give size= (each rank's part; not a percentage)%s, or give each rank its own "
        "file with $rank in filename=",
        job->identity.name, count, file,
        job->ranks.layout == TIO_RANK_SEGMENTED ? " or offset_increment=" : "");
    return -1;
}

/* The bytes one rank's segment of each file spans; 0 when the job does
 * not say. */
static uint64_t segment_bytes(const struct tio_job *job)
{
    if (job->files.offset_increment.set && !job->files.offset_increment.percent)
        return job->files.offset_increment.bytes * job->identity.numjobs;
    if (!job->files.size.set || job->files.size.percent)
        return 0;
    unsigned nfiles = job->files.nrfiles ? job->files.nrfiles : 1;
    uint64_t part = job->files.size.bytes / nfiles + (job->files.size.bytes % nfiles != 0);
    /* whole blocks: the parts never overlap, even with a remainder */
    uint64_t bs = 1;
    for (int d = 0; d < TIO_JOB_DDIR_COUNT; d++)
        bs = job->pattern.bs[d] > bs ? job->pattern.bs[d] : bs;
    if (part % bs)
        part += bs - part % bs;
    return part;
}

static int segmented(struct tio_job *job, const char *file, unsigned part, unsigned count,
                     struct tio_error *err)
{
    uint64_t seg = segment_bytes(job);
    if (!seg)
        return refuse_unsized(job, file, count, err);
    uint64_t start = job->files.offset.set ? job->files.offset.bytes : 0;
    if (seg > (TIO_MAX_OFFSET - start) / count) {
        tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                      "job %s: %u ranks share %s: %u parts of %" PRIu64
                      " bytes from offset %" PRIu64
                      " end past the largest file offset (2^63-1); lower size",
                      job->identity.name, count, file, count, seg, start);
        return -1;
    }
    job->files.offset.bytes = start + (uint64_t)part * seg;
    job->files.offset.set = true;
    return 0;
}

/* Why a job cannot deal its blocks out in turn, or NULL. */
static const char *strided_refusal(const struct tio_job *job)
{
    if (tio_rw_is_random(job->pattern.rw))
        return "deals out sequential blocks: use rw=read, write or rw, or "
               "rank_layout=segmented "
               "for random IO";
    if (tio_rw_trims(job->pattern.rw))
        return "deals out reads and writes: use rank_layout=segmented for trims";
    if (job->pattern.rw_modifier)
        return "skips blocks itself: remove the :N of rw=";
    if (job->files.nrfiles > 1)
        return "divides one file: give one filename=";
    if (job->files.offset_increment.set)
        return "places the ranks itself: remove offset_increment=";
    bool r = tio_rw_reads(job->pattern.rw), w = tio_rw_writes(job->pattern.rw);
    if (r && w && job->pattern.bs[TIO_JOB_DDIR_READ] != job->pattern.bs[TIO_JOB_DDIR_WRITE])
        return "needs one block size: give bs= the same for reads and writes";
    return NULL;
}

static int strided(struct tio_job *job, const char *file, unsigned part, unsigned count,
                   struct tio_error *err)
{
    const char *why = strided_refusal(job);
    if (why) {
        tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                      "job %s: rank_layout=strided (%u ranks share %s) %s", job->identity.name,
                      count, file, why);
        return -1;
    }
    if (!job->files.size.set || job->files.size.percent)
        return refuse_unsized(job, file, count, err);
    enum tio_job_ddir d = tio_rw_reads(job->pattern.rw) ? TIO_JOB_DDIR_READ
                                                        : TIO_JOB_DDIR_WRITE;
    uint64_t bs = job->pattern.bs[d];
    uint64_t size = job->files.size.bytes;
    uint64_t start = job->files.offset.set ? job->files.offset.bytes : 0;
    if (size % bs) {
        tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                      "job %s: rank_layout=strided deals out whole blocks: size=%" PRIu64
                      " is not a multiple of bs=%" PRIu64,
                      job->identity.name, size, bs);
        return -1;
    }
    if (size > (TIO_MAX_OFFSET - start) / count) {
        tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                      "job %s: %u ranks share %s: %u x %" PRIu64 " bytes from offset %" PRIu64
                      " end past the largest file offset (2^63-1); lower size",
                      job->identity.name, count, file, count, size, start);
        return -1;
    }
    job->files.offset.bytes = start + (uint64_t)part * bs;
    job->files.offset.set = true;
    job->pattern.rw_modifier = (uint64_t)(count - 1) * bs;
    if (!job->files.io_size.set)
        job->files.io_size = (struct tio_amount){.bytes = size, .set = true};
    job->files.size.bytes = (uint64_t)count * size - (uint64_t)part * bs;
    return 0;
}

int tio_ranks_share(struct tio_job *job, const char *file, unsigned index, unsigned count,
                    struct tio_error *err)
{
    if (count <= 1)
        return 0;
    if (job->files.offset.set && job->files.offset.percent) {
        tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                      "job %s: %u ranks share %s, whose start is a percentage (offset=%u%%): "
                      "give offset= in bytes so that each rank's part can follow it",
                      job->identity.name, count, file, job->files.offset.percent);
        return -1;
    }
    unsigned part = (unsigned)(((uint64_t)index + job->ranks.shift) % count);
    int rc = job->ranks.layout == TIO_RANK_STRIDED ? strided(job, file, part, count, err)
                                                   : segmented(job, file, part, count, err);
    if (rc < 0)
        return rc;
    job->rank_part = part + 1;
    job->rank_self = index + 1;
    job->pattern.randseed += (uint64_t)part * job->identity.numjobs;
    return 0;
}
