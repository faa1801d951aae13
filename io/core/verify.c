#include "verify.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crc32c.h"
#include "rand.h"

_Static_assert(sizeof(struct tio_verify_hdr) == 40, "fio's verify_header is 40 bytes");

/* fio's verify_interval floor: two headers' worth. */
#define MIN_INTERVAL (2 * sizeof(struct tio_verify_hdr))

/* fio's method headers: vhdr_crc32 and vhdr_sha256 (64 bytes, of which its
 * sha256 fills all: see fio_sha256). */
#define CRC32C_SUM 4u
#define SHA256_SUM 64u

/* fio's crc32c starts from ~0 and, unlike the standard, is not inverted at
 * the end. */
static uint32_t fio_crc32c(const void *p, size_t n)
{
    return ~tio_crc32c(0, p, n);
}

/* fio's sha256 (crc/sha256.c) is not standard SHA-256, and fio checks
 * blocks against its own: the message length is appended little-endian,
 * the digest keeps only the low byte of each of the 8 state words, and the
 * other 56 of its 64 bytes are the tail of the last padded block. The
 * compression is standard, so libsodium does it: its state after the data
 * and fio's padding is fio's. */
static void fio_sha256(const uint8_t *p, size_t n, uint8_t out[SHA256_SUM])
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, p, n);
    size_t index = n & 63;
    size_t pad_len = index < 56 ? 56 - index : 120 - index;
    uint8_t pad[128] = {0x80};
    uint64_t bits = (uint64_t)(uint32_t)n << 3; /* fio counts bytes in 32 bits */
    memcpy(pad + pad_len, &bits, sizeof(bits));
    size_t tail = pad_len + sizeof(bits);
    crypto_hash_sha256_update(&st, pad, tail);

    uint8_t last[64];
    if (tail >= 64) {
        memcpy(last, pad + tail - 64, 64);
    } else {
        memcpy(last, p + n - (64 - tail), 64 - tail);
        memcpy(last + 64 - tail, pad, tail);
    }
    memcpy(out, last, 64);
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)st.state[i];
}

static const char *kind_name(unsigned kind)
{
    switch (kind) {
    case TIO_VK_CRC32C: return "crc32c";
    case TIO_VK_CRC32C_INTEL: return "crc32c-intel";
    case TIO_VK_SHA256: return "sha256";
    default: return "a method tenon-io does not have";
    }
}

static size_t sum_size(enum tio_verify_kind kind)
{
    return kind == TIO_VK_SHA256 ? SHA256_SUM : CRC32C_SUM;
}

size_t tio_verify_header_size(enum tio_verify_kind kind)
{
    return sizeof(struct tio_verify_hdr) + sum_size(kind);
}

static void data_sum(enum tio_verify_kind kind, const uint8_t *p, size_t n, uint8_t *out)
{
    if (kind == TIO_VK_SHA256) {
        fio_sha256(p, n, out);
    } else {
        uint32_t c = fio_crc32c(p, n);
        memcpy(out, &c, sizeof(c));
    }
}

static bool same_kind(enum tio_verify_kind want, unsigned found)
{
    if (want == TIO_VK_CRC32C || want == TIO_VK_CRC32C_INTEL)
        return found == TIO_VK_CRC32C || found == TIO_VK_CRC32C_INTEL;
    return found == (unsigned)want;
}

/* Bytes per header in an IO of len bytes: the interval when it divides the
 * IO (tio_verify_job_check sees to that), else the whole IO. */
static uint64_t piece_len(const struct tio_verify_params *p, size_t len)
{
    if (p->interval && p->interval < len && len % p->interval == 0)
        return p->interval;
    return len;
}

uint32_t tio_verify_job_hash(const char *name)
{
    return tio_crc32c(0, name, strlen(name));
}

uint64_t tio_verify_write_seed(uint64_t base, uint32_t n)
{
    struct tio_rand r;
    tio_rand_seed(&r, base + n);
    return tio_rand_next(&r);
}

int tio_verify_job_check(const struct tio_job *job, struct tio_error *err)
{
    enum tio_verify_kind kind;
    switch (job->verify.method) {
    case TIO_VERIFY_NONE: return 0;
    case TIO_VERIFY_CRC32C: kind = TIO_VK_CRC32C; break;
    case TIO_VERIFY_SHA256: kind = TIO_VK_SHA256; break;
    default:
        tio_error_set(err, TIO_EUNSUPPORTED, NULL, NULL, NULL,
                      "job %s: verify=%s is not supported by tenon-io; use verify=crc32c (fast) or "
                      "verify=sha256", job->identity.name, tio_verify_name(job->verify.method));
        return -1;
    }
    const char *method = kind_name(kind);
    size_t hs = tio_verify_header_size(kind);
    bool writes = tio_rw_writes(job->pattern.rw);
    /* The blocks that carry headers: what the job writes, or for a read
     * job, what it reads (each read must be one block written earlier). */
    unsigned d = writes ? TIO_JOB_DDIR_WRITE : TIO_JOB_DDIR_READ;
    uint64_t bs = job->pattern.bs[d];
    const char *bs_name = writes && job->pattern.bs[TIO_JOB_DDIR_READ] != bs
                              ? "the write block size"
                          : writes ? "bs"
                                   : "the read block size";
    if (bs <= hs) {
        tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                      "job %s: %s (%" PRIu64 " bytes) is too small for verify=%s: every block "
                      "carries a %zu-byte verify header and data after it; use bs=%zu or more",
                      job->identity.name, bs_name, bs, method, hs, hs + 1);
        return -1;
    }
    if (bs > UINT32_MAX &&
        (!job->verify.verify_interval || job->verify.verify_interval > UINT32_MAX)) {
        tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                      "job %s: %s (%" PRIu64 " bytes) is too large for verify: a verify header "
                      "covers at most 4 GiB; set verify_interval= to a divisor of it",
                      job->identity.name, bs_name, bs);
        return -1;
    }
    uint64_t vi = job->verify.verify_interval;
    if (vi) {
        size_t floor = hs + 1 > MIN_INTERVAL ? hs + 1 : MIN_INTERVAL;
        if (vi < floor) {
            tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                          "job %s: verify_interval=%" PRIu64 " is too small for verify=%s: each "
                          "piece carries a %zu-byte header and data; use %zu or more",
                          job->identity.name, vi, method, hs, floor);
            return -1;
        }
        if (vi > bs || bs % vi) {
            tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                          "job %s: verify_interval=%" PRIu64 " does not divide %s (%" PRIu64
                          " bytes): set it to a divisor of the block size, or leave it out for one "
                          "header per block (fio would quietly use one header per block)",
                          job->identity.name, vi, bs_name, bs);
            return -1;
        }
    }
    if (writes && !tio_rw_is_random(job->pattern.rw) &&
        job->pattern.rw_modifier % job->pattern.bs[TIO_JOB_DDIR_WRITE]) {
        tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                      "job %s: with verify, the gap of a sequential rw (rw=...:%" PRIu64 ") must "
                      "be a multiple of the write block size (%" PRIu64 "), so that every block "
                      "written can be read back whole",
                      job->identity.name, job->pattern.rw_modifier,
                      job->pattern.bs[TIO_JOB_DDIR_WRITE]);
        return -1;
    }
    return 0;
}

bool tio_verify_fill(void *buf, size_t len, const struct tio_verify_params *p, uint64_t offset,
                     uint64_t rand_seed, uint16_t numberio)
{
    size_t hs = tio_verify_header_size(p->kind);
    uint64_t piece = piece_len(p, len);
    if (piece <= hs || piece > UINT32_MAX)
        return false;

    /* Data for the whole IO, then the headers over it, as fio lays it out. */
    uint8_t *b = buf;
    struct tio_rand r;
    tio_rand_seed(&r, rand_seed);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t v = tio_rand_next(&r);
        memcpy(b + i, &v, 8);
    }
    if (i < len) {
        uint64_t v = tio_rand_next(&r);
        memcpy(b + i, &v, len - i);
    }

    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    for (uint64_t at = 0; at < len; at += piece) {
        struct tio_verify_hdr h = {
            .magic = TIO_VERIFY_MAGIC,
            .verify_type = (uint16_t)p->kind,
            .len = (uint32_t)piece,
            .rand_seed = rand_seed,
            .offset = offset + at,
            .time_sec = (uint32_t)now.tv_sec,
            .time_nsec = (uint32_t)now.tv_nsec,
            .thread = p->thread,
            .numberio = numberio,
        };
        h.crc32 = fio_crc32c(&h, offsetof(struct tio_verify_hdr, crc32));
        memcpy(b + at, &h, sizeof(h));
        data_sum(p->kind, b + at + hs, piece - hs, b + at + sizeof(h));
    }
    return true;
}

static void hex(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

/* Checks one piece; false with why. */
static bool check_piece(const uint8_t *q, uint64_t piece, const struct tio_verify_params *p,
                        uint64_t offset, const struct tio_verify_expect *expect,
                        struct tio_error *why)
{
    struct tio_verify_hdr h;
    memcpy(&h, q, sizeof(h));
    if (h.magic != TIO_VERIFY_MAGIC) {
        tio_error_set(why, TIO_EVERIFY, NULL, NULL, NULL,
                      "bad header magic: expected 0x%04x, found 0x%04x (no verify header: the "
                      "block was never written by a verify job, or was overwritten)",
                      TIO_VERIFY_MAGIC, h.magic);
        return false;
    }
    uint32_t crc = fio_crc32c(&h, offsetof(struct tio_verify_hdr, crc32));
    if (crc != h.crc32) {
        tio_error_set(why, TIO_EVERIFY, NULL, NULL, NULL,
                      "bad header crc32: expected 0x%08x (stored), found 0x%08x (computed over the "
                      "header): the header is corrupted",
                      h.crc32, crc);
        return false;
    }
    if (!same_kind(p->kind, h.verify_type)) {
        tio_error_set(why, TIO_EVERIFY, NULL, NULL, NULL,
                      "bad header verify_type: expected %u (%s), found %u (%s): the block was "
                      "written with another verify method",
                      (unsigned)p->kind, kind_name(p->kind), h.verify_type,
                      kind_name(h.verify_type));
        return false;
    }
    if (h.len != piece) {
        tio_error_set(why, TIO_EVERIFY, NULL, NULL, NULL,
                      "bad header len: expected %" PRIu64 ", found %u (written with another block "
                      "size or verify_interval?)",
                      piece, h.len);
        return false;
    }
    if (h.offset != offset) {
        tio_error_set(why, TIO_EVERIFY, NULL, NULL, NULL,
                      "bad header offset: expected %" PRIu64 ", found %" PRIu64 " (the block was "
                      "written elsewhere: a misdirected write?)",
                      offset, h.offset);
        return false;
    }
    if (p->expect_thread && h.thread != p->expect_thread) {
        tio_error_set(why, TIO_EVERIFY, NULL, NULL, NULL,
                      "bad header thread: expected %u, found %u (this part of the shared file "
                      "belongs to rank %u of the ranks sharing it, but rank %d wrote it: the "
                      "writers did not divide the file as rank_shift expects)",
                      (unsigned)p->expect_thread, h.thread, p->expect_thread - 1u,
                      (int)h.thread - 1);
        return false;
    }
    /* The write's number before its seed (fio checks the seed first): when
     * both differ, the block most often holds an earlier write of the
     * same job, which the number says. */
    if (expect && h.numberio != expect->numberio) {
        tio_error_set(why, TIO_EVERIFY, NULL, NULL, NULL,
                      "bad header numberio: expected %u, found %u (the block holds another write, "
                      "earlier or from another run: this job's write there was lost?)",
                      expect->numberio, h.numberio);
        return false;
    }
    if (expect && h.rand_seed != expect->rand_seed) {
        tio_error_set(why, TIO_EVERIFY, NULL, NULL, NULL,
                      "bad header rand_seed: expected 0x%016" PRIx64 ", found 0x%016" PRIx64
                      " (the block holds another job's or run's write: this job's write was lost?)",
                      expect->rand_seed, h.rand_seed);
        return false;
    }
    size_t hs = tio_verify_header_size(p->kind);
    size_t n = sum_size(p->kind);
    uint8_t sum[SHA256_SUM];
    data_sum(p->kind, q + hs, piece - hs, sum);
    const uint8_t *stored = q + sizeof(h);
    if (memcmp(sum, stored, n) != 0) {
        /* fio's sha256 digest is its first 8 bytes; the rest follows from
         * the data. Show what identifies the mismatch. */
        size_t shown = p->kind == TIO_VK_SHA256 ? 8 : n;
        char expected[2 * SHA256_SUM + 1], found[2 * SHA256_SUM + 1];
        hex(stored, shown, expected);
        hex(sum, shown, found);
        tio_error_set(why, TIO_EVERIFY, NULL, NULL, NULL,
                      "%s checksum mismatch: expected %s, found %s (data corrupted)",
                      kind_name(p->kind), expected, found);
        return false;
    }
    return true;
}

bool tio_verify_check(const void *buf, size_t len, const struct tio_verify_params *p,
                      uint64_t offset, const struct tio_verify_expect *expect,
                      uint64_t *bad_offset, struct tio_error *why)
{
    size_t hs = tio_verify_header_size(p->kind);
    uint64_t piece = piece_len(p, len);
    *bad_offset = offset;
    if (piece <= hs) {
        tio_error_set(why, TIO_EVERIFY, NULL, NULL, NULL,
                      "an IO of %zu bytes cannot hold a %zu-byte verify header and data", len,
                      hs);
        return false;
    }
    const uint8_t *b = buf;
    for (uint64_t at = 0; at < len; at += piece) {
        if (!check_piece(b + at, piece, p, offset + at, expect, why)) {
            *bad_offset = offset + at;
            return false;
        }
    }
    return true;
}
