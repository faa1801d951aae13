/* bench/scan: discovering N plugins by dlopen against tenon's scan.
 *
 * For each N it writes N copies of the benchmark plugin (one build, the
 * name patched in each copy's descriptor note), then runs, alternately in
 * every round:
 *   (a) dlopen + dlsym + dlclose of every file, after listing the folder:
 *       how fio's --enghelp or QEMU's module listing discover plugins
 *   (b) a tenon scan without a cache (every descriptor read from its file)
 *   (c) a tenon scan with a warm cache (every file stat'ed, none read)
 *   (d) a new process that makes a registry and scans with the cache
 *   (f) the floor of (c): one fstatat per file, which any cache that
 *       notices a touched file must do
 *   (g) the floor of (b): open, fstat, pread of 16 KiB (a descriptor is
 *       14 KiB) and close per file, which reading descriptors costs
 * and prints times per plugin with their median, min and max over the
 * rounds, and the ratios a/b, a/c, a/d per round (min and max), so a drift
 * of the CPU's speed between rounds cancels out. The registry's memory is
 * measured in the child process (RSS growth from before the registry to
 * after the scan, and the peak). */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
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
#ifndef BENCH_SCAN_CHILD
#error "BENCH_SCAN_CHILD must name the scan child program"
#endif

enum { PH_A, PH_B, PH_C, PH_D, PH_F, PH_G, N_PHASES };
static const char *const phase_names[N_PHASES] = {
    "(a) dlopen+dlsym+dlclose",    "(b) tenon scan, no cache", "(c) tenon scan, warm cache",
    "(d) new process, warm cache", "(f) floor of c: fstatat",  "(g) floor of b: open+pread",
};

/* The CPU time of the benchmarking thread by default: on a machine shared
 * with other work it counts what each phase does, not how long it waited
 * for a CPU. --clock wall measures elapsed time instead. */
static bool use_wall;

static int64_t clock_ns(void)
{
    if (use_wall)
        return bench_now_ns();
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

typedef struct child_report {
    int plugins;
    unsigned long long files_read, hits;
    long rss_start, rss_after, rss_peak;
} child_report;

/* The folder's *.so names, sorted, as a plugin host would list them. */
static char **list_plugins(const char *dir, size_t *n_out)
{
    DIR *d = opendir(dir);
    if (!d)
        bench_die("%s: %s", dir, strerror(errno));
    size_t n = 0, cap = 256;
    char **names = malloc(cap * sizeof(char *));
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t len = strlen(de->d_name);
        if (len < 4 || strcmp(de->d_name + len - 3, ".so") != 0)
            continue;
        if (n == cap)
            names = realloc(names, (cap *= 2) * sizeof(char *));
        names[n++] = strdup(de->d_name);
    }
    closedir(d);
    *n_out = n;
    return names;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

static int64_t phase_dlopen(const char *dir, size_t expect)
{
    int64_t t0 = clock_ns();
    size_t n;
    char **names = list_plugins(dir, &n);
    char path[4096];
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
        void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (!h)
            bench_die("dlopen %s: %s", path, dlerror());
        if (!dlsym(h, TENON_ENTRY_SYMBOL))
            bench_die("%s: no entry", path);
        dlclose(h);
    }
    int64_t t = clock_ns() - t0;
    free_names(names, n);
    if (n != expect)
        bench_die("listed %zu plugins, expected %zu", n, expect);
    return t;
}

static int64_t phase_scan(const char *dir, const char *cache, size_t expect)
{
    int64_t t0 = clock_ns();
    tenon_registry *reg;
    if (tenon_registry_create("tenon-bench",
                              TENON_REGISTRY_NO_ENV | TENON_REGISTRY_NO_DEFAULT_PATH, &reg) < 0)
        bench_die("tenon_registry_create failed");
    if (cache && tenon_registry_set_cache(reg, cache, 0) < 0)
        bench_die("tenon_registry_set_cache: %s", tenon_last_error()->message);
    if (tenon_registry_add_path(reg, dir) < 0)
        bench_die("add_path: %s", tenon_last_error()->message);
    int n = tenon_registry_scan(reg);
    tenon_cache_stats st = {.struct_size = sizeof(st)};
    tenon_registry_cache_stats(reg, &st);
    tenon_registry_free(reg);
    int64_t t = clock_ns() - t0;
    if (n != (int)expect)
        bench_die("scanned %d plugins, expected %zu", n, expect);
    if (!cache && st.files_read != expect)
        bench_die("read %llu files, expected %zu", (unsigned long long)st.files_read, expect);
    if (cache && (st.cache_hits != expect || st.files_read != 0))
        bench_die("warm scan: %llu hits and %llu files read, expected %zu and 0 (is the "
                  "cache folder writable? were the files changed?)",
                  (unsigned long long)st.cache_hits, (unsigned long long)st.files_read, expect);
    return t;
}

/* The names are listed before the clock starts: these are floors. */
static int64_t phase_floor_stat(const char *dir, char **names, size_t n)
{
    int64_t t0 = clock_ns();
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat st;
    for (size_t i = 0; i < n; i++)
        if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) != 0)
            bench_die("fstatat %s: %s", names[i], strerror(errno));
    close(dfd);
    return clock_ns() - t0;
}

static int64_t phase_floor_read(const char *dir, char **names, size_t n)
{
    static unsigned char buf[16384];
    int64_t t0 = clock_ns();
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat st;
    for (size_t i = 0; i < n; i++) {
        int fd = openat(dfd, names[i], O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0 || fstat(fd, &st) != 0 || pread(fd, buf, sizeof(buf), 0) <= 0)
            bench_die("read %s: %s", names[i], strerror(errno));
        close(fd);
    }
    close(dfd);
    return clock_ns() - t0;
}

static int64_t phase_child(const char *dir, const char *cache, size_t expect, child_report *r)
{
    int fds[2];
    if (pipe(fds) != 0)
        bench_die("pipe: %s", strerror(errno));
    int64_t t0 = clock_ns();
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execl(BENCH_SCAN_CHILD, BENCH_SCAN_CHILD, dir, cache ? cache : "-", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    char buf[256] = "";
    size_t have = 0;
    ssize_t got;
    while ((got = read(fds[0], buf + have, sizeof(buf) - 1 - have)) > 0)
        have += (size_t)got;
    buf[have] = '\0';
    close(fds[0]);
    int status;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    int64_t t = clock_ns() - t0;
    /* In CPU time, the child's own time is what its start and scan cost. */
    if (!use_wall)
        t += (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000 +
             (int64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
    memset(r, 0, sizeof(*r));
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        sscanf(buf, "%d %llu %llu %ld %ld %ld", &r->plugins, &r->files_read, &r->hits,
               &r->rss_start, &r->rss_after, &r->rss_peak) != 6)
        bench_die("the scan child failed (status %d): %s", status, buf);
    if (r->plugins != (int)expect || (cache && r->hits != expect))
        bench_die("the scan child saw %d plugins, %llu from the cache; expected %zu",
                  r->plugins, r->hits, expect);
    return t;
}

typedef struct result {
    size_t n;
    bench_stat per_plugin[N_PHASES]; /* ns */
    bench_stat ratio[N_PHASES];      /* a / phase, per round */
    bench_stat floor_ratio;          /* c / f, per round */
    bench_stat read_ratio;           /* b / g, per round */
    child_report cold, warm;
} result;

static void print_stat_line(const char *name, bench_stat s)
{
    printf("  %-30s %9.2f us  [%8.2f .. %8.2f]", name, s.median / 1e3, s.min / 1e3,
           s.max / 1e3);
}

static result run_one(const char *variant, const char *template_path, size_t n, int rounds,
                      bool keep)
{
    result res;
    memset(&res, 0, sizeof(res));
    res.n = n;
    size_t size;
    unsigned char *image = bench_read_file(template_path, &size);
    size_t name_offset = bench_name_offset(image, size);
    char *root = bench_tmp_dir("scan");
    char plugins[4096], cache_dir[4096], cache[4096];
    snprintf(plugins, sizeof(plugins), "%s/plugins", root);
    snprintf(cache_dir, sizeof(cache_dir), "%s/cache", root);
    snprintf(cache, sizeof(cache), "%s/scan.cache", cache_dir);
    if (mkdir(plugins, 0755) != 0 || mkdir(cache_dir, 0700) != 0)
        bench_die("mkdir: %s", strerror(errno));
    int64_t t0 = bench_now_ns();
    for (unsigned i = 0; i < n; i++)
        bench_write_copy(plugins, image, size, name_offset, i);
    free(image);
    printf("N=%zu (%s plugin, %zu bytes; %zu copies written in %.2f s)\n", n, variant, size, n,
           (double)(bench_now_ns() - t0) / 1e9);
    fflush(stdout);
    /* Files changed within a timestamp tick of a scan are not cached. */
    bench_sleep_ms(250);

    /* Warm up every path: page cache, dentries, the cache file. */
    phase_dlopen(plugins, n);
    phase_scan(plugins, NULL, n);
    {
        tenon_registry *reg;
        tenon_registry_create("tenon-bench",
                              TENON_REGISTRY_NO_ENV | TENON_REGISTRY_NO_DEFAULT_PATH, &reg);
        tenon_registry_set_cache(reg, cache, 0);
        tenon_registry_add_path(reg, plugins);
        tenon_registry_scan(reg);
        tenon_registry_free(reg);
    }
    phase_scan(plugins, cache, n);
    size_t n_names;
    char **names = list_plugins(plugins, &n_names);
    phase_floor_stat(plugins, names, n_names);
    phase_floor_read(plugins, names, n_names);

    double *times[N_PHASES], *ratios[N_PHASES], *floor_ratios, *read_ratios;
    for (int p = 0; p < N_PHASES; p++) {
        times[p] = calloc((size_t)rounds, sizeof(double));
        ratios[p] = calloc((size_t)rounds, sizeof(double));
    }
    floor_ratios = calloc((size_t)rounds, sizeof(double));
    read_ratios = calloc((size_t)rounds, sizeof(double));
    for (int r = 0; r < rounds; r++) {
        int64_t t[N_PHASES] = {0};
        /* Rotate the order so no phase always runs right after another. */
        for (int k = 0; k < N_PHASES; k++) {
            int p = (k + r) % N_PHASES;
            child_report rep;
            switch (p) {
            case PH_A:
                t[p] = phase_dlopen(plugins, n);
                break;
            case PH_B:
                t[p] = phase_scan(plugins, NULL, n);
                break;
            case PH_C:
                t[p] = phase_scan(plugins, cache, n);
                break;
            case PH_D:
                t[p] = phase_child(plugins, cache, n, &rep);
                break;
            case PH_F:
                t[p] = phase_floor_stat(plugins, names, n_names);
                break;
            case PH_G:
                t[p] = phase_floor_read(plugins, names, n_names);
                break;
            }
        }
        for (int p = 0; p < N_PHASES; p++) {
            times[p][r] = (double)t[p] / (double)n;
            ratios[p][r] = (double)t[PH_A] / (double)t[p];
        }
        floor_ratios[r] = (double)t[PH_C] / (double)t[PH_F];
        read_ratios[r] = (double)t[PH_B] / (double)t[PH_G];
    }
    for (int p = 0; p < N_PHASES; p++) {
        res.per_plugin[p] = bench_stats(times[p], (size_t)rounds);
        res.ratio[p] = bench_stats(ratios[p], (size_t)rounds);
        free(times[p]);
        free(ratios[p]);
    }
    res.floor_ratio = bench_stats(floor_ratios, (size_t)rounds);
    res.read_ratio = bench_stats(read_ratios, (size_t)rounds);
    free(floor_ratios);
    free(read_ratios);
    free_names(names, n_names);
    phase_child(plugins, NULL, n, &res.cold);
    phase_child(plugins, cache, n, &res.warm);

    for (int p = 0; p < N_PHASES; p++) {
        print_stat_line(phase_names[p], res.per_plugin[p]);
        if (p == PH_B || p == PH_C || p == PH_D)
            printf("   a/%c %6.1fx [%5.1f .. %5.1f]", "abcdfg"[p], res.ratio[p].median,
                   res.ratio[p].min, res.ratio[p].max);
        if (p == PH_F)
            printf("   c/f %6.2fx [%5.2f .. %5.2f]", res.floor_ratio.median,
                   res.floor_ratio.min, res.floor_ratio.max);
        if (p == PH_G)
            printf("   b/g %6.2fx [%5.2f .. %5.2f]", res.read_ratio.median, res.read_ratio.min,
                   res.read_ratio.max);
        printf("\n");
    }
    printf("  memory (child process): no cache %ld KiB retained, %ld KiB peak; warm cache "
           "%ld KiB retained, %ld KiB peak\n",
           res.cold.rss_after - res.cold.rss_start, res.cold.rss_peak - res.cold.rss_start,
           res.warm.rss_after - res.warm.rss_start, res.warm.rss_peak - res.warm.rss_start);
    fflush(stdout);
    if (!keep)
        bench_rm_rf(root);
    else
        printf("  kept %s\n", root);
    free(root);
    return res;
}

static void summary(const char *variant, const result *res, size_t n_res)
{
    const result *lo = &res[0], *hi = &res[n_res - 1];
    printf("summary (%s plugin)\n", variant);
    double worst_b = 1e30, worst_c = 1e30;
    for (size_t i = 0; i < n_res; i++) {
        if (res[i].ratio[PH_B].median < worst_b)
            worst_b = res[i].ratio[PH_B].median;
        if (res[i].ratio[PH_C].median < worst_c)
            worst_c = res[i].ratio[PH_C].median;
    }
    double ceil_b = 1e30, ceil_c = 1e30;
    for (size_t i = 0; i < n_res; i++) {
        if (res[i].ratio[PH_G].median < ceil_b)
            ceil_b = res[i].ratio[PH_G].median;
        if (res[i].ratio[PH_F].median < ceil_c)
            ceil_c = res[i].ratio[PH_F].median;
    }
    printf("  (b) no cache:   %.1fx faster than dlopen at worst (target >= 8x): %s; the floor "
           "(g) alone would be %.1fx\n",
           worst_b, worst_b >= 8 ? "met" : "MISSED", ceil_b);
    printf("  (c) warm cache: %.1fx faster than dlopen at worst (target >= 40x): %s; the floor "
           "(f) alone would be %.1fx\n",
           worst_c, worst_c >= 40 ? "met" : "MISSED", ceil_c);
    if (n_res > 1 && hi->n > lo->n) {
        double fb = hi->per_plugin[PH_B].median / lo->per_plugin[PH_B].median;
        double fc = hi->per_plugin[PH_C].median / lo->per_plugin[PH_C].median;
        double fa = hi->per_plugin[PH_A].median / lo->per_plugin[PH_A].median;
        printf("  time per plugin from N=%zu to N=%zu: (a) %.2fx, (b) %.2fx, (c) %.2fx "
               "(flat: within 1.3x): %s\n",
               lo->n, hi->n, fa, fb, fc, fb <= 1.3 && fc <= 1.3 ? "met" : "MISSED");
        double cold = (double)((hi->cold.rss_peak - hi->cold.rss_start) -
                               (lo->cold.rss_peak - lo->cold.rss_start)) *
                      1024.0 / (double)(hi->n - lo->n);
        double warm = (double)((hi->warm.rss_peak - hi->warm.rss_start) -
                               (lo->warm.rss_peak - lo->warm.rss_start)) *
                      1024.0 / (double)(hi->n - lo->n);
        double kept = (double)((hi->warm.rss_after - hi->warm.rss_start) -
                               (lo->warm.rss_after - lo->warm.rss_start)) *
                      1024.0 / (double)(hi->n - lo->n);
        printf("  registry memory per scanned plugin (peak RSS growth from N=%zu to N=%zu): "
               "%.0f bytes without a cache, %.0f bytes with one (%.0f retained after the "
               "scan); target < 2048: %s\n",
               lo->n, hi->n, cold, warm, kept, cold < 2048 && warm < 2048 ? "met" : "MISSED");
    }
}

int main(int argc, char **argv)
{
    int rounds = 5;
    bool keep = false;
    const char *variant = "both";
    size_t ns[16];
    size_t n_ns = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
            rounds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--variant") == 0 && i + 1 < argc)
            variant = argv[++i];
        else if (strcmp(argv[i], "--clock") == 0 && i + 1 < argc)
            use_wall = strcmp(argv[++i], "wall") == 0;
        else if (strcmp(argv[i], "--keep") == 0)
            keep = true;
        else if (argv[i][0] >= '1' && argv[i][0] <= '9' && n_ns < 16)
            ns[n_ns++] = (size_t)strtoul(argv[i], NULL, 10);
        else {
            fprintf(stderr,
                    "usage: %s [--rounds R] [--variant plain|dep|both] [--clock cpu|wall] "
                    "[--keep] [N...]\n"
                    "  N defaults to 100 1000 10000\n",
                    argv[0]);
            return 2;
        }
    }
    if (!n_ns) {
        ns[0] = 100, ns[1] = 1000, ns[2] = 10000;
        n_ns = 3;
    }
    if (rounds < 1)
        rounds = 1;
    bench_keep_tmp(keep);
    bench_print_machine();
    printf("bench/scan: %d rounds; %s time per plugin: median [min .. max] over rounds; "
           "ratios per round\n",
           rounds, use_wall ? "elapsed" : "CPU");
    static const struct {
        const char *name, *path, *what;
    } variants[] = {
        {"plain", BENCH_PLUGIN_PLAIN, "no library besides libc"},
        {"dep", BENCH_PLUGIN_DEP, "linked against one library, as plugins that wrap one are"},
    };
    for (size_t v = 0; v < 2; v++) {
        if (strcmp(variant, "both") != 0 && strcmp(variant, variants[v].name) != 0)
            continue;
        printf("\n== %s plugin: %s\n", variants[v].name, variants[v].what);
        result res[16];
        for (size_t i = 0; i < n_ns; i++)
            res[i] = run_one(variants[v].name, variants[v].path, ns[i], rounds, keep);
        summary(variants[v].name, res, n_ns);
    }
    return 0;
}
