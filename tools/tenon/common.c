/* What the commands share: building a registry from the search options,
 * describing a plugin's status, and JSON forms of plugins and errors. */
#include "cli.h"

#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

bool cli_search_option(cli_search *s, int opt, const char *arg)
{
    switch (opt) {
    case 'p':
        if (s->n_dirs < sizeof(s->dirs) / sizeof(s->dirs[0]))
            s->dirs[s->n_dirs++] = arg;
        return true;
    case 1001:
        s->no_env = true;
        return true;
    case 1002:
        s->no_default = true;
        return true;
    case 1003:
        s->allow_unsafe = true;
        return true;
    case 1004:
        s->cache = arg;
        return true;
    case 1005:
        s->no_cache = true;
        return true;
    }
    return false;
}

void cli_print_error(const char *what)
{
    char line[8192];
    tenon_error_format(tenon_last_error(), line, sizeof(line));
    if (what)
        fprintf(stderr, "tenon: %s: %s\n", what, line);
    else
        fprintf(stderr, "tenon: %s\n", line);
}

/* Plugin problems are reported per plugin by the commands; what the
 * library says about no plugin in particular (an ignored cache, a bad
 * TENON_PLUGIN_PATH entry) is shown. */
static void cli_log(void *userdata, tenon_log_level level, const char *plugin,
                    const char *message)
{
    (void)userdata;
    if (!plugin && level <= TENON_LOG_WARN)
        fprintf(stderr, "tenon: %s: %s\n", level == TENON_LOG_ERROR ? "error" : "warning",
                message);
}

int cli_add_paths(tenon_registry *reg, const cli_search *s)
{
    for (size_t i = 0; i < s->n_dirs; i++) {
        char abs[PATH_MAX];
        const char *dir = s->dirs[i];
        /* The tool, unlike the library, resolves relative folders against
         * the current folder the user typed them in. */
        if (dir[0] != '/' && realpath(dir, abs))
            dir = abs;
        if (tenon_registry_add_path(reg, dir) < 0) {
            cli_print_error(s->dirs[i]);
            return -1;
        }
    }
    return 0;
}

tenon_registry *cli_registry(const cli_search *s)
{
    unsigned flags = TENON_REGISTRY_NO_STATIC;
    if (s->no_env)
        flags |= TENON_REGISTRY_NO_ENV;
    if (s->no_default)
        flags |= TENON_REGISTRY_NO_DEFAULT_PATH;
    if (s->allow_unsafe)
        flags |= TENON_REGISTRY_ALLOW_UNSAFE_FILES;
    tenon_registry *reg;
    if (tenon_registry_new(&reg, "tenon", flags) < 0) {
        cli_print_error("cannot create a registry");
        return NULL;
    }
    /* Listing reports problems per plugin; the log would repeat them. */
    tenon_registry_set_log(reg, cli_log, NULL, TENON_LOG_WARN);
    /* The cache is a convenience: without a cache folder, go on without. */
    if (!s->no_cache) {
        char abs[PATH_MAX];
        const char *cache = s->cache;
        if (cache && cache[0] != '/' && realpath(".", abs) &&
            strlen(abs) + strlen(cache) + 2 <= sizeof(abs)) {
            strcat(abs, "/");
            strcat(abs, cache);
            cache = abs;
        }
        if (tenon_registry_set_cache(reg, cache, s->cache_flags) < 0 && s->cache) {
            cli_print_error(s->cache);
            tenon_registry_free(reg);
            return NULL;
        }
    }
    if (cli_add_paths(reg, s) < 0) {
        tenon_registry_free(reg);
        return NULL;
    }
    if (tenon_registry_scan(reg) < 0) {
        cli_print_error("scan");
        tenon_registry_free(reg);
        return NULL;
    }
    return reg;
}

void cli_status_text(tenon_plugin *p, char *buf, size_t size)
{
    tenon_status st = tenon_plugin_status(p);
    tenon_plugin *by = tenon_plugin_shadowed_by(p);
    const tenon_error *e = tenon_plugin_error(p);
    switch (st) {
    case TENON_STATUS_SHADOWED:
        snprintf(buf, size, "shadowed by %s",
                 by && tenon_plugin_path(by) ? tenon_plugin_path(by) : "a static plugin");
        return;
    case TENON_STATUS_OVERRIDDEN:
        snprintf(buf, size, "overridden by %s", by ? tenon_plugin_name(by) : "another plugin");
        return;
    case TENON_STATUS_BROKEN:
    case TENON_STATUS_INCOMPATIBLE:
    case TENON_STATUS_DISABLED:
        if (e && e->message[0]) {
            snprintf(buf, size, "%s: %s", tenon_status_name(st), e->message);
            return;
        }
        break;
    default:
        break;
    }
    snprintf(buf, size, "%s", tenon_status_name(st));
}

json_t *cli_error_json(const tenon_error *e)
{
    if (!e || !e->code)
        return json_null();
    return json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:s}", "code", tenon_err_name(e->code),
                     "errno", e->code, "stage", tenon_stage_name(e->stage), "plugin", e->plugin,
                     "file", e->path, "message", e->message, "hint", e->hint);
}

static json_t *flags_json(uint32_t flags)
{
    json_t *a = json_array();
    if (flags & TENON_PLUGIN_DISABLED_BY_DEFAULT)
        json_array_append_new(a, json_string("disabled-by-default"));
    if (flags & TENON_PLUGIN_UNLOADABLE)
        json_array_append_new(a, json_string("unloadable"));
    return a;
}

json_t *cli_plugin_json(tenon_plugin *p)
{
    const tenon_plugin_desc *d = tenon_plugin_descriptor(p);
    char status[2048];
    cli_status_text(p, status, sizeof(status));
    tenon_plugin *by = tenon_plugin_shadowed_by(p);
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(tenon_plugin_name(p)));
    json_object_set_new(o, "status", json_string(tenon_status_name(tenon_plugin_status(p))));
    json_object_set_new(o, "status_text", json_string(status));
    json_object_set_new(o, "file", tenon_plugin_path(p) ? json_string(tenon_plugin_path(p))
                                                        : json_null());
    json_object_set_new(o, "static", json_boolean(tenon_plugin_is_static(p)));
    json_object_set_new(o, "shadowed_by",
                        by ? json_string(tenon_plugin_path(by) ? tenon_plugin_path(by)
                                                               : tenon_plugin_name(by))
                           : json_null());
    json_object_set_new(o, "error", cli_error_json(tenon_plugin_error(p)));
    if (!d)
        return o;
    json_object_set_new(o, "version", json_string(d->version));
    char abi[32];
    snprintf(abi, sizeof(abi), "%u.%u", d->abi_major, d->abi_minor);
    json_object_set_new(o, "abi", json_string(abi));
    json_object_set_new(o, "layout", json_integer(d->layout));
    json_object_set_new(o, "description", json_string(d->description));
    json_object_set_new(o, "license", json_string(d->license));
    json_object_set_new(o, "url", json_string(d->url));
    json_object_set_new(o, "flags", flags_json(d->flags));
    json_t *provides = json_array();
    for (size_t i = 0; i < d->n_provides; i++)
        json_array_append_new(provides, json_pack("{s:s, s:i, s:i}", "name", d->provides[i].name,
                                                  "version", (json_int_t)d->provides[i].version,
                                                  "rank", (json_int_t)d->provides[i].rank));
    json_object_set_new(o, "provides", provides);
    json_t *requires = json_array();
    for (size_t i = 0; i < d->n_deps; i++)
        json_array_append_new(requires, json_pack("{s:s, s:s}", "name", d->deps[i].name,
                                                  "range", d->deps[i].range));
    json_object_set_new(o, "requires", requires);
    json_t *overrides = json_array();
    for (size_t i = 0; i < d->n_overrides; i++)
        json_array_append_new(overrides, json_string(d->overrides[i]));
    json_object_set_new(o, "overrides", overrides);
    json_t *options = json_array();
    for (size_t i = 0; i < d->n_options; i++) {
        const tenon_option *op = &d->options[i];
        json_t *jo = json_pack("{s:s, s:s, s:s, s:s, s:b}", "name", op->name, "type",
                               tenon_opt_type_name(op->type), "default", op->def, "help",
                               op->help, "required", (op->flags & TENON_OPT_REQUIRED) != 0);
        if (op->type == TENON_OPT_ENUM)
            json_object_set_new(jo, "choices", json_string(op->choices));
        if (op->max > op->min) {
            json_object_set_new(jo, "min", json_integer(op->min));
            json_object_set_new(jo, "max", json_integer(op->max));
        }
        json_array_append_new(options, jo);
    }
    json_object_set_new(o, "options", options);
    json_t *meta = json_object();
    for (size_t i = 0; i < d->n_meta; i++)
        json_object_set_new(meta, d->meta[i].key, json_string(d->meta[i].value));
    json_object_set_new(o, "meta", meta);
    return o;
}

int cli_print_json(json_t *value)
{
    if (!value)
        return CLI_INTERNAL;
    int rc = json_dumpf(value, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(value);
    return rc == 0 ? CLI_OK : CLI_INTERNAL;
}
