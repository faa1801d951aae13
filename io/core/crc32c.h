/* CRC-32C (Castagnoli), as fio's verify=crc32c computes it: with the
 * SSE4.2 instruction when the CPU has it, else a table. */
#ifndef TIO_CRC32C_H
#define TIO_CRC32C_H

#include <stddef.h>
#include <stdint.h>

uint32_t tio_crc32c(uint32_t crc, const void *data, size_t len);

#endif
