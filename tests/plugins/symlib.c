/* A plugin that exports one extra symbol (symlib.map) for raw lookups
 * through host->symbol, and keeps another one hidden. */
#include "fixture.h"

__attribute__((visibility("default"))) int fixture_sym_answer(void);
int fixture_sym_hidden(void);

int fixture_sym_answer(void)
{
    return 42;
}

int fixture_sym_hidden(void)
{
    return 7;
}

TENON_PLUGIN(sym_lib,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "exports fixture_sym_answer",
    ),
    TENON_CODE(
        .init = fx_init,
        .fini = fx_fini,
    ));
