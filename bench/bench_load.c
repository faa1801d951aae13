/* bench/load: loading and initializing one plugin through tenon
 * (tenon_plugin_load with every check: owner and permissions of the file
 * and its folders, the descriptor re-read from the open file, the ABI, the
 * entry against the descriptor, the options, then dlopen through the
 * checked descriptor and init) against a bare dlopen + dlsym + init.
 *
 * Each round does K loads of each, alternately; the unload after each
 * load (tenon_plugin_unload; fini + dlclose) is not timed in either. A
 * third way shows the floor of any load that cannot be swapped between
 * check and load: open, a 16 KiB read, dlopen through /proc/self/fd. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    if (tenon_registry_new(&reg, "tenon-bench",
                           TENON_REGISTRY_NO_ENV | TENON_REGISTRY_NO_DEFAULT_PATH) < 0 ||
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
            case 0: a = load_tenon(p, k); break;
            case 1: b = load_bare(path, k); break;
            case 2: f = load_bare_fd(path, k); break;
            }
        }
        t_tenon[r] = (double)a / k;
        t_bare[r] = (double)b / k;
        t_fd[r] = (double)f / k;
        ratio[r] = (double)a / (double)b;
        ratio_fd[r] = (double)a / (double)f;
    }
    bench_stat st = bench_stats(t_tenon, (size_t)rounds), sb = bench_stats(t_bare, (size_t)rounds),
               sr = bench_stats(ratio, (size_t)rounds), sf = bench_stats(t_fd, (size_t)rounds),
               srf = bench_stats(ratio_fd, (size_t)rounds);
    printf("\n== %s plugin (%zu bytes), %d rounds of %d loads each\n", variant, size, rounds, k);
    printf("  %-44s %8.2f us  [%7.2f .. %7.2f]\n", "bare dlopen + dlsym + init", sb.median / 1e3,
           sb.min / 1e3, sb.max / 1e3);
    printf("  %-44s %8.2f us  [%7.2f .. %7.2f]\n", "tenon_plugin_load (every check, then init)",
           st.median / 1e3, st.min / 1e3, st.max / 1e3);
    printf("  %-44s %8.2f us  [%7.2f .. %7.2f]\n", "floor: open, 16 KiB read, /proc/self/fd dlopen",
           sf.median / 1e3, sf.min / 1e3, sf.max / 1e3);
    printf("  tenon / bare: %.3fx [%.3f .. %.3f] (target <= 1.2x): %s; the floor alone would be "
           "%.3fx\n",
           sr.median, sr.min, sr.max, sr.median <= 1.2 ? "met" : "MISSED", sf.median / sb.median);
    printf("  tenon / floor: %.3fx [%.3f .. %.3f] (what tenon's checks add to an fd-bound load)\n",
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

int main(int argc, char **argv)
{
    int rounds = 9, k = 400;
    const char *variant = "both";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--loads") == 0 && i + 1 < argc)
            k = atoi(argv[++i]);
        else if (strcmp(argv[i], "--variant") == 0 && i + 1 < argc)
            variant = argv[++i];
        else if (strcmp(argv[i], "--clock") == 0 && i + 1 < argc)
            use_wall = strcmp(argv[++i], "wall") == 0;
        else {
            fprintf(stderr,
                    "usage: %s [--rounds R] [--loads K] [--variant plain|dep|both] "
                    "[--clock cpu|wall]\n",
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
    return 0;
}

