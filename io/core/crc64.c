/* fio's crc64 (see crc_fio.h for why it is here and not from a library):
 * reflected CRC-64, Jones' polynomial, init 0, no final xor. fio's comment
 * names the reflected polynomial 0x95ac9329ac4bc9b5; its table is the one
 * of 0xad93d23594c935a9 reflected, which is what is computed here. */
#include "crc_fio.h"

#include <pthread.h>

#define CRC64_POLY_REFLECTED 0x95ac9329ac4bc9b5ull

static uint64_t table[256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void make_table(void)
{
    for (uint64_t i = 0; i < 256; i++) {
        uint64_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? (c >> 1) ^ CRC64_POLY_REFLECTED : c >> 1;
        table[i] = c;
    }
}

uint64_t tio_crc64_fio(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t crc = 0;
    pthread_once(&table_once, make_table);
    while (len--)
        crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return crc;
}
