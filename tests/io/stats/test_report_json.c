/* The JSON report: every fio key present with fio's type, and every key path
 * of a real fio 3.33 JSON document (data/fio-3.33-psync.json, a psync
 * randrw job with fsync) present in ours. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

static json_t *render_and_parse(const char *input_rel)
{
    struct tio_report *rep = tu_load_input(tu_data_path(input_rel));
    char *text = tu_render_json(rep);
    json_error_t jerr;
    json_t *root = json_loads(text, 0, &jerr);
    if (!root)
        fail_msg("our JSON does not parse: line %d: %s", jerr.line, jerr.text);
    free(text);
    tio_report_free(rep);
    return root;
}

enum kind { INT, REAL, STR, OBJ, ARR };

static const char *kind_name(enum kind k)
{
    static const char *const n[] = {"integer", "real", "string", "object", "array"};
    return n[k];
}

static bool is_kind(json_t *v, enum kind k)
{
    switch (k) {
    case INT:
        return json_is_integer(v);
    case REAL:
        return json_is_real(v);
    case STR:
        return json_is_string(v);
    case OBJ:
        return json_is_object(v);
    case ARR:
        return json_is_array(v);
    }
    return false;
}

static void expect(json_t *obj, const char *where, const char *key, enum kind k)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        fail_msg("%s: key \"%s\" is missing", where, key);
    if (!is_kind(v, k))
        fail_msg("%s: key \"%s\" should be %s", where, key, kind_name(k));
}

static void expect_lat(json_t *dir, const char *where, const char *key, bool percentiles)
{
    expect(dir, where, key, OBJ);
    json_t *o = json_object_get(dir, key);
    expect(o, key, "min", INT);
    expect(o, key, "max", INT);
    expect(o, key, "mean", REAL);
    expect(o, key, "stddev", REAL);
    expect(o, key, "N", INT);
    if (percentiles) {
        expect(o, key, "percentile", OBJ);
        json_t *p = json_object_get(o, "percentile");
        static const char *const keys[] = {"1.000000",  "5.000000",  "10.000000", "20.000000",
                                           "30.000000", "40.000000", "50.000000", "60.000000",
                                           "70.000000", "80.000000", "90.000000", "95.000000",
                                           "99.000000", "99.500000", "99.900000", "99.950000",
                                           "99.990000"};
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
            expect(p, "percentile", keys[i], INT);
        assert_int_equal(json_object_size(p), 17);
    }
}

static void expect_dir(json_t *job, const char *name, bool has_io)
{
    expect(job, "job", name, OBJ);
    json_t *d = json_object_get(job, name);
    static const char *const ints[] = {"io_bytes", "io_kbytes",   "bw_bytes",   "bw",
                                       "runtime",  "total_ios",   "short_ios",  "drop_ios",
                                       "bw_min",   "bw_max",      "bw_samples", "iops_min",
                                       "iops_max", "iops_samples"};
    static const char *const reals[] = {"iops",   "bw_agg",    "bw_mean",
                                        "bw_dev", "iops_mean", "iops_stddev"};
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
        expect(d, name, ints[i], INT);
    for (size_t i = 0; i < sizeof(reals) / sizeof(reals[0]); i++)
        expect(d, name, reals[i], REAL);
    expect_lat(d, name, "slat_ns", false);
    expect_lat(d, name, "clat_ns", has_io);
    expect_lat(d, name, "lat_ns", false);
}

static void expect_map(json_t *job, const char *key, const char *const *keys, size_t n)
{
    expect(job, "job", key, OBJ);
    json_t *m = json_object_get(job, key);
    for (size_t i = 0; i < n; i++)
        expect(m, key, keys[i], REAL);
    assert_int_equal(json_object_size(m), n);
}

static void test_keys_and_types(void **state)
{
    (void)state;
    json_t *root = render_and_parse("normal/psync-randrw-fsync/input.json");
    expect(root, "top", "fio version", STR);
    assert_string_equal(json_string_value(json_object_get(root, "fio version")),
                        "tenon-io-0.1.0");
    expect(root, "top", "timestamp", INT);
    expect(root, "top", "timestamp_ms", INT);
    assert_int_equal(json_integer_value(json_object_get(root, "timestamp_ms")), 1795438557904);
    expect(root, "top", "time", STR);
    assert_string_equal(json_string_value(json_object_get(root, "time")),
                        "Mon Nov 23 12:55:57 2026");
    expect(root, "top", "global options", OBJ);
    expect(root, "top", "jobs", ARR);
    expect(root, "top", "disk_util", ARR);

    json_t *job = json_array_get(json_object_get(root, "jobs"), 0);
    assert_non_null(job);
    expect(job, "job", "jobname", STR);
    expect(job, "job", "groupid", INT);
    expect(job, "job", "error", INT);
    expect(job, "job", "eta", INT);
    expect(job, "job", "elapsed", INT);
    expect(job, "job", "job options", OBJ);
    assert_string_equal(json_string_value(
                            json_object_get(json_object_get(job, "job options"), "rw")),
                        "randrw");
    expect_dir(job, "read", true);
    expect_dir(job, "write", true);
    expect_dir(job, "trim", false);
    expect(job, "job", "sync", OBJ);
    json_t *sync = json_object_get(job, "sync");
    expect(sync, "sync", "total_ios", INT);
    expect_lat(sync, "sync", "lat_ns", true);
    expect(job, "job", "job_runtime", INT);
    expect(job, "job", "usr_cpu", REAL);
    expect(job, "job", "sys_cpu", REAL);
    expect(job, "job", "ctx", INT);
    expect(job, "job", "majf", INT);
    expect(job, "job", "minf", INT);
    static const char *const level[] = {"1", "2", "4", "8", "16", "32", ">=64"};
    static const char *const batch[] = {"0", "4", "8", "16", "32", "64", ">=64"};
    static const char *const lat10[] = {"2",   "4",   "10",  "20",  "50",
                                        "100", "250", "500", "750", "1000"};
    static const char *const lat12[] = {"2",   "4",   "10",  "20",   "50",   "100",
                                        "250", "500", "750", "1000", "2000", ">=2000"};
    expect_map(job, "iodepth_level", level, 7);
    expect_map(job, "iodepth_submit", batch, 7);
    expect_map(job, "iodepth_complete", batch, 7);
    expect_map(job, "latency_ns", lat10, 10);
    expect_map(job, "latency_us", lat10, 10);
    expect_map(job, "latency_ms", lat12, 12);
    expect(job, "job", "latency_depth", INT);
    expect(job, "job", "latency_target", INT);
    expect(job, "job", "latency_percentile", REAL);
    expect(job, "job", "latency_window", INT);
    expect(job, "job", "error_counts", OBJ);

    json_t *disk = json_array_get(json_object_get(root, "disk_util"), 0);
    assert_non_null(disk);
    expect(disk, "disk_util", "name", STR);
    static const char *const dints[] = {"read_ios",     "write_ios",  "read_merges",
                                        "write_merges", "read_ticks", "write_ticks",
                                        "in_queue"};
    for (size_t i = 0; i < sizeof(dints) / sizeof(dints[0]); i++)
        expect(disk, "disk_util", dints[i], INT);
    expect(disk, "disk_util", "util", REAL);

    /* A few values, to see the numbers go where fio puts them. */
    json_t *rd = json_object_get(job, "read");
    assert_int_equal(json_integer_value(json_object_get(rd, "runtime")), 2001);
    json_int_t ios = json_integer_value(json_object_get(rd, "total_ios"));
    json_int_t bytes = json_integer_value(json_object_get(rd, "io_bytes"));
    assert_int_equal(bytes, ios * 4096);
    assert_int_equal(json_integer_value(json_object_get(rd, "io_kbytes")), bytes / 1024);
    assert_int_equal(json_integer_value(json_object_get(rd, "bw_bytes")), bytes * 1000 / 2001);
    assert_int_equal(json_integer_value(json_object_get(rd, "bw")), bytes * 1000 / 2001 / 1024);
    assert_int_equal(json_integer_value(json_object_get(rd, "bw_min")), 37429);
    assert_int_equal(json_integer_value(json_object_get(rd, "bw_samples")), 3);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(rd, "clat_ns"), "min")),
                     32538);
    assert_int_equal(json_integer_value(json_object_get(job, "job_runtime")), 2000);
    json_decref(root);
}

static void test_entries(void **state)
{
    (void)state;
    struct tio_report *rep = tu_load_input(tu_data_path("normal/group-reporting/input.json"));
    assert_int_equal(tio_report_finalize(rep), 0);
    assert_int_equal(tio_report_finalize(rep), 0); /* idempotent */
    /* Three jobs; group 0's two are summed into one entry. */
    assert_int_equal(tio_report_job_count(rep), 3);
    assert_int_equal(tio_report_entry_count(rep), 2);
    assert_int_equal(tio_report_group_count(rep), 2);
    const struct tio_job_result *e0 = tio_report_entry(rep, 0);
    assert_int_equal(e0->njobs, 2);
    assert_int_equal(e0->stats.dir[TIO_DDIR_READ].ios,
                     tio_report_job(rep, 0)->stats.dir[TIO_DDIR_READ].ios +
                         tio_report_job(rep, 1)->stats.dir[TIO_DDIR_READ].ios);
    assert_null(tio_report_entry(rep, 2));
    assert_null(tio_report_job(rep, 3));
    const struct tio_group_total *g1 = tio_report_group(rep, 1);
    assert_int_equal(g1->groupid, 1);
    assert_true(g1->present[TIO_DDIR_WRITE]);
    assert_false(g1->present[TIO_DDIR_READ]);
    assert_int_equal(g1->io_bytes[TIO_DDIR_WRITE], 65536 * 4096);
    assert_int_equal(g1->agg_bw[TIO_DDIR_WRITE], (uint64_t)65536 * 4096 * 1000 / 13);
    /* No jobs after finalize. */
    struct tio_job_result *late = tio_job_result_new("late", 0, 0, 0);
    assert_int_equal(tio_report_add_job(rep, late), -EBUSY);
    tio_job_result_free(late);
    /* Percentile lists are checked. */
    double bad[] = {0.0};
    assert_int_equal(tio_report_set_percentiles(rep, bad, 1), -EINVAL);
    tio_report_free(rep);
}

static void test_error_counts(void **state)
{
    (void)state;
    json_t *root = render_and_parse("normal/libaio-qd8-errors/input.json");
    json_t *job = json_array_get(json_object_get(root, "jobs"), 0);
    assert_int_equal(json_integer_value(json_object_get(job, "error")), 5);
    expect(job, "job", "error_text", STR);
    json_t *ec = json_object_get(job, "error_counts");
    assert_int_equal(json_integer_value(json_object_get(ec, "EIO")), 3);
    json_t *rd = json_object_get(job, "read");
    /* Failed IOs count as issued, like fio's total_ios. */
    json_int_t n = json_integer_value(json_object_get(json_object_get(rd, "clat_ns"), "N"));
    assert_int_equal(json_integer_value(json_object_get(rd, "total_ios")), n + 3);
    assert_int_equal(json_integer_value(
                         json_object_get(json_object_get(job, "write"), "short_ios")),
                     2);
    json_decref(root);
}

/* Key paths of fio's document that ours does not have to reproduce, with
 * the reason. Matched as prefixes of "a.b[].c" paths. */
static const char *const not_applicable[] = {
    /* Option names and values are the job's own, not a fixed schema. */
    "jobs[].job options.",
};

static bool skipped(const char *path)
{
    for (size_t i = 0; i < sizeof(not_applicable) / sizeof(not_applicable[0]); i++)
        if (strncmp(path, not_applicable[i], strlen(not_applicable[i])) == 0)
            return true;
    return false;
}

static int type_of(json_t *v)
{
    /* Integers and reals are different types here: fio's consumers (and
     * strictly typed languages) tell them apart. */
    return json_is_integer(v) ? 100 : (int)json_typeof(v);
}

static size_t checked_paths;

static void walk(json_t *fio, json_t *ours, char *path, size_t len)
{
    if (skipped(path))
        return;
    checked_paths++;
    if (!ours)
        fail_msg("fio has \"%s\", ours does not", path);
    if (type_of(fio) != type_of(ours))
        fail_msg("\"%s\": fio's type %d, ours %d", path, type_of(fio), type_of(ours));
    if (json_is_object(fio)) {
        const char *k;
        json_t *v;
        json_object_foreach(fio, k, v) {
            snprintf(path + len, 1024 - len, "%s%s", len ? "." : "", k);
            walk(v, json_object_get(ours, k), path, strlen(path));
            path[len] = '\0';
        }
    } else if (json_is_array(fio) && json_array_size(fio) > 0) {
        snprintf(path + len, 1024 - len, "[]");
        walk(json_array_get(fio, 0), json_array_get(ours, 0), path, strlen(path));
        path[len] = '\0';
    }
}

static void test_fio_key_paths(void **state)
{
    (void)state;
    json_error_t jerr;
    json_t *fio = json_load_file(tu_data_path("fio-3.33-psync.json"), 0, &jerr);
    assert_non_null(fio);
    /* The golden input describes the same kind of job (psync randrw with
     * fsync, one disk), so every part of fio's document has a counterpart. */
    json_t *ours = render_and_parse("normal/psync-randrw-fsync/input.json");
    char path[1024] = "";
    checked_paths = 0;
    walk(fio, ours, path, 0);
    print_message("%zu key paths of fio's JSON found in ours\n", checked_paths);
    assert_true(checked_paths > 150);
    json_decref(ours);
    json_decref(fio);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_and_types),
        cmocka_unit_test(test_entries),
        cmocka_unit_test(test_error_counts),
        cmocka_unit_test(test_fio_key_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
