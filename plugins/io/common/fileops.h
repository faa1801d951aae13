/* What the metadata engines share (filecreate, filestat, filedelete,
 * dircreate, dirstat, dirdelete): each IO is one operation on its whole
 * file, by name, and its latency is that system call's. Header-only, as
 * engine_util.h, since each engine is a plugin of its own.
 *
 * fio does the operation when it opens a file for a pass and counts the
 * file's other blocks as IO without doing any; with one block per file
 * (filesize=bs, the way these engines are used) that is one operation per
 * IO, which is what tenon-io does. A file of more blocks would make
 * tenon-io do more operations than fio, so setup refuses it. */
#ifndef TIO_ENGINE_FILEOPS_H
#define TIO_ENGINE_FILEOPS_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include <tenon/plugin.h>
#include <tenon-io/engine.h>

/* One operation on name: 0 or -errno. */
typedef int (*eng_fileop_fn)(const void *engine, const char *name);

/* Syncs have nothing to flush (fio completes them at once too); every
 * other direction is the engine's operation, its result the IO's length. */
static inline int eng_fileop_queue(const void *engine, tio_io *io, eng_fileop_fn op)
{
    if (io->ddir == TIO_SYNC || io->ddir == TIO_DATASYNC) {
        io->result = 0;
        return TIO_COMPLETED;
    }
    int rc;
    do
        rc = op(engine, io->file->name);
    while (rc == -EINTR);
    io->result = rc < 0 ? rc : (int64_t)io->len;
    return TIO_COMPLETED;
}

/* Refuses a file that holds more than one IO's buffer (see above). */
static inline int eng_fileop_check(const tenon_host_api *host, const tio_setup *setup,
                                   const char *engine)
{
    tenon_plugin *self = tio_setup_plugin(setup);
    for (uint32_t i = 0; setup->files && i < setup->n_files; i++) {
        const tio_file *f = setup->files[i];
        if (f->size <= setup->buffer_size)
            continue;
        if (self)
            host->fail(self, TENON_EOPTION,
                       "%s: %llu bytes, more than one block: %s does one operation per IO, "
                       "and fio one per file with its other blocks counted but not done; "
                       "give each file one block (filesize= equal to bs=)",
                       f->name, (unsigned long long)f->size, engine);
        return -EINVAL;
    }
    return 0;
}

/* stat_type= of filestat and dirstat, as fio names its values. */
enum { ENG_STAT_STAT, ENG_STAT_LSTAT, ENG_STAT_STATX };

static inline int eng_stat_type(const tenon_host_api *host, const tenon_values *opts)
{
    const char *t = host->values_string(opts, "stat_type");
    return strcmp(t, "lstat") == 0   ? ENG_STAT_LSTAT
           : strcmp(t, "statx") == 0 ? ENG_STAT_STATX
                                     : ENG_STAT_STAT;
}

static inline int eng_stat_name(int type, const char *name)
{
    int rc;
    if (type == ENG_STAT_STATX) {
        struct statx sx;
        rc = statx(AT_FDCWD, name, 0, STATX_ALL, &sx);
    } else {
        struct stat st;
        rc = type == ENG_STAT_LSTAT ? lstat(name, &st) : stat(name, &st);
    }
    return rc == 0 ? 0 : -errno;
}

#define ENG_STAT_TYPE_OPTION                                                               \
    {                                                                                      \
        "stat_type", TENON_OPT_ENUM,                                                       \
            .def = "stat", .choices = "stat|lstat|statx",                                  \
            .help = "the system call each IO makes: stat(2), lstat(2) or statx(2) (fio's " \
                    "stat_type)"                                                           \
    }

#endif
