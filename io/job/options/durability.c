/* Syncs and file handling: when the job syncs its files, and how it
 * creates, lays out, drops from the cache and removes them. */
#include <limits.h>

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
