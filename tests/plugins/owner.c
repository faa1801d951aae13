/* A plugin that makes instances of other plugins with host->instance_create,
 * for the teardown tests. Every copy provides OWN_IFACE (owner.h), whose
 * instances make more instances on request, and has two options, read as
 * plugin-level options by init and as instance options by instance_init:
 *   make  a chain of plugins, "b>c>d": make an instance of b whose own
 *         "make" is "c>d", and so on down. A "!" after a name leaves that
 *         instance to the registry: its maker's fini does not free it.
 *   tag   the instance's name in the log; what an instance makes is tagged
 *         TAG/PLUGIN, what the plugin itself makes PLUGIN@/PLUGIN.
 * Everything is logged at INFO, so a test sees the order of events: "init",
 * "fini", "iinit TAG", "ifini TAG", and "dead ..." when a fini meets an
 * instance that was already finished (freed too early, or twice).
 * The build gives each copy its identity:
 *   OWN_NAME  plugin name (an identifier)
 *   OWN_MAKE  the plugin-level default of "make" (default "")
 *   OWN_STRV  defined: pass options the 1.0 way, a NULL-terminated list of
 *             strings to the deprecated host->instance_new, so a test
 *             compares both ways. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "fixture.h"
#include "owner.h"

#ifndef OWN_MAKE
#define OWN_MAKE ""
#endif

#define OWN_STR2(x) #x
#define OWN_STR(x) OWN_STR2(x)
#define OWN_ALIVE 0x0a11fe5u
#define OWN_MAX_MADE 8

typedef struct own_instance {
    unsigned magic; /* OWN_ALIVE between instance_init and instance_fini */
    char tag[128];
    tenon_instance *made;
    bool keep; /* leave made to the registry */
} own_instance;

/* What the plugin itself made (init or make()), oldest first. */
static struct {
    tenon_instance *inst;
    bool keep;
} made[OWN_MAX_MADE];
static int n_made;

/* Makes the first instance of chain ("b!>c>d") as self, tagged
 * owner_tag/b, passing it the rest of the chain. */
static int make_chain(tenon_plugin *self, const char *chain, const char *owner_tag,
                      tenon_instance **out, bool *keep)
{
    char target[64], rest[256], tag[128];
    size_t len = strcspn(chain, ">");
    snprintf(target, sizeof(target), "%.*s", (int)len, chain);
    snprintf(rest, sizeof(rest), "%s", chain[len] ? chain + len + 1 : "");
    *keep = len > 0 && target[len - 1] == '!';
    if (*keep)
        target[len - 1] = '\0';
    snprintf(tag, sizeof(tag), "%s/%s", owner_tag, target);
#ifdef OWN_STRV
    const char *options[] = {"make", rest, "tag", tag, NULL};
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
    int rc = fx_host->instance_new(self, target, OWN_IFACE, options, out);
#pragma GCC diagnostic pop
#else
    tenon_options *opts = NULL;
    int rc = fx_host->options_new(&opts);
    if (rc == 0)
        rc = fx_host->options_set(opts, "make", rest, NULL);
    if (rc == 0)
        rc = fx_host->options_set(opts, "tag", tag, NULL);
    if (rc == 0)
        rc = fx_host->instance_create(self, target, OWN_IFACE, opts, out);
    fx_host->options_free(opts);
#endif
    if (rc < 0)
        return fx_host->fail(self, rc, "cannot make an instance of %s", target);
    return 0;
}

/* Frees an instance this plugin made; reports one already finished. */
static void free_made(tenon_plugin *self, tenon_instance *inst)
{
    const own_instance *oi = fx_host->instance_data(inst);
    if (oi->magic != OWN_ALIVE)
        fx_host->log(self, TENON_LOG_INFO, "dead %s", oi->tag);
    fx_host->instance_free(self, inst);
}

static int plugin_make(tenon_plugin *self, const char *chain)
{
    if (n_made == OWN_MAX_MADE)
        return TENON_ENOMEM;
    char owner_tag[80];
    snprintf(owner_tag, sizeof(owner_tag), "%s@", fx_host->plugin_name(self));
    int rc = make_chain(self, chain, owner_tag, &made[n_made].inst, &made[n_made].keep);
    if (rc == 0)
        n_made++;
    return rc;
}

static int own_init(tenon_plugin *self, const tenon_host_api *host)
{
    fx_remember(self, host);
    n_made = 0;
    host->log(self, TENON_LOG_INFO, "init");
    const char *chain = host->values_string(host->options(self), "make");
    return chain && *chain ? plugin_make(self, chain) : 0;
}

static void own_fini(tenon_plugin *self)
{
    fx_host->log(self, TENON_LOG_INFO, "fini");
    while (n_made > 0) {
        n_made--;
        if (!made[n_made].keep)
            free_made(self, made[n_made].inst);
    }
}

static int own_instance_init(tenon_plugin *self, tenon_instance *inst, void *data,
                             const tenon_values *opts)
{
    (void)inst;
    own_instance *oi = data;
    snprintf(oi->tag, sizeof(oi->tag), "%s", fx_host->values_string(opts, "tag"));
    fx_host->log(self, TENON_LOG_INFO, "iinit %s", oi->tag);
    oi->magic = OWN_ALIVE;
    const char *chain = fx_host->values_string(opts, "make");
    return chain && *chain ? make_chain(self, chain, oi->tag, &oi->made, &oi->keep) : 0;
}

static void own_instance_fini(tenon_plugin *self, tenon_instance *inst, void *data)
{
    (void)inst;
    own_instance *oi = data;
    fx_host->log(self, TENON_LOG_INFO, oi->magic == OWN_ALIVE ? "ifini %s" : "dead %s",
                 oi->tag);
    oi->magic = 0;
    if (oi->made && !oi->keep)
        free_made(self, oi->made);
    oi->made = NULL;
}

static int table_make(const char *chain)
{
    return plugin_make(fx_self, chain);
}

static int table_hold(const char *plugin)
{
    const void *t;
    return fx_host->interface(fx_self, plugin, OWN_IFACE, 1, &t);
}

static const own_table table = {
    .struct_size = sizeof(own_table),
    .version = OWN_IFACE_VERSION,
    .make = table_make,
    .hold = table_hold,
};

FX_PLUGIN(OWN_NAME,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "makes instances of other plugins",
        .license = "MIT",
        .flags = TENON_PLUGIN_UNLOADABLE,
        .provides = {{OWN_IFACE, OWN_IFACE_VERSION}},
        .options = {
            {"make", TENON_OPT_STRING, .def = OWN_MAKE,
             .help = "plugins to make instances of, \"b>c\"; \"!\": leave it to the registry"},
            {"tag", TENON_OPT_STRING, .def = "", .help = "the instance's name in the log"},
        },
    ),
    TENON_CODE(
        .init = own_init,
        .fini = own_fini,
        TENON_IMPLEMENTS(TENON_IMPL(OWN_IFACE, &table,
                                    TENON_INSTANCE_OF(own_instance),
                                    .instance_init = own_instance_init,
                                    .instance_fini = own_instance_fini)),
    ));
