/* tenon-io's program flow, from the command line to the exit status. It
 * lives in the core library rather than in main() so that a test or a
 * fuzzer can run tenon-io whole, in-process, as often as it likes: every
 * call releases all it allocated.
 *
 * Every check a run applies before its first IO goes through
 * tio_host_plan, which --parse-only calls too: a job --parse-only accepts
 * is one the run accepts, and both refuse a bad one with the same words. */
#include "host.h"
#include "iolog.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "coord.h"
#include "debug.h"
#include "log.h"

static const char usage[] =
    "usage: tenon-io [--option=value ...] [jobfile ...]\n"
    "\n"
    "Runs fio jobs: the same job files and command-line options as fio, with IO\n"
    "engines that are tenon plugins. Options before the first --name apply to\n"
    "every job; --name=NAME starts a job on the command line.\n"
    "\n"
    "program options:\n"
    "  --output=FILE            write the report to FILE (atomically) instead of stdout\n"
    "  --output-format=FORMAT   normal (default), json, json+ (with latency bins) or\n"
    "                           terse (fio's terse v3), or several: terse,json+\n"
    "  --minimal                the terse format alone\n"
    "  --terse-version=N        terse format version 2, 3 (default), 4 or 5\n"
    "  --eta=WHEN               status line: auto (on a terminal), always, never\n"
    "  --enghelp[=ENGINE]       list the engines, or one engine's options\n"
    "  --cmdhelp[=OPTION]       list the job options, or describe one\n"
    "  --showcmd                print each job file as a tenon-io command line\n"
    "  --readonly               refuse any job that writes or trims, before any IO\n"
    "  --max-jobs=N             refuse more than N jobs (after numjobs)\n"
    "  --aux-path=DIR           where auxiliary files such as state files go\n"
    "  --bandwidth-log          write fio's agg-read_bw.log, agg-write_bw.log, "
    "agg-trim_bw.log\n"
    "  --debug=LIST             fio's traces: io, random, parse, process (or all; ? lists)\n"
    "  --status-interval=TIME   a report of the run so far every TIME (seconds)\n"
    "  --plugin-config=FILE     the tenon.json that picks and configures plugins\n"
    "  --inflate-log=FILE       print a log stored with log_store_compressed=1\n"
    "  --parse-only             check the jobs as a run would, print them and exit\n"
    "  --section=NAME           run only the named job-file sections\n"
    "  --help                   show this help\n"
    "  --version                show the version\n"
    "\n"
    "job options: fio's; see docs/jobfile.md and tenon-io(1). Engine options\n"
    "come from each engine's descriptor: tenon-io --enghelp=ENGINE.\n"
    "\n"
    "exit status: 0 all jobs succeeded, 1 a job failed or the jobs are invalid.\n";

/* fio's JSON lists the options each job's section gave under "job options". */
static void record_options(struct tio_job_result *r, const struct tio_job *job)
{
    /* fio lists --name=NAME first for a job started on the command line
     * (a job file's section name is no option) */
    if (job->origin.kind == TIO_ORIGIN_ARG)
        tio_job_result_add_option(r, "name", job->identity.name);
    for (size_t i = 0; i + 1 < job->given.n; i += 2)
        tio_job_result_add_option(r, job->given.v[i], job->given.v[i + 1]);
}

/* --debug=parse: each job's options as fio's parser traces them, the
 * [global] ones first. */
/* fio's trace of one option; ss= adds the limit its parser read. */
static void debug_option(const struct tio_job *job, const char *key, const char *value)
{
    tio_debug_printf(TIO_DEBUG_PARSE, "handle_option=%s, ptr=%s\n", key, value);
    if (!strcmp(key, "ss") || !strcmp(key, "steadystate"))
        tio_ss_trace_parse(job);
}

static void debug_parse(const struct tio_plan *jobs)
{
    if (!tio_debug_on(TIO_DEBUG_PARSE))
        return;
    const struct tio_job *g = jobs->cmdline_global;
    for (size_t i = 0; g && i + 1 < g->given.n; i += 2)
        debug_option(g, g->given.v[i], g->given.v[i + 1]);
    for (size_t i = 0; i < jobs->program.job_files.n; i++)
        tio_debug_printf(TIO_DEBUG_PARSE, "Parsing ini file %s\n",
                         jobs->program.job_files.v[i]);
    for (size_t j = 0; j < jobs->nr_jobs; j++) {
        const struct tio_job *job = &jobs->jobs[j];
        tio_debug_printf(TIO_DEBUG_PARSE, "Parsing section [%s]\n", job->identity.name);
        const struct tio_strv *lists[2] = {&job->global_given, &job->given};
        for (int l = 0; l < 2; l++)
            for (size_t i = 0; i + 1 < lists[l]->n; i += 2)
                debug_option(job, lists[l]->v[i], lists[l]->v[i + 1]);
    }
}

/* Which latency percentiles the job reports, and their histograms. fio
 * turns them off where gtod_reduce measures no latency. */
static int report_percentiles(struct tio_job_result *r, const struct tio_job *job)
{
    bool timed = !job->time.gtod_reduce;
    const struct tio_job_reporting *o = &job->reporting;
    r->unified_rw = o->unified_rw;
    r->sig_figs = o->sig_figs;
    r->clat_percentiles = o->clat_percentiles && timed && !o->disable_clat;
    r->lat_percentiles = o->lat_percentiles && timed && !o->disable_lat;
    r->slat_percentiles = o->slat_percentiles && timed && !o->disable_slat;
    tio_job_result_set_percentiles(r, job->reporting.percentile_list,
                                   job->reporting.n_percentiles);
    return tio_job_stats_keep_hists(&r->stats, r->slat_percentiles, r->lat_percentiles);
}

/* Refusals that depend on the job alone, not on its engine or files. */
static int check_job(const struct tio_job *job, const struct tio_program *prog,
                     struct tio_error *err)
{
    /* fio refuses these at parse time, before any job starts */
    if (prog->readonly && (tio_rw_writes(job->pattern.rw) || tio_rw_trims(job->pattern.rw))) {
        tio_error_set(err, TIO_EUNSUPPORTED, NULL, NULL, NULL,
                      "job %s: rw=%s %s, and --readonly allows no write or trim (drop "
                      "--readonly, or make the job read)",
                      job->identity.name, tio_rw_name(job->pattern.rw),
                      tio_rw_writes(job->pattern.rw) ? "writes" : "trims");
        return -1;
    }
    char why[512];
    if (tio_logs_check(job, why, sizeof(why)) < 0) {
        tio_error_set(err, TIO_EUNSUPPORTED, NULL, NULL, NULL, "%s", why);
        return -1;
    }
    if (tio_trim_job_check(job, err) < 0 || tio_rate_job_check(job, err) < 0 ||
        tio_stats_part_check(job, prog, err) < 0 || tio_placement_check(job, err) < 0)
        return -1;
    return tio_verify_job_check(job, err);
}

void tio_host_free(struct tio_host *host)
{
    tio_files_release(host);
    for (size_t i = 0; i < host->n_threads; i++) {
        struct tio_host_job *t = &host->threads[i];
        tio_engine_choice_free(&t->engine);
        free(t->regions);
        free(t->sizes);
        free(t->names);
        if (t->result)
            tio_job_result_free(t->result);
    }
    free(host->threads);
    host->threads = NULL;
    host->n_threads = 0;
    tio_engines_close(&host->engines);
}

int tio_host_plan(struct tio_host *host, struct tio_error *err)
{
    struct tio_plan *jobs = host->plan;
    struct tio_error perr;
    if (tio_plan_resolve(jobs, &perr) < 0) {
        if (err)
            *err = perr;
        return perr.code == TIO_ENOMEM ? -ENOMEM : -1;
    }
    if (jobs->program.max_jobs && jobs->nr_jobs > jobs->program.max_jobs) {
        tio_error_set(err, TIO_ERANGE, NULL, NULL, NULL,
                      "%zu jobs (after numjobs), more than --max-jobs=%u allows (raise "
                      "--max-jobs, or run fewer jobs)",
                      jobs->nr_jobs, jobs->program.max_jobs);
        return -1;
    }
    host->threads = calloc(jobs->nr_jobs ? jobs->nr_jobs : 1, sizeof(*host->threads));
    if (!host->threads)
        goto oom;
    for (size_t i = 0; i < jobs->nr_jobs; i++) {
        struct tio_host_job *t = &host->threads[host->n_threads++];
        const struct tio_job *job = &jobs->jobs[i];
        t->job = job;
        t->host = host;
        if (check_job(job, &jobs->program, err) < 0)
            return -1;
        for (size_t k = 0; k < i; k++) {
            /* fio: one group shows lat percentiles for all its jobs or none */
            const struct tio_job *o = &jobs->jobs[k];
            if (o->group != job->group)
                continue;
            if (o->reporting.lat_percentiles != job->reporting.lat_percentiles) {
                tio_error_set(err, TIO_EVALUE, NULL, NULL, NULL,
                              "job %s: lat_percentiles=%d, but job %s of the same group has "
                              "lat_percentiles=%d (set it alike for the group, or start a "
                              "new group with new_group)",
                              job->identity.name, job->reporting.lat_percentiles,
                              o->identity.name, o->reporting.lat_percentiles);
                return -1;
            }
            break;
        }
        if (tio_engine_choose(&host->engines, job, &t->engine, err) < 0)
            return -1;
        /* a replay's directions and sizes are its log's (the plan's own job) */
        if (job->replay.read_iolog &&
            tio_iolog_plan(&jobs->jobs[i], t->engine.no_files, err) < 0)
            return -1;
        t->n_files = job->files.filenames.n;
        size_t n = t->n_files ? t->n_files : 1;
        t->names = calloc(n, sizeof(char *));
        t->regions = calloc(n, sizeof(*t->regions));
        t->sizes = calloc(n, sizeof(*t->sizes));
        t->result = tio_job_result_new(job->identity.name, job->group, 0, 0);
        if (!t->names || !t->regions || !t->sizes || !t->result)
            goto oom;
        for (size_t k = 0; k < t->n_files; k++)
            t->names[k] = job->files.filenames.v[k];
        t->result->group_reporting = job->reporting.group_reporting;
        t->result->hidden = !job->reporting.stats;
        tio_job_stats_set_intervals(&t->result->stats,
                                    (uint64_t)job->reporting.bwavgtime * 1000000u,
                                    (uint64_t)job->reporting.iopsavgtime * 1000000u);
        t->result->continue_on_error = job->errors.continue_on_error != TIO_COE_NONE;
        t->result->latency_target_us = job->latency.target;
        t->result->latency_window_us = job->latency.window;
        t->result->latency_percentile = job->latency.percentile;
        if (report_percentiles(t->result, job) < 0)
            goto oom;
        record_options(t->result, job);
    }
    return 0;
oom:
    tio_error_set(err, TIO_ENOMEM, NULL, NULL, NULL, "out of memory");
    return -ENOMEM;
}

/* After --help, --version and --enghelp: check, then dump or run. */
static int check_and_run(struct tio_host *host)
{
    const struct tio_program *prog = &host->plan->program;
    struct tio_error err;
    bool planned = tio_host_plan(host, &err) == 0;
    if (!planned && !prog->parse_only) {
        fprintf(stderr, "tenon-io: %s\n", err.text);
        return 1;
    }
    if (prog->parse_only) {
        /* The run's file-level refusals (a missing file without size=, a
         * file too small for the job, block devices, free space), without
         * creating or writing anything. */
        struct tio_coord *coord = tio_coord_current();
        struct tio_error all;
        bool failed = !planned || tio_files_check(host, &err) < 0;
        if (coord->ops->ready(coord, failed, &err, &all) < 0) {
            if (all.text[0]) /* a distributed run says it once */
                fprintf(stderr, "tenon-io: %s\n", all.text);
            return 1;
        }
        /* the ranks of a distributed run check alike; one prints */
        if (tio_coord_self()->rank != 0)
            return 0;
        if (tio_plan_dump(host->plan, stdout) < 0 || fflush(stdout) != 0) {
            fprintf(stderr, "tenon-io: cannot write to standard output: %s\n", strerror(errno));
            return 1;
        }
        return 0;
    }
    const char *clock = getenv("TENON_IO_CLOCK");
    tio_clock_init(clock && strcmp(clock, "gettime") == 0);
    /* Ranks of a distributed run divide the files they share, lay out,
     * and start only when every rank has. */
    struct tio_coord *coord = tio_coord_current();
    bool failed = coord->ops->place(coord, host, &err) < 0 || tio_files_prepare(host, &err) < 0;
    struct tio_error all;
    if (coord->ops->ready(coord, failed, &err, &all) < 0) {
        if (all.text[0]) /* a distributed run says it once */
            fprintf(stderr, "tenon-io: %s\n", all.text);
        return 1;
    }
    return tio_run(host);
}

static int run_main(int argc, char *const argv[], const struct tio_parse_config *cfg);

int tio_main(int argc, char *const argv[], const struct tio_parse_config *cfg)
{
    /* Who this process is in the run, before $rank in the job files. */
    struct tio_error err;
    if (!tio_coord_begin(&err)) {
        fprintf(stderr, "tenon-io: %s\n", err.text);
        return 1;
    }
    const struct tio_coord_self *self = tio_coord_self();
    struct tio_parse_config rcfg;
    if (cfg)
        rcfg = *cfg;
    else
        tio_parse_config_init(&rcfg);
    rcfg.rank = self->rank;
    rcfg.nranks = self->nranks;
    rcfg.hostname = self->host;
    int status = run_main(argc, argv, &rcfg);
    tio_coord_end();
    return status;
}

static int run_main(int argc, char *const argv[], const struct tio_parse_config *cfg)
{
    struct tio_plan *jobs = NULL;
    struct tio_error perr;
    if (tio_cmdline_parse(argc, argv, cfg, &jobs, &perr) < 0) {
        fprintf(stderr, "tenon-io: %s\n", perr.text);
        return 1;
    }
    const struct tio_program *prog = &jobs->program;
    if (prog->debug_help) {
        tio_debug_help();
        tio_plan_free(jobs);
        return 0;
    }
    if (prog->help) {
        fputs(usage, stdout);
        tio_plan_free(jobs);
        return 0;
    }
    if (prog->version) {
        printf("tenon-io-%s (libtenon %s)\n", TENON_VERSION_STRING, tenon_version());
        tio_plan_free(jobs);
        return 0;
    }

    if (prog->showcmd) {
        /* as fio: the job files as command lines; nothing runs */
        for (size_t i = 0; i < prog->showcmd_lines.n; i++)
            printf("%s\n", prog->showcmd_lines.v[i]);
        tio_plan_free(jobs);
        if (fflush(stdout) != 0) {
            fprintf(stderr, "tenon-io: cannot write to standard output: %s\n", strerror(errno));
            return 1;
        }
        return 0;
    }

    if (prog->cmdhelp) {
        struct tio_error herr;
        int rc = tio_cmdhelp(prog->cmdhelp_option, stdout, &herr);
        tio_plan_free(jobs);
        if (rc == TIO_EIO || fflush(stdout) != 0) {
            fprintf(stderr, "tenon-io: cannot write to standard output: %s\n", strerror(errno));
            return 1;
        }
        if (rc < 0) {
            fprintf(stderr, "tenon-io: %s\n", herr.text);
            return 1;
        }
        return 0;
    }

    /* With --output the lines join the output file, as fio's do. */
    if (tio_debug_open(prog->debug, prog->output != NULL) < 0) {
        fprintf(stderr, "tenon-io: out of memory\n");
        tio_plan_free(jobs);
        return 1;
    }
    debug_parse(jobs);
    if (prog->inflate_log) {
        /* fio's --inflate-log: the stored log's lines, and nothing else */
        char why[600];
        int rc = tio_log_inflate_file(prog->inflate_log, stdout, why, sizeof(why));
        tio_plan_free(jobs);
        if (rc == 0 && fflush(stdout) != 0) {
            snprintf(why, sizeof(why), "cannot write to standard output: %s", strerror(errno));
            rc = -1;
        }
        if (rc < 0)
            fprintf(stderr, "tenon-io: %s\n", why);
        return rc < 0 ? 1 : 0;
    }

    struct tio_host host = {0};
    host.plan = jobs;
    struct tio_error err;
    if (tio_engines_open(&host.engines, prog->plugin_config, &err) < 0) {
        fprintf(stderr, "tenon-io: %s\n", err.text);
        tio_plan_free(jobs);
        return 1;
    }
    int status;
    if (prog->enghelp) {
        status = tio_engines_help(&host.engines, prog->enghelp_engine, prog->enghelp_option,
                                  stdout);
    } else {
        status = check_and_run(&host);
    }
    tio_host_free(&host);
    tio_plan_free(jobs);
    tio_debug_close();
    return status;
}
