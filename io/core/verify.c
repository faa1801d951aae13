#include "verify.h"

#include <inttypes.h>
#include <endian.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crc32c.h"
#include "rand.h"
#include "verify_methods.h"

_Static_assert(sizeof(struct tio_verify_hdr) == 40, "fio's verify_header is 40 bytes");

/* fio's crc32c starts from ~0 and, unlike the standard, is not inverted at
 * the end (the header's crc; the data's is the method table's). */
static uint32_t fio_crc32c(const void *p, size_t n)
{
    return ~tio_crc32c(0, p, n);
}

/* fio's verify_interval floor: two headers' worth. */
#define MIN_INTERVAL (2 * sizeof(struct tio_verify_hdr))

size_t tio_verify_header_size(const struct tio_verify_method *m)
{
    return m->no_header ? 0 : sizeof(struct tio_verify_hdr) + m->sum_size;
}

static uint64_t gcd64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

uint64_t tio_verify_interval(const struct tio_job *job)
{
    const struct tio_job_pattern *p = &job->pattern;
    uint64_t wmin = p->min_bs[TIO_JOB_DDIR_WRITE], wmax = p->max_bs[TIO_JOB_DDIR_WRITE];
    uint64_t vi = job->verify.verify_interval; /* resolve.c fixed a given one up */
    if (p->bs_unaligned)
        return 0; /* fio's get_hdr_inc: one header per IO */
    if (vi || !wmin)
        return vi;
    if (wmin != wmax)
        vi = wmin;
    if (tio_rw_reads(p->rw) && vi > p->min_bs[TIO_JOB_DDIR_READ])
        vi = p->min_bs[TIO_JOB_DDIR_READ];
    if (!vi || wmin % vi || wmax % vi)
        vi = gcd64(wmin, wmax);
    return vi;
}

bool tio_verify_uses_extents(const struct tio_job *job, unsigned d)
{
    const struct tio_job_pattern *p = &job->pattern;
    if (p->min_bs[d] != p->max_bs[d])
        return true;
    if (tio_rw_is_random(p->rw))
        return p->ba[d] != p->bs[d]; /* blockalign: offsets off the grid */
    return p->rw_modifier % p->bs[d];
}

void tio_verify_params_init(struct tio_verify_params *p, const struct tio_job *job)
{
    const struct tio_verify_method *m = tio_verify_method(job->verify.method);
    *p = (struct tio_verify_params){
        .m = m ? m : tio_verify_method(TIO_VERIFY_CRC32C),
        .interval = tio_verify_interval(job),
        /* Under mpirun, a shared file's blocks name their writer's rank and
         * a shifted reader checks it is the part's own (io/core/ranks.c); a
         * job that writes checks its own writes as always. */
        .thread = (uint16_t)(job->rank_self ? job->rank_self : job->index + 1),
        .expect_thread = job->ranks.shift && !tio_rw_writes(job->pattern.rw)
                             ? (uint16_t)job->rank_part
                             : 0,
        .pattern = job->verify.verify_pattern_len ? job->verify.verify_pattern : NULL,
        .pattern_len = job->verify.verify_pattern_len,
        .fmt = &job->verify.verify_pattern_fmt,
        .header_offset = job->verify.verify_offset,
        .compress = job->buffers.compress_percentage,
        .fixed = job->buffers.buffer_pattern,
        .fixed_len = job->buffers.buffer_pattern ? job->buffers.buffer_pattern_len : 0,
    };
}

/* fio's verify types that mean the same checksum. */
static bool same_kind(enum tio_verify want, unsigned found)
{
    if (want == TIO_VERIFY_CRC32C || want == TIO_VERIFY_CRC32C_INTEL)
        return found == TIO_VERIFY_CRC32C || found == TIO_VERIFY_CRC32C_INTEL;
    return found == (unsigned)want;
}

static const char *type_name(unsigned type)
{
    const struct tio_verify_method *m = tio_verify_method(type);
    return m ? m->name : "a method fio does not have";
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

static int refuse(struct tio_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int refuse(struct tio_error *err, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    tio_error_set(err, TIO_EJOB, NULL, NULL, NULL, "%s", text);
    return -1;
}

/* The piece size and header the job's blocks must hold. */
static int check_piece_layout(const struct tio_job *job, const struct tio_verify_method *m,
                              uint64_t bs, const char *bs_name, struct tio_error *err)
{
    size_t hs = tio_verify_header_size(m);
    uint64_t vi = job->verify.verify_interval, implied = tio_verify_interval(job);
    uint64_t piece = implied && implied < bs ? implied : bs;
    if (!vi && hs && piece < bs && piece <= hs)
        return refuse(err,
                      "job %s: with varying block sizes, verify puts a header every %" PRIu64
                      " bytes (fio's verify_interval: the smallest write size, or its gcd "
                      "with the largest), too few for the %zu-byte header of verify=%s and "
                      "data; raise the smallest block size to %zu or more",
                      job->identity.name, piece, hs, m->name, hs + 1);
    if (hs && bs <= hs)
        return refuse(err,
                      "job %s: %s (%" PRIu64 " bytes) is too small for verify=%s: every "
                      "block carries a %zu-byte verify header and data after it; use bs=%zu or "
                      "more",
                      job->identity.name, bs_name, bs, m->name, hs, hs + 1);
    if (bs > UINT32_MAX && (!vi || vi > UINT32_MAX))
        return refuse(err,
                      "job %s: %s (%" PRIu64 " bytes) is too large for verify: a verify "
                      "header covers at most 4 GiB; set verify_interval= to a divisor of it",
                      job->identity.name, bs_name, bs);
    if (vi) {
        size_t floor = hs + 1 > MIN_INTERVAL ? hs + 1 : MIN_INTERVAL;
        if (vi < floor)
            return refuse(err,
                          "job %s: verify_interval=%" PRIu64 " is too small for verify=%s: "
                          "each piece carries a %zu-byte header and data; use %zu or more",
                          job->identity.name, vi, m->name, hs, floor);
        if (vi > bs || bs % vi)
            return refuse(err,
                          "job %s: verify_interval=%" PRIu64 " does not divide %s (%" PRIu64
                          " bytes): set it to a divisor of the block size, or leave it out for "
                          "one header per block (fio would quietly use one header per block)",
                          job->identity.name, vi, bs_name, bs);
    }
    if (m->min_data && piece - hs < m->min_data)
        return refuse(err,
                      "job %s: verify=%s needs at least %u data bytes after its %zu-byte "
                      "header in each piece (fio's %s sum is defined only then); use a block "
                      "size or verify_interval of %zu or more",
                      job->identity.name, m->name, m->min_data, hs, m->name, hs + m->min_data);
    if (job->verify.verify_offset && hs && job->verify.verify_offset + hs > piece)
        return refuse(err,
                      "job %s: verify_offset=%" PRIu64 " moves the %zu-byte verify header "
                      "past the end of its %" PRIu64 "-byte piece; use verify_offset=%" PRIu64
                      " or less",
                      job->identity.name, job->verify.verify_offset, hs, piece, piece - hs);
    return 0;
}

int tio_verify_job_check(const struct tio_job *job, struct tio_error *err)
{
    if (job->verify.method == TIO_VERIFY_NONE)
        return 0;
    const struct tio_verify_method *m = tio_verify_method(job->verify.method);
    if (!m)
        return refuse(err, "job %s: verify=%s is not a verify method tenon-io has",
                      job->identity.name, tio_verify_name(job->verify.method));
    if (job->verify.method == TIO_VERIFY_PATTERN && !job->verify.verify_pattern_len)
        return refuse(err,
                      "job %s: verify=pattern checks blocks against verify_pattern, and "
                      "none is given; set verify_pattern= (\"text\", 0xhex, a number, %%o, "
                      "'file')",
                      job->identity.name);
    bool writes = tio_rw_writes(job->pattern.rw);
    /* The blocks that carry headers: what the job writes, or for a read
     * job, what it reads (each read must be one block written earlier). */
    unsigned d = writes ? TIO_JOB_DDIR_WRITE : TIO_JOB_DDIR_READ;
    if (writes && tio_rw_trims(job->pattern.rw))
        d = TIO_JOB_DDIR_TRIM; /* trimwrite writes at the trims' size */
    uint64_t bs = job->pattern.bs[d];
    const char *bs_name = writes && job->pattern.bs[TIO_JOB_DDIR_READ] != bs
                              ? "the write block size"
                          : writes ? "bs"
                                   : "the read block size";
    if (check_piece_layout(job, m, bs, bs_name, err))
        return -1;
    if (writes && job->verify.trim_percentage && job->verify.trim_backlog &&
        tio_verify_uses_extents(job, d))
        return refuse(err,
                      "job %s: trim_backlog with verify is supported for fixed-size writes "
                      "on their block grid only (no bsrange, bssplit or sequential gap that "
                      "is not a multiple of bs); drop trim_percentage or the varying sizes",
                      job->identity.name);
    return 0;
}

/* The pattern of an IO at offset: verify_pattern with the IO's offset
 * pasted (8 bytes, little-endian) where it has %o, as fio's paste_format
 * does for the pattern's first copy. */
static void io_pattern(const struct tio_verify_params *p, const struct tio_job_pattern_fmt *f,
                       uint64_t offset, uint8_t *out)
{
    memcpy(out, p->pattern, p->pattern_len);
    for (unsigned i = 0; f && i < f->n; i++) {
        size_t at = f->off[i];
        if (at >= p->pattern_len)
            break;
        size_t n = p->pattern_len - at < 8 ? p->pattern_len - at : 8;
        uint64_t le = htole64(offset);
        memcpy(out + at, &le, n);
    }
}

/* fio's verify data under buffer_compress_percentage: the write's tail,
 * compress% of it, is zeros or buffer_pattern from its first byte. */
static void fill_fixed(uint8_t *b, size_t len, const struct tio_verify_params *p)
{
    size_t at = (size_t)((uint64_t)len * (100 - p->compress) / 100);
    if (!p->fixed_len) {
        memset(b + at, 0, len - at);
        return;
    }
    for (size_t i = at; i < len; i += p->fixed_len)
        memcpy(b + i, p->fixed, len - i < p->fixed_len ? len - i : p->fixed_len);
}

/* Random data from the seed, or the pattern repeated from the IO's start. */
static void fill_data(uint8_t *b, size_t len, const struct tio_verify_params *p,
                      uint64_t offset, uint64_t rand_seed)
{
    if (p->pattern) {
        uint8_t pat[TIO_JOB_PATTERN_MAX];
        io_pattern(p, p->fmt, offset, pat);
        for (size_t i = 0; i < len; i += p->pattern_len)
            memcpy(b + i, pat, len - i < p->pattern_len ? len - i : p->pattern_len);
        return;
    }
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
    if (p->compress)
        fill_fixed(b, len, p);
}

/* fio's verify_offset: the header trades places with the bytes that far
 * into the piece, after the checksum is taken (and back before it is
 * checked). */
static void swap_header(uint8_t *piece, size_t hs, uint64_t header_offset)
{
    uint8_t tmp[sizeof(struct tio_verify_hdr) + TIO_VERIFY_SUM_MAX];
    memcpy(tmp, piece, hs);
    memcpy(piece, piece + header_offset, hs);
    memcpy(piece + header_offset, tmp, hs);
}

bool tio_verify_fill(void *buf, size_t len, const struct tio_verify_params *p, uint64_t offset,
                     uint64_t rand_seed, uint16_t numberio)
{
    const struct tio_verify_method *m = p->m;
    size_t hs = tio_verify_header_size(m);
    uint64_t piece = piece_len(p, len);
    if ((hs && piece <= hs) || piece > UINT32_MAX)
        return false;

    /* Data for the whole IO, then the headers over it, as fio lays it out. */
    uint8_t *b = buf;
    fill_data(b, len, p, offset, rand_seed);
    if (!hs)
        return true;

    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    for (uint64_t at = 0; at < len; at += piece) {
        struct tio_verify_hdr h = {
            .magic = TIO_VERIFY_MAGIC,
            .verify_type = (uint16_t)m->type,
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
        if (m->sum)
            m->sum(b + at + hs, piece - hs, b + at + sizeof(h));
        if (p->header_offset)
            swap_header(b + at, hs, p->header_offset);
    }
    return true;
}

static void hex(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

/* Checks the header of one piece; false with why. */
static bool check_header(const struct tio_verify_hdr *hp, uint64_t piece,
                         const struct tio_verify_params *p, uint64_t offset,
                         const struct tio_verify_expect *expect, struct tio_error *why)
{
    struct tio_verify_hdr h = *hp;
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
                      "bad header crc32: expected 0x%08x (stored), found 0x%08x (computed over "
                      "the "
                      "header): the header is corrupted",
                      h.crc32, crc);
        return false;
    }
    if (!same_kind(p->m->type, h.verify_type)) {
        tio_error_set(why, TIO_EVERIFY, NULL, NULL, NULL,
                      "bad header verify_type: expected %u (%s), found %u (%s): the block was "
                      "written with another verify method",
                      (unsigned)p->m->type, p->m->name, h.verify_type,
                      type_name(h.verify_type));
        return false;
    }
    if (h.len != piece) {
        tio_error_set(why, TIO_EVERIFY, NULL, NULL, NULL,
                      "bad header len: expected %" PRIu64
                      ", found %u (written with another block "
                      "size or verify_interval?)",
                      piece, h.len);
        return false;
    }
    if (h.offset != offset) {
        tio_error_set(why, TIO_EVERIFY, NULL, NULL, NULL,
                      "bad header offset: expected %" PRIu64 ", found %" PRIu64
                      " (the block was "
                      "written elsewhere: a misdirected write?)",
                      offset, h.offset);
        return false;
    }
    if (p->expect_thread && h.thread != p->expect_thread) {
        tio_error_set(why, TIO_EVERIFY, NULL, NULL, NULL,
                      "bad header thread: expected %u, found %u (under rank_shift this block "
                      "belongs to rank %u of the ranks sharing the file, or whose file it is, "
                      "but rank %d wrote it: the writers did not place their data as "
                      "rank_shift expects)",
                      (unsigned)p->expect_thread, h.thread, p->expect_thread - 1u,
                      (int)h.thread - 1);
        return false;
    }
    /* The write's number before its seed (fio checks the seed first): when
     * both differ, the block most often holds an earlier write of the
     * same job, which the number says. */
    if (expect && expect->check_numberio && h.numberio != expect->numberio) {
        tio_error_set(why, TIO_EVERIFY, NULL, NULL, NULL,
                      "bad header numberio: expected %u, found %u (the block holds another "
                      "write, "
                      "earlier or from another run: this job's write there was lost?)",
                      expect->numberio, h.numberio);
        return false;
    }
    if (expect && expect->check_seed && h.rand_seed != expect->rand_seed) {
        tio_error_set(why, TIO_EVERIFY, NULL, NULL, NULL,
                      "bad header rand_seed: expected 0x%016" PRIx64 ", found 0x%016" PRIx64
                      " (the block holds another job's or run's write: this job's write was "
                      "lost?)",
                      expect->rand_seed, h.rand_seed);
        return false;
    }
    return true;
}

static bool check_sum(const uint8_t *q, uint64_t piece, const struct tio_verify_method *m,
                      struct tio_error *why)
{
    size_t hs = tio_verify_header_size(m);
    uint8_t sum[TIO_VERIFY_SUM_MAX];
    m->sum(q + hs, piece - hs, sum);
    const uint8_t *stored = q + sizeof(struct tio_verify_hdr);
    if (memcmp(sum, stored, m->sum_size) == 0)
        return true;
    /* fio's sha256 digest is its first 8 bytes; the rest follows from the
     * data. Show at most 32 bytes: enough to tell the sums apart. */
    size_t shown = m->type == TIO_VERIFY_SHA256 ? 8 : m->sum_size > 32 ? 32 : m->sum_size;
    char expected[2 * 32 + 1], found[2 * 32 + 1];
    hex(stored, shown, expected);
    hex(sum, shown, found);
    tio_error_set(why, TIO_EVERIFY, NULL, NULL, NULL,
                  "%s checksum mismatch: expected %s, found %s (data corrupted)", m->name,
                  expected, found);
    return false;
}

/* The piece's bytes after its header against the pattern, which starts
 * at the IO's first byte (fio's phase). */
static bool check_pattern(const uint8_t *q, uint64_t piece, uint64_t at, size_t hs,
                          const uint8_t *pat, size_t plen, uint64_t offset,
                          struct tio_error *why)
{
    size_t phase = (size_t)((at + hs) % plen);
    for (uint64_t i = hs; i < piece; i++) {
        if (q[i] != pat[phase]) {
            tio_error_set(why, TIO_EVERIFY, NULL, NULL, NULL,
                          "pattern mismatch at offset %" PRIu64
                          ": expected 0x%02x, found 0x%02x "
                          "(%d bad bits; data corrupted or written with another "
                          "verify_pattern)",
                          offset + i, pat[phase], q[i], __builtin_popcount(q[i] ^ pat[phase]));
            return false;
        }
        if (++phase == plen)
            phase = 0;
    }
    return true;
}

static bool checks_pattern(const struct tio_verify_params *p)
{
    return p->pattern &&
           (p->m->type == TIO_VERIFY_PATTERN || p->m->type == TIO_VERIFY_PATTERN_HDR ||
            p->m->type == TIO_VERIFY_META);
}

bool tio_verify_check(void *buf, size_t len, const struct tio_verify_params *p, uint64_t offset,
                      const struct tio_verify_expect *expect, uint64_t *bad_offset,
                      struct tio_error *why)
{
    const struct tio_verify_method *m = p->m;
    size_t hs = tio_verify_header_size(m);
    uint64_t piece = piece_len(p, len);
    *bad_offset = offset;
    if (m->type == TIO_VERIFY_NULL)
        return true;
    if (hs && piece <= hs) {
        tio_error_set(why, TIO_EVERIFY, NULL, NULL, NULL,
                      "an IO of %zu bytes cannot hold a %zu-byte verify header and data", len,
                      hs);
        return false;
    }
    uint8_t pat[TIO_JOB_PATTERN_MAX];
    bool pattern = checks_pattern(p);
    if (pattern)
        io_pattern(p, p->fmt, offset, pat);
    uint8_t *b = buf;
    for (uint64_t at = 0; at < len; at += piece) {
        *bad_offset = offset + at;
        if (hs && p->header_offset)
            swap_header(b + at, hs, p->header_offset);
        if (hs) {
            struct tio_verify_hdr h;
            memcpy(&h, b + at, sizeof(h));
            if (!check_header(&h, piece, p, offset + at, expect, why))
                return false;
        }
        if (m->sum && !check_sum(b + at, piece, m, why))
            return false;
        if (pattern &&
            !check_pattern(b + at, piece, at, hs, pat, p->pattern_len, offset + at, why))
            return false;
    }
    return true;
}
