/* The "fixture.own" interface of the owner fixtures (owner.c), shared with
 * the teardown tests that call it. */
#ifndef TENON_FIXTURE_OWNER_H
#define TENON_FIXTURE_OWNER_H

#include <stdint.h>

#define OWN_IFACE "fixture.own"
#define OWN_IFACE_VERSION 1

typedef struct own_table {
    uint32_t struct_size;
    uint32_t version;
    /* Makes an instance as the plugin itself, outside any init, from a
     * chain like the "make" option's; fini frees it unless marked "!".
     * 0 or a negative tenon error. */
    int (*make)(const char *chain);
    /* Takes a hold on another owner fixture (host->interface). */
    int (*hold)(const char *plugin);
} own_table;

#endif
