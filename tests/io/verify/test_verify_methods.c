/* fio's verify methods: the CRCs tenon-io computes itself against the
 * catalogued check values of their CRCs (the sum of "123456789"), and the
 * table's header sizes against fio's vhdr_* structs. The library sums are
 * checked end to end against fio's own files (verify_fio_test.py). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crc_fio.h"
#include "verify.h"
#include "verify_methods.h"

static const char check_input[] = "123456789";

static void crc_check_values(void **state)
{
    (void)state;
    assert_int_equal(tio_crc64_fio(check_input, 9), 0xe9c6d914c4b8d9caull); /* CRC-64/REDIS */
    assert_int_equal(tio_crc32_fio(check_input, 9), 0x89a1897fu); /* CRC-32/CKSUM before ~ */
    assert_int_equal(tio_crc16_fio(check_input, 9), 0xbb3d);      /* CRC-16/ARC */
    assert_int_equal(tio_crc7_fio(check_input, 9), 0x75);         /* CRC-7/MMC */
    assert_int_equal(tio_crc64_fio("", 0), 0);
    assert_int_equal(tio_crc7_fio("", 0), 0);
}

static void header_sizes_are_fios(void **state)
{
    static const struct {
        enum tio_verify type;
        size_t size;
    } sizes[] = {
        {TIO_VERIFY_META, 40},        {TIO_VERIFY_MD5, 56},      {TIO_VERIFY_CRC64, 48},
        {TIO_VERIFY_CRC32, 44},       {TIO_VERIFY_CRC32C, 44},   {TIO_VERIFY_CRC16, 42},
        {TIO_VERIFY_CRC7, 41},        {TIO_VERIFY_SHA256, 104},  {TIO_VERIFY_SHA512, 168},
        {TIO_VERIFY_SHA3_224, 68},    {TIO_VERIFY_SHA3_256, 72}, {TIO_VERIFY_SHA3_384, 88},
        {TIO_VERIFY_SHA3_512, 104},   {TIO_VERIFY_XXHASH, 44},   {TIO_VERIFY_SHA1, 60},
        {TIO_VERIFY_PATTERN_HDR, 40}, {TIO_VERIFY_PATTERN, 0},   {TIO_VERIFY_NULL, 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        const struct tio_verify_method *m = tio_verify_method(sizes[i].type);
        assert_non_null(m);
        assert_int_equal(m->type, sizes[i].type);
        assert_int_equal(tio_verify_header_size(m), sizes[i].size);
    }
    assert_null(tio_verify_method(TIO_VERIFY_NONE));
    assert_null(tio_verify_method(20));
}

/* A block filled and checked with every method passes, and a flipped data
 * byte fails (sha512 where fio's sum covers it). */
static void fill_then_check(void **state)
{
    (void)state;
    static uint8_t buf[4096];
    for (unsigned t = TIO_VERIFY_MD5; t <= TIO_VERIFY_SHA1; t++) {
        struct tio_verify_params p = {.m = tio_verify_method(t), .thread = 1};
        struct tio_verify_expect e = {.rand_seed = 7,
                                      .numberio = 3,
                                      .check_numberio = true,
                                      .check_seed = true};
        struct tio_error why;
        uint64_t bad;
        assert_true(tio_verify_fill(buf, sizeof(buf), &p, 8192, 7, 3));
        assert_true(tio_verify_check(buf, sizeof(buf), &p, 8192, &e, &bad, &why));
        buf[tio_verify_header_size(p.m) + 100] ^= 1;
        assert_false(tio_verify_check(buf, sizeof(buf), &p, 8192, &e, &bad, &why));
        assert_non_null(strstr(why.text, "checksum mismatch"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crc_check_values),
        cmocka_unit_test(header_sizes_are_fios),
        cmocka_unit_test(fill_then_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
