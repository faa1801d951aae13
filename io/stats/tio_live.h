/* Live progress of running jobs, for the status line.
 *
 * Each worker owns one tio_live_job and publishes its running totals into it
 * with relaxed atomic stores (plain moves on x86-64); a reporter thread reads
 * them about once a second with relaxed loads. No lock is taken on either
 * side, and a value read may be a few milliseconds old, which a status line
 * tolerates. Each job's block sits on its own cache lines so that workers
 * never write to a line another worker writes. */
#ifndef TIO_LIVE_H
#define TIO_LIVE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "tio_ddir.h"

#ifdef __cplusplus
extern "C" {
#endif

/* fio's job state characters, in typical life-cycle order. */
enum tio_job_state {
    TIO_STATE_SETUP = 'P', /* set up, not started */
    TIO_STATE_CREATED = 'C',
    TIO_STATE_INITIALIZED = 'I',
    TIO_STATE_PREREAD = 'p',
    TIO_STATE_RAMP = '/',
    TIO_STATE_SEQ_READ = 'R',
    TIO_STATE_RAND_READ = 'r',
    TIO_STATE_SEQ_WRITE = 'W',
    TIO_STATE_RAND_WRITE = 'w',
    TIO_STATE_SEQ_MIXED = 'M',
    TIO_STATE_RAND_MIXED = 'm',
    TIO_STATE_SEQ_TRIM = 'D',
    TIO_STATE_RAND_TRIM = 'd',
    TIO_STATE_FSYNC = 'F',
    TIO_STATE_VERIFY = 'V',
    TIO_STATE_FINISHING = 'f',
    TIO_STATE_EXITED = 'E', /* exited, not reaped */
    TIO_STATE_REAPED = '_',
    TIO_STATE_ERROR = 'X',   /* reaped, exited with an error */
    TIO_STATE_SIGNALED = 'K' /* reaped, exited on a signal */
};

#define TIO_LIVE_ALIGN 64

struct tio_live_job {
    _Alignas(TIO_LIVE_ALIGN) _Atomic uint64_t ios[TIO_DDIR_COUNT];
    _Atomic uint64_t bytes[TIO_DDIR_COUNT];
    _Atomic uint64_t start_ns; /* monotonic time IO started; 0 before */
    _Atomic uint32_t state;    /* enum tio_job_state */
    _Atomic uint32_t files_open;

    /* The plan, written before the worker starts and only read after. */
    uint64_t plan_bytes;      /* bytes the job will move; 0 if unbounded */
    uint64_t plan_runtime_ns; /* runtime limit; 0 if none */
    bool time_based;          /* runs for plan_runtime_ns whatever the bytes */
};

static inline void tio_live_set_state(struct tio_live_job *j, enum tio_job_state st)
{
    atomic_store_explicit(&j->state, (uint32_t)st, memory_order_relaxed);
}

static inline void tio_live_set_files(struct tio_live_job *j, uint32_t files_open)
{
    atomic_store_explicit(&j->files_open, files_open, memory_order_relaxed);
}

static inline void tio_live_set_started(struct tio_live_job *j, uint64_t now_ns)
{
    atomic_store_explicit(&j->start_ns, now_ns ? now_ns : 1, memory_order_relaxed);
}

/* Single writer: a load and a store, no read-modify-write instruction. */
static inline void tio_live_publish(struct tio_live_job *j, enum tio_ddir d, uint64_t ios,
                                    uint64_t bytes)
{
    atomic_store_explicit(&j->ios[d], ios, memory_order_relaxed);
    atomic_store_explicit(&j->bytes[d], bytes, memory_order_relaxed);
}

/* True for the states fio counts as running in "Jobs: N". */
bool tio_job_state_running(uint32_t state);

/* True once a job is done (E, _, X, K). */
bool tio_job_state_done(uint32_t state);

#ifdef __cplusplus
}
#endif

#endif
