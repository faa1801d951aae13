/* Logs: fio's per-job bandwidth, IOPS, latency and latency-histogram logs,
 * how they are averaged, what their lines carry and how they are stored.
 * What the logs hold and how they are written is io/core/log*.c's. */
#include <limits.h>

#include "option.h"

#define OFF(f) TIO__OFF(logs, f)
#define LOG_NAME_OFF(k) OFF(names[k])

/* write_bw_log[=NAME] and its kin: the log is on; NAME (fio: empty too)
 * replaces the job's name in the file name. */
static int set_log(struct tio__optctx *c, const struct tio__option *o)
{
    size_t k = (o->off - LOG_NAME_OFF(0)) / sizeof(char *);
    char **name = &c->job->logs.names[k];
    int rc;

    if (c->value && *c->value) {
        rc = tio__opt_set_string(c, name, c->value);
        if (rc)
            return rc;
    } else {
        tio__free(c->a, *name);
        *name = NULL;
    }
    c->job->logs.on[k] = true;
    return TIO_OK;
}

static void dump_log(struct tio__dump *d, const struct tio__option *o, const struct tio_job *j)
{
    size_t k = (o->off - LOG_NAME_OFF(0)) / sizeof(char *);

    if (!j->logs.on[k])
        tio__dump_str(d, o->name, "off");
    else
        tio__dump_printf(d, "%s=on:%s", o->name, j->logs.names[k] ? j->logs.names[k] : "");
}

/* fio 3.33's log_max_value is a bool; fio 3.37's log_window_value (with
 * log_max_value as its alias) names avg or max, or both: lines with a
 * second value, the window's maximum after its mean. */
static const struct tio__enumval window_values[] = {
    {"0", TIO_LOG_WINDOW_AVG, NULL},     {"avg", TIO_LOG_WINDOW_AVG, NULL},
    {"false", TIO_LOG_WINDOW_AVG, NULL}, {"1", TIO_LOG_WINDOW_MAX, NULL},
    {"max", TIO_LOG_WINDOW_MAX, NULL},   {"true", TIO_LOG_WINDOW_MAX, NULL},
    {"both", TIO_LOG_WINDOW_BOTH, NULL},
};

static int set_window_value(struct tio__optctx *c, const struct tio__option *o)
{
    int v = TIO_LOG_WINDOW_MAX, rc = TIO_OK;

    (void)o;
    if (c->value)
        rc = tio__opt_pick(c, c->value, window_values, TIO__ARRAY_LEN(window_values),
                           "log window value", "avg (0), max (1) or both", &v);
    if (rc == TIO_OK)
        c->job->logs.window_value = (unsigned)v;
    return rc;
}

static void dump_window_value(struct tio__dump *d, const struct tio__option *o,
                              const struct tio_job *j)
{
    static const char *const names[] = {"avg", "max", "both"};
    tio__dump_str(d, o->name, names[j->logs.window_value]);
}

/* write_bw_log, write_lat_log, ...: one row each, alike but for the log
 * they name and their help. */
#define LOG_ROW(opt, log, text)                                                         \
    {                                                                                   \
        .name = opt, .type = O_CUSTOM, .off = LOG_NAME_OFF(log), .set = set_log,        \
        .dump = dump_log, .example = "name", .def_text = "off",                         \
        .values = "a file name prefix", .bare_ok = true, .empty_ok = true, .help = text \
    }

static const struct tio__option rows[] = {
    LOG_ROW("write_bw_log", TIO_LOG_BW, "Write a bandwidth log (NAME_bw.N.log)"),
    LOG_ROW("write_lat_log", TIO_LOG_LAT,
            "Write latency logs (NAME_lat, NAME_slat, NAME_clat .N.log)"),
    LOG_ROW("write_iops_log", TIO_LOG_IOPS, "Write an IOPS log (NAME_iops.N.log)"),
    LOG_ROW("write_hist_log", TIO_LOG_HIST,
            "Write a completion latency histogram log (NAME_clat_hist.N.log)"),
    {.name = "log_avg_msec",
     .type = O_UINT,
     .off = OFF(avg_msec),
     .max = UINT_MAX,
     .example = "1000",
     .help = "Average the bw, IOPS and latency logs over this many ms"},
    {.name = "log_hist_msec",
     .type = O_UINT,
     .off = OFF(hist_msec),
     .max = UINT_MAX,
     .example = "1000",
     .help = "Log a latency histogram every this many ms"},
    {.name = "log_hist_coarseness",
     .type = O_UINT,
     .off = OFF(hist_coarseness),
     .max = 6,
     .example = "2",
     .help = "Halve the histogram log's bins this many times"},
    {.name = "log_window_value",
     .alias = "log_max_value",
     .type = O_CUSTOM,
     .off = OFF(window_value),
     .set = set_window_value,
     .dump = dump_window_value,
     .example = "max",
     .def_text = "avg",
     .values = "avg (0), max (1) or both",
     .bare_ok = true,
     .help = "Log each window's average, maximum, or both"},
    {.name = "log_offset",
     .type = O_BOOL,
     .off = OFF(offset),
     .example = "1",
     .help = "Add each IO's offset to the log lines"},
    {.name = "log_prio",
     .type = O_BOOL,
     .off = OFF(prio),
     .example = "1",
     .help = "Log the IO priority value instead of the RT class flag"},
    {.name = "log_issue_time",
     .type = O_BOOL,
     .off = OFF(issue_time),
     .example = "1",
     .help = "Add each IO's issue time to the latency logs' lines (fio 3.38)"},
    {.name = "log_unix_epoch",
     .type = O_BOOL,
     .off = OFF(unix_epoch),
     .example = "1",
     .help = "Log times as ms since the Unix epoch (with the clock below)"},
    {.name = "log_alternate_epoch",
     .type = O_BOOL,
     .off = OFF(alternate_epoch),
     .example = "1",
     .help = "Log times as ms since the epoch of log_alternate_epoch_clock_id"},
    {.name = "log_alternate_epoch_clock_id",
     .type = O_UINT,
     .off = OFF(epoch_clock_id),
     .max = INT_MAX,
     .example = "1",
     .def_text = "0 (CLOCK_REALTIME)",
     .help = "The clock_gettime clock of log_unix_epoch and log_alternate_epoch"},
    {.name = "per_job_logs",
     .type = O_BOOL,
     .off = OFF(per_job),
     .example = "0",
     .def = "1",
     .help = "Number each job's log files (0: same-named jobs share them)"},
    {.name = "log_compression",
     .type = O_U64,
     .off = OFF(compression),
     .min = 1024,
     .max = 512u << 20,
     .example = "1m",
     .def_text = "0 (none)",
     .help = "Keep the logs zlib-compressed in chunks of this size"},
    {.name = "log_store_compressed",
     .type = O_BOOL,
     .off = OFF(store_compressed),
     .example = "1",
     .help = "Store the logs compressed (.log.fz; see --inflate-log)"},
};

TIO__FAMILY(tio__family_logs, "logs", "Logs", rows);
