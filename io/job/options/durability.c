/* Syncs and file handling: when the job syncs its files, and how it
 * creates, lays out, drops from the cache and removes them. */
#include <limits.h>
#include <string.h>

#include "option.h"

#define OFF(f) TIO__OFF(durability, f)

/* unlink_each_loop needs the files closed, removed and created again
 * between loops, which tenon-io's workers do not do yet: only its default
 * (0) is accepted. */
static int set_unlink_each_loop(struct tio__optctx *c, const struct tio__option *o)
{
    bool b = true;
    int rc;

    (void)o;
    rc = tio__opt_bool(c, &b);
    if (rc)
        return rc;
    if (b)
        return tio__opt_fail(c, TIO_EUNSUPPORTED,
                             "fio's unlink_each_loop=1 is not supported by "
                             "tenon-io yet (it would remove and re-create the files between "
                             "loops; use unlink=1 to remove them when the job ends)");
    c->job->durability.unlink_each_loop = false;
    return TIO_OK;
}

static void dump_unlink_each_loop(struct tio__dump *d, const struct tio__option *o,
                                  const struct tio_job *j)
{
    tio__dump_bool(d, o->name, j->durability.unlink_each_loop);
}

static const struct tio__enumval fadvise_values[] = {
    {"0", TIO_FADVISE_NONE, NULL},
    {"1", TIO_FADVISE_TYPE, NULL},
    {"random", TIO_FADVISE_RANDOM, NULL},
    {"sequential", TIO_FADVISE_SEQUENTIAL, NULL},
};

static int set_fadvise(struct tio__optctx *c, const struct tio__option *o)
{
    int v = 0, rc;

    (void)o;
    rc = tio__opt_pick(c, c->value, fadvise_values, TIO__ARRAY_LEN(fadvise_values),
                       "fadvise hint", "0, 1, random or sequential", &v);
    if (rc == TIO_OK)
        c->job->durability.fadvise = (enum tio_fadvise)v;
    return rc;
}

static void dump_fadvise(struct tio__dump *d, const struct tio__option *o,
                         const struct tio_job *j)
{
    tio__dump_str(d, o->name, fadvise_values[j->durability.fadvise].name);
}

/* fcntl(2)'s RWH_WRITE_LIFE_NONE..EXTREME are 1..5, in this order. */
static const struct tio__enumval write_hint_values[] = {
    {"none", 1, NULL}, {"short", 2, NULL},   {"medium", 3, NULL},
    {"long", 4, NULL}, {"extreme", 5, NULL},
};

static int set_write_hint(struct tio__optctx *c, const struct tio__option *o)
{
    int v = 0, rc;

    (void)o;
    rc = tio__opt_pick(c, c->value, write_hint_values, TIO__ARRAY_LEN(write_hint_values),
                       "write hint", "none, short, medium, long or extreme", &v);
    if (rc == TIO_OK)
        c->job->durability.write_hint = (unsigned)v;
    return rc;
}

static void dump_write_hint(struct tio__dump *d, const struct tio__option *o,
                            const struct tio_job *j)
{
    unsigned h = j->durability.write_hint;
    tio__dump_str(d, o->name, h ? write_hint_values[h - 1].name : "unset");
}

/* sync_file_range(2)'s SYNC_FILE_RANGE_WAIT_BEFORE, _WRITE, _WAIT_AFTER. */
static const struct tio__enumval sfr_values[] = {
    {"wait_before", 1, NULL},
    {"write", 2, NULL},
    {"wait_after", 4, NULL},
};

/* fio's FLAG[,FLAG...][:N]: the flags are or-ed; each part sets N, to its
 * ":N" or to 1 without one, so the last part's decides (as fio parses it). */
static int set_sfr(struct tio__optctx *c, const struct tio__option *o)
{
    static const char choices[] = "wait_before, write or wait_after, joined by ',', "
                                  "then :N for every N writes (write:8)";
    unsigned flags = 0, every = 1;
    const char *p = c->value;

    (void)o;
    for (;;) {
        size_t n = strcspn(p, ",:");
        char word[32], why[160];
        int v = 0, rc;
        snprintf(word, sizeof(word), "%.*s", n < sizeof(word) ? (int)n : 31, p);
        rc = tio__opt_pick(c, word, sfr_values, TIO__ARRAY_LEN(sfr_values),
                           "sync_file_range flag", choices, &v);
        if (rc)
            return rc;
        flags |= (unsigned)v;
        every = 1;
        p += n;
        if (*p == ':') {
            size_t m = strcspn(p + 1, ",");
            char num[32];
            uint64_t nr = 0;
            snprintf(num, sizeof(num), "%.*s", m < sizeof(num) ? (int)m : 31, p + 1);
            if (tio_parse_uint(num, 1000, 0, UINT_MAX, &nr, why, sizeof(why)))
                return tio__opt_fail(c, TIO_EVALUE,
                                     "'%s' after ':' is not a number of writes (%s)", num,
                                     choices);
            every = (unsigned)nr;
            p += 1 + m;
        }
        if (*p == '\0')
            break;
        p++;
    }
    c->job->durability.sfr_flags = flags;
    c->job->durability.sfr_every = every;
    return TIO_OK;
}

static void dump_sfr(struct tio__dump *d, const struct tio__option *o, const struct tio_job *j)
{
    const struct tio_job_durability *du = &j->durability;
    char flags[64] = "";
    for (size_t i = 0; i < TIO__ARRAY_LEN(sfr_values); i++)
        if (du->sfr_flags & (unsigned)sfr_values[i].value)
            snprintf(flags + strlen(flags), sizeof(flags) - strlen(flags), "%s%s",
                     *flags ? "," : "", sfr_values[i].name);
    if (!du->sfr_flags)
        tio__dump_str(d, o->name, "unset");
    else
        tio__dump_printf(d, "%s=%s:%u", o->name, flags, du->sfr_every);
}

static const struct tio__option rows[] = {
    {.name = "fsync",
     .type = O_UINT,
     .off = OFF(fsync),
     .max = UINT_MAX,
     .example = "32",
     .help = "fsync the file every N writes"},
    {.name = "fdatasync",
     .type = O_UINT,
     .off = OFF(fdatasync),
     .max = UINT_MAX,
     .example = "32",
     .help = "fdatasync the file every N writes"},
    {.name = "sync_file_range",
     .type = O_CUSTOM,
     .set = set_sfr,
     .dump = dump_sfr,
     .example = "wait_before,write:8",
     .def_text = "none",
     .values = "wait_before, write, wait_after joined by ',', then :N",
     .status = TIO__DIFFERS,
     .help = "sync_file_range(2) the range written since the last one, every N writes"},
    {.name = "end_fsync",
     .type = O_BOOL,
     .off = OFF(end_fsync),
     .example = "1",
     .help = "Sync a written file when each loop ends"},
    {.name = "fsync_on_close",
     .type = O_BOOL,
     .off = OFF(fsync_on_close),
     .example = "1",
     .status = TIO__DIFFERS,
     .help = "Sync a written file when it is closed"},
    {.name = "invalidate",
     .type = O_BOOL,
     .off = OFF(invalidate),
     .example = "1",
     .def = "1",
     .help = "Drop the files' cached pages before the IO"},
    {.name = "overwrite",
     .type = O_BOOL,
     .off = OFF(overwrite),
     .example = "1",
     .status = TIO__DIFFERS,
     .help = "Lay a written file out with data before the IO"},
    {.name = "create_on_open",
     .type = O_BOOL,
     .off = OFF(create_on_open),
     .example = "1",
     .help = "Create the files when they are opened, not laid out first"},
    {.name = "create_fsync",
     .type = O_BOOL,
     .off = OFF(create_fsync),
     .example = "0",
     .def = "1",
     .help = "fsync a file after laying it out"},
    {.name = "create_only",
     .type = O_BOOL,
     .off = OFF(create_only),
     .example = "1",
     .help = "Only lay the files out; do no IO"},
    {.name = "pre_read",
     .type = O_BOOL,
     .off = OFF(pre_read),
     .example = "1",
     .help = "Read the files into the page cache before the IO (turns invalidate off)"},
    {.name = "fadvise_hint",
     .type = O_CUSTOM,
     .set = set_fadvise,
     .dump = dump_fadvise,
     .example = "random",
     .def = "1",
     .values = "0, 1 (from rw=), random or sequential",
     .help = "posix_fadvise(2) advice given for each file"},
    {.name = "write_hint",
     .type = O_CUSTOM,
     .set = set_write_hint,
     .dump = dump_write_hint,
     .example = "short",
     .def_text = "none given",
     .values = "none, short, medium, long or extreme",
     .help = "Expected life time of the data written (fcntl F_SET_RW_HINT)"},
    {.name = "allow_file_create",
     .type = O_BOOL,
     .off = OFF(allow_file_create),
     .example = "1",
     .def = "1",
     .help = "Files that do not exist may be created"},
    {.name = "allow_mounted_write",
     .type = O_BOOL,
     .off = OFF(allow_mounted_write),
     .example = "1",
     .status = TIO__DIFFERS,
     .help = "Consent to write a block device (a mounted one never is)"},
    {.name = "unlink",
     .type = O_BOOL,
     .off = OFF(unlink),
     .example = "1",
     .help = "Remove the job's files when it ends"},
    {.name = "unlink_each_loop",
     .type = O_CUSTOM,
     .set = set_unlink_each_loop,
     .dump = dump_unlink_each_loop,
     .example = "0",
     .def_text = "0",
     .values = "0 (1 is refused)",
     .bare_ok = true,
     .status = TIO__REFUSED_VALUE,
     .help = "Remove and re-create the files between loops"},
};

TIO__FAMILY(tio__family_durability, "durability", "Syncs and file handling", rows);
