/* fio's verify methods: for each, its name, its number in fio's header
 * (fio's verify_type), the size of the checksum that follows fio's 40-byte
 * header, and the function that computes it over the rest of the piece,
 * byte for byte as fio 3.33 stores it. */
#ifndef TIO_VERIFY_METHODS_H
#define TIO_VERIFY_METHODS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tio_job.h"

/* The largest checksum (fio's sha512 area). */
#define TIO_VERIFY_SUM_MAX 128u

struct tio_verify_method {
    const char *name;     /* as verify= takes it */
    enum tio_verify type; /* fio's verify_type */
    uint8_t sum_size;     /* bytes after the 40-byte header; 0: header only */
    bool no_header;       /* verify=pattern: the whole piece is the pattern */
    uint8_t min_data;     /* data bytes the sum needs at least (fio's sha512: 128) */
    /* The checksum of the n data bytes at p into out (sum_size bytes);
     * NULL: the method has no checksum (meta, pattern, null). */
    void (*sum)(const uint8_t *p, size_t n, uint8_t *out);
};

/* The method of a verify_type, or NULL for none and unknown numbers. */
const struct tio_verify_method *tio_verify_method(unsigned type);

#endif
