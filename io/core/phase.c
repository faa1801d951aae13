/* A job's phases: the ramp (ramp_time: IO whose statistics are dropped),
 * the main phase until its runtime or its budget ends (loop by loop when
 * loops end with a sync), the verify phase that reads back what was
 * written, and what an interruption left undone. invalidate=1 drops the
 * page cache of a file's region as each pass over it starts. */
#include "worker.h"

#include <errno.h>
#include <fcntl.h>

void tio_phase_invalidate(struct worker *w, size_t fi)
{
    int fd = w->h[fi].file.fd;
    if (w->job->durability.invalidate && !w->job->queue.direct && fd >= 0)
        (void)posix_fadvise(fd, (off_t)w->t->regions[fi].start, (off_t)w->t->regions[fi].len,
                            POSIX_FADV_DONTNEED);
}

void tio_phase_ramp_over(struct worker *w, uint64_t now)
{
    w->phase.ramp_end_ns = 0;
    tio_stats_reset(w->js, now);
    tio_rate_epoch(w, now);
    tio_log_on_start(w, now, false);
    tio_live_set_state(w->t->live, w->phase.running_state);
}

/* The first main phase is over: its statistics close. */
static void finish_main(struct worker *w)
{
    if (w->phase.ramp_end_ns) {
        w->phase.ramp_end_ns = 0;
        tio_live_set_state(w->t->live, w->phase.running_state);
    }
    /* gtod_reduce keeps its bandwidth and IOPS samples: fio 3.33 takes
     * them per interval, not per IO */
    tio_stats_finish(w->js, tio_now_ns());
}

/* One stream of main-phase IO; verify_only logs the writes without
 * doing any IO (fio's dry run), for the verify phase to read back. */
static void run_main(struct worker *w)
{
    if (unlikely(w->vlog.dry))
        tio_vlog_dry_run(w);
    else
        tio_loop_run(w);
}

/* The next of fio's passes once the loop's sync is done. */
static bool next_pass(struct worker *w)
{
    if (w->features & TIO_WF_MIX_PASS)
        return tio_mixpass_next_pass(w);
    return tio_passes_resume(w);
}

/* The main phase, loop by loop when loops end with a sync; other jobs run
 * their loops as one stream. */
static void run_loops(struct worker *w)
{
    const struct tio_job *job = w->job;
    bool loop_sync = tio_sync_at_pass_end(w);
    unsigned loops = job->files.loops ? job->files.loops : 1;
    /* mixpass.c and map_passes.c end each pass */
    bool passes = w->features & (TIO_WF_MIX_PASS | TIO_WF_MAP_PASSES);
    if (loop_sync && !passes)
        tio_next_per_loop(w);
    for (unsigned loop = 1;; loop++) {
        run_main(w);
        if (loop_sync && !w->stop)
            tio_sync_pass_end(w);
        if (!loop_sync || w->stop || atomic_load(&tio_stop))
            return;
        if (passes ? !next_pass(w) : loop >= loops || !tio_next_add_loop(w))
            return;
        tio_live_set_state(w->t->live,
                           w->phase.ramp_end_ns ? TIO_STATE_RAMP : w->phase.running_state);
        tio_sync_pass_start(w);
    }
}

/* fio's verify pass: read back and check what this pass wrote. Its reads
 * are reported too, like fio's, with the verify phase's time as their
 * runtime (added to the main phase's for a job that also reads). */
static void run_verify(struct worker *w)
{
    tio_live_set_state(w->t->live, TIO_STATE_VERIFY);
    w->phase.verifying = true;
    for (size_t i = 0; i < w->nf; i++)
        tio_phase_invalidate(w, i); /* fio reopens the files for verify */
    uint64_t deadline = w->phase.deadline_ns;
    w->phase.deadline_ns = 0;
    struct tio_dir_stats *rd = &w->js->dir[TIO_DDIR_READ];
    uint64_t vstart = tio_now_ns(), reads = rd->ios;
    tio_loop_run(w);
    if (rd->ios > reads) {
        rd->runtime_ns += tio_now_ns() - vstart;
        /* fio's unit kept IO_U_F_BUSY_OK from an IO that could not follow
         * on: the first verify read takes it and clears it as it completes */
        w->next.busy_ok = false;
    }
    if (atomic_load(&tio_stop))
        return; /* the interruption's error says the verify phase was cut short */
    w->phase.verifying = false;
    w->phase.deadline_ns = deadline;
}

/* A job that verifies what it writes runs as fio's: passes of at most size
 * bytes, each followed by its verify phase (tio_next_verify_pass decides
 * how many). The statistics close with the first main phase, as they do
 * for any job; later main phases add their time to the runtime of the
 * directions they do IO in. */
static void run_verify_passes(struct worker *w)
{
    const struct tio_job *job = w->job;
    bool loop_sync = tio_sync_at_pass_end(w);
    for (unsigned pass = 1; tio_next_verify_pass(w, pass); pass++) {
        uint64_t start = tio_now_ns();
        if (pass > 1) {
            tio_live_set_state(w->t->live, w->phase.running_state);
            for (size_t i = 0; i < w->nf; i++)
                tio_phase_invalidate(w, i);
            tio_sync_pass_start(w);
            if (w->features & TIO_WF_ZBD)
                tio_zbd_verify_pass(w);
            if (w->features & TIO_WF_NO_END) {
                tio_noend_new_pass(w);
                tio_next_pass_draws(w); /* fio's clear_io_state reseeds */
            }
        }
        tio_vlog_new_pass(w);
        uint64_t before = tio_next_bytes_issued(w);
        run_main(w);
        if (loop_sync && !w->stop)
            tio_sync_pass_end(w);
        if (pass == 1) {
            finish_main(w);
        } else {
            uint64_t spent = tio_now_ns() - start;
            for (int d = 0; d < TIO_DDIR_COUNT; d++)
                if (w->js->dir[d].ios && (d != TIO_DDIR_READ || tio_rw_reads(job->pattern.rw)))
                    w->js->dir[d].runtime_ns += spent;
        }
        if (w->stop || atomic_load(&tio_stop))
            return;
        run_verify(w);
        /* As fio: a runtime that ran out, or a pass that could do no IO,
         * ends the job. */
        if (tio_halted(w) || tio_phase_time_up(w, tio_now_ns()) ||
            tio_next_bytes_issued(w) == before)
            return;
    }
}

/* The job's state while its main phase runs, as fio shows it. */
static enum tio_job_state running_state(enum tio_rw rw)
{
    switch (rw) {
    case TIO_RW_READ:
        return TIO_STATE_SEQ_READ;
    case TIO_RW_RANDREAD:
        return TIO_STATE_RAND_READ;
    case TIO_RW_WRITE:
    case TIO_RW_TRIMWRITE: /* as fio: trimwrite shows as a write */
        return TIO_STATE_SEQ_WRITE;
    case TIO_RW_RANDWRITE:
    case TIO_RW_RANDTRIMWRITE:
        return TIO_STATE_RAND_WRITE;
    case TIO_RW_RW:
        return TIO_STATE_SEQ_MIXED;
    case TIO_RW_RANDRW:
        return TIO_STATE_RAND_MIXED;
    case TIO_RW_TRIM:
        return TIO_STATE_SEQ_TRIM;
    case TIO_RW_RANDTRIM:
        break;
    }
    return TIO_STATE_RAND_TRIM;
}

void tio_phase_run(struct worker *w)
{
    struct tio_host_job *t = w->t;
    const struct tio_job *job = w->job;
    struct tio_phase *p = &w->phase;

    enum tio_job_state running = running_state(job->pattern.rw);
    p->running_state = running;
    for (size_t i = 0; i < w->nf; i++)
        tio_phase_invalidate(w, i);
    uint64_t start = tio_now_ns();
    if (job->time.ramp_time) {
        p->ramp_end_ns = start + job->time.ramp_time * 1000;
        tio_live_set_state(t->live, TIO_STATE_RAMP);
    } else {
        tio_live_set_state(t->live, running);
    }
    if (job->time.runtime)
        p->deadline_ns = start + (job->time.ramp_time + job->time.runtime) * 1000;
    tio_live_set_started(t->live, start);
    tio_stats_start(w->js, start);
    tio_log_on_start(w, start, job->time.ramp_time != 0);
    tio_loop_clock_start(w, start);
    tio_rate_epoch(w, start);

    if (tio_vlog_phase_due(w) && !job->time.time_based) {
        run_verify_passes(w);
    } else {
        run_loops(w);
        finish_main(w);
        if (tio_vlog_phase_due(w) && !w->stop && !atomic_load(&tio_stop))
            run_verify(w);
    }
    /* A signal ended the job before its end: that is a failure, and what it
     * left undone is named (fio 3.33 reports err=0 and exits 0 here). */
    if (atomic_load(&tio_stop)) {
        bool verify_due = tio_vlog_phase_due(w);
        tio_worker_fail(w, EINTR, "interrupted by %s%s", tio_stop_signal_name(),
                        !verify_due ? ""
                        : p->verifying
                            ? "; the verify phase was cut short: not all data written was "
                              "read back and checked"
                            : "; the verify phase was skipped: the data written was not "
                              "read back and checked");
    }
}
