/* The faulty engine: wraps another engine and injects faults into its IO.
 *
 *     ioengine=faulty engine=libaio engine_options=userspace_reap=1
 *     eio=0.01 enospc=0.001 short_read=0.05 delay=20ms delay_rate=0.1 seed=7
 *
 * Each instance makes an instance of the inner engine through the host's
 * instance_new (the inner engine's options checked against its own schema)
 * and forwards every call of the tio_engine table to it. On the way, each
 * read or write draws its fate from a generator seeded by `seed`, so a run
 * with the same seed and the same jobs fails the same IOs:
 *
 *   eio          the IO fails with EIO, without reaching the inner engine
 *   enospc       a write fails with ENOSPC, likewise
 *   short_read   the inner engine is asked for half the bytes: the IO comes
 *   short_write  back short and tenon-io has to issue the rest
 *   delay        the completion is held back this long (delay_rate of IOs)
 *   drop_writes  a write completes successfully without reaching the inner
 *                engine: a lost write, which only verify can catch
 *
 * Syncs and trims pass through untouched.
 *
 * The table is asynchronous whatever the inner engine is, because
 * tenon-io reads an engine's flags from its plugin's table, not from the
 * instance: with a synchronous inner engine every IO still completes inside
 * queue(), as it would without the wrapper (a delay then sleeps in queue(),
 * like a slow device); with an asynchronous one, IOs complete through
 * getevents() and a delay holds a completion back without blocking others.
 * For the same reason io_data_size is a fixed reserve the inner engine's
 * per-IO data must fit in. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tenon/plugin.h>
#include <tenon-io/engine.h>

#include "../common/engine_util.h"

/* Per-IO bytes reserved for the inner engine (libaio needs 64). */
#define FAULTY_IO_DATA 256u

/* With O_DIRECT a shortened IO must stay aligned for the inner engine and
 * for the rest tenon-io issues after it. */
#define FAULTY_DIRECT_ALIGN 4096u

#define NS_PER_SEC 1000000000ull

/* What the wrapper remembers about an IO it passed on. */
typedef struct fault_unit {
    uint64_t len;        /* the IO's real length when it was shortened, else 0 */
    uint64_t release_ns; /* delayed: not returned before this; else 0 */
} fault_unit;

typedef struct faulty_engine {
    tenon_plugin *self;
    tenon_instance *inner;
    const tio_engine *ops;
    void *ied; /* the inner instance's private data */
    bool inner_async;

    /* Options. */
    double eio, enospc, short_read, short_write, delay_rate, drop_writes;
    uint64_t delay_ns;
    uint64_t rng;
    uint64_t drop_rng; /* its own draws: the other faults fall as without it */

    /* Per job thread. */
    tio_io *ios;
    uint32_t n_ios;
    size_t ios_stride; /* bytes between units in ios */
    bool direct;
    fault_unit *units; /* n_ios + 1: the last for IOs outside the units */
    tio_io **ready;    /* completed, to be returned by getevents */
    uint32_t ready_cap, ready_head, ready_tail;
    tio_io **held; /* completed by the inner engine, delay not over */
    uint32_t n_held;
    tio_io **reaped;    /* the inner engine's getevents output */
    uint32_t inner_out; /* accepted by the inner engine, not yet reaped */

    /* What was injected, for the log. */
    uint64_t n_ios_seen, n_eio, n_enospc, n_short, n_delay, n_dropped;
} faulty_engine;

static const tenon_host_api *host;

static int faulty_plugin_init(tenon_plugin *self, const tenon_host_api *api)
{
    (void)self;
    host = api;
    return 0;
}

/* splitmix64: tiny, good enough for fault draws, and the same sequence on
 * every platform for a given seed. */
static uint64_t next_u64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double next_unit(uint64_t *state)
{
    return (double)(next_u64(state) >> 11) * 0x1.0p-53;
}

/* ---- Instances -------------------------------------------------------------- */

/* Reads "k=v,k=v" into new options for the inner engine (*out, freed with
 * host->options_free). Returns 0, or -1 with a reason in *why. */
static int split_options(const char *text, tenon_options **out, const char **why)
{
    *out = NULL;
    char *copy = strdup(text);
    if (!copy || host->options_new(out) < 0) {
        free(copy);
        *why = "out of memory";
        return -1;
    }
    int rc = 0;
    for (char *save = NULL, *item = strtok_r(copy, ",", &save); item && rc == 0;
         item = strtok_r(NULL, ",", &save)) {
        while (*item == ' ')
            item++;
        if (!*item)
            continue;
        char *eq = strchr(item, '=');
        if (!eq || eq == item) {
            *why = "expected key=value items separated by commas";
            rc = -1;
            break;
        }
        *eq = '\0';
        if (host->options_set(*out, item, eq + 1, "engine_options") < 0) {
            *why = "out of memory";
            rc = -1;
        }
    }
    free(copy);
    if (rc < 0) {
        host->options_free(*out);
        *out = NULL;
    }
    return rc;
}

static int faulty_instance_init(tenon_plugin *self, tenon_instance *inst, void *data,
                                const tenon_values *opts)
{
    (void)inst;
    faulty_engine *e = data;
    e->self = self;
    e->eio = host->values_double(opts, "eio");
    e->enospc = host->values_double(opts, "enospc");
    e->short_read = host->values_double(opts, "short_read");
    e->short_write = host->values_double(opts, "short_write");
    e->delay_rate = host->values_double(opts, "delay_rate");
    e->drop_writes = host->values_double(opts, "drop_writes");
    int64_t delay = host->values_int(opts, "delay");
    if (delay < 0)
        return host->fail(self, TENON_EOPTION, "delay cannot be negative");
    e->delay_ns = (uint64_t)delay;
    if (e->eio + e->enospc > 1.0)
        return host->fail(self, TENON_EOPTION,
                          "eio (%g) + enospc (%g) is more than 1: at most every IO can fail",
                          e->eio, e->enospc);
    e->rng = (uint64_t)host->values_int(opts, "seed");
    e->drop_rng = e->rng ^ 0xd1b54a32d192ed03ull;

    const char *name = host->values_string(opts, "engine");
    const char *text = host->values_string(opts, "engine_options");
    tenon_options *inner_opts;
    const char *why = NULL;
    if (split_options(text ? text : "", &inner_opts, &why) < 0)
        return host->fail(self, TENON_EOPTION, "engine_options=\"%s\": %s", text, why);
    int rc = host->instance_create(self, name, TIO_ENGINE_INTERFACE, inner_opts, &e->inner);
    host->options_free(inner_opts);
    if (rc < 0)
        return host->fail(self, rc,
                          "cannot make an instance of the inner engine %s with "
                          "engine_options=\"%s\" (see tenon-io --enghelp=%s)",
                          name, text ? text : "", name);
    e->ops = host->instance_table(e->inner);
    e->ied = host->instance_data(e->inner);
    const tio_engine *o = e->ops;
    if (!o || o->struct_size < offsetof(tio_engine, teardown) + sizeof(o->teardown) ||
        !o->queue) {
        rc = host->fail(self, TENON_EINIT, "inner engine %s has an incomplete %s table", name,
                        TIO_ENGINE_INTERFACE);
        goto fail;
    }
    if (o->flags & TIO_ENGINE_NO_FILES) {
        rc = host->fail(self, TENON_EOPTION,
                        "inner engine %s does no file IO; faulty wraps engines of path "
                        "targets (psync, libaio, io_uring...)",
                        name);
        goto fail;
    }
    if (o->io_data_size > FAULTY_IO_DATA) {
        rc = host->fail(self, TENON_EINIT,
                        "inner engine %s needs %u bytes of per-IO data; faulty reserves %u",
                        name, o->io_data_size, FAULTY_IO_DATA);
        goto fail;
    }
    e->inner_async = !(o->flags & TIO_ENGINE_SYNC);
    if (e->inner_async && !o->getevents) {
        rc = host->fail(self, TENON_EINIT,
                        "inner engine %s is asynchronous but has no "
                        "getevents",
                        name);
        goto fail;
    }
    return 0;
fail:
    host->instance_free(self, e->inner);
    e->inner = NULL;
    return rc;
}

static void release(faulty_engine *e)
{
    free(e->units);
    free(e->ready);
    free(e->held);
    free(e->reaped);
    e->units = NULL;
    e->ready = e->held = e->reaped = NULL;
    e->ios = NULL;
    e->n_ios = e->n_held = e->inner_out = 0;
    e->ready_cap = e->ready_head = e->ready_tail = 0;
}

static void faulty_instance_fini(tenon_plugin *self, tenon_instance *inst, void *data)
{
    (void)inst;
    faulty_engine *e = data;
    if (e->n_ios_seen)
        host->log(self, TENON_LOG_INFO,
                  "%llu IOs: injected %llu EIO, %llu ENOSPC, %llu short, %llu delayed, "
                  "%llu writes dropped",
                  (unsigned long long)e->n_ios_seen, (unsigned long long)e->n_eio,
                  (unsigned long long)e->n_enospc, (unsigned long long)e->n_short,
                  (unsigned long long)e->n_delay, (unsigned long long)e->n_dropped);
    release(e);
    if (e->inner)
        host->instance_free(self, e->inner);
    e->inner = NULL;
}

/* ---- The engine ------------------------------------------------------------ */

static int faulty_open_file(void *engine, tio_file *file)
{
    faulty_engine *e = engine;
    return e->ops->open_file ? e->ops->open_file(e->ied, file) : 0;
}

static int faulty_close_file(void *engine, tio_file *file)
{
    faulty_engine *e = engine;
    return e->ops->close_file ? e->ops->close_file(e->ied, file) : 0;
}

static int faulty_setup(void *engine, const tio_setup *setup)
{
    faulty_engine *e = engine;
    release(e);
    uint32_t n = setup->n_ios;
    e->ios = setup->ios;
    e->ios_stride = tio_setup_ios_stride(setup);
    e->n_ios = n;
    e->direct = (setup->flags & TIO_OPEN_DIRECT) != 0;
    e->units = calloc(n + 1, sizeof(*e->units));
    e->ready_cap = n + 1;
    e->ready = calloc(e->ready_cap, sizeof(*e->ready));
    e->held = calloc(n + 1, sizeof(*e->held));
    e->reaped = calloc(n + 1, sizeof(*e->reaped));
    if (!e->units || !e->ready || !e->held || !e->reaped) {
        release(e);
        return -ENOMEM;
    }
    return e->ops->setup ? e->ops->setup(e->ied, setup) : 0;
}

static fault_unit *unit_of(faulty_engine *e, const tio_io *io)
{
    uintptr_t p = (uintptr_t)io, base = (uintptr_t)e->ios;
    /* a unit's index is its place among the units, ios_stride apart */
    if (e->ios && p >= base && p < base + (uintptr_t)e->n_ios * e->ios_stride &&
        io->index < e->n_ios)
        return &e->units[io->index];
    return &e->units[e->n_ios];
}

/* The IO is back from the inner engine: undo the shortening (tenon-io sees
 * the full request and a short result) and say whether it must wait. */
static bool restore(fault_unit *u, tio_io *io, uint64_t now)
{
    if (u->len) {
        io->len = u->len;
        u->len = 0;
    }
    bool hold = u->release_ns > now;
    if (!hold)
        u->release_ns = 0;
    return hold;
}

static int faulty_queue(void *engine, tio_io *io)
{
    faulty_engine *e = engine;
    fault_unit *u = unit_of(e, io);
    bool delay = false;
    if (io->ddir == TIO_READ || io->ddir == TIO_WRITE) {
        /* Four draws per IO whatever happens, so one fault's rate does not
         * shift which IOs get the others. */
        double d_eio = next_unit(&e->rng), d_enospc = next_unit(&e->rng);
        double d_short = next_unit(&e->rng), d_delay = next_unit(&e->rng);
        double d_drop = next_unit(&e->drop_rng);
        e->n_ios_seen++;
        if (d_eio < e->eio) {
            e->n_eio++;
            io->result = -EIO;
            return TIO_COMPLETED;
        }
        if (io->ddir == TIO_WRITE && d_enospc < e->enospc) {
            e->n_enospc++;
            io->result = -ENOSPC;
            return TIO_COMPLETED;
        }
        if (io->ddir == TIO_WRITE && d_drop < e->drop_writes) {
            e->n_dropped++;
            io->result = (int64_t)io->len;
            return TIO_COMPLETED;
        }
        double short_rate = io->ddir == TIO_READ ? e->short_read : e->short_write;
        if (d_short < short_rate) {
            uint64_t half = io->len / 2;
            if (e->direct)
                half -= half % FAULTY_DIRECT_ALIGN;
            if (half) {
                e->n_short++;
                u->len = io->len;
                io->len = half;
            }
        }
        if (e->delay_ns && d_delay < e->delay_rate) {
            e->n_delay++;
            delay = true;
        }
    }

    int rc = e->ops->queue(e->ied, io);
    uint64_t now = 0;
    if (delay) {
        now = eng_now_ns();
        u->release_ns = now + e->delay_ns;
    }
    if (rc == TIO_QUEUED) {
        e->inner_out++;
        return TIO_QUEUED;
    }
    if (rc != TIO_COMPLETED) {
        /* Busy or failed: the IO did not happen, so neither did its faults. */
        u->release_ns = 0;
        if (u->len) {
            io->len = u->len;
            u->len = 0;
        }
        return rc;
    }
    if (!restore(u, io, now))
        return TIO_COMPLETED;
    if (!e->inner_async) {
        /* A synchronous device that is slow: the caller waits. */
        struct timespec ts = {(time_t)(e->delay_ns / NS_PER_SEC),
                              (long)(e->delay_ns % NS_PER_SEC)};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
        u->release_ns = 0;
        return TIO_COMPLETED;
    }
    e->held[e->n_held++] = io;
    return TIO_QUEUED;
}

static int faulty_commit(void *engine)
{
    faulty_engine *e = engine;
    return e->ops->commit ? e->ops->commit(e->ied) : 0;
}

/* Moves held IOs whose delay is over to the ready ring; returns the
 * earliest release still pending (UINT64_MAX: none). */
static uint64_t release_due(faulty_engine *e, uint64_t now)
{
    uint64_t next = UINT64_MAX;
    for (uint32_t i = 0; i < e->n_held;) {
        tio_io *io = e->held[i];
        fault_unit *u = unit_of(e, io);
        if (u->release_ns <= now) {
            u->release_ns = 0;
            e->ready[e->ready_tail++ % e->ready_cap] = io;
            e->held[i] = e->held[--e->n_held];
        } else {
            if (u->release_ns < next)
                next = u->release_ns;
            i++;
        }
    }
    return next;
}

static unsigned take_ready(faulty_engine *e, unsigned got, unsigned max, tio_io **events)
{
    while (got < max && e->ready_head != e->ready_tail)
        events[got++] = e->ready[e->ready_head++ % e->ready_cap];
    return got;
}

static int faulty_getevents(void *engine, unsigned min, unsigned max, tio_io **events,
                            int64_t timeout_ns)
{
    faulty_engine *e = engine;
    uint64_t deadline = timeout_ns < 0 ? UINT64_MAX : eng_now_ns() + (uint64_t)timeout_ns;
    unsigned got = 0;
    bool polled = false;
    for (;;) {
        uint64_t now = eng_now_ns();
        uint64_t next = release_due(e, now);
        got = take_ready(e, got, max, events);
        if (got >= max || (got >= min && (min > 0 || polled)))
            return (int)got;
        if (!e->inner_out && !e->n_held)
            return (int)got;
        if (polled && now >= deadline)
            return (int)got;
        uint64_t until = next < deadline ? next : deadline;
        int64_t wait = min == 0              ? 0
                       : until == UINT64_MAX ? -1
                       : until > now         ? (int64_t)(until - now)
                                             : 0;
        if (e->inner_out) {
            /* Wake for the first completion: a held IO may come due before
             * the inner engine has min of its own. */
            int n = e->ops->getevents(e->ied, wait == 0 ? 0 : 1, e->inner_out, e->reaped, wait);
            if (n < 0)
                return got ? (int)got : n;
            uint64_t t = eng_now_ns();
            for (int i = 0; i < n; i++) {
                tio_io *io = e->reaped[i];
                e->inner_out--;
                if (restore(unit_of(e, io), io, t))
                    e->held[e->n_held++] = io;
                else
                    e->ready[e->ready_tail++ % e->ready_cap] = io;
            }
        } else if (wait > 0) {
            struct timespec ts = {(time_t)((uint64_t)wait / NS_PER_SEC),
                                  (long)((uint64_t)wait % NS_PER_SEC)};
            nanosleep(&ts, NULL);
        }
        polled = true;
    }
}

static void faulty_teardown(void *engine)
{
    faulty_engine *e = engine;
    if (e->ops->teardown)
        e->ops->teardown(e->ied);
    release(e);
}

static const tio_engine faulty_table = {
    .struct_size = sizeof(tio_engine),
    .version = TIO_ENGINE_VERSION,
    .flags = 0, /* see the top of the file */
    .io_data_size = FAULTY_IO_DATA,
    .open_file = faulty_open_file,
    .close_file = faulty_close_file,
    .setup = faulty_setup,
    .queue = faulty_queue,
    .commit = faulty_commit,
    .getevents = faulty_getevents,
    .teardown = faulty_teardown,
};

TENON_PLUGIN(faulty,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "fault injection: wraps another engine of path targets (psync, "
                       "libaio, io_uring...) and fails, shortens, delays or drops its IOs at given "
                       "rates, reproducibly per seed",
        .license = "MIT",
        /* Never chosen unless named. */
        .provides = {{TIO_ENGINE_INTERFACE, TIO_ENGINE_VERSION, .rank = -100}},
        .options = {
            {"engine", TENON_OPT_STRING, .def = "psync",
             .help = "the engine whose IO is wrapped"},
            {"engine_options", TENON_OPT_STRING, .def = "",
             .help = "options for the wrapped engine, as key=value,key=value"},
            {"eio", TENON_OPT_DOUBLE, .def = "0", .min = 0, .max = 1,
             .help = "fraction of reads and writes that fail with EIO"},
            {"enospc", TENON_OPT_DOUBLE, .def = "0", .min = 0, .max = 1,
             .help = "fraction of writes that fail with ENOSPC"},
            {"short_read", TENON_OPT_DOUBLE, .def = "0", .min = 0, .max = 1,
             .help = "fraction of reads that transfer only half their bytes"},
            {"short_write", TENON_OPT_DOUBLE, .def = "0", .min = 0, .max = 1,
             .help = "fraction of writes that transfer only half their bytes"},
            {"delay", TENON_OPT_DURATION, .def = "0",
             .help = "extra latency added to delayed IOs (e.g. 20ms)"},
            {"delay_rate", TENON_OPT_DOUBLE, .def = "1", .min = 0, .max = 1,
             .help = "fraction of reads and writes that get the delay"},
            {"drop_writes", TENON_OPT_DOUBLE, .def = "0", .min = 0, .max = 1,
             .help = "fraction of writes that report success without being written (lost "
                     "writes, for testing verify)"},
            {"seed", TENON_OPT_INT, .def = "0",
             .help = "seed of the fault draws: the same seed fails the same IOs"},
        },
        .meta = {{TIO_META_TARGETS, "path"}},
    ),
    TENON_CODE(
        .init = faulty_plugin_init,
        TENON_IMPLEMENTS(TENON_IMPL(TIO_ENGINE_INTERFACE, &faulty_table,
                                    TENON_INSTANCE_OF(faulty_engine),
                                    .instance_init = faulty_instance_init,
                                    .instance_fini = faulty_instance_fini)),
    ));
