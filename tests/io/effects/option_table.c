/* Prints tenon-io's core option table, one
 * "name<TAB>alias<TAB>status<TAB>default<TAB>family" line per entry (alias
 * empty when there is none; status as effects.tsv writes it; the default as
 * --cmdhelp shows it), for the checks in effects_meta.py.
 * Given names, prints instead those of them that are tenon-io program
 * options (--output, --section, ...), one per line. */
#include <stdio.h>

#include "job_internal.h"
#include "options/option.h"

int main(int argc, char **argv)
{
    if (argc > 1) {
        for (int i = 1; i < argc; i++)
            if (tio__program_option(argv[i]))
                printf("%s\n", argv[i]);
        return 0;
    }
    for (size_t f = 0; f < tio__nr_families; f++) {
        const struct tio__family *fam = tio__families[f];

        for (size_t i = 0; i < fam->n; i++) {
            const struct tio__option *o = &fam->rows[i];

            printf("%s\t%s\t%s\t%s\t%s\n", o->name, o->alias ? o->alias : "",
                   tio__status_name(o->status), tio__option_default_text(o), fam->name);
        }
    }
    return 0;
}
