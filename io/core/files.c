/* Path targets before the run, in two steps.
 *
 * tio_files_check looks only (stat, statvfs, a momentary exclusive open of
 * a block device) and applies every refusal: a device that holds a mounted
 * filesystem, a device write without allow_mounted_write=1, a region past
 * the end of a device, more new data than the filesystem has room for.
 *
 * tio_files_prepare then opens every target once, checks again what it
 * opened (fstat, the device size from the descriptor), creates and lays out
 * files with data when a job needs more than exists (as fio does, so reads
 * never hit holes), and keeps the descriptor for the thread. The thread
 * never opens the path again: a path swapped for a symlink to something else
 * after the checks changes nothing. Block devices a job writes are opened
 * with O_EXCL, which the kernel refuses with EBUSY while the device holds a
 * mounted filesystem or is claimed by md, dm or another program, and that
 * claim is held until the run ends, so nothing can mount it meanwhile.
 * URI targets are opened by their engine instead. */
#include "host.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define LAYOUT_CHUNK (1u << 20)

static bool job_writes(const struct tio_job *job)
{
    return job->rw != TIO_RW_READ && job->rw != TIO_RW_RANDREAD;
}

static bool job_reads(const struct tio_job *job)
{
    return job->rw != TIO_RW_WRITE && job->rw != TIO_RW_RANDWRITE;
}

/* fio's td_min_bs: the smallest block size of all three directions, done
 * or not. It aligns percentage offsets, rounds size=% and is the unit in
 * which the remainder of size= goes to the first files. */
static uint64_t smallest_bs(const struct tio_job *job)
{
    uint64_t m = 0;
    for (int d = 0; d < TIO_JOB_DDIR_COUNT; d++)
        if (job->bs[d] && (!m || job->bs[d] < m))
            m = job->bs[d];
    return m;
}

/* The largest block size of the directions the job does: a region holds
 * whole blocks of each (a write-only job with bs=4k,1k is cut to 1k). */
static uint64_t cut_bs(const struct tio_job *job)
{
    uint64_t r = job_reads(job) ? job->bs[TIO_JOB_DDIR_READ] : 0;
    uint64_t w = job_writes(job) ? job->bs[TIO_JOB_DDIR_WRITE] : 0;
    return r > w ? r : w;
}

static bool has_path_targets(const struct tio_host_job *t)
{
    return !t->engine.no_files && !t->engine.uri_targets;
}

/* What a path names, from stat (the check) or fstat (what was opened). */
struct target_state {
    bool exists;
    mode_t type;        /* S_IFMT bits */
    uint64_t size;      /* file or device size; 0 for other kinds */
    uint64_t allocated; /* bytes a regular file occupies on its filesystem */
};

/* What the job will do with one target. */
struct target_plan {
    struct tio_region region;
    uint64_t need;      /* the end the job reaches: offset + length */
    bool grow;          /* a regular file is created or extended to need */
    bool layout;        /* ...with data (reads and verify read what is there) */
    uint64_t new_space; /* most bytes the job can newly allocate on the filesystem */
};

static const char *kind_name(mode_t type)
{
    switch (type) {
    case S_IFDIR: return "a folder";
    case S_IFIFO: return "a FIFO";
    case S_IFSOCK: return "a socket";
    case S_IFCHR: return "a character device";
    case S_IFBLK: return "a block device";
    default: return "a regular file";
    }
}

/* 1.5 MiB, 12 GiB... for messages. */
static void human(uint64_t bytes, char *buf, size_t size)
{
    static const char *unit[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = (double)bytes;
    int u = 0;
    while (v >= 1024 && u < 6) {
        v /= 1024;
        u++;
    }
    snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

/* The size filesize= gives file i: fixed, or for a range a size in it
 * drawn per file, as fio does (its draws are its own: the same range gives
 * other sizes there), in whole smallest blocks. The same every call: the
 * check and the preparation agree. */
static uint64_t file_size_in_range(const struct tio_job *job, size_t i)
{
    uint64_t low = job->filesize_min, high = job->filesize_max;
    if (high <= low)
        return low;
    struct tio_rand r;
    tio_rand_seed(&r, job->randseed ^ ((uint64_t)job->clone << 32) ^ (uint64_t)i);
    uint64_t size = low + tio_rand_below(&r, high - low + 1);
    uint64_t bs = smallest_bs(job);
    if (bs && size - size % bs >= low)
        size -= size % bs;
    return size;
}

/* Every refusal that depends on what the target is and how big: the same
 * rules for the check (stat) and for what was opened (fstat). */
static int judge(const struct tio_host_job *t, size_t i, const struct target_state *s,
                 struct target_plan *p, struct tio_error *err)
{
    const struct tio_job *job = t->job;
    const char *path = t->names[i];
    memset(p, 0, sizeof(*p));
    if (s->exists && s->type == S_IFDIR) {
        tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                      "job %s: %s is a folder; use directory= for folders and filename= for files",
                      job->name, path);
        return -1;
    }
    if (s->exists && (s->type == S_IFIFO || s->type == S_IFSOCK)) {
        tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                      "job %s: %s is %s; tenon-io reads and writes at offsets and needs a regular "
                      "file or a device",
                      job->name, path, kind_name(s->type));
        return -1;
    }
    if (s->exists && s->type == S_IFBLK && job_writes(job) && !job->allow_mounted_write) {
        tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                      "job %s: refusing to write to block device %s: this destroys its contents; "
                      "add allow_mounted_write=1 to the job to do it anyway",
                      job->name, path);
        return -1;
    }
    bool regular = !s->exists || s->type == S_IFREG;
    uint64_t real = s->exists ? s->size : 0;
    uint64_t offset = tio_amount_bytes(&job->offset, real);
    uint64_t step = tio_amount_bytes(&job->offset_increment, real);
    if (step && job->clone > (UINT64_MAX - offset) / step) {
        tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                      "job %s: %s: offset + clone * offset_increment overflows",
                      job->name, path);
        return -1;
    }
    offset += job->clone * step;
    /* fio aligns a percentage start up to the smallest block size */
    uint64_t align = smallest_bs(job);
    if ((job->offset.percent || job->offset_increment.percent) && align && offset % align &&
        offset <= UINT64_MAX - align)
        offset += align - offset % align;
    /* per_file: the bytes of the file from offset the job covers, as fio's
     * io_size of the file; the file is (made) offset + per_file long. */
    uint64_t per_file;
    if (job->filesize_min && !(s->exists && real >= job->filesize_min &&
                               real <= job->filesize_max)) {
        /* filesize= is the file's size, the region starts inside it */
        if (offset > job->filesize_min) {
            char range[48] = "";
            if (job->filesize_max > job->filesize_min)
                snprintf(range, sizeof(range), "-%" PRIu64 " (its low end)",
                         job->filesize_max);
            tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                          "job %s: %s: offset %" PRIu64 " is past the end of the file, whose size "
                          "is filesize=%" PRIu64 "%s; set a valid offset= (and offset_increment=) "
                          "below filesize, or raise filesize",
                          job->name, path, offset, job->filesize_min, range);
            return -1;
        }
        per_file = file_size_in_range(job, i) - offset;
    } else if (job->filesize_min) {
        /* an existing file within the filesize range keeps its size */
        per_file = real - offset;
        if (offset > real) {
            tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                          "job %s: %s: offset %" PRIu64 " is past the end of the file (%" PRIu64
                          " bytes); set a valid offset= (and offset_increment=)",
                          job->name, path, offset, real);
            return -1;
        }
    } else {
        per_file = 0;
        if (job->size.set && !job->size.percent) {
            /* size= split over the files; its remainder goes to the first
             * files, one smallest block each, as fio */
            size_t n = t->n_files ? t->n_files : 1;
            per_file = job->size.bytes / n;
            if (align && i < (job->size.bytes - per_file * n) / align)
                per_file += align;
        }
        if (!per_file) {
            if (!s->exists && !job->size.set) {
                tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                              "job %s: file %s does not exist and the job has no size; set size= "
                              "(or filesize=) to have tenon-io create it",
                              job->name, path);
                return -1;
            }
            if (s->exists && !regular && s->type != S_IFBLK) {
                tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                              "job %s: %s is %s, whose size tenon-io cannot tell; set size=",
                              job->name, path, kind_name(s->type));
                return -1;
            }
            if (offset > real) {
                tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                              "job %s: %s: offset %" PRIu64 " is past the end of the file (%" PRIu64
                              " bytes); set a valid offset= (and offset_increment=), or size=",
                              job->name, path, offset, real);
                return -1;
            }
            per_file = real - offset;
        }
    }
    if (job->size.set && job->size.percent && job->size.percent != 100) {
        /* size=N%: N% of this file's own size, cut at its end, in whole
         * smallest blocks (fio) */
        uint64_t whole = per_file + offset;
        uint64_t part = whole / 100 * job->size.percent + whole % 100 * job->size.percent / 100;
        per_file = part < per_file ? part : per_file;
        if (align)
            per_file -= per_file % align;
    }
    /* The IO covers whole blocks of the directions the job does; the file
     * keeps the rest (fio lays it out to offset + its share). */
    uint64_t bs = cut_bs(job);
    uint64_t io_len = bs ? per_file - per_file % bs : per_file;
    if (io_len == 0) {
        tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                      "job %s: %s leaves no room for IO (size %" PRIu64 ", offset %" PRIu64
                      ", block size %" PRIu64 "); set a valid offset= or size=",
                      job->name, path, real, offset, bs);
        return -1;
    }
    if (offset > (uint64_t)INT64_MAX || per_file > (uint64_t)INT64_MAX - offset) {
        tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                      "job %s: %s: offset %" PRIu64 " + size %" PRIu64
                      " lies beyond the largest possible file; lower offset= or size=",
                      job->name, path, offset, per_file);
        return -1;
    }
    uint64_t need = offset + per_file;
    if (s->exists && s->type == S_IFBLK && need > real) {
        tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                      "job %s: %s is %" PRIu64 " bytes, the job reaches byte %" PRIu64
                      " (offset %" PRIu64 " + size %" PRIu64 "); lower size= or offset=",
                      job->name, path, real, need, offset, per_file);
        return -1;
    }
    p->region = (struct tio_region){offset, io_len};
    p->need = need;
    if (!regular)
        return 0;
    if (real < need && job->create_on_open) {
        /* Neither extended nor laid out: the job's own writes make the
         * file as long as they reach, as fio's create_on_open (the file is
         * created empty when the run opens its targets). */
    } else if (real < need) {
        if (!s->exists && !job->allow_file_create) {
            tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                          "job %s: %s does not exist and allow_file_create=0",
                          job->name, path);
            return -1;
        }
        p->grow = true;
        p->layout = job_reads(job) || job->overwrite || job->verify != TIO_VERIFY_NONE;
    }
    /* Laying out writes everything past the current end; writes can fill
     * the region's holes, which a file with fewer blocks than bytes has. */
    uint64_t layout_bytes = p->layout ? need - real : 0;
    uint64_t write_bytes = 0;
    if (job_writes(job)) {
        uint64_t covered = offset < real ? (need < real ? need : real) - offset : 0;
        bool dense = s->allocated >= real;
        write_bytes = dense ? per_file - covered : per_file;
        if (p->layout)
            write_bytes = offset < real && !dense ? (need < real ? need : real) - offset : 0;
    }
    p->new_space = layout_bytes + write_bytes;
    return 0;
}

/* Bytes this process may still allocate on the filesystem holding path:
 * root may use the blocks reserved for it. */
static uint64_t free_bytes(const struct statvfs *v)
{
    uint64_t blocks = geteuid() == 0 ? v->f_bfree : v->f_bavail;
    return blocks * (uint64_t)v->f_frsize;
}

static int refuse_space(const struct tio_job *job, const char *path, uint64_t want,
                        uint64_t avail, struct tio_error *err)
{
    char w[32], a[32];
    human(want, w, sizeof(w));
    human(avail, a, sizeof(a));
    tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                  "job %s: %s: not enough free space (%s): the jobs may write up to %s of new data "
                  "to the filesystem holding it, which has %s free; lower size= (or offset=), or "
                  "free space there",
                  job->name, path, strerror(ENOSPC), w, a);
    return -1;
}

/* The folder a new file would be created in. */
static void parent_of(const char *path, char *dir, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, size, ".");
    else if (slash == path)
        snprintf(dir, size, "/");
    else
        snprintf(dir, size, "%.*s", (int)(slash - path), path);
}

/* New data the run may write to one filesystem, summed over distinct names
 * (several threads sharing a file count it once, at its largest). */
struct space_use {
    const char *name;
    dev_t fs;
    uint64_t bytes;
    uint64_t avail;
};

static int add_space(struct space_use **uses, size_t *n, const char *name, dev_t fs,
                     uint64_t bytes, uint64_t avail)
{
    for (size_t k = 0; k < *n; k++)
        if (strcmp((*uses)[k].name, name) == 0) {
            if (bytes > (*uses)[k].bytes)
                (*uses)[k].bytes = bytes;
            return 0;
        }
    struct space_use *grown = realloc(*uses, (*n + 1) * sizeof(**uses));
    if (!grown)
        return -1;
    *uses = grown;
    grown[(*n)++] = (struct space_use){name, fs, bytes, avail};
    return 0;
}

static uint64_t space_on(const struct space_use *uses, size_t n, dev_t fs)
{
    uint64_t sum = 0;
    for (size_t k = 0; k < n; k++)
        if (uses[k].fs == fs)
            sum = sum + uses[k].bytes < sum ? UINT64_MAX : sum + uses[k].bytes;
    return sum;
}

/* A block device holding a mounted filesystem (or claimed by md, dm...)
 * refuses an exclusive open with EBUSY. */
static bool device_in_use(const char *path)
{
    int fd = open(path, O_RDONLY | O_EXCL | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return errno == EBUSY;
    close(fd);
    return false;
}

static int device_size(int fd, const char *path, uint64_t *size, struct tio_error *err)
{
    if (ioctl(fd, BLKGETSIZE64, size) != 0) {
        tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                      "%s: cannot read the device size: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static void state_from(const struct stat *st, struct target_state *s)
{
    s->exists = true;
    s->type = st->st_mode & S_IFMT;
    s->size = s->type == S_IFREG ? (uint64_t)st->st_size : 0;
    s->allocated = (uint64_t)st->st_blocks * 512;
}

/* The check of one target: stat, the device size, the mount state. */
static int check_path(const struct tio_host_job *t, size_t i, struct space_use **uses,
                      size_t *n_uses, struct tio_error *err)
{
    const struct tio_job *job = t->job;
    const char *path = t->names[i];
    struct stat st;
    struct target_state s = {0};
    if (stat(path, &st) == 0) {
        state_from(&st, &s);
    } else if (errno != ENOENT) {
        tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                      "job %s: %s: %s", job->name, path, strerror(errno));
        return -1;
    }
    if (s.exists && s.type == S_IFBLK) {
        if (job_writes(job) && device_in_use(path)) {
            tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                          "job %s: %s holds a mounted filesystem (or is in use by the kernel or "
                          "another program); tenon-io never writes to it",
                          job->name, path);
            return -1;
        }
        int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
            tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                          "job %s: %s: cannot open to read the device size: %s",
                          job->name, path, strerror(errno));
            return -1;
        }
        int rc = device_size(fd, path, &s.size, err);
        close(fd);
        if (rc < 0)
            return -1;
    }
    struct target_plan p;
    if (judge(t, i, &s, &p, err) < 0)
        return -1;
    if (!p.new_space)
        return 0;
    char dir[PATH_MAX];
    if (s.exists)
        snprintf(dir, sizeof(dir), "%s", path);
    else
        parent_of(path, dir, sizeof(dir));
    struct statvfs v;
    struct stat dst;
    if (statvfs(dir, &v) != 0 || stat(dir, &dst) != 0) {
        tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                      "job %s: %s: cannot create it in folder '%s': %s", job->name,
                      path, dir, strerror(errno));
        return -1;
    }
    if (add_space(uses, n_uses, path, s.exists ? st.st_dev : dst.st_dev, p.new_space,
                  free_bytes(&v)) < 0) {
        tio_error_set(err, TIO_ENOMEM, NULL, NULL, NULL, "out of memory");
        return -1;
    }
    struct space_use *u = &(*uses)[*n_uses - 1];
    for (size_t k = 0; k < *n_uses; k++)
        if (strcmp((*uses)[k].name, path) == 0)
            u = &(*uses)[k];
    uint64_t want = space_on(*uses, *n_uses, u->fs);
    if (want > u->avail)
        return refuse_space(job, path, want, u->avail, err);
    return 0;
}

int tio_files_check(struct tio_host *host, struct tio_error *err)
{
    struct space_use *uses = NULL;
    size_t n_uses = 0;
    int rc = 0;
    for (size_t k = 0; k < host->n_threads && rc == 0; k++) {
        struct tio_host_job *t = &host->threads[k];
        const struct tio_job *job = t->job;
        if (t->engine.no_files && !job->size.set) {
            tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                          "job %s: engine %s does no file IO and needs size=",
                          job->name, t->engine.label);
            rc = -1;
        } else if (t->engine.no_files && job->size.percent) {
            /* fio 3.33 refuses this too ("you need to specify size=") */
            tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                          "job %s: engine %s does no file IO, so size=%u%% has no "
                          "file to be a percentage of; give size= in bytes (such as size=1g)",
                          job->name, t->engine.label, job->size.percent);
            rc = -1;
        }
        for (size_t i = 0; rc == 0 && has_path_targets(t) && i < t->n_files; i++)
            rc = check_path(t, i, &uses, &n_uses, err);
    }
    free(uses);
    return rc;
}

/* ---- preparation ----------------------------------------------------------- */

/* Writes data from the file's current end up to want bytes. */
static int lay_out(int fd, const char *path, uint64_t have, uint64_t want, struct tio_error *err)
{
    char *chunk = malloc(LAYOUT_CHUNK);
    if (!chunk) {
        tio_error_set(err, TIO_ENOMEM, NULL, NULL, NULL, "out of memory");
        return -1;
    }
    struct tio_rand r;
    tio_rand_seed(&r, 0x7469);
    for (size_t i = 0; i + 8 <= LAYOUT_CHUNK; i += 8) {
        uint64_t v = tio_rand_next(&r);
        memcpy(chunk + i, &v, 8);
    }
    int rc = 0;
    for (uint64_t off = have; off < want;) {
        size_t n = want - off < LAYOUT_CHUNK ? (size_t)(want - off) : LAYOUT_CHUNK;
        ssize_t w = pwrite(fd, chunk, n, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                          "%s: cannot lay out the file to %" PRIu64 " bytes (stopped at %" PRIu64
                          "): %s",
                          path, want, off, w < 0 ? strerror(errno) : "short write");
            rc = -1;
            break;
        }
        off += (uint64_t)w;
    }
    if (rc == 0 && fsync(fd) != 0) {
        tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                      "%s: cannot flush the laid-out file: %s", path, strerror(errno));
        rc = -1;
    }
    free(chunk);
    return rc;
}

/* The flags the thread's descriptor needs beyond the access mode. */
static int job_flags(const struct tio_job *job, bool write)
{
    int flags = job->direct ? O_DIRECT : 0;
    if (write && job->sync == TIO_SYNC_SYNC)
        flags |= O_SYNC;
    else if (write && job->sync == TIO_SYNC_DSYNC)
        flags |= O_DSYNC;
    return flags;
}

static bool same_object(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
           (a->st_mode & S_IFMT) == (b->st_mode & S_IFMT) && a->st_rdev == b->st_rdev;
}

/* Whether an earlier target of this run holds the exclusive claim on the
 * block device rdev. */
static bool claimed_here(const struct tio_host *host, dev_t rdev)
{
    for (size_t k = 0; k < host->n_threads; k++) {
        const struct tio_host_job *t = &host->threads[k];
        for (size_t i = 0; t->targets && i < t->n_files; i++)
            if (t->targets[i].claim >= 0 && t->targets[i].type == S_IFBLK &&
                t->targets[i].rdev == rdev)
                return true;
    }
    return false;
}

static int refuse_busy(const struct tio_job *job, const char *path, struct tio_error *err)
{
    tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                  "job %s: %s holds a mounted filesystem (or is in use by the kernel or another "
                  "program); tenon-io never writes to it",
                  job->name, path);
    errno = EBUSY;
    return -1;
}

/* Opens path once: created when missing (and allowed), exclusively when the
 * job writes (only block devices honour O_EXCL without O_CREAT). Returns
 * the descriptor, its fstat in st, and whether this open took the device's
 * exclusive claim. */
static int open_once(struct tio_host *host, const struct tio_host_job *t, size_t i,
                     struct stat *st, bool *exclusive, struct tio_error *err)
{
    const struct tio_job *job = t->job;
    const char *path = t->names[i];
    bool write = job_writes(job);
    int base = (write ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
    int excl = write ? O_EXCL : 0;
    *exclusive = false;
    int fd = -1;
    /* A file created by another target of this run between the two opens
     * is simply opened the next time round. */
    for (int attempt = 0; attempt < 3; attempt++) {
        fd = open(path, base | excl);
        if (fd >= 0 || errno != ENOENT || !job->allow_file_create)
            break;
        fd = open(path, base | O_CREAT | O_EXCL, 0644);
        if (fd >= 0 || errno != EEXIST)
            break;
    }
    if (fd < 0 && errno == EBUSY && write) {
        /* Busy is fine when the claim is this run's own (a device several
         * threads write): the descriptor must then be that same device. */
        fd = open(path, base);
        if (fd < 0)
            return refuse_busy(job, path, err);
        if (fstat(fd, st) != 0 || !S_ISBLK(st->st_mode) || !claimed_here(host, st->st_rdev)) {
            close(fd);
            return refuse_busy(job, path, err);
        }
        return fd;
    }
    struct stat lst;
    if (fd < 0 && errno == EEXIST && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
        /* O_CREAT|O_EXCL does not follow a symlink: one to a missing file
         * is not created through, as a link planted in a shared folder
         * would otherwise pick where the job writes. */
        tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                      "job %s: %s is a symlink to a file that does not exist; create that file, "
                      "or name it in filename= directly",
                      job->name, path);
        errno = ENOENT;
        return -1;
    }
    if (fd < 0) {
        int e = errno;
        tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                      "job %s: %s: cannot open for %s: %s", job->name, path,
                      write ? "writing" : "reading", strerror(e));
        errno = e;
        return -1;
    }
    if (fstat(fd, st) != 0) {
        int e = errno;
        tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                      "job %s: %s: %s", job->name, path, strerror(e));
        close(fd);
        errno = e;
        return -1;
    }
    *exclusive = write && S_ISBLK(st->st_mode);
    return fd;
}

/* Another descriptor for what fd has open, with other flags: opened
 * through /proc/self/fd, which names the object, not the path, and checked
 * to be that object. Returns it, or -1 with errno. */
static int reopen_self(int fd, int flags, const struct stat *st)
{
    char self[64];
    snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
    int nfd = open(self, flags | O_CLOEXEC | O_NOCTTY);
    if (nfd < 0)
        return -1;
    struct stat nst;
    if (fstat(nfd, &nst) != 0 || !same_object(st, &nst)) {
        close(nfd);
        errno = EXDEV;
        return -1;
    }
    return nfd;
}

/* The thread's descriptor with the job's flags (O_DIRECT, O_SYNC). */
static int reopen_for_job(int fd, const struct stat *st, const struct tio_job *job,
                          const char *path, struct tio_error *err)
{
    bool write = job_writes(job);
    int nfd = reopen_self(fd, (write ? O_RDWR : O_RDONLY) | job_flags(job, write), st);
    if (nfd < 0 && errno == EINVAL && job->direct) {
        tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                      "job %s: %s: the filesystem does not support O_DIRECT (direct=1); use "
                      "direct=0, or a file on a filesystem that supports it (tmpfs does not)",
                      job->name, path);
        return -1;
    }
    if (nfd < 0)
        tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                      "job %s: %s: cannot open it again with the job's flags: %s",
                      job->name, path, errno == EXDEV ? "/proc/self/fd gave another file"
                                                       : strerror(errno));
    return nfd;
}

/* Creates or extends a regular file to the plan's end, after checking
 * the free space of the filesystem that really holds it. fd may be
 * read-only (a read job): the layout then gets its own descriptor. */
static int grow_file(int fd, const struct stat *st, const struct tio_host_job *t, size_t i,
                     const struct target_state *s, const struct target_plan *p,
                     struct tio_error *err)
{
    const struct tio_job *job = t->job;
    const char *path = t->names[i];
    struct statvfs v;
    if (fstatvfs(fd, &v) == 0 && p->new_space > free_bytes(&v))
        return refuse_space(job, path, p->new_space, free_bytes(&v), err);
    int wfd = fd;
    if ((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY) {
        wfd = reopen_self(fd, O_WRONLY, st);
        if (wfd < 0) {
            tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                          "job %s: %s: cannot open for writing to lay it out: %s",
                          job->name, path, strerror(errno));
            return -1;
        }
    }
    int rc = 0;
    if (p->layout) {
        rc = lay_out(wfd, path, s->size, p->need, err);
    } else if (ftruncate(wfd, (off_t)p->need) != 0) {
        tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                      "job %s: %s: cannot extend to %" PRIu64 " bytes: %s", job->name,
                      path, p->need, strerror(errno));
        rc = -1;
    }
    if (wfd != fd)
        close(wfd);
    return rc;
}

static int prepare_path(struct tio_host *host, struct tio_host_job *t, size_t i,
                        struct tio_error *err)
{
    const struct tio_job *job = t->job;
    const char *path = t->names[i];
    struct tio_target *tg = &t->targets[i];
    bool write = job_writes(job);
    struct stat st;
    bool exclusive;
    int fd = open_once(host, t, i, &st, &exclusive, err);
    if (fd < 0)
        return -1;
    struct target_state s;
    state_from(&st, &s);
    struct target_plan p;
    if (s.type == S_IFBLK && device_size(fd, path, &s.size, err) < 0)
        goto fail;
    if (judge(t, i, &s, &p, err) < 0)
        goto fail;
    if (p.grow && grow_file(fd, &st, t, i, &s, &p, err) < 0)
        goto fail;
    tg->type = s.type;
    tg->dev = st.st_dev;
    tg->ino = st.st_ino;
    tg->rdev = st.st_rdev;
    if (exclusive) {
        tg->claim = fcntl(fd, F_DUPFD_CLOEXEC, 0);
        if (tg->claim < 0) {
            tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                          "job %s: %s: cannot keep the device claimed: %s", job->name,
                          path, strerror(errno));
            goto fail;
        }
    }
    /* Drop cached pages so reads measure the device, as fio's default
     * invalidate=1 does. */
    if (job->invalidate && !job->direct)
        posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    if (job_flags(job, write)) {
        int nfd = reopen_for_job(fd, &st, job, path, err);
        close(fd);
        if (nfd < 0)
            return -1;
        fd = nfd;
    } else {
        (void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    }
    tg->fd = fd;
    t->regions[i] = p.region;
    t->sizes[i] = p.grow || (job->create_on_open && p.need > s.size) ? p.need : s.size;
    return 0;
fail:
    close(fd);
    return -1;
}

/* Every target's descriptor stays open until its thread runs; raise the
 * soft limit on descriptors (up to the hard one) when a run needs more. */
static void room_for_descriptors(const struct tio_host *host)
{
    rlim_t want = 64;
    for (size_t k = 0; k < host->n_threads; k++)
        want += 2 * (rlim_t)host->threads[k].n_files;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
        return;
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &rl);
}

int tio_files_prepare(struct tio_host *host, struct tio_error *err)
{
    if (tio_files_check(host, err) < 0)
        return -1;
    room_for_descriptors(host);
    for (size_t k = 0; k < host->n_threads; k++) {
        struct tio_host_job *t = &host->threads[k];
        const struct tio_job *job = t->job;
        if (!has_path_targets(t)) {
            /* Regions come from size= (and, for URIs, from the engine once
             * it has opened the target). An engine without files works on
             * one region as long as the whole blocks of the nrfiles files
             * fio would split size= into. */
            uint64_t total = job->size.set && !job->size.percent ? job->size.bytes : 0;
            size_t n = t->engine.no_files ? 1 : t->n_files;
            size_t parts = t->engine.no_files ? (job->nrfiles ? job->nrfiles : 1) : n;
            uint64_t align = smallest_bs(job), bs = cut_bs(job);
            uint64_t start = tio_job_start_offset(job, 0);
            for (size_t i = 0; i < n; i++)
                t->regions[i] = (struct tio_region){tio_amount_bytes(&job->offset, 0), 0};
            for (size_t f = 0; f < parts; f++) {
                uint64_t share = total / parts;
                if (align && f < (total - share * parts) / align)
                    share += align;
                if (job->filesize_min && t->engine.no_files) {
                    /* each file filesize bytes, the IO from the offset on */
                    if (start > job->filesize_min) {
                        tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                                      "job %s: offset %" PRIu64 " is past the end of its files, "
                                      "whose size is filesize=%" PRIu64 "; set a valid offset= "
                                      "(and offset_increment=) below filesize, or raise filesize",
                                      job->name, start, job->filesize_min);
                        return -1;
                    }
                    share = file_size_in_range(job, f) - start;
                }
                if (bs)
                    share -= share % bs;
                t->regions[t->engine.no_files ? 0 : f].len += share;
            }
            continue;
        }
        t->targets = calloc(t->n_files ? t->n_files : 1, sizeof(*t->targets));
        if (!t->targets) {
            tio_error_set(err, TIO_ENOMEM, NULL, NULL, NULL, "out of memory");
            return -1;
        }
        for (size_t i = 0; i < t->n_files; i++)
            t->targets[i] = (struct tio_target){.fd = -1, .claim = -1};
        for (size_t i = 0; i < t->n_files; i++)
            if (prepare_path(host, t, i, err) < 0)
                return -1;
    }
    return 0;
}

int tio_files_take(struct tio_host_job *t, size_t i)
{
    if (!t->targets || i >= t->n_files)
        return -1;
    int fd = t->targets[i].fd;
    t->targets[i].fd = -1;
    return fd;
}

void tio_files_unlink(struct tio_host_job *t)
{
    for (size_t i = 0; t->targets && i < t->n_files; i++) {
        const struct tio_target *tg = &t->targets[i];
        struct stat st;
        /* fio's rule: regular files the job named. The name must still
         * lead to the file the job used, so a device node, a FIFO or
         * another file put there since is never removed. A symlink name
         * is removed itself, its target stays (as fio does). */
        if (tg->type != S_IFREG || stat(t->names[i], &st) != 0 || !S_ISREG(st.st_mode) ||
            st.st_dev != tg->dev || st.st_ino != tg->ino)
            continue;
        (void)unlink(t->names[i]);
    }
}

void tio_files_release(struct tio_host *host)
{
    for (size_t k = 0; k < host->n_threads; k++) {
        struct tio_host_job *t = &host->threads[k];
        for (size_t i = 0; t->targets && i < t->n_files; i++) {
            if (t->targets[i].fd >= 0)
                close(t->targets[i].fd);
            if (t->targets[i].claim >= 0)
                close(t->targets[i].claim);
        }
        free(t->targets);
        t->targets = NULL;
    }
}
