/* Distributed runs: how the ranks of a run under mpirun divide a file they
 * share, and which rank's part a job takes. tenon-io's own options (fio
 * has no MPI mode); io/core/ranks.c applies them. Without mpirun they do
 * nothing, and the dump shows them only when given. */
#include "option.h"

#define OFF(f) TIO__OFF(ranks, f)

static const struct tio__enumval layout_values[] = {
    {"segmented", TIO_RANK_SEGMENTED, NULL},
    {"strided", TIO_RANK_STRIDED, NULL},
};

static int set_rank_layout(struct tio__optctx *c, const struct tio__option *o)
{
    int v = 0, rc;

    (void)o;
    rc = tio__opt_pick(c, c->value, layout_values, TIO__ARRAY_LEN(layout_values), "rank_layout",
                       "segmented or strided", &v);
    if (rc == TIO_OK)
        c->job->ranks.layout = (enum tio_rank_layout)v;
    return rc;
}

static void dump_rank_layout(struct tio__dump *d, const struct tio__option *o,
                             const struct tio_job *j)
{
    if (j->ranks.layout != TIO_RANK_SEGMENTED)
        tio__dump_str(d, o->name, "strided");
}

static void dump_rank_shift(struct tio__dump *d, const struct tio__option *o,
                            const struct tio_job *j)
{
    if (j->ranks.shift)
        tio__dump_u64(d, o->name, j->ranks.shift, "");
}

static const struct tio__option rows[] = {
    {.name = "rank_layout",
     .type = O_CUSTOM,
     .set = set_rank_layout,
     .dump = dump_rank_layout,
     .example = "strided",
     .def_text = "segmented",
     .values = "segmented or strided",
     .status = TIO__DIFFERS,
     .help = "Under mpirun: how ranks sharing a file divide it (tenon-io's own)"},
    {.name = "rank_shift",
     .type = O_UINT,
     .off = OFF(shift),
     .min = 0,
     .max = 65535,
     .dump = dump_rank_shift,
     .example = "1",
     .def = "0",
     .help = "Under mpirun: take the part of the rank this many places on, and check "
             "that rank wrote it (tenon-io's own, as IOR's -C)",
     .status = TIO__DIFFERS},
};

TIO__FAMILY(tio__family_ranks, "ranks", "Distributed runs", rows);
