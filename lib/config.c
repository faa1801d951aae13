/* tenon.json: finding the file, checking every key of it with positions,
 * and the enable/disable decisions the registry's selection asks for.
 * Applying it (the plan, loading, instances) is config_plan.c.
 *
 * Everything that can be checked without a plugin's descriptor is checked
 * here, so a configuration either loads whole or not at all; what needs
 * descriptors (option schemas, interfaces, versions) is checked by the
 * plan, where a failure belongs to one entry and its load policy. */
#include "config_internal.h"
#include "path_policy.h"

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <jansson.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

/* Far above any real configuration; stops a wrong path (a disk image, a
 * log) from being read whole. */
#define CONFIG_MAX_SIZE (16u << 20)

/* ---- Errors ---------------------------------------------------------------- */

int tenon__config_fail(const tenon__config *cfg, tenon__jpos pos, int code, const char *plugin,
                       const char *hint, const char *fmt, ...)
{
    char message[TENON_ERROR_TEXT_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    if (pos.line)
        return tenon__fail(code, TENON_STAGE_CONFIG, plugin, cfg->path, hint, "%s:%u:%u: %s",
                           cfg->name, pos.line, pos.col, message);
    return tenon__fail(code, TENON_STAGE_CONFIG, plugin, cfg->path, hint, "%s: %s", cfg->name,
                       message);
}

/* A user's string for a message: at most about 60 characters, control
 * characters shown as '?', so a hostile key cannot garble a log; quoted
 * unless it is a plain word. */
static const char *shown_as(const char *s, char *buf, size_t size, bool quote)
{
    size_t o = 0, max = size > 70 ? 60 : size - 10;
    if (quote)
        buf[o++] = '"';
    size_t i = 0;
    for (; s[i] && o < max; i++)
        buf[o++] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
    if (s[i]) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    if (quote)
        buf[o++] = '"';
    buf[o] = '\0';
    return buf;
}

static const char *shown(const char *s, char *buf, size_t size)
{
    return shown_as(s, buf, size, true);
}

static const char *shown_key(const char *s, char *buf, size_t size)
{
    bool word = *s != '\0';
    for (const char *p = s; *p && word; p++)
        word = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
               (*p >= '0' && *p <= '9') || *p == '_' || *p == '-';
    return shown_as(s, buf, size, !word);
}

static const char *kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "a list";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE: return "true";
    case JSON_FALSE: return "false";
    case JSON_NULL: return "null";
    }
    return "a value";
}

/* ---- Freeing --------------------------------------------------------------- */

static void free_strings(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        tenon__free(list[i]);
    tenon__free(list);
}

static void config_free(tenon__config *cfg)
{
    if (!cfg)
        return;
    tenon__free(cfg->path);
    tenon__free(cfg->name);
    tenon__free(cfg->dir);
    free_strings(cfg->paths, cfg->n_paths);
    free_strings(cfg->path_origins, cfg->n_paths);
    tenon__free(cfg->default_origin);
    for (size_t i = 0; i < cfg->n_entries; i++) {
        tenon__cfg_entry *e = &cfg->entries[i];
        tenon__free(e->module);
        tenon__free(e->name);
        tenon__free(e->interface);
        tenon__free(e->version);
        tenon__free(e->sha256);
        tenon__free(e->origin);
        tenon_options_free(e->options);
        for (size_t k = 0; k < e->n_opts; k++) {
            tenon__free(e->opts[k].key);
            tenon__free(e->opts[k].text);
            tenon__free(e->opts[k].origin);
        }
        tenon__free(e->opts);
    }
    tenon__free(cfg->entries);
    for (size_t i = 0; i < cfg->n_rules; i++) {
        tenon__free(cfg->rules[i].pattern);
        tenon__free(cfg->rules[i].origin);
        tenon__free(cfg->rules[i].where);
    }
    tenon__free(cfg->rules);
    free_strings(cfg->trusted_keys, cfg->n_trusted_keys);
    tenon__free(cfg->trusted_key_pos);
    tenon__free(cfg->keys_dir);
    tenon__free(cfg);
}

void tenon__config_free_all(tenon_registry *reg)
{
    tenon__config *cfg = reg->config;
    while (cfg) {
        tenon__config *older = cfg->older;
        config_free(cfg);
        cfg = older;
    }
    reg->config = NULL;
}

/* ---- Checking the document ------------------------------------------------- */

typedef struct ctx {
    tenon_registry *reg;
    tenon__config *cfg;
    const tenon__jindex *ix;
    size_t seq; /* rules made so far */
} ctx;

static tenon__jpos pos_of(const ctx *c, size_t node)
{
    return tenon__jindex_pos(c->ix, node);
}

static tenon__jpos key_pos_of(const ctx *c, size_t node)
{
    return tenon__jindex_key_pos(c->ix, node);
}

/* "FILE:L:C", or "FILE" when the position is unknown. NULL on ENOMEM. */
static char *origin_at(const tenon__config *cfg, tenon__jpos pos)
{
    if (pos.line)
        return tenon__asprintf("%s:%u:%u", cfg->name, pos.line, pos.col);
    return tenon__strdup(cfg->name);
}

static int nomem(void)
{
    return tenon__nomem(TENON_STAGE_CONFIG, NULL);
}

/* Levenshtein distance of short strings (longer ones are never close). */
size_t tenon__config_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 32 || lb > 32)
        return SIZE_MAX;
    size_t row[33];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* The closest of words to word, if close enough to be a typo. */
static const char *suggest(const char *word, const char *const *words)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    for (size_t i = 0; words[i]; i++) {
        size_t d = tenon__config_distance(word, words[i]);
        if (d < best_d) {
            best_d = d;
            best = words[i];
        }
    }
    size_t len = strlen(word);
    return best && best_d <= (len > 6 ? 2u : 1u) ? best : NULL;
}

/* Unknown keys are errors: a misspelt key silently ignored is a setting
 * that silently does not apply. */
static int check_keys(ctx *c, json_t *obj, size_t node, const char *where,
                      const char *const *allowed)
{
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value) {
        bool known = false;
        for (size_t i = 0; allowed[i] && !known; i++)
            known = strcmp(key, allowed[i]) == 0;
        if (known)
            continue;
        tenon__strbuf list;
        tenon__sb_init(&list);
        for (size_t i = 0; allowed[i]; i++)
            tenon__sb_addf(&list, "%s%s", i ? ", " : "", allowed[i]);
        const char *close = suggest(key, allowed);
        char hint[128], buf[80];
        if (close)
            snprintf(hint, sizeof(hint), "did you mean \"%s\"?", close);
        else
            snprintf(hint, sizeof(hint), "remove it; docs/config.md lists every key");
        int rc = tenon__config_fail(c->cfg, key_pos_of(c, tenon__jindex_member(c->ix, node, key)),
                                    TENON_ECONFIG, NULL, hint,
                                    "%s: unknown key in %s; expected one of %s",
                                    shown(key, buf, sizeof(buf)), where, tenon__sb_str(&list));
        tenon__sb_free(&list);
        return rc;
    }
    return 0;
}

static int type_error(ctx *c, size_t node, const char *where, const char *expected,
                      const json_t *got, const char *hint)
{
    return tenon__config_fail(c->cfg, pos_of(c, node), TENON_ECONFIG, NULL, hint,
                              "%s: expected %s, got %s", where, expected, kind(got));
}

static int get_bool(ctx *c, json_t *v, size_t node, const char *where, bool *out)
{
    if (!json_is_boolean(v))
        return type_error(c, node, where, "true or false", v, NULL);
    *out = json_is_true(v);
    return 0;
}

/* A non-empty string. */
static int get_string(ctx *c, json_t *v, size_t node, const char *where, const char *what,
                      const char **out)
{
    if (!json_is_string(v))
        return type_error(c, node, where, what, v, NULL);
    if (json_string_length(v) == 0)
        return tenon__config_fail(c->cfg, pos_of(c, node), TENON_ECONFIG, NULL, NULL,
                                  "%s: expected %s, got an empty string", where, what);
    *out = json_string_value(v);
    return 0;
}

static bool is_glob(const char *s)
{
    return strpbrk(s, "*?[") != NULL;
}

/* Plugin and instance names: what descriptors allow, so a name in the
 * configuration can match; globs may add the fnmatch characters. */
static const char *name_problem(const char *s, bool glob)
{
    size_t len = strlen(s);
    if (len >= TENON_NAME_MAX)
        return "is too long (at most 47 characters)";
    if (strstr(s, ".."))
        return "contains \"..\"";
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '_' ||
                  (i > 0 && (ch == '-' || ch == '.' || ch == '+')) ||
                  (glob && (ch == '*' || ch == '?' || ch == '[' || ch == ']' || ch == '!' ||
                            ch == '-'));
        if (!ok)
            return glob ? "has a character other than letters, digits, '_', '-', '.', '+' "
                          "and the glob characters * ? [ ] !"
                        : "has a character other than letters, digits, '_', '-', '.' and "
                          "'+' (or starts with '-', '.' or '+')";
    }
    return NULL;
}

static int check_name(ctx *c, const char *s, size_t node, const char *where, const char *what,
                      bool glob)
{
    const char *why = name_problem(s, glob);
    if (!why)
        return 0;
    char buf[80];
    return tenon__config_fail(c->cfg, pos_of(c, node), TENON_ECONFIG, NULL, NULL,
                              "%s: %s %s %s", where, what, shown(s, buf, sizeof(buf)), why);
}

/* Folders in the configuration: absolute, "~/..." (the user's home), or
 * relative to the configuration file's folder, so a configuration moved
 * together with its plugins keeps working. */
static int resolve_dir(ctx *c, const char *value, size_t node, const char *where, char **out)
{
    const tenon__config *cfg = c->cfg;
    char buf[80];
    char *path;
    if (value[0] == '/') {
        path = tenon__strdup(value);
    } else if (value[0] == '~' && (value[1] == '/' || value[1] == '\0')) {
        const char *home = getauxval(AT_SECURE) ? NULL : getenv("HOME");
        if (!home || home[0] != '/')
            return tenon__config_fail(cfg, pos_of(c, node), TENON_ECONFIG, NULL,
                                      "write the folder as an absolute path",
                                      "%s: %s starts with \"~\", but %s", where,
                                      shown(value, buf, sizeof(buf)),
                                      getauxval(AT_SECURE)
                                          ? "a privileged program does not trust HOME"
                                          : "HOME is not set to an absolute path");
        path = tenon__asprintf("%s%s", home, value + 1);
    } else if (cfg->dir) {
        path = tenon__asprintf("%s/%s", cfg->dir, value);
    } else {
        return tenon__config_fail(cfg, pos_of(c, node), TENON_ECONFIG, NULL,
                                  "write the folder as an absolute path",
                                  "%s: %s is relative, and a configuration read from memory "
                                  "has no folder for it to be relative to",
                                  where, shown(value, buf, sizeof(buf)));
    }
    if (!path)
        return nomem();
    if (strlen(path) >= PATH_MAX) {
        tenon__free(path);
        return tenon__config_fail(cfg, pos_of(c, node), TENON_ECONFIG, NULL, NULL,
                                  "%s: the folder is longer than PATH_MAX (%d)", where,
                                  PATH_MAX);
    }
    *out = path;
    return 0;
}

/* A list of non-empty strings. For each item calls fn. */
typedef int (*item_fn)(ctx *c, const char *value, size_t node, const char *where, void *arg);

static int each_string(ctx *c, json_t *list, size_t node, const char *name, const char *what,
                       item_fn fn, void *arg)
{
    if (!json_is_array(list)) {
        char expected[128];
        snprintf(expected, sizeof(expected), "a list of %s", what);
        char hint[128];
        snprintf(hint, sizeof(hint), "write a list even for one: \"%s\": [\"...\"]", name);
        return type_error(c, node, name, expected, list, hint);
    }
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item) {
        char where[64];
        snprintf(where, sizeof(where), "%s[%zu]", name, i);
        size_t inode = tenon__jindex_item(c->ix, node, i);
        const char *value = NULL;
        int rc = get_string(c, item, inode, where, what, &value);
        if (rc == 0)
            rc = fn(c, value, inode, where, arg);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int add_path_item(ctx *c, const char *value, size_t node, const char *where, void *arg)
{
    (void)arg;
    tenon__config *cfg = c->cfg;
    char *path = NULL, *origin;
    int rc = resolve_dir(c, value, node, where, &path);
    if (rc < 0)
        return rc;
    origin = origin_at(cfg, pos_of(c, node));
    size_t cap = cfg->n_paths; /* both arrays grow together, one at a time */
    size_t cap2 = cfg->n_paths;
    if (!origin ||
        tenon__grow((void **)&cfg->paths, &cap, cfg->n_paths + 1, sizeof(char *)) < 0 ||
        tenon__grow((void **)&cfg->path_origins, &cap2, cfg->n_paths + 1, sizeof(char *)) < 0) {
        tenon__free(path);
        tenon__free(origin);
        return nomem();
    }
    cfg->paths[cfg->n_paths] = path;
    cfg->path_origins[cfg->n_paths] = origin;
    cfg->n_paths++;
    return 0;
}

static int add_rule(ctx *c, const char *pattern, bool enable, tenon__jpos pos, const char *where)
{
    tenon__config *cfg = c->cfg;
    size_t cap = cfg->n_rules;
    if (tenon__grow((void **)&cfg->rules, &cap, cfg->n_rules + 1, sizeof(tenon__cfg_rule)) < 0)
        return nomem();
    tenon__cfg_rule *r = &cfg->rules[cfg->n_rules];
    *r = (tenon__cfg_rule){.glob = is_glob(pattern), .enable = enable, .pos = pos,
                           .seq = c->seq++};
    r->pattern = tenon__strdup(pattern);
    r->origin = origin_at(cfg, pos);
    r->where = tenon__strdup(where);
    cfg->n_rules++;
    return r->pattern && r->origin && r->where ? 0 : nomem();
}

static int add_list_rule(ctx *c, const char *value, size_t node, const char *where, void *arg)
{
    int rc = check_name(c, value, node, where, "plugin name or glob", is_glob(value));
    return rc < 0 ? rc : add_rule(c, value, *(bool *)arg, pos_of(c, node), where);
}

/* Keys are parsed here, not when installed, so a malformed one fails the
 * load with its position and leaves the registry's trust untouched. */
static int add_key(ctx *c, const char *value, size_t node, const char *where, void *arg)
{
    (void)arg;
    tenon__config *cfg = c->cfg;
    tenon_public_key key;
    int rc = tenon_public_key_parse(value, strlen(value), where, &key);
    if (rc < 0) {
        tenon_error e = *tenon_last_error();
        return tenon__config_fail(cfg, pos_of(c, node), rc, NULL,
                                  e.hint[0] ? e.hint
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
        return nomem();
    }
    cfg->trusted_key_pos[cfg->n_trusted_keys] = pos_of(c, node);
    cfg->trusted_keys[cfg->n_trusted_keys++] = copy;
    return 0;
}

static int parse_policy(ctx *c, json_t *v, size_t node, const char *where,
                        tenon__cfg_policy *policy)
{
    static const char *const keys[] = {"required", "on_error", NULL};
    if (!json_is_object(v))
        return type_error(c, node, where, "an object like {\"required\": true, \"on_error\": "
                                          "\"fail\"}",
                          v, NULL);
    int rc = check_keys(c, v, node, where, keys);
    if (rc < 0)
        return rc;
    char field[96];
    json_t *req = json_object_get(v, "required");
    if (req) {
        snprintf(field, sizeof(field), "%s.required", where);
        if ((rc = get_bool(c, req, tenon__jindex_member(c->ix, node, "required"), field,
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
            return type_error(c, onode, field, expected, on, NULL);
        const char *s = json_string_value(on);
        size_t i = 0;
        while (words[i] && strcmp(words[i], s) != 0)
            i++;
        if (!words[i]) {
            char buf[80], hint[64] = "";
            const char *close = suggest(s, words);
            if (close)
                snprintf(hint, sizeof(hint), "did you mean \"%s\"?", close);
            return tenon__config_fail(c->cfg, pos_of(c, onode), TENON_ECONFIG, NULL,
                                      close ? hint : NULL, "%s: expected %s, got %s", field,
                                      expected, shown(s, buf, sizeof(buf)));
        }
        policy->on_error = (tenon_on_error)i;
    }
    return 0;
}

static int parse_default(ctx *c, json_t *v, size_t node)
{
    static const char *const keys[] = {"enabled", "load_policy", NULL};
    if (!json_is_object(v))
        return type_error(c, node, "default", "an object like {\"enabled\": true}", v, NULL);
    int rc = check_keys(c, v, node, "default", keys);
    if (rc < 0)
        return rc;
    json_t *en = json_object_get(v, "enabled");
    if (en) {
        size_t enode = tenon__jindex_member(c->ix, node, "enabled");
        if ((rc = get_bool(c, en, enode, "default.enabled", &c->cfg->default_enabled)) < 0)
            return rc;
        if (!(c->cfg->default_origin = origin_at(c->cfg, pos_of(c, enode))))
            return nomem();
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
static int parse_option(ctx *c, tenon__cfg_entry *e, const char *key, json_t *v, size_t node,
                        const char *where)
{
    char buf[80];
    if (!key[0])
        return tenon__config_fail(c->cfg, key_pos_of(c, node), TENON_ECONFIG, NULL, NULL,
                                  "%s: an option name is empty", where);
    if (json_is_object(v) || json_is_array(v) || json_is_null(v)) {
        const char *hint = json_is_array(v)    ? "write a list as one string, e.g. \"a,b,c\""
                           : json_is_null(v)   ? "remove the key to use the option's default"
                                               : "options do not nest";
        return tenon__config_fail(c->cfg, pos_of(c, node), TENON_ECONFIG, e->module, hint,
                                  "%s.%s: expected a string, a number or true/false, got %s",
                                  where, shown_key(key, buf, sizeof(buf)), kind(v));
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
    char *origin = origin_at(c->cfg, pos_of(c, node));
    if (!text || !copy || !origin ||
        tenon__grow((void **)&e->opts, &cap, e->n_opts + 1, sizeof(tenon__cfg_opt)) < 0 ||
        tenon_options_set(e->options, key, text, origin) < 0) {
        tenon__free(text);
        tenon__free(copy);
        tenon__free(origin);
        return nomem();
    }
    e->opts[e->n_opts++] = (tenon__cfg_opt){copy, text, (int)json_typeof(v), integral, origin,
                                            key_pos_of(c, node), pos_of(c, node)};
    return 0;
}

static int parse_entry(ctx *c, json_t *v, size_t node, size_t index)
{
    static const char *const keys[] = {"module", "name", "enabled", "config", "interface",
                                       "load_policy", "sha256", "version", "comment", NULL};
    tenon__config *cfg = c->cfg;
    char where[48], field[96], buf[80];
    snprintf(where, sizeof(where), "plugins[%zu]", index);
    if (!json_is_object(v))
        return type_error(c, node, where, "an object like {\"module\": \"NAME\"}", v, NULL);
    int rc = check_keys(c, v, node, where, keys);
    if (rc < 0)
        return rc;

    size_t cap = cfg->n_entries;
    if (tenon__grow((void **)&cfg->entries, &cap, cfg->n_entries + 1,
                    sizeof(tenon__cfg_entry)) < 0)
        return nomem();
    tenon__cfg_entry *e = &cfg->entries[cfg->n_entries++];
    *e = (tenon__cfg_entry){.index = index, .enabled = true, .policy = cfg->default_policy,
                            .pos = pos_of(c, node)};
    if (tenon_options_new(&e->options) < 0 || !(e->origin = origin_at(cfg, e->pos)))
        return nomem();

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
    if ((rc = get_string(c, m, mnode, FIELD("module"), "a plugin name or a glob", &s)) < 0)
        return rc;
    e->glob = is_glob(s);
    e->module_pos = pos_of(c, mnode);
    if ((rc = check_name(c, s, mnode, field, e->glob ? "glob" : "plugin name", e->glob)) < 0)
        return rc;
    if (!(e->module = tenon__strdup(s)))
        return nomem();

    /* A glob stands for several plugins: it can enable or disable them,
     * but an instance, options or a pinned hash belong to one plugin. */
    if (e->glob) {
        static const char *const one_plugin[] = {"name", "config", "interface", "load_policy",
                                                 "sha256", "version", NULL};
        for (size_t i = 0; one_plugin[i]; i++)
            if (json_object_get(v, one_plugin[i]))
                return tenon__config_fail(
                    cfg, key_pos_of(c, MEMBER(one_plugin[i])), TENON_ECONFIG, NULL,
                    "name one plugin in \"module\", or keep only \"module\" and \"enabled\"",
                    "%s: \"%s\" applies to one plugin, but module %s is a glob that "
                    "enables or disables every plugin it matches",
                    where, one_plugin[i], shown(e->module, buf, sizeof(buf)));
    }

    json_t *f;
    if ((f = json_object_get(v, "name"))) {
        size_t n = MEMBER("name");
        e->name_pos = pos_of(c, n);
        if ((rc = get_string(c, f, n, FIELD("name"), "an instance name", &s)) < 0 ||
            (rc = check_name(c, s, n, field, "instance name", false)) < 0)
            return rc;
        if (!(e->name = tenon__strdup(s)))
            return nomem();
    }
    if ((f = json_object_get(v, "enabled")) &&
        (rc = get_bool(c, f, MEMBER("enabled"), FIELD("enabled"), &e->enabled)) < 0)
        return rc;
    if ((f = json_object_get(v, "interface"))) {
        size_t n = MEMBER("interface");
        e->interface_pos = pos_of(c, n);
        if ((rc = get_string(c, f, n, FIELD("interface"), "an interface name", &s)) < 0)
            return rc;
        if (!e->name)
            return tenon__config_fail(cfg, key_pos_of(c, n), TENON_ECONFIG, e->module,
                                      "add \"name\" to make an instance, or remove "
                                      "\"interface\"",
                                      "%s: \"interface\" picks what an instance is of, but the "
                                      "entry has no \"name\" (it configures the plugin itself)",
                                      where);
        if (!(e->interface = tenon__strdup(s)))
            return nomem();
    }
    if ((f = json_object_get(v, "version"))) {
        size_t n = MEMBER("version");
        e->version_pos = pos_of(c, n);
        if ((rc = get_string(c, f, n, FIELD("version"), "a version range", &s)) < 0)
            return rc;
        if (tenon_semver_range_check(s) < 0)
            return tenon__config_fail(cfg, e->version_pos, TENON_ECONFIG, e->module,
                                      "write a range like \">=1.2 <2\", \"^1.4\" or \"1.x\"",
                                      "%s: %s is not a version range", field,
                                      shown(s, buf, sizeof(buf)));
        if (!(e->version = tenon__strdup(s)))
            return nomem();
    }
    if ((f = json_object_get(v, "sha256"))) {
        size_t n = MEMBER("sha256");
        e->sha_pos = pos_of(c, n);
        if ((rc = get_string(c, f, n, FIELD("sha256"), "64 hexadecimal digits", &s)) < 0)
            return rc;
        if (strlen(s) != 64 || strspn(s, "0123456789abcdefABCDEF") != 64)
            return tenon__config_fail(cfg, pos_of(c, n), TENON_ECONFIG, e->module,
                                      "print it with: sha256sum PLUGIN.so",
                                      "%s: expected the plugin file's SHA-256 as 64 "
                                      "hexadecimal digits, got %s",
                                      field, shown(s, buf, sizeof(buf)));
        if (!(e->sha256 = tenon__strdup(s)))
            return nomem();
        for (char *p = e->sha256; *p; p++)
            if (*p >= 'A' && *p <= 'F')
                *p = (char)(*p - 'A' + 'a');
    }
    if ((f = json_object_get(v, "load_policy")) &&
        (rc = parse_policy(c, f, MEMBER("load_policy"), FIELD("load_policy"), &e->policy)) < 0)
        return rc;
    if ((f = json_object_get(v, "comment")) && !json_is_string(f))
        return type_error(c, MEMBER("comment"), FIELD("comment"), "a string", f, NULL);
    if ((f = json_object_get(v, "config"))) {
        size_t n = MEMBER("config");
        e->config_pos = pos_of(c, n);
        if (!json_is_object(f))
            return type_error(c, n, FIELD("config"),
                              "an object of options like {\"iodepth\": 32}", f, NULL);
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
static int cross_check(ctx *c)
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
                                        e->index, shown(e->name, buf, sizeof(buf)),
                                        first->origin, first->index);
                break;
            }
            if (tenon__map_put(&instances, e->name, e) < 0) {
                rc = nomem();
                break;
            }
        } else {
            tenon__cfg_entry *first = tenon__map_get(&modules, e->module);
            if (first) {
                rc = tenon__config_fail(cfg, e->pos, TENON_ECONFIG, e->module,
                                        "merge the two entries into one",
                                        "plugins[%zu]: plugin %s already has its settings at %s "
                                        "(plugins[%zu]); an entry without \"name\" configures "
                                        "the plugin itself, once",
                                        e->index, e->module, first->origin, first->index);
                break;
            }
            if (tenon__map_put(&modules, e->module, e) < 0) {
                rc = nomem();
                break;
            }
        }
        if (e->sha256 || e->version) {
            tenon__cfg_entry *first = tenon__map_get(&pins, e->module);
            if (first && ((e->sha256 && first->sha256 && strcmp(e->sha256, first->sha256)) ||
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
                rc = nomem();
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
                rc = nomem();
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
                                shown(later->pattern, buf, sizeof(buf)),
                                later->enable ? "enabled" : "disabled",
                                earlier->enable ? "enabled" : "disabled", earlier->origin,
                                earlier->where);
    }
    tenon__map_free(&exact);
    return rc;
}

static int parse_document(ctx *c, json_t *root)
{
    static const char *const keys[] = {"plugin_path", "default", "plugins", "enable",
                                       "disable", "trusted_keys", "keys_dir",
                                       "require_signed", "comment", NULL};
    tenon__config *cfg = c->cfg;
    size_t top = tenon__jindex_root(c->ix);
    if (!json_is_object(root))
        return type_error(c, top, "the top level", "an object like {\"plugins\": [...]}", root,
                          NULL);
    int rc = check_keys(c, root, top, "the top level", keys);
    if (rc < 0)
        return rc;
#define MEMBER(k) tenon__jindex_member(c->ix, top, k)
    json_t *v;
    /* "default" first: its load policy is where every entry's starts. */
    if ((v = json_object_get(root, "default")) && (rc = parse_default(c, v, MEMBER("default"))) < 0)
        return rc;
    if ((v = json_object_get(root, "plugin_path")) &&
        (rc = each_string(c, v, MEMBER("plugin_path"), "plugin_path", "folder names",
                          add_path_item, NULL)) < 0)
        return rc;
    if ((v = json_object_get(root, "plugins"))) {
        size_t pnode = MEMBER("plugins");
        if (!json_is_array(v))
            return type_error(c, pnode, "plugins",
                              "a list of entries like [{\"module\": \"NAME\"}]", v, NULL);
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
        cfg->keys_dir_pos = pos_of(c, n);
        if ((rc = get_string(c, v, n, "keys_dir", "a folder name", &s)) < 0 ||
            (rc = resolve_dir(c, s, n, "keys_dir", &cfg->keys_dir)) < 0)
            return rc;
    }
    if ((v = json_object_get(root, "require_signed"))) {
        bool b = false;
        if ((rc = get_bool(c, v, MEMBER("require_signed"), "require_signed", &b)) < 0)
            return rc;
        cfg->require_signed = b;
    }
    if ((v = json_object_get(root, "comment")) && !json_is_string(v))
        return type_error(c, MEMBER("comment"), "comment", "a string", v, NULL);
#undef MEMBER
    return cross_check(c);
}

/* A jansson syntax error, pointed at the start of the offending token
 * (jansson's own column is where the token ends). */
static int syntax_error(const tenon__config *cfg, const char *text, size_t len,
                        const json_error_t *jerr)
{
    if (json_error_code(jerr) == json_error_out_of_memory)
        return nomem();
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

/* ---- Installing ------------------------------------------------------------ */

/* The integrity settings, through the trust API. The keys folder goes
 * first: it is the one step that can fail for a reason other than memory
 * (it adds all its keys or none), so a bad folder leaves the registry's
 * trust as it was. Keys only accumulate; pins of a replaced configuration
 * that the new one does not repeat are removed. */
static int apply_trust(tenon_registry *reg, const tenon__config *cfg)
{
    int rc;
    if (cfg->keys_dir && (rc = tenon_registry_trust_keys_dir(reg, cfg->keys_dir)) < 0) {
        tenon_error e = *tenon_last_error();
        if (rc == TENON_ENOMEM)
            return rc;
        char buf[80];
        return tenon__config_fail(cfg, cfg->keys_dir_pos, rc, NULL, e.hint[0] ? e.hint : NULL,
                                  "keys_dir %s: %s", shown(cfg->keys_dir, buf, sizeof(buf)),
                                  e.message);
    }
    for (size_t i = 0; i < cfg->n_trusted_keys; i++)
        if ((rc = tenon_registry_trust_key(reg, cfg->trusted_keys[i])) < 0)
            return rc; /* parsed when loaded: only memory can fail */
    for (size_t i = 0; i < cfg->n_entries; i++) {
        const tenon__cfg_entry *e = &cfg->entries[i];
        if (e->sha256 && (rc = tenon_registry_pin_sha256(reg, e->module, e->sha256)) < 0)
            return rc;
    }
    const tenon__config *old = reg->config; /* only install writes it; load_lock held */
    for (size_t i = 0; old && i < old->n_entries; i++) {
        const tenon__cfg_entry *oe = &old->entries[i];
        bool kept = false;
        for (size_t k = 0; oe->sha256 && k < cfg->n_entries && !kept; k++)
            kept = cfg->entries[k].sha256 && strcmp(cfg->entries[k].module, oe->module) == 0;
        if (oe->sha256 && !kept && (rc = tenon_registry_pin_sha256(reg, oe->module, NULL)) < 0)
            return rc;
    }
    if (cfg->require_signed >= 0)
        tenon_registry_require_signed(reg, cfg->require_signed != 0);
    return 0;
}

static int install_locked(tenon_registry *reg, tenon__config *cfg)
{
    int rc = apply_trust(reg, cfg);
    if (rc < 0)
        return rc;
    /* Folders first: adding one is the only step that can fail, and after
     * it the configuration goes in whole. */
    for (size_t i = 0; i < cfg->n_paths; i++) {
        rc = tenon_registry_add_path(reg, cfg->paths[i]);
        if (rc == TENON_ENOMEM)
            return rc;
        if (rc < 0)
            tenon__log(reg, TENON_LOG_WARN, NULL, "%s: plugin folder %s skipped: %s",
                       cfg->path_origins[i], cfg->paths[i], tenon_last_error()->message);
    }
    tenon__lock(reg);
    cfg->older = reg->config;
    cfg->gen = (reg->config ? reg->config->gen : 0) + 1;
    reg->config = cfg;
    tenon__registry_select(reg);
    tenon__unlock(reg);
    tenon__log(reg, TENON_LOG_DEBUG, NULL,
               "configuration %s: %zu plugin entr%s, %zu folder%s", cfg->path, cfg->n_entries,
               cfg->n_entries == 1 ? "y" : "ies", cfg->n_paths, cfg->n_paths == 1 ? "" : "s");
    return 0;
}

/* One configuration load at a time (the load lock is recursive, and the
 * calls inside take the registry lock as they need it). */
static int install(tenon_registry *reg, tenon__config *cfg)
{
    pthread_mutex_lock(&reg->load_lock);
    int rc = install_locked(reg, cfg);
    pthread_mutex_unlock(&reg->load_lock);
    return rc;
}

/* Parses, checks and installs text. path and name are for messages (path
 * also goes in the error's path); dir is the file's folder, or NULL. */
static int load_text(tenon_registry *reg, const char *text, size_t len, const char *path,
                     const char *name, const char *dir)
{
    tenon__config *cfg = tenon__calloc(1, sizeof(*cfg));
    if (!cfg)
        return nomem();
    cfg->path = tenon__strdup(path);
    cfg->name = tenon__strdup(name);
    cfg->dir = dir ? tenon__strdup(dir) : NULL;
    cfg->default_enabled = true;
    cfg->default_policy = (tenon__cfg_policy){true, TENON_ON_ERROR_FAIL};
    cfg->require_signed = -1;
    if (!cfg->path || !cfg->name || (dir && !cfg->dir)) {
        config_free(cfg);
        return nomem();
    }
    int rc;
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        rc = tenon__config_fail(cfg, tenon__jpos_at(text, len, (size_t)(nul - text)),
                                TENON_ECONFIG, NULL, "is this a binary file?",
                                "invalid JSON: a NUL byte (JSON text has none)");
        config_free(cfg);
        return rc;
    }
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        rc = syntax_error(cfg, text, len, &jerr);
        config_free(cfg);
        return rc;
    }
    tenon__jindex *ix = NULL;
    rc = tenon__jindex_build(text, len, &ix);
    if (rc == TENON_ENOMEM) {
        json_decref(root);
        config_free(cfg);
        return nomem();
    }
    if (rc < 0) /* the two parsers disagree: go on, without positions */
        tenon__log(reg, TENON_LOG_DEBUG, NULL, "%s: no positions for messages", cfg->path);
    ctx c = {reg, cfg, ix, 0};
    rc = parse_document(&c, root);
    json_decref(root);
    tenon__jindex_free(ix);
    if (rc == 0)
        rc = install(reg, cfg);
    if (rc < 0)
        config_free(cfg);
    return rc;
}

/* ---- Finding and reading the file ------------------------------------------ */

/* Like the plugin checks: the configuration decides which code runs, so
 * whoever can write it can run code in the host. */
static int file_policy(const struct stat *st, const char *path)
{
    int rc = tenon__trusted_file_policy(st, path, TENON__TRUSTED_CONFIG, geteuid());
    if (rc < 0)
        return rc;
    char dir[PATH_MAX];
    if (!realpath(path, dir))
        return tenon__fail(TENON_EIO, TENON_STAGE_CONFIG, NULL, path, NULL,
                           "cannot resolve configuration %s: %s", path, strerror(errno));
    return tenon__trusted_dirs_policy(dir, path, TENON__TRUSTED_CONFIG);
}

/* Reads a whole configuration file. *missing tells a file that does not
 * exist from one that cannot be read. */
static int read_config(const char *path, const char *why, bool *missing, char **text,
                       size_t *len)
{
    *missing = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        int err = errno;
        *missing = err == ENOENT || err == ENOTDIR;
        return tenon__fail(TENON_ECONFIG, TENON_STAGE_CONFIG, NULL, path,
                           *missing ? "check the file name" : NULL,
                           "cannot read configuration %s%s%s%s: %s", path, why ? " (" : "",
                           why ? why : "", why ? ")" : "", strerror(err));
    }
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0) {
        rc = tenon__fail(TENON_ECONFIG, TENON_STAGE_CONFIG, NULL, path, NULL,
                         "cannot read configuration %s: %s", path, strerror(errno));
    } else if (!S_ISREG(st.st_mode)) {
        rc = tenon__fail(TENON_ECONFIG, TENON_STAGE_CONFIG, NULL, path,
                         "point it at a tenon.json file",
                         "configuration %s%s%s%s is not a regular file", path, why ? " (" : "",
                         why ? why : "", why ? ")" : "");
    } else if ((rc = file_policy(&st, path)) < 0) {
        /* Always, like trusted key files: TENON_REGISTRY_ALLOW_UNSAFE_FILES
         * relaxes plugin files, but whoever writes the configuration can
         * also turn require_signed off and add keys. */
    } else if ((uintmax_t)st.st_size > CONFIG_MAX_SIZE) {
        rc = tenon__fail(TENON_ECONFIG, TENON_STAGE_CONFIG, NULL, path, NULL,
                         "configuration %s is %jd bytes; the limit is %u", path,
                         (intmax_t)st.st_size, CONFIG_MAX_SIZE);
    }
    if (rc < 0) {
        close(fd);
        return rc;
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = tenon__malloc(cap);
    if (!buf) {
        close(fd);
        return nomem();
    }
    for (;;) {
        if (n == cap) { /* the file grew while read: take what fits the limit */
            if (cap > CONFIG_MAX_SIZE) {
                rc = tenon__fail(TENON_ECONFIG, TENON_STAGE_CONFIG, NULL, path, NULL,
                                 "configuration %s grew past %u bytes while read", path,
                                 CONFIG_MAX_SIZE);
                break;
            }
            char *grown = tenon__realloc(buf, cap * 2);
            if (!grown) {
                rc = nomem();
                break;
            }
            buf = grown;
            cap *= 2;
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = tenon__fail(TENON_ECONFIG, TENON_STAGE_CONFIG, NULL, path, NULL,
                             "cannot read configuration %s: %s", path, strerror(errno));
            break;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    if (rc < 0) {
        tenon__free(buf);
        return rc;
    }
    *text = buf;
    *len = n;
    return 0;
}

static int load_file(tenon_registry *reg, const char *path, const char *why, bool *missing)
{
    char *text = NULL;
    size_t len = 0;
    int rc = read_config(path, why, missing, &text, &len);
    if (rc < 0)
        return rc;
    /* Relative folders in the file are relative to its folder, as written
     * (not through symlinks): where the user sees it. */
    char *dir;
    const char *slash = strrchr(path, '/');
    if (path[0] == '/') {
        dir = slash == path ? tenon__strdup("/") : tenon__strndup(path, (size_t)(slash - path));
    } else {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof(cwd))) {
            tenon__free(text);
            return tenon__fail(TENON_ECONFIG, TENON_STAGE_CONFIG, NULL, path, NULL,
                               "cannot find the current folder for %s: %s", path,
                               strerror(errno));
        }
        dir = slash ? tenon__asprintf("%s/%.*s", strcmp(cwd, "/") ? cwd : "",
                                      (int)(slash - path), path)
                    : tenon__strdup(cwd);
    }
    if (!dir) {
        tenon__free(text);
        return nomem();
    }
    rc = load_text(reg, text, len, path, slash ? slash + 1 : path, dir);
    tenon__free(dir);
    tenon__free(text);
    return rc;
}

int tenon_registry_load_config(tenon_registry *reg, const char *path)
{
    if (!reg)
        return TENON_EINVAL;
    bool missing;
    if (path) {
        if (!*path)
            return tenon__fail(TENON_EINVAL, TENON_STAGE_CONFIG, NULL, NULL, NULL,
                               "the configuration file name is empty");
        return load_file(reg, path, NULL, &missing);
    }
    /* Under AT_SECURE the environment and the home folder belong to a less
     * privileged user: only the system file is trusted. */
    bool secure = getauxval(AT_SECURE) != 0;
    const char *env = getenv("TENON_CONFIG");
    if (env && *env) {
        if (secure || (reg->flags & TENON_REGISTRY_NO_ENV))
            tenon__log(reg, TENON_LOG_DEBUG, NULL, "TENON_CONFIG ignored: %s",
                       secure ? "the program runs with elevated privileges (AT_SECURE)"
                              : "the host asked for no environment (TENON_REGISTRY_NO_ENV)");
        else
            return load_file(reg, env, "named by TENON_CONFIG", &missing);
    }
    char *candidates[2] = {NULL, NULL};
    size_t n = 0;
    if (!secure) {
        const char *xdg = getenv("XDG_CONFIG_HOME");
        /* The XDG spec: a relative XDG_CONFIG_HOME is invalid and ignored. */
        if (xdg && xdg[0] == '/') {
            candidates[n++] = tenon__asprintf("%s/%s/tenon.json", xdg, reg->app);
        } else {
            const char *home = getenv("HOME");
            if (!home || home[0] != '/') {
                struct passwd *pw = getpwuid(geteuid());
                home = pw && pw->pw_dir && pw->pw_dir[0] == '/' ? pw->pw_dir : NULL;
            }
            if (home)
                candidates[n++] = tenon__asprintf("%s/.config/%s/tenon.json", home, reg->app);
        }
        if (n && !candidates[0])
            return nomem();
    }
    candidates[n] = tenon__asprintf("/etc/%s/tenon.json", reg->app);
    if (!candidates[n]) {
        tenon__free(candidates[0]);
        return nomem();
    }
    n++;
    int rc = 0;
    bool found = false;
    for (size_t i = 0; i < n && !found; i++) {
        rc = load_file(reg, candidates[i], "the default configuration", &missing);
        found = !(rc < 0 && missing);
    }
    if (!found) {
        rc = 0;
        tenon__log(reg, TENON_LOG_DEBUG, NULL, "no configuration: looked for %s%s%s%s",
                   candidates[0], n > 1 ? " and " : "", n > 1 ? candidates[1] : "",
                   secure ? " (the environment is ignored under AT_SECURE)" : "");
    }
    for (size_t i = 0; i < n; i++)
        tenon__free(candidates[i]);
    return rc;
}

int tenon_registry_load_config_buffer(tenon_registry *reg, const char *text, size_t len,
                                      const char *name)
{
    if (!reg || (!text && len))
        return TENON_EINVAL;
    return load_text(reg, text ? text : "", len, name ? name : "tenon.json",
                     name ? name : "tenon.json", NULL);
}

const char *tenon_config_file(tenon_registry *reg)
{
    if (!reg)
        return NULL;
    tenon__lock(reg);
    const char *path = reg->config ? reg->config->path : NULL;
    tenon__unlock(reg);
    return path;
}

/* ---- Decisions ------------------------------------------------------------- */

tenon__cfg_decision tenon__config_decide(const tenon__config *cfg, const char *name,
                                         uint32_t flags)
{
    if (cfg) {
        const tenon__cfg_rule *exact = NULL, *glob = NULL;
        for (size_t i = 0; i < cfg->n_rules; i++) {
            const tenon__cfg_rule *r = &cfg->rules[i];
            if (!r->glob) {
                /* Exact rules agree (checked when loading); the first names it. */
                if (!exact && strcmp(r->pattern, name) == 0)
                    exact = r;
            } else if (fnmatch(r->pattern, name, 0) == 0 &&
                       (!glob || r->pos.offset > glob->pos.offset ||
                        (r->pos.offset == glob->pos.offset && r->seq > glob->seq))) {
                glob = r;
            }
        }
        const tenon__cfg_rule *r = exact ? exact : glob;
        if (r)
            return (tenon__cfg_decision){r->enable, TENON__CFG_RULE, r};
        if (!cfg->default_enabled)
            return (tenon__cfg_decision){false, TENON__CFG_DEFAULT_CONFIG, NULL};
    }
    if (flags & TENON_PLUGIN_DISABLED_BY_DEFAULT)
        return (tenon__cfg_decision){false, TENON__CFG_DEFAULT_FLAG, NULL};
    return (tenon__cfg_decision){true, TENON__CFG_DEFAULT, NULL};
}

const tenon__cfg_entry *tenon__config_module_entry(const tenon__config *cfg, const char *module)
{
    for (size_t i = 0; cfg && i < cfg->n_entries; i++)
        if (!cfg->entries[i].glob && !cfg->entries[i].name &&
            strcmp(cfg->entries[i].module, module) == 0)
            return &cfg->entries[i];
    return NULL;
}

void tenon__config_select(tenon_registry *reg)
{
    const tenon__config *cfg = reg->config;
    if (!cfg)
        return;
    for (size_t i = 0; i < reg->n_plugins; i++) {
        tenon_plugin *p = reg->plugins[i];
        if (!p->desc)
            continue;
        tenon__cfg_decision d = tenon__config_decide(cfg, p->desc->name, p->desc->flags);
        p->enabled_by_config = d.enabled && d.source == TENON__CFG_RULE;
        p->disabled_by_config = !d.enabled && d.source != TENON__CFG_DEFAULT_FLAG;

        /* The plugin's own options (the entry without "name"), for its next
         * load; a loaded plugin keeps what it was loaded with. */
        if (p->state == TENON__UNLOADED) {
            const tenon__cfg_entry *e = tenon__config_module_entry(cfg, p->desc->name);
            p->file_config = e ? e->options : NULL;
        }
    }
}

/* ---- Configured instances -------------------------------------------------- */

static const tenon__cfg_entry *find_instance(const tenon__config *cfg, const char *name)
{
    for (size_t i = 0; cfg && i < cfg->n_entries; i++)
        if (cfg->entries[i].name && strcmp(cfg->entries[i].name, name) == 0)
            return &cfg->entries[i];
    return NULL;
}

int tenon_config_instance(tenon_registry *reg, const char *name, const char **module,
                          const char **interface, const tenon_options **options)
{
    if (module)
        *module = NULL;
    if (interface)
        *interface = NULL;
    if (options)
        *options = NULL;
    if (!reg || !name)
        return TENON_EINVAL;
    tenon__lock(reg);
    const tenon__config *cfg = reg->config;
    const tenon__cfg_entry *e = find_instance(cfg, name);
    int rc = 0;
    char buf[80];
    if (!e) {
        tenon__strbuf sb;
        tenon__sb_init(&sb);
        for (size_t i = 0; cfg && i < cfg->n_entries; i++)
            if (cfg->entries[i].name)
                tenon__sb_addf(&sb, "%s%s", sb.len ? ", " : "", cfg->entries[i].name);
        rc = tenon__fail(TENON_ENOTFOUND, TENON_STAGE_CONFIG, NULL, cfg ? cfg->path : NULL,
                         sb.len ? NULL : "add an entry with \"name\" to tenon.json",
                         "no instance named %s in %s%s%s", shown(name, buf, sizeof(buf)),
                         cfg ? cfg->name : "the configuration (none is loaded)",
                         sb.len ? "; configured instances: " : "", tenon__sb_str(&sb));
        tenon__sb_free(&sb);
    } else if (!e->enabled) {
        rc = tenon__config_fail(cfg, e->pos, TENON_EDISABLED, e->module,
                                "set \"enabled\": true in its entry",
                                "instance %s is disabled (\"enabled\": false)", e->name);
    } else {
        const char *iface = e->interface;
        if (!iface) {
            /* The first interface the module declares, from whichever file
             * of that name is active now. */
            tenon_plugin *p = tenon__map_get(&reg->by_name, e->module);
            if (!p || !p->desc)
                rc = tenon__config_fail(cfg, e->module_pos, TENON_ENOTFOUND, e->module,
                                        "install it, or add its folder to plugin_path",
                                        "instance %s: no plugin named %s is installed", e->name,
                                        e->module);
            else if (!p->desc->n_provides)
                rc = tenon__config_fail(cfg, e->module_pos, TENON_ENOIFACE, e->module, NULL,
                                        "instance %s: plugin %s provides no interface", e->name,
                                        e->module);
            else
                iface = p->desc->provides[0].name;
        }
        if (rc == 0) {
            if (module)
                *module = e->module;
            if (interface)
                *interface = iface;
            if (options)
                *options = e->options;
        }
    }
    tenon__unlock(reg);
    return rc;
}

size_t tenon_config_instances(tenon_registry *reg, const char **names, size_t cap)
{
    if (!reg)
        return 0;
    tenon__lock(reg);
    size_t n = 0;
    const tenon__config *cfg = reg->config;
    for (size_t i = 0; cfg && i < cfg->n_entries; i++) {
        if (!cfg->entries[i].name)
            continue;
        if (names && n < cap)
            names[n] = cfg->entries[i].name;
        n++;
    }
    tenon__unlock(reg);
    return n;
}
