/* The schedule of a rate-capped job (fio's rate, rate_iops, rate_process),
 * apart from any clock: times are microseconds since the job's epoch (its
 * start, or the end of its ramp), given by the caller. Directions are
 * TIO_READ (0) and TIO_WRITE (1). */
#ifndef TIO_RATE_SCHED_H
#define TIO_RATE_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "rand.h"

struct tio_rate_sched {
    uint64_t bps[2]; /* the cap per direction; 0: none */
    uint64_t bs[2];  /* the block size poisson turns bps into IOPS with */
    bool poisson;
    bool does[2];        /* the job issues IO in this direction */
    uint64_t issued[2];  /* linear: bytes issued since the epoch */
    uint64_t next_us[2]; /* when the direction's next IO is due */
    uint64_t last_us[2]; /* poisson: the sum of the gaps drawn */
    struct tio_rand rng[2];
};

void tio_rate_sched_init(struct tio_rate_sched *s, const uint64_t bps[2], const uint64_t bs[2],
                         const bool does[2], bool poisson, uint64_t seed);
/* A new epoch: nothing issued yet, every direction due now. */
void tio_rate_sched_reset(struct tio_rate_sched *s);
/* An IO of len bytes went out in direction d: when the next one is due. */
void tio_rate_sched_issued(struct tio_rate_sched *s, unsigned d, uint64_t len);
/* rate_ignore_thinktime: the job stalled us microseconds after an IO of
 * direction d; as fio, the schedule counts the IO it would have done
 * meanwhile (less one block, so the next IO goes out at once) instead of
 * catching up on it. */
void tio_rate_sched_skip(struct tio_rate_sched *s, unsigned d, uint64_t us);
/* When the job may issue its next IO: the earliest due time over the
 * directions it does (as fio's rate_ddir, which sleeps only when every
 * direction is ahead of its rate, and then until the first is due). */
uint64_t tio_rate_sched_due(const struct tio_rate_sched *s);
/* The direction of the next IO, given the one the mix drew and the time:
 * d if it is due, else the other if that one is due (and the job does it),
 * else the one due first. */
unsigned tio_rate_sched_pick(const struct tio_rate_sched *s, unsigned d, uint64_t now_us);

#endif
