/* fio's crc32 (see crc_fio.h for why it is here and not from zlib): the
 * MSB-first CRC-32 of POSIX cksum, init 0, no final xor, no length.
 * zlib's crc32() is the reflected CRC-32 (other bits, other sums). */
#include "crc_fio.h"

#include <pthread.h>

#define CRC32_POLY 0x04c11db7u

static uint32_t table[256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void make_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i << 24;
        for (int k = 0; k < 8; k++)
            c = c & 0x80000000u ? (c << 1) ^ CRC32_POLY : c << 1;
        table[i] = c;
    }
}

uint32_t tio_crc32_fio(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint32_t crc = 0;
    pthread_once(&table_once, make_table);
    while (len--)
        crc = (crc << 8) ^ table[((crc >> 24) ^ *p++) & 0xff];
    return crc;
}
