/* The coordination of an MPI run: every rank runs the same jobs, as
 * threads, in step with the others. Only the main thread calls MPI
 * (MPI_THREAD_FUNNELED); job threads never do, and nothing here is on the
 * per-IO path: a rank learns that the others stopped between IOs, from
 * the main thread polling while its jobs run, and stops its own jobs the
 * way a signal does, through tio_stop.
 *
 * A group (the jobs up to the next stonewall) starts at a barrier and ends
 * when every rank's jobs of it have ended (a nonblocking barrier the main
 * thread polls). A job that fails tells every rank at once (a STOP message)
 * and every rank stops the group's jobs, naming the rank. When rank 0's
 * jobs of a time-based group end, it says so (an END message) and every
 * rank ends that group's jobs then, as their runtime would. At the end of
 * each group the ranks agree (one allreduce) on what stopped it: a signal
 * ends the whole run on every rank; a failed job ends its group, and the
 * next group starts as usual. The messages carry the group's number, so a
 * late one never stops the next group. */
#include "coord_mpi.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ranks.h"

struct tio_mpi tio__mpi;

enum { TAG_STOP = 7101, TAG_NAMES = 7103 };

/* A STOP message: which rank stopped which group, and why; or rank 0's
 * word that its time-based group is over (end). */
struct stop_msg {
    int group;
    int rank;
    int end;
    char host[256];
    char text[1024];
};

/* The coordination's own state beside tio__mpi: the group number and the
 * STOP messages this rank sent, completed before the next group. */
static int group_seq;
static struct stop_msg sent;
static MPI_Request *sends;
static int nsends;
static bool *own_error; /* the job's error happened here, not because another rank stopped */
static bool *seen;
static size_t group_first; /* the first job of the group that runs */
static bool group_fresh;   /* no job of it started yet */

static int mpi_init(struct tio_coord *c, struct tio_coord_self *self, struct tio_error *err)
{
    struct tio_mpi *m = &tio__mpi;
    memset(m, 0, sizeof(*m));
    int inited = 0;
    MPI_Initialized(&inited);
    if (!inited) {
        int provided = 0;
        if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
            tio_error_set(err, TIO_ESYSTEM, NULL, NULL, NULL,
                          "started by an MPI launcher, but MPI could not be initialised; run "
                          "tenon-io without the launcher, or check the MPI installation");
            return -1;
        }
        m->inited = true;
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &m->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &m->size);
    if (gethostname(m->host, sizeof(m->host)) != 0)
        strcpy(m->host, "localhost");
    m->host[sizeof(m->host) - 1] = '\0';
    m->stop_rank = -1;
    self->rank = (unsigned)m->rank;
    self->nranks = (unsigned)m->size;
    memcpy(self->host, m->host, sizeof(self->host));
    c->data = m;
    sends = calloc((size_t)m->size, sizeof(*sends));
    if (!sends || tio__mpi_alive_init(m) < 0) {
        tio_error_set(err, TIO_ENOMEM, NULL, NULL, NULL, "out of memory");
        return -1;
    }
    return 0;
}

/* Completes the STOP messages this rank sent. */
static void complete_sends(void)
{
    if (nsends)
        MPI_Waitall(nsends, sends, MPI_STATUSES_IGNORE);
    nsends = 0;
}

/* Rank 0's time-based group is over: this rank's jobs of it end as their
 * runtime would have, and those that verify go on to their verify phase,
 * as after their runtime (end_now, as the steady-state sampler ends them). */
static void end_group(struct tio_mpi *m)
{
    for (size_t i = group_first; m->run && i < m->run->n_threads; i++) {
        struct tio_host_job *t = &m->run->threads[i];
        if (t->started && t->job->time.time_based)
            tio_job_end_now(t);
    }
}

/* Receives STOP messages that arrived; one for this group stops the jobs. */
static void poll_stops(struct tio_mpi *m)
{
    for (;;) {
        int flag = 0;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, TAG_STOP, MPI_COMM_WORLD, &flag, &st);
        if (!flag)
            return;
        struct stop_msg msg;
        MPI_Recv(&msg, (int)sizeof(msg), MPI_BYTE, st.MPI_SOURCE, TAG_STOP, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
        if (msg.group != group_seq || m->stop_rank >= 0)
            continue;
        if (msg.end) {
            end_group(m);
            continue;
        }
        msg.host[sizeof(msg.host) - 1] = msg.text[sizeof(msg.text) - 1] = '\0';
        m->stop_rank = msg.rank;
        snprintf(m->stop_text, sizeof(m->stop_text), "%s", msg.text);
        snprintf(m->cause, sizeof(m->cause), "rank %d on %s (%s)", msg.rank, msg.host,
                 msg.text);
        /* after the cause: a job that sees the flag reads it */
        tio_stop_raise();
    }
}

static void send_all(struct tio_mpi *m)
{
    complete_sends();
    for (int r = 0; r < m->size; r++)
        if (r != m->rank)
            MPI_Isend(&sent, (int)sizeof(sent), MPI_BYTE, r, TAG_STOP, MPI_COMM_WORLD,
                      &sends[nsends++]);
}

/* Tells every other rank to stop this group, because of text. */
static void tell_stop(struct tio_mpi *m, const char *text)
{
    m->told = true;
    if (m->stop_rank < 0) {
        m->stop_rank = m->rank;
        snprintf(m->stop_text, sizeof(m->stop_text), "%s", text);
        snprintf(m->cause, sizeof(m->cause), "rank %d on %s (%s)", m->rank, m->host, text);
    }
    tio_stop_raise();
    memset(&sent, 0, sizeof(sent));
    sent.group = group_seq;
    sent.rank = m->rank;
    snprintf(sent.host, sizeof(sent.host), "%s", m->host);
    snprintf(sent.text, sizeof(sent.text), "%s", text);
    send_all(m);
}

/* Rank 0, its jobs of the group done: a group of time-based jobs ends on
 * every rank now (end_group). */
static void tell_end(struct tio_mpi *m, struct tio_host *host, size_t upto)
{
    for (size_t i = group_first; i < upto; i++) {
        const struct tio_host_job *t = &host->threads[i];
        if (!t->job->time.time_based || t->error)
            return;
    }
    m->told = true;
    memset(&sent, 0, sizeof(sent));
    sent.group = group_seq;
    sent.rank = m->rank;
    sent.end = 1;
    send_all(m);
}

/* The end of a group on every rank: what stopped it, if anything. A signal
 * (2) ends the run; a failed job (1) ends only its group. */
static void agree(struct tio_mpi *m)
{
    struct {
        int kind;
        int rank;
    } mine = {m->signalled ? 2 : m->stop_rank == m->rank ? 1 : 0, m->rank}, all;
    MPI_Request req;
    MPI_Iallreduce(&mine, &all, 1, MPI_2INT, MPI_MAXLOC, MPI_COMM_WORLD, &req);
    tio__mpi_alive_wait(m, &req);
    complete_sends();
    group_seq++;
    if (all.kind < 2)
        m->told = false;
    if (all.kind == 0)
        return;
    struct stop_msg why = {.rank = all.rank};
    if (m->rank == all.rank) {
        snprintf(why.host, sizeof(why.host), "%s", m->host);
        snprintf(why.text, sizeof(why.text), "%s",
                 m->signalled ? tio_stop_signal_name() : m->stop_text);
    }
    MPI_Ibcast(&why, (int)sizeof(why), MPI_BYTE, all.rank, MPI_COMM_WORLD, &req);
    tio__mpi_alive_wait(m, &req);
    if (all.kind == 2) {
        m->agreed_stop = true;
        if (m->rank != all.rank)
            snprintf(m->cause, sizeof(m->cause), "rank %d on %s (%s)", why.rank, why.host,
                     why.text);
        tio_stop_raise();
        return;
    }
    /* the failed group is over everywhere: the next one starts afresh */
    m->stop_rank = -1;
    m->cause[0] = '\0';
    atomic_store(&tio_stop, false);
}

static void mpi_fini(struct tio_coord *c)
{
    (void)c;
    tio__mpi_gather_free();
    tio__mpi_alive_fini();
    complete_sends();
    free(sends);
    sends = NULL;
    if (tio__mpi.inited)
        MPI_Finalize();
    tio__mpi.inited = false;
}

static uint64_t names_hash(const struct tio_host_job *t)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (size_t k = 0; k < t->n_files; k++) {
        for (const char *p = t->names[k]; *p; p++)
            h = (h ^ (unsigned char)*p) * 1099511628211u;
        h = (h ^ 0xff) * 1099511628211u;
    }
    return h;
}

/* A file per rank: a job with rank_shift=K takes the files of rank
 * (rank + K) mod N, as a shared file's part is shifted (io/core/ranks.c),
 * and every job puts its rank in fio's verify header so that a shifted
 * verify job checks the rank whose files it reads wrote them. Every rank
 * calls it for the job (it exchanges names). */
static int own_files(struct tio_mpi *m, struct tio_host_job *t, struct tio_job *job,
                     const struct tio_allocator *a, struct tio_error *err)
{
    int shift = (int)(job->ranks.shift % (unsigned)m->size);
    int owner = (m->rank + shift) % m->size, asker = (m->rank - shift + m->size) % m->size;
    job->rank_self = (unsigned)m->rank + 1;
    job->rank_part = (unsigned)owner + 1;
    if (!shift)
        return 0;
    size_t len = 0;
    for (size_t k = 0; k < t->n_files; k++)
        len += strlen(t->names[k]) + 1;
    long mine = (long)len, theirs = 0;
    MPI_Sendrecv(&mine, 1, MPI_LONG, asker, TAG_NAMES, &theirs, 1, MPI_LONG, owner, TAG_NAMES,
                 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    char *out = malloc(len + 1), *in = malloc((size_t)theirs + 1);
    if (!out || !in) {
        tio_error_set(err, TIO_ENOMEM, NULL, NULL, NULL, "out of memory");
        MPI_Abort(MPI_COMM_WORLD, 1); /* the other rank waits for the names */
    }
    for (size_t k = 0, at = 0; k < t->n_files; k++) {
        size_t n = strlen(t->names[k]) + 1;
        memcpy(out + at, t->names[k], n);
        at += n;
    }
    MPI_Sendrecv(out, (int)len, MPI_CHAR, asker, TAG_NAMES, in, (int)theirs, MPI_CHAR, owner,
                 TAG_NAMES, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    free(out);
    in[theirs] = '\0';
    size_t n = 0;
    for (long at = 0; at < theirs; at += (long)strlen(in + at) + 1)
        n++;
    int rc = 0;
    if (n != t->n_files) {
        tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                      "job %s: rank_shift=%u takes the files of rank %d, which names %zu "
                      "files where this rank names %zu: name as many files on every rank",
                      job->identity.name, job->ranks.shift, owner, n, t->n_files);
        rc = -1;
    }
    for (size_t k = 0, at = 0; rc == 0 && k < n; k++) {
        /* the plan frees its names with its allocator */
        size_t size = strlen(in + at) + 1;
        char *old = job->files.filenames.v[k];
        char *name = a->realloc ? a->realloc(a->ctx, old, size) : realloc(old, size);
        if (!name) {
            tio_error_set(err, TIO_ENOMEM, NULL, NULL, NULL, "out of memory");
            rc = -1;
            break;
        }
        memcpy(name, in + at, size);
        at += size;
        job->files.filenames.v[k] = t->names[k] = name;
    }
    free(in);
    return rc;
}

/* The ranks that name the same files for a job share them: each takes its
 * place among them (MPI_Comm_split by the names). */
static int mpi_place(struct tio_coord *c, struct tio_host *host, struct tio_error *err)
{
    struct tio_mpi *m = c->data;
    long n = (long)host->n_threads, lo = 0, hi = 0;
    MPI_Allreduce(&n, &lo, 1, MPI_LONG, MPI_MIN, MPI_COMM_WORLD);
    MPI_Allreduce(&n, &hi, 1, MPI_LONG, MPI_MAX, MPI_COMM_WORLD);
    if (lo != hi) {
        tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                      "the ranks have from %ld to %ld jobs: every rank must run the same jobs "
                      "(the same job files; $rank and ${VAR} only in file names)",
                      lo, hi);
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < host->n_threads; i++) {
        struct tio_host_job *t = &host->threads[i];
        bool files = t->n_files && !t->engine.no_files;
        int color = files ? (int)(names_hash(t) & 0x7fffffff) : MPI_UNDEFINED;
        MPI_Comm sub;
        MPI_Comm_split(MPI_COMM_WORLD, color, m->rank, &sub);
        int idx = 0, cnt = 0, most = 0;
        if (sub != MPI_COMM_NULL) {
            MPI_Comm_rank(sub, &idx);
            MPI_Comm_size(sub, &cnt);
            MPI_Comm_free(&sub);
        }
        MPI_Allreduce(&cnt, &most, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
        if (most == 1 && m->size > 1) {
            if (own_files(m, t, &host->plan->jobs[i], &host->plan->alloc,
                          rc == 0 ? err : NULL) < 0)
                rc = -1;
            continue;
        }
        if (cnt && rc == 0 &&
            tio_ranks_share(&host->plan->jobs[i], t->names[0], (unsigned)idx, (unsigned)cnt,
                            err) < 0)
            rc = -1;
    }
    return rc;
}

static int mpi_ready(struct tio_coord *c, bool failed, const struct tio_error *mine,
                     struct tio_error *err)
{
    struct tio_mpi *m = c->data;
    int me = failed ? m->rank : m->size, first = m->size;
    MPI_Allreduce(&me, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (first == m->size)
        return 0;
    struct stop_msg why = {.rank = first};
    if (m->rank == first) {
        snprintf(why.host, sizeof(why.host), "%s", m->host);
        snprintf(why.text, sizeof(why.text), "%s", mine->text);
    }
    MPI_Bcast(&why, (int)sizeof(why), MPI_BYTE, first, MPI_COMM_WORLD);
    /* rank 0 says it once for the run */
    if (m->rank == 0)
        tio_error_set(err, mine && failed ? mine->code : TIO_EJOB, NULL, NULL, NULL,
                      "rank %d on %s: %s", why.rank, why.host, why.text);
    else
        tio_error_set(err, TIO_EJOB, NULL, NULL, NULL, "%s", "");
    return -1;
}

static int mpi_open(struct tio_coord *c, struct tio_host *host, struct tio_error *err)
{
    struct tio_mpi *m = c->data;
    size_t n = host->n_threads ? host->n_threads : 1;
    m->run = host;
    m->done = calloc(n, sizeof(*m->done));
    own_error = calloc(n, sizeof(*own_error));
    seen = calloc(n, sizeof(*seen));
    if (!m->done || !own_error || !seen) {
        tio_error_set(err, TIO_ENOMEM, NULL, NULL, NULL, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        atomic_init(&m->done[i], false);
    m->agreed_stop = false;
    m->told = false;
    m->stop_rank = -1;
    return 0;
}

static void mpi_close(struct tio_coord *c)
{
    struct tio_mpi *m = c->data;
    free(m->done);
    free(own_error);
    free(seen);
    m->done = NULL;
    m->run = NULL;
    own_error = seen = NULL;
}

static void mpi_barrier(struct tio_coord *c)
{
    agree(c->data);
    group_fresh = true;
}

static void *job_thread(void *arg)
{
    struct tio_host_job *t = arg;
    tio_worker_main(t);
    atomic_store(&tio__mpi.done[t - t->host->threads], true);
    return NULL;
}

static void mpi_start(struct tio_coord *c, struct tio_host_job *t)
{
    (void)c;
    if (group_fresh)
        group_first = (size_t)(t - t->host->threads);
    group_fresh = false;
    int rc = pthread_create(&t->tid, NULL, job_thread, t);
    if (rc != 0) {
        t->error = rc;
        snprintf(t->error_text, sizeof(t->error_text), "cannot start the job's thread: %s",
                 strerror(rc));
        return;
    }
    t->started = true;
}

/* Whether every job among the first upto has ended here; a failure seen
 * for the first time tells the other ranks. */
static bool local_done(struct tio_mpi *m, struct tio_host *host, size_t upto)
{
    bool all = true;
    for (size_t i = 0; i < upto; i++) {
        struct tio_host_job *t = &host->threads[i];
        if (t->started && !atomic_load(&m->done[i])) {
            all = false;
            continue;
        }
        if (seen[i])
            continue;
        seen[i] = true;
        if (!t->error || (m->stop_rank >= 0 && m->stop_rank != m->rank))
            continue;
        own_error[i] = true;
        if (!m->told) {
            char text[1024];
            snprintf(text, sizeof(text), "job %s: %s", t->job->identity.name, t->error_text);
            tell_stop(m, text);
        }
    }
    return all;
}

static void mpi_wait(struct tio_coord *c, struct tio_host *host, size_t upto)
{
    struct tio_mpi *m = c->data;
    MPI_Request bar = MPI_REQUEST_NULL;
    bool entered = false;
    tio__mpi_alive_start(m);
    for (;;) {
        poll_stops(m);
        tio__mpi_alive_poll(m, true);
        if (m->signalled && !m->told)
            tell_stop(m, tio_stop_signal_name());
        if (!entered && local_done(m, host, upto)) {
            if (m->rank == 0 && !m->told && m->stop_rank < 0)
                tell_end(m, host, upto);
            MPI_Ibarrier(MPI_COMM_WORLD, &bar);
            entered = true;
        }
        if (entered) {
            int flag = 0;
            MPI_Test(&bar, &flag, MPI_STATUS_IGNORE);
            if (flag)
                break;
        }
        struct timespec nap = {0, 1000000};
        nanosleep(&nap, NULL);
    }
    tio_coord_join(host, upto);
    agree(m);
}

/* From the signal handler: async-signal-safe. */
static void mpi_stop(struct tio_coord *c)
{
    (void)c;
    tio__mpi.signalled = 1;
    tio_stop_raise();
}

static bool mpi_stopping(const struct tio_coord *c)
{
    const struct tio_mpi *m = c->data;
    return m->agreed_stop;
}

static const char *mpi_stop_cause(const struct tio_coord *c)
{
    const struct tio_mpi *m = c->data;
    return m->cause[0] && (m->stop_rank >= 0 || m->agreed_stop) ? m->cause : NULL;
}

bool tio__mpi_own_error(size_t job)
{
    return own_error && own_error[job];
}

const struct tio_coord_ops tio_coord_mpi = {
    .name = "mpi",
    .init = mpi_init,
    .fini = mpi_fini,
    .place = mpi_place,
    .ready = mpi_ready,
    .open = mpi_open,
    .close = mpi_close,
    .barrier = mpi_barrier,
    .start = mpi_start,
    .wait = mpi_wait,
    .stop = mpi_stop,
    .stopping = mpi_stopping,
    .stop_cause = mpi_stop_cause,
    .gather = tio__mpi_gather,
    .parts = tio__mpi_parts,
    .report = tio__mpi_report,
};
