/* A job thread's IO units and their buffers: one aligned area holding
 * every unit's buffer, filled once at setup (random as fio's default,
 * zero_buffers, buffer_pattern, or fio's compressible and dedupe data),
 * and what each write puts in its buffer when refill_buffers or
 * scramble_buffers ask for more. */
#include "worker.h"

#include "buffer_fill.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* 16 bytes: a malloc() chunk header, where fio's large buffered-IO buffers
 * start (glibc serves allocations from 128 KiB up with mmap). */
#define TIO_BUFFERED_SKEW 16
#define TIO_SKEW_MIN_BUFFER (128u << 10)

static void fill_content(struct worker *w, tio_io *io, uint64_t offset)
{
    (void)offset;
    tio_bufill_fill(w->units.content, io->buf, io->len);
}

int tio_units_setup(struct worker *w)
{
    const struct tio_job *job = w->job;
    struct tio_units *u = &w->units;
    /* offload: iodepth units in flight in the pool, whatever the engine */
    u->n = (w->features & TIO_WF_SYNC_ENGINE) && !job->queue.offload
               ? 1
               : (job->queue.iodepth ? job->queue.iodepth : 1);
    uint64_t max_bs = job->pattern.max_bs[0] > job->pattern.max_bs[1] ? job->pattern.max_bs[0]
                                                                      : job->pattern.max_bs[1];
    u->buf_size = (size_t)((max_bs + 4095) & ~(uint64_t)4095);
    size_t total = u->buf_size * u->n;
    /* Buffered IO copies between the page cache and these buffers. Into a
     * page-aligned buffer, on the same page offset as the page cache page,
     * the kernel's copy of a 1 MiB read takes about 4% longer (Intel,
     * ERMS/FSRM) than into one 16 bytes past a page, where fio's malloc()ed
     * buffers start (bench/copy_offset.c). Small copies go the other way:
     * 4 KiB reads into page-aligned buffers measured 3-6% faster than into
     * skewed ones, so only units of 128 KiB and more are skewed. O_DIRECT
     * needs the alignment. */
    size_t skew = job->queue.direct || u->buf_size < TIO_SKEW_MIN_BUFFER ? 0
                                                                         : TIO_BUFFERED_SKEW;
    /* mem= other than malloc: the buffers start where the mapping or
     * segment does, page-aligned, as fio's */
    if (job->placement.mem_type != TIO_MEM_MALLOC)
        skew = 0;
    if (tio_mem_area_alloc(w, total + skew ? total + skew : 4096, &u->area) != 0)
        return w->t->error ? -w->t->error : -ENOMEM;
    u->buffers = (char *)u->area + skew;
    u->ios = calloc(u->n, sizeof(*u->ios));
    u->meta = calloc(u->n, sizeof(*u->meta));
    char *engine_data = w->ops->io_data_size ? calloc(u->n, w->ops->io_data_size) : NULL;
    if (!u->ios || !u->meta || (w->ops->io_data_size && !engine_data)) {
        free(engine_data);
        return -ENOMEM;
    }
    /* Buffer contents: random once (fio's default), a pattern, or zeros;
     * a write job's random, compressible and dedupe data are fio's, each
     * unit filled as a write of the largest block. */
    uint8_t *b = u->buffers;
    if (tio_bufill_wanted(w)) {
        u->content = tio_bufill_new(w);
        if (!u->content)
            return -ENOMEM;
        /* as fio's init_io_u_buffers: each unit a write of the largest
         * block, in order; the padding to a page is never written */
        memset(b, 0, total);
        for (unsigned i = 0; i < u->n; i++)
            tio_bufill_fill(u->content, b + (size_t)i * u->buf_size, max_bs);
    } else if (job->buffers.buffer_pattern && job->buffers.buffer_pattern_len) {
        /* fio: the pattern wins over zero_buffers */
        for (size_t i = 0; i < total; i++)
            b[i] = job->buffers.buffer_pattern[i % job->buffers.buffer_pattern_len];
    } else if (job->buffers.zero_buffers) {
        memset(b, 0, total);
    } else {
        for (size_t i = 0; i + 8 <= total; i += 8) {
            uint64_t v = tio_rand_next(&w->rng);
            memcpy(b + i, &v, 8);
        }
    }
    for (unsigned i = 0; i < u->n; i++) {
        tio_io *io = &u->ios[i];
        io->index = i;
        io->ioprio = TIO_IOPRIO_THREAD;
        io->buf = b + (size_t)i * u->buf_size;
        io->engine_data = engine_data ? engine_data + (size_t)i * w->ops->io_data_size : NULL;
        u->meta[i].buf = io->buf;
        u->meta[i].ioprio = tio_prio_of_thread(job);
    }
    /* fio: compressible or dedupe data is drawn anew per write only under
     * refill_buffers (which they turn on unless it was written), and
     * never scrambled, whatever their values */
    u->fill = tio_units_refill;
    if (u->content && !tio_bufill_plain_wanted(w)) {
        u->fill = fill_content;
        if (job->buffers.refill_buffers)
            w->features |= TIO_WF_FILL;
    } else if (!(w->features & TIO_WF_VERIFY) && !job->buffers.zero_buffers &&
               !job->buffers.buffer_pattern &&
               (job->buffers.refill_buffers ||
                (job->buffers.scramble_buffers && !job->buffers.content_given))) {
        w->features |= TIO_WF_FILL;
    }
    return 0;
}

void tio_units_teardown(struct worker *w)
{
    struct tio_units *u = &w->units;
    if (u->ios && u->n)
        free(u->ios[0].engine_data);
    free(u->ios);
    free(u->meta);
    tio_mem_area_free(w, u->area);
    tio_bufill_free(u->content);
    *u = (struct tio_units){0};
}

void tio_units_describe(const struct worker *w, tio_setup *s)
{
    const struct tio_units *u = &w->units;
    s->iodepth = u->n;
    s->ios = u->ios;
    s->n_ios = u->n;
    s->ios_stride = sizeof(tio_io);
    s->buffers = u->buffers;
    s->buffers_len = u->buf_size * u->n;
    s->buffer_size = u->buf_size;
}

void tio_units_refill(struct worker *w, tio_io *io, uint64_t offset)
{
    if (w->job->buffers.refill_buffers && w->units.content) {
        tio_bufill_fill(w->units.content, io->buf, io->len); /* fio's seed per write */
    } else if (w->job->buffers.refill_buffers) {
        uint8_t *b = io->buf;
        for (uint64_t i = 0; i + 8 <= io->len; i += 8) {
            uint64_t v = tio_rand_next(&w->rng);
            memcpy(b + i, &v, 8);
        }
    } else if (io->len >= 8) {
        /* scramble_buffers: make every written block differ, so
         * deduplicating storage cannot shortcut the writes, at the cost of
         * one store. */
        memcpy(io->buf, &offset, 8);
    }
}
