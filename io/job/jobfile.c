/* fio job files, parsed with inih.
 *
 * inih splits lines into [section] and name=value and calls us back; fio's
 * dialect differs from plain INI in ways inih cannot be configured for
 * without touching its process-wide settings (the parser must stay
 * reentrant), so a reader in front of inih hands it one normalized line at
 * a time:
 *  - comments start at the first ';' or '#' anywhere on the line, as fio;
 *  - "time_based" (no '=') means true: inih sees "time_based=" and the
 *    handler learns from the reader that the value was absent;
 *  - inih's line buffer is small and it truncates section names, so an
 *    overlong value travels beside the line and the section name is taken
 *    from the reader;
 *  - inih reports nothing for an empty section, so after each header the
 *    reader inserts a marker line that tells the handler a section began;
 *  - "include FILE" is expanded by the reader, so included lines keep
 *    their own file and line number in error messages.
 * The handler collects each section's options and applies them when the
 * section ends (so kb_base can apply to the whole section, as in fio).
 * Reading the files themselves is jobfile_read.c's. */
#include <ctype.h>
#include <ini.h>
#include <stdio.h>
#include <string.h>

#include "job_internal.h"

#define MARKER "\x01"

struct source {
    char *path; /* as shown in errors */
    char *dir;  /* includes are relative to this */
    char *text; /* owned copy for includes, borrowed for the top file */
    bool owned;
    size_t len;
    size_t pos;
    unsigned line;
};

enum section_kind { SEC_NONE, SEC_GLOBAL, SEC_JOB, SEC_SKIP };

struct jobfile {
    const struct tio_allocator *a;
    struct tio_plan *plan;
    const struct tio_parse_config *cfg;
    struct tio__expand_ctx ectx;
    struct tio_error *err;
    int rc;                    /* first error, stops the reader */
    struct tio_error deferred; /* a syntax error found by the reader */

    struct source stack[TIO_MAX_INCLUDE_DEPTH + 1];
    unsigned depth;

    /* what the reader tells the handler about the line inih is handling */
    struct tio_origin cur; /* file borrowed from the source stack */
    bool cur_bare;
    char *long_value;
    bool emit_marker;
    char *header; /* full name from the last [header] */

    enum section_kind kind;
    struct tio_job global; /* what the next job starts from */
    struct tio_job job;    /* the job section being read */
    struct tio__pending *pending;
    size_t npending;
    size_t cap;
    unsigned file_index;
    bool seen_job;
    bool showcmd; /* --showcmd: collect the file as a command line */
    struct tio__buf cmd;
};

static char *dir_of(const struct tio_allocator *a, const char *path)
{
    const char *slash = strrchr(path, '/');

    if (!slash)
        return tio__strdup(a, ".");
    if (slash == path)
        return tio__strdup(a, "/");
    return tio__strndup(a, path, (size_t)(slash - path));
}

static int push_source(struct jobfile *jf, const char *path, char *text, size_t len, bool owned)
{
    struct source *s = &jf->stack[jf->depth];

    memset(s, 0, sizeof(*s));
    s->path = tio__strdup(jf->a, path);
    s->dir = dir_of(jf->a, path);
    if (!s->path || !s->dir) {
        tio__free(jf->a, s->path);
        tio__free(jf->a, s->dir);
        if (owned)
            tio__free(jf->a, text);
        return -1;
    }
    s->text = text;
    s->owned = owned;
    s->len = len;
    jf->depth++;
    return 0;
}

static void pop_source(struct jobfile *jf)
{
    struct source *s = &jf->stack[--jf->depth];

    tio__free(jf->a, s->path);
    tio__free(jf->a, s->dir);
    if (s->owned)
        tio__free(jf->a, s->text);
    memset(s, 0, sizeof(*s));
}

static int syntax(struct jobfile *jf, int code, const char *fmt, ...) TIO__PRINTF(3, 4);

static int syntax(struct jobfile *jf, int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    tio_error_setv(&jf->deferred, code, &jf->cur, NULL, NULL, fmt, ap);
    va_end(ap);
    jf->rc = code;
    return code;
}

static char *trim(char *s)
{
    char *e;

    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
        *--e = '\0';
    return s;
}

static int do_include(struct jobfile *jf, const char *arg)
{
    const struct source *from = &jf->stack[jf->depth - 1];
    char *path, *text = NULL;
    size_t len = 0;
    int rc;

    if (!*arg)
        return syntax(jf, TIO_ESYNTAX, "include needs a file name (write: include other.fio)");
    if (jf->cfg && jf->cfg->no_include)
        return syntax(jf, TIO_EUNSUPPORTED, "include is disabled here");
    if (jf->depth > TIO_MAX_INCLUDE_DEPTH)
        return syntax(jf, TIO_ESYNTAX,
                      "includes nested more than %u deep (is a file "
                      "including itself?)",
                      TIO_MAX_INCLUDE_DEPTH);
    if (arg[0] == '/' || strcmp(from->dir, ".") == 0) {
        path = tio__strdup(jf->a, arg);
    } else {
        struct tio__buf b;

        tio__buf_init(&b, jf->a);
        tio__buf_printf(&b, "%s/%s", from->dir, arg);
        path = tio__buf_take(&b);
    }
    if (!path) {
        jf->rc = tio__oom(&jf->deferred);
        return jf->rc;
    }
    /* an include is part of a job file: never a FIFO or device */
    rc = tio__read_file(jf->a, path, "included file", false, &text, &len, &jf->cur,
                        &jf->deferred);
    if (rc == TIO_OK && push_source(jf, path, text, len, true) != 0)
        rc = tio__oom(&jf->deferred);
    tio__free(jf->a, path);
    if (rc)
        jf->rc = rc;
    return rc;
}

/* Puts a + b + c and a newline into inih's buffer, if they fit. */
static bool fits(char *str, int num, const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);

    if (num < 4 || la + lb + lc + 2 > (size_t)num)
        return false;
    memcpy(str, a, la);
    memcpy(str + la, b, lb);
    memcpy(str + la + lb, c, lc);
    str[la + lb + lc] = '\n';
    str[la + lb + lc + 1] = '\0';
    return true;
}

static char *emit(struct jobfile *jf, char *str, int num, const char *a, const char *b,
                  const char *c)
{
    if (fits(str, num, a, b, c))
        return str;
    /* only a broken inih build passes a buffer this small */
    syntax(jf, TIO_ESYNTAX, "inih's line buffer (%d bytes) is too small", num);
    return NULL;
}

/* The next physical line of the innermost source, comment and blanks
 * stripped, in *text (inside the returned allocation). NULL at the end of
 * all sources or on error. */
static char *next_line(struct jobfile *jf, char **text)
{
    struct source *src;
    const char *start, *nl;
    char *line, *p, *c;
    size_t llen;

    for (;;) {
        if (jf->depth == 0)
            return NULL;
        src = &jf->stack[jf->depth - 1];
        if (src->pos < src->len)
            break;
        pop_source(jf);
    }
    start = src->text + src->pos;
    nl = memchr(start, '\n', src->len - src->pos);
    llen = nl ? (size_t)(nl - start) : src->len - src->pos;
    src->pos += llen + (nl ? 1 : 0);
    src->line++;
    jf->cur.kind = TIO_ORIGIN_FILE;
    jf->cur.file = src->path;
    jf->cur.line = src->line;
    jf->cur_bare = false;

    if (memchr(start, '\0', llen)) {
        syntax(jf, TIO_ESYNTAX, "NUL byte in the job file (is it a text file?)");
        return NULL;
    }
    line = tio__strndup(jf->a, start, llen);
    if (!line) {
        jf->rc = tio__oom(&jf->deferred);
        return NULL;
    }
    p = line;
    if (src->line == 1 && strncmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    p[strcspn(p, ";#")] = '\0'; /* fio: a comment starts anywhere */
    if ((llen = strlen(p)) && p[llen - 1] == '\r')
        p[llen - 1] = '\0';
    p = trim(p);
    for (c = p; *c; c++) {
        if ((unsigned char)*c < 0x20 && *c != '\t') {
            syntax(jf, TIO_ESYNTAX, "control character 0x%02x in the job file",
                   (unsigned)(unsigned char)*c);
            tio__free(jf->a, line);
            return NULL;
        }
    }
    *text = p;
    return line;
}

static char *header_line(struct jobfile *jf, char *str, int num, char *p)
{
    size_t n = strlen(p);
    char *name;

    if (p[n - 1] != ']') {
        syntax(jf, TIO_ESYNTAX, "section header without a closing ']' (write [jobname])");
        return NULL;
    }
    p[n - 1] = '\0';
    name = trim(p + 1);
    if (!*name) {
        syntax(jf, TIO_ESYNTAX, "empty section name (write [jobname])");
        return NULL;
    }
    if (strpbrk(name, "[]")) {
        syntax(jf, TIO_ESYNTAX, "bad section name '%s' (no '[' or ']' inside)", name);
        return NULL;
    }
    tio__free(jf->a, jf->header);
    jf->header = tio__strdup(jf->a, name);
    if (!jf->header) {
        jf->rc = tio__oom(&jf->deferred);
        return NULL;
    }
    jf->emit_marker = true;
    /* inih only needs to know a section started; the name, which it would
     * truncate, is taken from jf->header */
    return emit(jf, str, num, "[", strlen(name) < 40 ? name : "section", "]");
}

/* An option line, or an include. Returns the line for inih, NULL on error,
 * or `str` untouched with *included set when a file was pushed. */
static char *option_line(struct jobfile *jf, char *str, int num, char *p, bool *included)
{
    char *eq = strchr(p, '=');
    char *key, *value;

    if (eq)
        *eq = '\0';
    key = trim(p);
    value = eq ? trim(eq + 1) : NULL;
    *included = false;

    /* fio writes "include file.fio"; include=file.fio is accepted too */
    if (strcmp(key, "include") == 0 ||
        (!eq && strncmp(key, "include", 7) == 0 && (key[7] == ' ' || key[7] == '\t'))) {
        *included = true;
        return do_include(jf, eq ? value : trim(key + 7)) ? NULL : str;
    }
    if (!*key) {
        syntax(jf, TIO_ESYNTAX, "missing option name before '=' (write name=value)");
        return NULL;
    }
    if (!tio__valid_key(key)) {
        if (eq)
            syntax(jf, TIO_ESYNTAX,
                   "'%s' is not an option name (names use letters, digits, "
                   "'_' and '-')",
                   key);
        else
            syntax(jf, TIO_ESYNTAX, "'%s' is neither an option nor a [section] header", key);
        return NULL;
    }
    jf->cur_bare = !eq;
    tio__free(jf->a, jf->long_value);
    jf->long_value = NULL;
    if (fits(str, num, key, "=", value ? value : ""))
        return str;
    /* too long for inih's buffer: the value travels beside the line */
    if (!value || !fits(str, num, key, "=", "")) {
        syntax(jf, TIO_ESYNTAX, "option name '%.40s...' is too long", key);
        return NULL;
    }
    jf->long_value = tio__strdup(jf->a, value);
    if (!jf->long_value) {
        jf->rc = tio__oom(&jf->deferred);
        return NULL;
    }
    return str;
}

/* One logical line for inih; NULL at the end or after an error. */
static char *reader(char *str, int num, void *stream)
{
    struct jobfile *jf = stream;

    if (jf->rc)
        return NULL;
    if (jf->emit_marker) {
        jf->emit_marker = false;
        return emit(jf, str, num, MARKER, "=", "");
    }
    for (;;) {
        char *text, *line = next_line(jf, &text);
        char *out;
        bool included = false;

        if (!line)
            return NULL;
        if (*text == '\0')
            out = emit(jf, str, num, "", "", "");
        else if (*text == '[')
            out = header_line(jf, str, num, text);
        else
            out = option_line(jf, str, num, text, &included);
        tio__free(jf->a, line);
        if (!included || !out)
            return out;
    }
}

static bool section_selected(const struct jobfile *jf, const char *name)
{
    const struct tio_strv *sel = &jf->plan->program.sections;
    size_t i;

    if (!sel->n)
        return true;
    for (i = 0; i < sel->n; i++)
        if (strcmp(sel->v[i], name) == 0)
            return true;
    return false;
}

/* Drop the section being read without applying it. */
static void discard_section(struct jobfile *jf)
{
    tio__job_free(jf->a, &jf->job);
    tio__pending_free(jf->a, jf->pending, jf->npending);
    jf->npending = 0;
    jf->kind = SEC_NONE;
}

/* Apply the collected options of the section that just ended. */
static int finish_section(struct jobfile *jf)
{
    int rc = TIO_OK;

    if (jf->showcmd && (jf->kind == SEC_GLOBAL || jf->kind == SEC_JOB))
        tio__showcmd_section(&jf->cmd, jf->kind == SEC_JOB ? jf->job.identity.name : NULL,
                             jf->pending, jf->npending);
    switch (jf->kind) {
    case SEC_GLOBAL:
        rc = tio__apply_section(jf->a, &jf->global, true, jf->pending, jf->npending,
                                tio__expand_value, &jf->ectx, jf->err);
        break;
    case SEC_JOB:
        rc = tio__apply_section(jf->a, &jf->job, false, jf->pending, jf->npending,
                                tio__expand_value, &jf->ectx, jf->err);
        if (rc == TIO_OK) {
            rc = tio__plan_add_job(jf->plan, &jf->job);
            if (rc == TIO_ERANGE)
                rc = tio_error_set(jf->err, TIO_ERANGE, &jf->job.origin, NULL, NULL,
                                   "more than %u jobs", TIO_MAX_JOBS);
            else if (rc)
                rc = tio__oom(jf->err);
        }
        break;
    case SEC_NONE:
    case SEC_SKIP:
        break;
    }
    discard_section(jf);
    return rc;
}

static int begin_section(struct jobfile *jf)
{
    const char *name = jf->header;

    if (strcmp(name, "global") == 0) {
        jf->kind = SEC_GLOBAL;
        return TIO_OK;
    }
    if (!section_selected(jf, name)) {
        jf->kind = SEC_SKIP;
        return TIO_OK;
    }
    if (tio__job_copy(jf->a, &jf->job, &jf->global) != 0)
        return tio__oom(jf->err);
    jf->kind = SEC_JOB;
    tio__origin_free(jf->a, &jf->job.origin);
    tio__free(jf->a, jf->job.identity.name);
    jf->job.identity.name = tio__strdup(jf->a, name);
    if (!jf->job.identity.name || tio__origin_copy(jf->a, &jf->job.origin, &jf->cur) != 0)
        return tio__oom(jf->err);
    /* fio runs each further job file after the previous one: its first job
     * waits (a stonewall), so files do not overlap */
    if (jf->file_index > 0 && !jf->seen_job)
        jf->job.identity.stonewall = true;
    jf->seen_job = true;
    return TIO_OK;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    struct jobfile *jf = user;
    const char *v;
    int rc;

    (void)section;
    if (jf->rc)
        return 0;
    if (!name)
        return 1; /* an inih built to report section starts itself */
    if (strcmp(name, MARKER) == 0) {
        rc = finish_section(jf);
        if (rc == TIO_OK)
            rc = begin_section(jf);
        jf->rc = rc;
        return rc == TIO_OK;
    }
    if (jf->kind == SEC_NONE) {
        jf->rc = tio_error_set(jf->err, TIO_ESYNTAX, &jf->cur, name,
                               jf->cur_bare ? NULL : value,
                               "option outside of a section (put it under [global] or "
                               "under a [jobname] header)");
        return 0;
    }
    if (jf->kind == SEC_SKIP)
        return 1;
    v = jf->cur_bare ? NULL : jf->long_value ? jf->long_value : value;
    if (tio__pending_add(jf->a, &jf->pending, &jf->npending, &jf->cap, name, v, &jf->cur) !=
        0) {
        jf->rc = tio__oom(jf->err);
        return 0;
    }
    return 1;
}

int tio__jobfile_parse(struct tio_plan *s, const struct tio_parse_config *cfg,
                       const struct tio_job *base, const char *path, const char *text,
                       size_t len, unsigned file_index, struct tio_error *err)
{
    struct jobfile jf;
    int rc, ret;

    memset(&jf, 0, sizeof(jf));
    jf.a = &s->alloc;
    jf.plan = s;
    jf.cfg = cfg;
    jf.ectx.a = jf.a;
    jf.ectx.cfg = cfg;
    jf.err = err;
    jf.file_index = file_index;
    jf.showcmd = s->program.showcmd;
    tio__buf_init(&jf.cmd, jf.a);
    tio__buf_puts(&jf.cmd, "tenon-io ");
    tio_error_clear(&jf.deferred);
    if (tio__job_copy(jf.a, &jf.global, base) != 0) {
        tio__buf_free(&jf.cmd);
        return tio__oom(err);
    }
    /* the top file's text is borrowed; push_source never frees it */
    if (push_source(&jf, path, (char *)(uintptr_t)text, len, false) != 0) {
        tio__buf_free(&jf.cmd);
        tio__job_free(jf.a, &jf.global);
        return tio__oom(err);
    }

    ret = ini_parse_stream(reader, &jf, handler, &jf);

    rc = jf.rc;
    if (rc == TIO_OK || jf.deferred.code) {
        /* a section's options come before a later syntax error in the file */
        int frc = finish_section(&jf);

        if (frc)
            rc = frc;
        else if (jf.deferred.code)
            *err = jf.deferred;
    }
    if (rc == TIO_OK && ret == -2)
        rc = tio__oom(err);
    else if (rc == TIO_OK && ret != 0)
        rc = tio_error_set(err, TIO_ESYNTAX, &jf.cur, NULL, NULL, "job file syntax error");
    if (rc == TIO_OK && jf.showcmd &&
        tio__strv_push(jf.a, &s->program.showcmd_lines, tio__buf_take(&jf.cmd)) != 0)
        rc = tio__oom(err);
    tio__buf_free(&jf.cmd);

    discard_section(&jf); /* frees what an error left behind */
    while (jf.depth)
        pop_source(&jf);
    tio__pending_free(jf.a, jf.pending, jf.npending);
    tio__free(jf.a, jf.pending);
    tio__free(jf.a, jf.long_value);
    tio__free(jf.a, jf.header);
    tio__job_free(jf.a, &jf.global);
    return rc;
}

static int parse_one(const char *path, const char *name, const char *text, size_t len,
                     const struct tio_parse_config *cfg, struct tio_plan **out,
                     struct tio_error *err)
{
    struct tio_plan *s;
    struct tio_job base;
    char *owned = NULL;
    int rc;

    *out = NULL;
    s = tio__plan_new(cfg);
    if (!s)
        return tio__oom(err);
    if (tio__job_init(&s->alloc, &base) != 0) {
        tio_plan_free(s);
        return tio__oom(err);
    }
    if (path) {
        rc = tio__read_file(&s->alloc, path, "job file", true, &owned, &len, NULL, err);
        if (rc)
            goto out;
        text = owned;
        name = path;
        if (tio__strv_push(&s->alloc, &s->program.job_files, tio__strdup(&s->alloc, path)) !=
            0) {
            rc = tio__oom(err);
            goto out;
        }
    }
    rc = tio__jobfile_parse(s, cfg, &base, name, text, len, 0, err);
out:
    tio__free(&s->alloc, owned);
    tio__job_free(&s->alloc, &base);
    if (rc) {
        tio_plan_free(s);
        return rc;
    }
    *out = s;
    return TIO_OK;
}

int tio_job_parse_file(const char *path, const struct tio_parse_config *cfg,
                       struct tio_plan **out, struct tio_error *err)
{
    struct tio_error scratch;

    if (!err)
        err = &scratch;
    tio_error_clear(err);
    if (!out)
        return tio_error_set(err, TIO_EINVAL, NULL, NULL, NULL, "no place for the result");
    *out = NULL;
    if (!path)
        return tio_error_set(err, TIO_EINVAL, NULL, NULL, NULL, "no job file given");
    return parse_one(path, NULL, NULL, 0, cfg, out, err);
}

int tio_job_parse_buffer(const char *text, size_t len, const char *name,
                         const struct tio_parse_config *cfg, struct tio_plan **out,
                         struct tio_error *err)
{
    struct tio_error scratch;

    if (!err)
        err = &scratch;
    tio_error_clear(err);
    if (!out)
        return tio_error_set(err, TIO_EINVAL, NULL, NULL, NULL, "no place for the result");
    *out = NULL;
    if (!text && len)
        return tio_error_set(err, TIO_EINVAL, NULL, NULL, NULL, "no text given");
    return parse_one(NULL, name ? name : "<buffer>", text ? text : "", len, cfg, out, err);
}
