/* Static plugins: this program links the "dual" fixture in (the same
 * source as dual.so, compiled with -DTENON_PLUGIN_STATIC), collected by the
 * linker section with no list anywhere. A static plugin wins over a dynamic
 * one of the same name, goes through the same lifecycle minus dlopen, and
 * never unloads. */
#include "helpers.h"

#include <stdlib.h>
#include <string.h>

#include "fixture.h"

typedef tmp_fixture fixture;

static int setup(void **state)
{
    tmp_fixture_setup(state);
    fixture *f = *state;
    copy_fixtures(f->dir, "dual", NULL);
    return 0;
}

static void test_static_plugin_is_collected(void **state)
{
    fixture *f = *state;
    tenon_registry *reg = new_registry(NULL, 0, &f->cap);
    assert_int_equal(tenon_registry_count(reg), 1);
    tenon_plugin *p = tenon_registry_at(reg, 0);
    assert_string_equal(tenon_plugin_name(p), "dual");
    assert_string_equal(tenon_plugin_version(p), "1.0.0-static");
    assert_true(tenon_plugin_is_static(p));
    assert_null(tenon_plugin_path(p));
    assert_int_equal(tenon_plugin_status(p), TENON_STATUS_FOUND);
    assert_ptr_equal(tenon_registry_find(reg, "dual"), p);
    tenon_registry_free(reg);

    /* NO_STATIC leaves them out. */
    reg = new_registry(NULL, TENON_REGISTRY_NO_STATIC, NULL);
    assert_int_equal(tenon_registry_count(reg), 0);
    tenon_registry_free(reg);
}

static void test_static_wins_over_dynamic(void **state)
{
    fixture *f = *state;
    tenon_registry *reg = new_registry(f->dir, 0, &f->cap);
    assert_int_equal(tenon_registry_count(reg), 2);
    /* Static plugins are listed first. */
    tenon_plugin *st = tenon_registry_at(reg, 0);
    tenon_plugin *dyn = tenon_registry_at(reg, 1);
    assert_true(tenon_plugin_is_static(st));
    assert_false(tenon_plugin_is_static(dyn));
    assert_string_equal(tenon_plugin_version(dyn), "2.0.0");
    assert_ptr_equal(tenon_registry_find(reg, "dual"), st);
    assert_int_equal(tenon_plugin_status(dyn), TENON_STATUS_SHADOWED);
    assert_ptr_equal(tenon_plugin_shadowed_by(dyn), st);
    expect_error(tenon_plugin_load(dyn), TENON_ESHADOWED, "dual", "(static)", NULL);

    /* Even when added as an explicit file. */
    tenon_plugin *added;
    expect_ok(tenon_registry_add_file(reg, tmp_path(f->dir, "dual.so"), &added));
    assert_ptr_equal(tenon_registry_find(reg, "dual"), st);
    assert_int_equal(tenon_plugin_status(added), TENON_STATUS_SHADOWED);

    /* The host uses the static one. */
    const fx_table *t;
    tenon_plugin *provider;
    expect_ok(tenon_interface(reg, "dual", FX_IFACE, 1, (const void **)&t, &provider));
    assert_ptr_equal(provider, st);
    assert_string_equal(t->name(), "dual");
    assert_string_equal(captured_events(&f->cap), "dual:init ");
    tenon_registry_free(reg);

    /* Without static plugins the dynamic one is used. */
    reg = new_registry(f->dir, TENON_REGISTRY_NO_STATIC, NULL);
    assert_string_equal(tenon_plugin_version(tenon_registry_find(reg, "dual")), "2.0.0");
    tenon_registry_free(reg);
}

static void test_static_lifecycle(void **state)
{
    fixture *f = *state;
    tenon_registry *reg = new_registry(NULL, 0, &f->cap);
    tenon_plugin *p;
    expect_ok(tenon_registry_load(reg, "dual", &p));
    assert_int_equal(tenon_plugin_status(p), TENON_STATUS_LOADED);
    tenon_instance *inst;
    expect_ok(tenon_instance_new(reg, "dual", FX_IFACE, "static-1", NULL, &inst));
    const fx_instance *data = tenon_instance_data(inst);
    assert_string_equal(data->tag, "static-1");
    tenon_instance_free(inst);

    /* Static plugins are part of the host: never unloaded, even when they
     * declare themselves unloadable (dual does). */
    expect_error(tenon_plugin_unload(p), TENON_ESTATE, "dual", "linked into the host", NULL);
    assert_int_equal(tenon_plugin_status(p), TENON_STATUS_LOADED);
    tenon_registry_free(reg);
    /* Teardown finis them like any other. */
    assert_string_equal(captured_events(&f->cap),
                        "dual:init dual:instance_init dual:instance_fini dual:fini ");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, tmp_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_static_plugin_is_collected),
        T(test_static_wins_over_dynamic),
        T(test_static_lifecycle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
