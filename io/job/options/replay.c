/* Replay and recording: fio's read_iolog and write_iolog, and the options
 * that shape a replay (where it goes, its offsets, its pace, what it
 * skips). What they do is io/core/iolog_read.c's and iolog_write.c's. */
#include <limits.h>
#include <string.h>

#include "option.h"

#define OFF(f) TIO__OFF(replay, f)

/* replay_align: fio rounds offsets down with a mask, so only a power of
 * two does what it says. */
static int set_align(struct tio__optctx *c, const struct tio__option *o)
{
    char why[160];
    uint64_t v;
    (void)o;
    int rc = tio_parse_uint(c->value, c->job->reporting.kb_base, 0, UINT_MAX, &v, why,
                            sizeof(why));
    if (rc)
        return tio__opt_fail(c, rc, "%s", why);
    if (v & (v - 1))
        return tio__opt_fail(c, TIO_EVALUE,
                             "%llu is not a power of 2 (offsets are aligned with a mask: "
                             "write replay_align=4096, or 512, ...)",
                             (unsigned long long)v);
    c->job->replay.align = (unsigned)v;
    return TIO_OK;
}

/* replay_skip=read,write,trim,sync: the kinds of IO the replay leaves out. */
static int set_skip(struct tio__optctx *c, const struct tio__option *o)
{
    static const struct tio__enumval kinds[] = {
        {"read", TIO_REPLAY_SKIP_READ, NULL},
        {"write", TIO_REPLAY_SKIP_WRITE, NULL},
        {"trim", TIO_REPLAY_SKIP_TRIM, NULL},
        {"sync", TIO_REPLAY_SKIP_SYNC, NULL},
    };
    char word[32];
    unsigned skip = 0;
    (void)o;
    for (const char *p = c->value ? c->value : ""; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len >= sizeof(word))
            len = sizeof(word) - 1;
        memcpy(word, p, len);
        word[len] = '\0';
        int v = 0;
        int rc = tio__opt_pick(c, word, kinds, TIO__ARRAY_LEN(kinds), "kind of IO to skip",
                               "read, write, trim, sync (comma-separated)", &v);
        if (rc)
            return rc;
        skip |= (unsigned)v;
        if (!comma)
            break;
        p = comma + 1;
    }
    c->job->replay.skip = skip;
    return TIO_OK;
}

static void dump_skip(struct tio__dump *d, const struct tio__option *o, const struct tio_job *j)
{
    unsigned s = j->replay.skip;
    tio__dump_printf(d, "%s=%s%s%s%s", o->name, s & TIO_REPLAY_SKIP_READ ? "read," : "",
                     s & TIO_REPLAY_SKIP_WRITE ? "write," : "",
                     s & TIO_REPLAY_SKIP_TRIM ? "trim," : "",
                     s & TIO_REPLAY_SKIP_SYNC ? "sync," : "");
}

static const struct tio__option rows[] = {
    {.name = "read_iolog",
     .type = O_STR,
     .off = OFF(read_iolog),
     .example = "job.iolog",
     .values = "an iolog file (fio's version 2 or 3 text format)",
     .help = "Replay the IO an iolog records instead of the job's own pattern",
     .status = TIO__DIFFERS},
    {.name = "write_iolog",
     .type = O_STR,
     .off = OFF(write_iolog),
     .example = "job.iolog",
     .values = "a file name (appended to)",
     .help = "Record every IO the job issues, in fio's iolog version 3 format"},
    {.name = "read_iolog_chunked",
     .type = O_BOOL,
     .off = OFF(chunked),
     .example = "1",
     .def = "0",
     .help = "Read the iolog a piece at a time as the replay goes, not all at once"},
    {.name = "replay_no_stall",
     .type = O_BOOL,
     .off = OFF(no_stall),
     .example = "1",
     .def = "0",
     .help = "Replay as fast as the IO goes, not at the pace the log records"},
    {.name = "replay_time_scale",
     .type = O_UINT,
     .off = OFF(time_scale),
     .min = 1,
     .max = UINT_MAX,
     .example = "200",
     .def = "100",
     .values = "percent of the logged pace (200: twice as fast)",
     .help = "Scale the pace of a replay"},
    {.name = "replay_redirect",
     .type = O_STR,
     .off = OFF(redirect),
     .example = "/dev/sdc",
     .values = "one of the job's files",
     .help = "Replay every logged IO onto this one file",
     .status = TIO__DIFFERS},
    {.name = "replay_align",
     .type = O_CUSTOM,
     .set = set_align,
     .off = OFF(align),
     .dump = tio__dump_field_uint,
     .example = "4096",
     .def_text = "0 (offsets as logged)",
     .values = "a power of 2, bytes",
     .help = "Align the replayed offsets down to this"},
    {.name = "replay_scale",
     .type = O_UINT,
     .off = OFF(scale),
     .min = 1,
     .max = UINT_MAX,
     .example = "2",
     .def = "1",
     .help = "Divide the replayed offsets by this"},
    {.name = "replay_skip",
     .type = O_CUSTOM,
     .set = set_skip,
     .off = OFF(skip),
     .dump = dump_skip,
     .example = "write,trim",
     .def_text = "nothing skipped",
     .values = "read, write, trim, sync (comma-separated)",
     .help = "Leave these kinds of IO out of a replay",
     .status = TIO__DIFFERS},
};

TIO__FAMILY(tio__family_replay, "replay", "Replay and recording", rows);
