/* The cpuio engine: no IO at all; each IO is one cycle that burns the CPU
 * for cpuchunks microseconds and then idles, so that the burn is cpuload
 * percent of the cycle (fio's cpuio). cpumode=noop burns in a loop that
 * only reads the clock; cpumode=qsort sorts 256Ki integers four times
 * instead, as fio's does, and then the cycle is as long as the sorts took.
 *
 * As fio's, the cycles are pseudo IO (TIO_ENGINE_NO_IO): no size= bounds
 * them, so the job runs until its runtime ends or, with exit_on_io_done=1,
 * until the run's jobs that do real IO are done (or, with neither, until
 * it is stopped, as in fio). Where tenon-io differs (docs/jobfile.md, the
 * engines): fio runs the idle part as the job's think time, outside the
 * IO; here it is in the IO, whose latency is the whole cycle. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tenon/plugin.h>
#include <tenon-io/engine.h>

#include "../common/engine_util.h"

/* fio's qsort mode: 256Ki 32-bit integers. */
#define CPUIO_QSORT_N (256u << 10)

typedef struct cpuio_engine {
    uint64_t load;     /* percent of each cycle that burns: 1..100 */
    uint64_t chunk_us; /* the burn of one cycle (cpuchunks) */
    bool qsort;
    bool exit_on_io_done;
    tio_io_jobs_fn io_jobs_running; /* the host's, for exit_on_io_done */
    int32_t *data;                  /* qsort mode: what is sorted */
} cpuio_engine;

static const tenon_host_api *host;

static int cpuio_init(tenon_plugin *self, const tenon_host_api *api)
{
    (void)self;
    host = api;
    return 0;
}

static int cpuio_instance_init(tenon_plugin *self, tenon_instance *inst, void *data,
                               const tenon_values *opts)
{
    (void)inst;
    cpuio_engine *e = data;
    e->load = (uint64_t)host->values_int(opts, "cpuload");
    e->chunk_us = (uint64_t)host->values_int(opts, "cpuchunks");
    e->qsort = strcmp(host->values_string(opts, "cpumode"), "qsort") == 0;
    if (!e->load)
        return host->fail(self, TENON_EOPTION,
                          "cpuio needs cpuload=, the percent of the CPU to burn (1 to 100)");
    e->exit_on_io_done = host->values_bool(opts, "exit_on_io_done");
    return 0;
}

static void cpuio_instance_fini(tenon_plugin *self, tenon_instance *inst, void *data)
{
    (void)self;
    (void)inst;
    cpuio_engine *e = data;
    free(e->data);
    e->data = NULL;
}

static int cpuio_setup(void *engine, const tio_setup *setup)
{
    cpuio_engine *e = engine;
    e->io_jobs_running = tio_setup_io_jobs_running(setup);
    if (e->exit_on_io_done && !e->io_jobs_running) {
        tenon_plugin *self = tio_setup_plugin(setup);
        if (self)
            host->fail(self, TENON_EOPTION,
                       "exit_on_io_done=1 needs a tenon-io that tells engines whether "
                       "other jobs still do IO; this one does not");
        return -ENOTSUP;
    }
    if (!e->qsort || e->data)
        return 0;
    e->data = malloc(CPUIO_QSORT_N * sizeof(*e->data));
    if (!e->data)
        return -ENOMEM;
    /* fio's multiply-with-carry generator and seeds: the same data */
    uint32_t w = 521288629u, z = 362436069u;
    for (uint32_t i = 0; i < CPUIO_QSORT_N; i++) {
        z = 36969u * (z & 65535u) + (z >> 16);
        w = 18000u * (w & 65535u) + (w >> 16);
        e->data[i] = (int32_t)((z << 16) + w);
    }
    return 0;
}

static int cmp_up(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static int cmp_down(const void *a, const void *b)
{
    return cmp_up(b, a);
}

static int cmp_bytes(const void *a, const void *b)
{
    return *(const int8_t *)a - *(const int8_t *)b;
}

/* fio's four sorts: up, down, by byte, down again. */
static void burn_qsort(int32_t *data)
{
    qsort(data, CPUIO_QSORT_N, sizeof(*data), cmp_up);
    qsort(data, CPUIO_QSORT_N, sizeof(*data), cmp_down);
    qsort(data, (size_t)CPUIO_QSORT_N * 4, 1, cmp_bytes);
    qsort(data, CPUIO_QSORT_N, sizeof(*data), cmp_down);
}

static void idle_until(uint64_t end)
{
    for (uint64_t now = eng_now_ns(); now < end; now = eng_now_ns()) {
        struct timespec ts = {(time_t)((end - now) / 1000000000u),
                              (long)((end - now) % 1000000000u)};
        nanosleep(&ts, NULL);
    }
}

static int cpuio_queue(void *engine, tio_io *io)
{
    cpuio_engine *e = engine;
    /* fio's check, before each cycle: no job doing real IO runs or waits */
    if (e->exit_on_io_done && !e->io_jobs_running())
        return TIO_DONE;
    uint64_t start = eng_now_ns(), burn_ns;
    if (e->qsort) {
        burn_qsort(e->data);
        burn_ns = eng_now_ns() - start;
    } else {
        burn_ns = e->chunk_us * 1000u;
        while (eng_now_ns() - start < burn_ns)
            ;
    }
    /* the idle part: burn x (100 - load) / load, fio's think time */
    idle_until(start + burn_ns + burn_ns * (100u - e->load) / e->load);
    io->result = (int64_t)io->len;
    return TIO_COMPLETED;
}

static const tio_engine cpuio_table = {
    .struct_size = sizeof(tio_engine),
    .version = TIO_ENGINE_VERSION,
    .flags = TIO_ENGINE_SYNC | TIO_ENGINE_NO_FILES | TIO_ENGINE_NO_IO,
    .setup = cpuio_setup,
    .queue = cpuio_queue,
};

TENON_PLUGIN(cpuio,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "no IO: each IO burns the CPU for cpuchunks us (a loop, or qsort) "
                       "and idles so the burn is cpuload% of it (fio's cpuio)",
        .license = "MIT",
        /* Never chosen for a job that names no engine: it moves no data. */
        .provides = {{TIO_ENGINE_INTERFACE, TIO_ENGINE_VERSION, .rank = -100}},
        .options = {
            {"cpuload", TENON_OPT_INT, .def = "0", .min = 0, .max = 100,
             .help = "percent of the CPU the job burns, 1 to 100 (of one CPU: numjobs= "
                     "for more); required"},
            {"cpumode", TENON_OPT_ENUM, .def = "noop", .choices = "noop|qsort",
             .help = "noop: a busy loop; qsort: sorting 256Ki integers (more energy per "
                     "cycle)"},
            {"cpuchunks", TENON_OPT_INT, .def = "50000", .min = 1, .max = 1000000000,
             .help = "microseconds each cycle burns (noop; qsort takes as long as its sorts)"},
            {"exit_on_io_done", TENON_OPT_BOOL, .def = "false",
             .help = "end the job once no job of the run that does real IO is running or "
                     "still to start"},
        },
        .meta = {{TIO_META_TARGETS, "path"}},
    ),
    TENON_CODE(
        .init = cpuio_init,
        TENON_IMPLEMENTS(TENON_IMPL(TIO_ENGINE_INTERFACE, &cpuio_table,
                                    TENON_INSTANCE_OF(cpuio_engine),
                                    .instance_init = cpuio_instance_init,
                                    .instance_fini = cpuio_instance_fini)),
    ));
