/* verify_backlog: as fio, once the writes done since the last check reach
 * a multiple of verify_backlog, the next verify_backlog_batch IOs (all of
 * the backlog by default) read back the oldest blocks written and check
 * them, between the job's own IOs. A block checked here is not read again
 * by the verify phase at the end, which reads what is left. Only writes
 * that completed join the backlog, so no check races its own write; a
 * check that meets a newer write of its block is dropped (that write is
 * in the backlog in its turn). */
#include "worker.h"

#include <errno.h>
#include <stdlib.h>

int tio_vlog_backlog_setup(struct worker *w)
{
    struct tio_vlog_backlog *bl = &w->vlog.bl;
    bl->cap = 64;
    bl->ring = calloc(bl->cap, sizeof(*bl->ring));
    if (!bl->ring)
        return -ENOMEM;
    bl->on = true;
    return 0;
}

static uint64_t pos_of(const struct worker *w, const struct io_meta *m)
{
    return m->offset - w->t->regions[m->file].start;
}

static int grow(struct tio_vlog_backlog *bl)
{
    size_t cap = bl->cap * 2;
    struct tio_vlog_entry *ring = calloc(cap, sizeof(*ring));
    if (!ring)
        return -ENOMEM;
    for (size_t i = 0; i < bl->len; i++)
        ring[i] = bl->ring[(bl->head + i) % bl->cap];
    free(bl->ring);
    bl->ring = ring;
    bl->cap = cap;
    bl->head = 0;
    return 0;
}

void tio_vlog_backlog_push(struct worker *w, const struct io_meta *m)
{
    struct tio_vlog_backlog *bl = &w->vlog.bl;
    if (!m->verify_write)
        return;
    if (bl->len == bl->cap && grow(bl)) {
        tio_worker_fail(w, ENOMEM, "verify_backlog: no memory for the backlog of writes");
        return;
    }
    bl->ring[(bl->head + bl->len) % bl->cap] = (struct tio_vlog_entry){.file = m->file,
                                                                       .num = m->verify_write,
                                                                       .len = (uint32_t)m->len,
                                                                       .pos = pos_of(w, m)};
    bl->len++;
    if (!bl->batch_left && bl->len % w->job->verify.verify_backlog == 0) {
        bl->batch_left = w->job->verify.verify_backlog_batch;
        w->phase.backlog = true;
    }
}

bool tio_vlog_backlog_next(struct worker *w, tio_io *io, uint64_t now)
{
    struct tio_vlog_backlog *bl = &w->vlog.bl;
    while (bl->batch_left && bl->len) {
        struct tio_vlog_entry e = bl->ring[bl->head];
        bl->head = (bl->head + 1) % bl->cap;
        bl->len--;
        bool listed = w->vlog.list.on; /* fio reads back each write then */
        if (!listed && !tio_vlog_current(w, e.file, e.pos, e.num))
            continue; /* written again since: that write is checked instead */
        bl->batch_left--;
        /* checked now: the verify phase skips it */
        if (listed)
            tio_vlist_drop(&w->vlog.list, e.num);
        else
            tio_vlog_forget(w, e.file, e.pos, e.num);
        tio_vlog_read_at(w, io, e.file, e.pos, e.len, e.num);
        tio_units_meta(w, io)->verify_backlog = true;
        return true;
    }
    bl->batch_left = 0;
    w->phase.backlog = false;
    return tio_next_main(w, io, now);
}

bool tio_vlog_backlog_stale(const struct worker *w, const struct io_meta *m)
{
    if (w->vlog.ext)
        return tio_vext_overlaps(&w->vlog.ext[m->file], pos_of(w, m), m->len);
    return w->vlog.written[m->file][pos_of(w, m) / w->job->pattern.bs[TIO_DDIR_WRITE]] != 0;
}
