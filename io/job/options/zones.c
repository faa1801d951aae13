/* Zones: fio's zonemode= (none, strided, zbd) and the sizes that shape it,
 * zonesize=, zonerange= and zoneskip=. What they do in a run is
 * io/core/zones.c's; the checks between them are resolve.c's. */
#include "option.h"

#define OFF(f) TIO__OFF(zones, f)

static const struct tio__enumval modes[] = {
    {"none", TIO_ZONE_NONE, NULL},
    {"strided", TIO_ZONE_STRIDED, NULL},
    /* parsed, so that a run can say why a target cannot take it */
    {"zbd", TIO_ZONE_ZBD, NULL},
};

static const char *const mode_names[] = {"none", "strided", "zbd"};

static int set_zonemode(struct tio__optctx *c, const struct tio__option *o)
{
    int v = 0;
    (void)o;
    int rc = tio__opt_pick(c, c->value, modes, TIO__ARRAY_LEN(modes), "zone mode",
                           "none, strided or zbd", &v);
    if (rc == TIO_OK)
        c->job->zones.mode = (enum tio_zonemode)v;
    return rc;
}

static void dump_zonemode(struct tio__dump *d, const struct tio__option *o,
                          const struct tio_job *j)
{
    tio__dump_str(d, o->name, mode_names[j->zones.mode]);
}

static const struct tio__option rows[] = {
    {.name = "zonemode",
     .type = O_CUSTOM,
     .set = set_zonemode,
     .dump = dump_zonemode,
     .example = "strided",
     .def = "none",
     .values = "none, strided, zbd (zbd: refused at run time on every target)",
     .help = "How zonesize, zonerange and zoneskip shape the IO",
     .status = TIO__REFUSED_VALUE},
    {.name = "zonesize",
     .type = O_SIZE,
     .off = OFF(size),
     .example = "64k",
     .help = "strided: bytes of IO in a zone before moving to the next"},
    {.name = "zonerange",
     .type = O_SIZE,
     .off = OFF(range),
     .example = "256k",
     .def_text = "zonesize",
     .help = "strided: the size of a zone; random IO stays in the current one"},
    {.name = "zoneskip",
     .type = O_SIZE,
     .off = OFF(skip),
     .example = "1m",
     .help = "strided: bytes skipped after each zone's zonesize bytes of IO"},
};

TIO__FAMILY(tio__family_zones, "zones", "Zones", rows);
