/* Applying a section's key=value list to a job: the one place that decides
 * whether a key is a core option, an fio option tenon-io lacks, or an
 * engine option - shared by job files and the command line so both report
 * the same errors. */
#include <ctype.h>
#include <string.h>

#include "job_internal.h"

int tio__pending_add(const struct tio_allocator *a, struct tio__pending **arr, size_t *n,
                     size_t *cap, const char *key, const char *value,
                     const struct tio_origin *origin)
{
    struct tio__pending p;
    void *v = *arr;

    memset(&p, 0, sizeof(p));
    if (tio__grow(a, &v, cap, *n + 1, sizeof(p)) != 0)
        return -1;
    *arr = v;
    p.key = tio__strdup(a, key);
    if (!p.key)
        return -1;
    if (value && !(p.value = tio__strdup(a, value)))
        goto fail;
    if (tio__origin_copy(a, &p.origin, origin) != 0)
        goto fail;
    (*arr)[(*n)++] = p;
    return 0;
fail:
    tio__free(a, p.key);
    tio__free(a, p.value);
    return -1;
}

void tio__pending_free(const struct tio_allocator *a, struct tio__pending *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        tio__free(a, p[i].key);
        tio__free(a, p[i].value);
        tio__origin_free(a, &p[i].origin);
    }
}

bool tio__valid_key(const char *k)
{
    if (!*k)
        return false;
    for (; *k; k++)
        if (!isalnum((unsigned char)*k) && *k != '_' && *k != '-')
            return false;
    return true;
}

static int apply_one(const struct tio_allocator *a, struct tio_job *job, bool is_global,
                     const struct tio__option *opt, const struct tio__pending *p,
                     const char *value, struct tio_error *err)
{
    if (opt)
        return tio__option_set(opt, a, job, is_global, p->key, value, &p->origin, err);
    if (tio__fio_job_option(p->key))
        return tio_error_set(err, TIO_EUNSUPPORTED, &p->origin, p->key, value,
                             "fio has option '%s' but tenon-io does not support it yet "
                             "(remove it; docs/jobfile.md lists what tenon-io accepts)",
                             p->key);
    if (tio__program_option(p->key))
        return tio_error_set(err, TIO_EUNSUPPORTED, &p->origin, p->key, value,
                             "'%s' is a command-line option, not a job option "
                             "(give it as --%s on the command line)",
                             p->key, p->key);
    if (tio__fio_program_option(p->key))
        return tio_error_set(err, TIO_EUNSUPPORTED, &p->origin, p->key, value,
                             "'%s' is one of fio's command-line options, not a job option, "
                             "and tenon-io does not support it yet",
                             p->key);
    if (value && !*value)
        return tio_error_set(err, TIO_ENOVALUE, &p->origin, p->key, value,
                             "empty value (write %s%s=VALUE, or %s%s alone for a flag)",
                             p->origin.kind == TIO_ORIGIN_ARG ? "--" : "", p->key,
                             p->origin.kind == TIO_ORIGIN_ARG ? "--" : "", p->key);
    if (tio__engine_option_set(a, job, p->key, value, &p->origin) != 0)
        return tio__oom(err);
    return TIO_OK;
}

/* Appends key and value to a "given" list; always as a pair, so a failure
 * part-way removes the key again. (tio__strv_push frees what it could not
 * store.) */
static int record_given(const struct tio_allocator *a, struct tio_strv *given, const char *key,
                        const char *value)
{
    if (tio__strv_push(a, given, tio__strdup(a, key)) != 0)
        return -1;
    if (tio__strv_push(a, given, tio__strdup(a, value ? value : "")) != 0) {
        tio__free(a, given->v[--given->n]);
        return -1;
    }
    return 0;
}

int tio__apply_section(const struct tio_allocator *a, struct tio_job *job, bool is_global,
                       const struct tio__pending *p, size_t n, tio__expand_fn expand,
                       void *expand_ctx, struct tio_error *err)
{
    int pass, rc;
    size_t i;

    /* A job starts as a copy of its [global] options: what the template had
     * written becomes the job's global_given, and its own list starts empty. */
    if (!is_global && job->given.n && !job->global_given.n) {
        job->global_given = job->given;
        job->given.v = NULL;
        job->given.n = 0;
    }

    for (pass = 0; pass < 2; pass++) {
        for (i = 0; i < n; i++) {
            const struct tio__option *opt = tio__option_find(p[i].key);
            bool early = opt && tio__option_is_early(opt);
            char *expanded = NULL;
            const char *value = p[i].value;

            if (early != (pass == 0))
                continue;
            if (expand && value) {
                rc = expand(expand_ctx, p[i].key, value, &p[i].origin, &expanded, err);
                if (rc)
                    return rc;
                value = expanded;
            }
            rc = apply_one(a, job, is_global, opt, &p[i], value, err);
            if (rc == TIO_OK && record_given(a, &job->given, p[i].key, value) != 0)
                rc = tio__oom(err);
            tio__free(a, expanded);
            if (rc)
                return rc;
        }
    }
    return TIO_OK;
}
