/* A plugin whose init dies of SIGSEGV (for `tenon check`, which runs each
 * plugin in a child process). The default action is restored first so the
 * death is the same under sanitizers, which catch SIGSEGV. */
#include <signal.h>

#include "fixture.h"

static int crash_init(tenon_plugin *self, const tenon_host_api *host)
{
    fx_remember(self, host);
    host->log(self, TENON_LOG_INFO, "init");
    signal(SIGSEGV, SIG_DFL);
    raise(SIGSEGV);
    return 0;
}

TENON_PLUGIN(bad_initcrash,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "crashes in init",
    ),
    TENON_CODE(
        .init = crash_init,
    ));
