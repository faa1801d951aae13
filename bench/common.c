/* Helpers the benchmarks share. */
#include "common.h"

#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <tenon/plugin.h>

int64_t bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void bench_sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

bench_stat bench_stats(const double *values, size_t n)
{
    bench_stat s = {0, 0, 0};
    if (!n)
        return s;
    double *copy = malloc(n * sizeof(double));
    memcpy(copy, values, n * sizeof(double));
    qsort(copy, n, sizeof(double), compare_doubles);
    s.min = copy[0];
    s.max = copy[n - 1];
    s.median = n % 2 ? copy[n / 2] : (copy[n / 2 - 1] + copy[n / 2]) / 2;
    free(copy);
    return s;
}

void bench_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

/* Folders to remove when the program ends, however it ends (bench_die
 * exits from anywhere). */
static char *tmp_dirs[16];
static size_t n_tmp_dirs;
static bool keep_tmp;

static void remove_tmp_dirs(void)
{
    for (size_t i = 0; i < n_tmp_dirs; i++) {
        if (!keep_tmp)
            bench_rm_rf(tmp_dirs[i]);
        free(tmp_dirs[i]);
    }
    n_tmp_dirs = 0;
}

void bench_keep_tmp(bool keep)
{
    keep_tmp = keep;
}

char *bench_tmp_dir(const char *what)
{
    char tmpl[256];
    snprintf(tmpl, sizeof(tmpl), "/tmp/tenon-bench-%s-XXXXXX", what);
    if (!mkdtemp(tmpl))
        bench_die("mkdtemp: %s", strerror(errno));
    /* Plugin folders must not be writable by others; mkdtemp's 0700 is
     * fine, 0755 is what a plugin folder usually is. */
    chmod(tmpl, 0755);
    if (n_tmp_dirs == 0)
        atexit(remove_tmp_dirs);
    if (n_tmp_dirs < sizeof(tmp_dirs) / sizeof(tmp_dirs[0]))
        tmp_dirs[n_tmp_dirs++] = strdup(tmpl);
    return strdup(tmpl);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void bench_rm_rf(const char *dir)
{
    nftw(dir, remove_one, 32, FTW_DEPTH | FTW_PHYS);
}

unsigned char *bench_read_file(const char *path, size_t *size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0)
        bench_die("%s: %s", path, strerror(errno));
    unsigned char *data = malloc((size_t)st.st_size + 1);
    size_t have = 0;
    while (have < (size_t)st.st_size) {
        ssize_t n = read(fd, data + have, (size_t)st.st_size - have);
        if (n <= 0)
            bench_die("%s: short read", path);
        have += (size_t)n;
    }
    close(fd);
    *size = have;
    return data;
}

size_t bench_name_offset(const unsigned char *image, size_t size)
{
    size_t found = 0, hits = 0;
    size_t name_at = offsetof(tenon_descriptor, name);
    for (size_t i = 0; i + sizeof(tenon_descriptor) <= size; i += 4) {
        uint32_t magic, dsize;
        uint16_t layout;
        memcpy(&magic, image + i, 4);
        if (magic != TENON_DESC_MAGIC)
            continue;
        memcpy(&layout, image + i + offsetof(tenon_descriptor, layout), 2);
        memcpy(&dsize, image + i + offsetof(tenon_descriptor, size), 4);
        if (layout == TENON_DESC_LAYOUT && dsize == sizeof(tenon_descriptor) &&
            memcmp(image + i + name_at, BENCH_NAME, sizeof(BENCH_NAME)) == 0) {
            found = i + name_at;
            hits++;
        }
    }
    if (hits != 1)
        bench_die("the template plugin has %zu descriptors named " BENCH_NAME, hits);
    return found;
}

void bench_write_copy(const char *dir, unsigned char *image, size_t size, size_t name_offset,
                      unsigned i)
{
    char digits[16], path[4096];
    snprintf(digits, sizeof(digits), "%0*u", BENCH_NAME_DIGITS, i);
    memcpy(image + name_offset + sizeof(BENCH_NAME) - 1 - BENCH_NAME_DIGITS, digits,
           BENCH_NAME_DIGITS);
    snprintf(path, sizeof(path), "%s/bench_%s.so", dir, digits);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
    if (fd < 0 || write(fd, image, size) != (ssize_t)size || close(fd) != 0)
        bench_die("%s: %s", path, strerror(errno));
}

static long status_kb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    size_t len = strlen(field);
    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, field, len) == 0 && sscanf(line + len, ": %ld kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb;
}

long bench_rss_kb(void)
{
    return status_kb("VmRSS");
}

long bench_peak_rss_kb(void)
{
    /* VmHWM, not getrusage's ru_maxrss: that one is carried across exec
     * from the forking parent, which may be much larger. */
    return status_kb("VmHWM");
}

void bench_print_machine(void)
{
    char model[256] = "unknown";
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    int cpus = 0;
    while (f && fgets(line, sizeof(line), f)) {
        if (strncmp(line, "model name", 10) == 0) {
            char *colon = strchr(line, ':');
            if (colon && !cpus)
                snprintf(model, sizeof(model), "%s", colon + 2);
            cpus++;
        }
    }
    if (f)
        fclose(f);
    model[strcspn(model, "\n")] = '\0';
    struct utsname u;
    uname(&u);
    printf("machine: %s, %d CPUs; kernel %s; compiler %s\n", model, cpus, u.release,
#if defined(__clang__)
           "clang " __clang_version__
#elif defined(__GNUC__)
           "gcc " __VERSION__
#else
           "unknown"
#endif
    );
}
