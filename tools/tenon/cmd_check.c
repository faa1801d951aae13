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
    "options:\n" CLI_SEARCH_HELP
    "  -t, --timeout MS   time limit per plugin (default 10000)\n"
    "  -j, --json         print JSON\n"
    "  -h, --help         show this help\n"
    "\n"
    "exit status: 0 if every plugin passed, 1 if any failed, 2 usage error.\n";

typedef struct target {
    tenon_plugin *plugin;
    const char *arg;
} target;

int cmd_check(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_SEARCH_LONG_OPTIONS,
        {"timeout", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    cli_search search = {0};
    bool json = false;
    unsigned timeout = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, "p:t:jh", longopts, NULL)) != -1) {
        if (cli_search_option(&search, opt, optarg))
            continue;
        switch (opt) {
        case 't':
            if (!cli_parse_timeout("check", optarg, &timeout))
                return CLI_USAGE;
            break;
        case 'j':
            json = true;
            break;
        case 'h':
            fputs(check_help, stdout);
            return CLI_OK;
        default:
            fputs(check_help, stderr);
            return CLI_USAGE;
        }
    }
    if (optind >= argc) {
        fputs(check_help, stderr);
        return CLI_USAGE;
    }

    /* Folders named on the command line are searched too, so plugins in
     * them find their dependencies. */
    char folders[64][PATH_MAX];
    size_t n_folders = 0;
    for (int i = optind; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) && n_folders < 64 &&
            search.n_dirs < 64 && realpath(argv[i], folders[n_folders])) {
            search.dirs[search.n_dirs++] = folders[n_folders++];
        }
    }
    tenon_registry *reg = cli_registry(&search);
    if (!reg)
        return CLI_INTERNAL;

    target *targets = NULL;
    size_t n_targets = 0;
    size_t total = tenon_registry_count(reg);
    int rc = CLI_OK;
    for (int i = optind; i < argc; i++) {
        char abs[PATH_MAX];
        struct stat st;
        bool is_dir = stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode);
        const char *path = argv[i];
        if (path[0] != '/' && realpath(path, abs))
            path = abs;
        if (is_dir) {
            char dir[PATH_MAX];
            if (!realpath(argv[i], dir))
                continue;
            size_t len = strlen(dir);
            bool any = false;
            for (size_t k = 0; k < total; k++) {
                tenon_plugin *p = tenon_registry_at(reg, k);
                const char *f = tenon_plugin_path(p);
                if (f && strncmp(f, dir, len) == 0 && f[len] == '/' && !strchr(f + len + 1, '/')) {
                    targets = realloc(targets, (n_targets + 1) * sizeof(*targets));
                    if (!targets)
                        return CLI_INTERNAL;
                    targets[n_targets++] = (target){p, argv[i]};
                    any = true;
                }
            }
            if (!any)
                fprintf(stderr, "tenon check: no plugins in %s\n", cli_text(argv[i]));
            continue;
        }
        tenon_plugin *p = NULL;
        tenon_registry_add_file(reg, path, &p);
        if (!p) {
            cli_print_error(argv[i]);
            rc = CLI_FAILED;
            continue;
        }
        targets = realloc(targets, (n_targets + 1) * sizeof(*targets));
        if (!targets)
            return CLI_INTERNAL;
        targets[n_targets++] = (target){p, argv[i]};
    }

    json_t *results = json ? json_array() : NULL;
    size_t failed = 0;
    for (size_t i = 0; i < n_targets; i++) {
        tenon_plugin *p = targets[i].plugin;
        tenon_status st = tenon_plugin_status(p);
        int prc;
        tenon_error err = {0};
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
                err = *tenon_plugin_error(p);
        }
        if (prc < 0 && !err.code)
            err = *tenon_last_error();
        if (prc < 0)
            failed++;
        const tenon_plugin_desc *d = tenon_plugin_descriptor(p);
        const char *file = tenon_plugin_path(p) ? tenon_plugin_path(p) : targets[i].arg;
        if (json) {
            json_array_append_new(
                results, json_pack("{s:o, s:o, s:o, s:b, s:o}", "name",
                                   cli_json_string(tenon_plugin_name(p)), "version",
                                   cli_json_string(d ? d->version : NULL), "file",
                                   cli_json_string(file), "ok", prc == 0,
                                   "error", prc < 0 ? cli_error_json(&err) : json_null()));
        } else if (prc == 0) {
            printf("ok      %-16s %-10s %s\n", cli_text(tenon_plugin_name(p)),
                   d ? cli_text(d->version) : "-", cli_text(file));
        } else {
            char line[8192];
            tenon_error_format(&err, line, sizeof(line));
            printf("FAILED  %-16s %-10s %s\n        %s\n", cli_text(tenon_plugin_name(p)),
                   d ? cli_text(d->version) : "-", cli_text(file), cli_text(line));
        }
    }
    if (json)
        cli_print_json(json_pack("{s:o, s:i, s:i}", "results", results, "checked",
                                 (json_int_t)n_targets, "failed", (json_int_t)failed));
    else
        printf("%zu checked, %zu failed\n", n_targets, failed);
    free(targets);
    tenon_registry_free(reg);
    if (failed)
        rc = CLI_FAILED;
    return rc;
}
