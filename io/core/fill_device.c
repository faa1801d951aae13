/* fill_device: a write that finds the filesystem full (ENOSPC, EDQUOT)
 * ends the job's writes without an error, as fio. A job that verifies
 * then reads back what it did write, the failed write left out, and
 * starts no further pass (fio 3.33 ends the job there instead, its verify
 * phase skipped: see docs/jobfile.md). */
#include "worker.h"

void tio_fill_full(struct worker *w, const struct io_meta *m, uint32_t ddir)
{
    /* fio counts the failed IO in total_ios (and iops), not its bytes:
     * 8 MiB of 64k writes are 129 IOs there, the last one failed */
    w->js->dir[tio_stats_dir(ddir)].errors++;
    if (ddir == TIO_WRITE)
        tio_vlog_on_write_failed(w, m);
    if (!tio_vlog_phase_due(w) || w->job->time.time_based) {
        w->stop = true; /* the job's end */
        return;
    }
    w->filled = true;
    /* the main phase issues nothing more; IOs in flight complete (another
     * ENOSPC comes back here) and the verify phase follows */
    w->next.bytes_total = w->next.bytes_issued;
}
