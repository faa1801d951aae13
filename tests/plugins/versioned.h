/* The interface of the reload fixtures (versioned.c): every function of a
 * table answers its code's generation, so a caller can tell a torn table
 * (functions of two generations) from a whole one. Instances record the
 * generation that made them. */
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
    /* An instance's data (versioned_instance) through this table: the
     * generation that made the instance * 100 + this code's generation,
     * so 101 for an instance of generation 1 called through generation 1. */
    int (*instance_gen)(const void *data);
    /* Instances of this code alive now (made by its instance_init, not
     * yet finied). */
    int (*live)(void);
} versioned_table;

/* An instance's private data. */
typedef struct versioned_instance {
    int gen; /* the generation whose instance_init made it */
} versioned_instance;

#endif
