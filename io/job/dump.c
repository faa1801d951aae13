/* The canonical text form of a plan: what the data-driven tests compare,
 * and what `tenon-io --parse-only` can show a user who wonders how a job
 * file was understood. Every field is printed, keys sorted, units explicit
 * (sizes in bytes, times with "us"), so a change in parsing shows up as a
 * one-line diff. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job_internal.h"
#include "options/option.h"

struct tio__dump {
    const struct tio_allocator *a;
    char **v;
    size_t n;
    size_t cap;
    bool failed;
};

static void add(struct tio__dump *l, struct tio__buf *b)
{
    char *s = tio__buf_take(b);
    void *v = l->v;

    if (!s) {
        l->failed = true;
        return;
    }
    if (l->failed || tio__grow(l->a, &v, &l->cap, l->n + 1, sizeof(char *)) != 0) {
        tio__free(l->a, s);
        l->failed = true;
        return;
    }
    l->v = v;
    l->v[l->n++] = s;
}

/* Bytes outside printable ASCII, and the backslash, as \xNN; in lists
 * also ':' as "\:" (fio's own escape). */
static void put_escaped(struct tio__buf *b, const char *s, bool in_list)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;

        if (ch < 0x20 || ch >= 0x7f || ch == '\\')
            tio__buf_printf(b, "\\x%02x", ch);
        else if (in_list && ch == ':')
            tio__buf_puts(b, "\\:");
        else
            tio__buf_putc(b, (char)ch);
    }
}

void tio__dump_str(struct tio__dump *l, const char *key, const char *v)
{
    struct tio__buf b;

    tio__buf_init(&b, l->a);
    tio__buf_printf(&b, "%s=", key);
    if (v)
        put_escaped(&b, v, false);
    add(l, &b);
}

void tio__dump_u64(struct tio__dump *l, const char *key, uint64_t v, const char *unit)
{
    struct tio__buf b;

    tio__buf_init(&b, l->a);
    tio__buf_printf(&b, "%s=%llu%s", key, (unsigned long long)v, unit);
    add(l, &b);
}

void tio__dump_bool(struct tio__dump *l, const char *key, bool v)
{
    tio__dump_u64(l, key, v ? 1 : 0, "");
}

void tio__dump_list(struct tio__dump *l, const char *key, const struct tio_strv *v)
{
    struct tio__buf b;
    size_t i;

    tio__buf_init(&b, l->a);
    tio__buf_printf(&b, "%s=", key);
    for (i = 0; i < v->n; i++) {
        if (i)
            tio__buf_putc(&b, ':');
        put_escaped(&b, v->v[i], true);
    }
    add(l, &b);
}

void tio__dump_amount(struct tio__dump *l, const char *key, const struct tio_amount *am)
{
    struct tio__buf b;

    tio__buf_init(&b, l->a);
    if (!am->set)
        tio__buf_printf(&b, "%s=unset", key);
    else if (am->percent)
        tio__buf_printf(&b, "%s=%u%%", key, am->percent);
    else if (am->zones)
        tio__buf_printf(&b, "%s=%uz", key, am->zones);
    else
        tio__buf_printf(&b, "%s=%llu", key, (unsigned long long)am->bytes);
    add(l, &b);
}

void tio__dump_ddir(struct tio__dump *l, const char *key, const uint64_t *v)
{
    struct tio__buf b;

    tio__buf_init(&b, l->a);
    tio__buf_printf(&b, "%s=%llu,%llu,%llu", key, (unsigned long long)v[0],
                    (unsigned long long)v[1], (unsigned long long)v[2]);
    add(l, &b);
}

void tio__dump_printf(struct tio__dump *l, const char *fmt, ...)
{
    struct tio__buf b;
    va_list ap;
    char line[256];

    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    tio__buf_init(&b, l->a);
    tio__buf_puts(&b, line);
    add(l, &b);
}

void tio__dump_field_str(struct tio__dump *d, const struct tio__option *o,
                         const struct tio_job *j)
{
    tio__dump_str(d, o->name, *(char *const *)(const void *)((const char *)j + o->off));
}

void tio__dump_field_uint(struct tio__dump *d, const struct tio__option *o,
                          const struct tio_job *j)
{
    tio__dump_u64(d, o->name, *(const unsigned *)(const void *)((const char *)j + o->off), "");
}

void tio__dump_nothing(struct tio__dump *d, const struct tio__option *o,
                       const struct tio_job *j)
{
    (void)d;
    (void)o;
    (void)j;
}

/* The job's option lines come from the option table; these are what the
 * parser and resolve add: where the job came from, its place in the plan,
 * and the engine's options. */
static void job_lines(struct tio__dump *l, const struct tio_job *j)
{
    char where[TIO_ERROR_TEXT_MAX];
    struct tio__buf b;
    size_t i;

    tio__options_dump(l, j);
    tio__dump_u64(l, "clone", j->clone, "");
    tio__dump_u64(l, "group", j->group, "");
    tio__dump_u64(l, "index", j->index, "");
    tio_origin_format(&j->origin, where, sizeof(where));
    tio__dump_str(l, "origin", where);
    for (i = 0; i < j->nr_engine_options; i++) {
        const struct tio_engine_option *o = &j->engine_options[i];

        tio_origin_format(&o->origin, where, sizeof(where));
        tio__buf_init(&b, l->a);
        tio__buf_puts(&b, "engine.");
        put_escaped(&b, o->key, false);
        if (o->value) {
            tio__buf_putc(&b, '=');
            put_escaped(&b, o->value, false);
        }
        tio__buf_puts(&b, " @ ");
        put_escaped(&b, where, false);
        add(l, &b);
    }
}

/* The formats as --output-format would name them: "terse,json+". */
static const char *output_formats(unsigned mask, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s%s%s", mask & TIO_OUTPUT_TERSE ? ",terse" : "",
             mask & TIO_OUTPUT_JSON_PLUS ? ",json+"
             : mask & TIO_OUTPUT_JSON    ? ",json"
                                         : "",
             mask & TIO_OUTPUT_NORMAL ? ",normal" : "", "");
    return buf[0] ? buf + 1 : buf;
}

static void program_lines(struct tio__dump *l, const struct tio_plan *s)
{
    const struct tio_program *p = &s->program;
    char fmt[32];

    tio__dump_str(l, "aux-path", p->aux_path);
    tio__dump_bool(l, "bandwidth-log", p->bandwidth_log);
    tio__dump_u64(l, "debug", p->debug, "");
    tio__dump_bool(l, "enghelp", p->enghelp);
    tio__dump_str(l, "enghelp_engine", p->enghelp_engine);
    tio__dump_str(l, "enghelp_option", p->enghelp_option);
    tio__dump_str(l, "eta",
                  p->eta == TIO_ETA_ALWAYS  ? "always"
                  : p->eta == TIO_ETA_NEVER ? "never"
                                            : "auto");
    tio__dump_u64(l, "groups", s->resolved ? s->nr_groups : 0, "");
    tio__dump_bool(l, "help", p->help);
    tio__dump_str(l, "inflate-log", p->inflate_log);
    tio__dump_list(l, "job_files", &p->job_files);
    tio__dump_u64(l, "jobs", s->nr_jobs, "");
    tio__dump_u64(l, "max-jobs", p->max_jobs, "");
    tio__dump_str(l, "output", p->output);
    tio__dump_str(l, "output-format", output_formats(p->output_format, fmt, sizeof(fmt)));
    tio__dump_bool(l, "parse-only", p->parse_only);
    tio__dump_str(l, "plot", p->plot);
    tio__dump_str(l, "plugin-config", p->plugin_config);
    tio__dump_bool(l, "readonly", p->readonly);
    tio__dump_bool(l, "resolved", s->resolved);
    tio__dump_list(l, "section", &p->sections);
    tio__dump_u64(l, "status-interval", p->status_interval_ms, "ms");
    tio__dump_u64(l, "terse-version", p->terse_version, "");
    tio__dump_bool(l, "version", p->version);
}

static size_t key_len(const char *s)
{
    size_t n = strcspn(s, "= ");

    return n;
}

static int cmp_lines(const void *x, const void *y)
{
    const char *a = *(const char *const *)x, *b = *(const char *const *)y;
    size_t la = key_len(a), lb = key_len(b);
    int c = strncmp(a, b, la < lb ? la : lb);

    if (c)
        return c;
    if (la != lb)
        return la < lb ? -1 : 1;
    return strcmp(a, b);
}

static int flush(struct tio__dump *l, FILE *out, const char *header)
{
    size_t i;
    int rc = TIO_OK;

    if (l->failed)
        rc = TIO_ENOMEM;
    else {
        qsort(l->v, l->n, sizeof(*l->v), cmp_lines);
        if (fprintf(out, "%s\n", header) < 0)
            rc = TIO_EIO;
        for (i = 0; rc == TIO_OK && i < l->n; i++)
            if (fprintf(out, "%s\n", l->v[i]) < 0)
                rc = TIO_EIO;
    }
    for (i = 0; i < l->n; i++)
        tio__free(l->a, l->v[i]);
    l->n = 0;
    l->failed = false;
    return rc;
}

int tio_plan_dump(const struct tio_plan *s, FILE *out)
{
    struct tio__dump l = {NULL, NULL, 0, 0, false};
    char header[64];
    size_t i;
    int rc;

    if (!s || !out)
        return TIO_EINVAL;
    l.a = &s->alloc;
    program_lines(&l, s);
    rc = flush(&l, out, "[plan]");
    for (i = 0; rc == TIO_OK && i < s->nr_jobs; i++) {
        job_lines(&l, &s->jobs[i]);
        snprintf(header, sizeof(header), "[job %zu]", i);
        rc = flush(&l, out, header);
    }
    tio__free(l.a, l.v);
    return rc;
}
