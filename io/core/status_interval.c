/* --status-interval=TIME: fio's periodic status dump. Every TIME, a timer
 * thread writes a report of every job so far, in the run's output formats,
 * cumulative from the jobs' start (fio's show_running_run_stats): the
 * sections of the final report, latencies and percentiles included.
 *
 * The jobs' statistics are their workers' alone: the timer asks each for
 * a copy through its mailbox (tio_stats_mailbox.h), which the worker fills
 * at its next publish tick (every 100 ms, never per IO) and once more when
 * the job is over, and builds each interim result from that copy. A job
 * that does not answer within half the interval (or 500 ms: a worker in a
 * long think time or a long IO) is shown as its last copy; one that has
 * none yet by the counters the status line reads (IOs, bytes, runtime).
 * Reports go to standard output as they come; with --output they are kept
 * and written ahead of the final report in its file (the file is written
 * whole at the end). */
#include "host.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "tio_eta.h"
#include "tio_report.h"
#include "tio_stats_mailbox.h"

#define ANSWER_MAX_NS UINT64_C(500000000) /* the longest wait for a job's copy */

struct tio_status {
    struct tio_host *host;
    uint64_t interval_ns;
    unsigned formats;
    struct timespec wall_start;
    FILE *out;  /* stdout, or the memory stream below */
    char *kept; /* --output: the reports so far */
    size_t kept_len;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stop;
    struct tio_ss_sampler *ss;        /* steadystate's windows, or NULL */
    struct tio_stats_mailbox **boxes; /* per job thread; NULL entries: none */
    uint64_t *tickets;
};

/* One job as its live counters show it now (before its first copy). */
static struct tio_job_result *from_live(const struct tio_host_job *t, uint64_t now)
{
    const struct tio_job *job = t->job;
    struct tio_job_result *r = tio_job_result_new(job->identity.name, job->group, 0, 0);
    if (!r)
        return NULL;
    r->group_reporting = job->reporting.group_reporting;
    r->hidden = !job->reporting.stats;
    r->iodepth = job->queue.iodepth;
    r->pid = (long)getpid() + (long)(t - t->host->threads);
    uint64_t start = atomic_load_explicit(&t->live->start_ns, memory_order_relaxed);
    uint64_t ran = start && now > start ? now - start : 0;
    for (int d = 0; d < TIO_DDIR_COUNT; d++) {
        struct tio_dir_stats *ds = &r->stats.dir[d];
        ds->ios = atomic_load_explicit(&t->live->ios[d], memory_order_relaxed);
        ds->bytes = atomic_load_explicit(&t->live->bytes[d], memory_order_relaxed);
        ds->runtime_ns = ds->ios ? ran : 0;
    }
    r->runtime_ms = ran / 1000000u;
    return r;
}

struct interim {
    struct tio_job_result setup; /* the job's report settings, its copy's numbers */
    struct tio_job_result *out;
};

/* A synchronous engine's loop counts its depth maps once it ends
 * (loop.c): until then, the IOs done so far are its depth-1 submits and
 * completions. An asynchronous engine's maps count every IO already. */
static void depths_so_far(struct tio_job_stats *js)
{
    uint64_t done = 0, counted = 0;
    for (int d = 0; d < TIO_DDIR_COUNT; d++)
        done += js->dir[d].ios + js->dir[d].errors;
    for (int i = 0; i < TIO_DEPTH_BUCKETS; i++)
        counted += js->depth[i];
    if (done <= counted)
        return;
    js->depth[0] += done - counted;
    js->submit[1] += done - counted;
    js->complete[1] += done - counted;
}

static void take_copy(void *arg, const struct tio_stats_copy *c)
{
    struct interim *in = arg;
    in->setup.stats = *c->stats; /* borrowed, under the mailbox's lock */
    in->setup.cpu = c->cpu;
    in->setup.error = c->error;
    in->out = tio_job_result_aggregate((struct tio_job_result *const[]){&in->setup}, 1);
    if (in->out)
        depths_so_far(&in->out->stats);
}

/* One job as its latest copy shows it, with the settings of its final
 * report (set before the run: only the worker writes the result since). */
static struct tio_job_result *from_copy(struct tio_status *s, size_t i, bool wait,
                                        const struct timespec *deadline)
{
    const struct tio_host_job *t = &s->host->threads[i];
    const struct tio_job_result *f = t->result;
    if (!s->boxes || !s->boxes[i] || !f)
        return NULL;
    struct interim in = {.setup = {
                             .name = f->name,
                             .groupid = f->groupid,
                             .njobs = 1,
                             .group_reporting = f->group_reporting,
                             .hidden = f->hidden,
                             .pid = (long)getpid() + (long)i,
                             .iodepth = t->job->queue.iodepth,
                             .latency_target_us = f->latency_target_us,
                             .latency_window_us = f->latency_window_us,
                             .latency_percentile = f->latency_percentile,
                             .continue_on_error = f->continue_on_error,
                             .unified_rw = f->unified_rw,
                             .clat_percentiles = f->clat_percentiles,
                             .lat_percentiles = f->lat_percentiles,
                             .slat_percentiles = f->slat_percentiles,
                             .npercentiles = f->npercentiles,
                             .options = f->options,
                         }};
    memcpy(in.setup.percentiles, f->percentiles, sizeof(in.setup.percentiles));
    tio_stats_mailbox_take(s->boxes[i], s->tickets[i], wait, deadline, take_copy, &in);
    if (in.out && !in.out->ss)
        in.out->ss = tio_ss_now(s->ss, i); /* steadystate's window so far */
    return in.out;
}

/* Asks every running job for a copy (asked[i]); a job not started, or
 * over, has nothing new to give. */
static void ask_all(struct tio_status *s, bool *asked)
{
    for (size_t i = 0; i < s->host->n_threads; i++) {
        const struct tio_host_job *t = &s->host->threads[i];
        uint32_t st = atomic_load_explicit(&t->live->state, memory_order_relaxed);
        asked[i] = s->boxes && s->boxes[i] && !tio_job_state_done(st) &&
                   atomic_load_explicit(&t->live->start_ns, memory_order_relaxed);
        if (asked[i])
            s->tickets[i] = tio_stats_mailbox_request(s->boxes[i]);
    }
}

static void dump_once(struct tio_status *s, uint64_t t0)
{
    struct tio_report *rep = tio_report_new(TENON_VERSION_STRING);
    bool *asked = calloc(s->host->n_threads + 1, sizeof(*asked));
    if (!rep || !asked) {
        tio_report_free(rep);
        free(asked);
        return;
    }
    tio_report_set_time(rep, &s->wall_start);
    ask_all(s, asked);
    uint64_t wait = s->interval_ns / 2 < ANSWER_MAX_NS ? s->interval_ns / 2 : ANSWER_MAX_NS;
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    uint64_t ns = (uint64_t)deadline.tv_nsec + wait;
    deadline.tv_sec += (time_t)(ns / 1000000000u);
    deadline.tv_nsec = (long)(ns % 1000000000u);
    for (size_t i = 0; i < s->host->n_threads; i++) {
        struct tio_job_result *r = from_copy(s, i, asked[i], &deadline);
        uint64_t now = tio_now_ns();
        if (!r)
            r = from_live(&s->host->threads[i], now);
        if (!r)
            break;
        r->end_time = time(NULL);
        r->elapsed_s = (now - t0) / 1000000000u;
        if (tio_report_add_job(rep, r) != 0)
            tio_job_result_free(r);
    }
    (void)tio_report_write(rep, s->out, s->formats);
    fflush(s->out);
    tio_report_free(rep);
    free(asked);
}

static void *timer_main(void *arg)
{
    struct tio_status *s = arg;
    uint64_t t0 = tio_now_ns();
    struct timespec due;
    clock_gettime(CLOCK_MONOTONIC, &due);
    pthread_mutex_lock(&s->lock);
    for (;;) {
        uint64_t ns = (uint64_t)due.tv_nsec + s->interval_ns;
        due.tv_sec += (time_t)(ns / 1000000000u);
        due.tv_nsec = (long)(ns % 1000000000u);
        while (!s->stop && pthread_cond_timedwait(&s->cond, &s->lock, &due) != ETIMEDOUT)
            ;
        if (s->stop)
            break;
        pthread_mutex_unlock(&s->lock);
        dump_once(s, t0);
        pthread_mutex_lock(&s->lock);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

/* A mailbox per job, attached before its worker starts; without memory
 * a job's interim reports show its live counters only. */
static void attach_boxes(struct tio_status *s)
{
    size_t n = s->host->n_threads;
    s->boxes = calloc(n + 1, sizeof(*s->boxes));
    s->tickets = calloc(n + 1, sizeof(*s->tickets));
    if (!s->boxes || !s->tickets) {
        free(s->boxes);
        free(s->tickets);
        s->boxes = NULL;
        s->tickets = NULL;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        struct tio_host_job *t = &s->host->threads[i];
        if (t->result && (s->boxes[i] = tio_stats_mailbox_new()))
            tio_job_stats_attach_mailbox(&t->result->stats, s->boxes[i]);
    }
}

static void free_boxes(struct tio_status *s)
{
    for (size_t i = 0; s->boxes && i < s->host->n_threads; i++) {
        struct tio_host_job *t = &s->host->threads[i];
        if (s->boxes[i] && t->result)
            tio_job_stats_attach_mailbox(&t->result->stats, NULL);
        tio_stats_mailbox_free(s->boxes[i]);
    }
    free(s->boxes);
    free(s->tickets);
}

struct tio_status *tio_status_start(struct tio_host *host, unsigned formats,
                                    const struct timespec *wall_start,
                                    struct tio_ss_sampler *ss)
{
    const struct tio_program *prog = &host->plan->program;
    if (!prog->status_interval_ms)
        return NULL;
    struct tio_status *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->host = host;
    s->ss = ss;
    s->interval_ns = prog->status_interval_ms * 1000000u;
    s->formats = formats;
    s->wall_start = *wall_start;
    s->out = prog->output ? open_memstream(&s->kept, &s->kept_len) : stdout;
    attach_boxes(s);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    bool ok = s->out && pthread_mutex_init(&s->lock, NULL) == 0;
    if (ok && pthread_cond_init(&s->cond, &ca) != 0) {
        pthread_mutex_destroy(&s->lock);
        ok = false;
    }
    pthread_condattr_destroy(&ca);
    if (ok && pthread_create(&s->thread, NULL, timer_main, s) == 0)
        return s;
    if (ok) {
        pthread_cond_destroy(&s->cond);
        pthread_mutex_destroy(&s->lock);
    }
    fprintf(stderr,
            "tenon-io: --status-interval: cannot start its timer thread (%s); "
            "the run goes on without interim reports\n",
            strerror(errno ? errno : ENOMEM));
    if (s->out && s->out != stdout)
        fclose(s->out);
    free_boxes(s);
    free(s->kept);
    free(s);
    return NULL;
}

char *tio_status_stop(struct tio_status *s, size_t *len)
{
    *len = 0;
    if (!s)
        return NULL;
    pthread_mutex_lock(&s->lock);
    s->stop = true;
    pthread_cond_signal(&s->cond);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->thread, NULL);
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->lock);
    free_boxes(s); /* the jobs are over: no worker serves them now */
    char *kept = NULL;
    if (s->out != stdout) {
        fclose(s->out);
        kept = s->kept;
        *len = s->kept_len;
    }
    free(s);
    return kept;
}
