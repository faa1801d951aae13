/* Blocks behind a shared mapping. A store into a page whose blocks the
 * filesystem cannot allocate (it is full, or over quota) raises SIGBUS,
 * which would end the whole run without a report; tmpfs even allocates
 * on a load from a hole. So before an IO touches part of a file through
 * the mapping for the first time, the engine makes sure blocks are there:
 *
 *   writes allocate the pages they touch with fallocate() (contents are
 *   untouched; only holes get blocks), and fail with ENOSPC (EDQUOT) when
 *   that fails;
 *   reads look for holes (SEEK_HOLE) and read a range that has one with
 *   pread(), which returns zeros without allocating anything.
 *
 * Where the filesystem has no fallocate(), writes into a range with holes
 * go through pwrite(), which allocates and reports ENOSPC itself.
 *
 * A page once known to be backed is marked in a bitmap, so the IO path
 * stays a few bit tests and a copy after the first touch. Block devices
 * have no holes: nothing to do for them. */
#ifndef ENG_MMAP_BACKING_H
#define ENG_MMAP_BACKING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mmap_backing {
    uint8_t *known; /* bit per unit: blocks allocated, no hole */
    uint64_t size;  /* file size */
    unsigned shift; /* a unit is 1 << shift bytes: a page, or more */
    int fd;
    bool all;          /* nothing to check (not a regular file) */
    bool no_fallocate; /* the filesystem refused fallocate() */
} mmap_backing;

/* How an IO is to be done once its range is backed. */
enum mmap_way {
    MMAP_BY_MAPPING = 0, /* copy through the mapping */
    MMAP_BY_FD = 1,      /* pread()/pwrite(): the range has holes */
};

/* Sets up the bitmap for the file behind fd. Returns 0 or -errno. */
int mmap_backing_init(mmap_backing *b, int fd, uint64_t size, bool regular_file, size_t page);
void mmap_backing_free(mmap_backing *b);

/* Before an IO on [off, off + len), inside the file: returns the way to do
 * it, or -errno (-ENOSPC, -EDQUOT when a write cannot get its blocks). */
int mmap_backing_prepare(mmap_backing *b, bool write, uint64_t off, uint64_t len);

/* After a trim punched [off, off + len): those chunks have holes again. */
void mmap_backing_forget(mmap_backing *b, uint64_t off, uint64_t len);

#endif
