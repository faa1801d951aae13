/* Helper for test_registry: prints how many search folders a registry gets
 * from TENON_PLUGIN_PATH. The test runs a setgid copy of it, so the
 * process runs with AT_SECURE, where the environment must be ignored.
 * Linked with the static library: a secure process ignores
 * LD_LIBRARY_PATH and $ORIGIN, and must not depend on them. */
#include <stdio.h>
#include <sys/auxv.h>

#include <tenon/tenon.h>

int main(void)
{
    tenon_registry *reg;
    if (tenon_registry_create("tenon-test", TENON_REGISTRY_NO_DEFAULT_PATH, &reg) < 0)
        return 2;
    tenon_registry_set_log(reg, NULL, NULL, TENON_LOG_ERROR);
    printf("secure=%lu paths=%zu\n", getauxval(AT_SECURE), tenon_registry_paths(reg, NULL, 0));
    tenon_registry_free(reg);
    return 0;
}
