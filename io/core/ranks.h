/* Dividing what the ranks of a distributed run share (ranks.c). */
#ifndef TIO_RANKS_H
#define TIO_RANKS_H

#include "tio_job.h"

/* Job runs on the rank that is the index-th of the count ranks sharing
 * file (the first of the job's files, for messages): moves its region to
 * the part of the file its rank_layout and rank_shift give it, and sets
 * its rank_part and seed. Does nothing for count <= 1. Returns 0, or -1
 * with err when the job cannot be divided so (no size in bytes; strided
 * and random IO...). */
int tio_ranks_share(struct tio_job *job, const char *file, unsigned index, unsigned count,
                    struct tio_error *err);

#endif
