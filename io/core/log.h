/* fio's per-job logs (write_bw_log, write_lat_log, write_iops_log,
 * write_hist_log), split by concern:
 *
 *   log_sample.c   what goes in: per-IO samples, log_avg_msec windows, the
 *                  bandwidth and IOPS sampled every log_avg_msec, the
 *                  latency histograms of log_hist_msec
 *   log_store.c    where it is kept until the job ends: chunks in memory,
 *                  deflated as they fill under log_compression
 *   log_write.c    the files: fio's names, fio 3.33's line formats
 *   log_zlib.c     zlib: a chunk deflated, a stored log inflated
 *                  (--inflate-log)
 *
 * A sample is kept in fio's own binary layout (struct tio_log_rec), which
 * is also what fio's .log.fz files hold: fio --inflate-log reads a file
 * tenon-io stored, and tenon-io --inflate-log one fio stored.
 *
 * All of it belongs to the job's worker thread, which samples as IOs
 * complete and writes the files when the job is over: no system call and
 * no lock per IO. A job without logs never reaches this code (one feature
 * bit, worker.h). */
#ifndef TIO_LOG_H
#define TIO_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tio_job.h"

/* fio's latency histogram: 29 groups of 64 bins, the first two groups
 * exact (stat.h FIO_IO_U_PLAT_*). */
#define TIO_LOG_PLAT_BITS 6u
#define TIO_LOG_PLAT_VAL (1u << TIO_LOG_PLAT_BITS)
#define TIO_LOG_PLAT_GROUPS 29u
#define TIO_LOG_PLAT_NR (TIO_LOG_PLAT_GROUPS * TIO_LOG_PLAT_VAL)

/* fio 3.33's io_sample_offset; without log_offset the record ends before
 * `offset` (fio's io_sample). Records of fio 3.37 and 3.38's columns
 * (log_window_value=both, log_issue_time) are whole structs, never stored
 * compressed: fio 3.33 has no layout for them. */
struct tio_log_rec {
    uint64_t time; /* ms since the job's epoch */
    uint64_t val;
    uint32_t ddir; /* direction | TIO_LOG_*_BIT */
    uint16_t prio;
    uint16_t pad;
    uint64_t bs;
    uint64_t offset;
    uint64_t val1;  /* log_window_value=both: the window's maximum */
    uint64_t issue; /* log_issue_time: ns from the epoch to the IO's issue */
};
#define TIO_LOG_REC_SHORT 32u
#define TIO_LOG_REC_LONG 40u
#define TIO_LOG_REC_EXT ((unsigned)sizeof(struct tio_log_rec))
/* fio's bits (3.33, and 3.37-3.38 for the last two) */
#define TIO_LOG_OFFSET_BIT 0x80000000u
#define TIO_LOG_PRIO_BIT 0x40000000u
#define TIO_LOG_AVG_MAX_BIT 0x20000000u
#define TIO_LOG_ISSUE_BIT 0x10000000u
#define TIO_LOG_BITS \
    (TIO_LOG_OFFSET_BIT | TIO_LOG_PRIO_BIT | TIO_LOG_AVG_MAX_BIT | TIO_LOG_ISSUE_BIT)

/* A histogram log's record: a header, then its bins. */
struct tio_log_hist_rec {
    uint64_t time;
    uint32_t ddir;
    uint32_t pad;
    uint64_t bs;
    /* uint64_t bins[] follow */
};

struct tio_log_chunk {
    struct tio_log_chunk *next;
    size_t len; /* bytes used */
    size_t cap;
    bool deflated; /* data is one zlib stream of records */
    unsigned char data[];
};

/* The open log_avg_msec window of one direction. */
struct tio_log_win {
    uint64_t n, sum, max;
};

struct tio_log {
    char *path;
    size_t rec_size;
    bool hist; /* records are struct tio_log_hist_rec + bins */
    uint32_t ddir_bits;
    unsigned avg_msec;     /* 0: every sample is a line */
    bool closes_on_sample; /* latency logs: the window closes only once over */
    bool issue_times;      /* clat and slat under log_issue_time: the column's values */
    unsigned window_value; /* enum tio_log_window */
    uint64_t time_base;    /* ms added to every time: log_unix_epoch */
    struct tio_log_win win[3];
    uint64_t avg_last[3];
    /* storage: log_store.c */
    struct tio_log_chunk *head, *tail;
    struct tio_log_chunk **tail_link; /* what points at tail */
    size_t chunk_bytes;               /* a chunk's size: log_compression, or a default */
    bool deflate_full;                /* log_compression: full chunks are deflated */
    int error;                        /* first storage error (-errno) */
};

/* A job's logs. */
enum tio_log_id {
    TIO_LOG_ID_LAT,
    TIO_LOG_ID_SLAT,
    TIO_LOG_ID_CLAT,
    TIO_LOG_ID_BW,
    TIO_LOG_ID_IOPS,
    TIO_LOG_ID_HIST,
    TIO_LOG_IDS
};

struct tio_logs {
    struct tio_log *log[TIO_LOG_IDS]; /* NULL: not written */
    uint64_t epoch_ns;
    int epoch_clock; /* log_unix_epoch: its clock; -1: times from 0 */
    bool ramping;    /* ramp_time: nothing is logged yet */
    bool per_job;    /* per_job_logs: files are written, not appended */
    bool store_compressed;
    /* bandwidth and IOPS over log_avg_msec intervals (fio's helper
     * thread's samples); per IO when bw_per_io / iops_per_io */
    bool bw_per_io, iops_per_io;
    unsigned avg_msec;
    uint64_t next_tick_ms;
    uint64_t bw_last_ms, iops_last_ms;
    uint64_t last_bytes[3], last_ios[3];
    uint64_t fixed_bs[3]; /* the direction's bs: averaged lines carry it */
    /* latency histograms */
    unsigned hist_msec;
    unsigned hist_stride; /* 1 << log_hist_coarseness */
    uint64_t hist_last[3];
    uint64_t *plat[3]; /* this window's counts, fio's bins */
};

/* ---- log_sample.c ---------------------------------------------------------- */

struct tio_job_stats;

/* The logs job asks for, or NULL with *err = 0 when it asks for none;
 * NULL with *err = -errno when they cannot be set up. index is the job's
 * 1-based number (fio's thread number in file names). */
struct tio_logs *tio_logs_new(const struct tio_job *job, unsigned index, int *err);
void tio_logs_free(struct tio_logs *ls);
/* The job's time 0 for the logs: when its IO starts (ramp: a ramp_time
 * starts, during which nothing is logged), and again when its ramp ends. */
void tio_logs_start(struct tio_logs *ls, uint64_t now_ns, bool ramp);
/* A completed IO (issued clat_ns before now_ns), of priority prio
 * (Linux's ioprio value: class << 13 | level). */
void tio_logs_io(struct tio_logs *ls, const struct tio_job_stats *js, unsigned d,
                 uint64_t bytes, uint64_t offset, uint64_t clat_ns, uint64_t lat_ns,
                 uint64_t now_ns, uint16_t prio);
/* An IO submitted (asynchronous engines) at now_ns: its submission latency. */
void tio_logs_slat(struct tio_logs *ls, unsigned d, uint64_t bytes, uint64_t offset,
                   uint64_t slat_ns, uint64_t now_ns, uint16_t prio);
/* The job is over: the open windows close at now_ns. */
void tio_logs_finalize(struct tio_logs *ls, uint64_t now_ns);
/* Whether the latency log writes slat samples (asynchronous engines). */
bool tio_logs_has_slat(const struct tio_logs *ls);

/* ---- log_store.c ----------------------------------------------------------- */

struct tio_log *tio_log_new(const char *path, size_t rec_size, uint64_t compress_bytes);
void tio_log_free(struct tio_log *l);
/* Room for one record in a new chunk; NULL when memory ran out (l->error
 * says so). */
void *tio_log_append_slow(struct tio_log *l);

/* Room for one record; NULL when memory ran out. The tail chunk is never
 * a deflated one: a chunk is deflated as the next one starts. */
static inline void *tio_log_append(struct tio_log *l)
{
    struct tio_log_chunk *c = l->tail;
    if (__builtin_expect(c && c->len + l->rec_size <= c->cap, 1)) {
        void *rec = c->data + c->len;
        c->len += l->rec_size;
        return rec;
    }
    return tio_log_append_slow(l);
}
void tio_log_clear(struct tio_log *l);

/* ---- log_write.c ----------------------------------------------------------- */

/* fio's file name of a log: PREFIX_TYPE.INDEX.log, PREFIX_TYPE.log without
 * per_job_logs, .log.fz when stored compressed. Returns -1 if too long. */
int tio_log_path(char *buf, size_t size, const char *prefix, const char *type, unsigned index,
                 bool per_job, bool compressed);
/* Creates each log's file (empty; per_job_logs=0: as it is), so that a
 * path that cannot be written fails the job before its IO. 0, or -errno
 * with why. */
int tio_logs_create(struct tio_logs *ls, char *why, size_t why_size);
/* Writes every log's file. Returns 0 or -errno; what failed in text. */
int tio_logs_write(struct tio_logs *ls, char *why, size_t why_size);
/* fio 3.33's lines for a buffer of records (what one .fz stream holds). */
int tio_log_print_recs(FILE *f, const unsigned char *buf, size_t len);

/* ---- log_zlib.c ------------------------------------------------------------ */

/* One zlib stream of len bytes of src, in a new chunk; NULL on failure. */
struct tio_log_chunk *tio_log_deflate(const unsigned char *src, size_t len);
/* Inflates one zlib stream at src (at most len bytes): *out (malloc'd) and
 * *out_len, *used the bytes of src it took. Returns 0 or -1. */
int tio_log_inflate_stream(const unsigned char *src, size_t len, unsigned char **out,
                           size_t *out_len, size_t *used);
/* --inflate-log=FILE: a stored log's lines on out. 0, or -1 with why. */
int tio_log_inflate_file(const char *path, FILE *out, char *why, size_t why_size);

/* A job's log options that tenon-io refuses (with gtod_reduce, the
 * histogram log compressed). 0, or -1 with why. */
int tio_logs_check(const struct tio_job *job, char *why, size_t why_size);

#endif
