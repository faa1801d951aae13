/* serialize_overlap: no IO goes out while an IO it overlaps is in flight.
 *
 * Inline, as fio: only a job that writes or trims (or replays a log) at a
 * depth above 1 has anything to serialize, and only against its own IOs in
 * flight; the loop holds the IO back until completions come.
 *
 * Offload, as fio's check_overlap: the IOs of every offload job with
 * serialize_overlap are checked against each other, by offset and length
 * alone (fio compares no file), so jobs that work at the same offsets take
 * turns even on different files. An IO is marked as the job's thread
 * hands it to the pool; the submitting thread that takes it waits until
 * no IO handed before it and overlapping it is still marked, and the mark
 * goes when it completes. So overlapping IOs also keep the order they
 * were made in (fio's workers can swap two, and verify then sees the
 * older write). fio retries in a loop under its lock; a condition
 * variable waits the same without spinning. Deadlock-free: an IO waits
 * only for older ones, and a job has as many submitting threads as
 * units, so the oldest IO of all always has a thread free to take it. */
#include "offload.h"

#include <inttypes.h>
#include <stdlib.h>

#include "debug.h"

bool tio_overlap_wanted(const struct worker *w)
{
    const struct tio_job *job = w->job;
    if (!job->queue.serialize_overlap)
        return false;
    if (job->queue.offload)
        return true;
    bool changes = tio_rw_writes(job->pattern.rw) || tio_rw_trims(job->pattern.rw);
    /* a synchronous engine never has two IOs in flight */
    return !(w->features & TIO_WF_SYNC_ENGINE) &&
           (w->replay || (changes && job->queue.iodepth > 1));
}

static bool listed(tio_io *const *list, unsigned n, const tio_io *io)
{
    for (unsigned i = 0; i < n; i++)
        if (list[i] == io)
            return true;
    return false;
}

static bool clash(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
    return a0 < b1 && b0 < a1;
}

/* --debug=io: fio's line for an IO held back. */
static void debug_clash(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
    tio_debug_printf(TIO_DEBUG_IO,
                     "in-flight overlap: %" PRIu64 "/%" PRIu64 ", %" PRIu64 "/%" PRIu64 "\n",
                     a0, a1 - a0, b0, b1 - b0);
}

/* In flight inline: a unit neither free nor waiting to be sent again. */
bool tio_overlap_inline(struct worker *w, const tio_io *io)
{
    const struct tio_loop *l = &w->loop;
    if (!l->inflight)
        return false;
    uint64_t a = io->offset, b = io->offset + io->len;
    for (unsigned i = 0; i < tio_units_count(w); i++) {
        const tio_io *u = tio_units_io(w, i);
        if (u != io && clash(a, b, u->offset, u->offset + u->len) &&
            !listed(l->free_ios, l->n_free, u) && !listed(l->retry, l->n_retry, u)) {
            debug_clash(a, b, u->offset, u->offset + u->len);
            return true;
        }
    }
    return false;
}

/* ---- Offload: every job's IOs in flight ----------------------------------- */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cleared = PTHREAD_COND_INITIALIZER;
static struct tio_offload *jobs; /* offload jobs with serialize_overlap */

int tio_overlap_join(struct tio_offload *o, unsigned n)
{
    o->ov = calloc(n, sizeof(*o->ov));
    if (!o->ov)
        return -1;
    pthread_mutex_lock(&lock);
    o->ov_next = jobs;
    jobs = o;
    pthread_mutex_unlock(&lock);
    return 0;
}

void tio_overlap_leave(struct tio_offload *o)
{
    if (!o->ov)
        return;
    pthread_mutex_lock(&lock);
    for (struct tio_offload **p = &jobs; *p; p = &(*p)->ov_next)
        if (*p == o) {
            *p = o->ov_next;
            break;
        }
    pthread_mutex_unlock(&lock);
    free(o->ov);
    o->ov = NULL;
}

static uint64_t handed; /* under lock: IOs handed so far, all jobs */

void tio_overlap_hand(struct tio_offload *o, const tio_io *io)
{
    pthread_mutex_lock(&lock);
    o->ov[io->index] = (struct tio_ov_range){io->offset, io->offset + io->len, ++handed, true};
    pthread_mutex_unlock(&lock);
}

/* Whether an IO handed before the one numbered seq overlaps [a, b) and
 * has not completed: it goes first, so IOs to the same blocks reach the
 * device in the order they were made (verify checks the last write). */
static bool busy(uint64_t a, uint64_t b, uint64_t seq)
{
    for (const struct tio_offload *o = jobs; o; o = o->ov_next)
        for (unsigned i = 0; i < o->n_units; i++) {
            const struct tio_ov_range *r = &o->ov[i];
            if (r->on && r->seq < seq && clash(a, b, r->start, r->end)) {
                debug_clash(a, b, r->start, r->end);
                return true;
            }
        }
    return false;
}

void tio_overlap_enter(struct tio_offload *o, const tio_io *io)
{
    pthread_mutex_lock(&lock);
    const struct tio_ov_range *me = &o->ov[io->index];
    while (busy(me->start, me->end, me->seq))
        pthread_cond_wait(&cleared, &lock);
    pthread_mutex_unlock(&lock);
}

void tio_overlap_done(struct tio_offload *o, const tio_io *io)
{
    pthread_mutex_lock(&lock);
    o->ov[io->index].on = false;
    pthread_cond_broadcast(&cleared);
    pthread_mutex_unlock(&lock);
}
