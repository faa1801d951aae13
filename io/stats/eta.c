#include "tio_eta.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tio_units.h"

struct tio_eta {
    struct tio_live_job *jobs;
    size_t njobs;
    char *states;

    bool have_prev;
    uint64_t prev_ns;
    uint64_t prev_ios[TIO_DDIR_COUNT];
    uint64_t prev_bytes[TIO_DDIR_COUNT];

    /* Reporter thread. The mutex and condition only pace the thread and
     * stop it; the job data is read without them. */
    bool started;
    bool stop;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    FILE *out;
    unsigned interval_ms;
    size_t last_len;
};

uint64_t tio_eta_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

bool tio_job_state_running(uint32_t state)
{
    switch (state) {
    case TIO_STATE_PREREAD:
    case TIO_STATE_RAMP:
    case TIO_STATE_SEQ_READ:
    case TIO_STATE_RAND_READ:
    case TIO_STATE_SEQ_WRITE:
    case TIO_STATE_RAND_WRITE:
    case TIO_STATE_SEQ_MIXED:
    case TIO_STATE_RAND_MIXED:
    case TIO_STATE_SEQ_TRIM:
    case TIO_STATE_RAND_TRIM:
    case TIO_STATE_FSYNC:
    case TIO_STATE_VERIFY:
    case TIO_STATE_FINISHING:
        return true;
    default:
        return false;
    }
}

bool tio_job_state_done(uint32_t state)
{
    return state == TIO_STATE_EXITED || state == TIO_STATE_REAPED || state == TIO_STATE_ERROR ||
           state == TIO_STATE_SIGNALED;
}

struct tio_eta *tio_eta_new(size_t njobs)
{
    struct tio_eta *eta = calloc(1, sizeof(*eta));
    if (!eta)
        return NULL;
    eta->njobs = njobs;
    /* Each job's block on its own cache lines: workers never share a line. */
    size_t bytes = (njobs ? njobs : 1) * sizeof(struct tio_live_job);
    eta->jobs = aligned_alloc(TIO_LIVE_ALIGN, bytes);
    eta->states = malloc(njobs + 1);
    if (!eta->jobs || !eta->states) {
        free(eta->jobs);
        free(eta->states);
        free(eta);
        return NULL;
    }
    for (size_t i = 0; i < njobs; i++) {
        struct tio_live_job *j = &eta->jobs[i];
        for (int d = 0; d < TIO_DDIR_COUNT; d++) {
            atomic_init(&j->ios[d], 0);
            atomic_init(&j->bytes[d], 0);
        }
        atomic_init(&j->start_ns, 0);
        atomic_init(&j->state, TIO_STATE_SETUP);
        atomic_init(&j->files_open, 0);
        j->plan_bytes = 0;
        j->plan_runtime_ns = 0;
        j->time_based = false;
    }
    eta->states[0] = '\0';
    return eta;
}

void tio_eta_free(struct tio_eta *eta)
{
    if (!eta)
        return;
    if (eta->started)
        tio_eta_stop(eta);
    free(eta->jobs);
    free(eta->states);
    free(eta);
}

struct tio_live_job *tio_eta_job(struct tio_eta *eta, size_t i)
{
    return i < eta->njobs ? &eta->jobs[i] : NULL;
}

size_t tio_eta_job_count(const struct tio_eta *eta)
{
    return eta->njobs;
}

static uint64_t load(_Atomic uint64_t *p)
{
    return atomic_load_explicit(p, memory_order_relaxed);
}

/* Share of job j done, and the time it still needs if that can be told.
 * A job stops at whichever limit it reaches first: its bytes, or its
 * runtime; a time_based job only at its runtime. */
static double job_progress(const struct tio_live_job *j, uint32_t state, uint64_t start,
                           uint64_t bytes, uint64_t now, bool *known, uint64_t *left_ns)
{
    *known = false;
    *left_ns = 0;
    if (tio_job_state_done(state)) {
        *known = true;
        return 1.0;
    }
    if (!start || now < start) {
        if (j->plan_runtime_ns) {
            *known = true;
            *left_ns = j->plan_runtime_ns;
        }
        return 0.0;
    }
    uint64_t elapsed = now - start;
    double f_time = 0.0, f_bytes = 0.0;
    uint64_t left_time = UINT64_MAX, left_bytes = UINT64_MAX;
    if (j->plan_runtime_ns) {
        f_time = (double)elapsed / (double)j->plan_runtime_ns;
        left_time = elapsed < j->plan_runtime_ns ? j->plan_runtime_ns - elapsed : 0;
    }
    if (!j->time_based && j->plan_bytes) {
        f_bytes = (double)bytes / (double)j->plan_bytes;
        if (f_bytes > 0.0) {
            double rest = (double)elapsed * (1.0 - (f_bytes < 1.0 ? f_bytes : 1.0)) / f_bytes;
            left_bytes = (uint64_t)rest;
        }
    }
    double f = j->time_based ? f_time : (f_bytes > f_time ? f_bytes : f_time);
    uint64_t left = j->time_based ? left_time
                                  : (left_bytes < left_time ? left_bytes : left_time);
    if (left != UINT64_MAX) {
        *known = true;
        *left_ns = left;
    }
    return f > 1.0 ? 1.0 : f;
}

void tio_eta_snapshot(struct tio_eta *eta, uint64_t now_ns, struct tio_eta_snapshot *out)
{
    memset(out, 0, sizeof(*out));
    out->now_ns = now_ns;
    out->njobs = eta->njobs;
    out->states = eta->states;

    uint64_t ios[TIO_DDIR_COUNT] = {0}, bytes[TIO_DDIR_COUNT] = {0};
    double progress = 0.0;
    uint64_t eta_ns = 0;
    for (size_t i = 0; i < eta->njobs; i++) {
        struct tio_live_job *j = &eta->jobs[i];
        uint32_t state = atomic_load_explicit(&j->state, memory_order_relaxed);
        uint64_t start = load(&j->start_ns);
        uint64_t job_bytes = 0;
        for (int d = 0; d < TIO_DDIR_COUNT; d++) {
            uint64_t b = load(&j->bytes[d]);
            ios[d] += load(&j->ios[d]);
            bytes[d] += b;
            job_bytes += b;
        }
        eta->states[i] = (char)(state ? state : '?');
        if (tio_job_state_running(state)) {
            out->running++;
            out->files += atomic_load_explicit(&j->files_open, memory_order_relaxed);
        }
        bool known;
        uint64_t left;
        progress += job_progress(j, state, start, job_bytes, now_ns, &known, &left);
        if (known) {
            out->eta_known = true;
            if (left > eta_ns)
                eta_ns = left;
        }
    }
    eta->states[eta->njobs] = '\0';
    out->percent = eta->njobs ? progress * 100.0 / (double)eta->njobs : 0.0;
    out->eta_s = (eta_ns + 999999999u) / 1000000000u;

    for (int d = 0; d < TIO_DDIR_COUNT; d++)
        out->dir_used[d] = bytes[d] != 0 || ios[d] != 0;
    if (eta->have_prev && now_ns > eta->prev_ns) {
        double dt = (double)(now_ns - eta->prev_ns) / 1e9;
        out->have_rates = true;
        for (int d = 0; d < TIO_DDIR_COUNT; d++) {
            /* A reset (ramp end) makes totals go back: show 0, not 2^64. */
            uint64_t db = bytes[d] >= eta->prev_bytes[d] ? bytes[d] - eta->prev_bytes[d] : 0;
            uint64_t di = ios[d] >= eta->prev_ios[d] ? ios[d] - eta->prev_ios[d] : 0;
            out->bw[d] = (uint64_t)((double)db / dt);
            out->iops[d] = (uint64_t)((double)di / dt);
        }
    }
    eta->have_prev = true;
    eta->prev_ns = now_ns;
    memcpy(eta->prev_ios, ios, sizeof(ios));
    memcpy(eta->prev_bytes, bytes, sizeof(bytes));
}

/* Appends to a fixed buffer, tracking the length the full text needs. */
struct line {
    char *buf;
    size_t size;
    size_t len;
};

static void add(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct line *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t room = l->len < l->size ? l->size - l->len : 0;
    int n = vsnprintf(room ? l->buf + l->len : NULL, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        l->len += (size_t)n;
}

static const char dir_letter[TIO_DDIR_COUNT] = {'r', 'w', 't'};

int tio_eta_format(const struct tio_eta_snapshot *s, char *buf, size_t size)
{
    struct line l = {.buf = buf, .size = size, .len = 0};
    if (size)
        buf[0] = '\0';
    add(&l, "Jobs: %u (f=%u)", s->running, s->files);
    if (!s->have_rates || s->njobs == 0)
        return (int)l.len;

    /* States run-length encoded in job order: [R(10),W(10)]. */
    add(&l, ": [");
    for (size_t i = 0; i < s->njobs;) {
        size_t k = i;
        while (k < s->njobs && s->states[k] == s->states[i])
            k++;
        add(&l, "%s%c(%zu)", i ? "," : "", s->states[i], k - i);
        i = k;
    }
    add(&l, "][%.1f%%]", s->percent);

    bool any = false;
    for (int d = 0; d < TIO_DDIR_COUNT; d++)
        any |= s->dir_used[d];
    if (any) {
        bool first = true;
        add(&l, "[");
        for (int d = 0; d < TIO_DDIR_COUNT; d++) {
            if (!s->dir_used[d])
                continue;
            char bw[TIO_NUM_STR_MAX];
            tio_fmt_num_from(bw, sizeof(bw), s->bw[d] / 1024, 4, 1024, 1, "B/s");
            add(&l, "%s%c=%s", first ? "" : ",", dir_letter[d], bw);
            first = false;
        }
        add(&l, "][");
        first = true;
        for (int d = 0; d < TIO_DDIR_COUNT; d++) {
            if (!s->dir_used[d])
                continue;
            char iops[TIO_NUM_STR_MAX];
            tio_fmt_iops(iops, sizeof(iops), s->iops[d]);
            add(&l, "%s%c=%s", first ? "" : ",", dir_letter[d], iops);
            first = false;
        }
        add(&l, " IOPS]");
    }
    if (s->eta_known) {
        char t[TIO_NUM_STR_MAX];
        add(&l, "[eta %s]", tio_fmt_eta(t, sizeof(t), s->eta_s));
    }
    return (int)l.len;
}

static void draw(struct tio_eta *eta)
{
    struct tio_eta_snapshot s;
    char line[1024];
    tio_eta_snapshot(eta, tio_eta_now_ns(), &s);
    int n = tio_eta_format(&s, line, sizeof(line));
    size_t len = n < 0 ? 0 : ((size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
    /* Spaces over what is left of a longer previous line, then "\r" so the
     * next draw (or the report) starts at the beginning of the line. */
    int pad = eta->last_len > len ? (int)(eta->last_len - len) : 0;
    fprintf(eta->out, "%s%*s\r", line, pad, "");
    fflush(eta->out);
    eta->last_len = len;
}

static void *reporter(void *arg)
{
    struct tio_eta *eta = arg;
    pthread_mutex_lock(&eta->lock);
    while (!eta->stop) {
        struct timespec deadline;
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        uint64_t ns = (uint64_t)deadline.tv_nsec + (uint64_t)eta->interval_ms * 1000000u;
        deadline.tv_sec += (time_t)(ns / 1000000000u);
        deadline.tv_nsec = (long)(ns % 1000000000u);
        while (!eta->stop) {
            int rc = pthread_cond_timedwait(&eta->cond, &eta->lock, &deadline);
            if (rc == ETIMEDOUT)
                break;
        }
        if (eta->stop)
            break;
        pthread_mutex_unlock(&eta->lock);
        draw(eta);
        pthread_mutex_lock(&eta->lock);
    }
    pthread_mutex_unlock(&eta->lock);
    return NULL;
}

int tio_eta_start(struct tio_eta *eta, FILE *out, unsigned interval_ms)
{
    if (eta->started || !out)
        return -EINVAL;
    eta->out = out;
    eta->interval_ms = interval_ms ? interval_ms : 1000;
    eta->stop = false;
    eta->last_len = 0;
    int rc = pthread_mutex_init(&eta->lock, NULL);
    if (rc)
        return -rc;
    pthread_condattr_t attr;
    rc = pthread_condattr_init(&attr);
    if (!rc) {
        /* Monotonic, so a clock change does not stall or rush the line. */
        rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
        if (!rc)
            rc = pthread_cond_init(&eta->cond, &attr);
        pthread_condattr_destroy(&attr);
    }
    if (rc) {
        pthread_mutex_destroy(&eta->lock);
        return -rc;
    }
    /* The first snapshot only sets the baseline for rates. */
    struct tio_eta_snapshot s;
    tio_eta_snapshot(eta, tio_eta_now_ns(), &s);
    rc = pthread_create(&eta->thread, NULL, reporter, eta);
    if (rc) {
        pthread_cond_destroy(&eta->cond);
        pthread_mutex_destroy(&eta->lock);
        return -rc;
    }
    eta->started = true;
    return 0;
}

void tio_eta_stop(struct tio_eta *eta)
{
    if (!eta->started)
        return;
    pthread_mutex_lock(&eta->lock);
    eta->stop = true;
    pthread_cond_signal(&eta->cond);
    pthread_mutex_unlock(&eta->lock);
    pthread_join(eta->thread, NULL);
    pthread_cond_destroy(&eta->cond);
    pthread_mutex_destroy(&eta->lock);
    eta->started = false;
    draw(eta);
    fputc('\n', eta->out);
    fflush(eta->out);
}
