#include "rand.h"

/* splitmix64 spreads a small seed over the whole state. */
static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void tio_rand_seed(struct tio_rand *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix(&x);
}

void tio_perm_init(struct tio_perm *p, uint64_t n, uint64_t seed)
{
    uint64_t m = 1;
    unsigned bits = 0;
    while (m < n) {
        m <<= 1;
        bits++;
    }
    uint64_t x = seed;
    p->n = n ? n : 1;
    p->mask = m - 1;
    /* Hull-Dobell: modulo 2^k, a = 1 (mod 4) and odd c give period 2^k. */
    p->a = (splitmix(&x) << 2) | 1;
    p->c = splitmix(&x) | 1;
    p->x = splitmix(&x) & p->mask;
    p->m1 = splitmix(&x) | 1;
    p->m2 = splitmix(&x) | 1;
    p->half = bits / 2 + 1;
    p->left = 0;
}
