/* The files of an engine without files (ioengine=null) when size= is not
 * given: fio 3.33 finds no size for them (real_file_size stays -1; with
 * size= it takes size / nrfiles), so they have no end. Sequential IO with
 * holes (rw=write:8k, rw=write:-8k) never wraps there, and an IO that is
 * to follow on from the last one (rw=randTYPE:N, percentage_random) never
 * falls back to a random block: the file is done at the first position at
 * or past its io_size (filesize less the offset), forward or, below the
 * file's start, backward; an IO that starts short of io_size is issued
 * whole (rw=write:8k bs=4k filesize=36k: 3 writes, rw=write:-8k: 1, where
 * files of that size wrap and do 9). Each file is done on its own and the
 * job once every file is (fio's get_next_seq_offset and get_next_offset
 * on real_file_size -1). Chosen at job start (TIO_WF_NO_END); next_io.c
 * asks here only where a file's region runs out. */
#include "worker.h"

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
    /* one pass of one loop, each file a region of its own: loops, io_size
     * and time_based start fio's files afresh, which runs here as one
     * stream; the features that place IO their own way keep their ends */
    unsigned others = TIO_WF_ZONES | TIO_WF_ZBD | TIO_WF_FSERVICE | TIO_WF_REPLAY |
                      TIO_WF_TRIMWRITE | TIO_WF_TRIM_VLOG | TIO_WF_MAP_PASSES;
    if (!w->t->engine.no_files || w->t->engine.no_io || sized || !w->nf ||
        w->nf != (job->files.nrfiles ? job->files.nrfiles : 1) ||
        !(holes || (w->features & TIO_WF_SEQUENCER)) || job->time.time_based ||
        (job->files.loops > 1) || job->files.io_size.set || !n->bytes_total ||
        (w->features & others))
        return 0;
    w->features = (w->features & ~(unsigned)TIO_WF_MAP_LOOPS) | TIO_WF_NO_END;
    n->until_used = true; /* each file is done on its own */
    if (w->features & TIO_WF_SEQ_BACK)
        backward_start(w);
    return 0;
}
