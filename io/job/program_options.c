/* Program options: the command-line options that are not job options
 * (--output, --readonly, --max-jobs, ...), their table and what each one
 * sets in struct tio_program. cmdline.c finds them here. */
#include <stdlib.h>
#include <string.h>

#include "job_internal.h"

static const struct tio__prog_opt prog_opts[] = {
    {"help", TIO__P_HELP, TIO__ARG_NONE, NULL},
    {"h", TIO__P_HELP, TIO__ARG_NONE, NULL},
    {"version", TIO__P_VERSION, TIO__ARG_NONE, NULL},
    {"parse-only", TIO__P_PARSE_ONLY, TIO__ARG_NONE, NULL},
    {"output", TIO__P_OUTPUT, TIO__ARG_REQUIRED, "FILE"},
    {"output-format", TIO__P_OUTPUT_FORMAT, TIO__ARG_REQUIRED, "json"},
    {"minimal", TIO__P_MINIMAL, TIO__ARG_NONE, NULL},
    {"terse-version", TIO__P_TERSE_VERSION, TIO__ARG_REQUIRED, "3"},
    {"eta", TIO__P_ETA, TIO__ARG_REQUIRED, "never"},
    {"enghelp", TIO__P_ENGHELP, TIO__ARG_OPTIONAL, NULL},
    {"cmdhelp", TIO__P_CMDHELP, TIO__ARG_OPTIONAL, NULL},
    {"showcmd", TIO__P_SHOWCMD, TIO__ARG_NONE, NULL},
    {"plugin-config", TIO__P_PLUGIN_CONFIG, TIO__ARG_REQUIRED, "FILE"},
    {"plot", TIO__P_PLOT, TIO__ARG_REQUIRED, "FILE"},
    {"section", TIO__P_SECTION, TIO__ARG_REQUIRED, "NAME"},
    {"max-jobs", TIO__P_MAX_JOBS, TIO__ARG_REQUIRED, "16"},
    {"readonly", TIO__P_READONLY, TIO__ARG_NONE, NULL},
    {"aux-path", TIO__P_AUX_PATH, TIO__ARG_REQUIRED, "DIR"},
    {"bandwidth-log", TIO__P_BANDWIDTH_LOG, TIO__ARG_NONE, NULL},
    {"debug", TIO__P_DEBUG, TIO__ARG_REQUIRED, "io,random"},
    {"inflate-log", TIO__P_INFLATE_LOG, TIO__ARG_REQUIRED, "FILE"},
    {"status-interval", TIO__P_STATUS_INTERVAL, TIO__ARG_REQUIRED, "1"},
};

const struct tio__prog_opt *tio__prog_opt_find(const char *name)
{
    size_t k;

    for (k = 0; k < TIO__ARRAY_LEN(prog_opts); k++)
        if (strcmp(name, prog_opts[k].name) == 0)
            return &prog_opts[k];
    return NULL;
}

bool tio__program_option(const char *name)
{
    return tio__prog_opt_find(name) != NULL;
}

static int set_str(const struct tio_allocator *a, char **dst, const char *v,
                   struct tio_error *err)
{
    char *s = tio__strdup(a, v);

    if (!s)
        return tio__oom(err);
    tio__free(a, *dst);
    *dst = s;
    return TIO_OK;
}

/* fio's --output-format: a comma-separated set of normal, json, json+ and
 * terse (or its names minimal and csv); json+ includes json. */
static int output_format(struct tio_program *p, const char *key, const char *value,
                         const struct tio_origin *o, struct tio_error *err)
{
    unsigned mask = 0;
    const char *s = value;

    while (*s) {
        size_t n = strcspn(s, ",");

        if (n == 6 && strncmp(s, "normal", n) == 0)
            mask |= TIO_OUTPUT_NORMAL;
        else if (n == 4 && strncmp(s, "json", n) == 0)
            mask |= TIO_OUTPUT_JSON;
        else if (n == 5 && strncmp(s, "json+", n) == 0)
            mask |= TIO_OUTPUT_JSON | TIO_OUTPUT_JSON_PLUS;
        else if ((n == 5 && strncmp(s, "terse", n) == 0) ||
                 (n == 7 && strncmp(s, "minimal", n) == 0) ||
                 (n == 3 && strncmp(s, "csv", n) == 0))
            mask |= TIO_OUTPUT_TERSE;
        else
            return tio_error_set(err, TIO_EVALUE, o, key, value,
                                 "unknown output format '%.*s' in '%s' (use normal, json, "
                                 "json+ "
                                 "or terse, or several joined by commas: terse,json+)",
                                 (int)n, s, value);
        s += n;
        if (*s == ',')
            s++;
    }
    if (!mask)
        return tio_error_set(err, TIO_EVALUE, o, key, value,
                             "--output-format needs a format (normal, json, json+ or terse)");
    p->output_format = mask;
    return TIO_OK;
}

/* fio's --debug=LIST: category names joined by commas, "all", or "?". */
static int set_debug(struct tio_program *p, const char *key, const char *value,
                     const struct tio_origin *o, struct tio_error *err)
{
    static const char *const untraced[] = {
        "file", "mem",      "blktrace",    "verify",       "diskutil",
        "job",  "mutex",    "profile",     "time",         "net",
        "rate", "compress", "steadystate", "helperthread", "zbd",
    };
    const char *s = value;

    if (strcmp(value, "?") == 0 || strcmp(value, "help") == 0) {
        p->debug_help = true;
        return TIO_OK;
    }
    while (*s) {
        size_t n = strcspn(s, ",");
        bool known = false;

        if (n == 2 && strncmp(s, "io", n) == 0)
            p->debug |= TIO_DEBUG_IO;
        else if (n == 6 && strncmp(s, "random", n) == 0)
            p->debug |= TIO_DEBUG_RANDOM;
        else if (n == 5 && strncmp(s, "parse", n) == 0)
            p->debug |= TIO_DEBUG_PARSE;
        else if (n == 7 && strncmp(s, "process", n) == 0)
            p->debug |= TIO_DEBUG_PROCESS;
        else if (n == 3 && strncmp(s, "all", n) == 0)
            p->debug |= TIO_DEBUG_IO | TIO_DEBUG_RANDOM | TIO_DEBUG_PARSE | TIO_DEBUG_PROCESS;
        else {
            for (size_t k = 0; k < TIO__ARRAY_LEN(untraced); k++)
                known |= strlen(untraced[k]) == n && strncmp(s, untraced[k], n) == 0;
            return tio_error_set(err, known ? TIO_EUNSUPPORTED : TIO_EVALUE, o, key, value,
                                 known
                                     ? "fio's debug category '%.*s' is not traced by tenon-io "
                                       "yet (it traces io, random, parse and process)"
                                     : "unknown debug category '%.*s' (tenon-io traces io, "
                                       "random, parse and process; --debug=? lists fio's)",
                                 (int)n, s);
        }
        s += n;
        if (*s == ',')
            s++;
    }
    return TIO_OK;
}

/* A whole decimal number in [lo, hi]; *out untouched otherwise. */
static bool whole_number(const char *v, unsigned long lo, unsigned long hi, unsigned *out)
{
    char *end;
    unsigned long n;

    if (*v < '0' || *v > '9')
        return false;
    n = strtoul(v, &end, 10);
    if (*end || n < lo || n > hi)
        return false;
    *out = (unsigned)n;
    return true;
}

static int set_eta(struct tio_program *p, const char *key, const char *value,
                   const struct tio_origin *o, struct tio_error *err)
{
    if (strcmp(value, "auto") == 0)
        p->eta = TIO_ETA_AUTO;
    else if (strcmp(value, "always") == 0)
        p->eta = TIO_ETA_ALWAYS;
    else if (strcmp(value, "never") == 0)
        p->eta = TIO_ETA_NEVER;
    else
        return tio_error_set(err, TIO_EVALUE, o, key, value,
                             "unknown eta mode '%s' (use always, never or auto)", value);
    return TIO_OK;
}

static int set_enghelp(const struct tio_allocator *a, struct tio_program *p, const char *value,
                       struct tio_error *err)
{
    const char *comma = value ? strchr(value, ',') : NULL;

    p->enghelp = true;
    tio__free(a, p->enghelp_engine);
    tio__free(a, p->enghelp_option);
    p->enghelp_engine = p->enghelp_option = NULL;
    if (!value || !*value)
        return TIO_OK;
    p->enghelp_engine = comma ? tio__strndup(a, value, (size_t)(comma - value))
                              : tio__strdup(a, value);
    if (!p->enghelp_engine || (comma && !(p->enghelp_option = tio__strdup(a, comma + 1))))
        return tio__oom(err);
    return TIO_OK;
}

/* fio's --status-interval: a time, in seconds without a unit; at least
 * 1 ms (fio's floor). */
static int set_status_interval(struct tio_program *p, const char *key, const char *value,
                               const struct tio_origin *o, struct tio_error *err)
{
    char why[160];
    uint64_t us;
    if (tio_parse_time(value, TIO_SEC, &us, why, sizeof(why)))
        return tio_error_set(err, TIO_EVALUE, o, key, value, "%s", why);
    if (us < TIO_MSEC)
        return tio_error_set(err, TIO_EVALUE, o, key, value,
                             "the status interval is at least 1ms (a bare number is in "
                             "seconds: --status-interval=5)");
    p->status_interval_ms = us / TIO_MSEC;
    return TIO_OK;
}

int tio__prog_opt_apply(struct tio_plan *s, enum tio__prog_id id, const char *key,
                        const char *value, const struct tio_origin *o, struct tio_error *err)
{
    const struct tio_allocator *a = &s->alloc;
    struct tio_program *p = &s->program;

    switch (id) {
    case TIO__P_HELP:
        p->help = true;
        return TIO_OK;
    case TIO__P_VERSION:
        p->version = true;
        return TIO_OK;
    case TIO__P_PARSE_ONLY:
        p->parse_only = true;
        return TIO_OK;
    case TIO__P_SHOWCMD:
        p->showcmd = true;
        return TIO_OK;
    case TIO__P_READONLY:
        p->readonly = true;
        return TIO_OK;
    case TIO__P_BANDWIDTH_LOG:
        p->bandwidth_log = true;
        return TIO_OK;
    case TIO__P_DEBUG:
        return set_debug(p, key, value, o, err);
    case TIO__P_OUTPUT:
        return set_str(a, &p->output, value, err);
    case TIO__P_PLUGIN_CONFIG:
        return set_str(a, &p->plugin_config, value, err);
    case TIO__P_PLOT:
        return set_str(a, &p->plot, value, err);
    case TIO__P_AUX_PATH:
        return set_str(a, &p->aux_path, value, err);
    case TIO__P_INFLATE_LOG:
        return set_str(a, &p->inflate_log, value, err);
    case TIO__P_STATUS_INTERVAL:
        return set_status_interval(p, key, value, o, err);
    case TIO__P_SECTION:
        if (tio__strv_push(a, &p->sections, tio__strdup(a, value)) != 0)
            return tio__oom(err);
        return TIO_OK;
    case TIO__P_OUTPUT_FORMAT:
        return output_format(p, key, value, o, err);
    case TIO__P_MINIMAL:
        /* fio: --minimal replaces the formats with terse alone */
        p->output_format = TIO_OUTPUT_TERSE;
        return TIO_OK;
    case TIO__P_TERSE_VERSION:
        if (!whole_number(value, 2, 5, &p->terse_version))
            return tio_error_set(err, TIO_EVALUE, o, key, value,
                                 "fio's terse versions are 2, 3, 4 and 5 (3 is the default)");
        return TIO_OK;
    case TIO__P_MAX_JOBS:
        if (!whole_number(value, 1, TIO_MAX_JOBS, &p->max_jobs))
            return tio_error_set(err, TIO_EVALUE, o, key, value,
                                 "write a whole number of jobs from 1 to %u", TIO_MAX_JOBS);
        return TIO_OK;
    case TIO__P_ETA:
        return set_eta(p, key, value, o, err);
    case TIO__P_ENGHELP:
        return set_enghelp(a, p, value, err);
    case TIO__P_CMDHELP:
        p->cmdhelp = true;
        tio__free(a, p->cmdhelp_option);
        p->cmdhelp_option = NULL;
        if (value && *value && !(p->cmdhelp_option = tio__strdup(a, value)))
            return tio__oom(err);
        return TIO_OK;
    }
    return TIO_OK;
}
