/* Fuzzes tenon.json: parsing, the position index, the schema checks, and
 * the load plan built from it (no plugin code runs for a plan). */
#include <stddef.h>
#include <stdint.h>

#include <tenon/tenon.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void silent(void *ud, tenon_log_level level, const char *plugin, const char *message)
{
    (void)ud;
    (void)level;
    (void)plugin;
    (void)message;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tenon_registry *reg;
    if (tenon_registry_create("fuzz", TENON_REGISTRY_NO_ENV | TENON_REGISTRY_NO_DEFAULT_PATH,
                              &reg) < 0)
        return 0;
    tenon_registry_set_log(reg, silent, NULL, TENON_LOG_DEBUG);
    if (tenon_config_load_buffer(reg, (const char *)data, size, "fuzz.json") == 0) {
        tenon_plan *plan;
        if (tenon_config_plan(reg, &plan) == 0) {
            for (size_t i = 0; i < tenon_plan_count(plan); i++)
                (void)tenon_plan_at(plan, i);
            tenon_plan_free(plan);
        }
    }
    tenon_registry_free(reg);
    return 0;
}
