/* A generic fixture for the dependency sets (chain, diamond, cycle, missing,
 * version conflict, failing dependency). The build gives each copy its
 * identity:
 *   FX_NAME      plugin name (an identifier)
 *   FX_VERSION   "1.0.0"
 *   FX_REQUIRES  the .deps entries, e.g. {"chain_b", ">=1.2 <2"}
 *   FX_FLAGS     TENON_PLUGIN_* flags
 *   FX_RANK      rank of its fixture.dep interface
 *   FX_DEP_VERSION  version of its fixture.dep interface (default 1)
 *   FX_OVERRIDES the .overrides entries, e.g. "good_basic"
 *   FX_INIT_FAIL defined: init fails through host->fail()
 *   FX_INIT_SLEEP_MS  init takes this long (after logging "init")
 * Every copy provides "fixture.dep" with 'struct fx_instance' instances. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fixture.h"

#ifndef FX_REQUIRES
#define FX_REQUIRES \
    {               \
        "", ""      \
    }
#endif
#ifndef FX_FLAGS
#define FX_FLAGS 0
#endif
#ifndef FX_OVERRIDES
#define FX_OVERRIDES ""
#endif
#ifndef FX_RANK
#define FX_RANK 0
#endif
#ifndef FX_DEP_VERSION
#define FX_DEP_VERSION FX_IFACE_VERSION
#endif

#define FX_STR2(x) #x
#define FX_STR(x) FX_STR2(x)

static const char *dep_name(void)
{
    return FX_STR(FX_NAME);
}

static int dep_init(tenon_plugin *self, const tenon_host_api *host)
{
    fx_remember(self, host);
    host->log(self, TENON_LOG_INFO, "init");
#ifdef FX_INIT_SLEEP_MS
    struct timespec nap = {FX_INIT_SLEEP_MS / 1000, (FX_INIT_SLEEP_MS % 1000) * 1000000L};
    while (nanosleep(&nap, &nap) != 0)
        ;
#endif
#ifdef FX_INIT_FAIL
    return host->fail(self, TENON_EINIT, "fixture %s refuses to start: no frobnicator",
                      FX_STR(FX_NAME));
#else
    return 0;
#endif
}

static int dep_instance_init(tenon_plugin *self, tenon_instance *inst, void *data,
                             const tenon_values *opts)
{
    (void)opts;
    fx_instance *fi = data;
    snprintf(fi->tag, sizeof(fi->tag), "%s", fx_host->instance_name(inst));
    fi->inits++;
    fx_host->log(self, TENON_LOG_INFO, "instance_init");
    return 0;
}

static void dep_instance_fini(tenon_plugin *self, tenon_instance *inst, void *data)
{
    (void)inst;
    (void)data;
    fx_host->log(self, TENON_LOG_INFO, "instance_fini");
}

static const fx_table dep_table = {
    .struct_size = sizeof(fx_table),
    .version = FX_DEP_VERSION,
    .name = dep_name,
};

FX_PLUGIN(FX_NAME,
    TENON_DESCRIBE(
        .version = FX_VERSION,
        .description = "dependency fixture",
        .license = "MIT",
        .flags = FX_FLAGS,
        .deps = {FX_REQUIRES},
        .overrides = {FX_OVERRIDES},
        .provides = {{FX_IFACE, FX_DEP_VERSION, .rank = FX_RANK}},
    ),
    TENON_CODE(
        .init = dep_init,
        .fini = fx_fini,
        TENON_IMPLEMENTS(TENON_IMPL(FX_IFACE, &dep_table,
                                    TENON_INSTANCE_OF(fx_instance),
                                    .instance_init = dep_instance_init,
                                    .instance_fini = dep_instance_fini)),
    ));
