/* tenon-io's host: how parsed jobs become running threads.
 *
 *   engines.c  the plugin registry, engine choice and engine options
 *   storage.c  the forwarding layer: routes each target to the engine that
 *              claims it and wraps what the engine opened in a handle
 *   files.c    preparing path targets: create, lay out, size, safety
 *   worker.c   one job thread's IO loop (the hot path)
 *   run.c      groups, threads, the status line and the report
 *   program.c  the whole program: command line, checks, plan, run
 */
#ifndef TIO_HOST_H
#define TIO_HOST_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

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
int tio_engines_open(struct tio_engines *e, const char *plugin_config, char *err, size_t errlen);
void tio_engines_close(struct tio_engines *e);

/* `tenon-io --enghelp[=ENGINE]`: engines and their options, from their
 * descriptors, without loading any. Returns the exit status. */
int tio_engines_help(struct tio_engines *e, const char *engine, const char *option, FILE *out);

/* The engine a job runs on, chosen before any thread starts. */
struct tio_engine_choice {
    tenon_plugin *plugin;    /* provides tenon-io.engine */
    char *label;             /* how the job named it (engine or instance name) */
    tenon_options *options;  /* checked against the engine's schema */
    bool uri_targets;        /* the engine opens URI targets itself */
    bool no_files;           /* TIO_ENGINE_NO_FILES, from the descriptor meta */
};

/* Picks the engine for job and checks the job's engine options against its
 * schema. An engine the job names (ioengine=NAME, external:/path.so, a
 * configured instance name) is the one that runs, and must accept every
 * target; only a job that names none is routed to the engine that claims
 * its targets. Returns 0 or -1 with err. */
int tio_engine_choose(struct tio_engines *e, const struct tio_job *job,
                      struct tio_engine_choice *out, char *err, size_t errlen);
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

/* Opens target through the engine (path targets: fd already in file).
 * Returns 0 or -errno with a message naming target and engine. */
int tio_handle_open(struct tio_handle *h, const tio_engine *ops, void *engine_data,
                    const char *engine_name, char *err, size_t errlen);
void tio_handle_close(struct tio_handle *h);

/* ---- files.c ------------------------------------------------------------- */

/* The region of one file a job thread works on. */
struct tio_region {
    uint64_t start; /* first byte */
    uint64_t len;   /* bytes */
};

/* Before the threads start: creates and lays out path targets, refuses
 * unsafe device writes, and decides every file's region. Runs once per
 * file even when several threads share it. Returns 0 or -1 with err. */
struct tio_host;
int tio_files_prepare(struct tio_host *host, char *err, size_t errlen);

/* Opens a prepared path target for a thread (O_DIRECT, O_SYNC... per job).
 * Returns the fd or -1 with err. */
int tio_file_open(const struct tio_job *job, const char *path, bool write, char *err,
                  size_t errlen);

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
    uint64_t *sizes; /* real sizes (files and devices) */

    /* Engine instance and handles, made by the thread. */
    tenon_instance *instance;
    const tio_engine *ops;
    void *edata;
    struct tio_handle *handles;

    /* What happened. */
    int error;                  /* errno of the first fatal error */
    char error_text[TIO_ERR_TEXT];
    uint64_t verify_failures;
    pthread_t tid;
    bool started;
};

/* ---- worker.c ------------------------------------------------------------ */

/* The thread body: sets up the engine, runs the job, tears down. */
void *tio_worker_main(void *thread);

/* Set by SIGINT/SIGTERM: every job stops at its next IO. */
extern atomic_bool tio_stop;

/* ---- run.c --------------------------------------------------------------- */

/* Runs every group in order and writes the report. Returns the exit
 * status (0 all jobs ok, 1 a job failed). */
int tio_run(struct tio_host *host);

/* ---- program.c ----------------------------------------------------------- */

/* Every check a run applies before its first IO, with no side effect on
 * any file: resolves host->plan, refuses jobs tenon-io cannot run as asked
 * (verify=md5), picks each job's engine and checks its engine options, and
 * fills host->threads. --parse-only and the run both call it. host->plan
 * and host->engines must be set. Returns 0, -1 with err, or -ENOMEM. */
int tio_host_plan(struct tio_host *host, char *err, size_t errlen);

/* Releases what tio_host_plan made, and closes host->engines. */
void tio_host_free(struct tio_host *host);

/* tenon-io's main(): parses argv (cfg NULL: the process environment and
 * system values), then --help, --version, --enghelp, --parse-only or the
 * run. Prints to stdout and stderr, releases everything it allocated and
 * returns the exit status. The caller resets tio_stop between calls. */
int tio_main(int argc, char *const argv[], const struct tio_parse_config *cfg);

#endif
