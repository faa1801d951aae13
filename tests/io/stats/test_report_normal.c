/* Golden tests of the normal report: each folder in data/normal/ holds an
 * input.json (the numbers a run produced) and expected.txt (the report).
 * Set TIO_UPDATE_GOLDEN=1 to rewrite expected.txt from the current output;
 * review the diff before committing it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

/* Prints the first differing line with its neighbours. */
static void show_difference(const char *want, const char *got)
{
    int line = 1;
    const char *w = want, *g = got;
    while (*w && *g && *w == *g) {
        if (*w == '\n')
            line++;
        w++;
        g++;
    }
    const char *ws = w, *gs = g;
    while (ws > want && ws[-1] != '\n')
        ws--;
    while (gs > got && gs[-1] != '\n')
        gs--;
    print_error("first difference at line %d\n  want: %.*s\n  got:  %.*s\n", line,
                (int)strcspn(ws, "\n"), ws, (int)strcspn(gs, "\n"), gs);
}

static void run_case(const char *name)
{
    char rel[512];
    snprintf(rel, sizeof(rel), "normal/%s/input.json", name);
    struct tio_report *rep = tu_load_input(tu_data_path(rel));
    char *got = tu_render_normal(rep);
    snprintf(rel, sizeof(rel), "normal/%s/expected.txt", name);
    const char *expected_path = tu_data_path(rel);
    if (getenv("TIO_UPDATE_GOLDEN")) {
        assert_int_equal(tu_write_file(expected_path, got), 0);
        print_message("updated %s\n", expected_path);
    }
    char *want = tu_read_file(expected_path, NULL);
    if (!want)
        fail_msg("cannot read %s", expected_path);
    if (strcmp(want, got) != 0) {
        show_difference(want, got);
        fail_msg("case %s: report differs from %s", name, expected_path);
    }
    print_message("case %s: ok\n", name);
    free(want);
    free(got);
    tio_report_free(rep);
}

static void test_golden(void **state)
{
    (void)state;
    assert_true(tu_for_each_case("normal", "input.json", run_case) >= 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
