/* Whether fio 3.33 has an option, looked up in the generated lists of
 * fio_options.c (kept apart so regenerating them touches no code). */
#include <stdlib.h>
#include <string.h>

#include "job_internal.h"

static int cmp(const void *key, const void *elem)
{
    return strcmp(key, *(const char *const *)elem);
}

static bool in(const char *name, const char *const *table, size_t n)
{
    return bsearch(name, table, n, sizeof(*table), cmp) != NULL;
}

bool tio__fio_job_option(const char *name)
{
    return in(name, tio__fio_job_options, tio__fio_job_options_len);
}

bool tio__fio_program_option(const char *name)
{
    return in(name, tio__fio_program_options, tio__fio_program_options_len);
}

/* fio 3.33 registers its profiles' options (profiles/tiobench.c, act.c)
 * with its own, so a job may set them without profile=: fio stores the
 * value for a profile that never runs. Named here so that the error can
 * say so instead of calling the option unknown. */
const char *tio__fio_profile_option(const char *name)
{
    static const struct {
        const char *option, *profile;
    } table[] = {
        {"block", "tiobench"},
        {"numruns", "tiobench"},
        {"dir", "tiobench"},
        {"threads", "tiobench"},
        {"device-names", "act"},
        {"load", "act"},
        {"test-duration", "act"},
        {"threads-per-queue", "act"},
        {"read-req-num-512-blocks", "act"},
        {"large-block-op-kbytes", "act"},
        {"prep", "act"},
    };

    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (strcmp(name, table[i].option) == 0)
            return table[i].profile;
    return NULL;
}
