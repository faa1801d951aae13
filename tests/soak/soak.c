/* A bounded soak: many threads, for minutes, on one registry: loading and
 * unloading a dependency chain, looking up interfaces by name and by rank,
 * making and destroying instances, holding and releasing plugins. Run by
 * `make soak` under ThreadSanitizer and under AddressSanitizer (leaks are
 * checked at exit). Every call must succeed or fail with an error the race
 * explains; memory must stay flat: the resident size after the warm-up may
 * not keep growing.
 *
 * usage: soak [--seconds N] [--threads N]   (defaults 120 and 16) */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <tenon/tenon.h>

#include "fixture.h"

/* Sanitizer runtimes keep metadata for every dlopen that dlclose never
 * frees (ASan's registered globals, TSan's shadow), so the process grows
 * with load/unload cycles whatever the library does. Memory is judged in the
 * uninstrumented run; the sanitized runs judge races, errors and leaks. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

static const char *const fixtures[] = {"chain_a", "chain_b", "chain_c", "good_unloadable",
                                       "good_basic"};

typedef struct soak {
    tenon_registry *reg;
    atomic_bool stop;
    atomic_long ops, unexpected;
    pthread_mutex_t lock;
    char first[1024];
} soak;

static void unexpected(soak *s, const char *what, int rc)
{
    char text[900];
    tenon_error_format(tenon_last_error(), text, sizeof(text));
    pthread_mutex_lock(&s->lock);
    if (!s->first[0])
        snprintf(s->first, sizeof(s->first), "%s: %s: %s", what, tenon_err_name(rc), text);
    pthread_mutex_unlock(&s->lock);
    atomic_fetch_add(&s->unexpected, 1);
}

/* rc must be 0 or one of the errors a concurrent unload or hold explains. */
static void expect(soak *s, const char *what, int rc)
{
    if (rc == 0 || rc == TENON_EBUSY || rc == TENON_ESTATE)
        return;
    unexpected(s, what, rc);
}

static void *worker(void *arg)
{
    soak *s = arg;
    unsigned seed = (unsigned)(uintptr_t)pthread_self();
    char holder[64];
    snprintf(holder, sizeof(holder), "soak-%lx", (unsigned long)pthread_self());
    while (!atomic_load(&s->stop)) {
        int what = rand_r(&seed) % 6;
        const fx_table *t;
        tenon_plugin *p;
        switch (what) {
        case 0: /* load the chain (a needs b needs c) */
            expect(s, "load chain_a", tenon_registry_load(s->reg, "chain_a", NULL));
            break;
        case 1: /* unload from the top; refused while held or required */
            for (int i = 0; i < 3; i++) {
                p = tenon_registry_find(s->reg, fixtures[i]);
                int rc = p ? tenon_plugin_unload(p) : TENON_ENOTFOUND;
                if (rc != 0 && rc != TENON_EBUSY && rc != TENON_ESTATE)
                    unexpected(s, "unload", rc);
            }
            break;
        case 2: /* interface lookups */
            expect(s, "lookup by name",
                   tenon_interface(s->reg, "chain_b", FX_IFACE, 1, (const void **)&t, NULL));
            expect(s, "lookup by rank",
                   tenon_interface(s->reg, NULL, FX_IFACE, 1, (const void **)&t, NULL));
            break;
        case 3: { /* an instance: pins its plugin while it lives */
            tenon_instance *inst;
            int rc = tenon_instance_new(s->reg, "good_unloadable", FX_IFACE, NULL, NULL, &inst);
            expect(s, "instance", rc);
            if (rc == 0) {
                t = tenon_instance_table(inst);
                if (strcmp(t->name(), "good_unloadable") != 0)
                    unexpected(s, "instance table", TENON_EINVAL);
                tenon_instance_free(inst);
            }
            break;
        }
        case 4: /* hold and release */
            p = tenon_registry_find(s->reg, "chain_c");
            if (p && tenon_plugin_hold(p, holder) == 0)
                expect(s, "release", tenon_plugin_release(p, holder));
            break;
        case 5: /* unload the instance plugin; refused while instances live */
            p = tenon_registry_find(s->reg, "good_unloadable");
            if (p) {
                int rc = tenon_plugin_unload(p);
                if (rc != 0 && rc != TENON_EBUSY && rc != TENON_ESTATE)
                    unexpected(s, "unload good_unloadable", rc);
            }
            break;
        }
        atomic_fetch_add(&s->ops, 1);
    }
    return NULL;
}

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    if (f)
        fclose(f);
    return kib;
}

static int copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wb") : NULL;
    char buf[65536];
    size_t n;
    int rc = in && out ? 0 : -1;
    while (rc == 0 && (n = fread(buf, 1, sizeof(buf), in)) > 0)
        rc = fwrite(buf, 1, n, out) == n ? 0 : -1;
    if (in)
        fclose(in);
    if (out && fclose(out) != 0)
        rc = -1;
    return rc;
}

static void quiet(void *ud, tenon_log_level level, const char *plugin, const char *message)
{
    (void)ud;
    if (level <= TENON_LOG_WARN)
        fprintf(stderr, "soak: %s: %s\n", plugin ? plugin : "", message);
}

int main(int argc, char **argv)
{
    int seconds = 120, nthreads = 16;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--seconds") == 0)
            seconds = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--threads") == 0)
            nthreads = atoi(argv[i + 1]);
    }
    if (seconds < 1 || nthreads < 1 || nthreads > 256) {
        fprintf(stderr, "usage: soak [--seconds N] [--threads N]\n");
        return 2;
    }
    char dir[] = "/tmp/tenon-soak.XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
        char from[4096], to[4096];
        snprintf(from, sizeof(from), "%s/%s.so", FIXTURE_DIR, fixtures[i]);
        snprintf(to, sizeof(to), "%s/%s.so", dir, fixtures[i]);
        if (copy_file(from, to) != 0) {
            fprintf(stderr, "soak: cannot copy %s: %s\n", from, strerror(errno));
            return 1;
        }
    }
    soak s = {0};
    pthread_mutex_init(&s.lock, NULL);
    if (tenon_registry_create("tenon-soak",
                              TENON_REGISTRY_NO_ENV | TENON_REGISTRY_NO_DEFAULT_PATH,
                              &s.reg) < 0 ||
        tenon_registry_add_path(s.reg, dir) < 0 || tenon_registry_scan(s.reg) < 0) {
        char text[1024];
        tenon_error_format(tenon_last_error(), text, sizeof(text));
        fprintf(stderr, "soak: %s\n", text);
        return 1;
    }
    tenon_registry_set_log(s.reg, quiet, NULL, TENON_LOG_WARN);

    pthread_t *tids = calloc((size_t)nthreads, sizeof(*tids));
    for (int i = 0; i < nthreads; i++)
        pthread_create(&tids[i], NULL, worker, &s);

    /* Memory after a warm-up (a tenth of the run, at least 5 s) against the
     * end: allocators settle early, a leak keeps growing. */
    int warm = seconds / 10 > 5 ? seconds / 10 : 5;
    if (warm >= seconds)
        warm = seconds / 2;
    long rss_warm = -1, rss_peak = 0;
    for (int t = 1; t <= seconds; t++) {
        sleep(1);
        long r = rss_kib();
        if (t == warm)
            rss_warm = r;
        if (r > rss_peak)
            rss_peak = r;
        if (t % 10 == 0)
            fprintf(stderr, "soak: %3d s, %ld operations, RSS %ld KiB\n", t,
                    atomic_load(&s.ops), r);
    }
    atomic_store(&s.stop, true);
    for (int i = 0; i < nthreads; i++)
        pthread_join(tids[i], NULL);
    long rss_end = rss_kib();
    free(tids);
    tenon_registry_free(s.reg);
    for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s.so", dir, fixtures[i]);
        unlink(path);
    }
    rmdir(dir);

    long growth = rss_warm > 0 ? rss_end - rss_warm : 0;
    printf("soak: %d threads, %d s, %ld operations, %ld unexpected; RSS after warm-up %ld KiB, "
           "at the end %ld KiB (%+ld KiB), peak %ld KiB\n",
           nthreads, seconds, atomic_load(&s.ops), atomic_load(&s.unexpected), rss_warm,
           rss_end, growth, rss_peak);
    if (atomic_load(&s.unexpected))
        printf("soak: first unexpected result: %s\n", s.first);
    /* A few MiB of slack for allocator arenas; a leak per operation over
     * millions of operations is far larger. */
    bool flat = SANITIZED || growth < 4096;
    if (SANITIZED)
        printf("soak: memory is judged in the uninstrumented run (sanitizers keep "
               "per-dlopen metadata)\n");
    else if (!flat)
        printf("soak: memory grew after the warm-up: a leak?\n");
    else
        printf("soak: memory flat\n");
    return atomic_load(&s.unexpected) == 0 && flat ? 0 : 1;
}
