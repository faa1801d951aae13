/* Error codes, their names and texts, stages, the per-thread last error and
 * tenon_error_format. */
#include "helpers.h"

#include <limits.h>
#include <pthread.h>
#include <string.h>

typedef struct code_info {
    int code;
    const char *name;
} code_info;

static const code_info all_codes[] = {
#define X(name, text) {TENON_E##name, "TENON_E" #name},
    TENON_ERRNO_MAP(X)
#undef X
};
#define N_CODES (sizeof(all_codes) / sizeof(all_codes[0]))

static void test_every_code_has_a_name_and_text(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_CODES; i++) {
        int code = all_codes[i].code;
        /* Codes are -1, -2, ... in list order: stable and dense. */
        assert_int_equal(code, -(int)i - 1);
        assert_string_equal(tenon_err_name(code), all_codes[i].name);
        assert_true(strncmp(tenon_err_name(code), "TENON_E", 7) == 0);
        const char *text = tenon_strerror(code);
        assert_non_null(text);
        assert_true(strlen(text) > 0);
        assert_string_not_equal(text, "unknown error");
    }
}

static void test_names_and_texts_are_distinct(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_CODES; i++) {
        for (size_t j = i + 1; j < N_CODES; j++) {
            if (strcmp(tenon_err_name(all_codes[i].code), tenon_err_name(all_codes[j].code)) ==
                0)
                fail_msg("codes %d and %d share the name %s", all_codes[i].code,
                         all_codes[j].code, tenon_err_name(all_codes[i].code));
            if (strcmp(tenon_strerror(all_codes[i].code), tenon_strerror(all_codes[j].code)) ==
                0)
                fail_msg("%s and %s share the text \"%s\"", all_codes[i].name,
                         all_codes[j].name, tenon_strerror(all_codes[i].code));
        }
    }
}

static void test_known_values(void **state)
{
    (void)state;
    assert_int_equal(TENON_ENOMEM, -1);
    assert_string_equal(tenon_err_name(TENON_EINIT), "TENON_EINIT");
    assert_string_equal(tenon_strerror(TENON_EINIT), "plugin init failed");
    assert_string_equal(tenon_err_name(TENON_ENOTUNLOADABLE), "TENON_ENOTUNLOADABLE");
    assert_string_equal(tenon_err_name(0), "TENON_OK");
    assert_string_equal(tenon_strerror(0), "success");
}

static void test_unknown_codes(void **state)
{
    (void)state;
    const int unknown[] = {1, 42, INT_MAX, -(int)N_CODES - 1, -1000, INT_MIN};
    for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
        assert_string_equal(tenon_strerror(unknown[i]), "unknown error");
        assert_string_equal(tenon_err_name(unknown[i]), "TENON_UNKNOWN");
    }
}

static void test_stage_names(void **state)
{
    (void)state;
    static const struct {
        tenon_stage stage;
        const char *name;
    } stages[] = {
#define X(name, text) {TENON_STAGE_##name, text},
        TENON_STAGE_MAP(X)
#undef X
    };
    for (size_t i = 0; i < sizeof(stages) / sizeof(stages[0]); i++) {
        assert_string_equal(tenon_stage_name(stages[i].stage), stages[i].name);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(stages[i].name, stages[j].name);
    }
    assert_string_equal(tenon_stage_name(TENON_STAGE_VERIFY), "verify");
    assert_string_equal(tenon_stage_name((tenon_stage)1000), "unknown");
    assert_string_equal(tenon_stage_name((tenon_stage)-1), "unknown");
}

static void test_format(void **state)
{
    (void)state;
    tenon_error e;
    memset(&e, 0, sizeof(e));
    e.code = TENON_EUNSAFE;
    e.stage = TENON_STAGE_VERIFY;
    strcpy(e.plugin, "foo");
    strcpy(e.path, "/opt/plugins/foo.so");
    strcpy(e.message, "is writable by every user");
    strcpy(e.hint, "run: chmod go-w on the file");
    char buf[512];
    int n = tenon_error_format(&e, buf, sizeof(buf));
    const char *want = "verify: foo: is writable by every user (/opt/plugins/foo.so); "
                       "run: chmod go-w on the file";
    assert_string_equal(buf, want);
    assert_int_equal(n, (int)strlen(want));

    /* The path is not repeated when the message already names it. */
    strcpy(e.message, "cannot read /opt/plugins/foo.so");
    e.hint[0] = '\0';
    tenon_error_format(&e, buf, sizeof(buf));
    assert_string_equal(buf, "verify: foo: cannot read /opt/plugins/foo.so");

    /* No plugin, no path, no hint. */
    memset(&e, 0, sizeof(e));
    e.code = TENON_EINVAL;
    e.stage = TENON_STAGE_CONFIG;
    strcpy(e.message, "bad");
    tenon_error_format(&e, buf, sizeof(buf));
    assert_string_equal(buf, "config: bad");

    /* Truncation works like snprintf: the full length is returned. */
    char small[8];
    n = tenon_error_format(&e, small, sizeof(small));
    assert_int_equal(n, (int)strlen("config: bad"));
    assert_string_equal(small, "config:");
    assert_int_equal(tenon_error_format(&e, NULL, 0), n);
}

static void test_last_error_is_set_by_failures(void **state)
{
    (void)state;
    tenon_plugin_desc *desc = (tenon_plugin_desc *)1;
    int rc = tenon_descriptor_read("relative/plugin.so", &desc);
    expect_error(rc, TENON_EPATH, "relative/plugin.so", "not absolute", NULL);
    assert_null(desc);
    assert_int_equal(tenon_last_error()->stage, TENON_STAGE_SCAN);
    assert_true(tenon_last_error()->hint[0] != '\0');

    /* NULL formats the thread's last error. */
    char buf[1024];
    tenon_error_format(NULL, buf, sizeof(buf));
    expect_contains(buf, "relative/plugin.so");
}

static void *other_thread(void *arg)
{
    int *code = arg;
    *code = tenon_last_error()->code;
    tenon_plugin_desc *desc;
    tenon_descriptor_read("also/relative.so", &desc);
    return NULL;
}

static void test_last_error_is_per_thread(void **state)
{
    (void)state;
    tenon_plugin_desc *desc;
    tenon_descriptor_read("mine/relative.so", &desc);
    int seen = -12345;
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, other_thread, &seen), 0);
    pthread_join(t, NULL);
    /* A fresh thread starts with a zeroed error... */
    assert_int_equal(seen, 0);
    /* ...and its failures do not touch this thread's. */
    expect_contains(tenon_last_error()->message, "mine/relative.so");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_code_has_a_name_and_text),
        cmocka_unit_test(test_names_and_texts_are_distinct),
        cmocka_unit_test(test_known_values),
        cmocka_unit_test(test_unknown_codes),
        cmocka_unit_test(test_stage_names),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_last_error_is_set_by_failures),
        cmocka_unit_test(test_last_error_is_per_thread),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
