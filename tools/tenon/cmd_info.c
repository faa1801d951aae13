/* tenon info: one plugin's whole descriptor and what the checks found. */
#include "cli.h"

#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const char info_help[] =
    "usage: tenon info [--path DIR]... [--check] [--json] NAME|FILE\n"
    "\n"
    "Shows a plugin's whole descriptor and the results of verifying it: the file\n"
    "and folder checks, the ABI check, the descriptor check and the dependency\n"
    "resolution. No plugin code runs, unless --check asks for the load, init and\n"
    "fini check, which runs in a child process.\n"
    "\n"
    "options:\n" CLI_SEARCH_HELP
    "  -c, --check        also load, init and fini it in a child process\n"
    "  -t, --timeout MS   time limit of --check (default 10000)\n"
    "  -j, --json         print JSON\n"
    "  -h, --help         show this help\n";

static const char *type_text(const tenon_option *o, char *buf, size_t size)
{
    if (o->type == TENON_OPT_ENUM)
        snprintf(buf, size, "enum(%s)", cli_text(o->choices));
    else if (o->max > o->min)
        snprintf(buf, size, "%s[%lld..%lld]", tenon_opt_type_name(o->type), (long long)o->min,
                 (long long)o->max);
    else
        snprintf(buf, size, "%s", tenon_opt_type_name(o->type));
    return buf;
}

/* Finds the plugin named by arg: a file (anything with a '/') or a name. */
static tenon_plugin *find_target(tenon_registry *reg, const char *arg)
{
    if (strchr(arg, '/')) {
        char abs[PATH_MAX];
        const char *path = arg;
        if (arg[0] != '/' && realpath(arg, abs))
            path = abs;
        tenon_plugin *p = NULL;
        tenon_registry_add_file(reg, path, &p);
        if (!p)
            cli_print_error(arg);
        return p;
    }
    tenon_plugin *p = tenon_registry_find(reg, arg);
    for (size_t i = 0; !p && i < tenon_registry_count(reg); i++) {
        tenon_plugin *q = tenon_registry_at(reg, i);
        if (strcmp(tenon_plugin_name(q), arg) == 0)
            p = q;
    }
    if (!p)
        fprintf(stderr, "tenon: no plugin named %s in the search path (see `tenon list`)\n",
                cli_text(arg));
    return p;
}

int cmd_info(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_SEARCH_LONG_OPTIONS,
        {"check", no_argument, NULL, 'c'},
        {"timeout", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    cli_search search = {0};
    bool json = false, check = false;
    unsigned timeout = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, "p:ct:jh", longopts, NULL)) != -1) {
        if (cli_search_option(&search, opt, optarg))
            continue;
        switch (opt) {
        case 'c':
            check = true;
            break;
        case 't':
            if (!cli_parse_timeout("info", optarg, &timeout))
                return CLI_USAGE;
            break;
        case 'j':
            json = true;
            break;
        case 'h':
            fputs(info_help, stdout);
            return CLI_OK;
        default:
            fputs(info_help, stderr);
            return CLI_USAGE;
        }
    }
    if (optind + 1 != argc) {
        fputs(info_help, stderr);
        return CLI_USAGE;
    }
    tenon_registry *reg = cli_registry(&search);
    if (!reg)
        return CLI_INTERNAL;
    tenon_plugin *p = find_target(reg, argv[optind]);
    if (!p) {
        tenon_registry_free(reg);
        return CLI_FAILED;
    }

    const tenon_plugin_desc *d = tenon_plugin_descriptor(p);
    tenon_plugin *order[256];
    int n_order = d && (tenon_plugin_status(p) == TENON_STATUS_FOUND)
                      ? tenon_plugin_load_order(p, order, 256)
                      : 0;
    tenon_error resolve_error = {0};
    if (n_order < 0)
        resolve_error = *tenon_last_error();
    /* A dependency next to the file named on the command line is not in the
     * search path, yet "not installed" would send the user looking for it:
     * search that folder too and say so. */
    char extra_dir[PATH_MAX] = "";
    if (n_order < 0 && resolve_error.code == TENON_EMISSINGDEP && tenon_plugin_path(p) &&
        strchr(argv[optind], '/')) {
        snprintf(extra_dir, sizeof(extra_dir), "%s", tenon_plugin_path(p));
        char *slash = strrchr(extra_dir, '/');
        if (slash)
            *(slash == extra_dir ? slash + 1 : slash) = '\0';
        const char *dirs[64];
        size_t nd = tenon_registry_paths(reg, dirs, 64);
        for (size_t i = 0; i < nd && i < 64; i++)
            if (strcmp(dirs[i], extra_dir) == 0)
                extra_dir[0] = '\0';
        if (extra_dir[0] && tenon_registry_add_path(reg, extra_dir) == 0 &&
            tenon_registry_scan(reg) >= 0 &&
            (n_order = tenon_plugin_load_order(p, order, 256)) >= 0)
            resolve_error = (tenon_error){0};
        else
            extra_dir[0] = '\0';
        if (n_order < 0)
            n_order = -1;
    }
    int check_rc = 0;
    tenon_error check_error = {0};
    if (check) {
        check_rc = tenon_plugin_validate(p, timeout);
        if (check_rc < 0)
            check_error = *tenon_last_error();
    }
    /* The hash to pin and who signed it, checked as a load would check them. */
    tenon_integrity integrity = {0};
    int integrity_rc = tenon_plugin_path(p) ? tenon_plugin_integrity(p, &integrity) : 0;
    tenon_error integrity_error = {0};
    if (integrity_rc < 0)
        integrity_error = *tenon_last_error();
    tenon_status st = tenon_plugin_status(p);
    bool usable = st == TENON_STATUS_FOUND || st == TENON_STATUS_LOADED;
    int rc = (usable && n_order >= 0 && check_rc == 0 && integrity_rc == 0) ? CLI_OK : CLI_FAILED;

    if (json) {
        json_t *o = cli_plugin_json(p);
        json_t *checks = json_object();
        json_object_set_new(checks, "descriptor", json_boolean(d != NULL));
        json_object_set_new(checks, "usable", json_boolean(usable));
        json_t *lo = json_array();
        for (int i = 0; i < n_order && i < 256; i++)
            json_array_append_new(lo, cli_json_string(tenon_plugin_name(order[i])));
        json_object_set_new(checks, "load_order", lo);
        json_object_set_new(checks, "resolve_error", cli_error_json(&resolve_error));
        json_object_set_new(checks, "dependencies_found_in",
                            extra_dir[0] ? cli_json_string(extra_dir) : json_null());
        if (tenon_plugin_path(p)) {
            json_t *ij = json_object();
            json_object_set_new(ij, "sha256", cli_json_string(integrity.sha256));
            json_object_set_new(ij, "pinned_sha256",
                                integrity.pinned ? cli_json_string(integrity.pinned_sha256)
                                                 : json_null());
            json_object_set_new(ij, "signature",
                                json_string(tenon_sig_state_name(integrity.signature)));
            json_object_set_new(ij, "key_id", cli_json_string(integrity.key_id));
            json_object_set_new(ij, "error", cli_error_json(&integrity_error));
            json_object_set_new(checks, "integrity", ij);
        }
        if (check) {
            json_object_set_new(checks, "load_init_fini", json_boolean(check_rc == 0));
            json_object_set_new(checks, "check_error", cli_error_json(&check_error));
        }
        json_object_set_new(o, "checks", checks);
        int prc = cli_print_json(o);
        tenon_registry_free(reg);
        return prc == CLI_OK ? rc : prc;
    }

    char status[2048];
    cli_status_text(p, status, sizeof(status));
    printf("name:         %s\n", cli_text(tenon_plugin_name(p)));
    if (d) {
        printf("version:      %s\n", cli_text(d->version));
        printf("description:  %s\n", cli_text(d->description));
        printf("license:      %s\n", d->license[0] ? cli_text(d->license) : "-");
        if (d->url[0])
            printf("url:          %s\n", cli_text(d->url));
    }
    printf("file:         %s\n",
           tenon_plugin_path(p) ? cli_text(tenon_plugin_path(p)) : "(static)");
    if (d) {
        printf("abi:          %u.%u (this libtenon: %u.%u)\n", d->abi_major, d->abi_minor,
               TENON_ABI_MAJOR, TENON_ABI_MINOR);
        printf("layout:       descriptor layout %u\n", d->layout);
        printf("flags:        %s%s%s\n",
               d->flags & TENON_PLUGIN_DISABLED_BY_DEFAULT ? "disabled-by-default " : "",
               d->flags & TENON_PLUGIN_UNLOADABLE ? "unloadable" : "",
               d->flags & (TENON_PLUGIN_DISABLED_BY_DEFAULT | TENON_PLUGIN_UNLOADABLE) ? ""
                                                                                      : "resident");
    }
    printf("status:       %s\n", cli_text(status));
    const tenon_error *e = tenon_plugin_error(p);
    if (e && e->hint[0] && !usable)
        printf("fix:          %s\n", cli_text(e->hint));
    if (d) {
        printf("provides:     %s\n", d->n_provides ? "" : "-");
        for (size_t i = 0; i < d->n_provides; i++)
            printf("  %s version %u, rank %d\n", cli_text(d->provides[i].name), d->provides[i].version,
                   d->provides[i].rank);
        printf("requires:     %s\n", d->n_deps ? "" : "-");
        for (size_t i = 0; i < d->n_deps; i++)
            printf("  %s %s\n", cli_text(d->deps[i].name),
                   d->deps[i].range[0] ? cli_text(d->deps[i].range) : "(any version)");
        if (d->n_overrides) {
            printf("overrides:   ");
            for (size_t i = 0; i < d->n_overrides; i++)
                printf(" %s", cli_text(d->overrides[i]));
            printf("\n");
        }
        printf("options:      %s\n", d->n_options ? "" : "-");
        for (size_t i = 0; i < d->n_options; i++) {
            const tenon_option *o = &d->options[i];
            char type[160];
            printf("  %-18s %-22s %s%-10s %s\n", cli_text(o->name), type_text(o, type, sizeof(type)),
                   o->flags & TENON_OPT_REQUIRED ? "required " : "default=",
                   o->flags & TENON_OPT_REQUIRED ? "" : (o->def[0] ? cli_text(o->def) : "\"\""),
                   cli_text(o->help));
        }
        if (d->n_meta) {
            printf("metadata:\n");
            for (size_t i = 0; i < d->n_meta; i++)
                printf("  %s = %s\n", cli_text(d->meta[i].key), cli_text(d->meta[i].value));
        }
    }
    printf("checks:\n");
    printf("  file and folders  %s\n",
           st == TENON_STATUS_BROKEN && !d ? "FAILED (see status)" : "ok");
    printf("  descriptor        %s\n", d ? "ok" : "FAILED (see status)");
    printf("  abi               %s\n", !d                                 ? "-"
                                       : st == TENON_STATUS_INCOMPATIBLE ? "FAILED (see status)"
                                                                         : "ok");
    if (tenon_plugin_path(p)) {
        printf("  sha256            %s%s\n", integrity.hashed ? integrity.sha256 : "-",
               integrity.pinned ? (strcmp(integrity.sha256, integrity.pinned_sha256) == 0
                                       ? " (pinned)"
                                       : " (does NOT match the pin)")
                                : "");
        printf("  signature         %s%s%s\n", tenon_sig_state_name(integrity.signature),
               integrity.key_id[0] ? ", key " : "", cli_text(integrity.key_id));
        if (integrity_rc < 0) {
            char line[8192];
            tenon_error_format(&integrity_error, line, sizeof(line));
            printf("  integrity         FAILED: %s\n", cli_text(line));
        }
    }
    if (n_order < 0) {
        char line[8192];
        tenon_error_format(&resolve_error, line, sizeof(line));
        printf("  dependencies      FAILED: %s\n", cli_text(line));
    } else if (usable) {
        printf("  dependencies      ok");
        if (extra_dir[0])
            printf(" only with the file's folder %s, which is not in the search path (add "
                   "--path %s, or install the plugins together)",
                   cli_text(extra_dir), cli_text(extra_dir));
        printf("; load order:");
        for (int i = 0; i < n_order && i < 256; i++)
            printf(" %s", cli_text(tenon_plugin_name(order[i])));
        printf("\n");
    }
    if (check) {
        if (check_rc == 0) {
            printf("  load, init, fini  ok (in a child process)\n");
        } else {
            char line[8192];
            tenon_error_format(&check_error, line, sizeof(line));
            printf("  load, init, fini  FAILED: %s\n", cli_text(line));
        }
    }
    tenon_registry_free(reg);
    return rc;
}
