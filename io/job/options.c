/* The core option table: every job option tenon-io itself understands. The
 * rows live with their family in io/job/options/ (files, IO pattern, queue,
 * ...); this file joins the families, parses the values of the generic
 * kinds, applies the defaults and walks the table for the dump, help and
 * the tools. An option is either in the table and fully parsed, or it is
 * not accepted here at all. */
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "job_internal.h"
#include "options/option.h"

const struct tio__family *const tio__families[] = {
    &tio__family_identity,    &tio__family_files, &tio__family_pattern, &tio__family_queue,
    &tio__family_durability,  &tio__family_time,  &tio__family_verify,  &tio__family_buffers,
    &tio__family_reporting,   &tio__family_logs,  &tio__family_ranks,   &tio__family_rate,
    &tio__family_steadystate, &tio__family_prio,  &tio__family_think,   &tio__family_errors,
    &tio__family_latency,     &tio__family_zones, &tio__family_replay,  &tio__family_flow,
    &tio__family_placement,
};
const size_t tio__nr_families = TIO__ARRAY_LEN(tio__families);

int tio__opt_fail(struct tio__optctx *c, int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    tio_error_setv(c->err, code, c->origin, c->key, c->value, fmt, ap);
    va_end(ap);
    return code;
}

static void *field(struct tio__optctx *c, const struct tio__option *o)
{
    return (char *)c->job + o->off;
}

int tio__opt_set_string(struct tio__optctx *c, char **dst, const char *v)
{
    char *s = tio__strdup(c->a, v);

    if (!s)
        return tio__oom(c->err);
    tio__free(c->a, *dst);
    *dst = s;
    return TIO_OK;
}

int tio__opt_bool(struct tio__optctx *c, bool *out)
{
    char why[160];
    int rc;

    if (!c->value) {
        *out = true;
        return TIO_OK;
    }
    rc = tio_parse_bool(c->value, out, why, sizeof(why));
    return rc ? tio__opt_fail(c, rc, "%s", why) : TIO_OK;
}

int tio__opt_pick(struct tio__optctx *c, const char *word, const struct tio__enumval *vals,
                  size_t n, const char *what, const char *choices, int *out)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (strcmp(word, vals[i].name) != 0)
            continue;
        if (vals[i].unsupported)
            return tio__opt_fail(c, TIO_EUNSUPPORTED,
                                 "fio's %s '%s' is not supported by "
                                 "tenon-io yet (%s%suse %s)",
                                 what, word, vals[i].unsupported,
                                 *vals[i].unsupported ? "; " : "", choices);
        *out = vals[i].value;
        return TIO_OK;
    }
    /* fio compares case-sensitively; say so rather than just "unknown" */
    for (i = 0; i < n; i++)
        if (strcasecmp(word, vals[i].name) == 0)
            return tio__opt_fail(c, TIO_EVALUE,
                                 "unknown %s '%s' (did you mean '%s'? values "
                                 "are case-sensitive)",
                                 what, word, vals[i].name);
    return tio__opt_fail(c, TIO_EVALUE, "unknown %s '%s' (use %s)", what, word, choices);
}

int tio__opt_range(struct tio__optctx *c,
                   int (*one)(struct tio__optctx *, const char *, uint64_t *), uint64_t *lo,
                   uint64_t *hi)
{
    const char *sep = strpbrk(c->value, "-:");
    char left[64];
    int rc;

    if (!sep || sep == c->value) {
        rc = one(c, c->value, lo);
        if (rc == TIO_OK)
            *hi = *lo;
        return rc;
    }
    if ((size_t)(sep - c->value) >= sizeof(left))
        return tio__opt_fail(c, TIO_EVALUE, "value too long");
    memcpy(left, c->value, (size_t)(sep - c->value));
    left[sep - c->value] = '\0';
    rc = one(c, left, lo);
    if (rc == TIO_OK)
        rc = one(c, sep + 1, hi);
    if (rc == TIO_OK && *hi < *lo)
        return tio__opt_fail(c, TIO_ERANGE, "the range is backwards (write the low end first)");
    return rc;
}

int tio__opt_one_time(struct tio__optctx *c, const char *s, uint64_t *out)
{
    char why[160];
    int rc = tio_parse_time(s, TIO_SEC, out, why, sizeof(why));

    return rc ? tio__opt_fail(c, rc, "%s", why) : TIO_OK;
}

/* ---- values of the generic kinds ---------------------------------------------- */

static int set_generic(struct tio__optctx *c, const struct tio__option *o)
{
    char why[160];
    uint64_t v = 0;
    int rc;

    switch (o->type) {
    case O_STR:
        return tio__opt_set_string(c, field(c, o), c->value);
    case O_BOOL:
        return tio__opt_bool(c, field(c, o));
    case O_FLAG:
        rc = tio__opt_bool(c, field(c, o));
        return rc || !o->set ? rc : o->set(c, o);
    case O_UINT:
    case O_U64:
        rc = tio_parse_uint(c->value, c->job->reporting.kb_base, o->min, o->max, &v, why,
                            sizeof(why));
        if (rc)
            return tio__opt_fail(c, rc, "%s", why);
        if (o->type == O_UINT)
            *(unsigned *)field(c, o) = (unsigned)v;
        else
            *(uint64_t *)field(c, o) = v;
        return TIO_OK;
    case O_SIZE:
        rc = tio_parse_size(c->value, c->job->reporting.kb_base, &v, why, sizeof(why));
        if (rc)
            return tio__opt_fail(c, rc, "%s", why);
        *(uint64_t *)field(c, o) = v;
        return TIO_OK;
    case O_TIME:
        rc = tio_parse_time(c->value, TIO_SEC, &v, why, sizeof(why));
        if (rc)
            return tio__opt_fail(c, rc, "%s", why);
        *(uint64_t *)field(c, o) = v;
        return TIO_OK;
    case O_AMOUNT:
        rc = tio_parse_amount(c->value, c->job->reporting.kb_base, field(c, o), why,
                              sizeof(why));
        if (rc)
            return tio__opt_fail(c, rc, "%s", why);
        return TIO_OK;
    case O_CUSTOM:
        break;
    }
    return o->set(c, o);
}

/* ---- walking the table ---------------------------------------------------------- */

size_t tio__option_count(void)
{
    size_t i, n = 0;

    for (i = 0; i < tio__nr_families; i++)
        n += tio__families[i]->n;
    return n;
}

static const struct tio__option *option_nth(size_t i)
{
    size_t f;

    for (f = 0; f < tio__nr_families; f++) {
        if (i < tio__families[f]->n)
            return &tio__families[f]->rows[i];
        i -= tio__families[f]->n;
    }
    return NULL;
}

const struct tio__option *tio__option_find(const char *name)
{
    const struct tio__option *o;
    size_t i;

    for (i = 0; (o = option_nth(i)) != NULL; i++)
        if (strcmp(o->name, name) == 0)
            return o;
    for (i = 0; (o = option_nth(i)) != NULL; i++)
        if (o->alias && strcmp(o->alias, name) == 0)
            return o;
    return NULL;
}

static bool takes_bare(const struct tio__option *o)
{
    return o->type == O_BOOL || o->type == O_FLAG || o->bare_ok;
}

enum tio__argkind tio__option_argkind(const struct tio__option *opt)
{
    if (opt->type == O_FLAG)
        return TIO__ARG_NONE;
    if (takes_bare(opt))
        return TIO__ARG_OPTIONAL;
    return TIO__ARG_REQUIRED;
}

bool tio__option_is_early(const struct tio__option *opt)
{
    return opt->early;
}

const char *tio__option_at(size_t i, const char **alias)
{
    const struct tio__option *o = option_nth(i);

    if (!o)
        return NULL;
    if (alias)
        *alias = o->alias;
    return o->name;
}

static const char *const kinds[] = {
    [O_STR] = "string", [O_BOOL] = "bool",     [O_FLAG] = "flag",
    [O_UINT] = "uint",  [O_U64] = "u64",       [O_SIZE] = "size",
    [O_TIME] = "time",  [O_AMOUNT] = "amount", [O_CUSTOM] = "custom",
};

bool tio__option_info(size_t i, const char **name, const char **kind, const char **example)
{
    const struct tio__option *o = option_nth(i);

    if (!o)
        return false;
    *name = o->name;
    *kind = kinds[o->type];
    *example = o->example;
    return true;
}

const char *tio__status_name(enum tio__status s)
{
    switch (s) {
    case TIO__SUPPORTED:
        return "supported";
    case TIO__DIFFERS:
        return "differs";
    case TIO__REFUSED_VALUE:
        return "refused";
    }
    return "?";
}

const char *tio__option_values(const struct tio__option *o, char *buf, size_t size)
{
    if (o->values)
        return o->values;
    switch (o->type) {
    case O_STR:
        return "text";
    case O_BOOL:
        return "bool (0 or 1; bare means 1)";
    case O_FLAG:
        return "flag (bare, or 0 or 1)";
    case O_UINT:
    case O_U64:
        if (o->max == UINT64_MAX || (o->type == O_UINT && o->max == UINT_MAX))
            snprintf(buf, size, "integer >= %" PRIu64, o->min);
        else
            snprintf(buf, size, "integer %" PRIu64 "..%" PRIu64, o->min, o->max);
        return buf;
    case O_SIZE:
        return "size";
    case O_TIME:
        return "time (a bare number is seconds)";
    case O_AMOUNT:
        return "size or percentage";
    case O_CUSTOM:
        break;
    }
    return "see the documentation";
}

const char *tio__option_default_text(const struct tio__option *o)
{
    if (o->def_text)
        return o->def_text;
    if (o->def)
        return o->def;
    switch (o->type) {
    case O_BOOL:
    case O_FLAG:
    case O_UINT:
    case O_U64:
    case O_SIZE:
    case O_TIME:
        return "0";
    default:
        return "none";
    }
}

bool tio_is_core_option(const char *name)
{
    return name && tio__option_find(name) != NULL;
}

bool tio_is_fio_only_option(const char *name)
{
    return name && !tio__option_find(name) && !tio__program_option(name) &&
           (tio__fio_job_option(name) || tio__fio_program_option(name));
}

const char *tio__suggest_core(const char *name)
{
    const struct tio__option *o;
    const char *cands[256];
    size_t i, n = 0;

    for (i = 0; (o = option_nth(i)) != NULL && n + 2 <= TIO__ARRAY_LEN(cands); i++) {
        cands[n++] = o->name;
        if (o->alias)
            cands[n++] = o->alias;
    }
    return tio__suggest(name, cands, n);
}

int tio__option_set(const struct tio__option *opt, const struct tio_allocator *a,
                    struct tio_job *job, bool is_global, const char *key, const char *value,
                    const struct tio_origin *origin, struct tio_error *err)
{
    struct tio__optctx c = {a, job, is_global, false, key, value, origin, err};
    const char *dashes = origin && origin->kind == TIO_ORIGIN_ARG ? "--" : "";

    if (!value && !takes_bare(opt))
        return tio__opt_fail(&c, TIO_ENOVALUE, "needs a value (write %s%s=%s)", dashes, key,
                             opt->example);
    if (value && !*value && !opt->empty_ok)
        return tio__opt_fail(&c, TIO_ENOVALUE,
                             "empty value (write %s%s=%s, or remove the "
                             "option)",
                             dashes, key, opt->example);
    return set_generic(&c, opt);
}

/* The early options (kb_base) first, so a size default means the same as
 * the same size written in a job file. */
int tio__options_defaults(const struct tio_allocator *a, struct tio_job *job)
{
    struct tio_error err;
    const struct tio__option *o;
    size_t i;
    int pass, rc;

    for (pass = 0; pass < 2; pass++) {
        for (i = 0; (o = option_nth(i)) != NULL; i++) {
            struct tio__optctx c = {a, job, false, true, o->name, o->def, NULL, &err};

            if (!o->def || o->early != (pass == 0))
                continue;
            rc = set_generic(&c, o);
            if (rc != TIO_OK)
                return rc;
        }
    }
    return TIO_OK;
}

void tio__options_dump(struct tio__dump *d, const struct tio_job *j)
{
    const struct tio__option *o;
    const void *f;
    size_t i;

    for (i = 0; (o = option_nth(i)) != NULL; i++) {
        if (o->dump) {
            o->dump(d, o, j);
            continue;
        }
        f = (const char *)j + o->off;
        switch (o->type) {
        case O_STR:
            tio__dump_str(d, o->name, *(char *const *)f);
            break;
        case O_BOOL:
        case O_FLAG:
            tio__dump_bool(d, o->name, *(const bool *)f);
            break;
        case O_UINT:
            tio__dump_u64(d, o->name, *(const unsigned *)f, "");
            break;
        case O_U64:
        case O_SIZE:
            tio__dump_u64(d, o->name, *(const uint64_t *)f, "");
            break;
        case O_TIME:
            tio__dump_u64(d, o->name, *(const uint64_t *)f, "us");
            break;
        case O_AMOUNT:
            tio__dump_amount(d, o->name, f);
            break;
        case O_CUSTOM:
            tio__dump_str(d, o->name, "?"); /* a custom row without a dump: a table bug */
            break;
        }
    }
}
