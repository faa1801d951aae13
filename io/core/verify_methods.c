/* The table of fio's verify methods and their checksums. Every checksum
 * is a library's (nettle: md5, sha1, sha2, sha3; libxxhash; the CRCs fio
 * computes with its own parameters are in crc_fio.h), arranged into the
 * bytes fio 3.33 stores: fio keeps several sums in host-order words and
 * two of them are not the standard digest (see fio_sha256, fio_sha512).
 * Host order is little-endian on every machine tenon-io builds for. */
#include "verify_methods.h"

#include <nettle/md5.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <nettle/sha3.h>
#include <string.h>
#include <xxhash.h>

#include "crc32c.h"
#include "crc_fio.h"

/* fio's crc32c starts from ~0 and, unlike the standard, is not inverted at
 * the end. */
static void sum_crc32c(const uint8_t *p, size_t n, uint8_t *out)
{
    uint32_t c = ~tio_crc32c(0, p, n);
    memcpy(out, &c, sizeof(c));
}

static void sum_crc32(const uint8_t *p, size_t n, uint8_t *out)
{
    uint32_t c = tio_crc32_fio(p, n);
    memcpy(out, &c, sizeof(c));
}

static void sum_crc64(const uint8_t *p, size_t n, uint8_t *out)
{
    uint64_t c = tio_crc64_fio(p, n);
    memcpy(out, &c, sizeof(c));
}

static void sum_crc16(const uint8_t *p, size_t n, uint8_t *out)
{
    uint16_t c = tio_crc16_fio(p, n);
    memcpy(out, &c, sizeof(c));
}

static void sum_crc7(const uint8_t *p, size_t n, uint8_t *out)
{
    out[0] = tio_crc7_fio(p, n);
}

/* fio seeds XXH32 with 1. */
static void sum_xxhash(const uint8_t *p, size_t n, uint8_t *out)
{
    uint32_t h = XXH32(p, n, 1);
    memcpy(out, &h, sizeof(h));
}

/* fio's md5 words in host order are the standard digest's bytes. */
static void sum_md5(const uint8_t *p, size_t n, uint8_t *out)
{
    struct md5_ctx c;
    md5_init(&c);
    md5_update(&c, n, p);
    md5_digest(&c, MD5_DIGEST_SIZE, out);
}

/* fio stores sha1's five state words in host order: each 4-byte word of
 * the standard (big-endian) digest, reversed. */
static void sum_sha1(const uint8_t *p, size_t n, uint8_t *out)
{
    struct sha1_ctx c;
    uint8_t d[SHA1_DIGEST_SIZE];
    sha1_init(&c);
    sha1_update(&c, n, p);
    sha1_digest(&c, sizeof(d), d);
    for (size_t w = 0; w < sizeof(d); w += 4)
        for (size_t b = 0; b < 4; b++)
            out[w + b] = d[w + 3 - b];
}

/* fio's sha256 (crc/sha256.c) is not the standard digest, and fio checks
 * blocks against its own: the message length is appended little-endian
 * (counted in 32 bits), the digest keeps only the low byte of each of the
 * 8 state words, and the other 56 of its 64 bytes are the tail of the last
 * padded block. The compression is standard, so nettle does it: its state
 * after the data and fio's padding is fio's. */
static void sum_sha256(const uint8_t *p, size_t n, uint8_t *out)
{
    struct sha256_ctx st;
    sha256_init(&st);
    sha256_update(&st, n, p);
    size_t index = n & 63;
    size_t pad_len = index < 56 ? 56 - index : 120 - index;
    uint8_t pad[128] = {0x80};
    uint64_t bits = (uint64_t)(uint32_t)n << 3;
    memcpy(pad + pad_len, &bits, sizeof(bits));
    size_t tail = pad_len + sizeof(bits);
    sha256_update(&st, tail, pad);

    if (tail >= 64) {
        memcpy(out, pad + tail - 64, 64);
    } else {
        memcpy(out, p + n - (64 - tail), 64 - tail);
        memcpy(out + 64 - tail, pad, tail);
    }
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)st.state[i];
}

/* fio 3.33's sha512 stores no hash: it runs the update step and never the
 * final one, and keeps the 128-byte input buffer, which then holds the
 * data's last partial block (r = n % 128 bytes) over the first full block
 * the update copied in. The bytes are arranged as fio leaves them, so that
 * each side checks the other's blocks; no digest is computed because none
 * is stored (min_data keeps n at 128 or more, where fio's sum is defined). */
static void sum_sha512(const uint8_t *p, size_t n, uint8_t *out)
{
    size_t r = n % 128;
    memcpy(out, p + n - r, r);
    memcpy(out + r, p + r, 128 - r);
}

static void sum_sha3_224(const uint8_t *p, size_t n, uint8_t *out)
{
    struct sha3_224_ctx c;
    sha3_224_init(&c);
    sha3_224_update(&c, n, p);
    sha3_224_digest(&c, SHA3_224_DIGEST_SIZE, out);
}

static void sum_sha3_256(const uint8_t *p, size_t n, uint8_t *out)
{
    struct sha3_256_ctx c;
    sha3_256_init(&c);
    sha3_256_update(&c, n, p);
    sha3_256_digest(&c, SHA3_256_DIGEST_SIZE, out);
}

static void sum_sha3_384(const uint8_t *p, size_t n, uint8_t *out)
{
    struct sha3_384_ctx c;
    sha3_384_init(&c);
    sha3_384_update(&c, n, p);
    sha3_384_digest(&c, SHA3_384_DIGEST_SIZE, out);
}

static void sum_sha3_512(const uint8_t *p, size_t n, uint8_t *out)
{
    struct sha3_512_ctx c;
    sha3_512_init(&c);
    sha3_512_update(&c, n, p);
    sha3_512_digest(&c, SHA3_512_DIGEST_SIZE, out);
}

/* Indexed by fio's verify_type; sizes are fio's vhdr_* structs. */
static const struct tio_verify_method methods[] = {
    [TIO_VERIFY_META] = {"meta", TIO_VERIFY_META, 0, false, 0, NULL},
    [TIO_VERIFY_MD5] = {"md5", TIO_VERIFY_MD5, 16, false, 0, sum_md5},
    [TIO_VERIFY_CRC64] = {"crc64", TIO_VERIFY_CRC64, 8, false, 0, sum_crc64},
    [TIO_VERIFY_CRC32] = {"crc32", TIO_VERIFY_CRC32, 4, false, 0, sum_crc32},
    [TIO_VERIFY_CRC32C] = {"crc32c", TIO_VERIFY_CRC32C, 4, false, 0, sum_crc32c},
    [TIO_VERIFY_CRC32C_INTEL] = {"crc32c-intel", TIO_VERIFY_CRC32C_INTEL, 4, false, 0,
                                 sum_crc32c},
    [TIO_VERIFY_CRC16] = {"crc16", TIO_VERIFY_CRC16, 2, false, 0, sum_crc16},
    [TIO_VERIFY_CRC7] = {"crc7", TIO_VERIFY_CRC7, 1, false, 0, sum_crc7},
    [TIO_VERIFY_SHA256] = {"sha256", TIO_VERIFY_SHA256, 64, false, 0, sum_sha256},
    [TIO_VERIFY_SHA512] = {"sha512", TIO_VERIFY_SHA512, 128, false, 128, sum_sha512},
    [TIO_VERIFY_SHA3_224] = {"sha3-224", TIO_VERIFY_SHA3_224, 28, false, 0, sum_sha3_224},
    [TIO_VERIFY_SHA3_256] = {"sha3-256", TIO_VERIFY_SHA3_256, 32, false, 0, sum_sha3_256},
    [TIO_VERIFY_SHA3_384] = {"sha3-384", TIO_VERIFY_SHA3_384, 48, false, 0, sum_sha3_384},
    [TIO_VERIFY_SHA3_512] = {"sha3-512", TIO_VERIFY_SHA3_512, 64, false, 0, sum_sha3_512},
    [TIO_VERIFY_XXHASH] = {"xxhash", TIO_VERIFY_XXHASH, 4, false, 0, sum_xxhash},
    [TIO_VERIFY_SHA1] = {"sha1", TIO_VERIFY_SHA1, 20, false, 0, sum_sha1},
    [TIO_VERIFY_PATTERN_HDR] = {"pattern_hdr", TIO_VERIFY_PATTERN_HDR, 0, false, 0, NULL},
    [TIO_VERIFY_PATTERN] = {"pattern", TIO_VERIFY_PATTERN, 0, true, 0, NULL},
    [TIO_VERIFY_NULL] = {"null", TIO_VERIFY_NULL, 0, true, 0, NULL},
};

const struct tio_verify_method *tio_verify_method(unsigned type)
{
    if (type >= sizeof(methods) / sizeof(methods[0]) || !methods[type].name)
        return NULL;
    return &methods[type];
}
