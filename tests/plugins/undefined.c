/* A plugin whose code calls a function nothing defines. It is linked
 * without -z defs, so the link succeeds and the dynamic loader refuses it. */
#include "fixture.h"

void fixture_function_nobody_defines(void);

static int undefined_init(tenon_plugin *self, const tenon_host_api *host)
{
    fx_remember(self, host);
    fixture_function_nobody_defines();
    return 0;
}

TENON_PLUGIN(bad_undefined,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "uses a symbol nothing provides",
    ),
    TENON_CODE(
        .init = undefined_init,
    ));
