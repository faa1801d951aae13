/* The fixture for tenon.json tests: an option of every type, two
 * interfaces, and an init and instance_init that log the values they were
 * given ("init transport=tcp port=10809 ...", "instance NAME: ..."), so a
 * test sees which options reached the plugin and where. Like OPAE's network
 * proxy, one module serves several configured instances.
 *
 * The build gives each copy its identity:
 *   CF_NAME            plugin name (an identifier)
 *   CF_VERSION         "1.0.0" unless given
 *   CF_FLAGS           TENON_PLUGIN_* flags
 *   CF_REQUIRES        .deps entries, e.g. {"cfg_proxy", ">=1"}
 *   CF_OVERRIDES       .overrides entries, e.g. "cfg_old"
 *   CF_REQUIRED        defined: adds option "target", required
 *   CF_INIT_FAIL       defined: init fails through host->fail()
 *   CF_INSTANCE_FAIL   defined: instance_init fails through host->fail() */
#include <stdio.h>
#include <string.h>

#include <tenon/plugin.h>

#ifndef CF_VERSION
#define CF_VERSION "1.0.0"
#endif
#ifndef CF_FLAGS
#define CF_FLAGS 0
#endif
#ifndef CF_REQUIRES
#define CF_REQUIRES \
    {               \
        "", ""      \
    }
#endif
#ifndef CF_OVERRIDES
#define CF_OVERRIDES ""
#endif
#ifdef CF_REQUIRED
#define CF_TARGET_OPTION \
    {"target", TENON_OPT_STRING, TENON_OPT_REQUIRED, .help = "what to serve (required)"},
#else
#define CF_TARGET_OPTION
#endif

#define CF_STR2(x) #x
#define CF_STR(x) CF_STR2(x)
/* Expands CF_NAME before TENON_PLUGIN stringifies it. */
#define CF_PLUGIN(ident, describe, code) TENON_PLUGIN(ident, describe, code)

static const tenon_host_api *host;

typedef struct cf_table {
    uint32_t struct_size;
    uint32_t version;
    const char *(*name)(void);
} cf_table;

typedef struct cf_instance {
    char summary[256];
} cf_instance;

static const char *cf_name(void)
{
    return CF_STR(CF_NAME);
}

static void summarize(const tenon_values *v, char *out, size_t size)
{
    snprintf(out, size,
             "transport=%s hosts=%s port=%lld timeout=%lldns bufsize=%lld ratio=%g verbose=%d",
             host->values_string(v, "transport"), host->values_string(v, "hosts"),
             (long long)host->values_int(v, "port"), (long long)host->values_int(v, "timeout"),
             (long long)host->values_int(v, "bufsize"), host->values_double(v, "ratio"),
             host->values_bool(v, "verbose") ? 1 : 0);
}

static int cf_init(tenon_plugin *self, const tenon_host_api *api)
{
    host = api;
    char s[256];
    summarize(api->options(self), s, sizeof(s));
    api->log(self, TENON_LOG_INFO, "init %s", s);
#ifdef CF_INIT_FAIL
    return api->fail(self, TENON_EINIT, "%s cannot reach its device", CF_STR(CF_NAME));
#else
    return 0;
#endif
}

static void cf_fini(tenon_plugin *self)
{
    host->log(self, TENON_LOG_INFO, "fini");
}

static int cf_instance_init(tenon_plugin *self, tenon_instance *inst, void *data,
                            const tenon_values *v)
{
    cf_instance *ci = data;
    summarize(v, ci->summary, sizeof(ci->summary));
    host->log(self, TENON_LOG_INFO, "instance %s: %s", host->instance_name(inst), ci->summary);
#ifdef CF_INSTANCE_FAIL
    return host->fail(self, TENON_EINIT, "no route to %s", host->values_string(v, "hosts"));
#else
    return 0;
#endif
}

static void cf_instance_fini(tenon_plugin *self, tenon_instance *inst, void *data)
{
    (void)data;
    host->log(self, TENON_LOG_INFO, "instance %s: fini", host->instance_name(inst));
}

static const cf_table proxy_table = {sizeof(cf_table), 1, cf_name};
static const cf_table stats_table = {sizeof(cf_table), 1, cf_name};

CF_PLUGIN(
    CF_NAME,
    TENON_DESCRIBE(
        .version = CF_VERSION,
        .description = "tenon.json test fixture",
        .license = "MIT",
        .flags = CF_FLAGS,
        .deps = {CF_REQUIRES},
        .overrides = {CF_OVERRIDES},
        .provides = {{"cfg.proxy", 1}, {"cfg.stats", 1}},
        .options = {
            {"transport", TENON_OPT_ENUM, .def = "tcp", .choices = "tcp|rdma",
             .help = "how to reach the hosts"},
            {"hosts", TENON_OPT_STRING, .def = "localhost", .help = "comma-separated hosts"},
            {"discovery", TENON_OPT_STRING, .def = "none", .help = "how to find hosts"},
            {"port", TENON_OPT_INT, .def = "10809", .min = 1, .max = 65535,
             .help = "TCP port"},
            {"timeout", TENON_OPT_DURATION, .def = "30s", .help = "connect timeout"},
            {"bufsize", TENON_OPT_SIZE, .def = "64k", .help = "buffer size"},
            {"ratio", TENON_OPT_DOUBLE, .def = "0.5", .min = 0, .max = 1,
             .help = "read share, 0 to 1"},
            {"verbose", TENON_OPT_BOOL, .def = "false", .help = "log every request"},
            CF_TARGET_OPTION
        },
    ),
                                   TENON_CODE(
        .init = cf_init,
        .fini = cf_fini,
        TENON_IMPLEMENTS(
            TENON_IMPL("cfg.proxy", &proxy_table, TENON_INSTANCE_OF(cf_instance),
                       .instance_init = cf_instance_init, .instance_fini = cf_instance_fini),
            TENON_IMPL("cfg.stats", &stats_table, TENON_INSTANCE_OF(cf_instance),
                       .instance_init = cf_instance_init, .instance_fini = cf_instance_fini)),
    ));
