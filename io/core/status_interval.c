/* --status-interval=TIME: fio's periodic status dump. Every TIME, a timer
 * thread writes a report of every job so far, in the run's output formats,
 * cumulative from the jobs' start (fio's show_running_run_stats). It reads
 * only what the jobs already publish for the status line (tio_live.h: IOs
 * and bytes per direction, the start time and state, relaxed atomics), so
 * the IO path does nothing more for it. Latencies are not published live:
 * the interim reports carry IOs, bytes, bandwidth, IOPS and runtimes, and
 * the final report the whole of it. Reports go to standard output as they
 * come; with --output they are kept and written ahead of the final report
 * in its file (the file is written whole at the end). */
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
};

/* One job as its live counters show it now. */
static struct tio_job_result *snapshot(const struct tio_host_job *t, uint64_t now)
{
    const struct tio_job *job = t->job;
    struct tio_job_result *r = tio_job_result_new(job->identity.name, job->group, 0, 0);
    if (!r)
        return NULL;
    r->group_reporting = job->reporting.group_reporting;
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
    r->end_time = time(NULL);
    return r;
}

static void dump_once(struct tio_status *s, uint64_t t0)
{
    struct tio_report *rep = tio_report_new(TENON_VERSION_STRING);
    if (!rep)
        return;
    tio_report_set_time(rep, &s->wall_start);
    uint64_t now = tio_now_ns();
    for (size_t i = 0; i < s->host->n_threads; i++) {
        struct tio_job_result *r = snapshot(&s->host->threads[i], now);
        if (!r)
            break;
        r->elapsed_s = (now - t0) / 1000000000u;
        if (tio_report_add_job(rep, r) != 0)
            tio_job_result_free(r);
    }
    (void)tio_report_write(rep, s->out, s->formats);
    fflush(s->out);
    tio_report_free(rep);
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

struct tio_status *tio_status_start(struct tio_host *host, unsigned formats,
                                    const struct timespec *wall_start)
{
    const struct tio_program *prog = &host->plan->program;
    if (!prog->status_interval_ms)
        return NULL;
    struct tio_status *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->host = host;
    s->interval_ns = prog->status_interval_ms * 1000000u;
    s->formats = formats;
    s->wall_start = *wall_start;
    s->out = prog->output ? open_memstream(&s->kept, &s->kept_len) : stdout;
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
    char *kept = NULL;
    if (s->out != stdout) {
        fclose(s->out);
        kept = s->kept;
        *len = s->kept_len;
    }
    free(s);
    return kept;
}
