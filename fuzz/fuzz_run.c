/* Fuzzes a whole tenon-io run, in-process: command line, checks, plan,
 * files, IO threads and report (tio_main). The input picks options from
 * tenon-io's own core option table and their values from short lists of
 * valid and edge values, so nearly every input is a job tenon-io accepts or
 * refuses for a reason, and the run behind it is what gets exercised.
 *
 * Kept small and contained: the engine is always null or psync, files live
 * in a private temporary folder (emptied after every input), and the
 * values that size a run (size, bs, iodepth, numjobs, nrfiles, loops,
 * runtime...) come from lists with tiny caps, so one input moves a few MiB
 * at most and lasts well under a second.
 *
 * Input: byte 0 holds flags (bit 0: psync instead of null, bit 1: JSON
 * report, bit 2: also run with --parse-only first); then byte pairs
 * (option, value). Option byte 0xff starts another job (up to MAX_JOBS);
 * options before the first one are [global]. A value byte picks from the
 * option's list; for bool and flag options, an odd value past the list
 * gives the option bare.
 *
 * Also checked: --parse-only refuses nothing the run accepts, since both
 * go through the same checks.
 *
 * To see what an input runs: TENON_FUZZ_RUN_SHOW=1 replay-run INPUT prints
 * the command line and keeps the report. */
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host.h"
#include "job_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 96
#define MAX_JOBS 3
#define NEW_JOB 0xff

struct values {
    const char *name; /* an option name, or a kind of value */
    const char *const *list;
};

#define L(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Options whose values size the run: only tiny ones, and a few edges. */
static const struct values by_name[] = {
    {"size", L("64k", "4k", "1", "0", "100%", "50%", "256k", "8k")},
    {"filesize", L("64k", "4k", "4k-64k", "1")},
    {"io_size", L("64k", "4k", "0", "50%", "256k")},
    {"offset", L("0", "4k", "512", "10%", "100%", "64k")},
    {"offset_increment", L("0", "4k", "50%")},
    {"bs", L("4k", "512", "1", "3", "64k", "0", "4k,8k", "4k,,", ",512")},
    {"ba", L("4k", "512", "1", "0", "3")},
    {"iodepth", L("1", "2", "8", "0", "3")},
    {"iodepth_batch", L("1", "0", "4", "8")},
    {"iodepth_batch_complete_min", L("1", "0", "2", "8")},
    {"iodepth_batch_complete_max", L("1", "0", "2", "8")},
    {"iodepth_low", L("1", "0", "2", "8")},
    {"numjobs", L("1", "2", "3", "0")},
    {"nrfiles", L("1", "2", "4", "0")},
    {"loops", L("1", "2", "3", "0")},
    {"number_ios", L("0", "1", "7", "64")},
    {"fallocate", L("native", "none", "0", "1", "posix", "keep", "truncate", "bogus")},
    {"runtime", L("50ms", "1ms", "10ms", "1us")}, /* never 0: unlimited */
    {"ramp_time", L("0", "1ms", "10ms")},
    {"startdelay", L("0", "1ms", "1ms-3ms", "3ms-1ms")},
    {"verify_interval", L("0", "512", "4k", "1", "3")},
    {"fsync", L("0", "1", "4")},
    {"fdatasync", L("0", "1", "4")},
    {"rw", L("read", "write", "randread", "randwrite", "rw", "randrw", "randrw:4", "write:4k",
             "trim", "bogus")},
    {"rwmixread", L("50", "0", "100", "101", "70")},
    {"rwmixwrite", L("50", "0", "100", "101", "30")},
    {"verify", L("crc32c", "sha256", "md5", "0", "crc32c-intel", "bogus")},
    {"continue_on_error", L("none", "read", "write", "io", "verify", "all", "bogus")},
    {"buffer_pattern", L("0xdeadbeef", "\"abc\"", "7", "0x", "0xabc", "\"\"")},
    {"randseed", L("1234", "0", "-1", "18446744073709551615")},
    {"random_distribution",
     L("random", "zipf", "zipf:1.2:0.25", "pareto:0.3", "normal:10", "normal:99:1",
       "zoned:60/10:30/20:10/70", "zoned:50/50:50/50,100/10", "zoned_abs:50/4k:50/8k",
       "zoned_abs:100/1g", "zoned:50/10", "zipf:1")},
    {"random_generator", L("tausworthe", "lfsr", "tausworthe64", "bogus")},
    {"sync", L("0", "1", "sync", "dsync", "bogus")},
    {"kb_base", L("1024", "1000", "7")},
    {"unit_base", L("0", "1", "8", "3")},
    {"description", L("\"text\"", "x")},
};

/* Everything else, by kind. */
static const struct values by_kind[] = {
    {"bool", L("1", "0", "true", "2", "")},
    {"flag", L("1", "0")},
    {"uint", L("0", "1", "4", "-1", "4294967296", "1k")},
    {"u64", L("0", "1", "4")},
    {"size", L("0", "512", "4k")},
    {"time", L("0", "1ms")},
    {"amount", L("0", "4k", "50%")},
    {"string", L("x")},
    {"custom", L("1")},
};

/* Options that would leave the temporary folder, change the engine or
 * start jobs: the harness sets those itself. */
static const char *const excluded[] = {
    "directory", "filename", "filename_format", "ioengine", "name", NULL,
};

static char root[64];      /* the private temporary folder */
static char files_dir[96]; /* where the jobs' files go; emptied after each input */
static size_t n_options;

static bool is_excluded(const char *name)
{
    for (size_t i = 0; excluded[i]; i++)
        if (strcmp(excluded[i], name) == 0)
            return true;
    return false;
}

static const char *const *values_for(const char *name, const char *kind)
{
    for (size_t i = 0; i < sizeof(by_name) / sizeof(by_name[0]); i++)
        if (strcmp(by_name[i].name, name) == 0)
            return by_name[i].list;
    for (size_t i = 0; i < sizeof(by_kind) / sizeof(by_kind[0]); i++)
        if (strcmp(by_kind[i].name, kind) == 0)
            return by_kind[i].list;
    return NULL;
}

static void empty_folder(const char *path, bool remove_it)
{
    DIR *d = opendir(path);
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        char p[512];
        snprintf(p, sizeof(p), "%s/%s", path, de->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            empty_folder(p, true);
        else
            unlink(p);
    }
    if (d)
        closedir(d);
    if (remove_it)
        rmdir(path);
}

static void remove_root(void)
{
    empty_folder(root, true);
}

/* A private folder for the files, the registry cache and an empty plugin
 * configuration, so no input reads or writes anything of the user's. */
static void init_once(void)
{
    if (root[0])
        return;
    snprintf(root, sizeof(root), "/tmp/tenon-fuzz-run.XXXXXX");
    if (!mkdtemp(root))
        abort();
    atexit(remove_root);
    snprintf(files_dir, sizeof(files_dir), "%s/files", root);
    char xdg[128];
    mkdir(files_dir, 0700);
    /* Logs and verify state files named by a bare prefix land in the
     * working folder, as fio's do: make that folder the private one. */
    if (chdir(root) != 0)
        abort();
    snprintf(xdg, sizeof(xdg), "%s/cache", root);
    mkdir(xdg, 0700);
    setenv("XDG_CACHE_HOME", xdg, 1);
    snprintf(xdg, sizeof(xdg), "%s/config", root);
    mkdir(xdg, 0700);
    setenv("XDG_CONFIG_HOME", xdg, 1);
    setenv("TENON_CONFIG", "", 1);
    setenv("TENON_PLUGIN_PATH", "", 1);
    /* The TSC calibration takes 20 ms per run; clock_gettime is enough. */
    setenv("TENON_IO_CLOCK", "gettime", 1);
    const char *name, *kind, *example;
    while (tio__option_info(n_options, &name, &kind, &example))
        n_options++;
}

static int run(int argc, char **argv);

/* libFuzzer keeps the coverage counters of every instrumented object it
 * has seen; an engine plugin unloaded at the end of a run would leave it
 * reading unmapped memory. Holding the engines open for good (the
 * registry's own dlopen then finds the object already mapped) keeps them. */
static void pin_engines(void)
{
    /* tenon-io's folder sits beside the default one: LIBDIR/tenon-io/plugins
     * next to LIBDIR/tenon/plugins. */
    char libdir[4096];
    snprintf(libdir, sizeof(libdir), "%s", tenon_default_plugin_dir());
    for (int up = 0; up < 2; up++) {
        char *slash = strrchr(libdir, '/');
        if (slash)
            *slash = '\0';
    }
    const char *names[] = {"null", "psync"};
    for (size_t i = 0; i < 2; i++) {
        char path[4096 + 64];
        snprintf(path, sizeof(path), "%s/tenon-io/plugins/%s.so", libdir, names[i]);
        if (access(path, F_OK) == 0 && !dlopen(path, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE)) {
            fprintf(stderr, "fuzz-run: cannot load %s: %s\n", path, dlerror());
            abort();
        }
    }
}

/* Without its engines the fuzzer would only ever see "no such engine". */
static void require_engines(void)
{
    static bool checked;
    if (checked)
        return;
    pin_engines();
    char *null_help[] = {"tenon-io", "--enghelp=null", NULL};
    char *psync_help[] = {"tenon-io", "--enghelp=psync", NULL};
    if (run(2, null_help) != 0 || run(2, psync_help) != 0) {
        fprintf(stderr, "fuzz-run: the null and psync engines are not found; build the "
                        "plugins too (ninja fuzz-target-run, or the whole build)\n");
        abort();
    }
    checked = true;
}

/* tio_main with tenon-io's SIGINT/SIGTERM handlers undone afterwards, so
 * Ctrl-C still reaches libFuzzer between inputs. */
static int tio_main_once(int argc, char **argv)
{
    struct sigaction old_int, old_term;
    sigaction(SIGINT, NULL, &old_int);
    sigaction(SIGTERM, NULL, &old_term);
    atomic_store(&tio_stop, false);
    int status = tio_main(argc, argv, NULL);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    return status;
}

/* Runs tenon-io with args, its report (stdout) thrown away. With
 * TENON_FUZZ_RUN_SHOW set (reproducing a finding), the command line goes to
 * stderr and the report stays. */
static int run(int argc, char **argv)
{
    if (getenv("TENON_FUZZ_RUN_SHOW")) {
        for (int i = 0; i < argc; i++)
            fprintf(stderr, "%s%s", i ? " " : "", argv[i]);
        fputc('\n', stderr);
        return tio_main_once(argc, argv);
    }
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (saved < 0 || null < 0)
        abort();
    dup2(null, STDOUT_FILENO);
    close(null);
    int status = tio_main_once(argc, argv);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    return status;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init_once();
    require_engines();
    if (size == 0)
        return 0;
    static char args[MAX_ARGS][128];
    char *argv[MAX_ARGS + 2];
    int argc = 0;
    uint8_t flags = data[0];
    argv[argc++] = "tenon-io";
    argv[argc++] = "--eta=never";
    argv[argc++] = flags & 2 ? "--output-format=json" : "--output-format=normal";
    argv[argc++] = flags & 1 ? "--ioengine=psync" : "--ioengine=null";
    snprintf(args[argc], sizeof(args[argc]), "--directory=%s", files_dir);
    argv[argc] = args[argc];
    argc++;
    argv[argc++] = "--size=64k";
    argv[argc++] = "--runtime=50ms";
    int jobs = 0;
    for (size_t i = 1; i + 1 < size + 1 && argc < MAX_ARGS - 2; i += 2) {
        uint8_t o = data[i], v = i + 1 < size ? data[i + 1] : 0;
        if (o == NEW_JOB) {
            if (jobs == MAX_JOBS)
                continue;
            snprintf(args[argc], sizeof(args[argc]), "--name=j%d", jobs++);
            argv[argc] = args[argc];
            argc++;
            continue;
        }
        const char *name, *kind, *example;
        if (!tio__option_info(o % n_options, &name, &kind, &example) || is_excluded(name))
            continue;
        const char *const *list = values_for(name, kind);
        size_t n = 0;
        while (list && list[n])
            n++;
        bool bare_ok = strcmp(kind, "bool") == 0 || strcmp(kind, "flag") == 0;
        if (bare_ok && (v & 1) && v / 2 >= n)
            snprintf(args[argc], sizeof(args[argc]), "--%s", name);
        else if (n)
            snprintf(args[argc], sizeof(args[argc]), "--%s=%s", name, list[v % n]);
        else
            snprintf(args[argc], sizeof(args[argc]), "--%s=%s", name, example);
        argv[argc] = args[argc];
        argc++;
    }
    if (jobs == 0) {
        argv[argc++] = "--name=j";
    }
    argv[argc] = NULL;

    int checked = -1;
    if (flags & 4) {
        argv[argc] = "--parse-only";
        argv[argc + 1] = NULL;
        checked = run(argc + 1, argv);
        argv[argc] = NULL;
    }
    int status = run(argc, argv);
    empty_folder(files_dir, false);
    if (checked == 1 && status == 0) {
        fprintf(stderr, "fuzz-run: --parse-only refused a job the run accepted\n");
        abort();
    }
    return 0;
}
