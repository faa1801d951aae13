/* tenon-io's host: how parsed jobs become running threads.
 *
 *   engines.c  the plugin registry, engine choice and engine options
 *   storage.c  the forwarding layer: routes each target to the engine that
 *              claims it and wraps what the engine opened in a handle
 *   files_check.c    checking path targets: every refusal, looking only
 *   files_prepare.c  preparing them: open, create, lay out (files.h holds
 *                    what the two share)
 *   worker.c   one job thread: its lifecycle; its IO loop (the hot path,
 *              loop.c) and features (next_io.c, units.c, verify_log.c,
 *              sync_policy.c, phase.c) are mapped in worker.h
 *   run.c      groups, the status line and the report
 *   coord.h    how jobs are started, stopped and gathered (coord.c picks:
 *              coord_threads.c, threads of one process; coord_mpi*.c, the
 *              ranks of a run under mpirun; ranks.c divides shared files)
 *   status_interval.c  --status-interval: interim reports from a timer thread
 *   program.c  the whole program: command line, checks, plan, run
 */
#ifndef TIO_HOST_H
#define TIO_HOST_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <tenon/tenon.h>
#include <tenon-io/engine.h>

#include "rand.h"
#include "tio_job.h"
#include "tio_job_result.h"
#include "tio_live.h"
#include "verify.h"

#define TIO_ERR_TEXT 1024

/* ---- engines.c ----------------------------------------------------------- */

struct tio_engines {
    tenon_registry *reg;
};

/* Opens the registry (static engines, the search path, --plugin-config) and
 * scans it. Returns 0 or -1 with a message in err. */
/* cmdprio.c: whether the job gives IOs priorities of their own
 * (cmdprio_*), and, before any IO, that those options agree and the engine
 * can issue them. */
bool tio_cmdprio_wanted(const struct tio_job *job);
int tio_cmdprio_check(const struct tio_job *job, uint32_t engine_flags, const char *engine,
                      struct tio_error *err);

int tio_engines_open(struct tio_engines *e, const char *plugin_config, struct tio_error *err);
void tio_engines_close(struct tio_engines *e);

/* `tenon-io --enghelp[=ENGINE]`: engines and their options, from their
 * descriptors, without loading any. Returns the exit status. */
int tio_engines_help(struct tio_engines *e, const char *engine, const char *option, FILE *out);

/* The engine a job runs on, chosen before any thread starts. */
struct tio_engine_choice {
    tenon_plugin *plugin;   /* provides tenon-io.engine */
    char *label;            /* how the job named it (engine or instance name) */
    tenon_options *options; /* checked against the engine's schema */
    bool uri_targets;       /* the engine opens URI targets itself */
    bool no_files;          /* TIO_ENGINE_NO_FILES, from the descriptor meta */
    bool names_only;        /* TIO_ENGINE_NAMES_ONLY: the engine makes or finds the
                               job's files by name; tenon-io prepares none */
    bool no_io;             /* TIO_ENGINE_NO_IO (no_files too): no size bounds the job */
};

/* Picks the engine for job and checks the job's engine options against its
 * schema. An engine the job names (ioengine=NAME, external:/path.so, a
 * configured instance name) is the one that runs, and must accept every
 * target; only a job that names none is routed to the engine that claims
 * its targets. Returns 0 or -1 with err. */
int tio_engine_choose(struct tio_engines *e, const struct tio_job *job,
                      struct tio_engine_choice *out, struct tio_error *err);
void tio_engine_choice_free(struct tio_engine_choice *c);

/* ---- storage.c: the forwarding layer ------------------------------------- */

/* Whether target names a URI ("nbd://host/x"); the scheme is copied out. */
bool tio_target_scheme(const char *target, char *scheme, size_t size);

/* Whether the engine's descriptor claims target: "path" engines claim
 * plain paths, others the URI schemes they list in tenon-io.targets. */
bool tio_engine_claims(const tenon_plugin *engine, const char *target);

/* The best-ranked engine that claims target, or NULL. */
tenon_plugin *tio_route(tenon_registry *reg, const char *target);

/* A target opened through its engine: the handle remembers the engine
 * that owns it, so every later call goes back to that engine. */
struct tio_handle {
    const tio_engine *ops;
    void *engine_data; /* the engine instance's private data */
    tio_file file;
    bool open;
};

struct tio_region;
struct tio_flow;

/* The region of a URI target a job thread works on, once its engine has
 * opened it and told its size: size=, offset= and offset_increment= as
 * fio takes them of a file (percentages of the target's size, percentage
 * offsets aligned up to the block size), but a target is never extended:
 * a region past its end is refused. Returns 0 or -1 with err. */
int tio_uri_region(const struct tio_job *job, const char *target, uint64_t target_size,
                   size_t n_targets, struct tio_region *region, struct tio_error *err);

/* Opens target through the engine (path targets: fd already in file).
 * Returns 0 or -errno with a message naming target and engine. */
int tio_handle_open(struct tio_handle *h, const tio_engine *ops, void *engine_data,
                    const char *engine_name, struct tio_error *err);
void tio_handle_close(struct tio_handle *h);

/* ---- files_check.c, files_prepare.c --------------------------------------- */

/* The region of one file a job thread works on. */
struct tio_region {
    uint64_t start; /* first byte */
    uint64_t len;   /* bytes */
};

/* A path target opened once, before any thread starts (and before any
 * startdelay): the thread does its IO on this descriptor and never opens
 * the path again, so swapping the path afterwards cannot redirect it. */
struct tio_target {
    int fd;      /* the thread's descriptor, with the job's flags; -1 once taken */
    int claim;   /* an exclusive (O_EXCL) open of a block device the job writes,
                     * held until tio_files_release; -1 if none */
    mode_t type; /* S_IFREG, S_IFBLK, S_IFCHR: what was opened */
    dev_t dev;   /* its identity, to check a name still leads to it */
    ino_t ino;
    dev_t rdev; /* the device number of a device node */
    /* create_serialize=0: the layout the job's own thread does as it
     * starts (files_prepare.c); NULL when done before the run */
    struct tio_later_layout *later;
};

struct tio_host;
struct tio_host_job;

/* Every refusal for the path targets, without side effects: stat and
 * statvfs, and a momentary exclusive open (closed at once) to see whether a
 * block device is mounted. Refuses: folders, FIFOs and sockets; writes to
 * a block device without allow_mounted_write=1, or to one that is mounted
 * or claimed; a region past the end of a device; a missing file without
 * size= or with allow_file_create=0; more new data (layout, extension,
 * writes into holes) than the filesystem has free. Creates, writes and
 * keeps nothing, so --parse-only can run it. Returns 0 or -1 with a
 * message in err naming the job, the file and how to fix it. */
int tio_files_check(struct tio_host *host, struct tio_error *err);

/* Before the threads start: runs tio_files_check, then opens every path
 * target once (block devices a job writes with O_EXCL), applies the same
 * refusals to what was opened (fstat), creates and lays out files, and
 * decides every file's region. The descriptors go into each thread's
 * targets. Returns 0 or -1 with err; call tio_files_release either way. */
int tio_files_prepare(struct tio_host *host, struct tio_error *err);

/* create_serialize=0, as fio: thread t creates and lays out its file i
 * itself as it starts, in parallel with the other jobs' threads (the
 * checks and the open were done before the run). Nothing to do for a file
 * laid out before the run. Returns 0 or -1 with err. */
int tio_files_lay_out_later(struct tio_host_job *t, size_t i, struct tio_error *err);

/* The prepared descriptor of thread t's file i; the caller owns it from
 * now on. -1 if there is none. */
int tio_files_take(struct tio_host_job *t, size_t i);

/* unlink=1, as fio does it: removes the regular files the job named, and
 * only while the name still leads to the file the job used (never a device
 * node, a FIFO, or a file put at the name since). */
void tio_files_unlink(struct tio_host_job *t);

/* Closes the descriptors no thread took and the device claims, and frees
 * the targets. After every thread has ended. */
void tio_files_release(struct tio_host *host);

/* ---- the plan: every thread of the run, decided before any starts -------- */

struct tio_host_job;

struct tio_host {
    struct tio_plan *plan; /* parsed and resolved jobs */
    struct tio_engines engines;
    struct tio_host_job *threads; /* one per resolved job */
    size_t n_threads;
};

/* One job thread: everything its IO loop needs, in one place. */
struct tio_host_job {
    const struct tio_job *job;
    struct tio_host *host;
    struct tio_engine_choice engine;
    struct tio_job_result *result; /* its stats are written by the thread only */
    struct tio_live_job *live;

    /* Files: names and regions decided by tio_files_prepare. */
    size_t n_files;
    char **names;
    struct tio_region *regions;
    uint64_t *sizes;            /* real sizes (files and devices) */
    struct tio_target *targets; /* path targets, opened by tio_files_prepare */

    /* Engine instance and handles, made by the thread. */
    tenon_instance *instance;
    const tio_engine *ops;
    void *edata;
    struct tio_handle *handles;

    /* What happened. */
    int error; /* errno of the first fatal error */
    char error_text[TIO_ERR_TEXT];
    uint64_t verify_failures;
    pthread_t tid;
    bool started;
    /* Set from outside the job's thread to end it as if its runtime had
     * run out: by the steady-state sampler when the job's criterion holds
     * (fio's ss), by another job that ends under exitall, or by a
     * distributed run's rank 0 ending its time-based group (coord_mpi.c). */
    atomic_bool end_now;
    /* The thread is done: wait_for's waiters may start (flow.c). */
    atomic_bool finished;
    /* flow=: the job's group, joined before any thread starts, and the IOs
     * it counted there, taken out again as it ends (flow.c). */
    struct tio_flow *flow;
    uint64_t flow_count;
};

/* flow=: joins every flow job's weight to its group before any thread
 * starts, as fio counts them from the start (flow.c); tio_flow_leave_all
 * drops what jobs that never ran still hold. -ENOMEM on failure. */
int tio_flow_join_all(struct tio_host *host);
void tio_flow_leave_all(struct tio_host *host);

/* The files a job's IO goes to: its targets or, for an engine without
 * files, the nrfiles files fio keeps for it, each of its own size and
 * ending on its own (regions and sizes from tio_files_prepare). Pseudo IO
 * (one block, over and over) and zonemode=zbd (zones of one area) keep one
 * region. */
static inline size_t tio_host_job_nf(const struct tio_host_job *t)
{
    if (!t->engine.no_files)
        return t->n_files;
    if (t->engine.no_io || t->job->zones.mode == TIO_ZONE_ZBD || t->n_files < 2)
        return 1;
    return t->n_files;
}

/* ---- zbd.c ---------------------------------------------------------------- */

/* After every job of the run ended: zonemode=zbd's zones of the run's
 * files (shared by its jobs, kept from one to the next) go. */
void tio_zbd_run_end(void);

/* ---- worker.c ------------------------------------------------------------ */

/* The thread body: sets up the engine, runs the job, tears down. */
void *tio_worker_main(void *thread);

/* The run's jobs whose engine does real IO (not TIO_ENGINE_NO_IO) that
 * are running or still to start: set by tio_run, each such job's thread
 * takes itself off as it ends. tio_setup.io_jobs_running reads it. */
extern atomic_uint tio_io_jobs;
int tio_io_jobs_running(void);

/* Set by SIGINT/SIGTERM: every job stops at its next IO. */
extern atomic_bool tio_stop;
/* Moves after tio_stop or a job's end_now is set: a job's loop reads this
 * one word per IO and looks at the flags only when it moved (worker.h's
 * tio_halted). */
extern atomic_uint tio_halt_seq;
/* Sets tio_stop (async-signal-safe). */
void tio_stop_raise(void);
/* Sets t's end_now: the job ends as if its runtime had run out. */
void tio_job_end_now(struct tio_host_job *t);

/* ---- run.c --------------------------------------------------------------- */

/* Runs every group in order and writes the report. Returns the exit
 * status (0 all jobs ok, 1 a job failed or the run was interrupted). */
int tio_run(struct tio_host *host);

/* ---- steadystate.c -------------------------------------------------------- */

/* fio's ss=: a thread that samples the jobs' IOPS and bandwidth once a
 * second and ends a job (or its reporting group) once the criterion
 * holds. NULL when no job asks for it or on failure (then *failed is set
 * and a message printed). */
struct tio_ss_sampler;
struct tio_ss_sampler *tio_ss_start(struct tio_host *host, bool *failed);
/* Stops the sampler and hands each job's window to its result. */
void tio_ss_stop(struct tio_ss_sampler *s);
/* A copy of job i's steadystate window so far (the owner of its group's),
 * or NULL (none, no sampler, out of memory). */
struct tio_ss *tio_ss_now(struct tio_ss_sampler *s, size_t i);
/* --debug=parse: fio's trace line of the job's ss= limit. */
void tio_ss_trace_parse(const struct tio_job *job);

/* ---- agg_bw_log.c --------------------------------------------------------- */

/* --bandwidth-log: writes fio's agg-{read,write,trim}_bw.log from the jobs'
 * time series, the run having lasted from t0_ns to t_end_ns. Call before
 * the results move into the report. Returns 0, or -1 with err set. */
int tio_agg_bw_log_write(const struct tio_host *host, uint64_t t0_ns, uint64_t t_end_ns,
                         struct tio_error *err);

/* The signal that set tio_stop, by name ("SIGINT"), for error texts. */
const char *tio_stop_signal_name(void);
/* ---- status_interval.c ---------------------------------------------------- */

struct tio_status;
/* Starts the interim reports of --status-interval (NULL when it is off or
 * cannot start: the run goes on without them, said on stderr); before the
 * jobs start. ss: steadystate's sampler, whose windows they show, or NULL. */
struct tio_status *tio_status_start(struct tio_host *host, unsigned formats,
                                    const struct timespec *wall_start,
                                    struct tio_ss_sampler *ss);
/* Stops them; with --output, returns what they wrote (len bytes, to go
 * ahead of the final report; the caller frees it), else NULL. */
char *tio_status_stop(struct tio_status *s, size_t *len);

/* ---- program.c ----------------------------------------------------------- */

/* Every check a run applies before its first IO, with no side effect on
 * any file: resolves host->plan, refuses jobs tenon-io cannot run as asked
 * (verify=pattern without verify_pattern), picks each job's engine and checks its engine options, and
 * fills host->threads. --parse-only and the run both call it. host->plan
 * and host->engines must be set. Returns 0, -1 with err, or -ENOMEM. */
int tio_host_plan(struct tio_host *host, struct tio_error *err);

/* Releases what tio_host_plan made, and closes host->engines. */
void tio_host_free(struct tio_host *host);

/* tenon-io's main(): parses argv (cfg NULL: the process environment and
 * system values), then --help, --version, --enghelp, --parse-only or the
 * run. Prints to stdout and stderr, releases everything it allocated and
 * returns the exit status. The caller resets tio_stop between calls. */
int tio_main(int argc, char *const argv[], const struct tio_parse_config *cfg);

/* trim.c: trim_percentage with trim_backlog on a job that cannot run it
 * (one that writes but never trims: fio 3.33 aborts), refused before any IO. */
int tio_trim_job_check(const struct tio_job *job, struct tio_error *err);
/* rate.c: the rate options' conflicts (rate with rate_iops, ...). */
int tio_rate_job_check(const struct tio_job *job, struct tio_error *err);
/* stats_part.c: refuses what disable_*, stats=0 and bwavgtime/iopsavgtime
 * cannot go with (0 or -1 with err set). */
int tio_stats_part_check(const struct tio_job *job, const struct tio_program *prog,
                         struct tio_error *err);

/* placement.c: cpumask and cpus_allowed name online CPUs only, the NUMA
 * options nodes that are there (and need a build with libnuma); refused
 * before any IO, naming the CPUs or nodes there are. */
int tio_placement_check(const struct tio_job *job, struct tio_error *err);

#endif
