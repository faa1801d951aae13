/* Finds the static plugin linked in and the dynamic one in the host's own
 * default plugin folder, and calls both. Prints "echo-host ok" on success. */
#include <stdio.h>
#include <string.h>

#include <tenon/tenon.h>

#include "echo.h"

static int fail(const char *what)
{
    const tenon_error *e = tenon_last_error();
    fprintf(stderr, "echo-host: %s: %s\n", what, e && e->message[0] ? e->message : "");
    return 1;
}

static int say(tenon_registry *reg, const char *plugin, const char *want)
{
    const void *table;
    if (tenon_interface(reg, plugin, TEST_ECHO, TEST_ECHO_VERSION, &table, NULL) < 0)
        return fail(plugin);
    char out[64];
    if (((const test_echo *)table)->say("Hello", out, sizeof(out)) != 0 ||
        strcmp(out, want) != 0) {
        fprintf(stderr, "echo-host: %s said \"%s\", not \"%s\"\n", plugin, out, want);
        return 1;
    }
    return 0;
}

int main(void)
{
    tenon_registry *reg;
    if (tenon_registry_create("echo-host", TENON_REGISTRY_NO_ENV, &reg) < 0)
        return fail("registry");
    const char *dirs[4];
    if (tenon_registry_paths(reg, dirs, 4) != 1 || strcmp(dirs[0], ECHO_HOST_PLUGIN_DIR) != 0) {
        fprintf(stderr, "echo-host: default folder is %s, tenon_plugin_dir() said %s\n",
                dirs[0], ECHO_HOST_PLUGIN_DIR);
        return 1;
    }
    if (tenon_registry_scan(reg) < 0)
        return fail("scan");
    tenon_plugin *quiet = tenon_registry_find(reg, "quiet");
    tenon_plugin *loud = tenon_registry_find(reg, "loud");
    if (!quiet || !tenon_plugin_is_static(quiet)) {
        fprintf(stderr, "echo-host: the static plugin quiet is missing\n");
        return 1;
    }
    if (!loud || tenon_plugin_is_static(loud)) {
        fprintf(stderr, "echo-host: the dynamic plugin loud is not in %s\n", dirs[0]);
        return 1;
    }
    int rc = say(reg, "quiet", "hello") || say(reg, "loud", "HELLO");
    tenon_registry_free(reg);
    if (rc == 0)
        printf("echo-host ok: static quiet and dynamic loud from %s\n", ECHO_HOST_PLUGIN_DIR);
    return rc;
}
