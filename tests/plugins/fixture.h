/* Shared by the fixture plugins: init and fini report themselves through the
 * host's log (level INFO, message "init" / "fini"), so a test sees the order
 * in which plugins were initialized and finished without any file or
 * environment variable. Plugins keep the host table they got in init. */
#ifndef TENON_FIXTURE_H
#define TENON_FIXTURE_H

#include <tenon/plugin.h>

/* TENON_PLUGIN() stringifies its first argument as it is written; this
 * indirection expands a name given as a macro first. */
#define FX_PLUGIN(ident, describe, code) TENON_PLUGIN(ident, describe, code)

static const tenon_host_api *fx_host __attribute__((unused));
static tenon_plugin *fx_self __attribute__((unused));

static inline void fx_remember(tenon_plugin *self, const tenon_host_api *host)
{
    fx_host = host;
    fx_self = self;
}

static inline int fx_init(tenon_plugin *self, const tenon_host_api *host)
{
    fx_remember(self, host);
    host->log(self, TENON_LOG_INFO, "init");
    return 0;
}

/* The host table is the same for every registry; a plugin loaded by two
 * registries of one process shares one mapping (and these statics), so
 * fini does not clear them. */
static inline void fx_fini(tenon_plugin *self)
{
    fx_host->log(self, TENON_LOG_INFO, "fini");
}

/* The interface most fixtures provide, so hosts can make instances. */
#define FX_IFACE "fixture.dep"
#define FX_IFACE_VERSION 1

typedef struct fx_table {
    uint32_t struct_size;
    uint32_t version;
    /* The plugin's name, as the plugin knows it. */
    const char *(*name)(void);
} fx_table;

/* Private data of an instance of FX_IFACE. */
typedef struct fx_instance {
    char tag[32];
    unsigned inits;
} fx_instance;

#endif
