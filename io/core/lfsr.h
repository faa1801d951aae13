/* fio's LFSR random generator (random_generator=lfsr): a Galois LFSR of
 * the fewest bits that cover the blocks, from the maximal-length tap table
 * (Xilinx XAPP052), giving each block number once per cycle, values past
 * the last block skipped. The same seed gives fio's sequence. */
#ifndef TIO_LFSR_H
#define TIO_LFSR_H

#include <stdbool.h>
#include <stdint.h>

struct tio_lfsr {
    uint64_t xormask;
    uint64_t last;
    uint64_t top_bit;  /* the register's highest bit */
    uint64_t max;      /* the last block number */
    uint64_t drawn;    /* values drawn since the (re)seed */
    uint64_t extra_at; /* fio's spin cycle: the draw that steps once more; 0: none */
};

/* For blocks numbers 0..blocks-1; false if blocks is out of the table's
 * reach or the seed gives the one state the register cannot leave. */
bool tio_lfsr_init(struct tio_lfsr *l, uint64_t blocks, uint64_t seed);
/* Back to the seed's start (fio's lfsr_reset: the spin cycle is not). */
bool tio_lfsr_reset(struct tio_lfsr *l, uint64_t seed);
/* The next block; false once every block was given since the seed. */
bool tio_lfsr_next(struct tio_lfsr *l, uint64_t *block);

#endif
