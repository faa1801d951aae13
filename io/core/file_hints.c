/* What the job's thread does to each of its files before the IO, as fio
 * does when it opens them: pre_read reads the file's region into the page
 * cache; fadvise_hint gives posix_fadvise(2) advice for the region;
 * write_hint tells the kernel how long written data lives (fcntl
 * F_SET_RW_HINT, or F_SET_FILE_RW_HINT on a direct descriptor). Only
 * regular files and block devices the job opened itself get them, as in
 * fio (its "diskless" engines and character devices get none). */
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef F_LINUX_SPECIFIC_BASE
#define F_LINUX_SPECIFIC_BASE 1024
#endif
#ifndef F_SET_RW_HINT
#define F_SET_RW_HINT (F_LINUX_SPECIFIC_BASE + 12)
#endif
#ifndef F_SET_FILE_RW_HINT
#define F_SET_FILE_RW_HINT (F_LINUX_SPECIFIC_BASE + 14)
#endif

/* A file the job opened and the hints apply to. */
static bool hinted(const struct worker *w, size_t i)
{
    const struct tio_host_job *t = w->t;
    if (!t->targets || i >= t->n_files || w->h[i].file.fd < 0)
        return false;
    return t->targets[i].type == S_IFREG || t->targets[i].type == S_IFBLK;
}

/* fio's pre_read: the region from its start, in reads of the largest read
 * size; a short read fails the job with EIO, as fio's. */
static int pre_read(struct worker *w, size_t i)
{
    const struct tio_job *job = w->job;
    const struct tio_region *r = &w->t->regions[i];
    uint64_t bs = job->pattern.max_bs[TIO_JOB_DDIR_READ];
    if (!bs)
        bs = job->pattern.bs[TIO_JOB_DDIR_READ];
    if (bs > r->len)
        bs = r->len;
    if (!bs)
        return 0;
    char *buf = malloc(bs);
    if (!buf) {
        tio_worker_fail(w, ENOMEM, "out of memory");
        return -1;
    }
    int fd = w->h[i].file.fd;
    for (uint64_t off = r->start, end = r->start + r->len; off < end && !w->stop;) {
        size_t n = end - off < bs ? (size_t)(end - off) : (size_t)bs;
        ssize_t got = pread(fd, buf, n, (off_t)off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got != (ssize_t)n) {
            tio_worker_fail(w, EIO, "pre_read of %s at byte %" PRIu64 " failed: %s",
                            w->h[i].file.name, off,
                            got < 0 ? strerror(errno) : "short read (the file is shorter)");
            free(buf);
            return -1;
        }
        off += n;
    }
    free(buf);
    return 0;
}

static void fadvise(struct worker *w, size_t i)
{
    const struct tio_job *job = w->job;
    int advice;
    switch (job->durability.fadvise) {
    case TIO_FADVISE_NONE:
        return;
    case TIO_FADVISE_TYPE:
        advice = tio_rw_is_random(job->pattern.rw) ? POSIX_FADV_RANDOM : POSIX_FADV_SEQUENTIAL;
        break;
    case TIO_FADVISE_RANDOM:
        advice = POSIX_FADV_RANDOM;
        break;
    default:
        advice = POSIX_FADV_SEQUENTIAL;
        break;
    }
    /* as fio: a failure is no error (fio warns once) */
    (void)posix_fadvise(w->h[i].file.fd, (off_t)w->t->regions[i].start,
                        (off_t)w->t->regions[i].len, advice);
}

static int write_hint(struct worker *w, size_t i)
{
    const struct tio_job *job = w->job;
    uint64_t hint = job->durability.write_hint;
    if (!hint)
        return 0;
    /* fio: a direct descriptor gets the hint itself, a buffered one its inode */
    int cmd = job->queue.direct ? F_SET_FILE_RW_HINT : F_SET_RW_HINT;
    if (fcntl(w->h[i].file.fd, cmd, &hint) == 0)
        return 0;
    int e = errno;
    tio_worker_fail(w, e, "write_hint: fcntl(%s) of %s failed: %s%s",
                    job->queue.direct ? "F_SET_FILE_RW_HINT" : "F_SET_RW_HINT",
                    w->h[i].file.name, strerror(e),
                    e == EINVAL && job->queue.direct
                        ? " (kernels from 5.17 on have no per-descriptor hints: drop "
                          "write_hint, or use direct=0)"
                        : "");
    return -1;
}

int tio_file_hints_apply(struct worker *w)
{
    const struct tio_job *job = w->job;
    /* fio pre-reads every file before it opens them for the IO, which is
     * when the advice is given */
    for (size_t i = 0; job->durability.pre_read && i < w->nf; i++)
        if (hinted(w, i) && pre_read(w, i) < 0)
            return -1;
    for (size_t i = 0; i < w->nf; i++) {
        if (!hinted(w, i))
            continue;
        fadvise(w, i);
        if (write_hint(w, i) < 0)
            return -1;
    }
    return 0;
}
