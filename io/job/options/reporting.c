/* Reporting and units: how sizes are read and results are shown. */
#include "option.h"

#define OFF(f) TIO__OFF(reporting, f)

static const struct tio__enumval kb_base_values[] = {
    {"1024", 1024, NULL},
    {"1000", 1000, NULL},
};

static int set_kb_base(struct tio__optctx *c, const struct tio__option *o)
{
    int v = 0, rc;

    (void)o;
    rc = tio__opt_pick(c, c->value, kb_base_values, TIO__ARRAY_LEN(kb_base_values), "kb_base",
                       "1024 or 1000", &v);
    if (rc == TIO_OK)
        c->job->reporting.kb_base = (unsigned)v;
    return rc;
}

static const struct tio__enumval unit_base_values[] = {
    {"0", 0, NULL},
    {"8", 8, NULL},
    {"1", 1, "reports in bits are not implemented yet"},
};

static int set_unit_base(struct tio__optctx *c, const struct tio__option *o)
{
    int v = 0, rc;

    (void)o;
    rc = tio__opt_pick(c, c->value, unit_base_values, TIO__ARRAY_LEN(unit_base_values),
                       "unit_base", "0 (auto) or 8 (bytes)", &v);
    if (rc == TIO_OK)
        c->job->reporting.unit_base = (unsigned)v;
    return rc;
}

static const struct tio__option rows[] = {
    {.name = "group_reporting", .type = O_FLAG, .off = OFF(group_reporting), .example = "1",
     .help = "Report each group of jobs as one"},
    {.name = "kb_base", .type = O_CUSTOM, .off = OFF(kb_base), .set = set_kb_base,
     .dump = tio__dump_field_uint, .example = "1000", .def = "1024", .values = "1024 or 1000",
     .early = true, .help = "What k, m, g... multiply by"},
    {.name = "unit_base", .type = O_CUSTOM, .off = OFF(unit_base), .set = set_unit_base,
     .dump = tio__dump_field_uint, .example = "8", .def_text = "0", .values = "0 (auto) or 8 (bytes); 1 is refused",
     .early = true, .status = TIO__REFUSED_VALUE, .help = "Report in bytes or bits"},
};

TIO__FAMILY(tio__family_reporting, "reporting", "Reporting and units", rows);
