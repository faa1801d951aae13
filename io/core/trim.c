/* Trim jobs (rw=trim, randtrim, trimwrite, randtrimwrite), as fio runs
 * them. A trim job's offsets and sizes come from the same generator as a
 * write job's: the worker works on a copy of the job whose write slot holds
 * the trim direction's sizes (bs, blockalign, bsrange, bssplit,
 * percentage_random), so next_io.c and blocksize.c need no third direction
 * and jobs without trims pay nothing. trimwrite and randtrimwrite follow
 * each trim with a write of the same blocks (fio: "blocks will be trimmed
 * first, then the same blocks will be written to"), of the trim's size;
 * the budget (size, io_size, number_ios) counts the trims, so the job
 * trims and writes that much each, as fio's does. */
#include "worker.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* trim_percentage with trim_backlog: fio's trims of verified blocks. */
static bool backlog_wanted(const struct tio_job *job)
{
    const struct tio_job_verify *v = &job->verify;
    return v->trim_percentage && v->trim_backlog && v->method != TIO_VERIFY_NONE &&
           v->do_verify && !v->experimental_verify && !v->verify_only &&
           tio_rw_writes(job->pattern.rw);
}

/* rate, rate_iops, rate_min, rate_iops_min on a direction a trim job
 * does: not supported (fio would cap it); the name of the one given. */
static const char *rate_given(const struct tio_job *job)
{
    const struct tio_job_rate *r = &job->rate;
    bool writes = tio_rw_writes(job->pattern.rw);
    for (int d = TIO_JOB_DDIR_WRITE; d <= TIO_JOB_DDIR_TRIM; d++) {
        if (d == TIO_JOB_DDIR_WRITE && !writes)
            continue;
        if (r->rate[d])
            return "rate";
        if (r->rate_iops[d])
            return "rate_iops";
        if (r->rate_min[d])
            return "rate_min";
        if (r->rate_iops_min[d])
            return "rate_iops_min";
    }
    return NULL;
}

int tio_trim_job_check(const struct tio_job *job, struct tio_error *err)
{
    const char *rate = tio_rw_trims(job->pattern.rw) ? rate_given(job) : NULL;
    if (rate) {
        tio_error_set(err, TIO_EUNSUPPORTED, NULL, NULL, NULL,
                      "job %s: %s caps the trims (or trimwrite's writes) of rw=%s, and "
                      "tenon-io does not rate-limit trim jobs yet (remove %s, or give it "
                      "for reads only)",
                      job->identity.name, rate, tio_rw_name(job->pattern.rw), rate);
        return -1;
    }
    if (!backlog_wanted(job))
        return 0;
    if (!tio_rw_trims(job->pattern.rw)) {
        tio_error_set(err, TIO_EUNSUPPORTED, NULL, NULL, NULL,
                      "job %s: trim_percentage with trim_backlog trims verified blocks, "
                      "which only a job that trims may do: use rw=trimwrite or "
                      "randtrimwrite (fio 3.33 aborts on rw=%s)",
                      job->identity.name, tio_rw_name(job->pattern.rw));
        return -1;
    }
    if (job->verify.verify_backlog) {
        tio_error_set(err, TIO_EUNSUPPORTED, NULL, NULL, NULL,
                      "job %s: trim_backlog with verify_backlog is not supported yet "
                      "(drop one of them)",
                      job->identity.name);
        return -1;
    }
    return 0;
}

static int backlog_setup(struct worker *w)
{
    const struct tio_job *job = w->job;
    struct tio_trim *t = &w->trim;
    t->qcap = 64;
    t->queue = malloc(t->qcap * sizeof(*t->queue));
    if (!t->queue)
        return -ENOMEM;
    tio_frand_seed(&t->draws, w->fseeds[TIO_FSEED_TRIM],
                   job->pattern.random_generator == TIO_RAND_TAUSWORTHE64);
    t->list_mode = tio_rw_is_random(job->pattern.rw) && !job->pattern.norandommap;
    w->features |= TIO_WF_TRIM_VLOG;
    return 0;
}

int tio_trim_setup(struct worker *w)
{
    const struct tio_job *job = w->job;
    if (!tio_rw_trims(job->pattern.rw))
        return 0;
    struct tio_job *gen = malloc(sizeof(*gen));
    if (!gen)
        return -ENOMEM;
    *gen = *job; /* shallow: the copy owns nothing, the job keeps its strings */
    struct tio_job_pattern *p = &gen->pattern;
    const int wr = TIO_JOB_DDIR_WRITE, tr = TIO_JOB_DDIR_TRIM;
    p->bs[wr] = p->bs[tr];
    p->ba[wr] = p->ba[tr];
    p->min_bs[wr] = p->min_bs[tr];
    p->max_bs[wr] = p->max_bs[tr];
    p->perc_rand[wr] = p->perc_rand[tr];
    p->bssplit_nr[wr] = p->bssplit_nr[tr];
    memcpy(p->bssplit[wr], p->bssplit[tr], sizeof(p->bssplit[wr]));
    w->trim.gen = gen;
    w->job = gen;
    if (tio_rw_writes(job->pattern.rw))
        w->features |= TIO_WF_TRIMWRITE;
    return backlog_wanted(job) ? backlog_setup(w) : 0;
}

void tio_trim_teardown(struct worker *w)
{
    if (!w->trim.gen)
        return;
    w->job = w->t->job;
    free(w->trim.gen);
    free(w->trim.queue);
    w->trim.gen = NULL;
    w->trim.queue = NULL;
}

void tio_trim_issued(struct worker *w, const tio_io *io, uint64_t pos)
{
    struct tio_trim *t = &w->trim;
    if (!(w->features & TIO_WF_TRIMWRITE))
        return;
    const struct io_meta *m = tio_units_meta(w, io);
    t->pending = true;
    t->file = m->file;
    t->pos = pos;
    t->len = io->len;
    t->offset = io->offset;
}

static bool pair_write(struct worker *w, tio_io *io)
{
    struct tio_trim *t = &w->trim;
    struct io_meta *m = tio_units_meta(w, io);
    t->pending = false;
    /* zonemode=zbd: the write goes to its zone's write pointer, as fio's */
    uint64_t trimmed = t->offset;
    if (unlikely(w->features & TIO_WF_ZBD) &&
        !tio_zbd_place_write(w, t->file, &t->offset, &t->len))
        return false;
    t->pos += t->offset - trimmed;
    io->ddir = TIO_WRITE;
    io->offset = t->offset;
    io->len = t->len;
    io->file = &w->h[t->file].file;
    io->buf = m->buf;
    m->offset = t->offset;
    m->len = t->len;
    m->file = t->file;
    m->verify_read = false;
    if (w->features & TIO_WF_VERIFY) {
        tio_vlog_on_write(w, io, m, t->pos);
        if (w->stop)
            return false; /* the block could not be filled: not written */
    } else {
        tio_units_on_write(w, io, io->offset);
    }
    return true;
}

/* As fio's log_io_piece: each write the verify log takes counts in the
 * history (a rewrite of a logged block replaces it, unless fio keeps its
 * log as a list: random writes with a map), and trim_percentage of them
 * are queued for a trim, by fio's draw from its trim seed. */
void tio_trim_logged(struct worker *w, uint32_t fi, uint64_t b, uint32_t num, bool again)
{
    struct tio_trim *t = &w->trim;
    if (!again || t->list_mode)
        t->hist++;
    uint64_t max = t->draws.use64 ? UINT64_MAX : UINT32_MAX;
    if (tio_frand_next(&t->draws) > max / 100 * w->job->verify.trim_percentage)
        return;
    if (t->qlen == t->qcap) {
        struct tio_trim_entry *q = malloc(2 * t->qcap * sizeof(*q));
        if (!q) {
            tio_worker_fail(w, ENOMEM, "no memory for the trim backlog");
            return;
        }
        for (size_t i = 0; i < t->qlen; i++)
            q[i] = t->queue[(t->qhead + i) % t->qcap];
        free(t->queue);
        t->queue = q;
        t->qhead = 0;
        t->qcap *= 2;
    }
    t->queue[(t->qhead + t->qlen++) % t->qcap] = (struct tio_trim_entry){fi, num, b};
}

/* The oldest queued block still as its write left it (a block written
 * again left the queue, as fio drops its entry); false when none is. */
static bool backlog_first(struct worker *w, struct tio_trim_entry *e)
{
    struct tio_trim *t = &w->trim;
    while (t->qlen) {
        *e = t->queue[t->qhead];
        if (w->vlog.written[e->file][e->block] == e->num)
            return true;
        t->qhead = (t->qhead + 1) % t->qcap;
        t->qlen--;
    }
    return false;
}

/* fio's get_next_trim: the block trimmed, and under trim_verify_zero
 * checked for zeros by the verify phase, else no longer verified. */
static void backlog_trim(struct worker *w, tio_io *io, const struct tio_trim_entry *e)
{
    struct tio_trim *t = &w->trim;
    t->qhead = (t->qhead + 1) % t->qcap;
    t->qlen--;
    uint64_t bs = w->job->pattern.bs[TIO_DDIR_WRITE];
    const struct tio_region *r = &w->t->regions[e->file];
    uint64_t len = r->len - e->block * bs < bs ? r->len - e->block * bs : bs;
    struct io_meta *m = tio_units_meta(w, io);
    io->ddir = TIO_TRIM;
    io->offset = r->start + e->block * bs;
    io->len = len;
    io->file = &w->h[e->file].file;
    io->buf = m->buf;
    m->offset = io->offset;
    m->len = len;
    m->file = e->file;
    m->verify_read = false;
    m->verify_write = 0;
    if (w->job->verify.trim_verify_zero) {
        w->vlog.written[e->file][e->block] = TIO_VLOG_TRIMMED;
    } else {
        w->vlog.written[e->file][e->block] = 0;
        if (w->vlog.list.on)
            tio_vlist_drop(&w->vlog.list, e->num);
        t->hist--;
    }
}

/* fio's check_get_trim: once the history reaches a multiple of
 * trim_backlog, a batch of trim_backlog_batch (or trim_backlog) queued
 * blocks is trimmed; the batch's count carries over to blocks queued
 * later. */
static bool backlog_due(struct worker *w, tio_io *io)
{
    struct tio_trim *t = &w->trim;
    struct tio_trim_entry e;
    if (!backlog_first(w, &e))
        return false;
    if (t->batch) {
        t->batch--;
    } else if (t->hist % w->job->verify.trim_backlog == 0) {
        t->batch = w->job->verify.trim_backlog_batch ? w->job->verify.trim_backlog_batch
                                                     : w->job->verify.trim_backlog;
    } else {
        return false;
    }
    backlog_trim(w, io, &e);
    return true;
}

/* As fio's IO loop, which goes on while blocks wait in the queue: random
 * IO without a map has one more IO (a trim and its write) past the
 * budget; elsewhere the offsets run out at the budget, as in fio. */
static void backlog_overrun(struct worker *w)
{
    struct tio_next *n = &w->next;
    struct tio_trim_entry e;
    if (w->trim.list_mode || !n->random || !n->bytes_total || n->bytes_issued < n->bytes_total)
        return;
    if (backlog_first(w, &e))
        n->bytes_total = n->bytes_issued + 1;
}

int tio_trim_before(struct worker *w, tio_io *io)
{
    if (w->features & TIO_WF_TRIM_VLOG) {
        if (backlog_due(w, io))
            return 1;
        if (!w->trim.pending)
            backlog_overrun(w);
    }
    if (w->trim.pending)
        return pair_write(w, io) ? 1 : -1;
    return 0;
}

bool tio_trim_check_zero(const void *buf, uint64_t len, uint64_t offset, uint64_t *bad,
                         struct tio_error *why)
{
    const unsigned char *p = buf;
    for (uint64_t i = 0; i < len; i++) {
        if (p[i]) {
            *bad = offset + i;
            tio_error_set(why, TIO_EUNSUPPORTED, NULL, NULL, NULL,
                          "a trimmed block does not read as zeros (byte 0x%02x at block "
                          "offset %llu; trim_verify_zero=0 skips trimmed blocks)",
                          p[i], (unsigned long long)i);
            return false;
        }
    }
    return true;
}
