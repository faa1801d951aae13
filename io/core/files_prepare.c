/* Path targets before the run, step two: the preparation.
 *
 * tio_files_prepare runs tio_files_check (files_check.c), then opens every
 * target once, checks again what it opened (fstat, the device size from the
 * descriptor), creates and lays out files with data when a job needs more
 * than exists (as fio does, so reads never hit holes), and keeps the
 * descriptor for the thread. The thread never opens the path again: a path
 * swapped for a symlink to something else after the checks changes nothing.
 * Block devices a job writes are opened with O_EXCL, which the kernel
 * refuses with EBUSY while the device holds a mounted filesystem or is
 * claimed by md, dm or another program, and that claim is held until the
 * run ends, so nothing can mount it meanwhile. URI targets are opened by
 * their engine instead. With create_serialize=0 the creation and layout
 * of a job's files wait for its thread (tio_files_lay_out_later), as fio
 * lays them out in each job's thread then. */
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define LAYOUT_CHUNK (1u << 20)

/* Writes data from the file's current end up to want bytes, then syncs
 * it when sync (create_fsync, as fio); with fill (fill_device), ENOSPC or
 * EDQUOT ends it early without an error and *want becomes the size
 * reached, as fio's layout stops there. */
static int lay_out(int fd, const char *path, uint64_t have, uint64_t *want, bool fill,
                   bool sync, struct tio_error *err)
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
    for (uint64_t off = have; off < *want;) {
        size_t n = *want - off < LAYOUT_CHUNK ? (size_t)(*want - off) : LAYOUT_CHUNK;
        ssize_t w = pwrite(fd, chunk, n, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0 && fill && (errno == ENOSPC || errno == EDQUOT)) {
            *want = off; /* the filesystem is full: what is there is read */
            break;
        }
        if (w <= 0) {
            tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                          "%s: cannot lay out the file to %" PRIu64
                          " bytes (stopped at %" PRIu64 "): %s",
                          path, *want, off, w < 0 ? strerror(errno) : "short write");
            rc = -1;
            break;
        }
        off += (uint64_t)w;
    }
    if (rc == 0 && sync && fsync(fd) != 0) {
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
    int flags = job->queue.direct ? O_DIRECT : 0;
    if (write && job->queue.sync == TIO_SYNC_SYNC)
        flags |= O_SYNC;
    else if (write && job->queue.sync == TIO_SYNC_DSYNC)
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
                  "job %s: %s holds a mounted filesystem (or is in use by the kernel or "
                  "another "
                  "program); tenon-io never writes to it",
                  job->identity.name, path);
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
    bool write = tio_files_job_writes(job);
    int base = (write ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
    int excl = write ? O_EXCL : 0;
    *exclusive = false;
    int fd = -1;
    /* A file created by another target of this run between the two opens
     * is simply opened the next time round. */
    for (int attempt = 0; attempt < 3; attempt++) {
        fd = open(path, base | excl);
        if (fd >= 0 || errno != ENOENT || !job->durability.allow_file_create)
            break;
        if (host->plan->program.readonly) {
            tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                          "job %s: %s does not exist, and --readonly allows no file to be "
                          "created (create and fill it first, or drop --readonly)",
                          job->identity.name, path);
            errno = ENOENT;
            return -1;
        }
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
                      "job %s: %s is a symlink to a file that does not exist; create that "
                      "file, "
                      "or name it in filename= directly",
                      job->identity.name, path);
        errno = ENOENT;
        return -1;
    }
    if (fd < 0) {
        int e = errno;
        tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL, "job %s: %s: cannot open for %s: %s",
                      job->identity.name, path, write ? "writing" : "reading", strerror(e));
        errno = e;
        return -1;
    }
    if (fstat(fd, st) != 0) {
        int e = errno;
        tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL, "job %s: %s: %s", job->identity.name,
                      path, strerror(e));
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
    bool write = tio_files_job_writes(job);
    int nfd = reopen_self(fd, (write ? O_RDWR : O_RDONLY) | job_flags(job, write), st);
    if (nfd < 0 && errno == EINVAL && job->queue.direct) {
        tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                      "job %s: %s: the filesystem does not support O_DIRECT (direct=1); use "
                      "direct=0, or a file on a filesystem that supports it (tmpfs does not)",
                      job->identity.name, path);
        return -1;
    }
    if (nfd < 0)
        tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                      "job %s: %s: cannot open it again with the job's flags: %s",
                      job->identity.name, path,
                      errno == EXDEV ? "/proc/self/fd gave another file" : strerror(errno));
    return nfd;
}

/* fallocate=: pre-allocates [0, size) of a file being laid out, before
 * its data is written, as fio does. native falls back to nothing when the
 * filesystem cannot (fio's definition); the other modes fail the job. */
static int preallocate(int fd, const struct tio_job *job, const char *path, uint64_t size,
                       struct tio_error *err)
{
    int rc = 0;
    const char *how = NULL;
    switch (job->files.fallocate) {
    case TIO_FALLOCATE_NONE:
        return 0;
    case TIO_FALLOCATE_NATIVE:
        (void)fallocate(fd, 0, 0, (off_t)size);
        return 0;
    case TIO_FALLOCATE_POSIX:
        rc = posix_fallocate(fd, 0, (off_t)size);
        how = "posix_fallocate";
        break;
    case TIO_FALLOCATE_KEEP:
        rc = fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)size) == 0 ? 0 : errno;
        how = "fallocate(FALLOC_FL_KEEP_SIZE) (fallocate=keep)";
        break;
    case TIO_FALLOCATE_TRUNCATE:
        rc = ftruncate(fd, (off_t)size) == 0 ? 0 : errno;
        how = "ftruncate (fallocate=truncate)";
        break;
    }
    if (rc == 0)
        return 0;
    tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                  "job %s: %s: %s of %" PRIu64 " bytes failed: %s%s", job->identity.name, path,
                  how, size, strerror(rc),
                  rc == EOPNOTSUPP ? "; this filesystem cannot, use fallocate=native or none"
                                   : "");
    return -1;
}

/* Creates or extends a regular file to the plan's end, after checking
 * the free space of the filesystem that really holds it. fd may be
 * read-only (a read job): the layout then gets its own descriptor. */
static int grow_file(int fd, const struct stat *st, const struct tio_host_job *t, size_t i,
                     const struct target_state *s, struct target_plan *p, struct tio_error *err)
{
    const struct tio_job *job = t->job;
    const char *path = t->names[i];
    struct statvfs v;
    struct stat now;
    if (fstatvfs(fd, &v) == 0 && p->new_space > tio_files_free_bytes(&v))
        return tio_files_refuse_space(job, path, p->new_space, tio_files_free_bytes(&v), err);
    int wfd = fd;
    if ((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY) {
        wfd = reopen_self(fd, O_WRONLY, st);
        if (wfd < 0) {
            tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                          "job %s: %s: cannot open for writing to lay it out: %s",
                          job->identity.name, path, strerror(errno));
            return -1;
        }
    }
    /* As fio: a file laid out with data is pre-allocated first; a write
     * job's file gets what fallocate= says (native or posix: the blocks,
     * keep: the blocks but not the size, truncate: the size), and then,
     * where that left it short (none, keep, native where the filesystem
     * cannot), its size, sparse: an engine such as mmap cannot extend a
     * file by writing, where fio's writes would extend it. */
    int rc = preallocate(wfd, job, path, p->need, err);
    if (rc == 0 && p->layout) {
        uint64_t end = p->need;
        rc = lay_out(wfd, path, s->size, &end, job->files.fill_device,
                     job->durability.create_fsync, err);
        if (rc == 0 && end < p->need)
            rc = tio_files_filled(job, path, end, p, err);
    } else if (rc == 0 && (fstat(wfd, &now) != 0 || (uint64_t)now.st_size < p->need) &&
               ftruncate(wfd, (off_t)p->need) != 0) {
        tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                      "job %s: %s: cannot extend to %" PRIu64 " bytes: %s", job->identity.name,
                      path, p->need, strerror(errno));
        rc = -1;
    }
    if (wfd != fd)
        close(wfd);
    return rc;
}

/* A layout left to the job's thread: a descriptor of the file without the
 * job's flags (O_DIRECT would refuse the layout's buffers) and the plan. */
struct tio_later_layout {
    int fd;
    struct stat st;
    struct target_state s;
    struct target_plan p;
};

static int defer_layout(int fd, const struct stat *st, struct tio_target *tg,
                        const struct target_state *s, const struct target_plan *p,
                        const struct tio_job *job, const char *path, struct tio_error *err)
{
    struct tio_later_layout *l = calloc(1, sizeof(*l));
    if (!l) {
        tio_error_set(err, TIO_ENOMEM, NULL, NULL, NULL, "out of memory");
        return -1;
    }
    l->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (l->fd < 0) {
        tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                      "job %s: %s: cannot keep it open to lay it out later: %s",
                      job->identity.name, path, strerror(errno));
        free(l);
        return -1;
    }
    l->st = *st;
    l->s = *s;
    l->p = *p;
    tg->later = l;
    return 0;
}

static void free_later(struct tio_target *tg)
{
    if (!tg->later)
        return;
    close(tg->later->fd);
    free(tg->later);
    tg->later = NULL;
}

int tio_files_lay_out_later(struct tio_host_job *t, size_t i, struct tio_error *err)
{
    if (!t->targets || i >= t->n_files || !t->targets[i].later)
        return 0;
    struct tio_later_layout *l = t->targets[i].later;
    int rc = grow_file(l->fd, &l->st, t, i, &l->s, &l->p, err);
    if (rc == 0 && l->p.need < t->sizes[i]) {
        /* fill_device: the filesystem filled up first */
        t->regions[i] = l->p.region;
        t->sizes[i] = l->p.need;
    }
    /* what the layout left in the page cache goes, as before the run */
    if (rc == 0 && t->job->durability.invalidate && !t->job->queue.direct)
        posix_fadvise(l->fd, 0, 0, POSIX_FADV_DONTNEED);
    free_later(&t->targets[i]);
    return rc;
}

/* fill_device with verify: the region ends where the space free now does
 * (past the file's own bytes), so the log of what was written fits it;
 * the writes reach ENOSPC there or before, as without the cap. */
static int cap_to_space(int fd, const struct tio_job *job, const char *path,
                        const struct target_state *s, struct target_plan *p,
                        struct tio_error *err)
{
    struct statvfs v;
    if (fstatvfs(fd, &v) != 0)
        return 0;
    uint64_t base = s->size > p->region.start ? s->size : p->region.start;
    uint64_t free = tio_files_free_bytes(&v);
    if (free > UINT64_MAX - base || base + free >= p->region.start + p->region.len)
        return 0;
    return tio_files_filled(job, path, base + free, p, err);
}

static int prepare_path(struct tio_host *host, struct tio_host_job *t, size_t i,
                        struct tio_error *err)
{
    const struct tio_job *job = t->job;
    const char *path = t->names[i];
    struct tio_target *tg = &t->targets[i];
    bool write = tio_files_job_writes(job);
    struct stat st;
    bool exclusive;
    int fd = open_once(host, t, i, &st, &exclusive, err);
    if (fd < 0)
        return -1;
    struct target_state s;
    tio_files_state_from(&st, &s);
    struct target_plan p;
    if (s.type == S_IFBLK && tio_files_device_size(fd, path, &s.size, err) < 0)
        goto fail;
    if (tio_files_judge(t, i, &s, &p, err) < 0)
        goto fail;
    if (job->files.fill_device && s.type == S_IFREG && job->verify.method != TIO_VERIFY_NONE &&
        tio_files_job_writes(job) && cap_to_space(fd, job, path, &s, &p, err) < 0)
        goto fail;
    if (p.grow && host->plan->program.readonly) {
        /* fio refuses to lay out or extend a file with --readonly */
        tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                      "job %s: %s is %" PRIu64 " bytes and the job needs %" PRIu64
                      "; --readonly allows no write to extend it (make it large enough "
                      "first, or drop --readonly)",
                      job->identity.name, path, s.size, p.need);
        goto fail;
    }
    if (p.grow && !job->files.create_serialize) {
        /* the job's thread lays it out as it starts (fio's create_serialize=0) */
        if (defer_layout(fd, &st, tg, &s, &p, job, path, err) < 0)
            goto fail;
    } else if (p.grow && grow_file(fd, &st, t, i, &s, &p, err) < 0) {
        goto fail;
    }
    tg->type = s.type;
    tg->dev = st.st_dev;
    tg->ino = st.st_ino;
    tg->rdev = st.st_rdev;
    if (exclusive) {
        tg->claim = fcntl(fd, F_DUPFD_CLOEXEC, 0);
        if (tg->claim < 0) {
            tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                          "job %s: %s: cannot keep the device claimed: %s", job->identity.name,
                          path, strerror(errno));
            goto fail;
        }
    }
    /* Drop cached pages so reads measure the device, as fio's default
     * invalidate=1 does. */
    if (job->durability.invalidate && !job->queue.direct)
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
    t->sizes[i] = p.grow || (job->durability.create_on_open && p.need > s.size) ? p.need
                                                                                : s.size;
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
        if (!tio_files_has_path_targets(t)) {
            /* Regions come from size= (and, for URIs, from the engine once
             * it has opened the target). An engine without files has the
             * nrfiles files fio would split size= into, each the whole
             * blocks of its share and of the size fio gives it (its share
             * from the offset on); where it keeps one region
             * (tio_host_job_nf), that holds the whole blocks of all. */
            uint64_t total = job->files.size.set && !job->files.size.percent
                                 ? job->files.size.bytes
                                 : 0;
            size_t n = tio_host_job_nf(t);
            size_t parts = t->engine.no_files ? (job->files.nrfiles ? job->files.nrfiles : 1)
                                              : n;
            uint64_t align = tio_files_smallest_bs(job), bs = tio_files_cut_bs(job);
            uint64_t start = tio_job_start_offset(job, 0);
            /* fio moves an engine without files by offset_increment too */
            for (size_t i = 0; i < n; i++)
                t->regions[i] = (struct tio_region){t->engine.no_files
                                                        ? start
                                                        : tio_amount_bytes(&job->files.offset,
                                                                           0),
                                                    0};
            for (size_t f = 0; f < parts; f++) {
                uint64_t share = total / parts;
                if (align && f < (total - share * parts) / align)
                    share += align;
                if (job->files.filesize_min && (t->engine.no_files || t->engine.names_only)) {
                    /* each file filesize bytes, the IO from the offset on */
                    if (start > job->files.filesize_min) {
                        tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                                      "job %s: offset %" PRIu64
                                      " is past the end of its files, "
                                      "whose size is filesize=%" PRIu64 "; set a valid offset= "
                                      "(and offset_increment=) below filesize, or raise "
                                      "filesize",
                                      job->identity.name, start, job->files.filesize_min);
                        return -1;
                    }
                    share = tio_files_size_in_range(job, f) - start;
                }
                if (t->engine.no_files && n == parts)
                    t->sizes[f] = start + share;
                if (bs)
                    share -= share % bs;
                t->regions[n == parts ? f : 0].len += share;
            }
            /* Pseudo IO: one block, done over and over (no size bounds it) */
            if (t->engine.no_io)
                t->regions[0].len = bs ? bs : align;
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
            free_later(&t->targets[i]);
        }
        free(t->targets);
        t->targets = NULL;
    }
}
