/* The job parser's C API: buffers, errors, engine options, resolution and
 * reentrancy - what the data-driven cases cannot reach. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tio_job.h"
#include "options/option.h"

static struct tio_plan *parse_ok(const char *text)
{
    struct tio_plan *p = NULL;
    struct tio_error err;
    int rc = tio_job_parse_buffer(text, strlen(text), "buf.fio", NULL, &p, &err);

    if (rc != TIO_OK)
        fail_msg("parse failed: %s: %s", tio_err_name(rc), err.text);
    rc = tio_plan_resolve(p, &err);
    if (rc != TIO_OK)
        fail_msg("resolve failed: %s: %s", tio_err_name(rc), err.text);
    return p;
}

static int parse_err(const char *text, size_t len, struct tio_error *err)
{
    struct tio_plan *p = (struct tio_plan *)(uintptr_t)1;
    int rc = tio_job_parse_buffer(text, len, "buf.fio", NULL, &p, err);

    if (rc == TIO_OK) {
        rc = tio_plan_resolve(p, err);
        tio_plan_free(p);
    } else {
        assert_null(p);
    }
    return rc;
}

static char *dump(const struct tio_plan *p)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);

    assert_non_null(f);
    assert_int_equal(tio_plan_dump(p, f), TIO_OK);
    fclose(f);
    return out;
}

static void test_buffer_basic(void **state)
{
    struct tio_plan *p = parse_ok("[global]\nbs=64k\nsize=1m\n[a]\nrw=randwrite\nnumjobs=2\n"
                                  "[b]\nstonewall\nioengine=external:/opt/e/engine.so\n");

    (void)state;
    assert_int_equal(p->nr_jobs, 3);
    assert_true(p->resolved);
    assert_int_equal(p->nr_groups, 2);
    assert_string_equal(p->jobs[0].identity.name, "a");
    assert_string_equal(p->jobs[1].identity.name, "a");
    assert_int_equal(p->jobs[0].clone, 0);
    assert_int_equal(p->jobs[1].clone, 1);
    assert_int_equal(p->jobs[1].index, 1);
    assert_int_equal(p->jobs[0].pattern.bs[TIO_JOB_DDIR_WRITE], 65536);
    assert_int_equal(p->jobs[0].pattern.rw, TIO_RW_RANDWRITE);
    assert_string_equal(p->jobs[1].files.filenames.v[0], "a.1.0");
    assert_string_equal(p->jobs[2].queue.ioengine, "external:/opt/e/engine.so");
    assert_int_equal(p->jobs[2].group, 1);
    assert_int_equal(p->jobs[2].origin.kind, TIO_ORIGIN_FILE);
    assert_string_equal(p->jobs[2].origin.file, "buf.fio");
    assert_int_equal(p->jobs[2].origin.line, 7);
    /* resolving twice changes nothing */
    assert_int_equal(tio_plan_resolve(p, NULL), TIO_OK);
    assert_int_equal(p->nr_jobs, 3);
    tio_plan_free(p);
}

static void test_buffer_not_terminated(void **state)
{
    /* the text is used up to len only: the 'X' must never be read */
    static const char text[] = "[a]\nsize=1m\nbs=8kX";
    struct tio_plan *p = NULL;
    struct tio_error err;

    (void)state;
    assert_int_equal(tio_job_parse_buffer(text, sizeof(text) - 2, NULL, NULL, &p, &err),
                     TIO_OK);
    assert_int_equal(p->jobs[0].pattern.bs[0], 8192);
    tio_plan_free(p);
}

static void test_buffer_nul_and_control(void **state)
{
    static const char nul[] = "[a]\nsize=1m\0\n";
    struct tio_error err;

    (void)state;
    assert_int_equal(parse_err(nul, sizeof(nul) - 1, &err), TIO_ESYNTAX);
    assert_string_equal(err.text, "buf.fio:2: NUL byte in the job file (is it a text file?)");
    assert_int_equal(parse_err("[a]\nsize=1\x02m\n", 13, &err), TIO_ESYNTAX);
    assert_non_null(strstr(err.text, "control character 0x02"));
}

static void test_crlf_bom_and_no_newline(void **state)
{
    static const char text[] = "\xEF\xBB\xBF[a]\r\nsize=2m\r\nrw=write\r\n[b]\r\nsize=1m";
    struct tio_plan *p = parse_ok(text);

    (void)state;
    assert_int_equal(p->nr_jobs, 2);
    assert_string_equal(p->jobs[0].identity.name, "a");
    assert_int_equal(p->jobs[0].files.size.bytes, 2 * 1024 * 1024);
    assert_int_equal(p->jobs[0].pattern.rw, TIO_RW_WRITE);
    assert_int_equal(p->jobs[1].files.size.bytes, 1024 * 1024);
    tio_plan_free(p);
}

static void test_long_lines(void **state)
{
    /* longer than inih's line buffer and its 50-byte section names */
    char text[4096], name[120];
    struct tio_plan *p;
    size_t off, i;

    (void)state;
    memset(name, 'n', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    off = (size_t)snprintf(text, sizeof(text), "[%s]\nsize=1m\nfilename=", name);
    for (i = 0; i < 40; i++)
        off += (size_t)snprintf(text + off, sizeof(text) - off, "%s/dev/disk/by-id/disk%02zu",
                                i ? ":" : "", i);
    snprintf(text + off, sizeof(text) - off, "\ndescription=%s%s\n", name, name);
    p = parse_ok(text);
    assert_string_equal(p->jobs[0].identity.name, name);
    assert_int_equal(p->jobs[0].files.nrfiles, 40);
    assert_string_equal(p->jobs[0].files.filenames.v[39], "/dev/disk/by-id/disk39");
    assert_int_equal(strlen(p->jobs[0].identity.description), 2 * strlen(name));
    tio_plan_free(p);
}

static void test_no_include(void **state)
{
    static const char text[] = "[a]\ninclude other.fio\n";
    struct tio_parse_config cfg;
    struct tio_plan *p = NULL;
    struct tio_error err;

    (void)state;
    tio_parse_config_init(&cfg);
    cfg.no_include = true;
    assert_int_equal(tio_job_parse_buffer(text, strlen(text), NULL, &cfg, &p, &err),
                     TIO_EUNSUPPORTED);
    assert_string_equal(err.text, "<buffer>:2: include is disabled here");
    assert_null(p);
}

static void test_process_environment(void **state)
{
    struct tio_plan *p;

    (void)state;
    setenv("TIO_JOB_TEST_SIZE", "3m", 1);
    p = parse_ok("[a]\nsize=${TIO_JOB_TEST_SIZE}\n");
    assert_int_equal(p->jobs[0].files.size.bytes, 3 * 1024 * 1024);
    tio_plan_free(p);
    unsetenv("TIO_JOB_TEST_SIZE");
}

static void test_engine_options(void **state)
{
    static const char *const keys[] = {"hipri", "fixedbufs", "sqthread_poll"};
    struct tio_plan *p = parse_ok("[global]\nioengine=io_uring\nhipri\nfixedbufs=1\n"
                                  "[a]\nsize=1m\nfixedbufs=0\nhpiri=1\nzzzzzz=1\n");
    const struct tio_engine_option *o;
    struct tio_error err;

    (void)state;
    assert_int_equal(p->jobs[0].nr_engine_options, 4);
    o = tio_job_engine_option(&p->jobs[0], "hipri");
    assert_non_null(o);
    assert_null(o->value);
    assert_int_equal(o->origin.line, 3);
    /* the job's value replaces its [global]'s, keeping the first position */
    o = tio_job_engine_option(&p->jobs[0], "fixedbufs");
    assert_ptr_equal(o, &p->jobs[0].engine_options[1]);
    assert_string_equal(o->value, "0");
    assert_int_equal(o->origin.line, 7);
    assert_null(tio_job_engine_option(&p->jobs[0], "nope"));

    o = tio_job_engine_option(&p->jobs[0], "hpiri");
    assert_int_equal(tio_engine_option_unknown(&p->jobs[0], o, keys, 3, &err), TIO_EUNKNOWN);
    assert_int_equal(err.code, TIO_EUNKNOWN);
    assert_string_equal(err.text,
                        "buf.fio:8: hpiri=1: unknown option 'hpiri' (did you mean 'hipri'? it "
                        "is "
                        "not a tenon-io option and ioengine 'io_uring' has no such option; see "
                        "tenon-io --enghelp=io_uring)");
    o = tio_job_engine_option(&p->jobs[0], "zzzzzz");
    tio_engine_option_unknown(&p->jobs[0], o, keys, 3, &err);
    assert_string_equal(err.text,
                        "buf.fio:9: zzzzzz=1: unknown option 'zzzzzz' (it is not a tenon-io "
                        "option and ioengine 'io_uring' has no such option; see tenon-io "
                        "--enghelp=io_uring)");
    tio_plan_free(p);
}

static void test_engine_option_unknown_suggests_core(void **state)
{
    struct tio_plan *p = parse_ok("[a]\nsize=1m\nnumjob=4\n");
    struct tio_error err;

    (void)state;
    tio_engine_option_unknown(&p->jobs[0], &p->jobs[0].engine_options[0], NULL, 0, &err);
    assert_non_null(strstr(err.text, "did you mean 'numjobs'?"));
    tio_plan_free(p);
}

static void test_error_helpers(void **state)
{
    struct tio_origin file = {TIO_ORIGIN_FILE, "x.fio", 3, 0, NULL};
    struct tio_origin arg = {TIO_ORIGIN_ARG, NULL, 0, 2, "--bs=4q"};
    char buf[64], longval[700];
    struct tio_error err;

    (void)state;
    assert_string_equal(tio_err_name(TIO_OK), "OK");
    assert_string_equal(tio_err_name(TIO_ENOMEM), "ENOMEM");
    assert_string_equal(tio_err_name(TIO_EJOB), "EJOB");
    assert_string_equal(tio_err_name(-1000), "EUNKNOWN_ERROR");
    assert_string_equal(tio_err_name(5), "EUNKNOWN_ERROR");
    assert_string_equal(tio_strerror(TIO_EUNSUPPORTED),
                        "fio feature not supported by tenon-io yet");
    assert_string_equal(tio_strerror(-1000), "unknown error");

    tio_origin_format(&file, buf, sizeof(buf));
    assert_string_equal(buf, "x.fio:3");
    tio_origin_format(&arg, buf, sizeof(buf));
    assert_string_equal(buf, "argument 2 ('--bs=4q')");
    tio_origin_format(NULL, buf, sizeof(buf));
    assert_string_equal(buf, "default");

    assert_int_equal(tio_error_set(&err, TIO_EVALUE, &file, "hipri", "2", "use 0 or 1"),
                     TIO_EVALUE);
    assert_string_equal(err.text, "x.fio:3: hipri=2: use 0 or 1");
    tio_error_set(&err, TIO_EVALUE, NULL, "hipri", NULL, "bare");
    assert_string_equal(err.text, "hipri: bare");
    tio_error_set(&err, TIO_EVALUE, NULL, NULL, NULL, "just %d", 7);
    assert_string_equal(err.text, "just 7");
    assert_int_equal(tio_error_set(NULL, TIO_EIO, NULL, NULL, NULL, "ignored"), TIO_EIO);

    /* long values are shortened so the message keeps its fix-it part */
    memset(longval, 'v', sizeof(longval) - 1);
    longval[sizeof(longval) - 1] = '\0';
    tio_error_set(&err, TIO_EVALUE, &file, "filename", longval, "the end");
    assert_true(strlen(err.text) < sizeof(err.text));
    assert_non_null(strstr(err.text, "...: the end"));
    tio_error_clear(&err);
    assert_int_equal(err.code, TIO_OK);
    assert_string_equal(err.text, "");
}

static void test_bad_arguments(void **state)
{
    struct tio_plan *p = NULL;
    struct tio_error err;
    char *argv[] = {"tenon-io", NULL};

    (void)state;
    assert_int_equal(tio_job_parse_buffer("x", 1, NULL, NULL, NULL, &err), TIO_EINVAL);
    assert_int_equal(tio_job_parse_buffer(NULL, 3, NULL, NULL, &p, &err), TIO_EINVAL);
    assert_int_equal(tio_job_parse_file(NULL, NULL, &p, &err), TIO_EINVAL);
    assert_int_equal(tio_cmdline_parse(-1, argv, NULL, &p, &err), TIO_EINVAL);
    assert_int_equal(tio_plan_resolve(NULL, &err), TIO_EINVAL);
    assert_int_equal(tio_plan_dump(NULL, stdout), TIO_EINVAL);
    tio_plan_free(NULL);

    /* an empty buffer parses to no jobs; resolving that is a usage error */
    assert_int_equal(tio_job_parse_buffer("", 0, NULL, NULL, &p, &err), TIO_OK);
    assert_int_equal(p->nr_jobs, 0);
    assert_int_equal(tio_plan_resolve(p, &err), TIO_EUSAGE);
    tio_plan_free(p);

    /* --help needs no job: parse succeeds, the host looks at program */
    {
        char *help[] = {"tenon-io", "--help", NULL};

        assert_int_equal(tio_cmdline_parse(2, help, NULL, &p, &err), TIO_OK);
        assert_true(p->program.help);
        tio_plan_free(p);
    }
}

static void test_parse_file(void **state)
{
    char path[] = "/tmp/tio-job-api-XXXXXX";
    struct tio_plan *p = NULL;
    struct tio_error err;
    FILE *f;
    int fd;

    (void)state;
    fd = mkstemp(path);
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    assert_non_null(f);
    fputs("[disk]\nfilename=/dev/null\nrw=randread\n", f);
    fclose(f);
    assert_int_equal(tio_job_parse_file(path, NULL, &p, &err), TIO_OK);
    assert_int_equal(tio_plan_resolve(p, &err), TIO_OK);
    /* filename given, no size: the host reads the device's size */
    assert_false(p->jobs[0].files.size.set);
    assert_true(p->jobs[0].files.filename_explicit);
    assert_int_equal(p->jobs[0].origin.line, 1);
    assert_string_equal(p->jobs[0].origin.file, path);
    assert_string_equal(p->program.job_files.v[0], path);
    tio_plan_free(p);
    unlink(path);

    assert_int_equal(tio_job_parse_file(path, NULL, &p, &err), TIO_EIO);
    assert_non_null(strstr(err.text, "cannot open job file"));
    assert_non_null(strstr(err.text, path));
    assert_null(p);
}

static void test_helpers(void **state)
{
    struct tio_plan *p = parse_ok("[a]\nfilename=/dev/null\noffset=10%\noffset_increment=1m\n"
                                  "numjobs=3\n");

    (void)state;
    assert_int_equal(tio_job_start_offset(&p->jobs[0], 1000 * 1024 * 1024), 100 * 1024 * 1024);
    /* fio adds the clones last first: its second job is $jobnum 2 */
    assert_int_equal(tio_job_start_offset(&p->jobs[1], 1000 * 1024 * 1024), 102 * 1024 * 1024);
    assert_int_equal(tio_job_start_offset(&p->jobs[2], 1000 * 1024 * 1024), 101 * 1024 * 1024);
    tio_plan_free(p);

    assert_string_equal(tio_rw_name(TIO_RW_RANDRW), "randrw");
    assert_string_equal(tio_verify_name(TIO_VERIFY_SHA256), "sha256");
    assert_true(tio_rw_is_random(TIO_RW_RANDREAD));
    assert_false(tio_rw_is_random(TIO_RW_RW));
    assert_true(tio_rw_reads(TIO_RW_RW));
    assert_false(tio_rw_reads(TIO_RW_WRITE));
    assert_true(tio_rw_writes(TIO_RW_RANDRW));
    assert_false(tio_rw_writes(TIO_RW_RANDREAD));
}

/* The option table is the single source of each option: every row has its
 * help, an example and a dump, and a default written out in a job file
 * gives the same job as no option at all (the job's own setter parses it). */
static void test_option_rows(void **state)
{
    static const char base[] = "[j]\nfilename=f\nsize=4k\n";
    size_t f, i, rows = 0;

    (void)state;
    for (f = 0; f < tio__nr_families; f++) {
        for (i = 0; i < tio__families[f]->n; i++) {
            const struct tio__option *o = &tio__families[f]->rows[i];
            struct tio_plan *a, *b;
            char text[256], *da, *db, *seed;

            rows++;
            if (!o->help || !o->example || (o->type == O_CUSTOM && (!o->set || !o->dump)))
                fail_msg("option %s: a row needs help, an example and, when custom, a "
                         "setter and a dump",
                         o->name);
            if (!o->def)
                continue;
            snprintf(text, sizeof(text), "%s%s=%s\n", base, o->name, o->def);
            a = parse_ok(base);
            b = parse_ok(text);
            da = dump(a);
            db = dump(b);
            /* only a written randseed counts as set */
            if (strcmp(o->name, "randseed") == 0 && (seed = strstr(db, "randseed_set=1")))
                seed[13] = '0';
            if (strcmp(da, db) != 0)
                fail_msg("option %s: its default '%s' written out gives another job:\n%s\n"
                         "---\n%s",
                         o->name, o->def, da, db);
            free(da);
            free(db);
            tio_plan_free(a);
            tio_plan_free(b);
        }
    }
    assert_int_equal(rows, tio__option_count());
}

static void test_option_tables(void **state)
{
    /* every core name and alias is found (the table is binary searched, so
     * this also proves it is sorted) */
    static const char *const core[] = {
        "allow_file_create",
        "allow_mounted_write",
        "ba",
        "blockalign",
        "blocksize",
        "bs",
        "buffer_pattern",
        "buffered",
        "continue_on_error",
        "create_on_open",
        "description",
        "direct",
        "directory",
        "do_verify",
        "end_fsync",
        "fdatasync",
        "filename",
        "filename_format",
        "fileoffset",
        "filesize",
        "fsync",
        "fsync_on_close",
        "group_reporting",
        "gtod_reduce",
        "invalidate",
        "io_limit",
        "io_size",
        "iodepth",
        "iodepth_batch",
        "iodepth_batch_complete",
        "iodepth_batch_complete_max",
        "iodepth_batch_complete_min",
        "iodepth_batch_submit",
        "iodepth_low",
        "ioengine",
        "kb_base",
        "loops",
        "name",
        "new_group",
        "norandommap",
        "nr_files",
        "nrfiles",
        "number_ios",
        "numjobs",
        "offset",
        "offset_increment",
        "overwrite",
        "ramp_time",
        "randrepeat",
        "randseed",
        "readwrite",
        "refill_buffers",
        "runtime",
        "rw",
        "rwmixread",
        "rwmixwrite",
        "scramble_buffers",
        "size",
        "startdelay",
        "stonewall",
        "sync",
        "thread",
        "time_based",
        "timeout",
        "unit_base",
        "unlink",
        "unlink_each_loop",
        "verify",
        "verify_fatal",
        "verify_interval",
        "wait_for_previous",
        "zero_buffers",
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof(core) / sizeof(core[0]); i++) {
        if (!tio_is_core_option(core[i]))
            fail_msg("core option '%s' not found", core[i]);
        assert_false(tio_is_fio_only_option(core[i]));
    }
    assert_false(tio_is_core_option("hipri"));
    assert_false(tio_is_fio_only_option("hipri")); /* an engine option */
    assert_true(tio_is_fio_only_option("cgroup"));
    assert_true(tio_is_fio_only_option("log_entries"));
    assert_true(tio_is_core_option("write_bw_log"));
    assert_true(tio_is_core_option("log_window_value"));
    assert_false(tio_is_fio_only_option("log_compression"));
    assert_true(tio_is_core_option("zonemode"));
    assert_false(tio_is_fio_only_option("zonecapacity")); /* zonemode=zbd's */
    assert_true(tio_is_fio_only_option("exec_prerun"));
    assert_true(tio_is_fio_only_option("gtod_cpu"));
    assert_false(tio_is_fio_only_option("hugepage-size")); /* a core option now */
    assert_true(tio_is_fio_only_option("warnings-fatal")); /* a program option */
    assert_false(tio_is_fio_only_option("output"));        /* ... that tenon-io has */
    assert_false(tio_is_fio_only_option("eta"));
    assert_false(tio_is_fio_only_option("minimal"));
    assert_false(tio_is_core_option(NULL));
    assert_false(tio_is_fio_only_option(NULL));
}

/* The parser keeps no global state: many threads parsing at once get the
 * same result as one. */
struct thread_arg {
    const char *text;
    char *out;
    int rc;
};

static void *parse_thread(void *v)
{
    struct thread_arg *t = v;
    struct tio_plan *p = NULL;
    struct tio_error err;
    int i;

    for (i = 0; i < 50; i++) {
        char *out = NULL;
        size_t len = 0;
        FILE *f;

        t->rc = tio_job_parse_buffer(t->text, strlen(t->text), "t.fio", NULL, &p, &err);
        if (t->rc == TIO_OK)
            t->rc = tio_plan_resolve(p, &err);
        if (t->rc)
            return NULL;
        f = open_memstream(&out, &len);
        if (!f) {
            t->rc = -1;
            return NULL;
        }
        tio_plan_dump(p, f);
        fclose(f);
        tio_plan_free(p);
        free(t->out);
        t->out = out;
    }
    return NULL;
}

static void test_threads(void **state)
{
    static const char text[] =
        "[global]\nsize=16m\nkb_base=1000\nhipri\n[a]\nnumjobs=4\nrw=randrw\nrwmixwrite=30\n"
        "[b]\nstonewall\nbs=4k,16k\nfilename=x\\:y:z\nverify=crc32c\nbuffer_pattern=0xabc\n";
    struct thread_arg args[4];
    pthread_t th[4];
    struct tio_plan *p;
    char *want;
    int i;

    (void)state;
    assert_int_equal(tio_job_parse_buffer(text, strlen(text), "t.fio", NULL, &p, NULL), TIO_OK);
    assert_int_equal(tio_plan_resolve(p, NULL), TIO_OK);
    want = dump(p);
    tio_plan_free(p);
    for (i = 0; i < 4; i++) {
        args[i].text = text;
        args[i].out = NULL;
        args[i].rc = 0;
        assert_int_equal(pthread_create(&th[i], NULL, parse_thread, &args[i]), 0);
    }
    for (i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].rc, 0);
        assert_string_equal(args[i].out, want);
        free(args[i].out);
    }
    free(want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buffer_basic),
        cmocka_unit_test(test_buffer_not_terminated),
        cmocka_unit_test(test_buffer_nul_and_control),
        cmocka_unit_test(test_crlf_bom_and_no_newline),
        cmocka_unit_test(test_long_lines),
        cmocka_unit_test(test_no_include),
        cmocka_unit_test(test_process_environment),
        cmocka_unit_test(test_engine_options),
        cmocka_unit_test(test_engine_option_unknown_suggests_core),
        cmocka_unit_test(test_error_helpers),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_parse_file),
        cmocka_unit_test(test_helpers),
        cmocka_unit_test(test_option_tables),
        cmocka_unit_test(test_option_rows),
        cmocka_unit_test(test_threads),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
