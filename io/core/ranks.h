/* Dividing what the ranks of a distributed run share (ranks.c). */
#ifndef TIO_RANKS_H
#define TIO_RANKS_H

#include "tio_job.h"

/* Job runs on the rank that is the index-th of the count ranks sharing
 * file (the first of the job's files, for messages): moves its region to
 * that rank's part of the file (IOR's segmented layout). Does nothing for
 * count <= 1. Returns 0, or -1 with err when the job gives no size in
 * bytes to divide the file by. */
int tio_ranks_share(struct tio_job *job, const char *file, unsigned index, unsigned count,
                    struct tio_error *err);

#endif
