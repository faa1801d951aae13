/* Random IO under the random map with io_size above size, run in fio's
 * passes: each pass does at most size bytes and ends early once every
 * file's map is full (a file whose map is full is done for the pass, and
 * IO goes on in the others); then, while io_size is short by the largest
 * block size or more, the next pass starts with every map empty, the
 * sequential positions back at the files' starts and, under randrepeat,
 * the draws reseeded (fio's keep_running and clear_io_state). With sizes
 * drawn per IO, cut at blocks done, a pass falls short of size by a varying
 * amount: counting it here ends each pass where fio's ends. */
#include "worker.h"

/* Chosen at job start, after the features that pick files or blocks their
 * own way: those keep the loops of next_io.c. */
int tio_passes_setup(struct worker *w)
{
    const struct tio_job *job = w->job;
    struct tio_next *n = &w->next;
    unsigned loops = job->files.loops ? job->files.loops : 1;
    if (!(w->features & TIO_WF_MAP_LOOPS) || loops != 1 || !job->verify.do_verify ||
        job->verify.method != TIO_VERIFY_NONE || n->ios_total || !n->bytes_total ||
        n->bytes_total <= n->pass_bytes ||
        (w->features & (TIO_WF_FSERVICE | TIO_WF_ZONES | TIO_WF_ZBD | TIO_WF_RAND_DIST |
                        TIO_WF_REPLAY | TIO_WF_TRIMWRITE)))
        return 0;
    w->features = (w->features & ~(unsigned)TIO_WF_MAP_LOOPS) | TIO_WF_MAP_PASSES;
    n->until_used = true; /* a full map ends its file for the pass */
    /* fio counts a pass's bytes as its IOs are queued: an engine that
     * completes them at once leaves the count at 0, its passes end only
     * when the maps are full */
    if (w->features & TIO_WF_SYNC_ENGINE)
        n->pass_bytes = UINT64_MAX;
    n->pass_start = 0;
    return 0;
}

bool tio_passes_next(struct worker *w)
{
    const struct tio_job *job = w->job;
    struct tio_next *n = &w->next;
    uint64_t done = n->bytes_issued, maxbs = 0;
    for (int d = 0; d < TIO_JOB_DDIR_COUNT; d++) /* fio's td_max_bs */
        maxbs = job->pattern.max_bs[d] > maxbs ? job->pattern.max_bs[d] : maxbs;
    if (done >= n->io_limit || n->io_limit - done < maxbs) {
        n->bytes_total = done; /* the job's IO is over */
        return false;
    }
    for (size_t fi = 0; fi < w->nf; fi++) {
        struct file_gen *g = &n->gen[fi];
        for (unsigned d = 0; d <= n->map_of[1]; d++)
            tio_rmap_reset(&g->maps[d]);
        for (int d = 0; d < 2; d++)
            g->seq[d] = g->last_start[d] = 0;
        g->used_up = false;
        tio_phase_invalidate(w, fi);
    }
    n->files_used_up = 0;
    n->pass_start = done;
    tio_next_new_loop(w);
    return true;
}
