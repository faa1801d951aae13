/* A job thread's internals, shared by the files it is split into:
 *
 *   worker.c       the thread's lifecycle: engine instance, targets, setup
 *                  of every feature, run, teardown
 *   loop.c         the hot path: the sync and async loops, submit, commit,
 *                  reap, drain, completing an IO
 *   next_io.c      the choice of the next IO: direction, file, offset,
 *                  length, sequential or random, the byte and IO budget
 *   blocksize.c    the size of each IO when it varies (bsrange, bssplit)
 *   file_service.c the file of each IO under openfiles or file_service_type
 *   rmap.c         the random map (fio's axmap semantics)
 *   rand_gen.c     fio's generators and per-purpose seeds
 *   rand_dist.c    random_distribution and random_generator=lfsr: where
 *                  random blocks come from when not fio's uniform draw
 *   units.c        IO units and their buffers, and what a write puts in them
 *   verify_log.c   verify: the written-block log and the verify phase's IOs
 *   sync_policy.c  fsync/fdatasync every N writes, at the end of each pass
 *   phase.c        ramp, runtime, loops, invalidation per pass, the verify
 *                  phase, interruption
 *   zones.c        zonemode=strided: the current zone, moving on, its map
 *   zbd*.c         zonemode=zbd: zones with write pointers (a device's, or
 *                  emulated), each IO moved to one, zoneskip, trims as resets
 *   rate.c         rate, rate_iops, rate_process: waiting for the next IO
 *                  (its schedule: rate_sched.c); rate_min, rate_iops_min
 *   log*.c         write_bw_log and its kin (log.h maps them)
 *   offload.c      io_submit_mode=offload: the pool of submitting threads
 *                  and the job thread's loop that feeds it (offload.h)
 *   overlap.c      serialize_overlap, inline and across offload jobs
 *
 * struct worker is a composite: each sub-struct belongs to one file, which
 * alone writes it; other files go through that file's functions. Every
 * feature module has the same contract: tio_FEATURE_setup (0 or -errno),
 * hooks the loop calls on issue and/or on completion, and
 * tio_FEATURE_teardown. The hooks the loop calls per IO are the static
 * inline functions below; each is guarded by one bit of worker.features,
 * computed once at setup, so a job pays per IO for no feature it does not
 * use: no function-pointer chain, no option tests.
 */
#ifndef TIO_WORKER_H
#define TIO_WORKER_H

#include "host.h"

#include <stdatomic.h>

#include "clock.h"
#include "fio_dist.h"
#include "rand_dist.h"
#include "rand_gen.h"
#include "rate_sched.h"
#include "rmap.h"
#include "lfsr.h"
#include "verify_extents.h"
#include "log.h"
#include "tio_job_stats.h"

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* worker.features: what this job uses, decided once at setup. */
enum {
    TIO_WF_VERIFY = 1u << 0,      /* verify=: writes carry headers, reads may be checked */
    TIO_WF_FILL = 1u << 1,        /* refill_buffers or scramble_buffers: work per write */
    TIO_WF_SYNC_EVERY = 1u << 2,  /* fsync=N, fdatasync=N or sync_file_range */
    TIO_WF_GTOD_REDUCE = 1u << 3, /* gtod_reduce: the clock is read once per 128 calls */
    TIO_WF_IOS_LIMIT = 1u << 4,   /* number_ios */
    TIO_WF_SYNC_ENGINE = 1u << 5, /* the engine completes every IO in queue() */
    TIO_WF_BS_VARY = 1u << 6,     /* bsrange or bssplit: a size drawn per IO */
    TIO_WF_SEQ_BACK = 1u << 7,    /* rw=TYPE:-N: sequential IO goes backwards */
    TIO_WF_MAP_LOOPS = 1u << 9,   /* random map, loops as one stream: reseed per loop */
    TIO_WF_SEQUENCER = 1u << 8,   /* rw=randTYPE:N, percentage_random: not always random */
    TIO_WF_RATE = 1u << 10,       /* rate or rate_iops caps a direction the job does */
    TIO_WF_RATE_MIN = 1u << 11,   /* rate_min or rate_iops_min: checked as IOs complete */
    TIO_WF_LOG = 1u << 12,        /* write_*_log: completions are logged */
    TIO_WF_LOG_SLAT = 1u << 13,   /* write_lat_log, async engine: submissions too */
    TIO_WF_CMDPRIO = 1u << 14,    /* cmdprio_*: IOs carry priorities of their own */
    TIO_WF_THINK = 1u << 15,      /* thinktime: the job stalls between IOs */
    TIO_WF_LATENCY = 1u << 16,    /* max_latency, latency_target: IOs are timed against them */
    TIO_WF_TRIMWRITE = 1u << 27,  /* trimwrite, randtrimwrite: a write follows each trim */
    TIO_WF_TRIM_VLOG = 1u << 28,  /* trim_backlog: verified blocks trimmed */
    /* random_distribution other than random, or random_generator=lfsr:
     * random blocks come from rand_dist.c (a high bit, clear of the others) */
    TIO_WF_RAND_DIST = 1u << 24,
    TIO_WF_ZONES = 1u << 17,    /* zonemode=strided: IO confined to the current zone */
    TIO_WF_FSERVICE = 1u << 18, /* openfiles or file_service_type pick the file */
    TIO_WF_IOLOG_W = 1u << 19,  /* write_iolog: every IO issued is recorded */
    TIO_WF_REPLAY = 1u << 20,   /* read_iolog: the main phase's IOs are the log's */
    TIO_WF_FLOW = 1u << 21,     /* flow: IO waits for the job's share of its group */
    TIO_WF_OFFLOAD = 1u << 22,  /* io_submit_mode=offload: a pool of threads submits */
    TIO_WF_OVERLAP = 1u << 23,  /* serialize_overlap: no two overlapping IOs in flight */
    TIO_WF_ZBD = 1u << 25,      /* zonemode=zbd: IOs go to zones' write pointers */
    TIO_WF_MAP_PASSES = 1u
                        << 26, /* random map, io_size above size: fio's passes (map_passes.c) */
    TIO_WF_MIX_PASS = 1u << 30, /* sequential IO: fio's passes, ended per file and direction */
    /* disable_lat, disable_clat or disable_slat: completions and submissions
     * record only some measures (stats_part.c) */
    TIO_WF_STATS_PART = 1u << 29,
};
/* A file-less engine's files without size=: no end, as fio's (no_end.c).
 * A macro: bit 31 is past the int range C gives an enum's constants. */
#define TIO_WF_NO_END (1u << 31)

/* ---- units.c: IO units and buffers ---------------------------------------- */

/* What the host remembers about an IO unit besides what the engine sees. */
struct io_meta {
    uint64_t offset; /* the whole IO as issued (a short IO is resubmitted */
    uint64_t len;    /* for the rest, with offset/len/buf moved on) */
    void *buf;
    uint32_t file;
    uint32_t verify_write; /* verify: the write's number + 1 (0: not known) */
    bool verify_read; /* check the data when it completes (a write: log it, verify_backlog) */
    bool verify_backlog; /* a verify_backlog read */
    uint8_t prio_index;  /* cmdprio: the IO's priority among its direction's */
    uint16_t ioprio;     /* its priority, as the logs show it (class << 13 | level) */
};

struct tio_units {
    tio_io *ios;
    struct io_meta *meta;
    unsigned n;
    void *buffers;
    void *area; /* what posix_memalign returned: buffers may start past it */
    size_t buf_size;
    /* What a write puts in its buffer under TIO_WF_FILL, chosen at setup;
     * content: fio's compressible and dedupe data (buffer_fill.c), or NULL. */
    void (*fill)(struct worker *w, tio_io *io, uint64_t offset);
    struct tio_bufill *content;
};

/* ---- loop.c: the queue of units and the clock of the IO path -------------- */

struct tio_loop {
    tio_io **free_ios;
    unsigned n_free;
    tio_io **events;
    tio_io **queued;
    unsigned n_queued;
    tio_io **retry; /* units to submit again: short IOs and TIO_BUSY */
    unsigned n_retry;
    unsigned inflight;
    unsigned gtod_calls;
    uint64_t gtod_now;
};

/* ---- next_io.c: where the next IO goes ------------------------------------ */

/* Per file and direction: where sequential IO goes next, and the random
 * permutation of blocks. */
struct file_gen {
    uint64_t seq[2];
    struct tio_rmap maps[2]; /* random IO: blocks done this pass (tio_next.map_of) */
    uint64_t blocks[2];      /* random IO: the blocks of ba it may start on */
    double blocks_d[2];      /* the same, as fio scales its draws by it */
    bool used_up;            /* until_used: no block left, the file is done */
    uint64_t last_start[2];  /* rw_sequencer=identical: the last IO's offset */
    /* random IO without a map drawing unaligned sizes: where a drawn size
     * must end, the file's io_size past its whole blocks (fio's
     * io_u_fits); 0: the region's end */
    uint64_t fit_end;
};

struct tio_next {
    struct file_gen *gen;
    size_t next_file;
    uint64_t bytes_total; /* 0: no byte limit (time_based) */
    uint64_t bytes_issued;
    uint64_t ios_total;          /* number_ios x loops; 0: no IO count limit */
    uint64_t ios_verify_counted; /* verify reads taken off ios_total so far */
    uint64_t ios_issued;
    uint64_t loop_bytes; /* bytes of one loop when loops end with a sync */
    bool one_loop;       /* ... yet the first loop does them all */
    uint64_t pass_bytes; /* verify passes: the most one pass does (size) */
    uint64_t io_limit;   /* verify passes: io_size (or size) */
    uint64_t size_bytes; /* fio's size: the files' shares (verify passes) */
    bool verify_files;   /* verify passes may end each file as fio's (tio_next_verify_pass) */
    uint64_t pass_start; /* TIO_WF_MAP_PASSES: bytes issued when this pass began */
    unsigned passes;     /* TIO_WF_MAP_PASSES: passes begun */
    bool pass_held;      /* TIO_WF_MAP_PASSES: the next pass waits for the loop's sync */
    /* the budget reaches past the files' whole blocks: a file is done once
     * its blocks are used up, and the job once every file is (fio) */
    bool until_used;
    size_t files_used_up;
    uint64_t seq_left;            /* rw=randTYPE:N: IOs until the next random offset */
    struct tio_frand seq_rand[2]; /* percentage_random's draws (fio's seq_rand_state) */
    struct tio_frand mix;         /* rwmixread's draws (fio's rwmix_state) */
    unsigned mix_dir;             /* a mixed job's current direction: 0 read, 1 write */
    uint64_t mix_issues;          /* the IOs it holds for (fio's rwmix_issues) */
    uint64_t issues[2];           /* IOs issued per direction */
    bool map_simple;              /* one map bit per IO: its block is its start's */
    bool random;                  /* the job's offsets are random */
    bool ahead;                   /* next_unit holds the offsets' next draw */
    bool busy_ok;                 /* the next random IO goes unmarked (map_used_up) */
    bool files_wrap;              /* a full file starts over as in time_based jobs (fio's
                      * non-uniform file_service_type) */
    double next_unit;
    unsigned map_of[2]; /* the map each direction uses: both 0 when shared */
};

/* ---- file_service.c: openfiles, file_service_type -------------------------- */

struct tio_fsvc {
    bool *open, *done; /* per file: in the set serviced; done until all are */
    bool *fresh;       /* per file: started over, not chosen since */
    size_t n_open, n_done, limit;
    size_t cur;    /* the file being serviced (SIZE_MAX: none) */
    unsigned left; /* IOs it still gets (file_service_type=TYPE:N) */
    unsigned nr;
    size_t cursor;         /* roundrobin, sequential: the next file in turn */
    struct tio_frand rand; /* random: fio's next_file_state */
    struct tio_fdist dist; /* zipf, pareto, normal: fio's next_file_{zipf,gauss} */
    /* fio's pass, whose start may bring a sync (fsync=N and the like) */
    uint64_t pass_start; /* the bytes issued as it began */
    uint64_t pass_size;  /* on a queue it ends at these bytes (fio's size) */
};

/* ---- blocksize.c: the size of each IO when it varies ---------------------- */

struct tio_bsz {
    struct tio_frand state[TIO_JOB_DDIR_COUNT]; /* fio's bsrange_state */
};

/* ---- verify_log.c: what was written, and reading it back ------------------ */

/* One write logged: where, how long, and its number. */
struct tio_vlog_entry {
    uint32_t file;
    uint32_t num; /* the write's number + 1 */
    uint32_t len; /* verify_list.c: 0 once read back, or the write failed */
    uint64_t pos; /* where it starts in the file's region */
};

/* verify_list.c: every write logged, in the order issued, each read back
 * by the verify phase (fio's io_hist_list). */
struct tio_vlist {
    struct tio_vlog_entry *e;
    size_t len, cap;
    size_t next; /* the verify phase: the next entry to read */
    bool on;
};

struct tio_vlog {
    struct tio_verify_params vp;
    bool main_reads; /* a read-only job checks what it reads, as fio */
    uint64_t seed;   /* base of the seeds of this job's written data */
    uint32_t writes; /* writes issued, for their numbers and seeds */
    /* per file, per block of the write size, the number + 1 of the last
     * write issued there; 0: not written. NULL unless the job writes
     * fixed-size blocks on the grid of their size. */
    uint32_t **written;
    /* per file, the extents written (verify_extents.h), when the job's
     * writes vary in size or leave the grid; NULL otherwise */
    struct tio_vext *ext;
    uint64_t *next_block; /* the verify phase: next block (ext: offset) per file */
    size_t file;          /* the verify phase: the file it reads */
    uint64_t read_bytes;  /* bytes the verify phases have read, all passes */
    uint64_t read_ios;    /* and their reads */
    bool phase_skipped;   /* time_based write-only: no verify phase, as fio */
    bool dry;             /* verify_only: writes are logged, never done */
    struct tio_vstate {   /* verify_state_save / _load (verify_state.c) */
        uint64_t *comp;   /* per file, the last iodepth completed writes' offsets */
        uint32_t *comp_next;
        uint64_t completed;
        bool saving;
        uint8_t *loaded; /* the loaded file's thread_io_list */
        uint64_t no_comps, numberio;
        uint32_t depth;
    } vs;
    struct tio_vlist list;
    struct tio_vlog_backlog { /* verify_backlog: writes done, oldest first */
        struct tio_vlog_entry *ring;
        size_t cap, head, len;
        uint64_t batch_left; /* verify reads still due in this batch */
        bool on;
    } bl;
};

/* ---- sync_policy.c: when the job syncs ------------------------------------ */

/* sync_file_range=: the written range of one file since its last sync. */
struct tio_sync_range {
    uint64_t first; /* UINT64_MAX: nothing written since */
    uint64_t end;
};

/* A sync kind of tenon-io's own, beside the engines' TIO_SYNC and
 * TIO_DATASYNC: sync_file_range(2) of the range written, done on the
 * file's descriptor by the job's thread. */
#define TIO_SYNC_RANGE 0x100u

struct tio_sync_policy {
    unsigned every;                /* fsync=N, fdatasync=N or sync_file_range=FLAGS:N */
    uint32_t kind;                 /* TIO_SYNC, TIO_DATASYNC or TIO_SYNC_RANGE */
    struct tio_sync_range *ranges; /* TIO_SYNC_RANGE: one per file */
    unsigned writes_since_sync;
    bool at_multiple; /* the writes so far are a multiple of every */
    tio_io io;
    bool due;           /* fsync=N came due on an asynchronous engine */
    bool queued;        /* fio's model on a queue: syncs are IOs of the queue */
    bool last_was_sync; /* queued: the last IO to complete was a sync */
    unsigned inflight;  /* queued: syncs out */
    uint64_t writes;    /* queued: writes issued (fio's io_issues[DDIR_WRITE]) */
    bool pass_synced;   /* a pass's start synced, no read or write done since */
    bool due_next_pass; /* it came due with the pass's last write */
    uint32_t due_file;
    uint64_t ios_pass_at; /* 1 + the IOs issued when this pass started */
    bool pass_ahead;      /* queued: a pass starts before the IO is fetched */
};

/* ---- mem_alloc.c: the job's memory ---------------------------------------- */

struct tio_mem {
    int shm_id;      /* mem=shm, shmhuge: the segment; -1: none */
    int fd;          /* mem=mmap*:FILE: the file; -1: none */
    size_t map_size; /* mem=mmap*: the mapping's length */
    bool keep_file;  /* the FILE existed before the job */
    bool created;    /* ...or the job created it (removed at the end) */
    dev_t dev;       /* the FILE's identity, to remove only that file */
    ino_t ino;
    void *pinned; /* lockmem's mlocked mapping, or NULL */
    size_t pinned_size;
};

/* ---- phase.c: the job's phases -------------------------------------------- */

struct tio_phase {
    uint64_t deadline_ns; /* 0: none */
    uint64_t ramp_end_ns; /* 0: no ramp, or over */
    bool verifying;       /* the verify phase is on */
    bool backlog;         /* a verify_backlog batch is due */
    enum tio_job_state running_state;
    /* What tio_halted saw: tio_halt_seq, tio_stop, the job's end_now (or
     * latency_target's end: the job ends as if its runtime ran out). */
    unsigned halt_seq;
    bool stopped;
    bool ended;
};

/* ---- rate.c: the rate cap ------------------------------------------------- */

struct tio_rate {
    struct tio_rate_sched sched;
    uint64_t epoch_ns; /* the schedule's zero: the job's start, then the ramp's end */
    /* rate_min, rate_iops_min: what was done at the last check, per direction */
    uint64_t min_bytes[2], min_ios[2], min_ns[2];
};

/* ---- cmdprio.c: priorities of IOs ----------------------------------------- */

struct tio_cmdprio_choice {
    uint64_t bs;
    unsigned perc;
    uint32_t prio;
    uint8_t index; /* in the direction's latency-per-priority table */
};

struct tio_cmdprio {
    struct tio_frand state; /* fio's prio_state */
    bool on[2];             /* per read, write: some IOs get a priority */
    bool total_lat;         /* lat_percentiles: priorities keep total latency */
    uint16_t thread_prio;   /* the IOs' priority when none is picked */
    unsigned perc[2];       /* cmdprio_percentage */
    uint32_t perc_prio[2];
    uint8_t perc_index[2];
    struct tio_cmdprio_choice split[2][TIO_CMDPRIO_MAX]; /* cmdprio_bssplit, by bs */
    unsigned n[2];
};

/* ---- thinktime.c: stalls between IOs -------------------------------------- */

struct tio_think {
    uint64_t issued;      /* IOs issued (thinktime_blocks_type=issue) */
    uint64_t blocks;      /* the count the last check saw */
    uint64_t last_blocks; /* the count at the last stall */
    uint64_t last_ns;     /* thinktime_iotime: the last stall's check */
    uint64_t checked_ns;  /* thinktime_iotime: this check's time */
};

/* ---- lat_target.c: latency limits ----------------------------------------- */

struct tio_lat {
    unsigned qd;          /* the queue depth in use */
    unsigned qd_low;      /* the deepest that met the target */
    unsigned qd_high;     /* the shallowest that did not (or iodepth) */
    unsigned qd_high_max; /* iodepth */
    unsigned stable;      /* good windows in a row at the top */
    uint64_t failed;      /* IOs over the target in this window */
    uint64_t ios_at;      /* IOs completed when the window began */
    uint64_t cycle_ns;    /* when it began */
    bool end_run;         /* the last window, at the depth found */
    bool quiesce;         /* the loop drains before it issues more */
};

/* ---- trim.c: trim jobs ---------------------------------------------------- */

struct tio_trim {
    struct tio_job *gen; /* the job as the generator sees it: trims in the write slot */
    bool pending;        /* trimwrite: the write of the last trim's blocks is due */
    uint32_t file;
    uint64_t pos, offset, len; /* that trim: in its region, in its file, length */
    /* trim_backlog: logged writes queued for a trim (fio's trim_list) */
    struct tio_trim_entry {
        uint32_t file;
        uint32_t num; /* the write's number + 1: stale once the block is written again */
        uint64_t block;
    } * queue;
    size_t qcap, qhead, qlen;
    struct tio_frand draws; /* trim_percentage's (fio's trim_state) */
    uint64_t hist;          /* the blocks the verify log holds (fio's io_hist_len) */
    uint64_t batch;         /* trims still due in this batch */
    bool list_mode;         /* fio logs random writes with a map in a list, not a tree */
};

/* vlog.written: a block trimmed under trim_verify_zero, to read as zeros. */
#define TIO_VLOG_TRIMMED UINT32_MAX

/* ---- zones.c: zonemode=strided ------------------------------------------ */

struct tio_zones {
    uint64_t off;   /* the current zone's start, from the region's start */
    uint64_t bytes; /* bytes of IO issued in it (fio's zone_bytes) */
    uint64_t end;   /* the file's size, from the region's start: zones wrap there */
    bool lfsr;      /* random_generator=lfsr: the zone's blocks come from it */
    /* loops after this one: each starts where an IO reaches the file's end */
    unsigned loops_left;
    struct tio_lfsr gen;
};

/* ---- zbd.c, zbd_io.c: zonemode=zbd -------------------------------------- */

struct tio_zbd_file;
/* A file's zones as one job sees them. */
struct tio_zbd_area {
    struct tio_zbd_file *f; /* shared by the run's jobs on the file (zbd.h) */
    int fd;                 /* a zoned device's, for its zone ioctls; else -1 */
    uint64_t start, len;    /* the job's region, on zone boundaries */
    uint32_t min, max;      /* its zones, [min, max) */
    uint64_t skip_at;       /* zoneskip: the zone sequential IO is in (fio's file_offset) */
};

/* zbd_trim.c: the engine's table with trims of sequential zones made
 * zone resets, for trim jobs under zonemode=zbd (w->ops, w->ed). */
struct tio_zbd_shim {
    struct worker *w;
    const tio_engine *ops; /* the engine's own */
    void *ed;
    tio_engine table;
};

struct tio_zbd {
    struct tio_zbd_area *a; /* per file */
    size_t n;
    atomic_uint open; /* zones this job opened that are open (fio's num_open_zones) */
    bool random;
    bool over;                 /* an IO found no zone: the job's IO is over (next_io.c) */
    uint64_t pass_start;       /* bytes issued as the pass began */
    unsigned passes;           /* passes begun after the first */
    struct tio_zbd_file *held; /* locked from a write's placing to its issue */
    uint64_t zone_bytes;       /* zoneskip: bytes of IO since the last skip */
    struct tio_zbd_shim shim;
};

/* ---- worker.c: the thread ------------------------------------------------- */

struct worker {
    struct tio_host_job *t;
    const struct tio_job *job;
    struct tio_job_stats *js;
    const tio_engine *ops;
    void *ed;
    struct tio_handle *h;
    size_t nf;
    unsigned features;                /* TIO_WF_* */
    uint64_t seed;                    /* the job's seed: its random stream and data */
    struct tio_rand rng;              /* one stream, drawn from in IO order */
    uint64_t fseeds[TIO_FSEED_COUNT]; /* fio's seeds of the job's streams */
    struct tio_frand offsets;         /* norandommap: fio's random_state */
    bool stop;
    bool filled; /* fill_device: the filesystem is full, verify what was written */

    struct tio_loop loop;
    struct tio_units units;
    struct tio_next next;
    struct tio_bsz bsz;
    struct tio_fsvc fsvc;
    struct tio_vlog vlog;
    struct tio_sync_policy sync;
    struct tio_mem mem;
    struct tio_phase phase;
    struct tio_rate rate;
    struct tio_trim trim;
    struct tio_zones zones;
    struct tio_zbd zbd;
    struct tio_logs *logs; /* log*.c: NULL unless the job writes logs */
    struct tio_cmdprio cmdprio;
    struct tio_think think;
    struct tio_lat lat;
    struct tio_rdist *rdist;     /* rand_dist.c: NULL unless TIO_WF_RAND_DIST */
    struct tio_mixpass *mixpass; /* mixpass.c: NULL unless TIO_WF_MIX_PASS */

    struct tio_replay *replay;   /* iolog_read.c: NULL unless read_iolog */
    struct tio_iolog_w *iolog_w; /* iolog_write.c: NULL unless write_iolog */
    struct tio_flow *flow;       /* flow.c: NULL unless flow */
    uint64_t flow_count;         /* flow.c: this job's IOs counted in its group */
    struct tio_offload *off;     /* offload.c: NULL unless io_submit_mode=offload */
};

/* Records the job's first fatal error and stops it. */
void tio_worker_fail(struct worker *w, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static inline enum tio_ddir tio_stats_dir(uint32_t d)
{
    return d == TIO_WRITE ? TIO_DDIR_WRITE : d == TIO_TRIM ? TIO_DDIR_TRIM : TIO_DDIR_READ;
}

/* "read", "write", "trim", "fsync", "fdatasync": for error texts. */
const char *tio_dir_word(uint32_t d);

/* ---- loop.c --------------------------------------------------------------- */

int tio_loop_setup(struct worker *w);
void tio_loop_teardown(struct worker *w);
/* Runs IO until the phase has none left, the job stops or is interrupted. */
void tio_loop_run(struct worker *w);
/* Waits for the IO in flight (asynchronous engines): zbd_io.c's quiesce. */
void tio_loop_quiesce(struct worker *w);

static inline unsigned tio_loop_inflight(const struct worker *w)
{
    return w->loop.inflight;
}
/* Accounts a completed IO. Returns true if it must be submitted again (a
 * short transfer: the rest goes out with offset and buffer moved on). */
bool tio_loop_complete(struct worker *w, tio_io *io, uint64_t now, bool async);
/* The loop's choice of the next IO (flow, rate, cmdprio, write_iolog on
 * issue included), for the offload loop; false when there is none. */
bool tio_loop_next_io(struct worker *w, tio_io *io, uint64_t now);

/* ---- offload.c: io_submit_mode=offload, serialize_overlap ------------------ */

/* Under io_submit_mode=offload: the pool of submitting threads, each with
 * its own engine instance; sets TIO_WF_OFFLOAD. Sets TIO_WF_OVERLAP when
 * serialize_overlap has anything to serialize. */
int tio_offload_setup(struct worker *w);
void tio_offload_teardown(struct worker *w);
/* The offload loop: the job's thread makes the IOs, the pool does them. */
void tio_offload_run(struct worker *w);
/* Inline serialize_overlap: whether io overlaps an IO in flight (the
 * loop then waits for completions before it submits io). */
bool tio_overlap_inline(struct worker *w, const tio_io *io);

/* The clock of the IO path. Under gtod_reduce it is read once every
 * GTOD_REDUCE_CALLS calls (fio reads it once per 64 IOs then) and the
 * cached value serves the runtime checks in between. */
#define GTOD_REDUCE_CALLS 128u

/* The cached clock starts at the job's start. */
static inline void tio_loop_clock_start(struct worker *w, uint64_t now)
{
    w->loop.gtod_now = now;
}

static inline uint64_t tio_io_clock(struct worker *w)
{
    if (likely(!(w->features & TIO_WF_GTOD_REDUCE)))
        return tio_now_ns();
    if ((++w->loop.gtod_calls & (GTOD_REDUCE_CALLS - 1)) == 0)
        w->loop.gtod_now = tio_now_ns();
    return w->loop.gtod_now;
}

/* ---- units.c -------------------------------------------------------------- */

int tio_units_setup(struct worker *w);
void tio_units_teardown(struct worker *w);
/* What tio_setup tells the engine about the units and their buffers. */
void tio_units_describe(const struct worker *w, tio_setup *s);

static inline unsigned tio_units_count(const struct worker *w)
{
    return w->units.n;
}

static inline tio_io *tio_units_io(struct worker *w, unsigned i)
{
    return &w->units.ios[i];
}

/* The host's side of a unit: filled by whoever issues its IO. */
static inline struct io_meta *tio_units_meta(struct worker *w, const tio_io *io)
{
    return &w->units.meta[io->index];
}
void tio_units_refill(struct worker *w, tio_io *io, uint64_t offset);

/* On issue of a write: what refill_buffers or scramble_buffers put in it
 * (zero_buffers and buffer_pattern were set once at setup). */
static inline void tio_units_on_write(struct worker *w, tio_io *io, uint64_t offset)
{
    if (unlikely(w->features & TIO_WF_FILL))
        w->units.fill(w, io, offset);
}

/* ---- next_io.c ------------------------------------------------------------ */

int tio_next_setup(struct worker *w);
void tio_next_teardown(struct worker *w);
/* Fills io with the next IO of the main phase; false when there is none. */
bool tio_next_main(struct worker *w, tio_io *io, uint64_t now);
/* Loops that end with a sync: the budget grows one loop at a time. */
void tio_next_per_loop(struct worker *w);
bool tio_next_add_loop(struct worker *w);
/* Jobs that verify after each pass: the budget of pass number pass (from
 * 1); false when the job has no pass left. */
bool tio_next_verify_pass(struct worker *w, unsigned pass);
/* A new loop's draws, from their seeds under randrepeat (fio's
 * clear_io_state). */
void tio_next_new_loop(struct worker *w);
/* A new pass of fio's: files afresh (maps, positions), then its draws. */
void tio_next_files_afresh(struct worker *w);
void tio_next_pass_draws(struct worker *w);
/* Whether the main phase has budget for another IO in this pass. */
bool tio_next_has_more(const struct worker *w);
/* Random loops run as one stream: every file's blocks are done, so fio's
 * next loop starts before its next IO (tio_next_loop_start starts it: the
 * maps empty, the draws anew). */
bool tio_next_loop_due(struct worker *w);
void tio_next_loop_start(struct worker *w);

/* The offsets', sizes' and mix's draws start afresh (randrepeat's new pass). */
void tio_next_reseed(struct worker *w);
/* A mixed job's next direction, counted as issued (fio's get_rw_ddir). */
uint32_t tio_next_mix_dir(struct worker *w);
/* Fills io with an IO chosen elsewhere (mixpass.c) and accounts it. */
bool tio_next_fill(struct worker *w, tio_io *io, uint32_t d, size_t fi, uint64_t pos,
                   uint64_t bs);

/* ---- mixpass.c: sequential passes (rw=read, write, rw), as fio ends them ---- */

/* Chooses whether the job runs its sequential IO pass by pass as fio
 * (sets TIO_WF_MIX_PASS); after tio_next_setup and the features it uses. */
int tio_mixpass_setup(struct worker *w);
void tio_mixpass_teardown(struct worker *w);
/* Fills io with the job's next IO (tio_next_main's); false when the job's
 * IO is over, or (loops that end with a sync) the pass is:
 * tio_mixpass_next_pass then says whether another follows. */
bool tio_mixpass_io(struct worker *w, tio_io *io);
bool tio_mixpass_next_pass(struct worker *w);
/* Whether the pass may issue more (fio's do_io goes on below size bytes). */
bool tio_mixpass_pass_left(const struct worker *w);
/* On a queue, before fio fetches an IO: a pass over by its bytes ends
 * there, and the next starts (its sync is then fetched in the IO's place).
 * False when the job's IO is over. */
bool tio_mixpass_start_due(struct worker *w);
/* fio's io_size of file i: its share of size= (bytes past the last whole
 * smallest block included), else its size from the region's start. */
uint64_t tio_file_io_len(const struct worker *w, size_t i);
/* next_zbd.c: the IO at *pos (in file fi's region), *bs bytes, moved into
 * the zones: 1, or 0 when the job's IO is over, or TIO_NEXT_AGAIN when a
 * new pass began and the IO is to be chosen again. */
enum { TIO_NEXT_AGAIN = 2 };
int tio_next_zbd_place(struct worker *w, struct file_gen *g, size_t fi, uint32_t d,
                       uint64_t *pos, uint64_t *bs);

/* ---- no_end.c: a file-less engine's files without size=, endless as fio's -- */

/* A position past every file's io_size: the file is done (backward holes
 * that went below its start). */
#define TIO_NOEND_PAST (UINT64_MAX / 2)
/* Sets TIO_WF_NO_END for the jobs it applies to; after tio_passes_setup. */
int tio_noend_setup(struct worker *w);
/* A verify pass after the first: every file starts afresh (fio's
 * clear_io_state), none done. */
void tio_noend_new_pass(struct worker *w);
/* Every file is done: the next pass starts (fio's loops and passes to
 * reach io_size) and true, or false when the job's IO is over. */
bool tio_noend_next_pass(struct worker *w);
/* fio's io_size of file fi, which IO may start short of and end past. */
uint64_t tio_noend_len(const struct worker *w, size_t fi);
/* Whether direction di's IO at pos (from the region's start) may go out
 * in file fi; else the file is done. */
bool tio_noend_room(const struct worker *w, size_t fi, unsigned di, uint64_t pos);

/* ---- map_passes.c: random IO over the map in fio's passes of size bytes -- */

/* After tio_fservice_setup: TIO_WF_MAP_PASSES in place of TIO_WF_MAP_LOOPS
 * for the jobs fio runs in passes. */
int tio_passes_setup(struct worker *w);
/* The pass is over (size bytes done, or every file's map full): the next
 * one starts; false when the job's IO is over instead. */
bool tio_passes_next(struct worker *w);
/* Loops that end with a sync (end_fsync, fsync_on_close): a pass over
 * holds until the phase synced, then this starts the next; false when the
 * job's IO is over. */
bool tio_passes_resume(struct worker *w);
/* Before the next IO (before its direction is drawn, as fio finds no file
 * first): false when the pass ended and the job's IO with it. */
static inline bool tio_passes_go_on(struct worker *w)
{
    const struct tio_next *n = &w->next;
    return (n->bytes_issued - n->pass_start < n->pass_bytes && n->files_used_up < w->nf) ||
           tio_passes_next(w);
}

static inline uint64_t tio_next_bytes_issued(const struct worker *w)
{
    return w->next.bytes_issued;
}

/* ---- trim.c --------------------------------------------------------------- */

/* A trim job: the generator's copy of the job (w->job from then on). */
int tio_trim_setup(struct worker *w);
void tio_trim_teardown(struct worker *w);
/* A trim was issued at pos of its region: trimwrite's write is due next. */
void tio_trim_issued(struct worker *w, const tio_io *io, uint64_t pos);
/* Before the next IO of the main phase: 1 when io holds a trim of the
 * backlog or trimwrite's write, 0 when the next IO is the generator's,
 * -1 when the job has to stop. */
int tio_trim_before(struct worker *w, tio_io *io);
/* A write the verify log took for block b of file fi (num: its number + 1;
 * again: the block was logged already). */
void tio_trim_logged(struct worker *w, uint32_t fi, uint64_t b, uint32_t num, bool again);
/* A verify read of a block trimmed under trim_verify_zero: true if it
 * reads as zeros, else the first bad offset and why. */
bool tio_trim_check_zero(const void *buf, uint64_t len, uint64_t offset, uint64_t *bad,
                         struct tio_error *why);
/* ---- zones.c -------------------------------------------------------------- */

/* After tio_next_setup: the zone's random map and blocks, and the budget,
 * as fio has them under zonemode=strided. */
int tio_zones_setup(struct worker *w);
/* Before the next IO's offset of file fi, direction di is chosen: moves on
 * to the next zone when this one has had its bytes, and starts the zone's
 * blocks afresh every zonerange bytes (fio's setup_strided_zone_mode). */
void tio_zones_enter(struct worker *w, size_t fi, unsigned di);
/* The IO's position, chosen inside the zone, moved to the zone (with
 * random_generator=lfsr, its block drawn here); false when the IO would
 * reach past the file's end or the LFSR is spent: fio ends the loop there,
 * and the job after its last loop (then the budget is spent). */
bool tio_zones_place(struct worker *w, unsigned di, uint64_t *pos, uint64_t bs);
/* ---- zbd.c, zbd_io.c ------------------------------------------------------ */

/* Before tio_next_setup: each file's zones (its device's, or emulated),
 * the job's region put on zone boundaries, fio's checks. */
int tio_zbd_setup(struct worker *w);
void tio_zbd_teardown(struct worker *w);
/* A mixed job's read, with no data in file fi's zones yet: a write instead. */
bool tio_zbd_read_as_write(const struct worker *w, size_t fi);
/* The write tio_zbd_adjust_io placed is issued, len bytes at off: its
 * zone's write pointer moves on (fio's zbd_queue_io). */
void tio_zbd_issued(struct worker *w, uint64_t off, uint64_t len);
/* An IO found no zone: fio's pass ends, and another starts (its zone
 * counts anew) unless this one, from issued bytes on, did no IO. */
bool tio_zbd_new_pass(struct worker *w, uint64_t issued);
/* A verify job's next pass of writes (phase.c): its zones reset. */
void tio_zbd_verify_pass(struct worker *w);
/* A write completed (or failed): the zone it filled is closed. */
void tio_zbd_write_done(struct worker *w, const struct io_meta *m);

/* On completion of a write under zonemode=zbd. */
static inline void tio_zbd_on_write(struct worker *w, const tio_io *io)
{
    if (unlikely(w->features & TIO_WF_ZBD) && io->ddir == TIO_WRITE)
        tio_zbd_write_done(w, tio_units_meta(w, io));
}

/* A sequential write at *off past its zone's capacity: the offset of the
 * zone's end (the region's start past its end), *skipped the bytes between
 * (fio's setup_zbd_zone_mode). */
uint64_t tio_zbd_skip(const struct worker *w, size_t fi, uint64_t off, uint64_t *skipped);
/* The IO of direction d at *off (in file fi), *len bytes, moved into the
 * zones; false when the job's IO is over (no zone to do it in) or failed. */
bool tio_zbd_adjust_io(struct worker *w, size_t fi, uint32_t d, uint64_t *off, uint64_t *len);
/* zoneskip, sequential IO: the offset of the IO at off (from: where it
 * was before a jump past a zone's capacity), moved on to the next zone to
 * do (fio's setup_zbd_zone_mode). */
uint64_t tio_zbd_zone_skip(struct worker *w, size_t fi, uint32_t d, uint64_t from,
                           uint64_t off);
/* A write placed and issued at once (trimwrite's write after its trim):
 * false when no zone takes it. */
bool tio_zbd_place_write(struct worker *w, size_t fi, uint64_t *off, uint64_t *len);
/* ---- file_service.c ------------------------------------------------------- */

int tio_fservice_setup(struct worker *w);
void tio_fservice_teardown(struct worker *w);
/* The file of the next IO of direction di (bs bytes); w->nf when every
 * file is done and the job's IO is over. */
size_t tio_fservice_next(struct worker *w, unsigned di, uint64_t bs);
/* The file whose turn comes next, the turn taken and no room asked of it
 * (a sync's, sync_policy.c); w->nf when every file is done. */
size_t tio_fservice_turn(struct worker *w);
/* fio's pass has bytes left before size (on a queue it ends there). */
bool tio_fservice_pass_left(const struct worker *w);

/* ---- blocksize.c ---------------------------------------------------------- */

int tio_bsz_setup(struct worker *w);
/* The size of the next IO of direction d, room bytes before the region's
 * end (at least the smallest size when it fits). */
uint64_t tio_bsz_next(struct worker *w, unsigned d, uint64_t room);

/* ---- verify_log.c --------------------------------------------------------- */

int tio_vlog_setup(struct worker *w);
void tio_vlog_teardown(struct worker *w);
void tio_vlog_write(struct worker *w, tio_io *io, struct io_meta *m, uint64_t pos);
void tio_vlog_unmark(struct worker *w, const struct io_meta *m);
void tio_vlog_check(struct worker *w, tio_io *io);
/* The verify phase's next IO: a block the job wrote; false when none is left. */
bool tio_vlog_next(struct worker *w, tio_io *io, uint64_t now);
/* A verify read of len bytes at pos of file fi's region, written by write
 * number num - 1. */
void tio_vlog_read_at(struct worker *w, tio_io *io, size_t fi, uint64_t pos, uint64_t len,
                      uint32_t num);
/* Whether write num still holds the extent at pos of file fi (not written
 * over, not checked yet). */
bool tio_vlog_current(const struct worker *w, uint32_t fi, uint64_t pos, uint32_t num);
/* It is checked now: the verify phase skips it. */
void tio_vlog_forget(struct worker *w, uint32_t fi, uint64_t pos, uint32_t num);
/* verify_state.c: fio's verify state file. */
int tio_vstate_setup(struct worker *w);
void tio_vstate_teardown(struct worker *w);
void tio_vstate_completed(struct worker *w, const struct io_meta *m);
void tio_vstate_save(struct worker *w);
int tio_vstate_load(struct worker *w);
bool tio_vstate_should_stop(const struct worker *w, uint32_t file, uint64_t offset);
/* verify_backlog.c: every verify_backlog writes done, a batch of verify
 * reads of the oldest, between the job's own IOs. */
int tio_vlog_backlog_setup(struct worker *w);
void tio_vlog_backlog_push(struct worker *w, const struct io_meta *m);
bool tio_vlog_backlog_next(struct worker *w, tio_io *io, uint64_t now);
bool tio_vlog_backlog_stale(const struct worker *w, const struct io_meta *m);
/* verify_list.c: the writes of an engine without files whose random IO
 * with a map may follow on, logged each in a list as fio logs them. */
/* Whether fio logs the job's writes in a list, not in its tree. */
bool tio_vlog_fio_lists(const struct tio_job *job);
int tio_vlist_setup(struct worker *w);
void tio_vlist_free(struct tio_vlist *l);
void tio_vlist_push(struct worker *w, uint32_t fi, uint64_t pos, uint64_t len, uint32_t num);
/* Write num is read back, or failed: the verify phase skips it. */
void tio_vlist_drop(struct tio_vlist *l, uint32_t num);
bool tio_vlist_next(struct worker *w, tio_io *io);
/* verify_only: the main phase's IOs chosen and logged, none done. */
void tio_vlog_dry_run(struct worker *w);
/* Whether the job has a verify phase to run (verify, do_verify, writes). */
bool tio_vlog_phase_due(const struct worker *w);
/* A pass starts: its verify phase reads back only what it writes. */
void tio_vlog_new_pass(struct worker *w);

/* A read-only job under verify checks its reads as they complete. */
static inline bool tio_vlog_checks_reads(const struct worker *w)
{
    return w->vlog.main_reads;
}

/* On issue of a write under verify: header and data, and the log entry. */
static inline void tio_vlog_on_write(struct worker *w, tio_io *io, struct io_meta *m,
                                     uint64_t pos)
{
    tio_vlog_write(w, io, m, pos);
}

/* On completion of a read that carries a check. */
static inline void tio_vlog_on_read(struct worker *w, tio_io *io)
{
    tio_vlog_check(w, io);
}

/* On a failed write: it wrote nothing verify could check. */
static inline void tio_vlog_on_write_failed(struct worker *w, const struct io_meta *m)
{
    if (w->features & TIO_WF_VERIFY)
        tio_vlog_unmark(w, m);
}

/* ---- fill_device.c -------------------------------------------------------- */

/* fill_device: an IO in direction ddir failed with ENOSPC or EDQUOT. */
void tio_fill_full(struct worker *w, const struct io_meta *m, uint32_t ddir);

/* ---- sync_policy.c -------------------------------------------------------- */

int tio_sync_setup(struct worker *w);
void tio_sync_teardown(struct worker *w);
/* Syncs file fi (TIO_SYNC, TIO_DATASYNC or TIO_SYNC_RANGE) and waits for it; accounted:
 * its latency (and, for TIO_SYNC, its count) go into the report. */
void tio_sync_file(struct worker *w, size_t fi, uint32_t kind, bool accounted);
/* An IO completed: the count of fsync=N, fdatasync=N and
 * sync_file_range=FLAGS:N (on a queue, a sync of its own too). */
void tio_sync_count(struct worker *w, const tio_io *io);
/* end_fsync, fsync_on_close: whether each pass ends with a sync, and that sync. */
bool tio_sync_at_pass_end(const struct worker *w);
void tio_sync_pass_end(struct worker *w);

/* On completion of an IO: fsync=N / fdatasync=N / sync_file_range. */
static inline void tio_sync_on_io(struct worker *w, const tio_io *io)
{
    if (unlikely(w->features & TIO_WF_SYNC_EVERY))
        tio_sync_count(w, io);
}

/* An asynchronous engine's next IO under TIO_WF_SYNC_EVERY: on a queue, a
 * sync may take its place (fio's model, see sync_policy.c). */
bool tio_sync_next_io(struct worker *w, tio_io *io, uint64_t now);

/* An asynchronous engine's sync came due: the loop drains, then runs it. */
static inline bool tio_sync_due(const struct worker *w)
{
    return w->sync.due;
}

void tio_sync_run_due(struct worker *w);
/* On a queue, where passes are counted: this pass has done its size bytes
 * (fio fetches no IO of it, a sync neither). */
bool tio_sync_pass_at_size(const struct worker *w);
/* A new pass starts: the sync the last pass's last write made due. */
void tio_sync_pass_start(struct worker *w);
void tio_sync_new_pass(struct worker *w);
/* fio's thread loop starts another pass (mixpass.c, map_passes.c,
 * no_end.c, file_service.c): under fsync=N and the like, a sync when the
 * writes are a multiple of N. */
static inline void tio_sync_on_pass(struct worker *w)
{
    if (unlikely(w->features & TIO_WF_SYNC_EVERY))
        tio_sync_new_pass(w);
}

/* ---- log*.c: the job's logs ----------------------------------------------- */

/* A completed IO, into the logs. */
static inline void tio_log_on_io(struct worker *w, enum tio_ddir d, const struct io_meta *m,
                                 uint64_t clat, uint64_t lat, uint64_t now)
{
    if (unlikely(w->features & TIO_WF_LOG))
        tio_logs_io(w->logs, w->js, (unsigned)d, m->len, m->offset, clat, lat, now, m->ioprio);
}

/* An IO an asynchronous engine took, into the slat log. */
static inline void tio_log_on_submit(struct worker *w, tio_io *io, uint64_t slat, uint64_t now)
{
    if (unlikely(w->features & TIO_WF_LOG_SLAT)) {
        const struct io_meta *m = tio_units_meta(w, io);
        tio_logs_slat(w->logs, (unsigned)tio_stats_dir(io->ddir), m->len, m->offset, slat, now,
                      m->ioprio);
    }
}

/* The logs' time 0: IO starts (ramp: a ramp starts, not logged), or the
 * ramp ends. */
static inline void tio_log_on_start(struct worker *w, uint64_t now, bool ramp)
{
    if (w->features & TIO_WF_LOG)
        tio_logs_start(w->logs, now, ramp);
}

/* ---- cmdprio.c ------------------------------------------------------------ */

/* The job thread's priority as fio's stats and logs show it: 0 unless
 * prio or prioclass set it. */
uint16_t tio_prio_of_thread(const struct tio_job *job);
/* prio, prioclass: the thread's own priority, before the engine starts. */
int tio_prio_thread_setup(struct worker *w);
int tio_cmdprio_setup(struct worker *w);
void tio_cmdprio_pick(struct worker *w, tio_io *io, struct io_meta *m);

/* On issue: the IO's priority. */
static inline void tio_cmdprio_on_issue(struct worker *w, tio_io *io)
{
    if (unlikely(w->features & TIO_WF_CMDPRIO))
        tio_cmdprio_pick(w, io, tio_units_meta(w, io));
}

/* On completion of a read or write: its latency under its priority. */
static inline void tio_cmdprio_on_io(struct worker *w, enum tio_ddir d, const struct io_meta *m,
                                     uint64_t clat, uint64_t lat)
{
    if (unlikely(w->features & TIO_WF_CMDPRIO) && w->js->dir[d].prios.n)
        tio_prio_stats_record(&w->js->dir[d].prios, m->prio_index,
                              w->cmdprio.total_lat ? lat : clat);
}

/* ---- stats_part.c: statistics switched off one by one --------------------- */

/* Sets TIO_WF_STATS_PART when the job measures some latencies only. */
void tio_stats_part_setup(struct worker *w);
/* A read, write or trim completed, under gtod_reduce or TIO_WF_STATS_PART. */
void tio_stats_part_io(struct worker *w, enum tio_ddir d, const struct io_meta *m,
                       const tio_io *io, uint64_t clat, uint64_t lat);
/* An IO an asynchronous engine took, under TIO_WF_STATS_PART. */
void tio_stats_part_slat(struct worker *w, const tio_io *io, uint64_t slat);
/* Whether an fsync/fdatasync's latency is recorded, under either. */
bool tio_stats_part_sync(const struct worker *w);

/* ---- errors.c: errors a job carries on after ------------------------------ */

/* Whether err, failing an IO of direction ddir, lets the job go on
 * (continue_on_error, ignore_error). */
bool tio_error_nonfatal(const struct tio_job *job, uint32_t ddir, int err);
/* The job goes on after err: counted, and reported under error_dump. */
void tio_error_carry_on(struct worker *w, const tio_io *io, int err);

/* ---- exitall.c: jobs that end others ---------------------------------- */

/* The job's thread is done: exitall and exitall_on_error end others. */
void tio_exitall_on_end(struct tio_host_job *t);

/* ---- lat_target.c --------------------------------------------------------- */

int tio_lat_setup(struct worker *w);
/* A read, write or trim completed in lat_ns. */
void tio_lat_io(struct worker *w, const tio_io *io, uint64_t lat_ns);
/* After completions: a latency_target window may be over. */
void tio_lat_check(struct worker *w, uint64_t now);

static inline void tio_lat_on_io(struct worker *w, const tio_io *io, uint64_t lat_ns)
{
    if (unlikely(w->features & TIO_WF_LATENCY))
        tio_lat_io(w, io, lat_ns);
}

/* After each completion (or batch of them): a latency window may be over. */
static inline void tio_lat_on_complete(struct worker *w, uint64_t now)
{
    if (unlikely(w->features & TIO_WF_LATENCY))
        tio_lat_check(w, now);
}

/* The queue depth the loop may fill to: latency_target's, or the job's. */
static inline unsigned tio_lat_depth(const struct worker *w, unsigned depth)
{
    return unlikely(w->features & TIO_WF_LATENCY) && w->lat.qd < depth ? w->lat.qd : depth;
}

/* ---- thinktime.c ---------------------------------------------------------- */

int tio_think_setup(struct worker *w);
/* After a read, write or trim went out: whether the job stalls now. */
bool tio_think_due(struct worker *w);
/* The stall itself, with nothing in flight (the loop drained). */
void tio_think_stall(struct worker *w, uint32_t ddir);

/* ---- phase.c -------------------------------------------------------------- */

/* ---- mem_alloc.c ----------------------------------------------------------- */

/* The buffers' area (mem=/iomem=): size bytes, page-aligned, into *area.
 * Returns 0, or -1 (the job failed with the reason, or out of memory). */
int tio_mem_area_alloc(struct worker *w, size_t size, void **area);
void tio_mem_area_free(struct worker *w, void *area);
/* lockmem: pins that much memory for the job's run; unpin releases it. */
int tio_mem_pin(struct worker *w);
void tio_mem_unpin(struct worker *w);

/* ---- iosched.c --------------------------------------------------------------- */

/* ioscheduler=: switches the job's block devices to it. Returns 0, or -1
 * with the job failed. */
int tio_iosched_switch(struct worker *w);

/* ---- file_hints.c ---------------------------------------------------------- */

/* pre_read, fadvise_hint and write_hint on the job's files, once they are
 * open and before the IO. Returns 0, or -1 with the job failed. */
int tio_file_hints_apply(struct worker *w);

/* Runs the job's phases: ramp and main phase (loop by loop), verify. */
void tio_phase_run(struct worker *w);
void tio_phase_ramp_over(struct worker *w, uint64_t now);
/* invalidate=1: drops the cached pages of file fi's region as a pass starts. */
void tio_phase_invalidate(struct worker *w, size_t fi);

/* After each completion (or batch of them): the ramp ends on time. */
static inline void tio_phase_on_complete(struct worker *w, uint64_t now)
{
    if (unlikely(w->phase.ramp_end_ns) && now >= w->phase.ramp_end_ns)
        tio_phase_ramp_over(w, now);
}

bool tio_halt_check(struct worker *w);

/* The job stopped (w->stop, tio_stop); also notes an end_now for
 * tio_phase_time_up. One atomic read while nothing happens: call it
 * before tio_phase_time_up. */
static inline bool tio_halted(struct worker *w)
{
    return w->stop || w->phase.stopped ||
           unlikely(atomic_load_explicit(&tio_halt_seq, memory_order_acquire) !=
                        w->phase.halt_seq &&
                    tio_halt_check(w));
}

/* The main phase is over: its runtime ran out or the job was ended (as
 * tio_halted last saw). */
static inline bool tio_phase_time_up(const struct worker *w, uint64_t now)
{
    return (w->phase.deadline_ns && now >= w->phase.deadline_ns) || unlikely(w->phase.ended);
}

static inline bool tio_phase_verifying(const struct worker *w)
{
    return w->phase.verifying | w->phase.backlog;
}

/* ---- rate.c --------------------------------------------------------------- */

int tio_rate_setup(struct worker *w);
/* The schedule starts over at now: at the job's start and its ramp's end. */
void tio_rate_epoch(struct worker *w, uint64_t now);
/* When the next IO of the main phase is due (tio_now_ns's clock). */
uint64_t tio_rate_due_ns(const struct worker *w);
/* Sleeps until `until`; false if the job stopped or its runtime ran out. */
bool tio_rate_sleep(struct worker *w, uint64_t until);
/* The direction of the next IO, given the one the mix drew. */
unsigned tio_rate_dir(struct worker *w, unsigned d);

void tio_rate_check_min(struct worker *w, uint64_t now);

/* After each completion (or batch of them): rate_min, rate_iops_min. */
static inline void tio_rate_on_complete(struct worker *w, uint64_t now)
{
    if (unlikely(w->features & TIO_WF_RATE_MIN))
        tio_rate_check_min(w, now);
}

/* On issue of an IO of the main phase: when the next one is due. */
static inline void tio_rate_on_issue(struct worker *w, const tio_io *io)
{
    if (unlikely(w->features & TIO_WF_RATE) && io->ddir <= TIO_WRITE)
        tio_rate_sched_issued(&w->rate.sched, io->ddir, io->len);
}

/* ---- iolog_read.c, iolog_write.c: replay and recording --------------------- */

int tio_replay_setup(struct worker *w);
void tio_replay_teardown(struct worker *w);
/* The main phase's next IO under read_iolog; false when the log is done. */
bool tio_replay_next(struct worker *w, tio_io *io, uint64_t now);
int tio_iolog_write_setup(struct worker *w);
void tio_iolog_write_teardown(struct worker *w);
void tio_iolog_write_io(struct worker *w, const tio_io *io);

/* On issue of any IO (syncs too): write_iolog. */
static inline void tio_iolog_on_issue(struct worker *w, const tio_io *io)
{
    if (unlikely(w->features & TIO_WF_IOLOG_W))
        tio_iolog_write_io(w, io);
}

/* ---- placement.c: the job thread's CPUs and memory policy ---------------- */

/* cpumask, cpus_allowed(_policy), numa_cpu_nodes, numa_mem_policy, set on
 * the calling thread before the job allocates anything. Returns 0, or
 * -errno with the job failed (tio_worker_fail). */
int tio_placement_apply(struct worker *w);

/* ---- flow.c: flow and wait_for -------------------------------------------- */

int tio_flow_setup(struct worker *w);
void tio_flow_teardown(struct worker *w);
/* Waits while the job is ahead of its flow share; false if it is to end. */
bool tio_flow_wait(struct worker *w);
/* wait_for: blocks until every job of the waitee's name has finished. */
void tio_flow_wait_for(struct tio_host_job *t);
/* The job's thread is done (wait_for's waiters go on). */
void tio_flow_job_done(struct tio_host_job *t);

/* Before each IO of the main phase: flow. */
static inline bool tio_flow_on_issue(struct worker *w)
{
    return likely(!(w->features & TIO_WF_FLOW)) || tio_flow_wait(w);
}

#endif
