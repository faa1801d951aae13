/* io_submit_mode=offload (offload.c) and serialize_overlap (overlap.c):
 * the state the job's thread and its pool of submitting threads share. */
#ifndef TIO_OFFLOAD_H
#define TIO_OFFLOAD_H

#include "worker.h"

#include <pthread.h>

struct tio_offload;

/* One submitting thread: its own engine instance (at depth 1, as fio's
 * offload workers) and its own handles on the job's files. */
struct tio_sub {
    struct tio_offload *o;
    pthread_t thread;
    bool started;
    tenon_instance *inst;
    const tio_engine *ops;
    void *ed;
    bool set_up; /* ops->setup succeeded: teardown is due */
    struct tio_handle *h;
    size_t nf;
};

/* An IO of an offload job handed to the pool and not completed yet, for
 * serialize_overlap; seq: the order IOs were handed in, over all jobs. */
struct tio_ov_range {
    uint64_t start, end;
    uint64_t seq;
    bool on;
};

/* Per unit, what its submitting thread tells the job's thread. */
struct tio_sub_result {
    uint64_t done_ns; /* when it completed */
    int rc;           /* TIO_COMPLETED, TIO_DONE, TIO_BUSY or -errno */
    bool queued;      /* it went through commit: it has a submission latency */
};

struct tio_offload {
    pthread_mutex_t lock;
    pthread_cond_t work; /* the pool: an IO to do, or the end */
    pthread_cond_t done; /* the job's thread: an IO done */
    /* under lock: */
    tio_io **todo; /* ring of n_units */
    unsigned todo_head, n_todo;
    tio_io **finished; /* ring of n_units */
    unsigned fin_head, n_finished;
    bool quit;
    bool waiting; /* the job's thread sleeps on done */
    /* the job's thread's own: */
    tio_io **free_ios;
    unsigned n_free;
    tio_io **batch; /* what one collect took */
    unsigned outstanding;
    unsigned n_units;
    bool sync_engine; /* the clock's issue time is before queue(), as fio's */
    struct tio_sub_result *res;
    struct tio_sub *subs;
    unsigned n_subs;
    /* serialize_overlap (overlap.c, under its lock) */
    struct tio_ov_range *ov; /* per unit; NULL unless the job serializes */
    struct tio_offload *ov_next;
};

/* Whether serialize_overlap has anything to serialize in this job. */
bool tio_overlap_wanted(const struct worker *w);
/* Offload: the job's IOs join the ones checked (0, or -1 out of memory),
 * and leave once none is in flight. */
int tio_overlap_join(struct tio_offload *o, unsigned n_units);
void tio_overlap_leave(struct tio_offload *o);
/* The job's thread hands io to the pool: it takes its turn behind the
 * IOs it overlaps that were handed before it. */
void tio_overlap_hand(struct tio_offload *o, const tio_io *io);
/* A submitting thread: waits until io overlaps no IO handed before it
 * that is not completed yet; done: io completed. */
void tio_overlap_enter(struct tio_offload *o, const tio_io *io);
void tio_overlap_done(struct tio_offload *o, const tio_io *io);

#endif
