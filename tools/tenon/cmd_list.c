/* tenon list: every plugin found, with why it is or is not usable; with a
 * configuration, what it would load, in load order, and why. */
#include "cli.h"

#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const char list_help[] =
    "usage: tenon list [--path DIR]... [--config FILE | --app NAME] [--json]\n"
    "\n"
    "Lists the plugins in the search path (the --path folders, then\n"
    "TENON_PLUGIN_PATH, then the default folder) from their descriptors, without\n"
    "running any plugin code: name, version, ABI, what each provides and requires,\n"
    "its status (ok, disabled, incompatible, shadowed, overridden, missing-dependency:\n"
    "reason, broken: reason)\n"
    "and its file.\n"
    "\n"
    "With --config, or --app (the configuration host NAME would find: TENON_CONFIG,\n"
    "$XDG_CONFIG_HOME/NAME/tenon.json, /etc/NAME/tenon.json), prints the plan of\n"
    "that tenon.json instead: the plugins it loads, in load order, then every other\n"
    "plugin, each with why (enabled by config, required by A, enabled by default,\n"
    "disabled by default, disabled by config, overridden by A, shadowed by FILE,\n"
    "not installed, failed: reason), then the instances it makes and their\n"
    "options. Still no plugin code runs. Exits 1 when applying the configuration\n"
    "would stop on an error (which is printed last).\n"
    "\n"
    "options:\n" CLI_SEARCH_HELP
    "  -c, --config FILE  show the plan of the configuration FILE\n"
    "      --app NAME     show the plan of the configuration host NAME would read\n"
    "  -j, --json         print JSON\n"
    "  -h, --help         show this help\n";

/* "iface@v, iface@v" or "-". */
static void join_provides(const tenon_plugin_desc *d, char *buf, size_t size)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; d && i < d->n_provides && o < size; i++)
        o += (size_t)snprintf(buf + o, size - o, "%s%s@%u", i ? "," : "",
                              cli_text(d->provides[i].name), d->provides[i].version);
    if (!buf[0])
        snprintf(buf, size, "-");
}

static void join_requires(const tenon_plugin_desc *d, char *buf, size_t size)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; d && i < d->n_deps && o < size; i++)
        o += (size_t)snprintf(buf + o, size - o, "%s%s%s%s", i ? "," : "",
                              cli_text(d->deps[i].name), d->deps[i].range[0] ? " " : "",
                              cli_text(d->deps[i].range));
    if (!buf[0])
        snprintf(buf, size, "-");
}

/* ---- The plan of a configuration ------------------------------------------ */

/* Messages the library logs while reading a configuration (a plugin folder
 * that does not exist) go to stderr. */
static void plan_log(void *userdata, tenon_log_level level, const char *plugin,
                     const char *message)
{
    (void)userdata;
    fprintf(stderr, "tenon: %s: %s%s%s\n", level == TENON_LOG_ERROR ? "error" : "warning",
            plugin ? cli_text(plugin) : "", plugin ? ": " : "", cli_text(message));
}

/* A registry for the host app, with the search options and the
 * configuration loaded. Prints the error and returns NULL on failure;
 * *status says which exit status. */
static tenon_registry *plan_registry(const cli_search *s, const char *app, const char *config,
                                     int *status)
{
    unsigned flags = cli_registry_flags(s);
    tenon_registry *reg;
    *status = CLI_INTERNAL;
    if (tenon_registry_create(app, flags, &reg) < 0) {
        cli_print_error("cannot create a registry");
        return NULL;
    }
    tenon_registry_set_log(reg, plan_log, NULL, TENON_LOG_WARN);
    if (cli_add_paths(reg, s) < 0) {
        tenon_registry_free(reg);
        return NULL;
    }
    int rc = tenon_config_load(reg, config);
    if (rc < 0) {
        cli_print_error(NULL);
        tenon_registry_free(reg);
        *status = rc == TENON_ENOMEM ? CLI_INTERNAL : CLI_FAILED;
        return NULL;
    }
    *status = CLI_OK;
    return reg;
}

static json_t *options_json(const tenon_options *opts)
{
    json_t *a = json_array();
    for (size_t i = 0; i < tenon_options_count(opts); i++) {
        const char *key, *value, *origin;
        tenon_options_at(opts, i, &key, &value, &origin);
        json_array_append_new(a, json_pack("{s:o, s:o, s:o}", "name", cli_json_string(key),
                                           "value", cli_json_string(value), "origin",
                                           cli_json_string(origin ? origin : "")));
    }
    return a;
}

static int print_plan_json(tenon_registry *reg, const tenon_plan *plan)
{
    json_t *paths = json_array();
    const char *dirs[64];
    size_t nd = tenon_registry_paths(reg, dirs, 64);
    for (size_t i = 0; i < nd && i < 64; i++)
        json_array_append_new(paths, cli_json_string(dirs[i]));
    json_t *plugins = json_array();
    size_t order = 0;
    for (size_t i = 0; i < tenon_plan_count(plan); i++) {
        const tenon_plan_item *it = tenon_plan_at(plan, i);
        const tenon_plugin_desc *d = it->plugin ? tenon_plugin_descriptor(it->plugin) : NULL;
        const char *file = it->plugin ? tenon_plugin_path(it->plugin) : NULL;
        json_t *o = json_object();
        json_object_set_new(o, "order",
                            it->action == TENON_PLAN_LOAD ? json_integer((json_int_t)++order)
                                                          : json_null());
        json_object_set_new(o, "action", cli_json_string(tenon_plan_action_name(it->action)));
        json_object_set_new(o, "name", cli_json_string(it->name));
        json_object_set_new(o, "version", d ? cli_json_string(d->version) : json_null());
        json_object_set_new(o, "file", file ? cli_json_string(file) : json_null());
        json_object_set_new(o, "reason", cli_json_string(it->reason));
        json_object_set_new(o, "origin",
                            it->origin[0] ? cli_json_string(it->origin) : json_null());
        json_object_set_new(o, "stops", json_boolean(it->stops));
        json_object_set_new(o, "error", cli_error_json(it->error));
        json_object_set_new(o, "options",
                            it->options ? options_json(it->options) : json_null());
        json_array_append_new(plugins, o);
    }
    json_t *instances = json_array();
    for (size_t i = 0; i < tenon_plan_instance_count(plan); i++) {
        const tenon_plan_instance *in = tenon_plan_instance_at(plan, i);
        json_t *o = json_object();
        json_object_set_new(o, "name", cli_json_string(in->name));
        json_object_set_new(o, "plugin", cli_json_string(in->module));
        json_object_set_new(o, "interface",
                            in->interface ? cli_json_string(in->interface) : json_null());
        json_object_set_new(o, "action",
                            cli_json_string(in->action == TENON_PLAN_LOAD
                                                ? "make"
                                                : tenon_plan_action_name(in->action)));
        json_object_set_new(o, "reason", cli_json_string(in->reason));
        json_object_set_new(o, "origin", cli_json_string(in->origin));
        json_object_set_new(o, "stops", json_boolean(in->stops));
        json_object_set_new(o, "error", cli_error_json(in->error));
        json_object_set_new(o, "options", options_json(in->options));
        json_array_append_new(instances, o);
    }
    const char *file = tenon_config_file(reg);
    json_t *top = json_object();
    json_object_set_new(top, "configuration", file ? cli_json_string(file) : json_null());
    json_object_set_new(top, "search_path", paths);
    json_object_set_new(top, "plugins", plugins);
    json_object_set_new(top, "instances", instances);
    json_object_set_new(top, "stop", cli_error_json(tenon_plan_stop_error(plan)));
    return cli_print_json(top);
}

/* Whether reason already points into the configuration file that origin
 * ("FILE:LINE:COLUMN") names, so the origin would only repeat it. */
static bool names_position(const char *reason, const char *origin)
{
    const char *col = strrchr(origin, ':');
    const char *line = col ? memrchr(origin, ':', (size_t)(col - origin)) : NULL;
    if (!line)
        return false;
    char file[PATH_MAX + 2];
    snprintf(file, sizeof(file), "%.*s:", (int)(line - origin), origin);
    return strstr(reason, file) != NULL;
}

/* "key = value (origin)" lines, indented. */
static void print_options(const tenon_options *opts, int indent)
{
    for (size_t k = 0; k < tenon_options_count(opts); k++) {
        const char *key, *value, *origin;
        tenon_options_at(opts, k, &key, &value, &origin);
        printf("%*s%s = %s (%s)\n", indent, "", cli_text(key), cli_text(value),
               origin ? cli_text(origin) : "");
    }
}

static int text_width(const char *s)
{
    return (int)strlen(s);
}

static void print_plan_text(tenon_registry *reg, const tenon_plan *plan)
{
    const char *file = tenon_config_file(reg);
    printf("configuration: %s\n", file ? cli_text(file) : "none found");
    const char *dirs[64];
    size_t nd = tenon_registry_paths(reg, dirs, 64);
    printf("search path:");
    for (size_t i = 0; i < nd && i < 64; i++)
        printf("%s %s", i ? "," : "", cli_text(dirs[i]));
    printf("%s\n", nd ? "" : " none");

    /* Columns as wide as their widest entry, so the file reads as a table
     * in any terminal and diffs cleanly in tests. */
    int wname = 6, wver = 7;
    for (size_t i = 0; i < tenon_plan_count(plan); i++) {
        const tenon_plan_item *it = tenon_plan_at(plan, i);
        const tenon_plugin_desc *d = it->plugin ? tenon_plugin_descriptor(it->plugin) : NULL;
        if (text_width(cli_text(it->name)) > wname)
            wname = text_width(cli_text(it->name));
        if (d && text_width(cli_text(d->version)) > wver)
            wver = text_width(cli_text(d->version));
    }
    if (tenon_plan_count(plan)) {
        printf("\n%-3s %-9s %-*s %-*s %s\n", "#", "ACTION", wname, "PLUGIN", wver, "VERSION",
               "WHY");
        size_t order = 0;
        for (size_t i = 0; i < tenon_plan_count(plan); i++) {
            const tenon_plan_item *it = tenon_plan_at(plan, i);
            const tenon_plugin_desc *d = it->plugin ? tenon_plugin_descriptor(it->plugin)
                                                    : NULL;
            char num[16] = "-";
            if (it->action == TENON_PLAN_LOAD)
                snprintf(num, sizeof(num), "%zu", ++order);
            printf("%-3s %-9s %-*s %-*s %s", num, tenon_plan_action_name(it->action), wname,
                   cli_text(it->name), wver, d ? cli_text(d->version) : "-",
                   cli_text(it->reason));
            if (it->origin[0] && !names_position(it->reason, it->origin))
                printf(" (%s)", cli_text(it->origin));
            printf("\n");
            print_options(it->options, 4 + 10 + wname + 1);
        }
    } else {
        printf("\nno plugins found\n");
    }
    size_t ni = tenon_plan_instance_count(plan);
    if (ni)
        printf("\ninstances:\n");
    for (size_t i = 0; i < ni; i++) {
        const tenon_plan_instance *in = tenon_plan_instance_at(plan, i);
        printf("  %s: %s %s of %s (%s)\n", cli_text(in->name),
               in->action == TENON_PLAN_LOAD ? "make" : tenon_plan_action_name(in->action),
               in->interface ? cli_text(in->interface) : "?", cli_text(in->module),
               cli_text(in->origin));
        if (in->action != TENON_PLAN_LOAD)
            printf("    %s\n", cli_text(in->reason));
        print_options(in->options, 4);
    }
}

static int list_plan(const cli_search *search, const char *app, const char *config, bool json)
{
    int status;
    tenon_registry *reg = plan_registry(search, app, config, &status);
    if (!reg)
        return status;
    tenon_plan *plan;
    if (tenon_config_plan(reg, &plan) < 0) {
        cli_print_error("plan");
        tenon_registry_free(reg);
        return CLI_INTERNAL;
    }
    int rc = CLI_OK;
    if (json)
        rc = print_plan_json(reg, plan);
    else
        print_plan_text(reg, plan);
    fflush(stdout);
    const tenon_error *stop = tenon_plan_stop_error(plan);
    if (stop && rc == CLI_OK) {
        char line[8192];
        tenon_error_format(stop, line, sizeof(line));
        fprintf(stderr, "tenon: applying the configuration would stop: %s\n", cli_text(line));
        rc = CLI_FAILED;
    }
    tenon_plan_free(plan);
    tenon_registry_free(reg);
    return rc;
}

int cmd_list(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_SEARCH_LONG_OPTIONS,
        {"config", required_argument, NULL, 'c'},
        {"app", required_argument, NULL, 2001},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    cli_search search = {0};
    bool json = false;
    const char *config = NULL, *app = NULL;
    int opt;
    while ((opt = getopt_long(argc, argv, "p:c:jh", longopts, NULL)) != -1) {
        if (cli_search_option(&search, opt, optarg))
            continue;
        switch (opt) {
        case 'c':
            config = optarg;
            break;
        case 2001:
            app = optarg;
            break;
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
        fprintf(stderr, "tenon list: unexpected argument '%s'\n", cli_text(argv[optind]));
        return CLI_USAGE;
    }
    if (config || app)
        return list_plan(&search, app ? app : "tenon", config, json);
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
            json_array_append_new(paths, cli_json_string(dirs[i]));
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
            printf("%-16s %-10s %-5s %-24s %-20s %-8s %s\n", cli_text(tenon_plugin_name(p)),
                   d ? cli_text(d->version) : "-", abi, provides, requires,
                   tenon_plugin_is_static(p) ? "static" : "dynamic", cli_text(status));
            if (tenon_plugin_path(p))
                printf("%16s %s\n", "", cli_text(tenon_plugin_path(p)));
        }
    }
    tenon_registry_free(reg);
    return rc;
}
