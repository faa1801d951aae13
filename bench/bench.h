/* What the benchmarks and their plugin share: the interface the plugin
 * provides, and the name every generated copy patches. */
#ifndef TENON_BENCH_H
#define TENON_BENCH_H

#include <stdint.h>

#define BENCH_IFACE "bench.call"
#define BENCH_IFACE_VERSION 1

/* The plugin's name as built; copies replace the seven digits. */
#define BENCH_NAME "bench_0000000"
#define BENCH_NAME_DIGITS 7

typedef struct bench_table {
    uint32_t struct_size;
    uint32_t version;
    /* The call the dispatch benchmark makes ten million times. */
    int (*call)(void *ctx, int x);
} bench_table;

#endif
