/* The files of an engine without files (ioengine=null) when size= is not
 * given: fio 3.33 finds no size for them (real_file_size stays -1; with
 * size= it takes size / nrfiles), so they have no end. Sequential IO with
 * holes (rw=write:8k, rw=write:-8k) never wraps there, and an IO that is
 * to follow on from the last one (rw=randTYPE:N, percentage_random) never
 * falls back to a random block: the file is done at the first position at
 * or past its io_size (filesize less the offset), forward or, below the
 * file's start, backward; an IO that starts short of io_size is issued
 * whole (rw=write:8k bs=4k filesize=36k: 3 writes, rw=write:-8k: 1, where
 * files of that size wrap and do 9). Each file is done on its own, and
 * the pass once every file is: the next loop, or pass to reach io_size,
 * starts them afresh (fio's get_next_seq_offset, get_next_offset and
 * keep_running on real_file_size -1). Chosen at job start (TIO_WF_NO_END);
 * next_io.c asks here only where a file's region runs out or every file
 * is done. time_based jobs keep the files' ends. */
#include "worker.h"

#include "rand_dist.h"
#include "rmap.h"

/* fio's io_size of file fi, from its region's start: the file's size
 * (filesize=, or its random size in a range) less the offset, not cut to
 * whole blocks. */
uint64_t tio_noend_len(const struct worker *w, size_t fi)
{
    const struct tio_region *r = &w->t->regions[fi];
    return w->t->sizes[fi] > r->start ? w->t->sizes[fi] - r->start : 0;
}

bool tio_noend_room(const struct worker *w, size_t fi, unsigned di, uint64_t pos)
{
    const struct tio_job_pattern *p = &w->job->pattern;
    uint64_t len = tio_noend_len(w, fi);
    if (pos >= len)
        return false;
    /* sizes drawn per IO: as fio, only while the smallest one fits */
    return p->min_bs[di] == p->max_bs[di] || p->min_bs[di] <= len - pos;
}

/* Backward holes in a file that starts past offset 0: fio's first IO
 * starts from io_size taken as a position in the file (its "rewind"),
 * that is io_size - offset - N from the region's start, and the file is
 * done at once where that falls below the start. */
static void backward_start(struct worker *w)
{
    const struct tio_job_pattern *p = &w->job->pattern;
    for (size_t i = 0; i < w->nf; i++) {
        uint64_t start = w->t->regions[i].start, len = tio_noend_len(w, i);
        if (!start)
            continue;
        uint64_t pos = len >= start ? len - start : TIO_NOEND_PAST;
        if (pos == TIO_NOEND_PAST || !pos)
            ; /* below the start already; or at it: no hole is added */
        else if (pos < p->rw_modifier)
            pos = TIO_NOEND_PAST;
        else
            pos -= p->rw_modifier;
        w->next.gen[i].seq[0] = w->next.gen[i].seq[1] = pos;
    }
}

void tio_noend_new_pass(struct worker *w)
{
    struct tio_next *n = &w->next;
    for (size_t i = 0; i < w->nf; i++) {
        struct file_gen *g = &n->gen[i];
        g->seq[0] = g->seq[1] = g->last_start[0] = g->last_start[1] = 0;
        g->used_up = false;
        for (int d = 0; d < 2; d++)
            if (g->maps[d].level[0])
                tio_rmap_reset(&g->maps[d]);
        tio_phase_invalidate(w, i);
        if (w->features & TIO_WF_RAND_DIST)
            tio_rdist_new_pass(w, i, tio_reseeds(&w->job->pattern));
    }
    n->files_used_up = 0; /* fio's count of IOs to the next random one goes on */
    if (w->features & TIO_WF_SEQ_BACK)
        backward_start(w);
}

/* fio's keep_running once every file is done: the loops, then passes
 * while io_size is short by the largest block or more (without io_size,
 * files all done end the job). Starts the pass it allows. */
bool tio_noend_next_pass(struct worker *w)
{
    const struct tio_job *job = w->job;
    struct tio_next *n = &w->next;
    unsigned loops = job->files.loops ? job->files.loops : 1;
    uint64_t done = n->bytes_issued, maxbs = 0;
    for (int d = 0; d < TIO_JOB_DDIR_COUNT; d++) /* fio's td_max_bs */
        maxbs = job->pattern.max_bs[d] > maxbs ? job->pattern.max_bs[d] : maxbs;
    if (!done || (w->features & (TIO_WF_MAP_PASSES | TIO_WF_VERIFY)))
        return false; /* fio ends a job whose pass did no IO; the others pass elsewhere */
    if (n->passes++ >= loops &&
        (done >= n->io_limit || n->io_limit - done < maxbs || !job->files.io_size.set))
        return false;
    tio_noend_new_pass(w);
    tio_next_new_loop(w);
    tio_sync_on_pass(w);
    return true;
}

int tio_noend_setup(struct worker *w)
{
    const struct tio_job *job = w->job;
    const struct tio_job_pattern *p = &job->pattern;
    struct tio_next *n = &w->next;
    /* fio's o.size: size= as given (filesize= gives none; a percentage is
     * not a size) */
    bool sized = job->files.size.set && !job->files.size.percent &&
                 !job->files.size_of_filesize;
    bool holes = p->rw_modifier && !tio_rw_is_random(p->rw);
    /* each file a region of its own, run in fio's passes (each loop, and
     * each pass to reach io_size, starts the files afresh: here, the
     * verify passes', map_passes.c's or tio_noend_next_pass); time_based
     * would start them over as they end; the features that place IO their
     * own way keep their ends */
    unsigned others = TIO_WF_ZONES | TIO_WF_ZBD | TIO_WF_FSERVICE | TIO_WF_REPLAY |
                      TIO_WF_TRIMWRITE | TIO_WF_TRIM_VLOG;
    if (!w->t->engine.no_files || w->t->engine.no_io || sized || !w->nf ||
        w->nf != (job->files.nrfiles ? job->files.nrfiles : 1) ||
        !(holes || (w->features & TIO_WF_SEQUENCER)) || job->time.time_based ||
        (job->files.io_size.set && job->files.io_size.percent) || !n->bytes_total ||
        (w->features & others))
        return 0;
    w->features = (w->features & ~(unsigned)TIO_WF_MAP_LOOPS) | TIO_WF_NO_END;
    n->until_used = true; /* each file is done on its own */
    /* fio's size: the files' io_size together, past their whole blocks */
    uint64_t size = 0;
    for (size_t i = 0; i < w->nf; i++)
        size += tio_noend_len(w, i);
    /* each pass does at most that (where counted), and passes go on while
     * less than a block of io_size, or of size, is left (the verify
     * passes of tio_next_verify_pass, or map_passes.c's) */
    if ((w->features & TIO_WF_SYNC_ENGINE) || job->queue.offload)
        n->pass_bytes = UINT64_MAX; /* fio counts no bytes issued there */
    else if (n->pass_bytes != UINT64_MAX)
        n->pass_bytes = size;
    n->io_limit = job->files.io_size.set ? job->files.io_size.bytes : size;
    if (!(w->features & TIO_WF_MAP_PASSES))
        n->passes = 1;
    unsigned loops = job->files.loops ? job->files.loops : 1;
    if (__builtin_mul_overflow(n->io_limit, (uint64_t)loops, &n->bytes_total))
        n->bytes_total = UINT64_MAX;
    if (w->features & TIO_WF_SEQ_BACK)
        backward_start(w);
    return 0;
}
