/* An example host: finds every "example.greeter" provider (one linked in,
 * two from the plugin folder), makes an instance of each and greets. */
#include <stdio.h>
#include <stdlib.h>

#include <tenon/tenon.h>

#include "greeter.h"

static int report(const char *what)
{
    char line[1024];
    tenon_error_format(tenon_last_error(), line, sizeof(line));
    fprintf(stderr, "example-host: %s: %s\n", what, line);
    return 1;
}

int main(int argc, char **argv)
{
    tenon_registry *reg;
    if (tenon_registry_create("tenon-example", 0, &reg) < 0)
        return report("cannot create the registry");
    for (int i = 1; i < argc; i++)
        if (tenon_registry_add_path(reg, argv[i]) < 0)
            return report(argv[i]);
    if (tenon_registry_scan(reg) < 0)
        return report("scan");

    tenon_plugin *greeters[16];
    size_t n = tenon_providers(reg, EXAMPLE_GREETER, EXAMPLE_GREETER_VERSION, greeters, 16);
    printf("%zu greeters, best first:\n", n);
    int status = 0;
    for (size_t i = 0; i < n && i < 16; i++) {
        const char *name = tenon_plugin_name(greeters[i]);
        tenon_options *opts;
        tenon_instance *inst;
        if (tenon_options_new(&opts) < 0)
            return report("options");
        if (tenon_plugin_descriptor(greeters[i])->n_options > 0 &&
            tenon_descriptor_option(tenon_plugin_descriptor(greeters[i]), "punctuation"))
            tenon_options_set(opts, "punctuation", "!!", "example host");
        int rc = tenon_instance_new(reg, name, EXAMPLE_GREETER, name, opts, &inst);
        tenon_options_free(opts);
        if (rc < 0) {
            status = report(name);
            continue;
        }
        const example_greeter *g = tenon_instance_table(inst);
        char text[128];
        g->greet(tenon_instance_data(inst), "world", text, sizeof(text));
        printf("  %-8s %-7s %s\n", name,
               tenon_plugin_is_static(greeters[i]) ? "static" : "dynamic", text);
        tenon_instance_free(inst);
    }
    tenon_registry_free(reg);
    return status;
}
