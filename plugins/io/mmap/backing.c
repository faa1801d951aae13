/* Making sure blocks are allocated before the mmap engine touches them
 * (see backing.h for why). */
#include "backing.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

/* Units are pages: a store through the mapping dirties whole pages, so
 * allocating the pages an IO covers is exactly what the store would have
 * allocated. Files so large that their bitmap would pass 2 MiB (64 GiB of
 * 4 KiB pages) get larger units, allocating up to one unit more around
 * an IO; those blocks stay inside the file and read as zeros, as the
 * holes they replace did. */
#define MAX_UNITS ((uint64_t)1 << 24)
/* Writes allocate this much around them at once (a power of two, at least
 * a unit) while there is room, so that a job of small blocks makes one
 * fallocate() per MiB it first touches. Like fio's layout with
 * fallocate=native, this allocates blocks the job may not write yet; they
 * stay inside the file and read as zeros, as the holes did. */
#define ALLOCATE_AHEAD ((uint64_t)1 << 20)

int mmap_backing_init(mmap_backing *b, int fd, uint64_t size, bool regular_file, size_t page)
{
    *b = (mmap_backing){.fd = fd, .size = size, .all = !regular_file || size == 0};
    if (b->all)
        return 0;
    b->shift = 12;
    while (((uint64_t)1 << b->shift) < page)
        b->shift++;
    while ((size >> b->shift) >= MAX_UNITS)
        b->shift++;
    uint64_t units = ((size - 1) >> b->shift) + 1;
    b->known = calloc((size_t)((units + 7) / 8), 1);
    return b->known ? 0 : -ENOMEM;
}

void mmap_backing_free(mmap_backing *b)
{
    free(b->known);
    b->known = NULL;
}

static bool is_known(const mmap_backing *b, uint64_t u)
{
    return b->known[u >> 3] & (1u << (u & 7));
}

static void mark(mmap_backing *b, uint64_t u0, uint64_t u1)
{
    for (uint64_t u = u0; u <= u1; u++)
        b->known[u >> 3] |= (uint8_t)(1u << (u & 7));
}

/* Whether [off, end) holds no hole. A filesystem that cannot tell says
 * the whole file is data, which is all that can be known there. */
static bool no_hole(const mmap_backing *b, uint64_t off, uint64_t end)
{
    off_t hole = lseek(b->fd, (off_t)off, SEEK_HOLE);
    return hole < 0 || (uint64_t)hole >= end;
}

static int allocate(const mmap_backing *b, uint64_t off, uint64_t len)
{
    int rc;
    do
        rc = fallocate(b->fd, 0, (off_t)off, (off_t)len);
    while (rc != 0 && errno == EINTR);
    return rc == 0 ? 0 : -errno;
}

int mmap_backing_prepare(mmap_backing *b, bool write, uint64_t off, uint64_t len)
{
    if (b->all)
        return MMAP_BY_MAPPING;
    uint64_t u0 = off >> b->shift, u1 = (off + len - 1) >> b->shift;
    bool known = true;
    for (uint64_t u = u0; u <= u1 && known; u++)
        known = is_known(b, u);
    if (known)
        return MMAP_BY_MAPPING;

    uint64_t start = u0 << b->shift;
    uint64_t end = (u1 + 1) << b->shift;
    if (end > b->size)
        end = b->size;
    if (write && !b->no_fallocate) {
        /* Ahead: one call per ALLOCATE_AHEAD, not one per IO. Only when
         * the room for that is lacking does the IO get just its pages. */
        uint64_t ahead = (start & ~(ALLOCATE_AHEAD - 1)) >> b->shift;
        uint64_t ahead_end = (end + ALLOCATE_AHEAD - 1) & ~(ALLOCATE_AHEAD - 1);
        if (ahead_end > b->size)
            ahead_end = b->size;
        int rc = allocate(b, ahead << b->shift, ahead_end - (ahead << b->shift));
        if (rc == 0) {
            mark(b, ahead, (ahead_end - 1) >> b->shift);
            return MMAP_BY_MAPPING;
        }
        if (rc == -ENOSPC || rc == -EDQUOT)
            rc = allocate(b, start, end - start);
        if (rc == 0) {
            mark(b, u0, u1);
            return MMAP_BY_MAPPING;
        }
        if (rc != -EOPNOTSUPP && rc != -ENOSYS)
            return rc; /* ENOSPC, EDQUOT...: the IO's error */
        b->no_fallocate = true;
    }
    if (no_hole(b, start, end)) {
        mark(b, u0, u1);
        return MMAP_BY_MAPPING;
    }
    return MMAP_BY_FD;
}

void mmap_backing_forget(mmap_backing *b, uint64_t off, uint64_t len)
{
    if (b->all || len == 0 || off >= b->size)
        return;
    uint64_t last = off + len - 1 < b->size - 1 ? off + len - 1 : b->size - 1;
    for (uint64_t u = off >> b->shift; u <= last >> b->shift; u++)
        b->known[u >> 3] &= (uint8_t) ~(1u << (u & 7));
}
