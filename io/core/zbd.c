/* zonemode=zbd, as fio 3.33 defines it: the zones of each file, and the
 * checks of a job's region against them as the job starts. A zoned block
 * device (host-managed or host-aware) gives its zones and write pointers
 * (zbd_dev.c); any other target (a regular file, a block device without
 * zones, an engine without files) gets emulated zones of zonesize bytes,
 * all sequential-write-required and empty as the run starts, their write
 * pointers kept in memory (fio's "none" model). zbd_io.c moves each IO to
 * its zone's write pointer.
 *
 * The zones of a file are shared by the run's jobs on it and last to the
 * run's end (tio_zbd_run_end), as fio's. */
#include "worker.h"
#include "zbd.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static struct tio_zbd_file *registry;

static void file_free(struct tio_zbd_file *f)
{
    pthread_mutex_destroy(&f->mu);
    free(f->name);
    free(f->z);
    free(f->open);
    free(f);
}

void tio_zbd_run_end(void)
{
    pthread_mutex_lock(&registry_mu);
    while (registry) {
        struct tio_zbd_file *f = registry;
        registry = f->next;
        file_free(f);
    }
    pthread_mutex_unlock(&registry_mu);
}

/* fio's init_zone_info: zones of zonesize bytes over the file, the last
 * one cut at its end, each zonecapacity bytes writable. */
static int emulate(struct worker *w, struct tio_zbd_file *f, const char *name)
{
    const struct tio_job_zones *o = &w->job->zones;
    uint64_t zs = o->size, cap = o->capacity ? o->capacity : o->size;
    if (!zs) {
        tio_worker_fail(w, EINVAL,
                        "%s: zonemode=zbd needs zonesize= on a target without zones (a "
                        "regular file or a block device that is not zoned), e.g. zonesize=64m",
                        name);
        return -EINVAL;
    }
    if (zs < 512) {
        tio_worker_fail(w, EINVAL,
                        "%s: zonesize=%" PRIu64 " is too small: zonemode=zbd needs zones of "
                        "at least 512 bytes",
                        name, zs);
        return -EINVAL;
    }
    if (f->size < zs) {
        tio_worker_fail(w, EINVAL,
                        "%s: the file's size, %" PRIu64 " bytes, is smaller than "
                        "zonesize=%" PRIu64 " (lower zonesize, or make the file larger)",
                        name, f->size, zs);
        return -EINVAL;
    }
    f->zone_size = zs;
    f->nr = (uint32_t)((f->size + zs - 1) / zs);
    f->z = calloc((size_t)f->nr + 1, sizeof(*f->z));
    if (!f->z) {
        tio_worker_fail(w, ENOMEM, "no memory for %u zones", f->nr);
        return -ENOMEM;
    }
    for (uint32_t i = 0; i <= f->nr; i++) {
        struct tio_zbd_zone *z = &f->z[i];
        z->start = z->wp = (uint64_t)i * zs;
        z->capacity = cap;
        z->type = TIO_ZBD_TYPE_SWR;
        z->cond = TIO_ZBD_COND_EMPTY;
        z->has_wp = i < f->nr;
    }
    return 0;
}

/* fio's zbd_set_max_open_zones: the job's limit, within a host-managed
 * device's own unless ignore_zone_limits. */
static int set_max_open(struct worker *w, struct tio_zbd_file *f, int fd, const char *name)
{
    const struct tio_job_zones *o = &w->job->zones;
    f->max_open = o->max_open;
    if (f->model == TIO_ZBD_HOST_MANAGED && !o->ignore_limits) {
        uint32_t dev = 0;
        char why[200];
        if (tio__zbd_dev_max_open(fd, &dev, why, sizeof(why)) < 0) {
            tio_worker_fail(w, EINVAL, "%s: %s", name, why);
            return -EINVAL;
        }
        if (dev && !o->max_open)
            f->max_open = dev;
        else if (dev && o->max_open > dev) {
            tio_worker_fail(w, EINVAL,
                            "%s: max_open_zones=%u is larger than the device's limit of %u "
                            "(lower it, or set ignore_zone_limits=1)",
                            name, o->max_open, dev);
            return -EINVAL;
        }
    }
    if (f->max_open > TIO_ZBD_MAX_OPEN) {
        tio_worker_fail(w, EINVAL, "%s: max_open_zones=%u is larger than %u", name, f->max_open,
                        TIO_ZBD_MAX_OPEN);
        return -EINVAL;
    }
    f->open = calloc(f->max_open ? f->max_open : 1, sizeof(*f->open));
    return f->open ? 0 : -ENOMEM;
}

/* A new file's zones: the device's, or emulated ones. */
static struct tio_zbd_file *create(struct worker *w, const char *name, int fd,
                                   enum tio_zbd_model model, uint64_t size)
{
    struct tio_zbd_file *f = calloc(1, sizeof(*f));
    if (!f || (name && !(f->name = strdup(name)))) {
        free(f);
        tio_worker_fail(w, ENOMEM, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&f->mu, NULL);
    f->model = model;
    f->size = size;
    int rc;
    if (model == TIO_ZBD_NONE) {
        rc = emulate(w, f, name ? name : "the job");
    } else {
        char why[256];
        rc = tio__zbd_dev_zones(fd, f, why, sizeof(why));
        if (rc < 0)
            tio_worker_fail(w, -rc, "%s: %s", name, why);
        else if (w->job->zones.size && w->job->zones.size != f->zone_size) {
            tio_worker_fail(w, EINVAL,
                            "%s: zonesize=%" PRIu64 " does not match the device's zone size "
                            "of %" PRIu64 " bytes (drop zonesize, or give the device's)",
                            name, w->job->zones.size, f->zone_size);
            rc = -EINVAL;
        }
    }
    if (rc == 0)
        rc = set_max_open(w, f, fd, name);
    if (rc < 0) {
        file_free(f);
        return NULL;
    }
    return f;
}

/* The zones of file name, made by the first job that uses it. */
static struct tio_zbd_file *lookup(struct worker *w, const char *name, int fd,
                                   enum tio_zbd_model model, uint64_t size)
{
    pthread_mutex_lock(&registry_mu);
    struct tio_zbd_file *f = registry;
    while (f && !(name && f->name && strcmp(f->name, name) == 0))
        f = f->next;
    if (!f && (f = create(w, name, fd, model, size)) != NULL) {
        f->next = registry;
        registry = f;
    }
    pthread_mutex_unlock(&registry_mu);
    return f;
}

/* What fio checks of a job against zones another job made: the zone size
 * and the open-zone limit are the file's. */
static int check_shared(struct worker *w, const struct tio_zbd_file *f, const char *name)
{
    const struct tio_job_zones *o = &w->job->zones;
    if (o->size && o->size != f->zone_size) {
        tio_worker_fail(w, EINVAL,
                        "%s: zonesize=%" PRIu64 " does not match the zone size of %" PRIu64
                        " bytes %s (give every job on it the same zonesize)",
                        name, o->size, f->zone_size,
                        f->model == TIO_ZBD_NONE ? "another job gave this file"
                                                 : "of the device");
        return -EINVAL;
    }
    if (o->max_open && o->max_open != f->max_open) {
        tio_worker_fail(w, EINVAL,
                        "%s: max_open_zones=%u differs from the %u another job (or the device) "
                        "set for this file (give every job on it the same max_open_zones)",
                        name, o->max_open, f->max_open);
        return -EINVAL;
    }
    if (o->job_max_open && !f->max_open) {
        tio_worker_fail(w, EINVAL,
                        "job_max_open_zones=%u needs a limit of open zones for the file: set "
                        "max_open_zones too (fio tracks open zones only under one)",
                        o->job_max_open);
        return -EINVAL;
    }
    return 0;
}

static uint32_t zone_of(const struct tio_zbd_file *f, uint64_t off)
{
    uint64_t i = off / f->zone_size;
    return i < f->nr ? (uint32_t)i : f->nr;
}

/* fio's zbd_zone_align_file_sizes: a job other than a sequential read
 * starts at a zone's start and ends at one, its region rounded inwards,
 * each change told. */
static int align_region(struct worker *w, struct tio_region *r, const struct tio_zbd_file *f,
                        const char *name)
{
    if (r->start >= f->size || w->job->pattern.rw == TIO_RW_READ)
        return 0;
    const struct tio_zbd_zone *z = &f->z[zone_of(f, r->start)];
    if (r->start != z->start) {
        uint64_t next = z[1].start;
        if (next >= r->start + r->len)
            goto small;
        fprintf(stderr, "tenon-io: %s: rounded up offset from %" PRIu64 " to %" PRIu64 "\n",
                name, r->start, next);
        r->len -= next - r->start;
        r->start = next;
    }
    uint64_t end = f->z[zone_of(f, r->start + r->len)].start;
    if (r->start + r->len != end) {
        if (end <= r->start)
            goto small;
        fprintf(stderr, "tenon-io: %s: rounded down io_size from %" PRIu64 " to %" PRIu64 "\n",
                name, r->len, end - r->start);
        r->len = end - r->start;
    }
    return 0;
small:
    tio_worker_fail(w, EINVAL,
                    "%s: the job's region (offset %" PRIu64 ", %" PRIu64 " bytes) holds no "
                    "whole zone of %" PRIu64 " bytes: zonemode=zbd needs at least one (raise "
                    "size, or put offset on a zone's start)",
                    name, r->start, r->len, f->zone_size);
    return -EINVAL;
}

/* fio's checks of sizes against the file's zone size (zbd_verify_sizes,
 * zbd_verify_bs): zoneskip whole zones, a trim one whole zone, and with
 * verify every block size a divisor of it (no write crosses a zone). */
static int check_sizes(struct worker *w, const struct tio_zbd_file *f, const char *name)
{
    const struct tio_job *job = w->job;
    uint64_t zs = f->zone_size;
    if (job->zones.skip % zs) {
        tio_worker_fail(w, EINVAL,
                        "%s: zoneskip=%" PRIu64
                        " is not a multiple of the zone size of %" PRIu64
                        " bytes (give whole zones, e.g. zoneskip=1z)",
                        name, job->zones.skip, zs);
        return -EINVAL;
    }
    if (tio_rw_trims(job->pattern.rw) && job->pattern.bs[TIO_JOB_DDIR_TRIM] != zs) {
        tio_worker_fail(w, EINVAL,
                        "%s: the trim block size %" PRIu64 " is not the zone size of %" PRIu64
                        " bytes (zonemode=zbd trims whole zones: give bs= the zone size)",
                        name, job->pattern.bs[TIO_JOB_DDIR_TRIM], zs);
        return -EINVAL;
    }
    for (int d = 0; job->verify.method != TIO_VERIFY_NONE && d < TIO_JOB_DDIR_COUNT; d++)
        if (zs % job->pattern.bs[d]) {
            tio_worker_fail(w, EINVAL,
                            "%s: the block size %" PRIu64 " is not a divisor of the zone "
                            "size of %" PRIu64 " bytes, which verify with zonemode=zbd needs",
                            name, job->pattern.bs[d], zs);
            return -EINVAL;
        }
    return 0;
}

/* zoneskip, sequential IO: the zones it moves to stay in the region until
 * they pass the file's end (fio's then start over at the region's start);
 * one past the region's end but in the file is refused, as fio 3.33 goes
 * there outside the job's zones (or aborts). */
static int check_skip(struct worker *w, const struct tio_zbd_area *a, const char *name)
{
    uint64_t step = a->f->zone_size + w->job->zones.skip;
    if (!w->job->zones.skip || w->zbd.random)
        return 0;
    uint64_t past = a->start + (a->len + step - 1) / step * step;
    if (past >= a->f->size)
        return 0;
    tio_worker_fail(w, EINVAL,
                    "%s: zoneskip=%" PRIu64 " moves the IO to offset %" PRIu64 ", past the "
                    "job's region (it ends at %" PRIu64 ") but before the file's end, where "
                    "fio 3.33 leaves the job's zones; let the region reach the file's end "
                    "(size=, offset=) or change zoneskip",
                    name, w->job->zones.skip, past, a->start + a->len);
    return -EINVAL;
}

/* What the target is: its zoned model, and an fd for a zoned device's
 * zone ioctls (-1 otherwise). */
static int target_model(struct worker *w, size_t i, int *fd, enum tio_zbd_model *model)
{
    const char *name = w->t->names[i];
    struct stat st;
    *fd = -1;
    *model = TIO_ZBD_NONE;
    if (stat(name, &st) < 0 || S_ISREG(st.st_mode) || S_ISCHR(st.st_mode))
        return 0;
    if (S_ISFIFO(st.st_mode)) {
        tio_worker_fail(w, EINVAL, "%s: zonemode=zbd does not work on a pipe", name);
        return -EINVAL;
    }
    if (!S_ISBLK(st.st_mode))
        return 0;
    *fd = open(name, (tio_rw_writes(w->job->pattern.rw) ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    char why[200];
    int rc = *fd < 0 ? -errno : tio__zbd_dev_model(*fd, model, why, sizeof(why));
    if (rc < 0) {
        tio_worker_fail(w, -rc, "%s: cannot learn its zoned model: %s", name,
                        *fd < 0 ? strerror(-rc) : why);
        return rc;
    }
    if (*model == TIO_ZBD_NONE) {
        close(*fd);
        *fd = -1;
    } else if (!w->job->queue.direct && *model == TIO_ZBD_HOST_MANAGED &&
               tio_rw_writes(w->job->pattern.rw)) {
        tio_worker_fail(w, EINVAL,
                        "%s: writes to a host-managed zoned device need direct=1 (fio "
                        "refuses buffered writes there too)",
                        name);
        return -EINVAL;
    }
    return 0;
}

/* fio's zbd_setup_files for zones a device reports open: kept open
 * within the limits, else reset. */
static int adopt_open_zones(struct worker *w, struct tio_zbd_area *a)
{
    struct tio_zbd_file *f = a->f;
    int rc = 0;
    pthread_mutex_lock(&f->mu);
    for (uint32_t i = a->min; i < a->max && rc == 0; i++) {
        struct tio_zbd_zone *z = &f->z[i];
        if (z->cond != TIO_ZBD_COND_IMP_OPEN && z->cond != TIO_ZBD_COND_EXP_OPEN)
            continue;
        if (!tio__zbd_open(w, f, z))
            rc = tio__zbd_reset(w, a, z);
    }
    pthread_mutex_unlock(&f->mu);
    return rc;
}

/* fio's zbd_file_reset as a pass starts: the bytes with data in the
 * job's zones counted anew, the periodic resets' count starts over. With
 * verify, the job's zones are closed and reset first (not as its verify
 * phase starts): no zone is reset while the pass writes, as that would
 * lose data the verify phase reads. */
static void file_reset(struct worker *w, struct tio_zbd_area *a)
{
    struct tio_zbd_file *f = a->f;
    if (!tio_rw_writes(w->job->pattern.rw))
        return;
    pthread_mutex_lock(&f->mu);
    for (uint32_t z = a->min; w->job->verify.method != TIO_VERIFY_NONE && z < a->max; z++) {
        if (!f->z[z].has_wp)
            continue;
        tio__zbd_close(f, &f->z[z]);
        if (tio__zbd_reset(w, a, &f->z[z]) < 0)
            break;
    }
    f->wp_bytes = f->data_bytes = 0;
    for (uint32_t z = a->min; z < a->max; z++) {
        uint64_t data = f->z[z].wp - f->z[z].start;
        f->data_bytes += data;
        f->wp_bytes += f->z[z].has_wp ? data : 0;
    }
    double freq = w->job->zones.reset_frequency;
    f->write_cnt = freq > 0 && 1.0 / freq < (double)UINT32_MAX ? (uint32_t)(1.0 / freq)
                                                               : UINT32_MAX;
    pthread_mutex_unlock(&f->mu);
}

static int setup_file(struct worker *w, size_t i)
{
    struct tio_zbd_area *a = &w->zbd.a[i];
    struct tio_region *r = &w->t->regions[i];
    bool no_files = w->t->engine.no_files;
    const char *name = no_files ? "the job" : w->t->names[i];
    enum tio_zbd_model model = TIO_ZBD_NONE;
    uint64_t size;
    if (no_files)
        size = w->job->files.filesize_max ? w->job->files.filesize_max : r->start + r->len;
    else if (target_model(w, i, &a->fd, &model) < 0)
        return -EINVAL;
    else
        size = w->t->sizes[i];
    a->f = lookup(w, no_files ? NULL : name, a->fd, model, size);
    if (!a->f || check_shared(w, a->f, name) < 0 || align_region(w, r, a->f, name) < 0 ||
        check_sizes(w, a->f, name) < 0)
        return -EINVAL;
    a->start = r->start;
    a->len = r->len;
    a->min = zone_of(a->f, r->start);
    a->max = zone_of(a->f, r->start + r->len);
    if (a->min >= a->max) {
        tio_worker_fail(w, EINVAL, "%s: the job's region holds no zone", name);
        return -EINVAL;
    }
    a->skip_at = a->start;
    if (check_skip(w, a, name) < 0)
        return -EINVAL;
    if (adopt_open_zones(w, a) < 0)
        return -EIO;
    file_reset(w, a);
    return 0;
}

void tio_zbd_verify_pass(struct worker *w)
{
    w->zbd.over = false;
    for (size_t i = 0; i < w->zbd.n; i++)
        file_reset(w, &w->zbd.a[i]);
}

bool tio_zbd_new_pass(struct worker *w, uint64_t issued)
{
    if (issued == w->zbd.pass_start)
        return false; /* the pass did no IO: the next would do none either */
    w->zbd.pass_start = issued;
    w->zbd.passes++;
    for (size_t i = 0; i < w->zbd.n; i++)
        file_reset(w, &w->zbd.a[i]);
    return true;
}

int tio_zbd_setup(struct worker *w)
{
    size_t n = w->nf ? w->nf : 1;
    w->zbd.a = calloc(n, sizeof(*w->zbd.a));
    if (!w->zbd.a)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        w->zbd.a[i].fd = -1;
    w->zbd.n = n;
    w->zbd.random = tio_rw_is_random(w->job->pattern.rw);
    atomic_init(&w->zbd.open, 0);
    for (size_t i = 0; i < n; i++)
        if (setup_file(w, i) < 0)
            return -EINVAL;
    if (tio_rw_trims(w->job->pattern.rw))
        tio__zbd_trim_setup(w);
    w->features |= TIO_WF_ZBD;
    return 0;
}

void tio_zbd_teardown(struct worker *w)
{
    for (size_t i = 0; w->zbd.a && i < w->zbd.n; i++) {
        struct tio_zbd_file *f = w->zbd.a[i].f;
        if (f) {
            /* the zones it opened stay open (as fio's), counted for no job */
            pthread_mutex_lock(&f->mu);
            for (uint32_t z = 0; z < f->nr; z++)
                if (f->z[z].opener == &w->zbd.open)
                    f->z[z].opener = NULL;
            pthread_mutex_unlock(&f->mu);
        }
        if (w->zbd.a[i].fd >= 0)
            close(w->zbd.a[i].fd);
    }
    free(w->zbd.a);
    w->zbd.a = NULL;
}
