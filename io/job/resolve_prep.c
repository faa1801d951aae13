/* fio's fix-ups of the options that prepare a job's files (init.c's
 * fixup_options for pre_read), and what tenon-io refuses to combine with
 * them rather than do something other than fio's HOWTO says. */
#include <stdio.h>

#include "job_internal.h"

int tio__resolve_prep(struct tio_job *job, struct tio_error *err)
{
    struct tio_job_durability *du = &job->durability;

    if (du->pre_read) {
        /* fio: pre-reading and then dropping the cache is pointless */
        du->invalidate = false;
        /* fio's read(2) into a malloc'ed buffer fails on an O_DIRECT
         * descriptor, and a direct read caches nothing anyway */
        if (job->queue.direct)
            return tio__job_error(err, job,
                                  "pre_read reads the files into the page cache, which "
                                  "direct=1 bypasses (fio's pre-read fails there); drop "
                                  "pre_read or use direct=0");
    }
    if (du->sfr_every && du->sfr_flags && (du->fsync || du->fdatasync))
        return tio__job_error(err, job,
                              "sync_file_range with %s: fio issues one of them when both "
                              "come due and skips the other, which tenon-io does not copy; "
                              "use one of them",
                              du->fsync ? "fsync" : "fdatasync");
    if (du->sfr_every && du->sfr_flags && (job->replay.read_iolog || job->replay.write_iolog))
        return tio__job_error(err, job,
                              "sync_file_range with %s is not supported by tenon-io (fio "
                              "logs and replays its syncs as IOs of their own); drop one",
                              job->replay.read_iolog ? "read_iolog" : "write_iolog");
    return TIO_OK;
}
