/* Requires sym_lib and looks up its symbols through host->symbol, which
 * is allowed only for plugins the caller lists in its requires. */
#include "fixture.h"
#include "symuser.h"

static int (*answer)(void);
static int undeclared_null, hidden_null;

static int symuser_init(tenon_plugin *self, const tenon_host_api *host)
{
    fx_remember(self, host);
    void *sym = host->symbol(self, "sym_lib", "fixture_sym_answer");
    answer = (int (*)(void))sym;
    undeclared_null = host->symbol(self, "good_basic", "tenon_entry") == NULL;
    hidden_null = host->symbol(self, "sym_lib", "fixture_sym_hidden") == NULL;
    host->log(self, TENON_LOG_INFO, "init");
    return 0;
}

static int probe_declared(void)
{
    return answer ? answer() : -1;
}

static int probe_undeclared(void)
{
    return undeclared_null;
}

static int probe_hidden(void)
{
    return hidden_null;
}

static const probe_table probe = {
    .struct_size = sizeof(probe_table),
    .version = 1,
    .declared = probe_declared,
    .undeclared_refused = probe_undeclared,
    .hidden_refused = probe_hidden,
};

TENON_PLUGIN(sym_user,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "looks up raw symbols of sym_lib",
        .deps = {{"sym_lib", "^1"}},
        .provides = {{PROBE_IFACE, 1}},
    ),
    TENON_CODE(
        .init = symuser_init,
        .fini = fx_fini,
        TENON_IMPLEMENTS(TENON_IMPL(PROBE_IFACE, &probe)),
    ));
