#include "test_util.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *tu_data_path(const char *rel)
{
    static char buf[4096];
    snprintf(buf, sizeof(buf), "%s/%s", TIO_TEST_DATA, rel);
    return buf;
}

char *tu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (n + 1 < cap)
            break;
        cap *= 2;
        char *nb = realloc(buf, cap);
        if (!nb) {
            free(buf);
            buf = NULL;
        } else {
            buf = nb;
        }
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        if (len)
            *len = n;
    }
    return buf;
}

int tu_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -errno;
    fputs(text, f);
    return fclose(f) == 0 ? 0 : -errno;
}

/* ---- JSON accessors that fail the test on a malformed input file ---- */

static uint64_t get_u64(json_t *o, const char *key, uint64_t dflt)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return dflt;
    if (json_is_integer(v))
        return (uint64_t)json_integer_value(v);
    if (json_is_real(v))
        return (uint64_t)llround(json_real_value(v));
    fail_msg("key '%s' is not a number", key);
    return 0;
}

static double get_dbl(json_t *o, const char *key, double dflt)
{
    json_t *v = json_object_get(o, key);
    if (!v)
        return dflt;
    if (!json_is_number(v))
        fail_msg("key '%s' is not a number", key);
    return json_number_value(v);
}

static const char *get_str(json_t *o, const char *key, const char *dflt)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return dflt;
    if (!json_is_string(v))
        fail_msg("key '%s' is not a string", key);
    return json_string_value(v);
}

static void load_options(json_t *obj, struct tio_kv_list *l)
{
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v) {
        assert_true(json_is_string(v));
        assert_int_equal(tio_kv_list_set(l, k, json_string_value(v)), 0);
    }
}

static void load_counts(json_t *arr, uint64_t *out)
{
    if (!arr)
        return;
    assert_true(json_is_array(arr));
    assert_int_equal(json_array_size(arr), TIO_DEPTH_BUCKETS);
    for (size_t i = 0; i < TIO_DEPTH_BUCKETS; i++)
        out[i] = (uint64_t)json_integer_value(json_array_get(arr, i));
}

static void load_dir(struct tio_job_stats *js, enum tio_ddir d, json_t *o)
{
    if (!o)
        return;
    uint64_t bs = get_u64(o, "bs", 4096);
    uint64_t extra = get_u64(o, "lat_extra_ns", 0);
    size_t i;
    json_t *pair;
    json_array_foreach(json_object_get(o, "clat"), i, pair) {
        uint64_t v = (uint64_t)json_integer_value(json_array_get(pair, 0));
        uint64_t c = (uint64_t)json_integer_value(json_array_get(pair, 1));
        for (uint64_t k = 0; k < c; k++)
            tio_stats_io(js, d, bs, v, v + extra);
    }
    json_array_foreach(json_object_get(o, "slat"), i, pair) {
        uint64_t v = (uint64_t)json_integer_value(json_array_get(pair, 0));
        uint64_t c = (uint64_t)json_integer_value(json_array_get(pair, 1));
        for (uint64_t k = 0; k < c; k++)
            tio_stats_slat(js, d, v);
    }
    for (uint64_t k = get_u64(o, "short", 0); k > 0; k--)
        tio_stats_short(js, d);
    for (uint64_t k = get_u64(o, "drop", 0); k > 0; k--)
        tio_stats_drop(js, d);
    const char *kind;
    json_t *cnt;
    json_object_foreach(json_object_get(o, "errors"), kind, cnt) {
        for (json_int_t k = json_integer_value(cnt); k > 0; k--)
            tio_stats_error(js, d, kind);
    }
    json_t *s;
    json_array_foreach(json_object_get(o, "bw_kib"), i, s)
        tio_sstat_add(&js->dir[d].bw, json_number_value(s) * 1024.0);
    json_array_foreach(json_object_get(o, "iops"), i, s)
        tio_sstat_add(&js->dir[d].iops, json_number_value(s));
    js->dir[d].runtime_ns = get_u64(o, "runtime_ms", 0) * 1000000u;
}

static struct tio_job_result *load_job(json_t *j)
{
    struct tio_job_result *r = tio_job_result_new(get_str(j, "name", "job"),
                                                  (unsigned)get_u64(j, "groupid", 0), 0, 0);
    assert_non_null(r);
    r->pid = (long)get_u64(j, "pid", 1000);
    r->group_reporting = json_is_true(json_object_get(j, "group_reporting"));
    int err = (int)get_u64(j, "error", 0);
    if (err)
        assert_int_equal(tio_job_result_set_error(r, err, get_str(j, "error_text", NULL)), 0);
    r->end_time = (time_t)get_u64(j, "end_time", 0);
    r->elapsed_s = get_u64(j, "elapsed_s", 0);
    r->eta_s = get_u64(j, "eta_s", 0);
    r->runtime_ms = get_u64(j, "runtime_ms", 0);
    r->iodepth = (unsigned)get_u64(j, "iodepth", 1);
    json_t *cpu = json_object_get(j, "cpu");
    if (cpu) {
        r->cpu.usr_ns = get_u64(cpu, "usr_ms", 0) * 1000000u;
        r->cpu.sys_ns = get_u64(cpu, "sys_ms", 0) * 1000000u;
        r->cpu.ctx = get_u64(cpu, "ctx", 0);
        r->cpu.majf = get_u64(cpu, "majf", 0);
        r->cpu.minf = get_u64(cpu, "minf", 0);
    }
    load_options(json_object_get(j, "options"), &r->options);
    for (int d = 0; d < TIO_DDIR_COUNT; d++)
        load_dir(&r->stats, (enum tio_ddir)d,
                 json_object_get(j, tio_ddir_name((enum tio_ddir)d)));
    size_t i;
    json_t *pair;
    json_array_foreach(json_object_get(j, "sync"), i, pair) {
        uint64_t v = (uint64_t)json_integer_value(json_array_get(pair, 0));
        uint64_t c = (uint64_t)json_integer_value(json_array_get(pair, 1));
        for (uint64_t k = 0; k < c; k++)
            tio_stats_sync(&r->stats, v);
        r->stats.sync_ios += c; /* the fixtures' syncs are all fsync=N's */
    }
    load_counts(json_object_get(j, "depth"), r->stats.depth);
    load_counts(json_object_get(j, "submit"), r->stats.submit);
    load_counts(json_object_get(j, "complete"), r->stats.complete);
    return r;
}

static void load_disk(struct tio_report *rep, json_t *o)
{
    struct tio_disk_util d;
    memset(&d, 0, sizeof(d));
    snprintf(d.name, sizeof(d.name), "%s", get_str(o, "name", "?"));
    d.ios[0] = get_u64(o, "read_ios", 0);
    d.ios[1] = get_u64(o, "write_ios", 0);
    d.merges[0] = get_u64(o, "read_merges", 0);
    d.merges[1] = get_u64(o, "write_merges", 0);
    d.ticks[0] = get_u64(o, "read_ticks", 0);
    d.ticks[1] = get_u64(o, "write_ticks", 0);
    d.in_queue = get_u64(o, "in_queue", 0);
    d.util = get_dbl(o, "util", 0.0);
    assert_int_equal(tio_report_add_disk(rep, &d), 0);
}

static json_t *load_json(const char *path)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root)
        fail_msg("%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
    return root;
}

struct tio_report *tu_load_input(const char *path)
{
    json_t *root = load_json(path);
    struct tio_report *rep = tio_report_new(get_str(root, "version", "0.1.0"));
    assert_non_null(rep);
    double t = get_dbl(root, "time", 0.0);
    struct timespec ts = {.tv_sec = (time_t)t, .tv_nsec = (long)((t - floor(t)) * 1e9 + 0.5)};
    tio_report_set_time(rep, &ts);
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(root, "global_options"), k, v)
        assert_int_equal(tio_report_add_global_option(rep, k, json_string_value(v)), 0);
    json_t *pl = json_object_get(root, "percentiles");
    if (pl) {
        double p[TIO_PERCENTILES_MAX];
        size_t n = json_array_size(pl);
        for (size_t i = 0; i < n && i < TIO_PERCENTILES_MAX; i++)
            p[i] = json_number_value(json_array_get(pl, i));
        assert_int_equal(tio_report_set_percentiles(rep, p, n), 0);
    }
    size_t i;
    json_array_foreach(json_object_get(root, "jobs"), i, v)
        assert_int_equal(tio_report_add_job(rep, load_job(v)), 0);
    json_array_foreach(json_object_get(root, "disks"), i, v)
        load_disk(rep, v);
    json_decref(root);
    return rep;
}

/* ---- fio JSON+ replay ---- */

static void load_fio_lat(json_t *o, struct tio_latstat *st, struct tio_hist *h)
{
    tio_latstat_from_summary(st, get_u64(o, "N", 0), get_u64(o, "min", 0), get_u64(o, "max", 0),
                             get_dbl(o, "mean", 0), get_dbl(o, "stddev", 0));
    if (!h)
        return;
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(o, "bins"), k, v)
        tio_hist_add_count(h, strtoull(k, NULL, 10), (uint64_t)json_integer_value(v));
}

static void load_fio_dir(struct tio_job_stats *js, enum tio_ddir d, json_t *o)
{
    struct tio_dir_stats *ds = &js->dir[d];
    uint64_t total = get_u64(o, "total_ios", 0);
    ds->bytes = get_u64(o, "io_bytes", 0);
    /* fio's total_ios counts issued IOs; ones that moved no data failed. */
    ds->ios = ds->bytes ? total : 0;
    ds->errors = total - ds->ios;
    ds->short_ios = get_u64(o, "short_ios", 0);
    ds->drop_ios = get_u64(o, "drop_ios", 0);
    ds->runtime_ns = get_u64(o, "runtime", 0) * 1000000u;
    load_fio_lat(json_object_get(o, "slat_ns"), &ds->slat, NULL);
    load_fio_lat(json_object_get(o, "clat_ns"), &ds->clat.st, &ds->clat);
    load_fio_lat(json_object_get(o, "lat_ns"), &ds->lat, NULL);
    tio_sstat_from_summary(&ds->bw, get_u64(o, "bw_samples", 0), get_dbl(o, "bw_min", 0) * 1024,
                           get_dbl(o, "bw_max", 0) * 1024, get_dbl(o, "bw_mean", 0) * 1024,
                           get_dbl(o, "bw_dev", 0) * 1024);
    tio_sstat_from_summary(&ds->iops, get_u64(o, "iops_samples", 0), get_dbl(o, "iops_min", 0),
                           get_dbl(o, "iops_max", 0), get_dbl(o, "iops_mean", 0),
                           get_dbl(o, "iops_stddev", 0));
}

static void load_fio_pct(json_t *o, const char *const *labels, uint64_t *out)
{
    /* Percentages back to counts; the scale only has to keep the ratios.
     * fio shows any small nonzero share as exactly 0.1, so 0.1 stands for
     * "a few". */
    for (int i = 0; i < TIO_DEPTH_BUCKETS; i++) {
        double pct = get_dbl(o, labels[i], 0.0);
        out[i] = pct == 0.1 ? 1 : (uint64_t)llround(pct * 1000.0);
    }
}

/* Header: "NAME: (groupid=G, jobs=N): err=E[ (TEXT)]: pid=P: DATE". */
static void parse_header(const char *line, struct tio_job_result *r)
{
    const char *p = strstr(line, "jobs=");
    assert_non_null(p);
    r->njobs = (unsigned)strtoul(p + 5, NULL, 10);
    const char *pid = strstr(line, "): pid=");
    const char *open = strstr(line, "err=");
    assert_non_null(open);
    const char *paren = strchr(open, '(');
    if (pid && paren && paren < pid) {
        char text[512];
        size_t n = (size_t)(pid - paren - 1);
        snprintf(text, sizeof(text), "%.*s", (int)n, paren + 1);
        assert_int_equal(tio_job_result_set_error(r, r->error, text), 0);
        pid += 2;
    } else {
        pid = strstr(line, ": pid=");
        assert_non_null(pid);
    }
    pid = strstr(pid, "pid=");
    char *end;
    r->pid = strtol(pid + 4, &end, 10);
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    const char *date = end + 2;
    assert_non_null(strptime(date, "%a %b %d %H:%M:%S %Y", &tm));
    r->end_time = timegm(&tm);
}

struct tio_report *tu_load_fio(const char *json_path, const char *txt_path)
{
    json_t *root = load_json(json_path);
    char *txt = tu_read_file(txt_path, NULL);
    assert_non_null(txt);
    const char *ver = get_str(root, "fio version", "fio-?");
    struct tio_report *rep = tio_report_new(strncmp(ver, "fio-", 4) == 0 ? ver + 4 : ver);
    assert_non_null(rep);
    struct timespec ts = {.tv_sec = (time_t)get_u64(root, "timestamp", 0),
                          .tv_nsec = (long)(get_u64(root, "timestamp_ms", 0) % 1000) * 1000000};
    tio_report_set_time(rep, &ts);
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(root, "global options"), k, v)
        assert_int_equal(tio_report_add_global_option(rep, k, json_string_value(v)), 0);

    /* Job headers in the text, in job order. */
    char *cursor = txt;
    size_t i;
    json_t *j;
    json_array_foreach(json_object_get(root, "jobs"), i, j) {
        struct tio_job_result *r = tio_job_result_new(get_str(j, "jobname", "?"),
                                                      (unsigned)get_u64(j, "groupid", 0), 0, 0);
        assert_non_null(r);
        r->error = (int)get_u64(j, "error", 0);
        r->eta_s = get_u64(j, "eta", 0);
        r->elapsed_s = get_u64(j, "elapsed", 0);
        r->runtime_ms = get_u64(j, "job_runtime", 0);
        r->iodepth = (unsigned)get_u64(j, "latency_depth", 1);
        r->latency_target_us = get_u64(j, "latency_target", 0);
        r->latency_window_us = get_u64(j, "latency_window", 0);
        r->latency_percentile = get_dbl(j, "latency_percentile", 100.0);
        double run_ns = (double)r->runtime_ms * 1e6;
        r->cpu.usr_ns = (uint64_t)llround(get_dbl(j, "usr_cpu", 0) / 100.0 * run_ns);
        r->cpu.sys_ns = (uint64_t)llround(get_dbl(j, "sys_cpu", 0) / 100.0 * run_ns);
        r->cpu.ctx = get_u64(j, "ctx", 0);
        r->cpu.majf = get_u64(j, "majf", 0);
        r->cpu.minf = get_u64(j, "minf", 0);
        load_options(json_object_get(j, "job options"), &r->options);
        for (int d = 0; d < TIO_DDIR_COUNT; d++)
            load_fio_dir(&r->stats, (enum tio_ddir)d,
                         json_object_get(j, tio_ddir_name((enum tio_ddir)d)));
        json_t *sync = json_object_get(j, "sync");
        load_fio_lat(json_object_get(sync, "lat_ns"), &r->stats.sync.st, &r->stats.sync);
        r->stats.sync_ios = get_u64(sync, "total_ios", 0);
        load_fio_pct(json_object_get(j, "iodepth_level"), tio_depth_level_labels,
                     r->stats.depth);
        load_fio_pct(json_object_get(j, "iodepth_submit"), tio_depth_batch_labels,
                     r->stats.submit);
        load_fio_pct(json_object_get(j, "iodepth_complete"), tio_depth_batch_labels,
                     r->stats.complete);

        /* The matching header line: "<name>: (groupid=". */
        char needle[256];
        snprintf(needle, sizeof(needle), "%s: (groupid=%u,", r->name, r->groupid);
        char *h = strstr(cursor, needle);
        assert_non_null(h);
        char *eol = strchr(h, '\n');
        assert_non_null(eol);
        *eol = '\0';
        parse_header(h, r);
        *eol = '\n';
        cursor = eol;
        assert_int_equal(tio_report_add_job(rep, r), 0);
    }
    json_array_foreach(json_object_get(root, "disk_util"), i, v)
        load_disk(rep, v);
    free(txt);
    json_decref(root);
    return rep;
}

/* ---- rendering ---- */

char *tu_render_normal(struct tio_report *rep)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(tio_report_write_normal(rep, f), 0);
    assert_int_equal(fclose(f), 0);
    return buf;
}

char *tu_render_json(struct tio_report *rep)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(tio_report_write_json(rep, f), 0);
    assert_int_equal(fclose(f), 0);
    return buf;
}

char *tu_mkdtemp(void)
{
    const char *base = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof(tmpl), "%s/tio-stats-test.XXXXXX", base && *base ? base : "/tmp");
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    char *copy = strdup(d);
    assert_non_null(copy);
    return copy;
}

void tu_rmdir_all(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[4096];
        snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t tu_for_each_case(const char *folder, const char *marker, void (*run)(const char *name))
{
    DIR *d = opendir(tu_data_path(folder));
    assert_non_null(d);
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256) {
        if (e->d_name[0] == '.')
            continue;
        char rel[512];
        snprintf(rel, sizeof(rel), "%s/%s/%s", folder, e->d_name, marker);
        if (access(tu_data_path(rel), R_OK) != 0)
            continue;
        names[n] = strdup(e->d_name);
        assert_non_null(names[n]);
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof(names[0]), cmp_name);
    for (size_t i = 0; i < n; i++) {
        run(names[i]);
        free(names[i]);
    }
    return n;
}
