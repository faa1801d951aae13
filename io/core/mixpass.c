/* Sequential IO (rw=read, write, rw) run pass by pass as fio runs it. In
 * a mix each direction has its own position in each file, and a file is
 * done for the pass as soon as the direction drawn for it finds no room
 * left (fio's get_next_seq_offset and fill_io_u failing): the direction is
 * then drawn again for the next file. A pass ends at size bytes (where fio
 * counts them) or when every file is done; each loop is a pass of its own,
 * and after the loops more passes follow while io_size is not reached
 * (fio's keep_running). One stream with positions that wrap ends 1-2 IOs
 * apart from fio: with several files whose sizes are drawn per IO or
 * holes (rw=TYPE:N), each file ends on its own, and fio's next pass
 * starts all of them afresh once every one is done. */
#include "worker.h"

#include "files.h"
#include "rand_gen.h"

#include <errno.h>
#include <stdlib.h>

struct tio_mixpass {
    uint64_t *io_len;     /* per file: fio's io_size, from the region's start */
    uint64_t *end_len;    /* per file: its end (fio's real_file_size), the same */
    uint64_t pass_bytes;  /* a pass ends at these bytes (fio's size), if counted */
    uint64_t pass_issued; /* bytes issued this pass */
    uint64_t io_limit;    /* io_size, or size: passes after the loops reach it */
    uint64_t max_bs;      /* fio's td_max_bs */
    unsigned loops_left;  /* fio's o.loops, counted down as each pass starts */
    size_t nr_done;       /* fio's nr_done_files */
    bool reset_done;      /* nr_done starts over each pass (loops, do_verify) */
    bool verifies;        /* a verify phase follows each pass: no file stays done */
    bool pass_over;       /* the phase ends each pass (a sync, a verify phase) */
    bool over;            /* the job's IO is over */
};

/* Where file i ends, counted from its region's start. */
static uint64_t file_end(const struct worker *w, size_t i)
{
    const struct tio_region *r = &w->t->regions[i];
    return w->t->engine.no_files || w->t->sizes[i] < r->start ? r->len
                                                              : w->t->sizes[i] - r->start;
}

/* fio's io_size of file i: size= split over the files (the first ones a
 * smallest block more while the remainder lasts), else the file's size
 * from the region's start (filesize=, or the size of a file that exists). */
static uint64_t file_io_len(const struct worker *w, size_t i, uint64_t end)
{
    const struct tio_job *job = w->job;
    const struct tio_region *r = &w->t->regions[i];
    bool no_files = w->t->engine.no_files;
    uint64_t len = end, fixed = job->files.filesize_min;
    if (job->files.size.set && !fixed) {
        size_t n = w->nf ? w->nf : 1;
        uint64_t align = tio_files_smallest_bs(job);
        len = job->files.size.bytes / n;
        if (align && i < (job->files.size.bytes - len * n) / align)
            len += align;
    } else if (fixed && fixed == job->files.filesize_max && fixed > r->start &&
               (no_files || end > fixed - r->start)) {
        len = fixed - r->start; /* a larger file keeps its IO to filesize */
    }
    if (!no_files && len > end)
        len = end;
    return len > r->len ? len : r->len;
}

uint64_t tio_file_io_len(const struct worker *w, size_t i)
{
    return file_io_len(w, i, file_end(w, i));
}

/* The jobs this file runs: sequential IO with byte-bounded passes, on
 * files chosen round robin, without features that move positions. Holes
 * (rw=TYPE:N, rw=TYPE:-N) are fio's, but not on the files of an engine
 * without files that fio gives no end (no_end.c: no size=). */
static bool applies(const struct worker *w)
{
    const struct tio_job *job = w->job;
    const struct tio_job_pattern *p = &job->pattern;
    unsigned others = TIO_WF_ZONES | TIO_WF_ZBD | TIO_WF_FSERVICE | TIO_WF_REPLAY |
                      TIO_WF_TRIMWRITE | TIO_WF_TRIM_VLOG | TIO_WF_SEQUENCER;
    return (p->rw == TIO_RW_RW || p->rw == TIO_RW_READ || p->rw == TIO_RW_WRITE) &&
           !(w->features & TIO_WF_NO_END) && !job->time.time_based &&
           !job->verify.verify_only && !job->verify.verify_backlog && !(w->features & others) &&
           !w->t->engine.no_io && !job->files.fill_device &&
           !(job->files.io_size.set && job->files.io_size.percent) &&
           !(job->files.size.set && job->files.size.percent) &&
           !(w->t->engine.no_files && w->nf < job->files.nrfiles) && w->next.bytes_total;
}

int tio_mixpass_setup(struct worker *w)
{
    const struct tio_job *job = w->job;
    struct tio_next *n = &w->next;
    if (!applies(w))
        return 0;
    struct tio_mixpass *mp = calloc(1, sizeof(*mp));
    if (!mp)
        return -ENOMEM;
    mp->io_len = calloc(w->nf, sizeof(*mp->io_len));
    mp->end_len = calloc(w->nf, sizeof(*mp->end_len));
    w->mixpass = mp;
    if (!mp->io_len || !mp->end_len)
        return -ENOMEM;
    uint64_t sum = 0;
    for (size_t i = 0; i < w->nf; i++) {
        const struct tio_region *r = &w->t->regions[i];
        uint64_t end = file_end(w, i);
        mp->io_len[i] = file_io_len(w, i, end);
        mp->end_len[i] = end > mp->io_len[i] ? end : mp->io_len[i];
        sum += mp->io_len[i];
        if (w->features & TIO_WF_VERIFY) /* the log keeps to the region */
            mp->io_len[i] = mp->end_len[i] = r->len;
    }
    /* fio's size: as given, or the files' io_size together when less */
    uint64_t size = job->files.size.set && job->files.size.bytes < sum ? job->files.size.bytes
                                                                       : sum;
    mp->io_limit = job->files.io_size.set ? job->files.io_size.bytes : size;
    /* fio counts a pass's bytes only as an engine queues them: IO that
     * completes in the call (a synchronous engine), or that offload's
     * threads submit, never ends a pass at size */
    bool counted = !(w->features & (TIO_WF_SYNC_ENGINE | TIO_WF_OFFLOAD));
    mp->pass_bytes = counted ? size : UINT64_MAX;
    for (int d = 0; d < TIO_JOB_DDIR_COUNT; d++)
        mp->max_bs = job->pattern.max_bs[d] > mp->max_bs ? job->pattern.max_bs[d] : mp->max_bs;
    unsigned loops = job->files.loops ? job->files.loops : 1;
    mp->loops_left = loops - 1;
    mp->reset_done = loops > 1 || job->verify.do_verify;
    mp->verifies = job->verify.do_verify && job->verify.method != TIO_VERIFY_NONE;
    /* fio stops issuing at io_size (or size) x loops over all passes */
    if (__builtin_mul_overflow(mp->io_limit, (uint64_t)loops, &n->bytes_total))
        n->bytes_total = UINT64_MAX;
    /* a file done for the pass is passed over, by a sync's turn too
     * (sync_policy.c), as fio's rotation passes over it */
    n->until_used = true;
    w->features |= TIO_WF_MIX_PASS;
    return 0;
}

void tio_mixpass_teardown(struct worker *w)
{
    if (!w->mixpass)
        return;
    free(w->mixpass->io_len);
    free(w->mixpass->end_len);
    free(w->mixpass);
    w->mixpass = NULL;
}

/* The next file round robin that is not done (fio's get_next_file_rr), or
 * w->nf when fio's count of done files says none is left. */
static size_t next_file(struct worker *w)
{
    struct tio_next *n = &w->next;
    if (w->mixpass->nr_done >= w->nf)
        return w->nf;
    for (size_t tries = 0; tries < w->nf; tries++) {
        size_t f = n->next_file;
        if (++n->next_file == w->nf)
            n->next_file = 0;
        if (!n->gen[f].used_up)
            return f;
    }
    return w->nf;
}

/* Where direction di's next IO in file f starts, from the region's start,
 * as fio's get_next_seq_offset and get_next_offset find it: false when
 * there is none (the last IO ended at the file's end or past it, or the
 * start is at io_size or past the file's end). With holes, fio's own
 * arithmetic: the next start is N bytes on from the last IO's end, and
 * where that reaches the file's size, the start again (forward) or N
 * bytes before the file's io_size or size (backward); backward IO from
 * offset= starts there too. */
static bool next_pos(const struct worker *w, size_t f, unsigned di, uint64_t *pos)
{
    const struct tio_mixpass *mp = w->mixpass;
    const struct tio_job_pattern *p = &w->job->pattern;
    uint64_t start = w->t->regions[f].start, real = start + mp->end_len[f];
    uint64_t io = mp->io_len[f], last = start + w->next.gen[f].seq[di];
    if (last >= real)
        return false;
    uint64_t add = p->rw_backward ? 0 - p->rw_modifier : p->rw_modifier;
    uint64_t back_to = real > io ? io : real; /* fio compares io_size as an offset */
    if (last == start && start && p->rw_backward)
        last = back_to;
    uint64_t at = last - start;
    if (at && add) {
        at += add;
        if (at >= real)
            at = p->rw_backward ? back_to + add : start;
    }
    *pos = at;
    return at < io && at < mp->end_len[f];
}

/* Direction di's next IO in file f, as fio fills it: none where next_pos
 * finds none, nor (sizes drawn per IO) where the smallest size no longer
 * fits in io_size, nor where the IO would end past the file's end.
 * Returns its size, or 0. */
static uint64_t room(struct worker *w, size_t f, unsigned di, uint64_t pos)
{
    const struct tio_job_pattern *p = &w->job->pattern;
    struct tio_mixpass *mp = w->mixpass;
    unsigned sd = p->bs_is_seq_rand ? 0 : di; /* sizes as reads' (not random) */
    uint64_t len = p->min_bs[sd];
    if (p->min_bs[sd] != p->max_bs[sd]) {
        if (pos + p->min_bs[sd] > mp->io_len[f])
            return 0;
        len = tio_bsz_next(w, sd, mp->io_len[f] - pos);
    }
    return pos + len <= mp->end_len[f] ? len : 0;
}

/* The pass's next IO: false when every file is done. */
static bool place(struct worker *w, uint32_t *d, size_t *fi, uint64_t *pos, uint64_t *len)
{
    struct tio_next *n = &w->next;
    for (;;) {
        size_t f = next_file(w);
        if (f == w->nf)
            return false;
        uint32_t dir = w->job->pattern.rw == TIO_RW_RW     ? tio_next_mix_dir(w)
                       : w->job->pattern.rw == TIO_RW_READ ? TIO_READ
                                                           : TIO_WRITE;
        if (unlikely(w->features & TIO_WF_RATE))
            dir = tio_rate_dir(w, dir);
        unsigned di = dir != TIO_READ;
        uint64_t at = 0, l = next_pos(w, f, di, &at) ? room(w, f, di, at) : 0;
        if (l) {
            *d = dir;
            *fi = f;
            *pos = at;
            *len = l;
            n->gen[f].seq[di] = at + l;
            return true;
        }
        /* the file is done; the draw stays drawn but issued nothing */
        n->gen[f].used_up = true;
        w->mixpass->nr_done++;
        if (w->job->pattern.rw == TIO_RW_RW)
            n->issues[n->mix_dir]--;
    }
}

/* fio's keep_running once a pass is over: the loops left, then passes
 * while io_size (or size) is short by the largest block or more (without
 * io_size, not once every file is done). Starts the pass it allows. */
static bool new_pass(struct worker *w)
{
    struct tio_mixpass *mp = w->mixpass;
    struct tio_next *n = &w->next;
    /* fio's verify phase reopens the files: none is done after it */
    bool all_done = !mp->verifies;
    for (size_t i = 0; i < w->nf; i++)
        all_done = all_done && n->gen[i].used_up;
    /* the bytes done, verify reads included (fio's io_bytes) */
    uint64_t done = n->bytes_issued + w->vlog.read_bytes;
    if (!mp->pass_issued || w->stop)
        return false; /* fio ends a job whose pass did no IO */
    if (mp->loops_left) {
        mp->loops_left--;
    } else if (done >= mp->io_limit || mp->io_limit - done < mp->max_bs ||
               (all_done && !w->job->files.io_size.set)) {
        return false;
    }
    mp->pass_issued = 0;
    if (mp->reset_done)
        mp->nr_done = 0;
    for (size_t i = 0; i < w->nf; i++) {
        n->gen[i].seq[0] = n->gen[i].seq[1] = 0;
        n->gen[i].used_up = false;
        tio_phase_invalidate(w, i); /* fio reopens the files */
    }
    tio_next_new_loop(w);
    tio_sync_on_pass(w);
    return true;
}

bool tio_mixpass_io(struct worker *w, tio_io *io)
{
    struct tio_mixpass *mp = w->mixpass;
    struct tio_next *n = &w->next;
    while (!mp->over && !mp->pass_over) {
        uint32_t d;
        size_t fi;
        uint64_t pos, len;
        if (mp->pass_issued < mp->pass_bytes && n->bytes_issued < n->bytes_total &&
            place(w, &d, &fi, &pos, &len)) {
            mp->pass_issued += len;
            return tio_next_fill(w, io, d, fi, pos, len);
        }
        if (tio_sync_at_pass_end(w) || tio_vlog_phase_due(w))
            mp->pass_over = true; /* the phase syncs or verifies, then asks */
        else if (!new_pass(w))
            mp->over = true;
    }
    if (w->features & TIO_WF_IOS_LIMIT)
        n->ios_issued--;
    return false;
}

bool tio_mixpass_next_pass(struct worker *w)
{
    struct tio_mixpass *mp = w->mixpass;
    if (!mp->pass_over)
        return false;
    mp->pass_over = false;
    if (new_pass(w))
        return true;
    mp->over = true;
    return false;
}

bool tio_mixpass_pass_left(const struct worker *w)
{
    return w->mixpass->pass_issued < w->mixpass->pass_bytes;
}

bool tio_mixpass_start_due(struct worker *w)
{
    struct tio_mixpass *mp = w->mixpass;
    const struct tio_next *n = &w->next;
    if (mp->over || mp->pass_over || mp->pass_issued < mp->pass_bytes ||
        (n->bytes_total && n->bytes_issued >= n->bytes_total) || tio_sync_at_pass_end(w) ||
        tio_vlog_phase_due(w))
        return true; /* tio_mixpass_io ends the pass, or the phase does */
    if (new_pass(w))
        return true;
    mp->over = true;
    return false;
}
