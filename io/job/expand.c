/* ${VAR} and fio's $pagesize, $mb_memory, $ncpus in job-file values, and
 * tenon-io's $rank, $nranks and $hostname (who this process is in a run
 * under mpirun: "filename=/pfs/data.$rank" gives each rank its own file).
 *
 * Unlike fio, an unset ${VAR} is an error: fio silently substitutes an empty
 * string, which turns "directory=${TESTDIR}" into the current directory and
 * "size=${SIZE}" into a parse error far from the cause. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "job_internal.h"

static uint64_t sys_value(const struct tio_parse_config *cfg, const char *kw)
{
    long page = sysconf(_SC_PAGESIZE);
    long pages, cpus;

    if (page <= 0)
        page = 4096;
    if (strcmp(kw, "pagesize") == 0)
        return cfg && cfg->pagesize ? cfg->pagesize : (uint64_t)page;
    if (strcmp(kw, "mb_memory") == 0) {
        if (cfg && cfg->mb_memory)
            return cfg->mb_memory;
        pages = sysconf(_SC_PHYS_PAGES);
        return pages > 0 ? (uint64_t)pages * (uint64_t)page / (1024 * 1024) : 0;
    }
    if (cfg && cfg->ncpus)
        return cfg->ncpus;
    cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return cpus > 0 ? (uint64_t)cpus : 1;
}

/* $rank, $nranks, $hostname as text; false for any other keyword. */
static bool rank_value(const struct tio_parse_config *cfg, const char *kw, char *buf,
                       size_t size)
{
    unsigned nranks = cfg && cfg->nranks ? cfg->nranks : 1;
    if (strcmp(kw, "rank") == 0) {
        snprintf(buf, size, "%u", cfg && cfg->nranks ? cfg->rank : 0);
    } else if (strcmp(kw, "nranks") == 0) {
        snprintf(buf, size, "%u", nranks);
    } else if (strcmp(kw, "hostname") == 0) {
        if (cfg && cfg->hostname)
            snprintf(buf, size, "%s", cfg->hostname);
        else if (gethostname(buf, size) != 0)
            snprintf(buf, size, "localhost");
        buf[size - 1] = '\0';
    } else {
        return false;
    }
    return true;
}

static const char *lookup_env(const struct tio_parse_config *cfg, const char *name)
{
    if (cfg && cfg->getenv)
        return cfg->getenv(cfg->getenv_ctx, name);
    return getenv(name);
}

static bool ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

int tio__expand_value(void *vctx, const char *key, const char *raw,
                      const struct tio_origin *origin, char **out, struct tio_error *err)
{
    static const char *const keywords[] = {"pagesize", "mb_memory", "ncpus"};
    struct tio__expand_ctx *ctx = vctx;
    struct tio__buf b;
    const char *p = raw;
    size_t i;

    *out = NULL;
    tio__buf_init(&b, ctx->a);
    while (*p) {
        const char *dollar = strchr(p, '$');

        if (!dollar) {
            tio__buf_puts(&b, p);
            break;
        }
        tio__buf_add(&b, p, (size_t)(dollar - p));
        p = dollar + 1;
        if (*p == '{') {
            const char *close = strchr(p, '}');
            const char *val;
            char *name;

            if (!close) {
                tio__buf_free(&b);
                return tio_error_set(err, TIO_ESYNTAX, origin, key, raw,
                                     "unterminated '${' (write ${NAME})");
            }
            name = tio__strndup(ctx->a, p + 1, (size_t)(close - p - 1));
            if (!name) {
                tio__buf_free(&b);
                return tio__oom(err);
            }
            val = *name ? lookup_env(ctx->cfg, name) : NULL;
            if (!val) {
                int rc = *name ? tio_error_set(err, TIO_EENV, origin, key, raw,
                                               "environment variable '%s' is not set "
                                               "(export it, or write the value)",
                                               name)
                               : tio_error_set(err, TIO_ESYNTAX, origin, key, raw,
                                               "empty variable name in '${}'");
                tio__free(ctx->a, name);
                tio__buf_free(&b);
                return rc;
            }
            tio__free(ctx->a, name);
            tio__buf_puts(&b, val);
            p = close + 1;
            continue;
        }
        for (i = 0; i < TIO__ARRAY_LEN(keywords); i++) {
            size_t kl = strlen(keywords[i]);

            if (strncmp(p, keywords[i], kl) == 0 && !ident_char(p[kl])) {
                tio__buf_printf(&b, "%llu",
                                (unsigned long long)sys_value(ctx->cfg, keywords[i]));
                p += kl;
                break;
            }
        }
        if (i == TIO__ARRAY_LEN(keywords)) {
            static const char *const rank_words[] = {"rank", "nranks", "hostname"};
            char text[256];
            for (i = 0; i < TIO__ARRAY_LEN(rank_words); i++) {
                size_t kl = strlen(rank_words[i]);
                if (strncmp(p, rank_words[i], kl) == 0 && !ident_char(p[kl]) &&
                    rank_value(ctx->cfg, rank_words[i], text, sizeof(text))) {
                    tio__buf_puts(&b, text);
                    p += kl;
                    break;
                }
            }
            if (i == TIO__ARRAY_LEN(rank_words))
                tio__buf_putc(&b, '$');
        }
    }
    *out = tio__buf_take(&b);
    if (!*out)
        return tio__oom(err);
    if ((*out)[0] == '(') {
        tio__free(ctx->a, *out);
        *out = NULL;
        return tio_error_set(err, TIO_EUNSUPPORTED, origin, key, raw,
                             "fio's arithmetic expressions are not supported by tenon-io yet "
                             "(write the computed value)");
    }
    return TIO_OK;
}
