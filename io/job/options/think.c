/* Think time: the job stalls between IOs, as an application that works on
 * what it read before asking for more (fio's thinktime family). */
#include <limits.h>
#include <stdbool.h>

#include "option.h"

#define OFF(f) TIO__OFF(think, f)

/* thinktime and thinktime_spin: a bare number is in microseconds, as fio. */
static int set_us(struct tio__optctx *c, const struct tio__option *o)
{
    char why[160];
    uint64_t v;
    int rc = tio_parse_time(c->value, TIO_USEC, &v, why, sizeof(why));
    if (rc)
        return tio__opt_fail(c, rc, "%s", why);
    /* fio keeps these in an int of microseconds */
    if (v > INT_MAX)
        return tio__opt_fail(c, TIO_ERANGE, "%s is longer than %d us (about 35 minutes)",
                             c->value, INT_MAX);
    *(uint64_t *)(void *)((char *)c->job + o->off) = v;
    return TIO_OK;
}

static int set_blocks(struct tio__optctx *c, const struct tio__option *o)
{
    char why[160];
    uint64_t v;
    (void)o;
    int rc = tio_parse_uint(c->value, 1000, 1, UINT_MAX, &v, why, sizeof(why));
    if (rc)
        return tio__opt_fail(c, rc, "%s", why);
    c->job->think.blocks = (unsigned)v;
    c->job->think.blocks_given = !c->is_default;
    return TIO_OK;
}

static int set_blocks_type(struct tio__optctx *c, const struct tio__option *o)
{
    static const struct tio__enumval vals[] = {
        {"complete", 0, NULL},
        {"issue", 1, NULL},
    };
    int v = 0;
    (void)o;
    int rc = tio__opt_pick(c, c->value, vals, TIO__ARRAY_LEN(vals), "thinktime blocks type",
                           "complete, issue", &v);
    if (rc == TIO_OK)
        c->job->think.blocks_issue = v == 1;
    return rc;
}

static void dump_us(struct tio__dump *d, const struct tio__option *o, const struct tio_job *j)
{
    tio__dump_u64(d, o->name, *(const uint64_t *)(const void *)((const char *)j + o->off),
                  "us");
}

static void dump_blocks_type(struct tio__dump *d, const struct tio__option *o,
                             const struct tio_job *j)
{
    tio__dump_str(d, o->name, j->think.blocks_issue ? "issue" : "complete");
}

static const struct tio__option rows[] = {
    {.name = "thinktime",
     .type = O_CUSTOM,
     .set = set_us,
     .off = OFF(thinktime),
     .dump = dump_us,
     .example = "100",
     .def = "0",
     .values = "time (bare: microseconds)",
     .help = "Stall this long after thinktime_blocks IOs, with nothing in flight"},
    {.name = "thinktime_spin",
     .type = O_CUSTOM,
     .set = set_us,
     .off = OFF(spin),
     .dump = dump_us,
     .example = "50",
     .def = "0",
     .values = "time (bare: microseconds)",
     .help = "Spend this much of each stall spinning on the CPU, the rest asleep"},
    {.name = "thinktime_blocks",
     .type = O_CUSTOM,
     .set = set_blocks,
     .off = OFF(blocks),
     .dump = tio__dump_field_uint,
     .example = "8",
     .def = "1",
     .values = "integer 1..4294967295",
     .help = "Stall after this many IOs (completed, or issued: thinktime_blocks_type)"},
    {.name = "thinktime_blocks_type",
     .type = O_CUSTOM,
     .set = set_blocks_type,
     .off = OFF(blocks_issue),
     .dump = dump_blocks_type,
     .example = "issue",
     .def_text = "complete",
     .values = "complete, issue",
     .help = "Count thinktime_blocks as IOs complete, or as they are issued"},
    {.name = "thinktime_iotime",
     .type = O_TIME,
     .off = OFF(iotime),
     .example = "9s",
     .def = "0",
     .help = "Stall after this much time doing IO (or thinktime_blocks IOs, if first)"},
    {.name = "rate_ignore_thinktime",
     .type = O_BOOL,
     .off = OFF(rate_ignore),
     .example = "1",
     .def = "0",
     .help = "A rate-capped job does not catch up on the IO it missed while stalled"},
};

TIO__FAMILY(tio__family_think, "think", "Think time", rows);
