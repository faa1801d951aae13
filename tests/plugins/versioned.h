/* The interface of the reload fixtures (versioned.c): every function of a
 * table answers its code's generation, so a caller can tell a torn table
 * (functions of two generations) from a whole one. */
#ifndef FIXTURE_VERSIONED_H
#define FIXTURE_VERSIONED_H

#include <tenon/plugin.h>

#define VERSIONED_IFACE "fixture.versioned"

typedef struct versioned_table {
    uint32_t struct_size;
    uint32_t version;
    int (*a)(void);
    int (*b)(void);
    int (*c)(int x); /* returns x * 1000 + the generation */
    /* The plugin data the code holds (host->data), and how many times its
     * state was handed across reloads by migrate. */
    int (*migrations)(void);
} versioned_table;

#endif
