/* What a job's logs record, as fio 3.33 records it (stat.c add_*_sample,
 * add_log_sample, __add_samples, finalize_logs):
 *
 * - Per IO (log_avg_msec=0): each completed IO is a line in the latency
 *   logs (lat and clat in ns), the bandwidth log (its bytes over its
 *   completion latency, in KiB/s as fio: bytes * 10^6 / clat_ns) and the
 *   IOPS log (1); each submitted IO of an asynchronous engine a line in
 *   the slat log. A line carries the IO's direction, size and offset.
 * - log_avg_msec=N: a latency log's samples are averaged (or their
 *   maximum taken, log_max_value) in windows that start on multiples of N
 *   ms and close with the first sample at or past their end. Bandwidth and
 *   IOPS are sampled every N ms as the bytes and IOs done since the last
 *   sample over the time since it, as fio's helper thread does; here the
 *   worker takes the sample with the first completion past the interval.
 *   fio keeps the bandwidth and IOPS logs per IO when the logs are
 *   compressed (log_compression, log_store_compressed): so does tenon-io.
 * - log_hist_msec=N: the completion latencies of each window of N ms, in
 *   fio's histogram bins, one line per window (coarsened by
 *   log_hist_coarseness), written when a completion closes the window.
 *
 * Nothing is logged during ramp_time: the logs' time 0 is its end. */
#include "log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tio_job_stats.h"

/* fio's slack for the bandwidth and IOPS samples' intervals (ms). */
#define LOG_MSEC_SLACK 1u

static const char *const type_names[TIO_LOG_IDS] = {"lat", "slat", "clat",
                                                    "bw",  "iops", "clat_hist"};

int tio_logs_check(const struct tio_job *job, char *why, size_t why_size)
{
    const struct tio_job_logs *o = &job->logs;
    bool any = o->on[TIO_LOG_BW] || o->on[TIO_LOG_LAT] || o->on[TIO_LOG_IOPS] ||
               o->on[TIO_LOG_HIST];
    if (any && job->time.gtod_reduce) {
        snprintf(why, why_size,
                 "job %s: write_*_log with gtod_reduce=1: fio then measures "
                 "no latency or bandwidth, and its logs stay empty or are not written; drop "
                 "gtod_reduce or the logs",
                 job->identity.name);
        return -1;
    }
    struct timespec ts;
    if ((o->unix_epoch || o->alternate_epoch) &&
        clock_gettime((clockid_t)o->epoch_clock_id, &ts) != 0) {
        snprintf(why, why_size,
                 "job %s: log_alternate_epoch_clock_id=%u: this system has no "
                 "such clock (0 is CLOCK_REALTIME, 1 CLOCK_MONOTONIC; see clock_gettime(2))",
                 job->identity.name, o->epoch_clock_id);
        return -1;
    }
    if (o->issue_time && (!o->on[TIO_LOG_LAT] || !o->offset)) {
        snprintf(why, why_size,
                 "job %s: log_issue_time=1 needs write_lat_log and "
                 "log_offset=1, as in fio",
                 job->identity.name);
        return -1;
    }
    if (o->store_compressed && (o->issue_time || o->window_value == TIO_LOG_WINDOW_BOTH)) {
        snprintf(why, why_size,
                 "job %s: log_store_compressed=1 with %s is refused: the "
                 "stored format is fio 3.33's, which has no column for it (store the logs "
                 "uncompressed)",
                 job->identity.name,
                 o->issue_time ? "log_issue_time=1" : "log_window_value=both");
        return -1;
    }
    if (o->on[TIO_LOG_HIST] && (o->compression || o->store_compressed)) {
        snprintf(why, why_size,
                 "job %s: write_hist_log with log_compression or "
                 "log_store_compressed is refused: fio 3.33 compresses the histogram log's "
                 "records as plain log records and writes unreadable lines; write the "
                 "histogram log uncompressed (another job may compress its other logs)",
                 job->identity.name);
        return -1;
    }
    return 0;
}

static int add_log(struct tio_logs *ls, enum tio_log_id id, const struct tio_job *job,
                   const char *prefix, unsigned index)
{
    const struct tio_job_logs *o = &job->logs;
    char path[4096];
    bool hist = id == TIO_LOG_ID_HIST;
    bool stored = o->store_compressed && !hist;
    if (tio_log_path(path, sizeof(path), prefix, type_names[id], index, o->per_job, stored) < 0)
        return -ENAMETOOLONG;
    bool ext = o->issue_time || o->window_value == TIO_LOG_WINDOW_BOTH;
    size_t rec = ext ? TIO_LOG_REC_EXT : o->offset ? TIO_LOG_REC_LONG : TIO_LOG_REC_SHORT;
    if (hist)
        rec = sizeof(struct tio_log_hist_rec) +
              sizeof(uint64_t) * (TIO_LOG_PLAT_NR >> o->hist_coarseness);
    /* log_compression: chunks of that size, deflated as they fill; a log
     * stored compressed without it is deflated chunk by chunk when written */
    uint64_t chunk = hist ? 0 : o->compression;
    struct tio_log *l = tio_log_new(path, rec, chunk);
    if (!l)
        return -ENOMEM;
    l->hist = hist;
    l->ddir_bits = (o->offset ? TIO_LOG_OFFSET_BIT : 0) | (o->prio ? TIO_LOG_PRIO_BIT : 0) |
                   (o->window_value == TIO_LOG_WINDOW_BOTH ? TIO_LOG_AVG_MAX_BIT : 0) |
                   (o->issue_time ? TIO_LOG_ISSUE_BIT : 0);
    l->issue_times = o->issue_time && (id == TIO_LOG_ID_CLAT || id == TIO_LOG_ID_SLAT);
    l->avg_msec = hist ? 0 : o->avg_msec;
    l->closes_on_sample = id <= TIO_LOG_ID_CLAT;
    l->window_value = o->window_value;
    ls->log[id] = l;
    return 0;
}

static int setup(struct tio_logs *ls, const struct tio_job *job, unsigned index)
{
    const struct tio_job_logs *o = &job->logs;
    static const enum tio_log_id ids[TIO_LOG_KINDS][3] = {
        [TIO_LOG_BW] = {TIO_LOG_ID_BW, TIO_LOG_IDS, TIO_LOG_IDS},
        [TIO_LOG_LAT] = {TIO_LOG_ID_LAT, TIO_LOG_ID_SLAT, TIO_LOG_ID_CLAT},
        [TIO_LOG_IOPS] = {TIO_LOG_ID_IOPS, TIO_LOG_IDS, TIO_LOG_IDS},
        [TIO_LOG_HIST] = {TIO_LOG_ID_HIST, TIO_LOG_IDS, TIO_LOG_IDS},
    };
    for (int k = 0; k < TIO_LOG_KINDS; k++) {
        if (!o->on[k])
            continue;
        const char *prefix = o->names[k] && *o->names[k] ? o->names[k] : job->identity.name;
        for (int i = 0; i < 3 && ids[k][i] != TIO_LOG_IDS; i++) {
            int rc = add_log(ls, ids[k][i], job, prefix, index);
            if (rc < 0)
                return rc;
        }
    }
    bool compressed = o->compression || o->store_compressed;
    ls->bw_per_io = !o->avg_msec || compressed;
    ls->iops_per_io = !o->avg_msec || compressed;
    ls->avg_msec = o->avg_msec;
    ls->per_job = o->per_job;
    ls->store_compressed = o->store_compressed;
    for (int d = 0; d < 3; d++)
        ls->fixed_bs[d] = job->pattern.bs[d];
    ls->epoch_clock = o->unix_epoch || o->alternate_epoch ? (int)o->epoch_clock_id : -1;
    ls->hist_msec = o->hist_msec;
    ls->hist_stride = 1u << o->hist_coarseness;
    for (int d = 0; ls->log[TIO_LOG_ID_HIST] && d < 3; d++) {
        ls->plat[d] = calloc(TIO_LOG_PLAT_NR, sizeof(uint64_t));
        if (!ls->plat[d])
            return -ENOMEM;
    }
    return 0;
}

struct tio_logs *tio_logs_new(const struct tio_job *job, unsigned index, int *err)
{
    *err = 0;
    const struct tio_job_logs *o = &job->logs;
    if (!o->on[TIO_LOG_BW] && !o->on[TIO_LOG_LAT] && !o->on[TIO_LOG_IOPS] &&
        !o->on[TIO_LOG_HIST])
        return NULL;
    struct tio_logs *ls = calloc(1, sizeof(*ls));
    if (!ls) {
        *err = -ENOMEM;
        return NULL;
    }
    int rc = setup(ls, job, index);
    if (rc < 0) {
        tio_logs_free(ls);
        *err = rc;
        return NULL;
    }
    return ls;
}

void tio_logs_free(struct tio_logs *ls)
{
    if (!ls)
        return;
    for (int i = 0; i < TIO_LOG_IDS; i++)
        tio_log_free(ls->log[i]);
    for (int d = 0; d < 3; d++)
        free(ls->plat[d]);
    free(ls);
}

void tio_logs_start(struct tio_logs *ls, uint64_t now_ns, bool ramp)
{
    ls->epoch_ns = now_ns;
    ls->ramping = ramp;
    uint64_t base = 0;
    struct timespec ts;
    /* fio: the clock's time in ms at the logs' time 0 (checked at setup) */
    if (ls->epoch_clock >= 0 && clock_gettime((clockid_t)ls->epoch_clock, &ts) == 0)
        base = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
    for (int i = 0; i < TIO_LOG_IDS; i++) {
        struct tio_log *l = ls->log[i];
        if (!l)
            continue;
        l->time_base = base;
        tio_log_clear(l);
        memset(l->win, 0, sizeof(l->win));
        memset(l->avg_last, 0, sizeof(l->avg_last));
    }
    ls->bw_last_ms = ls->iops_last_ms = 0;
    ls->next_tick_ms = ls->avg_msec > LOG_MSEC_SLACK ? ls->avg_msec - LOG_MSEC_SLACK : 0;
    memset(ls->last_bytes, 0, sizeof(ls->last_bytes));
    memset(ls->last_ios, 0, sizeof(ls->last_ios));
    memset(ls->hist_last, 0, sizeof(ls->hist_last));
    for (int d = 0; d < 3; d++)
        if (ls->plat[d])
            memset(ls->plat[d], 0, TIO_LOG_PLAT_NR * sizeof(uint64_t));
}

static inline uint64_t elapsed_ms(const struct tio_logs *ls, uint64_t now_ns)
{
    return now_ns > ls->epoch_ns ? (now_ns - ls->epoch_ns) / 1000000u : 0;
}

static void put(struct tio_log *l, uint64_t ms, uint64_t val, unsigned d, uint64_t bs,
                uint64_t offset, uint64_t val1, uint64_t issue, uint16_t prio)
{
    struct tio_log_rec r = {.time = ms + l->time_base,
                            .val = val,
                            .ddir = d | l->ddir_bits,
                            .bs = bs,
                            .offset = offset,
                            .val1 = val1,
                            .issue = issue,
                            .prio = prio};
    void *dst = tio_log_append(l);
    if (dst)
        memcpy(dst, &r, l->rec_size);
}

/* The window of direction d closes: its average or maximum is a line. */
static void close_window(struct tio_log *l, unsigned d, uint64_t ms)
{
    struct tio_log_win *w = &l->win[d];
    if (w->n) {
        /* fio rounds the mean: mean + 0.5, truncated */
        uint64_t mean = (2 * w->sum + w->n) / (2 * w->n);
        if (l->window_value == TIO_LOG_WINDOW_MAX)
            put(l, ms, w->max, d, 0, 0, 0, 0, 0);
        else
            put(l, ms, mean, d, 0, 0, l->window_value == TIO_LOG_WINDOW_BOTH ? w->max : 0, 0,
                0);
    }
    memset(w, 0, sizeof(*w));
}

/* A sample; issue: ns from the epoch to the IO's issue (clat, slat). */
/* A sample of one IO (prio: its priority, as fio logs it), or of a window
 * under log_avg_msec (whose lines carry no priority, as fio's). */
static void add(struct tio_log *l, uint64_t ms, uint64_t val, unsigned d, uint64_t bs,
                uint64_t offset, uint64_t issue, uint16_t prio)
{
    if (!l->avg_msec) {
        put(l, ms, val, d, bs, offset, 0, l->issue_times ? issue : 0, prio);
        return;
    }
    struct tio_log_win *w = &l->win[d];
    w->n++;
    w->sum += val;
    if (val > w->max)
        w->max = val;
    if (ms < l->avg_last[d])
        return;
    uint64_t span = ms - l->avg_last[d];
    if (span < l->avg_msec && (l->closes_on_sample || l->avg_msec - span > LOG_MSEC_SLACK))
        return;
    close_window(l, d, ms);
    l->avg_last[d] = ms - ms % l->avg_msec;
}

/* fio's histogram bin of a latency in ns: exact below 2^(bits+1), then
 * 2^bits bins per power of two. */
static unsigned plat_index(uint64_t ns)
{
    if (ns < (2u << TIO_LOG_PLAT_BITS))
        return (unsigned)ns;
    unsigned msb = 63u - (unsigned)__builtin_clzll(ns);
    unsigned error_bits = msb - TIO_LOG_PLAT_BITS;
    unsigned idx = ((error_bits + 1) << TIO_LOG_PLAT_BITS) +
                   (unsigned)((ns >> error_bits) & (TIO_LOG_PLAT_VAL - 1));
    return idx < TIO_LOG_PLAT_NR ? idx : TIO_LOG_PLAT_NR - 1;
}

static void hist_sample(struct tio_logs *ls, unsigned d, uint64_t clat, uint64_t bs,
                        uint64_t ms)
{
    struct tio_log *l = ls->log[TIO_LOG_ID_HIST];
    if (!ls->hist_msec)
        return; /* fio: the histogram log stays empty */
    ls->plat[d][plat_index(clat)]++;
    if (!ls->hist_last[d])
        ls->hist_last[d] = ms;
    uint64_t span = ms - ls->hist_last[d];
    if (span < ls->hist_msec)
        return;
    unsigned char *rec = tio_log_append(l);
    if (rec) {
        struct tio_log_hist_rec h = {.time = ms + l->time_base, .ddir = d, .bs = bs};
        memcpy(rec, &h, sizeof(h));
        rec += sizeof(h);
        for (unsigned j = 0; j < TIO_LOG_PLAT_NR;
             j += ls->hist_stride, rec += sizeof(uint64_t)) {
            uint64_t sum = 0;
            for (unsigned k = 0; k < ls->hist_stride; k++)
                sum += ls->plat[d][j + k];
            memcpy(rec, &sum, sizeof(sum));
        }
    }
    memset(ls->plat[d], 0, TIO_LOG_PLAT_NR * sizeof(uint64_t));
    ls->hist_last[d] = ms - (span - ls->hist_msec);
}

/* Bandwidth (KiB/s) or IOPS since the last sample, every log_avg_msec. */
static void rate_sample(struct tio_log *l, uint64_t *last_ms, uint64_t *last,
                        const uint64_t *now, bool kib, const uint64_t *bs, uint64_t ms)
{
    uint64_t spent = ms - *last_ms;
    if (spent < l->avg_msec && l->avg_msec - spent > LOG_MSEC_SLACK)
        return;
    for (unsigned d = 0; d < 3; d++) {
        uint64_t delta = now[d] - last[d];
        if (!delta)
            continue;
        uint64_t rate = !spent ? 0 : kib ? delta * 1000 / spent / 1024 : delta * 1000 / spent;
        add(l, ms, rate, d, bs[d], 0, 0, 0);
        last[d] = now[d];
    }
    *last_ms = ms;
}

static void tick(struct tio_logs *ls, const struct tio_job_stats *js, uint64_t ms)
{
    uint64_t bytes[3], ios[3];
    for (int d = 0; d < 3; d++) {
        bytes[d] = js->dir[d].bytes;
        ios[d] = js->dir[d].ios;
    }
    if (ls->log[TIO_LOG_ID_BW] && !ls->bw_per_io)
        rate_sample(ls->log[TIO_LOG_ID_BW], &ls->bw_last_ms, ls->last_bytes, bytes, true,
                    ls->fixed_bs, ms);
    if (ls->log[TIO_LOG_ID_IOPS] && !ls->iops_per_io)
        rate_sample(ls->log[TIO_LOG_ID_IOPS], &ls->iops_last_ms, ls->last_ios, ios, false,
                    ls->fixed_bs, ms);
    uint64_t last = ls->bw_last_ms > ls->iops_last_ms ? ls->bw_last_ms : ls->iops_last_ms;
    ls->next_tick_ms = last + ls->avg_msec -
                       (ls->avg_msec > LOG_MSEC_SLACK ? LOG_MSEC_SLACK : 0);
}

void tio_logs_io(struct tio_logs *ls, const struct tio_job_stats *js, unsigned d,
                 uint64_t bytes, uint64_t offset, uint64_t clat_ns, uint64_t lat_ns,
                 uint64_t now_ns, uint16_t prio)
{
    if (ls->ramping)
        return;
    uint64_t ms = elapsed_ms(ls, now_ns);
    if (ls->log[TIO_LOG_ID_LAT]) {
        uint64_t issue = now_ns - clat_ns - ls->epoch_ns;
        add(ls->log[TIO_LOG_ID_LAT], ms, lat_ns, d, bytes, offset, 0, prio);
        add(ls->log[TIO_LOG_ID_CLAT], ms, clat_ns, d, bytes, offset, issue, prio);
    }
    if (ls->log[TIO_LOG_ID_BW] && ls->bw_per_io)
        add(ls->log[TIO_LOG_ID_BW], ms, clat_ns ? bytes * 1000000u / clat_ns : 0, d, bytes,
            offset, 0, prio);
    if (ls->log[TIO_LOG_ID_IOPS] && ls->iops_per_io)
        add(ls->log[TIO_LOG_ID_IOPS], ms, 1, d, bytes, offset, 0, prio);
    if (ls->log[TIO_LOG_ID_HIST])
        hist_sample(ls, d, clat_ns, bytes, ms);
    if (ms >= ls->next_tick_ms && ls->avg_msec)
        tick(ls, js, ms);
}

void tio_logs_slat(struct tio_logs *ls, unsigned d, uint64_t bytes, uint64_t offset,
                   uint64_t slat_ns, uint64_t now_ns, uint16_t prio)
{
    if (ls->ramping)
        return;
    add(ls->log[TIO_LOG_ID_SLAT], elapsed_ms(ls, now_ns), slat_ns, d, bytes, offset,
        now_ns - ls->epoch_ns, prio);
}

bool tio_logs_has_slat(const struct tio_logs *ls)
{
    return ls->log[TIO_LOG_ID_SLAT] != NULL;
}

void tio_logs_finalize(struct tio_logs *ls, uint64_t now_ns)
{
    if (ls->ramping)
        return;
    uint64_t ms = elapsed_ms(ls, now_ns);
    for (int i = 0; i < TIO_LOG_IDS; i++) {
        struct tio_log *l = ls->log[i];
        for (unsigned d = 0; l && l->avg_msec && d < 3; d++)
            close_window(l, d, ms);
    }
}
