/* One job thread's lifecycle: make the engine instance, open the targets
 * through their handles, set up every feature, run the job's phases, tear
 * down. The rest of the thread is split by feature; worker.h maps it. */
#include "worker.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "debug.h"
#include "tio_cpu.h"
#include "tio_stats_mailbox.h"

atomic_bool tio_stop;
atomic_uint tio_halt_seq;

void tio_stop_raise(void)
{
    atomic_store(&tio_stop, true);
    atomic_fetch_add(&tio_halt_seq, 1);
}

void tio_job_end_now(struct tio_host_job *t)
{
    atomic_store(&t->end_now, true);
    atomic_fetch_add(&tio_halt_seq, 1);
}

/* The flags were set after the sequence moved (tio_stop_raise,
 * tio_job_end_now): seen here once the sequence is read. */
bool tio_halt_check(struct worker *w)
{
    w->phase.halt_seq = atomic_load_explicit(&tio_halt_seq, memory_order_acquire);
    if (atomic_load(&w->t->end_now))
        w->phase.ended = true;
    if (atomic_load(&tio_stop))
        w->phase.stopped = true;
    return w->phase.stopped;
}
atomic_uint tio_io_jobs;

int tio_io_jobs_running(void)
{
    return atomic_load(&tio_io_jobs) != 0;
}

void tio_worker_fail(struct worker *w, int err, const char *fmt, ...)
{
    struct tio_host_job *t = w->t;
    if (!t->error) {
        t->error = err ? err : EIO;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(t->error_text, sizeof(t->error_text), fmt, ap);
        va_end(ap);
    }
    w->stop = true;
}

const char *tio_dir_word(uint32_t d)
{
    switch (d) {
    case TIO_READ:
        return "read";
    case TIO_WRITE:
        return "write";
    case TIO_TRIM:
        return "trim";
    case TIO_SYNC:
        return "fsync";
    default:
        return "fdatasync";
    }
}

static int open_targets(struct worker *w)
{
    struct tio_host_job *t = w->t;
    const struct tio_job *job = w->job;
    bool no_files = t->engine.no_files;
    w->nf = tio_host_job_nf(t);
    w->h = calloc(w->nf ? w->nf : 1, sizeof(*w->h));
    if (!w->h) {
        tio_worker_fail(w, ENOMEM, "out of memory");
        return -1;
    }
    t->handles = w->h;
    bool write = job->pattern.rw != TIO_RW_READ && job->pattern.rw != TIO_RW_RANDREAD;
    for (size_t i = 0; i < w->nf; i++) {
        tio_file *f = &w->h[i].file;
        f->struct_size = sizeof(*f);
        f->index = (uint32_t)i;
        /* fio's names for an engine without files too (its debug output) */
        f->name = no_files && !t->n_files ? "(none)" : t->names[i];
        f->fd = -1;
        f->open_flags = TIO_OPEN_READ | (write ? TIO_OPEN_WRITE : 0) |
                        (job->queue.direct ? TIO_OPEN_DIRECT : 0);
        f->size = no_files ? t->regions[i].len : t->sizes[i];
        if (t->engine.names_only)
            f->size = t->regions[i].start + t->regions[i].len;
        if (!no_files && !t->engine.uri_targets && !t->engine.names_only) {
            struct tio_error lerr;
            if (tio_files_lay_out_later(t, i, &lerr) < 0) {
                tio_worker_fail(w, EIO, "%s", lerr.text);
                return -1;
            }
            f->fd = tio_files_take(t, i);
            if (f->fd < 0) {
                tio_worker_fail(w, EBADF, "%s: was not opened before the run", t->names[i]);
                return -1;
            }
        }
        struct tio_error why;
        int orc = no_files ? 0
                           : tio_handle_open(&w->h[i], w->ops, w->ed, t->engine.label, &why);
        if (orc < 0) {
            snprintf(t->error_text, sizeof(t->error_text), "%s", why.text);
            /* The job's error is the engine's own (ECONNREFUSED...). */
            t->error = -orc;
            w->stop = true;
            return -1;
        }
        if (no_files)
            w->h[i].ops = w->ops;
        /* URI targets learn their size from the engine. */
        if (t->engine.uri_targets &&
            tio_uri_region(job, f->name, f->size, w->nf, &t->regions[i], &why) < 0) {
            tio_worker_fail(w, EINVAL, "%s", why.text);
            return -1;
        }
    }
    tio_live_set_files(t->live, (uint32_t)w->nf);
    return 0;
}

/* write_*_log: the logs, and the bits that route IOs to them. */
static int setup_logs(struct worker *w)
{
    int rc;
    w->logs = tio_logs_new(w->job, w->job->index + 1, &rc);
    if (!w->logs)
        return rc;
    char why[600];
    rc = tio_logs_create(w->logs, why, sizeof(why));
    if (rc < 0) {
        tio_worker_fail(w, -rc, "%s", why);
        return rc;
    }
    w->features |= TIO_WF_LOG;
    if (!(w->features & TIO_WF_SYNC_ENGINE) && tio_logs_has_slat(w->logs))
        w->features |= TIO_WF_LOG_SLAT;
    return 0;
}

/* The job is over: its logs' last windows close and the files are
 * written (whether or not the job failed, as fio). */
static void write_logs(struct worker *w)
{
    if (!w->logs)
        return;
    char why[600];
    tio_logs_finalize(w->logs, tio_now_ns());
    int rc = tio_logs_write(w->logs, why, sizeof(why));
    if (rc < 0)
        tio_worker_fail(w, -rc, "%s", why);
}

/* Every feature's setup, in the order their state depends on each other:
 * the verify log decides TIO_WF_VERIFY before the units' buffers know
 * whether writes fill them, and the loop's queue holds the units. */
static int setup_features(struct worker *w)
{
    const struct tio_job *job = w->job;
    /* fio: a randseed given explicitly fixes the seeds even with
     * randrepeat=0; only without one does randrepeat=0 draw them anew */
    bool repeat = job->pattern.randrepeat || job->pattern.randseed_set;
    w->seed = job->pattern.randseed + (repeat ? job->clone : (uint64_t)tio_now_ns());
    tio_rand_seed(&w->rng, w->seed);
    tio_fseeds(job, w->fseeds);
    tio_frand_seed(&w->offsets, w->fseeds[TIO_FSEED_BLOCK],
                   job->pattern.random_generator == TIO_RAND_TAUSWORTHE64);
    /* fio's trace of its seeds: the per-purpose seeds, in fio's order */
    tio_debug_printf(TIO_DEBUG_RANDOM, "FIO_RAND_NR_OFFS=%d\n", TIO_FSEED_COUNT);
    for (int i = 0; i < TIO_FSEED_COUNT; i++)
        tio_debug_printf(TIO_DEBUG_RANDOM, "rand_seeds[%d]=%" PRIu64 "\n", i, w->fseeds[i]);
    /* An engine that completes each IO in queue() runs the synchronous
     * loop: no queue to keep, and one clock read less per IO (the
     * completion's time serves the next IO's runtime check). */
    if ((w->ops->flags & TIO_ENGINE_SYNC) ||
        ((w->ops->flags & TIO_ENGINE_SYNC_AT_DEPTH1) && job->queue.iodepth <= 1))
        w->features |= TIO_WF_SYNC_ENGINE;
    if (job->time.gtod_reduce)
        w->features |= TIO_WF_GTOD_REDUCE;
    tio_stats_part_setup(w);
    int rc = tio_trim_setup(w);
    if (rc == 0 && job->zones.mode == TIO_ZONE_ZBD)
        rc = tio_zbd_setup(w);
    if (rc == 0)
        rc = tio_next_setup(w);
    if (rc == 0 && job->zones.mode == TIO_ZONE_STRIDED)
        rc = tio_zones_setup(w);
    if (rc == 0)
        rc = tio_rdist_setup(w);
    if (rc == 0)
        rc = tio_bsz_setup(w);
    if (rc == 0)
        rc = tio_fservice_setup(w);
    if (rc == 0)
        rc = tio_passes_setup(w);
    if (rc == 0)
        rc = tio_noend_setup(w);
    if (rc == 0)
        rc = tio_vlog_setup(w);
    if (rc == 0)
        rc = tio_units_setup(w);
    if (rc == 0)
        rc = tio_sync_setup(w);
    if (rc == 0)
        rc = tio_loop_setup(w);
    if (rc == 0)
        rc = tio_rate_setup(w);
    if (rc == 0)
        rc = setup_logs(w);
    if (rc == 0)
        rc = tio_cmdprio_setup(w);
    if (rc == 0)
        rc = tio_think_setup(w);
    if (rc == 0)
        rc = tio_lat_setup(w);
    if (rc == 0)
        rc = tio_prio_thread_setup(w);
    if (rc == 0)
        rc = tio_replay_setup(w);
    if (rc == 0)
        rc = tio_iolog_write_setup(w);
    if (rc == 0)
        rc = tio_flow_setup(w);
    if (rc == 0)
        rc = tio_offload_setup(w);
    if (rc == 0)
        rc = tio_mixpass_setup(w); /* after the features it leaves to fio's stream */
    return rc;
}

static void teardown_features(struct worker *w)
{
    tio_mixpass_teardown(w);
    tio_offload_teardown(w);
    tio_flow_teardown(w);
    tio_iolog_write_teardown(w);
    tio_replay_teardown(w);
    tio_logs_free(w->logs);
    w->logs = NULL;
    tio_loop_teardown(w);
    tio_sync_teardown(w);
    tio_units_teardown(w);
    tio_vlog_teardown(w);
    tio_rdist_teardown(w);
    tio_fservice_teardown(w);
    tio_next_teardown(w);
    tio_zbd_teardown(w);
    tio_trim_teardown(w);
}

void *tio_worker_main(void *arg)
{
    struct tio_host_job *t = arg;
    const struct tio_job *job = t->job;
    struct worker wk = {0};
    struct worker *w = &wk;
    w->t = t;
    w->job = job;
    w->js = &t->result->stats;
    struct tio_cpu_usage cpu0 = {0}, cpu1 = {0};
    tio_cpu_usage_now(TIO_CPU_THREAD, &cpu0);

    /* first, as fio: the buffers are allocated under the job's policy */
    if (tio_placement_apply(w) < 0 || tio_mem_pin(w) < 0)
        goto out;
    tio_flow_wait_for(t);
    if (job->time.startdelay) {
        uint64_t us = job->time.startdelay;
        if (job->time.startdelay_max > job->time.startdelay) {
            struct tio_rand r;
            tio_rand_seed(&r, job->pattern.randseed + job->clone);
            us += tio_rand_below(&r, job->time.startdelay_max - job->time.startdelay + 1);
        }
        /* in slices, so that SIGINT or SIGTERM (tio_stop) ends the wait */
        uint64_t end = tio_now_ns() + us * 1000;
        for (uint64_t now = tio_now_ns();
             now < end && !atomic_load(&tio_stop) && !atomic_load(&t->end_now);
             now = tio_now_ns()) {
            struct timespec ts = {0, (long)(end - now < 100000000 ? end - now : 100000000)};
            nanosleep(&ts, NULL);
        }
    }

    char inst_name[256];
    snprintf(inst_name, sizeof(inst_name), "%s.%u.%u", job->identity.name, job->index,
             job->clone);
    tenon_registry *reg = t->host->engines.reg;
    if (tenon_instance_new(reg, tenon_plugin_name(t->engine.plugin), TIO_ENGINE_INTERFACE, NULL,
                           t->engine.options, &t->instance) < 0) {
        char line[4096];
        tenon_error_format(tenon_last_error(), line, sizeof(line));
        tio_worker_fail(w, EINVAL, "engine %s: %s", t->engine.label, line);
        goto out;
    }
    (void)inst_name;
    w->ops = tenon_instance_table(t->instance);
    w->ed = tenon_instance_data(t->instance);
    t->ops = w->ops;
    t->edata = w->ed;

    if (open_targets(w) < 0)
        goto out;
    int rc = setup_features(w);
    if (rc < 0) {
        tio_worker_fail(w, -rc, "cannot set up the job: %s", strerror(-rc));
        goto out;
    }
    if (w->ops->setup) {
        tio_file **files = calloc(w->nf, sizeof(tio_file *));
        if (!files) {
            tio_worker_fail(w, ENOMEM, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < w->nf; i++)
            files[i] = &w->h[i].file;
        tio_setup s = {
            .struct_size = sizeof(s),
            .job_name = job->identity.name,
            .flags = job->queue.direct ? TIO_OPEN_DIRECT : 0,
            .files = t->engine.no_files ? NULL : files,
            .n_files = t->engine.no_files ? 0 : (uint32_t)w->nf,
            .plugin = tenon_instance_plugin(t->instance),
            .io_jobs_running = tio_io_jobs_running,
        };
        tio_units_describe(w, &s);
        /* A reason the engine records with fail() lands in this thread's
         * last error: tell it from one that was there before. */
        tenon_error before = *tenon_last_error();
        rc = w->ops->setup(w->ed, &s);
        free(files);
        if (rc < 0) {
            const tenon_error *e = tenon_last_error();
            if (e->code && memcmp(e, &before, sizeof(before)) != 0 &&
                strcmp(e->plugin, tenon_plugin_name(t->engine.plugin)) == 0)
                tio_worker_fail(w, -rc, "engine %s: setup failed: %s", t->engine.label,
                                e->message);
            else
                tio_worker_fail(w, -rc, "engine %s: setup failed: %s", t->engine.label,
                                strerror(-rc));
            goto teardown;
        }
    }
    if (tio_iosched_switch(w) < 0 || tio_file_hints_apply(w) < 0)
        goto teardown;
    /* create_only: the files are laid out, no IO is done (fio's td->done) */
    if (!job->durability.create_only)
        tio_phase_run(w);
    if (job->latency.target)
        t->result->iodepth = w->lat.qd;
    tio_vstate_save(w);
    write_logs(w);
teardown:
    if (w->ops->teardown)
        w->ops->teardown(w->ed);
out:
    /* the last copy for --status-interval's reports: the numbers are final */
    if (w->js->mailbox)
        tio_stats_mailbox_final(w->js->mailbox, w->js, tio_now_ns(), t->error);
    tio_live_set_state(t->live, t->error ? TIO_STATE_ERROR : TIO_STATE_EXITED);
    for (size_t i = 0; w->h && i < w->nf; i++)
        tio_handle_close(&w->h[i]);
    tio_live_set_files(t->live, 0);
    teardown_features(w);
    tio_mem_unpin(w);
    free(w->h);
    t->handles = NULL;
    tio_cpu_usage_now(TIO_CPU_THREAD, &cpu1);
    tio_cpu_usage_delta(&cpu0, &cpu1, &t->result->cpu);
    if (t->instance)
        tenon_instance_free(t->instance);
    t->instance = NULL;
    if (job->durability.unlink && !t->engine.uri_targets && !t->engine.no_files)
        tio_files_unlink(t);
    tio_exitall_on_end(t);
    tio_flow_job_done(t);
    if (!t->engine.no_io)
        atomic_fetch_sub(&tio_io_jobs, 1);
    return NULL;
}
