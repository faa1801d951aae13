/* bench/dispatch: calls through a tenon interface table against the same
 * calls through a plain function pointer.
 *
 *   tenon-bench-dispatch [--calls N] plain   one loop of N calls, plain
 *   tenon-bench-dispatch [--calls N] tenon   one loop of N calls, tenon
 *   tenon-bench-dispatch [--calls N] time    both, alternately, timed
 *
 * bench/dispatch runs the first two under callgrind, collecting only
 * inside bench_run_plain and bench_run_tenon, so the instruction counts
 * are exactly those of the N calls (deterministic on a noisy machine).
 * Both loops call the same function of the same plugin: the plain pointer
 * is taken from the plugin's table after a bare dlopen; the tenon table is
 * what tenon_interface returns. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tenon/tenon.h>

#include "bench.h"
#include "common.h"

#ifndef BENCH_PLUGIN_PLAIN
#error "BENCH_PLUGIN_PLAIN must name the built plain benchmark plugin"
#endif

typedef int (*call_fn)(void *ctx, int x);

/* The loops, kept out of line and named, for callgrind's --toggle-collect,
 * and aligned alike so neither gets a luckier place in the instruction
 * cache. A host keeps the table pointer it got from tenon_interface and
 * calls through it, as it would through any ops table. */
__attribute__((noinline, aligned(64))) int64_t bench_run_tenon(const bench_table *table,
                                                               long n);
__attribute__((noinline, aligned(64))) int64_t bench_run_plain(call_fn call, long n);

int64_t bench_run_tenon(const bench_table *table, long n)
{
    int64_t sum = 0;
    for (long i = 0; i < n; i++)
        sum += table->call(NULL, (int)i);
    return sum;
}

int64_t bench_run_plain(call_fn call, long n)
{
    int64_t sum = 0;
    for (long i = 0; i < n; i++)
        sum += call(NULL, (int)i);
    return sum;
}

static call_fn plain_pointer(void)
{
    void *h = dlopen(BENCH_PLUGIN_PLAIN, RTLD_NOW | RTLD_LOCAL);
    if (!h)
        bench_die("dlopen: %s", dlerror());
    const tenon_plugin_entry *e = dlsym(h, TENON_ENTRY_SYMBOL);
    if (!e || e->n_impls != 1)
        bench_die("the plugin has no entry");
    return ((const bench_table *)e->impls[0].table)->call;
}

static tenon_registry *reg;

static int64_t cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static const bench_table *tenon_table(void)
{
    char *dir = bench_tmp_dir("dispatch");
    size_t size;
    unsigned char *image = bench_read_file(BENCH_PLUGIN_PLAIN, &size);
    bench_write_copy(dir, image, size, bench_name_offset(image, size), 1);
    free(image);
    const void *table;
    if (tenon_registry_create("tenon-bench",
                              TENON_REGISTRY_NO_ENV | TENON_REGISTRY_NO_DEFAULT_PATH,
                              &reg) < 0 ||
        tenon_registry_add_path(reg, dir) < 0 || tenon_registry_scan(reg) < 0 ||
        tenon_interface(reg, NULL, BENCH_IFACE, BENCH_IFACE_VERSION, &table, NULL) < 0)
        bench_die("tenon_interface: %s", tenon_last_error()->message);
    free(dir);
    return table;
}

int main(int argc, char **argv)
{
    long calls = 10 * 1000 * 1000;
    const char *mode = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--calls") == 0 && i + 1 < argc)
            calls = atol(argv[++i]);
        else if (!mode)
            mode = argv[i];
        else
            mode = "";
    }
    if (!mode || (strcmp(mode, "plain") && strcmp(mode, "tenon") && strcmp(mode, "time"))) {
        fprintf(stderr, "usage: %s [--calls N] plain|tenon|time\n", argv[0]);
        return 2;
    }
    int64_t sum = 0;
    if (strcmp(mode, "plain") == 0) {
        sum = bench_run_plain(plain_pointer(), calls);
    } else if (strcmp(mode, "tenon") == 0) {
        sum = bench_run_tenon(tenon_table(), calls);
    } else {
        call_fn fp = plain_pointer();
        const bench_table *t = tenon_table();
        enum { ROUNDS = 9 };
        double plain[ROUNDS], tenon[ROUNDS], ratio[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            /* Alternate which loop goes first. */
            int64_t tp, tt, t0 = cpu_ns();
            if (r % 2) {
                sum += bench_run_plain(fp, calls);
                tp = cpu_ns();
                sum += bench_run_tenon(t, calls);
                tt = cpu_ns() - tp;
                tp -= t0;
            } else {
                sum += bench_run_tenon(t, calls);
                tt = cpu_ns();
                sum += bench_run_plain(fp, calls);
                tp = cpu_ns() - tt;
                tt -= t0;
            }
            plain[r] = (double)tp / (double)calls;
            tenon[r] = (double)tt / (double)calls;
            ratio[r] = tenon[r] / plain[r];
        }
        bench_stat sp = bench_stats(plain, ROUNDS), st = bench_stats(tenon, ROUNDS),
                   sr = bench_stats(ratio, ROUNDS);
        printf("  CPU time per call: plain %.3f ns [%.3f .. %.3f], tenon %.3f ns [%.3f .. "
               "%.3f]; "
               "tenon/plain %.3fx [%.3f .. %.3f]\n",
               sp.median, sp.min, sp.max, st.median, st.min, st.max, sr.median, sr.min, sr.max);
    }
    /* The sum is printed so no loop can be optimized away. */
    fprintf(stderr, "checksum %lld\n", (long long)sum);
    if (reg)
        tenon_registry_free(reg);
    return 0;
}
