/* Data-driven job parser tests.
 *
 *   tio-job-cases [--oom] CASES_DIR [CASE...]
 *
 * Each folder of CASES_DIR is one case:
 *   job.fio     a job file (and any files it includes)
 *   cmdline     optional: the arguments, one per line (default: "job.fio")
 *   env         optional: NAME=VALUE lines, the only variables ${NAME} sees
 *   expected    the canonical dump of the resolved plan, or
 *   error       "ECODE: the exact error text"
 * The case runs inside its folder, so error locations read "job.fio:7".
 * $pagesize, $mb_memory and $ncpus are fixed (4096, 2048, 4).
 *
 * TIO_JOB_REGEN=1 rewrites expected/error from the actual results: for
 * developers after an intended change - review the diff before committing.
 *
 * --oom reruns every case failing the 1st, 2nd, ... allocation (and every
 * one after it) until a run needs no more (tests/common/alloc_fail.h); each
 * run must end in ENOMEM or the normal result, and free everything it
 * allocated. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc_fail.h"
#include "tio_job.h"

#define MAX_ARGS 256
#define MAX_ENV 64

struct case_env {
    char *names[MAX_ENV];
    char *values[MAX_ENV];
    size_t n;
};

/* The parser's allocator, through the harness: size 0 frees. */
static void *counting_realloc(void *ctx, void *ptr, size_t size)
{
    (void)ctx;
    if (size == 0) {
        alloc_fail_free(ptr);
        return NULL;
    }
    return alloc_fail_realloc(ptr, size);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;
    int ch;

    if (!f)
        return NULL;
    while ((ch = fgetc(f)) != EOF) {
        if (n + 2 > cap) {
            char *nb;

            cap = cap ? cap * 2 : 256;
            nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        buf[n++] = (char)ch;
    }
    fclose(f);
    if (!buf && !(buf = malloc(1)))
        return NULL;
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static const char *env_lookup(void *ctx, const char *name)
{
    const struct case_env *e = ctx;
    size_t i;

    for (i = 0; i < e->n; i++)
        if (strcmp(e->names[i], name) == 0)
            return e->values[i];
    return NULL;
}

static void env_load(struct case_env *e, char *text)
{
    char *line, *save = NULL;

    e->n = 0;
    if (!text)
        return;
    for (line = strtok_r(text, "\n", &save); line && e->n < MAX_ENV;
         line = strtok_r(NULL, "\n", &save)) {
        char *eq = strchr(line, '=');

        if (!eq)
            continue;
        *eq = '\0';
        e->names[e->n] = line;
        e->values[e->n] = eq + 1;
        e->n++;
    }
}

/* Arguments are the lines of the text (a trailing newline ends the last). */
static int split_args(char *text, char **argv)
{
    int argc = 0;
    char *p = text;

    argv[argc++] = "tenon-io";
    while (*p && argc < MAX_ARGS - 1) {
        char *nl = strchr(p, '\n');

        if (nl)
            *nl = '\0';
        argv[argc++] = p;
        if (!nl)
            break;
        p = nl + 1;
    }
    argv[argc] = NULL;
    return argc;
}

/* Runs a case once; the result (dump or "ECODE: text\n") is malloc'd. */
static char *run_once(int argc, char **argv, struct case_env *env, bool counted, int *code)
{
    struct tio_parse_config cfg;
    struct tio_plan *plan = NULL;
    struct tio_error err;
    char *out = NULL;
    size_t outlen = 0;
    FILE *mem;
    int rc;

    tio_parse_config_init(&cfg);
    cfg.getenv = env_lookup;
    cfg.getenv_ctx = env;
    cfg.pagesize = 4096;
    cfg.mb_memory = 2048;
    cfg.ncpus = 4;
    if (counted)
        cfg.alloc.realloc = counting_realloc;
    mem = open_memstream(&out, &outlen);
    if (!mem)
        return NULL;
    rc = tio_cmdline_parse(argc, argv, &cfg, &plan, &err);
    /* as the host: --help, --version and --enghelp need no jobs */
    if (rc == TIO_OK && !plan->program.help && !plan->program.version && !plan->program.enghelp)
        rc = tio_plan_resolve(plan, &err);
    if (rc == TIO_OK) {
        rc = tio_plan_dump(plan, mem);
        if (rc != TIO_OK) {
            err.code = rc;
            snprintf(err.text, sizeof(err.text), "dump failed");
        }
    }
    if (rc != TIO_OK) {
        if (rc != err.code)
            fprintf(mem, "returned %d but err.code is %d\n", rc, err.code);
        fprintf(mem, "%s: %s\n", tio_err_name(err.code), err.text);
    }
    tio_plan_free(plan);
    fclose(mem);
    *code = rc;
    return out;
}

static void show_diff(const char *name, const char *want, const char *got)
{
    unsigned line = 1;
    const char *w = want, *g = got;

    while (*w && *g) {
        const char *we = strchr(w, '\n'), *ge = strchr(g, '\n');
        size_t wl = we ? (size_t)(we - w) : strlen(w), gl = ge ? (size_t)(ge - g) : strlen(g);

        if (wl != gl || memcmp(w, g, wl) != 0)
            break;
        w += wl + (we ? 1 : 0);
        g += gl + (ge ? 1 : 0);
        line++;
    }
    printf("FAIL %s: first difference at line %u\n  want: %.*s\n  got:  %.*s\n", name, line,
           (int)strcspn(w, "\n"), w, (int)strcspn(g, "\n"), g);
}

static bool write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    bool ok;

    if (!f)
        return false;
    ok = fputs(text, f) >= 0;
    return fclose(f) == 0 && ok;
}

static unsigned long oom_runs;

struct oom_run {
    const char *name;
    int argc;
    char **argv;
    struct case_env *env;
    const char *got; /* the result without failures */
};

/* A run in which allocations fail ends in ENOMEM or the normal result. */
static int oom_run(void *arg)
{
    struct oom_run *o = arg;
    int c;
    char *res = run_once(o->argc, o->argv, o->env, true, &c);
    int failed = 0;

    oom_runs += alloc_fail.failures != 0;
    if (!res) {
        printf("FAIL %s: out of memory in the runner\n", o->name);
        return -1;
    }
    if (alloc_fail.failures && c != TIO_ENOMEM && strcmp(res, o->got) != 0) {
        printf("FAIL %s: failing allocation %lu gave:\n%s", o->name, alloc_fail.fail_at, res);
        failed = -1;
    } else if (!alloc_fail.failures && strcmp(res, o->got) != 0) {
        printf("FAIL %s: result differs under the counting allocator\n", o->name);
        failed = -1;
    }
    free(res);
    return failed;
}

static int run_case(int dirfd, const char *name, bool oom, bool regen)
{
    char *cmdline, *envtext, *want, *got, *argv[MAX_ARGS];
    bool want_error = false;
    struct case_env env;
    int argc, code, failures = 0;

    if (fchdir(dirfd) != 0 || chdir(name) != 0) {
        printf("FAIL %s: cannot enter the folder: %s\n", name, strerror(errno));
        return 1;
    }
    cmdline = slurp("cmdline", NULL);
    if (!cmdline)
        cmdline = strdup("job.fio\n");
    envtext = slurp("env", NULL);
    env_load(&env, envtext);
    argc = split_args(cmdline, argv);

    want = slurp("expected", NULL);
    if (!want) {
        want = slurp("error", NULL);
        want_error = want != NULL;
    }
    got = run_once(argc, argv, &env, false, &code);
    if (!got) {
        printf("FAIL %s: out of memory in the runner\n", name);
        failures = 1;
    } else if (regen) {
        bool is_error = code != TIO_OK;

        unlink(is_error ? "expected" : "error");
        if (!write_file(is_error ? "error" : "expected", got)) {
            printf("FAIL %s: cannot write the result\n", name);
            failures = 1;
        }
    } else if (!want) {
        printf("FAIL %s: neither 'expected' nor 'error' (run with TIO_JOB_REGEN=1)\n", name);
        failures = 1;
    } else if (want_error != (code != TIO_OK) || strcmp(want, got) != 0) {
        show_diff(name, want, got);
        failures = 1;
    }

    if (oom && got && !failures) {
        struct oom_run o = {name, argc, argv, &env, got};
        alloc_fail.and_later = true;
        if (alloc_fail_sweep(oom_run, &o, NULL) != 0) {
            if (alloc_fail.error[0])
                printf("FAIL %s: %s\n", name, alloc_fail.error);
            failures = 1;
        }
    }
    if (!failures)
        printf("ok   %s\n", name);
    free(got);
    free(want);
    free(envtext);
    free(cmdline);
    return failures;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_case(const struct dirent *d)
{
    return d->d_name[0] != '.' && (d->d_type == DT_DIR || d->d_type == DT_UNKNOWN);
}

int main(int argc, char **argv)
{
    const char *regen_env = getenv("TIO_JOB_REGEN");
    bool regen = regen_env && strcmp(regen_env, "1") == 0;
    bool oom = false;
    struct dirent **list;
    int first = 1, n, i, dirfd, failures = 0, cases = 0;

    if (argc > 1 && strcmp(argv[1], "--oom") == 0) {
        oom = true;
        first = 2;
    }
    if (argc <= first) {
        fprintf(stderr, "usage: %s [--oom] CASES_DIR [CASE...]\n", argv[0]);
        return 2;
    }
    dirfd = open(argv[first], O_RDONLY | O_DIRECTORY);
    if (dirfd < 0) {
        fprintf(stderr, "%s: %s\n", argv[first], strerror(errno));
        return 2;
    }
    if (argc > first + 1) {
        for (i = first + 1; i < argc; i++, cases++)
            failures += run_case(dirfd, argv[i], oom, regen);
    } else {
        n = scandir(argv[first], &list, is_case, by_name);
        if (n < 0) {
            fprintf(stderr, "%s: %s\n", argv[first], strerror(errno));
            return 2;
        }
        for (i = 0; i < n; i++, cases++) {
            failures += run_case(dirfd, list[i]->d_name, oom, regen);
            free(list[i]);
        }
        free(list);
    }
    close(dirfd);
    printf("%d case(s), %d failure(s)%s", cases, failures, regen ? " (regenerated)" : "");
    if (oom)
        printf(", %lu runs with a failing allocation", oom_runs);
    printf("\n");
    if (cases == 0)
        return 1;
    return failures ? 1 : 0;
}
