/* The CRCs of fio's verify methods that no Debian library computes with
 * fio's parameters (each in its own file, crc64.c, crc32.c, crc16.c,
 * crc7.c, which say why). Looked for first: zlib has only the reflected
 * CRC-32 (fio's crc32 is the MSB-first one), nettle and libsodium have no
 * CRC at all, Debian has no libcrc, and libcrcutil-dev is a C++ library
 * (it would bring a C++ runtime into tenon-io for four table loops).
 * Each is checked against the catalogued check value of its CRC (the sum
 * of "123456789") in tests/io/core/test_verify_methods.c, and against
 * fio's own files in tests/io/verify/verify_fio_test.py. */
#ifndef TIO_CRC_FIO_H
#define TIO_CRC_FIO_H

#include <stddef.h>
#include <stdint.h>

/* fio's crc64: CRC-64 with Jones' polynomial 0xad93d23594c935a9,
 * reflected, init 0, no final xor (catalogued as CRC-64/REDIS). */
uint64_t tio_crc64_fio(const void *data, size_t len);
/* fio's crc32: the MSB-first CRC-32 of POSIX cksum (poly 0x04c11db7),
 * init 0, no final xor and no length appended. */
uint32_t tio_crc32_fio(const void *data, size_t len);
/* fio's crc16: CRC-16/ARC (poly 0x8005 reflected, init 0). */
uint16_t tio_crc16_fio(const void *data, size_t len);
/* fio's crc7: CRC-7/MMC (poly 0x09, MSB-first, init 0), right-aligned. */
uint8_t tio_crc7_fio(const void *data, size_t len);

#endif
