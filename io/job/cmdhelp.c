/* --cmdhelp: fio-style help for the job options, from the option table
 * (io/job/options/), so the help says what the parser does. */
#include <stdio.h>
#include <string.h>

#include "job_internal.h"
#include "options/option.h"

static const char *status_text(enum tio__status s)
{
    switch (s) {
    case TIO__SUPPORTED:
        return "supported, as fio";
    case TIO__DIFFERS:
        return "supported, differs from fio (see docs/jobfile.md)";
    case TIO__REFUSED_VALUE:
        return "supported, some values refused (see docs/jobfile.md)";
    }
    return "?";
}

/* fio's layout: the name right-aligned to 20 columns, then its help. */
static int one(FILE *out, const struct tio__option *o)
{
    char buf[64];
    int rc = 0;

    rc |= fprintf(out, "%20s: %s\n", o->name, o->help) < 0;
    if (o->alias)
        rc |= fprintf(out, "%20s: %s\n", "alias", o->alias) < 0;
    rc |= fprintf(out, "%20s: %s\n", "type", tio__option_values(o, buf, sizeof(buf))) < 0;
    rc |= fprintf(out, "%20s: %s\n", "default", tio__option_default_text(o)) < 0;
    rc |= fprintf(out, "%20s: %s\n\n", "tenon-io", status_text(o->status)) < 0;
    return rc ? TIO_EIO : TIO_OK;
}

static int all(FILE *out)
{
    size_t f, i;

    for (f = 0; f < tio__nr_families; f++) {
        const struct tio__family *fam = tio__families[f];

        if (fprintf(out, "%s%s:\n", f ? "\n" : "", fam->title) < 0)
            return TIO_EIO;
        for (i = 0; i < fam->n; i++)
            if (fprintf(out, "  %-26s: %s\n", fam->rows[i].name, fam->rows[i].help) < 0)
                return TIO_EIO;
    }
    return TIO_OK;
}

int tio_cmdhelp(const char *option, FILE *out, struct tio_error *err)
{
    const struct tio__option *o;
    const char *hint;

    if (!out)
        return TIO_EINVAL;
    if (!option || !*option || strcmp(option, "all") == 0)
        return all(out);
    o = tio__option_find(option);
    if (o)
        return one(out, o);
    if (tio__fio_job_option(option))
        return tio_error_set(err, TIO_EUNSUPPORTED, NULL, NULL, NULL,
                             "--cmdhelp=%s: fio's job option '%s' is not supported by tenon-io "
                             "yet (docs/jobfile.md says why; tenon-io --cmdhelp lists the job "
                             "options it has)",
                             option, option);
    hint = tio__suggest_core(option);
    if (hint)
        return tio_error_set(err, TIO_EUNKNOWN, NULL, NULL, NULL,
                             "--cmdhelp=%s: unknown job option '%s' (did you mean '%s'? "
                             "tenon-io --cmdhelp lists the job options)",
                             option, option, hint);
    return tio_error_set(err, TIO_EUNKNOWN, NULL, NULL, NULL,
                         "--cmdhelp=%s: unknown job option '%s' (tenon-io --cmdhelp lists the "
                         "job options; engine options: tenon-io --enghelp=ENGINE)",
                         option, option);
}
