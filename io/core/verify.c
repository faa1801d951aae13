#include "verify.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "crc32c.h"
#include "rand.h"

static size_t hdr_crc_span(void)
{
    return offsetof(struct tio_verify_hdr, hdr_crc);
}

static void payload_sum(enum tio_verify_kind kind, const uint8_t *p, size_t n, uint8_t out[32])
{
    memset(out, 0, 32);
    if (kind == TIO_VK_SHA256) {
        crypto_hash_sha256(out, p, n);
    } else {
        uint32_t c = tio_crc32c(0, p, n);
        memcpy(out, &c, sizeof(c));
    }
}

uint32_t tio_verify_job_hash(const char *name)
{
    return tio_crc32c(0, name, strlen(name));
}

void tio_verify_fill(void *buf, size_t len, enum tio_verify_kind kind, uint32_t job,
                     uint64_t offset, uint64_t seed)
{
    struct tio_verify_hdr h;
    memset(&h, 0, sizeof(h));
    h.magic = TIO_VERIFY_MAGIC;
    h.version = 1;
    h.kind = (uint16_t)kind;
    h.len = (uint32_t)len;
    h.job = job;
    h.offset = offset;
    h.seed = seed;
    h.hdr_crc = tio_crc32c(0, &h, hdr_crc_span());

    uint8_t *payload = (uint8_t *)buf + sizeof(h);
    size_t n = len - sizeof(h);
    struct tio_rand r;
    tio_rand_seed(&r, seed);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v = tio_rand_next(&r);
        memcpy(payload + i, &v, 8);
    }
    if (i < n) {
        uint64_t v = tio_rand_next(&r);
        memcpy(payload + i, &v, n - i);
    }
    payload_sum(kind, payload, n, h.sum);
    memcpy(buf, &h, sizeof(h));
}

static void hex(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        sprintf(out + 2 * i, "%02x", p[i]);
}

bool tio_verify_check(const void *buf, size_t len, enum tio_verify_kind kind, uint64_t offset,
                      char *why, size_t why_size)
{
    struct tio_verify_hdr h;
    if (len < sizeof(h)) {
        snprintf(why, why_size, "block of %zu bytes is smaller than a verify header", len);
        return false;
    }
    memcpy(&h, buf, sizeof(h));
    if (h.magic != TIO_VERIFY_MAGIC) {
        snprintf(why, why_size,
                 "no verify header (magic 0x%08x, expected 0x%08x): block never written by a "
                 "verify job, or overwritten",
                 h.magic, TIO_VERIFY_MAGIC);
        return false;
    }
    uint32_t crc = tio_crc32c(0, &h, hdr_crc_span());
    if (crc != h.hdr_crc) {
        snprintf(why, why_size, "header checksum mismatch: expected crc32c 0x%08x, found 0x%08x",
                 h.hdr_crc, crc);
        return false;
    }
    if (h.offset != offset) {
        snprintf(why, why_size,
                 "header says offset %" PRIu64 ", expected %" PRIu64 " (block written elsewhere?)",
                 h.offset, offset);
        return false;
    }
    if (h.len != len) {
        snprintf(why, why_size, "header says length %u, the block is %zu bytes", h.len, len);
        return false;
    }
    if (h.kind != kind) {
        snprintf(why, why_size, "block was written with verify kind %u, checking with %u",
                 h.kind, (unsigned)kind);
        return false;
    }
    uint8_t sum[32];
    payload_sum(kind, (const uint8_t *)buf + sizeof(h), len - sizeof(h), sum);
    size_t n = kind == TIO_VK_SHA256 ? 32 : 4;
    if (memcmp(sum, h.sum, n) != 0) {
        char expected[65], found[65];
        hex(h.sum, n, expected);
        hex(sum, n, found);
        snprintf(why, why_size, "checksum mismatch: expected %s %s, found %s",
                 kind == TIO_VK_SHA256 ? "sha256" : "crc32c", expected, found);
        return false;
    }
    return true;
}
