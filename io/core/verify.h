/* Data verification, in fio's on-disk format, so that fio checks what
 * tenon-io wrote and tenon-io checks what fio wrote.
 *
 * Every verify_interval bytes of a written block (the whole block by
 * default) start with fio's 40-byte header (magic 0xacca, the method, the
 * piece's length, the seed of the write, the piece's offset, the time, the
 * job, the write's number, a crc32c of those fields), then the method's own
 * checksum of the rest of the piece (crc32c: 4 bytes, sha256: 64 bytes),
 * then data. Reading a piece back checks every field that can be known: a
 * block at the wrong offset, a block from another job or run (a write that
 * never reached the storage), a stale overwrite and a flipped bit are all
 * caught and named. Headers are self-contained: a later read job (rw=read
 * with verify=) checks what an earlier run wrote, as fio does. */
#ifndef TIO_VERIFY_H
#define TIO_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tio_job.h"
#include "verify_methods.h"

#define TIO_VERIFY_MAGIC 0xaccau

/* fio's struct verify_header, field for field (host byte order, as fio). */
struct tio_verify_hdr {
    uint16_t magic;
    uint16_t verify_type;
    uint32_t len;       /* bytes of the piece, header included */
    uint64_t rand_seed; /* seed of the write's data */
    uint64_t offset;    /* where the piece belongs */
    uint32_t time_sec;  /* when it was written (information only) */
    uint32_t time_nsec;
    uint16_t thread;   /* the writing job (information only) */
    uint16_t numberio; /* the write's number in its job, modulo 2^16 */
    uint32_t crc32;    /* fio's crc32c of the fields above */
};

/* How a job lays out and checks its blocks. */
struct tio_verify_params {
    const struct tio_verify_method *m;
    uint64_t interval; /* bytes per header; 0: one header per IO */
    uint16_t thread;   /* written into each header */
    /* When not 0, the thread every header read must hold: a job of a run
     * under mpirun that reads another rank's part (rank_shift) knows which
     * rank wrote it. */
    uint16_t expect_thread;
    const uint8_t *pattern; /* verify_pattern: the data (NULL: random data) */
    size_t pattern_len;
    const struct tio_job_pattern_fmt *fmt; /* where %o pastes the IO's offset */
    uint64_t header_offset; /* verify_offset: the header is swapped with these bytes */
    /* buffer_compress_percentage: fio's random data covers the first
     * (100 - compress)% of each write, zeros or buffer_pattern the rest */
    unsigned compress;
    const uint8_t *fixed; /* buffer_pattern (NULL: zeros) */
    size_t fixed_len;
    const char *aux_path; /* --aux-path: where verify_dump's files go (NULL: here) */
};

/* What a piece must hold beyond its offset and length, when the checking
 * job knows (it wrote the block itself). */
struct tio_verify_expect {
    uint64_t rand_seed;
    uint16_t numberio;
    bool check_numberio; /* fio checks it only where it can be known */
    bool check_seed;     /* verify_header_seed */
};

/* Header bytes (fio's header and the method's checksum) of a method:
 * 0 for verify=pattern and null, which write no header. */
size_t tio_verify_header_size(const struct tio_verify_method *m);

/* Bytes per header as fio lays them out (init.c, get_hdr_inc): a given
 * verify_interval; else the smallest write size (for a job that reads,
 * at most its smallest read size) when it divides the largest, else the
 * gcd of the two; 0 (one header per IO) under bs_unaligned. An IO whose
 * length it does not divide carries one header. */
uint64_t tio_verify_interval(const struct tio_job *job);

/* Whether the writes of direction slot d vary in size or leave the grid
 * of their size (sequential gaps), so that the verify log keeps extents
 * (verify_extents.h) rather than one entry per block. */
bool tio_verify_uses_extents(const struct tio_job *job, unsigned d);

/* Fills params for a job (its method, interval, pattern). */
void tio_verify_params_init(struct tio_verify_params *p, const struct tio_job *job);

/* Refuses, before anything runs, a verify job whose blocks cannot hold
 * fio's layout: blocks no larger than the header, a verify_interval that
 * does not divide the block size, sequential gaps that break the block
 * grid, methods tenon-io does not have. Returns 0, or -1 with the reason
 * (naming the job and the options to change) in err. */
int tio_verify_job_check(const struct tio_job *job, struct tio_error *err);

/* Fills buf (len bytes) with a verifiable write for offset: data from
 * rand_seed, one header per interval. Returns false, writing nothing, if
 * len cannot hold the layout (tio_verify_job_check keeps this from
 * happening). */
bool tio_verify_fill(void *buf, size_t len, const struct tio_verify_params *p, uint64_t offset,
                     uint64_t rand_seed, uint16_t numberio);

/* Checks len bytes read from offset (verify_offset's swapped headers are
 * swapped back in buf). expect is NULL when the job does not
 * know which write to expect (a read job checking an earlier run). Returns
 * true if every piece is intact; otherwise false with the offset of the
 * first bad piece in *bad_offset and a one-line description in why (code
 * TIO_EVERIFY): the
 * field, the expected and the found value ("bad header rand_seed: expected
 * 0x..., found 0x... (the block holds another job's or run's write: a
 * lost write?)", "crc32c checksum mismatch: expected ..., found ..."). */
bool tio_verify_check(void *buf, size_t len, const struct tio_verify_params *p, uint64_t offset,
                      const struct tio_verify_expect *expect, uint64_t *bad_offset,
                      struct tio_error *why);

/* verify_dump: writes the failed piece at bad_offset of an IO (buf, len
 * bytes at io_offset) to FILE.OFFSET.received and what it should hold to
 * FILE.OFFSET.expected, or, when its header is bad, to FILE.OFFSET.hdr_fail,
 * in p->aux_path or the working folder, as fio does (verify_dump.c). */
void tio_verify_dump(const struct tio_verify_params *p, const void *buf, size_t len,
                     uint64_t io_offset, uint64_t bad_offset, const char *file_name,
                     bool header_bad);

/* The seed of the data of write number n of a job whose base is base. */
uint64_t tio_verify_write_seed(uint64_t base, uint32_t n);

uint32_t tio_verify_job_hash(const char *name);

#endif
