/* Data verification. Every block a verify job writes starts with a header
 * naming what the block should be (offset, length, job, the seed of its
 * contents) and a checksum of the rest; reading it back checks both, so a
 * block that landed at the wrong offset is caught as surely as a flipped
 * bit. Headers are self-contained: a later read job (rw=read with verify=)
 * checks blocks written by an earlier run. */
#ifndef TIO_VERIFY_H
#define TIO_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TIO_VERIFY_MAGIC 0x56494f54u /* "TOIV" */

enum tio_verify_kind { TIO_VK_CRC32C = 1, TIO_VK_SHA256 = 2 };

struct tio_verify_hdr {
    uint32_t magic;
    uint16_t version;   /* 1 */
    uint16_t kind;      /* tio_verify_kind */
    uint32_t len;       /* bytes of the block, header included */
    uint32_t job;       /* hash of the writing job's name */
    uint64_t offset;    /* where the block was written */
    uint64_t seed;      /* seed of the payload bytes */
    uint32_t hdr_crc;   /* crc32c of the fields above */
    uint32_t pad;
    uint8_t sum[32];    /* checksum of the payload (bytes after the header) */
};

/* Smallest block a verify job may use. */
#define TIO_VERIFY_MIN_BLOCK sizeof(struct tio_verify_hdr)

/* Fills buf (len bytes) with a verifiable block for offset: header, then
 * pseudo-random payload from seed. */
void tio_verify_fill(void *buf, size_t len, enum tio_verify_kind kind, uint32_t job,
                     uint64_t offset, uint64_t seed);

/* Checks a block read from offset. Returns true if it is intact; otherwise
 * false with a one-line description in why ("checksum mismatch: expected
 * crc32c 0x1234abcd, found 0x00000000", "header says offset 8192, expected
 * 4096 (block written elsewhere?)", "no verify header (magic 0x00000000,
 * expected 0x56494f54): block never written, or overwritten"). */
bool tio_verify_check(const void *buf, size_t len, enum tio_verify_kind kind, uint64_t offset,
                      char *why, size_t why_size);

uint32_t tio_verify_job_hash(const char *name);

#endif
