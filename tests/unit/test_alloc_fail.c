/* Allocation-failure sweep (tests/common/alloc_fail.h): through
 * tenon_set_allocator the Nth allocation libtenon makes fails, for
 * N = 1, 2, ... along a whole load-with-dependencies path, until a run
 * completes with no failure. Every failing run must end in TENON_ENOMEM
 * from the call that ran out, leave the registry usable for teardown, and
 * free everything: the hooks count live blocks, and the ASan/LSan build
 * checks the rest. */
#include "helpers.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc_fail.h"
#include "fixture.h"
#include "versioned.h"

typedef struct outcome {
    const char *step; /* where the run stopped, or NULL */
    int code;
    char message[512];
} outcome;

static int stop(outcome *o, const char *step, int rc)
{
    o->step = step;
    o->code = rc;
    snprintf(o->message, sizeof(o->message), "%s", tenon_last_error()->message);
    return rc;
}

/* Starts a run (o cleared) with a quiet registry of dir, scanned. Returns
 * the scan's count, or the error of the step that failed (recorded in o;
 * *reg is then NULL). */
static int scanned_registry(const char *dir, outcome *o, tenon_registry **reg)
{
    memset(o, 0, sizeof(*o));
    int rc;
    if ((rc = tenon_registry_create("tenon-test",
                                    TENON_REGISTRY_NO_ENV | TENON_REGISTRY_NO_DEFAULT_PATH,
                                    reg)) < 0)
        return stop(o, "registry_new", rc);
    tenon_registry_set_log(*reg, NULL, NULL, TENON_LOG_ERROR);
    if ((rc = tenon_registry_add_path(*reg, dir)) < 0)
        stop(o, "add_path", rc);
    else if ((rc = tenon_registry_scan(*reg)) < 0)
        stop(o, "scan", rc);
    if (rc < 0) {
        tenon_registry_free(*reg);
        *reg = NULL;
    }
    return rc;
}

/* One full run. Returns 0, or the error of the step that failed. */
static int run(const char *dir, outcome *o)
{
    tenon_registry *reg = NULL;
    tenon_options *opts = NULL;
    tenon_instance *inst = NULL, *inst2 = NULL;
    int rc;

    if ((rc = scanned_registry(dir, o, &reg)) < 0)
        return rc;
    if (rc != 5) {
        stop(o, "scan count", TENON_EINVAL);
        goto out;
    }
    rc = 0;
    /* Everything scanned must be usable: a failed allocation may not turn
     * into a plugin recorded as broken. */
    for (size_t i = 0; i < tenon_registry_count(reg); i++) {
        tenon_plugin *p = tenon_registry_at(reg, i);
        if (tenon_plugin_status(p) != TENON_STATUS_FOUND) {
            const tenon_error *e = tenon_plugin_error(p);
            rc = stop(o, "scan status", e ? e->code : TENON_EBROKEN);
            snprintf(o->message, sizeof(o->message), "%s is %s: %s", tenon_plugin_name(p),
                     tenon_status_name(tenon_plugin_status(p)), e ? e->message : "");
            goto out;
        }
    }
    if ((rc = tenon_registry_load(reg, "chain_a", NULL)) < 0) {
        stop(o, "load chain", rc);
        goto out;
    }
    /* hold_user's init loads hold_provider through host->interface. */
    if ((rc = tenon_registry_load(reg, "hold_user", NULL)) < 0) {
        stop(o, "load holder", rc);
        goto out;
    }
    if ((rc = tenon_options_new(&opts)) < 0 ||
        (rc = tenon_options_set(opts, "unused", "1", "sweep")) < 0) {
        stop(o, "options", rc);
        goto out;
    }
    /* An unknown option: a clean EOPTION, whose hint lists none. */
    rc = tenon_instance_new(reg, "chain_a", FX_IFACE, "bad", opts, &inst);
    if (rc != TENON_EOPTION && rc != TENON_ENOMEM) {
        stop(o, "instance with a bad option", rc);
        rc = rc ? rc : TENON_EINVAL;
        goto out;
    }
    if (rc == TENON_ENOMEM) {
        stop(o, "instance with a bad option", rc);
        goto out;
    }
    if ((rc = tenon_instance_new(reg, "chain_a", FX_IFACE, "sweep-1", NULL, &inst)) < 0) {
        stop(o, "instance", rc);
        goto out;
    }
    if ((rc = tenon_instance_new(reg, NULL, FX_IFACE, NULL, NULL, &inst2)) < 0) {
        stop(o, "anonymous instance", rc);
        goto out;
    }
    const void *table;
    if ((rc = tenon_interface(reg, "chain_c", FX_IFACE, 1, &table, NULL)) < 0) {
        stop(o, "interface", rc);
        goto out;
    }
    tenon_plugin *a = tenon_registry_find(reg, "chain_a");
    if ((rc = tenon_plugin_hold(a, "sweep")) < 0) {
        stop(o, "hold", rc);
        goto out;
    }
    rc = tenon_plugin_unload(a);
    if (rc != TENON_EBUSY) { /* held and with instances */
        stop(o, "refused unload", rc);
        rc = rc ? rc : TENON_EINVAL;
        goto out;
    }
    tenon_plugin_release(a, "sweep");
    tenon_instance_free(inst);
    tenon_instance_free(inst2);
    inst = inst2 = NULL;
    if ((rc = tenon_plugin_unload(a)) < 0) {
        stop(o, "unload", rc);
        goto out;
    }
    if ((rc = tenon_registry_load(reg, "chain_a", NULL)) < 0) {
        stop(o, "reload", rc);
        goto out;
    }
out:
    tenon_instance_free(inst);
    tenon_instance_free(inst2);
    tenon_options_free(opts);
    tenon_registry_free(reg);
    return rc;
}

/* Failure paths under memory pressure: a broken file at scan, a load whose
 * dependency's init fails (rollback), a version conflict, a bad option.
 * Each step ends in its own error or TENON_ENOMEM, and the registry stays
 * consistent: nothing that failed stays loaded. */
static int expect_one_of(outcome *o, const char *step, int rc, int code)
{
    if (rc == code || rc == TENON_ENOMEM)
        return 0;
    stop(o, step, rc);
    return rc ? rc : TENON_EINVAL;
}

static int run_failures(const char *dir, outcome *o)
{
    tenon_registry *reg = NULL;
    tenon_options *opts = NULL;
    tenon_instance *inst = NULL;
    int rc;
    if ((rc = scanned_registry(dir, o, &reg)) < 0)
        return rc;
    rc = 0;
    for (size_t i = 0; i < tenon_registry_count(reg); i++) {
        tenon_plugin *p = tenon_registry_at(reg, i);
        bool magic = strcmp(tenon_plugin_name(p), "bad_magic") == 0;
        const tenon_error *e = tenon_plugin_error(p);
        if (tenon_plugin_status(p) != (magic ? TENON_STATUS_BROKEN : TENON_STATUS_FOUND) ||
            (magic && (!e || e->code != TENON_EBADMAGIC))) {
            rc = stop(o, "scan status", TENON_EINVAL);
            snprintf(o->message, sizeof(o->message), "%s is %s: %s", tenon_plugin_name(p),
                     tenon_status_name(tenon_plugin_status(p)), e ? e->message : "");
            goto out;
        }
    }
    rc = tenon_registry_load(reg, "dfail_top", NULL);
    if ((rc = expect_one_of(o, "load dfail_top", rc, TENON_EINIT)) < 0)
        goto out;
    static const char *const unloaded[] = {"dfail_top", "dfail_ok"};
    for (size_t i = 0; i < 2; i++) {
        tenon_plugin *p = tenon_registry_find(reg, unloaded[i]);
        if (!p || tenon_plugin_status(p) != TENON_STATUS_FOUND) {
            rc = stop(o, "after the failed load", TENON_EINVAL);
            snprintf(o->message, sizeof(o->message), "%s is %s", unloaded[i],
                     p ? tenon_status_name(tenon_plugin_status(p)) : "gone");
            goto out;
        }
    }
    rc = tenon_registry_load(reg, "ver_a", NULL);
    if ((rc = expect_one_of(o, "load ver_a", rc, TENON_EVERSION)) < 0)
        goto out;
    if ((rc = tenon_options_new(&opts)) < 0 ||
        (rc = tenon_options_set(opts, "depth", "many", "sweep")) < 0) {
        stop(o, "options", rc);
        goto out;
    }
    rc = tenon_instance_new(reg, "good_basic", "fixture.basic", "x", opts, &inst);
    if ((rc = expect_one_of(o, "bad option", rc, TENON_EOPTTYPE)) < 0)
        goto out;
    rc = tenon_options_set(opts, "depth", "5", "sweep");
    if (rc == 0)
        rc = tenon_instance_new(reg, "good_basic", "fixture.basic", "x", opts, &inst);
    if (rc < 0) {
        stop(o, "instance", rc);
        goto out;
    }
out:
    tenon_instance_free(inst);
    tenon_options_free(opts);
    tenon_registry_free(reg);
    return rc;
}

/* Instances made by plugins and instances, left to the teardown: its plan
 * (and, without memory for one, its fallback) frees each after its owner. */
static int run_ownership(const char *dir, outcome *o)
{
    tenon_registry *reg = NULL;
    tenon_options *opts = NULL;
    tenon_instance *inst = NULL;
    int rc;
    if ((rc = scanned_registry(dir, o, &reg)) < 0)
        return rc;
    rc = 0;
    /* own_maker's init makes an instance of own_b. */
    if ((rc = tenon_registry_load(reg, "own_maker", NULL)) < 0) {
        stop(o, "load maker", rc);
        goto out;
    }
    /* h0 of own_a makes one of own_c, whose own init makes one of own_b;
     * own_a leaves its own to the registry. */
    if ((rc = tenon_options_new(&opts)) < 0 ||
        (rc = tenon_options_set(opts, "make", "own_c!>own_b", "sweep")) < 0 ||
        (rc = tenon_options_set(opts, "tag", "h0", "sweep")) < 0) {
        stop(o, "options", rc);
        goto out;
    }
    if ((rc = tenon_instance_new(reg, "own_a", "fixture.own", "h0", opts, &inst)) < 0) {
        stop(o, "instance", rc);
        goto out;
    }
out:
    tenon_options_free(opts);
    tenon_registry_free(reg);
    return rc;
}

/* Installs fixture as dir/versioned.so by renaming a new file over it. */
static void install_versioned(const char *dir, const char *fixture)
{
    copy_fixture(dir, fixture, "versioned.so.new");
    char to[4096];
    snprintf(to, sizeof(to), "%s", tmp_path(dir, "versioned.so"));
    assert_int_equal(rename(tmp_path(dir, "versioned.so.new"), to), 0);
}

static int answer(tenon_registry *reg, int *gen)
{
    const void *t = NULL;
    int rc = tenon_interface(reg, "versioned", VERSIONED_IFACE, 1, &t, NULL);
    if (rc == 0)
        *gen = ((const versioned_table *)t)->a();
    return rc;
}

/* A rescan and a reload with a holder on the old code: running out of
 * memory anywhere leaves the old code answering, and frees everything. */
static int run_reload(const char *dir, outcome *o)
{
    memset(o, 0, sizeof(*o));
    install_versioned(dir, "versioned_v1");
    tenon_registry *reg = NULL;
    tenon_changes *changes = NULL;
    int rc, gen = 0;
    if ((rc = tenon_registry_create("tenon-test",
                                    TENON_REGISTRY_NO_ENV | TENON_REGISTRY_NO_DEFAULT_PATH,
                                    &reg)) < 0)
        return stop(o, "registry_new", rc);
    tenon_registry_set_log(reg, NULL, NULL, TENON_LOG_ERROR);
    const void *held = NULL;
    tenon_plugin *p = NULL;
    if ((rc = tenon_registry_add_path(reg, dir)) < 0 || (rc = tenon_registry_scan(reg)) < 0 ||
        (rc = tenon_registry_load(reg, "versioned", NULL)) < 0 ||
        (rc = tenon_interface_hold(reg, "versioned", VERSIONED_IFACE, 1, "sweep", &held, &p)) <
            0) {
        stop(o, "load", rc);
        goto out;
    }
    install_versioned(dir, "versioned_v2");
    rc = tenon_registry_rescan(reg, &changes);
    if (rc != 1) {
        stop(o, "rescan", rc);
        rc = rc < 0 ? rc : TENON_EINVAL;
        goto out;
    }
    rc = tenon_plugin_reload(reg, "versioned", 0);
    if (rc < 0) {
        stop(o, "reload", rc);
        int arc = answer(reg, &gen);
        if (arc == 0 && gen != 1) {
            snprintf(o->message, sizeof(o->message), "a failed reload left generation %d", gen);
            rc = TENON_EINVAL;
        }
        goto out;
    }
    if ((rc = answer(reg, &gen)) < 0 || gen != 2 || ((const versioned_table *)held)->a() != 1) {
        stop(o, "after the reload", rc ? rc : TENON_EINVAL);
        rc = rc ? rc : TENON_EINVAL;
        goto out;
    }
    rc = tenon_plugin_release(p, "sweep");
    p = NULL;
    if (rc < 0) {
        stop(o, "release", rc);
        goto out;
    }
    /* Removed while loaded, then back. */
    tenon_changes_free(changes);
    changes = NULL;
    unlink(tmp_path(dir, "versioned.so"));
    if ((rc = tenon_registry_rescan(reg, &changes)) != 1 ||
        tenon_changes_at(changes, 0)->kind != TENON_CHANGE_REMOVED) {
        stop(o, "rescan after the removal", rc);
        rc = rc < 0 ? rc : TENON_EINVAL;
        goto out;
    }
    install_versioned(dir, "versioned_v1");
    if ((rc = tenon_registry_rescan(reg, NULL)) != 1) {
        stop(o, "rescan after the file came back", rc);
        rc = rc < 0 ? rc : TENON_EINVAL;
        goto out;
    }
    rc = 0;
out:
    if (p)
        tenon_plugin_release(p, "sweep");
    tenon_changes_free(changes);
    tenon_registry_free(reg);
    return rc;
}

typedef int (*run_fn)(const char *dir, outcome *o);

struct sweep_run {
    run_fn fn;
    const char *dir;
    const char *step; /* where the last run stopped */
};

/* A failing run ends in TENON_ENOMEM (or succeeds, having absorbed the
 * failure); a run with no failure succeeds. */
static int sweep_run(void *arg)
{
    struct sweep_run *s = arg;
    outcome o;
    int rc = s->fn(s->dir, &o);
    s->step = o.step ? o.step : "(nowhere)";
    if (alloc_fail.fail_at == 0 && rc != 0)
        fail_msg("the run without failures stopped at %s: %s: %s", o.step,
                 tenon_err_name(o.code), o.message);
    if (alloc_fail.failures == 0 && rc != 0)
        fail_msg("run %lu had no failure but stopped at %s: %s", alloc_fail.fail_at, o.step,
                 o.message);
    if (rc != 0 && rc != TENON_ENOMEM)
        fail_msg("allocation %lu failed; the run stopped at %s with %s instead of "
                 "TENON_ENOMEM: %s",
                 alloc_fail.fail_at, o.step, tenon_err_name(rc), o.message);
    return 0;
}

static void sweep(run_fn fn, const char *dir)
{
    tenon_set_allocator(alloc_fail_malloc, alloc_fail_realloc, alloc_fail_free);
    struct sweep_run s = {fn, dir, NULL};
    struct alloc_fail_result r;
    if (alloc_fail_sweep(sweep_run, &s, &r) != 0)
        fail_msg("%s (the run stopped at %s)", alloc_fail.error, s.step);
    print_message("%lu allocations per run; %lu runs\n", r.allocations, r.failed_runs + 1);
    assert_true(r.failed_runs + 1 > 50);
    tenon_set_allocator(NULL, NULL, NULL);
}

static void test_sweep_load_path(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    copy_fixtures(dir, "chain_a", "chain_b", "chain_c", "hold_user", "hold_provider", NULL);
    sweep(run, dir);
    tmp_remove(dir);
}

static void test_sweep_failure_paths(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    copy_fixtures(dir, "bad_magic", "dfail_top", "dfail_ok", "dfail_bad", "ver_a", "ver_b",
                  "good_basic", NULL);
    sweep(run_failures, dir);
    tmp_remove(dir);
}

static void test_sweep_ownership(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    copy_fixtures(dir, "own_maker", "own_a", "own_b", "own_c", NULL);
    sweep(run_ownership, dir);
    tmp_remove(dir);
}

static void test_sweep_reload(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    sweep(run_reload, dir);
    tmp_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sweep_load_path),
        cmocka_unit_test(test_sweep_failure_paths),
        cmocka_unit_test(test_sweep_ownership),
        cmocka_unit_test(test_sweep_reload),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
