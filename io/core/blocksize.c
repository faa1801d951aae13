/* The size of each IO when it varies (bsrange, bssplit): drawn per IO and
 * direction with fio's generator and seeds, so a job draws the sizes fio
 * draws, and cut to what fits before the region's end as fio cuts them. */
#include "worker.h"

/* Drawings of a split before giving up on a size that fits: a size that
 * fits has 1% or more of the draws, unless all of them have 0% (fio then
 * loops forever). A range draws until a size fits, as fio: one always can
 * (the smallest), if rarely (1 draw in max_bs with room for min_bs only
 * and blocksize_unaligned), and a cap would leave the draws short of
 * fio's. */
#define MAX_SPLIT_DRAWS (1u << 20)

int tio_bsz_setup(struct worker *w)
{
    const struct tio_job_pattern *p = &w->job->pattern;
    struct tio_bsz *b = &w->bsz;
    bool use64 = p->random_generator == TIO_RAND_TAUSWORTHE64;
    for (int d = 0; d < 2; d++)
        if (p->min_bs[d] != p->max_bs[d] || p->min_bs[d] != p->bs[d])
            w->features |= TIO_WF_BS_VARY;
    for (int d = 0; d < TIO_JOB_DDIR_COUNT; d++) {
        /* as fio: writes draw as reads do when the job verifies */
        int from = d == TIO_JOB_DDIR_WRITE && w->job->verify.method != TIO_VERIFY_NONE ? 0 : d;
        if (p->bs_is_seq_rand) /* fio draws in the sizes' own direction */
            from = tio_rw_is_random(p->rw) ? TIO_JOB_DDIR_WRITE : TIO_JOB_DDIR_READ;
        /* a trim job draws its trims' sizes in the write slot (trim.c),
         * from fio's trim seed; trimwrite's is the write seed, as fio's */
        if (d == TIO_JOB_DDIR_WRITE && tio_rw_trims(p->rw) && !tio_rw_writes(p->rw))
            from = TIO_JOB_DDIR_TRIM;
        tio_frand_seed(&b->state[d], w->fseeds[TIO_FSEED_BS + from], use64);
    }
    return 0;
}

static uint64_t draw(struct tio_frand *st, const struct tio_job_pattern *p, unsigned d,
                     uint64_t room)
{
    uint64_t minbs = p->min_bs[d], maxbs = p->max_bs[d], v = tio_frand_next(st), len = 0;
    if (!p->bssplit_nr[d]) {
        len = minbs + (uint64_t)((double)maxbs * ((double)v / tio_frand_span(st)));
    } else {
        /* the first size whose running percentage the draw falls under */
        uint64_t limit = (st->use64 ? UINT64_MAX : UINT32_MAX) / 100, perc = 0;
        for (unsigned i = 0; i < p->bssplit_nr[d]; i++) {
            if (!p->bssplit[d][i].perc)
                continue;
            len = p->bssplit[d][i].bs;
            perc += p->bssplit[d][i].perc;
            if (v / perc <= limit && len <= room)
                break;
        }
    }
    if (!p->bs_unaligned)
        len -= (minbs & (minbs - 1)) == 0 ? len & (minbs - 1) : len % minbs;
    return len > maxbs ? maxbs : len;
}

uint64_t tio_bsz_next(struct worker *w, unsigned d, uint64_t room)
{
    const struct tio_job_pattern *p = &w->job->pattern;
    if (p->min_bs[d] == p->max_bs[d] || room < p->min_bs[d]) /* bs_is_seq_rand: fixed */
        return p->min_bs[d];
    for (unsigned i = 0; !p->bssplit_nr[d] || i < MAX_SPLIT_DRAWS; i++) {
        uint64_t len = draw(&w->bsz.state[d], p, d, room);
        if (len && len <= room)
            return len;
    }
    return p->min_bs[d];
}
