/* Prints tenon-io's core option table, one "name<TAB>alias" line per entry
 * (alias empty when there is none), for the checks in effects_meta.py. */
#include <stdio.h>

#include "job_internal.h"

int main(void)
{
    for (size_t i = 0; i < tio__option_count(); i++) {
        const char *alias = NULL;
        const char *name = tio__option_at(i, &alias);

        printf("%s\t%s\n", name, alias ? alias : "");
    }
    return 0;
}
