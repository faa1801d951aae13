/* tio_setup_io(): engines find unit i by the host's stride, and by their
 * own sizeof(tio_io) when the host predates tio_setup.ios_stride. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <tenon-io/engine.h>

/* A host whose tio_io has grown: its units lie further apart than an
 * engine built before the growth thinks. */
typedef struct grown_io {
    tio_io io;
    uint64_t added[5];
} grown_io;

static void test_host_stride(void **state)
{
    (void)state;
    grown_io units[4] = {0};
    for (uint32_t i = 0; i < 4; i++)
        units[i].io.index = i;
    tio_setup s = {.struct_size = sizeof(s),
                   .ios = &units[0].io,
                   .n_ios = 4,
                   .ios_stride = sizeof(grown_io)};
    assert_int_equal(tio_setup_ios_stride(&s), sizeof(grown_io));
    for (uint32_t i = 0; i < 4; i++) {
        assert_ptr_equal(tio_setup_io(&s, i), &units[i].io);
        assert_int_equal(tio_setup_io(&s, i)->index, i);
    }
}

static void test_older_host(void **state)
{
    (void)state;
    tio_io units[3] = {{.index = 0}, {.index = 1}, {.index = 2}};
    /* A host built before the field: struct_size ends before it, and
     * whatever lies there is not a stride. */
    tio_setup s = {.struct_size = (uint32_t)offsetof(tio_setup, ios_stride),
                   .ios = units,
                   .n_ios = 3,
                   .ios_stride = 12345};
    assert_int_equal(tio_setup_ios_stride(&s), sizeof(tio_io));
    for (uint32_t i = 0; i < 3; i++)
        assert_ptr_equal(tio_setup_io(&s, i), &units[i]);
}

static void test_unset_stride(void **state)
{
    (void)state;
    tio_io units[2] = {{.index = 0}, {.index = 1}};
    tio_setup s = {.struct_size = sizeof(s), .ios = units, .n_ios = 2};
    assert_int_equal(tio_setup_ios_stride(&s), sizeof(tio_io));
    assert_ptr_equal(tio_setup_io(&s, 1), &units[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_host_stride),
        cmocka_unit_test(test_older_host),
        cmocka_unit_test(test_unset_stride),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
