/* Options travel as strings with their origin (a job file line, a JSON
 * position, a command-line argument) until they are checked against a
 * plugin's schema; after that plugins read typed values that can no longer
 * be wrong. */
#include "internal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct option_entry {
    char *key, *value, *origin;
} option_entry;

struct tenon_options {
    option_entry *items;
    size_t n, cap;
};

int tenon_options_new(tenon_options **out)
{
    TENON__CHECK_ARG(out, TENON_STAGE_CONFIG, "out is NULL", TENON_EINVAL);
    *out = tenon__calloc(1, sizeof(**out));
    return *out ? 0 : tenon__nomem(TENON_STAGE_CONFIG, NULL);
}

void tenon_options_free(tenon_options *opts)
{
    if (!opts)
        return;
    for (size_t i = 0; i < opts->n; i++) {
        tenon__free(opts->items[i].key);
        tenon__free(opts->items[i].value);
        tenon__free(opts->items[i].origin);
    }
    tenon__free(opts->items);
    tenon__free(opts);
}

int tenon_options_set(tenon_options *opts, const char *key, const char *value,
                      const char *origin)
{
    TENON__CHECK_ARG(opts, TENON_STAGE_CONFIG, "opts is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(key, TENON_STAGE_CONFIG, "key is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(value, TENON_STAGE_CONFIG, "value is NULL", TENON_EINVAL);
    char *k = tenon__strdup(key), *v = tenon__strdup(value);
    char *o = origin ? tenon__strdup(origin) : NULL;
    if (!k || !v || (origin && !o))
        goto nomem;
    for (size_t i = 0; i < opts->n; i++) {
        if (strcmp(opts->items[i].key, key) == 0) {
            tenon__free(k);
            tenon__free(opts->items[i].value);
            tenon__free(opts->items[i].origin);
            opts->items[i].value = v;
            opts->items[i].origin = o;
            return 0;
        }
    }
    if (tenon__grow((void **)&opts->items, &opts->cap, opts->n + 1, sizeof(option_entry)) < 0)
        goto nomem;
    opts->items[opts->n++] = (option_entry){k, v, o};
    return 0;
nomem:
    tenon__free(k);
    tenon__free(v);
    tenon__free(o);
    return tenon__nomem(TENON_STAGE_CONFIG, NULL);
}

size_t tenon_options_count(const tenon_options *opts)
{
    return opts ? opts->n : 0;
}

int tenon_options_at(const tenon_options *opts, size_t i, const char **key, const char **value,
                     const char **origin)
{
    TENON__CHECK_ARG(opts, TENON_STAGE_CONFIG, "opts is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(i < opts->n, TENON_STAGE_CONFIG, "i is out of range", TENON_EINVAL);
    if (key)
        *key = opts->items[i].key;
    if (value)
        *value = opts->items[i].value;
    if (origin)
        *origin = opts->items[i].origin;
    return 0;
}

const char *tenon_options_get(const tenon_options *opts, const char *key)
{
    TENON__CHECK_ARG(key, TENON_STAGE_CONFIG, "key is NULL", NULL);
    /* NULL options are no options, as for tenon_options_count and
     * tenon_values_check, whose lookups rely on it. */
    if (!opts)
        return NULL;
    for (size_t i = 0; i < opts->n; i++)
        if (strcmp(opts->items[i].key, key) == 0)
            return opts->items[i].value;
    return NULL;
}

int tenon__options_copy(const tenon_options *src, tenon_options **out)
{
    int rc = tenon_options_new(out);
    for (size_t i = 0; rc == 0 && src && i < src->n; i++)
        rc = tenon_options_set(*out, src->items[i].key, src->items[i].value,
                               src->items[i].origin);
    if (rc < 0) {
        tenon_options_free(*out);
        *out = NULL;
    }
    return rc;
}

/* ---- Parsing one value --------------------------------------------------- */

static int parse_bool(const char *t, int64_t *out)
{
    static const char *const yes[] = {"", "1", "true", "yes", "on"};
    static const char *const no[] = {"0", "false", "no", "off"};
    for (size_t i = 0; i < TENON__ARRAY_SIZE(yes); i++)
        if (strcasecmp(t, yes[i]) == 0)
            return (*out = 1), 0;
    for (size_t i = 0; i < TENON__ARRAY_SIZE(no); i++)
        if (strcasecmp(t, no[i]) == 0)
            return (*out = 0), 0;
    return TENON_EOPTTYPE;
}

/* A signed integer with an optional scaled suffix from table. */
typedef struct unit {
    const char *suffix;
    int64_t scale;
} unit;

static const unit size_units[] = {
    {"", 1},
    {"b", 1},
    {"B", 1},
    {"k", 1LL << 10},
    {"K", 1LL << 10},
    {"KiB", 1LL << 10},
    {"kib", 1LL << 10},
    {"m", 1LL << 20},
    {"M", 1LL << 20},
    {"MiB", 1LL << 20},
    {"mib", 1LL << 20},
    {"g", 1LL << 30},
    {"G", 1LL << 30},
    {"GiB", 1LL << 30},
    {"gib", 1LL << 30},
    {"t", 1LL << 40},
    {"T", 1LL << 40},
    {"TiB", 1LL << 40},
    {"tib", 1LL << 40},
    {"p", 1LL << 50},
    {"P", 1LL << 50},
    {"PiB", 1LL << 50},
    {"pib", 1LL << 50},
    {"KB", 1000LL},
    {"kB", 1000LL},
    {"MB", 1000000LL},
    {"GB", 1000000000LL},
    {"TB", 1000000000000LL},
    {"PB", 1000000000000000LL},
};

static const unit duration_units[] = {
    {"", 1000000000LL},
    {"s", 1000000000LL},
    {"sec", 1000000000LL},
    {"ns", 1},
    {"nsec", 1},
    {"us", 1000LL},
    {"usec", 1000LL},
    {"ms", 1000000LL},
    {"msec", 1000000LL},
    {"m", 60000000000LL},
    {"min", 60000000000LL},
    {"h", 3600000000000LL},
    {"d", 86400000000000LL},
};

static int parse_scaled(const char *t, const unit *units, size_t n_units, bool negative_ok,
                        int64_t *out)
{
    while (isspace((unsigned char)*t))
        t++;
    if (!*t)
        return TENON_EOPTTYPE;
    /* Decimal, or hexadecimal after "0x": a leading zero is not octal
     * ("010" is ten, and "08" is eight rather than an error). */
    const char *digits = t + (*t == '+' || *t == '-');
    int base = digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X') ? 16 : 10;
    errno = 0;
    char *end;
    long long v = strtoll(t, &end, base);
    if (end == t)
        return TENON_EOPTTYPE;
    if (errno == ERANGE || (v < 0 && !negative_ok))
        return TENON_EOPTRANGE;
    const char *suffix = end;
    while (isspace((unsigned char)*suffix))
        suffix++;
    for (size_t i = 0; i < n_units; i++) {
        if (strcmp(suffix, units[i].suffix) == 0) {
            int64_t scale = units[i].scale;
            if (v > INT64_MAX / scale || v < INT64_MIN / scale)
                return TENON_EOPTRANGE;
            *out = (int64_t)v * scale;
            return 0;
        }
    }
    return TENON_EOPTTYPE;
}

int tenon_parse_int(const char *text, tenon_opt_type type, int64_t *out)
{
    TENON__CHECK_ARG(text, TENON_STAGE_CONFIG, "text is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(out, TENON_STAGE_CONFIG, "out is NULL", TENON_EINVAL);
    switch (type) {
    case TENON_OPT_BOOL:
        return parse_bool(text, out);
    case TENON_OPT_INT:
        return parse_scaled(text, size_units, 1, true, out);
    case TENON_OPT_SIZE:
        return parse_scaled(text, size_units, TENON__ARRAY_SIZE(size_units), false, out);
    case TENON_OPT_DURATION:
        return parse_scaled(text, duration_units, TENON__ARRAY_SIZE(duration_units), false,
                            out);
    default:
        return TENON_EINVAL;
    }
}

static const char *type_example(tenon_opt_type type)
{
    switch (type) {
    case TENON_OPT_BOOL:
        return "a boolean (1/0, true/false, yes/no, on/off)";
    case TENON_OPT_INT:
        return "an integer";
    case TENON_OPT_SIZE:
        return "a size (e.g. 4096, 4k, 1MiB, 2GB)";
    case TENON_OPT_DURATION:
        return "a duration (e.g. 30, 500ms, 2m; a bare number is seconds)";
    case TENON_OPT_DOUBLE:
        return "a number";
    case TENON_OPT_STRING:
        return "a string";
    case TENON_OPT_ENUM:
        return "one of the choices";
    }
    return "a value";
}

/* Whether word is one of the '|'-separated choices. */
static bool in_choices(const char *choices, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = choices; *p;) {
        size_t len = strcspn(p, "|");
        if (len == n && strncmp(p, word, n) == 0)
            return true;
        p += len + (p[len] == '|');
    }
    return false;
}

int tenon__value_parse(const tenon_option *opt, const char *text, tenon__value *out, char *why,
                       size_t why_size)
{
    memset(out, 0, sizeof(*out));
    int rc = 0;
    switch (opt->type) {
    case TENON_OPT_BOOL:
    case TENON_OPT_INT:
    case TENON_OPT_SIZE:
    case TENON_OPT_DURATION:
        rc = tenon_parse_int(text, opt->type, &out->i);
        if (rc == TENON_EOPTRANGE) {
            /* Units hold no '-': one in a size or duration is a sign. */
            snprintf(why, why_size, "expected %s that %s, got \"%s\"", type_example(opt->type),
                     opt->type != TENON_OPT_INT && strchr(text, '-') ? "is not negative"
                                                                     : "fits in 64 bits",
                     text);
            return rc;
        }
        if (rc < 0) {
            snprintf(why, why_size, "expected %s, got \"%s\"", type_example(opt->type), text);
            return TENON_EOPTTYPE;
        }
        if (opt->type != TENON_OPT_BOOL && opt->max > opt->min &&
            (out->i < opt->min || out->i > opt->max)) {
            snprintf(why, why_size, "expected a value from %lld to %lld, got \"%s\"",
                     (long long)opt->min, (long long)opt->max, text);
            return TENON_EOPTRANGE;
        }
        return 0;
    case TENON_OPT_DOUBLE: {
        char *end;
        errno = 0;
        out->d = strtod(text, &end);
        if (end == text || *end || !isfinite(out->d) || errno == ERANGE) {
            snprintf(why, why_size, "expected %s, got \"%s\"", type_example(opt->type), text);
            return TENON_EOPTTYPE;
        }
        if (opt->max > opt->min && (out->d < (double)opt->min || out->d > (double)opt->max)) {
            snprintf(why, why_size, "expected a value from %lld to %lld, got \"%s\"",
                     (long long)opt->min, (long long)opt->max, text);
            return TENON_EOPTRANGE;
        }
        return 0;
    }
    case TENON_OPT_STRING:
        return 0;
    case TENON_OPT_ENUM:
        if (!in_choices(opt->choices, text)) {
            snprintf(why, why_size, "expected one of %s, got \"%s\"", opt->choices, text);
            return TENON_EOPTRANGE;
        }
        return 0;
    }
    snprintf(why, why_size, "option has an unknown type");
    return TENON_EOPTTYPE;
}

/* ---- Checked values ------------------------------------------------------ */

typedef struct value_slot {
    const tenon_option *opt;
    tenon__value v;
    bool set;
} value_slot;

struct tenon_values {
    const tenon_plugin_desc *desc;
    size_t n;
    value_slot *slots; /* parallel to desc->options */
    char *strings;     /* storage for STRING and ENUM values */
};

static int unknown_option(const tenon_plugin_desc *desc, const char *key, const char *origin)
{
    tenon__strbuf sb;
    tenon__sb_init(&sb);
    if (desc->n_options == 0) {
        tenon__sb_add(&sb, "this plugin takes no options");
    } else {
        tenon__sb_add(&sb, "valid options: ");
        for (size_t i = 0; i < desc->n_options; i++)
            tenon__sb_addf(&sb, "%s%s", i ? ", " : "", desc->options[i].name);
    }
    int rc = tenon__fail(TENON_EOPTION, TENON_STAGE_CONFIG, desc->name, NULL,
                         tenon__sb_str(&sb), "unknown option '%s'%s%s%s for plugin %s", key,
                         origin ? " (" : "", origin ? origin : "", origin ? ")" : "",
                         desc->name);
    tenon__sb_free(&sb);
    return rc;
}

/* The fix of an option error: what to set the option to (its type, range
 * or choices), never its help text alone, which says what the option is
 * but not what to do. */
const char *tenon__option_fix(const tenon_option *o, char *buf, size_t size)
{
    static const char *const nouns[] = {
        [TENON_OPT_INT] = "an integer",
        [TENON_OPT_SIZE] = "a size in bytes",
        [TENON_OPT_DURATION] = "a duration in nanoseconds",
        [TENON_OPT_DOUBLE] = "a number",
    };
    if (o->type == TENON_OPT_ENUM) {
        int n = snprintf(buf, size, "set '%s' to one of: ", o->name);
        for (const char *p = o->choices; *p && n >= 0 && (size_t)n < size;) {
            size_t len = strcspn(p, "|");
            n += snprintf(buf + n, size - (size_t)n, "%s%.*s", p == o->choices ? "" : ", ",
                          (int)len, p);
            p += len + (p[len] == '|');
        }
    } else if (o->type != TENON_OPT_BOOL && o->type != TENON_OPT_STRING && o->max > o->min &&
               (size_t)o->type < TENON__ARRAY_SIZE(nouns) && nouns[o->type]) {
        snprintf(buf, size, "set '%s' to %s from %lld to %lld", o->name, nouns[o->type],
                 (long long)o->min, (long long)o->max);
    } else {
        snprintf(buf, size, "set '%s' to %s", o->name, type_example(o->type));
    }
    return buf;
}

int tenon_values_check(const tenon_plugin_desc *desc, const tenon_options *opts,
                       tenon_values **out)
{
    TENON__CHECK_ARG(desc, TENON_STAGE_CONFIG, "desc is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(out, TENON_STAGE_CONFIG, "out is NULL", TENON_EINVAL);
    *out = NULL;
    for (size_t i = 0; opts && i < opts->n; i++)
        if (!tenon_descriptor_option(desc, opts->items[i].key))
            return unknown_option(desc, opts->items[i].key, opts->items[i].origin);

    /* Strings are copied into one block so plugins may keep the pointers
     * for the life of the values. */
    size_t string_bytes = 0;
    for (size_t i = 0; i < desc->n_options; i++) {
        const tenon_option *o = &desc->options[i];
        const char *given = tenon_options_get(opts, o->name);
        string_bytes += strlen(given ? given : o->def) + 1;
    }
    tenon_values *v = tenon__calloc(1, sizeof(*v));
    value_slot *slots = tenon__calloc(desc->n_options ? desc->n_options : 1, sizeof(*slots));
    char *strings = tenon__malloc(string_bytes ? string_bytes : 1);
    if (!v || !slots || !strings) {
        tenon__free(v);
        tenon__free(slots);
        tenon__free(strings);
        return tenon__nomem(TENON_STAGE_CONFIG, desc->name);
    }
    v->desc = desc;
    v->n = desc->n_options;
    v->slots = slots;
    v->strings = strings;

    char *cursor = strings;
    for (size_t i = 0; i < desc->n_options; i++) {
        const tenon_option *o = &desc->options[i];
        const char *given = NULL, *origin = NULL;
        for (size_t j = 0; opts && j < opts->n; j++) {
            if (strcmp(opts->items[j].key, o->name) == 0) {
                given = opts->items[j].value;
                origin = opts->items[j].origin;
            }
        }
        slots[i].opt = o;
        slots[i].set = given != NULL;
        if (!given && (o->flags & TENON_OPT_REQUIRED)) {
            tenon_values_free(v);
            char fix[TENON_ERROR_TEXT_MAX];
            return tenon__fail(TENON_EOPTION, TENON_STAGE_CONFIG, desc->name, NULL,
                               tenon__option_fix(o, fix, sizeof(fix)),
                               "option '%s' of plugin %s is required (%s%s%s)", o->name,
                               desc->name, tenon_opt_type_name(o->type), o->help[0] ? ": " : "",
                               o->help);
        }
        const char *text = given ? given : o->def;
        char why[256];
        int rc = tenon__value_parse(o, text, &slots[i].v, why, sizeof(why));
        if (rc < 0 && !given && !text[0])
            rc = 0; /* no default: the zero value */
        if (rc < 0) {
            tenon_values_free(v);
            char fix[TENON_ERROR_TEXT_MAX];
            return tenon__fail(rc, TENON_STAGE_CONFIG, desc->name, NULL,
                               tenon__option_fix(o, fix, sizeof(fix)),
                               "option '%s'%s%s%s of plugin %s: %s", o->name,
                               origin ? " (" : "", origin ? origin : "", origin ? ")" : "",
                               desc->name, why);
        }
        size_t len = strlen(text);
        memcpy(cursor, text, len + 1);
        slots[i].v.s = cursor;
        cursor += len + 1;
    }
    *out = v;
    return 0;
}

void tenon_values_free(tenon_values *values)
{
    if (!values)
        return;
    tenon__free(values->slots);
    tenon__free(values->strings);
    tenon__free(values);
}

static const value_slot *slot_of(const tenon_values *v, const char *name)
{
    if (!v || !name)
        return NULL;
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->slots[i].opt->name, name) == 0)
            return &v->slots[i];
    return NULL;
}

bool tenon_values_bool(const tenon_values *v, const char *name)
{
    TENON__CHECK_ARG(v, TENON_STAGE_USE, "v is NULL", false);
    TENON__CHECK_ARG(name, TENON_STAGE_USE, "name is NULL", false);
    const value_slot *s = slot_of(v, name);
    return s && s->v.i != 0;
}

int64_t tenon_values_int(const tenon_values *v, const char *name)
{
    TENON__CHECK_ARG(v, TENON_STAGE_USE, "v is NULL", 0);
    TENON__CHECK_ARG(name, TENON_STAGE_USE, "name is NULL", 0);
    const value_slot *s = slot_of(v, name);
    if (!s)
        return 0;
    return s->opt->type == TENON_OPT_DOUBLE ? (int64_t)s->v.d : s->v.i;
}

double tenon_values_double(const tenon_values *v, const char *name)
{
    TENON__CHECK_ARG(v, TENON_STAGE_USE, "v is NULL", 0);
    TENON__CHECK_ARG(name, TENON_STAGE_USE, "name is NULL", 0);
    const value_slot *s = slot_of(v, name);
    if (!s)
        return 0;
    return s->opt->type == TENON_OPT_DOUBLE ? s->v.d : (double)s->v.i;
}

const char *tenon_values_string(const tenon_values *v, const char *name)
{
    TENON__CHECK_ARG(v, TENON_STAGE_USE, "v is NULL", NULL);
    TENON__CHECK_ARG(name, TENON_STAGE_USE, "name is NULL", NULL);
    const value_slot *s = slot_of(v, name);
    return s ? s->v.s : NULL;
}

bool tenon_values_is_set(const tenon_values *v, const char *name)
{
    TENON__CHECK_ARG(v, TENON_STAGE_USE, "v is NULL", false);
    TENON__CHECK_ARG(name, TENON_STAGE_USE, "name is NULL", false);
    const value_slot *s = slot_of(v, name);
    return s && s->set;
}
