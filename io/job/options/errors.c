/* Errors: which IO errors a job carries on after (continue_on_error,
 * ignore_error), whether it reports each (error_dump), and whether a job
 * that ends ends others too (exitall, exit_what, exitall_on_error). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "option.h"

#define OFF(f) TIO__OFF(errors, f)

static const struct tio__enumval coe_values[] = {
    {"none", TIO_COE_NONE, NULL},   {"0", TIO_COE_NONE, NULL}, {"read", TIO_COE_READ, NULL},
    {"write", TIO_COE_WRITE, NULL}, {"io", TIO_COE_IO, NULL},  {"verify", TIO_COE_VERIFY, NULL},
    {"all", TIO_COE_ALL, NULL},     {"1", TIO_COE_ALL, NULL},
};

static int set_coe(struct tio__optctx *c, const struct tio__option *o)
{
    int v = 0, rc;

    (void)o;
    rc = tio__opt_pick(c, c->value, coe_values, TIO__ARRAY_LEN(coe_values), "error class",
                       "none, read, write, io, verify or all", &v);
    if (rc == TIO_OK)
        c->job->errors.continue_on_error = (unsigned)v;
    return rc;
}

static const char *coe_name(unsigned v)
{
    switch (v) {
    case TIO_COE_NONE:
        return "none";
    case TIO_COE_READ:
        return "read";
    case TIO_COE_WRITE:
        return "write";
    case TIO_COE_IO:
        return "io";
    case TIO_COE_VERIFY:
        return "verify";
    case TIO_COE_ALL:
        return "all";
    }
    return "?";
}

static void dump_coe(struct tio__dump *d, const struct tio__option *o, const struct tio_job *j)
{
    tio__dump_str(d, o->name, coe_name(j->errors.continue_on_error));
}

/* An errno by its name ("ENOSPC"), as glibc names them. */
static int errno_named(const char *name)
{
    for (int e = 1; e < 4096; e++) {
        const char *n = strerrorname_np(e);
        if (n && strcmp(n, name) == 0)
            return e;
    }
    return 0;
}

/* One type's list, ':'-separated: names (ENOSPC) or numbers (28, or -28
 * as fio takes it). A non-empty list also lets the job carry on after
 * errors of that type, as fio's ignore_error does. */
static int ignore_type(struct tio__optctx *c, unsigned type, const char *s, size_t len)
{
    struct tio_job_errors *e = &c->job->errors;
    int list[TIO_IGNORE_ERROR_MAX];
    unsigned n = 0;
    while (len) {
        const char *colon = memchr(s, ':', len);
        size_t l = colon ? (size_t)(colon - s) : len;
        char word[64];
        if (l == 0)
            break; /* fio stops at an empty entry */
        if (l >= sizeof(word))
            return tio__opt_fail(c, TIO_EVALUE, "'%.20s...' is not an error name or number", s);
        if (n == TIO_IGNORE_ERROR_MAX)
            return tio__opt_fail(c, TIO_EVALUE, "more than %d errors for one type",
                                 TIO_IGNORE_ERROR_MAX);
        memcpy(word, s, l);
        word[l] = '\0';
        int err = 0;
        if (word[0] == 'E') {
            err = errno_named(word);
        } else {
            char *end;
            long v = strtol(word, &end, 10);
            if (*end == '\0' && end != word)
                err = (int)(v < 0 ? -v : v);
        }
        if (err <= 0 || err >= 4096)
            return tio__opt_fail(c, TIO_EVALUE,
                                 "'%s' is not an error: give a name such as ENOSPC or an errno "
                                 "number such as 28",
                                 word);
        list[n++] = err;
        len -= colon ? l + 1 : l;
        s += colon ? l + 1 : l;
    }
    if (!n)
        return TIO_OK;
    memcpy(e->ignore[type], list, n * sizeof(list[0]));
    e->ignore_nr[type] = n;
    e->continue_on_error |= 1u << type;
    return TIO_OK;
}

/* ignore_error=READ,WRITE,VERIFY: one list per error type, in that order. */
static int set_ignore_error(struct tio__optctx *c, const struct tio__option *o)
{
    (void)o;
    const char *s = c->value;
    for (unsigned type = 0;; type++) {
        const char *comma = strchr(s, ',');
        if (type == TIO_ETYPE_COUNT)
            return tio__opt_fail(c, TIO_EVALUE,
                                 "too many lists (give at most three: read,write,verify)");
        int rc = ignore_type(c, type, s, comma ? (size_t)(comma - s) : strlen(s));
        if (rc)
            return rc;
        if (!comma)
            return TIO_OK;
        s = comma + 1;
    }
}

static void dump_ignore_error(struct tio__dump *d, const struct tio__option *o,
                              const struct tio_job *j)
{
    static const char *const types[] = {"read", "write", "verify"};
    for (unsigned t = 0; t < TIO_ETYPE_COUNT; t++) {
        char buf[512] = "";
        size_t at = 0;
        for (unsigned i = 0; i < j->errors.ignore_nr[t] && at < sizeof(buf) - 1; i++) {
            const char *name = strerrorname_np(j->errors.ignore[t][i]);
            if (name)
                at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%s%s", i ? ":" : "", name);
            else
                at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%s%d", i ? ":" : "",
                                       j->errors.ignore[t][i]);
        }
        tio__dump_printf(d, "%s.%s=%s", o->name, types[t], at ? buf : "(EIO:EILSEQ)");
    }
}

static int set_exit_what(struct tio__optctx *c, const struct tio__option *o)
{
    static const struct tio__enumval vals[] = {
        {"group", TIO_EXIT_GROUP, NULL},
        {"stonewall", TIO_EXIT_STONEWALL, NULL},
        {"all", TIO_EXIT_ALL, NULL},
    };
    int v = 0;
    (void)o;
    int rc = tio__opt_pick(c, c->value, vals, TIO__ARRAY_LEN(vals), "exit_what value",
                           "group, stonewall, all", &v);
    if (rc == TIO_OK)
        c->job->errors.exit_what = (enum tio_exit_what)v;
    return rc;
}

static void dump_exit_what(struct tio__dump *d, const struct tio__option *o,
                           const struct tio_job *j)
{
    static const char *const names[] = {"group", "stonewall", "all"};
    tio__dump_str(d, o->name, names[j->errors.exit_what]);
}

static const struct tio__option rows[] = {
    {.name = "continue_on_error",
     .type = O_CUSTOM,
     .set = set_coe,
     .off = OFF(continue_on_error),
     .dump = dump_coe,
     .example = "io",
     .values = "none (0), read, write, io, verify, all (1)",
     .help = "Classes of errors the job carries on after (those of ignore_error's lists, "
             "else EIO and EILSEQ)"},
    {.name = "ignore_error",
     .type = O_CUSTOM,
     .set = set_ignore_error,
     .off = OFF(ignore),
     .dump = dump_ignore_error,
     .example = "EAGAIN,ENOSPC:122",
     .values = "read,write,verify lists of errno names or numbers, ':'-separated",
     .help = "The errors a job carries on after, per type (turns continue_on_error on for "
             "that type)"},
    {.name = "error_dump",
     .type = O_BOOL,
     .off = OFF(error_dump),
     .example = "0",
     .def = "1",
     .help = "Report every IO error on stderr, also those the job carries on after"},
    {.name = "exitall",
     .type = O_FLAG,
     .off = OFF(exitall),
     .example = "1",
     .help = "When a job ends, end the others (exit_what says which)"},
    {.name = "exit_what",
     .type = O_CUSTOM,
     .set = set_exit_what,
     .off = OFF(exit_what),
     .dump = dump_exit_what,
     .example = "all",
     .def_text = "group",
     .values = "group, stonewall, all",
     .help = "Which jobs exitall ends: the job's group, every running job, or all"},
    {.name = "exitall_on_error",
     .type = O_FLAG,
     .off = OFF(exitall_on_error),
     .example = "1",
     .help = "When a job ends in error, end the others (exit_what says which)"},
};

TIO__FAMILY(tio__family_errors, "errors", "Errors and ending jobs together", rows);
