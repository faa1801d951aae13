/* Path checks: absolute and canonical paths only, symlink loops, owners and
 * permissions of plugin files and of every folder above them (sticky
 * folders allowed), and non-regular files refused without blocking.
 * Uses the library's internals (path_policy.c) and the public entry points
 * that apply them. */
#include "helpers.h"

#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct fixture {
    char *dir;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    f->dir = tmp_dir();
    *state = f;
    /* A FIFO open must never block a test for long. */
    alarm(20);
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tmp_remove(f->dir);
    free(f);
    alarm(0);
    return 0;
}

static void test_relative_paths_refused(void **state)
{
    (void)state;
    char *out = (char *)1;
    static const char *const relative[] = {"plugin.so", "./plugin.so", "../x/plugin.so", "",
                                           "~/plugin.so"};
    for (size_t i = 0; i < sizeof(relative) / sizeof(relative[0]); i++) {
        int rc = tenon__path_canonical(relative[i], TENON_STAGE_SCAN, &out);
        expect_error(rc, TENON_EPATH, relative[i], "is not absolute", NULL);
        assert_null(out);
    }
    expect_error(tenon__path_canonical(NULL, TENON_STAGE_SCAN, &out), TENON_EPATH, NULL,
                 "not absolute", NULL);

    /* The public entry points refuse them the same way. */
    tenon_plugin_desc *desc;
    expect_error(tenon_descriptor_read("good_basic.so", &desc), TENON_EPATH, "good_basic.so",
                 "not absolute", NULL);
    tenon_registry *reg = new_registry(NULL, 0, NULL);
    expect_error(tenon_registry_add_path(reg, "plugins"), TENON_EPATH, "plugins",
                 "not absolute", NULL);
    tenon_plugin *p = (tenon_plugin *)1;
    expect_error(tenon_registry_add_file(reg, "plugins/good_basic.so", &p), TENON_EPATH,
                 "plugins/good_basic.so", "not absolute", NULL);
    assert_null(p);
    assert_int_equal(tenon_registry_count(reg), 0);
    tenon_registry_free(reg);
}

static void test_canonicalization(void **state)
{
    fixture *f = *state;
    assert_int_equal(mkdir(tmp_path(f->dir, "sub"), 0755), 0);
    write_file(tmp_path(f->dir, "sub/file.so"), "x");
    assert_int_equal(symlink("sub", tmp_path(f->dir, "link")), 0);

    char messy[PATH_MAX];
    snprintf(messy, sizeof(messy), "%s/./sub/../link//file.so", f->dir);
    char *out;
    expect_ok(tenon__path_canonical(messy, TENON_STAGE_SCAN, &out));
    assert_string_equal(out, tmp_path(f->dir, "sub/file.so"));
    tenon__free(out);

    expect_error(tenon__path_canonical(tmp_path(f->dir, "missing.so"), TENON_STAGE_SCAN, &out),
                 TENON_ENOTFOUND, "missing.so", "no such file", NULL);
    expect_error(tenon__path_canonical(tmp_path(f->dir, "sub/file.so/x"), TENON_STAGE_SCAN,
                                       &out),
                 TENON_ENOTFOUND, "file.so/x", NULL);

    /* A registry keeps canonical folders only. */
    tenon_registry *reg = new_registry(NULL, 0, NULL);
    snprintf(messy, sizeof(messy), "%s/link/../sub/.", f->dir);
    expect_ok(tenon_registry_add_path(reg, messy));
    const char *dirs[4];
    assert_int_equal(tenon_registry_paths(reg, dirs, 4), 1);
    assert_string_equal(dirs[0], tmp_path(f->dir, "sub"));
    /* The same folder spelled differently is not added twice. */
    expect_ok(tenon_registry_add_path(reg, tmp_path(f->dir, "link")));
    assert_int_equal(tenon_registry_paths(reg, dirs, 4), 1);
    tenon_registry_free(reg);
}

static void test_symlink_loop(void **state)
{
    fixture *f = *state;
    assert_int_equal(symlink("loop-b.so", tmp_path(f->dir, "loop-a.so")), 0);
    assert_int_equal(symlink("loop-a.so", tmp_path(f->dir, "loop-b.so")), 0);
    char *out;
    expect_error(tenon__path_canonical(tmp_path(f->dir, "loop-a.so"), TENON_STAGE_SCAN, &out),
                 TENON_ELOOP, "loop-a.so", "symbolic links", NULL);

    /* Opening never follows a final symlink. */
    write_file(tmp_path(f->dir, "real.so"), "x");
    assert_int_equal(symlink("real.so", tmp_path(f->dir, "alias.so")), 0);
    int fd;
    struct stat st;
    expect_error(tenon__open_plugin_file(tmp_path(f->dir, "alias.so"), &fd, &st), TENON_ELOOP,
                 "alias.so", "symbolic link", NULL);
    assert_int_equal(fd, -1);
    expect_error(tenon__open_plugin_file(tmp_path(f->dir, "loop-a.so"), &fd, &st), TENON_ELOOP,
                 "loop-a.so", NULL);
    expect_error(tenon__open_plugin_file(tmp_path(f->dir, "gone.so"), &fd, &st),
                 TENON_ENOTFOUND, "gone.so", NULL);
}

static void test_non_regular_files(void **state)
{
    fixture *f = *state;
    assert_int_equal(mkdir(tmp_path(f->dir, "folder.so"), 0755), 0);
    assert_int_equal(mkfifo(tmp_path(f->dir, "fifo.so"), 0644), 0);
    int fd;
    struct stat st;
    expect_error(tenon__open_plugin_file(tmp_path(f->dir, "folder.so"), &fd, &st),
                 TENON_ENOTREG, "folder.so", "not a regular file", "folder", NULL);
    /* Nobody writes to the FIFO: an open that blocked would hang here. */
    expect_error(tenon__open_plugin_file(tmp_path(f->dir, "fifo.so"), &fd, &st), TENON_ENOTREG,
                 "fifo.so", "not a regular file", "FIFO", NULL);
    assert_int_equal(fd, -1);

    struct stat dev;
    assert_int_equal(stat("/dev/null", &dev), 0);
    expect_error(tenon__file_policy(&dev, "/dev/null"), TENON_ENOTREG, "/dev/null",
                 "character device", NULL);

    /* The public reader refuses them too, also without blocking. */
    tenon_plugin_desc *desc;
    expect_error(tenon_descriptor_read(tmp_path(f->dir, "fifo.so"), &desc), TENON_ENOTREG,
                 "fifo.so", "FIFO", NULL);
    expect_error(tenon_descriptor_read(tmp_path(f->dir, "folder.so"), &desc), TENON_ENOTREG,
                 "folder.so", "folder", NULL);

    /* A regular file opens, with O_NONBLOCK dropped. */
    write_file(tmp_path(f->dir, "plain.so"), "x");
    expect_ok(tenon__open_plugin_file(tmp_path(f->dir, "plain.so"), &fd, &st));
    assert_true(fd >= 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
    assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
    close(fd);
}

static int file_policy_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return tenon__file_policy(&st, path);
}

static void test_file_permissions_and_owner(void **state)
{
    fixture *f = *state;
    const char *path = tmp_path(f->dir, "p.so");
    write_file(path, "x");

    static const mode_t safe[] = {0644, 0755, 0600, 0444, 0700};
    for (size_t i = 0; i < sizeof(safe) / sizeof(safe[0]); i++) {
        assert_int_equal(chmod(path, safe[i]), 0);
        expect_ok(file_policy_of(path));
    }
    assert_int_equal(chmod(path, 0664), 0);
    expect_error(file_policy_of(path), TENON_EUNSAFE, "p.so", "writable by its group",
                 "chmod go-w", NULL);
    assert_int_equal(chmod(path, 0646), 0);
    expect_error(file_policy_of(path), TENON_EUNSAFE, "p.so", "writable by every user", NULL);
    assert_int_equal(chmod(path, 0777), 0);
    expect_error(file_policy_of(path), TENON_EUNSAFE, "p.so", "writable by every user", NULL);
    assert_int_equal(tenon_last_error()->stage, TENON_STAGE_VERIFY);
    /* The message names its subject (the file and its mode) and the fix is
     * a command to run on that file. */
    {
        char text[2048], want[2048];
        tenon_error_format(NULL, text, sizeof(text));
        snprintf(want, sizeof(want),
                 "verify: plugin file %s has mode 0777, writable by every user: anyone on the "
                 "machine could replace the plugin's code; run: chmod go-w %s",
                 path, path);
        assert_string_equal(text, want);
        assert_int_equal(chmod(path, 0664), 0);
        file_policy_of(path);
        tenon_error_format(NULL, text, sizeof(text));
        snprintf(want, sizeof(want),
                 "verify: plugin file %s has mode 0664, writable by its group: anyone in the "
                 "group could replace the plugin's code; run: chmod go-w %s",
                 path, path);
        assert_string_equal(text, want);
    }

    /* Owned by someone else (the tests run as root, so chown works). */
    assert_int_equal(chmod(path, 0644), 0);
    if (geteuid() == 0) {
        assert_int_equal(chown(path, 4242, 4242), 0);
        expect_error(file_policy_of(path), TENON_EUNSAFE, "p.so", "owned by uid 4242", NULL);
        /* Group ownership alone does not matter when the group cannot write. */
        assert_int_equal(chown(path, 0, 4242), 0);
        expect_ok(file_policy_of(path));
    }
}

static void test_folder_permissions_and_owner(void **state)
{
    fixture *f = *state;
    char sub[PATH_MAX], file[PATH_MAX];
    snprintf(sub, sizeof(sub), "%s/a/b", f->dir);
    assert_int_equal(mkdir(tmp_path(f->dir, "a"), 0755), 0);
    assert_int_equal(mkdir(sub, 0755), 0);
    snprintf(file, sizeof(file), "%s/p.so", sub);
    write_file(file, "x");

    expect_ok(tenon__dirs_policy(file));

    /* The direct parent, then a folder higher up. */
    assert_int_equal(chmod(sub, 0775), 0);
    expect_error(tenon__dirs_policy(file), TENON_EUNSAFE, "p.so", sub, "its group", NULL);
    assert_int_equal(chmod(sub, 0755), 0);
    assert_int_equal(chmod(tmp_path(f->dir, "a"), 0757), 0);
    expect_error(tenon__dirs_policy(file), TENON_EUNSAFE, "p.so", tmp_path(f->dir, "a"),
                 "every user", NULL);

    /* Sticky folders (like /tmp) are allowed: others cannot replace what
     * they do not own. */
    assert_int_equal(chmod(tmp_path(f->dir, "a"), 01777), 0);
    expect_ok(tenon__dirs_policy(file));
    assert_int_equal(chmod(sub, 01775), 0);
    expect_ok(tenon__dirs_policy(file));
    assert_int_equal(chmod(sub, 0755), 0);
    assert_int_equal(chmod(tmp_path(f->dir, "a"), 0755), 0);

    if (geteuid() == 0) {
        assert_int_equal(chown(sub, 4242, 0), 0);
        expect_error(tenon__dirs_policy(file), TENON_EUNSAFE, "p.so", sub, "owned by uid 4242",
                     NULL);
        assert_int_equal(chown(sub, 0, 0), 0);
    }
    expect_ok(tenon__dirs_policy(file));
    /* /tmp itself is checked on the way up, and passes as sticky. */
    struct stat st;
    assert_int_equal(stat("/tmp", &st), 0);
    assert_true(st.st_mode & S_ISVTX);
}

static void test_unsafe_files_refused_by_the_registry(void **state)
{
    fixture *f = *state;
    /* A world-writable plugin in a safe folder. */
    copy_fixture(f->dir, "good_basic", NULL);
    assert_int_equal(chmod(tmp_path(f->dir, "good_basic.so"), 0666), 0);
    tenon_registry *reg = new_registry(f->dir, 0, NULL);
    tenon_plugin *p = tenon_registry_at(reg, 0);
    assert_non_null(p);
    assert_int_equal(tenon_plugin_status(p), TENON_STATUS_BROKEN);
    expect_error_obj(tenon_plugin_error(p), TENON_EUNSAFE, "good_basic.so",
                     "writable by every user", NULL);
    expect_error(tenon_registry_load(reg, "good_basic", NULL), TENON_EUNSAFE, "good_basic",
                 "writable by every user", NULL);
    tenon_registry_free(reg);

    /* ALLOW_UNSAFE_FILES relaxes it (and only it). */
    reg = new_registry(f->dir, TENON_REGISTRY_ALLOW_UNSAFE_FILES, NULL);
    p = tenon_registry_find(reg, "good_basic");
    assert_non_null(p);
    assert_int_equal(tenon_plugin_status(p), TENON_STATUS_FOUND);
    tenon_registry_free(reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_relative_paths_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_canonicalization, setup, teardown),
        cmocka_unit_test_setup_teardown(test_symlink_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_non_regular_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file_permissions_and_owner, setup, teardown),
        cmocka_unit_test_setup_teardown(test_folder_permissions_and_owner, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsafe_files_refused_by_the_registry, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
