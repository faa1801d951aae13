/* Reporting and units: how sizes are read and results are shown. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* fio's percentile_list: up to 20 numbers from 0 to 100 joined by ':'. */
static int set_percentile_list(struct tio__optctx *c, const struct tio__option *o)
{
    const char *s = c->value;
    unsigned n = 0;

    (void)o;
    while (*s) {
        char *end;
        double v = strtod(s, &end);

        if (end == s || (*end && *end != ':') || !(v >= 0.0 && v <= 100.0))
            return tio__opt_fail(c, TIO_EVALUE,
                                 "'%.*s' is not a percentile (write numbers from 0 to 100 "
                                 "joined by ':', such as 50:99:99.9)",
                                 (int)strcspn(s, ":"), s);
        if (n == TIO_PERCENTILE_LIST_MAX)
            return tio__opt_fail(c, TIO_ERANGE, "at most %u percentiles, as fio",
                                 TIO_PERCENTILE_LIST_MAX);
        c->job->reporting.percentile_list[n++] = v;
        s = *end ? end + 1 : end;
    }
    c->job->reporting.n_percentiles = n;
    return TIO_OK;
}

static void dump_percentile_list(struct tio__dump *d, const struct tio__option *o,
                                 const struct tio_job *j)
{
    char buf[TIO_PERCENTILE_LIST_MAX * 24] = "";
    size_t len = 0;

    (void)o;
    for (unsigned i = 0; i < j->reporting.n_percentiles && len < sizeof(buf); i++)
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%g", i ? ":" : "",
                                j->reporting.percentile_list[i]);
    tio__dump_printf(d, "percentile_list=%s", j->reporting.n_percentiles ? buf : "default");
}

static const struct tio__enumval unified_values[] = {
    {"none", 0, NULL}, {"0", 0, NULL},    {"mixed", 1, NULL},
    {"1", 1, NULL},    {"both", 2, NULL}, {"2", 2, NULL},
};

static int set_unified(struct tio__optctx *c, const struct tio__option *o)
{
    int v = 0, rc;

    (void)o;
    rc = tio__opt_pick(c, c->value, unified_values, TIO__ARRAY_LEN(unified_values),
                       "unified_rw_reporting", "none, mixed or both (0, 1, 2)", &v);
    if (rc == TIO_OK)
        c->job->reporting.unified_rw = (unsigned)v;
    return rc;
}

static void dump_unified(struct tio__dump *d, const struct tio__option *o,
                         const struct tio_job *j)
{
    static const char *const names[] = {"none", "mixed", "both"};

    (void)o;
    tio__dump_str(d, "unified_rw_reporting", names[j->reporting.unified_rw % 3]);
}

/* bwavgtime, iopsavgtime: 0 (not given) is fio's 500 ms. */
static void dump_avgtime(struct tio__dump *d, const struct tio__option *o,
                         const struct tio_job *j)
{
    unsigned v = *(const unsigned *)(const void *)((const char *)j + o->off);
    tio__dump_u64(d, o->name, v ? v : 500, "");
}

static const struct tio__option rows[] = {
    {.name = "group_reporting",
     .type = O_FLAG,
     .off = OFF(group_reporting),
     .example = "1",
     .help = "Report each group of jobs as one"},
    {.name = "unified_rw_reporting",
     .type = O_CUSTOM,
     .off = OFF(unified_rw),
     .set = set_unified,
     .dump = dump_unified,
     .example = "mixed",
     .def = "none",
     .values = "none, mixed or both (0, 1, 2)",
     .status = TIO__DIFFERS,
     .help = "Report the directions as one (mixed), or also as one (both)"},
    {.name = "clat_percentiles",
     .type = O_BOOL,
     .off = OFF(clat_percentiles),
     .example = "0",
     .def = "1",
     .help = "Report completion latency percentiles"},
    {.name = "lat_percentiles",
     .type = O_BOOL,
     .off = OFF(lat_percentiles),
     .example = "1",
     .help = "Report total latency percentiles"},
    {.name = "slat_percentiles",
     .type = O_BOOL,
     .off = OFF(slat_percentiles),
     .example = "1",
     .help = "Report submission latency percentiles"},
    {.name = "percentile_list",
     .type = O_CUSTOM,
     .off = OFF(n_percentiles),
     .set = set_percentile_list,
     .dump = dump_percentile_list,
     .example = "50:99:99.9",
     .def_text = "1:5:10:20:30:40:50:60:70:80:90:95:99:99.5:99.9:99.95:99.99",
     .values = "up to 20 percentiles joined by ':'",
     .help = "Which latency percentiles to report"},
    {.name = "kb_base",
     .type = O_CUSTOM,
     .off = OFF(kb_base),
     .set = set_kb_base,
     .dump = tio__dump_field_uint,
     .example = "1000",
     .def = "1024",
     .values = "1024 or 1000",
     .early = true,
     .help = "What k, m, g... multiply by"},
    {.name = "unit_base",
     .type = O_CUSTOM,
     .off = OFF(unit_base),
     .set = set_unit_base,
     .dump = tio__dump_field_uint,
     .example = "8",
     .def_text = "0",
     .values = "0 (auto) or 8 (bytes); 1 is refused",
     .early = true,
     .status = TIO__REFUSED_VALUE,
     .help = "Report in bytes or bits"},
    {.name = "stats",
     .type = O_BOOL,
     .off = OFF(stats),
     .example = "0",
     .def = "1",
     .status = TIO__DIFFERS,
     .help = "Show the job in the final report"},
    {.name = "disable_lat",
     .type = O_BOOL,
     .off = OFF(disable_lat),
     .example = "1",
     .status = TIO__DIFFERS,
     .help = "Measure no total latency"},
    {.name = "disable_clat",
     .type = O_BOOL,
     .off = OFF(disable_clat),
     .example = "1",
     .help = "Measure no completion latency"},
    {.name = "disable_slat",
     .type = O_BOOL,
     .off = OFF(disable_slat),
     .example = "1",
     .help = "Measure no submission latency"},
    {.name = "disable_bw_measurement",
     .alias = "disable_bw",
     .type = O_BOOL,
     .off = OFF(disable_bw),
     .example = "1",
     .help = "Measure no bandwidth per IO (only a per-IO bandwidth log has them)"},
    {.name = "significant_figures",
     .type = O_UINT,
     .off = OFF(sig_figs),
     .min = 1,
     .max = 10,
     .example = "6",
     .def = "4",
     .values = "integer 1..10",
     .help = "Significant figures of the normal report's IOPS, bandwidths and sizes"},
    {.name = "bwavgtime",
     .type = O_UINT,
     .off = OFF(bwavgtime),
     .dump = dump_avgtime,
     .min = 1,
     .max = UINT_MAX,
     .example = "1000",
     .def_text = "500",
     .values = "milliseconds, 1 or more",
     .status = TIO__DIFFERS,
     .help = "Take a bandwidth sample every this many ms"},
    {.name = "iopsavgtime",
     .type = O_UINT,
     .off = OFF(iopsavgtime),
     .dump = dump_avgtime,
     .min = 1,
     .max = UINT_MAX,
     .example = "1000",
     .def_text = "500",
     .values = "milliseconds, 1 or more",
     .status = TIO__DIFFERS,
     .help = "Take an IOPS sample every this many ms"},
};

TIO__FAMILY(tio__family_reporting, "reporting", "Reporting and units", rows);
