/* openfiles and file_service_type: which file of a job with several gets
 * the next IO, as fio's get_next_file chooses it. At most openfiles files
 * are serviced at a time (fio's open files, each opened as it is first
 * chosen): a file outside that set waits until one in it is done, where
 * fio's open would return EBUSY and the choice goes on. roundrobin takes
 * the next file in turn, random draws one (fio's next_file_state, seeded
 * as fio seeds it), sequential stays on a file until it is done; with :N,
 * N IOs go to a file before the next is chosen. A file is done when its
 * next IO has no room (sequential IO at its end, or its random map full)
 * outside time_based jobs; once every file is done, the job's IO is over
 * where fio's is (tio_next.until_used) and otherwise starts over with
 * every file, as fio's next loop does.
 *
 * zipf, pareto and normal draw a file per IO from fio's generators over
 * 1024 ranges a file, unscrambled, seeded as fio's next_file_state. Their
 * files are never done (fio's __FIO_FSERVICE_NONUNIFORM): a file whose
 * random map is full starts a new pass as in time_based jobs, one whose
 * sequential IO reaches its end starts over from its start and leaves the
 * open set, and the job ends at its byte budget.
 *
 * tenon-io opens each target once before the run (files_prepare.c) and
 * keeps its descriptor: the limit applies to the files serviced, not to
 * the descriptors held. The module costs nothing unless a job sets one of
 * the two options on several files (TIO_WF_FSERVICE). */
#include "worker.h"

#include <errno.h>
#include <stdlib.h>

#define NONE SIZE_MAX
#define RANGES_SHIFT 10 /* fio's FIO_FSERVICE_SHIFT: 1024 ranges a file */

static bool nonuniform(const struct worker *w)
{
    return w->job->files.fservice >= TIO_FSERVICE_ZIPF;
}

/* fio's init_rand_file_service: its generator over the files' ranges. */
static void dist_setup(struct worker *w)
{
    const struct tio_job_files *o = &w->job->files;
    struct tio_fdist *d = &w->fsvc.dist;
    uint64_t nranges = (uint64_t)w->nf << RANGES_SHIFT;
    uint32_t seed = (uint32_t)w->fseeds[TIO_FSEED_FILE];
    if (o->fservice == TIO_FSERVICE_ZIPF)
        tio_zipf_init(d, nranges, o->fservice_value, o->fservice_center, seed);
    else if (o->fservice == TIO_FSERVICE_PARETO)
        tio_pareto_init(d, nranges, o->fservice_value, o->fservice_center, seed);
    else
        tio_gauss_init(d, nranges, o->fservice_value, o->fservice_center, seed);
    tio_fdist_no_hash(d);
    w->next.files_wrap = true;
}

/* fio's size, where its IO loop ends a pass on a queue: size= or, when
 * less, the files' io_size together; random writes without a map go on
 * to io_size (fio's do_io). */
static uint64_t pass_size(const struct worker *w)
{
    const struct tio_job *job = w->job;
    const struct tio_job_pattern *p = &job->pattern;
    uint64_t size = 0;
    for (size_t i = 0; i < w->nf; i++)
        size += tio_file_io_len(w, i);
    if (job->files.size.set && !job->files.size.percent && job->files.size.bytes < size)
        size = job->files.size.bytes;
    if (tio_rw_writes(p->rw) && tio_rw_is_random(p->rw) && p->norandommap &&
        job->files.io_size.set && !job->files.io_size.percent &&
        job->files.io_size.bytes > size)
        size = job->files.io_size.bytes;
    return size;
}

int tio_fservice_setup(struct worker *w)
{
    const struct tio_job_files *o = &w->job->files;
    struct tio_fsvc *s = &w->fsvc;
    size_t limit = o->openfiles && o->openfiles < w->nf ? o->openfiles : w->nf;
    if (w->nf < 2 || (limit == w->nf && o->fservice == TIO_FSERVICE_RR && o->fservice_nr <= 1))
        return 0;
    s->open = calloc(w->nf, 3 * sizeof(bool));
    if (!s->open)
        return -ENOMEM;
    s->done = s->open + w->nf;
    s->fresh = s->done + w->nf;
    s->limit = limit; /* none open yet: fio opens each as it is first chosen */
    s->cur = NONE;
    s->nr = o->fservice_nr ? o->fservice_nr : 1;
    tio_frand_seed(&s->rand, w->fseeds[TIO_FSEED_FILE],
                   w->job->pattern.random_generator == TIO_RAND_TAUSWORTHE64);
    if (nonuniform(w))
        dist_setup(w);
    s->pass_size = pass_size(w);
    /* a file's full map makes it done here, rather than starting its next
     * loop before the file is chosen (next_io.c's loop_start) */
    w->features = (w->features & ~TIO_WF_MAP_LOOPS) | TIO_WF_FSERVICE;
    return 0;
}

void tio_fservice_teardown(struct worker *w)
{
    free(w->fsvc.open);
    w->fsvc.open = NULL;
}

/* Whether file fi has room for the next IO of direction di (bs bytes). A
 * full map takes one offset draw, as fio's draw finds no free block. */
static bool has_room(struct worker *w, size_t fi, unsigned di, uint64_t bs)
{
    const struct tio_job *job = w->job;
    struct tio_next *n = &w->next;
    const struct file_gen *g = &n->gen[fi];
    if (job->time.time_based || (n->random && n->files_wrap))
        return true; /* fio's files start over then, never done */
    if (w->fsvc.fresh[fi]) {
        w->fsvc.fresh[fi] = false; /* its IO starts it over (next_io.c) */
        return true;
    }
    if (!n->random)
        return g->seq[di] + bs <= w->t->regions[fi].len;
    if (job->pattern.norandommap || !tio_rmap_full(&g->maps[n->map_of[di]]))
        return true;
    if (n->ahead)
        n->ahead = false;
    else
        (void)tio_frand_unit(&w->offsets);
    return false;
}

/* A non-uniform choice's file at its end: it starts over from its start
 * and leaves the open set, as fio resets and closes it. */
static void start_file_over(struct worker *w, size_t fi)
{
    struct tio_fsvc *s = &w->fsvc;
    w->next.gen[fi].seq[0] = w->next.gen[fi].seq[1] = 0;
    tio_phase_invalidate(w, fi); /* as fio's open does again */
    s->open[fi] = false;
    s->n_open--;
    s->cur = NONE;
}

/* A file leaves the set for good (until every file is done). */
static void set_done(struct tio_fsvc *s, size_t fi)
{
    s->open[fi] = false;
    s->done[fi] = true;
    s->n_open--;
    s->n_done++;
    if (s->cur == fi)
        s->cur = NONE;
}

/* fio's next loop: every file's random map empty, its cached pages
 * dropped, and under randrepeat the draws seeded again, once for all the
 * files (next_io.c's new_map_pass would do it file by file). */
static void restart_maps(struct worker *w)
{
    struct tio_next *n = &w->next;
    for (size_t i = 0; i < w->nf; i++) {
        for (unsigned d = 0; d <= n->map_of[1]; d++)
            tio_rmap_reset(&n->gen[i].maps[d]);
        tio_phase_invalidate(w, i);
    }
    n->mix_issues = 0;
    if (!w->job->pattern.randrepeat)
        return;
    tio_frand_seed(&w->offsets, w->fseeds[TIO_FSEED_BLOCK], w->offsets.use64);
    n->ahead = false;
    tio_bsz_setup(w);
    for (int d = 0; d < 2; d++)
        tio_frand_seed(&n->seq_rand[d], w->fseeds[TIO_FSEED_SEQ_RAND_READ], false);
    tio_frand_seed(&n->mix, w->fseeds[TIO_FSEED_MIX], false);
}

/* Every file done and the job's IO goes on: all start over, none open, as
 * fio's next loop closes them and opens them again as they are chosen. */
static void start_over(struct worker *w)
{
    struct tio_fsvc *s = &w->fsvc;
    for (size_t i = 0; i < w->nf; i++) {
        s->open[i] = s->done[i] = false;
        s->fresh[i] = true;
    }
    s->n_open = s->n_done = 0;
    s->cur = NONE;
    if (w->next.random && !w->job->pattern.norandommap)
        restart_maps(w);
    if (w->job->pattern.randrepeat)
        tio_frand_seed(&s->rand, w->fseeds[TIO_FSEED_FILE], s->rand.use64);
}

/* fio's choice of a new file: in turn or at random; one done is passed
 * over, one outside a full set too (fio's EBUSY: the choice goes on). */
static size_t choose(struct worker *w)
{
    struct tio_fsvc *s = &w->fsvc;
    for (;;) {
        size_t fi;
        enum tio_fservice type = w->job->files.fservice;
        if (type == TIO_FSERVICE_RANDOM) {
            fi = (size_t)tio_frand_scale(&s->rand, w->nf);
        } else if (type == TIO_FSERVICE_ZIPF) {
            fi = (size_t)(tio_zipf_next(&s->dist) >> RANGES_SHIFT);
        } else if (type == TIO_FSERVICE_PARETO) {
            fi = (size_t)(tio_pareto_next(&s->dist) >> RANGES_SHIFT);
        } else if (type == TIO_FSERVICE_NORMAL) {
            fi = (size_t)(tio_gauss_next(&s->dist) >> RANGES_SHIFT);
        } else {
            fi = s->cursor;
            if (++s->cursor == w->nf)
                s->cursor = 0;
        }
        if (s->done[fi])
            continue;
        if (!s->open[fi]) {
            if (s->n_open >= s->limit)
                continue;
            s->open[fi] = true;
            s->n_open++;
        }
        return fi;
    }
}

/* fio's get_next_file: the file serviced keeps its turns (N of them with
 * TYPE:N, all of them with sequential), then another is chosen. */
static size_t take_turn(struct worker *w)
{
    struct tio_fsvc *s = &w->fsvc;
    size_t fi = s->cur;
    if (fi != NONE && w->job->files.fservice != TIO_FSERVICE_SEQUENTIAL) {
        if (s->left)
            s->left--;
        else
            fi = NONE;
    }
    if (fi == NONE) {
        fi = choose(w);
        s->cur = fi;
        s->left = s->nr - 1;
    }
    return fi;
}

size_t tio_fservice_turn(struct worker *w)
{
    return w->fsvc.n_done == w->nf ? w->nf : take_turn(w);
}

/* fio's pass is over: every file done or, on an engine that queues its
 * IOs, size bytes queued (its do_io loop). The next pass forgets the last
 * IO, so under fsync=N it starts with a sync when the writes are a
 * multiple of N, even right after the last pass's sync (sync_policy.c).
 * Only the syncs see that pass end: the files go on as they are. */
static void new_pass(struct worker *w)
{
    w->fsvc.pass_start = w->next.bytes_issued;
    tio_sync_on_pass(w);
}

bool tio_fservice_pass_left(const struct worker *w)
{
    return w->next.bytes_issued - w->fsvc.pass_start < w->fsvc.pass_size;
}

size_t tio_fservice_next(struct worker *w, unsigned di, uint64_t bs)
{
    struct tio_fsvc *s = &w->fsvc;
    if (unlikely(w->features & TIO_WF_SYNC_EVERY) && tio_sync_pass_at_size(w))
        new_pass(w);
    for (int overs = 0;;) {
        if (s->n_done == w->nf) {
            if (w->next.until_used || overs++) {
                w->next.until_used = true; /* next_io.c ends the job's IO */
                return w->nf;
            }
            start_over(w);
            new_pass(w);
        }
        size_t fi = take_turn(w);
        if (has_room(w, fi, di, bs))
            return fi;
        if (w->next.files_wrap)
            start_file_over(w, fi);
        else
            set_done(s, fi);
    }
}
