/* What the commands share: building a registry from the search options,
 * describing a plugin's status, and JSON forms of plugins and errors. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
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
        fprintf(stderr, "tenon: %s: %s\n", cli_text(what), cli_text(line));
    else
        fprintf(stderr, "tenon: %s\n", cli_text(line));
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
                cli_text(message));
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

unsigned cli_registry_flags(const cli_search *s)
{
    unsigned flags = TENON_REGISTRY_NO_STATIC;
    if (s->no_env)
        flags |= TENON_REGISTRY_NO_ENV;
    if (s->no_default)
        flags |= TENON_REGISTRY_NO_DEFAULT_PATH;
    if (s->allow_unsafe)
        flags |= TENON_REGISTRY_ALLOW_UNSAFE_FILES;
    return flags;
}

tenon_registry *cli_registry(const cli_search *s)
{
    unsigned flags = cli_registry_flags(s);
    tenon_registry *reg;
    if (tenon_registry_create("tenon", flags, &reg) < 0) {
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
    case TENON_STATUS_FOUND: {
        /* Usable on its own is not usable: a plugin whose dependency is
         * missing fails to load, so the listing says so. */
        const tenon_plugin_desc *d = tenon_plugin_descriptor(p);
        tenon_plugin *order[256];
        if (d && d->n_requires && tenon_plugin_load_order(p, order, 256) < 0) {
            const tenon_error *re = tenon_last_error();
            snprintf(buf, size, "%s: %s",
                     re->code == TENON_EMISSINGDEP ? "missing-dependency" : "unresolvable",
                     re->message);
            return;
        }
        break;
    }
    default:
        break;
    }
    snprintf(buf, size, "%s", tenon_status_name(st));
}

const char *cli_status_word(tenon_plugin *p)
{
    char text[2048];
    cli_status_text(p, text, sizeof(text));
    if (strncmp(text, "missing-dependency:", 19) == 0)
        return "missing-dependency";
    if (strncmp(text, "unresolvable:", 13) == 0)
        return "unresolvable";
    return tenon_status_name(tenon_plugin_status(p));
}

json_t *cli_error_json(const tenon_error *e)
{
    if (!e || !e->code)
        return json_null();
    return json_pack("{s:s, s:i, s:s, s:o, s:o, s:o, s:o}", "code", tenon_err_name(e->code),
                     "errno", e->code, "stage", tenon_stage_name(e->stage), "plugin",
                     cli_json_string(e->plugin), "file", cli_json_string(e->path), "message",
                     cli_json_string(e->message), "hint", cli_json_string(e->hint));
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
    json_object_set_new(o, "name", cli_json_string(tenon_plugin_name(p)));
    json_object_set_new(o, "status", json_string(cli_status_word(p)));
    json_object_set_new(o, "status_text", cli_json_string(status));
    json_object_set_new(o, "file",
                        tenon_plugin_path(p) ? cli_json_string(tenon_plugin_path(p))
                                             : json_null());
    json_object_set_new(o, "static", json_boolean(tenon_plugin_is_static(p)));
    json_object_set_new(o, "shadowed_by",
                        by ? cli_json_string(tenon_plugin_path(by) ? tenon_plugin_path(by)
                                                                   : tenon_plugin_name(by))
                           : json_null());
    json_object_set_new(o, "error", cli_error_json(tenon_plugin_error(p)));
    if (!d)
        return o;
    json_object_set_new(o, "version", cli_json_string(d->version));
    char abi[32];
    snprintf(abi, sizeof(abi), "%u.%u", d->abi_major, d->abi_minor);
    json_object_set_new(o, "abi", cli_json_string(abi));
    json_object_set_new(o, "layout", json_integer(d->layout));
    json_object_set_new(o, "description", cli_json_string(d->description));
    json_object_set_new(o, "license", cli_json_string(d->license));
    json_object_set_new(o, "url", cli_json_string(d->url));
    json_object_set_new(o, "flags", flags_json(d->flags));
    json_t *provides = json_array();
    for (size_t i = 0; i < d->n_provides; i++)
        json_array_append_new(provides, json_pack("{s:o, s:i, s:i}", "name",
                                                  cli_json_string(d->provides[i].name),
                                                  "version", (json_int_t)d->provides[i].version,
                                                  "rank", (json_int_t)d->provides[i].rank));
    json_object_set_new(o, "provides", provides);
    json_t *requires = json_array();
    for (size_t i = 0; i < d->n_deps; i++)
        json_array_append_new(requires,
                              json_pack("{s:o, s:o}", "name", cli_json_string(d->deps[i].name),
                                        "range", cli_json_string(d->deps[i].range)));
    json_object_set_new(o, "requires", requires);
    json_t *overrides = json_array();
    for (size_t i = 0; i < d->n_overrides; i++)
        json_array_append_new(overrides, cli_json_string(d->overrides[i]));
    json_object_set_new(o, "overrides", overrides);
    json_t *options = json_array();
    for (size_t i = 0; i < d->n_options; i++) {
        const tenon_option *op = &d->options[i];
        json_t *jo = json_pack("{s:o, s:s, s:o, s:o, s:b}", "name", cli_json_string(op->name),
                               "type", tenon_opt_type_name(op->type), "default",
                               cli_json_string(op->def), "help", cli_json_string(op->help),
                               "required", (op->flags & TENON_OPT_REQUIRED) != 0);
        if (op->type == TENON_OPT_ENUM)
            json_object_set_new(jo, "choices", cli_json_string(op->choices));
        if (op->max > op->min) {
            json_object_set_new(jo, "min", json_integer(op->min));
            json_object_set_new(jo, "max", json_integer(op->max));
        }
        json_array_append_new(options, jo);
    }
    json_object_set_new(o, "options", options);
    json_t *meta = json_object();
    for (size_t i = 0; i < d->n_meta; i++)
        json_object_set_new(meta, cli_text(d->meta[i].key), cli_json_string(d->meta[i].value));
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

/* ---- Untrusted text ------------------------------------------------------- */

/* The length of the well-formed UTF-8 sequence at s (1..4), or 0 when the
 * byte there does not start one (overlong forms and surrogates included). */
static size_t utf8_sequence(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    size_t n;
    uint32_t cp;
    if (s[0] >= 0xc2 && s[0] <= 0xdf) {
        n = 2;
        cp = s[0] & 0x1f;
    } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
        n = 3;
        cp = s[0] & 0x0f;
    } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
        n = 4;
        cp = s[0] & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

/* The escaped copy of s, malloc'd; terminal says whether controls are
 * escaped too (JSON escapes those itself). */
static char *escape(const char *s, bool terminal)
{
    size_t len = strlen(s);
    if (len > (SIZE_MAX - 1) / 6)
        return NULL;
    char *out = malloc(len * 6 + 1); /* \u00NN for two bytes: never more than 6 per byte */
    if (!out)
        return NULL;
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = utf8_sequence(p);
        if (n == 0 || (terminal && n == 1 && (*p < 0x20 || *p == 0x7f))) {
            o += (size_t)sprintf(out + o, "\\x%02x", *p);
            p++;
        } else if (terminal && n == 2 && p[0] == 0xc2 && p[1] < 0xa0) {
            o += (size_t)sprintf(out + o, "\\u%04x", (unsigned)p[1]);
            p += 2;
        } else {
            memcpy(out + o, p, n);
            o += n;
            p += n;
        }
    }
    out[o] = '\0';
    return out;
}

/* Escaped copies handed out by cli_text, freed at exit. */
static char **kept;
static size_t n_kept, cap_kept;

static void free_kept(void)
{
    for (size_t i = 0; i < n_kept; i++)
        free(kept[i]);
    free(kept);
    kept = NULL;
    n_kept = cap_kept = 0;
}

const char *cli_text(const char *s)
{
    if (!s)
        return NULL;
    if (n_kept == cap_kept) {
        size_t cap = cap_kept ? cap_kept * 2 : 64;
        char **grown = realloc(kept, cap * sizeof(*kept));
        if (!grown)
            return "(out of memory)";
        if (!kept)
            atexit(free_kept);
        kept = grown;
        cap_kept = cap;
    }
    char *copy = escape(s, true);
    if (!copy)
        return "(out of memory)";
    kept[n_kept++] = copy;
    return copy;
}

json_t *cli_json_string(const char *s)
{
    if (!s)
        return json_null();
    json_t *j = json_string(s);
    if (j)
        return j;
    char *copy = escape(s, false);
    j = copy ? json_string(copy) : NULL;
    free(copy);
    return j ? j : json_string("(out of memory)");
}

bool cli_parse_timeout(const char *cmd, const char *arg, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 10);
    /* strtoull accepts "-5" as a huge number: only digits are a timeout. */
    if (arg[0] < '0' || arg[0] > '9' || *end || errno || v == 0 || v > 3600000) {
        fprintf(stderr,
                "tenon %s: --timeout '%s' is not a number of milliseconds; give one from 1 "
                "to 3600000\n",
                cmd, cli_text(arg));
        return false;
    }
    *out = (unsigned)v;
    return true;
}

int cli_parse_check_options(int argc, char **argv, const char *cmd, const char *help,
                            bool allow_check, cli_check_options *o)
{
    struct option longopts[] = {
        CLI_SEARCH_LONG_OPTIONS,           {"timeout", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},  {"help", no_argument, NULL, 'h'},
        {"check", no_argument, NULL, 'c'}, {NULL, 0, NULL, 0},
    };
    /* Without --check, getopt itself reports it as unknown. */
    if (!allow_check)
        longopts[sizeof(longopts) / sizeof(*longopts) - 2] = (struct option){NULL, 0, NULL, 0};
    int opt;
    while ((opt = getopt_long(argc, argv, allow_check ? "p:ct:jh" : "p:t:jh", longopts,
                              NULL)) != -1) {
        if (cli_search_option(&o->search, opt, optarg))
            continue;
        switch (opt) {
        case 'c':
            o->check = true;
            break;
        case 't':
            if (!cli_parse_timeout(cmd, optarg, &o->timeout))
                return CLI_USAGE;
            break;
        case 'j':
            o->json = true;
            break;
        case 'h':
            fputs(help, stdout);
            return CLI_OK;
        default:
            fputs(help, stderr);
            return CLI_USAGE;
        }
    }
    return -1;
}
