/* Identity and ordering: a job's name, its clones, and when it starts
 * relative to the jobs before it. */
#include "option.h"

#define OFF(f) TIO__OFF(identity, f)

static int set_name(struct tio__optctx *c, const struct tio__option *o)
{
    (void)o;
    /* fio 3.33 accepts name= in [global] (its example job files have it)
     * and names every job by its [section] or --name all the same: the
     * global value is never a job's name, so it is not kept. */
    if (c->is_global)
        return 0;
    return tio__opt_set_string(c, &c->job->identity.name, c->value);
}

static const struct tio__option rows[] = {
    {.name = "name",
     .type = O_CUSTOM,
     .off = OFF(name),
     .set = set_name,
     .dump = tio__dump_field_str,
     .example = "job1",
     .def_text = "section name",
     .values = "text",
     .help = "Name of the job"},
    {.name = "description",
     .type = O_STR,
     .off = OFF(description),
     .example = "\"text\"",
     .status = TIO__DIFFERS,
     .help = "Text describing the job"},
    {.name = "numjobs",
     .type = O_UINT,
     .off = OFF(numjobs),
     .min = 1,
     .max = TIO_MAX_NUMJOBS,
     .example = "4",
     .def = "1",
     .help = "Number of clones of the job to run"},
    {.name = "stonewall",
     .alias = "wait_for_previous",
     .type = O_FLAG,
     .off = OFF(stonewall),
     .example = "1",
     .help = "Wait for the jobs before to end, and start a new group"},
    {.name = "new_group",
     .type = O_FLAG,
     .off = OFF(new_group),
     .example = "1",
     .help = "Start a new reporting group without waiting"},
};

TIO__FAMILY(tio__family_identity, "identity", "Identity and ordering", rows);
