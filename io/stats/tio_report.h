/* The end-of-run report: fio's normal text and fio's JSON.
 *
 *     struct tio_report *rep = tio_report_new("0.1.0");
 *     tio_report_add_global_option(rep, "ioengine", "psync");
 *     for each job: tio_report_add_job(rep, result);     // takes ownership
 *     tio_report_write_normal(rep, stdout);               // or _json, _file
 *     tio_report_free(rep);
 *
 * Jobs whose group asked for group_reporting are summed into one entry per
 * group when the report is first written (or tio_report_finalize is called);
 * after that, the report takes no more jobs. */
#ifndef TIO_REPORT_H
#define TIO_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include <jansson.h>

#include "tio_ddir.h"
#include "tio_job_error.h"
#include "tio_job_result.h"

#ifdef __cplusplus
extern "C" {
#endif

/* fio's default completion-latency percentiles. */
#define TIO_DEFAULT_PERCENTILES_N 17
extern const double tio_default_percentiles[TIO_DEFAULT_PERCENTILES_N];
#define TIO_PERCENTILES_MAX 64

/* fio's names for the depth buckets: "1" ... ">=64" for depths, "0" ...
 * ">=64" for submit and complete batches. */
extern const char *const tio_depth_level_labels[TIO_DEPTH_BUCKETS];
extern const char *const tio_depth_batch_labels[TIO_DEPTH_BUCKETS];

/* One block device's activity during the run (fio's "Disk stats" and
 * "disk_util"). Index 0 is reads, 1 is writes. */
struct tio_disk_util {
    char name[64];
    uint64_t ios[2];
    uint64_t merges[2];
    uint64_t ticks[2]; /* ms */
    uint64_t in_queue; /* ms */
    double util;       /* percent of the run the device was busy */
};

/* A "Run status group" line set: totals over the group's reported entries. */
struct tio_group_total {
    unsigned groupid;
    unsigned unified_rw;          /* the group's unified_rw_reporting (TIO_UNIFIED_*) */
    bool present[TIO_DDIR_COUNT]; /* the group did IO in this direction */
    uint64_t io_bytes[TIO_DDIR_COUNT];
    uint64_t agg_bw[TIO_DDIR_COUNT]; /* bytes/s: all bytes over the longest runtime */
    uint64_t min_bw[TIO_DDIR_COUNT]; /* bytes/s of the slowest entry */
    uint64_t max_bw[TIO_DDIR_COUNT];
    uint64_t min_run_ms[TIO_DDIR_COUNT];
    uint64_t max_run_ms[TIO_DDIR_COUNT];
    unsigned sig_figs; /* the last entry's, as fio takes it for its group lines */
};

enum tio_report_format {
    TIO_REPORT_NORMAL = 1,
    TIO_REPORT_JSON = 2,
    TIO_REPORT_JSON_PLUS = 4, /* with JSON: each latency's histogram ("bins") */
    TIO_REPORT_TERSE = 8,     /* fio's terse (semicolon) lines */
};

struct tio_report;

/* version is tenon-io's ("0.1.0"); the JSON says "tenon-io-0.1.0" where fio
 * says "fio-3.33". The report's time is now; see tio_report_set_time. NULL
 * when out of memory. */
struct tio_report *tio_report_new(const char *version);
void tio_report_free(struct tio_report *rep);

/* Wall-clock time of the run (JSON "timestamp", "timestamp_ms", "time"). */
void tio_report_set_time(struct tio_report *rep, const struct timespec *wall);

/* Text written before the report in every format (fio's debug traces,
 * which go to the output file with the report). Copied. 0 or -ENOMEM. */
int tio_report_set_preamble(struct tio_report *rep, const char *text, size_t len);

/* fio's --terse-version: 2, 3 (the default), 4 or 5. */
void tio_report_set_terse_version(struct tio_report *rep, unsigned version);

int tio_report_add_global_option(struct tio_report *rep, const char *key, const char *value);

/* Percentiles to show instead of fio's defaults: each in (0, 100], at most
 * TIO_PERCENTILES_MAX, sorted here. Returns 0 or -EINVAL. */
int tio_report_set_percentiles(struct tio_report *rep, const double *p, size_t n);

/* Takes ownership of job on success (0); on failure (-ENOMEM, or -EBUSY once
 * the report is finalized) the caller keeps it. Entries keep the order in
 * which jobs are added. */
int tio_report_add_job(struct tio_report *rep, struct tio_job_result *job);

int tio_report_add_disk(struct tio_report *rep, const struct tio_disk_util *disk);

/* A distributed run (tenon-io under mpirun): one rank's own result of one
 * job, shown in the JSON's "client_stats" as fio shows each client of its
 * client/server mode, with "hostname" (and "port" 0, "rank"). The jobs added
 * with tio_report_add_job are then the sums over the ranks, which
 * client_stats repeats as fio's "All clients" entries. Takes ownership of
 * job on success (0); -ENOMEM leaves it to the caller. */
int tio_report_add_client(struct tio_report *rep, struct tio_job_result *job, const char *host,
                          unsigned rank);

/* Builds the group_reporting sums and the group totals. Idempotent; the
 * writers call it. Returns 0 or -ENOMEM. */
int tio_report_finalize(struct tio_report *rep);

/* The entries as reported (jobs, or group sums) and the group totals; valid
 * after tio_report_finalize until tio_report_free. */
size_t tio_report_entry_count(const struct tio_report *rep);
const struct tio_job_result *tio_report_entry(const struct tio_report *rep, size_t i);
size_t tio_report_group_count(const struct tio_report *rep);
const struct tio_group_total *tio_report_group(const struct tio_report *rep, size_t i);

/* Every job as added, before any group_reporting sum (e.g. for per-job
 * plots of the time series). */
size_t tio_report_job_count(const struct tio_report *rep);
const struct tio_job_result *tio_report_job(const struct tio_report *rep, size_t i);

/* Writes the report to an open stream. Returns 0, or -errno when the
 * report could not be built or the stream reported a write error. */
int tio_report_write_normal(struct tio_report *rep, FILE *out);
int tio_report_write_json(struct tio_report *rep, FILE *out);
int tio_report_write_terse(struct tio_report *rep, FILE *out);

/* The JSON document; the caller owns the reference. NULL when out of memory.
 * The _plus forms are fio's json+: each latency also has its histogram,
 * "bins", keyed by fio's bucket values (report_json_plus.c). */
json_t *tio_report_to_json(struct tio_report *rep);
json_t *tio_report_to_json_plus(struct tio_report *rep);
int tio_report_write_json_plus(struct tio_report *rep, FILE *out);

/* Writes the given formats (a mask of tio_report_format) to an open stream
 * in fio's order: terse, then JSON, then normal. */
int tio_report_write(struct tio_report *rep, FILE *out, unsigned formats);

/* Writes the report to path all at once: into a temporary file in the same
 * folder, flushed and fsynced, then renamed over path. A failure (full disk,
 * no permission) leaves any previous file at path untouched, removes the
 * temporary file, returns -errno and puts a sentence in err saying what
 * failed, on which file and why. */
int tio_report_write_file(struct tio_report *rep, const char *path, unsigned formats,
                          struct tio_error *err);

#ifdef __cplusplus
}
#endif

#endif
