/* tenon-io's program flow, from the command line to the exit status. It
 * lives in the core library rather than in main() so that a test or a
 * fuzzer can run tenon-io whole, in-process, as often as it likes: every
 * call releases all it allocated.
 *
 * Every check a run applies before its first IO goes through
 * tio_host_plan, which --parse-only calls too: a job --parse-only accepts
 * is one the run accepts, and both refuse a bad one with the same words. */
#include "host.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "coord.h"
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
    "  --output-format=FORMAT   normal (default) or json (fio's JSON keys)\n"
    "  --eta=WHEN               status line: auto (on a terminal), always, never\n"
    "  --enghelp[=ENGINE]       list the engines, or one engine's options\n"
    "  --cmdhelp[=OPTION]       list the job options, or describe one\n"
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
    for (size_t i = 0; i + 1 < job->given.n; i += 2)
        tio_job_result_add_option(r, job->given.v[i], job->given.v[i + 1]);
}

/* Refusals that depend on the job alone, not on its engine or files. */
static int check_job(const struct tio_job *job, struct tio_error *err)
{
    if (job->verify.method == TIO_VERIFY_MD5) {
        tio_error_set(err, TIO_EUNSUPPORTED, NULL, NULL, NULL,
                      "job %s: verify=md5 is not supported by tenon-io; use verify=crc32c (fast) "
                      "or verify=sha256 (cryptographic)",
                      job->identity.name);
        return -1;
    }
    char why[512];
    if (tio_logs_check(job, why, sizeof(why)) < 0) {
        tio_error_set(err, TIO_EUNSUPPORTED, NULL, NULL, NULL, "%s", why);
        return -1;
    }
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
    host->threads = calloc(jobs->nr_jobs ? jobs->nr_jobs : 1, sizeof(*host->threads));
    if (!host->threads)
        goto oom;
    for (size_t i = 0; i < jobs->nr_jobs; i++) {
        struct tio_host_job *t = &host->threads[host->n_threads++];
        const struct tio_job *job = &jobs->jobs[i];
        t->job = job;
        t->host = host;
        if (check_job(job, err) < 0)
            return -1;
        if (tio_engine_choose(&host->engines, job, &t->engine, err) < 0)
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
    if (tio_host_plan(host, &err) < 0) {
        fprintf(stderr, "tenon-io: %s\n", err.text);
        return 1;
    }
    if (prog->parse_only) {
        /* The run's file-level refusals (a missing file without size=, a
         * file too small for the job, block devices, free space), without
         * creating or writing anything. */
        if (tio_files_check(host, &err) < 0) {
            fprintf(stderr, "tenon-io: %s\n", err.text);
            return 1;
        }
        if (tio_plan_dump(host->plan, stdout) < 0 || fflush(stdout) != 0) {
            fprintf(stderr, "tenon-io: cannot write to standard output: %s\n",
                    strerror(errno));
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
    return status;
}
