/* tenon list: every plugin found, with why it is or is not usable. */
#include "cli.h"

#include <getopt.h>
#include <string.h>

static const char list_help[] =
    "usage: tenon list [--path DIR]... [--json]\n"
    "\n"
    "Lists the plugins in the search path (the --path folders, then\n"
    "TENON_PLUGIN_PATH, then the default folder) from their descriptors, without\n"
    "running any plugin code: name, version, ABI, what each provides and requires,\n"
    "its status (ok, disabled, incompatible, shadowed, overridden, broken: reason)\n"
    "and its file.\n"
    "\n"
    "options:\n" CLI_SEARCH_HELP
    "  -j, --json         print JSON\n"
    "  -h, --help         show this help\n";

/* "iface@v, iface@v" or "-". */
static void join_provides(const tenon_plugin_desc *d, char *buf, size_t size)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; d && i < d->n_provides && o < size; i++)
        o += (size_t)snprintf(buf + o, size - o, "%s%s@%u", i ? "," : "", d->provides[i].name,
                              d->provides[i].version);
    if (!buf[0])
        snprintf(buf, size, "-");
}

static void join_requires(const tenon_plugin_desc *d, char *buf, size_t size)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; d && i < d->n_requires && o < size; i++)
        o += (size_t)snprintf(buf + o, size - o, "%s%s%s%s", i ? "," : "", d->requires[i].name,
                              d->requires[i].range[0] ? " " : "", d->requires[i].range);
    if (!buf[0])
        snprintf(buf, size, "-");
}

int cmd_list(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_SEARCH_LONG_OPTIONS,
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    cli_search search = {0};
    bool json = false;
    int opt;
    while ((opt = getopt_long(argc, argv, "p:jh", longopts, NULL)) != -1) {
        if (cli_search_option(&search, opt, optarg))
            continue;
        switch (opt) {
        case 'j':
            json = true;
            break;
        case 'h':
            fputs(list_help, stdout);
            return CLI_OK;
        default:
            fputs(list_help, stderr);
            return CLI_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "tenon list: unexpected argument '%s'\n", argv[optind]);
        return CLI_USAGE;
    }
    tenon_registry *reg = cli_registry(&search);
    if (!reg)
        return CLI_INTERNAL;
    size_t n = tenon_registry_count(reg);
    int rc = CLI_OK;
    if (json) {
        json_t *plugins = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(plugins, cli_plugin_json(tenon_registry_at(reg, i)));
        json_t *paths = json_array();
        const char *dirs[64];
        size_t nd = tenon_registry_paths(reg, dirs, 64);
        for (size_t i = 0; i < nd && i < 64; i++)
            json_array_append_new(paths, json_string(dirs[i]));
        rc = cli_print_json(json_pack("{s:o, s:o}", "search_path", paths, "plugins", plugins));
    } else if (n == 0) {
        printf("no plugins found\n");
    } else {
        printf("%-16s %-10s %-5s %-24s %-20s %-8s %s\n", "NAME", "VERSION", "ABI", "PROVIDES",
               "REQUIRES", "KIND", "STATUS / FILE");
        for (size_t i = 0; i < n; i++) {
            tenon_plugin *p = tenon_registry_at(reg, i);
            const tenon_plugin_desc *d = tenon_plugin_descriptor(p);
            char provides[256], requires[256], status[2048], abi[16];
            join_provides(d, provides, sizeof(provides));
            join_requires(d, requires, sizeof(requires));
            cli_status_text(p, status, sizeof(status));
            if (d)
                snprintf(abi, sizeof(abi), "%u.%u", d->abi_major, d->abi_minor);
            else
                snprintf(abi, sizeof(abi), "-");
            printf("%-16s %-10s %-5s %-24s %-20s %-8s %s\n", tenon_plugin_name(p),
                   d ? d->version : "-", abi, provides, requires,
                   tenon_plugin_is_static(p) ? "static" : "dynamic", status);
            if (tenon_plugin_path(p))
                printf("%16s %s\n", "", tenon_plugin_path(p));
        }
    }
    tenon_registry_free(reg);
    return rc;
}
