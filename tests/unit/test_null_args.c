/* Every exported function given NULL arguments: no crash, and a refused
 * argument gives TENON_EINVAL with tenon_last_error() naming the function
 * and the argument (error.h promises an error for every failure). The table
 * below has one entry per exported function; a function added to
 * tests/abi/symbols.txt without an entry here fails the test. The names
 * deprecated since 1.1 are exported too, so they are called here. */
#define TENON_NO_DEPRECATED_WARNINGS
#include "helpers.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef SYMBOLS_TXT
#error "SYMBOLS_TXT must name tests/abi/symbols.txt"
#endif

/* What a function does with NULL pointer arguments. */
typedef enum null_rule {
    TAKES_NO_POINTER, /* nothing to check but that it answers */
    REFUSES_NULL,     /* at least one NULL is refused with TENON_EINVAL */
    ACCEPTS_NULL,     /* documented to take NULL (free, accessors): does nothing */
} null_rule;

/* Valid objects for the arguments that are not under test. */
typedef struct objects {
    char *dir;
    tenon_registry *reg;
    tenon_plugin *plugin; /* good_basic, scanned, not loaded */
    tenon_plugin_desc *desc;
    tenon_options *opts;
    tenon_values *values;
    tenon_semver version;
    char plugin_file[4096];
} objects;

static const char *checking; /* the function under test, for messages */
static size_t refusals;      /* arguments refused so far */

/* Makes the thread's last error one that no call below makes, so that a
 * call that fails without recording its own error is caught. */
static void prime(void)
{
    assert_int_equal(tenon_cache_remove("not-absolute"), TENON_EPATH);
}

static void expect_refused_at(int line, const char *what)
{
    const tenon_error *e = tenon_last_error();
    if (e->code != TENON_EINVAL || !strstr(e->message, checking) || !strstr(e->message, what))
        fail_msg("line %d: %s with %s: last error is %s \"%s\"; expected TENON_EINVAL naming "
                 "the function and \"%s\"",
                 line, checking, what, tenon_err_name(e->code), e->message, what);
    if (!e->hint[0])
        fail_msg("line %d: %s with %s: the error has no hint", line, checking, what);
    refusals++;
}

/* A failure of an accepted NULL (a name only used in messages): not a
 * refusal, and described. */
static void expect_failure_described(int rc)
{
    assert_true(rc < 0 && rc != TENON_EINVAL);
    assert_int_equal(tenon_last_error()->code, rc);
    assert_true(tenon_last_error()->message[0] != '\0');
}

/* call returns an int code: TENON_EINVAL, recorded. */
#define REFUSES(call, what)                                                       \
    do {                                                                          \
        prime();                                                                  \
        int rc_ = (call);                                                         \
        if (rc_ != TENON_EINVAL)                                                  \
            fail_msg("line %d: %s with %s returned %s", __LINE__, checking, what, \
                     tenon_err_name(rc_));                                        \
        expect_refused_at(__LINE__, what);                                        \
    } while (0)

/* call returns a pointer, a count or nothing: that (bad), error recorded. */
#define REFUSES_RETURNING(call, bad, what) \
    do {                                   \
        prime();                           \
        assert_true((call) == (bad));      \
        expect_refused_at(__LINE__, what); \
    } while (0)
#define REFUSES_VOID(call, what)           \
    do {                                   \
        prime();                           \
        call;                              \
        expect_refused_at(__LINE__, what); \
    } while (0)

static void expect_untouched_at(int line)
{
    if (tenon_last_error()->code != TENON_EPATH)
        fail_msg("line %d: %s changed the last error to %s", line, checking,
                 tenon_err_name(tenon_last_error()->code));
}

/* call takes the NULL and does nothing: the result documented for NULL,
 * the last error untouched. */
#define ACCEPTS(call, expected)            \
    do {                                   \
        prime();                           \
        assert_true((call) == (expected)); \
        expect_untouched_at(__LINE__);     \
    } while (0)
#define ACCEPTS_VOID(call)             \
    do {                               \
        prime();                       \
        call;                          \
        expect_untouched_at(__LINE__); \
    } while (0)

/* ---- caches and change lists ------------------------------------------- */

static void c_cache_at(objects *o)
{
    (void)o;
    ACCEPTS(tenon_cache_at(NULL, 0), NULL);
}
static void c_cache_count(objects *o)
{
    (void)o;
    ACCEPTS(tenon_cache_count(NULL), 0);
}
static void c_cache_free(objects *o)
{
    (void)o;
    ACCEPTS_VOID(tenon_cache_free(NULL));
}
static void c_cache_written_ns(objects *o)
{
    (void)o;
    ACCEPTS(tenon_cache_written_ns(NULL), 0);
}

static void c_cache_default_path(objects *o)
{
    (void)o;
    char buf[64];
    REFUSES(tenon_cache_default_path("app", NULL, sizeof(buf)), "buf is NULL");
    REFUSES(tenon_cache_default_path("app", buf, 0), "size is 0");
}

static void c_cache_parse(objects *o)
{
    (void)o;
    tenon_cache *c = NULL;
    REFUSES(tenon_cache_parse(NULL, 16, 0, &c), "data is NULL");
    REFUSES(tenon_cache_parse("x", 1, 0, NULL), "out is NULL");
}

static void c_cache_read(objects *o)
{
    tenon_cache *c = NULL;
    REFUSES(tenon_cache_read(NULL, &c), "path is NULL");
    REFUSES(tenon_cache_read(tmp_path(o->dir, "cache"), NULL), "out is NULL");
}

static void c_cache_remove(objects *o)
{
    (void)o;
    REFUSES(tenon_cache_remove(NULL), "path is NULL");
}

static void c_changes_at(objects *o)
{
    (void)o;
    ACCEPTS(tenon_changes_at(NULL, 0), NULL);
}
static void c_changes_count(objects *o)
{
    (void)o;
    ACCEPTS(tenon_changes_count(NULL), 0);
}
static void c_changes_free(objects *o)
{
    (void)o;
    ACCEPTS_VOID(tenon_changes_free(NULL));
}

static void c_change_kind_name(objects *o)
{
    (void)o;
    assert_non_null(tenon_change_kind_name(TENON_CHANGE_ADDED));
}

/* ---- configuration and plans ------------------------------------------- */

static void c_config_file(objects *o)
{
    (void)o;
    REFUSES_RETURNING(tenon_config_file(NULL), NULL, "reg is NULL");
}

static void c_config_instance(objects *o)
{
    const char *module, *iface;
    const tenon_options *opts;
    REFUSES(tenon_config_instance(NULL, "x", &module, &iface, &opts), "reg is NULL");
    REFUSES(tenon_config_instance(o->reg, NULL, &module, &iface, &opts), "name is NULL");
}

static void c_config_instances(objects *o)
{
    const char *names[4];
    REFUSES_RETURNING(tenon_config_instances(NULL, names, 4), 0, "reg is NULL");
    ACCEPTS(tenon_config_instances(o->reg, NULL, 4), 0); /* counting only */
}

static void c_config_plan(objects *o)
{
    tenon_plan *plan;
    REFUSES(tenon_config_plan(NULL, &plan), "reg is NULL");
    REFUSES(tenon_config_plan(o->reg, NULL), "out is NULL");
}

static void c_plan_at(objects *o)
{
    (void)o;
    ACCEPTS(tenon_plan_at(NULL, 0), NULL);
}
static void c_plan_count(objects *o)
{
    (void)o;
    ACCEPTS(tenon_plan_count(NULL), 0);
}
static void c_plan_free(objects *o)
{
    (void)o;
    ACCEPTS_VOID(tenon_plan_free(NULL));
}
static void c_plan_instance_at(objects *o)
{
    (void)o;
    ACCEPTS(tenon_plan_instance_at(NULL, 0), NULL);
}
static void c_plan_instance_count(objects *o)
{
    (void)o;
    ACCEPTS(tenon_plan_instance_count(NULL), 0);
}
static void c_plan_stop_error(objects *o)
{
    (void)o;
    ACCEPTS(tenon_plan_stop_error(NULL), NULL);
}

static void c_plan_action_name(objects *o)
{
    (void)o;
    assert_non_null(tenon_plan_action_name(TENON_PLAN_LOAD));
}

static void c_registry_apply_config(objects *o)
{
    (void)o;
    REFUSES(tenon_registry_apply_config(NULL), "reg is NULL");
}

static void c_registry_load_config(objects *o)
{
    (void)o;
    REFUSES(tenon_registry_load_config(NULL, NULL), "reg is NULL");
}

static void c_config_apply(objects *o)
{
    (void)o;
    REFUSES(tenon_config_apply(NULL), "reg is NULL");
}

static void c_config_load(objects *o)
{
    (void)o;
    REFUSES(tenon_config_load(NULL, NULL), "reg is NULL");
}

static void c_config_load_buffer(objects *o)
{
    REFUSES(tenon_config_load_buffer(NULL, "{}", 2, NULL), "reg is NULL");
    REFUSES(tenon_config_load_buffer(o->reg, NULL, 2, NULL), "text is NULL");
}

static void c_registry_load_config_buffer(objects *o)
{
    REFUSES(tenon_registry_load_config_buffer(NULL, "{}", 2, NULL), "reg is NULL");
    REFUSES(tenon_registry_load_config_buffer(o->reg, NULL, 2, NULL), "text is NULL");
}

/* ---- descriptors ------------------------------------------------------- */

static void c_descriptor_free(objects *o)
{
    (void)o;
    ACCEPTS_VOID(tenon_descriptor_free(NULL));
}

static void c_descriptor_meta(objects *o)
{
    REFUSES_RETURNING(tenon_descriptor_meta(NULL, "homepage"), NULL, "desc is NULL");
    REFUSES_RETURNING(tenon_descriptor_meta(o->desc, NULL), NULL, "key is NULL");
}

static void c_descriptor_option(objects *o)
{
    REFUSES_RETURNING(tenon_descriptor_option(NULL, "depth"), NULL, "desc is NULL");
    REFUSES_RETURNING(tenon_descriptor_option(o->desc, NULL), NULL, "name is NULL");
}

static void c_descriptor_read(objects *o)
{
    tenon_plugin_desc *d;
    REFUSES(tenon_descriptor_read(NULL, &d), "path is NULL");
    REFUSES(tenon_descriptor_read(o->plugin_file, NULL), "out is NULL");
}

static void c_descriptor_read_fd(objects *o)
{
    tenon_plugin_desc *d;
    REFUSES(tenon_descriptor_read_fd(-1, "x", &d), "fd is negative");
    int fd = open(o->plugin_file, O_RDONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    REFUSES(tenon_descriptor_read_fd(fd, "x", NULL), "out is NULL");
    close(fd);
    /* No name for messages: still a described failure. */
    write_file(tmp_path(o->dir, "junk"), "not an ELF file\n");
    fd = open(tmp_path(o->dir, "junk"), O_RDONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    expect_failure_described(tenon_descriptor_read_fd(fd, NULL, &d));
    close(fd);
}

static void c_descriptor_read_memory(objects *o)
{
    (void)o;
    tenon_plugin_desc *d;
    static const char image[16];
    REFUSES(tenon_descriptor_read_memory(NULL, sizeof(image), "x", &d), "image is NULL");
    REFUSES(tenon_descriptor_read_memory(image, sizeof(image), "x", NULL), "out is NULL");
    expect_failure_described(tenon_descriptor_read_memory(image, sizeof(image), NULL, &d));
}

static void c_opt_type_name(objects *o)
{
    (void)o;
    assert_non_null(tenon_opt_type_name(TENON_OPT_INT));
}

/* ---- errors and versions ----------------------------------------------- */

static void c_err_name(objects *o)
{
    (void)o;
    assert_non_null(tenon_err_name(TENON_EINVAL));
}
static void c_strerror(objects *o)
{
    (void)o;
    assert_non_null(tenon_strerror(TENON_EINVAL));
}
static void c_stage_name(objects *o)
{
    (void)o;
    assert_non_null(tenon_stage_name(TENON_STAGE_USE));
}
static void c_last_error(objects *o)
{
    (void)o;
    assert_non_null(tenon_last_error());
}
static void c_version(objects *o)
{
    (void)o;
    assert_non_null(tenon_version());
}
static void c_version_hex(objects *o)
{
    (void)o;
    assert_true(tenon_version_hex() != 0);
}
static void c_default_plugin_dir(objects *o)
{
    (void)o;
    assert_non_null(tenon_default_plugin_dir());
}
static void c_status_name(objects *o)
{
    (void)o;
    assert_non_null(tenon_status_name(TENON_STATUS_FOUND));
}
static void c_sig_state_name(objects *o)
{
    (void)o;
    assert_non_null(tenon_sig_state_name(TENON_SIG_NONE));
}

static void c_error_format(objects *o)
{
    (void)o;
    /* err NULL formats the last error; buf NULL with size 0 measures. */
    prime();
    char buf[256];
    assert_true(tenon_error_format(NULL, buf, sizeof(buf)) > 0);
    assert_true(tenon_error_format(NULL, NULL, 0) > 0);
    REFUSES(tenon_error_format(tenon_last_error(), NULL, 16), "buf is NULL");
}

static void c_set_allocator(objects *o)
{
    (void)o;
    /* NULL restores the C library's functions, which are in effect. */
    ACCEPTS_VOID(tenon_set_allocator(NULL, NULL, NULL));
}

/* ---- instances and interfaces ------------------------------------------ */

static void c_instance_data(objects *o)
{
    (void)o;
    ACCEPTS(tenon_instance_data(NULL), NULL);
}
static void c_instance_free(objects *o)
{
    (void)o;
    ACCEPTS_VOID(tenon_instance_free(NULL));
}
static void c_instance_plugin(objects *o)
{
    (void)o;
    ACCEPTS(tenon_instance_plugin(NULL), NULL);
}
static void c_instance_table(objects *o)
{
    (void)o;
    ACCEPTS(tenon_instance_table(NULL), NULL);
}
static void c_instance_values(objects *o)
{
    (void)o;
    ACCEPTS(tenon_instance_values(NULL), NULL);
}

static void c_instance_name(objects *o)
{
    (void)o;
    prime();
    const char *name = tenon_instance_name(NULL);
    assert_true(name == NULL || name[0] == '\0');
    expect_untouched_at(__LINE__);
}

static void c_instance_new(objects *o)
{
    tenon_instance *inst = (tenon_instance *)1;
    REFUSES(tenon_instance_new(NULL, NULL, "fixture.basic", NULL, NULL, &inst), "reg is NULL");
    assert_null(inst);
    REFUSES(tenon_instance_new(o->reg, NULL, NULL, NULL, NULL, &inst), "iface is NULL");
    REFUSES(tenon_instance_new(o->reg, NULL, "fixture.basic", NULL, NULL, NULL), "out is NULL");
}

static void c_registry_instance(objects *o)
{
    REFUSES_RETURNING(tenon_registry_instance(NULL, "x"), NULL, "reg is NULL");
    REFUSES_RETURNING(tenon_registry_instance(o->reg, NULL), NULL, "name is NULL");
}

static void c_interface(objects *o)
{
    const void *table;
    tenon_plugin *provider;
    REFUSES(tenon_interface(NULL, NULL, "fixture.basic", 0, &table, &provider), "reg is NULL");
    REFUSES(tenon_interface(o->reg, NULL, NULL, 0, &table, &provider), "iface is NULL");
    REFUSES(tenon_interface(o->reg, NULL, "fixture.basic", 0, NULL, &provider),
            "table is NULL");
}

static void c_interface_hold(objects *o)
{
    const void *table;
    tenon_plugin *provider;
    const char *i = "fixture.basic";
    REFUSES(tenon_interface_hold(NULL, NULL, i, 0, "h", &table, &provider), "reg is NULL");
    REFUSES(tenon_interface_hold(o->reg, NULL, NULL, 0, "h", &table, &provider),
            "iface is NULL");
    REFUSES(tenon_interface_hold(o->reg, NULL, i, 0, NULL, &table, &provider),
            "holder is NULL");
    REFUSES(tenon_interface_hold(o->reg, NULL, i, 0, "h", NULL, &provider), "table is NULL");
    REFUSES(tenon_interface_hold(o->reg, NULL, i, 0, "h", &table, NULL), "provider is NULL");
}

static void c_providers(objects *o)
{
    tenon_plugin *out[4];
    REFUSES_RETURNING(tenon_providers(NULL, "fixture.basic", 0, out, 4), 0, "reg is NULL");
    REFUSES_RETURNING(tenon_providers(o->reg, NULL, 0, out, 4), 0, "iface is NULL");
    ACCEPTS(tenon_providers(o->reg, "fixture.basic", 0, NULL, 4), 1); /* counting only */
}

/* ---- options and values ------------------------------------------------ */

static void c_options_count(objects *o)
{
    (void)o;
    ACCEPTS(tenon_options_count(NULL), 0);
}
static void c_options_free(objects *o)
{
    (void)o;
    ACCEPTS_VOID(tenon_options_free(NULL));
}
static void c_values_free(objects *o)
{
    (void)o;
    ACCEPTS_VOID(tenon_values_free(NULL));
}

static void c_options_at(objects *o)
{
    const char *key;
    REFUSES(tenon_options_at(NULL, 0, &key, NULL, NULL), "opts is NULL");
    REFUSES(tenon_options_at(o->opts, 1000, &key, NULL, NULL), "i is out of range");
}

static void c_options_get(objects *o)
{
    ACCEPTS(tenon_options_get(NULL, "depth"), NULL); /* no options */
    REFUSES_RETURNING(tenon_options_get(o->opts, NULL), NULL, "key is NULL");
}

static void c_options_new(objects *o)
{
    (void)o;
    REFUSES(tenon_options_new(NULL), "out is NULL");
}

static void c_options_set(objects *o)
{
    REFUSES(tenon_options_set(NULL, "depth", "8", NULL), "opts is NULL");
    REFUSES(tenon_options_set(o->opts, NULL, "8", NULL), "key is NULL");
    REFUSES(tenon_options_set(o->opts, "depth", NULL, NULL), "value is NULL");
}

static void c_parse_int(objects *o)
{
    (void)o;
    int64_t v;
    REFUSES(tenon_parse_int(NULL, TENON_OPT_INT, &v), "text is NULL");
    REFUSES(tenon_parse_int("1", TENON_OPT_INT, NULL), "out is NULL");
}

static void c_values_check(objects *o)
{
    tenon_values *v;
    REFUSES(tenon_values_check(NULL, NULL, &v), "desc is NULL");
    REFUSES(tenon_values_check(o->desc, NULL, NULL), "out is NULL");
    /* opts NULL means none: a success that records no error on the way. */
    prime();
    expect_ok(tenon_values_check(o->desc, NULL, &v));
    expect_untouched_at(__LINE__);
    tenon_values_free(v);
}

static void c_values_bool(objects *o)
{
    REFUSES_RETURNING(tenon_values_bool(NULL, "verbose"), false, "v is NULL");
    REFUSES_RETURNING(tenon_values_bool(o->values, NULL), false, "name is NULL");
}

static void c_values_int(objects *o)
{
    REFUSES_RETURNING(tenon_values_int(NULL, "depth"), 0, "v is NULL");
    REFUSES_RETURNING(tenon_values_int(o->values, NULL), 0, "name is NULL");
}

static void c_values_double(objects *o)
{
    REFUSES_RETURNING(tenon_values_double(NULL, "ratio"), 0, "v is NULL");
    REFUSES_RETURNING(tenon_values_double(o->values, NULL), 0, "name is NULL");
}

static void c_values_string(objects *o)
{
    REFUSES_RETURNING(tenon_values_string(NULL, "label"), NULL, "v is NULL");
    REFUSES_RETURNING(tenon_values_string(o->values, NULL), NULL, "name is NULL");
}

static void c_values_is_set(objects *o)
{
    REFUSES_RETURNING(tenon_values_is_set(NULL, "depth"), false, "v is NULL");
    REFUSES_RETURNING(tenon_values_is_set(o->values, NULL), false, "name is NULL");
}

/* ---- plugins ----------------------------------------------------------- */

static void c_plugin_check_state(objects *o)
{
    (void)o;
    const tenon_error *why = NULL;
    ACCEPTS(tenon_plugin_check_state(NULL, &why), TENON_CHECK_NONE);
}

static void c_plugin_descriptor(objects *o)
{
    (void)o;
    ACCEPTS(tenon_plugin_descriptor(NULL), NULL);
}
static void c_plugin_error(objects *o)
{
    (void)o;
    ACCEPTS(tenon_plugin_error(NULL), NULL);
}
static void c_plugin_is_static(objects *o)
{
    (void)o;
    ACCEPTS(tenon_plugin_is_static(NULL), false);
}
static void c_plugin_name(objects *o)
{
    (void)o;
    ACCEPTS(tenon_plugin_name(NULL), NULL);
}
static void c_plugin_path(objects *o)
{
    (void)o;
    ACCEPTS(tenon_plugin_path(NULL), NULL);
}
static void c_plugin_registry(objects *o)
{
    (void)o;
    ACCEPTS(tenon_plugin_registry(NULL), NULL);
}
static void c_plugin_shadowed_by(objects *o)
{
    (void)o;
    ACCEPTS(tenon_plugin_shadowed_by(NULL), NULL);
}
static void c_plugin_version(objects *o)
{
    (void)o;
    ACCEPTS(tenon_plugin_version(NULL), NULL);
}
static void c_plugin_status(objects *o)
{
    (void)o;
    ACCEPTS(tenon_plugin_status(NULL), TENON_STATUS_BROKEN);
}

static void c_plugin_hold(objects *o)
{
    REFUSES(tenon_plugin_hold(NULL, "h"), "p is NULL");
    REFUSES(tenon_plugin_hold(o->plugin, NULL), "holder is NULL");
}

static void c_plugin_release(objects *o)
{
    REFUSES(tenon_plugin_release(NULL, "h"), "p is NULL");
    REFUSES(tenon_plugin_release(o->plugin, NULL), "holder is NULL");
}

static void c_plugin_integrity(objects *o)
{
    (void)o;
    tenon_integrity out;
    REFUSES(tenon_plugin_integrity(NULL, &out), "p is NULL");
}

static void c_plugin_integrity_info(objects *o)
{
    tenon_integrity_info out = {.struct_size = sizeof(out)};
    REFUSES(tenon_plugin_integrity_info(NULL, &out), "p is NULL");
    out.struct_size = 4;
    REFUSES(tenon_plugin_integrity_info(o->plugin, &out), "struct_size");
}

static void c_plugin_load(objects *o)
{
    (void)o;
    REFUSES(tenon_plugin_load(NULL), "p is NULL");
}
static void c_plugin_unload(objects *o)
{
    (void)o;
    REFUSES(tenon_plugin_unload(NULL), "p is NULL");
}
static void c_plugin_validate(objects *o)
{
    (void)o;
    REFUSES(tenon_plugin_validate(NULL, 100), "p is NULL");
}

static void c_plugin_load_order(objects *o)
{
    tenon_plugin *order[4];
    REFUSES(tenon_plugin_load_order(NULL, order, 4), "p is NULL");
    REFUSES(tenon_plugin_load_order(o->plugin, NULL, 4), "order is NULL");
}

static void c_plugin_reload(objects *o)
{
    REFUSES(tenon_plugin_reload(NULL, "good_basic", 0), "reg is NULL");
    REFUSES(tenon_plugin_reload(o->reg, NULL, 0), "name is NULL");
}

static void c_plugin_symbol(objects *o)
{
    REFUSES_RETURNING(tenon_plugin_symbol(NULL, "a", "b"), NULL, "caller is NULL");
    REFUSES_RETURNING(tenon_plugin_symbol(o->plugin, NULL, "b"), NULL, "plugin is NULL");
    REFUSES_RETURNING(tenon_plugin_symbol(o->plugin, "a", NULL), NULL, "symbol is NULL");
}

/* ---- registries -------------------------------------------------------- */

static void c_registry_free(objects *o)
{
    (void)o;
    ACCEPTS_VOID(tenon_registry_free(NULL));
}

static void c_registry_add_file(objects *o)
{
    REFUSES(tenon_registry_add_file(NULL, o->plugin_file, NULL), "reg is NULL");
    REFUSES(tenon_registry_add_file(o->reg, NULL, NULL), "path is NULL");
}

static void c_registry_add_path(objects *o)
{
    REFUSES(tenon_registry_add_path(NULL, o->dir), "reg is NULL");
    REFUSES(tenon_registry_add_path(o->reg, NULL), "dir is NULL");
}

static void c_registry_at(objects *o)
{
    (void)o;
    REFUSES_RETURNING(tenon_registry_at(NULL, 0), NULL, "reg is NULL");
}

static void c_registry_cache_path(objects *o)
{
    (void)o;
    REFUSES_RETURNING(tenon_registry_cache_path(NULL), NULL, "reg is NULL");
}

static void c_registry_cache_stats(objects *o)
{
    tenon_cache_stats s = {.struct_size = sizeof(s)};
    REFUSES(tenon_registry_cache_stats(NULL, &s), "reg is NULL");
    REFUSES(tenon_registry_cache_stats(o->reg, NULL), "out is NULL");
}

static void c_registry_count(objects *o)
{
    (void)o;
    REFUSES_RETURNING(tenon_registry_count(NULL), 0, "reg is NULL");
}

static void c_registry_find(objects *o)
{
    REFUSES_RETURNING(tenon_registry_find(NULL, "good_basic"), NULL, "reg is NULL");
    REFUSES_RETURNING(tenon_registry_find(o->reg, NULL), NULL, "name is NULL");
}

static void c_registry_load(objects *o)
{
    tenon_plugin *p;
    REFUSES(tenon_registry_load(NULL, "good_basic", &p), "reg is NULL");
    REFUSES(tenon_registry_load(o->reg, NULL, &p), "name is NULL");
}

static void c_registry_load_all(objects *o)
{
    (void)o;
    REFUSES(tenon_registry_load_all(NULL, NULL), "reg is NULL");
}

static void c_registry_new_with(objects *o)
{
    (void)o;
    REFUSES(tenon_registry_new_with(NULL, NULL, TENON_REGISTRY_NO_ENV, NULL, NULL),
            "out is NULL");
}

static void c_registry_create_with(objects *o)
{
    (void)o;
    REFUSES(tenon_registry_create_with(NULL, TENON_REGISTRY_NO_ENV, NULL, NULL, NULL),
            "out is NULL");
}

static void c_registry_paths(objects *o)
{
    const char *dirs[4];
    REFUSES_RETURNING(tenon_registry_paths(NULL, dirs, 4), 0, "reg is NULL");
    REFUSES_RETURNING(tenon_registry_paths(o->reg, NULL, 4), 0, "dirs is NULL");
    ACCEPTS(tenon_registry_paths(o->reg, NULL, 0), 1); /* counting only */
}

static void c_registry_pin_sha256(objects *o)
{
    static const char hex[] =
        "0000000000000000000000000000000000000000000000000000000000000000";
    REFUSES(tenon_registry_pin_sha256(NULL, "good_basic", hex), "reg is NULL");
    REFUSES(tenon_registry_pin_sha256(o->reg, NULL, hex), "plugin is NULL");
}

static void c_registry_require_signed(objects *o)
{
    (void)o;
    REFUSES_VOID(tenon_registry_require_signed(NULL, true), "reg is NULL");
}

static void c_registry_rescan(objects *o)
{
    (void)o;
    REFUSES(tenon_registry_rescan(NULL, NULL), "reg is NULL");
}

static void c_registry_save_cache(objects *o)
{
    (void)o;
    REFUSES(tenon_registry_save_cache(NULL), "reg is NULL");
}
static void c_registry_scan(objects *o)
{
    (void)o;
    REFUSES(tenon_registry_scan(NULL), "reg is NULL");
}

static void c_registry_set_cache(objects *o)
{
    (void)o;
    REFUSES(tenon_registry_set_cache(NULL, NULL, 0), "reg is NULL");
}

static void c_registry_set_log(objects *o)
{
    (void)o;
    REFUSES_VOID(tenon_registry_set_log(NULL, NULL, NULL, TENON_LOG_ERROR), "reg is NULL");
}

static void c_registry_trust_key(objects *o)
{
    REFUSES(tenon_registry_trust_key(NULL, "key"), "reg is NULL");
    REFUSES(tenon_registry_trust_key(o->reg, NULL), "public_key is NULL");
}

static void c_registry_trust_key_file(objects *o)
{
    REFUSES(tenon_registry_trust_key_file(NULL, tmp_path(o->dir, "k.pub")), "reg is NULL");
    REFUSES(tenon_registry_trust_key_file(o->reg, NULL), "path is NULL");
}

static void c_registry_trust_keys_dir(objects *o)
{
    REFUSES(tenon_registry_trust_keys_dir(NULL, o->dir), "reg is NULL");
    REFUSES(tenon_registry_trust_keys_dir(o->reg, NULL), "dir is NULL");
}

/* ---- versions ---------------------------------------------------------- */

static void c_semver_compare(objects *o)
{
    REFUSES_RETURNING(tenon_semver_compare(NULL, &o->version), 0, "a is NULL");
    REFUSES_RETURNING(tenon_semver_compare(&o->version, NULL), 0, "b is NULL");
}

static void c_semver_parse(objects *o)
{
    tenon_semver v;
    (void)o;
    REFUSES(tenon_semver_parse(NULL, &v), "text is NULL");
    REFUSES(tenon_semver_parse("1.2.3", NULL), "out is NULL");
}

static void c_semver_range_check(objects *o)
{
    (void)o;
    REFUSES(tenon_semver_range_check(NULL), "range is NULL");
}

static void c_semver_satisfies(objects *o)
{
    (void)o;
    REFUSES(tenon_semver_satisfies(NULL, ">=1.0"), "version is NULL");
    REFUSES(tenon_semver_satisfies("1.2.3", NULL), "range is NULL");
}

/* ---- keys and signatures ----------------------------------------------- */

static void c_key_generate(objects *o)
{
    (void)o;
    tenon_public_key k;
    REFUSES(tenon_key_generate(NULL, NULL, &k), "basename is NULL");
}

static void c_public_key_parse(objects *o)
{
    (void)o;
    tenon_public_key k;
    REFUSES(tenon_public_key_parse("x", 1, NULL, NULL), "out is NULL");
    REFUSES(tenon_public_key_parse(NULL, 8, NULL, &k), "text is NULL");
}

static void c_public_key_read(objects *o)
{
    tenon_public_key k;
    REFUSES(tenon_public_key_read(NULL, &k), "path is NULL");
    REFUSES(tenon_public_key_read(tmp_path(o->dir, "k.pub"), NULL), "out is NULL");
}

static void c_signature_parse(objects *o)
{
    (void)o;
    tenon_signature s;
    REFUSES(tenon_signature_parse("x", 1, NULL, NULL), "out is NULL");
    REFUSES(tenon_signature_parse(NULL, 8, NULL, &s), "text is NULL");
}

static void c_signature_sign_file(objects *o)
{
    REFUSES(tenon_signature_sign_file(NULL, tmp_path(o->dir, "k.key"), NULL, NULL),
            "path is NULL");
    REFUSES(tenon_signature_sign_file(o->plugin_file, NULL, NULL, NULL), "key_path is NULL");
}

static void c_signature_verify_file(objects *o)
{
    REFUSES(tenon_signature_verify_file(NULL, NULL, NULL, 0), "path is NULL");
    REFUSES(tenon_signature_verify_file(o->plugin_file, NULL, NULL, 1), "keys is NULL");
}

static void c_signature_verify_file_keys(objects *o)
{
    REFUSES(tenon_signature_verify_file_keys(NULL, NULL, NULL, 0, NULL), "path is NULL");
    REFUSES(tenon_signature_verify_file_keys(o->plugin_file, NULL, NULL, 1, NULL),
            "keys is NULL");
}

static void c_key_generate_info(objects *o)
{
    (void)o;
    tenon_public_key_info k = {.struct_size = sizeof(k)};
    REFUSES(tenon_key_generate_info(NULL, NULL, &k), "basename is NULL");
}

static void c_public_key_parse_info(objects *o)
{
    (void)o;
    tenon_public_key_info k = {.struct_size = sizeof(k)};
    REFUSES(tenon_public_key_parse_info("x", 1, NULL, NULL), "out is NULL");
    REFUSES(tenon_public_key_parse_info(NULL, 8, NULL, &k), "text is NULL");
    k.struct_size = 0;
    REFUSES(tenon_public_key_parse_info("x", 1, NULL, &k), "struct_size");
}

static void c_public_key_read_info(objects *o)
{
    tenon_public_key_info k = {.struct_size = sizeof(k)};
    REFUSES(tenon_public_key_read_info(NULL, &k), "path is NULL");
    REFUSES(tenon_public_key_read_info(tmp_path(o->dir, "k.pub"), NULL), "out is NULL");
}

static void c_signature_parse_info(objects *o)
{
    (void)o;
    tenon_signature_info s = {.struct_size = sizeof(s)};
    REFUSES(tenon_signature_parse_info("x", 1, NULL, NULL), "out is NULL");
    REFUSES(tenon_signature_parse_info(NULL, 8, NULL, &s), "text is NULL");
}

static void c_signature_sign_file_info(objects *o)
{
    REFUSES(tenon_signature_sign_file_info(NULL, tmp_path(o->dir, "k.key"), NULL, NULL),
            "path is NULL");
    REFUSES(tenon_signature_sign_file_info(o->plugin_file, NULL, NULL, NULL),
            "key_path is NULL");
}

static void c_signature_verify_file_info(objects *o)
{
    REFUSES(tenon_signature_verify_file_info(NULL, NULL, NULL, 0, NULL), "path is NULL");
    REFUSES(tenon_signature_verify_file_info(o->plugin_file, NULL, NULL, 1, NULL),
            "keys is NULL");
    tenon_public_key_info k = {.struct_size = 8};
    REFUSES(tenon_signature_verify_file_info(o->plugin_file, NULL, &k, 1, NULL), "struct_size");
}

/* ---- the table --------------------------------------------------------- */

typedef struct entry {
    const char *name;
    null_rule rule;
    void (*check)(objects *o);
} entry;

#define E(fn, rule)                \
    {                              \
        "tenon_" #fn, rule, c_##fn \
    }

static const entry table[] = {
    E(cache_at, ACCEPTS_NULL),
    E(cache_count, ACCEPTS_NULL),
    E(cache_default_path, REFUSES_NULL),
    E(cache_free, ACCEPTS_NULL),
    E(cache_parse, REFUSES_NULL),
    E(cache_read, REFUSES_NULL),
    E(cache_remove, REFUSES_NULL),
    E(cache_written_ns, ACCEPTS_NULL),
    E(change_kind_name, TAKES_NO_POINTER),
    E(changes_at, ACCEPTS_NULL),
    E(changes_count, ACCEPTS_NULL),
    E(changes_free, ACCEPTS_NULL),
    E(config_apply, REFUSES_NULL),
    E(config_file, REFUSES_NULL),
    E(config_instance, REFUSES_NULL),
    E(config_instances, REFUSES_NULL),
    E(config_load, REFUSES_NULL),
    E(config_load_buffer, REFUSES_NULL),
    E(config_plan, REFUSES_NULL),
    E(default_plugin_dir, TAKES_NO_POINTER),
    E(descriptor_free, ACCEPTS_NULL),
    E(descriptor_meta, REFUSES_NULL),
    E(descriptor_option, REFUSES_NULL),
    E(descriptor_read, REFUSES_NULL),
    E(descriptor_read_fd, REFUSES_NULL),
    E(descriptor_read_memory, REFUSES_NULL),
    E(err_name, TAKES_NO_POINTER),
    E(error_format, REFUSES_NULL),
    E(instance_data, ACCEPTS_NULL),
    E(instance_free, ACCEPTS_NULL),
    E(instance_name, ACCEPTS_NULL),
    E(instance_new, REFUSES_NULL),
    E(instance_plugin, ACCEPTS_NULL),
    E(instance_table, ACCEPTS_NULL),
    E(instance_values, ACCEPTS_NULL),
    E(interface, REFUSES_NULL),
    E(interface_hold, REFUSES_NULL),
    E(key_generate, REFUSES_NULL),
    E(key_generate_info, REFUSES_NULL),
    E(last_error, TAKES_NO_POINTER),
    E(opt_type_name, TAKES_NO_POINTER),
    E(options_at, REFUSES_NULL),
    E(options_count, ACCEPTS_NULL),
    E(options_free, ACCEPTS_NULL),
    E(options_get, REFUSES_NULL),
    E(options_new, REFUSES_NULL),
    E(options_set, REFUSES_NULL),
    E(parse_int, REFUSES_NULL),
    E(plan_action_name, TAKES_NO_POINTER),
    E(plan_at, ACCEPTS_NULL),
    E(plan_count, ACCEPTS_NULL),
    E(plan_free, ACCEPTS_NULL),
    E(plan_instance_at, ACCEPTS_NULL),
    E(plan_instance_count, ACCEPTS_NULL),
    E(plan_stop_error, ACCEPTS_NULL),
    E(plugin_check_state, ACCEPTS_NULL),
    E(plugin_descriptor, ACCEPTS_NULL),
    E(plugin_error, ACCEPTS_NULL),
    E(plugin_hold, REFUSES_NULL),
    E(plugin_integrity, REFUSES_NULL),
    E(plugin_integrity_info, REFUSES_NULL),
    E(plugin_is_static, ACCEPTS_NULL),
    E(plugin_load, REFUSES_NULL),
    E(plugin_load_order, REFUSES_NULL),
    E(plugin_name, ACCEPTS_NULL),
    E(plugin_path, ACCEPTS_NULL),
    E(plugin_registry, ACCEPTS_NULL),
    E(plugin_release, REFUSES_NULL),
    E(plugin_reload, REFUSES_NULL),
    E(plugin_shadowed_by, ACCEPTS_NULL),
    E(plugin_status, ACCEPTS_NULL),
    E(plugin_symbol, REFUSES_NULL),
    E(plugin_unload, REFUSES_NULL),
    E(plugin_validate, REFUSES_NULL),
    E(plugin_version, ACCEPTS_NULL),
    E(providers, REFUSES_NULL),
    E(public_key_parse, REFUSES_NULL),
    E(public_key_parse_info, REFUSES_NULL),
    E(public_key_read, REFUSES_NULL),
    E(public_key_read_info, REFUSES_NULL),
    E(registry_add_file, REFUSES_NULL),
    E(registry_add_path, REFUSES_NULL),
    E(registry_apply_config, REFUSES_NULL),
    E(registry_create_with, REFUSES_NULL),
    E(registry_at, REFUSES_NULL),
    E(registry_cache_path, REFUSES_NULL),
    E(registry_cache_stats, REFUSES_NULL),
    E(registry_count, REFUSES_NULL),
    E(registry_find, REFUSES_NULL),
    E(registry_free, ACCEPTS_NULL),
    E(registry_instance, REFUSES_NULL),
    E(registry_load, REFUSES_NULL),
    E(registry_load_all, REFUSES_NULL),
    E(registry_load_config, REFUSES_NULL),
    E(registry_load_config_buffer, REFUSES_NULL),
    E(registry_new_with, REFUSES_NULL),
    E(registry_paths, REFUSES_NULL),
    E(registry_pin_sha256, REFUSES_NULL),
    E(registry_require_signed, REFUSES_NULL),
    E(registry_rescan, REFUSES_NULL),
    E(registry_save_cache, REFUSES_NULL),
    E(registry_scan, REFUSES_NULL),
    E(registry_set_cache, REFUSES_NULL),
    E(registry_set_log, REFUSES_NULL),
    E(registry_trust_key, REFUSES_NULL),
    E(registry_trust_key_file, REFUSES_NULL),
    E(registry_trust_keys_dir, REFUSES_NULL),
    E(semver_compare, REFUSES_NULL),
    E(semver_parse, REFUSES_NULL),
    E(semver_range_check, REFUSES_NULL),
    E(semver_satisfies, REFUSES_NULL),
    E(set_allocator, ACCEPTS_NULL),
    E(sig_state_name, TAKES_NO_POINTER),
    E(signature_parse, REFUSES_NULL),
    E(signature_parse_info, REFUSES_NULL),
    E(signature_sign_file, REFUSES_NULL),
    E(signature_sign_file_info, REFUSES_NULL),
    E(signature_verify_file, REFUSES_NULL),
    E(signature_verify_file_info, REFUSES_NULL),
    E(signature_verify_file_keys, REFUSES_NULL),
    E(stage_name, TAKES_NO_POINTER),
    E(status_name, TAKES_NO_POINTER),
    E(strerror, TAKES_NO_POINTER),
    E(values_bool, REFUSES_NULL),
    E(values_check, REFUSES_NULL),
    E(values_double, REFUSES_NULL),
    E(values_free, ACCEPTS_NULL),
    E(values_int, REFUSES_NULL),
    E(values_is_set, REFUSES_NULL),
    E(values_string, REFUSES_NULL),
    E(version, TAKES_NO_POINTER),
    E(version_hex, TAKES_NO_POINTER),
};

static const entry *find_entry(const char *name)
{
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}

static int objects_setup(void **state)
{
    objects *o = calloc(1, sizeof(*o));
    assert_non_null(o);
    o->dir = tmp_dir();
    copy_fixture(o->dir, "good_basic", NULL);
    snprintf(o->plugin_file, sizeof(o->plugin_file), "%s", tmp_path(o->dir, "good_basic.so"));
    o->reg = new_registry(o->dir, TENON_REGISTRY_NO_STATIC, NULL);
    assert_true(tenon_registry_scan(o->reg) >= 0);
    o->plugin = tenon_registry_find(o->reg, "good_basic");
    assert_non_null(o->plugin);
    expect_ok(tenon_descriptor_read(o->plugin_file, &o->desc));
    expect_ok(tenon_options_new(&o->opts));
    expect_ok(tenon_values_check(o->desc, NULL, &o->values));
    expect_ok(tenon_semver_parse("1.2.3", &o->version));
    *state = o;
    return 0;
}

static int objects_teardown(void **state)
{
    objects *o = *state;
    tenon_values_free(o->values);
    tenon_options_free(o->opts);
    tenon_descriptor_free(o->desc);
    tenon_registry_free(o->reg);
    tmp_remove(o->dir);
    free(o);
    return 0;
}

/* Every function of the ABI list has an entry, and every entry is in it. */
static void test_table_matches_the_abi_list(void **state)
{
    (void)state;
    FILE *f = fopen(SYMBOLS_TXT, "r");
    if (!f)
        fail_msg("cannot read %s", SYMBOLS_TXT);
    char line[256];
    size_t listed = 0;
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, " \t\r\n")] = '\0';
        if (!line[0] || line[0] == '#')
            continue;
        listed++;
        if (!find_entry(line))
            fail_msg("%s is exported (%s) but has no entry in this test's table: add a check "
                     "of it with NULL arguments",
                     line, SYMBOLS_TXT);
    }
    fclose(f);
    if (listed != sizeof(table) / sizeof(table[0]))
        fail_msg("the table has %zu entries and %s lists %zu functions: remove entries of "
                 "functions no longer exported",
                 sizeof(table) / sizeof(table[0]), SYMBOLS_TXT, listed);
}

static void test_every_function_with_null_arguments(void **state)
{
    objects *o = *state;
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        checking = table[i].name;
        size_t before = refusals;
        table[i].check(o);
        /* The rule says what the checks must have seen. */
        if ((table[i].rule == REFUSES_NULL) != (refusals > before))
            fail_msg("%s is listed as %s but its checks %s", checking,
                     table[i].rule == REFUSES_NULL ? "refusing NULL"
                                                   : "taking no NULL to refuse",
                     refusals > before ? "refuse an argument" : "refuse none");
    }
    /* The checks changed nothing: the plugin is still there, unloaded. */
    assert_true(tenon_registry_find(o->reg, "good_basic") == o->plugin);
    assert_int_equal(tenon_plugin_status(o->plugin), TENON_STATUS_FOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_matches_the_abi_list),
        cmocka_unit_test_setup_teardown(test_every_function_with_null_arguments, objects_setup,
                                        objects_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
