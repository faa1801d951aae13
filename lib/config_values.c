/* Checking one value of tenon.json at a time, each message with the file,
 * line and column of the value (config_index.c finds them). */
#include "config_internal.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

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
 * characters tenon__cfg_shown as '?', so a hostile key cannot garble a log; quoted
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

const char *tenon__cfg_shown(const char *s, char *buf, size_t size)
{
    return shown_as(s, buf, size, true);
}

const char *tenon__cfg_shown_key(const char *s, char *buf, size_t size)
{
    bool word = *s != '\0';
    for (const char *p = s; *p && word; p++)
        word = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
               (*p >= '0' && *p <= '9') || *p == '_' || *p == '-';
    return shown_as(s, buf, size, !word);
}

const char *tenon__cfg_kind(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "a list";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
        return "true";
    case JSON_FALSE:
        return "false";
    case JSON_NULL:
        return "null";
    }
    return "a value";
}

/* ---- Values --------------------------------------------------------------- */

tenon__jpos tenon__cfg_pos(const tenon__cfg_ctx *c, size_t node)
{
    return tenon__jindex_pos(c->ix, node);
}

tenon__jpos tenon__cfg_key_pos(const tenon__cfg_ctx *c, size_t node)
{
    return tenon__jindex_key_pos(c->ix, node);
}

/* "FILE:L:C", or "FILE" when the position is unknown. NULL on ENOMEM. */
char *tenon__cfg_origin(const tenon__config *cfg, tenon__jpos pos)
{
    if (pos.line)
        return tenon__asprintf("%s:%u:%u", cfg->name, pos.line, pos.col);
    return tenon__strdup(cfg->name);
}

int tenon__cfg_nomem(void)
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
const char *tenon__cfg_suggest(const char *word, const char *const *words)
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
int tenon__cfg_check_keys(tenon__cfg_ctx *c, json_t *obj, size_t node, const char *where,
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
        const char *close = tenon__cfg_suggest(key, allowed);
        char hint[128], buf[80];
        if (close)
            snprintf(hint, sizeof(hint), "did you mean \"%s\"?", close);
        else
            snprintf(hint, sizeof(hint), "remove it; docs/config.md lists every key");
        int rc = tenon__config_fail(c->cfg,
                                    tenon__cfg_key_pos(c,
                                                       tenon__jindex_member(c->ix, node, key)),
                                    TENON_ECONFIG, NULL, hint,
                                    "%s: unknown key in %s; expected one of %s",
                                    tenon__cfg_shown(key, buf, sizeof(buf)), where,
                                    tenon__sb_str(&list));
        tenon__sb_free(&list);
        return rc;
    }
    return 0;
}

int tenon__cfg_type_error(tenon__cfg_ctx *c, size_t node, const char *where,
                          const char *expected, const json_t *got, const char *hint)
{
    return tenon__config_fail(c->cfg, tenon__cfg_pos(c, node), TENON_ECONFIG, NULL, hint,
                              "%s: expected %s, got %s", where, expected, tenon__cfg_kind(got));
}

int tenon__cfg_bool(tenon__cfg_ctx *c, json_t *v, size_t node, const char *where, bool *out)
{
    if (!json_is_boolean(v))
        return tenon__cfg_type_error(c, node, where, "true or false", v, NULL);
    *out = json_is_true(v);
    return 0;
}

/* A non-empty string. */
int tenon__cfg_string(tenon__cfg_ctx *c, json_t *v, size_t node, const char *where,
                      const char *what, const char **out)
{
    if (!json_is_string(v))
        return tenon__cfg_type_error(c, node, where, what, v, NULL);
    if (json_string_length(v) == 0)
        return tenon__config_fail(c->cfg, tenon__cfg_pos(c, node), TENON_ECONFIG, NULL, NULL,
                                  "%s: expected %s, got an empty string", where, what);
    *out = json_string_value(v);
    return 0;
}

bool tenon__cfg_is_glob(const char *s)
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

int tenon__cfg_check_name(tenon__cfg_ctx *c, const char *s, size_t node, const char *where,
                          const char *what, bool glob)
{
    const char *why = name_problem(s, glob);
    if (!why)
        return 0;
    char buf[80];
    return tenon__config_fail(c->cfg, tenon__cfg_pos(c, node), TENON_ECONFIG, NULL, NULL,
                              "%s: %s %s %s", where, what,
                              tenon__cfg_shown(s, buf, sizeof(buf)), why);
}

/* Folders in the configuration: absolute, "~/..." (the user's home), or
 * relative to the configuration file's folder, so a configuration moved
 * together with its plugins keeps working. */
int tenon__cfg_resolve_dir(tenon__cfg_ctx *c, const char *value, size_t node, const char *where,
                           char **out)
{
    const tenon__config *cfg = c->cfg;
    char buf[80];
    char *path;
    if (value[0] == '/') {
        path = tenon__strdup(value);
    } else if (value[0] == '~' && (value[1] == '/' || value[1] == '\0')) {
        const char *home = getauxval(AT_SECURE) ? NULL : getenv("HOME");
        if (!home || home[0] != '/')
            return tenon__config_fail(cfg, tenon__cfg_pos(c, node), TENON_ECONFIG, NULL,
                                      "write the folder as an absolute path",
                                      "%s: %s starts with \"~\", but %s", where,
                                      tenon__cfg_shown(value, buf, sizeof(buf)),
                                      getauxval(AT_SECURE)
                                          ? "a privileged program does not trust HOME"
                                          : "HOME is not set to an absolute path");
        path = tenon__asprintf("%s%s", home, value + 1);
    } else if (cfg->dir) {
        path = tenon__asprintf("%s/%s", cfg->dir, value);
    } else {
        return tenon__config_fail(cfg, tenon__cfg_pos(c, node), TENON_ECONFIG, NULL,
                                  "write the folder as an absolute path",
                                  "%s: %s is relative, and a configuration read from memory "
                                  "has no folder for it to be relative to",
                                  where, tenon__cfg_shown(value, buf, sizeof(buf)));
    }
    if (!path)
        return tenon__cfg_nomem();
    if (strlen(path) >= PATH_MAX) {
        tenon__free(path);
        return tenon__config_fail(cfg, tenon__cfg_pos(c, node), TENON_ECONFIG, NULL, NULL,
                                  "%s: the folder is longer than PATH_MAX (%d)", where,
                                  PATH_MAX);
    }
    *out = path;
    return 0;
}

/* A list of non-empty strings. For each item calls fn. */
