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

/* The command line of tenon info. */
typedef struct info_args {
    cli_check_options o;
    const char *target;
} info_args;

/* What the checks found about one plugin, gathered before printing. */
typedef struct info_report {
    tenon_plugin *plugin;
    const tenon_plugin_desc *desc;
    tenon_plugin *order[256];
    int n_order;
    tenon_error resolve_error;
    char extra_dir[PATH_MAX]; /* where the dependencies were found, if not in the path */
    int check_rc;
    tenon_error check_error;
    tenon_integrity_info integrity;
    int integrity_rc;
    tenon_error integrity_error;
    tenon_status status;
    bool usable;
} info_report;

/* Returns -1 to go on, or the exit status. */
static int parse_info_args(int argc, char **argv, info_args *a)
{
    int rc = cli_parse_check_options(argc, argv, "info", info_help, true, &a->o);
    if (rc != -1)
        return rc;
    if (optind + 1 != argc) {
        fputs(info_help, stderr);
        return CLI_USAGE;
    }
    a->target = argv[optind];
    return -1;
}

/* A dependency next to the file named on the command line is not in the
 * search path, yet "not installed" would send the user looking for it:
 * search that folder too and say so. */
static void resolve_in_file_folder(tenon_registry *reg, info_report *r)
{
    char *extra_dir = r->extra_dir;
    snprintf(extra_dir, sizeof(r->extra_dir), "%s", tenon_plugin_path(r->plugin));
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
        (r->n_order = tenon_plugin_load_order(r->plugin, r->order, 256)) >= 0)
        r->resolve_error = (tenon_error){0};
    else
        extra_dir[0] = '\0';
    if (r->n_order < 0)
        r->n_order = -1;
}

static void resolve_dependencies(tenon_registry *reg, const char *target, info_report *r)
{
    tenon_plugin *p = r->plugin;
    r->n_order = r->desc && (tenon_plugin_status(p) == TENON_STATUS_FOUND)
                     ? tenon_plugin_load_order(p, r->order, 256)
                     : 0;
    if (r->n_order < 0)
        r->resolve_error = *tenon_last_error();
    if (r->n_order < 0 && r->resolve_error.code == TENON_EMISSINGDEP && tenon_plugin_path(p) &&
        strchr(target, '/'))
        resolve_in_file_folder(reg, r);
}

/* The load check (if asked) and the integrity check; returns the exit status. */
static int run_checks(const info_args *a, info_report *r)
{
    tenon_plugin *p = r->plugin;
    if (a->o.check) {
        r->check_rc = tenon_plugin_validate(p, a->o.timeout);
        if (r->check_rc < 0)
            r->check_error = *tenon_last_error();
    }
    /* The hash to pin and who signed it, checked as a load would check them. */
    r->integrity.struct_size = sizeof(r->integrity);
    r->integrity_rc = tenon_plugin_path(p) ? tenon_plugin_integrity_info(p, &r->integrity) : 0;
    if (r->integrity_rc < 0)
        r->integrity_error = *tenon_last_error();
    r->status = tenon_plugin_status(p);
    r->usable = r->status == TENON_STATUS_FOUND || r->status == TENON_STATUS_LOADED;
    return (r->usable && r->n_order >= 0 && r->check_rc == 0 && r->integrity_rc == 0)
               ? CLI_OK
               : CLI_FAILED;
}

static json_t *integrity_json(const info_report *r)
{
    const tenon_integrity_info *integrity = &r->integrity;
    json_t *ij = json_object();
    json_object_set_new(ij, "sha256", cli_json_string(integrity->sha256));
    json_object_set_new(ij, "pinned_sha256",
                        integrity->pinned ? cli_json_string(integrity->pinned_sha256)
                                          : json_null());
    json_object_set_new(ij, "signature",
                        json_string(tenon_sig_state_name(integrity->signature)));
    json_object_set_new(ij, "key_id", cli_json_string(integrity->key_id));
    json_object_set_new(ij, "error", cli_error_json(&r->integrity_error));
    return ij;
}

/* Returns the status of printing. */
static int print_info_json(const info_args *a, const info_report *r)
{
    tenon_plugin *p = r->plugin;
    json_t *o = cli_plugin_json(p);
    json_t *checks = json_object();
    json_object_set_new(checks, "descriptor", json_boolean(r->desc != NULL));
    json_object_set_new(checks, "usable", json_boolean(r->usable));
    json_t *lo = json_array();
    for (int i = 0; i < r->n_order && i < 256; i++)
        json_array_append_new(lo, cli_json_string(tenon_plugin_name(r->order[i])));
    json_object_set_new(checks, "load_order", lo);
    json_object_set_new(checks, "resolve_error", cli_error_json(&r->resolve_error));
    json_object_set_new(checks, "dependencies_found_in",
                        r->extra_dir[0] ? cli_json_string(r->extra_dir) : json_null());
    if (tenon_plugin_path(p))
        json_object_set_new(checks, "integrity", integrity_json(r));
    if (a->o.check) {
        json_object_set_new(checks, "load_init_fini", json_boolean(r->check_rc == 0));
        json_object_set_new(checks, "check_error", cli_error_json(&r->check_error));
    }
    json_object_set_new(o, "checks", checks);
    return cli_print_json(o);
}

/* The lines from name to fix: who the plugin is and its status. */
static void print_identity_text(const info_report *r)
{
    tenon_plugin *p = r->plugin;
    const tenon_plugin_desc *d = r->desc;
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
               d->flags & (TENON_PLUGIN_DISABLED_BY_DEFAULT | TENON_PLUGIN_UNLOADABLE)
                   ? ""
                   : "resident");
    }
    printf("status:       %s\n", cli_text(status));
    const tenon_error *e = tenon_plugin_error(p);
    if (e && e->hint[0] && !r->usable)
        printf("fix:          %s\n", cli_text(e->hint));
}

static void print_options_text(const tenon_plugin_desc *d)
{
    printf("options:      %s\n", d->n_options ? "" : "-");
    for (size_t i = 0; i < d->n_options; i++) {
        const tenon_option *o = &d->options[i];
        char type[160];
        printf("  %-18s %-22s %s%-10s %s\n", cli_text(o->name),
               type_text(o, type, sizeof(type)),
               o->flags & TENON_OPT_REQUIRED ? "required " : "default=",
               o->flags & TENON_OPT_REQUIRED ? "" : (o->def[0] ? cli_text(o->def) : "\"\""),
               cli_text(o->help));
    }
}

/* What the descriptor declares: interfaces, dependencies, options, metadata. */
static void print_declarations_text(const tenon_plugin_desc *d)
{
    printf("provides:     %s\n", d->n_provides ? "" : "-");
    for (size_t i = 0; i < d->n_provides; i++)
        printf("  %s version %u, rank %d\n", cli_text(d->provides[i].name),
               d->provides[i].version, d->provides[i].rank);
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
    print_options_text(d);
    if (d->n_meta) {
        printf("metadata:\n");
        for (size_t i = 0; i < d->n_meta; i++)
            printf("  %s = %s\n", cli_text(d->meta[i].key), cli_text(d->meta[i].value));
    }
}

/* A check line "  LABEL FAILED: <error>". */
static void print_failed_check(const char *label, const tenon_error *e)
{
    char line[8192];
    tenon_error_format(e, line, sizeof(line));
    printf("  %-17s FAILED: %s\n", label, cli_text(line));
}

static void print_integrity_text(const info_report *r)
{
    const tenon_integrity_info *integrity = &r->integrity;
    printf("  sha256            %s%s\n", integrity->hashed ? integrity->sha256 : "-",
           integrity->pinned ? (strcmp(integrity->sha256, integrity->pinned_sha256) == 0
                                    ? " (pinned)"
                                    : " (does NOT match the pin)")
                             : "");
    printf("  signature         %s%s%s\n", tenon_sig_state_name(integrity->signature),
           integrity->key_id[0] ? ", key " : "", cli_text(integrity->key_id));
    if (r->integrity_rc < 0)
        print_failed_check("integrity", &r->integrity_error);
}

static void print_dependencies_text(const info_report *r)
{
    if (r->n_order < 0) {
        print_failed_check("dependencies", &r->resolve_error);
    } else if (r->usable) {
        printf("  dependencies      ok");
        if (r->extra_dir[0])
            printf(" only with the file's folder %s, which is not in the search path (add "
                   "--path %s, or install the plugins together)",
                   cli_text(r->extra_dir), cli_text(r->extra_dir));
        printf("; load order:");
        for (int i = 0; i < r->n_order && i < 256; i++)
            printf(" %s", cli_text(tenon_plugin_name(r->order[i])));
        printf("\n");
    }
}

static void print_checks_text(const info_args *a, const info_report *r)
{
    const tenon_plugin_desc *d = r->desc;
    tenon_status st = r->status;
    printf("checks:\n");
    printf("  file and folders  %s\n",
           st == TENON_STATUS_BROKEN && !d ? "FAILED (see status)" : "ok");
    printf("  descriptor        %s\n", d ? "ok" : "FAILED (see status)");
    printf("  abi               %s\n", !d                                ? "-"
                                       : st == TENON_STATUS_INCOMPATIBLE ? "FAILED (see status)"
                                                                         : "ok");
    if (tenon_plugin_path(r->plugin))
        print_integrity_text(r);
    print_dependencies_text(r);
    if (a->o.check) {
        if (r->check_rc == 0)
            printf("  load, init, fini  ok (in a child process)\n");
        else
            print_failed_check("load, init, fini", &r->check_error);
    }
}

static void print_info_text(const info_args *a, const info_report *r)
{
    print_identity_text(r);
    if (r->desc)
        print_declarations_text(r->desc);
    print_checks_text(a, r);
}

int cmd_info(int argc, char **argv)
{
    info_args a = {0};
    int rc = parse_info_args(argc, argv, &a);
    if (rc >= 0)
        return rc;
    tenon_registry *reg = cli_registry(&a.o.search);
    if (!reg)
        return CLI_INTERNAL;
    info_report r = {.plugin = find_target(reg, a.target)};
    if (!r.plugin) {
        tenon_registry_free(reg);
        return CLI_FAILED;
    }
    r.desc = tenon_plugin_descriptor(r.plugin);
    resolve_dependencies(reg, a.target, &r);
    rc = run_checks(&a, &r);
    if (a.o.json) {
        int prc = print_info_json(&a, &r);
        tenon_registry_free(reg);
        return prc == CLI_OK ? rc : prc;
    }
    print_info_text(&a, &r);
    tenon_registry_free(reg);
    return rc;
}
