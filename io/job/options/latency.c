/* Latency limits: a job fails when an IO takes longer than max_latency, or
 * searches for the deepest queue that keeps latency_percentile of its IOs
 * under latency_target (fio's latency profile options). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "option.h"

#define OFF(f) TIO__OFF(latency, f)

static int one_us(struct tio__optctx *c, const char *s, uint64_t *out)
{
    char why[160];
    int rc = tio_parse_time(s, TIO_USEC, out, why, sizeof(why));
    return rc ? tio__opt_fail(c, rc, "%s", why) : TIO_OK;
}

/* One part of max_latency: an empty one is refused here, not skipped. */
static int one_max(struct tio__optctx *c, const char *part, const struct tio__ddir_form *f,
                   void *out)
{
    (void)f;
    if (!*part)
        return tio__opt_fail(c, TIO_EVALUE, "'' is not a time");
    return one_us(c, part, out);
}

/* max_latency=R[,W[,T]]: as bs, one value serves every direction, two
 * serve reads and writes (trims take the writes'). A bare number is in
 * microseconds, as fio. */
static int set_max(struct tio__optctx *c, const struct tio__option *o)
{
    static const struct tio__ddir_form form = {.what = "time",
                                               .size = sizeof(uint64_t),
                                               .ndirs = TIO_JOB_DDIR_COUNT};
    (void)o;
    return tio__opt_per_ddir(c, c->value, one_max, c->job->latency.max, &form, NULL);
}

static int set_time_us(struct tio__optctx *c, const struct tio__option *o)
{
    return one_us(c, c->value, (uint64_t *)(void *)((char *)c->job + o->off));
}

static int set_percentile(struct tio__optctx *c, const struct tio__option *o)
{
    char *end;
    (void)o;
    double v = strtod(c->value, &end);
    if (end == c->value || (*end && strcmp(end, "%") != 0) || !isfinite(v) || v < 0 || v > 100)
        return tio__opt_fail(c, TIO_EVALUE,
                             "'%s' is not a percentage (give a number from 0 to 100)",
                             c->value);
    c->job->latency.percentile = v;
    return TIO_OK;
}

static void dump_max(struct tio__dump *d, const struct tio__option *o, const struct tio_job *j)
{
    tio__dump_ddir(d, o->name, j->latency.max);
}

static void dump_us(struct tio__dump *d, const struct tio__option *o, const struct tio_job *j)
{
    tio__dump_u64(d, o->name, *(const uint64_t *)(const void *)((const char *)j + o->off),
                  "us");
}

static void dump_percentile(struct tio__dump *d, const struct tio__option *o,
                            const struct tio_job *j)
{
    tio__dump_printf(d, "%s=%.2f", o->name, j->latency.percentile);
}

static const struct tio__option rows[] = {
    {.name = "max_latency",
     .type = O_CUSTOM,
     .set = set_max,
     .off = OFF(max),
     .dump = dump_max,
     .example = "10ms",
     .def = "0",
     .values = "time (bare: microseconds), or read,write,trim times",
     .help = "Fail the job (ETIMEDOUT) when an IO takes longer than this"},
    {.name = "latency_target",
     .type = O_CUSTOM,
     .set = set_time_us,
     .off = OFF(target),
     .dump = dump_us,
     .example = "2ms",
     .def = "0",
     .values = "time (bare: microseconds)",
     .help = "Find the deepest queue that keeps IOs under this latency"},
    {.name = "latency_window",
     .type = O_CUSTOM,
     .set = set_time_us,
     .off = OFF(window),
     .dump = dump_us,
     .example = "1s",
     .def = "0",
     .values = "time (bare: microseconds)",
     .help = "How long each queue depth is tried for latency_target"},
    {.name = "latency_percentile",
     .type = O_CUSTOM,
     .set = set_percentile,
     .off = OFF(percentile),
     .dump = dump_percentile,
     .example = "99.9",
     .def = "100",
     .values = "0 to 100",
     .help = "The share of IOs that must meet latency_target in a window"},
    {.name = "latency_run",
     .type = O_BOOL,
     .off = OFF(run),
     .example = "1",
     .def = "0",
     .help = "Keep adjusting the queue depth for latency_target, never settle"},
};

TIO__FAMILY(tio__family_latency, "latency", "Latency limits", rows);
