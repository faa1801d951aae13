/* engine-bench: the cost of an engine per IO, without tenon-io around it.
 *
 *   engine-bench ENGINE [-d IODEPTH] [-b BS] [-s SIZE_MIB] [-t SECONDS]
 *                [--direct] [--write] [OPTION=VALUE ...]
 *
 * Random IOs on a file it creates in $TMPDIR (or /tmp) and fills first, so
 * buffered reads hit the page cache, driven through the engine interface
 * with the loop a host runs: keep iodepth IOs queued, commit, reap at least
 * one, requeue. With ENGINE "pread" it runs a bare pread(2) loop instead,
 * the floor any synchronous engine is measured against.
 *
 * Prints IOs per second and nanoseconds per IO. Not a test: a tool for
 * comparing engines, and engine changes, on one machine. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <tenon/tenon.h>
#include <tenon-io/engine.h>

#ifndef ENGINE_DIR
#error "ENGINE_DIR must name the folder holding the engines' shared objects"
#endif

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static inline uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static int usage(const char *argv0)
{
    fprintf(stderr,
            "usage: %s ENGINE|pread [-d IODEPTH] [-b BS] [-s SIZE_MIB] [-t SECONDS] "
            "[--direct] [--write] [OPTION=VALUE ...]\n",
            argv0);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(argv[0]);
    const char *name = argv[1];
    uint32_t depth = 1;
    size_t bs = 4096;
    uint64_t size = 256ull << 20;
    double seconds = 3;
    bool direct = false, write = false;
    tenon_options *opts;
    if (tenon_options_new(&opts) != 0)
        return 1;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-d") && i + 1 < argc)
            depth = (uint32_t)strtoul(argv[++i], NULL, 0);
        else if (!strcmp(a, "-b") && i + 1 < argc)
            bs = strtoul(argv[++i], NULL, 0);
        else if (!strcmp(a, "-s") && i + 1 < argc)
            size = strtoull(argv[++i], NULL, 0) << 20;
        else if (!strcmp(a, "-t") && i + 1 < argc)
            seconds = strtod(argv[++i], NULL);
        else if (!strcmp(a, "--direct"))
            direct = true;
        else if (!strcmp(a, "--write"))
            write = true;
        else if (strchr(a, '=')) {
            char key[64];
            snprintf(key, sizeof(key), "%.*s", (int)(strchr(a, '=') - a), a);
            tenon_options_set(opts, key, strchr(a, '=') + 1, a);
        } else {
            tenon_options_free(opts);
            return usage(argv[0]);
        }
    }
    if (!depth || !bs || size < bs) {
        tenon_options_free(opts);
        return usage(argv[0]);
    }

    const char *tmp = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof(path), "%s/tenon-io-bench-XXXXXX", tmp && *tmp == '/' ? tmp : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        perror("mkstemp");
        return 1;
    }
    /* Fill it so reads find data (and buffered reads, cached pages). */
    uint8_t *fill = malloc(1 << 20);
    memset(fill, 0x5a, 1 << 20);
    for (uint64_t off = 0; off < size; off += 1 << 20)
        if (pwrite(fd, fill, 1 << 20, (off_t)off) != 1 << 20) {
            perror("pwrite");
            unlink(path);
            return 1;
        }
    free(fill);
    fsync(fd);
    if (direct) {
        close(fd);
        fd = open(path, O_RDWR | O_DIRECT);
        if (fd < 0) {
            perror("open O_DIRECT");
            unlink(path);
            return 1;
        }
    }
    uint8_t *buffers;
    if (posix_memalign((void **)&buffers, 4096, depth * bs) != 0)
        return 1;
    memset(buffers, 0, depth * bs);
    uint64_t blocks = size / bs;
    uint64_t done = 0, errors = 0, t0, elapsed;
    uint64_t limit_ns = (uint64_t)(seconds * 1e9);
    int status = 0;

    if (!strcmp(name, "pread")) {
        t0 = now_ns();
        do {
            for (int i = 0; i < 1024; i++) {
                off_t off = (off_t)((rng() % blocks) * bs);
                ssize_t n = write ? pwrite(fd, buffers, bs, off) : pread(fd, buffers, bs, off);
                errors += n != (ssize_t)bs;
            }
            done += 1024;
            elapsed = now_ns() - t0;
        } while (elapsed < limit_ns);
        printf("pread loop: %s bs=%zu: %.0f IOs/s, %.1f ns per IO%s\n",
               write ? "randwrite" : "randread", bs, (double)done * 1e9 / (double)elapsed,
               (double)elapsed / (double)done, errors ? " (errors!)" : "");
        goto out;
    }

    tenon_registry *reg;
    tenon_instance *inst;
    if (tenon_registry_create("tenon-io-bench", TENON_REGISTRY_NO_ENV, &reg) != 0 ||
        tenon_registry_add_path(reg, ENGINE_DIR) != 0 || tenon_registry_scan(reg) < 0 ||
        tenon_instance_new(reg, name, TIO_ENGINE_INTERFACE, NULL, opts, &inst) != 0) {
        char msg[2048];
        tenon_error_format(tenon_last_error(), msg, sizeof(msg));
        fprintf(stderr, "%s\n", msg);
        status = 1;
        goto out;
    }
    const tio_engine *t = tenon_instance_table(inst);
    void *e = tenon_instance_data(inst);
    tio_file file = {.struct_size = sizeof(file),
                     .name = path,
                     .fd = fd,
                     .open_flags = TIO_OPEN_READ | TIO_OPEN_WRITE |
                                   (direct ? TIO_OPEN_DIRECT : 0),
                     .size = size};
    tio_file *files[] = {&file};
    tio_io *ios = calloc(depth, sizeof(*ios));
    tio_io **events = calloc(depth, sizeof(*events));
    size_t stride = (t->io_data_size + 63) & ~(size_t)63;
    uint8_t *io_data = stride ? aligned_alloc(64, depth * stride) : NULL;
    for (uint32_t i = 0; i < depth; i++)
        ios[i] = (tio_io){.len = bs,
                          .buf = buffers + i * bs,
                          .file = &file,
                          .ddir = write ? TIO_WRITE : TIO_READ,
                          .index = i,
                          .engine_data = stride ? io_data + i * stride : NULL};
    tio_setup setup = {.struct_size = sizeof(setup),
                       .iodepth = depth,
                       .job_name = "bench",
                       .ios = ios,
                       .n_ios = depth,
                       .flags = direct ? TIO_OPEN_DIRECT : 0,
                       .buffers = buffers,
                       .buffers_len = depth * bs,
                       .buffer_size = bs,
                       .files = files,
                       .n_files = 1};
    int rc = t->open_file ? t->open_file(e, &file) : 0;
    bool opened = rc == 0;
    if (rc == 0 && t->setup)
        rc = t->setup(e, &setup);
    if (rc != 0) {
        fprintf(stderr, "%s: open_file/setup: %s\n", name, strerror(-rc));
        status = 1;
    } else {
        /* The host's loop: fill the queue, commit, reap, refill. */
        tio_io **ready = calloc(depth, sizeof(*ready));
        uint32_t n_ready = 0, inflight = 0;
        for (uint32_t i = 0; i < depth; i++)
            ready[n_ready++] = &ios[i];
        t0 = now_ns();
        for (uint64_t iter = 1;; iter++) {
            bool busy = false;
            while (n_ready && !busy) {
                tio_io *io = ready[--n_ready];
                io->offset = (rng() % blocks) * bs;
                int q = t->queue(e, io);
                if (q == TIO_COMPLETED) {
                    done++;
                    errors += io->result != (int64_t)bs;
                    ready[n_ready++] = io;
                    if (!inflight)
                        break; /* a synchronous engine: one IO per round */
                } else if (q == TIO_QUEUED) {
                    inflight++;
                } else {
                    ready[n_ready++] = io;
                    busy = true;
                }
            }
            if (inflight && t->commit)
                t->commit(e);
            if (inflight) {
                int n = t->getevents(e, 1, depth, events, -1);
                for (int i = 0; i < n; i++) {
                    errors += events[i]->result != (int64_t)bs;
                    ready[n_ready++] = events[i];
                }
                inflight -= (uint32_t)(n > 0 ? n : 0);
                done += (uint64_t)(n > 0 ? n : 0);
            }
            if (iter % 64 == 0 && now_ns() - t0 >= limit_ns)
                break;
        }
        while (inflight) {
            int n = t->getevents(e, 1, depth, events, -1);
            if (n <= 0)
                break;
            inflight -= (uint32_t)n;
        }
        elapsed = now_ns() - t0;
        free(ready);
        printf("%s: %s bs=%zu iodepth=%u%s: %.0f IOs/s, %.1f ns per IO%s\n", name,
               write ? "randwrite" : "randread", bs, depth, direct ? " direct" : "",
               (double)done * 1e9 / (double)elapsed, (double)elapsed / (double)done,
               errors ? " (errors!)" : "");
        if (t->teardown)
            t->teardown(e);
    }
    if (opened && t->close_file)
        t->close_file(e, &file);
    free(ios);
    free(events);
    free(io_data);
    tenon_instance_free(inst);
    tenon_registry_free(reg);
out:
    tenon_options_free(opts);
    free(buffers);
    close(fd);
    unlink(path);
    return status;
}
