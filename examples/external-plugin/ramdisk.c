/* ramdisk: an IO engine built outside the tenon tree, against the installed
 * headers, and loaded by tenon-io with ioengine=external:/abs/path/ramdisk.so.
 *
 * Its targets are URIs of its own scheme, "ram://SIZE" (e.g. ram://64m): a
 * block of memory per target, so it shows the other half of the engine
 * interface too: tenon-io routes "ram://" targets here because the
 * descriptor's tenon-io.targets says so, and the engine opens them itself. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <tenon/plugin.h>
#include <tenon-io/engine.h>

typedef struct ramdisk {
    int64_t max_size; /* option: refuse bigger targets */
} ramdisk;

static const tenon_host_api *host;

static int ramdisk_init(tenon_plugin *self, const tenon_host_api *api)
{
    (void)self;
    host = api;
    return 0;
}

static int ramdisk_instance_init(tenon_plugin *self, tenon_instance *inst, void *data,
                                 const tenon_values *opts)
{
    (void)self;
    (void)inst;
    ((ramdisk *)data)->max_size = host->values_int(opts, "max_size");
    return 0;
}

/* "ram://64m" -> bytes. */
static int parse_size(const char *uri, uint64_t *out)
{
    const char *p = uri + strlen("ram://");
    char *end;
    unsigned long long v = strtoull(p, &end, 10);
    uint64_t unit = 1;
    switch (*end) {
    case 'k':
    case 'K':
        unit = 1ull << 10;
        end++;
        break;
    case 'm':
    case 'M':
        unit = 1ull << 20;
        end++;
        break;
    case 'g':
    case 'G':
        unit = 1ull << 30;
        end++;
        break;
    default:
        break;
    }
    if (end == p || *end || v == 0)
        return -EINVAL;
    *out = v * unit;
    return 0;
}

static int ramdisk_open(void *data, tio_file *f)
{
    ramdisk *r = data;
    uint64_t size;
    if (parse_size(f->name, &size) < 0)
        return -EINVAL;
    if (r->max_size && size > (uint64_t)r->max_size)
        return -EFBIG;
    f->engine_data = calloc(1, size);
    if (!f->engine_data)
        return -ENOMEM;
    f->size = size;
    return 0;
}

static int ramdisk_close(void *data, tio_file *f)
{
    (void)data;
    free(f->engine_data);
    f->engine_data = NULL;
    return 0;
}

static int ramdisk_queue(void *data, tio_io *io)
{
    (void)data;
    char *mem = io->file->engine_data;
    if (io->ddir == TIO_READ)
        memcpy(io->buf, mem + io->offset, io->len);
    else if (io->ddir == TIO_WRITE)
        memcpy(mem + io->offset, io->buf, io->len);
    io->result = (int64_t)io->len;
    return TIO_COMPLETED;
}

static const tio_engine ramdisk_engine = {
    .struct_size = sizeof(tio_engine),
    .version = TIO_ENGINE_VERSION,
    .flags = TIO_ENGINE_SYNC,
    .open_file = ramdisk_open,
    .close_file = ramdisk_close,
    .queue = ramdisk_queue,
};

TENON_PLUGIN(ramdisk,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "memory-backed targets ram://SIZE, an engine built out of tree",
        .license = "MIT",
        .provides = {{TIO_ENGINE_INTERFACE, TIO_ENGINE_VERSION}},
        .options = {{"max_size", TENON_OPT_SIZE, .def = "1g",
                     .help = "largest target this engine will allocate"}},
        .meta = {{TIO_META_TARGETS, "ram"}},
    ),
    TENON_CODE(
        .init = ramdisk_init,
        TENON_IMPLEMENTS(TENON_IMPL(TIO_ENGINE_INTERFACE, &ramdisk_engine,
                                    TENON_INSTANCE_OF(ramdisk),
                                    .instance_init = ramdisk_instance_init)),
    ));
