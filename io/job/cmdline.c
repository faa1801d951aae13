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
    unsigned *file_args;        /* argv index of each job file, for errors */
    size_t file_args_cap;
};

enum prog_opt {
    P_NONE, P_HELP, P_VERSION, P_PARSE_ONLY, P_OUTPUT, P_OUTPUT_FORMAT, P_ETA, P_ENGHELP,
    P_PLUGIN_CONFIG, P_PLOT, P_SECTION, P_CMDHELP, P_INFLATE_LOG,
};

static const struct {
    const char *name;
    enum prog_opt id;
    enum tio__argkind arg;
    const char *example;
} prog_opts[] = {
    {"help", P_HELP, TIO__ARG_NONE, NULL},
    {"h", P_HELP, TIO__ARG_NONE, NULL},
    {"version", P_VERSION, TIO__ARG_NONE, NULL},
    {"parse-only", P_PARSE_ONLY, TIO__ARG_NONE, NULL},
    {"output", P_OUTPUT, TIO__ARG_REQUIRED, "FILE"},
    {"output-format", P_OUTPUT_FORMAT, TIO__ARG_REQUIRED, "json"},
    {"eta", P_ETA, TIO__ARG_REQUIRED, "never"},
    {"enghelp", P_ENGHELP, TIO__ARG_OPTIONAL, NULL},
    {"cmdhelp", P_CMDHELP, TIO__ARG_OPTIONAL, NULL},
    {"plugin-config", P_PLUGIN_CONFIG, TIO__ARG_REQUIRED, "FILE"},
    {"plot", P_PLOT, TIO__ARG_REQUIRED, "FILE"},
    {"inflate-log", P_INFLATE_LOG, TIO__ARG_REQUIRED, "FILE"},
    {"section", P_SECTION, TIO__ARG_REQUIRED, "NAME"},
};

bool tio__program_option(const char *name)
{
    size_t k;

    for (k = 0; k < TIO__ARRAY_LEN(prog_opts); k++)
        if (strcmp(name, prog_opts[k].name) == 0)
            return true;
    return false;
}

static int end_block(struct cl *c)
{
    int rc;

    if (!c->in_job) {
        rc = tio__apply_section(c->a, &c->global, true, c->pending, c->npending, NULL, NULL,
                                c->err);
    } else {
        rc = tio__apply_section(c->a, &c->job, false, c->pending, c->npending, NULL, NULL, c->err);
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

static int set_str(struct cl *c, char **dst, const char *v)
{
    char *s = tio__strdup(c->a, v);

    if (!s)
        return tio__oom(c->err);
    tio__free(c->a, *dst);
    *dst = s;
    return TIO_OK;
}

static int program_option(struct cl *c, enum prog_opt id, const char *key, const char *value,
                          const struct tio_origin *o)
{
    struct tio_program *p = &c->s->program;

    switch (id) {
    case P_HELP:
        p->help = true;
        return TIO_OK;
    case P_VERSION:
        p->version = true;
        return TIO_OK;
    case P_PARSE_ONLY:
        p->parse_only = true;
        return TIO_OK;
    case P_OUTPUT:
        return set_str(c, &p->output, value);
    case P_PLUGIN_CONFIG:
        return set_str(c, &p->plugin_config, value);
    case P_PLOT:
        return set_str(c, &p->plot, value);
    case P_INFLATE_LOG:
        return set_str(c, &p->inflate_log, value);
    case P_SECTION:
        if (tio__strv_push(c->a, &p->sections, tio__strdup(c->a, value)) != 0)
            return tio__oom(c->err);
        return TIO_OK;
    case P_OUTPUT_FORMAT:
        if (strcmp(value, "normal") == 0) {
            p->output_format = TIO_OUTPUT_NORMAL;
            return TIO_OK;
        }
        if (strcmp(value, "json") == 0) {
            p->output_format = TIO_OUTPUT_JSON;
            return TIO_OK;
        }
        if (strcmp(value, "json+") == 0 || strcmp(value, "terse") == 0 || strchr(value, ','))
            return tio_error_set(c->err, TIO_EUNSUPPORTED, o, key, value,
                                 "fio's output format '%s' is not supported by tenon-io yet "
                                 "(use normal or json; one format at a time)", value);
        return tio_error_set(c->err, TIO_EVALUE, o, key, value,
                             "unknown output format '%s' (use normal or json)", value);
    case P_ETA:
        if (strcmp(value, "auto") == 0)
            p->eta = TIO_ETA_AUTO;
        else if (strcmp(value, "always") == 0)
            p->eta = TIO_ETA_ALWAYS;
        else if (strcmp(value, "never") == 0)
            p->eta = TIO_ETA_NEVER;
        else
            return tio_error_set(c->err, TIO_EVALUE, o, key, value,
                                 "unknown eta mode '%s' (use always, never or auto)", value);
        return TIO_OK;
    case P_ENGHELP: {
        const char *comma = value ? strchr(value, ',') : NULL;

        p->enghelp = true;
        tio__free(c->a, p->enghelp_engine);
        tio__free(c->a, p->enghelp_option);
        p->enghelp_engine = p->enghelp_option = NULL;
        if (!value || !*value)
            return TIO_OK;
        p->enghelp_engine = comma ? tio__strndup(c->a, value, (size_t)(comma - value))
                                  : tio__strdup(c->a, value);
        if (!p->enghelp_engine || (comma && !(p->enghelp_option = tio__strdup(c->a, comma + 1))))
            return tio__oom(c->err);
        return TIO_OK;
    }
    case P_CMDHELP:
        p->cmdhelp = true;
        tio__free(c->a, p->cmdhelp_option);
        p->cmdhelp_option = NULL;
        if (value && *value && !(p->cmdhelp_option = tio__strdup(c->a, value)))
            return tio__oom(c->err);
        return TIO_OK;
    case P_NONE:
        break;
    }
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
    enum prog_opt prog = P_NONE;
    const char *example = NULL;
    const char *value;
    char *key, *joined = NULL;
    size_t k;
    int rc;

    key = eq ? tio__strndup(c->a, body, (size_t)(eq - body)) : tio__strdup(c->a, body);
    if (!key)
        return tio__oom(c->err);
    if (!tio__valid_key(key)) {
        tio__free(c->a, key);
        return tio_error_set(c->err, TIO_EUSAGE, &o, NULL, NULL,
                             "'%s' is not an option (write --option=value; names use letters, "
                             "digits, '_' and '-')", arg);
    }
    for (k = 0; k < TIO__ARRAY_LEN(prog_opts); k++) {
        if (strcmp(key, prog_opts[k].name) == 0) {
            prog = prog_opts[k].id;
            kind = prog_opts[k].arg;
            example = prog_opts[k].example;
            break;
        }
    }
    opt = prog == P_NONE ? tio__option_find(key) : NULL;
    if (prog == P_NONE && !opt && tio__fio_program_option(key)) {
        rc = tio_error_set(c->err, TIO_EUNSUPPORTED, &o, NULL, NULL,
                           "fio's --%s is not supported by tenon-io yet (tenon-io --help lists "
                           "its program options)", key);
        tio__free(c->a, key);
        return rc;
    }
    if (opt)
        kind = tio__option_argkind(opt);
    else if (prog == P_NONE)
        kind = TIO__ARG_NONE;           /* engine option: only --key=value */

    if (eq) {
        value = eq + 1;
    } else {
        /* fio's --enghelp and --cmdhelp take their value only after '=' */
        value = prog == P_ENGHELP || prog == P_CMDHELP ? NULL : next_value(argc, argv, i, kind);
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

    if (prog != P_NONE) {
        if (kind == TIO__ARG_NONE && eq)
            rc = tio_error_set(c->err, TIO_EUSAGE, &o, NULL, NULL, "--%s takes no value", key);
        else if (kind == TIO__ARG_REQUIRED && (!value || !*value))
            rc = tio_error_set(c->err, TIO_ENOVALUE, &o, NULL, NULL,
                               "--%s needs a value (write --%s=%s)", key, key, example);
        else
            rc = program_option(c, prog, key, value, &o);
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
