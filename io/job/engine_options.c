/* Options the core does not know, kept for the engine plugin's schema.
 *
 * The parser cannot tell an engine option from a typo: engines are plugins
 * that declare their options, and the engine is only known once ioengine=
 * is resolved. So unknown keys are kept with where they were written, and
 * the host turns the ones the engine does not declare into an error with
 * tio_engine_option_unknown(), pointing at the original line. */
#include <string.h>

#include "job_internal.h"

static void option_free(const struct tio_allocator *a, struct tio_engine_option *o)
{
    tio__free(a, o->key);
    tio__free(a, o->value);
    tio__origin_free(a, &o->origin);
}

static int option_fill(const struct tio_allocator *a, struct tio_engine_option *o,
                       const char *key, const char *value, const struct tio_origin *origin)
{
    memset(o, 0, sizeof(*o));
    o->key = tio__strdup(a, key);
    if (!o->key)
        return -1;
    if (value && !(o->value = tio__strdup(a, value)))
        goto fail;
    if (tio__origin_copy(a, &o->origin, origin) != 0)
        goto fail;
    return 0;
fail:
    option_free(a, o);
    return -1;
}

int tio__engine_option_set(const struct tio_allocator *a, struct tio_job *job, const char *key,
                           const char *value, const struct tio_origin *origin)
{
    struct tio_engine_option fresh, *arr;
    size_t i;

    if (option_fill(a, &fresh, key, value, origin) != 0)
        return -1;
    for (i = 0; i < job->nr_engine_options; i++) {
        if (strcmp(job->engine_options[i].key, key) == 0) {
            option_free(a, &job->engine_options[i]);
            job->engine_options[i] = fresh;
            return 0;
        }
    }
    arr = tio__reallocarray(a, job->engine_options, job->nr_engine_options + 1, sizeof(*arr));
    if (!arr) {
        option_free(a, &fresh);
        return -1;
    }
    arr[job->nr_engine_options++] = fresh;
    job->engine_options = arr;
    return 0;
}

int tio__engine_options_copy(const struct tio_allocator *a, struct tio_job *dst,
                             const struct tio_job *src)
{
    size_t i;

    dst->engine_options = NULL;
    dst->nr_engine_options = 0;
    if (!src->nr_engine_options)
        return 0;
    dst->engine_options = tio__reallocarray(a, NULL, src->nr_engine_options,
                                            sizeof(*dst->engine_options));
    if (!dst->engine_options)
        return -1;
    for (i = 0; i < src->nr_engine_options; i++) {
        const struct tio_engine_option *s = &src->engine_options[i];

        if (option_fill(a, &dst->engine_options[i], s->key, s->value, &s->origin) != 0) {
            dst->nr_engine_options = i;
            tio__engine_options_free(a, dst);
            return -1;
        }
    }
    dst->nr_engine_options = src->nr_engine_options;
    return 0;
}

void tio__engine_options_free(const struct tio_allocator *a, struct tio_job *job)
{
    size_t i;

    for (i = 0; i < job->nr_engine_options; i++)
        option_free(a, &job->engine_options[i]);
    tio__free(a, job->engine_options);
    job->engine_options = NULL;
    job->nr_engine_options = 0;
}

const struct tio_engine_option *tio_job_engine_option(const struct tio_job *job,
                                                      const char *key)
{
    size_t i;

    if (!job || !key)
        return NULL;
    for (i = 0; i < job->nr_engine_options; i++)
        if (strcmp(job->engine_options[i].key, key) == 0)
            return &job->engine_options[i];
    return NULL;
}

const char *tio_engine_option_fio_profile(const struct tio_engine_option *opt)
{
    return opt ? tio__fio_profile_option(opt->key) : NULL;
}

int tio_engine_option_unknown(const struct tio_job *job, const struct tio_engine_option *opt,
                              const char *const *engine_keys, size_t nr_engine_keys,
                              struct tio_error *err)
{
    const char *engine = job && job->queue.ioengine ? job->queue.ioengine : "?";
    const char *hint = NULL, *profile;

    if (!opt)
        return tio_error_set(err, TIO_EINVAL, NULL, NULL, NULL, "no option given");
    profile = tio__fio_profile_option(opt->key);
    if (profile) {
        hint = tio__suggest_core(opt->key);
        return tio_error_set(err, TIO_EUNKNOWN, &opt->origin, opt->key, opt->value,
                             "'%s' is an option of fio's %s profile: fio takes it in any "
                             "job and ignores it unless profile=%s, and tenon-io has no "
                             "profiles (remove it%s%s%s)",
                             opt->key, profile, profile, hint ? ", or did you mean '" : "",
                             hint ? hint : "", hint ? "'?" : "");
    }
    if (engine_keys && nr_engine_keys)
        hint = tio__suggest(opt->key, engine_keys, nr_engine_keys);
    if (!hint)
        hint = tio__suggest_core(opt->key);
    if (hint)
        return tio_error_set(err, TIO_EUNKNOWN, &opt->origin, opt->key, opt->value,
                             "unknown option '%s' (did you mean '%s'? it is not a tenon-io "
                             "option and ioengine '%s' has no such option; see "
                             "tenon-io --enghelp=%s)",
                             opt->key, hint, engine, engine);
    return tio_error_set(err, TIO_EUNKNOWN, &opt->origin, opt->key, opt->value,
                         "unknown option '%s' (it is not a tenon-io option and ioengine '%s' "
                         "has no such option; see tenon-io --enghelp=%s)",
                         opt->key, engine, engine);
}
