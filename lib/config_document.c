/* tenon.json's structure: the top-level keys, "default", the "plugins"
 * entries and the lists, then the checks that need the whole document
 * (one name per instance, one hash per module...). Checking single values
 * with their positions is config_values.c. */
#include "config_internal.h"

#include <fnmatch.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* ---- Lists ----------------------------------------------------------------- */

typedef int (*item_fn)(tenon__cfg_ctx *c, const char *value, size_t node, const char *where,
                       void *arg);

static int each_string(tenon__cfg_ctx *c, json_t *list, size_t node, const char *name,
                       const char *what, item_fn fn, void *arg)
{
    if (!json_is_array(list)) {
        char expected[128];
        snprintf(expected, sizeof(expected), "a list of %s", what);
        char hint[128];
        snprintf(hint, sizeof(hint), "write a list even for one: \"%s\": [\"...\"]", name);
        return tenon__cfg_type_error(c, node, name, expected, list, hint);
    }
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item) {
        char where[64];
        snprintf(where, sizeof(where), "%s[%zu]", name, i);
        size_t inode = tenon__jindex_item(c->ix, node, i);
        const char *value = NULL;
        int rc = tenon__cfg_string(c, item, inode, where, what, &value);
        if (rc == 0)
            rc = fn(c, value, inode, where, arg);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int add_path_item(tenon__cfg_ctx *c, const char *value, size_t node, const char *where,
                         void *arg)
{
    (void)arg;
    tenon__config *cfg = c->cfg;
    char *path = NULL, *origin;
    int rc = tenon__cfg_resolve_dir(c, value, node, where, &path);
    if (rc < 0)
        return rc;
    origin = tenon__cfg_origin(cfg, tenon__cfg_pos(c, node));
    size_t cap = cfg->n_paths; /* both arrays grow together, one at a time */
    size_t cap2 = cfg->n_paths;
    if (!origin ||
        tenon__grow((void **)&cfg->paths, &cap, cfg->n_paths + 1, sizeof(char *)) < 0 ||
        tenon__grow((void **)&cfg->path_origins, &cap2, cfg->n_paths + 1, sizeof(char *)) < 0) {
        tenon__free(path);
        tenon__free(origin);
        return tenon__cfg_nomem();
    }
    cfg->paths[cfg->n_paths] = path;
    cfg->path_origins[cfg->n_paths] = origin;
    cfg->n_paths++;
    return 0;
}

static int add_rule(tenon__cfg_ctx *c, const char *pattern, bool enable, tenon__jpos pos,
                    const char *where)
{
    tenon__config *cfg = c->cfg;
    size_t cap = cfg->n_rules;
    if (tenon__grow((void **)&cfg->rules, &cap, cfg->n_rules + 1, sizeof(tenon__cfg_rule)) < 0)
        return tenon__cfg_nomem();
    tenon__cfg_rule *r = &cfg->rules[cfg->n_rules];
    *r = (tenon__cfg_rule){.glob = tenon__cfg_is_glob(pattern),
                           .enable = enable,
                           .pos = pos,
                           .seq = c->seq++};
    r->pattern = tenon__strdup(pattern);
    r->origin = tenon__cfg_origin(cfg, pos);
    r->where = tenon__strdup(where);
    cfg->n_rules++;
    return r->pattern && r->origin && r->where ? 0 : tenon__cfg_nomem();
}

static int add_list_rule(tenon__cfg_ctx *c, const char *value, size_t node, const char *where,
                         void *arg)
{
    int rc = tenon__cfg_check_name(c, value, node, where, "plugin name or glob",
                                   tenon__cfg_is_glob(value));
    return rc < 0 ? rc : add_rule(c, value, *(bool *)arg, tenon__cfg_pos(c, node), where);
}

/* Keys are parsed here, not when installed, so a malformed one fails the
 * load with its position and leaves the registry's trust untouched. */
static int add_key(tenon__cfg_ctx *c, const char *value, size_t node, const char *where,
                   void *arg)
{
    (void)arg;
    tenon__config *cfg = c->cfg;
    tenon_public_key key;
    int rc = tenon_public_key_parse(value, strlen(value), where, &key);
    if (rc < 0) {
        tenon_error e = *tenon_last_error();
        return tenon__config_fail(cfg, tenon__cfg_pos(c, node), rc, NULL,
                                  e.hint[0]
                                      ? e.hint
                                      : "give the base64 key, or the whole text of a .pub "
                                        "file that `tenon keygen` wrote",
                                  "%s: %s", where, e.message);
    }
    size_t cap = cfg->n_trusted_keys, cap2 = cfg->n_trusted_keys;
    char *copy = tenon__strdup(value);
    if (!copy ||
        tenon__grow((void **)&cfg->trusted_keys, &cap, cfg->n_trusted_keys + 1,
                    sizeof(char *)) < 0 ||
        tenon__grow((void **)&cfg->trusted_key_pos, &cap2, cfg->n_trusted_keys + 1,
                    sizeof(tenon__jpos)) < 0) {
        tenon__free(copy);
        return tenon__cfg_nomem();
    }
    cfg->trusted_key_pos[cfg->n_trusted_keys] = tenon__cfg_pos(c, node);
    cfg->trusted_keys[cfg->n_trusted_keys++] = copy;
    return 0;
}

static int parse_policy(tenon__cfg_ctx *c, json_t *v, size_t node, const char *where,
                        tenon__cfg_policy *policy)
{
    static const char *const keys[] = {"required", "on_error", NULL};
    if (!json_is_object(v))
        return tenon__cfg_type_error(c, node, where,
                                     "an object like {\"required\": true, \"on_error\": "
                                     "\"fail\"}",
                                     v, NULL);
    int rc = tenon__cfg_check_keys(c, v, node, where, keys);
    if (rc < 0)
        return rc;
    char field[96];
    json_t *req = json_object_get(v, "required");
    if (req) {
        snprintf(field, sizeof(field), "%s.required", where);
        if ((rc = tenon__cfg_bool(c, req, tenon__jindex_member(c->ix, node, "required"), field,
                                  &policy->required)) < 0)
            return rc;
    }
    json_t *on = json_object_get(v, "on_error");
    if (on) {
        snprintf(field, sizeof(field), "%s.on_error", where);
        size_t onode = tenon__jindex_member(c->ix, node, "on_error");
        static const char *const words[] = {"fail", "warn", "skip", NULL};
        static const char expected[] = "one of \"fail\", \"skip\", \"warn\"";
        if (!json_is_string(on))
            return tenon__cfg_type_error(c, onode, field, expected, on, NULL);
        const char *s = json_string_value(on);
        size_t i = 0;
        while (words[i] && strcmp(words[i], s) != 0)
            i++;
        if (!words[i]) {
            char buf[80], hint[64] = "";
            const char *close = tenon__cfg_suggest(s, words);
            if (close)
                snprintf(hint, sizeof(hint), "did you mean \"%s\"?", close);
            return tenon__config_fail(c->cfg, tenon__cfg_pos(c, onode), TENON_ECONFIG, NULL,
                                      close ? hint : NULL, "%s: expected %s, got %s", field,
                                      expected, tenon__cfg_shown(s, buf, sizeof(buf)));
        }
        policy->on_error = (tenon_on_error)i;
    }
    return 0;
}

static int parse_default(tenon__cfg_ctx *c, json_t *v, size_t node)
{
    static const char *const keys[] = {"enabled", "load_policy", NULL};
    if (!json_is_object(v))
        return tenon__cfg_type_error(c, node, "default", "an object like {\"enabled\": true}",
                                     v, NULL);
    int rc = tenon__cfg_check_keys(c, v, node, "default", keys);
    if (rc < 0)
        return rc;
    json_t *en = json_object_get(v, "enabled");
    if (en) {
        size_t enode = tenon__jindex_member(c->ix, node, "enabled");
        if ((rc = tenon__cfg_bool(c, en, enode, "default.enabled", &c->cfg->default_enabled)) <
            0)
            return rc;
        if (!(c->cfg->default_origin = tenon__cfg_origin(c->cfg, tenon__cfg_pos(c, enode))))
            return tenon__cfg_nomem();
    }
    json_t *lp = json_object_get(v, "load_policy");
    if (lp)
        rc = parse_policy(c, lp, tenon__jindex_member(c->ix, node, "load_policy"),
                          "default.load_policy", &c->cfg->default_policy);
    return rc;
}

/* One option value: JSON strings, numbers and booleans become option text;
 * the JSON type is kept so the plan can check it against the option's
 * type (a string where an integer is expected is an error, not a parse). */
static int parse_option(tenon__cfg_ctx *c, tenon__cfg_entry *e, const char *key, json_t *v,
                        size_t node, const char *where)
{
    char buf[80];
    if (!key[0])
        return tenon__config_fail(c->cfg, tenon__cfg_key_pos(c, node), TENON_ECONFIG, NULL,
                                  NULL, "%s: an option name is empty", where);
    if (json_is_object(v) || json_is_array(v) || json_is_null(v)) {
        const char *hint = json_is_array(v)  ? "write a list as one string, e.g. \"a,b,c\""
                           : json_is_null(v) ? "remove the key to use the option's default"
                                             : "options do not nest";
        return tenon__config_fail(c->cfg, tenon__cfg_pos(c, node), TENON_ECONFIG, e->module,
                                  hint,
                                  "%s.%s: expected a string, a number or true/false, got %s",
                                  where, tenon__cfg_shown_key(key, buf, sizeof(buf)),
                                  tenon__cfg_kind(v));
    }
    char *text = NULL;
    bool integral = false;
    switch (json_typeof(v)) {
    case JSON_STRING:
        text = tenon__strdup(json_string_value(v));
        break;
    case JSON_INTEGER:
        text = tenon__asprintf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
        integral = true;
        break;
    case JSON_REAL: {
        double d = json_real_value(v);
        text = tenon__asprintf("%.17g", d);
        integral = d > -9.2e18 && d < 9.2e18 && d == (double)(int64_t)d;
        break;
    }
    default:
        text = tenon__strdup(json_is_true(v) ? "true" : "false");
        break;
    }
    size_t cap = e->n_opts;
    char *copy = tenon__strdup(key);
    char *origin = tenon__cfg_origin(c->cfg, tenon__cfg_pos(c, node));
    if (!text || !copy || !origin ||
        tenon__grow((void **)&e->opts, &cap, e->n_opts + 1, sizeof(tenon__cfg_opt)) < 0 ||
        tenon_options_set(e->options, key, text, origin) < 0) {
        tenon__free(text);
        tenon__free(copy);
        tenon__free(origin);
        return tenon__cfg_nomem();
    }
    e->opts[e->n_opts++] = (tenon__cfg_opt){copy,
                                            text,
                                            (int)json_typeof(v),
                                            integral,
                                            origin,
                                            tenon__cfg_key_pos(c, node),
                                            tenon__cfg_pos(c, node)};
    return 0;
}

static int parse_entry(tenon__cfg_ctx *c, json_t *v, size_t node, size_t index)
{
    static const char *const keys[] = {"module",    "name",        "enabled", "config",
                                       "interface", "load_policy", "sha256",  "version",
                                       "comment",   NULL};
    tenon__config *cfg = c->cfg;
    char where[48], field[96], buf[80];
    snprintf(where, sizeof(where), "plugins[%zu]", index);
    if (!json_is_object(v))
        return tenon__cfg_type_error(c, node, where, "an object like {\"module\": \"NAME\"}", v,
                                     NULL);
    int rc = tenon__cfg_check_keys(c, v, node, where, keys);
    if (rc < 0)
        return rc;

    size_t cap = cfg->n_entries;
    if (tenon__grow((void **)&cfg->entries, &cap, cfg->n_entries + 1,
                    sizeof(tenon__cfg_entry)) < 0)
        return tenon__cfg_nomem();
    tenon__cfg_entry *e = &cfg->entries[cfg->n_entries++];
    *e = (tenon__cfg_entry){.index = index,
                            .enabled = true,
                            .policy = cfg->default_policy,
                            .pos = tenon__cfg_pos(c, node)};
    if (tenon_options_new(&e->options) < 0 || !(e->origin = tenon__cfg_origin(cfg, e->pos)))
        return tenon__cfg_nomem();

#define MEMBER(k) tenon__jindex_member(c->ix, node, k)
#define FIELD(k) (snprintf(field, sizeof(field), "%s.%s", where, k), field)
    json_t *m = json_object_get(v, "module");
    if (!m)
        return tenon__config_fail(cfg, e->pos, TENON_ECONFIG, NULL,
                                  "add \"module\": \"NAME\" (the plugin's name, or a glob to "
                                  "enable or disable several)",
                                  "%s: \"module\" is missing; every entry names the plugin it "
                                  "is about",
                                  where);
    const char *s;
    size_t mnode = MEMBER("module");
    if ((rc = tenon__cfg_string(c, m, mnode, FIELD("module"), "a plugin name or a glob", &s)) <
        0)
        return rc;
    e->glob = tenon__cfg_is_glob(s);
    e->module_pos = tenon__cfg_pos(c, mnode);
    if ((rc = tenon__cfg_check_name(c, s, mnode, field, e->glob ? "glob" : "plugin name",
                                    e->glob)) < 0)
        return rc;
    if (!(e->module = tenon__strdup(s)))
        return tenon__cfg_nomem();

    /* A glob stands for several plugins: it can enable or disable them,
     * but an instance, options or a pinned hash belong to one plugin. */
    if (e->glob) {
        static const char *const one_plugin[] = {"name",        "config", "interface",
                                                 "load_policy", "sha256", "version",
                                                 NULL};
        for (size_t i = 0; one_plugin[i]; i++)
            if (json_object_get(v, one_plugin[i]))
                return tenon__config_fail(
                    cfg, tenon__cfg_key_pos(c, MEMBER(one_plugin[i])), TENON_ECONFIG, NULL,
                    "name one plugin in \"module\", or keep only \"module\" and \"enabled\"",
                    "%s: \"%s\" applies to one plugin, but module %s is a glob that "
                    "enables or disables every plugin it matches",
                    where, one_plugin[i], tenon__cfg_shown(e->module, buf, sizeof(buf)));
    }

    json_t *f;
    if ((f = json_object_get(v, "name"))) {
        size_t n = MEMBER("name");
        e->name_pos = tenon__cfg_pos(c, n);
        if ((rc = tenon__cfg_string(c, f, n, FIELD("name"), "an instance name", &s)) < 0 ||
            (rc = tenon__cfg_check_name(c, s, n, field, "instance name", false)) < 0)
            return rc;
        if (!(e->name = tenon__strdup(s)))
            return tenon__cfg_nomem();
    }
    if ((f = json_object_get(v, "enabled")) &&
        (rc = tenon__cfg_bool(c, f, MEMBER("enabled"), FIELD("enabled"), &e->enabled)) < 0)
        return rc;
    if ((f = json_object_get(v, "interface"))) {
        size_t n = MEMBER("interface");
        e->interface_pos = tenon__cfg_pos(c, n);
        if ((rc = tenon__cfg_string(c, f, n, FIELD("interface"), "an interface name", &s)) < 0)
            return rc;
        if (!e->name)
            return tenon__config_fail(cfg, tenon__cfg_key_pos(c, n), TENON_ECONFIG, e->module,
                                      "add \"name\" to make an instance, or remove "
                                      "\"interface\"",
                                      "%s: \"interface\" picks what an instance is of, but the "
                                      "entry has no \"name\" (it configures the plugin itself)",
                                      where);
        if (!(e->interface = tenon__strdup(s)))
            return tenon__cfg_nomem();
    }
    if ((f = json_object_get(v, "version"))) {
        size_t n = MEMBER("version");
        e->version_pos = tenon__cfg_pos(c, n);
        if ((rc = tenon__cfg_string(c, f, n, FIELD("version"), "a version range", &s)) < 0)
            return rc;
        if (tenon_semver_range_check(s) < 0)
            return tenon__config_fail(cfg, e->version_pos, TENON_ECONFIG, e->module,
                                      "write a range like \">=1.2 <2\", \"^1.4\" or \"1.x\"",
                                      "%s: %s is not a version range", field,
                                      tenon__cfg_shown(s, buf, sizeof(buf)));
        if (!(e->version = tenon__strdup(s)))
            return tenon__cfg_nomem();
    }
    if ((f = json_object_get(v, "sha256"))) {
        size_t n = MEMBER("sha256");
        e->sha_pos = tenon__cfg_pos(c, n);
        if ((rc = tenon__cfg_string(c, f, n, FIELD("sha256"), "64 hexadecimal digits", &s)) < 0)
            return rc;
        if (strlen(s) != 64 || strspn(s, "0123456789abcdefABCDEF") != 64)
            return tenon__config_fail(cfg, tenon__cfg_pos(c, n), TENON_ECONFIG, e->module,
                                      "print it with: sha256sum PLUGIN.so",
                                      "%s: expected the plugin file's SHA-256 as 64 "
                                      "hexadecimal digits, got %s",
                                      field, tenon__cfg_shown(s, buf, sizeof(buf)));
        if (!(e->sha256 = tenon__strdup(s)))
            return tenon__cfg_nomem();
        for (char *p = e->sha256; *p; p++)
            if (*p >= 'A' && *p <= 'F')
                *p = (char)(*p - 'A' + 'a');
    }
    if ((f = json_object_get(v, "load_policy")) &&
        (rc = parse_policy(c, f, MEMBER("load_policy"), FIELD("load_policy"), &e->policy)) < 0)
        return rc;
    if ((f = json_object_get(v, "comment")) && !json_is_string(f))
        return tenon__cfg_type_error(c, MEMBER("comment"), FIELD("comment"), "a string", f,
                                     NULL);
    if ((f = json_object_get(v, "config"))) {
        size_t n = MEMBER("config");
        e->config_pos = tenon__cfg_pos(c, n);
        if (!json_is_object(f))
            return tenon__cfg_type_error(c, n, FIELD("config"),
                                         "an object of options like {\"iodepth\": 32}", f,
                                         NULL);
        char cwhere[64];
        snprintf(cwhere, sizeof(cwhere), "%s.config", where);
        const char *key;
        json_t *val;
        json_object_foreach(f, key, val) {
            if ((rc = parse_option(c, e, key, val, tenon__jindex_member(c->ix, n, key),
                                   cwhere)) < 0)
                return rc;
        }
    }
#undef MEMBER
#undef FIELD
    return 0;
}

/* Checks that entries and lists agree with each other: one name per
 * instance, one set of plugin-level settings per module, one hash and one
 * version range per module, and no plugin both enabled and disabled by
 * name. Then makes the enable/disable rules. */
static int cross_check(tenon__cfg_ctx *c)
{
    tenon__config *cfg = c->cfg;
    tenon__map instances, modules, pins;
    tenon__map_init(&instances);
    tenon__map_init(&modules);
    tenon__map_init(&pins);
    int rc = 0;
    char buf[80], where[64];
    for (size_t i = 0; i < cfg->n_entries && rc == 0; i++) {
        tenon__cfg_entry *e = &cfg->entries[i];
        if (e->glob)
            continue;
        if (e->name) {
            tenon__cfg_entry *first = tenon__map_get(&instances, e->name);
            if (first) {
                rc = tenon__config_fail(cfg, e->name_pos, TENON_ECONFIG, e->module,
                                        "give each instance its own name",
                                        "plugins[%zu].name: instance %s is already configured "
                                        "at %s (plugins[%zu])",
                                        e->index, tenon__cfg_shown(e->name, buf, sizeof(buf)),
                                        first->origin, first->index);
                break;
            }
            if (tenon__map_put(&instances, e->name, e) < 0) {
                rc = tenon__cfg_nomem();
                break;
            }
        } else {
            tenon__cfg_entry *first = tenon__map_get(&modules, e->module);
            if (first) {
                rc =
                    tenon__config_fail(cfg, e->pos, TENON_ECONFIG, e->module,
                                       "merge the two entries into one",
                                       "plugins[%zu]: plugin %s already has its settings at %s "
                                       "(plugins[%zu]); an entry without \"name\" configures "
                                       "the plugin itself, once",
                                       e->index, e->module, first->origin, first->index);
                break;
            }
            if (tenon__map_put(&modules, e->module, e) < 0) {
                rc = tenon__cfg_nomem();
                break;
            }
        }
        if (e->sha256 || e->version) {
            tenon__cfg_entry *first = tenon__map_get(&pins, e->module);
            if (first &&
                ((e->sha256 && first->sha256 && strcmp(e->sha256, first->sha256)) ||
                 (e->version && first->version && strcmp(e->version, first->version)))) {
                bool hash = e->sha256 && first->sha256 && strcmp(e->sha256, first->sha256);
                rc = tenon__config_fail(cfg, e->pos, TENON_ECONFIG, e->module,
                                        "give it once, in one entry",
                                        "plugins[%zu]: a different %s for plugin %s is given "
                                        "at %s (plugins[%zu]); there is one plugin file",
                                        e->index, hash ? "sha256" : "version range", e->module,
                                        first->origin, first->index);
                break;
            }
            if (!first && tenon__map_put(&pins, e->module, e) < 0)
                rc = tenon__cfg_nomem();
        }
    }
    tenon__map_free(&instances);
    tenon__map_free(&modules);
    tenon__map_free(&pins);
    if (rc < 0)
        return rc;

    /* Rules from the entries. An instance entry enables its module; an
     * instance entry with "enabled": false only switches that instance off. */
    for (size_t i = 0; i < cfg->n_entries; i++) {
        tenon__cfg_entry *e = &cfg->entries[i];
        if (e->name && !e->enabled)
            continue;
        snprintf(where, sizeof(where), "plugins[%zu]", e->index);
        if ((rc = add_rule(c, e->module, e->enabled, e->module_pos, where)) < 0)
            return rc;
    }

    /* A plugin enabled by name in one place and disabled by name in another
     * has no right answer; globs are ordered instead. */
    tenon__map exact;
    tenon__map_init(&exact);
    for (size_t i = 0; i < cfg->n_rules && rc == 0; i++) {
        tenon__cfg_rule *r = &cfg->rules[i];
        if (r->glob)
            continue;
        tenon__cfg_rule *first = tenon__map_get(&exact, r->pattern);
        if (!first) {
            if (tenon__map_put(&exact, r->pattern, r) < 0)
                rc = tenon__cfg_nomem();
            continue;
        }
        if (first->enable == r->enable)
            continue;
        bool r_later = r->pos.offset > first->pos.offset ||
                       (r->pos.offset == first->pos.offset && r->seq > first->seq);
        const tenon__cfg_rule *later = r_later ? r : first, *earlier = r_later ? first : r;
        rc = tenon__config_fail(cfg, later->pos, TENON_ECONFIG, later->pattern,
                                "remove one of the two",
                                "%s: plugin %s is %s here but %s at %s (%s)", later->where,
                                tenon__cfg_shown(later->pattern, buf, sizeof(buf)),
                                later->enable ? "enabled" : "disabled",
                                earlier->enable ? "enabled" : "disabled", earlier->origin,
                                earlier->where);
    }
    tenon__map_free(&exact);
    return rc;
}

static int parse_document(tenon__cfg_ctx *c, json_t *root)
{
    static const char *const keys[] = {"plugin_path", "default",        "plugins",
                                       "enable",      "disable",        "trusted_keys",
                                       "keys_dir",    "require_signed", "comment",
                                       NULL};
    tenon__config *cfg = c->cfg;
    size_t top = tenon__jindex_root(c->ix);
    if (!json_is_object(root))
        return tenon__cfg_type_error(c, top, "the top level",
                                     "an object like {\"plugins\": [...]}", root, NULL);
    int rc = tenon__cfg_check_keys(c, root, top, "the top level", keys);
    if (rc < 0)
        return rc;
#define MEMBER(k) tenon__jindex_member(c->ix, top, k)
    json_t *v;
    /* "default" first: its load policy is where every entry's starts. */
    if ((v = json_object_get(root, "default")) &&
        (rc = parse_default(c, v, MEMBER("default"))) < 0)
        return rc;
    if ((v = json_object_get(root, "plugin_path")) &&
        (rc = each_string(c, v, MEMBER("plugin_path"), "plugin_path", "folder names",
                          add_path_item, NULL)) < 0)
        return rc;
    if ((v = json_object_get(root, "plugins"))) {
        size_t pnode = MEMBER("plugins");
        if (!json_is_array(v))
            return tenon__cfg_type_error(c, pnode, "plugins",
                                         "a list of entries like [{\"module\": \"NAME\"}]", v,
                                         NULL);
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item) {
            if ((rc = parse_entry(c, item, tenon__jindex_item(c->ix, pnode, i), i)) < 0)
                return rc;
        }
    }
    static const bool yes = true, no = false;
    if ((v = json_object_get(root, "enable")) &&
        (rc = each_string(c, v, MEMBER("enable"), "enable", "plugin names or globs",
                          add_list_rule, (void *)&yes)) < 0)
        return rc;
    if ((v = json_object_get(root, "disable")) &&
        (rc = each_string(c, v, MEMBER("disable"), "disable", "plugin names or globs",
                          add_list_rule, (void *)&no)) < 0)
        return rc;
    if ((v = json_object_get(root, "trusted_keys")) &&
        (rc = each_string(c, v, MEMBER("trusted_keys"), "trusted_keys", "public keys", add_key,
                          NULL)) < 0)
        return rc;
    if ((v = json_object_get(root, "keys_dir"))) {
        const char *s;
        size_t n = MEMBER("keys_dir");
        cfg->keys_dir_pos = tenon__cfg_pos(c, n);
        if ((rc = tenon__cfg_string(c, v, n, "keys_dir", "a folder name", &s)) < 0 ||
            (rc = tenon__cfg_resolve_dir(c, s, n, "keys_dir", &cfg->keys_dir)) < 0)
            return rc;
    }
    if ((v = json_object_get(root, "require_signed"))) {
        bool b = false;
        if ((rc = tenon__cfg_bool(c, v, MEMBER("require_signed"), "require_signed", &b)) < 0)
            return rc;
        cfg->require_signed = b;
    }
    if ((v = json_object_get(root, "comment")) && !json_is_string(v))
        return tenon__cfg_type_error(c, MEMBER("comment"), "comment", "a string", v, NULL);
#undef MEMBER
    return cross_check(c);
}

/* A jansson syntax error, pointed at the start of the offending token
 * (jansson's own column is where the token ends). */
static int syntax_error(const tenon__config *cfg, const char *text, size_t len,
                        const json_error_t *jerr)
{
    if (json_error_code(jerr) == json_error_out_of_memory)
        return tenon__cfg_nomem();
    size_t end = jerr->position > 0 ? (size_t)jerr->position : 0;
    if (end > len)
        end = len;
    size_t start = end;
    const char *near = strstr(jerr->text, "near '");
    if (near && !strstr(jerr->text, "near end of file")) {
        near += 6;
        const char *close = strrchr(near, '\'');
        size_t tlen = close && close > near ? (size_t)(close - near) : 0;
        if (tlen && tlen <= end && memcmp(text + end - tlen, near, tlen) == 0)
            start = end - tlen;
    }
    tenon__jpos pos = tenon__jpos_at(text, len, start);
    const char *hint = strstr(jerr->text, "duplicate")
                           ? "a key appears once per object; merge the two"
                           : "tenon.json is strict JSON: keys and strings in double quotes, "
                             "no comments, no trailing commas";
    return tenon__config_fail(cfg, pos, TENON_ECONFIG, NULL, hint, "invalid JSON: %s",
                              jerr->text);
}

int tenon__config_parse_text(tenon_registry *reg, tenon__config *cfg, const char *text,
                             size_t len)
{
    const char *nul = memchr(text, '\0', len);
    if (nul)
        return tenon__config_fail(cfg, tenon__jpos_at(text, len, (size_t)(nul - text)),
                                  TENON_ECONFIG, NULL, "is this a binary file?",
                                  "invalid JSON: a NUL byte (JSON text has none)");
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return syntax_error(cfg, text, len, &jerr);
    tenon__jindex *ix = NULL;
    int rc = tenon__jindex_build(text, len, &ix);
    if (rc == TENON_ENOMEM) {
        json_decref(root);
        return tenon__cfg_nomem();
    }
    if (rc < 0) /* the two parsers disagree: go on, without positions */
        tenon__log(reg, TENON_LOG_DEBUG, NULL, "%s: no positions for messages", cfg->path);
    tenon__cfg_ctx c = {reg, cfg, ix, 0};
    rc = parse_document(&c, root);
    json_decref(root);
    tenon__jindex_free(ix);
    return rc;
}
