/* --bandwidth-log: fio's aggregate bandwidth logs, agg-read_bw.log,
 * agg-write_bw.log and agg-trim_bw.log in the current folder, one line per
 * 500 ms (fio's bwavgtime) of the run: "msec, KiB/s, ddir, 0, 0", the
 * bandwidth of all jobs together over that interval, in fio's log format.
 *
 * fio takes these samples live, from its status thread. tenon-io derives
 * them after the run from each job's time series (the same per-interval
 * byte counts the plots use), so the hot path does nothing for them: each
 * job's interval is spread over the run's 500 ms windows in proportion to
 * its overlap, and only whole windows are written, as fio writes a sample
 * only once a whole interval has passed. A job's ramp_time is not counted
 * (its series starts after the ramp), as fio skips samples during ramps.
 * Each rank of a distributed run writes its own, its tag in the names
 * (agg-write_bw.log.HOST.rankN: tio_coord_tag). */
#include "host.h"

#include "coord.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW_NS UINT64_C(500000000)

static const char *const names[TIO_DDIR_COUNT] = {"agg-read_bw.log", "agg-write_bw.log",
                                                  "agg-trim_bw.log"};

/* Adds a point's bytes of direction d to the windows it overlaps. */
static void spread(double *win, size_t nwin, uint64_t start, uint64_t dur, uint64_t bytes)
{
    if (!dur) {
        size_t k = start / WINDOW_NS;
        if (k < nwin)
            win[k] += (double)bytes;
        return;
    }
    for (uint64_t t = start; t < start + dur;) {
        size_t k = t / WINDOW_NS;
        uint64_t end = ((uint64_t)k + 1) * WINDOW_NS;
        if (end > start + dur)
            end = start + dur;
        if (k < nwin)
            win[k] += (double)bytes * (double)(end - t) / (double)dur;
        t = end;
    }
}

static int write_one(const char *base, const double *win, size_t nwin, unsigned d,
                     struct tio_error *err)
{
    char name[512];
    snprintf(name, sizeof(name), "%s%s", base, tio_coord_tag());
    FILE *f = fopen(name, "w");
    if (!f)
        goto fail;
    for (size_t k = 0; k < nwin; k++) {
        /* fio: ((1000 * bytes) / msec) / 1024, in integers */
        uint64_t rate = (uint64_t)(win[k] * 1000.0 / (double)(WINDOW_NS / 1000000)) / 1024;
        fprintf(f, "%" PRIu64 ", %" PRIu64 ", %u, 0, 0\n",
                ((uint64_t)k + 1) * (WINDOW_NS / 1000000), rate, d);
    }
    if (ferror(f)) {
        fclose(f);
        errno = EIO;
        goto fail;
    }
    if (fclose(f) == 0)
        return 0;
fail:
    tio_error_set(err, TIO_EOUTPUT, NULL, NULL, NULL, "--bandwidth-log: cannot write %s: %s",
                  name, strerror(errno));
    return -1;
}

int tio_agg_bw_log_write(const struct tio_host *host, uint64_t t0_ns, uint64_t t_end_ns,
                         struct tio_error *err)
{
    size_t nwin = t_end_ns > t0_ns ? (t_end_ns - t0_ns) / WINDOW_NS : 0;
    double *win = calloc((nwin ? nwin : 1) * TIO_DDIR_COUNT, sizeof(*win));
    if (!win) {
        tio_error_set(err, TIO_ENOMEM, NULL, NULL, NULL, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < host->n_threads; i++) {
        const struct tio_job_result *r = host->threads[i].result;
        if (!r || !r->stats.start_ns || r->stats.start_ns < t0_ns)
            continue;
        uint64_t base = r->stats.start_ns - t0_ns;
        const struct tio_series *s = &r->stats.series;
        const struct tio_series_point *p = tio_series_points(s);
        for (size_t k = 0; k < tio_series_count(s); k++)
            for (int d = 0; d < TIO_DDIR_COUNT; d++)
                spread(win + (size_t)d * nwin, nwin, base + p[k].t_ns, p[k].dur_ns,
                       p[k].bytes[d]);
    }
    int rc = 0;
    for (unsigned d = 0; d < TIO_DDIR_COUNT && rc == 0; d++)
        rc = write_one(names[d], win + (size_t)d * nwin, nwin, d, err);
    free(win);
    return rc;
}
