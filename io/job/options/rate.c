/* Rate control: how fast a job may issue IO, per direction. */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "option.h"

#define OFF(f) TIO__OFF(rate, f)

/* One part of "r[,w[,t]]": a size in bytes (rate). */
static int one_bytes(struct tio__optctx *c, const char *part, const struct tio__ddir_form *f,
                     void *out)
{
    char why[160];
    (void)f;
    int rc = tio_parse_size(part, c->job->reporting.kb_base, out, why, sizeof(why));
    return rc ? tio__opt_fail(c, rc, "%s", why) : TIO_OK;
}

/* One part of "r[,w[,t]]": a plain count (rate_iops). */
static int one_count(struct tio__optctx *c, const char *part, const struct tio__ddir_form *f,
                     void *out)
{
    char *end;
    (void)f;
    if (!isdigit((unsigned char)part[0]))
        return tio__opt_fail(c, TIO_EVALUE,
                             "'%s' is not a number of IOs per second (write "
                             "%s=100, or %s=100,50 for reads,writes)",
                             part, c->key, c->key);
    unsigned long long v = strtoull(part, &end, 10);
    if (*end)
        return tio__opt_fail(c, TIO_EVALUE,
                             "'%s' is not a number of IOs per second: write "
                             "it as a plain integer, without a unit",
                             part);
    *(uint64_t *)out = v;
    return TIO_OK;
}

/* fio's per-direction form, as its HOWTO gives it for bs: one value sets
 * all three directions; with commas, an empty part leaves its direction
 * uncapped and the last value not ended by a comma serves the directions
 * after it ("rate=1m,2m" caps trims at 2m too, "rate=,500k," writes
 * only). 0 means no cap. */
static int set_per_ddir(struct tio__optctx *c, uint64_t *dst, bool bytes)
{
    static const struct tio__ddir_form form = {.what = "rate",
                                               .size = sizeof(uint64_t),
                                               .ndirs = TIO_JOB_DDIR_COUNT,
                                               .empty_skips = true};
    if (!c->value || !*c->value)
        return tio__opt_fail(c, TIO_ENOVALUE,
                             "no rate given (write %s=%s, or %s=%s,%s for "
                             "reads,writes)",
                             c->key, bytes ? "1m" : "100", c->key, bytes ? "1m" : "100",
                             bytes ? "500k" : "50");
    return tio__opt_per_ddir(c, c->value, bytes ? one_bytes : one_count, dst, &form, NULL);
}

static int set_rate(struct tio__optctx *c, const struct tio__option *o)
{
    (void)o;
    return set_per_ddir(c, c->job->rate.rate, true);
}

static int set_rate_iops(struct tio__optctx *c, const struct tio__option *o)
{
    (void)o;
    return set_per_ddir(c, c->job->rate.rate_iops, false);
}

static int set_rate_min(struct tio__optctx *c, const struct tio__option *o)
{
    (void)o;
    return set_per_ddir(c, c->job->rate.rate_min, true);
}

static int set_rate_iops_min(struct tio__optctx *c, const struct tio__option *o)
{
    (void)o;
    return set_per_ddir(c, c->job->rate.rate_iops_min, false);
}

static int set_rate_process(struct tio__optctx *c, const struct tio__option *o)
{
    static const struct tio__enumval vals[] = {
        {"linear", 0, NULL},
        {"poisson", 1, NULL},
    };
    int v = 0;
    (void)o;
    int rc = tio__opt_pick(c, c->value, vals, TIO__ARRAY_LEN(vals), "rate process",
                           "linear, poisson", &v);
    if (rc == TIO_OK)
        c->job->rate.poisson = v == 1;
    return rc;
}

static void dump_ddir(struct tio__dump *d, const struct tio__option *o, const struct tio_job *j)
{
    tio__dump_ddir(d, o->name, (const uint64_t *)(const void *)((const char *)j + o->off));
}

static void dump_rate_process(struct tio__dump *d, const struct tio__option *o,
                              const struct tio_job *j)
{
    tio__dump_str(d, o->name, j->rate.poisson ? "poisson" : "linear");
}

static const struct tio__option rows[] = {
    {.name = "rate",
     .type = O_CUSTOM,
     .set = set_rate,
     .off = OFF(rate),
     .dump = dump_ddir,
     .example = "1m",
     .def_text = "0 (no cap)",
     .values = "bytes/s, or read,write,trim rates",
     .help = "Cap the job's bandwidth, per direction"},
    {.name = "rate_iops",
     .type = O_CUSTOM,
     .set = set_rate_iops,
     .off = OFF(rate_iops),
     .dump = dump_ddir,
     .example = "100",
     .def_text = "0 (no cap)",
     .values = "IOs/s, or read,write,trim rates",
     .help = "Cap the job's IOs per second, per direction"},
    {.name = "rate_process",
     .type = O_CUSTOM,
     .set = set_rate_process,
     .off = OFF(poisson),
     .dump = dump_rate_process,
     .example = "poisson",
     .def_text = "linear",
     .values = "linear, poisson",
     .help = "Issue capped IO evenly, or as a Poisson process"},
    {.name = "rate_min",
     .alias = "ratemin",
     .type = O_CUSTOM,
     .set = set_rate_min,
     .off = OFF(rate_min),
     .dump = dump_ddir,
     .example = "1m",
     .def_text = "0 (none)",
     .values = "bytes/s, or read,write,trim rates",
     .help = "Fail the job when its bandwidth falls below this, per direction"},
    {.name = "rate_iops_min",
     .type = O_CUSTOM,
     .set = set_rate_iops_min,
     .off = OFF(rate_iops_min),
     .dump = dump_ddir,
     .example = "100",
     .def_text = "0 (none)",
     .values = "IOs/s, or read,write,trim rates",
     .help = "Fail the job when its IOs per second fall below this, per direction"},
    {.name = "rate_cycle",
     .alias = "ratecycle",
     .type = O_UINT,
     .off = OFF(rate_cycle),
     .min = 1,
     .max = UINT_MAX,
     .example = "1000",
     .def = "1000",
     .values = "milliseconds",
     .help = "Average rate_min and rate_iops_min over this many milliseconds"},
};

TIO__FAMILY(tio__family_rate, "rate", "Rate and timing", rows);
