/* IO errors a job carries on after, as fio's td_non_fatal_error: an error
 * is of the verify type (EILSEQ), else of its IO's direction (reads read,
 * everything else write); continue_on_error names the types a job carries
 * on after, and of those only the errors ignore_error lists for the type,
 * or fio's own EIO and EILSEQ when it lists none. Each such error is
 * counted (fio's total_err, first_error) and, under error_dump (the
 * default), reported on stderr as fio reports it. */
#include "worker.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static const int fio_nonfatal[] = {EIO, EILSEQ};

static unsigned error_type(uint32_t ddir, int err)
{
    if (err == EILSEQ)
        return TIO_ETYPE_VERIFY;
    return ddir == TIO_READ ? TIO_ETYPE_READ : TIO_ETYPE_WRITE;
}

bool tio_error_nonfatal(const struct tio_job *job, uint32_t ddir, int err)
{
    const struct tio_job_errors *e = &job->errors;
    unsigned type = error_type(ddir, err);
    if (!(e->continue_on_error & (1u << type)))
        return false;
    const int *list = e->ignore_nr[type] ? e->ignore[type] : fio_nonfatal;
    unsigned n = e->ignore_nr[type] ? e->ignore_nr[type] : 2;
    for (unsigned i = 0; i < n; i++)
        if (list[i] == err)
            return true;
    return false;
}

void tio_error_carry_on(struct worker *w, const tio_io *io, int err)
{
    tio_stats_nonfatal(w->js, err);
    if (!w->job->errors.error_dump)
        return;
    fprintf(stderr,
            "tenon-io: job %s: io error%s%s: %s: %s offset=%" PRIu64 ", buflen=%" PRIu64 "\n",
            w->job->identity.name, io->file ? " on file " : "", io->file ? io->file->name : "",
            strerror(err), tio_dir_word(io->ddir), io->offset, io->len);
}
