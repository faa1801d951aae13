/* bench/load: loading and initializing one plugin through tenon
 * (tenon_plugin_load with every check: owner and permissions of the file
 * and its folders, the descriptor re-read from the open file, the ABI, the
 * entry against the descriptor, the options, then dlopen through the
 * checked descriptor and init) against a bare dlopen + dlsym + init.
 *
 * Each round does K loads of each, alternately; the unload after each
 * load (tenon_plugin_unload; fini + dlclose) is not timed in either. A
 * third way shows the floor of any load that cannot be swapped between
 * check and load: open, a 16 KiB read, dlopen through /proc/self/fd.
 *
 * Then registry teardown: N distinct plugins loaded, and the time
 * tenon_registry_free takes (every fini and dlclose) per plugin, for each
 * N given (--teardown), against the floor of unloading the same plugins:
 * the ratio stays flat when what tenon adds is linear in plugins. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <tenon/tenon.h>

#include "bench.h"
#include "common.h"

#ifndef BENCH_PLUGIN_PLAIN
#error "BENCH_PLUGIN_PLAIN must name the built plain benchmark plugin"
#endif
#ifndef BENCH_PLUGIN_DEP
#error "BENCH_PLUGIN_DEP must name the built benchmark plugin with a library"
#endif

static bool use_wall;

static int64_t clock_ns(void)
{
    if (use_wall)
        return bench_now_ns();
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t load_tenon(tenon_plugin *p, int k)
{
    int64_t total = 0;
    for (int i = 0; i < k; i++) {
        int64_t t0 = clock_ns();
        int rc = tenon_plugin_load(p);
        total += clock_ns() - t0;
        if (rc < 0)
            bench_die("tenon_plugin_load: %s", tenon_last_error()->message);
        if (tenon_plugin_unload(p) < 0)
            bench_die("tenon_plugin_unload: %s", tenon_last_error()->message);
    }
    return total;
}

/* dlopen name (the file at path), find the entry and call its init, as a
 * host without tenon would: the part both bare loads time. */
static void *open_and_init(const char *name, const char *path, const tenon_plugin_entry **entry)
{
    static const tenon_host_api host = {.struct_size = sizeof(tenon_host_api), .version = 1};
    void *h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    if (!h)
        bench_die("dlopen %s: %s", name, dlerror());
    const tenon_plugin_entry *e = dlsym(h, TENON_ENTRY_SYMBOL);
    if (!e || (e->init && e->init(NULL, &host) != 0))
        bench_die("%s: no entry, or init failed", path);
    *entry = e;
    return h;
}

static void fini_and_close(void *h, const tenon_plugin_entry *e)
{
    if (e->fini)
        e->fini(NULL);
    dlclose(h);
}

static int64_t load_bare(const char *path, int k)
{
    int64_t total = 0;
    for (int i = 0; i < k; i++) {
        int64_t t0 = clock_ns();
        const tenon_plugin_entry *e;
        void *h = open_and_init(path, path, &e);
        total += clock_ns() - t0;
        fini_and_close(h, e);
    }
    return total;
}

/* The floor of a load that cannot be swapped between check and load:
 * open the file, read its first 16 KiB (the descriptor lives there), and
 * dlopen it through /proc/self/fd, as tenon does, minus every check. */
static int64_t load_bare_fd(const char *path, int k)
{
    static unsigned char buf[16384];
    int64_t total = 0;
    for (int i = 0; i < k; i++) {
        int64_t t0 = clock_ns();
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        char name[64];
        if (fd < 0 || pread(fd, buf, sizeof(buf), 0) <= 0)
            bench_die("%s: %s", path, strerror(errno));
        snprintf(name, sizeof(name), "/proc/self/fd/%d", fd);
        const tenon_plugin_entry *e;
        void *h = open_and_init(name, path, &e);
        total += clock_ns() - t0;
        fini_and_close(h, e);
        close(fd);
    }
    return total;
}

static void run(const char *variant, const char *template_path, int rounds, int k)
{
    char *root = bench_tmp_dir("load");
    size_t size;
    unsigned char *image = bench_read_file(template_path, &size);
    bench_write_copy(root, image, size, bench_name_offset(image, size), 0);
    free(image);
    char path[4096];
    snprintf(path, sizeof(path), "%s/" BENCH_NAME ".so", root);

    tenon_registry *reg;
    if (tenon_registry_create("tenon-bench",
                              TENON_REGISTRY_NO_ENV | TENON_REGISTRY_NO_DEFAULT_PATH,
                              &reg) < 0 ||
        tenon_registry_add_path(reg, root) < 0 || tenon_registry_scan(reg) != 1)
        bench_die("cannot scan %s: %s", root, tenon_last_error()->message);
    tenon_plugin *p = tenon_registry_find(reg, BENCH_NAME);
    if (!p)
        bench_die("the plugin is not usable: %s",
                  tenon_plugin_error(tenon_registry_at(reg, 0))
                      ? tenon_plugin_error(tenon_registry_at(reg, 0))->message
                      : "?");
    /* Warm up both paths. */
    load_tenon(p, k / 4 + 1);
    load_bare(path, k / 4 + 1);
    load_bare_fd(path, k / 4 + 1);

    double *t_tenon = calloc((size_t)rounds, sizeof(double));
    double *t_bare = calloc((size_t)rounds, sizeof(double));
    double *ratio = calloc((size_t)rounds, sizeof(double));
    double *t_fd = calloc((size_t)rounds, sizeof(double));
    double *ratio_fd = calloc((size_t)rounds, sizeof(double));
    for (int r = 0; r < rounds; r++) {
        int64_t a = 0, b = 0, f = 0;
        for (int step = 0; step < 3; step++) {
            switch ((step + r) % 3) {
            case 0:
                a = load_tenon(p, k);
                break;
            case 1:
                b = load_bare(path, k);
                break;
            case 2:
                f = load_bare_fd(path, k);
                break;
            }
        }
        t_tenon[r] = (double)a / k;
        t_bare[r] = (double)b / k;
        t_fd[r] = (double)f / k;
        ratio[r] = (double)a / (double)b;
        ratio_fd[r] = (double)a / (double)f;
    }
    bench_stat st = bench_stats(t_tenon, (size_t)rounds),
               sb = bench_stats(t_bare, (size_t)rounds),
               sr = bench_stats(ratio, (size_t)rounds), sf = bench_stats(t_fd, (size_t)rounds),
               srf = bench_stats(ratio_fd, (size_t)rounds);
    printf("\n== %s plugin (%zu bytes), %d rounds of %d loads each\n", variant, size, rounds,
           k);
    printf("  %-44s %8.2f us  [%7.2f .. %7.2f]\n", "bare dlopen + dlsym + init",
           sb.median / 1e3, sb.min / 1e3, sb.max / 1e3);
    printf("  %-44s %8.2f us  [%7.2f .. %7.2f]\n", "tenon_plugin_load (every check, then init)",
           st.median / 1e3, st.min / 1e3, st.max / 1e3);
    printf("  %-44s %8.2f us  [%7.2f .. %7.2f]\n",
           "floor: open, 16 KiB read, /proc/self/fd dlopen", sf.median / 1e3, sf.min / 1e3,
           sf.max / 1e3);
    printf("  tenon / bare: %.3fx [%.3f .. %.3f] (target <= 1.2x): %s; the floor alone would "
           "be "
           "%.3fx\n",
           sr.median, sr.min, sr.max, sr.median <= 1.2 ? "met" : "MISSED",
           sf.median / sb.median);
    printf("  tenon / floor: %.3fx [%.3f .. %.3f] (what tenon's checks add to an fd-bound "
           "load)\n",
           srf.median, srf.min, srf.max);
    free(t_fd);
    free(ratio_fd);
    free(t_tenon);
    free(t_bare);
    free(ratio);
    tenon_registry_free(reg);
    bench_rm_rf(root);
    free(root);
}

/* Registry teardown with n distinct plugins (copies of the plugin, each
 * with its own name) loaded: tenon_registry_free (every fini and dlclose),
 * against the floor of unloading the same plugins. The dynamic loader's
 * own cost per dlclose grows with the number of objects loaded, so the
 * floor grows too. Times in ns per plugin. */
typedef struct teardown_cost {
    double tenon, floor;
} teardown_cost;

static teardown_cost teardown_per_plugin(const char *template_path, unsigned n)
{
    char *root = bench_tmp_dir("teardown");
    size_t size;
    unsigned char *image = bench_read_file(template_path, &size);
    size_t name_offset = bench_name_offset(image, size);
    for (unsigned i = 0; i < n; i++)
        bench_write_copy(root, image, size, name_offset, i);
    free(image);

    tenon_registry *reg;
    if (tenon_registry_create("tenon-bench",
                              TENON_REGISTRY_NO_ENV | TENON_REGISTRY_NO_DEFAULT_PATH,
                              &reg) < 0 ||
        tenon_registry_add_path(reg, root) < 0 || tenon_registry_scan(reg) != (int)n)
        bench_die("cannot scan %u plugins in %s: %s", n, root, tenon_last_error()->message);
    int failed = tenon_registry_load_all(reg, NULL);
    if (failed != 0)
        bench_die("%d of %u plugins failed to load", failed, n);
    int64_t t0 = clock_ns();
    tenon_registry_free(reg);
    int64_t tenon = clock_ns() - t0;

    /* The floor: what any unload of a plugin loaded through its file
     * descriptor does, as tenon's loader does it (fini, dlclose, a check
     * that the object is gone before its fd, which names it, may be closed
     * and reused: its pages unmapped, else a RTLD_NOLOAD probe), newest
     * first. */
    struct bare {
        void *h;
        const tenon_plugin_entry *e;
        int fd;
    } *bare = calloc(n, sizeof(*bare));
    if (!bare)
        bench_die("out of memory");
    for (unsigned i = 0; i < n; i++) {
        char path[4096], name[64];
        snprintf(path, sizeof(path), "%s/bench_%0*u.so", root, BENCH_NAME_DIGITS, i);
        bare[i].fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (bare[i].fd < 0)
            bench_die("%s: %s", path, strerror(errno));
        snprintf(name, sizeof(name), "/proc/self/fd/%d", bare[i].fd);
        bare[i].h = open_and_init(name, path, &bare[i].e);
    }
    long page_size = sysconf(_SC_PAGESIZE);
    t0 = clock_ns();
    for (unsigned i = n; i-- > 0;) {
        char name[64];
        snprintf(name, sizeof(name), "/proc/self/fd/%d", bare[i].fd);
        struct link_map *lm = NULL;
        if (dlinfo(bare[i].h, RTLD_DI_LINKMAP, &lm) != 0)
            bench_die("dlinfo: %s", dlerror());
        uintptr_t page = (uintptr_t)lm->l_ld & ~(uintptr_t)(page_size - 1);
        fini_and_close(bare[i].h, bare[i].e);
        unsigned char vec;
        if (mincore((void *)page, 1, &vec) == 0 || errno != ENOMEM) {
            void *still = dlopen(name, RTLD_NOW | RTLD_LOCAL | RTLD_NOLOAD);
            if (still)
                dlclose(still);
        }
        close(bare[i].fd);
    }
    int64_t floor = clock_ns() - t0;
    free(bare);
    bench_rm_rf(root);
    free(root);
    return (teardown_cost){(double)tenon / n, (double)floor / n};
}

/* sizes: "100,1000,10000"; "none" skips. */
static void run_teardown(const char *sizes)
{
    if (strcmp(sizes, "none") == 0)
        return;
    printf("\n== registry teardown: N plugins loaded, then tenon_registry_free; %s time per "
           "plugin\n",
           use_wall ? "elapsed" : "CPU");
    printf("  %8s  %12s  %12s  %13s  %s\n", "plugins", "tenon", "floor", "tenon / floor",
           "per plugin / at the first N: tenon, floor");
    teardown_cost first = {0, 0};
    for (const char *s = sizes; *s;) {
        char *end;
        unsigned long n = strtoul(s, &end, 10);
        if (end == s || n == 0 || n > 1000000)
            bench_die("--teardown: expected sizes like 100,1000,10000, got \"%s\"", sizes);
        teardown_cost c = teardown_per_plugin(BENCH_PLUGIN_PLAIN, (unsigned)n);
        if (s == sizes)
            first = c;
        printf("  %8lu  %9.2f us  %9.2f us  %12.2fx  %.2fx, %.2fx\n", n, c.tenon / 1e3,
               c.floor / 1e3, c.tenon / c.floor, c.tenon / first.tenon, c.floor / first.floor);
        fflush(stdout);
        s = *end == ',' ? end + 1 : end;
    }
    printf("  floor: fini, dlclose, check that the object is gone (mincore, else a "
           "RTLD_NOLOAD probe) and close of the\n"
           "  same plugins loaded through /proc/self/fd, newest first, as tenon's loader "
           "unloads them. The dynamic loader's\n"
           "  cost per object grows with the objects loaded, so both grow per plugin; "
           "tenon / floor stays flat when what\n"
           "  tenon adds is linear in plugins.\n");
}

int main(int argc, char **argv)
{
    int rounds = 9, k = 400;
    const char *variant = "both";
    const char *teardown = "100,1000,10000";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--loads") == 0 && i + 1 < argc)
            k = atoi(argv[++i]);
        else if (strcmp(argv[i], "--variant") == 0 && i + 1 < argc)
            variant = argv[++i];
        else if (strcmp(argv[i], "--clock") == 0 && i + 1 < argc)
            use_wall = strcmp(argv[++i], "wall") == 0;
        else if (strcmp(argv[i], "--teardown") == 0 && i + 1 < argc)
            teardown = argv[++i];
        else {
            fprintf(stderr,
                    "usage: %s [--rounds R] [--loads K] [--variant plain|dep|both] "
                    "[--clock cpu|wall] [--teardown N,N,...|none]\n",
                    argv[0]);
            return 2;
        }
    }
    if (rounds < 1)
        rounds = 1;
    if (k < 1)
        k = 1;
    bench_print_machine();
    printf("bench/load: %s time per load: median [min .. max] over rounds; ratio per round\n",
           use_wall ? "elapsed" : "CPU");
    if (strcmp(variant, "dep") != 0)
        run("plain", BENCH_PLUGIN_PLAIN, rounds, k);
    if (strcmp(variant, "plain") != 0)
        run("dep", BENCH_PLUGIN_DEP, rounds, k);
    run_teardown(teardown);
    return 0;
}
