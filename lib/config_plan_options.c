/* Whether a configuration entry's options fit the plugin's schema: the JSON
 * type of each value, its parse, the required options, with the position
 * of the offending key or value and how to write it instead. */
#include "config_plan_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* The JSON types an option type accepts, and how to say so. */
static bool json_fits(const tenon__cfg_opt *o, tenon_opt_type type, const char **expected)
{
    bool is_int = o->json_type == JSON_INTEGER || (o->json_type == JSON_REAL && o->integral);
    bool is_num = o->json_type == JSON_INTEGER || o->json_type == JSON_REAL;
    bool is_str = o->json_type == JSON_STRING;
    bool is_bool = o->json_type == JSON_TRUE || o->json_type == JSON_FALSE;
    switch (type) {
    case TENON_OPT_BOOL:
        *expected = "true or false";
        return is_bool;
    case TENON_OPT_INT:
        *expected = "an integer";
        return is_int;
    case TENON_OPT_SIZE:
        *expected = "a size (a number of bytes, or a string like \"4k\" or \"1MiB\")";
        return is_int || is_str;
    case TENON_OPT_DURATION:
        *expected = "a duration (a number of seconds, or a string like \"500ms\" or \"2m\")";
        return is_int || is_str;
    case TENON_OPT_DOUBLE:
        *expected = "a number";
        return is_num;
    case TENON_OPT_STRING:
        *expected = "a string";
        return is_str;
    case TENON_OPT_ENUM:
        *expected = "a string (one of the choices)";
        return is_str;
    }
    *expected = "a value";
    return false;
}

static const char *json_kind(const tenon__cfg_opt *o)
{
    switch (o->json_type) {
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number";
    default:
        return o->json_type == JSON_TRUE ? "true" : "false";
    }
}

int tenon__plan_check_options(const tenon__config *cfg, const tenon__cfg_entry *e,
                              const tenon__cfg_entry *at, const tenon_plugin_desc *desc)
{
    char where[64];
    if (e)
        snprintf(where, sizeof(where), "plugins[%zu].config", e->index);
    else
        snprintf(where, sizeof(where), "plugins[%zu]", at->index);
    for (size_t i = 0; e && i < e->n_opts; i++) {
        const tenon__cfg_opt *o = &e->opts[i];
        const tenon_option *so = tenon_descriptor_option(desc, o->key);
        if (!so) {
            tenon__strbuf sb;
            tenon__sb_init(&sb);
            const char *close = NULL;
            size_t best = strlen(o->key) > 6 ? 3 : 2; /* closer than this is a typo */
            if (desc->n_options == 0)
                tenon__sb_add(&sb, "this plugin takes no options");
            else
                tenon__sb_add(&sb, "valid options: ");
            for (size_t k = 0; k < desc->n_options; k++) {
                tenon__sb_addf(&sb, "%s%s", k ? ", " : "", desc->options[k].name);
                size_t d = tenon__config_distance(o->key, desc->options[k].name);
                if (d < best) {
                    best = d;
                    close = desc->options[k].name;
                }
            }
            if (close)
                tenon__sb_addf(&sb, " (did you mean %s?)", close);
            int rc = tenon__config_fail(cfg, o->key_pos, TENON_EOPTION, desc->name,
                                        tenon__sb_str(&sb),
                                        "%s: unknown option \"%.64s\" for plugin %s", where,
                                        o->key, desc->name);
            tenon__sb_free(&sb);
            return rc;
        }
        char fix[TENON_ERROR_TEXT_MAX];
        const char *expected;
        if (!json_fits(o, so->type, &expected)) {
            char got[128];
            if (o->json_type == JSON_STRING)
                snprintf(got, sizeof(got), "a string \"%.64s\"", o->text);
            else if (o->json_type == JSON_INTEGER || o->json_type == JSON_REAL)
                snprintf(got, sizeof(got), "%s %.64s", json_kind(o), o->text);
            else
                snprintf(got, sizeof(got), "%s", json_kind(o));
            /* The JSON type is wrong: the fix is how to write it in JSON. */
            char range[64] = "";
            if ((so->type == TENON_OPT_INT || so->type == TENON_OPT_DOUBLE) &&
                so->max > so->min)
                snprintf(range, sizeof(range), " from %lld to %lld", (long long)so->min,
                         (long long)so->max);
            bool wants_string = so->type == TENON_OPT_STRING || so->type == TENON_OPT_ENUM;
            snprintf(fix, sizeof(fix), "write '%s' as %s%s%s", o->key, expected, range,
                     o->json_type == JSON_STRING ? ", without quotes"
                     : wants_string              ? ", in quotes"
                                                 : "");
            return tenon__config_fail(cfg, o->pos, TENON_EOPTTYPE, desc->name, fix,
                                      "%s.%s: expected %s (option %s of plugin %s is of type "
                                      "%s), got %s",
                                      where, o->key, expected, o->key, desc->name,
                                      tenon_opt_type_name(so->type), got);
        }
        tenon__value v;
        char why[256];
        int rc = tenon__value_parse(so, o->text, &v, why, sizeof(why));
        if (rc < 0)
            return tenon__config_fail(cfg, o->pos, rc, desc->name,
                                      tenon__option_fix(so, fix, sizeof(fix)),
                                      "%s.%s: option %s of plugin %s (%s): %s", where, o->key,
                                      o->key, desc->name, tenon_opt_type_name(so->type), why);
    }
    for (size_t k = 0; k < desc->n_options; k++) {
        const tenon_option *so = &desc->options[k];
        if (!(so->flags & TENON_OPT_REQUIRED) || (e && tenon_options_get(e->options, so->name)))
            continue;
        tenon__jpos pos = e ? (e->config_pos.line ? e->config_pos : e->pos) : at->pos;
        char fix[TENON_ERROR_TEXT_MAX];
        return tenon__config_fail(cfg, pos, TENON_EOPTION, desc->name,
                                  tenon__option_fix(so, fix, sizeof(fix)),
                                  "%s: option %s of plugin %s is required (%s)%s", where,
                                  so->name, desc->name, tenon_opt_type_name(so->type),
                                  e ? "" : "; give it in an entry without \"name\"");
    }
    /* The library's own check has the last word (it is what load and
     * instance_new run). */
    tenon_values *values = NULL;
    int rc = tenon_values_check(desc, e ? e->options : NULL, &values);
    tenon_values_free(values);
    return rc;
}
