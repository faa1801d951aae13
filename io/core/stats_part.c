/* Statistics switched off one by one, as fio 3.33's disable_lat,
 * disable_clat, disable_slat and disable_bw_measurement do (io_u.c
 * account_io_completion, io_u_queued; init.c fixup_options):
 *
 * - disable_lat: no total latency (lat_ns all zero), no lat percentiles;
 * - disable_clat: no completion latency, so no clat percentiles, no
 *   latency buckets (latency_ns/us/ms) and no fsync/fdatasync latencies;
 * - disable_slat: no submission latency;
 * - disable_bw_measurement: no per-IO bandwidth, which only a per-IO
 *   bandwidth log holds (the report's samples are taken per interval).
 *
 * A job with any of these completes its IOs through the functions here,
 * chosen at setup by TIO_WF_STATS_PART: jobs that measure everything pay
 * for none of it. stats=0 records as usual; the report leaves the job out
 * (tio_job_result.hidden).
 *
 * What fio does with these that tenon-io does not copy is refused by
 * tio_stats_part_check: the per-IO logs they leave empty, max_latency and
 * latency_target that fio then no longer checks, and the total latency
 * fio measures against a clock it stopped reading. */
#include "worker.h"

#include <inttypes.h>
#include <stdio.h>

/* Why the job's statistics options cannot go together with the rest of
 * the job; NULL if they can. */
static const char *conflict(const struct tio_job *job, const struct tio_program *prog,
                            char *buf, size_t size)
{
    const struct tio_job_reporting *o = &job->reporting;
    const struct tio_job_logs *lg = &job->logs;
    const struct tio_job_latency *lt = &job->latency;
    bool no_lat = o->disable_lat || job->time.gtod_reduce;
    bool limits = lt->max[0] || lt->max[1] || lt->max[2] || lt->target;
    if (o->disable_clat && o->disable_slat && o->disable_bw && !no_lat)
        return "disable_clat, disable_slat and disable_bw together without disable_lat: fio "
               "3.33 then stops reading the clock at completions and its total latencies "
               "are wrong; set disable_lat=1 too (or gtod_reduce=1)";
    if (limits && (no_lat || !o->stats)) {
        snprintf(buf, size,
                 "max_latency or latency_target with %s: fio 3.33 then checks no "
                 "latency limit; drop one or the other",
                 !o->stats        ? "stats=0"
                 : o->disable_lat ? "disable_lat=1"
                                  : "gtod_reduce=1");
        return buf;
    }
    bool any_log = lg->on[TIO_LOG_BW] || lg->on[TIO_LOG_LAT] || lg->on[TIO_LOG_IOPS] ||
                   lg->on[TIO_LOG_HIST];
    if (any_log && !o->stats)
        return "write_*_log with stats=0: fio 3.33 then writes its logs empty; drop the logs "
               "or stats=0";
    if ((lg->on[TIO_LOG_LAT] && (o->disable_lat || o->disable_clat || o->disable_slat)) ||
        (lg->on[TIO_LOG_HIST] && o->disable_clat) || (lg->on[TIO_LOG_BW] && o->disable_bw) ||
        (lg->on[TIO_LOG_IOPS] && o->disable_clat && o->disable_slat && o->disable_bw))
        return "a log of a measure the job switches off (write_lat_log with disable_lat, "
               "disable_clat or disable_slat; write_hist_log with disable_clat; "
               "write_bw_log with disable_bw; write_iops_log with all three): fio 3.33 then "
               "leaves the log out or empty; drop the log or the disable_* option";
    if (o->bwavgtime && lg->on[TIO_LOG_BW])
        return "bwavgtime with write_bw_log: fio 3.33 then ties the bandwidth samples to "
               "log_avg_msec, which tenon-io does not; set log_avg_msec alone";
    if (o->iopsavgtime && lg->on[TIO_LOG_IOPS])
        return "iopsavgtime with write_iops_log: fio 3.33 then ties the IOPS samples to "
               "log_avg_msec, which tenon-io does not; set log_avg_msec alone";
    if (o->bwavgtime && o->bwavgtime != 500 && prog->bandwidth_log)
        return "bwavgtime with --bandwidth-log: fio 3.33 then writes the aggregate logs "
               "every bwavgtime ms, tenon-io every 500 ms; drop one or the other";
    return NULL;
}

int tio_stats_part_check(const struct tio_job *job, const struct tio_program *prog,
                         struct tio_error *err)
{
    char buf[256];
    const char *why = conflict(job, prog, buf, sizeof(buf));
    if (!why)
        return 0;
    tio_error_set(err, TIO_EUNSUPPORTED, NULL, NULL, NULL, "job %s: %s", job->identity.name,
                  why);
    return -1;
}

void tio_stats_part_setup(struct worker *w)
{
    const struct tio_job_reporting *o = &w->job->reporting;
    /* gtod_reduce switches them all off, on its own path */
    if (!w->job->time.gtod_reduce && (o->disable_lat || o->disable_clat || o->disable_slat))
        w->features |= TIO_WF_STATS_PART;
}

void tio_stats_part_io(struct worker *w, enum tio_ddir d, const struct io_meta *m,
                       const tio_io *io, uint64_t clat, uint64_t lat)
{
    struct tio_dir_stats *ds = &w->js->dir[d];
    ds->ios++;
    ds->bytes += m->len;
    if (w->features & TIO_WF_GTOD_REDUCE)
        return;
    const struct tio_job_reporting *o = &w->job->reporting;
    if (!o->disable_clat)
        tio_hist_record(&ds->clat, clat);
    if (!o->disable_lat) {
        tio_latstat_add(&ds->lat, lat);
        if (ds->lat_hist)
            tio_hist_record(ds->lat_hist, lat);
        tio_lat_on_io(w, io, lat);
    }
    /* fio keeps a priority's latency with the measure it reports */
    if (w->cmdprio.total_lat ? !o->disable_lat : !o->disable_clat)
        tio_cmdprio_on_io(w, d, m, clat, lat);
}

void tio_stats_part_slat(struct worker *w, const tio_io *io, uint64_t slat)
{
    if (!(w->features & TIO_WF_GTOD_REDUCE) && !w->job->reporting.disable_slat)
        tio_stats_slat(w->js, tio_stats_dir(io->ddir), slat);
}

bool tio_stats_part_sync(const struct worker *w)
{
    return !(w->features & TIO_WF_GTOD_REDUCE) && !w->job->reporting.disable_clat;
}
