/* Zones: fio's zonemode= (none, strided, zbd) and the sizes that shape it,
 * zonesize=, zonerange= and zoneskip=, and zbd's own options. What they do
 * in a run is io/core/zones.c's (strided) and io/core/zbd.c's (zbd); the
 * checks between them are resolve_zones.c's. */
#include "option.h"

#include <math.h>
#include <stdlib.h>

#define OFF(f) TIO__OFF(zones, f)

static const struct tio__enumval modes[] = {
    {"none", TIO_ZONE_NONE, NULL},
    {"strided", TIO_ZONE_STRIDED, NULL},
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

/* zoneskip: bytes, or a number of zones ("2z", fio's zone granularity;
 * resolve_zones.c makes it bytes once zonesize is known). */
static int set_zoneskip(struct tio__optctx *c, const struct tio__option *o)
{
    struct tio_amount a = {0};
    char why[200];
    (void)o;
    int rc = tio_parse_amount(c->value, c->job->reporting.kb_base, &a, why, sizeof(why));
    if (rc == TIO_OK && a.percent)
        rc = tio__why_set(why, sizeof(why), TIO_EVALUE,
                          "'%s': zoneskip takes bytes or a number of zones, not a percentage",
                          c->value);
    if (rc)
        return tio__opt_fail(c, rc, "%s", why);
    c->job->zones.skip = a.bytes;
    c->job->zones.skip_zones = a.zones;
    return TIO_OK;
}

static void dump_zoneskip(struct tio__dump *d, const struct tio__option *o,
                          const struct tio_job *j)
{
    const struct tio_amount a = {.zones = j->zones.skip_zones, .set = true};
    if (j->zones.skip_zones)
        tio__dump_amount(d, o->name, &a); /* not resolved yet: Nz */
    else
        tio__dump_u64(d, o->name, j->zones.skip, "");
}

/* zone_reset_threshold, zone_reset_frequency: a fraction, 0 to 1 (fio's
 * float list of one value). */
static int set_fraction(struct tio__optctx *c, const struct tio__option *o)
{
    char *end;
    double v = strtod(c->value, &end);
    if (end == c->value || *end || !isfinite(v) || v < 0 || v > 1)
        return tio__opt_fail(c, TIO_EVALUE, "'%s' is not a number from 0 to 1 (e.g. %s=%s)",
                             c->value, o->name, o->example);
    *(double *)(void *)((char *)c->job + o->off) = v;
    return TIO_OK;
}

static void dump_fraction(struct tio__dump *d, const struct tio__option *o,
                          const struct tio_job *j)
{
    tio__dump_printf(d, "%s=%g", o->name,
                     *(const double *)(const void *)((const char *)j + o->off));
}

static const struct tio__option rows[] = {
    {.name = "zonemode",
     .type = O_CUSTOM,
     .set = set_zonemode,
     .dump = dump_zonemode,
     .example = "strided",
     .def = "none",
     .values = "none, strided, zbd",
     .help =
         "How zonesize, zonerange and zoneskip shape the IO; zbd: writes at write pointers"},
    {.name = "zonesize",
     .type = O_SIZE,
     .off = OFF(size),
     .example = "64k",
     .help = "strided: bytes of IO in a zone before moving to the next; zbd: the zone size"},
    {.name = "zonerange",
     .type = O_SIZE,
     .off = OFF(range),
     .example = "256k",
     .def_text = "zonesize",
     .help = "strided: the size of a zone; random IO stays in the current one"},
    {.name = "zoneskip",
     .type = O_CUSTOM,
     .set = set_zoneskip,
     .dump = dump_zoneskip,
     .example = "1m",
     .def_text = "0",
     .values = "size, or a number of zones (2z)",
     .help = "Bytes skipped after each zone's zonesize bytes of IO (sequential IO)"},
    {.name = "zonecapacity",
     .type = O_SIZE,
     .off = OFF(capacity),
     .example = "48m",
     .def_text = "zonesize",
     .help = "zbd, emulated zones: the bytes of a zone that can be written"},
    {.name = "read_beyond_wp",
     .type = O_BOOL,
     .off = OFF(read_beyond_wp),
     .example = "1",
     .help = "zbd: reads may go past a zone's write pointer"},
    {.name = "max_open_zones",
     .type = O_UINT,
     .off = OFF(max_open),
     .max = 4096,
     .example = "8",
     .help = "zbd: zones written at once per file, over all jobs (0: no limit)"},
    {.name = "job_max_open_zones",
     .type = O_UINT,
     .off = OFF(job_max_open),
     .max = 4096,
     .example = "2",
     .help = "zbd: zones this job writes at once (needs max_open_zones)"},
    {.name = "ignore_zone_limits",
     .type = O_BOOL,
     .off = OFF(ignore_limits),
     .example = "1",
     .help = "zbd: max_open_zones may exceed the device's limit"},
    {.name = "zone_reset_threshold",
     .type = O_CUSTOM,
     .set = set_fraction,
     .off = OFF(reset_threshold),
     .dump = dump_fraction,
     .example = "0.8",
     .def = "0",
     .values = "0 to 1",
     .help = "zbd: the share of the region written above which zones are reset"},
    {.name = "zone_reset_frequency",
     .type = O_CUSTOM,
     .set = set_fraction,
     .off = OFF(reset_frequency),
     .dump = dump_fraction,
     .example = "0.1",
     .def = "0",
     .values = "0 to 1",
     .help = "zbd: above the threshold, a zone reset every 1/N writes"},
};

TIO__FAMILY(tio__family_zones, "zones", "Zones", rows);
