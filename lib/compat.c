/* ABI 1.0's names for calls that 1.1 renamed or reordered, kept so hosts
 * built against 1.0 keep running and 1.0 sources keep compiling (with a
 * deprecation warning). Each only calls its successor; docs/abi.md lists
 * them. The version script keeps them in the TENON_1 node. Each checks the
 * arguments its successor refuses, so that an error names the function the
 * caller called. */
#include "internal.h"

#include <tenon/config.h>

int tenon_registry_new_with(tenon_registry **out, const char *app, unsigned flags,
                            const tenon_plugin_entry *const *static_begin,
                            const tenon_plugin_entry *const *static_end)
{
    TENON__CHECK_ARG(out, TENON_STAGE_SCAN, "out is NULL", TENON_EINVAL);
    return tenon_registry_create_with(app, flags, static_begin, static_end, out);
}

int tenon_registry_load_config(tenon_registry *reg, const char *path)
{
    TENON__CHECK_ARG(reg, TENON_STAGE_CONFIG, "reg is NULL", TENON_EINVAL);
    return tenon_config_load(reg, path);
}

int tenon_registry_load_config_buffer(tenon_registry *reg, const char *text, size_t len,
                                      const char *name)
{
    TENON__CHECK_ARG(reg, TENON_STAGE_CONFIG, "reg is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(text, TENON_STAGE_CONFIG, "text is NULL", TENON_EINVAL);
    return tenon_config_load_buffer(reg, text, len, name);
}

int tenon_registry_apply_config(tenon_registry *reg)
{
    TENON__CHECK_ARG(reg, TENON_STAGE_CONFIG, "reg is NULL", TENON_EINVAL);
    return tenon_config_apply(reg);
}
