/* One interface in two versions side by side: fixture.dep v1 and v2, each
 * with its own table, so a host asking for v1 and one asking for v2 both
 * find what they need in the one plugin. */
#include "fixture.h"

static const char *v1_name(void)
{
    return "twover-v1";
}

static const char *v2_name(void)
{
    return "twover-v2";
}

static const fx_table table_v1 = {
    .struct_size = sizeof(fx_table),
    .version = 1,
    .name = v1_name,
};

static const fx_table table_v2 = {
    .struct_size = sizeof(fx_table),
    .version = 2,
    .name = v2_name,
};

FX_PLUGIN(twover,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "provides fixture.dep v1 and v2",
        .provides = {{FX_IFACE, 1}, {FX_IFACE, 2}},
    ),
    TENON_CODE(.init = fx_init, .fini = fx_fini,
               TENON_IMPLEMENTS(TENON_IMPL(FX_IFACE, &table_v1),
                                TENON_IMPL(FX_IFACE, &table_v2))));
