/* Running the plan: jobs start in order, a stonewall waits for everything
 * before it, the status line shows progress, and every job's result goes
 * into the report. */
#include "host.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "coord.h"
#include "debug.h"
#include "plot.h"
#include "tio_disk.h"
#include "tio_eta.h"
#include "tio_report.h"

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
    if (!stop_signal)
        stop_signal = sig;
    struct tio_coord *c = tio_coord_current();
    c->ops->stop(c);
}

const char *tio_stop_signal_name(void)
{
    const struct tio_coord *c = tio_coord_current();
    const char *cause = stop_signal ? NULL : c->ops->stop_cause(c);
    if (cause)
        return cause;
    return stop_signal == SIGTERM ? "SIGTERM" : stop_signal == SIGINT ? "SIGINT" : "a signal";
}

static void plan_live(struct tio_host_job *t)
{
    const struct tio_job *job = t->job;
    uint64_t bytes = 0;
    for (size_t i = 0; i < tio_host_job_nf(t); i++)
        bytes += t->regions[i].len;
    if (job->files.io_size.set)
        bytes = tio_amount_bytes(&job->files.io_size, bytes);
    t->live->plan_bytes = job->time.time_based
                              ? 0
                              : bytes * (job->files.loops ? job->files.loops : 1);
    t->live->plan_runtime_ns = job->time.runtime
                                   ? (job->time.runtime + job->time.ramp_time) * 1000
                                   : 0;
    t->live->time_based = job->time.time_based;
}

/* The report formats --output-format asks for. */
static unsigned report_formats(const struct tio_program *prog)
{
    unsigned formats = 0;
    if (prog->output_format & TIO_OUTPUT_NORMAL)
        formats |= TIO_REPORT_NORMAL;
    if (prog->output_format & TIO_OUTPUT_JSON)
        formats |= TIO_REPORT_JSON;
    if (prog->output_format & TIO_OUTPUT_JSON_PLUS)
        formats |= TIO_REPORT_JSON_PLUS;
    if (prog->output_format & TIO_OUTPUT_TERSE)
        formats |= TIO_REPORT_TERSE;
    return formats;
}

/* What goes ahead of the report: the debug traces, then the interim
 * reports kept for --output (both freed here). -1: out of memory. */
static int set_preamble(struct tio_report *rep, char *status_text, size_t status_len)
{
    size_t debug_len = 0;
    char *debug_text = tio_debug_take(&debug_len);
    int rc = 0;
    if (!debug_text)
        debug_len = 0;
    if (debug_len + status_len) {
        char *all = malloc(debug_len + status_len);
        if (all) {
            if (debug_len)
                memcpy(all, debug_text, debug_len);
            if (status_len)
                memcpy(all + debug_len, status_text, status_len);
            rc = tio_report_set_preamble(rep, all, debug_len + status_len);
        } else {
            rc = -1;
        }
        free(all);
    }
    free(debug_text);
    free(status_text);
    return rc;
}

/* --plot, with a line per participant of a distributed run. */
static int plot(struct tio_coord *coord, const char *path,
                struct tio_job_result *const *results, const struct tio_job *const *jobs,
                size_t n, struct tio_error *err)
{
    size_t np = 0;
    if (n)
        coord->ops->parts(coord, 0, &np);
    struct tio_job_result **parts = np ? calloc(n * np, sizeof(*parts)) : NULL;
    for (size_t i = 0; parts && i < n; i++) {
        size_t got = 0;
        struct tio_job_result *const *p = coord->ops->parts(coord, i, &got);
        for (size_t r = 0; p && r < got && r < np; r++)
            parts[i * np + r] = p[r];
    }
    int rc = tio_plot_write(path, results, jobs, n, parts, parts ? np : 0, err);
    free(parts);
    return rc;
}

int tio_run(struct tio_host *host)
{
    /* How this run's jobs are started, stopped and gathered (coord.h). */
    struct tio_coord *coord = tio_coord_current();
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    struct tio_error cerr;
    if (coord->ops->open(coord, host, &cerr) < 0) {
        fprintf(stderr, "tenon-io: %s\n", cerr.text);
        return 1;
    }
    const struct tio_program *prog = &host->plan->program;
    struct tio_eta *eta = tio_eta_new(host->n_threads);
    if (!eta || tio_flow_join_all(host) < 0) {
        fprintf(stderr, "tenon-io: out of memory\n");
        tio_flow_leave_all(host);
        tio_eta_free(eta);
        coord->ops->close(coord);
        return 1;
    }
    unsigned io_jobs = 0;
    for (size_t i = 0; i < host->n_threads; i++)
        io_jobs += !host->threads[i].engine.no_io;
    atomic_store(&tio_io_jobs, io_jobs);
    for (size_t i = 0; i < host->n_threads; i++) {
        struct tio_host_job *t = &host->threads[i];
        t->live = tio_eta_job(eta, i);
        plan_live(t);
        tio_job_stats_attach_live(&t->result->stats, t->live);
    }
    bool show_eta = prog->eta == TIO_ETA_ALWAYS ||
                    (prog->eta == TIO_ETA_AUTO && isatty(STDOUT_FILENO) &&
                     !(prog->output_format != TIO_OUTPUT_NORMAL && !prog->output));
    /* Ranks of a distributed run: only rank 0 writes, and only when asked
     * (an MPI launcher hands every rank a terminal of its own). */
    const struct tio_coord_self *self = tio_coord_self();
    if (self->nranks > 1 && (self->rank != 0 || prog->eta != TIO_ETA_ALWAYS))
        show_eta = false;
    if (show_eta)
        tio_eta_start(eta, stdout, 1000);

    /* fio's "Disk stats": the block devices behind path targets. */
    struct tio_disk_watch *disks = tio_disk_watch_new();
    for (size_t i = 0; disks && i < host->n_threads; i++) {
        struct tio_host_job *t = &host->threads[i];
        if (t->engine.no_files || t->engine.uri_targets)
            continue;
        for (size_t k = 0; k < t->n_files; k++)
            tio_disk_watch_add_path(disks, t->names[k]);
    }
    if (disks)
        tio_disk_watch_start(disks);

    bool ss_failed;
    struct tio_ss_sampler *ss = tio_ss_start(host, &ss_failed);

    struct timespec wall_start;
    clock_gettime(CLOCK_REALTIME, &wall_start);
    uint64_t t0 = tio_now_ns();
    struct tio_status *status_timer = NULL;
    if (self->rank == 0)
        status_timer = tio_status_start(host, report_formats(prog), &wall_start, ss);
    size_t n_started = 0;
    for (; n_started < host->n_threads && !coord->ops->stopping(coord); n_started++) {
        struct tio_host_job *t = &host->threads[n_started];
        if (t->job->identity.stonewall && n_started > 0) {
            coord->ops->wait(coord, host, n_started);
            /* The signal may have come while waiting for the group before. */
            if (coord->ops->stopping(coord))
                break;
        }
        if (n_started == 0 || t->job->identity.stonewall)
            coord->ops->barrier(coord);
        coord->ops->start(coord, t);
    }
    coord->ops->wait(coord, host, host->n_threads);
    tio_flow_leave_all(host); /* what jobs that never started still hold */
    tio_zbd_run_end();
    uint64_t t_end = tio_now_ns();
    size_t status_len;
    char *status_text = tio_status_stop(status_timer, &status_len);
    tio_ss_stop(ss);
    if (show_eta)
        tio_eta_stop(eta);
    int status = ss_failed ? 1 : 0;
    /* each rank its own, before gather puts the aggregate in its place */
    if (prog->bandwidth_log) {
        struct tio_error err;
        if (tio_agg_bw_log_write(host, t0, t_end, &err) < 0) {
            fprintf(stderr, "tenon-io: %s\n", err.text);
            status = 1;
        }
    }
    bool reporter = coord->ops->gather(coord, host);

    struct tio_report *rep = tio_report_new(TENON_VERSION_STRING);
    if (!rep) {
        fprintf(stderr, "tenon-io: out of memory\n");
        free(status_text);
        tio_eta_free(eta);
        tio_disk_watch_free(disks);
        coord->ops->close(coord);
        return 1;
    }
    tio_report_set_time(rep, &wall_start);
    if (disks) {
        tio_disk_watch_stop(disks, rep);
        tio_disk_watch_free(disks);
    }
    /* fio's "global options": the [global] options as written. */
    if (host->n_threads) {
        const struct tio_strv *g = &host->threads[0].job->global_given;
        for (size_t i = 0; i + 1 < g->n; i += 2)
            tio_report_add_global_option(rep, g->v[i], g->v[i + 1]);
    }
    uint64_t elapsed_s = (tio_now_ns() - t0) / 1000000000u;
    if (prog->plot && reporter) {
        struct tio_job_result **results = calloc(host->n_threads + 1, sizeof(*results));
        const struct tio_job **jobs = calloc(host->n_threads + 1, sizeof(*jobs));
        struct tio_error err;
        if (!results || !jobs) {
            fprintf(stderr, "tenon-io: out of memory\n");
            status = 1;
        } else {
            for (size_t i = 0; i < host->n_threads; i++) {
                results[i] = host->threads[i].result;
                jobs[i] = host->threads[i].job;
            }
            if (plot(coord, prog->plot, results, jobs, host->n_threads, &err) < 0) {
                fprintf(stderr, "tenon-io: %s\n", err.text);
                status = 1;
            }
        }
        free(results);
        free(jobs);
    }
    /* after the plot, which draws the participants' results it takes */
    if (reporter && coord->ops->report(coord, rep) != 0) {
        fprintf(stderr, "tenon-io: out of memory\n");
        status = 1;
    }
    for (size_t i = 0; i < host->n_threads; i++) {
        struct tio_host_job *t = &host->threads[i];
        struct tio_job_result *r = t->result;
        r->end_time = time(NULL);
        r->elapsed_s = elapsed_s;
        /* latency_target: the depth it found, which the job's thread set */
        if (!t->job->latency.target)
            r->iodepth = t->job->queue.iodepth;
        r->pid = (long)getpid() + (long)i;
        if (i >= n_started && !t->error) {
            t->error = EINTR;
            snprintf(t->error_text, sizeof(t->error_text),
                     "not started: interrupted by %s before the job's turn came",
                     tio_stop_signal_name());
        }
        if (t->error) {
            status = 1;
            if (t->verify_failures > 1) {
                char text[TIO_ERR_TEXT + 64];
                snprintf(text, sizeof(text),
                         "%" PRIu64 " blocks failed verification; the first: %s",
                         t->verify_failures, t->error_text);
                snprintf(t->error_text, sizeof(t->error_text), "%s", text);
            }
            tio_job_result_set_error(r, t->error, t->error_text);
            fprintf(stderr, "tenon-io: job %s: %s\n", t->job->identity.name, t->error_text);
        }
        if (tio_report_add_job(rep, r) == 0)
            t->result = NULL;
    }
    tio_eta_free(eta);
    if (atomic_load(&tio_stop))
        fprintf(stderr, "tenon-io: interrupted by %s; results cover the IO done until then\n",
                tio_stop_signal_name());

    unsigned formats = report_formats(prog);
    tio_report_set_terse_version(rep, prog->terse_version);
    if (set_preamble(rep, status_text, status_len) < 0) {
        fprintf(stderr, "tenon-io: out of memory\n");
        status = 1;
    }
    if (!reporter) {
        /* another participant writes the report */
    } else if (prog->output) {
        struct tio_error err;
        if (tio_report_write_file(rep, prog->output, formats, &err) < 0) {
            fprintf(stderr, "tenon-io: %s\n", err.text);
            status = 1;
        }
    } else if (tio_report_write(rep, stdout, formats) < 0 || fflush(stdout) != 0) {
        fprintf(stderr, "tenon-io: cannot write the report to standard output: %s\n",
                strerror(errno));
        status = 1;
    }
    tio_report_free(rep);
    coord->ops->close(coord);
    return status;
}
