/* Queueing and engine: which engine runs the job, how many IOs are in
 * flight and how they are submitted, and how the files are opened. */
#include <string.h>

#include "option.h"

#define OFF(f) TIO__OFF(queue, f)

static int set_ioengine(struct tio__optctx *c, const struct tio__option *o)
{
    (void)o;
    if (strncmp(c->value, "external:", 9) == 0 && c->value[9] == '\0')
        return tio__opt_fail(c, TIO_EVALUE,
                             "missing path after 'external:' "
                             "(write ioengine=external:/absolute/path/engine.so)");
    return tio__opt_set_string(c, &c->job->queue.ioengine, c->value);
}

static int set_buffered(struct tio__optctx *c, const struct tio__option *o)
{
    bool b = true;
    int rc;

    (void)o;
    rc = tio__opt_bool(c, &b);
    if (rc == TIO_OK)
        c->job->queue.direct = !b;
    return rc;
}

static const struct tio__enumval sync_values[] = {
    {"none", TIO_SYNC_NONE, NULL},   {"0", TIO_SYNC_NONE, NULL},
    {"sync", TIO_SYNC_SYNC, NULL},   {"1", TIO_SYNC_SYNC, NULL},
    {"dsync", TIO_SYNC_DSYNC, NULL},
};

static int set_sync(struct tio__optctx *c, const struct tio__option *o)
{
    int v = 0, rc;

    (void)o;
    rc = tio__opt_pick(c, c->value, sync_values, TIO__ARRAY_LEN(sync_values), "sync mode",
                       "none, sync or dsync", &v);
    if (rc == TIO_OK)
        c->job->queue.sync = (enum tio_sync)v;
    return rc;
}

static void dump_sync(struct tio__dump *d, const struct tio__option *o, const struct tio_job *j)
{
    tio__dump_str(d, o->name,
                  j->queue.sync == TIO_SYNC_SYNC    ? "sync"
                  : j->queue.sync == TIO_SYNC_DSYNC ? "dsync"
                                                    : "none");
}

static const struct tio__enumval submit_values[] = {
    {"inline", 0, NULL},
    {"offload", 1, NULL},
};

static int set_submit_mode(struct tio__optctx *c, const struct tio__option *o)
{
    int v = 0, rc;

    (void)o;
    rc = tio__opt_pick(c, c->value, submit_values, TIO__ARRAY_LEN(submit_values), "submit mode",
                       "inline or offload", &v);
    if (rc == TIO_OK)
        c->job->queue.offload = v == 1;
    return rc;
}

static void dump_submit_mode(struct tio__dump *d, const struct tio__option *o,
                             const struct tio_job *j)
{
    tio__dump_str(d, o->name, j->queue.offload ? "offload" : "inline");
}

static const struct tio__option rows[] = {
    {.name = "ioengine",
     .type = O_CUSTOM,
     .off = OFF(ioengine),
     .set = set_ioengine,
     .dump = tio__dump_field_str,
     .example = "psync",
     .def = "psync",
     .values = "engine name, or external:/absolute/path.so",
     .help = "IO engine that does the job's IO"},
    {.name = "iodepth",
     .type = O_UINT,
     .off = OFF(iodepth),
     .min = 1,
     .max = 65536,
     .example = "32",
     .def = "1",
     .help = "Number of IOs to keep in flight"},
    {.name = "iodepth_batch",
     .alias = "iodepth_batch_submit",
     .type = O_UINT,
     .off = OFF(iodepth_batch),
     .max = 65536,
     .example = "8",
     .def = "1",
     .help = "Number of IOs to submit at once"},
    {.name = "iodepth_batch_complete_max",
     .type = O_UINT,
     .off = OFF(iodepth_batch_complete_max),
     .max = 65536,
     .example = "8",
     .def_text = "iodepth",
     .status = TIO__DIFFERS,
     .help = "Most completions to reap at once"},
    {.name = "iodepth_batch_complete_min",
     .alias = "iodepth_batch_complete",
     .type = O_UINT,
     .off = OFF(iodepth_batch_complete_min),
     .max = 65536,
     .example = "1",
     .def = "1",
     .help = "Fewest completions to wait for at once"},
    {.name = "iodepth_low",
     .type = O_UINT,
     .off = OFF(iodepth_low),
     .max = 65536,
     .example = "16",
     .def_text = "iodepth",
     .help = "Queue depth a full queue drains to before it is filled again"},
    {.name = "io_submit_mode",
     .type = O_CUSTOM,
     .set = set_submit_mode,
     .dump = dump_submit_mode,
     .example = "offload",
     .def_text = "inline",
     .values = "inline or offload",
     .help = "Who submits IO: the job's thread (inline) or a pool of iodepth threads"},
    {.name = "serialize_overlap",
     .type = O_BOOL,
     .off = OFF(serialize_overlap),
     .example = "1",
     .help = "Keep overlapping IOs from being in flight at the same time"},
    {.name = "direct",
     .type = O_BOOL,
     .off = OFF(direct),
     .example = "1",
     .help = "Open the files with O_DIRECT (no page cache)"},
    {.name = "buffered",
     .type = O_CUSTOM,
     .set = set_buffered,
     .dump = tio__dump_nothing,
     .example = "1",
     .def_text = "1",
     .values = "bool (0 or 1; bare means 1)",
     .bare_ok = true,
     .help = "Use the page cache (the opposite of direct)"},
    {.name = "sync",
     .type = O_CUSTOM,
     .set = set_sync,
     .dump = dump_sync,
     .example = "dsync",
     .def_text = "none",
     .values = "none (0), sync (1) or dsync",
     .help = "Open the files for synchronous writes (O_SYNC, O_DSYNC)"},
    {.name = "thread",
     .type = O_FLAG,
     .off = OFF(thread),
     .example = "1",
     .status = TIO__DIFFERS,
     .help = "Run the job in a thread instead of a process"},
};

TIO__FAMILY(tio__family_queue, "queue", "Engine and queue", rows);
