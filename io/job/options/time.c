/* Time: how long a job runs, when it starts, and how often it reads the
 * clock. */
#include "option.h"

#define OFF(f) TIO__OFF(time, f)

static int set_startdelay(struct tio__optctx *c, const struct tio__option *o)
{
    (void)o;
    return tio__opt_range(c, tio__opt_one_time, &c->job->time.startdelay,
                          &c->job->time.startdelay_max);
}

static void dump_startdelay(struct tio__dump *d, const struct tio__option *o,
                            const struct tio_job *j)
{
    tio__dump_u64(d, o->name, j->time.startdelay, "us");
    tio__dump_u64(d, "startdelay_max", j->time.startdelay_max, "us");
}

static const struct tio__option rows[] = {
    {.name = "runtime",
     .alias = "timeout",
     .type = O_TIME,
     .off = OFF(runtime),
     .example = "60s",
     .def_text = "0 (until done)",
     .help = "Stop the job after this long"},
    {.name = "time_based",
     .type = O_FLAG,
     .off = OFF(time_based),
     .example = "1",
     .help = "Run for the whole runtime, repeating the IO as needed"},
    {.name = "ramp_time",
     .type = O_TIME,
     .off = OFF(ramp_time),
     .example = "5s",
     .help = "Run this long before counting statistics"},
    {.name = "startdelay",
     .type = O_CUSTOM,
     .set = set_startdelay,
     .dump = dump_startdelay,
     .example = "5s",
     .def_text = "0",
     .values = "time, or a range low-high",
     .help = "Wait this long (or a random time in the range) before starting"},
    {.name = "gtod_reduce",
     .type = O_BOOL,
     .off = OFF(gtod_reduce),
     .example = "1",
     .help = "Read the clock rarely: no latencies or bandwidth samples"},
};

TIO__FAMILY(tio__family_time, "time", "Time", rows);
