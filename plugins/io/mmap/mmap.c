/* The mmap engine: each file is mapped shared, and an IO is a memcpy
 * between the mapping and the IO buffer (fio's mmap).
 *
 * A file is mapped whole when it fits in ENG_MMAP_WHOLE_MAX (or the
 * window option's size), so the IO path is one bounds check and a copy.
 * Larger files (or a whole-file mapping the kernel refuses) are mapped on
 * demand, one window at a time, at the cost of a remap when an IO falls
 * outside the current window.
 *
 * A mapping has the size of the file at open_file: like a block device,
 * an IO crossing the end is cut short there, a write starting at or past
 * the end fails with ENOSPC and a read there returns 0. O_DIRECT has no
 * meaning for a mapping: the page cache is always used.
 *
 * Blocks are allocated before a write touches them through the mapping
 * (backing.h), so a full filesystem fails the IO with ENOSPC instead of
 * killing the run with SIGBUS. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <tenon/plugin.h>
#include <tenon-io/engine.h>

#include "../common/engine_util.h"
#include "backing.h"

/* Whole-file mappings up to this size; the address space of a 64-bit
 * process has room for several. */
#define ENG_MMAP_WHOLE_MAX (sizeof(void *) >= 8 ? (uint64_t)1 << 40 : (uint64_t)1 << 28)
/* The window when a whole-file mapping is refused (ENOMEM). */
#define ENG_MMAP_FALLBACK_WINDOW ((uint64_t)256 << 20)

typedef struct mmap_file {
    uint8_t *base;    /* the current mapping, or NULL */
    uint64_t map_off; /* file offset of base (page-aligned) */
    uint64_t map_len;
    uint64_t size;   /* file size: IOs are bounded by it */
    uint64_t window; /* 0 when the file is mapped whole */
    int prot;
    int fd;
    unsigned kind;
    mmap_backing backing;
} mmap_file;

typedef struct mmap_engine {
    uint64_t window; /* option: map at most this much at a time; 0 = auto */
    int advice;      /* madvise() advice, or -1 for none */
    size_t page;
} mmap_engine;

static const tenon_host_api *host;

static int mmap_init(tenon_plugin *self, const tenon_host_api *api)
{
    (void)self;
    host = api;
    return 0;
}

static int mmap_instance_init(tenon_plugin *self, tenon_instance *inst, void *data,
                              const tenon_values *opts)
{
    (void)inst;
    mmap_engine *e = data;
    long page = sysconf(_SC_PAGESIZE);
    e->page = page > 0 ? (size_t)page : 4096;
    int64_t window = host->values_int(opts, "window");
    /* Windows start on page boundaries, so whole pages are what count. */
    e->window = ((uint64_t)window + e->page - 1) & ~(uint64_t)(e->page - 1);

    const char *advise = host->values_string(opts, "advise");
    if (!advise || strcmp(advise, "normal") == 0)
        e->advice = -1;
    else if (strcmp(advise, "random") == 0)
        e->advice = MADV_RANDOM;
    else if (strcmp(advise, "sequential") == 0)
        e->advice = MADV_SEQUENTIAL;
    else if (strcmp(advise, "willneed") == 0)
        e->advice = MADV_WILLNEED;
    else
        return host->fail(self, TENON_EOPTRANGE,
                          "advise=%s is not one of normal, random, "
                          "sequential, willneed",
                          advise);
    return 0;
}

static void mmap_unmap(mmap_file *mf)
{
    if (mf->base)
        munmap(mf->base, mf->map_len);
    mf->base = NULL;
    mf->map_len = 0;
}

/* Maps [off, off + len) of the file. Returns 0 or -errno. */
static int mmap_map(const mmap_engine *e, mmap_file *mf, uint64_t off, uint64_t len)
{
    mmap_unmap(mf);
    void *p = mmap(NULL, (size_t)len, mf->prot, MAP_SHARED, mf->fd, (off_t)off);
    if (p == MAP_FAILED)
        return -errno;
    mf->base = p;
    mf->map_off = off;
    mf->map_len = len;
    if (e->advice >= 0)
        (void)madvise(p, (size_t)len, e->advice);
    return 0;
}

static int mmap_open_file(void *engine, tio_file *file)
{
    const mmap_engine *e = engine;
    file->engine_data = NULL;
    mmap_file *mf = calloc(1, sizeof(*mf));
    if (!mf)
        return -ENOMEM;
    mf->fd = file->fd;
    mf->size = file->size;
    mf->kind = eng_probe_kind(file->fd);
    mf->prot = 0;
    if (file->open_flags & TIO_OPEN_READ)
        mf->prot |= PROT_READ;
    if (file->open_flags & TIO_OPEN_WRITE)
        mf->prot |= PROT_WRITE;
    if (!mf->prot)
        mf->prot = PROT_READ;

    uint64_t whole_max = e->window ? e->window : ENG_MMAP_WHOLE_MAX;
    int rc = mmap_backing_init(&mf->backing, mf->fd, mf->size, mf->kind == ENG_KIND_FILE,
                               e->page);
    if (rc < 0) {
        free(mf);
        return rc;
    }
    if (mf->size == 0) {
        /* mmap() refuses length 0; every IO is past the end anyway. Still
         * fail on a bad fd now, as the mapping would have. */
        if (fcntl(file->fd, F_GETFD) < 0)
            rc = -errno;
    } else if (mf->size <= whole_max) {
        rc = mmap_map(e, mf, 0, mf->size);
        if (rc == -ENOMEM) {
            mf->window = ENG_MMAP_FALLBACK_WINDOW;
            rc = mmap_map(e, mf, 0, mf->size < mf->window ? mf->size : mf->window);
        }
    } else {
        mf->window = e->window ? e->window : ENG_MMAP_WHOLE_MAX;
        rc = mmap_map(e, mf, 0, mf->window);
    }
    if (rc < 0) {
        mmap_backing_free(&mf->backing);
        free(mf);
        return rc;
    }
    file->engine_data = mf;
    return 0;
}

static int mmap_close_file(void *engine, tio_file *file)
{
    (void)engine;
    mmap_file *mf = file->engine_data;
    if (!mf)
        return 0;
    mmap_unmap(mf);
    mmap_backing_free(&mf->backing);
    free(mf);
    file->engine_data = NULL;
    return 0;
}

/* Moves the window so that it holds [off, off + len), which lies inside
 * the file. Returns 0 or -errno. */
static int mmap_slide(const mmap_engine *e, mmap_file *mf, uint64_t off, uint64_t len)
{
    uint64_t start = off & ~(uint64_t)(e->page - 1);
    uint64_t need = off + len - start;
    uint64_t map_len = mf->window > need ? mf->window : need;
    if (map_len > mf->size - start)
        map_len = mf->size - start;
    return mmap_map(e, mf, start, map_len);
}

static int64_t mmap_sync(mmap_file *mf, uint32_t ddir)
{
    if (mf->base && msync(mf->base, (size_t)mf->map_len, MS_SYNC) != 0)
        return -(int64_t)errno;
    /* Pages written through earlier windows are no longer mapped: only the
     * fd reaches them. */
    return mf->window ? eng_sync(mf->fd, ddir) : 0;
}

/* An IO over a range with holes, through the file descriptor: a read
 * returns zeros without allocating, a write allocates and reports ENOSPC
 * itself. The shared mapping sees the same page cache. */
static int64_t by_fd(const mmap_file *mf, const tio_io *io, uint64_t len)
{
    ssize_t n;
    do
        n = io->ddir == TIO_READ
                ? pread(mf->fd, io->buf, eng_xfer_len(len), (off_t)io->offset)
                : pwrite(mf->fd, io->buf, eng_xfer_len(len), (off_t)io->offset);
    while (n < 0 && errno == EINTR);
    return n < 0 ? -(int64_t)errno : (int64_t)n;
}

static int mmap_queue(void *engine, tio_io *io)
{
    const mmap_engine *e = engine;
    mmap_file *mf = io->file->engine_data;
    if (!mf) {
        io->result = -EBADF;
        return TIO_COMPLETED;
    }

    switch (io->ddir) {
    case TIO_READ:
    case TIO_WRITE:
        break;
    case TIO_SYNC:
    case TIO_DATASYNC:
        io->result = mmap_sync(mf, io->ddir);
        return TIO_COMPLETED;
    case TIO_TRIM:
        io->result = eng_trim(mf->fd, mf->kind, io->offset, io->len);
        mmap_backing_forget(&mf->backing, io->offset, io->len);
        return TIO_COMPLETED;
    default:
        io->result = -EINVAL;
        return TIO_COMPLETED;
    }

    if (io->offset >= mf->size) {
        io->result = io->ddir == TIO_READ ? 0 : -ENOSPC;
        return TIO_COMPLETED;
    }
    uint64_t len = mf->size - io->offset < io->len ? mf->size - io->offset : io->len;
    int way = mmap_backing_prepare(&mf->backing, io->ddir == TIO_WRITE, io->offset, len);
    if (way != MMAP_BY_MAPPING) {
        io->result = way < 0 ? way : by_fd(mf, io, len);
        return TIO_COMPLETED;
    }
    if (io->offset < mf->map_off || io->offset + len > mf->map_off + mf->map_len || !mf->base) {
        int rc = mmap_slide(e, mf, io->offset, len);
        if (rc < 0) {
            io->result = rc;
            return TIO_COMPLETED;
        }
    }
    uint8_t *at = mf->base + (io->offset - mf->map_off);
    if (io->ddir == TIO_READ)
        memcpy(io->buf, at, (size_t)len);
    else
        memcpy(at, io->buf, (size_t)len);
    io->result = (int64_t)len;
    return TIO_COMPLETED;
}

static const tio_engine mmap_table = {
    .struct_size = sizeof(tio_engine),
    .version = TIO_ENGINE_VERSION,
    .flags = TIO_ENGINE_SYNC,
    .open_file = mmap_open_file,
    .close_file = mmap_close_file,
    .queue = mmap_queue,
};

TENON_PLUGIN(mmap,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "maps each file shared and copies between the mapping and the IO "
                       "buffers (fio's mmap); needs the file opened for reading; allocates "
                       "blocks before writing (ENOSPC, not SIGBUS)",
        .license = "MIT",
        .provides = {{TIO_ENGINE_INTERFACE, TIO_ENGINE_VERSION, .rank = 20}},
        .options = {
            {"window", TENON_OPT_SIZE, .def = "0", .min = 0, .max = (int64_t)1 << 50,
             .help = "map at most this many bytes of a file at a time, moving the window "
                     "on demand; 0 maps files up to 1 TiB whole"},
            {"advise", TENON_OPT_ENUM, .def = "normal",
             .choices = "normal|random|sequential|willneed",
             .help = "madvise() advice for the mappings (fio advises by the rw pattern)"},
        },
        .meta = {{TIO_META_TARGETS, "path"}},
    ),
    TENON_CODE(
        .init = mmap_init,
        TENON_IMPLEMENTS(TENON_IMPL(TIO_ENGINE_INTERFACE, &mmap_table,
                                    TENON_INSTANCE_OF(mmap_engine),
                                    .instance_init = mmap_instance_init)),
    ));
