/* Helpers shared by tenon-io's engines: syncing, trimming, the per-file
 * tag and the positional engines' queue. Header-only, because each engine is a plugin of its own that may be
 * built as a shared object: there is no library for them to share.
 *
 * Everything here may run on the IO path: no allocation, no locks, no logs.
 */
#ifndef TIO_ENGINE_UTIL_H
#define TIO_ENGINE_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/fs.h>

#include <tenon-io/engine.h>

/* What kind of object a file descriptor is, as far as trimming cares. */
enum {
    ENG_KIND_UNKNOWN = 0, /* not probed (or the probe failed) */
    ENG_KIND_FILE = 1,    /* regular file: punch a hole */
    ENG_KIND_BLOCK = 2,   /* block device: BLKDISCARD */
    ENG_KIND_OTHER = 3,   /* nothing to trim with */
};

/* file->engine_data of the engines that keep no per-file allocation is a
 * tag, not a pointer: the low byte is the kind, the rest a slot number
 * (io_uring's registered file index + 1). Keeping it in the tio_file rather
 * than in the engine means a thread with many files needs no lookup. */
#define ENG_TAG_KIND(tag) ((unsigned)((uintptr_t)(tag)&0xffu))
#define ENG_TAG_SLOT(tag) ((uintptr_t)(tag) >> 8)
#define ENG_TAG(kind, slot) ((void *)(((uintptr_t)(slot) << 8) | (uintptr_t)(kind)))

/* The largest transfer one call makes; Linux caps read/write at this
 * (MAX_RW_COUNT) anyway, and io_uring's and libaio's length fields are
 * narrower than tio_io's. A longer IO comes back short and tenon-io issues
 * the remainder. */
#define ENG_MAX_XFER ((uint64_t)0x7ffff000u)

static inline size_t eng_xfer_len(uint64_t len)
{
    return (size_t)(len > ENG_MAX_XFER ? ENG_MAX_XFER : len);
}

static inline unsigned eng_probe_kind(int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return ENG_KIND_UNKNOWN;
    if (S_ISREG(st.st_mode))
        return ENG_KIND_FILE;
    if (S_ISBLK(st.st_mode))
        return ENG_KIND_BLOCK;
    return ENG_KIND_OTHER;
}

/* fsync or fdatasync. Returns 0 or -errno. */
static inline int64_t eng_sync(int fd, uint32_t ddir)
{
    int rc;
    do
        rc = ddir == TIO_DATASYNC ? fdatasync(fd) : fsync(fd);
    while (rc != 0 && errno == EINTR);
    return rc == 0 ? 0 : -(int64_t)errno;
}

/* Discards [offset, offset + len) as fio does: a hole in a regular file
 * (the size kept), BLKDISCARD on a block device. Returns len or -errno. */
static inline int64_t eng_trim(int fd, unsigned kind, uint64_t offset, uint64_t len)
{
    if (kind == ENG_KIND_UNKNOWN)
        kind = eng_probe_kind(fd);
    int rc;
    switch (kind) {
    case ENG_KIND_FILE:
        do
            rc = fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)offset,
                           (off_t)len);
        while (rc != 0 && errno == EINTR);
        break;
    case ENG_KIND_BLOCK: {
        uint64_t range[2] = {offset, len};
        rc = ioctl(fd, BLKDISCARD, range);
        break;
    }
    case ENG_KIND_UNKNOWN:
        /* fstat failed: a bad fd, reported the way an IO would report it. */
        return fcntl(fd, F_GETFD) < 0 ? -(int64_t)errno : -(int64_t)EOPNOTSUPP;
    default:
        return -(int64_t)EOPNOTSUPP;
    }
    return rc == 0 ? (int64_t)len : -(int64_t)errno;
}

/* open_file/close_file of the engines whose only per-file state is the tag.
 * A failed probe is not an error here: the fd's problems surface, as
 * results, on the first IO. */
static inline int eng_tag_open(void *engine, tio_file *file)
{
    (void)engine;
    file->engine_data = ENG_TAG(eng_probe_kind(file->fd), 0);
    return 0;
}

static inline int eng_tag_close(void *engine, tio_file *file)
{
    (void)engine;
    file->engine_data = NULL;
    return 0;
}

static inline unsigned eng_file_kind(const tio_file *file)
{
    return ENG_TAG_KIND(file->engine_data);
}

/* What every synchronous engine does for an IO that is not a read or a
 * write: syncs and trims complete at once, anything else is -EINVAL.
 * Returns true when it completed io (result set), false for reads and
 * writes, which are the engine's own business. */
static inline bool eng_complete_other(tio_io *io)
{
    switch (io->ddir) {
    case TIO_READ:
    case TIO_WRITE:
        return false;
    case TIO_SYNC:
    case TIO_DATASYNC:
        io->result = eng_sync(io->file->fd, io->ddir);
        return true;
    case TIO_TRIM:
        io->result = eng_trim(io->file->fd, eng_file_kind(io->file), io->offset, io->len);
        return true;
    default:
        io->result = -EINVAL;
        return true;
    }
}

/* How a positional engine moves one read (write false) or write: the
 * system call's return. */
typedef ssize_t (*eng_xfer_fn)(const void *engine, tio_io *io, bool write);

/* The queue of the engines that read and write at an offset in one system
 * call (psync, pvsync2): xfer retried while a signal interrupts it (that
 * is no IO error), io->result its byte count or -errno, any other direction
 * done by eng_complete_other. Inline, so xfer is a direct call. */
static inline int eng_positional_queue(const void *engine, tio_io *io, eng_xfer_fn xfer)
{
    if (eng_complete_other(io))
        return TIO_COMPLETED;
    ssize_t rc;
    do
        rc = xfer(engine, io, io->ddir == TIO_WRITE);
    while (rc < 0 && errno == EINTR);
    io->result = rc < 0 ? -(int64_t)errno : (int64_t)rc;
    return TIO_COMPLETED;
}

/* CLOCK_MONOTONIC in nanoseconds, for engines that time things themselves. */
static inline uint64_t eng_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif
