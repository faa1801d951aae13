/* fio's crc7 (see crc_fio.h for why it is here and not from a library):
 * CRC-7/MMC, polynomial x^7 + x^3 + 1, MSB-first, init 0, the 7 bits kept
 * right-aligned as fio (and the Linux kernel it took them from) does. The
 * table maps (crc << 1) ^ byte, the register one bit up, to the next crc. */
#include "crc_fio.h"

#include <pthread.h>

#define CRC7_POLY 0x09u

static uint8_t table[256];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void make_table(void)
{
    for (unsigned i = 0; i < 256; i++) {
        unsigned c = i; /* the 7-bit register, left-aligned in 8 bits */
        for (int k = 0; k < 8; k++)
            c = (c & 0x80 ? (c << 1) ^ (CRC7_POLY << 1) : c << 1) & 0xff;
        table[i] = (uint8_t)(c >> 1);
    }
}

uint8_t tio_crc7_fio(const void *data, size_t len)
{
    const unsigned char *p = data;
    unsigned crc = 0;
    pthread_once(&table_once, make_table);
    while (len--)
        crc = table[((crc << 1) ^ *p++) & 0xff];
    return (uint8_t)crc;
}
