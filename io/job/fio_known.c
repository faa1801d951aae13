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
