/* A plugin with a required option and no default. */
#include "fixture.h"

TENON_PLUGIN(opt_required,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "needs its target option",
        .options = {
            {"target", TENON_OPT_STRING, TENON_OPT_REQUIRED, .help = "what to work on"},
            {"retries", TENON_OPT_INT, .def = "3", .min = 0, .max = 10},
        },
    ),
    TENON_CODE(
        .init = fx_init,
        .fini = fx_fini,
    ));
