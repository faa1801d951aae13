/* tenon-io job parser: fio job files and command lines into resolved jobs.
 *
 * Use:
 *   1. parse:   tio_cmdline_parse(argc, argv, NULL, &plan, &err)
 *               (or tio_job_parse_file / tio_job_parse_buffer for one file)
 *   2. look at plan->program (--help, --version, --enghelp need no jobs)
 *   3. resolve: tio_plan_resolve(plan, &err) clones numjobs, fills fio's
 *               defaults, names files, assigns groups and validates
 *   4. engines: for each job, hand job->engine_options to the engine's
 *               option schema; for a key the engine does not declare, report
 *               tio_engine_option_unknown()
 *   5. tio_plan_free(plan)
 *
 * The parser is reentrant: no global mutable state, no printing, no exit().
 * Every allocation is checked and goes through the configured allocator. */
#ifndef TIO_JOB_H
#define TIO_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tio_job_error.h"
#include "tio_job_units.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits that keep a hostile job file from asking for unbounded memory. */
#define TIO_MAX_NUMJOBS 65536u      /* numjobs of one job section */
#define TIO_MAX_JOBS 65536u         /* jobs after numjobs expansion */
#define TIO_PERCENTILE_LIST_MAX 20u /* fio's FIO_IO_U_LIST_MAX_LEN */
#define TIO_MAX_NRFILES 1048576u    /* nrfiles of one job */
#define TIO_MAX_FILES 1048576u      /* file names over all resolved jobs */
#define TIO_MAX_INCLUDE_DEPTH 16u

/* ---- memory ------------------------------------------------------------ */

/* realloc-style: size 0 frees and returns NULL. A NULL realloc means libc.
 * Tests plug a failing allocator here to prove every failure is clean. */
struct tio_allocator {
    void *(*realloc)(void *ctx, void *ptr, size_t size);
    void *ctx;
};

/* ---- small containers -------------------------------------------------- */

struct tio_strv {
    char **v;
    size_t n;
};

/* An option the core does not know: kept for the engine's schema. */
struct tio_engine_option {
    char *key;
    char *value;              /* NULL when given bare ("hipri", "--hipri") */
    struct tio_origin origin; /* where it was written */
};

/* ---- enumerations -------------------------------------------------------- */

/* Index of the per-direction arrays (bs, ba): fio's order, the same values
 * as enum tio_ddir of the stats code. */
enum tio_job_ddir {
    TIO_JOB_DDIR_READ = 0,
    TIO_JOB_DDIR_WRITE = 1,
    TIO_JOB_DDIR_TRIM = 2,
    TIO_JOB_DDIR_COUNT = 3,
};

enum tio_rw {
    TIO_RW_READ = 0,      /* read */
    TIO_RW_WRITE,         /* write */
    TIO_RW_RANDREAD,      /* randread */
    TIO_RW_RANDWRITE,     /* randwrite */
    TIO_RW_RW,            /* rw, readwrite: sequential mix */
    TIO_RW_RANDRW,        /* randrw: random mix */
    TIO_RW_TRIM,          /* trim */
    TIO_RW_RANDTRIM,      /* randtrim */
    TIO_RW_TRIMWRITE,     /* trimwrite: each block trimmed, then written */
    TIO_RW_RANDTRIMWRITE, /* randtrimwrite: the same at random offsets */
};

/* fio's longest data pattern (verify_pattern, buffer_pattern). */
#define TIO_JOB_PATTERN_MAX 512
/* Where a pattern's %o sit: fio pastes the IO's offset there. */
struct tio_job_pattern_fmt {
    unsigned n;
    uint16_t off[8];
};

/* verify=: fio's verify_type numbers, as its headers carry them. */
enum tio_verify {
    TIO_VERIFY_NONE = 0,
    TIO_VERIFY_META = 1, /* the header only */
    TIO_VERIFY_MD5 = 2,
    TIO_VERIFY_CRC64 = 3,
    TIO_VERIFY_CRC32 = 4,
    TIO_VERIFY_CRC32C = 5,       /* crc32c, crc32c-intel */
    TIO_VERIFY_CRC32C_INTEL = 6, /* fio's older number for crc32c: read, never written */
    TIO_VERIFY_CRC16 = 7,
    TIO_VERIFY_CRC7 = 8,
    TIO_VERIFY_SHA256 = 9,
    TIO_VERIFY_SHA512 = 10,
    TIO_VERIFY_SHA3_224 = 11,
    TIO_VERIFY_SHA3_256 = 12,
    TIO_VERIFY_SHA3_384 = 13,
    TIO_VERIFY_SHA3_512 = 14,
    TIO_VERIFY_XXHASH = 15,
    TIO_VERIFY_SHA1 = 16,
    TIO_VERIFY_PATTERN_HDR = 17, /* verify_pattern without verify=: header, then pattern */
    TIO_VERIFY_PATTERN = 18,     /* verify=pattern: the pattern only, no header */
    TIO_VERIFY_NULL = 19,        /* pretend to verify */
};

/* continue_on_error is a set: io = read|write, all = read|write|verify. */
enum tio_coe {
    TIO_COE_NONE = 0,
    TIO_COE_READ = 1,
    TIO_COE_WRITE = 2,
    TIO_COE_VERIFY = 4,
    TIO_COE_IO = TIO_COE_READ | TIO_COE_WRITE,
    TIO_COE_ALL = TIO_COE_READ | TIO_COE_WRITE | TIO_COE_VERIFY,
};

enum tio_sync { TIO_SYNC_NONE = 0, TIO_SYNC_SYNC, TIO_SYNC_DSYNC };

/* file_service_type=: how a job with several files picks the next one
 * (fio's file service types). */
enum tio_fservice {
    TIO_FSERVICE_RR = 0,     /* round robin over the files open (the default) */
    TIO_FSERVICE_RANDOM,     /* a file drawn at random */
    TIO_FSERVICE_SEQUENTIAL, /* one file until it is done, then the next */
    TIO_FSERVICE_ZIPF,       /* fio's non-uniform choices: files never done, */
    TIO_FSERVICE_PARETO,     /* one full starts over (fio's ...NONUNIFORM) */
    TIO_FSERVICE_NORMAL,
};

/* fallocate=: how a file being laid out is pre-allocated (fio's modes). */
enum tio_fallocate {
    TIO_FALLOCATE_NATIVE = 0, /* fallocate(2), nothing if it fails (fio's default) */
    TIO_FALLOCATE_NONE,
    TIO_FALLOCATE_POSIX,    /* posix_fallocate(3) */
    TIO_FALLOCATE_KEEP,     /* fallocate(2) with FALLOC_FL_KEEP_SIZE */
    TIO_FALLOCATE_TRUNCATE, /* ftruncate(2) to the size */
};

/* --output-format: a set, as fio's "terse,json+" (json+ implies json). */
enum tio_output_format {
    TIO_OUTPUT_NORMAL = 1,
    TIO_OUTPUT_JSON = 2,
    TIO_OUTPUT_JSON_PLUS = 4, /* with JSON: each latency's histogram bins */
    TIO_OUTPUT_TERSE = 8,
};

/* --debug categories tenon-io traces: fio's names, fio's bits. */
enum tio_debug {
    TIO_DEBUG_PROCESS = 1u << 0,
    TIO_DEBUG_IO = 1u << 2,
    TIO_DEBUG_RANDOM = 1u << 6,
    TIO_DEBUG_PARSE = 1u << 7,
};

/* How ranks of a run under mpirun divide a file they share. */
enum tio_rank_layout {
    TIO_RANK_SEGMENTED = 0, /* consecutive parts, one per rank (IOR's default) */
    TIO_RANK_STRIDED,       /* blocks dealt out in turn: rank i takes every N-th block */
};

enum tio_eta_mode { TIO_ETA_AUTO = 0, TIO_ETA_ALWAYS, TIO_ETA_NEVER };

/* Logs: options/logs.c. The kinds index on[] and names[]. */
enum tio_log_kind {
    TIO_LOG_BW = 0, /* write_bw_log: NAME_bw.N.log */
    TIO_LOG_LAT,    /* write_lat_log: NAME_lat, NAME_slat, NAME_clat */
    TIO_LOG_IOPS,   /* write_iops_log: NAME_iops.N.log */
    TIO_LOG_HIST,   /* write_hist_log: NAME_clat_hist.N.log */
    TIO_LOG_KINDS
};

/* What a log_avg_msec window's line holds. */
enum tio_log_window {
    TIO_LOG_WINDOW_AVG = 0, /* the mean */
    TIO_LOG_WINDOW_MAX,     /* the maximum */
    TIO_LOG_WINDOW_BOTH,    /* both: a second value column (fio 3.37) */
};

struct tio_job_logs {
    bool on[TIO_LOG_KINDS];     /* write_*_log given */
    char *names[TIO_LOG_KINDS]; /* its value; NULL or "": the job's name */
    unsigned avg_msec;          /* log_avg_msec: 0 logs every IO */
    unsigned hist_msec;         /* log_hist_msec: 0 logs no histogram */
    unsigned hist_coarseness;   /* log_hist_coarseness: 0..6 */
    unsigned window_value;      /* log_window_value (log_max_value): enum tio_log_window */
    bool offset;                /* log_offset */
    bool issue_time;            /* log_issue_time (fio 3.38) */
    bool unix_epoch;            /* log_unix_epoch: times count from the clock's epoch */
    bool alternate_epoch;       /* log_alternate_epoch: the same */
    unsigned epoch_clock_id;    /* log_alternate_epoch_clock_id: clock_gettime's clock */
    bool prio;                  /* log_prio */
    bool per_job;               /* per_job_logs: default true */
    uint64_t compression;       /* log_compression: chunk bytes; 0: none */
    bool store_compressed;      /* log_store_compressed: NAME_TYPE.N.log.fz */
};

/* Replay and recording of IO: options/replay.c (fio's read_iolog and
 * write_iolog, and how a replay is shaped). What they do is
 * io/core/iolog_read.c's and iolog_write.c's. */
enum {
    TIO_REPLAY_SKIP_READ = 1u << 0, /* replay_skip=read,write,trim,sync */
    TIO_REPLAY_SKIP_WRITE = 1u << 1,
    TIO_REPLAY_SKIP_TRIM = 1u << 2,
    TIO_REPLAY_SKIP_SYNC = 1u << 3,
};

struct tio_job_replay {
    char *read_iolog;    /* NULL: no replay */
    char *write_iolog;   /* NULL: no recording */
    char *redirect;      /* replay_redirect: every logged IO goes to this file */
    bool no_stall;       /* replay_no_stall: IO as fast as it goes, not on time */
    bool chunked;        /* read_iolog_chunked: the log is read as the replay goes */
    unsigned align;      /* replay_align: offsets rounded down to this; 0: as logged */
    unsigned scale;      /* replay_scale: offsets divided by this; default 1 */
    unsigned time_scale; /* replay_time_scale: percent of the logged pace; default 100 */
    unsigned skip;       /* replay_skip: TIO_REPLAY_SKIP_* */
};

/* Coordination between jobs: options/flow.c (fio's flow, flow_id,
 * flow_sleep, wait_for). What they do is io/core/flow.c's. */
struct tio_job_flow {
    unsigned weight;   /* flow: this job's share of its flow_id group; 0: none */
    unsigned id;       /* flow_id: the group */
    unsigned sleep_us; /* flow_sleep: a job ahead of its share sleeps this long */
    char *wait_for;    /* wait_for: the name of a job to wait for; NULL: none */
};

/* ---- a job --------------------------------------------------------------- */

/* One family's fields: each sub-struct below belongs to the option family
 * file named in its comment (io/job/options/NAME.c). That file's rows parse
 * into it and only into it (their offsets are taken inside the sub-struct),
 * and hold the defaults, the dump lines and the help; what an option does
 * is the business of its module in io/core/. Sizes are bytes, times
 * microseconds. */

/* Identity and ordering: options/identity.c */
struct tio_job_identity {
    char *name;        /* section name, --name, or name= */
    char *description; /* NULL if none */
    unsigned numjobs;  /* clones of this job (default 1) */
    bool stonewall;    /* stonewall/wait_for_previous: wait and start a new group */
    bool new_group;    /* start a new reporting group without waiting */
};

/* Files and sizes: options/files.c */
struct tio_job_files {
    struct tio_strv filenames;   /* parsed: as given; resolved: paths to use */
    bool filename_explicit;      /* filename= was given (clones share files) */
    struct tio_strv directories; /* directory=, ':'-separated */
    char *filename_format;       /* default "$jobname.$jobnum.$filenum" */
    unsigned nrfiles;            /* resolved: number of filenames */
    struct tio_amount size;      /* total size over the files; unset: the files' own size */
    bool size_of_filesize;       /* size comes from filesize x nrfiles, not size= */
    uint64_t filesize_min;       /* filesize=: 0 if unset */
    uint64_t filesize_max;       /* == filesize_min unless a range "4k-8k" */
    struct tio_amount offset;    /* start offset in each file */
    struct tio_amount offset_increment; /* added per clone: offset + clone * increment */
    struct tio_amount io_size;          /* io_size/io_limit: bytes of IO to do; unset: size */
    unsigned loops;                     /* repeat the job (default 1) */
    uint64_t number_ios;                /* stop after this many IOs; 0: no limit */
    enum tio_fallocate fallocate;       /* pre-allocation of a file being laid out */
    unsigned openfiles;                 /* files serviced at a time; 0: all (nrfiles) */
    bool fill_device;                   /* write until ENOSPC (no size: really large) */
    bool create_serialize;      /* lay files out before the run (else: in each thread) */
    bool file_append;           /* a regular file's IO starts at its end */
    bool unique_filename;       /* fio's client prefix; no effect without a server */
    uint64_t offset_align;      /* percentage offsets align up to it; 0: the smallest bs */
    char *ioscheduler;          /* the block device's IO scheduler to switch to; NULL: none */
    enum tio_fservice fservice; /* file_service_type: how the next file is chosen */
    unsigned fservice_nr;       /* file_service_type=TYPE:N: IOs per file chosen */
    double fservice_value;      /* zipf's theta, pareto's power, normal's deviation */
    double fservice_center;     /* TYPE:VALUE:CENTER; < 0: fio's default */
};

/* IO pattern and block sizes: options/pattern.c */
#define TIO_BSSPLIT_MAX 64 /* fio's most bssplit entries per direction */

struct tio_bssplit {
    uint64_t bs;
    unsigned perc;
};

enum tio_rw_seq { TIO_RW_SEQ_SEQUENTIAL, TIO_RW_SEQ_IDENTICAL };
enum tio_rand_gen { TIO_RAND_TAUSWORTHE, TIO_RAND_LFSR, TIO_RAND_TAUSWORTHE64 };
enum tio_rand_dist {
    TIO_DIST_RANDOM,
    TIO_DIST_ZIPF,
    TIO_DIST_PARETO,
    TIO_DIST_NORMAL,
    TIO_DIST_ZONED,
    TIO_DIST_ZONED_ABS
};

#define TIO_ZONESPLIT_MAX 256 /* fio's most zones per direction */

/* random_distribution=zoned (size_perc) or zoned_abs (size), as fio. */
struct tio_zone_split {
    uint8_t access_perc;
    uint8_t size_perc;
    uint64_t size;
};

struct tio_job_pattern {
    enum tio_rw rw;                  /* default read */
    uint64_t rw_modifier;            /* rw=TYPE:N: sequential: bytes added after each IO;
                                   random: IOs per new random offset; 0: none */
    uint64_t bs[TIO_JOB_DDIR_COUNT]; /* block size per direction (bs=r,w,t); default 4096 */
    uint64_t ba[TIO_JOB_DDIR_COUNT]; /* blockalign; resolved default: bs */
    unsigned rwmixread;           /* % of reads in mixed workloads (rwmixwrite = 100 - this) */
    bool rw_backward;             /* rw=TYPE:-N: sequential IO goes N bytes back */
    enum tio_rw_seq rw_sequencer; /* what rw=randTYPE:N does between random offsets */
    unsigned perc_rand[TIO_JOB_DDIR_COUNT]; /* percentage_random; default 100 */
    /* bsrange (min, max per direction; resolved default: bs) and bssplit
     * (per direction, sorted by percentage as fio) */
    uint64_t min_bs[TIO_JOB_DDIR_COUNT], max_bs[TIO_JOB_DDIR_COUNT];
    struct tio_bssplit bssplit[TIO_JOB_DDIR_COUNT][TIO_BSSPLIT_MAX];
    unsigned bssplit_nr[TIO_JOB_DDIR_COUNT];
    bool bs_unaligned;   /* blocksize_unaligned */
    bool bs_is_seq_rand; /* bs=seq,rand instead of bs=read,write */
    bool norandommap;
    bool randrepeat; /* default true */
    enum tio_rand_gen random_generator;
    bool random_generator_set;
    uint64_t randseed; /* default 0x89 as fio */
    bool randseed_set;
    /* random_distribution: the model, its value (zipf theta, pareto power,
     * normal deviation in percent) and center (-1: fio's default), or
     * zones per direction */
    enum tio_rand_dist random_distribution;
    double dist_value, dist_center;
    unsigned zone_split_nr[TIO_JOB_DDIR_COUNT];
    struct tio_zone_split zone_split[TIO_JOB_DDIR_COUNT][TIO_ZONESPLIT_MAX];
};

/* Engine and queueing: options/queue.c */
struct tio_job_queue {
    char *ioengine;                      /* as written: "psync", "external:/abs/path.so" */
    unsigned iodepth;                    /* default 1 */
    unsigned iodepth_batch;              /* iodepth_batch_submit; default 1 */
    unsigned iodepth_batch_complete_min; /* default 1 */
    unsigned iodepth_batch_complete_max; /* resolved default: iodepth */
    unsigned iodepth_low;                /* resolved default: iodepth */
    bool direct;                         /* O_DIRECT; buffered=B sets direct=!B */
    enum tio_sync sync;                  /* sync=: O_SYNC / O_DSYNC writes */
    bool thread;                         /* threads instead of processes */
    bool offload;                        /* io_submit_mode=offload: a pool submits */
    bool serialize_overlap;              /* no two overlapping IOs in flight */
};

/* fadvise_hint: the advice given for each file, as fio. */
enum tio_fadvise {
    TIO_FADVISE_NONE,       /* 0 */
    TIO_FADVISE_TYPE,       /* 1: random or sequential, from rw= */
    TIO_FADVISE_RANDOM,     /* random */
    TIO_FADVISE_SEQUENTIAL, /* sequential */
};

/* Syncs and file handling: options/durability.c */
struct tio_job_durability {
    unsigned fsync;     /* fsync every N writes; 0: never */
    unsigned fdatasync; /* fdatasync every N writes; 0: never */
    bool end_fsync;
    bool fsync_on_close;
    bool invalidate; /* drop page cache before the job; default true */
    bool overwrite;
    bool create_on_open;
    bool allow_file_create; /* default true */
    bool allow_mounted_write;
    bool unlink;
    bool unlink_each_loop;
    bool create_fsync;        /* fsync a file after laying it out; default true */
    bool create_only;         /* lay the files out, then do no IO */
    bool pre_read;            /* read the files' regions into the page cache first */
    enum tio_fadvise fadvise; /* fadvise_hint: posix_fadvise on each file; default type */
    unsigned write_hint;      /* fcntl F_SET_RW_HINT's RWH_WRITE_LIFE_*; 0: not given */
    unsigned sfr_flags;       /* sync_file_range(2) flags (SYNC_FILE_RANGE_*) */
    unsigned sfr_every;       /* sync_file_range every N writes; 0: never */
};

/* Rate control: options/rate.c */
struct tio_job_rate {
    uint64_t rate[TIO_JOB_DDIR_COUNT];          /* bytes/s per direction; 0: no cap */
    uint64_t rate_iops[TIO_JOB_DDIR_COUNT];     /* IOs/s per direction; 0: no cap */
    bool poisson;                               /* rate_process=poisson; default linear */
    uint64_t rate_min[TIO_JOB_DDIR_COUNT];      /* bytes/s a direction must reach; 0: none */
    uint64_t rate_iops_min[TIO_JOB_DDIR_COUNT]; /* IOs/s a direction must reach; 0: none */
    unsigned rate_cycle; /* ms the minimum is averaged over; default 1000 */
};

/* Timing: options/time.c */
struct tio_job_time {
    uint64_t runtime; /* runtime/timeout; 0: until size is done */
    bool time_based;
    uint64_t ramp_time;
    uint64_t startdelay;     /* startdelay= or the low end of "startdelay=1s-5s" */
    uint64_t startdelay_max; /* == startdelay unless a range */
    bool gtod_reduce;
};

/* What steady state measures and how, as fio's
 * ss=iops|iops_slope|bw|bw_slope:N[%]. */
enum {
    TIO_SS_IOPS = 1u << 0,  /* IOPS; else bandwidth (bytes/s) */
    TIO_SS_SLOPE = 1u << 1, /* slope of the least-squares line; else max deviation */
    TIO_SS_PCT = 1u << 2,   /* limit in percent of the mean; else absolute */
};

/* IO priorities: options/prio.c (fio's prio, prioclass, and the
 * cmdprio_* options of its libaio and io_uring engines). Priority values
 * are Linux's: class << 13 | level. Only reads and writes carry per-IO
 * priorities, as fio. */
#define TIO_CMDPRIO_MAX 64 /* fio's most cmdprio_bssplit entries per direction */

struct tio_cmdprio_split {
    uint64_t bs;
    unsigned perc;
    int prio; /* -1: cmdprio_class and cmdprio's */
};

struct tio_job_prio {
    unsigned prio;                    /* prio=0..7 */
    unsigned prioclass;               /* prioclass=0..3 */
    bool prio_given, prioclass_given; /* the thread's priority is set only then */
    int nice;                         /* nice(2) of the job's thread, -20..19 */
    unsigned cmdprio_percentage[2];   /* per read, write */
    unsigned cmdprio_class[2];        /* 0: not given (the real-time class then) */
    unsigned cmdprio[2];
    struct tio_cmdprio_split bssplit[2][TIO_CMDPRIO_MAX]; /* sorted by bs, as fio */
    unsigned bssplit_nr[2];
    bool bssplit_given;
};

/* Where the job's thread runs and takes its memory: options/placement.c
 * (fio's cpumask, cpus_allowed, cpus_allowed_policy, numa_cpu_nodes,
 * numa_mem_policy); io/core/placement.c applies them in the job's thread
 * before anything of the job is allocated, as fio's thread_main. */
enum tio_cpus_policy {
    TIO_CPUS_SHARED = 0, /* every job on the whole set */
    TIO_CPUS_SPLIT,      /* job i (over all jobs) on the set's (i mod size)-th CPU */
};

enum tio_mem_policy {
    TIO_MPOL_NONE = 0,   /* numa_mem_policy not given: the thread's own */
    TIO_MPOL_DEFAULT,    /* default: left as it is, as fio */
    TIO_MPOL_PREFER,     /* prefer:N */
    TIO_MPOL_BIND,       /* bind:NODES */
    TIO_MPOL_INTERLEAVE, /* interleave[:NODES] (all nodes when none) */
    TIO_MPOL_LOCAL,      /* local */
};

/* mem=/iomem=: what the job's IO buffers are allocated from, as fio. */
enum tio_mem_type {
    TIO_MEM_MALLOC,     /* the heap (the default) */
    TIO_MEM_SHM,        /* a System V shared memory segment */
    TIO_MEM_SHMHUGE,    /* ...of huge pages (SHM_HUGETLB) */
    TIO_MEM_MMAP,       /* mmap: anonymous, or of mem=mmap:FILE (private) */
    TIO_MEM_MMAPHUGE,   /* mmap of huge pages: MAP_HUGETLB, or a hugetlbfs FILE (shared) */
    TIO_MEM_MMAPSHARED, /* mmap: anonymous (private, as fio), or of FILE shared */
};

struct tio_job_placement {
    struct tio_idset cpus;      /* cpumask or cpus_allowed, the last one given */
    bool cpus_given;            /* the affinity is set only then */
    bool cpus_from_mask;        /* the last one given was cpumask (for messages) */
    unsigned cpus_policy;       /* enum tio_cpus_policy */
    struct tio_idset cpu_nodes; /* numa_cpu_nodes */
    bool cpu_nodes_given;
    bool cpu_nodes_all;         /* "all": the nodes the thread may use, found at run time */
    unsigned mem_policy;        /* enum tio_mem_policy */
    struct tio_idset mem_nodes; /* bind, interleave; prefer's one node */
    bool mem_nodes_all;         /* interleave without nodes, or ":all" */
    enum tio_mem_type mem_type; /* mem=/iomem= */
    char *mmapfile;             /* mem=mmap*:FILE; NULL: anonymous */
    uint64_t hugepage_size;     /* what shmhuge and mmaphuge round up to; default 2 MiB */
    uint64_t lockmem;           /* bytes the job's thread mlocks; 0: none */
};

/* Think time: options/think.c (fio's thinktime family). Times in us. */
struct tio_job_think {
    uint64_t thinktime; /* the stall; 0: none */
    uint64_t spin;      /* thinktime_spin: the part spent spinning */
    unsigned blocks;    /* thinktime_blocks; default 1 */
    bool blocks_given;  /* thinktime_blocks was written (fio's check under iotime) */
    bool blocks_issue;  /* thinktime_blocks_type=issue; default complete */
    uint64_t iotime;    /* thinktime_iotime: IO time between stalls; 0: none */
    bool rate_ignore;   /* rate_ignore_thinktime */
};

/* Errors and ending jobs together: options/errors.c (fio's
 * continue_on_error, ignore_error, error_dump, exitall, exit_what,
 * exitall_on_error). */
#define TIO_IGNORE_ERROR_MAX 64

enum tio_error_type { TIO_ETYPE_READ, TIO_ETYPE_WRITE, TIO_ETYPE_VERIFY, TIO_ETYPE_COUNT };

enum tio_exit_what { TIO_EXIT_GROUP, TIO_EXIT_STONEWALL, TIO_EXIT_ALL };

struct tio_job_errors {
    unsigned continue_on_error; /* enum tio_coe bits */
    /* ignore_error: per error type, the errno values a job carries on
     * after; none given: fio's own (EIO, EILSEQ) */
    int ignore[TIO_ETYPE_COUNT][TIO_IGNORE_ERROR_MAX];
    unsigned ignore_nr[TIO_ETYPE_COUNT];
    bool error_dump;       /* default true */
    bool exitall;          /* a job that ends ends the others (exit_what says which) */
    bool exitall_on_error; /* likewise, when it ends in error */
    enum tio_exit_what exit_what;
};

/* Latency limits: options/latency.c (fio's max_latency and latency
 * target). Times in us. */
struct tio_job_latency {
    uint64_t max[TIO_JOB_DDIR_COUNT]; /* max_latency per direction; 0: none */
    uint64_t target;                  /* latency_target; 0: none */
    uint64_t window;                  /* latency_window */
    double percentile;                /* latency_percentile; default 100 */
    bool run;                         /* latency_run: keep searching the depth */
};

/* Zones: options/zones.c (fio's zonemode=, zonesize=, zonerange=, zoneskip=) */
enum tio_zonemode { TIO_ZONE_NONE, TIO_ZONE_STRIDED, TIO_ZONE_ZBD };

struct tio_job_zones {
    enum tio_zonemode mode; /* default none */
    uint64_t size;          /* strided: bytes of IO per zone; zbd: the zone's size */
    uint64_t range;         /* strided: a zone's size; resolved default: size */
    uint64_t skip;          /* strided, zbd: bytes skipped after each zone */
    uint32_t skip_zones;    /* zoneskip=Nz until resolved into skip (zonesize) */
    /* zbd (io/core/zbd.c) */
    uint64_t capacity;      /* zonecapacity: emulated zones' capacity; 0: their size */
    bool read_beyond_wp;    /* reads may reach past a zone's write pointer */
    bool ignore_limits;     /* ignore_zone_limits: not the device's max_open_zones */
    unsigned max_open;      /* max_open_zones per file, all jobs; 0: no limit */
    unsigned job_max_open;  /* job_max_open_zones; 0: no limit */
    double reset_threshold; /* zone_reset_threshold, 0 to 1 */
    double reset_frequency; /* zone_reset_frequency, 0 to 1; 0: no periodic resets */
};

/* Steady state: options/steadystate.c (fio's ss=, ss_dur=, ss_ramp=) */
struct tio_job_steadystate {
    unsigned mode; /* TIO_SS_*; default iops_slope */
    double limit;  /* default 0.01 (percent) */
    uint64_t dur;  /* steadystate_duration, us; 0: no detection */
    uint64_t ramp; /* steadystate_ramp_time, us, before samples count */
};

/* Verify and errors: options/verify.c */
struct tio_job_verify {
    enum tio_verify method; /* verify= */
    bool do_verify;         /* default true */
    bool verify_fatal;
    uint64_t verify_interval; /* bytes per verify header; 0: one per block */
    uint64_t verify_offset;   /* the header is swapped with the bytes this far in */
    uint8_t verify_pattern[TIO_JOB_PATTERN_MAX];   /* verify_pattern=, parsed */
    size_t verify_pattern_len;                     /* 0: none (random data) */
    struct tio_job_pattern_fmt verify_pattern_fmt; /* its %o */
    bool verify_dump;
    bool verify_only;
    bool experimental_verify;
    bool verify_header_seed; /* default true */
    unsigned verify_async;
    uint64_t verify_backlog;
    uint64_t verify_backlog_batch;
    unsigned trim_percentage;    /* % of verified writes queued for a trim */
    uint64_t trim_backlog;       /* trim the queued ones every N logged writes; 0: never */
    uint64_t trim_backlog_batch; /* trims per batch; 0: trim_backlog */
    bool trim_verify_zero;       /* default true: trimmed blocks must read as zeros */
    bool verify_state_save;      /* default true */
    bool verify_state_load;
    bool verify_given; /* verify= was written (verify_pattern alone implies it) */
    char *verify_async_cpus;
};

/* Buffer contents: options/buffers.c */
enum tio_dedupe_mode { TIO_DEDUPE_REPEAT, TIO_DEDUPE_WORKING_SET };

struct tio_job_buffers {
    bool zero_buffers;
    bool refill_buffers;
    bool refill_given;             /* refill_buffers was written (fio's "is set") */
    bool scramble_buffers;         /* default true */
    unsigned char *buffer_pattern; /* NULL if none */
    size_t buffer_pattern_len;
    /* fio's compressible and deduplicable contents (io/core/buffer_fill.c).
     * Resolved as fio fixes them up: 100% compressible is zero_buffers. */
    unsigned compress_percentage;
    unsigned compress_chunk; /* default 512; 0: the write's size */
    unsigned dedupe_percentage;
    /* either percentage was written: fio then never scrambles */
    bool content_given;
    enum tio_dedupe_mode dedupe_mode;
    unsigned dedupe_working_set_percentage; /* default 5 */
    bool dedupe_global;
};

/* Reporting and units: options/reporting.c */
struct tio_job_reporting {
    bool group_reporting;
    unsigned unified_rw;   /* unified_rw_reporting: 0 none, 1 mixed, 2 both */
    bool clat_percentiles; /* default true */
    bool lat_percentiles;
    bool slat_percentiles;
    unsigned n_percentiles; /* percentile_list; 0: fio's default list */
    double percentile_list[TIO_PERCENTILE_LIST_MAX];
    unsigned kb_base;   /* 1024 (default) or 1000 */
    unsigned unit_base; /* 0 auto, 8 bytes, 1 bits (output only) */
    /* What the job measures (io/core/stats_part.c): stats=0 keeps the job
     * out of the report; disable_* switch single measures off. */
    bool stats; /* default true */
    bool disable_lat;
    bool disable_clat;
    bool disable_slat;
    bool disable_bw;
    /* bwavgtime, iopsavgtime in ms; 0: not given (fio's 500) */
    unsigned bwavgtime;
    unsigned iopsavgtime;
    unsigned sig_figs; /* significant_figures: the normal report's digits, 1-10 */
};

/* Distributed runs, under mpirun (tenon-io's own): options/ranks.c */
struct tio_job_ranks {
    enum tio_rank_layout layout; /* rank_layout=: how ranks divide a file they share */
    unsigned shift;              /* rank_shift=: take the part of the rank this many places
                                   on (IOR's -C); 0: its own */
};

/* One job. After parsing, a job is what its section (or --name) said, on top
 * of the [global] defaults before it; after tio_plan_resolve each entry is
 * one runnable job (numjobs expanded) with every default filled in. The
 * options are in one sub-struct per family; the few fields at the top are
 * no option's: where the job was written, what resolve assigns, and what
 * is kept for the engine and the reports. */
struct tio_job {
    struct tio_origin origin; /* the [section] line or the --name argument */
    unsigned index;           /* resolved: position in plan->jobs */
    unsigned clone;           /* resolved: fio's $jobnum: 0, then numjobs-1 down to 1 */
    unsigned group;           /* resolved: reporting group id */
    unsigned rank_part;       /* under mpirun (io/core/ranks.c): 1 + the part of a shared
                                   file the job takes; 0 when it shares none */
    unsigned rank_self;       /* under mpirun: 1 + the job's rank among those sharing the
                                   file (the part it takes when ranks.shift is 0) */

    struct tio_job_identity identity;
    struct tio_job_files files;
    struct tio_job_pattern pattern;
    struct tio_job_queue queue;
    struct tio_job_durability durability;
    struct tio_job_time time;
    struct tio_job_rate rate;
    struct tio_job_verify verify;
    struct tio_job_buffers buffers;
    struct tio_job_reporting reporting;
    struct tio_job_steadystate steadystate;
    struct tio_job_zones zones;
    struct tio_job_logs logs;
    struct tio_job_replay replay;
    struct tio_job_flow flow;
    struct tio_job_prio prio;
    struct tio_job_placement placement;
    struct tio_job_think think;
    struct tio_job_errors errors;
    struct tio_job_latency latency;

    struct tio_job_ranks ranks;

    /* everything else: for the engine's schema, in first-seen order; a job
     * inherits its [global]'s and overrides by key */
    struct tio_engine_option *engine_options;
    size_t nr_engine_options;

    /* The options as written, as "key", "value" pairs ("" for a bare flag,
     * values after ${VAR} expansion): those of the job's own section and
     * those of the [global] options it started from. Reports show them as
     * fio's JSON "job options" and "global options". */
    struct tio_strv given;
    struct tio_strv global_given;
};

/* ---- the whole parse ---------------------------------------------------- */

/* Program options: command-line options that are not job options. */
struct tio_program {
    char *output;           /* --output=FILE; NULL: stdout */
    unsigned output_format; /* --output-format: a mask of tio_output_format */
    unsigned terse_version; /* --terse-version=3 (the default) */
    unsigned max_jobs;      /* --max-jobs=N; 0: tenon-io's own limit */
    bool readonly;          /* --readonly: refuse jobs that write, trim or verify-write */
    bool showcmd;           /* --showcmd: print each job file as a command line */
    struct tio_strv showcmd_lines; /* one per job file, filled while parsing */
    char *aux_path;                /* --aux-path=DIR: where auxiliary files go */
    uint64_t status_interval_ms;   /* --status-interval: interim reports; 0: none */
    bool bandwidth_log;            /* --bandwidth-log: fio's agg-*_bw.log files */
    unsigned debug;                /* --debug=LIST: a mask of tio_debug */
    bool debug_help;               /* --debug=? lists the categories */
    enum tio_eta_mode eta;         /* --eta=always|never|auto */
    bool help;                     /* --help, -h */
    bool version;                  /* --version */
    bool parse_only;               /* --parse-only */
    bool enghelp;                  /* --enghelp[=ENGINE[,OPTION]] */
    char *enghelp_engine;          /* NULL: list engines */
    char *enghelp_option;          /* NULL: all of the engine's options */
    bool cmdhelp;                  /* --cmdhelp[=OPTION] */
    char *cmdhelp_option;          /* NULL: list the job options */
    char *plugin_config;           /* --plugin-config=FILE */
    char *plot;                    /* --plot=FILE */
    char *inflate_log;             /* --inflate-log=FILE: print a .log.fz as text */
    struct tio_strv
        sections; /* --section=NAME (repeatable): run only these job-file sections */
    struct tio_strv job_files; /* job files named on the command line, in order */
};

struct tio_plan {
    struct tio_program program;
    struct tio_job *jobs; /* in run order: command-line jobs, then each file's */
    size_t nr_jobs;
    unsigned nr_groups; /* resolved: groups are 0..nr_groups-1 */
    /* Options given on the command line before any --name when no job
     * follows: --parse-only traces them (as fio) and runs nothing. NULL
     * otherwise. */
    struct tio_job *cmdline_global;
    bool resolved;
    struct tio_allocator alloc; /* what every pointer above was allocated with */
    size_t jobs_cap_;           /* private: allocated length of jobs */
};

/* ---- configuration ------------------------------------------------------- */

struct tio_parse_config {
    /* ${VAR} in job files: NULL means the process environment. Return NULL
     * for an unset variable (that is an error, not an empty string). */
    const char *(*getenv)(void *ctx, const char *name);
    void *getenv_ctx;
    /* fio's $pagesize, $mb_memory, $ncpus; 0 asks the system */
    uint64_t pagesize;
    uint64_t mb_memory;
    uint64_t ncpus;
    /* $rank, $nranks, $hostname: who this process is in a distributed run
     * (nranks 0: one process alone, rank 0 of 1; hostname NULL: ask the
     * system) */
    unsigned rank;
    unsigned nranks;
    const char *hostname;
    bool no_include; /* refuse "include FILE" (fuzzing, untrusted text) */
    struct tio_allocator alloc;
};

/* ---- functions ----------------------------------------------------------- */

/* Everything zero: process environment, system values, libc allocator.
 * Passing NULL for a config means the same. */
void tio_parse_config_init(struct tio_parse_config *cfg);

/* fio's command line: `[--option[=value] ...] [jobfile ...]`. Options before
 * the first --name are global: they apply to the command-line jobs and are
 * the defaults every job file starts from. --name=X starts a job. Job files
 * are read after the command-line jobs, in order. On success *out is a new
 * plan (not yet resolved); on failure *out is NULL and err says why. */
int tio_cmdline_parse(int argc, char *const argv[], const struct tio_parse_config *cfg,
                      struct tio_plan **out, struct tio_error *err);

/* One job file from disk ("-" reads stdin). */
int tio_job_parse_file(const char *path, const struct tio_parse_config *cfg,
                       struct tio_plan **out, struct tio_error *err);

/* One job file from memory, for tools and fuzzers. `name` is used in error
 * locations (NULL: "<buffer>") and includes are relative to the current
 * directory. The text need not be NUL-terminated; a NUL byte is an error. */
int tio_job_parse_buffer(const char *text, size_t len, const char *name,
                         const struct tio_parse_config *cfg, struct tio_plan **out,
                         struct tio_error *err);

/* Clone numjobs, fill defaults, generate file names, assign groups,
 * validate. Fails (TIO_EUSAGE) when there is no job at all. Idempotent. */
int tio_plan_resolve(struct tio_plan *plan, struct tio_error *err);

void tio_plan_free(struct tio_plan *plan);

/* The canonical dump: a "[plan]" block (program options, counts) then one
 * "[job N]" block per job, one key=value per line with keys sorted; sizes
 * in bytes, times in microseconds ("us"). Stable for existing keys; the
 * data-driven tests compare it byte for byte. */
int tio_plan_dump(const struct tio_plan *plan, FILE *out);

/* fio's --cmdhelp, from the option table: for an option (or alias) its
 * help, alias, values, default and what tenon-io does with it; NULL or
 * "all" lists every job option by family. An option that is not tenon-io's
 * fails with TIO_EUNKNOWN (and the closest name, if one is close) or, for
 * one of fio's, TIO_EUNSUPPORTED. */
int tio_cmdhelp(const char *option, FILE *out, struct tio_error *err);

/* ---- engine options ------------------------------------------------------ */

/* The engine option `key` of a job, or NULL. */
const struct tio_engine_option *tio_job_engine_option(const struct tio_job *job,
                                                      const char *key);

/* The error for an engine option that the job's engine does not declare
 * either: "job.fio:5: hpiri=1: unknown option 'hpiri' (did you mean
 * 'hipri'? it is not a tenon-io option and ioengine 'io_uring' has no such
 * option; see tenon-io --enghelp=io_uring)". engine_keys (may be NULL) are
 * the engine's option names, used with the core names for the suggestion.
 * Returns TIO_EUNKNOWN. */
int tio_engine_option_unknown(const struct tio_job *job, const struct tio_engine_option *opt,
                              const char *const *engine_keys, size_t nr_engine_keys,
                              struct tio_error *err);

/* fio 3.33 takes the options of its tiobench and act profiles in any job
 * and ignores them unless profile= names that profile (fio's own
 * steadystate.fio example sets threads=1 so). For such an option, which a
 * host ignores as fio does, the profile's name ("tiobench", "act");
 * otherwise NULL. */
const char *tio_engine_option_fio_profile(const struct tio_engine_option *opt);

/* ---- helpers for the host ---------------------------------------------- */

const char *tio_rw_name(enum tio_rw rw);
const char *tio_verify_name(enum tio_verify v);
bool tio_rw_is_random(enum tio_rw rw);
bool tio_rw_reads(enum tio_rw rw);
bool tio_rw_writes(enum tio_rw rw);
bool tio_rw_trims(enum tio_rw rw);

/* Where clone `job->clone` starts in a file of `file_size` bytes:
 * offset + clone * offset_increment, percentages taken of file_size. */
uint64_t tio_job_start_offset(const struct tio_job *job, uint64_t file_size);

/* Is `name` a core job option tenon-io parses (aliases included)? */
bool tio_is_core_option(const char *name);

/* Is `name` an option of fio 3.33 (job or program option) that tenon-io
 * does not support? */
bool tio_is_fio_only_option(const char *name);

#ifdef __cplusplus
}
#endif

#endif /* TIO_JOB_H */
