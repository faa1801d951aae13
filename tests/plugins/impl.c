/* A plugin whose code and descriptor disagree about its interfaces; the
 * host must refuse it when it loads the code, before running any of it:
 *   IMPL_NAME        plugin name (an identifier)
 *   IMPL_UNDECLARED  implements fixture.dep without declaring it
 *   IMPL_MISSING     declares fixture.dep without implementing it
 *   IMPL_VERSION     the table says version 2, the descriptor 1
 *   IMPL_NOSIZE      the table's struct_size is 0 */
#include "fixture.h"

static const char *impl_name(void)
{
    return "impl";
}

__attribute__((unused)) static const fx_table table = {
#ifdef IMPL_NOSIZE
    .struct_size = 0,
#else
    .struct_size = sizeof(fx_table),
#endif
#ifdef IMPL_VERSION
    .version = 2,
#else
    .version = 1,
#endif
    .name = impl_name,
};

#if defined(IMPL_UNDECLARED)
#define IMPL_PROVIDES \
    {                 \
        {             \
            "", 0     \
        }             \
    }
#else
#define IMPL_PROVIDES   \
    {                   \
        {               \
            FX_IFACE, 1 \
        }               \
    }
#endif

#if defined(IMPL_MISSING)
#define IMPL_CODE .init = fx_init
#else
#define IMPL_CODE .init = fx_init, TENON_IMPLEMENTS(TENON_IMPL(FX_IFACE, &table))
#endif

FX_PLUGIN(IMPL_NAME,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "code and descriptor disagree",
        .provides = IMPL_PROVIDES,
    ),
    TENON_CODE(IMPL_CODE));
