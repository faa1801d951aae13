/* The job thread's memory, as fio's memory.c: what its IO buffers are
 * allocated from (mem=/iomem=: the heap, System V shared memory, or an
 * mmap, anonymous or of the named file; huge pages rounded up to
 * hugepage-size) and lockmem's pinned memory (an anonymous mapping of that
 * many bytes, mlock(2)ed while the job runs, fio's way of leaving the
 * system less memory). Done once per job, before and after the IO. */
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef HUGETLBFS_MAGIC
#define HUGETLBFS_MAGIC 0x958458f6
#endif

/* fio's rounding of huge-page memory to whole pages of hugepage-size. */
static size_t huge_round(const struct tio_job *job, size_t size)
{
    uint64_t hp = job->placement.hugepage_size;
    if (!hp)
        return size;
    return (size_t)((size + hp - 1) / hp * hp);
}

static int alloc_shm(struct worker *w, size_t size, void **area)
{
    const struct tio_job *job = w->job;
    struct tio_mem *m = &w->mem;
    int flags = IPC_CREAT | S_IRUSR | S_IWUSR;
    if (job->placement.mem_type == TIO_MEM_SHMHUGE) {
        flags |= SHM_HUGETLB;
        size = huge_round(job, size);
    }
    m->shm_id = shmget(IPC_PRIVATE, size, flags);
    if (m->shm_id < 0) {
        int e = errno;
        tio_worker_fail(w, ENOMEM, "mem=%s: shmget of %zu bytes failed: %s%s",
                        job->placement.mem_type == TIO_MEM_SHMHUGE ? "shmhuge" : "shm", size,
                        strerror(e),
                        job->placement.mem_type == TIO_MEM_SHMHUGE
                            ? " (are there free huge pages, /proc/sys/vm/nr_hugepages, and "
                              "is hugepage-size the system's?)"
                            : "");
        return -1;
    }
    void *p = shmat(m->shm_id, NULL, 0);
    if (p == (void *)-1) {
        int e = errno;
        shmctl(m->shm_id, IPC_RMID, NULL);
        m->shm_id = -1;
        tio_worker_fail(w, ENOMEM, "mem=shm: shmat failed: %s", strerror(e));
        return -1;
    }
    *area = p;
    return 0;
}

/* Closes mem=mmap*:FILE and removes it when this job created it (and the
 * name still leads to that file). */
static void drop_file(struct worker *w)
{
    struct tio_mem *m = &w->mem;
    if (m->fd >= 0)
        close(m->fd);
    m->fd = -1;
    struct stat st;
    const char *path = w->job->placement.mmapfile;
    if (path && m->created && lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
        st.st_dev == m->dev && st.st_ino == m->ino)
        (void)unlink(path);
    m->created = false;
}

/* mem=mmap*:FILE: opened (created if missing) without following a
 * symlink, and only a regular file; fio's ftruncate to the buffers' size
 * for a private mapping. A file created here is removed at the end, one
 * that existed is kept, as fio. */
static int open_mmapfile(struct worker *w, size_t size, int *flags)
{
    const struct tio_job *job = w->job;
    struct tio_mem *m = &w->mem;
    const char *path = job->placement.mmapfile;
    m->keep_file = access(path, F_OK) == 0;
    m->fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    struct stat st;
    if (m->fd < 0 || fstat(m->fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int e = m->fd < 0 ? errno : EINVAL;
        tio_worker_fail(w, e, "mem=...:%s: %s", path,
                        e == EINVAL || e == ELOOP
                            ? "not a regular file (give a file to map, such as one on a "
                              "hugetlbfs or tmpfs mount)"
                            : strerror(e));
        return -1;
    }
    m->dev = st.st_dev;
    m->ino = st.st_ino;
    m->created = !m->keep_file;
    enum tio_mem_type t = job->placement.mem_type;
    struct statfs fs;
    bool hugetlbfs = fstatfs(m->fd, &fs) == 0 && fs.f_type == HUGETLBFS_MAGIC;
    if (t != TIO_MEM_MMAP && !hugetlbfs && (uint64_t)st.st_size < size) {
        /* fio maps it as it is, and its first IO past the file's end dies
         * of SIGBUS */
        tio_worker_fail(w, EINVAL,
                        "mem=%s:%s: the file is %" PRIu64 " bytes, and the shared mapping "
                        "of the job's buffers needs %zu (make it that large first, or use "
                        "a file on hugetlbfs)",
                        t == TIO_MEM_MMAPHUGE ? "mmaphuge" : "mmapshared", path,
                        (uint64_t)st.st_size, size);
        return -1;
    }
    if (t == TIO_MEM_MMAP && ftruncate(m->fd, (off_t)size) != 0) {
        tio_worker_fail(w, errno, "mem=mmap:%s: cannot size it to %zu bytes: %s", path, size,
                        strerror(errno));
        return -1;
    }
    *flags = t == TIO_MEM_MMAP ? MAP_PRIVATE : MAP_SHARED;
    return 0;
}

static int alloc_mmap(struct worker *w, size_t size, void **area)
{
    const struct tio_job *job = w->job;
    struct tio_mem *m = &w->mem;
    int flags = 0;
    if (job->placement.mem_type == TIO_MEM_MMAPHUGE) {
        if (!job->placement.mmapfile)
            flags |= MAP_HUGETLB;
        size = huge_round(job, size);
    }
    if (job->placement.mmapfile) {
        if (open_mmapfile(w, size, &flags) < 0) {
            drop_file(w);
            return -1;
        }
    } else {
        /* fio: anonymous memory is private, mmapshared's too */
        flags |= MAP_ANONYMOUS | MAP_PRIVATE;
    }
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, m->fd, 0);
    if (p == MAP_FAILED) {
        int e = errno;
        drop_file(w);
        tio_worker_fail(w, ENOMEM, "mem: mmap of %zu bytes failed: %s%s", size, strerror(e),
                        flags & MAP_HUGETLB ? " (are there free huge pages, "
                                              "/proc/sys/vm/nr_hugepages?)"
                                            : "");
        return -1;
    }
    *area = p;
    m->map_size = size;
    return 0;
}

int tio_mem_area_alloc(struct worker *w, size_t size, void **area)
{
    struct tio_mem *m = &w->mem;
    m->shm_id = -1;
    m->fd = -1;
    switch (w->job->placement.mem_type) {
    case TIO_MEM_MALLOC:
        /* page-aligned: O_DIRECT needs it, and fio aligns its heap buffers
         * for direct IO too */
        return posix_memalign(area, 4096, size) == 0 ? 0 : -1;
    case TIO_MEM_SHM:
    case TIO_MEM_SHMHUGE:
        return alloc_shm(w, size, area);
    default:
        return alloc_mmap(w, size, area);
    }
}

void tio_mem_area_free(struct worker *w, void *area)
{
    struct tio_mem *m = &w->mem;
    if (!area)
        return;
    switch (w->job->placement.mem_type) {
    case TIO_MEM_MALLOC:
        free(area);
        return;
    case TIO_MEM_SHM:
    case TIO_MEM_SHMHUGE:
        shmdt(area);
        shmctl(m->shm_id, IPC_RMID, NULL);
        m->shm_id = -1;
        return;
    default:
        munmap(area, m->map_size);
        break;
    }
    drop_file(w);
}

int tio_mem_pin(struct worker *w)
{
    struct tio_mem *m = &w->mem;
    uint64_t want = w->job->placement.lockmem;
    if (!want)
        return 0;
    /* fio: never more than the machine's memory less 128 MiB */
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    uint64_t phys = pages > 0 && psize > 0 ? (uint64_t)pages * (uint64_t)psize : 0;
    if (phys && want + (128u << 20) > phys) {
        want = phys > (128u << 20) ? phys - (128u << 20) : 0;
        fprintf(stderr, "tenon-io: job %s: limiting mlocked memory to %" PRIu64 "MiB\n",
                w->job->identity.name, want >> 20);
    }
    void *p = mmap(NULL, (size_t)want, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
                   0);
    if (p == MAP_FAILED) {
        tio_worker_fail(w, errno, "lockmem: cannot map %" PRIu64 " bytes: %s", want,
                        strerror(errno));
        return -1;
    }
    if (mlock(p, (size_t)want) != 0) {
        int e = errno;
        munmap(p, (size_t)want);
        tio_worker_fail(w, e, "lockmem: mlock of %" PRIu64 " bytes failed: %s%s", want,
                        strerror(e),
                        e == ENOMEM || e == EPERM
                            ? " (RLIMIT_MEMLOCK, ulimit -l, is lower: raise it or lockmem)"
                            : "");
        return -1;
    }
    m->pinned = p;
    m->pinned_size = (size_t)want;
    return 0;
}

void tio_mem_unpin(struct worker *w)
{
    struct tio_mem *m = &w->mem;
    if (!m->pinned)
        return;
    munlock(m->pinned, m->pinned_size);
    munmap(m->pinned, m->pinned_size);
    m->pinned = NULL;
}
