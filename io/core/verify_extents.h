/* The verify log of a file whose writes vary in size or leave the block
 * grid (bsrange, bssplit, bs_unaligned, sequential gaps): the extents
 * written, each with its length and write number, ordered by offset, as
 * fio's io_piece tree. Extents never overlap: a write that overlaps logged
 * extents replaces all of them, as fio's log_io_piece drops every older
 * piece it overlaps (their checksums cover their whole length, so no part
 * of them can be checked any more). A treap in one array: O(log n) per
 * write, and no allocation per write once the array has grown. */
#ifndef TIO_VERIFY_EXTENTS_H
#define TIO_VERIFY_EXTENTS_H

#include <stdbool.h>
#include <stdint.h>

struct tio_vext_node {
    uint64_t pos;    /* the extent's start in the file's region */
    uint32_t len;    /* its length (verify caps a header's piece at 4 GiB) */
    uint32_t num;    /* the write's number + 1 */
    uint32_t prio;   /* the treap's heap key */
    uint32_t kid[2]; /* left, right: indices, 0 for none */
};

struct tio_vext {
    struct tio_vext_node *n; /* n[0] is the empty tree's sentinel */
    uint32_t cap, used;      /* slots allocated, slots ever used */
    uint32_t free_list;      /* freed slots, chained through kid[0] */
    uint32_t root;
    uint32_t prio_state; /* the heap keys' generator */
    uint64_t count;      /* extents logged */
};

struct tio_vext_extent {
    uint64_t pos;
    uint64_t len;
    uint32_t num;
};

void tio_vext_init(struct tio_vext *x);
void tio_vext_free(struct tio_vext *x);
/* Forgets every extent (a new pass), keeping the memory. */
void tio_vext_clear(struct tio_vext *x);
/* Logs write num at [pos, pos + len), dropping every extent it overlaps.
 * Returns the number of extents dropped, or -1 when out of memory. */
int64_t tio_vext_put(struct tio_vext *x, uint64_t pos, uint64_t len, uint32_t num);
/* The extent that starts at pos, if it holds write num: dropped, true. */
bool tio_vext_drop(struct tio_vext *x, uint64_t pos, uint32_t num);
/* Whether the extent starting at pos holds write num. */
bool tio_vext_holds(const struct tio_vext *x, uint64_t pos, uint32_t num);
/* Whether any extent overlaps [pos, pos + len). */
bool tio_vext_overlaps(const struct tio_vext *x, uint64_t pos, uint64_t len);
/* The first extent starting at or after pos; false when there is none. */
bool tio_vext_first_from(const struct tio_vext *x, uint64_t pos, struct tio_vext_extent *e);

#endif
