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

int tio_trim_setup(struct worker *w)
{
    const struct tio_job *job = w->job;
    if (!tio_rw_trims(job->pattern.rw))
        return 0;
    const char *rate = rate_given(job);
    if (rate) {
        tio_worker_fail(w, EINVAL,
                        "%s caps the trims (or trimwrite's writes) of rw=%s, and tenon-io "
                        "does not rate-limit trim jobs yet (remove %s, or give it for reads "
                        "only)",
                        rate, tio_rw_name(job->pattern.rw), rate);
        return -EINVAL;
    }
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
    return 0;
}

void tio_trim_teardown(struct worker *w)
{
    if (!w->trim.gen)
        return;
    w->job = w->t->job;
    free(w->trim.gen);
    w->trim.gen = NULL;
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

bool tio_trim_pair_write(struct worker *w, tio_io *io)
{
    struct tio_trim *t = &w->trim;
    struct io_meta *m = tio_units_meta(w, io);
    t->pending = false;
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
