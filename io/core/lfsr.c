/* fio's LFSR (see lfsr.h): the register shifts right, feeding the top
 * bit back in and XORing the taps when the bit shifted out is 0 (an XNOR
 * form: all ones is the state it cannot leave). fio spins it once per draw,
 * and twice on the first draw after init (its spin-cycle bookkeeping with
 * spin 0); a reseed does not bring that extra step back. */
#include "lfsr.h"

#include <stddef.h>

/* Per register width, its taps (bit positions from 1), as the
 * maximal-length table gives them; widths below 3 have none. */
static const uint8_t taps[64][6] = {
    [3] = {3, 2},
    [4] = {4, 3},
    [5] = {5, 3},
    [6] = {6, 5},
    [7] = {7, 6},
    [8] = {8, 6, 5, 4},
    [9] = {9, 5},
    [10] = {10, 7},
    [11] = {11, 9},
    [12] = {12, 6, 4, 1},
    [13] = {13, 4, 3, 1},
    [14] = {14, 5, 3, 1},
    [15] = {15, 14},
    [16] = {16, 15, 13, 4},
    [17] = {17, 14},
    [18] = {18, 11},
    [19] = {19, 6, 2, 1},
    [20] = {20, 17},
    [21] = {21, 19},
    [22] = {22, 21},
    [23] = {23, 18},
    [24] = {24, 23, 22, 17},
    [25] = {25, 22},
    [26] = {26, 6, 2, 1},
    [27] = {27, 5, 2, 1},
    [28] = {28, 25},
    [29] = {29, 27},
    [30] = {30, 6, 4, 1},
    [31] = {31, 28},
    [32] = {32, 31, 29, 1},
    [33] = {33, 20},
    [34] = {34, 27, 2, 1},
    [35] = {35, 33},
    [36] = {36, 25},
    [37] = {37, 5, 4, 3, 2, 1},
    [38] = {38, 6, 5, 1},
    [39] = {39, 35},
    [40] = {40, 38, 21, 19},
    [41] = {41, 38},
    [42] = {42, 41, 20, 19},
    [43] = {43, 42, 38, 37},
    [44] = {44, 43, 18, 17},
    [45] = {45, 44, 42, 41},
    [46] = {46, 45, 26, 25},
    [47] = {47, 42},
    [48] = {48, 47, 21, 20},
    [49] = {49, 40},
    [50] = {50, 49, 24, 23},
    [51] = {51, 50, 36, 35},
    [52] = {52, 49},
    [53] = {53, 52, 38, 37},
    [54] = {54, 53, 18, 17},
    [55] = {55, 31},
    [56] = {56, 55, 35, 34},
    [57] = {57, 50},
    [58] = {58, 39},
    [59] = {59, 58, 38, 37},
    [60] = {60, 59},
    [61] = {61, 60, 46, 45},
    [62] = {62, 61, 6, 5},
    [63] = {63, 62},
};

static inline void step(struct tio_lfsr *l)
{
    uint64_t v = l->last;
    l->last = ((v >> 1) | l->top_bit) ^ (((v & 1) - 1) & l->xormask);
}

bool tio_lfsr_reset(struct tio_lfsr *l, uint64_t seed)
{
    uint64_t mask = (l->top_bit << 1) - 1;
    l->drawn = 0;
    l->last = seed & mask;
    return l->last != mask;
}

bool tio_lfsr_init(struct tio_lfsr *l, uint64_t blocks, uint64_t seed)
{
    /* the narrowest register (3 bits at least) whose values exceed the
     * block count */
    unsigned width = 3;
    while (width < 64 && (1ULL << width) <= blocks)
        width++;
    if (width == 64 || !blocks)
        return false;
    l->max = blocks - 1;
    l->xormask = 0;
    for (size_t i = 0; i < 6 && taps[width][i]; i++)
        l->xormask |= 1ULL << (taps[width][i] - 1);
    l->top_bit = 1ULL << (taps[width][0] - 1);
    l->extra_at = 1;
    return tio_lfsr_reset(l, seed);
}

bool tio_lfsr_next(struct tio_lfsr *l, uint64_t *block)
{
    if (l->drawn++ > l->max)
        return false;
    do {
        if (l->extra_at && !--l->extra_at)
            step(l);
        step(l);
    } while (l->last > l->max);
    *block = l->last;
    return true;
}
