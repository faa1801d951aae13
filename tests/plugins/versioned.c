/* The reload fixtures: one plugin, "versioned", in several generations.
 *   FX_GEN        the generation its functions answer (1, 2, ...)
 *   FX_VERSION    "1.0.0"
 *   FX_MIGRATE    defined: the entry has a migrate that takes the old
 *                 generation's state over and counts the hand-over
 *   FX_INIT_FAIL  defined: init (and migrate) fail
 *   FX_REQUIRES   the .deps entries
 * It logs "init N", "fini N" and "migrate N" (N: FX_GEN), and
 * "instance fini N" for an instance, so tests see which generation's code
 * ran. */
#include <stdatomic.h>
#include <stdlib.h>

#include "versioned.h"

#ifndef FX_REQUIRES
#define FX_REQUIRES \
    {               \
        "", ""      \
    }
#endif

typedef struct state {
    int migrations;
} state;

static const tenon_host_api *host;
static tenon_plugin *me;

static int a(void)
{
    return FX_GEN;
}

static int b(void)
{
    return FX_GEN;
}

static int c(int x)
{
    return x * 1000 + FX_GEN;
}

static int migrations(void)
{
    state *s = host->data(me);
    return s ? s->migrations : -1;
}

static int start(tenon_plugin *self, const tenon_host_api *h, state *s)
{
    host = h;
    me = self;
#ifdef FX_INIT_FAIL
    free(s);
    return h->fail(self, TENON_EINIT, "generation %d refuses to start", FX_GEN);
#else
    h->set_data(self, s);
    return 0;
#endif
}

static int init(tenon_plugin *self, const tenon_host_api *h)
{
    h->log(self, TENON_LOG_INFO, "init %d", FX_GEN);
    state *s = calloc(1, sizeof(*s));
    if (!s)
        return TENON_ENOMEM;
    return start(self, h, s);
}

#ifdef FX_MIGRATE
static int migrate(tenon_plugin *self, const tenon_host_api *h, void *old_data)
{
    h->log(self, TENON_LOG_INFO, "migrate %d", FX_GEN);
    state *s = old_data;
    if (!s && !(s = calloc(1, sizeof(*s))))
        return TENON_ENOMEM;
    s->migrations++;
    return start(self, h, s);
}
#define FX_MIGRATE_FIELD .migrate = migrate,
#else
#define FX_MIGRATE_FIELD
#endif

static void fini(tenon_plugin *self)
{
    host->log(self, TENON_LOG_INFO, "fini %d", FX_GEN);
    free(host->data(self));
}

static atomic_int live_instances;

static int instance_gen(const void *data)
{
    const versioned_instance *v = data;
    return v->gen * 100 + FX_GEN;
}

static int live(void)
{
    return atomic_load(&live_instances);
}

static int instance_init(tenon_plugin *self, tenon_instance *instance, void *data,
                         const tenon_values *options)
{
    (void)self;
    (void)instance;
    (void)options;
    ((versioned_instance *)data)->gen = FX_GEN;
    atomic_fetch_add(&live_instances, 1);
    return 0;
}

static void instance_fini(tenon_plugin *self, tenon_instance *instance, void *data)
{
    (void)instance;
    atomic_fetch_sub(&live_instances, 1);
    host->log(self, TENON_LOG_INFO, "instance fini %d of %d", ((versioned_instance *)data)->gen,
              FX_GEN);
}

static const versioned_table table = {
    .struct_size = sizeof(versioned_table),
    .version = 1,
    .a = a,
    .b = b,
    .c = c,
    .migrations = migrations,
    .instance_gen = instance_gen,
    .live = live,
};

TENON_PLUGIN(versioned,
    TENON_DESCRIBE(
        .version = FX_VERSION,
        .description = "reload fixture",
        .license = "MIT",
        .flags = TENON_PLUGIN_UNLOADABLE,
        .deps = {FX_REQUIRES},
        .provides = {{VERSIONED_IFACE, 1}},
    ),
    TENON_CODE(
        .init = init,
        .fini = fini,
        FX_MIGRATE_FIELD
        TENON_IMPLEMENTS(TENON_IMPL(VERSIONED_IFACE, &table,
                                    TENON_INSTANCE_OF(versioned_instance),
                                    .instance_init = instance_init,
                                    .instance_fini = instance_fini)),
    ));
