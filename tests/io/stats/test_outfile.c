/* All-or-nothing results files. A full disk cannot be made without root in
 * a unit test, so the temporary file's stream is swapped for one on
 * /dev/full, which fails every write with ENOSPC the same way. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_util.h"
#include "tio_outfile.h"

static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static void test_commit_replaces(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char path[4096];
    struct tio_error err = {0};
    snprintf(path, sizeof(path), "%s/results.txt", dir);
    assert_int_equal(tu_write_file(path, "old results\n"), 0);

    struct tio_outfile *of;
    assert_int_equal(tio_outfile_open(&of, path, &err), 0);
    fputs("new results\n", tio_outfile_stream(of));
    /* Until commit, the old file is what readers see. */
    char *mid = tu_read_file(path, NULL);
    assert_string_equal(mid, "old results\n");
    free(mid);
    assert_int_equal(count_entries(dir), 2);
    assert_int_equal(tio_outfile_commit(of, &err), 0);

    char *now = tu_read_file(path, NULL);
    assert_string_equal(now, "new results\n");
    free(now);
    assert_int_equal(count_entries(dir), 1);
    /* An ordinary file's mode, not mkstemp's 0600. */
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    mode_t mask = umask(022);
    umask(mask);
    assert_int_equal(st.st_mode & 0777, 0666 & ~mask);
    tu_rmdir_all(dir);
    free(dir);
}

static void test_full_disk_keeps_old_file(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char path[4096];
    struct tio_error err = {0};
    snprintf(path, sizeof(path), "%s/results.json", dir);
    assert_int_equal(tu_write_file(path, "{\"old\": true}\n"), 0);

    struct tio_outfile *of;
    assert_int_equal(tio_outfile_open(&of, path, &err), 0);
    FILE *full = fopen("/dev/full", "w");
    assert_non_null(full);
    tio_outfile_replace_stream(of, full);
    /* Enough to fill stdio's buffer, so some writes fail before commit. */
    for (int i = 0; i < 10000; i++)
        fputs("a line of results that will not fit\n", tio_outfile_stream(of));
    int rc = tio_outfile_commit(of, &err);
    assert_int_equal(rc, -ENOSPC);
    print_message("error: %s\n", err.text);
    /* What failed, on which file, why, and that the old file is safe. */
    assert_non_null(strstr(err.text, path));
    assert_non_null(strstr(err.text, "No space left on device"));
    assert_non_null(strstr(err.text, "unchanged"));

    char *now = tu_read_file(path, NULL);
    assert_string_equal(now, "{\"old\": true}\n");
    free(now);
    /* The temporary file is gone. */
    assert_int_equal(count_entries(dir), 1);
    tu_rmdir_all(dir);
    free(dir);
}

static void test_report_write_file(void **state)
{
    (void)state;
    char *dir = tu_mkdtemp();
    char path[4096];
    struct tio_error err = {0};
    snprintf(path, sizeof(path), "%s/out.txt", dir);
    struct tio_report *rep = tu_load_input(tu_data_path("normal/error-no-io/input.json"));
    assert_int_equal(tio_report_write_file(rep, path, TIO_REPORT_NORMAL | TIO_REPORT_JSON,
                                           &err),
                     0);
    char *text = tu_read_file(path, NULL);
    assert_non_null(text);
    /* JSON first, then the text, as fio does with both formats. */
    assert_int_equal(text[0], '{');
    assert_non_null(strstr(text, "\"fio version\": \"tenon-io-0.1.0\""));
    assert_non_null(strstr(text, "\ne: (groupid=0, jobs=1): err=28"));
    free(text);
    tio_report_free(rep);
    tu_rmdir_all(dir);
    free(dir);
}

static void test_report_to_full_stream(void **state)
{
    (void)state;
    struct tio_report *rep = tu_load_input(
        tu_data_path("normal/psync-randrw-fsync/input.json"));
    FILE *full = fopen("/dev/full", "w");
    assert_non_null(full);
    assert_int_equal(tio_report_write_normal(rep, full), -ENOSPC);
    clearerr(full);
    assert_int_equal(tio_report_write_json(rep, full), -ENOSPC);
    fclose(full);

    struct tio_error err = {0};
    assert_int_equal(tio_report_write_file(rep, "/nonexistent-dir-for-tio/out.json",
                                           TIO_REPORT_JSON, &err),
                     -ENOENT);
    assert_non_null(strstr(err.text, "/nonexistent-dir-for-tio/out.json"));
    assert_string_equal(tio_err_name(err.code), "EOUTPUT");
    tio_report_free(rep);
}

static void test_open_errors(void **state)
{
    (void)state;
    struct tio_error err = {0};
    struct tio_outfile *of = (struct tio_outfile *)1;
    int rc = tio_outfile_open(&of, "/nonexistent-dir-for-tio/results.txt", &err);
    assert_int_equal(rc, -ENOENT);
    assert_null(of);
    print_message("error: %s\n", err.text);
    assert_non_null(strstr(err.text, "/nonexistent-dir-for-tio/results.txt"));
    assert_non_null(strstr(err.text, "No such file or directory"));
    assert_int_equal(err.code, TIO_EOUTPUT);

    rc = tio_outfile_open(&of, "", &err);
    assert_int_equal(rc, -EINVAL);
    rc = tio_outfile_open(&of, "/tmp/", &err);
    assert_int_equal(rc, -EISDIR);

    /* Abort removes the temporary file and leaves nothing behind. */
    char *dir = tu_mkdtemp();
    char path[4096];
    snprintf(path, sizeof(path), "%s/x", dir);
    assert_int_equal(tio_outfile_open(&of, path, &err), 0);
    tio_outfile_abort(of);
    assert_int_equal(count_entries(dir), 0);
    /* A relative path works too (temporary file in the current folder). */
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(dir), 0);
    assert_int_equal(tio_outfile_open(&of, "rel.txt", &err), 0);
    fputs("x\n", tio_outfile_stream(of));
    assert_int_equal(tio_outfile_commit(of, &err), 0);
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(count_entries(dir), 1);
    tu_rmdir_all(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commit_replaces),
        cmocka_unit_test(test_full_disk_keeps_old_file),
        cmocka_unit_test(test_report_write_file),
        cmocka_unit_test(test_report_to_full_stream),
        cmocka_unit_test(test_open_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
