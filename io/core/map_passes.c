/* Random IO with loops or io_size above size, run in fio's passes (one a
 * loop, then more while io_size is short by the largest block size or
 * more): each pass does at most size bytes (on an engine that queues its
 * IOs) and ends early once every file is done, a file being done for the
 * pass once a random IO finds its map full (IO goes on in the others);
 * the next pass starts with every map empty, the sequential positions
 * back at the files' starts and, under randrepeat, the draws reseeded
 * (fio's keep_running and clear_io_state). With sizes drawn per IO, cut
 * at blocks done, a pass falls short of size by a varying amount: counting
 * it here ends each pass where fio's ends. */
#include "worker.h"

#include "rand_dist.h"

/* IO that follows on (rw=randTYPE:N, percentage_random) ends a file whose
 * region ends inside it (clones placed by offset_increment) at the
 * region's end, as fio's offset at io_size does: files that can run out
 * without a map. */
static bool follow_ends(const struct worker *w)
{
    if (w->t->engine.no_files || !(w->features & TIO_WF_SEQUENCER))
        return false;
    for (size_t i = 0; i < w->nf; i++)
        if (w->t->sizes[i] > w->t->regions[i].start + w->t->regions[i].len)
            return true;
    return false;
}

/* Chosen at job start, after the features that pick files or blocks their
 * own way: those keep the loops of next_io.c. Without a map the files
 * never run out (but for follow_ends), so only an engine that queues its
 * IOs ends passes at size. */
int tio_passes_setup(struct worker *w)
{
    const struct tio_job *job = w->job;
    const struct tio_job_pattern *p = &job->pattern;
    struct tio_next *n = &w->next;
    unsigned loops = job->files.loops ? job->files.loops : 1;
    bool map = !p->norandommap, sync = w->features & TIO_WF_SYNC_ENGINE;
    uint64_t limit; /* fio's: io_size (or size) x loops */
    if (__builtin_mul_overflow(n->io_limit, loops, &limit))
        limit = UINT64_MAX;
    /* loops that end with a sync hold between passes (tio_passes_resume);
     * with do_verify=0 a job that verifies has no verify phase; number_ios
     * counts over the passes (fio's io_blocks), each still ends at size */
    if (!tio_rw_is_random(p->rw) ||
        (job->verify.method != TIO_VERIFY_NONE && job->verify.do_verify) || !n->bytes_total ||
        limit <= n->pass_bytes || (!map && sync && !follow_ends(w)) ||
        p->random_generator == TIO_RAND_LFSR ||
        (w->features &
         (TIO_WF_FSERVICE | TIO_WF_ZONES | TIO_WF_ZBD | TIO_WF_REPLAY | TIO_WF_TRIMWRITE)))
        return 0;
    n->bytes_total = limit;
    n->passes = 1;
    w->features = (w->features & ~(unsigned)TIO_WF_MAP_LOOPS) | TIO_WF_MAP_PASSES;
    n->until_used = true; /* a full map ends its file for the pass */
    /* fio counts a pass's bytes as its IOs are queued: an engine that
     * completes them at once leaves the count at 0, its passes end only
     * when the maps are full */
    if (sync)
        n->pass_bytes = UINT64_MAX;
    n->pass_start = 0;
    return 0;
}

/* fio counts its files done anew each pass only with do_verify (its
 * default), loops or time_based (clear_io_state): otherwise the count goes
 * on over the passes, each file's own mark cleared, and once it reaches
 * the files' number no pass finds a file. So a pass that ends at size
 * (an engine that queues) goes on to io_size, one that ends with every
 * file done (a synchronous engine's) is the last. */
static bool keeps_done(const struct tio_job *job)
{
    return !job->verify.do_verify && (job->files.loops ? job->files.loops : 1) == 1 &&
           !job->time.time_based;
}

/* The next pass: every map empty, the positions at the files' starts. */
static void start_pass(struct worker *w)
{
    struct tio_next *n = &w->next;
    tio_next_files_afresh(w);
    for (size_t fi = 0; fi < w->nf; fi++)
        tio_phase_invalidate(w, fi);
    if (!keeps_done(w->job))
        n->files_used_up = 0;
    n->pass_start = n->bytes_issued;
    tio_next_pass_draws(w);
    tio_sync_on_pass(w);
}

bool tio_passes_next(struct worker *w)
{
    const struct tio_job *job = w->job;
    struct tio_next *n = &w->next;
    uint64_t done = n->bytes_issued, maxbs = 0;
    unsigned loops = job->files.loops ? job->files.loops : 1;
    for (int d = 0; d < TIO_JOB_DDIR_COUNT; d++) /* fio's td_max_bs */
        maxbs = job->pattern.max_bs[d] > maxbs ? job->pattern.max_bs[d] : maxbs;
    /* fio's keep_running: the loops, then passes while io_size is short
     * by the largest block size or more (without io_size, not once every
     * file is done) */
    bool all_done = n->files_used_up >= w->nf && (!job->files.io_size.set || keeps_done(job));
    if (n->passes++ >= loops &&
        (done >= n->io_limit || n->io_limit - done < maxbs || all_done)) {
        n->bytes_total = done; /* the job's IO is over */
        return false;
    }
    if (tio_sync_at_pass_end(w)) {
        n->pass_held = true; /* phase.c syncs, then tio_passes_resume */
        return false;
    }
    start_pass(w);
    return true;
}

bool tio_passes_resume(struct worker *w)
{
    const struct tio_job *job = w->job;
    struct tio_next *n = &w->next;
    if (!n->pass_held || w->stop)
        return false;
    n->pass_held = false;
    uint64_t loops = job->files.loops ? job->files.loops : 1;
    if (__builtin_mul_overflow(n->io_limit, loops, &n->bytes_total))
        n->bytes_total = UINT64_MAX;
    start_pass(w);
    return true;
}
