/* Disk stats: arithmetic on fixed readings, and the /sys lookup where the
 * machine has a block device behind the test folder. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "test_util.h"
#include "tio_disk.h"

static void test_compute(void **state)
{
    (void)state;
    struct tio_disk_stat a = {.ios = {100, 200},
                              .merges = {1, 2},
                              .ticks = {10, 20},
                              .io_ticks = 1000,
                              .in_queue = 50};
    struct tio_disk_stat b = {.ios = {5612, 200},
                              .merges = {1, 2},
                              .ticks = {222, 20},
                              .io_ticks = 1437,
                              .in_queue = 262};
    struct tio_disk_util u;
    tio_disk_util_compute("vda", &a, &b, 1000, &u);
    assert_string_equal(u.name, "vda");
    assert_int_equal(u.ios[0], 5512);
    assert_int_equal(u.ios[1], 0);
    assert_int_equal(u.ticks[0], 212);
    assert_int_equal(u.in_queue, 212);
    assert_true(u.util > 43.69 && u.util < 43.71);
    /* Counters that went backwards (device reset) read as no activity. */
    tio_disk_util_compute("vda", &b, &a, 0, &u);
    assert_int_equal(u.ios[0], 0);
    assert_true(u.util == 0.0);
}

static void test_lookup(void **state)
{
    (void)state;
    char name[64];
    int rc = tio_disk_for_path(tu_data_path("fio-3.33-psync.json"), name, sizeof(name));
    if (rc == -ENODEV) {
        print_message("no block device behind the test data; lookup not exercised\n");
        return;
    }
    assert_int_equal(rc, 0);
    print_message("test data lives on %s\n", name);
    struct tio_disk_stat st;
    assert_int_equal(tio_disk_stat_read(name, &st), 0);
    /* A file that does not exist yet is found through its folder. */
    char name2[64];
    assert_int_equal(tio_disk_for_path(tu_data_path("not-there-yet.bin"), name2, sizeof(name2)),
                     0);
    assert_string_equal(name, name2);

    struct tio_disk_watch *w = tio_disk_watch_new();
    assert_non_null(w);
    assert_int_equal(tio_disk_watch_add_path(w, tu_data_path("fio-3.33-psync.json")), 0);
    assert_int_equal(tio_disk_watch_add_path(w, tu_data_path("normal")), 0);
    assert_int_equal(tio_disk_watch_start(w), 0);
    struct tio_report *rep = tio_report_new("0.1.0");
    assert_non_null(rep);
    assert_int_equal(tio_disk_watch_stop(w, rep), 0);
    char *text = tu_render_normal(rep);
    assert_non_null(strstr(text, "Disk stats (read/write):\n"));
    assert_non_null(strstr(text, name));
    free(text);
    tio_report_free(rep);
    tio_disk_watch_free(w);
}

static void test_errors(void **state)
{
    (void)state;
    struct tio_disk_stat st;
    assert_int_equal(tio_disk_stat_read("../etc", &st), -EINVAL);
    assert_int_equal(tio_disk_stat_read("no-such-disk-tio", &st), -ENOENT);
    char name[64];
    assert_int_equal(tio_disk_for_path("/no/such/dir/file", name, sizeof(name)), -ENOENT);
    /* /proc has no block device. */
    assert_int_equal(tio_disk_for_path("/proc/self/stat", name, sizeof(name)), -ENODEV);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compute),
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
