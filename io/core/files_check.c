/* Path targets before the run, step one: the check.
 *
 * tio_files_check looks only (stat, statvfs, a momentary exclusive open of
 * a block device) and applies every refusal: a device that holds a mounted
 * filesystem, a device write without allow_mounted_write=1, a region past
 * the end of a device, more new data than the filesystem has room for.
 * tio_files_prepare (files_prepare.c) then opens what this let through. */
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

static const char *kind_name(mode_t type)
{
    switch (type) {
    case S_IFDIR:
        return "a folder";
    case S_IFIFO:
        return "a FIFO";
    case S_IFSOCK:
        return "a socket";
    case S_IFCHR:
        return "a character device";
    case S_IFBLK:
        return "a block device";
    default:
        return "a regular file";
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
uint64_t tio_files_size_in_range(const struct tio_job *job, size_t i)
{
    uint64_t low = job->files.filesize_min, high = job->files.filesize_max;
    if (high <= low)
        return low;
    struct tio_rand r;
    tio_rand_seed(&r, job->pattern.randseed ^ ((uint64_t)job->clone << 32) ^ (uint64_t)i);
    uint64_t size = low + tio_rand_below(&r, high - low + 1);
    uint64_t bs = tio_files_smallest_bs(job);
    if (bs && size - size % bs >= low)
        size -= size % bs;
    return size;
}

/* Every refusal that depends on what the target is and how big: the same
 * rules for the check (stat) and for what was opened (fstat). */
int tio_files_judge(const struct tio_host_job *t, size_t i, const struct target_state *s,
                    struct target_plan *p, struct tio_error *err)
{
    const struct tio_job *job = t->job;
    const char *path = t->names[i];
    memset(p, 0, sizeof(*p));
    if (s->exists && s->type == S_IFDIR) {
        tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                      "job %s: %s is a folder; use directory= for folders and filename= for "
                      "files",
                      job->identity.name, path);
        return -1;
    }
    if (s->exists && (s->type == S_IFIFO || s->type == S_IFSOCK)) {
        tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                      "job %s: %s is %s; tenon-io reads and writes at offsets and needs a "
                      "regular "
                      "file or a device",
                      job->identity.name, path, kind_name(s->type));
        return -1;
    }
    if (s->exists && s->type == S_IFBLK && tio_files_job_writes(job) &&
        !job->durability.allow_mounted_write) {
        tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                      "job %s: refusing to %s block device %s: this destroys its "
                      "contents; "
                      "add allow_mounted_write=1 to the job to do it anyway",
                      job->identity.name, tio_rw_trims(job->pattern.rw) ? "trim" : "write to",
                      path);
        return -1;
    }
    bool regular = !s->exists || s->type == S_IFREG;
    uint64_t real = s->exists ? s->size : 0;
    uint64_t offset = tio_amount_bytes(&job->files.offset, real);
    uint64_t step = tio_amount_bytes(&job->files.offset_increment, real);
    if (step && job->clone > (UINT64_MAX - offset) / step) {
        tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                      "job %s: %s: offset + clone * offset_increment overflows",
                      job->identity.name, path);
        return -1;
    }
    offset += job->clone * step;
    /* fio aligns a percentage start up to offset_align, or else the
     * smallest block size */
    uint64_t align = tio_files_smallest_bs(job);
    uint64_t start_align = job->files.offset_align ? job->files.offset_align : align;
    if ((job->files.offset.percent || job->files.offset_increment.percent) && start_align &&
        offset % start_align && offset <= UINT64_MAX - start_align)
        offset += start_align - offset % start_align;
    /* file_append: a regular file's IO starts at its end, offset= aside */
    if (job->files.file_append && regular)
        offset = real;
    /* per_file: the bytes of the file from offset the job covers, as fio's
     * io_size of the file; the file is (made) offset + per_file long. */
    uint64_t per_file;
    if (job->files.filesize_min &&
        !(s->exists && real >= job->files.filesize_min && real <= job->files.filesize_max)) {
        /* filesize= is the file's size, the region starts inside it */
        if (offset > job->files.filesize_min) {
            char range[48] = "";
            if (job->files.filesize_max > job->files.filesize_min)
                snprintf(range, sizeof(range), "-%" PRIu64 " (its low end)",
                         job->files.filesize_max);
            tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                          "job %s: %s: offset %" PRIu64
                          " is past the end of the file, whose size "
                          "is filesize=%" PRIu64
                          "%s; set a valid offset= (and offset_increment=) "
                          "below filesize, or raise filesize",
                          job->identity.name, path, offset, job->files.filesize_min, range);
            return -1;
        }
        per_file = tio_files_size_in_range(job, i) - offset;
    } else if (job->files.filesize_min) {
        /* an existing file within the filesize range keeps its size */
        per_file = real - offset;
        if (offset > real) {
            tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                          "job %s: %s: offset %" PRIu64 " is past the end of the file (%" PRIu64
                          " bytes); set a valid offset= (and offset_increment=)",
                          job->identity.name, path, offset, real);
            return -1;
        }
    } else {
        per_file = 0;
        if (job->files.size.set && !job->files.size.percent) {
            /* size= split over the files; its remainder goes to the first
             * files, one smallest block each, as fio */
            size_t n = t->n_files ? t->n_files : 1;
            per_file = job->files.size.bytes / n;
            if (align && i < (job->files.size.bytes - per_file * n) / align)
                per_file += align;
        }
        if (!per_file && job->files.fill_device && s->type != S_IFBLK) {
            /* fio's "really large" size: the writes end at ENOSPC */
            per_file = (uint64_t)INT64_MAX - offset;
            per_file -= per_file % (align ? align : 1);
        }
        if (!per_file) {
            if (!s->exists && !job->files.size.set) {
                tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                              "job %s: file %s does not exist and the job has no size; set "
                              "size= "
                              "(or filesize=) to have tenon-io create it",
                              job->identity.name, path);
                return -1;
            }
            if (s->exists && !regular && s->type != S_IFBLK) {
                tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                              "job %s: %s is %s, whose size tenon-io cannot tell; set size=",
                              job->identity.name, path, kind_name(s->type));
                return -1;
            }
            if (offset > real) {
                tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                              "job %s: %s: offset %" PRIu64
                              " is past the end of the file (%" PRIu64
                              " bytes); set a valid offset= (and offset_increment=), or size=",
                              job->identity.name, path, offset, real);
                return -1;
            }
            per_file = real - offset;
        }
    }
    if (job->files.size.set && job->files.size.percent && job->files.size.percent != 100) {
        /* size=N%: N% of this file's own size, cut at its end, in whole
         * smallest blocks (fio) */
        uint64_t whole = per_file + offset;
        uint64_t part = whole / 100 * job->files.size.percent +
                        whole % 100 * job->files.size.percent / 100;
        per_file = part < per_file ? part : per_file;
        if (align)
            per_file -= per_file % align;
    }
    /* The IO covers whole blocks of the directions the job does; the file
     * keeps the rest (fio lays it out to offset + its share). */
    uint64_t bs = tio_files_cut_bs(job);
    uint64_t io_len = bs ? per_file - per_file % bs : per_file;
    if (io_len == 0) {
        tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                      "job %s: %s leaves no room for IO (size %" PRIu64 ", offset %" PRIu64
                      ", block size %" PRIu64 "); set a valid offset= or size=%s",
                      job->identity.name, path, real, offset, bs,
                      job->clone && job->files.offset_increment.set
                          ? " (this clone's offset is offset + its number x offset_increment: "
                            "lower offset_increment or numjobs)"
                          : "");
        return -1;
    }
    if (offset > (uint64_t)INT64_MAX || per_file > (uint64_t)INT64_MAX - offset) {
        tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                      "job %s: %s: offset %" PRIu64 " + size %" PRIu64
                      " lies beyond the largest possible file; lower offset= or size=",
                      job->identity.name, path, offset, per_file);
        return -1;
    }
    uint64_t need = offset + per_file;
    if (s->exists && s->type == S_IFBLK && need > real) {
        tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                      "job %s: %s is %" PRIu64 " bytes, the job reaches byte %" PRIu64
                      " (offset %" PRIu64 " + size %" PRIu64 "); lower size= or offset=",
                      job->identity.name, path, real, need, offset, per_file);
        return -1;
    }
    p->region = (struct tio_region){offset, io_len};
    p->need = need;
    if (!regular)
        return 0;
    if (real < need && (job->durability.create_on_open ||
                        (job->files.fill_device && !tio_files_job_reads(job)))) {
        /* Neither extended nor laid out: the job's own writes make the
         * file as long as they reach, as fio's create_on_open (the file is
         * created empty when the run opens its targets). */
    } else if (real < need) {
        if (!s->exists && !job->durability.allow_file_create) {
            tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                          "job %s: %s does not exist and allow_file_create=0",
                          job->identity.name, path);
            return -1;
        }
        p->grow = true;
        p->layout = tio_files_job_reads(job) || job->durability.overwrite ||
                    job->verify.method != TIO_VERIFY_NONE;
    }
    /* Laying out writes everything past the current end; writes can fill
     * the region's holes, which a file with fewer blocks than bytes has. */
    uint64_t layout_bytes = p->layout ? need - real : 0;
    uint64_t write_bytes = 0;
    if (tio_files_job_writes(job)) {
        uint64_t covered = offset < real ? (need < real ? need : real) - offset : 0;
        bool dense = s->allocated >= real;
        write_bytes = dense ? per_file - covered : per_file;
        if (p->layout)
            write_bytes = offset < real && !dense ? (need < real ? need : real) - offset : 0;
    }
    /* fill_device writes until the space runs out: none is asked for */
    p->new_space = job->files.fill_device ? 0 : layout_bytes + write_bytes;
    return 0;
}

int tio_files_filled(const struct tio_job *job, const char *path, uint64_t end,
                     struct target_plan *p, struct tio_error *err)
{
    uint64_t bs = tio_files_cut_bs(job), start = p->region.start;
    uint64_t len = end > start ? end - start : 0;
    if (bs)
        len -= len % bs;
    if (!len) {
        tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                      "job %s: fill_device: the filesystem was full before %s held a block "
                      "of data past its offset %" PRIu64 " (%" PRIu64 " bytes laid out); "
                      "free some space, or give the job fewer files or a size=",
                      job->identity.name, path, start, end);
        return -1;
    }
    if (len < p->region.len)
        p->region.len = len;
    p->need = end;
    return 0;
}

/* Bytes this process may still allocate on the filesystem holding path:
 * root may use the blocks reserved for it. */
uint64_t tio_files_free_bytes(const struct statvfs *v)
{
    uint64_t blocks = geteuid() == 0 ? v->f_bfree : v->f_bavail;
    return blocks * (uint64_t)v->f_frsize;
}

int tio_files_refuse_space(const struct tio_job *job, const char *path, uint64_t want,
                           uint64_t avail, struct tio_error *err)
{
    char w[32], a[32];
    human(want, w, sizeof(w));
    human(avail, a, sizeof(a));
    tio_error_set(
        err, TIO_ESYSTEM, NULL, NULL, NULL,
        "job %s: %s: not enough free space (%s): the jobs may write up to %s of new data "
        "to the filesystem holding it, which has %s free; lower size= (or offset=), or "
        "free space there",
        job->identity.name, path, strerror(ENOSPC), w, a);
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

int tio_files_device_size(int fd, const char *path, uint64_t *size, struct tio_error *err)
{
    if (ioctl(fd, BLKGETSIZE64, size) != 0) {
        tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL, "%s: cannot read the device size: %s",
                      path, strerror(errno));
        return -1;
    }
    return 0;
}

void tio_files_state_from(const struct stat *st, struct target_state *s)
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
        tio_files_state_from(&st, &s);
    } else if (errno != ENOENT) {
        tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL, "job %s: %s: %s", job->identity.name,
                      path, strerror(errno));
        return -1;
    }
    if (s.exists && s.type == S_IFBLK) {
        if (tio_files_job_writes(job) && device_in_use(path)) {
            tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                          "job %s: %s holds a mounted filesystem (or is in use by the kernel "
                          "or "
                          "another program); tenon-io never writes to it",
                          job->identity.name, path);
            return -1;
        }
        int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
            tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                          "job %s: %s: cannot open to read the device size: %s",
                          job->identity.name, path, strerror(errno));
            return -1;
        }
        int rc = tio_files_device_size(fd, path, &s.size, err);
        close(fd);
        if (rc < 0)
            return -1;
    }
    struct target_plan p;
    if (tio_files_judge(t, i, &s, &p, err) < 0)
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
                      "job %s: %s: cannot create it in folder '%s': %s", job->identity.name,
                      path, dir, strerror(errno));
        return -1;
    }
    if (add_space(uses, n_uses, path, s.exists ? st.st_dev : dst.st_dev, p.new_space,
                  tio_files_free_bytes(&v)) < 0) {
        tio_error_set(err, TIO_ENOMEM, NULL, NULL, NULL, "out of memory");
        return -1;
    }
    struct space_use *u = &(*uses)[*n_uses - 1];
    for (size_t k = 0; k < *n_uses; k++)
        if (strcmp((*uses)[k].name, path) == 0)
            u = &(*uses)[k];
    uint64_t want = space_on(*uses, *n_uses, u->fs);
    if (want > u->avail)
        return tio_files_refuse_space(job, path, want, u->avail, err);
    return 0;
}

/* An engine that makes or finds the job's files by name (filecreate,
 * dircreate...): nothing exists to take a size from, and tenon-io keeps no
 * identity of what the engine made, so unlink=1 could not be done safely. */
static int check_names_only(const struct tio_host_job *t, struct tio_error *err)
{
    const struct tio_job *job = t->job;
    if ((!job->files.size.set && !job->files.filesize_min) || job->files.size.percent) {
        tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                      "job %s: engine %s makes or finds its files by name, so %s; give "
                      "size= or filesize= in bytes (such as filesize=4k)",
                      job->identity.name, t->engine.label,
                      job->files.size.percent ? "size= as a percentage has no file size to "
                                                "be a percentage of"
                                              : "it needs size= or filesize=");
        return -1;
    }
    if (job->durability.unlink || job->durability.unlink_each_loop) {
        tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                      "job %s: unlink=1 with engine %s is not supported by tenon-io: it "
                      "removes only files it opened itself, and this engine makes or finds "
                      "its files by name; drop unlink= (a filedelete or dirdelete job "
                      "removes them)",
                      job->identity.name, t->engine.label);
        return -1;
    }
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
        if (t->engine.no_io) {
            /* nothing to check: no size bounds a job of pseudo IO */
        } else if (t->engine.no_files && !job->files.size.set) {
            tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                          "job %s: engine %s does no file IO and needs size=",
                          job->identity.name, t->engine.label);
            rc = -1;
        } else if (t->engine.no_files && job->files.size.percent) {
            /* fio 3.33 refuses this too ("you need to specify size=") */
            tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                          "job %s: engine %s does no file IO, so size=%u%% has no "
                          "file to be a percentage of; give size= in bytes (such as size=1g)",
                          job->identity.name, t->engine.label, job->files.size.percent);
            rc = -1;
        }
        if (rc == 0 && t->engine.names_only)
            rc = check_names_only(t, err);
        for (size_t i = 0; rc == 0 && tio_files_has_path_targets(t) && i < t->n_files; i++)
            rc = check_path(t, i, &uses, &n_uses, err);
    }
    free(uses);
    return rc;
}
