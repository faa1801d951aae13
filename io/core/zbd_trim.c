/* Trims under zonemode=zbd, as fio 3.33's zbd_do_io_u_trim: a trim of a
 * sequential zone is a reset of the zone's write pointer, not a trim of
 * its blocks. On a zoned device that is the device's zone reset; on
 * emulated zones (a regular file, a block device without zones) it is
 * the write pointer in memory alone: nothing reaches the file, as fio
 * punches no hole there. A trim of a conventional zone (a zoned device's)
 * goes to the engine as any trim.
 *
 * It sits in front of the job's engine: a trim job's worker queues its
 * IO through a copy of the engine's table whose queue completes such
 * trims at once (TIO_COMPLETED, as fio's engines report them), and
 * passes everything else on. Jobs that do not trim keep the engine's own
 * table: nothing here costs them anything. */
#include "worker.h"
#include "zbd.h"

#include <errno.h>
#include <inttypes.h>

static inline struct tio_zbd_shim *shim_of(void *engine)
{
    return engine;
}

/* The zone reset standing for a trim of a sequential zone; false: the
 * zone has no write pointer, the engine trims it. */
static bool trim_zone(struct worker *w, tio_io *io)
{
    struct tio_zbd_area *a = &w->zbd.a[tio_units_meta(w, io)->file];
    struct tio_zbd_file *f = a->f;
    uint64_t i = io->offset / f->zone_size;
    struct tio_zbd_zone *z = &f->z[i < f->nr ? i : f->nr];
    if (!z->has_wp)
        return false;
    if (io->offset != z->start) {
        tio_worker_fail(w, EINVAL,
                        "%s: a trim at offset %" PRIu64 " is not at its zone's start "
                        "(zonemode=zbd resets whole zones: align offset to zonesize)",
                        f->name ? f->name : "the job", io->offset);
        io->result = -EINVAL;
        return true;
    }
    pthread_mutex_lock(&f->mu);
    int rc = tio__zbd_reset_wp(w, a, z);
    pthread_mutex_unlock(&f->mu);
    io->result = rc < 0 ? rc : (int64_t)io->len;
    return true;
}

static int shim_queue(void *engine, tio_io *io)
{
    struct tio_zbd_shim *s = shim_of(engine);
    if (io->ddir == TIO_TRIM && trim_zone(s->w, io))
        return TIO_COMPLETED;
    return s->ops->queue(s->ed, io);
}

static int shim_open_file(void *engine, tio_file *file)
{
    struct tio_zbd_shim *s = shim_of(engine);
    return s->ops->open_file(s->ed, file);
}

static int shim_close_file(void *engine, tio_file *file)
{
    struct tio_zbd_shim *s = shim_of(engine);
    return s->ops->close_file(s->ed, file);
}

static int shim_setup(void *engine, const tio_setup *setup)
{
    struct tio_zbd_shim *s = shim_of(engine);
    return s->ops->setup(s->ed, setup);
}

static int shim_commit(void *engine)
{
    struct tio_zbd_shim *s = shim_of(engine);
    return s->ops->commit(s->ed);
}

static int shim_getevents(void *engine, unsigned min, unsigned max, tio_io **events,
                          int64_t timeout_ns)
{
    struct tio_zbd_shim *s = shim_of(engine);
    return s->ops->getevents(s->ed, min, max, events, timeout_ns);
}

static void shim_teardown(void *engine)
{
    struct tio_zbd_shim *s = shim_of(engine);
    s->ops->teardown(s->ed);
}

void tio__zbd_trim_setup(struct worker *w)
{
    struct tio_zbd_shim *s = &w->zbd.shim;
    const tio_engine *ops = w->ops;
    s->w = w;
    s->ops = ops;
    s->ed = w->ed;
    s->table = *ops;
    s->table.queue = shim_queue;
    s->table.open_file = ops->open_file ? shim_open_file : NULL;
    s->table.close_file = ops->close_file ? shim_close_file : NULL;
    s->table.setup = ops->setup ? shim_setup : NULL;
    s->table.commit = ops->commit ? shim_commit : NULL;
    s->table.getevents = ops->getevents ? shim_getevents : NULL;
    s->table.teardown = ops->teardown ? shim_teardown : NULL;
    w->ops = &s->table;
    w->ed = s;
}
