/* tenon-io: an fio-compatible storage benchmark whose IO engines are tenon
 * plugins. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/host.h"
#include "tio_job.h"
#include "tio_job_result.h"

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
    "  --plugin-config=FILE     the tenon.json that picks and configures plugins\n"
    "  --parse-only             parse the jobs, print them and exit\n"
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

static void free_plan(struct tio_host *host)
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
    tio_engines_close(&host->engines);
}

/* Decides every thread's engine and files before anything runs, so a bad
 * job is refused before another one has done IO. */
static int make_plan(struct tio_host *host)
{
    struct tio_plan *jobs = host->plan;
    host->threads = calloc(jobs->nr_jobs ? jobs->nr_jobs : 1, sizeof(*host->threads));
    if (!host->threads)
        return -ENOMEM;
    char err[TIO_ERR_TEXT];
    for (size_t i = 0; i < jobs->nr_jobs; i++) {
        struct tio_host_job *t = &host->threads[host->n_threads++];
        const struct tio_job *job = &jobs->jobs[i];
        t->job = job;
        t->host = host;
        if (tio_engine_choose(&host->engines, job, &t->engine, err, sizeof(err)) < 0) {
            fprintf(stderr, "tenon-io: %s\n", err);
            return -EINVAL;
        }
        if (job->verify == TIO_VERIFY_MD5) {
            fprintf(stderr,
                    "tenon-io: job %s: verify=md5 is not supported by tenon-io; use "
                    "verify=crc32c (fast) or verify=sha256 (cryptographic)\n",
                    job->name);
            return -EINVAL;
        }
        if (tio_verify_job_check(job, err, sizeof(err)) < 0) {
            fprintf(stderr, "tenon-io: %s\n", err);
            return -EINVAL;
        }
        t->n_files = job->filenames.n;
        size_t n = t->n_files ? t->n_files : 1;
        t->names = calloc(n, sizeof(char *));
        t->regions = calloc(n, sizeof(*t->regions));
        t->sizes = calloc(n, sizeof(*t->sizes));
        t->result = tio_job_result_new(job->name, job->group, 0, 0);
        if (!t->names || !t->regions || !t->sizes || !t->result)
            return -ENOMEM;
        for (size_t k = 0; k < t->n_files; k++)
            t->names[k] = job->filenames.v[k];
        t->result->group_reporting = job->group_reporting;
        record_options(t->result, job);
    }
    if (tio_files_prepare(host, err, sizeof(err)) < 0) {
        fprintf(stderr, "tenon-io: %s\n", err);
        return -EINVAL;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct tio_plan *jobs = NULL;
    struct tio_error perr;
    if (tio_cmdline_parse(argc, argv, NULL, &jobs, &perr) < 0) {
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

    struct tio_host host = {0};
    host.plan = jobs;
    char err[TIO_ERR_TEXT];
    if (tio_engines_open(&host.engines, prog->plugin_config, err, sizeof(err)) < 0) {
        fprintf(stderr, "tenon-io: %s\n", err);
        tio_plan_free(jobs);
        return 1;
    }
    if (prog->enghelp) {
        int rc = tio_engines_help(&host.engines, prog->enghelp_engine, prog->enghelp_option,
                                  stdout);
        tio_engines_close(&host.engines);
        tio_plan_free(jobs);
        return rc;
    }
    if (tio_plan_resolve(jobs, &perr) < 0) {
        fprintf(stderr, "tenon-io: %s\n", perr.text);
        tio_engines_close(&host.engines);
        tio_plan_free(jobs);
        return 1;
    }
    if (prog->parse_only) {
        tio_plan_dump(jobs, stdout);
        tio_engines_close(&host.engines);
        tio_plan_free(jobs);
        return 0;
    }

    tio_clock_init(getenv("TENON_IO_CLOCK") && strcmp(getenv("TENON_IO_CLOCK"), "gettime") == 0);
    int status = 1;
    int rc = make_plan(&host);
    if (rc == -ENOMEM)
        fprintf(stderr, "tenon-io: out of memory\n");
    if (rc == 0)
        status = tio_run(&host);
    free_plan(&host);
    tio_plan_free(jobs);
    return status;
}
