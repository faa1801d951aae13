/* Prints tenon-io's core option table, one "name<TAB>alias" line per entry
 * (alias empty when there is none), for the checks in effects_meta.py.
 * Given names, prints instead those of them that are tenon-io program
 * options (--output, --section, ...), one per line. */
#include <stdio.h>

#include "job_internal.h"

int main(int argc, char **argv)
{
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            if (tio__program_option(argv[i]))
                printf("%s\n", argv[i]);
        return 0;
    }
    for (size_t i = 0; i < tio__option_count(); i++) {
        const char *alias = NULL;
        const char *name = tio__option_at(i, &alias);

        printf("%s\t%s\n", name, alias ? alias : "");
    }
    return 0;
}
