/* fio's data pattern syntax (verify_pattern=, buffer_pattern=), as fio's
 * lib/pattern.c reads it: pieces written one after another, each one of
 *   0xHEX     bytes in the order written ("0xabc" is 0a bc); a hex run
 *             that ends in 0 followed by x gives that 0 back ("0xff0x14")
 *   NUMBER    a decimal int (sign allowed), little-endian in as few bytes
 *             as it needs (0 is one zero byte, -1 is ff ff ff ff)
 *   "TEXT"    the bytes between the quotes, no escapes
 *   'FILE'    the bytes of a file (what fits in the pattern)
 *   %o        verify_pattern only: 8 bytes that become the IO's offset
 * e.g. "abcd"-120xdeadface is 61 62 63 64 f4 ff ff ff de ad fa ce. */
#ifndef TIO_DATA_PATTERN_H
#define TIO_DATA_PATTERN_H

#include <stddef.h>
#include <stdint.h>

#include "tio_job.h"

/* Parses in into out (TIO_JOB_PATTERN_MAX bytes); fmt receives the %o
 * positions (NULL: %o is refused, as for buffer_pattern). Returns the
 * pattern's length, or 0 with the reason in why. */
size_t tio__data_pattern_parse(const char *in, uint8_t *out, struct tio_job_pattern_fmt *fmt,
                               char *why, size_t why_size);

#endif
