/* Eight threads for about two seconds (and a bounded number of rounds):
 * interface lookups, provider lists, instances made and destroyed, an
 * unloadable plugin loaded and unloaded, holds taken and released, all on
 * one registry. Every call must succeed or fail with one of the errors the
 * race explains (busy, not loaded); ThreadSanitizer (the tsan suite) checks
 * the rest. */
#include "helpers.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "basic.h"
#include "fixture.h"

#define THREADS 8
#define SECONDS 2
#define MAX_ROUNDS 200000

typedef struct shared {
    tenon_registry *reg;
    tenon_plugin *unloadable;
    atomic_bool stop;
    atomic_long unexpected;
    atomic_long rounds;
    atomic_long loads, unloads, busy, instances, holds;
    pthread_mutex_t lock;
    char first[1024];
} shared;

typedef struct worker {
    shared *sh;
    int index;
} worker;

static void unexpected(shared *sh, const char *what, int rc)
{
    char text[900];
    tenon_error_format(tenon_last_error(), text, sizeof(text));
    pthread_mutex_lock(&sh->lock);
    if (!sh->first[0])
        snprintf(sh->first, sizeof(sh->first), "%s: %s: %s", what, tenon_err_name(rc), text);
    pthread_mutex_unlock(&sh->lock);
    atomic_fetch_add(&sh->unexpected, 1);
}

#define CHECK(sh, what, rc, ...)                                  \
    do {                                                          \
        int rc_ = (rc);                                           \
        const int ok_[] = {0, __VA_ARGS__};                       \
        bool fine_ = false;                                       \
        for (size_t k_ = 0; k_ < sizeof(ok_) / sizeof(int); k_++) \
            fine_ |= rc_ == ok_[k_];                              \
        if (!fine_)                                               \
            unexpected(sh, what, rc_);                            \
    } while (0)

static void look_up(shared *sh)
{
    const basic_table *bt;
    tenon_plugin *provider;
    int rc = tenon_interface(sh->reg, NULL, BASIC_IFACE, 1, (const void **)&bt, &provider);
    CHECK(sh, "lookup by rank", rc, 0);
    if (rc == 0 && (bt->live() < 0 || bt->plugin_depth() != 4))
        unexpected(sh, "basic table", TENON_EINVAL);
    const fx_table *t;
    CHECK(sh, "lookup by name",
          tenon_interface(sh->reg, "chain_a", FX_IFACE, 1, (const void **)&t, NULL), 0);
    /* Loads the unloadable one when it is not loaded; the table is not
     * used: without a hold another thread may unload it. */
    CHECK(sh, "lookup of the unloadable",
          tenon_interface(sh->reg, "good_unloadable", FX_IFACE, 1, (const void **)&t, NULL), 0);
    tenon_plugin *list[16];
    size_t n = tenon_providers(sh->reg, FX_IFACE, 1, list, 16);
    if (n < 4 || n > 16)
        unexpected(sh, "providers", TENON_EINVAL);
    for (size_t i = 0; i < tenon_registry_count(sh->reg); i++) {
        tenon_plugin *p = tenon_registry_at(sh->reg, i);
        if (!tenon_plugin_name(p) || tenon_plugin_status(p) == TENON_STATUS_BROKEN)
            unexpected(sh, "listing", TENON_EINVAL);
    }
    if (tenon_registry_find(sh->reg, "good_unloadable") != sh->unloadable)
        unexpected(sh, "find", TENON_EINVAL);
}

static void make_instances(shared *sh, int index)
{
    tenon_instance *a, *b;
    char name[32];
    snprintf(name, sizeof(name), "worker-%d", index);
    int rc = tenon_instance_new(sh->reg, "good_basic", BASIC_IFACE, NULL, NULL, &a);
    CHECK(sh, "basic instance", rc, 0);
    if (rc == 0) {
        const basic_instance *bi = tenon_instance_data(a);
        if (bi->magic != BASIC_MAGIC || bi->depth != 4)
            unexpected(sh, "basic instance data", TENON_EINVAL);
    }
    /* Pins the unloadable plugin (loading it if needed) while it lives. */
    rc = tenon_instance_new(sh->reg, "good_unloadable", FX_IFACE, name, NULL, &b);
    CHECK(sh, "unloadable instance", rc, 0);
    if (rc == 0) {
        const fx_table *t = tenon_instance_table(b);
        if (strcmp(t->name(), "good_unloadable") != 0 ||
            strcmp(((const fx_instance *)tenon_instance_data(b))->tag, name) != 0 ||
            tenon_registry_instance(sh->reg, name) != b)
            unexpected(sh, "unloadable instance data", TENON_EINVAL);
        tenon_instance_free(b);
        atomic_fetch_add(&sh->instances, 1);
    }
    if (tenon_instance_new(sh->reg, NULL, BASIC_IFACE, NULL, NULL, &b) == 0)
        tenon_instance_free(b);
    tenon_instance_free(a);
}

static void load_unload(shared *sh)
{
    CHECK(sh, "load", tenon_registry_load(sh->reg, "good_unloadable", NULL), 0);
    atomic_fetch_add(&sh->loads, 1);
    int rc = tenon_plugin_unload(sh->unloadable);
    /* Busy (instances, holds), or already unloaded by another thread. */
    CHECK(sh, "unload", rc, TENON_EBUSY, TENON_ESTATE);
    if (rc == 0)
        atomic_fetch_add(&sh->unloads, 1);
    else if (rc == TENON_EBUSY)
        atomic_fetch_add(&sh->busy, 1);
}

static void hold_release(shared *sh, int index)
{
    char holder[32];
    snprintf(holder, sizeof(holder), "holder-%d", index);
    int rc = tenon_plugin_hold(sh->unloadable, holder);
    CHECK(sh, "hold", rc, TENON_ESTATE);
    if (rc != 0) {
        /* Not loaded right now: load it for the next round. */
        CHECK(sh, "load for a hold", tenon_plugin_load(sh->unloadable), 0);
        return;
    }
    /* While held it cannot go: the table may be used. */
    const fx_table *t;
    rc = tenon_interface(sh->reg, "good_unloadable", FX_IFACE, 1, (const void **)&t, NULL);
    CHECK(sh, "lookup while held", rc, 0);
    if (rc == 0 && strcmp(t->name(), "good_unloadable") != 0)
        unexpected(sh, "table while held", TENON_EINVAL);
    if (tenon_plugin_status(sh->unloadable) != TENON_STATUS_LOADED)
        unexpected(sh, "status while held", TENON_EINVAL);
    CHECK(sh, "release", tenon_plugin_release(sh->unloadable, holder), 0);
    atomic_fetch_add(&sh->holds, 1);
}

static void *work(void *arg)
{
    worker *w = arg;
    shared *sh = w->sh;
    for (long round = 0; round < MAX_ROUNDS && !atomic_load(&sh->stop); round++) {
        switch (w->index % 4) {
        case 0:
            look_up(sh);
            break;
        case 1:
            make_instances(sh, w->index);
            break;
        case 2:
            load_unload(sh);
            break;
        case 3:
            hold_release(sh, w->index);
            break;
        }
        atomic_fetch_add(&sh->rounds, 1);
    }
    return NULL;
}

static void test_eight_threads(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    copy_fixtures(dir, "good_basic", "good_unloadable", "chain_a", "chain_b", "chain_c",
                  "rank_a", NULL);
    shared sh;
    memset(&sh, 0, sizeof(sh));
    pthread_mutex_init(&sh.lock, NULL);
    sh.reg = new_registry(dir, 0, NULL);
    sh.unloadable = tenon_registry_find(sh.reg, "good_unloadable");
    assert_non_null(sh.unloadable);
    expect_ok(tenon_registry_load(sh.reg, "good_basic", NULL));

    pthread_t threads[THREADS];
    worker workers[THREADS];
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (worker){&sh, i};
        assert_int_equal(pthread_create(&threads[i], NULL, work, &workers[i]), 0);
    }
    struct timespec end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    end.tv_sec += SECONDS;
    for (;;) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec > end.tv_sec || (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
            break;
        if (atomic_load(&sh.rounds) >= (long)THREADS * MAX_ROUNDS)
            break;
        struct timespec tick = {0, 20 * 1000 * 1000};
        nanosleep(&tick, NULL);
    }
    atomic_store(&sh.stop, true);
    for (int i = 0; i < THREADS; i++)
        pthread_join(threads[i], NULL);

    print_message("%ld rounds: %ld loads, %ld unloads (%ld refused busy), %ld instances, "
                  "%ld holds\n",
                  atomic_load(&sh.rounds), atomic_load(&sh.loads), atomic_load(&sh.unloads),
                  atomic_load(&sh.busy), atomic_load(&sh.instances), atomic_load(&sh.holds));
    if (atomic_load(&sh.unexpected))
        fail_msg("%ld unexpected results; the first: %s", atomic_load(&sh.unexpected),
                 sh.first);
    /* Every thread got work done, and the plugin came and went. */
    assert_true(atomic_load(&sh.rounds) >= THREADS);
    assert_true(atomic_load(&sh.loads) > 0);

    /* Nothing is left holding it: it loads and unloads cleanly. */
    expect_ok(tenon_plugin_load(sh.unloadable));
    expect_ok(tenon_plugin_unload(sh.unloadable));
    tenon_registry_free(sh.reg);
    pthread_mutex_destroy(&sh.lock);
    tmp_remove(dir);
}

/* Lookups of loaded plugins do not wait for another plugin's long init. */
typedef struct slow_load {
    tenon_registry *reg;
    int rc;
} slow_load;

static void *load_slow(void *arg)
{
    slow_load *s = arg;
    s->rc = tenon_registry_load(s->reg, "slow_init", NULL);
    return NULL;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void test_lookups_during_a_long_init(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    copy_fixtures(dir, "good_basic", "slow_init", NULL);
    log_capture cap;
    tenon_registry *reg = new_registry(dir, 0, &cap);
    expect_ok(tenon_registry_load(reg, "good_basic", NULL));
    slow_load s = {reg, -1};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, load_slow, &s), 0);
    /* Wait until slow_init is inside its init (it sleeps 400 ms there). */
    double start = now_ms();
    while (!capture_has_event(&cap, "slow_init:init") && now_ms() - start < 10000) {
        struct timespec tick = {0, 1000000};
        nanosleep(&tick, NULL);
    }
    double begin = now_ms();
    for (int i = 0; i < 100; i++) {
        const basic_table *bt;
        expect_ok(tenon_interface(reg, NULL, BASIC_IFACE, 1, (const void **)&bt, NULL));
        tenon_instance *inst;
        expect_ok(tenon_instance_new(reg, "good_basic", BASIC_IFACE, NULL, NULL, &inst));
        tenon_instance_free(inst);
    }
    double took = now_ms() - begin;
    /* Still in its init: the lookups did not wait for it. */
    assert_int_equal(tenon_plugin_status(tenon_registry_find(reg, "slow_init")),
                     TENON_STATUS_FOUND);
    pthread_join(t, NULL);
    expect_ok(s.rc);
    if (took > 300)
        fail_msg("100 lookups took %.0f ms while another plugin's init ran", took);
    tenon_registry_free(reg);
    tmp_remove(dir);
}

/* A load transaction fails after other threads started using a plugin it
 * loaded: what they use stays, and so does everything it needs. */
typedef struct failing_load {
    tenon_registry *reg;
    int rc;
} failing_load;

static void *load_failing(void *arg)
{
    failing_load *s = arg;
    s->rc = tenon_registry_load(s->reg, "dslow_top", NULL);
    return NULL;
}

static void test_rollback_spares_what_others_use(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    copy_fixtures(dir, "dslow_top", "dslow_bad", "chain_b", "chain_c", NULL);
    log_capture cap;
    tenon_registry *reg = new_registry(dir, 0, &cap);
    failing_load s = {reg, 0};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, load_failing, &s), 0);
    /* chain_c and chain_b are loaded; dslow_bad sleeps in its init. */
    double start = now_ms();
    while (!capture_has_event(&cap, "dslow_bad:init") && now_ms() - start < 10000) {
        struct timespec tick = {0, 1000000};
        nanosleep(&tick, NULL);
    }
    tenon_instance *inst;
    expect_ok(tenon_instance_new(reg, "chain_b", FX_IFACE, "outside", NULL, &inst));
    pthread_join(t, NULL);
    assert_int_equal(s.rc, TENON_EINIT);
    /* chain_b has an instance from outside the transaction: it stays, and
     * chain_c, which it requires, stays too. */
    assert_int_equal(tenon_plugin_status(tenon_registry_find(reg, "chain_b")),
                     TENON_STATUS_LOADED);
    assert_int_equal(tenon_plugin_status(tenon_registry_find(reg, "chain_c")),
                     TENON_STATUS_LOADED);
    assert_int_equal(tenon_plugin_status(tenon_registry_find(reg, "dslow_top")),
                     TENON_STATUS_FOUND);
    assert_false(capture_has_event(&cap, "chain_c:fini"));
    const fx_table *tb = tenon_instance_table(inst);
    assert_string_equal(tb->name(), "chain_b");
    tenon_instance_free(inst);
    /* The registry still knows chain_b needs chain_c. */
    expect_error(tenon_plugin_unload(tenon_registry_find(reg, "chain_c")), TENON_EBUSY,
                 "chain_c", "required by loaded plugin chain_b", NULL);
    tenon_registry_free(reg);
    tmp_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eight_threads),
        cmocka_unit_test(test_lookups_during_a_long_init),
        cmocka_unit_test(test_rollback_spares_what_others_use),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
