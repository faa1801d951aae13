/* tenon_plugin_reload: a loaded plugin's code replaced by its file now on
 * disk; holders keep the code they hold until they release it; a reload
 * whose new file fails a check leaves the old code running. Fixtures:
 * versioned_* (tests/plugins/versioned.c), one plugin in several
 * generations whose functions answer their generation. */
#include "helpers.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "versioned.h"

/* Installs fixture name as dir/versioned.so the way an installer does: a
 * new file renamed over the old name (a new inode). */
static void install(const char *dir, const char *name)
{
    copy_fixture(dir, name, "versioned.so.new");
    assert_int_equal(rename(tmp_path(dir, "versioned.so.new"), tmp_path(dir, "versioned.so")),
                     0);
}

static const versioned_table *current(tenon_registry *reg)
{
    const void *t = NULL;
    expect_ok(tenon_interface(reg, "versioned", VERSIONED_IFACE, 1, &t, NULL));
    return t;
}

static bool logged(log_capture *cap, const char *text)
{
    return strstr(cap->all, text) != NULL;
}

/* The new code answers lookups from the reload on; a holder keeps calling
 * the old code until it releases it, and only then does the old fini run. */
static void test_reload_replaces_code(void **state)
{
    tmp_fixture *f = *state;
    install(f->dir, "versioned_v1");
    tenon_registry *reg = new_registry(f->dir, 0, &f->cap);
    tenon_plugin *p = NULL;
    expect_ok(tenon_registry_load(reg, "versioned", &p));
    const void *held = NULL;
    tenon_plugin *provider = NULL;
    expect_ok(
        tenon_interface_hold(reg, "versioned", VERSIONED_IFACE, 1, "worker", &held, &provider));
    assert_ptr_equal(provider, p);
    const versioned_table *t1 = held;
    assert_int_equal(t1->a(), 1);

    install(f->dir, "versioned_v2");
    expect_ok(tenon_plugin_reload(reg, "versioned", 0));
    assert_string_equal(tenon_plugin_version(p), "2.0.0");
    assert_int_equal(tenon_plugin_status(p), TENON_STATUS_LOADED);
    assert_null(tenon_plugin_error(p));
    const versioned_table *t2 = current(reg);
    assert_ptr_not_equal(t1, t2);
    assert_int_equal(t2->a(), 2);
    assert_int_equal(t2->c(7), 7002);
    /* Still mapped for the holder, and not finied. */
    assert_int_equal(t1->a(), 1);
    assert_int_equal(t1->c(7), 7001);
    assert_true(logged(&f->cap, "versioned:init 2"));
    assert_false(logged(&f->cap, "versioned:fini 1"));
    /* A holder that holds both releases the old one first. */
    expect_ok(
        tenon_interface_hold(reg, "versioned", VERSIONED_IFACE, 1, "worker", &held, &provider));
    assert_ptr_equal(held, t2);
    expect_ok(tenon_plugin_release(p, "worker"));
    assert_true(logged(&f->cap, "versioned:fini 1"));
    assert_int_equal(((const versioned_table *)held)->a(), 2);
    /* The new generation is held: not unloadable until released. */
    expect_error(tenon_plugin_unload(p), TENON_EBUSY, "versioned", "held by worker", NULL);
    expect_ok(tenon_plugin_release(p, "worker"));
    assert_false(logged(&f->cap, "versioned:fini 2"));
    expect_ok(tenon_plugin_unload(p));
    assert_true(logged(&f->cap, "versioned:fini 2"));
    tenon_registry_free(reg);
}

/* Nothing holds the old code: it is finied and unmapped by the reload. A
 * file that is the one loaded is nothing to reload. */
static void test_reload_unheld_and_unchanged(void **state)
{
    tmp_fixture *f = *state;
    install(f->dir, "versioned_v1");
    tenon_registry *reg = new_registry(f->dir, 0, &f->cap);
    expect_ok(tenon_registry_load(reg, "versioned", NULL));
    const versioned_table *t1 = current(reg);
    expect_ok(tenon_plugin_reload(reg, "versioned", 0));
    assert_ptr_equal(current(reg), t1);
    assert_false(logged(&f->cap, "versioned:fini 1"));

    install(f->dir, "versioned_v2");
    expect_ok(tenon_plugin_reload(reg, "versioned", 0));
    assert_true(logged(&f->cap, "versioned:fini 1"));
    assert_int_equal(current(reg)->a(), 2);
    /* Back to the first version: another new file, another object. */
    install(f->dir, "versioned_v1");
    expect_ok(tenon_plugin_reload(reg, "versioned", 0));
    assert_int_equal(current(reg)->a(), 1);
    assert_string_equal(tenon_plugin_version(tenon_registry_find(reg, "versioned")), "1.0.0");
    tenon_registry_free(reg);
}

/* migrate hands the old code's state to the new code: the old fini never
 * runs, and the state survives. */
static void test_reload_migrate(void **state)
{
    tmp_fixture *f = *state;
    install(f->dir, "versioned_v1");
    tenon_registry *reg = new_registry(f->dir, 0, &f->cap);
    expect_ok(tenon_registry_load(reg, "versioned", NULL));
    assert_int_equal(current(reg)->migrations(), 0);
    install(f->dir, "versioned_v3m");
    expect_ok(tenon_plugin_reload(reg, "versioned", 0));
    assert_true(logged(&f->cap, "versioned:migrate 3"));
    assert_false(logged(&f->cap, "versioned:init 3"));
    assert_false(logged(&f->cap, "versioned:fini 1"));
    assert_int_equal(current(reg)->a(), 3);
    assert_int_equal(current(reg)->migrations(), 1);
    /* The same version again, from a new file: migrated again. */
    install(f->dir, "versioned_v3m");
    expect_ok(tenon_plugin_reload(reg, "versioned", 0));
    assert_int_equal(current(reg)->migrations(), 2);
    tenon_registry_free(reg);
    /* The one state was freed once, by the last code's fini. */
    assert_true(logged(&f->cap, "versioned:fini 3"));
    assert_false(logged(&f->cap, "versioned:fini 1"));
}

/* Every failed check leaves the old code running, untouched. */
static void test_reload_failure_keeps_old_code(void **state)
{
    tmp_fixture *f = *state;
    install(f->dir, "versioned_v1");
    tenon_registry *reg = new_registry(f->dir, 0, &f->cap);
    tenon_plugin *p = NULL;
    expect_ok(tenon_registry_load(reg, "versioned", &p));
    const versioned_table *t1 = current(reg);
    struct {
        const char *fixture;
        int code;
        const char *text;
    } bad[] = {
        {"versioned_bad_abi", TENON_EABIMAJOR, "ABI 99"},
        {"versioned_bad_init", TENON_EINIT, "generation 91 refuses to start"},
        {"versioned_bad_dep", TENON_EMISSINGDEP, "requires no_such_plugin"},
        {"good_basic", TENON_EMISMATCH, "now holds another plugin, good_basic"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        install(f->dir, bad[i].fixture);
        expect_error(tenon_plugin_reload(reg, "versioned", 0), bad[i].code, "versioned",
                     bad[i].text, NULL);
        assert_ptr_equal(current(reg), t1);
        assert_int_equal(t1->a(), 1);
        assert_string_equal(tenon_plugin_version(p), "1.0.0");
        assert_int_equal(tenon_plugin_status(p), TENON_STATUS_LOADED);
    }
    assert_false(logged(&f->cap, "versioned:fini 1"));

    /* Overwritten in place (same inode, other mtime): refused. */
    install(f->dir, "versioned_v2");
    expect_ok(tenon_plugin_reload(reg, "versioned", 0));
    struct timespec times[2] = {{0, UTIME_OMIT}, {12345, 0}};
    assert_int_equal(utimensat(AT_FDCWD, tmp_path(f->dir, "versioned.so"), times, 0), 0);
    expect_error(tenon_plugin_reload(reg, "versioned", 0), TENON_ESTATE, "versioned",
                 "overwritten in place", "renaming it over", NULL);
    assert_int_equal(current(reg)->a(), 2);

    /* Not loaded, or no such plugin. */
    expect_ok(tenon_plugin_unload(p));
    expect_error(tenon_plugin_reload(reg, "versioned", 0), TENON_ESTATE, "versioned",
                 "not loaded", NULL);
    assert_int_equal(tenon_plugin_reload(reg, "nothing_here", 0), TENON_ENOTFOUND);
    assert_int_equal(tenon_plugin_reload(reg, "versioned", 1), TENON_EINVAL);
    tenon_registry_free(reg);
}

static void sha256_of(const char *path, char hex[65])
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "sha256sum '%s'", path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    assert_int_equal(fscanf(p, "%64s", hex), 1);
    pclose(p);
}

/* The new file must pass the registry's pins and signature policy, as a
 * load does; a refused file leaves the old code running. */
static void test_reload_checks_pins_and_signatures(void **state)
{
    tmp_fixture *f = *state;
    install(f->dir, "versioned_v1");
    char v1[65], v2[65];
    sha256_of(tmp_path(f->dir, "versioned.so"), v1);
    tenon_registry *reg = new_registry(f->dir, 0, &f->cap);
    expect_ok(tenon_registry_pin_sha256(reg, "versioned", v1));
    expect_ok(tenon_registry_load(reg, "versioned", NULL));
    install(f->dir, "versioned_v2");
    sha256_of(tmp_path(f->dir, "versioned.so"), v2);
    expect_error(tenon_plugin_reload(reg, "versioned", 0), TENON_EHASH, "versioned", v2, NULL);
    assert_int_equal(current(reg)->a(), 1);
    /* The pin updated with the release: accepted. */
    expect_ok(tenon_registry_pin_sha256(reg, "versioned", v2));
    tenon_registry_require_signed(reg, true);
    expect_error(tenon_plugin_reload(reg, "versioned", 0), TENON_ESIGNATURE, "versioned", NULL);
    assert_int_equal(current(reg)->a(), 1);
    tenon_registry_require_signed(reg, false);
    expect_ok(tenon_plugin_reload(reg, "versioned", 0));
    assert_int_equal(current(reg)->a(), 2);
    tenon_registry_free(reg);
}

static int count(log_capture *cap, const char *text)
{
    int n = 0;
    for (const char *at = cap->all; (at = strstr(at, text)); at += strlen(text))
        n++;
    return n;
}

/* Whether addr is in a mapped object (the code of a generation that was
 * closed is not; nothing else is loaded meanwhile to take its place). */
static bool mapped(void *addr)
{
    Dl_info info;
    return dladdr(addr, &info) != 0;
}

static const versioned_table *table_of(tenon_instance *inst)
{
    return tenon_instance_table(inst);
}

/* An instance made before a reload stays on the code it was made from
 * (its table, its instance_fini) until it is freed; instances made after
 * use the new code; the old code goes with its last instance. */
static void test_reload_with_instances(void **state)
{
    tmp_fixture *f = *state;
    install(f->dir, "versioned_v1");
    tenon_registry *reg = new_registry(f->dir, 0, &f->cap);
    tenon_instance *one = NULL, *two = NULL;
    expect_ok(tenon_instance_new(reg, "versioned", VERSIONED_IFACE, "one", NULL, &one));
    tenon_plugin *p = tenon_instance_plugin(one);
    install(f->dir, "versioned_v2");
    expect_ok(tenon_plugin_reload(reg, "versioned", 0));
    assert_string_equal(tenon_plugin_version(p), "2.0.0");
    assert_true(logged(&f->cap, "instances are freed"));

    const versioned_table *t1 = table_of(one);
    assert_int_equal(t1->a(), 1);
    assert_int_equal(t1->instance_gen(tenon_instance_data(one)), 101);
    assert_int_equal(t1->live(), 1);
    expect_ok(tenon_instance_new(reg, "versioned", VERSIONED_IFACE, "two", NULL, &two));
    const versioned_table *t2 = table_of(two);
    assert_ptr_equal(t2, current(reg));
    assert_int_equal(t2->a(), 2);
    assert_int_equal(t2->instance_gen(tenon_instance_data(two)), 202);
    assert_int_equal(t2->live(), 1);
    assert_false(logged(&f->cap, "versioned:fini 1"));
    assert_ptr_equal(tenon_registry_instance(reg, "one"), one);

    /* Every instance keeps the plugin loaded, whichever code it runs. */
    expect_error(tenon_plugin_unload(p), TENON_EBUSY, "versioned", "2 instances", NULL);
    void *old_code = (void *)t1->a;
    tenon_instance_free(one);
    assert_true(logged(&f->cap, "versioned:instance fini 1 of 1"));
    assert_true(logged(&f->cap, "versioned:fini 1"));
    assert_false(mapped(old_code));
    assert_int_equal(t2->a(), 2);
    tenon_instance_free(two);
    assert_true(logged(&f->cap, "versioned:instance fini 2 of 2"));
    assert_false(logged(&f->cap, "versioned:fini 2"));
    expect_ok(tenon_plugin_unload(p));
    assert_true(logged(&f->cap, "versioned:fini 2"));
    tenon_registry_free(reg);
}

/* The things that keep generation 1 after a reload, released in every
 * order: its code stays mapped, and its fini waits, until the last one. */
enum { OLD_A, OLD_B, OLD_HOLD, NEW_C, N_USES };

static void release_use(tenon_plugin *p, tenon_instance **inst, int use)
{
    if (use == OLD_HOLD)
        expect_ok(tenon_plugin_release(p, "worker"));
    else
        tenon_instance_free(inst[use]);
}

static void check_order(tmp_fixture *f, const int *order, bool migrate)
{
    install(f->dir, "versioned_v1");
    tenon_registry *reg = new_registry(f->dir, 0, &f->cap);
    tenon_instance *inst[N_USES] = {NULL};
    expect_ok(tenon_instance_new(reg, "versioned", VERSIONED_IFACE, "a", NULL, &inst[OLD_A]));
    expect_ok(tenon_instance_new(reg, NULL, VERSIONED_IFACE, NULL, NULL, &inst[OLD_B]));
    const void *held = NULL;
    tenon_plugin *p = NULL;
    expect_ok(tenon_interface_hold(reg, "versioned", VERSIONED_IFACE, 1, "worker", &held, &p));
    void *old_code = (void *)((const versioned_table *)held)->c;
    install(f->dir, migrate ? "versioned_v3m" : "versioned_v2");
    expect_ok(tenon_plugin_reload(reg, "versioned", 0));
    int now = migrate ? 3 : 2;
    expect_ok(tenon_instance_new(reg, "versioned", VERSIONED_IFACE, "c", NULL, &inst[NEW_C]));
    assert_int_equal(table_of(inst[NEW_C])->instance_gen(tenon_instance_data(inst[NEW_C])),
                     now * 101);

    int old_left = 3;
    for (int k = 0; k < N_USES; k++) {
        int use = order[k];
        if (use != NEW_C && use != OLD_HOLD)
            assert_int_equal(table_of(inst[use])->instance_gen(tenon_instance_data(inst[use])),
                             101);
        if (use == OLD_HOLD)
            assert_int_equal(((const versioned_table *)held)->c(4), 4001);
        release_use(p, inst, use);
        old_left -= use != NEW_C;
        assert_int_equal(mapped(old_code), old_left > 0);
        /* migrate took generation 1's state over: its fini never runs. */
        assert_int_equal(logged(&f->cap, "versioned:fini 1"), !migrate && old_left == 0);
        assert_false(logged(&f->cap, migrate ? "versioned:fini 3" : "versioned:fini 2"));
        if (old_left)
            assert_int_equal(current(reg)->a(), now);
    }
    assert_int_equal(count(&f->cap, "versioned:instance fini 1 of 1"), 2);
    expect_ok(tenon_plugin_unload(p));
    tenon_registry_free(reg);
    assert_int_equal(count(&f->cap, migrate ? "versioned:fini 3" : "versioned:fini 2"), 1);
}

static bool next_permutation(int *a, int n)
{
    int i = n - 2;
    while (i >= 0 && a[i] >= a[i + 1])
        i--;
    if (i < 0)
        return false;
    int j = n - 1;
    while (a[j] <= a[i])
        j--;
    int t = a[i];
    a[i] = a[j];
    a[j] = t;
    for (int l = i + 1, r = n - 1; l < r; l++, r--) {
        t = a[l];
        a[l] = a[r];
        a[r] = t;
    }
    return true;
}

static void test_reload_instances_free_orders(void **state)
{
    tmp_fixture *f = *state;
    for (int migrate = 0; migrate < 2; migrate++) {
        int order[N_USES] = {OLD_A, OLD_B, OLD_HOLD, NEW_C};
        int orders = 0;
        do {
            check_order(f, order, migrate);
            orders++;
        } while (next_permutation(order, N_USES));
        assert_int_equal(orders, 24);
    }
}

/* The registry goes while instances of three generations live, made by
 * the host and by a plugin (vmaker makes one in init and frees it in
 * fini): every instance is finied by the code that made it, each
 * generation's fini runs once, after its instances, and nothing leaks
 * (ASan). Then the same with the plugin unloaded first. */
static void test_reload_teardown_with_old_instances(void **state)
{
    tmp_fixture *f = *state;
    for (int unload_maker = 0; unload_maker < 2; unload_maker++) {
        install(f->dir, "versioned_v1");
        copy_fixture(f->dir, "vmaker", NULL);
        tenon_registry *reg = new_registry(f->dir, 0, &f->cap);
        tenon_instance *host_made[3];
        expect_ok(
            tenon_instance_new(reg, "versioned", VERSIONED_IFACE, NULL, NULL, &host_made[0]));
        tenon_plugin *maker = NULL;
        expect_ok(tenon_registry_load(reg, "vmaker", &maker));
        install(f->dir, "versioned_v2");
        expect_ok(tenon_plugin_reload(reg, "versioned", 0));
        expect_ok(
            tenon_instance_new(reg, "versioned", VERSIONED_IFACE, NULL, NULL, &host_made[1]));
        install(f->dir, "versioned_v3m");
        expect_ok(tenon_plugin_reload(reg, "versioned", 0));
        expect_ok(
            tenon_instance_new(reg, "versioned", VERSIONED_IFACE, NULL, NULL, &host_made[2]));
        for (int g = 0; g < 3; g++)
            assert_int_equal(table_of(host_made[g])
                                 ->instance_gen(tenon_instance_data(host_made[g])),
                             (g + 1) * 101);
        /* 2 was migrated into 3: it has no fini of its own. */
        assert_false(logged(&f->cap, "versioned:fini"));
        if (unload_maker) {
            expect_ok(tenon_plugin_unload(maker));
            assert_int_equal(count(&f->cap, "versioned:instance fini 1 of 1"), 1);
            assert_false(logged(&f->cap, "versioned:fini 1")); /* host_made[0] keeps it */
        }
        tenon_registry_free(reg);
        assert_int_equal(count(&f->cap, "versioned:instance fini 1 of 1"), 2);
        assert_int_equal(count(&f->cap, "versioned:instance fini 2 of 2"), 1);
        assert_int_equal(count(&f->cap, "versioned:instance fini 3 of 3"), 1);
        assert_int_equal(count(&f->cap, "versioned:fini 1"), 1);
        assert_int_equal(count(&f->cap, "versioned:fini 2"), 0);
        assert_int_equal(count(&f->cap, "versioned:fini 3"), 1);
        /* Generation 1's fini came after both of its instances. */
        const char *last_instance = strstr(strstr(f->cap.all, "instance fini 1 of 1") + 1,
                                           "instance fini 1 of 1");
        assert_non_null(strstr(last_instance, "versioned:fini 1"));
    }
}

/* The registry goes while a holder still holds old code: the old fini
 * runs at teardown, after nothing can call it any more (ASan: no leak). */
static void test_reload_teardown_with_old_code_held(void **state)
{
    tmp_fixture *f = *state;
    install(f->dir, "versioned_v1");
    tenon_registry *reg = new_registry(f->dir, 0, &f->cap);
    const void *t = NULL;
    tenon_plugin *p = NULL;
    expect_ok(tenon_interface_hold(reg, NULL, VERSIONED_IFACE, 1, "worker", &t, &p));
    install(f->dir, "versioned_v2");
    expect_ok(tenon_plugin_reload(reg, "versioned", 0));
    install(f->dir, "versioned_v1");
    expect_ok(tenon_plugin_reload(reg, "versioned", 0));
    assert_int_equal(((const versioned_table *)t)->a(), 1);
    assert_true(logged(&f->cap, "versioned:fini 2")); /* nothing held it */
    assert_false(logged(&f->cap, "versioned:fini 1"));
    tenon_registry_free(reg);
    /* Both generation 1 codes were finied: the held one and the current one. */
    const char *first = strstr(f->cap.all, "versioned:fini 1");
    assert_non_null(first);
    assert_non_null(strstr(first + 1, "versioned:fini 1"));
}

/* A loaded plugin that requires the reloaded one must accept the new
 * version; it may use the old code (symbols, tables it took without a
 * hold), so the old code stays until the reloaded plugin unloads. */
static void test_reload_required_plugin(void **state)
{
    tmp_fixture *f = *state;
    install(f->dir, "versioned_v1");
    copy_fixture(f->dir, "versioned_user", NULL);
    tenon_registry *reg = new_registry(f->dir, 0, &f->cap);
    tenon_plugin *user = NULL;
    expect_ok(tenon_registry_load(reg, "versioned_user", &user));
    /* Outside the range it requires (>=1 <3): refused. */
    install(f->dir, "versioned_v3m");
    expect_error(tenon_plugin_reload(reg, "versioned", 0), TENON_EVERSION, "versioned",
                 "loaded plugin versioned_user requires versioned >=1 <3",
                 "new file is version 3.0.0", NULL);
    assert_int_equal(current(reg)->a(), 1);
    install(f->dir, "versioned_v2");
    expect_ok(tenon_plugin_reload(reg, "versioned", 0));
    assert_int_equal(current(reg)->a(), 2);
    assert_false(logged(&f->cap, "versioned:fini 1"));
    expect_error(tenon_plugin_unload(tenon_registry_find(reg, "versioned")), TENON_EBUSY,
                 "versioned", "required by loaded plugin versioned_user", NULL);
    expect_ok(tenon_plugin_unload(user));
    expect_ok(tenon_plugin_unload(tenon_registry_find(reg, "versioned")));
    assert_true(logged(&f->cap, "versioned:fini 2"));
    assert_true(logged(&f->cap, "versioned:fini 1"));
    tenon_registry_free(reg);
}

/* A plugin added by path (outside the search path) is rescanned too. */
static void test_rescan_added_file(void **state)
{
    tmp_fixture *f = *state;
    install(f->dir, "versioned_v1");
    tenon_registry *reg = new_registry(NULL, 0, &f->cap);
    tenon_plugin *p = NULL;
    expect_ok(tenon_registry_add_file(reg, tmp_path(f->dir, "versioned.so"), &p));
    assert_int_equal(tenon_registry_rescan(reg, NULL), 0);
    install(f->dir, "versioned_v2");
    tenon_changes *list = NULL;
    assert_int_equal(tenon_registry_rescan(reg, &list), 1);
    const tenon_change *c = tenon_changes_at(list, 0);
    assert_int_equal(c->kind, TENON_CHANGE_REPLACED);
    assert_ptr_equal(c->record, p);
    assert_string_equal(c->plugin, "versioned");
    assert_int_equal(c->struct_size, sizeof(tenon_change));
    tenon_changes_free(list);
    assert_string_equal(tenon_plugin_version(p), "2.0.0");
    expect_ok(tenon_plugin_load(p));
    assert_int_equal(current(reg)->a(), 2);
    tenon_registry_free(reg);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, tmp_fixture_setup, tmp_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_reload_replaces_code),
        T(test_reload_unheld_and_unchanged),
        T(test_reload_migrate),
        T(test_reload_failure_keeps_old_code),
        T(test_reload_checks_pins_and_signatures),
        T(test_reload_with_instances),
        T(test_reload_instances_free_orders),
        T(test_reload_teardown_with_old_instances),
        T(test_reload_teardown_with_old_code_held),
        T(test_reload_required_plugin),
        T(test_rescan_added_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
