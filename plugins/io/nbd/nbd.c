/* The nbd engine: a proxy for a remote NBD export, through libnbd.
 *
 * Targets are NBD URIs (nbd://HOST[:PORT]/EXPORT, nbd+unix:///EXPORT?socket=
 * PATH, and the TLS forms nbds:// and nbds+unix://). The engine claims those
 * schemes in its descriptor, so tenon-io routes them here without knowing
 * anything about NBD, and opens each target itself: one connection per file
 * per job thread, which is also how fio's nbd engine and most NBD clients
 * spread load over a server's worker threads.
 *
 * Every command goes through libnbd's asynchronous API, with a completion
 * callback that pushes the finished tio_io onto the instance's completion
 * ring. At iodepth 1 queue() issues the command and waits for it itself, so
 * an IO costs one round trip and no extra host calls; deeper queues issue
 * in commit() and wait in getevents(), which polls every connection of the
 * thread at once.
 *
 * Faults: a connection the server drops fails every command in flight on it
 * (libnbd retires them with ENOTCONN) and every later IO at once, and says
 * why once through the host's log. A server that stops answering without
 * closing the socket is caught by the `io_timeout` option: commands on a
 * connection that has made no progress for that long fail with ETIMEDOUT.
 * Either way no IO waits forever, so tenon-io can end that job, report it
 * and let the others finish.
 *
 * Why one file of more than 700 lines: it is one engine whose sections
 * (instances, connection failures, commands, waiting, the engine table)
 * all work on the same connection and slot state and the one host pointer.
 * Kept in one translation unit, all of that stays static: the plugin is
 * also linked whole into the tenon-io binary beside the other engines,
 * where every non-static helper would be a name they all share. */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libnbd.h>

#include <tenon/plugin.h>
#include <tenon-io/engine.h>

#include "nbd_internal.h"

const tenon_host_api *tio_nbd_host;

static int nbd_plugin_init(tenon_plugin *self, const tenon_host_api *api)
{
    (void)self;
    tio_nbd_host = api;
    return 0;
}

/* ---- Instances -------------------------------------------------------------- */

static const char *opt_string(const tenon_values *opts, const char *name)
{
    const char *s = tio_nbd_host->values_string(opts, name);
    return s && *s ? s : NULL;
}

static int nbd_instance_init(tenon_plugin *self, tenon_instance *inst, void *data,
                             const tenon_values *opts)
{
    (void)inst;
    nbd_engine *e = data;
    e->self = self;
    int64_t t = tio_nbd_host->values_int(opts, "io_timeout");
    int64_t ct = tio_nbd_host->values_int(opts, "connect_timeout");
    int64_t mr = tio_nbd_host->values_int(opts, "max_request");
    if (t < 0 || ct < 0 || mr < 0)
        return tio_nbd_host
            ->fail(self, TENON_EOPTION,
                   "io_timeout, connect_timeout and max_request cannot be negative");
    e->timeout_ns = (uint64_t)t;
    e->connect_timeout_ns = (uint64_t)ct;
    e->max_request = (uint64_t)mr;

    const char *tls = tio_nbd_host->values_string(opts, "tls");
    e->tls = strcmp(tls, "off") == 0       ? LIBNBD_TLS_DISABLE
             : strcmp(tls, "require") == 0 ? LIBNBD_TLS_REQUIRE
                                           : LIBNBD_TLS_ALLOW;
    e->tls_certificates = opt_string(opts, "tls_certificates");
    e->tls_psk_file = opt_string(opts, "tls_psk_file");
    e->tls_username = opt_string(opts, "tls_username");
    e->tls_verify_peer = tio_nbd_host->values_bool(opts, "tls_verify_peer");
    e->fua = tio_nbd_host->values_bool(opts, "fua");
    e->structured_replies = tio_nbd_host->values_bool(opts, "structured_replies");
    e->debug = tio_nbd_host->values_bool(opts, "nbd_debug");
    return 0;
}

static void release(nbd_engine *e)
{
    free(e->slots);
    free(e->pending);
    free(e->ring);
    free(e->conns);
    free(e->pfds);
    free(e->pconns);
    e->slots = NULL;
    e->pending = NULL;
    e->ring = NULL;
    e->conns = NULL;
    e->pfds = NULL;
    e->pconns = NULL;
    e->ios = NULL;
    e->n_ios = e->n_conns = e->n_pending = 0;
    e->ring_cap = e->ring_head = e->ring_tail = 0;
}

static void nbd_instance_fini(tenon_plugin *self, tenon_instance *inst, void *data)
{
    (void)self;
    (void)inst;
    release(data);
}

/* ---- Connection failures ---------------------------------------------------- */

static void ring_push(nbd_engine *e, tio_io *io)
{
    e->ring[e->ring_tail++ % e->ring_cap] = io;
}

static uint32_t ring_count(const nbd_engine *e)
{
    return e->ring_tail - e->ring_head;
}

/* Completes every command still in flight on c with err, ourselves: the
 * connection is never driven again, so libnbd calls none of their
 * callbacks later (nbd_close only frees them). */
static void abandon(nbd_conn *c, int err)
{
    nbd_engine *e = c->e;
    for (uint32_t i = 0; e->slots && i <= e->n_ios; i++) {
        nbd_slot *s = &e->slots[i];
        if (s->busy && s->c == c) {
            s->busy = false;
            s->io->result = -(int64_t)err;
            ring_push(e, s->io);
        }
    }
    c->inflight = 0;
}

/* The connection cannot be used any more: say why, once, and fail what is
 * in flight on it. */
static void conn_lost(nbd_conn *c, int err, const char *why)
{
    if (c->dead)
        return;
    c->dead = err;
    tio_nbd_host->log(c->e->self, TENON_LOG_ERROR,
                      "%s: connection lost: %s; its IOs fail with %s", c->name,
                      why && *why ? why : strerror(err), strerror(err));
    abandon(c, err);
}

static void conn_timed_out(nbd_conn *c, uint64_t idle_ns)
{
    if (c->dead)
        return;
    c->dead = ETIMEDOUT;
    tio_nbd_host->log(c->e->self, TENON_LOG_ERROR,
                      "%s: no reply from the server for %.1f s with %u command%s in flight "
                      "(io_timeout=%.1fs); failing them with ETIMEDOUT",
                      c->name, (double)idle_ns / 1e9, c->inflight, c->inflight == 1 ? "" : "s",
                      (double)c->e->timeout_ns / 1e9);
    abandon(c, ETIMEDOUT);
}

/* Called after a libnbd call on c returned -1. */
static void conn_failed(nbd_conn *c)
{
    int err = tio_nbd_last_errno();
    char why[512];
    const char *text = nbd_get_error();
    snprintf(why, sizeof(why), "%s", text ? text : "");
    /* A dead handle retires its commands with ENOTCONN: report that, with
     * libnbd's text for the cause. */
    if (nbd_aio_is_dead(c->h) || nbd_aio_is_closed(c->h))
        err = ENOTCONN;
    conn_lost(c, err, why);
}

/* ---- Commands ----------------------------------------------------------------- */

static int on_complete(void *user_data, int *error)
{
    nbd_slot *s = user_data;
    if (!s->busy)
        return 1; /* already completed by abandon() */
    nbd_conn *c = s->c;
    s->busy = false;
    c->inflight--;
    c->last_progress_ns = eng_now_ns();
    s->io->result = *error ? -(int64_t)*error : (int64_t)s->len;
    ring_push(s->e, s->io);
    return 1; /* retire it: nothing asks libnbd about it later */
}

static nbd_slot *slot_of(nbd_engine *e, tio_io *io)
{
    uintptr_t p = (uintptr_t)io, base = (uintptr_t)e->ios;
    /* a unit's index is its place among the units, ios_stride apart */
    if (e->ios && p >= base && p < base + (uintptr_t)e->n_ios * e->ios_stride &&
        io->index < e->n_ios)
        return &e->slots[io->index];
    return &e->slots[e->n_ios];
}

/* Issues s's command. Returns 1 when the IO is already complete (its
 * result set, not on the ring), 0 when its completion will reach the ring
 * (or already has). */
static int issue(nbd_engine *e, nbd_slot *s)
{
    tio_io *io = s->io;
    nbd_conn *c = s->c;
    if (c->dead) {
        io->result = -(int64_t)c->dead;
        return 1;
    }
    uint64_t len = io->len < c->max_request ? io->len : c->max_request;
    uint32_t flags = 0;
    switch (io->ddir) {
    case TIO_READ:
        break;
    case TIO_WRITE:
        if (e->fua && c->can_fua)
            flags = LIBNBD_CMD_FLAG_FUA;
        break;
    case TIO_SYNC:
    case TIO_DATASYNC:
        if (!c->can_flush) {
            /* A server that cannot flush writes through: nothing to wait for. */
            io->result = 0;
            return 1;
        }
        len = 0;
        break;
    case TIO_TRIM:
        if (!c->can_trim) {
            io->result = -EOPNOTSUPP;
            return 1;
        }
        break;
    default:
        io->result = -EINVAL;
        return 1;
    }

    /* Marked in flight before the call: libnbd may retire the command (and
     * call on_complete) before it returns, if the connection fails. */
    nbd_completion_callback cb = {.callback = on_complete, .user_data = s};
    s->len = len;
    s->busy = true;
    if (c->inflight++ == 0)
        c->last_progress_ns = eng_now_ns();
    uint32_t tail = e->ring_tail;
    int64_t cookie;
    switch (io->ddir) {
    case TIO_READ:
        cookie = nbd_aio_pread(c->h, io->buf, (size_t)len, io->offset, cb, 0);
        break;
    case TIO_WRITE:
        cookie = nbd_aio_pwrite(c->h, io->buf, (size_t)len, io->offset, cb, flags);
        break;
    case TIO_TRIM:
        cookie = nbd_aio_trim(c->h, len, io->offset, cb, 0);
        break;
    default:
        cookie = nbd_aio_flush(c->h, cb, 0);
        break;
    }
    if (cookie != -1) {
        /* Sending can find the connection dead: libnbd then retires what
         * was in flight (this command too, perhaps) before returning. */
        if (e->ring_tail != tail && (nbd_aio_is_dead(c->h) || nbd_aio_is_closed(c->h)))
            conn_lost(c, ENOTCONN, "the connection failed while sending a command");
        return 0;
    }
    bool retired = !s->busy; /* on_complete ran: it is on the ring */
    if (!retired) {
        s->busy = false;
        c->inflight--;
        io->result = -(int64_t)tio_nbd_last_errno();
    }
    /* A command refused on a live connection (out of range, say) fails
     * alone; a dead connection fails everything on it, and says why. */
    if (nbd_aio_is_dead(c->h) || nbd_aio_is_closed(c->h))
        conn_failed(c);
    return retired ? 0 : 1;
}

/* ---- Waiting -------------------------------------------------------------- */

/* Drives the thread's connections until the ring holds want completions,
 * nothing more can complete, or deadline (monotonic ns) passes; a deadline
 * already past polls once without waiting. Commands on a connection with
 * no progress for io_timeout fail on the way. Returns 0 or -errno
 * of poll itself. */
static int drive(nbd_engine *e, uint32_t want, uint64_t deadline)
{
    for (;;) {
        if (ring_count(e) >= want)
            return 0;
        uint64_t now = eng_now_ns();
        uint64_t wake = deadline;
        nfds_t n = 0;
        for (uint32_t i = 0; i < e->n_conns; i++) {
            nbd_conn *c = e->conns[i];
            if (c->dead || !c->inflight)
                continue;
            if (e->timeout_ns) {
                uint64_t idle = now > c->last_progress_ns ? now - c->last_progress_ns : 0;
                if (idle >= e->timeout_ns) {
                    conn_timed_out(c, idle);
                    continue;
                }
                if (c->last_progress_ns + e->timeout_ns < wake)
                    wake = c->last_progress_ns + e->timeout_ns;
            }
            unsigned dir = (unsigned)nbd_aio_get_direction(c->h);
            short events = 0;
            if (dir & LIBNBD_AIO_DIRECTION_READ)
                events |= POLLIN;
            if (dir & LIBNBD_AIO_DIRECTION_WRITE)
                events |= POLLOUT;
            e->pfds[n] = (struct pollfd){.fd = nbd_aio_get_fd(c->h), .events = events};
            e->pconns[n++] = c;
        }
        if (ring_count(e) >= want || n == 0)
            return 0;

        struct timespec ts = {0, 0}, *tsp = NULL;
        if (wake != NO_DEADLINE) {
            uint64_t wait = wake > now ? wake - now : 0;
            ts.tv_sec = (time_t)(wait / NS_PER_SEC);
            ts.tv_nsec = (long)(wait % NS_PER_SEC);
            tsp = &ts;
        }
        int rc = ppoll(e->pfds, n, tsp, NULL);
        if (rc < 0)
            return errno == EINTR ? 0 : -errno;
        for (nfds_t i = 0; i < n; i++) {
            short rev = e->pfds[i].revents;
            nbd_conn *c = e->pconns[i];
            if (!rev || c->dead)
                continue;
            int r = rev & (POLLIN | POLLHUP | POLLERR) ? nbd_aio_notify_read(c->h)
                                                       : nbd_aio_notify_write(c->h);
            if (r == -1)
                conn_failed(c);
            else if (nbd_aio_is_dead(c->h) || nbd_aio_is_closed(c->h))
                conn_lost(c, ENOTCONN, "the server closed the connection");
        }
        if (deadline != NO_DEADLINE && eng_now_ns() >= deadline)
            return 0;
    }
}

static uint32_t inflight_total(const nbd_engine *e)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < e->n_conns; i++)
        n += e->conns[i]->inflight;
    return n;
}

/* ---- The engine ------------------------------------------------------------ */

static int nbd_open_file(void *engine, tio_file *file)
{
    nbd_engine *e = engine;
    nbd_conn *c = calloc(1, sizeof(*c));
    if (!c)
        return -ENOMEM;
    c->e = e;
    c->name = file->name;
    int rc = tio_nbd_connect(e, c, file);
    if (rc < 0) {
        nbd_close(c->h);
        free(c);
        return rc;
    }
    file->engine_data = c;
    return 0;
}

static int nbd_close_file(void *engine, tio_file *file)
{
    (void)engine;
    nbd_conn *c = file->engine_data;
    if (!c)
        return 0;
    file->engine_data = NULL;
    /* A polite disconnect, if the connection still works and nothing is in
     * flight; a connection abandoned after a failure is never driven again,
     * so no callback of its reaches a unit tenon-io has reused. */
    if (!c->dead && !c->inflight && nbd_aio_is_ready(c->h) &&
        nbd_aio_disconnect(c->h, 0) == 0) {
        uint64_t deadline = eng_now_ns() + NBD_DISCONNECT_WAIT_NS;
        while (!nbd_aio_is_closed(c->h) && !nbd_aio_is_dead(c->h)) {
            uint64_t now = eng_now_ns();
            if (now >= deadline ||
                nbd_poll(c->h, (int)((deadline - now + 999999) / 1000000)) == -1)
                break;
        }
    }
    nbd_close(c->h);
    free(c);
    return 0;
}

static int nbd_setup(void *engine, const tio_setup *setup)
{
    nbd_engine *e = engine;
    release(e);
    uint32_t n = setup->n_ios;
    e->ios = setup->ios;
    e->ios_stride = tio_setup_ios_stride(setup);
    e->n_ios = n;
    e->inline_wait = setup->iodepth <= 1;
    e->slots = calloc(n + 1, sizeof(*e->slots));
    e->pending = calloc(n + 1, sizeof(*e->pending));
    e->ring_cap = n + 1;
    e->ring = calloc(e->ring_cap, sizeof(*e->ring));
    uint32_t nf = setup->files ? setup->n_files : 0;
    e->conns = calloc(nf ? nf : 1, sizeof(*e->conns));
    e->pfds = calloc(nf ? nf : 1, sizeof(*e->pfds));
    e->pconns = calloc(nf ? nf : 1, sizeof(*e->pconns));
    if (!e->slots || !e->pending || !e->ring || !e->conns || !e->pfds || !e->pconns) {
        release(e);
        return -ENOMEM;
    }
    for (uint32_t i = 0; i <= n; i++)
        e->slots[i].e = e;
    for (uint32_t i = 0; i < nf; i++) {
        nbd_conn *c = setup->files[i]->engine_data;
        if (!c || c->e != e) {
            tio_nbd_host->log(e->self, TENON_LOG_ERROR,
                              "%s: not opened by this engine instance", setup->files[i]->name);
            release(e);
            return -EINVAL;
        }
        e->conns[e->n_conns++] = c;
    }
    return 0;
}

static int nbd_queue(void *engine, tio_io *io)
{
    nbd_engine *e = engine;
    nbd_conn *c = io->file->engine_data;
    if (!c) {
        io->result = -EBADF;
        return TIO_COMPLETED;
    }
    if (c->dead) {
        io->result = -(int64_t)c->dead;
        return TIO_COMPLETED;
    }
    nbd_slot *s = slot_of(e, io);
    if (s->busy)
        return TIO_BUSY; /* tenon-io's own IO, while its previous one is out */
    s->io = io;
    s->c = c;
    if (!e->inline_wait) {
        e->pending[e->n_pending++] = s;
        return TIO_QUEUED;
    }
    /* iodepth 1: this is the only command in flight, so the first
     * completion on the ring is this one. */
    if (issue(e, s))
        return TIO_COMPLETED;
    while (ring_count(e) == 0) {
        int rc = drive(e, 1, NO_DEADLINE);
        if (rc < 0 && ring_count(e) == 0) {
            conn_lost(c, -rc, "waiting for the server failed");
            break;
        }
    }
    e->ring_head = e->ring_tail;
    return TIO_COMPLETED;
}

static int nbd_commit(void *engine)
{
    nbd_engine *e = engine;
    for (uint32_t i = 0; i < e->n_pending; i++)
        if (issue(e, e->pending[i]))
            ring_push(e, e->pending[i]->io);
    e->n_pending = 0;
    return 0;
}

static int nbd_getevents(void *engine, unsigned min, unsigned max, tio_io **events,
                         int64_t timeout_ns)
{
    nbd_engine *e = engine;
    if (e->n_pending)
        nbd_commit(e);
    uint32_t outstanding = ring_count(e) + inflight_total(e);
    uint32_t want = min < outstanding ? min : outstanding;
    uint64_t now = eng_now_ns();
    uint64_t deadline = timeout_ns < 0 ? NO_DEADLINE : now + (uint64_t)timeout_ns;
    if (want == 0) {
        /* Whatever is ready, without waiting. */
        want = 1;
        deadline = now;
    }
    int rc = 0;
    if (outstanding)
        rc = drive(e, want, deadline);
    unsigned got = 0;
    while (got < max && ring_count(e))
        events[got++] = e->ring[e->ring_head++ % e->ring_cap];
    return got || rc == 0 ? (int)got : rc;
}

static void nbd_teardown(void *engine)
{
    release(engine);
}

static const tio_engine nbd_table = {
    .struct_size = sizeof(tio_engine),
    .version = TIO_ENGINE_VERSION,
    .open_file = nbd_open_file,
    .close_file = nbd_close_file,
    .setup = nbd_setup,
    .queue = nbd_queue,
    .commit = nbd_commit,
    .getevents = nbd_getevents,
    .teardown = nbd_teardown,
};

TENON_PLUGIN(nbd,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "a remote NBD export through libnbd: nbd://HOST[:PORT]/EXPORT, "
                       "nbd+unix:///EXPORT?socket=PATH, nbds:// with TLS; asynchronous "
                       "commands at iodepth > 1",
        .license = "MIT",
        .url = "https://libguestfs.org/libnbd.3.html",
        .provides = {{TIO_ENGINE_INTERFACE, TIO_ENGINE_VERSION, .rank = 50}},
        .options = {
            /* Not "timeout": in a job file that is fio's runtime. */
            {"io_timeout", TENON_OPT_DURATION, .def = "30s",
             .help = "fail the commands in flight on a connection with ETIMEDOUT when the "
                     "server sends nothing for this long (0: wait forever)"},
            {"connect_timeout", TENON_OPT_DURATION, .def = "10s",
             .help = "give up connecting (TCP, TLS and NBD handshake) after this long "
                     "(0: no limit)"},
            {"tls", TENON_OPT_ENUM, .def = "auto", .choices = "auto|off|require",
             .help = "auto: nbds:// URIs use TLS, nbd:// do not; off: refuse nbds://; "
                     "require: refuse plain nbd://"},
            {"tls_certificates", TENON_OPT_STRING,
             .help = "folder of X.509 certificates for TLS (libnbd's default: "
                     "$HOME/.pki/libnbd or /etc/pki/libnbd)"},
            {"tls_psk_file", TENON_OPT_STRING,
             .help = "file of TLS pre-shared keys (username:hexkey lines) instead of "
                     "certificates"},
            {"tls_username", TENON_OPT_STRING,
             .help = "TLS username for tls_psk_file (default: the login name)"},
            {"tls_verify_peer", TENON_OPT_BOOL, .def = "true",
             .help = "check the server's certificate (certificates only)"},
            {"fua", TENON_OPT_BOOL, .def = "false",
             .help = "send every write with FUA (forced unit access), if the server "
                     "supports it"},
            {"structured_replies", TENON_OPT_BOOL, .def = "true",
             .help = "ask the server for structured replies (NBD_OPT_STRUCTURED_REPLY)"},
            {"max_request", TENON_OPT_SIZE, .def = "0",
             .help = "most bytes per command; longer IOs are split (0: the server's "
                     "maximum, else 32MiB)"},
            /* Not "debug": fio has a debug option of its own. */
            {"nbd_debug", TENON_OPT_BOOL, .def = "false",
             .help = "trace the NBD protocol on standard error (libnbd's debug output)"},
        },
        .meta = {{TIO_META_TARGETS, "nbd,nbd+unix,nbds,nbds+unix"}},
    ),
    TENON_CODE(
        .init = nbd_plugin_init,
        TENON_IMPLEMENTS(TENON_IMPL(TIO_ENGINE_INTERFACE, &nbd_table,
                                    TENON_INSTANCE_OF(nbd_engine),
                                    .instance_init = nbd_instance_init,
                                    .instance_fini = nbd_instance_fini)),
    ));
