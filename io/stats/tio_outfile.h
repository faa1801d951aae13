/* Results files written all-or-nothing.
 *
 * A benchmark's output is often the only record of an hour of measurement,
 * and the disk it lands on may be the one just filled by the benchmark. So
 * output goes to a temporary file beside the target, is flushed and fsynced,
 * and only then renamed over the target: a full disk or a crash leaves
 * either the old file or the complete new one, never a torn one.
 *
 * Only a regular file, or a name that does not exist yet, is replaced that
 * way: a symlink is followed and the file it leads to is replaced (the link
 * stays). Anything else is not tenon-io's to replace and is written where
 * it is: a character device (/dev/null), a FIFO, /dev/stdout and the other
 * links of /proc (a regular file behind those is appended to). A folder or
 * a block device is refused, and so is a regular file the user may not
 * write; nothing is created then. */
#ifndef TIO_OUTFILE_H
#define TIO_OUTFILE_H

#include <stddef.h>
#include <stdio.h>

#include "tio_job_error.h"

#ifdef __cplusplus
extern "C" {
#endif

struct tio_outfile;

/* Opens path for the results: a temporary "<dir>/.<name>.XXXXXX" beside
 * the file to replace, or path itself for devices and FIFOs (see above).
 * Returns 0, or -errno with a sentence in err (what, which file, why). */
int tio_outfile_open(struct tio_outfile **out, const char *path, struct tio_error *err);

/* Where to write. Valid until commit or abort. */
FILE *tio_outfile_stream(struct tio_outfile *of);

/* Flushes, fsyncs and closes the temporary file, renames it over the target
 * and fsyncs the folder (written in place: flushes and closes). On any
 * failure removes the temporary file, leaves
 * the target as it was, and returns -errno with a sentence in err. Frees of
 * in every case. */
int tio_outfile_commit(struct tio_outfile *of, struct tio_error *err);

/* Gives up: closes and removes the temporary file. Frees of. */
void tio_outfile_abort(struct tio_outfile *of);

/* Test seam: closes the temporary file's stream and writes to fp instead
 * (owned from now on), e.g. a stream on /dev/full to see how a full disk is
 * handled. The temporary file stays and is still cleaned up. */
void tio_outfile_replace_stream(struct tio_outfile *of, FILE *fp);

#ifdef __cplusplus
}
#endif

#endif
