/* zonemode=zbd on the IO path, as fio 3.33's zbd_adjust_block: each IO of
 * a job under zbd, its offset and length chosen as without zones, is
 * moved into the zones here (behind TIO_WF_ZBD: nothing for other jobs).
 *
 * A write goes to its zone's write pointer, which moves on as the write
 * is issued. A zone that cannot take the write (full, or not open within
 * max_open_zones / job_max_open_zones) gives way to another one, opened
 * for it; a full zone written again is reset first, as is one that
 * zone_reset_frequency picks once zone_reset_threshold of the region holds
 * data. A zone filled by a write is closed as the write completes. A read
 * stays below the write pointer (unless read_beyond_wp): in its zone when
 * that holds data, else in the next zone that does (random reads: the
 * nearest, either way); a sequential read job with no data left ends. A
 * random trim goes to a zone with data (its reset is zbd_trim.c's). With
 * verify, a full zone is never written again. Sequential IO under zoneskip
 * moves on to the next zone to do (tio_zbd_zone_skip). */
#include "worker.h"
#include "zbd.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

static inline struct tio_zbd_zone *zone_at(const struct tio_zbd_file *f, uint64_t off)
{
    uint64_t i = off / f->zone_size;
    return &f->z[i < f->nr ? i : f->nr];
}

static inline uint64_t cap_end(const struct tio_zbd_zone *z)
{
    return z->start + z->capacity;
}

static inline bool zone_full(const struct tio_zbd_zone *z, uint64_t need)
{
    return z->has_wp && z->wp + need > cap_end(z);
}

static inline bool in_area(const struct tio_zbd_area *a, uint64_t off)
{
    return off - a->start < a->len;
}

void tio__zbd_close(struct tio_zbd_file *f, struct tio_zbd_zone *z)
{
    if (!z->open)
        return;
    uint32_t idx = (uint32_t)(z - f->z), i = 0;
    while (i < f->n_open && f->open[i] != idx)
        i++;
    if (i == f->n_open)
        return;
    /* the whole list moves down, as fio's (convert_to_open reads its
     * first slot even with no zone open) */
    memmove(&f->open[i], &f->open[i + 1], (f->max_open - i - 1) * sizeof(*f->open));
    f->open[f->max_open - 1] = 0;
    f->n_open--;
    if (z->opener)
        atomic_fetch_sub(z->opener, 1);
    z->opener = NULL;
    z->open = false;
}

/* fio's io_u_quiesce: this job's IO in flight completes (closing the
 * zones its writes fill), with f's lock let go meanwhile. */
static void quiesce(struct worker *w, struct tio_zbd_file *f)
{
    if (!tio_loop_inflight(w))
        return;
    pthread_mutex_unlock(&f->mu);
    tio_loop_quiesce(w);
    pthread_mutex_lock(&f->mu);
}

/* fio's zbd_open_zone: true if z is open for writes, or could be opened
 * within the limits. */
bool tio__zbd_open(struct worker *w, struct tio_zbd_file *f, struct tio_zbd_zone *z)
{
    if (z->cond == TIO_ZBD_COND_OFFLINE)
        return false;
    /* with verify, a full zone is not written again: its reset would lose
     * data the verify phase is to read */
    if (w->job->verify.method != TIO_VERIFY_NONE &&
        zone_full(z, w->job->pattern.min_bs[TIO_JOB_DDIR_WRITE]))
        return false;
    if (!f->max_open)
        return true; /* no limit: open zones are not tracked */
    if (z->open)
        return z->wp < cap_end(z); /* filled by writes already issued: a full zone */
    unsigned job_max = w->job->zones.job_max_open;
    if (job_max && atomic_load(&w->zbd.open) >= job_max)
        return false;
    if (f->n_open >= f->max_open)
        return false;
    f->open[f->n_open++] = (uint32_t)(z - f->z);
    atomic_fetch_add(&w->zbd.open, 1);
    z->opener = &w->zbd.open;
    z->open = true;
    return true;
}

/* fio's zbd_reset_zone: the zone's write pointer back to its start, on
 * the device too for a zoned device (with this job's IO in flight done
 * first, as fio quiesces). */
int tio__zbd_reset(struct worker *w, struct tio_zbd_area *a, struct tio_zbd_zone *z)
{
    quiesce(w, a->f);
    return tio__zbd_reset_wp(w, a, z);
}

int tio__zbd_reset_wp(struct worker *w, struct tio_zbd_area *a, struct tio_zbd_zone *z)
{
    struct tio_zbd_file *f = a->f;
    uint64_t data = z->wp - z->start;
    if (!data)
        return 0;
    if (f->model != TIO_ZBD_NONE) {
        int rc = tio__zbd_dev_reset(a->fd, z->start, z[1].start - z->start);
        if (rc < 0) {
            tio_worker_fail(w, -rc,
                            "%s: resetting the write pointer of the zone at %" PRIu64
                            " failed: %s",
                            f->name, z->start, strerror(-rc));
            return rc;
        }
    }
    f->wp_bytes -= data;
    f->data_bytes -= data;
    z->wp = z->start;
    w->js->dir[TIO_DDIR_WRITE].zone_resets++;
    return 0;
}

/* The open zone of fio's pick_random_zone_idx: the IO's place in the
 * region scaled to the open zones. */
static uint32_t pick_open(const struct tio_zbd_area *a, uint64_t off)
{
    return (uint32_t)((off - a->start) * a->f->n_open / a->len);
}

/* An open zone in the job's zones, from the one pick_open gives on; false
 * if none is. */
static bool open_candidate(const struct tio_zbd_area *a, uint64_t off, uint32_t *idx)
{
    const struct tio_zbd_file *f = a->f;
    uint32_t k = pick_open(a, off);
    for (uint32_t i = 0; i < f->n_open; i++, k++) {
        if (k >= f->n_open)
            k = 0;
        if (f->open[k] >= a->min && f->open[k] < a->max) {
            *idx = f->open[k];
            return true;
        }
    }
    return false;
}

/* Another zone opened, from the one after *zp on, wrapping in the
 * region; else an open zone with room. NULL if none (*zp: where the
 * search ended, as fio's next attempt starts there). */
static struct tio_zbd_zone *open_other(struct worker *w, struct tio_zbd_area *a,
                                       struct tio_zbd_zone **zp, uint64_t min_bs)
{
    struct tio_zbd_file *f = a->f;
    struct tio_zbd_zone *z = *zp;
    for (uint64_t i = a->len / f->zone_size; i > 0; i--) {
        z++;
        if (!in_area(a, z->start))
            z = &f->z[a->min];
        if (z->has_wp && !z->open && tio__zbd_open(w, f, z))
            return z;
    }
    for (uint32_t i = 0; i < f->n_open; i++) {
        if (f->open[i] < a->min || f->open[i] >= a->max)
            continue;
        z = &f->z[f->open[i]];
        if (z->wp + min_bs <= cap_end(z))
            return z;
    }
    *zp = z;
    return NULL;
}

/* All of z's zone's candidates are taken: at a limit of open zones, the
 * writes in flight complete first (they may close zones); then another
 * zone, tried again once the IO in flight is done. */
static struct tio_zbd_zone *open_other_zone(struct worker *w, struct tio_zbd_area *a,
                                            struct tio_zbd_zone *z, uint64_t min_bs)
{
    struct tio_zbd_file *f = a->f;
    unsigned job_max = w->job->zones.job_max_open;
    if (f->n_open == a->max - a->min || (f->max_open && f->n_open == f->max_open) ||
        (job_max && atomic_load(&w->zbd.open) == job_max))
        quiesce(w, f);
    for (bool retry = true;;) {
        struct tio_zbd_zone *o = open_other(w, a, &z, min_bs);
        if (o)
            return o;
        bool in_flight = tio_loop_inflight(w) != 0;
        if (!in_flight && !retry)
            return NULL;
        quiesce(w, f);
        retry = in_flight;
    }
}

/* fio's zbd_convert_to_open_zone: the zone a write that cannot go to its
 * own goes to, or NULL. */
static struct tio_zbd_zone *convert_to_open(struct worker *w, struct tio_zbd_area *a,
                                            uint64_t off, uint64_t min_bs)
{
    struct tio_zbd_file *f = a->f;
    bool limited = f->max_open || w->job->zones.job_max_open;
    uint32_t idx = limited ? f->open[f->n_open ? pick_open(a, off) : 0]
                           : (uint32_t)(zone_at(f, off) - f->z);
    if (idx < a->min)
        idx = a->min;
    else if (idx >= a->max)
        idx = a->max - 1;
    struct tio_zbd_zone *z;
    for (;;) {
        z = &f->z[idx];
        if (z->has_wp) {
            if (z->cond != TIO_ZBD_COND_OFFLINE && !limited)
                break;
            if (f->n_open == 0)
                return open_other_zone(w, a, z, min_bs);
        }
        uint32_t next;
        if (!open_candidate(a, off, &next))
            return NULL;
        if (next == idx)
            break;
        idx = next;
    }
    if (z->wp + min_bs <= cap_end(z))
        return z;
    return open_other_zone(w, a, z, min_bs);
}

/* fio's zbd_find_zone: a zone after zb (random IO: or before it, the
 * nearest first) with min_bytes of data; NULL if none. */
static struct tio_zbd_zone *find_data(const struct worker *w, const struct tio_zbd_area *a,
                                      struct tio_zbd_zone *zb, uint64_t min_bytes)
{
    struct tio_zbd_file *f = a->f;
    struct tio_zbd_zone *zf = &f->z[a->min], *zl = &f->z[a->max];
    bool random = w->zbd.random;
    struct tio_zbd_zone *z1 = zb + 1, *z2 = zb - 1;
    for (; z1 < zl || z2 >= zf; z1++, z2--) {
        if (z1 < zl && z1->cond != TIO_ZBD_COND_OFFLINE) {
            if (z1->start + min_bytes <= z1->wp)
                return z1;
        } else if (!random) {
            break;
        }
        if (random && z2 >= zf && z2->cond != TIO_ZBD_COND_OFFLINE &&
            z2->start + min_bytes <= z2->wp)
            return z2;
    }
    return NULL;
}

/* A read: below the write pointer of a zone with data. */
static bool place_read(struct worker *w, struct tio_zbd_area *a, struct tio_zbd_zone *zb,
                       uint64_t *off, uint64_t *len, uint64_t min_bs)
{
    struct tio_zbd_zone *orig = zb;
    uint64_t range = zb->cond != TIO_ZBD_COND_OFFLINE ? zb->wp - zb->start : 0;
    if (range < min_bs || (!w->zbd.random && *off + min_bs > zb->wp)) {
        zb = find_data(w, a, zb, min_bs);
        if (!zb)
            return false; /* no data left to read: the job's IO is over */
        range = zb->wp - zb->start;
        if (!w->zbd.random)
            *off = zb->start;
    }
    if (range <= *len)
        *off = zb->start;
    else if (w->zbd.random)
        *off = zb->start + ((*off - orig->start) % (range - *len)) / min_bs * min_bs;
    if (!zb->has_wp)
        return true;
    uint64_t room = zb->wp - *off, n = *len < room ? *len : room;
    n = n / min_bs * min_bs;
    if (n < *len)
        *len = n;
    return true;
}

/* A trim (a zone reset, zbd_trim.c): as drawn; a random one that finds
 * its zone empty goes to the start of the nearest zone with data, and
 * ends the job's IO when none has any. */
static bool place_trim(struct worker *w, struct tio_zbd_area *a, struct tio_zbd_zone *zb,
                       uint64_t *off)
{
    if (!w->zbd.random || zb->wp > zb->start)
        return true;
    zb = find_data(w, a, zb, 1);
    if (!zb)
        return false;
    *off = zb->start;
    return true;
}

/* A write: at the write pointer of an open zone with room (which moves
 * on as it is issued: tio_zbd_issued). */
static bool place_write(struct worker *w, struct tio_zbd_area *a, struct tio_zbd_zone *zb,
                        uint64_t *off, uint64_t *len, uint64_t min_bs)
{
    struct tio_zbd_file *f = a->f;
    const struct tio_job_zones *o = &w->job->zones;
    if (*len > f->zone_size) {
        tio_worker_fail(w, EINVAL,
                        "zonemode=zbd: a write of %" PRIu64 " bytes is larger than the zone "
                        "size of %" PRIu64 " bytes (lower bs)",
                        *len, f->zone_size);
        return false;
    }
    if (!tio__zbd_open(w, f, zb) && !(zb = convert_to_open(w, a, *off, min_bs)))
        return false; /* no zone can be opened: the job's IO is over */
    if (o->reset_frequency > 0 && (double)f->wp_bytes >= (double)a->len * o->reset_threshold) {
        if (f->write_cnt <= 1) {
            zb->reset_due = true;
            f->write_cnt = 1.0 / o->reset_frequency < (double)UINT32_MAX
                               ? (uint32_t)(1.0 / o->reset_frequency)
                               : UINT32_MAX;
        } else {
            f->write_cnt--;
        }
    }
    if (zb->reset_due || zone_full(zb, min_bs)) {
        zb->reset_due = false;
        if (tio__zbd_reset(w, a, zb) < 0)
            return false;
        if (zb->capacity < min_bs) {
            tio_worker_fail(w, EINVAL,
                            "zone capacity %" PRIu64 " is smaller than the smallest write "
                            "size %" PRIu64,
                            zb->capacity, min_bs);
            return false;
        }
    }
    *off = zb->wp;
    if (!in_area(a, *off)) {
        tio_worker_fail(w, EINVAL, "zonemode=zbd: write pointer %" PRIu64 " outside the region",
                        *off);
        return false;
    }
    uint64_t room = cap_end(zb) - *off, n = *len < room ? *len : room;
    n = n / min_bs * min_bs;
    if (n < min_bs) {
        tio_worker_fail(w, EIO,
                        "zonemode=zbd: the zone's remaining %" PRIu64 " bytes are fewer than "
                        "the smallest write size %" PRIu64,
                        room, min_bs);
        return false;
    }
    *len = n;
    return true;
}

void tio_zbd_issued(struct worker *w, uint64_t off, uint64_t len)
{
    struct tio_zbd_file *f = w->zbd.held;
    struct tio_zbd_zone *z = zone_at(f, off);
    uint64_t end = off + len < cap_end(z) ? off + len : cap_end(z);
    if (z->wp <= end) {
        f->wp_bytes += end - z->wp;
        f->data_bytes += end - z->wp;
    }
    z->wp = end;
    w->zbd.held = NULL;
    pthread_mutex_unlock(&f->mu);
}

/* A write to a conventional zone (a zoned device's) stays out of the
 * sequential zone after it. */
static void place_conventional(struct tio_zbd_zone *zb, uint64_t *off, uint64_t *len,
                               uint64_t min_bs)
{
    const struct tio_zbd_zone *next = zb + 1;
    if (!next->has_wp || *off + *len <= next->start)
        return;
    uint64_t n;
    if (*off + min_bs > next->start) {
        *off = zb->start + next->start - *off;
        n = *len < next->start - *off ? *len : next->start - *off;
    } else {
        n = next->start - *off;
    }
    *len = n / min_bs * min_bs;
}

bool tio_zbd_read_as_write(const struct worker *w, size_t fi)
{
    struct tio_zbd_file *f = w->zbd.a[fi].f;
    if (!tio_rw_reads(w->job->pattern.rw) || !tio_rw_writes(w->job->pattern.rw) ||
        w->job->zones.read_beyond_wp)
        return false;
    pthread_mutex_lock(&f->mu);
    bool empty = f->data_bytes == 0;
    pthread_mutex_unlock(&f->mu);
    return empty;
}

uint64_t tio_zbd_skip(const struct worker *w, size_t fi, uint64_t off, uint64_t *skipped)
{
    const struct tio_zbd_area *a = &w->zbd.a[fi];
    const struct tio_zbd_zone *z = zone_at(a->f, off);
    *skipped = 0;
    if (z->capacity < a->f->zone_size && off >= cap_end(z) && off < z[1].start) {
        *skipped = z[1].start - off;
        off = z[1].start;
        if (!in_area(a, off))
            off = a->start;
    }
    return off;
}

uint64_t tio_zbd_zone_skip(struct worker *w, size_t fi, uint32_t d, uint64_t from, uint64_t off)
{
    struct tio_zbd_area *a = &w->zbd.a[fi];
    struct tio_zbd_file *f = a->f;
    const struct tio_job_zones *o = &w->job->zones;
    pthread_mutex_lock(&f->mu);
    const struct tio_zbd_zone *z = zone_at(f, from);
    /* on once the zone's zonesize bytes are done, or (reads) its data */
    bool next = w->zbd.zone_bytes >= f->zone_size || z == &f->z[f->nr] || off >= z[1].start ||
                (d == TIO_READ && !o->read_beyond_wp && off >= z->wp);
    pthread_mutex_unlock(&f->mu);
    if (!next)
        return off;
    w->zbd.zone_bytes = 0;
    a->skip_at += f->zone_size + o->skip;
    if (a->skip_at >= f->size)
        a->skip_at = a->start; /* from the region's start again */
    return a->skip_at;
}

bool tio_zbd_adjust_io(struct worker *w, size_t fi, uint32_t d, uint64_t *off, uint64_t *len)
{
    struct tio_zbd_area *a = &w->zbd.a[fi];
    struct tio_zbd_file *f = a->f;
    unsigned di = d != TIO_READ;
    uint64_t min_bs = w->job->pattern.min_bs[di];
    struct tio_zbd_zone *zb = zone_at(f, *off);
    if (d == TIO_READ && w->job->zones.read_beyond_wp && zb->cond != TIO_ZBD_COND_OFFLINE)
        return true;
    pthread_mutex_lock(&f->mu);
    bool ok = true;
    if (!zb->has_wp) {
        if (d == TIO_WRITE)
            place_conventional(zb, off, len, min_bs);
    } else if (d == TIO_READ) {
        ok = place_read(w, a, zb, off, len, min_bs);
    } else if (d == TIO_TRIM) {
        ok = place_trim(w, a, zb, off);
    } else {
        ok = place_write(w, a, zb, off, len, min_bs);
    }
    /* as fio: an IO past the file's end ends the job's IO */
    ok = ok && *len && *off + *len <= f->size;
    if (ok && d == TIO_WRITE && zone_at(f, *off)->has_wp)
        w->zbd.held = f; /* until tio_zbd_issued, as fio holds the zone */
    else
        pthread_mutex_unlock(&f->mu);
    return ok;
}

bool tio_zbd_place_write(struct worker *w, size_t fi, uint64_t *off, uint64_t *len)
{
    if (!tio_zbd_adjust_io(w, fi, TIO_WRITE, off, len))
        return false;
    if (w->zbd.held)
        tio_zbd_issued(w, *off, *len);
    return true;
}

void tio_zbd_write_done(struct worker *w, const struct io_meta *m)
{
    struct tio_zbd_file *f = w->zbd.a[m->file].f;
    struct tio_zbd_zone *z = zone_at(f, m->offset);
    if (!z->has_wp)
        return;
    pthread_mutex_lock(&f->mu);
    if (m->offset + m->len >= cap_end(z))
        tio__zbd_close(f, z);
    pthread_mutex_unlock(&f->mu);
}
