/* Path targets before the run: created and laid out with data when a job
 * needs more than exists (as fio does, so reads never hit holes), sized,
 * and checked so that no job writes to a block device that holds a mounted
 * filesystem, and none writes to a device at all without the explicit
 * allow_mounted_write=1. URI targets are opened by their engine instead. */
#include "host.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
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

int tio_file_open(const struct tio_job *job, const char *path, bool write, char *err,
                  size_t errlen)
{
    int flags = (write ? O_RDWR : O_RDONLY) | O_CLOEXEC;
    if (job->direct)
        flags |= O_DIRECT;
    if (write && job->sync == TIO_SYNC_SYNC)
        flags |= O_SYNC;
    else if (write && job->sync == TIO_SYNC_DSYNC)
        flags |= O_DSYNC;
    int fd = open(path, flags);
    if (fd < 0 && errno == EINVAL && job->direct) {
        snprintf(err, errlen,
                 "%s: the filesystem does not support O_DIRECT (direct=1); use direct=0, or a "
                 "file on a filesystem that supports it (tmpfs does not)",
                 path);
        return -1;
    }
    if (fd < 0) {
        int e = errno;
        snprintf(err, errlen, "%s: cannot open for %s: %s", path, write ? "writing" : "reading",
                 strerror(e));
        errno = e;
        return -1;
    }
    return fd;
}

/* A block device holding a mounted filesystem (or claimed by md, dm...)
 * refuses an exclusive open with EBUSY. */
static bool device_in_use(const char *path)
{
    int fd = open(path, O_RDONLY | O_EXCL | O_CLOEXEC);
    if (fd < 0)
        return errno == EBUSY;
    close(fd);
    return false;
}

static int device_size(const char *path, uint64_t *size, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ioctl(fd, BLKGETSIZE64, size) != 0) {
        snprintf(err, errlen, "%s: cannot read the device size: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

/* Writes data from the file's current end up to want bytes. */
static int lay_out(const char *path, uint64_t have, uint64_t want, char *err, size_t errlen)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
        return -1;
    }
    char *chunk = malloc(LAYOUT_CHUNK);
    if (!chunk) {
        close(fd);
        snprintf(err, errlen, "out of memory");
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
            snprintf(err, errlen,
                     "%s: cannot lay out the file to %" PRIu64 " bytes (stopped at %" PRIu64
                     "): %s",
                     path, want, off, w < 0 ? strerror(errno) : "short write");
            rc = -1;
            break;
        }
        off += (uint64_t)w;
    }
    if (rc == 0 && fsync(fd) != 0) {
        snprintf(err, errlen, "%s: cannot flush the laid-out file: %s", path, strerror(errno));
        rc = -1;
    }
    free(chunk);
    close(fd);
    return rc;
}

/* Prepares one file of one thread; returns its real size in *size. */
static int prepare_path(struct tio_host_job *t, size_t i, char *err, size_t errlen)
{
    const struct tio_job *job = t->job;
    const char *path = t->names[i];
    uint64_t per_file = 0;
    struct stat st;
    bool exists = stat(path, &st) == 0;
    if (!exists && errno != ENOENT) {
        snprintf(err, errlen, "job %s: %s: %s", job->name, path, strerror(errno));
        return -1;
    }
    uint64_t real = 0;
    if (exists && S_ISBLK(st.st_mode)) {
        if (job_writes(job)) {
            if (device_in_use(path)) {
                snprintf(err, errlen,
                         "job %s: %s holds a mounted filesystem (or is in use by the kernel); "
                         "tenon-io never writes to it",
                         job->name, path);
                return -1;
            }
            if (!job->allow_mounted_write) {
                snprintf(err, errlen,
                         "job %s: refusing to write to block device %s: this destroys its "
                         "contents; add allow_mounted_write=1 to the job to do it anyway",
                         job->name, path);
                return -1;
            }
        }
        if (device_size(path, &real, err, errlen) < 0)
            return -1;
    } else if (exists && S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "job %s: %s is a folder; use directory= for folders and "
                 "filename= for files", job->name, path);
        return -1;
    } else if (exists && S_ISREG(st.st_mode)) {
        real = (uint64_t)st.st_size;
    } else if (exists) {
        real = 0; /* character devices and the like: only size= tells */
    }

    uint64_t offset = tio_amount_bytes(&job->offset, real) +
                      job->clone * tio_amount_bytes(&job->offset_increment, real);
    if (job->size.set) {
        uint64_t total = tio_amount_bytes(&job->size, real);
        per_file = total / (t->n_files ? t->n_files : 1);
        if (job->size.percent && offset < real && per_file > real - offset)
            per_file = real - offset;
    } else {
        if (!exists) {
            snprintf(err, errlen,
                     "job %s: file %s does not exist and the job has no size; set size= (or "
                     "filesize=) to have tenon-io create it",
                     job->name, path);
            return -1;
        }
        per_file = real > offset ? real - offset : 0;
    }
    uint64_t bs = job->bs[TIO_DDIR_READ] > job->bs[TIO_DDIR_WRITE] ? job->bs[TIO_DDIR_READ]
                                                                  : job->bs[TIO_DDIR_WRITE];
    if (bs && per_file % bs)
        per_file -= per_file % bs;
    if (per_file == 0) {
        snprintf(err, errlen,
                 "job %s: %s leaves no room for IO (size %" PRIu64 ", offset %" PRIu64
                 ", block size %" PRIu64 ")",
                 job->name, path, real, offset, bs);
        return -1;
    }
    uint64_t need = offset + per_file;
    if ((!exists || S_ISREG(st.st_mode)) && real < need) {
        if (!job->allow_file_create && !exists) {
            snprintf(err, errlen, "job %s: %s does not exist and allow_file_create=0", job->name,
                     path);
            return -1;
        }
        if (job_reads(job) || job->verify != TIO_VERIFY_NONE) {
            if (lay_out(path, real, need, err, errlen) < 0)
                return -1;
        } else {
            int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
            if (fd < 0 || ftruncate(fd, (off_t)need) != 0) {
                snprintf(err, errlen, "job %s: %s: cannot create or extend to %" PRIu64
                         " bytes: %s", job->name, path, need, strerror(errno));
                if (fd >= 0)
                    close(fd);
                return -1;
            }
            close(fd);
        }
        real = need;
    } else if (exists && !S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode) && !job->size.set) {
        snprintf(err, errlen, "job %s: %s is not a regular file or block device; set size=",
                 job->name, path);
        return -1;
    } else if (real && need > real) {
        snprintf(err, errlen,
                 "job %s: %s is %" PRIu64 " bytes, the job needs %" PRIu64 " (offset + size)",
                 job->name, path, real, need);
        return -1;
    }
    t->regions[i] = (struct tio_region){offset, per_file};
    t->sizes[i] = real;
    return 0;
}

int tio_files_prepare(struct tio_host *host, char *err, size_t errlen)
{
    for (size_t k = 0; k < host->n_threads; k++) {
        struct tio_host_job *t = &host->threads[k];
        const struct tio_job *job = t->job;
        if (t->engine.no_files || t->engine.uri_targets) {
            /* Regions come from size= (and, for URIs, from the engine once
             * it has opened the target). */
            uint64_t total = job->size.set && !job->size.percent ? job->size.bytes : 0;
            size_t n = t->engine.no_files ? 1 : t->n_files;
            for (size_t i = 0; i < n; i++)
                t->regions[i] = (struct tio_region){
                    tio_amount_bytes(&job->offset, 0),
                    total / (n ? n : 1),
                };
            if (t->engine.no_files && !job->size.set) {
                snprintf(err, errlen, "job %s: engine %s does no file IO and needs size=",
                         job->name, t->engine.label);
                return -1;
            }
            /* fio 3.33 refuses this too ("you need to specify size=") */
            if (t->engine.no_files && job->size.percent) {
                snprintf(err, errlen, "job %s: engine %s does no file IO, so size=%u%% has no "
                         "file to be a percentage of; give size= in bytes (such as size=1g)",
                         job->name, t->engine.label, job->size.percent);
                return -1;
            }
            continue;
        }
        for (size_t i = 0; i < t->n_files; i++)
            if (prepare_path(t, i, err, errlen) < 0)
                return -1;
        /* Drop cached pages so reads measure the device, as fio's default
         * invalidate=1 does. */
        if (job->invalidate && !job->direct) {
            for (size_t i = 0; i < t->n_files; i++) {
                int fd = open(t->names[i], O_RDONLY | O_CLOEXEC);
                if (fd >= 0) {
                    posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
                    close(fd);
                }
            }
        }
    }
    return 0;
}
