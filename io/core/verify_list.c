/* The verify log as a list, for the one case where it reads back more than
 * the last write to each block. fio 3.33 keeps the writes of a file with a
 * random map in a list (log_io_piece: the map is to keep a block from being
 * written twice, so no overlap is looked for), while other jobs go into its
 * tree, which drops an older write overlapped by a newer one. An IO that
 * follows on (rw=randTYPE:N, percentage_random, rw_sequencer) is not marked
 * in the map (fio's IO_U_F_BUSY_OK) and may write a block again: its verify
 * phase then reads back every write logged, in the order issued
 * (get_next_verify takes the list's first entry), one read per write.
 *
 * On an engine without files nothing is checked and fio's reads pass: the
 * list gives the same reads, in the same order. On files, the older
 * write's read finds the newer write's data and fio fails its own verify
 * ("bad header numberio"); tenon-io keeps its log by block there (each
 * block read once, as written last) and passes. Every other job keeps that
 * log too: with no block written twice it reads the same blocks. */
#include "worker.h"

#include <errno.h>
#include <stdlib.h>

/* fio's file_randommap: its files have a random map (init_random_map)
 * only in a random job without norandommap whose offsets come from the
 * map's generator: random_generator=lfsr has none, and nor do the
 * distributions zipf, pareto and normal (init_rand_distribution returns
 * first). */
bool tio_vlog_fio_lists(const struct tio_job *job)
{
    const struct tio_job_pattern *p = &job->pattern;
    return tio_rw_is_random(p->rw) && !p->norandommap && p->random_generator != TIO_RAND_LFSR &&
           (p->random_distribution == TIO_DIST_RANDOM ||
            p->random_distribution == TIO_DIST_ZONED ||
            p->random_distribution == TIO_DIST_ZONED_ABS);
}

int tio_vlist_setup(struct worker *w)
{
    const struct tio_job *job = w->job;
    struct tio_vlist *l = &w->vlog.list;
    /* TIO_WF_SEQUENCER: an IO may follow on. fio logs nothing without
     * do_verify. */
    l->on = job->verify.do_verify && w->t->engine.no_files && tio_vlog_fio_lists(job) &&
            (w->features & TIO_WF_SEQUENCER);
    if (!l->on)
        return 0;
    l->cap = 256;
    l->e = malloc(l->cap * sizeof(*l->e));
    return l->e ? 0 : -ENOMEM;
}

void tio_vlist_free(struct tio_vlist *l)
{
    free(l->e);
    *l = (struct tio_vlist){0};
}

void tio_vlist_push(struct worker *w, uint32_t fi, uint64_t pos, uint64_t len, uint32_t num)
{
    struct tio_vlist *l = &w->vlog.list;
    if (l->len == l->cap) {
        struct tio_vlog_entry *e = realloc(l->e, 2 * l->cap * sizeof(*e));
        if (!e) {
            tio_worker_fail(w, ENOMEM, "verify: no memory to log the writes issued");
            return;
        }
        l->e = e;
        l->cap *= 2;
    }
    l->e[l->len++] = (struct tio_vlog_entry){.file = fi,
                                             .num = num,
                                             .len = (uint32_t)len,
                                             .pos = pos};
}

/* Writes are numbered in the order issued, so the list is sorted by
 * number: the entry is found by bisection. A dropped entry keeps its
 * number, its length 0 marks it. */
void tio_vlist_drop(struct tio_vlist *l, uint32_t num)
{
    size_t lo = 0, hi = l->len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->e[mid].num < num)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < l->len && l->e[lo].num == num)
        l->e[lo].len = 0;
}

bool tio_vlist_next(struct worker *w, tio_io *io)
{
    struct tio_vlog *v = &w->vlog;
    struct tio_vlist *l = &v->list;
    while (l->next < l->len) {
        struct tio_vlog_entry e = l->e[l->next++];
        if (!e.len)
            continue; /* read back by verify_backlog, or the write failed */
        if (unlikely(v->vs.loaded) &&
            tio_vstate_should_stop(w, e.file, w->t->regions[e.file].start + e.pos))
            return false;
        tio_vlog_read_at(w, io, e.file, e.pos, e.len, e.num);
        v->read_bytes += io->len;
        v->read_ios++;
        return true;
    }
    return false;
}
