/* The registry cache: what a warm scan reads (only what changed), what it
 * keeps (descriptors, read failures and check results, with their
 * reasons), and every way a cache file can be wrong (each ignored with one
 * warning, and rebuilt). Runs are separate registries over the same cache
 * file, as separate processes would be. */
#include "helpers.h"

#include "cache_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- Harness --------------------------------------------------------------- */

typedef struct logbuf {
    int warnings;
    char text[8192];
} logbuf;

static void log_fn(void *userdata, tenon_log_level level, const char *plugin,
                   const char *message)
{
    logbuf *b = userdata;
    if (!b || level > TENON_LOG_WARN)
        return;
    b->warnings++;
    size_t len = strlen(b->text);
    snprintf(b->text + len, sizeof(b->text) - len, "%s:%s\n", plugin ? plugin : "", message);
}

typedef struct env {
    char *plugins; /* the plugin folder */
    char *home;    /* the cache's folder lives in here */
    char cache[512];
} env;

static int setup(void **state)
{
    env *e = calloc(1, sizeof(*e));
    e->plugins = tmp_dir();
    e->home = tmp_dir();
    snprintf(e->cache, sizeof(e->cache), "%s/tenon/test.cache", e->home);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    env *e = *state;
    tmp_remove(e->plugins);
    tmp_remove(e->home);
    free(e);
    return 0;
}

/* Files changed within a timestamp tick of a scan are not cached (they
 * could change again unseen); tests wait that long after changing files. */
static void settle(void)
{
    struct timespec ts = {0, 150 * 1000 * 1000};
    nanosleep(&ts, NULL);
}

static tenon_registry *open_reg(const char *dir, const char *cache, unsigned flags,
                                unsigned cache_flags, logbuf *log)
{
    tenon_registry *reg = NULL;
    expect_ok(tenon_registry_create("cache-test",
                                    flags | TENON_REGISTRY_NO_ENV |
                                        TENON_REGISTRY_NO_DEFAULT_PATH |
                                        TENON_REGISTRY_NO_STATIC,
                                    &reg));
    if (log)
        memset(log, 0, sizeof(*log));
    tenon_registry_set_log(reg, log_fn, log, TENON_LOG_DEBUG);
    if (cache)
        expect_ok(tenon_registry_set_cache(reg, cache, cache_flags));
    if (dir)
        expect_ok(tenon_registry_add_path(reg, dir));
    int n = tenon_registry_scan(reg);
    if (n < 0)
        expect_ok(n);
    return reg;
}

static tenon_cache_stats stats_of(tenon_registry *reg)
{
    tenon_cache_stats st = {.struct_size = sizeof(st)};
    expect_ok(tenon_registry_cache_stats(reg, &st));
    return st;
}

/* One run: scan, free (which writes the cache if needed); its counters. */
static tenon_cache_stats run(const env *e, logbuf *log)
{
    tenon_registry *reg = open_reg(e->plugins, e->cache, 0, 0, log);
    tenon_cache_stats st = stats_of(reg);
    tenon_registry_free(reg);
    return st;
}

static tenon_plugin *find_any(tenon_registry *reg, const char *name)
{
    for (size_t i = 0; i < tenon_registry_count(reg); i++) {
        tenon_plugin *p = tenon_registry_at(reg, i);
        if (strcmp(tenon_plugin_name(p), name) == 0)
            return p;
    }
    fail_msg("no plugin named %s", name);
    return NULL;
}

/* Plugin file entries (folder listings not counted). */
static size_t cache_entries(const char *path)
{
    tenon_cache *c;
    expect_ok(tenon_cache_read(path, &c));
    size_t n = 0;
    for (size_t i = 0; i < tenon_cache_count(c); i++)
        n += !tenon_cache_at(c, i)->folder;
    tenon_cache_free(c);
    return n;
}

static void write_bytes(const char *path, const void *data, size_t size, mode_t mode)
{
    unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, size), (ssize_t)size);
    assert_int_equal(fchmod(fd, mode), 0);
    close(fd);
}

/* ---- What a warm scan gives ------------------------------------------------ */

static void expect_same_error(const tenon_error *a, const tenon_error *b)
{
    if (!a || !b) {
        assert_true(a == b);
        return;
    }
    assert_int_equal(a->code, b->code);
    assert_int_equal(a->stage, b->stage);
    assert_string_equal(a->plugin, b->plugin);
    assert_string_equal(a->path, b->path);
    assert_string_equal(a->message, b->message);
    assert_string_equal(a->hint, b->hint);
}

static void expect_same_desc(const tenon_plugin_desc *a, const tenon_plugin_desc *b)
{
    if (!a || !b) {
        assert_true(a == b);
        return;
    }
    assert_int_equal(a->layout, b->layout);
    assert_string_equal(a->name, b->name);
    assert_string_equal(a->version, b->version);
    assert_string_equal(a->description, b->description);
    assert_string_equal(a->license, b->license);
    assert_string_equal(a->url, b->url);
    assert_int_equal(a->abi_major, b->abi_major);
    assert_int_equal(a->abi_minor, b->abi_minor);
    assert_int_equal(a->flags, b->flags);
    assert_int_equal(a->n_deps, b->n_deps);
    for (size_t i = 0; i < a->n_deps; i++) {
        assert_string_equal(a->deps[i].name, b->deps[i].name);
        assert_string_equal(a->deps[i].range, b->deps[i].range);
    }
    assert_int_equal(a->n_provides, b->n_provides);
    for (size_t i = 0; i < a->n_provides; i++) {
        assert_string_equal(a->provides[i].name, b->provides[i].name);
        assert_int_equal(a->provides[i].version, b->provides[i].version);
        assert_int_equal(a->provides[i].rank, b->provides[i].rank);
    }
    assert_int_equal(a->n_overrides, b->n_overrides);
    for (size_t i = 0; i < a->n_overrides; i++)
        assert_string_equal(a->overrides[i], b->overrides[i]);
    assert_int_equal(a->n_options, b->n_options);
    for (size_t i = 0; i < a->n_options; i++) {
        const tenon_option *x = &a->options[i], *y = &b->options[i];
        assert_string_equal(x->name, y->name);
        assert_int_equal(x->type, y->type);
        assert_int_equal(x->flags, y->flags);
        assert_string_equal(x->def, y->def);
        assert_string_equal(x->help, y->help);
        assert_string_equal(x->choices, y->choices);
        assert_int_equal(x->min, y->min);
        assert_int_equal(x->max, y->max);
    }
    assert_int_equal(a->n_meta, b->n_meta);
    for (size_t i = 0; i < a->n_meta; i++) {
        assert_string_equal(a->meta[i].key, b->meta[i].key);
        assert_string_equal(a->meta[i].value, b->meta[i].value);
    }
}

/* Every fixture, good and broken, reads the same from the cache as from its
 * file: descriptor, status, and error down to the message. */
static void test_warm_scan_equals_cold(void **state)
{
    env *e = *state;
    static const char *const fixtures[] = {
        "good_basic", "good_disabled", "opt_required", "bad_magic",    "bad_layout",
        "bad_field",  "bad_abimajor",  "bad_abiminor", "bad_mismatch", "bad_nodesc",
        "shadow_v1",  "chain_a",       "dia_top",      "rank_b",       "sym_user",
    };
    for (size_t i = 0; i < TENON__ARRAY_SIZE(fixtures); i++)
        copy_fixture(e->plugins, fixtures[i], NULL);
    if (fixture_exists("bad_elf32.so"))
        copy_fixture(e->plugins, "bad_elf32", NULL);
    write_file(tmp_path(e->plugins, "text.so"), "not an ELF file\n");
    chmod(tmp_path(e->plugins, "text.so"), 0644);
    settle();

    tenon_registry *cold = open_reg(e->plugins, NULL, 0, 0, NULL);
    tenon_cache_stats st = run(e, NULL); /* writes the cache */
    assert_int_equal(st.cache_hits, 0);
    assert_int_equal(st.files_read, tenon_registry_count(cold));
    assert_int_equal(st.cache_saves, 1);

    logbuf log;
    tenon_registry *warm = open_reg(e->plugins, e->cache, 0, 0, &log);
    st = stats_of(warm);
    assert_int_equal(st.files_read, 0);
    assert_int_equal(st.cache_hits, tenon_registry_count(cold));
    assert_int_equal(log.warnings, 0);
    assert_int_equal(tenon_registry_count(warm), tenon_registry_count(cold));
    for (size_t i = 0; i < tenon_registry_count(cold); i++) {
        tenon_plugin *a = tenon_registry_at(cold, i), *b = tenon_registry_at(warm, i);
        assert_string_equal(tenon_plugin_name(a), tenon_plugin_name(b));
        assert_string_equal(tenon_plugin_path(a), tenon_plugin_path(b));
        assert_int_equal(tenon_plugin_status(a), tenon_plugin_status(b));
        expect_same_desc(tenon_plugin_descriptor(a), tenon_plugin_descriptor(b));
        expect_same_error(tenon_plugin_error(a), tenon_plugin_error(b));
    }
    /* The warm registry loads as well as the cold one. */
    tenon_plugin *p;
    expect_ok(tenon_registry_load(warm, "good_basic", &p));
    tenon_registry_free(warm);
    tenon_registry_free(cold);
}

/* A warm scan with nothing changed writes nothing. */
static void test_unchanged_not_written(void **state)
{
    env *e = *state;
    copy_fixtures(e->plugins, "chain_c", "dia_base", NULL);
    settle();
    run(e, NULL);
    struct stat before, after;
    assert_int_equal(stat(e->cache, &before), 0);
    tenon_cache_stats st = run(e, NULL);
    assert_int_equal(st.cache_saves, 0);
    assert_int_equal(st.files_read, 0);
    assert_int_equal(stat(e->cache, &after), 0);
    assert_int_equal(before.st_ino, after.st_ino);
    assert_int_equal(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
}

/* Scans list a folder's files in strcmp order of their names (the
 * registry's index order decides between plugins of one name), whatever
 * prefixes and lengths the names have. */
static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_scan_order(void **state)
{
    env *e = *state;
    enum { N = 400 };
    char *names[N];
    srand(7);
    static const char *const prefixes[] = {"",           "a", "aa",      "plugin-",
                                           "plugin-io-", "z", "\xc3\xa9"};
    for (int i = 0; i < N; i++) {
        char name[64];
        int len = snprintf(name, sizeof(name), "%s", prefixes[rand() % 7]);
        int extra = rand() % 6;
        for (int k = 0; k < extra; k++)
            name[len++] = "ab-_.9Zz"[rand() % 8];
        snprintf(name + len, sizeof(name) - (size_t)len, "%d.so",
                 i % 37 == 0 ? i : rand() % 50);
        names[i] = strdup(name);
        /* Hidden files are not plugins; a name twice is one file. */
        if (name[0] == '.' || access(tmp_path(e->plugins, name), F_OK) == 0) {
            free(names[i]);
            names[i] = NULL;
            continue;
        }
        copy_file(fx_path("chain_c.so"), tmp_path(e->plugins, name));
    }
    int n = 0;
    for (int i = 0; i < N; i++)
        if (names[i])
            names[n++] = names[i];
    qsort(names, (size_t)n, sizeof(char *), compare_strings);
    tenon_registry *reg = open_reg(e->plugins, NULL, 0, 0, NULL);
    assert_int_equal(tenon_registry_count(reg), (size_t)n);
    for (int i = 0; i < n; i++) {
        const char *path = tenon_plugin_path(tenon_registry_at(reg, (size_t)i));
        assert_string_equal(strrchr(path, '/') + 1, names[i]);
        free(names[i]);
    }
    tenon_registry_free(reg);
}

/* ---- Change detection ------------------------------------------------------ */

static void test_change_detection(void **state)
{
    env *e = *state;
    copy_fixtures(e->plugins, "chain_c", "dia_base", "ver_b", "dfail_ok", "lazy_provider",
                  NULL);
    settle();
    tenon_cache_stats st = run(e, NULL);
    assert_int_equal(st.files_read, 5);
    st = run(e, NULL);
    assert_int_equal(st.files_read, 0);
    assert_int_equal(st.cache_hits, 5);

    /* touch: a new mtime. */
    struct timespec times[2] = {{0, UTIME_OMIT}, {1700000000, 123}};
    assert_int_equal(utimensat(AT_FDCWD, tmp_path(e->plugins, "chain_c.so"), times, 0), 0);
    settle();
    st = run(e, NULL);
    assert_int_equal(st.files_read, 1);
    assert_int_equal(st.cache_hits, 4);
    assert_int_equal(st.cache_stale, 1);
    assert_int_equal(run(e, NULL).files_read, 0);

    /* replace: a new inode with the same size and times. */
    const char *victim = tmp_path(e->plugins, "dia_base.so");
    struct stat old;
    assert_int_equal(stat(victim, &old), 0);
    copy_file(fx_path("dia_base.so"), tmp_path(e->plugins, "dia_base.new"));
    struct timespec same[2] = {old.st_atim, old.st_mtim};
    assert_int_equal(utimensat(AT_FDCWD, tmp_path(e->plugins, "dia_base.new"), same, 0), 0);
    assert_int_equal(rename(tmp_path(e->plugins, "dia_base.new"), victim), 0);
    settle();
    st = run(e, NULL);
    assert_int_equal(st.files_read, 1);
    assert_int_equal(st.cache_hits, 4);
    assert_int_equal(run(e, NULL).files_read, 0);

    /* delete: its entry goes. */
    assert_int_equal(unlink(tmp_path(e->plugins, "ver_b.so")), 0);
    st = run(e, NULL);
    assert_int_equal(st.files_read, 0);
    assert_int_equal(st.cache_hits, 4);
    /* The folder's new listing is too fresh to cache yet. */
    assert_int_equal(st.entries_written, 4);
    assert_int_equal(cache_entries(e->cache), 4);

    /* add: only the new one is read. */
    copy_fixture(e->plugins, "ver_b", NULL);
    settle();
    st = run(e, NULL);
    assert_int_equal(st.files_read, 1);
    assert_int_equal(st.cache_hits, 4);
    assert_int_equal(cache_entries(e->cache), 5);

    /* chmod: only the ctime moves. */
    assert_int_equal(chmod(tmp_path(e->plugins, "dfail_ok.so"), 0750), 0);
    settle();
    st = run(e, NULL);
    assert_int_equal(st.files_read, 1);
    assert_int_equal(st.cache_hits, 4);
    st = run(e, NULL);
    assert_int_equal(st.files_read, 0);
    assert_int_equal(st.cache_hits, 5);
}

/* A folder whose identity is unchanged is not read again; adding a file
 * changes it, even when its mtime is put back. */
static void test_folder_listing(void **state)
{
    env *e = *state;
    copy_fixtures(e->plugins, "chain_c", "dia_base", NULL);
    settle();
    tenon_cache_stats st = run(e, NULL);
    assert_int_equal(st.cache_folder_hits, 0);
    st = run(e, NULL);
    assert_int_equal(st.cache_folder_hits, 1);
    assert_int_equal(st.files_read, 0);

    struct stat old;
    assert_int_equal(stat(e->plugins, &old), 0);
    copy_fixture(e->plugins, "ver_b", NULL);
    struct timespec times[2] = {old.st_atim, old.st_mtim};
    assert_int_equal(utimensat(AT_FDCWD, e->plugins, times, 0), 0);
    settle();
    tenon_registry *reg = open_reg(e->plugins, e->cache, 0, 0, NULL);
    st = stats_of(reg);
    assert_int_equal(st.cache_folder_hits, 0);
    assert_int_equal(st.files_read, 1);
    assert_non_null(tenon_registry_find(reg, "ver_b"));
    tenon_registry_free(reg);

    /* A file removed: the listing is read again, the file is gone. */
    assert_int_equal(unlink(tmp_path(e->plugins, "dia_base.so")), 0);
    settle();
    reg = open_reg(e->plugins, e->cache, 0, 0, NULL);
    assert_int_equal(stats_of(reg).cache_folder_hits, 0);
    assert_int_equal(tenon_registry_count(reg), 2);
    tenon_registry_free(reg);
    st = run(e, NULL);
    assert_int_equal(st.cache_folder_hits, 1);
    assert_int_equal(st.cache_hits, 2);
}

/* Search folders that nest keep each other's listings, also through a
 * write caused by a change elsewhere: a warm scan of both reads nothing
 * and writes nothing. */
static void test_nested_folders(void **state)
{
    env *e = *state;
    char sub[600];
    snprintf(sub, sizeof(sub), "%s/sub", e->plugins);
    assert_int_equal(mkdir(sub, 0755), 0);
    copy_fixtures(e->plugins, "chain_c", NULL);
    copy_fixtures(sub, "dia_base", NULL);
    settle();
    for (int run_no = 0; run_no < 4; run_no++) {
        if (run_no == 2) {
            /* A file changes: this run writes the cache. */
            struct timespec times[2] = {{0, UTIME_OMIT}, {1700000000, 0}};
            assert_int_equal(utimensat(AT_FDCWD, tmp_path(e->plugins, "chain_c.so"), times, 0),
                             0);
            settle();
        }
        tenon_registry *reg = NULL;
        expect_ok(tenon_registry_create("cache-test",
                                        TENON_REGISTRY_NO_ENV | TENON_REGISTRY_NO_DEFAULT_PATH |
                                            TENON_REGISTRY_NO_STATIC,
                                        &reg));
        tenon_registry_set_log(reg, NULL, NULL, TENON_LOG_ERROR);
        expect_ok(tenon_registry_set_cache(reg, e->cache, 0));
        expect_ok(tenon_registry_add_path(reg, e->plugins));
        expect_ok(tenon_registry_add_path(reg, sub));
        assert_int_equal(tenon_registry_scan(reg), 2);
        tenon_cache_stats st = stats_of(reg);
        tenon_registry_free(reg);
        if (run_no == 0)
            continue;
        assert_int_equal(st.files_read, run_no == 2 ? 1 : 0);
        assert_int_equal(st.cache_folder_hits, 2);
        assert_int_equal(st.cache_saves, run_no == 2 ? 1 : 0);
    }
}

/* A file changed right before the scan is read but not cached: its
 * timestamps could stay put through another change. */
static void test_racy_file_not_cached(void **state)
{
    env *e = *state;
    copy_fixture(e->plugins, "chain_c", NULL);
    tenon_cache_stats st = run(e, NULL);
    assert_int_equal(st.files_read, 1);
    assert_int_equal(st.entries_written, 0); /* nor is the folder's listing */
    settle();
    st = run(e, NULL);
    assert_int_equal(st.files_read, 1);
    assert_int_equal(st.entries_written, 2);
    assert_int_equal(run(e, NULL).files_read, 0);
}

/* ---- Failures and their reasons -------------------------------------------- */

static void test_cached_failure_forgotten_on_change(void **state)
{
    env *e = *state;
    copy_fixture(e->plugins, "bad_magic", "plug.so");
    settle();
    run(e, NULL);
    tenon_registry *reg = open_reg(e->plugins, e->cache, 0, 0, NULL);
    assert_int_equal(stats_of(reg).files_read, 0);
    tenon_plugin *p = find_any(reg, "plug");
    assert_int_equal(tenon_plugin_status(p), TENON_STATUS_BROKEN);
    expect_error_obj(tenon_plugin_error(p), TENON_EBADMAGIC, "plug.so", "0xdeadbeef",
                     "rebuild the plugin", NULL);
    assert_int_equal(tenon_plugin_error(p)->stage, TENON_STAGE_SCAN);
    tenon_registry_free(reg);

    /* The file is fixed in place (same inode): the failure is forgotten. */
    size_t size;
    unsigned char *good = read_file(fx_path("chain_c.so"), &size);
    write_bytes(tmp_path(e->plugins, "plug.so"), good, size, 0755);
    free(good);
    settle();
    reg = open_reg(e->plugins, e->cache, 0, 0, NULL);
    assert_int_equal(stats_of(reg).files_read, 1);
    p = find_any(reg, "chain_c");
    assert_int_equal(tenon_plugin_status(p), TENON_STATUS_FOUND);
    assert_null(tenon_plugin_error(p));
    tenon_registry_free(reg);
}

static void test_cached_crash(void **state)
{
    env *e = *state;
    copy_fixtures(e->plugins, "bad_initcrash", "good_basic", NULL);
    settle();
    tenon_registry *reg = open_reg(e->plugins, e->cache, 0, 0, NULL);
    tenon_plugin *crash = find_any(reg, "bad_initcrash");
    tenon_plugin *good = find_any(reg, "good_basic");
    assert_int_equal(tenon_plugin_check_state(crash, NULL), TENON_CHECK_NONE);
    expect_error(tenon_plugin_validate(crash, 0), TENON_ECRASH, "bad_initcrash", "signal",
                 NULL);
    expect_ok(tenon_plugin_validate(good, 0));
    tenon_registry_free(reg); /* writes the check results */

    reg = open_reg(e->plugins, e->cache, 0, 0, NULL);
    assert_int_equal(stats_of(reg).files_read, 0);
    crash = find_any(reg, "bad_initcrash");
    good = find_any(reg, "good_basic");
    assert_int_equal(tenon_plugin_status(crash), TENON_STATUS_BROKEN);
    expect_error_obj(tenon_plugin_error(crash), TENON_ECRASH, "bad_initcrash", "SIGSEGV",
                     "during init", NULL);
    const tenon_error *why = NULL;
    assert_int_equal(tenon_plugin_check_state(crash, &why), TENON_CHECK_FAILED);
    expect_error_obj(why, TENON_ECRASH, "bad_initcrash", "signal 11", NULL);
    assert_int_equal(tenon_plugin_check_state(good, NULL), TENON_CHECK_PASSED);
    assert_int_equal(tenon_plugin_status(good), TENON_STATUS_FOUND);
    /* Loading fails fast with the reason, without running the plugin. */
    expect_error(tenon_plugin_load(crash), TENON_ECRASH, "bad_initcrash", NULL);
    tenon_registry_free(reg);

    /* The file changes: the check result is forgotten. */
    assert_int_equal(chmod(tmp_path(e->plugins, "bad_initcrash.so"), 0750), 0);
    settle();
    reg = open_reg(e->plugins, e->cache, 0, 0, NULL);
    assert_int_equal(stats_of(reg).files_read, 1);
    crash = find_any(reg, "bad_initcrash");
    assert_int_equal(tenon_plugin_status(crash), TENON_STATUS_FOUND);
    assert_int_equal(tenon_plugin_check_state(crash, NULL), TENON_CHECK_NONE);
    assert_int_equal(tenon_plugin_check_state(find_any(reg, "good_basic"), NULL),
                     TENON_CHECK_PASSED);
    tenon_registry_free(reg);
}

/* ---- Forged caches (internal encoder) -------------------------------------- */

static void write_image(const char *path, const tenon_cache_entry *entries, size_t n)
{
    tenon__bytes body = {0};
    for (size_t i = 0; i < n; i++)
        tenon__cache_encode(&body, &entries[i]);
    assert_false(body.failed);
    unsigned char header[TENON__CACHE_HEADER_SIZE];
    tenon__cache_header(header, body.data, body.len, (uint32_t)n,
                        tenon__now_ns() - 10000000000);
    char dir[512];
    snprintf(dir, sizeof(dir), "%s", path);
    *strrchr(dir, '/') = '\0';
    mkdir(dir, 0700);
    unsigned char *image = malloc(sizeof(header) + body.len + 1);
    memcpy(image, header, sizeof(header));
    memcpy(image + sizeof(header), body.data, body.len);
    write_bytes(path, image, sizeof(header) + body.len, 0600);
    free(image);
    tenon__bytes_free(&body);
}

static tenon_cache_entry entry_for(const char *path)
{
    struct stat st;
    assert_int_equal(lstat(path, &st), 0);
    return (tenon_cache_entry){
        .path = path,
        .dev = st.st_dev,
        .ino = st.st_ino,
        .size = st.st_size,
        .mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec,
        .ctime_ns = (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec,
        .read_ns = tenon__now_ns(),
    };
}

/* A cache that lies (a good descriptor for a file that has none) lists the
 * lie but cannot make it load: loading re-reads the file. */
static void test_forged_entry_never_loads(void **state)
{
    env *e = *state;
    copy_fixture(e->plugins, "bad_magic", "liar.so");
    settle();
    char path[512];
    snprintf(path, sizeof(path), "%s/liar.so", e->plugins);
    tenon_plugin_desc *desc;
    expect_ok(tenon_descriptor_read(fx_path("chain_c.so"), &desc));
    tenon_cache_entry entry = entry_for(path);
    entry.desc = desc;
    write_image(e->cache, &entry, 1);
    tenon_descriptor_free(desc);

    tenon_registry *reg = open_reg(e->plugins, e->cache, 0, 0, NULL);
    assert_int_equal(stats_of(reg).cache_hits, 1);
    tenon_plugin *p = tenon_registry_find(reg, "chain_c");
    assert_non_null(p);
    expect_error(tenon_plugin_load(p), TENON_EBADMAGIC, "liar.so", NULL);
    assert_int_not_equal(tenon_plugin_status(p), TENON_STATUS_LOADED);
    tenon_registry_free(reg);
}

/* A cache entry whose descriptor was edited (by anyone who can write the
 * user's cache folder) for a file that is unchanged: at load the file's own
 * descriptor decides, the entry is discarded with a warning naming the
 * plugin, the cache file and the field. */
static tenon_plugin_desc *forge_entry(const env *e, const char *file, tenon_cache_entry *entry)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", e->plugins, file);
    tenon_plugin_desc *desc;
    expect_ok(tenon_descriptor_read(path, &desc));
    *entry = entry_for(strdup(path));
    entry->desc = desc;
    return desc;
}

static void test_edited_entry_cannot_change_what_loads(void **state)
{
    env *e = *state;
    copy_fixtures(e->plugins, "good_disabled", "good_basic", "over_basic", "opt_required",
                  NULL);
    settle();
    tenon_cache_entry entries[4];
    /* Disabled by default: the flag dropped. */
    forge_entry(e, "good_disabled.so", &entries[0])->flags = 0;
    /* over_basic overrides good_basic: the override dropped. */
    forge_entry(e, "good_basic.so", &entries[1]);
    forge_entry(e, "over_basic.so", &entries[2])->n_overrides = 0;
    /* A required option without a default: the option dropped. */
    tenon_plugin_desc *opt = forge_entry(e, "opt_required.so", &entries[3]);
    opt->options++;
    opt->n_options--;
    write_image(e->cache, entries, 4);
    opt->options--;
    for (size_t i = 0; i < 4; i++) {
        tenon_descriptor_free((tenon_plugin_desc *)entries[i].desc);
        free((char *)entries[i].path);
    }

    logbuf log;
    tenon_registry *reg = open_reg(e->plugins, e->cache, 0, 0, &log);
    assert_int_equal(stats_of(reg).cache_hits, 4);
    assert_int_equal(stats_of(reg).files_read, 0);

    tenon_plugin *p = find_any(reg, "good_disabled");
    expect_error(tenon_plugin_load(p), TENON_EDISABLED, "good_disabled", NULL);
    assert_int_not_equal(tenon_plugin_status(p), TENON_STATUS_LOADED);
    expect_contains(log.text, "good_disabled:");
    expect_contains(log.text, e->cache);
    expect_contains(log.text, "\"flags\"");
    assert_true(tenon_plugin_descriptor(p)->flags & TENON_PLUGIN_DISABLED_BY_DEFAULT);

    p = find_any(reg, "over_basic");
    expect_ok(tenon_plugin_load(p));
    expect_contains(log.text, "\"overrides\"");
    assert_int_equal(tenon_plugin_status(find_any(reg, "good_basic")), TENON_STATUS_OVERRIDDEN);

    p = find_any(reg, "opt_required");
    expect_error(tenon_plugin_load(p), TENON_EOPTION, "opt_required", "target", NULL);
    expect_contains(log.text, "\"options\"");
    assert_non_null(tenon_descriptor_option(tenon_plugin_descriptor(p), "target"));
    tenon_registry_free(reg);

    /* The entries were rewritten from the files. */
    reg = open_reg(e->plugins, e->cache, 0, 0, &log);
    p = find_any(reg, "good_disabled");
    assert_int_equal(tenon_plugin_status(p), TENON_STATUS_DISABLED);
    assert_int_equal(tenon_plugin_status(find_any(reg, "good_basic")), TENON_STATUS_OVERRIDDEN);
    assert_int_equal(log.warnings, 0);
    tenon_registry_free(reg);
}

static void load_config_text(tenon_registry *reg, const char *text)
{
    expect_ok(tenon_config_load_buffer(reg, text, strlen(text), NULL));
}

/* Validation loads the plugin with the options the host would (tenon.json
 * here): a required option given there passes. The result holds for those
 * options only, in memory and in the cache: other options are validated
 * again, and a failure with them does not stick. */
static void test_validate_with_config_options(void **state)
{
    env *e = *state;
    static const char good[] =
        "{\"plugins\": [{\"module\": \"opt_required\", \"config\": {\"target\": \"t\"}}]}";
    static const char bad[] =
        "{\"plugins\": [{\"module\": \"opt_required\", \"config\": {\"target\": \"t\", "
        "\"retries\": 11}}]}";
    copy_fixtures(e->plugins, "opt_required", "optreq_user", NULL);
    settle();

    /* Without options the required one is missing: a true failure. */
    tenon_registry *reg = open_reg(e->plugins, e->cache, 0, 0, NULL);
    tenon_plugin *p = find_any(reg, "opt_required");
    expect_error(tenon_plugin_validate(p, 0), TENON_EOPTION, "opt_required", "target", NULL);
    assert_int_equal(tenon_plugin_check_state(p, NULL), TENON_CHECK_FAILED);
    tenon_registry_free(reg);

    /* With the option in tenon.json: checked again, and it passes. */
    reg = open_reg(NULL, e->cache, 0, 0, NULL);
    load_config_text(reg, good);
    expect_ok(tenon_registry_add_path(reg, e->plugins));
    assert_true(tenon_registry_scan(reg) >= 0);
    p = find_any(reg, "opt_required");
    assert_int_equal(tenon_plugin_status(p), TENON_STATUS_FOUND);
    assert_int_equal(tenon_plugin_check_state(p, NULL), TENON_CHECK_NONE);
    expect_ok(tenon_plugin_validate(p, 0));
    assert_int_equal(tenon_plugin_check_state(p, NULL), TENON_CHECK_PASSED);
    /* A plugin that requires it: its dependency gets its options too. */
    expect_ok(tenon_plugin_validate(find_any(reg, "optreq_user"), 0));
    expect_ok(tenon_plugin_load(p));
    tenon_registry_free(reg);

    /* The pass is remembered for these options... */
    reg = open_reg(NULL, e->cache, 0, 0, NULL);
    load_config_text(reg, good);
    expect_ok(tenon_registry_add_path(reg, e->plugins));
    assert_true(tenon_registry_scan(reg) >= 0);
    p = find_any(reg, "opt_required");
    assert_int_equal(tenon_plugin_check_state(p, NULL), TENON_CHECK_PASSED);
    /* ...and not for others, with which it fails. */
    load_config_text(reg, bad);
    assert_int_equal(tenon_plugin_check_state(p, NULL), TENON_CHECK_NONE);
    expect_error(tenon_plugin_validate(p, 0), TENON_EOPTRANGE, "opt_required", "retries", NULL);
    tenon_registry_free(reg);
    /* Back to the good options: the plugin is not refused for that. */
    reg = open_reg(NULL, e->cache, 0, 0, NULL);
    load_config_text(reg, good);
    expect_ok(tenon_registry_add_path(reg, e->plugins));
    assert_true(tenon_registry_scan(reg) >= 0);
    p = find_any(reg, "opt_required");
    assert_int_equal(tenon_plugin_status(p), TENON_STATUS_FOUND);
    assert_int_equal(tenon_plugin_check_state(p, NULL), TENON_CHECK_NONE);
    expect_ok(tenon_plugin_validate(p, 0));
    tenon_registry_free(reg);
}

/* A cached check failure for a plugin that now passes its check: the new
 * result wins and the plugin is usable again. */
static void test_passing_check_clears_cached_failure(void **state)
{
    env *e = *state;
    copy_fixture(e->plugins, "chain_c", NULL);
    settle();
    char path[512];
    snprintf(path, sizeof(path), "%s/chain_c.so", e->plugins);
    tenon_plugin_desc *desc;
    expect_ok(tenon_descriptor_read(path, &desc));
    tenon_error why = {.code = TENON_ETIMEOUT, .stage = TENON_STAGE_INIT};
    snprintf(why.message, sizeof(why.message), "plugin chain_c did not finish in time");
    tenon_cache_entry entry = entry_for(path);
    entry.desc = desc;
    entry.check = TENON_CHECK_FAILED;
    entry.checked_ns = tenon__now_ns();
    entry.check_error = &why;
    write_image(e->cache, &entry, 1);
    tenon_descriptor_free(desc);

    tenon_registry *reg = open_reg(e->plugins, e->cache, 0, 0, NULL);
    tenon_plugin *p = find_any(reg, "chain_c");
    assert_int_equal(tenon_plugin_status(p), TENON_STATUS_BROKEN);
    expect_error_obj(tenon_plugin_error(p), TENON_ETIMEOUT, "chain_c", "in time", NULL);
    assert_null(tenon_registry_find(reg, "chain_c"));
    expect_ok(tenon_plugin_validate(p, 0));
    assert_int_equal(tenon_plugin_status(p), TENON_STATUS_FOUND);
    assert_int_equal(tenon_plugin_check_state(p, NULL), TENON_CHECK_PASSED);
    assert_ptr_equal(tenon_registry_find(reg, "chain_c"), p);
    tenon_registry_free(reg);

    reg = open_reg(e->plugins, e->cache, 0, 0, NULL);
    p = find_any(reg, "chain_c");
    assert_int_equal(tenon_plugin_status(p), TENON_STATUS_FOUND);
    assert_int_equal(tenon_plugin_check_state(p, NULL), TENON_CHECK_PASSED);
    tenon_registry_free(reg);
}

/* ---- The checks hold with a warm cache ------------------------------------- */

static void test_policy_with_warm_cache(void **state)
{
    env *e = *state;
    copy_fixtures(e->plugins, "chain_c", "dia_base", NULL);
    settle();
    run(e, NULL);
    /* A folder made group-writable: the files are unchanged (cache hits),
     * the folder check still refuses them. */
    assert_int_equal(chmod(e->plugins, 0775), 0);
    tenon_registry *reg = open_reg(e->plugins, e->cache, 0, 0, NULL);
    tenon_plugin *p = find_any(reg, "chain_c");
    assert_int_equal(tenon_plugin_status(p), TENON_STATUS_BROKEN);
    expect_error_obj(tenon_plugin_error(p), TENON_EUNSAFE, "chain_c.so", "writable", NULL);
    tenon_registry_free(reg);
    assert_int_equal(chmod(e->plugins, 0755), 0);

    /* A group-writable file cached by a registry that skips the checks: a
     * checking registry uses the entry but refuses the file. */
    assert_int_equal(chmod(tmp_path(e->plugins, "dia_base.so"), 0775), 0);
    settle();
    reg = open_reg(e->plugins, e->cache, TENON_REGISTRY_ALLOW_UNSAFE_FILES, 0, NULL);
    assert_int_equal(tenon_plugin_status(find_any(reg, "dia_base")), TENON_STATUS_FOUND);
    tenon_registry_free(reg);
    reg = open_reg(e->plugins, e->cache, 0, 0, NULL);
    assert_int_equal(stats_of(reg).files_read, 0);
    p = find_any(reg, "dia_base");
    assert_int_equal(tenon_plugin_status(p), TENON_STATUS_BROKEN);
    expect_error_obj(tenon_plugin_error(p), TENON_EUNSAFE, "dia_base.so", "group", NULL);
    tenon_registry_free(reg);

    if (geteuid() == 0) {
        /* Another owner: chown moves the ctime, and the check refuses it. */
        assert_int_equal(chmod(tmp_path(e->plugins, "dia_base.so"), 0755), 0);
        assert_int_equal(chown(tmp_path(e->plugins, "dia_base.so"), 4242, 4242), 0);
        reg = open_reg(e->plugins, e->cache, 0, 0, NULL);
        p = find_any(reg, "dia_base");
        expect_error_obj(tenon_plugin_error(p), TENON_EUNSAFE, "dia_base.so", "uid 4242", NULL);
        tenon_registry_free(reg);
    }
}

/* Loading opens a scanned plugin relative to the folder the scan checked
 * and kept open: the folders above cannot redirect it, so their walk is
 * not repeated; the folder itself and the file are checked again. */
static void test_load_through_scanned_folder(void **state)
{
    env *e = *state;
    char sub[600], moved[600];
    snprintf(sub, sizeof(sub), "%s/plugins", e->plugins);
    snprintf(moved, sizeof(moved), "%s/moved", e->plugins);
    assert_int_equal(mkdir(sub, 0755), 0);
    copy_fixtures(sub, "chain_c", "dia_base", NULL);

    /* The folder is swapped for another after the scan: what loads is
     * the file the scan checked, not whatever now has its name. */
    tenon_registry *reg = open_reg(sub, NULL, 0, 0, NULL);
    assert_int_equal(rename(sub, moved), 0);
    assert_int_equal(mkdir(sub, 0755), 0);
    copy_fixture(sub, "bad_magic", "chain_c.so");
    tenon_plugin *p;
    expect_ok(tenon_registry_load(reg, "chain_c", &p));
    tenon_registry_free(reg);
    tmp_remove(strdup(sub));
    assert_int_equal(rename(moved, sub), 0);

    /* A folder above made writable by others after the scan cannot
     * change what loads; a file not found by a scan is checked by path,
     * every folder up to / as before. */
    char elsewhere[600];
    snprintf(elsewhere, sizeof(elsewhere), "%s/elsewhere", e->plugins);
    assert_int_equal(mkdir(elsewhere, 0755), 0);
    copy_fixture(elsewhere, "ver_b", NULL);
    reg = open_reg(sub, NULL, 0, 0, NULL);
    assert_int_equal(chmod(e->plugins, 0775), 0);
    expect_ok(tenon_registry_load(reg, "chain_c", NULL));
    tenon_plugin *other;
    expect_error(tenon_registry_add_file(reg, tmp_path(elsewhere, "ver_b.so"), &other),
                 TENON_EUNSAFE, "ver_b", e->plugins, "its group", NULL);
    assert_int_equal(chmod(e->plugins, 0755), 0);

    /* The folder itself, and the file, are checked at every load. */
    assert_int_equal(chmod(sub, 0775), 0);
    expect_error(tenon_registry_load(reg, "dia_base", NULL), TENON_EUNSAFE, "dia_base", sub,
                 "its group", NULL);
    tenon_registry_free(reg); /* dia_base is broken in it now, with that reason */
    assert_int_equal(chmod(sub, 0755), 0);
    reg = open_reg(sub, NULL, 0, 0, NULL);
    assert_int_equal(chmod(tmp_path(sub, "dia_base.so"), 0666), 0);
    expect_error(tenon_registry_load(reg, "dia_base", NULL), TENON_EUNSAFE, "dia_base",
                 "every user", NULL);
    tenon_registry_free(reg);
}

/* ---- Corrupt, foreign and unsafe cache files -------------------------------- */

typedef void (*damage_fn)(const env *e, const unsigned char *image, size_t size, size_t arg);

/* Writes a good cache, damages it, and expects the next run to ignore it
 * with exactly one warning naming it, read every file, and write a good
 * cache again (unless rebuilt is false), which the run after uses. */
static void damaged(env *e, damage_fn damage, size_t arg, bool rebuilt)
{
    tenon_cache_stats st = run(e, NULL);
    assert_true(cache_entries(e->cache) == 2);
    size_t size;
    unsigned char *image = read_file(e->cache, &size);
    damage(e, image, size, arg);
    free(image);

    logbuf log;
    st = run(e, &log);
    if (log.warnings != 1 || !strstr(log.text, e->cache))
        fail_msg("expected one warning about %s, got %d: %s", e->cache, log.warnings, log.text);
    assert_int_equal(st.files_read, 2);
    assert_int_equal(st.cache_hits, 0);
    assert_int_equal(st.cache_ignored, 1);
    if (!rebuilt)
        return;
    struct stat cst;
    assert_int_equal(lstat(e->cache, &cst), 0);
    assert_true(S_ISREG(cst.st_mode));
    assert_int_equal(cst.st_mode & 0777, 0600);
    assert_int_equal(cst.st_uid, geteuid());
    st = run(e, &log);
    assert_int_equal(log.warnings, 0);
    assert_int_equal(st.files_read, 0);
    assert_int_equal(st.cache_hits, 2);
}

static void two_plugins(env *e)
{
    copy_fixtures(e->plugins, "chain_c", "bad_magic", NULL);
    settle();
}

static void put_bytes(const env *e, const unsigned char *data, size_t size)
{
    write_bytes(e->cache, data, size, 0600);
}

static void dmg_random(const env *e, const unsigned char *image, size_t size, size_t len)
{
    (void)image;
    (void)size;
    unsigned char *junk = malloc(len + 1);
    srand((unsigned)len * 7919u + 1);
    for (size_t i = 0; i < len; i++)
        junk[i] = (unsigned char)rand();
    if (len >= 8 && len % 2)
        memcpy(junk, TENON__CACHE_MAGIC, 8); /* junk behind a good magic */
    put_bytes(e, junk, len);
    free(junk);
}

static void test_corrupt_random_bytes(void **state)
{
    env *e = *state;
    two_plugins(e);
    static const size_t sizes[] = {0, 1, 7, 63, 64, 65, 129, 1000, 4096, 65537};
    for (size_t i = 0; i < TENON__ARRAY_SIZE(sizes); i++)
        damaged(e, dmg_random, sizes[i], true);
}

static void dmg_truncate(const env *e, const unsigned char *image, size_t size, size_t len)
{
    assert_true(len < size);
    put_bytes(e, image, len);
}

static void test_corrupt_truncated(void **state)
{
    env *e = *state;
    two_plugins(e);
    run(e, NULL);
    size_t size;
    unsigned char *image = read_file(e->cache, &size);
    /* Every length fails to parse, without and with checksums. */
    for (size_t len = 0; len < size; len++) {
        tenon_cache *c = NULL;
        assert_int_equal(tenon_cache_parse(image, len, 0, &c), TENON_ECACHE);
        assert_null(c);
        assert_int_equal(tenon_cache_parse(image, len, TENON_CACHE_PARSE_NO_CHECKSUM, &c),
                         TENON_ECACHE);
        assert_null(c);
    }
    free(image);
    /* And registries ignore the file at many of them. */
    for (size_t len = 0; len < size; len += len < TENON__CACHE_HEADER_SIZE + 16 ? 5 : 37)
        damaged(e, dmg_truncate, len, true);
}

static void dmg_patch(const env *e, const unsigned char *image, size_t size, size_t what)
{
    unsigned char *copy = malloc(size);
    memcpy(copy, image, size);
    uint64_t sum;
    switch (what) {
    case 0: /* bad magic */
        copy[1] ^= 0x20;
        break;
    case 1: /* foreign version, with a header checksum that matches it */
        copy[8] = 99;
        sum = tenon__cache_sum(copy, 56);
        memcpy(copy + 56, &sum, 8);
        break;
    case 2: /* a flipped byte in the header checksum */
        copy[60] ^= 0x01;
        break;
    case 3: /* a flipped byte in the body checksum */
        copy[49] ^= 0x80;
        break;
    case 4: /* a flipped byte in an entry */
        copy[size - 9] ^= 0x04;
        break;
    case 5: /* the other byte order */
        copy[16] = 0x01, copy[17] = 0x02, copy[18] = 0x03, copy[19] = 0x04;
        sum = tenon__cache_sum(copy, 56);
        memcpy(copy + 56, &sum, 8);
        break;
    case 6: /* trailing bytes */
        copy = realloc(copy, size + 8);
        memset(copy + size, 0, 8);
        size += 8;
        break;
    }
    put_bytes(e, copy, size);
    free(copy);
}

static void test_corrupt_patched(void **state)
{
    env *e = *state;
    two_plugins(e);
    for (size_t what = 0; what <= 6; what++)
        damaged(e, dmg_patch, what, true);
}

static void dmg_mode(const env *e, const unsigned char *image, size_t size, size_t mode)
{
    (void)image;
    (void)size;
    assert_int_equal(chmod(e->cache, (mode_t)mode), 0);
}

static void dmg_owner(const env *e, const unsigned char *image, size_t size, size_t uid)
{
    (void)image;
    (void)size;
    assert_int_equal(chown(e->cache, (uid_t)uid, (gid_t)uid), 0);
}

static void test_unsafe_cache_file(void **state)
{
    env *e = *state;
    two_plugins(e);
    damaged(e, dmg_mode, 0666, true);
    damaged(e, dmg_mode, 0620, true);
    if (geteuid() == 0)
        damaged(e, dmg_owner, 4242, true);
    else
        print_message("not root: the wrong-owner case is skipped\n");
}

static void dmg_symlink(const env *e, const unsigned char *image, size_t size, size_t arg)
{
    (void)arg;
    /* Even a link to a perfectly good cache is not followed. */
    char target[600];
    snprintf(target, sizeof(target), "%s/elsewhere.cache", e->home);
    write_bytes(target, image, size, 0600);
    unlink(e->cache);
    assert_int_equal(symlink(target, e->cache), 0);
}

static void dmg_folder(const env *e, const unsigned char *image, size_t size, size_t full)
{
    (void)image;
    (void)size;
    unlink(e->cache);
    assert_int_equal(mkdir(e->cache, 0700), 0);
    if (full)
        write_file(tmp_path(e->cache, "keep"), "someone's file\n");
}

static void test_not_a_file(void **state)
{
    env *e = *state;
    two_plugins(e);
    damaged(e, dmg_symlink, 0, true);
    /* The link was replaced, not written through. */
    char target[600];
    snprintf(target, sizeof(target), "%s/elsewhere.cache", e->home);
    struct stat st;
    assert_int_equal(stat(target, &st), 0);
    damaged(e, dmg_folder, 0, true);
    /* A folder with something in it is left alone: ignored each time. */
    damaged(e, dmg_folder, 1, false);
    assert_int_equal(access(tmp_path(e->cache, "keep"), F_OK), 0);
}

/* A checksummed cache whose entry is wrong inside (a forger's, or a bug's):
 * ignored as a whole, with one warning. */
static void test_bad_entry_with_good_checksums(void **state)
{
    env *e = *state;
    two_plugins(e);
    char path[512];
    snprintf(path, sizeof(path), "%s/chain_c.so", e->plugins);
    tenon_plugin_desc *desc;
    expect_ok(tenon_descriptor_read(path, &desc));
    ((char *)desc->name)[0] = '.'; /* not a plugin name */
    tenon_cache_entry entry = entry_for(path);
    entry.desc = desc;
    write_image(e->cache, &entry, 1);
    tenon_descriptor_free(desc);

    tenon_cache *c = NULL;
    size_t size;
    unsigned char *image = read_file(e->cache, &size);
    expect_error(tenon_cache_parse(image, size, 0, &c), TENON_ECACHE, NULL, "name", NULL);
    free(image);

    logbuf log;
    tenon_cache_stats st = run(e, &log);
    assert_int_equal(log.warnings, 1);
    expect_contains(log.text, "name");
    assert_int_equal(st.files_read, 2);
    assert_int_equal(cache_entries(e->cache), 2);
}

/* A checksummed cache that claims a file failed with an error no cache
 * holds (out of memory, which would fail the whole scan): ignored. */
static void test_forged_error_code(void **state)
{
    env *e = *state;
    two_plugins(e);
    char path[512];
    snprintf(path, sizeof(path), "%s/chain_c.so", e->plugins);
    tenon_error why = {.code = TENON_ENOMEM, .stage = TENON_STAGE_SCAN};
    snprintf(why.message, sizeof(why.message), "out of memory");
    tenon_cache_entry entry = entry_for(path);
    entry.error = &why;
    write_image(e->cache, &entry, 1);
    logbuf log;
    tenon_registry *reg = open_reg(e->plugins, e->cache, 0, 0, &log);
    assert_int_equal(log.warnings, 1);
    assert_int_equal(tenon_plugin_status(find_any(reg, "chain_c")), TENON_STATUS_FOUND);
    tenon_registry_free(reg);
}

/* Mutations of a good image never crash the parser (the fuzzer does this
 * at length; this keeps a quick version in every build). */
static void test_parse_mutations(void **state)
{
    env *e = *state;
    copy_fixtures(e->plugins, "good_basic", "bad_magic", "chain_a", NULL);
    settle();
    tenon_registry *reg = open_reg(e->plugins, e->cache, 0, 0, NULL);
    tenon_plugin_validate(find_any(reg, "chain_a"), 0);
    tenon_registry_free(reg);
    size_t size;
    unsigned char *image = read_file(e->cache, &size);
    tenon_cache *c;
    expect_ok(tenon_cache_parse(image, size, 0, &c));
    assert_int_equal(tenon_cache_count(c), 4); /* three files and their folder */
    tenon_cache_free(c);
    unsigned char *copy = malloc(size);
    srand(12345);
    int parsed = 0;
    for (int round = 0; round < 20000; round++) {
        memcpy(copy, image, size);
        int flips = 1 + rand() % 4;
        for (int k = 0; k < flips; k++)
            copy[TENON__CACHE_HEADER_SIZE +
                 (size_t)rand() % (size - TENON__CACHE_HEADER_SIZE)] = (unsigned char)rand();
        c = NULL;
        int rc = tenon_cache_parse(copy, size, TENON_CACHE_PARSE_NO_CHECKSUM, &c);
        assert_true(rc == 0 || rc == TENON_ECACHE);
        if (rc == 0) {
            parsed++;
            for (size_t i = 0; i < tenon_cache_count(c); i++)
                assert_non_null(tenon_cache_at(c, i)->path);
            tenon_cache_free(c);
        }
        assert_int_equal(tenon_cache_parse(copy, size, 0, &c) == 0,
                         memcmp(copy, image, size) == 0);
        tenon_cache_free(c);
    }
    print_message("%d of 20000 mutated images still parsed (unchecked)\n", parsed);
    free(copy);
    free(image);
}

/* ---- Sharing, flags, paths -------------------------------------------------- */

/* Registries with different search paths share one cache: neither drops
 * the other's entries. */
static void test_shared_between_search_paths(void **state)
{
    env *e = *state;
    char *other = tmp_dir();
    copy_fixtures(e->plugins, "chain_c", NULL);
    copy_fixtures(other, "dia_base", "ver_b", NULL);
    settle();
    run(e, NULL);
    tenon_registry *reg = open_reg(other, e->cache, 0, 0, NULL);
    assert_int_equal(stats_of(reg).files_read, 2);
    tenon_registry_free(reg);
    assert_int_equal(cache_entries(e->cache), 3);
    assert_int_equal(run(e, NULL).files_read, 0);
    reg = open_reg(other, e->cache, 0, 0, NULL);
    assert_int_equal(stats_of(reg).files_read, 0);
    tenon_registry_free(reg);
    /* Entries of files that vanished from folders no registry scans go
     * at the next write. */
    tmp_remove(other);
    copy_fixture(e->plugins, "lazy_provider", NULL);
    settle();
    run(e, NULL);
    assert_int_equal(cache_entries(e->cache), 2);
}

static void test_flags(void **state)
{
    env *e = *state;
    copy_fixtures(e->plugins, "chain_c", "dia_base", NULL);
    settle();
    tenon_registry *reg = open_reg(e->plugins, e->cache, 0, TENON_CACHE_READ_ONLY, NULL);
    assert_int_equal(tenon_registry_save_cache(reg), 0);
    tenon_registry_free(reg);
    assert_int_equal(access(e->cache, F_OK), -1);
    run(e, NULL);
    reg = open_reg(e->plugins, e->cache, 0, TENON_CACHE_REBUILD, NULL);
    tenon_cache_stats st = stats_of(reg);
    assert_int_equal(st.files_read, 2);
    assert_int_equal(st.cache_saves, 1);
    tenon_registry_free(reg);
    assert_int_equal(tenon_registry_set_cache(NULL, e->cache, 0), TENON_EINVAL);
    reg = open_reg(NULL, NULL, 0, 0, NULL);
    expect_error(tenon_registry_set_cache(reg, "relative.cache", 0), TENON_EPATH, NULL, NULL);
    assert_int_equal(tenon_registry_set_cache(reg, e->cache, 1u << 7), TENON_EINVAL);
    expect_error(tenon_registry_save_cache(reg), TENON_ESTATE, NULL, NULL);
    assert_null(tenon_registry_cache_path(reg));
    expect_ok(tenon_registry_set_cache(reg, e->cache, 0));
    assert_string_equal(tenon_registry_cache_path(reg), e->cache);
    tenon_registry_free(reg);
}

static void test_files_and_folders_owner_only(void **state)
{
    env *e = *state;
    copy_fixtures(e->plugins, "chain_c", NULL);
    settle();
    snprintf(e->cache, sizeof(e->cache), "%s/a/b/test.cache", e->home);
    mode_t old = umask(0);
    run(e, NULL);
    umask(old);
    struct stat st;
    assert_int_equal(stat(e->cache, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stat(tmp_path(e->home, "a/b"), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(stat(tmp_path(e->home, "a"), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    /* No temporary file is left behind. */
    char listing[256];
    snprintf(listing, sizeof(listing), "%s/a/b", e->home);
    int n = 0;
    DIR *d = opendir(listing);
    struct dirent *de;
    while ((de = readdir(d)))
        n += de->d_name[0] != '.' || strncmp(de->d_name, ".test", 5) == 0;
    closedir(d);
    assert_int_equal(n, 1);
    /* A cache folder others can write is not written to. */
    assert_int_equal(chmod(listing, 0777), 0);
    unlink(e->cache);
    logbuf log;
    run(e, &log);
    assert_int_equal(log.warnings, 1);
    expect_contains(log.text, "writable by others");
    assert_int_equal(access(e->cache, F_OK), -1);
    chmod(listing, 0700);
}

static void test_default_path(void **state)
{
    (void)state;
    char buf[512];
    setenv("XDG_CACHE_HOME", "/xdg/cache", 1);
    setenv("HOME", "/home/someone", 1);
    expect_ok(tenon_cache_default_path("tenon-io", buf, sizeof(buf)));
    assert_string_equal(buf, "/xdg/cache/tenon/tenon-io.cache");
    expect_ok(tenon_cache_default_path(NULL, buf, sizeof(buf)));
    assert_string_equal(buf, "/xdg/cache/tenon/tenon.cache");
    setenv("XDG_CACHE_HOME", "relative/cache", 1); /* the spec says: ignore it */
    expect_ok(tenon_cache_default_path("x", buf, sizeof(buf)));
    assert_string_equal(buf, "/home/someone/.cache/tenon/x.cache");
    unsetenv("XDG_CACHE_HOME");
    expect_ok(tenon_cache_default_path("x", buf, sizeof(buf)));
    assert_string_equal(buf, "/home/someone/.cache/tenon/x.cache");
    expect_error(tenon_cache_default_path("../etc/x", buf, sizeof(buf)), TENON_EPATH, NULL,
                 NULL);
    expect_error(tenon_cache_default_path(".hidden", buf, sizeof(buf)), TENON_EPATH, NULL,
                 NULL);
    expect_error(tenon_cache_default_path("x", buf, 10), TENON_EINVAL, NULL, NULL);
    unsetenv("HOME");
    expect_error(tenon_cache_default_path("x", buf, sizeof(buf)), TENON_EPATH, NULL, NULL);
    /* A registry then keeps no cache, and says why. */
    tenon_registry *reg = open_reg(NULL, NULL, 0, 0, NULL);
    expect_error(tenon_registry_set_cache(reg, NULL, 0), TENON_EPATH, NULL, "HOME", NULL);
    tenon_registry_free(reg);
}

static void test_remove(void **state)
{
    env *e = *state;
    copy_fixtures(e->plugins, "chain_c", NULL);
    settle();
    run(e, NULL);
    expect_ok(tenon_cache_remove(e->cache));
    assert_int_equal(access(e->cache, F_OK), -1);
    expect_ok(tenon_cache_remove(e->cache)); /* already gone */
    expect_error(tenon_cache_remove("x.cache"), TENON_EPATH, NULL, NULL);
    tenon_cache *c;
    expect_error(tenon_cache_read(e->cache, &c), TENON_ENOTFOUND, NULL, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_warm_scan_equals_cold, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unchanged_not_written, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_change_detection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_racy_file_not_cached, setup, teardown),
        cmocka_unit_test_setup_teardown(test_folder_listing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested_folders, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cached_failure_forgotten_on_change, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_cached_crash, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forged_entry_never_loads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_edited_entry_cannot_change_what_loads, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_validate_with_config_options, setup, teardown),
        cmocka_unit_test_setup_teardown(test_passing_check_clears_cached_failure, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_policy_with_warm_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_through_scanned_folder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_random_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_patched, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsafe_cache_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_a_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_entry_with_good_checksums, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forged_error_code, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_mutations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shared_between_search_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flags, setup, teardown),
        cmocka_unit_test_setup_teardown(test_files_and_folders_owner_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_remove, setup, teardown),
        cmocka_unit_test(test_default_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
