/* The "fixture.probe" interface of sym_user: what its init saw when it
 * looked up raw symbols through host->symbol. */
#ifndef TENON_FIXTURE_SYMUSER_H
#define TENON_FIXTURE_SYMUSER_H

#include <stdint.h>

#define PROBE_IFACE "fixture.probe"

typedef struct probe_table {
    uint32_t struct_size;
    uint32_t version;
    /* fixture_sym_answer() of sym_lib (declared in requires): 42, or -1
     * when the lookup returned NULL. */
    int (*declared)(void);
    /* 1 when looking up a symbol of good_basic (not in requires) returned
     * NULL, as it must. */
    int (*undeclared_refused)(void);
    /* 1 when looking up sym_lib's hidden symbol returned NULL. */
    int (*hidden_refused)(void);
} probe_table;

#endif
