/* io_submit_mode=offload, as fio's rate-submit.c: the job's thread makes
 * the IOs (offset, size, data, rate schedule) and hands each to a pool of
 * iodepth submitting threads, each with an engine instance of its own at
 * depth 1, which issue it and wait for it. So the job issues IO at its own
 * pace whatever the device's completion rate: an IO's latency counts from
 * when the job made it, its time waiting for a free submitter included.
 *
 * The pool only times and does the IO; what follows a completion (the
 * statistics, verify's checks, logs, syncs) runs on the job's thread as
 * it takes completed IOs back, so the statistics stay thread-owned and
 * the report is the inline loop's, with fio's offload times: lat from the
 * IO's making, clat from its issue (before queue() on a synchronous
 * engine, after commit on a queued one), slat (queued engines) between.
 *
 * Each submitter opens the job's files again (its own file description:
 * an engine such as sync keeps its file position per description), so
 * no engine sees two threads on its state. The pool lives as long as the
 * job's thread; the job's own engine instance does its syncs. */
#include "offload.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GETEVENTS_SLICE_NS (250 * 1000 * 1000)

/* ---- A submitting thread --------------------------------------------------- */

/* A queued IO of an instance at depth 1: the only completion it can get. */
static int wait_one(struct tio_sub *s)
{
    for (;;) {
        tio_io *ev;
        int n = s->ops->getevents(s->ed, 1, 1, &ev, GETEVENTS_SLICE_NS);
        if (n > 0)
            return TIO_COMPLETED;
        if (n < 0 && n != -EINTR)
            return n;
    }
}

static void do_io(struct tio_sub *s, tio_io *io)
{
    struct tio_offload *o = s->o;
    struct tio_sub_result *r = &o->res[io->index];
    if (o->ov)
        tio_overlap_enter(o, io);
    tio_file *jf = io->file; /* the job's handle: this thread has its own */
    if (jf)
        io->file = &s->h[jf->index].file;
    r->queued = false;
    if (o->sync_engine)
        io->issue_ns = tio_now_ns();
    int rc = s->ops->queue(s->ed, io);
    if (rc == TIO_QUEUED) {
        int c = s->ops->commit ? s->ops->commit(s->ed) : 0;
        io->issue_ns = tio_now_ns();
        r->queued = c >= 0;
        rc = c < 0 ? c : wait_one(s);
    } else if (!o->sync_engine) {
        io->issue_ns = tio_now_ns();
    }
    r->done_ns = tio_now_ns();
    r->rc = rc;
    io->file = jf;
    if (o->ov)
        tio_overlap_done(o, io);
}

static void *sub_main(void *arg)
{
    struct tio_sub *s = arg;
    struct tio_offload *o = s->o;
    pthread_mutex_lock(&o->lock);
    for (;;) {
        while (!o->n_todo && !o->quit)
            pthread_cond_wait(&o->work, &o->lock);
        if (!o->n_todo)
            break;
        tio_io *io = o->todo[o->todo_head];
        o->todo_head = (o->todo_head + 1) % o->n_units;
        o->n_todo--;
        pthread_mutex_unlock(&o->lock);
        do_io(s, io);
        pthread_mutex_lock(&o->lock);
        o->finished[(o->fin_head + o->n_finished++) % o->n_units] = io;
        if (o->waiting)
            pthread_cond_signal(&o->done);
    }
    pthread_mutex_unlock(&o->lock);
    return NULL;
}

/* ---- The job's thread ------------------------------------------------------ */

static void hand(struct tio_offload *o, tio_io *io)
{
    if (o->ov)
        tio_overlap_hand(o, io);
    pthread_mutex_lock(&o->lock);
    o->todo[(o->todo_head + o->n_todo++) % o->n_units] = io;
    pthread_cond_signal(&o->work);
    pthread_mutex_unlock(&o->lock);
    o->outstanding++;
}

/* What the inline loop does as an IO completes, with the pool's times. */
static void finish(struct worker *w, tio_io *io)
{
    struct tio_offload *o = w->off;
    const struct tio_sub_result *r = &o->res[io->index];
    /* the job's clock and the pool's are read on different CPUs: never
     * let a cross-CPU skew make a time run backwards */
    if (io->issue_ns < io->start_ns)
        io->issue_ns = io->start_ns;
    uint64_t now = r->done_ns < io->issue_ns ? io->issue_ns : r->done_ns;
    o->outstanding--;
    if (unlikely(r->rc != TIO_COMPLETED)) {
        if (r->rc == TIO_DONE)
            w->stop = true; /* the engine ended the job: no error, no IO */
        else
            tio_worker_fail(w, r->rc < 0 ? -r->rc : EIO, "engine %s: queue failed: %s",
                            w->t->engine.label,
                            r->rc < 0 ? strerror(-r->rc) : "busy with nothing in flight");
        o->free_ios[o->n_free++] = io;
        return;
    }
    if (r->queued && likely(!(w->features & (TIO_WF_GTOD_REDUCE | TIO_WF_STATS_PART)))) {
        tio_stats_slat(w->js, tio_stats_dir(io->ddir), io->issue_ns - io->start_ns);
        tio_log_on_submit(w, io, io->issue_ns - io->start_ns, io->issue_ns);
    } else if (r->queued) {
        tio_stats_part_slat(w, io, io->issue_ns - io->start_ns);
    }
    /* one IO in flight per submitter, submitted and completed alone */
    w->js->depth[0]++;
    w->js->submit[1]++;
    w->js->complete[1]++;
    if (tio_loop_complete(w, io, now, true) && !w->stop) {
        hand(o, io); /* the rest of a short IO */
    } else {
        tio_sync_on_io(w, io);
        o->free_ios[o->n_free++] = io;
    }
    tio_stats_tick(w->js, now);
    tio_phase_on_complete(w, now);
    tio_rate_on_complete(w, now);
    tio_lat_on_complete(w, now);
}

/* Takes back what the pool has done; wait: at least one IO. */
static void collect(struct worker *w, bool wait)
{
    struct tio_offload *o = w->off;
    pthread_mutex_lock(&o->lock);
    if (wait) {
        o->waiting = true;
        while (!o->n_finished)
            pthread_cond_wait(&o->done, &o->lock);
        o->waiting = false;
    }
    unsigned n = o->n_finished;
    for (unsigned i = 0; i < n; i++)
        o->batch[i] = o->finished[(o->fin_head + i) % o->n_units];
    o->fin_head = (o->fin_head + n) % o->n_units;
    o->n_finished = 0;
    pthread_mutex_unlock(&o->lock);
    for (unsigned i = 0; i < n; i++)
        finish(w, o->batch[i]);
}

static void idle(struct worker *w)
{
    while (w->off->outstanding)
        collect(w, true);
}

/* rate: the job waits until its next IO is due, with its IOs still in
 * flight (fio quiesces only inline). False when the job is to end. */
static bool pace(struct worker *w)
{
    if (tio_phase_verifying(w))
        return true;
    uint64_t due = tio_rate_due_ns(w);
    return due <= tio_now_ns() || tio_rate_sleep(w, due);
}

void tio_offload_run(struct worker *w)
{
    struct tio_offload *o = w->off;
    for (;;) {
        collect(w, false);
        if (w->stop)
            break;
        if (tio_sync_due(w)) {
            idle(w);
            tio_sync_run_due(w);
            continue;
        }
        if (!o->n_free) {
            collect(w, true);
            continue;
        }
        if (unlikely(w->features & TIO_WF_RATE) && !pace(w))
            break;
        tio_io *io = o->free_ios[o->n_free - 1];
        if (!tio_loop_next_io(w, io, tio_now_ns()))
            break;
        o->n_free--;
        uint32_t ddir = io->ddir; /* the pool has io from here on */
        io->start_ns = tio_now_ns();
        hand(o, io);
        /* thinktime: fio's stall in offload mode leaves the pool busy */
        if (unlikely(w->features & TIO_WF_THINK) && ddir <= TIO_TRIM && tio_think_due(w))
            tio_think_stall(w, ddir);
    }
    idle(w);
}

/* ---- Setup and teardown ---------------------------------------------------- */

/* The submitter's own file description on the job's open file. */
static int reopen(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0)
        return -1;
    char path[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    return open(path, (fl & ~(O_CREAT | O_TRUNC | O_EXCL)) | O_CLOEXEC);
}

static int sub_files(struct worker *w, struct tio_sub *s)
{
    struct tio_host_job *t = w->t;
    s->nf = w->nf;
    s->h = calloc(w->nf ? w->nf : 1, sizeof(*s->h));
    if (!s->h) {
        tio_worker_fail(w, ENOMEM, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < w->nf; i++) {
        tio_file *f = &s->h[i].file;
        *f = w->h[i].file;
        f->engine_data = NULL;
        f->fd = -1;
        if (w->h[i].file.fd >= 0 && (f->fd = reopen(w->h[i].file.fd)) < 0) {
            tio_worker_fail(w, errno,
                            "%s: cannot open it again for io_submit_mode=offload's "
                            "submitting threads: %s",
                            f->name, strerror(errno));
            return -1;
        }
        struct tio_error why;
        int rc = t->engine.no_files
                     ? 0
                     : tio_handle_open(&s->h[i], s->ops, s->ed, t->engine.label, &why);
        if (rc < 0) {
            tio_worker_fail(w, -rc, "%s", why.text);
            return -1;
        }
        s->h[i].ops = s->ops;
    }
    return 0;
}

static int sub_engine_setup(struct worker *w, struct tio_sub *s)
{
    struct tio_host_job *t = w->t;
    if (!s->ops->setup)
        return 0;
    tio_file **files = calloc(w->nf ? w->nf : 1, sizeof(tio_file *));
    if (!files) {
        tio_worker_fail(w, ENOMEM, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < w->nf; i++)
        files[i] = &s->h[i].file;
    tio_setup st = {
        .struct_size = sizeof(st),
        .job_name = w->job->identity.name,
        .flags = w->job->queue.direct ? TIO_OPEN_DIRECT : 0,
        .files = t->engine.no_files ? NULL : files,
        .n_files = t->engine.no_files ? 0 : (uint32_t)w->nf,
        .plugin = tenon_instance_plugin(s->inst),
        .io_jobs_running = tio_io_jobs_running,
    };
    tio_units_describe(w, &st);
    st.iodepth = 1; /* as fio's offload workers */
    int rc = s->ops->setup(s->ed, &st);
    free(files);
    if (rc < 0) {
        tio_worker_fail(w, -rc, "engine %s: setup of a submitting thread failed: %s",
                        t->engine.label, strerror(-rc));
        return -1;
    }
    s->set_up = true;
    return 0;
}

static int sub_open(struct worker *w, struct tio_sub *s)
{
    struct tio_host_job *t = w->t;
    if (tenon_instance_new(t->host->engines.reg, tenon_plugin_name(t->engine.plugin),
                           TIO_ENGINE_INTERFACE, NULL, t->engine.options, &s->inst) < 0) {
        char line[2048];
        tenon_error_format(tenon_last_error(), line, sizeof(line));
        tio_worker_fail(w, EINVAL, "engine %s: %s", t->engine.label, line);
        return -1;
    }
    s->ops = tenon_instance_table(s->inst);
    s->ed = tenon_instance_data(s->inst);
    if (sub_files(w, s) < 0 || sub_engine_setup(w, s) < 0)
        return -1;
    if (pthread_create(&s->thread, NULL, sub_main, s) != 0) {
        tio_worker_fail(w, EAGAIN, "cannot start io_submit_mode=offload's submitting threads");
        return -1;
    }
    s->started = true;
    return 0;
}

static void sub_close(struct tio_sub *s)
{
    if (s->set_up && s->ops->teardown)
        s->ops->teardown(s->ed);
    for (size_t i = 0; s->h && i < s->nf; i++)
        tio_handle_close(&s->h[i]); /* the fds are this thread's own */
    free(s->h);
    if (s->inst)
        tenon_instance_free(s->inst);
}

static int alloc_state(struct worker *w, struct tio_offload *o)
{
    unsigned n = tio_units_count(w);
    pthread_mutex_init(&o->lock, NULL);
    pthread_cond_init(&o->work, NULL);
    pthread_cond_init(&o->done, NULL);
    o->n_units = n;
    o->todo = calloc(n, sizeof(tio_io *));
    o->finished = calloc(n, sizeof(tio_io *));
    o->free_ios = calloc(n, sizeof(tio_io *));
    o->batch = calloc(n, sizeof(tio_io *));
    o->res = calloc(n, sizeof(*o->res));
    o->n_subs = w->job->queue.iodepth ? w->job->queue.iodepth : 1;
    o->subs = calloc(o->n_subs, sizeof(*o->subs));
    if (!o->todo || !o->finished || !o->free_ios || !o->batch || !o->res || !o->subs)
        return -ENOMEM;
    for (unsigned i = 0; i < n; i++)
        o->free_ios[o->n_free++] = tio_units_io(w, n - 1 - i);
    o->sync_engine = (w->ops->flags & TIO_ENGINE_SYNC) != 0;
    return 0;
}

int tio_offload_setup(struct worker *w)
{
    const struct tio_job *job = w->job;
    if (!job->queue.offload) {
        if (tio_overlap_wanted(w))
            w->features |= TIO_WF_OVERLAP;
        return 0;
    }
    struct tio_offload *o = calloc(1, sizeof(*o));
    if (!o)
        return -ENOMEM;
    w->off = o;
    int rc = alloc_state(w, o);
    if (rc == 0 && tio_overlap_wanted(w) && tio_overlap_join(o, o->n_units) < 0)
        rc = -ENOMEM;
    if (rc < 0)
        return rc;
    for (unsigned i = 0; i < o->n_subs; i++) {
        o->subs[i].o = o;
        if (sub_open(w, &o->subs[i]) < 0)
            return -EIO;
    }
    w->features |= TIO_WF_OFFLOAD;
    return 0;
}

void tio_offload_teardown(struct worker *w)
{
    struct tio_offload *o = w->off;
    if (!o)
        return;
    if (o->n_units) {
        pthread_mutex_lock(&o->lock);
        o->quit = true;
        pthread_cond_broadcast(&o->work);
        pthread_mutex_unlock(&o->lock);
        for (unsigned i = 0; i < o->n_subs; i++)
            if (o->subs[i].started)
                pthread_join(o->subs[i].thread, NULL);
        for (unsigned i = 0; i < o->n_subs; i++)
            sub_close(&o->subs[i]);
        pthread_mutex_destroy(&o->lock);
        pthread_cond_destroy(&o->work);
        pthread_cond_destroy(&o->done);
    }
    tio_overlap_leave(o);
    free(o->todo);
    free(o->finished);
    free(o->free_ios);
    free(o->batch);
    free(o->res);
    free(o->subs);
    free(o);
    w->off = NULL;
    w->features &= ~(unsigned)TIO_WF_OFFLOAD;
}
