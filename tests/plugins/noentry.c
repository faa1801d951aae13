/* A well-formed plugin whose entry symbol the link hides (noentry.map). */
#include "fixture.h"

TENON_PLUGIN(bad_noentry,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "its entry symbol is not exported",
    ),
    TENON_CODE(
        .init = fx_init,
        .fini = fx_fini,
    ));
