/* Coordination between jobs: fio's flow (jobs of a flow_id group share IO
 * in proportion to their weights), flow_sleep, and wait_for (a job starts
 * once another has finished). What they do is io/core/flow.c's. */
#include <limits.h>

#include "option.h"

#define OFF(f) TIO__OFF(flow, f)

static const struct tio__option rows[] = {
    {.name = "flow_id",
     .type = O_UINT,
     .off = OFF(id),
     .min = 0,
     .max = UINT_MAX,
     .example = "1",
     .def = "0",
     .help = "The flow group this job's flow weight counts in"},
    {.name = "flow",
     .type = O_UINT,
     .off = OFF(weight),
     .min = 0,
     .max = 1000,
     .example = "2",
     .def = "0",
     .values = "integer 0..1000 (0: not in a flow group)",
     .help = "Weight of this job's share of its flow group's IO"},
    {.name = "flow_sleep",
     .type = O_UINT,
     .off = OFF(sleep_us),
     .min = 0,
     .max = UINT_MAX,
     .example = "100",
     .def = "0",
     .values = "microseconds",
     .help = "How long a job ahead of its flow share waits before it tries again"},
    {.name = "wait_for",
     .type = O_STR,
     .off = OFF(wait_for),
     .example = "writer",
     .values = "the name of a job defined before this one",
     .help = "Start once every clone of the named job has finished"},
};

TIO__FAMILY(tio__family_flow, "flow", "Coordination between jobs", rows);
