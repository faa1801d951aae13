/* fio's command line: `[--option[=value] ...] [jobfile ...]`.
 *
 * As in fio (getopt_long_only): options may start with one or two dashes;
 * options that take a value accept "--bs=4k" or "--bs 4k"; flags such as
 * --thread never take the next argument; options before the first --name
 * are global; job files may appear anywhere and are read after the
 * command-line jobs. Engine options, unknown to the core, never take the
 * next argument (fio does the same): they are written --key=value. One
 * deliberate difference: a bool such as --direct takes the next argument
 * only if it is a boolean (fio would swallow "--direct job.fio" and fail). */
#include <string.h>

#include "job_internal.h"

struct cl {
    struct tio_plan *s;
    const struct tio_allocator *a;
    const struct tio_parse_config *cfg;
    struct tio_error *err;
    struct tio_job global;
    struct tio_job job;
    bool in_job;
    struct tio__pending *pending;
    size_t npending;
    size_t cap;
    unsigned *file_args; /* argv index of each job file, for errors */
    size_t file_args_cap;
};

static int end_block(struct cl *c)
{
    int rc;

    if (!c->in_job) {
        rc = tio__apply_section(c->a, &c->global, true, c->pending, c->npending, NULL, NULL,
                                c->err);
    } else {
        rc = tio__apply_section(c->a, &c->job, false, c->pending, c->npending, NULL, NULL,
                                c->err);
        if (rc == TIO_OK) {
            rc = tio__plan_add_job(c->s, &c->job);
            if (rc == TIO_ERANGE)
                rc = tio_error_set(c->err, TIO_ERANGE, &c->job.origin, NULL, NULL,
                                   "more than %u jobs", TIO_MAX_JOBS);
            else if (rc)
                rc = tio__oom(c->err);
        }
        tio__job_free(c->a, &c->job);
    }
    tio__pending_free(c->a, c->pending, c->npending);
    c->npending = 0;
    return rc;
}

static int start_job(struct cl *c, const char *name, const struct tio_origin *origin)
{
    int rc = end_block(c);

    if (rc)
        return rc;
    if (tio__job_copy(c->a, &c->job, &c->global) != 0)
        return tio__oom(c->err);
    c->in_job = true;
    tio__free(c->a, c->job.identity.name);
    tio__origin_free(c->a, &c->job.origin);
    c->job.identity.name = tio__strdup(c->a, name);
    if (!c->job.identity.name || tio__origin_copy(c->a, &c->job.origin, origin) != 0)
        return tio__oom(c->err);
    return TIO_OK;
}

static bool looks_like_option(const char *arg)
{
    return arg[0] == '-' && arg[1] != '\0';
}

/* The value of an option written without '=', from the next argument. */
static const char *next_value(int argc, char *const argv[], int *i, enum tio__argkind kind)
{
    const char *next = *i + 1 < argc ? argv[*i + 1] : NULL;
    bool b;

    if (!next || kind == TIO__ARG_NONE)
        return NULL;
    if (kind == TIO__ARG_OPTIONAL && tio_parse_bool(next, &b, NULL, 0) != TIO_OK)
        return NULL;
    if (kind == TIO__ARG_REQUIRED && looks_like_option(next))
        return NULL;
    (*i)++;
    return next;
}

static int one_option(struct cl *c, int argc, char *const argv[], int *i)
{
    const char *arg = argv[*i];
    const char *body = arg + (arg[1] == '-' ? 2 : 1);
    const char *eq = strchr(body, '=');
    const struct tio__option *opt;
    struct tio_origin o = {TIO_ORIGIN_ARG, NULL, 0, (unsigned)*i, (char *)(uintptr_t)arg};
    enum tio__argkind kind = TIO__ARG_NONE;
    const struct tio__prog_opt *prog;
    const char *value;
    char *key, *joined = NULL;
    int rc;

    key = eq ? tio__strndup(c->a, body, (size_t)(eq - body)) : tio__strdup(c->a, body);
    if (!key)
        return tio__oom(c->err);
    if (!tio__valid_key(key)) {
        tio__free(c->a, key);
        return tio_error_set(c->err, TIO_EUSAGE, &o, NULL, NULL,
                             "'%s' is not an option (write --option=value; names use letters, "
                             "digits, '_' and '-')",
                             arg);
    }
    prog = tio__prog_opt_find(key);
    if (prog)
        kind = prog->arg;
    opt = !prog ? tio__option_find(key) : NULL;
    if (!prog && !opt && tio__fio_program_option(key)) {
        rc = tio_error_set(c->err, TIO_EUNSUPPORTED, &o, NULL, NULL,
                           "fio's --%s is not supported by tenon-io yet (tenon-io --help lists "
                           "its program options)",
                           key);
        tio__free(c->a, key);
        return rc;
    }
    if (opt)
        kind = tio__option_argkind(opt);
    else if (!prog)
        kind = TIO__ARG_NONE; /* engine option: only --key=value */

    if (eq) {
        value = eq + 1;
    } else {
        /* fio's --enghelp and --cmdhelp take their value only after '=' */
        value = prog && (prog->id == TIO__P_ENGHELP || prog->id == TIO__P_CMDHELP)
                    ? NULL
                    : next_value(argc, argv, i, kind);
        if (value) {
            struct tio__buf b;

            tio__buf_init(&b, c->a);
            tio__buf_printf(&b, "%s %s", arg, value);
            joined = tio__buf_take(&b);
            if (!joined) {
                tio__free(c->a, key);
                return tio__oom(c->err);
            }
            o.argtext = joined;
        }
    }

    if (prog) {
        if (kind == TIO__ARG_NONE && eq)
            rc = tio_error_set(c->err, TIO_EUSAGE, &o, NULL, NULL, "--%s takes no value", key);
        else if (kind == TIO__ARG_REQUIRED && (!value || !*value))
            rc = tio_error_set(c->err, TIO_ENOVALUE, &o, NULL, NULL,
                               "--%s needs a value (write --%s=%s)", key, key, prog->example);
        else
            rc = tio__prog_opt_apply(c->s, prog->id, key, value, &o, c->err);
    } else if (strcmp(key, "name") == 0) {
        if (!value || !*value)
            rc = tio_error_set(c->err, TIO_ENOVALUE, &o, NULL, NULL,
                               "--name needs a value (write --name=JOBNAME)");
        else
            rc = start_job(c, value, &o);
    } else {
        rc = tio__pending_add(c->a, &c->pending, &c->npending, &c->cap, key, value, &o) != 0
                 ? tio__oom(c->err)
                 : TIO_OK;
    }
    tio__free(c->a, joined);
    tio__free(c->a, key);
    return rc;
}

static int parse_args(struct cl *c, int argc, char *const argv[])
{
    bool only_files = false;
    int i, rc;

    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];

        if (!arg)
            break;
        if (!only_files && strcmp(arg, "--") == 0) {
            only_files = true;
            continue;
        }
        if (only_files || !looks_like_option(arg)) {
            void *fa = c->file_args;
            size_t nfiles = c->s->program.job_files.n;

            if (tio__grow(c->a, &fa, &c->file_args_cap, nfiles + 1, sizeof(unsigned)) != 0)
                return tio__oom(c->err);
            c->file_args = fa;
            c->file_args[nfiles] = (unsigned)i;
            if (tio__strv_push(c->a, &c->s->program.job_files, tio__strdup(c->a, arg)) != 0)
                return tio__oom(c->err);
            continue;
        }
        rc = one_option(c, argc, argv, &i);
        if (rc)
            return rc;
    }
    return end_block(c);
}

static int parse_job_files(struct cl *c)
{
    const struct tio_strv *files = &c->s->program.job_files;
    size_t f;
    int rc;

    for (f = 0; f < files->n; f++) {
        char *text = NULL;
        size_t len = 0;

        struct tio_origin o = {TIO_ORIGIN_ARG, NULL, 0, c->file_args[f], files->v[f]};

        /* a FIFO is allowed, as fio: "tenon-io <(gen-job)" */
        rc = tio__read_file(c->a, files->v[f], "job file", true, &text, &len, &o, c->err);
        if (rc)
            return rc;
        rc = tio__jobfile_parse(c->s, c->cfg, &c->global, files->v[f], text, len, (unsigned)f,
                                c->err);
        tio__free(c->a, text);
        if (rc)
            return rc;
    }
    return TIO_OK;
}

int tio_cmdline_parse(int argc, char *const argv[], const struct tio_parse_config *cfg,
                      struct tio_plan **out, struct tio_error *err)
{
    struct tio_error scratch;
    struct cl c;
    int rc;

    if (!err)
        err = &scratch;
    tio_error_clear(err);
    if (!out)
        return tio_error_set(err, TIO_EINVAL, NULL, NULL, NULL, "no place for the result");
    *out = NULL;
    if (argc < 0 || (argc > 0 && !argv))
        return tio_error_set(err, TIO_EINVAL, NULL, NULL, NULL, "bad argument vector");
    memset(&c, 0, sizeof(c));
    c.s = tio__plan_new(cfg);
    if (!c.s)
        return tio__oom(err);
    c.a = &c.s->alloc;
    c.cfg = cfg;
    c.err = err;
    if (tio__job_init(c.a, &c.global) != 0) {
        tio_plan_free(c.s);
        return tio__oom(err);
    }
    rc = parse_args(&c, argc, argv);
    if (rc == TIO_OK)
        rc = parse_job_files(&c);
    if (rc == TIO_OK && c.s->nr_jobs == 0 && c.global.given.n) {
        c.s->cmdline_global = tio__reallocarray(c.a, NULL, 1, sizeof(*c.s->cmdline_global));
        if (!c.s->cmdline_global || tio__job_copy(c.a, c.s->cmdline_global, &c.global) != 0) {
            tio__free(c.a, c.s->cmdline_global);
            c.s->cmdline_global = NULL;
            rc = tio__oom(err);
        }
    }

    tio__job_free(c.a, &c.job);
    tio__pending_free(c.a, c.pending, c.npending);
    tio__free(c.a, c.pending);
    tio__free(c.a, c.file_args);
    tio__job_free(c.a, &c.global);
    if (rc) {
        tio_plan_free(c.s);
        return rc;
    }
    *out = c.s;
    return TIO_OK;
}
