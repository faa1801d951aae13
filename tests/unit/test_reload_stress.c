/* Eight threads call through a plugin's interface while its file is
 * replaced and the plugin reloaded, again and again (TENON_RELOAD_COUNT
 * times; 100 by default, `make soak` runs 1000), with a file that fails a
 * check tried every few reloads. Every call must come from one whole
 * generation (a table never mixes two), be answered by a generation that
 * was installed (never a refused one), and once the last reload returned,
 * every new lookup must answer the last one. Half the threads hold a
 * table across many calls, so old code must stay mapped while held and go
 * when released; three make and free instances meanwhile (each instance
 * stays on the code it was made from, so its calls and its instance_fini
 * must all be that code's, however many reloads pass); the TSan and ASan
 * builds check that nothing races, leaks or runs unmapped code. */
#include "helpers.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "versioned.h"

#define THREADS 8

typedef struct worker {
    pthread_t thread;
    int id;
    tenon_registry *reg;
    long calls;
    unsigned seen; /* bit g: generation g answered */
    int bad;       /* torn tables, wrong answers, failed lookups */
    char why[256];
    int final_gen; /* what a lookup after the last reload answered */
} worker;

static atomic_int stop;

static void fail_once(worker *w, const char *fmt, int a, int b)
{
    if (!w->bad++)
        snprintf(w->why, sizeof(w->why), fmt, a, b);
}

/* Calls through one table: every function must answer the same generation. */
static int call_table(worker *w, const versioned_table *t, int k)
{
    int a = t->a(), b = t->b(), c = t->c(k);
    if (a != b || c != k * 1000 + a)
        fail_once(w, "torn table: a() %d, b() %d", a, b);
    if (a < 1 || a > 3)
        fail_once(w, "generation %d answered (installed: 1 to 3) %d", a, 0);
    if (a >= 0 && a < 32)
        w->seen |= 1u << a;
    w->calls++;
    return a;
}

/* Calls through an instance: its table and its data must both be of the
 * generation that made it. */
static int call_instance(worker *w, tenon_instance *inst, int k)
{
    const versioned_table *t = tenon_instance_table(inst);
    int a = call_table(w, t, k);
    int made = t->instance_gen(tenon_instance_data(inst));
    if (made != a * 101)
        fail_once(w, "instance of generation %d answered %d", a, made);
    return a;
}

/* Makes instances and frees them while reloads run: worker 6 keeps each
 * for many calls, across reloads; 2 and 4 (with names) make one per call. */
static void *work_instances(worker *w)
{
    int per_instance = w->id == 6 ? 64 : 1;
    char name[32];
    unsigned long n = 0;
    while (!atomic_load(&stop) && !w->bad) {
        snprintf(name, sizeof(name), "w%d.%lu", w->id, n++);
        tenon_instance *inst = NULL;
        if (tenon_instance_new(w->reg, "versioned", VERSIONED_IFACE, w->id == 4 ? name : NULL,
                               NULL, &inst) < 0) {
            fail_once(w, "instance_new failed (error %d)%d", tenon_last_error()->code, 0);
            break;
        }
        for (int k = 0; k < per_instance; k++) {
            call_instance(w, inst, k);
            if (per_instance > 1 && k % 16 == 0)
                sched_yield();
        }
        tenon_instance_free(inst);
    }
    tenon_instance *inst = NULL;
    if (tenon_instance_new(w->reg, "versioned", VERSIONED_IFACE, NULL, NULL, &inst) == 0) {
        w->final_gen = call_instance(w, inst, 5);
        tenon_instance_free(inst);
    }
    return NULL;
}

static void *work(void *arg)
{
    worker *w = arg;
    if (w->id % 2 == 0 && w->id != 0)
        return work_instances(w);
    char name[32];
    snprintf(name, sizeof(name), "worker%d", w->id);
    /* Odd workers keep their table for many calls, across reloads. */
    int per_hold = w->id % 2 ? 64 : 1;
    while (!atomic_load(&stop) && !w->bad) {
        const void *t = NULL;
        tenon_plugin *p = NULL;
        if (tenon_interface_hold(w->reg, "versioned", VERSIONED_IFACE, 1, name, &t, &p) < 0) {
            fail_once(w, "lookup failed (error %d)%d", tenon_last_error()->code, 0);
            break;
        }
        for (int k = 0; k < per_hold; k++) {
            call_table(w, t, k);
            if (per_hold > 1 && k % 16 == 0)
                sched_yield();
        }
        if (tenon_plugin_release(p, name) < 0)
            fail_once(w, "release failed (error %d)%d", tenon_last_error()->code, 0);
    }
    const void *t = NULL;
    tenon_plugin *p = NULL;
    if (tenon_interface_hold(w->reg, "versioned", VERSIONED_IFACE, 1, name, &t, &p) == 0) {
        w->final_gen = call_table(w, t, 5);
        tenon_plugin_release(p, name);
    }
    return NULL;
}

static void install(const char *dir, const char *fixture)
{
    copy_fixture(dir, fixture, "versioned.so.new");
    assert_int_equal(rename(tmp_path(dir, "versioned.so.new"), tmp_path(dir, "versioned.so")),
                     0);
}

static int answer(tenon_registry *reg)
{
    const void *t = NULL;
    expect_ok(tenon_interface(reg, "versioned", VERSIONED_IFACE, 1, &t, NULL));
    return ((const versioned_table *)t)->a();
}

static void test_reload_under_callers(void **state)
{
    tmp_fixture *f = *state;
    const char *env = getenv("TENON_RELOAD_COUNT");
    long reloads = env ? strtol(env, NULL, 10) : 100;
    if (reloads < 2)
        reloads = 2;
    install(f->dir, "versioned_v1");
    tenon_registry *reg = new_registry(f->dir, 0, NULL);
    tenon_registry_set_log(reg, NULL, NULL, TENON_LOG_ERROR);
    expect_ok(tenon_registry_load(reg, "versioned", NULL));

    worker workers[THREADS];
    atomic_store(&stop, 0);
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (worker){.id = i, .reg = reg};
        assert_int_equal(pthread_create(&workers[i].thread, NULL, work, &workers[i]), 0);
    }
    static const char *const broken[] = {"versioned_bad_abi", "versioned_bad_init",
                                         "versioned_bad_dep"};
    static const int broken_code[] = {TENON_EABIMAJOR, TENON_EINIT, TENON_EMISSINGDEP};
    int gen = 1;
    for (long i = 1; i < reloads; i++) {
        if (i % 10 == 5) {
            /* Refused: every caller stays on the code it had. */
            size_t k = (size_t)(i / 10) % 3;
            install(f->dir, broken[k]);
            int rc = tenon_plugin_reload(reg, "versioned", 0);
            assert_int_equal(rc, broken_code[k]);
            assert_int_equal(answer(reg), gen);
        }
        gen = gen == 1 ? 2 : 1;
        install(f->dir, gen == 1 ? "versioned_v1" : "versioned_v2");
        expect_ok(tenon_plugin_reload(reg, "versioned", 0));
        assert_int_equal(answer(reg), gen);
    }
    /* The last one migrates the state of the one before. */
    install(f->dir, "versioned_v3m");
    expect_ok(tenon_plugin_reload(reg, "versioned", 0));
    assert_int_equal(answer(reg), 3);
    atomic_store(&stop, 1);
    long calls = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(workers[i].thread, NULL);
        worker *w = &workers[i];
        if (w->bad)
            fail_msg("worker %d: %d bad calls; first: %s", i, w->bad, w->why);
        assert_int_equal(w->final_gen, 3);
        assert_int_equal(w->seen & ~0xEu, 0); /* only generations 1 to 3 */
        calls += w->calls;
    }
    const void *t = NULL;
    tenon_plugin *p = NULL;
    expect_ok(tenon_interface(reg, "versioned", VERSIONED_IFACE, 1, &t, &p));
    assert_int_equal(((const versioned_table *)t)->migrations(), 1);
    /* Every instance was freed, of whichever generation: nothing keeps
     * the plugin loaded. */
    assert_int_equal(((const versioned_table *)t)->live(), 0);
    expect_ok(tenon_plugin_unload(p));
    print_message("%ld reloads, %ld calls from %d threads\n", reloads, calls, THREADS);
    tenon_registry_free(reg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reload_under_callers, tmp_fixture_setup,
                                        tmp_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
