/* Random blocks from fio's other generators: zipf, pareto and normal per
 * file (seeded from the file's name, as fio), zoned and zoned_abs (a zone
 * drawn by percentage, then fio's uniform draw inside it) and the LFSR per
 * file (every block once a pass, so the random map never redirects it). */
#include "rand_dist.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "fio_dist.h"
#include "lfsr.h"
#include "worker.h"

/* fio's zone_split_index: per access percentage, the zone it falls in. */
struct zone_index {
    uint64_t size, size_prev; /* zoned_abs: bytes */
    unsigned perc, perc_prev; /* zoned: percent of the file */
};

struct tio_rdist {
    struct tio_fdist *dist; /* per file: zipf, pareto, normal */
    uint64_t range;         /* their blocks' size: the smaller block size */
    bool rescale[2];        /* per direction: its blocks are larger */
    struct tio_lfsr *lfsr;  /* per file: random_generator=lfsr */
    struct tio_frand zone;  /* fio's zone_state */
    struct zone_index index[2][100];
};

/* fio's uniform draw of a block below lastb (its random_state). */
static uint64_t uniform(struct worker *w, uint64_t lastb)
{
    return tio_frand_at(tio_frand_unit(&w->offsets), (double)lastb);
}

static uint64_t zoned(struct worker *w, const struct file_gen *g, unsigned di)
{
    const struct tio_job_pattern *p = &w->job->pattern;
    uint64_t lastb = g->blocks[di];
    if (!p->zone_split_nr[di])
        return uniform(w, lastb);
    unsigned v = (unsigned)tio_frand_between(&w->rdist->zone, 1, 100);
    const struct zone_index *z = &w->rdist->index[di][v - 1];
    if (p->random_distribution == TIO_DIST_ZONED_ABS) {
        uint64_t first = z->size_prev / p->ba[di], end = z->size / p->ba[di];
        return uniform(w, end - first) + first;
    }
    uint64_t first = z->perc_prev * lastb / 100;
    return uniform(w, lastb * (z->perc - z->perc_prev) / 100) + first;
}

uint64_t tio_rdist_block(struct worker *w, const struct file_gen *g, size_t fi, unsigned di)
{
    struct tio_rdist *rd = w->rdist;
    uint64_t b;
    switch (w->job->pattern.random_distribution) {
    case TIO_DIST_ZIPF:
        b = tio_zipf_next(&rd->dist[fi]);
        break;
    case TIO_DIST_PARETO:
        b = tio_pareto_next(&rd->dist[fi]);
        break;
    case TIO_DIST_NORMAL:
        b = tio_gauss_next(&rd->dist[fi]);
        break;
    case TIO_DIST_ZONED:
    case TIO_DIST_ZONED_ABS:
        return zoned(w, g, di);
    default:
        goto lfsr;
    }
    /* the draw is in blocks of the smaller size; fio multiplies it by the
     * direction's own, past the file for the larger one (bs=8k,4k reads
     * the file's first half, then ends it): tenon-io keeps the draw's
     * place in the file instead */
    return unlikely(rd->rescale[di]) ? b * rd->range / w->job->pattern.ba[di] : b;
lfsr:
    if (tio_lfsr_next(&rd->lfsr[fi], &b))
        return b;
    /* every block given: a new pass, as fio's time_based jobs start one */
    tio_lfsr_reset(&rd->lfsr[fi], w->fseeds[TIO_FSEED_BLOCK]);
    return tio_lfsr_next(&rd->lfsr[fi], &b) ? b : 0;
}

void tio_rdist_new_pass(struct worker *w, size_t fi, bool reseed)
{
    struct tio_rdist *rd = w->rdist;
    if (rd->lfsr)
        tio_lfsr_reset(&rd->lfsr[fi], w->fseeds[TIO_FSEED_BLOCK]);
    if (reseed)
        tio_frand_seed(&rd->zone, w->fseeds[TIO_FSEED_ZONE], false);
}

/* The name fio knows the file by: its seed comes from it. */
static const char *fio_file_name(const struct worker *w, size_t fi)
{
    const struct tio_strv *names = &w->job->files.filenames;
    if (!w->t->engine.no_files)
        return w->h[fi].file.name;
    return fi < names->n ? names->v[fi] : w->job->identity.name;
}

/* As fio: the smaller of the reads' and writes' smallest block sizes
 * makes the ranges, rounded up over the file. */
static int dist_setup(struct worker *w, struct tio_rdist *rd)
{
    const struct tio_job_pattern *p = &w->job->pattern;
    rd->dist = calloc(w->nf ? w->nf : 1, sizeof(*rd->dist));
    if (!rd->dist)
        return -ENOMEM;
    uint64_t range = p->min_bs[0] < p->min_bs[1] ? p->min_bs[0] : p->min_bs[1];
    rd->range = range;
    for (unsigned d = 0; d < 2; d++)
        rd->rescale[d] = p->ba[d] > range;
    uint32_t thread = (uint32_t)w->job->index + 1;
    for (size_t i = 0; i < w->nf; i++) {
        const char *name = fio_file_name(w, i);
        uint64_t len = w->t->regions[i].len, nranges = (len + range - 1) / range;
        uint32_t seed = tio_fio_jhash(name, strlen(name), 0) * thread;
        if (!tio_reseeds(p))
            seed = (uint32_t)w->fseeds[TIO_FSEED_BLOCK];
        if (p->random_distribution == TIO_DIST_ZIPF)
            tio_zipf_init(&rd->dist[i], nranges, p->dist_value, p->dist_center, seed);
        else if (p->random_distribution == TIO_DIST_PARETO)
            tio_pareto_init(&rd->dist[i], nranges, p->dist_value, p->dist_center, seed);
        else
            tio_gauss_init(&rd->dist[i], nranges, p->dist_value, p->dist_center, seed);
    }
    return 0;
}

/* fio's table from access percentage to zone; zoned_abs zones must end
 * within every file (fio fails the IO that draws one past it). */
static int zones_setup(struct worker *w, struct tio_rdist *rd)
{
    const struct tio_job_pattern *p = &w->job->pattern;
    tio_frand_seed(&rd->zone, w->fseeds[TIO_FSEED_ZONE], false);
    for (unsigned d = 0; d < 2; d++) {
        unsigned a = 0, sp = 0;
        uint64_t ss = 0;
        for (unsigned i = 0; i < p->zone_split_nr[d]; i++) {
            const struct tio_zone_split *z = &p->zone_split[d][i];
            for (unsigned j = a; j < a + z->access_perc && j < 100; j++)
                rd->index[d][j] = (struct zone_index){ss + z->size, ss, sp + z->size_perc, sp};
            a += z->access_perc;
            sp += z->size_perc;
            ss += z->size;
        }
        if (p->random_distribution != TIO_DIST_ZONED_ABS || !p->zone_split_nr[d])
            continue;
        for (size_t i = 0; i < w->nf; i++)
            if (ss / p->ba[d] > w->next.gen[i].blocks[d]) {
                tio_worker_fail(w, EINVAL,
                                "random_distribution=zoned_abs: the zones' sizes add up to "
                                "%" PRIu64 " bytes, past the %" PRIu64 " bytes of %s (make "
                                "the zones smaller or size larger)",
                                ss, w->next.gen[i].blocks[d] * p->ba[d], fio_file_name(w, i));
                return -EINVAL;
            }
    }
    return 0;
}

static int lfsr_setup(struct worker *w, struct tio_rdist *rd)
{
    const struct tio_job_pattern *p = &w->job->pattern;
    rd->lfsr = calloc(w->nf ? w->nf : 1, sizeof(*rd->lfsr));
    if (!rd->lfsr)
        return -ENOMEM;
    uint64_t min_bs = p->bs[0] < p->bs[1] ? p->bs[0] : p->bs[1];
    for (size_t i = 0; i < w->nf; i++) {
        uint64_t blocks = w->t->regions[i].len / min_bs;
        if (!tio_lfsr_init(&rd->lfsr[i], blocks, w->fseeds[TIO_FSEED_BLOCK])) {
            tio_worker_fail(w, EINVAL,
                            "random_generator=lfsr: no LFSR for %" PRIu64 " blocks with "
                            "this seed (change randseed, or use tausworthe64)",
                            blocks);
            return -EINVAL;
        }
    }
    return 0;
}

int tio_rdist_setup(struct worker *w)
{
    const struct tio_job_pattern *p = &w->job->pattern;
    /* strided zones draw their LFSR's blocks per zone (zones.c) */
    bool lfsr = p->random_generator == TIO_RAND_LFSR && w->job->zones.mode != TIO_ZONE_STRIDED;
    if (!tio_rw_is_random(p->rw) || (p->random_distribution == TIO_DIST_RANDOM && !lfsr))
        return 0;
    struct tio_rdist *rd = calloc(1, sizeof(*rd));
    if (!rd)
        return -ENOMEM;
    w->rdist = rd;
    w->features |= TIO_WF_RAND_DIST;
    switch (p->random_distribution) {
    case TIO_DIST_ZIPF:
    case TIO_DIST_PARETO:
    case TIO_DIST_NORMAL:
        return dist_setup(w, rd);
    case TIO_DIST_ZONED:
    case TIO_DIST_ZONED_ABS:
        return zones_setup(w, rd);
    default:
        return lfsr_setup(w, rd);
    }
}

void tio_rdist_teardown(struct worker *w)
{
    if (!w->rdist)
        return;
    free(w->rdist->dist);
    free(w->rdist->lfsr);
    free(w->rdist);
    w->rdist = NULL;
}
