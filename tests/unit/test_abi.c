/* ABI 1.1 (docs/abi.md): each new entry point works, each 1.0 name kept as
 * an alias gives the same result as its successor, the sized structs are
 * filled only as far as the caller's struct_size, and the one rule of which
 * calls scan holds. The 1.0 names are deprecated, so this file silences the
 * warnings it means to trigger. */
#define TENON_NO_DEPRECATED_WARNINGS
#include "helpers.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "basic.h"

typedef tmp_fixture fixture;

#define CONFIG                                                       \
    "{\"plugins\": [{\"name\": \"b0\", \"module\": \"good_basic\", " \
    "\"config\": {\"label\": \"from-config\"}}]}"

/* A registry whose search path is f->dir, holding good_basic, not scanned
 * (new_registry scans). */
static tenon_registry *registry_of(fixture *f)
{
    copy_fixtures(f->dir, "good_basic", NULL);
    tenon_registry *reg;
    expect_ok(tenon_registry_create("tenon-test",
                                    TENON_REGISTRY_NO_STATIC | TENON_REGISTRY_NO_ENV |
                                        TENON_REGISTRY_NO_DEFAULT_PATH,
                                    &reg));
    capture_log(reg, &f->cap);
    expect_ok(tenon_registry_add_path(reg, f->dir));
    return reg;
}

/* ---- Output last: tenon_registry_create ----------------------------------- */

static void test_registry_create_and_new_agree(void **state)
{
    fixture *f = *state;
    tenon_registry *made, *old;
    expect_ok(tenon_registry_create("tenon-test", TENON_REGISTRY_NO_DEFAULT_PATH, &made));
    expect_ok(tenon_registry_new(&old, "tenon-test", TENON_REGISTRY_NO_DEFAULT_PATH));
    /* The same static plugins and the same search path. */
    assert_int_equal(tenon_registry_count(made), tenon_registry_count(old));
    const char *a[8], *b[8];
    size_t na = tenon_registry_paths(made, a, 8), nb = tenon_registry_paths(old, b, 8);
    assert_int_equal(na, nb);
    for (size_t i = 0; i < na && i < 8; i++)
        assert_string_equal(a[i], b[i]);
    tenon_registry_free(made);
    tenon_registry_free(old);

    /* The _with forms, and their refusals, agree too. */
    expect_ok(tenon_registry_create_with("x", 0, NULL, NULL, &made));
    expect_ok(tenon_registry_new_with(&old, "x", 0, NULL, NULL));
    assert_int_equal(tenon_registry_count(made), tenon_registry_count(old));
    tenon_registry_free(made);
    tenon_registry_free(old);
    made = old = (tenon_registry *)f;
    expect_error(tenon_registry_create_with("a/b", 0, NULL, NULL, &made), TENON_EINVAL, NULL,
                 "not a file name", NULL);
    assert_null(made);
    expect_error(tenon_registry_new_with(&old, "a/b", 0, NULL, NULL), TENON_EINVAL, NULL,
                 "not a file name", NULL);
    assert_null(old);
}

/* ---- tenon_config_* -------------------------------------------------------- */

static void test_config_names_agree(void **state)
{
    fixture *f = *state;
    tenon_registry *a = registry_of(f), *b = registry_of(f);
    expect_ok(tenon_config_load_buffer(a, CONFIG, strlen(CONFIG), "a.json"));
    expect_ok(tenon_registry_load_config_buffer(b, CONFIG, strlen(CONFIG), "a.json"));
    assert_string_equal(tenon_config_file(a), tenon_config_file(b));
    assert_int_equal(tenon_config_apply(a), tenon_registry_apply_config(b));
    assert_non_null(tenon_registry_instance(a, "b0"));
    assert_non_null(tenon_registry_instance(b, "b0"));
    /* Applying twice is refused the same way. */
    assert_int_equal(tenon_config_apply(a), TENON_ESTATE);
    char first[1024];
    tenon_error_format(NULL, first, sizeof(first));
    assert_int_equal(tenon_registry_apply_config(b), TENON_ESTATE);
    char second[1024];
    tenon_error_format(NULL, second, sizeof(second));
    assert_string_equal(first, second);
    tenon_registry_free(a);
    tenon_registry_free(b);

    /* A file, and a broken document: the same error text. */
    const char *path = tmp_path(f->dir, "tenon.json");
    write_file(path, "{\"plugins\": [");
    chmod(path, 0644);
    a = new_registry(NULL, 0, NULL);
    assert_int_equal(tenon_config_load(a, path), TENON_ECONFIG);
    tenon_error_format(NULL, first, sizeof(first));
    assert_int_equal(tenon_registry_load_config(a, path), TENON_ECONFIG);
    tenon_error_format(NULL, second, sizeof(second));
    assert_string_equal(first, second);
    tenon_registry_free(a);
}

/* ---- One scan rule --------------------------------------------------------- */

static void expect_not_scanned(int rc, const char *call)
{
    if (rc != TENON_ENOTFOUND)
        fail_msg("%s before a scan returned %s", call, tenon_err_name(rc));
    expect_contains(tenon_last_error()->message, "no plugin named good_basic");
    expect_contains(tenon_last_error()->message, "never scanned");
    expect_contains(tenon_last_error()->hint, "call tenon_registry_scan first");
}

static void test_lookups_do_not_scan(void **state)
{
    fixture *f = *state;
    tenon_registry *reg = registry_of(f);
    assert_null(tenon_registry_find(reg, "good_basic"));
    expect_not_scanned(tenon_last_error()->code, "tenon_registry_find");
    tenon_plugin *p;
    expect_not_scanned(tenon_registry_load(reg, "good_basic", &p), "tenon_registry_load");
    const void *table;
    expect_not_scanned(tenon_interface(reg, "good_basic", BASIC_IFACE, 1, &table, NULL),
                       "tenon_interface");
    expect_not_scanned(tenon_interface_hold(reg, "good_basic", BASIC_IFACE, 1, "t", &table, &p),
                       "tenon_interface_hold");
    tenon_instance *inst;
    expect_not_scanned(tenon_instance_new(reg, "good_basic", BASIC_IFACE, NULL, NULL, &inst),
                       "tenon_instance_new");
    expect_not_scanned(tenon_plugin_reload(reg, "good_basic", 0), "tenon_plugin_reload");
    tenon_plugin *found[4];
    assert_int_equal(tenon_providers(reg, BASIC_IFACE, 1, found, 4), 0);

    /* After a scan the same calls find it, and an unknown name is only that. */
    assert_true(tenon_registry_scan(reg) >= 1);
    assert_non_null(tenon_registry_find(reg, "good_basic"));
    assert_null(tenon_registry_find(reg, "good_basics"));
    expect_error(tenon_last_error()->code, TENON_ENOTFOUND, "good_basics",
                 "no plugin named good_basics", NULL);
    assert_null(strstr(tenon_last_error()->message, "never scanned"));
    expect_ok(tenon_instance_new(reg, "good_basic", BASIC_IFACE, NULL, NULL, &inst));
    tenon_instance_free(inst);
    tenon_registry_free(reg);
}

static void test_plan_and_apply_scan(void **state)
{
    fixture *f = *state;
    tenon_registry *reg = registry_of(f);
    tenon_plan *plan;
    expect_ok(tenon_config_plan(reg, &plan));
    assert_int_equal(tenon_plan_count(plan), 1);
    assert_string_equal(tenon_plan_at(plan, 0)->name, "good_basic");
    tenon_plan_free(plan);
    tenon_registry_free(reg);

    reg = registry_of(f);
    expect_ok(tenon_config_load_buffer(reg, CONFIG, strlen(CONFIG), NULL));
    expect_ok(tenon_config_apply(reg)); /* no tenon_registry_scan before */
    assert_non_null(tenon_registry_instance(reg, "b0"));
    tenon_registry_free(reg);
}

/* ---- One read API: the host table's values_* are the library's --------- */

static void test_host_reads_are_the_library_reads(void **state)
{
    (void)state;
    /* The 1.0 member names are the same bytes as the 1.1 ones. */
    assert_int_equal(offsetof(tenon_host_api, values_bool), offsetof(tenon_host_api, get_bool));
    assert_int_equal(offsetof(tenon_host_api, values_int), offsetof(tenon_host_api, get_int));
    assert_int_equal(offsetof(tenon_host_api, values_double),
                     offsetof(tenon_host_api, get_double));
    assert_int_equal(offsetof(tenon_host_api, values_string),
                     offsetof(tenon_host_api, get_string));
    assert_int_equal(offsetof(tenon_host_api, values_is_set), offsetof(tenon_host_api, is_set));
    /* Members of 1.0 did not move (a plugin built then reads them there). */
    assert_int_equal(offsetof(tenon_host_api, instance_data),
                     offsetof(tenon_host_api, instance_table) + sizeof(void (*)(void)));
    assert_true(offsetof(tenon_host_api, options_new) >
                offsetof(tenon_host_api, instance_data));
    assert_int_equal(TENON_HOST_API_VERSION, 2);
}

/* ---- Sized structs ----------------------------------------------------------- */

#define CANARY 0x5a

/* A buffer bigger than the struct, as a caller built against a later
 * minor release would pass: the library writes only its own part. */
typedef struct {
    tenon_integrity_info info;
    unsigned char later[64];
} grown_integrity;

static void expect_canary(const unsigned char *later, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (later[i] != CANARY)
            fail_msg("byte %zu past the 1.1 struct was written", i);
}

static void test_integrity_info_matches_integrity(void **state)
{
    fixture *f = *state;
    tenon_registry *reg = registry_of(f);
    assert_true(tenon_registry_scan(reg) >= 1);
    tenon_plugin *p = tenon_registry_find(reg, "good_basic");
    tenon_integrity old;
    tenon_integrity_info info = {.struct_size = sizeof(info)};
    assert_int_equal(tenon_plugin_integrity_info(p, &info), tenon_plugin_integrity(p, &old));
    assert_int_equal(info.struct_size, sizeof(info));
    assert_true(info.hashed && old.hashed);
    assert_string_equal(info.sha256, old.sha256);
    assert_int_equal(info.pinned, old.pinned);
    assert_string_equal(info.pinned_sha256, old.pinned_sha256);
    assert_int_equal(info.signature, old.signature);
    assert_string_equal(info.key_id, old.key_id);

    grown_integrity g;
    memset(&g, CANARY, sizeof(g));
    g.info.struct_size = sizeof(g);
    expect_ok(tenon_plugin_integrity_info(p, &g.info));
    assert_int_equal(g.info.struct_size, sizeof(g)); /* the caller's size stays */
    assert_string_equal(g.info.sha256, old.sha256);
    expect_canary(g.later, sizeof(g.later));

    info.struct_size = sizeof(info) - 1;
    expect_error(tenon_plugin_integrity_info(p, &info), TENON_EINVAL, NULL, "struct_size",
                 NULL);
    tenon_registry_free(reg);
}

static void test_key_and_signature_infos_match(void **state)
{
    fixture *f = *state;
    copy_fixtures(f->dir, "good_basic", NULL);
    const char *plugin = tmp_path(f->dir, "good_basic.so");
    char base[4096], pub[4096], key[4096];
    snprintf(base, sizeof(base), "%s", tmp_path(f->dir, "builder"));
    snprintf(pub, sizeof(pub), "%s.pub", base);
    snprintf(key, sizeof(key), "%s.key", base);

    tenon_public_key_info made = {.struct_size = sizeof(made)};
    expect_ok(tenon_key_generate_info(base, "abi test", &made));
    assert_string_equal(made.comment, "abi test");
    /* The old call refuses to overwrite, as the new one does. */
    tenon_public_key old_made;
    expect_error(tenon_key_generate(base, NULL, &old_made), TENON_EEXISTS, NULL, NULL);

    tenon_public_key_info read = {.struct_size = sizeof(read)};
    tenon_public_key old_read;
    expect_ok(tenon_public_key_read_info(pub, &read));
    expect_ok(tenon_public_key_read(pub, &old_read));
    assert_string_equal(read.key_id, made.key_id);
    assert_string_equal(old_read.key_id, made.key_id);
    assert_memory_equal(read.ed25519, old_read.ed25519, 32);
    assert_memory_equal(read.ed25519, made.ed25519, 32);

    size_t len;
    char *text = (char *)read_file(pub, &len);
    tenon_public_key_info parsed = {.struct_size = sizeof(parsed)};
    tenon_public_key old_parsed;
    expect_ok(tenon_public_key_parse_info(text, len, "k.pub", &parsed));
    expect_ok(tenon_public_key_parse(text, len, "k.pub", &old_parsed));
    assert_memory_equal(parsed.ed25519, old_parsed.ed25519, 32);
    assert_string_equal(parsed.comment, old_parsed.comment);
    free(text);

    /* Ed25519 signs deterministically: both calls write the same signature. */
    tenon_signature_info sig = {.struct_size = sizeof(sig)};
    tenon_signature old_sig;
    char sig_a[4096], sig_b[4096];
    snprintf(sig_a, sizeof(sig_a), "%s", tmp_path(f->dir, "a.sig"));
    snprintf(sig_b, sizeof(sig_b), "%s", tmp_path(f->dir, "b.sig"));
    expect_ok(tenon_signature_sign_file_info(plugin, key, sig_a, &sig));
    expect_ok(tenon_signature_sign_file(plugin, key, sig_b, &old_sig));
    assert_memory_equal(sig.signature, old_sig.signature, 64);
    assert_string_equal(sig.key_id, made.key_id);

    text = (char *)read_file(sig_a, &len);
    tenon_signature_info sparsed = {.struct_size = sizeof(sparsed)};
    tenon_signature old_sparsed;
    expect_ok(tenon_signature_parse_info(text, len, "a.sig", &sparsed));
    expect_ok(tenon_signature_parse(text, len, "a.sig", &old_sparsed));
    assert_memory_equal(sparsed.signature, old_sparsed.signature, 64);
    assert_int_equal(sparsed.has_signed_sha256, old_sparsed.has_signed_sha256);
    free(text);

    /* Verification through both, the new one stepping by struct_size. */
    struct {
        tenon_public_key_info k;
        unsigned char later[40];
    } keys[2];
    memset(keys, 0, sizeof(keys));
    keys[0].k = read;
    keys[1].k = read;
    keys[0].k.struct_size = keys[1].k.struct_size = sizeof(keys[0]);
    memset(keys[1].k.ed25519, 0, 32); /* only the first key signed */
    tenon_signature_info vsig = {.struct_size = sizeof(vsig)};
    tenon_signature old_vsig;
    expect_ok(tenon_signature_verify_file_info(plugin, sig_a, &keys[0].k, 2, &vsig));
    expect_ok(tenon_signature_verify_file_keys(plugin, sig_b, &old_read, 1, &old_vsig));
    assert_memory_equal(vsig.signature, old_vsig.signature, 64);
    /* A tampered file fails both ways with the same code. */
    flip_comment_byte(plugin);
    assert_int_equal(tenon_signature_verify_file_info(plugin, sig_a, &read, 1, NULL),
                     TENON_ESIGNATURE);
    assert_int_equal(tenon_signature_verify_file_keys(plugin, sig_b, &old_read, 1, NULL),
                     TENON_ESIGNATURE);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, tmp_fixture_setup, tmp_fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_registry_create_and_new_agree),
        T(test_config_names_agree),
        T(test_lookups_do_not_scan),
        T(test_plan_and_apply_scan),
        T(test_host_reads_are_the_library_reads),
        T(test_integrity_info_matches_integrity),
        T(test_key_and_signature_infos_match),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
