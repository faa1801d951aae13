/* The tenon-io engine interface: "tenon-io.engine", version 1.
 *
 * An IO engine is an ordinary tenon plugin that provides this interface.
 * tenon-io makes one instance of the engine per job thread (the engine's
 * private data, sized by TENON_INSTANCE_OF(), is per thread, as fio's
 * engine data is), with the job's engine options checked against the
 * engine's descriptor first. Every call below receives that private data.
 *
 * Targets: an engine declares in its descriptor which targets it accepts,
 * with the metadata key "tenon-io.targets": "path" (files and block
 * devices, the default) or a comma-separated list of URI schemes such as
 * "nbd,nbd+unix". tenon-io routes each job's targets to the engine that
 * claims them, so engines for remote endpoints slot in without any change
 * to tenon-io. For "path" engines tenon-io opens the file (creating and
 * sizing it, O_DIRECT, device safety checks) and passes the fd; engines for
 * URI targets open the target themselves in open_file.
 *
 * The IO path: queue() either completes the IO at once (TIO_COMPLETED) or
 * accepts it (TIO_QUEUED); commit() submits what was queued; getevents()
 * returns completed IOs. Synchronous engines set TIO_ENGINE_SYNC and only
 * implement queue(). Nothing on this path may allocate, lock or log.
 *
 * Like every tenon interface table, struct tio_engine starts with its size
 * and version and only grows at the end; so do the structs passed in.
 */
#ifndef TENON_IO_ENGINE_H
#define TENON_IO_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <tenon/plugin.h> /* tenon_plugin, tenon_host_api */

#ifdef __cplusplus
extern "C" {
#endif

#define TIO_ENGINE_INTERFACE "tenon-io.engine"
#define TIO_ENGINE_VERSION 1u

/* Descriptor metadata key naming the targets an engine accepts. */
#define TIO_META_TARGETS "tenon-io.targets"

/* Data directions. */
typedef enum tio_io_dir {
    TIO_READ = 0,
    TIO_WRITE = 1,
    TIO_TRIM = 2,
    TIO_SYNC = 3,     /* fsync(2) semantics: offset and len unused */
    TIO_DATASYNC = 4, /* fdatasync(2) semantics */
} tio_io_dir;

/* How a file is opened. */
enum {
    TIO_OPEN_READ = 1u << 0,
    TIO_OPEN_WRITE = 1u << 1,
    TIO_OPEN_DIRECT = 1u << 2, /* O_DIRECT: buffers and offsets are aligned */
    TIO_OPEN_CREATE = 1u << 3,
};

/* One target of a job: a file, a device, or a URI. A tio_file belongs to
 * one engine instance (one job thread); engines keep per-file state in
 * engine_data (an engine such as sync may rely on the fd's file position,
 * since no other thread uses the fd). */
typedef struct tio_file {
    uint32_t struct_size;
    uint32_t index;      /* position in the job's file list */
    const char *name;    /* the target as the job names it */
    int fd;              /* open fd for "path" engines; -1 otherwise */
    uint32_t open_flags; /* TIO_OPEN_* */
    uint64_t size;       /* bytes: set by tenon-io for paths, by open_file for URIs */
    void *engine_data;   /* the engine's per-file state */
} tio_file;

/* One IO unit; tenon-io owns them (iodepth per thread) and their buffers. */
typedef struct tio_io {
    uint64_t offset;
    uint64_t len;
    void *buf;
    tio_file *file;
    uint32_t ddir;     /* tio_io_dir */
    uint32_t index;    /* position among the thread's units: 0 .. n_ios-1 */
    int64_t result;    /* set by the engine: bytes transferred (len for a
                       successful TIO_TRIM, 0 for a successful TIO_SYNC or
                       TIO_DATASYNC), or -errno. Fewer bytes than len is a
                       short IO: tenon-io submits the rest itself. */
    void *engine_data; /* io_data_size bytes reserved for the engine, aligned
                          to at least alignof(max_align_t), or NULL */
    uint64_t start_ns; /* tenon-io's: when the IO was queued */
    uint64_t issue_ns; /* tenon-io's: when it was committed */
    void *host_data;   /* tenon-io's */
    /* The IO's own priority (Linux's ioprio value: class << 13 | level),
     * or TIO_IOPRIO_THREAD: the job thread's own. Set only for engines
     * with TIO_ENGINE_IOPRIO, for reads and writes of jobs that ask for
     * per-IO priorities (cmdprio_percentage, cmdprio_bssplit). Read it
     * only when tio_setup_has_ioprio(): a host older than the field has
     * none. */
    int32_t ioprio;
} tio_io;

#define TIO_IOPRIO_THREAD (-1)

/* What tenon-io tells an engine instance when its job thread starts. */
typedef struct tio_setup {
    uint32_t struct_size;
    uint32_t iodepth; /* at most this many IOs are in flight */
    const char *job_name;
    tio_io *ios; /* the thread's units, n_ios of them, ios_stride
                           bytes apart */
    uint32_t n_ios;
    uint32_t flags; /* TIO_OPEN_DIRECT when the job is direct=1 */
    void *buffers;  /* one area holding every unit's buffer (for
                           registration: io_uring fixed buffers) */
    size_t buffers_len;
    size_t buffer_size; /* bytes per unit buffer; unit i's is at i * buffer_size */
    tio_file **files;   /* the job's files, opened */
    uint32_t n_files;
    size_t ios_stride;    /* bytes from one unit in ios to the next: the
                           tio_io of the host, which may have grown since
                           the engine was built. Read it with tio_setup_io(),
                           never ios[i]: a host older than this field does
                           not set it (struct_size says so). */
    tenon_plugin *plugin; /* the engine's own plugin, for the host API
                           table's calls (fail() above all), so that an
                           engine keeps no plugin handle in a global. Read
                           it with tio_setup_plugin(). */
} tio_setup;

/* setup->plugin, or NULL from a host older than the field. */
static inline tenon_plugin *tio_setup_plugin(const tio_setup *setup)
{
    if (setup->struct_size >= offsetof(tio_setup, plugin) + sizeof(setup->plugin))
        return setup->plugin;
    return NULL;
}

/* Unit i of setup->ios, wherever the host's units are apart. */
static inline size_t tio_setup_ios_stride(const tio_setup *setup)
{
    if (setup->struct_size >= offsetof(tio_setup, ios_stride) + sizeof(setup->ios_stride) &&
        setup->ios_stride)
        return setup->ios_stride;
    return sizeof(tio_io);
}

static inline tio_io *tio_setup_io(const tio_setup *setup, uint32_t i)
{
    return (tio_io *)(void *)((char *)setup->ios + (size_t)i * tio_setup_ios_stride(setup));
}

/* Whether the host's units have the ioprio field: read it only then. */
static inline bool tio_setup_has_ioprio(const tio_setup *setup)
{
    return tio_setup_ios_stride(setup) >= offsetof(tio_io, ioprio) + sizeof(int32_t);
}

/* Return values of queue(). */
enum {
    TIO_COMPLETED = 0, /* done; result is set */
    TIO_QUEUED = 1,    /* accepted; it completes through getevents() */
    TIO_BUSY = 2,      /* no room now: commit and reap, then queue again */
};

/* Engine flags. */
enum {
    /* queue() always completes the IO itself; commit/getevents unused. */
    TIO_ENGINE_SYNC = 1u << 0,
    /* The engine needs no files at all (null): tenon-io opens nothing. */
    TIO_ENGINE_NO_FILES = 1u << 1,
    /* queue() issues an IO at its ioprio: the job may
     * give its IOs priorities of their own (cmdprio_*). */
    TIO_ENGINE_IOPRIO = 1u << 2,
};

typedef struct tio_engine {
    uint32_t struct_size;  /* sizeof(tio_engine) */
    uint32_t version;      /* TIO_ENGINE_VERSION */
    uint32_t flags;        /* TIO_ENGINE_* */
    uint32_t io_data_size; /* per-unit bytes tenon-io reserves for the engine */

    /* Per-file hooks, called once per file before setup and after the last
     * IO. For "path" engines the file is already open (file->fd); URI
     * engines connect here and set file->size. Optional. Return 0 or
     * -errno; tenon-io reports which target failed. */
    int (*open_file)(void *engine, tio_file *file);
    int (*close_file)(void *engine, tio_file *file);

    /* Once per thread, after the files are open. Optional. Returns 0 or
     * -errno; an engine that wants its reason shown records it with the
     * host API table's fail(tio_setup_plugin(setup), ...) before returning,
     * and tenon-io reports that reason as the job's error. */
    int (*setup)(void *engine, const tio_setup *setup);

    /* Starts one IO. Returns TIO_COMPLETED, TIO_QUEUED, TIO_BUSY, or -errno
     * for a failure of the engine itself (an IO that fails sets result to
     * -errno and returns TIO_COMPLETED, or completes later). An asynchronous
     * engine may answer TIO_BUSY for a sync or trim until what was queued
     * before it has completed; tenon-io issues syncs only when nothing else
     * is in flight. A queued sync completes through getevents like any IO. */
    int (*queue)(void *engine, tio_io *io);

    /* Submits the IOs queued since the last commit. Optional. */
    int (*commit)(void *engine);

    /* Waits until at least min IOs completed or timeout_ns passed (< 0:
     * no limit), stores up to max completed IOs in events and returns how
     * many, or -errno. min is at most what is in flight; min 0 is a poll;
     * fewer than min when the timeout passes is not an error. */
    int (*getevents)(void *engine, unsigned min, unsigned max, tio_io **events,
                     int64_t timeout_ns);

    /* Once per thread, after every IO completed and before close_file. */
    void (*teardown)(void *engine);
} tio_engine;

#ifdef __cplusplus
}
#endif

#endif
