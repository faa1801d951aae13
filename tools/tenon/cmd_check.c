/* tenon check: load, init and fini each plugin in its own child process
 * with a timeout, so one that crashes or hangs is reported and the others
 * still get checked. */
#include "cli.h"

#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char check_help[] =
    "usage: tenon check [--path DIR]... [--timeout MS] [--json] FILE|DIR...\n"
    "\n"
    "Checks each plugin file, and each plugin in each folder: its descriptor,\n"
    "file permissions and ABI, then a full load, init and fini in a child process\n"
    "with a time limit, so a plugin that crashes or hangs is reported with the\n"
    "signal or the timeout and the others still get checked. Dependencies are\n"
    "looked up in the given folders and the search path.\n"
    "\n"
    "options:\n" CLI_SEARCH_HELP "  -t, --timeout MS   time limit per plugin (default 10000)\n"
    "  -j, --json         print JSON\n"
    "  -h, --help         show this help\n"
    "\n"
    "exit status: 0 if every plugin passed, 1 if any failed, 2 usage error.\n";

typedef struct target {
    tenon_plugin *plugin;
    const char *arg;
} target;

typedef struct target_list {
    target *items;
    size_t n;
} target_list;

/* The command line of tenon check; the plugins named are argv[first..]. */
typedef struct check_args {
    cli_check_options o;
    int first;
} check_args;

/* Returns -1 to go on, or the exit status. */
static int parse_check_args(int argc, char **argv, check_args *a)
{
    int rc = cli_parse_check_options(argc, argv, "check", check_help, false, &a->o);
    if (rc != -1)
        return rc;
    if (optind >= argc) {
        fputs(check_help, stderr);
        return CLI_USAGE;
    }
    a->first = optind;
    return -1;
}

static bool is_folder(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Folders named on the command line are searched too, so plugins in
 * them find their dependencies. folders holds their absolute names. */
static void search_named_folders(check_args *a, int argc, char **argv,
                                 char (*folders)[PATH_MAX])
{
    size_t n_folders = 0;
    for (int i = a->first; i < argc; i++) {
        if (is_folder(argv[i]) && n_folders < 64 && a->o.search.n_dirs < 64 &&
            realpath(argv[i], folders[n_folders])) {
            a->o.search.dirs[a->o.search.n_dirs++] = folders[n_folders++];
        }
    }
}

static bool add_target(target_list *l, tenon_plugin *p, const char *arg)
{
    target *items = realloc(l->items, (l->n + 1) * sizeof(*items));
    if (!items)
        return false;
    l->items = items;
    l->items[l->n++] = (target){p, arg};
    return true;
}

/* Adds the plugins right in folder arg (not in its subfolders). */
static int add_folder_targets(tenon_registry *reg, const char *arg, target_list *l)
{
    char dir[PATH_MAX];
    if (!realpath(arg, dir))
        return CLI_OK;
    size_t len = strlen(dir);
    size_t total = tenon_registry_count(reg);
    bool any = false;
    for (size_t k = 0; k < total; k++) {
        tenon_plugin *p = tenon_registry_at(reg, k);
        const char *f = tenon_plugin_path(p);
        if (f && strncmp(f, dir, len) == 0 && f[len] == '/' && !strchr(f + len + 1, '/')) {
            if (!add_target(l, p, arg))
                return CLI_INTERNAL;
            any = true;
        }
    }
    if (!any)
        fprintf(stderr, "tenon check: no plugins in %s\n", cli_text(arg));
    return CLI_OK;
}

/* The plugins to check, in command-line order. Returns CLI_FAILED if a file
 * named is no plugin (the others are still listed), CLI_INTERNAL when out of
 * memory. */
static int collect_targets(tenon_registry *reg, int first, int argc, char **argv,
                           target_list *l)
{
    int rc = CLI_OK;
    for (int i = first; i < argc; i++) {
        if (is_folder(argv[i])) {
            if (add_folder_targets(reg, argv[i], l) == CLI_INTERNAL)
                return CLI_INTERNAL;
            continue;
        }
        char abs[PATH_MAX];
        const char *path = argv[i];
        if (path[0] != '/' && realpath(path, abs))
            path = abs;
        tenon_plugin *p = NULL;
        tenon_registry_add_file(reg, path, &p);
        if (!p) {
            cli_print_error(argv[i]);
            rc = CLI_FAILED;
            continue;
        }
        if (!add_target(l, p, argv[i]))
            return CLI_INTERNAL;
    }
    return rc;
}

/* Returns 0 if p passed, else negative with *err set. */
static int check_plugin(tenon_plugin *p, unsigned timeout, tenon_error *err)
{
    tenon_status st = tenon_plugin_status(p);
    int prc;
    if (st == TENON_STATUS_FOUND || st == TENON_STATUS_DISABLED) {
        prc = tenon_plugin_validate(p, timeout);
    } else {
        /* Broken, incompatible or shadowed: the scan already said why;
         * a shadowed plugin is checked all the same, on its own. */
        prc = st == TENON_STATUS_SHADOWED || st == TENON_STATUS_OVERRIDDEN
                  ? tenon_plugin_validate(p, timeout)
                  : (tenon_plugin_error(p) ? tenon_plugin_error(p)->code : TENON_EBROKEN);
        if (prc < 0 && tenon_plugin_error(p) && st != TENON_STATUS_SHADOWED &&
            st != TENON_STATUS_OVERRIDDEN)
            *err = *tenon_plugin_error(p);
    }
    if (prc < 0 && !err->code)
        *err = *tenon_last_error();
    return prc;
}

/* One result: appended to results when printing JSON, else a line. */
static void report_result(const target *t, int prc, const tenon_error *err, json_t *results)
{
    tenon_plugin *p = t->plugin;
    const tenon_plugin_desc *d = tenon_plugin_descriptor(p);
    const char *file = tenon_plugin_path(p) ? tenon_plugin_path(p) : t->arg;
    if (results) {
        json_array_append_new(results,
                              json_pack("{s:o, s:o, s:o, s:b, s:o}", "name",
                                        cli_json_string(tenon_plugin_name(p)), "version",
                                        cli_json_string(d ? d->version : NULL), "file",
                                        cli_json_string(file), "ok", prc == 0, "error",
                                        prc < 0 ? cli_error_json(err) : json_null()));
    } else if (prc == 0) {
        printf("ok      %-16s %-10s %s\n", cli_text(tenon_plugin_name(p)),
               d ? cli_text(d->version) : "-", cli_text(file));
    } else {
        char line[8192];
        tenon_error_format(err, line, sizeof(line));
        printf("FAILED  %-16s %-10s %s\n        %s\n", cli_text(tenon_plugin_name(p)),
               d ? cli_text(d->version) : "-", cli_text(file), cli_text(line));
    }
}

/* Checks and reports every target, then the totals; returns how many failed. */
static size_t check_targets(const check_args *a, const target_list *l)
{
    json_t *results = a->o.json ? json_array() : NULL;
    size_t failed = 0;
    for (size_t i = 0; i < l->n; i++) {
        tenon_error err = {0};
        int prc = check_plugin(l->items[i].plugin, a->o.timeout, &err);
        if (prc < 0)
            failed++;
        report_result(&l->items[i], prc, &err, results);
    }
    if (a->o.json)
        cli_print_json(json_pack("{s:o, s:i, s:i}", "results", results, "checked",
                                 (json_int_t)l->n, "failed", (json_int_t)failed));
    else
        printf("%zu checked, %zu failed\n", l->n, failed);
    return failed;
}

int cmd_check(int argc, char **argv)
{
    check_args a = {0};
    int rc = parse_check_args(argc, argv, &a);
    if (rc >= 0)
        return rc;
    char folders[64][PATH_MAX];
    search_named_folders(&a, argc, argv, folders);
    tenon_registry *reg = cli_registry(&a.o.search);
    if (!reg)
        return CLI_INTERNAL;
    target_list targets = {0};
    rc = collect_targets(reg, a.first, argc, argv, &targets);
    if (rc == CLI_INTERNAL)
        return CLI_INTERNAL;
    if (check_targets(&a, &targets))
        rc = CLI_FAILED;
    free(targets.items);
    tenon_registry_free(reg);
    return rc;
}
