/* fio's crc16 (see crc_fio.h for why it is here and not from a library):
 * CRC-16/ARC, polynomial 0x8005 reflected (0xa001), init 0, no final xor. */
#include "crc_fio.h"

#include <pthread.h>

#define CRC16_POLY_REFLECTED 0xa001u

static uint16_t table[256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void make_table(void)
{
    for (unsigned i = 0; i < 256; i++) {
        unsigned c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? (c >> 1) ^ CRC16_POLY_REFLECTED : c >> 1;
        table[i] = (uint16_t)c;
    }
}

uint16_t tio_crc16_fio(const void *data, size_t len)
{
    const unsigned char *p = data;
    unsigned crc = 0;
    pthread_once(&table_once, make_table);
    while (len--)
        crc = (crc >> 8) ^ table[(crc ^ *p++) & 0xff];
    return (uint16_t)crc;
}
