/* The "fixture.basic" interface of the good_basic fixture, shared with the
 * tests that call it. */
#ifndef TENON_FIXTURE_BASIC_H
#define TENON_FIXTURE_BASIC_H

#include <stdbool.h>
#include <stdint.h>

#define BASIC_IFACE "fixture.basic"
#define BASIC_IFACE_VERSION 3

/* An instance's private data: its options, as the plugin read them. */
typedef struct basic_instance {
    unsigned magic; /* BASIC_MAGIC once instance_init ran */
    bool verbose;
    int64_t depth;
    int64_t block;
    int64_t timeout_ns;
    double ratio;
    char label[64];
    char mode[16];
    bool depth_given;
} basic_instance;

#define BASIC_MAGIC 0xba51cu

typedef struct basic_table {
    uint32_t struct_size;
    uint32_t version;
    /* How many instances of the plugin are alive. */
    int (*live)(void);
    /* The plugin-level data the plugin stored with host->set_data in init
     * (the default of its depth option), read back through host->data. */
    int64_t (*plugin_depth)(void);
} basic_table;

#endif
