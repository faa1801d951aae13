/* next_io.c's part for zonemode=zbd: each IO it chooses moved into the
 * zones (zbd_io.c), sequential IO going on from where the IO went (fio's
 * last_pos), and fio's passes when an IO has no zone to go to. It writes
 * next_io.c's state (struct tio_next), as next_io.c does. */
#include "worker.h"

#include <string.h>

/* zonemode=zbd: an IO with no zone to go to ends fio's pass (its file is
 * done). Where fio goes on after files are done (io_size given, loops,
 * time_based), while the budget lasts and the pass did IO, another pass
 * starts as fio's do: positions, maps and (randrepeat) draws afresh, the
 * zones' counts anew. */
static bool zbd_new_pass(struct worker *w)
{
    struct tio_next *n = &w->next;
    const struct tio_job *job = w->job;
    if (!job->files.io_size.set && !job->time.time_based &&
        w->zbd.passes + 1 >= (job->files.loops ? job->files.loops : 1))
        return false;
    /* a job that verifies runs its passes in phase.c, each verified */
    if (tio_vlog_phase_due(w) && !job->time.time_based)
        return false;
    if ((n->bytes_total && n->bytes_issued >= n->bytes_total) ||
        !tio_zbd_new_pass(w, n->bytes_issued))
        return false;
    w->zbd.zone_bytes = 0;
    for (size_t fi = 0; fi < w->nf; fi++) {
        struct file_gen *g = &n->gen[fi];
        w->zbd.a[fi].skip_at = w->zbd.a[fi].start;
        memset(g->seq, 0, sizeof(g->seq));
        memset(g->last_start, 0, sizeof(g->last_start));
        if (n->random && !w->job->pattern.norandommap)
            for (unsigned d = 0; d <= n->map_of[1]; d++)
                tio_rmap_reset(&g->maps[d]);
        tio_phase_invalidate(w, fi);
    }
    n->ahead = false;
    n->mix_issues = 0;
    if (tio_reseeds(&w->job->pattern))
        tio_next_reseed(w);
    return true;
}

int tio_next_zbd_place(struct worker *w, struct file_gen *g, size_t fi, uint32_t d,
                       uint64_t *pos, uint64_t *bs)
{
    struct tio_next *n = &w->next;
    uint64_t start = w->t->regions[fi].start, off = start + *pos, from = off;
    unsigned di = d != TIO_READ;
    bool zoneskip = w->job->zones.skip && !n->random;
    if (d == TIO_WRITE && !n->random) {
        /* the bytes skipped count in the budget: the job's IO ends at the
         * region's end, as fio's sequential IO does, with fewer bytes
         * (under zoneskip it goes round the file: the budget is its IO's) */
        uint64_t skipped;
        off = tio_zbd_skip(w, fi, off, &skipped);
        n->bytes_issued += zoneskip ? 0 : skipped;
        if (skipped && !zoneskip && n->bytes_total && n->bytes_issued >= n->bytes_total) {
            if (w->features & TIO_WF_IOS_LIMIT)
                n->ios_issued--;
            return 0;
        }
    }
    if (unlikely(zoneskip))
        off = tio_zbd_zone_skip(w, fi, d, from, off);
    if (unlikely(w->zbd.over) || !tio_zbd_adjust_io(w, fi, d, &off, bs)) {
        if (w->features & TIO_WF_IOS_LIMIT)
            n->ios_issued--;
        if (!w->zbd.over && !w->stop && zbd_new_pass(w))
            return TIO_NEXT_AGAIN;
        w->zbd.over = true;
        if (n->bytes_issued)
            n->bytes_total = n->bytes_issued;
        return 0;
    }
    w->zbd.zone_bytes += *bs;
    *pos = off - start; /* modulo 2^64: start + *pos is the offset */
    g->seq[di] = *pos + *bs + (n->random ? 0 : w->job->pattern.rw_modifier);
    g->last_start[di] = *pos;
    return 1;
}
