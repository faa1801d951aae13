/* Conformance test of one tenon-io engine: `conformance ENGINE`.
 *
 * The engine is loaded from its shared object through a registry and driven
 * through the tenon-io.engine interface exactly as the tenon-io host drives
 * it: open_file, setup, queue/commit/getevents loops that respect TIO_BUSY
 * and iodepth and reissue the rest of a short IO, teardown, close_file.
 * Everything the engine returns is checked against the contract in
 * <tenon-io/engine.h>; every byte it reads or writes is checked against a
 * pattern that depends on the file offset only.
 *
 * Output is TAP: one line per group of checks, with the reason of the first
 * failed check as a diagnostic. Groups that cannot run here (O_DIRECT on a
 * filesystem that refuses it, a kernel without a feature) are skipped with
 * a message saying why. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <dirent.h>

#include <tenon/tenon.h>
#include <tenon-io/engine.h>

#ifndef ENGINE_DIR
#error "ENGINE_DIR must name the folder holding the engines' shared objects"
#endif
#ifndef TEST_BUILD_DIR
#define TEST_BUILD_DIR "/tmp"
#endif

#define KiB ((uint64_t)1024)
#define MiB (1024 * KiB)
#define WAIT_NS (10ll * 1000000000ll) /* longest wait for a completion */

/* ---- TAP ------------------------------------------------------------------ */

static unsigned tap_count, tap_failures;

static void TENON_PRINTF(1, 2) diag(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    printf("# %s\n", msg);
    fflush(stdout);
}

static void TENON_PRINTF(2, 3) report(bool ok, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    printf("%sok %u - %s\n", ok ? "" : "not ", ++tap_count, msg);
    fflush(stdout);
    if (!ok)
        tap_failures++;
}

static void TENON_PRINTF(2, 3) report_skip(const char *why, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    printf("ok %u - %s # SKIP %s\n", ++tap_count, msg, why);
    fflush(stdout);
}

/* Inside a bool function: on failure, say where and why and return false. */
#define EXPECT(cond, ...)                                                   \
    do {                                                                    \
        if (!(cond)) {                                                      \
            char expect_msg_[512];                                          \
            snprintf(expect_msg_, sizeof(expect_msg_), __VA_ARGS__);        \
            diag("line %d: %s (failed: %s)", __LINE__, expect_msg_, #cond); \
            return false;                                                   \
        }                                                                   \
    } while (0)

static const char *ddir_name(uint32_t ddir)
{
    static const char *const names[] = {"read", "write", "trim", "sync", "datasync"};
    return ddir < 5 ? names[ddir] : "?";
}

static const char *err_text(int64_t result)
{
    return result < 0 ? strerror((int)-result) : "ok";
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* An engine instance under test: the table and the private data every
 * call gets. */
typedef struct engine {
    tenon_instance *inst;
    const tio_engine *t;
    void *data;
} engine;

/* ---- The IO path must not allocate or log ---------------------------------- */

/* Counted while the engine runs a queue/commit/getevents call. The test
 * replaces the C library's malloc family (glibc allows it), which the
 * engines' shared objects bind to as well; sanitizer builds keep theirs. */
static bool in_io_path;
static unsigned long io_path_allocs, io_path_logs;

#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) || \
    __has_feature(thread_sanitizer)
#define TEST_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TEST_SANITIZED 1
#endif

#ifndef TEST_SANITIZED
/* The project builds with hidden visibility; these must be seen by the
 * C library and the engines. */
#define TEST_EXPORT __attribute__((visibility("default")))
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void __libc_free(void *p);

TEST_EXPORT void *malloc(size_t size)
{
    io_path_allocs += in_io_path;
    return __libc_malloc(size);
}

TEST_EXPORT void *calloc(size_t n, size_t size)
{
    io_path_allocs += in_io_path;
    return __libc_calloc(n, size);
}

TEST_EXPORT void *realloc(void *p, size_t size)
{
    io_path_allocs += in_io_path;
    return __libc_realloc(p, size);
}

TEST_EXPORT void free(void *p)
{
    io_path_allocs += in_io_path && p;
    __libc_free(p);
}
#define ALLOCS_COUNTED true
#else
#define ALLOCS_COUNTED false
#endif

static int io_queue(const engine *r, tio_io *io)
{
    in_io_path = true;
    int rc = r->t->queue(r->data, io);
    in_io_path = false;
    return rc;
}

static int io_commit(const engine *r)
{
    in_io_path = true;
    int rc = r->t->commit(r->data);
    in_io_path = false;
    return rc;
}

static int io_getevents(const engine *r, unsigned min, unsigned max, tio_io **events,
                        int64_t timeout_ns)
{
    in_io_path = true;
    int n = r->t->getevents(r->data, min, max, events, timeout_ns);
    in_io_path = false;
    return n;
}

/* ---- The data pattern ------------------------------------------------------ */

/* Each 8-byte word is a function of its file offset and a seed only, so
 * data written with one block size is checked with any other. */
static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static void pattern_fill(uint8_t *buf, uint64_t off, uint64_t len, uint64_t seed)
{
    for (uint64_t i = 0; i < len; i += 8) {
        uint64_t w = mix(seed ^ (off + i));
        memcpy(buf + i, &w, len - i < 8 ? len - i : 8);
    }
}

/* Returns the index of the first byte that differs, or -1. */
static int64_t pattern_diff(const uint8_t *buf, uint64_t off, uint64_t len, uint64_t seed)
{
    for (uint64_t i = 0; i < len; i += 8) {
        uint64_t w = mix(seed ^ (off + i));
        size_t n = len - i < 8 ? (size_t)(len - i) : 8;
        if (memcmp(buf + i, &w, n) != 0) {
            for (size_t j = 0; j < n; j++)
                if (buf[i + j] != ((const uint8_t *)&w)[j])
                    return (int64_t)(i + j);
        }
    }
    return -1;
}

/* ---- The engine under test ---------------------------------------------- */

static tenon_registry *reg;
static const char *engine_name;

static void log_to_tap(void *userdata, tenon_log_level level, const char *plugin,
                       const char *message)
{
    (void)userdata;
    io_path_logs += in_io_path;
    if (level <= TENON_LOG_WARN || in_io_path)
        diag("[%s] %s", plugin ? plugin : "tenon", message);
}

/* Makes an instance of the engine with options "key=value" (a NULL-ended
 * list). Returns 0 or the tenon error of tenon_instance_new. */
static int engine_new(const char *const *opts, engine *e)
{
    *e = (engine){0};
    tenon_options *o;
    int rc = tenon_options_new(&o);
    if (rc)
        return rc;
    for (size_t i = 0; opts && opts[i]; i++) {
        const char *eq = strchr(opts[i], '=');
        char key[64];
        snprintf(key, sizeof(key), "%.*s", (int)(eq - opts[i]), opts[i]);
        if ((rc = tenon_options_set(o, key, eq + 1, opts[i])) != 0) {
            tenon_options_free(o);
            return rc;
        }
    }
    rc = tenon_instance_new(reg, engine_name, TIO_ENGINE_INTERFACE, NULL, o, &e->inst);
    tenon_options_free(o);
    if (rc)
        return rc;
    e->t = tenon_instance_table(e->inst);
    e->data = tenon_instance_data(e->inst);
    return 0;
}

static void engine_free(engine *e)
{
    tenon_instance_free(e->inst);
    *e = (engine){0};
}

static void print_last_error(void)
{
    char buf[2048];
    tenon_error_format(tenon_last_error(), buf, sizeof(buf));
    diag("%s", buf);
}

/* ---- The host side: files, units, the queue/commit/getevents loop ------- */

typedef struct op {
    uint32_t ddir;
    uint64_t offset, len;
    uint32_t file; /* index in the harness's files */
} op;

/* Each file of a harness holds its own pattern. */
static uint64_t file_seed(uint64_t seed, uint32_t file)
{
    return seed + file * 0x9e3779b9ull;
}

enum { UNIT_FREE, UNIT_INFLIGHT, UNIT_RETRY };

#define MAX_FILES 2

typedef struct harness {
    engine *e;
    bool has_file, set_up;
    uint32_t n_files, n_open;
    tio_file file[MAX_FILES];
    tio_file *files[MAX_FILES];
    tio_setup setup;
    uint32_t depth;
    size_t bs;
    tio_io *ios;
    uint8_t *buffers;
    uint8_t *io_data;
    tio_io **events;
    /* Per unit: state, the op it carries and how much of it is done. */
    uint8_t *state;
    const op **unit_op;
    uint64_t *done;
    uint32_t *free_units, n_free;
    uint32_t *retry_units, n_retry;
    uint64_t seed;
    /* What the engine did. */
    uint64_t n_completed_at_once, n_queued, n_busy, n_short, n_events;
} harness;

static bool engine_is_sync(const engine *e)
{
    return e->t->flags & TIO_ENGINE_SYNC;
}

/* Whether queue() must complete every IO itself at this iodepth. */
static bool engine_sync_at(const engine *e, uint32_t depth)
{
    return engine_is_sync(e) || ((e->t->flags & TIO_ENGINE_SYNC_AT_DEPTH1) && depth <= 1);
}

/* Opens the harness on n_files files (none for NO_FILES engines), iodepth
 * depth, units of bs bytes, calling open_file for each and setup. */
static bool harness_start_files(harness *h, engine *e, uint32_t n_files, const int *fds,
                                const char *const *paths, uint64_t size, uint32_t open_flags,
                                uint32_t depth, size_t bs)
{
    *h = (harness){.e = e, .depth = depth, .bs = bs, .n_files = n_files};
    h->has_file = n_files > 0;
    for (uint32_t i = 0; i < n_files; i++) {
        h->file[i] = (tio_file){.struct_size = sizeof(tio_file),
                                .index = i,
                                .name = paths[i],
                                .fd = fds[i],
                                .open_flags = open_flags,
                                .size = size};
        h->files[i] = &h->file[i];
        if (e->t->open_file) {
            int rc = e->t->open_file(e->data, &h->file[i]);
            EXPECT(rc == 0, "open_file(%s): %d (%s)", paths[i], rc, err_text(rc));
        }
        h->n_open++;
    }
    EXPECT(posix_memalign((void **)&h->buffers, 4096, depth * bs) == 0, "out of memory");
    memset(h->buffers, 0, depth * bs);
    h->ios = calloc(depth, sizeof(*h->ios));
    h->events = calloc(depth, sizeof(*h->events));
    h->state = calloc(depth, 1);
    h->unit_op = calloc(depth, sizeof(*h->unit_op));
    h->done = calloc(depth, sizeof(*h->done));
    h->free_units = calloc(depth, sizeof(*h->free_units));
    h->retry_units = calloc(depth, sizeof(*h->retry_units));
    EXPECT(h->ios && h->events && h->state && h->unit_op && h->done && h->free_units &&
               h->retry_units,
           "out of memory");
    size_t stride = 0;
    if (e->t->io_data_size) {
        stride = (e->t->io_data_size + 63) & ~(size_t)63;
        EXPECT(posix_memalign((void **)&h->io_data, 64, depth * stride) == 0, "out of memory");
        memset(h->io_data, 0, depth * stride);
    }
    for (uint32_t i = 0; i < depth; i++) {
        h->ios[i].index = i;
        h->ios[i].engine_data = stride ? h->io_data + i * stride : NULL;
        h->free_units[h->n_free++] = depth - 1 - i;
    }
    h->setup = (tio_setup){
        .struct_size = sizeof(tio_setup),
        .iodepth = depth,
        .job_name = "conformance",
        .ios = h->ios,
        .n_ios = depth,
        .flags = open_flags & TIO_OPEN_DIRECT,
        .buffers = h->buffers,
        .buffers_len = depth * bs,
        .buffer_size = bs,
        .files = h->has_file ? h->files : NULL,
        .n_files = n_files,
    };
    if (e->t->setup) {
        int rc = e->t->setup(e->data, &h->setup);
        EXPECT(rc == 0, "setup(iodepth %u, bs %zu): %d (%s)", depth, bs, rc, err_text(rc));
    }
    h->set_up = true;
    return true;
}

/* The same on one file, fd (or none when fd < -1). */
static bool harness_start(harness *h, engine *e, int fd, const char *path, uint64_t size,
                          uint32_t open_flags, uint32_t depth, size_t bs)
{
    return harness_start_files(h, e, fd >= -1 ? 1 : 0, &fd, &path, size, open_flags, depth, bs);
}

/* Tears down and closes; safe after a failed start. */
static bool harness_stop(harness *h)
{
    bool ok = true;
    if (h->set_up && h->e->t->teardown)
        h->e->t->teardown(h->e->data);
    for (uint32_t i = 0; h->e && h->e->t->close_file && i < h->n_open; i++) {
        int rc = h->e->t->close_file(h->e->data, &h->file[i]);
        if (rc != 0) {
            diag("close_file(%s): %d (%s)", h->file[i].name, rc, err_text(rc));
            ok = false;
        }
    }
    free(h->buffers);
    free(h->io_data);
    free(h->ios);
    free(h->events);
    free(h->state);
    free(h->unit_op);
    free(h->done);
    free(h->free_units);
    free(h->retry_units);
    *h = (harness){0};
    return ok;
}

static uint8_t *unit_buf(harness *h, uint32_t u)
{
    return h->buffers + (size_t)u * h->bs;
}

/* Points unit u's IO at the part of its op not done yet. */
static void unit_prepare(harness *h, uint32_t u)
{
    const op *o = h->unit_op[u];
    tio_io *io = &h->ios[u];
    io->offset = o->offset + h->done[u];
    io->len = o->len - h->done[u];
    io->buf = unit_buf(h, u) + h->done[u];
    io->file = h->has_file ? &h->file[o->file] : NULL;
    io->ddir = o->ddir;
    io->result = INT64_MIN; /* "not set": engines must set it */
}

/* An IO of unit u came back: check it, finish its op or schedule the rest. */
static bool complete_unit(harness *h, uint32_t u, bool verify)
{
    const op *o = h->unit_op[u];
    tio_io *io = &h->ios[u];
    int64_t r = io->result;
    EXPECT(r != INT64_MIN, "%s at %" PRIu64 ": the engine did not set result",
           ddir_name(o->ddir), io->offset);
    switch (o->ddir) {
    case TIO_SYNC:
    case TIO_DATASYNC:
        EXPECT(r == 0, "%s: result %" PRId64 " (%s)", ddir_name(o->ddir), r, err_text(r));
        break;
    case TIO_TRIM:
        EXPECT(r == (int64_t)o->len || r == -EOPNOTSUPP,
               "trim of %" PRIu64 " at %" PRIu64 ": result %" PRId64 " (%s)", o->len, o->offset,
               r, err_text(r));
        break;
    default:
        EXPECT(r > 0, "%s of %" PRIu64 " at %" PRIu64 ": result %" PRId64 " (%s)",
               ddir_name(o->ddir), io->len, io->offset, r, err_text(r));
        EXPECT((uint64_t)r <= io->len,
               "%s of %" PRIu64 " at %" PRIu64 ": result %" PRId64 " is more than asked for",
               ddir_name(o->ddir), io->len, io->offset, r);
        h->done[u] += (uint64_t)r;
        if (h->done[u] < o->len) {
            h->n_short++;
            h->state[u] = UNIT_RETRY;
            h->retry_units[h->n_retry++] = u;
            return true;
        }
        if (o->ddir == TIO_READ && verify) {
            int64_t at = pattern_diff(unit_buf(h, u), o->offset, o->len,
                                      file_seed(h->seed, o->file));
            EXPECT(at < 0,
                   "read of %" PRIu64 " at %" PRIu64 " of file %u: data differs at "
                   "offset %" PRIu64,
                   o->len, o->offset, o->file, o->offset + (uint64_t)at);
        }
    }
    h->state[u] = UNIT_FREE;
    h->free_units[h->n_free++] = u;
    return true;
}

/* Runs ops through the engine as tenon-io does, at most iodepth in flight.
 * Writes carry the pattern; reads are checked against it when verify. */
static bool run_ops(harness *h, const op *ops, size_t n_ops, bool verify)
{
    const tio_engine *t = h->e->t;
    size_t next = 0;
    uint32_t inflight = 0, uncommitted = 0;

    while (next < n_ops || inflight || h->n_retry) {
        bool busy = false;
        while (!busy && (h->n_retry || (next < n_ops && h->n_free))) {
            uint32_t u;
            bool is_retry = h->n_retry > 0;
            if (is_retry) {
                u = h->retry_units[--h->n_retry];
            } else {
                u = h->free_units[--h->n_free];
                h->unit_op[u] = &ops[next++];
                h->done[u] = 0;
                if (h->unit_op[u]->ddir == TIO_WRITE)
                    pattern_fill(unit_buf(h, u), h->unit_op[u]->offset, h->unit_op[u]->len,
                                 file_seed(h->seed, h->unit_op[u]->file));
            }
            unit_prepare(h, u);
            int rc = io_queue(h->e, &h->ios[u]);
            switch (rc) {
            case TIO_COMPLETED:
                h->n_completed_at_once++;
                if (!complete_unit(h, u, verify))
                    return false;
                break;
            case TIO_QUEUED:
                EXPECT(!engine_sync_at(h->e, h->depth),
                       "a TIO_ENGINE_SYNC engine (or _SYNC_AT_DEPTH1 at iodepth 1) "
                       "returned TIO_QUEUED");
                h->n_queued++;
                h->state[u] = UNIT_INFLIGHT;
                inflight++;
                uncommitted++;
                EXPECT(inflight <= h->depth, "more than iodepth in flight");
                break;
            case TIO_BUSY:
                EXPECT(!engine_sync_at(h->e, h->depth),
                       "a TIO_ENGINE_SYNC engine (or _SYNC_AT_DEPTH1 at iodepth 1) "
                       "returned TIO_BUSY");
                EXPECT(inflight > 0 || uncommitted > 0,
                       "queue() returned TIO_BUSY with nothing in flight: the host would "
                       "wait forever");
                h->n_busy++;
                busy = true;
                if (is_retry) {
                    h->retry_units[h->n_retry++] = u;
                } else {
                    next--;
                    h->free_units[h->n_free++] = u;
                }
                break;
            default:
                EXPECT(false, "queue(%s at %" PRIu64 ") returned %d (%s)",
                       ddir_name(h->ios[u].ddir), h->ios[u].offset, rc, err_text(rc));
            }
        }
        if (uncommitted && t->commit) {
            int rc = io_commit(h->e);
            EXPECT(rc == 0, "commit: %d (%s)", rc, err_text(rc));
        }
        uncommitted = 0;
        if (!inflight)
            continue;
        /* Wait for one when nothing else can be queued; otherwise only
         * poll, as a host that keeps its queue full does. */
        bool stuck = busy || (!h->n_retry && (next == n_ops || !h->n_free));
        unsigned min = stuck ? 1 : 0;
        uint64_t t0 = now_ns();
        int n = io_getevents(h->e, min, h->depth, h->events, stuck ? WAIT_NS : 0);
        EXPECT(n >= 0, "getevents: %d (%s)", n, err_text(n));
        EXPECT((unsigned)n <= h->depth, "getevents returned %d, more than max %u", n, h->depth);
        EXPECT((unsigned)n >= min,
               "getevents(min %u) returned %d after %.1f s with %u in "
               "flight",
               min, n, (double)(now_ns() - t0) / 1e9, inflight);
        for (int i = 0; i < n; i++) {
            tio_io *io = h->events[i];
            EXPECT(io >= h->ios && io < h->ios + h->depth, "getevents returned a foreign IO");
            uint32_t u = (uint32_t)(io - h->ios);
            EXPECT(h->state[u] == UNIT_INFLIGHT, "getevents returned unit %u, not in flight",
                   u);
            inflight--;
            h->n_events++;
            if (!complete_unit(h, u, verify))
                return false;
        }
    }
    return true;
}

/* One IO on unit 0 of an otherwise idle harness; its result. */
static bool single_io(harness *h, uint32_t ddir, uint64_t off, uint64_t len, int64_t *result)
{
    tio_io *io = &h->ios[0];
    *io = (tio_io){.offset = off,
                   .len = len,
                   .buf = unit_buf(h, 0),
                   .file = h->has_file ? &h->file[0] : NULL,
                   .ddir = ddir,
                   .index = 0,
                   .result = INT64_MIN,
                   .engine_data = io->engine_data};
    int rc = io_queue(h->e, io);
    if (rc == TIO_QUEUED) {
        if (h->e->t->commit) {
            int crc = io_commit(h->e);
            EXPECT(crc == 0, "commit: %d (%s)", crc, err_text(crc));
        }
        int n = io_getevents(h->e, 1, h->depth, h->events, WAIT_NS);
        EXPECT(n == 1 && h->events[0] == io, "getevents after one %s: %d (%s)", ddir_name(ddir),
               n, err_text(n));
    } else {
        EXPECT(rc == TIO_COMPLETED, "queue(%s) on an idle engine: %d (%s)", ddir_name(ddir), rc,
               err_text(rc));
    }
    EXPECT(io->result != INT64_MIN, "%s: the engine did not set result", ddir_name(ddir));
    *result = io->result;
    return true;
}

/* ---- Files ----------------------------------------------------------------- */

typedef struct testfile {
    char path[4096];
    int fd;
} testfile;

static char tmp_dir[4096];    /* where buffered test files go */
static char direct_dir[4096]; /* where O_DIRECT ones go, "" if nowhere */
static uint64_t direct_align; /* smallest O_DIRECT block there */
static char direct_skip_why[512];

static bool file_create(testfile *f, const char *dir, bool direct, uint64_t size)
{
    snprintf(f->path, sizeof(f->path), "%s/tenon-io-%s-XXXXXX", dir, engine_name);
    int tmp = mkstemp(f->path);
    EXPECT(tmp >= 0, "mkstemp in %s: %s", dir, strerror(errno));
    close(tmp);
    /* As a host opens a job's file. */
    f->fd = open(f->path, O_RDWR | O_CREAT | O_CLOEXEC | (direct ? O_DIRECT : 0), 0600);
    EXPECT(f->fd >= 0, "open %s: %s", f->path, strerror(errno));
    EXPECT(ftruncate(f->fd, (off_t)size) == 0, "ftruncate %s: %s", f->path, strerror(errno));
    return true;
}

static void file_remove(testfile *f)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
    if (f->path[0])
        unlink(f->path);
    f->path[0] = '\0';
}

/* Finds where O_DIRECT works and its alignment, first beside the buffered
 * files, then in the build folder (tmpfs refuses O_DIRECT before Linux 6.6). */
static void probe_direct(void)
{
    const char *dirs[] = {tmp_dir, TEST_BUILD_DIR};
    char why[512] = "";
    for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/tenon-io-direct-XXXXXX", dirs[d]);
        int tmp = mkstemp(path);
        if (tmp < 0)
            continue;
        close(tmp);
        int fd = open(path, O_RDWR | O_DIRECT | O_CLOEXEC);
        if (fd < 0) {
            snprintf(why + strlen(why), sizeof(why) - strlen(why), "%s%s refuses O_DIRECT (%s)",
                     why[0] ? "; " : "", dirs[d], strerror(errno));
            unlink(path);
            continue;
        }
        void *buf;
        if (posix_memalign(&buf, 4096, 4096) != 0) {
            close(fd);
            unlink(path);
            break;
        }
        memset(buf, 0, 4096);
        for (uint64_t align = 512; align <= 4096; align *= 2) {
            if (pwrite(fd, buf, align, (off_t)align) == (ssize_t)align) {
                direct_align = align;
                break;
            }
        }
        free(buf);
        close(fd);
        unlink(path);
        if (direct_align) {
            snprintf(direct_dir, sizeof(direct_dir), "%s", dirs[d]);
            if (d > 0)
                diag("O_DIRECT: %s; using %s", why, direct_dir);
            return;
        }
        snprintf(why + strlen(why), sizeof(why) - strlen(why), "%sO_DIRECT writes fail in %s",
                 why[0] ? "; " : "", dirs[d]);
    }
    snprintf(direct_skip_why, sizeof(direct_skip_why), "%s", why);
}

/* Reads the whole file without the engine and checks the pattern. */
static bool file_check(const char *path, uint64_t size, uint64_t seed)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    EXPECT(fd >= 0, "open %s: %s", path, strerror(errno));
    uint8_t *buf = malloc(MiB);
    bool ok = buf != NULL;
    for (uint64_t off = 0; ok && off < size; off += MiB) {
        uint64_t len = size - off < MiB ? size - off : MiB;
        ssize_t n = pread(fd, buf, len, (off_t)off);
        if (n != (ssize_t)len) {
            diag("pread %s at %" PRIu64 ": %zd (%s)", path, off, n, strerror(errno));
            ok = false;
            break;
        }
        int64_t at = pattern_diff(buf, off, len, seed);
        if (at >= 0) {
            diag("the file holds wrong data at offset %" PRIu64 " (checked without the "
                 "engine)",
                 off + (uint64_t)at);
            ok = false;
        }
    }
    free(buf);
    close(fd);
    return ok;
}

/* ---- Data passes ----------------------------------------------------------- */

static uint64_t rng_state = 0x243f6a8885a308d3ull;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* The file size for a block size: enough blocks to keep 32 in flight. */
static uint64_t size_for(uint64_t bs)
{
    uint64_t size = bs * 256;
    if (size < MiB)
        size = MiB;
    if (size > 16 * MiB)
        size = 16 * MiB;
    return size;
}

typedef struct variant {
    const char *label;
    const char *opts[6];
    bool full;  /* every block size and iodepth, else 4k and 64k at one depth */
    bool probe; /* skip when a first write or read fails with EOPNOTSUPP */
    bool direct_only;
    bool buffered_only;
} variant;

/* Writes the whole file with the pattern (with a sync in the middle and a
 * datasync at the end), checks it without the engine, reads it back in
 * order and in random order through the engine. */
static bool data_cycle(const variant *v, bool direct, uint64_t bs, uint32_t depth,
                       uint64_t seed, bool *skipped)
{
    *skipped = false;
    io_path_allocs = io_path_logs = 0;
    uint64_t size = size_for(bs);
    size_t n_blocks = (size_t)(size / bs);
    engine e;
    int rc = engine_new(v->opts, &e);
    if (rc) {
        print_last_error();
        EXPECT(false, "tenon_instance_new: %s", tenon_err_name(rc));
    }
    testfile f = {.fd = -1};
    harness h = {0};
    op *ops = calloc(n_blocks + 2, sizeof(*ops));
    bool ok = ops && file_create(&f, direct ? direct_dir : tmp_dir, direct, size) &&
              harness_start(&h, &e, f.fd, f.path, size,
                            TIO_OPEN_READ | TIO_OPEN_WRITE | TIO_OPEN_CREATE |
                                (direct ? TIO_OPEN_DIRECT : 0),
                            depth, (size_t)bs);
    h.seed = seed;
    if (ok && v->probe) {
        int64_t r;
        pattern_fill(unit_buf(&h, 0), 0, bs, seed);
        ok = single_io(&h, TIO_WRITE, 0, bs, &r);
        if (ok && r != -EOPNOTSUPP)
            ok = single_io(&h, TIO_READ, 0, bs, &r);
        if (ok && r == -EOPNOTSUPP) {
            *skipped = true;
            goto out;
        }
    }
    if (ok) {
        size_t n = 0;
        for (size_t i = 0; i < n_blocks; i++) {
            ops[n++] = (op){TIO_WRITE, i * bs, bs};
            if (i == n_blocks / 2)
                ops[n++] = (op){TIO_SYNC, 0, 0};
        }
        ops[n++] = (op){TIO_DATASYNC, 0, 0};
        ok = run_ops(&h, ops, n, false);
    }
    ok = ok && file_check(f.path, size, seed);
    if (ok) {
        for (size_t i = 0; i < n_blocks; i++)
            ops[i] = (op){TIO_READ, i * bs, bs};
        ok = run_ops(&h, ops, n_blocks, true);
    }
    if (ok) {
        for (size_t i = n_blocks; i > 1; i--) {
            size_t j = (size_t)(rng() % i);
            op tmp = ops[i - 1];
            ops[i - 1] = ops[j];
            ops[j] = tmp;
        }
        ok = run_ops(&h, ops, n_blocks, true);
    }
    if (ok && (io_path_allocs || io_path_logs)) {
        diag("the engine allocated or freed memory %lu times and logged %lu times in "
             "queue/commit/getevents",
             io_path_allocs, io_path_logs);
        ok = false;
    }
    if (ok && bs == 4 * KiB && depth == 32)
        diag("%s%s %s bs=4k iodepth=32: %" PRIu64 " queued, %" PRIu64 " completed in queue, "
             "%" PRIu64 " TIO_BUSY, %" PRIu64 " short, %" PRIu64 " from getevents%s",
             engine_name, v->label, direct ? "direct" : "buffered", h.n_queued,
             h.n_completed_at_once, h.n_busy, h.n_short, h.n_events,
             ALLOCS_COUNTED ? "; no allocation on the IO path" : "");
out:
    ok = harness_stop(&h) && ok;
    engine_free(&e);
    file_remove(&f);
    free(ops);
    return ok;
}

static void run_variant(const variant *v)
{
    static const uint64_t all_bs[] = {512, 4 * KiB, 64 * KiB, MiB};
    static const uint64_t few_bs[] = {4 * KiB, 64 * KiB};
    static const uint32_t sync_depths[] = {1};
    static const uint32_t async_depths[] = {1, 4, 32};
    static const uint32_t one_async_depth[] = {32};

    engine probe;
    if (engine_new(v->opts, &probe) != 0) {
        print_last_error();
        report(false, "%s%s: instance", engine_name, v->label);
        return;
    }
    bool is_sync = engine_is_sync(&probe);
    engine_free(&probe);

    const uint64_t *bss = v->full ? all_bs : few_bs;
    size_t n_bs = v->full ? 4 : 2;
    const uint32_t *depths = is_sync ? sync_depths : v->full ? async_depths : one_async_depth;
    size_t n_depths = is_sync ? 1 : v->full ? 3 : 1;

    for (int direct = 0; direct <= 1; direct++) {
        if ((direct && v->buffered_only) || (!direct && v->direct_only))
            continue;
        for (size_t b = 0; b < n_bs; b++) {
            for (size_t d = 0; d < n_depths; d++) {
                char what[256];
                snprintf(what, sizeof(what),
                         "%s%s: %s bs=%" PRIu64 " iodepth=%u: write, "
                         "sync, read back in order and at random",
                         engine_name, v->label, direct ? "direct" : "buffered", bss[b],
                         depths[d]);
                if (direct && !direct_dir[0]) {
                    report_skip(direct_skip_why, "%s", what);
                    continue;
                }
                if (direct && bss[b] < direct_align) {
                    char why[128];
                    snprintf(why, sizeof(why), "O_DIRECT needs %" PRIu64 "-byte blocks in %s",
                             direct_align, direct_dir);
                    report_skip(why, "%s", what);
                    continue;
                }
                bool skipped;
                uint64_t seed = mix(bss[b] * 131 + depths[d] * 7 + (uint64_t)direct);
                bool ok = data_cycle(v, direct, bss[b], depths[d], seed, &skipped);
                if (skipped)
                    report_skip("the kernel or filesystem does not support it (EOPNOTSUPP)",
                                "%s", what);
                else
                    report(ok, "%s", what);
            }
        }
    }
}

/* ---- Error reporting ------------------------------------------------------- */

/* Reads across and beyond the end of the file, syncs, trims. */
static bool check_edges(const char *const *opts, uint32_t depth)
{
    const uint64_t size = 64 * KiB, bs = 16 * KiB;
    engine e;
    int rc = engine_new(opts, &e);
    EXPECT(rc == 0, "tenon_instance_new: %s", tenon_err_name(rc));
    testfile f = {.fd = -1};
    harness h = {0};
    bool ok = file_create(&f, tmp_dir, false, size);
    if (ok) {
        /* The content the engine finds, written without it. */
        uint8_t *buf = malloc(size);
        ok = buf != NULL;
        if (ok) {
            pattern_fill(buf, 0, size, 77);
            ok = pwrite(f.fd, buf, size, 0) == (ssize_t)size;
        }
        free(buf);
    }
    ok = ok && harness_start(&h, &e, f.fd, f.path, size,
                             TIO_OPEN_READ | TIO_OPEN_WRITE | TIO_OPEN_CREATE, depth, bs);
    h.seed = 77;
    int64_t r = 0;
    if (ok && (ok = single_io(&h, TIO_READ, size - 256, 512, &r))) {
        if (r != 256) {
            diag("read of 512 at 256 before the end: result %" PRId64 " (%s), expected a "
                 "short 256",
                 r, err_text(r));
            ok = false;
        } else if (pattern_diff(unit_buf(&h, 0), size - 256, 256, 77) >= 0) {
            diag("short read at the end returned wrong data");
            ok = false;
        }
    }
    if (ok && (ok = single_io(&h, TIO_READ, size, 512, &r)) && r != 0) {
        diag("read at the end of the file: result %" PRId64 " (%s), expected 0", r,
             err_text(r));
        ok = false;
    }
    if (ok && (ok = single_io(&h, TIO_SYNC, 0, 0, &r)) && r != 0) {
        diag("sync: result %" PRId64 " (%s), expected 0", r, err_text(r));
        ok = false;
    }
    if (ok && (ok = single_io(&h, TIO_DATASYNC, 0, 0, &r)) && r != 0) {
        diag("datasync: result %" PRId64 " (%s), expected 0", r, err_text(r));
        ok = false;
    }
    if (ok && (ok = single_io(&h, TIO_TRIM, 16 * KiB, 8 * KiB, &r))) {
        if (r == (int64_t)(8 * KiB)) {
            ok = single_io(&h, TIO_READ, 16 * KiB, 8 * KiB, &r);
            if (ok && r != (int64_t)(8 * KiB)) {
                diag("read after trim: result %" PRId64 " (%s)", r, err_text(r));
                ok = false;
            }
            for (uint64_t i = 0; ok && i < 8 * KiB; i++)
                if (unit_buf(&h, 0)[i] != 0) {
                    diag("trimmed range reads back non-zero at %" PRIu64, 16 * KiB + i);
                    ok = false;
                }
        } else if (r != -EOPNOTSUPP) {
            diag("trim: result %" PRId64 " (%s), expected the length or EOPNOTSUPP", r,
                 err_text(r));
            ok = false;
        }
    }
    if (ok && !engine_is_sync(&e)) {
        /* Nothing in flight: a poll returns at once, a wait times out. */
        int n = io_getevents(&e, 0, depth, h.events, 0);
        if (n != 0) {
            diag("getevents(min 0) with nothing in flight: %d", n);
            ok = false;
        }
        uint64_t t0 = now_ns();
        n = io_getevents(&e, 1, depth, h.events, 1000000);
        uint64_t took = now_ns() - t0;
        if (ok && (n != 0 || took > 2000000000ull)) {
            diag("getevents(min 1, 1 ms) with nothing in flight: %d after %.3f s", n,
                 (double)took / 1e9);
            ok = false;
        }
    }
    ok = harness_stop(&h) && ok;
    engine_free(&e);
    file_remove(&f);
    return ok;
}

/* An invalid fd must fail the IO (or open_file), not the process. */
static bool check_bad_fd(const char *const *opts, uint32_t depth)
{
    engine e;
    int rc = engine_new(opts, &e);
    EXPECT(rc == 0, "tenon_instance_new: %s", tenon_err_name(rc));
    harness h = {0};
    bool ok = true;
    tio_file probe = {.struct_size = sizeof(tio_file),
                      .name = "(bad fd)",
                      .fd = -1,
                      .open_flags = TIO_OPEN_READ | TIO_OPEN_WRITE,
                      .size = MiB};
    if (e.t->open_file) {
        rc = e.t->open_file(e.data, &probe);
        if (rc == -EBADF) {
            diag("open_file refuses the bad fd with EBADF");
            engine_free(&e);
            return true;
        }
        if (rc != 0) {
            diag("open_file(fd -1): %d (%s), expected 0 or -EBADF", rc, err_text(rc));
            engine_free(&e);
            return false;
        }
        if (e.t->close_file)
            e.t->close_file(e.data, &probe);
    }
    ok = harness_start(&h, &e, -1, "(bad fd)", MiB, TIO_OPEN_READ | TIO_OPEN_WRITE, depth,
                       4 * KiB);
    static const uint32_t ddirs[] = {TIO_READ, TIO_WRITE, TIO_SYNC};
    for (size_t i = 0; ok && i < 3; i++) {
        int64_t r;
        ok = single_io(&h, ddirs[i], 0, 4 * KiB, &r);
        if (ok && r != -EBADF) {
            diag("%s on fd -1: result %" PRId64 " (%s), expected -EBADF", ddir_name(ddirs[i]),
                 r, err_text(r));
            ok = false;
        }
    }
    ok = harness_stop(&h) && ok;
    engine_free(&e);
    return ok;
}

/* Two files at once, IOs to both in flight together: per-file state (a
 * mapping, a registered file slot) must not mix them up. */
static bool check_two_files(const char *const *opts, uint32_t depth)
{
    const uint64_t size = 512 * KiB, bs = 16 * KiB;
    const size_t n_blocks = (size_t)(size / bs);
    engine e;
    int rc = engine_new(opts, &e);
    EXPECT(rc == 0, "tenon_instance_new: %s", tenon_err_name(rc));
    testfile f[2] = {{.fd = -1}, {.fd = -1}};
    harness h = {0};
    op *ops = calloc(2 * n_blocks, sizeof(*ops));
    bool ok = ops && file_create(&f[0], tmp_dir, false, size) &&
              file_create(&f[1], tmp_dir, false, size);
    if (ok) {
        int fds[] = {f[0].fd, f[1].fd};
        const char *paths[] = {f[0].path, f[1].path};
        ok = harness_start_files(&h, &e, 2, fds, paths, size,
                                 TIO_OPEN_READ | TIO_OPEN_WRITE | TIO_OPEN_CREATE, depth,
                                 (size_t)bs);
    }
    h.seed = 4242;
    if (ok) {
        for (size_t i = 0; i < 2 * n_blocks; i++)
            ops[i] = (op){TIO_WRITE, (i / 2) * bs, bs, (uint32_t)(i % 2)};
        ok = run_ops(&h, ops, 2 * n_blocks, false) &&
             file_check(f[0].path, size, file_seed(h.seed, 0)) &&
             file_check(f[1].path, size, file_seed(h.seed, 1));
    }
    if (ok) {
        for (size_t i = 0; i < 2 * n_blocks; i++)
            ops[i].ddir = TIO_READ;
        for (size_t i = 2 * n_blocks; i > 1; i--) {
            size_t j = (size_t)(rng() % i);
            op tmp = ops[i - 1];
            ops[i - 1] = ops[j];
            ops[j] = tmp;
        }
        ok = run_ops(&h, ops, 2 * n_blocks, true);
    }
    ok = harness_stop(&h) && ok;
    engine_free(&e);
    file_remove(&f[0]);
    file_remove(&f[1]);
    free(ops);
    return ok;
}

/* ---- Descriptor, table and options ----------------------------------------- */

static tenon_plugin *plugin; /* the engine's plugin in the registry */

/* The engine's descriptor: read from its file without loading it, as
 * `tenon-io --enghelp` does, or the registry's copy for a static engine.
 * Release it with descriptor_put. */
static const tenon_plugin_desc *descriptor_get(void)
{
    if (tenon_plugin_is_static(plugin))
        return tenon_plugin_descriptor(plugin);
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s.so", ENGINE_DIR, engine_name);
    tenon_plugin_desc *d;
    int rc = tenon_descriptor_read(path, &d);
    if (rc) {
        print_last_error();
        diag("tenon_descriptor_read(%s): %s", path, tenon_err_name(rc));
        return NULL;
    }
    return d;
}

static void descriptor_put(const tenon_plugin_desc *d)
{
    if (d && !tenon_plugin_is_static(plugin))
        tenon_descriptor_free((tenon_plugin_desc *)d);
}

static bool check_descriptor(void)
{
    const tenon_plugin_desc *d = descriptor_get();
    EXPECT(d, "no descriptor");
    bool ok = false;
    bool provides = false;
    for (size_t i = 0; i < d->n_provides; i++)
        if (strcmp(d->provides[i].name, TIO_ENGINE_INTERFACE) == 0 &&
            d->provides[i].version == TIO_ENGINE_VERSION)
            provides = true;
    const char *targets = tenon_descriptor_meta(d, TIO_META_TARGETS);
    if (strcmp(d->name, engine_name) != 0)
        diag("descriptor name %s", d->name);
    else if (!provides)
        diag("no %s v%u in provides", TIO_ENGINE_INTERFACE, TIO_ENGINE_VERSION);
    else if (!targets || !targets[0])
        diag("no %s metadata", TIO_META_TARGETS);
    else if (!d->description[0] || !d->license[0] || !d->version[0])
        diag("description, license or version missing");
    else
        ok = true;
    for (size_t i = 0; ok && i < d->n_options; i++) {
        const tenon_option *o = &d->options[i];
        int64_t v;
        if (!o->help[0] || strlen(o->help) < 10) {
            diag("option %s has no help text", o->name);
            ok = false;
        } else if (strcmp(tenon_opt_type_name(o->type), "unknown") == 0) {
            diag("option %s has type %d", o->name, (int)o->type);
            ok = false;
        } else if (!o->def[0] && !(o->flags & TENON_OPT_REQUIRED)) {
            diag("option %s has no default", o->name);
            ok = false;
        } else if (o->type == TENON_OPT_ENUM && !o->choices[0]) {
            diag("enum option %s has no choices", o->name);
            ok = false;
        } else if ((o->type == TENON_OPT_BOOL || o->type == TENON_OPT_INT ||
                    o->type == TENON_OPT_SIZE || o->type == TENON_OPT_DURATION) &&
                   tenon_parse_int(o->def, o->type, &v) != 0) {
            diag("option %s: default \"%s\" is not a valid %s", o->name, o->def,
                 tenon_opt_type_name(o->type));
            ok = false;
        } else if (o->max > o->min && (o->type == TENON_OPT_INT || o->type == TENON_OPT_SIZE) &&
                   (v < o->min || v > o->max)) {
            diag("option %s: default %s outside [%" PRId64 ", %" PRId64 "]", o->name, o->def,
                 o->min, o->max);
            ok = false;
        }
    }
    if (ok)
        diag("%s %s (%s): targets \"%s\", %zu option%s, rank %d", d->name, d->version,
             tenon_plugin_is_static(plugin) ? "static" : "shared object", targets, d->n_options,
             d->n_options == 1 ? "" : "s", (int)d->provides[0].rank);
    descriptor_put(d);
    return ok;
}

static bool check_table(void)
{
    engine e;
    int rc = engine_new(NULL, &e);
    if (rc) {
        print_last_error();
        EXPECT(false, "tenon_instance_new with no options: %s", tenon_err_name(rc));
    }
    const tio_engine *t = e.t;
    bool ok = false;
    if (!t || t->struct_size < sizeof(tio_engine) || t->version != TIO_ENGINE_VERSION)
        diag("table size %u, version %u", t ? t->struct_size : 0, t ? t->version : 0);
    else if (!t->queue)
        diag("no queue()");
    else if ((t->flags & TIO_ENGINE_SYNC) && (t->commit || t->getevents))
        diag("a TIO_ENGINE_SYNC engine implements commit/getevents");
    else if (!(t->flags & TIO_ENGINE_SYNC) && !t->getevents)
        diag("an async engine without getevents()");
    else if (strcmp(engine_name, "null") == 0 && !(t->flags & TIO_ENGINE_NO_FILES))
        diag("null does not say TIO_ENGINE_NO_FILES");
    else
        ok = true;
    /* An instance made and dropped without any IO frees cleanly (ASan). */
    engine_free(&e);
    return ok;
}

typedef struct bad_option {
    const char *engine; /* NULL: every engine */
    const char *setting;
    int expect; /* tenon error; TENON_EINIT: refused by instance_init */
} bad_option;

static const bad_option bad_options[] = {
    {NULL, "no_such_option=1", TENON_EOPTION},
    {"io_uring", "hipri=maybe", TENON_EOPTTYPE},
    {"io_uring", "sqthread_poll_cpu=-7", TENON_EOPTRANGE},
    {"io_uring", "sqthread_poll_cpu=two", TENON_EOPTTYPE},
    {"io_uring", "sqthread_poll_cpu=1", TENON_EINIT}, /* without sqthread_poll */
    {"io_uring", "fixedbufs=sometimes", TENON_EOPTTYPE},
    {"libaio", "userspace_reap=2", TENON_EOPTTYPE},
    {"pvsync2", "hipri=maybe", TENON_EOPTTYPE},
    {"mmap", "advise=often", TENON_EOPTRANGE},
    {"mmap", "window=wide", TENON_EOPTTYPE},
};

static bool check_options(void)
{
    for (size_t i = 0; i < sizeof(bad_options) / sizeof(bad_options[0]); i++) {
        const bad_option *b = &bad_options[i];
        if (b->engine && strcmp(b->engine, engine_name) != 0)
            continue;
        const char *opts[] = {b->setting, NULL};
        engine e;
        int rc = engine_new(opts, &e);
        if (rc == 0)
            engine_free(&e);
        EXPECT(rc == b->expect, "%s: tenon_instance_new returned %s, expected %s", b->setting,
               tenon_err_name(rc), tenon_err_name(b->expect));
    }
    /* Every option given its own default is accepted. */
    const tenon_plugin_desc *d = descriptor_get();
    EXPECT(d, "no descriptor");
    char settings[TENON_MAX_OPTIONS][TENON_OPTION_NAME_MAX + TENON_OPTION_DEFAULT_MAX + 2];
    const char *opts[TENON_MAX_OPTIONS + 1] = {0};
    size_t n = 0;
    for (size_t i = 0; i < d->n_options && n < TENON_MAX_OPTIONS; i++) {
        snprintf(settings[n], sizeof(settings[n]), "%s=%s", d->options[i].name,
                 d->options[i].def);
        opts[n] = settings[n];
        n++;
    }
    opts[n] = NULL;
    engine e;
    int rc = engine_new(opts, &e);
    if (rc)
        print_last_error();
    else
        engine_free(&e);
    descriptor_put(d);
    EXPECT(rc == 0, "every option at its default: %s", tenon_err_name(rc));
    return true;
}

/* ---- The null engine: counts and cost ------------------------------------- */

static bool check_null(void)
{
    engine e;
    int rc = engine_new(NULL, &e);
    EXPECT(rc == 0, "tenon_instance_new: %s", tenon_err_name(rc));
    bool ok = true;
    enum { N_OPS = 100000 };
    op *ops = calloc(N_OPS, sizeof(*ops));
    EXPECT(ops, "out of memory");
    for (size_t i = 0; i < N_OPS; i++)
        ops[i] = (op){i % 3 ? TIO_READ : TIO_WRITE, (i * 7919 % 4096) * 4096, 4096};
    static const uint32_t depths[] = {1, 4, 32};
    for (size_t d = 0; ok && d < 3; d++) {
        harness h;
        ok = harness_start(&h, &e, -2, NULL, 0, 0, depths[d], 4096) &&
             run_ops(&h, ops, N_OPS, false);
        uint64_t done = h.n_completed_at_once + h.n_events;
        if (ok && done != N_OPS) {
            diag("iodepth %u: %" PRIu64 " completions for %d IOs", depths[d], done, N_OPS);
            ok = false;
        }
        if (ok && depths[d] > 1 && h.n_queued != N_OPS) {
            diag("iodepth %u: %" PRIu64 " of %d IOs queued; expected all (async behaviour)",
                 depths[d], h.n_queued, N_OPS);
            ok = false;
        }
        if (ok && depths[d] == 1 && h.n_completed_at_once != N_OPS) {
            diag("iodepth 1: %" PRIu64 " of %d IOs completed at once", h.n_completed_at_once,
                 N_OPS);
            ok = false;
        }
        if (ok && h.n_short) {
            diag("iodepth %u: %" PRIu64 " short IOs", depths[d], h.n_short);
            ok = false;
        }
        ok = harness_stop(&h) && ok;
    }
    free(ops);
    engine_free(&e);
    return ok;
}

/* Cost per IO through the table, as the host's inner loop pays it. */
static void bench_null(void)
{
    engine e;
    if (engine_new(NULL, &e) != 0)
        return;
    enum { N = 4000000 };
    static const uint32_t depths[] = {1, 32};
    for (size_t d = 0; d < 2; d++) {
        harness h;
        if (!harness_start(&h, &e, -2, NULL, 0, 0, depths[d], 4096)) {
            harness_stop(&h);
            continue;
        }
        const tio_engine *t = e.t;
        for (uint32_t i = 0; i < depths[d]; i++)
            h.ios[i] = (tio_io){.len = 4096, .buf = unit_buf(&h, i), .index = i};
        uint64_t t0 = now_ns(), done = 0;
        if (depths[d] == 1) {
            for (; done < N; done++)
                t->queue(e.data, &h.ios[0]);
        } else {
            while (done < N) {
                for (uint32_t i = 0; i < depths[d]; i++)
                    t->queue(e.data, &h.ios[i]);
                t->commit(e.data);
                done += (uint64_t)t->getevents(e.data, depths[d], depths[d], h.events, -1);
            }
        }
        double ns = (double)(now_ns() - t0) / (double)done;
        diag("null iodepth %u: %.1f ns per IO (%.1f M IOs/s) through queue%s", depths[d], ns,
             1e3 / ns, depths[d] > 1 ? "/commit/getevents" : "");
        harness_stop(&h);
    }
    engine_free(&e);
}

/* ---- Resources ------------------------------------------------------------- */

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    int n = 0;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

/* Mappings of this test's files still present (the mmap engine's). */
static int count_file_maps(void)
{
    FILE *f = fopen("/proc/self/maps", "re");
    if (!f)
        return -1;
    char line[8192];
    int n = 0;
    while (fgets(line, sizeof(line), f))
        if (strstr(line, "/tenon-io-"))
            n++;
    fclose(f);
    return n;
}

/* ---- Main ------------------------------------------------------------------ */

static const variant variants_default[] = {{"", {NULL}, .full = true}};
static const variant variants_pvsync2[] = {
    {"", {NULL}, .full = true},
    {" hipri=1", {"hipri=1", NULL}},
    {" uncached=1", {"uncached=1", NULL}, .probe = true, .buffered_only = true},
};
static const variant variants_mmap[] = {
    {"", {NULL}, .full = true},
    {" window=64k", {"window=64k", NULL}},
    {" advise=random", {"advise=random", NULL}},
};
static const variant variants_libaio[] = {
    {"", {NULL}, .full = true},
    {" userspace_reap=1", {"userspace_reap=1", NULL}, .full = true},
};
static const variant variants_uring[] = {
    {"", {NULL}, .full = true},
    {" fixedbufs=1", {"fixedbufs=1", NULL}},
    {" registerfiles=1", {"registerfiles=1", NULL}},
    {" sqthread_poll=1", {"sqthread_poll=1", NULL}},
    {" fixedbufs=1 registerfiles=1 sqpoll=1",
     {"fixedbufs=1", "registerfiles=1", "sqpoll=1", NULL}},
    {" hipri=1", {"hipri=1", NULL}, .probe = true, .direct_only = true},
};

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s ENGINE\n", argv[0]);
        return 2;
    }
    engine_name = argv[1];
    const char *tmp = getenv("TMPDIR");
    snprintf(tmp_dir, sizeof(tmp_dir), "%s", tmp && tmp[0] == '/' ? tmp : "/tmp");

    int fds_before = count_fds();
    int rc = tenon_registry_create("tenon-io-test", TENON_REGISTRY_NO_ENV, &reg);
    if (rc) {
        printf("Bail out! tenon_registry_create: %s\n", tenon_err_name(rc));
        return 1;
    }
    /* Every level, so that a debug message on the IO path is seen too. */
    tenon_registry_set_log(reg, log_to_tap, NULL, TENON_LOG_DEBUG);
    if ((rc = tenon_registry_add_path(reg, ENGINE_DIR)) != 0 ||
        (rc = tenon_registry_scan(reg)) < 0) {
        print_last_error();
        printf("Bail out! cannot scan %s: %s\n", ENGINE_DIR, tenon_err_name(rc));
        tenon_registry_free(reg);
        return 1;
    }
    plugin = tenon_registry_find(reg, engine_name);
    if (!plugin) {
        printf("Bail out! no engine %s, static or in %s\n", engine_name, ENGINE_DIR);
        tenon_registry_free(reg);
        return 1;
    }

    report(check_descriptor(), "%s: descriptor (interface, targets, documented options)",
           engine_name);
    report(check_table(), "%s: interface table", engine_name);
    report(check_options(), "%s: options are checked against the schema", engine_name);

    if (strcmp(engine_name, "null") == 0) {
        report(check_null(), "null: every IO completes once with its length, at iodepth 1, "
                             "4 and 32");
        bench_null();
    } else {
        probe_direct();
        if (direct_dir[0])
            diag("O_DIRECT in %s, %" PRIu64 "-byte alignment", direct_dir, direct_align);
        const variant *vs = variants_default;
        size_t n_vs = 1;
        if (strcmp(engine_name, "pvsync2") == 0)
            vs = variants_pvsync2, n_vs = sizeof(variants_pvsync2) / sizeof(*vs);
        else if (strcmp(engine_name, "mmap") == 0)
            vs = variants_mmap, n_vs = sizeof(variants_mmap) / sizeof(*vs);
        else if (strcmp(engine_name, "libaio") == 0)
            vs = variants_libaio, n_vs = sizeof(variants_libaio) / sizeof(*vs);
        else if (strcmp(engine_name, "io_uring") == 0)
            vs = variants_uring, n_vs = sizeof(variants_uring) / sizeof(*vs);
        for (size_t i = 0; i < n_vs; i++)
            run_variant(&vs[i]);

        engine probe;
        bool is_sync = engine_new(NULL, &probe) == 0 && engine_is_sync(&probe);
        if (probe.inst)
            engine_free(&probe);
        static const uint32_t depths[] = {1, 8};
        for (size_t d = 0; d < (is_sync ? 1u : 2u); d++) {
            report(check_edges(NULL, depths[d]),
                   "%s iodepth=%u: short read at the end, 0 past it, sync, datasync, trim%s",
                   engine_name, depths[d], is_sync ? "" : ", idle getevents");
            report(check_bad_fd(NULL, depths[d]), "%s iodepth=%u: a bad fd fails with EBADF",
                   engine_name, depths[d]);
            report(check_two_files(NULL, depths[d]),
                   "%s iodepth=%u: two files, IOs to both interleaved", engine_name, depths[d]);
        }
        if (strcmp(engine_name, "io_uring") == 0) {
            const char *reg_files[] = {"registerfiles=1", "fixedbufs=1", NULL};
            report(check_edges(reg_files, 8),
                   "io_uring registerfiles=1 fixedbufs=1: edges, sync, trim");
            report(check_bad_fd(reg_files, 8),
                   "io_uring registerfiles=1 fixedbufs=1: a bad fd fails with EBADF");
            report(check_two_files(reg_files, 8),
                   "io_uring registerfiles=1 fixedbufs=1: two files, IOs to both interleaved");
        }
        if (strcmp(engine_name, "libaio") == 0) {
            const char *user_reap[] = {"userspace_reap=1", NULL};
            report(check_edges(user_reap, 8), "libaio userspace_reap=1: edges, idle getevents");
        }
        if (strcmp(engine_name, "mmap") == 0) {
            const char *window[] = {"window=64k", NULL};
            report(check_two_files(window, 1), "mmap window=64k: two files, IOs interleaved");
        }
    }

    tenon_registry_free(reg);
    int fds_after = count_fds(), maps = count_file_maps();
    report(fds_after == fds_before && maps == 0,
           "%s: no file descriptor or mapping left behind (fds %d -> %d, file mappings %d)",
           engine_name, fds_before, fds_after, maps);
    printf("1..%u\n", tap_count);
    return tap_failures ? 1 : 0;
}
