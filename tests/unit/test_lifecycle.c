/* Issue 3: dependencies, interfaces, the host API table, instances, and a
 * lifecycle that never leaves a mess. Linked with the library's internals
 * so a failed load can be checked to leave every plugin's state exactly as
 * it was: status, load state, holders, instances, dependencies, code
 * handles, and the process's loaded objects and open files. */
#include "helpers.h"

#include "internal.h"

#include <dirent.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>

#include "basic.h"
#include "fixture.h"
#include "symuser.h"

typedef tmp_fixture fixture;

/* A registry over a fresh folder holding the given fixtures. */
#define registry_with(f, ...) \
    (copy_fixtures((f)->dir, __VA_ARGS__, NULL), new_registry((f)->dir, 0, &(f)->cap))

static tenon_plugin *find(tenon_registry *reg, const char *name)
{
    tenon_plugin *p = tenon_registry_find(reg, name);
    if (!p)
        fail_msg("no plugin %s", name);
    return p;
}

static void expect_status(tenon_registry *reg, const char *name, tenon_status status)
{
    tenon_status got = tenon_plugin_status(find(reg, name));
    if (got != status)
        fail_msg("%s is %s, want %s", name, tenon_status_name(got), tenon_status_name(status));
}

/* ---- Registry snapshots ------------------------------------------------------ */

typedef struct plugin_snap {
    char name[64];
    tenon_status status;
    tenon__load_state state;
    const tenon_error *error;
    const tenon_plugin *shadowed_by;
    size_t n_holders;
    unsigned holds;
    size_t n_instances, n_deps;
    bool has_dl, has_entry, has_values, has_data;
    bool active; /* the one its name finds */
} plugin_snap;

typedef struct snapshot {
    size_t n;
    plugin_snap p[64];
    size_t instances, named_instances;
    int fd_objects; /* objects the loader holds open through /proc/self/fd */
    int open_fds;
} snapshot;

static int count_fd_object(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    if (info->dlpi_name && strncmp(info->dlpi_name, "/proc/self/fd/", 14) == 0)
        (*(int *)data)++;
    return 0;
}

static int count_open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        n += de->d_name[0] != '.';
    closedir(d);
    return n;
}

static void take_snapshot(tenon_registry *reg, snapshot *s)
{
    memset(s, 0, sizeof(*s));
    tenon__lock(reg);
    s->n = reg->n_plugins;
    assert_true(s->n <= 64);
    for (size_t i = 0; i < s->n; i++) {
        const tenon_plugin *p = reg->plugins[i];
        plugin_snap *ps = &s->p[i];
        snprintf(ps->name, sizeof(ps->name), "%s", p->display_name);
        ps->status = p->status;
        ps->state = p->state;
        ps->error = p->error;
        ps->shadowed_by = p->shadowed_by;
        ps->n_holders = p->n_holders;
        for (size_t h = 0; h < p->n_holders; h++)
            ps->holds += p->holders[h].count;
        ps->n_instances = p->n_instances;
        ps->n_deps = p->n_deps;
        ps->has_dl = p->dl != NULL;
        ps->has_entry = p->entry != NULL;
        ps->has_values = p->values != NULL;
        ps->has_data = p->plugin_data != NULL;
        ps->active = p->desc && tenon__map_get(&reg->by_name, p->desc->name) == p;
    }
    s->instances = reg->n_instances;
    s->named_instances = reg->instance_by_name.count;
    tenon__unlock(reg);
    dl_iterate_phdr(count_fd_object, &s->fd_objects);
    s->open_fds = count_open_fds();
}

/* Asserts that after equals before, except for the status and error of
 * the plugin called culprit (a failing plugin is recorded as broken, with
 * its error, so listings show why and its name no longer finds it; that
 * is not a leftover of the load). */
static void expect_same_state(const snapshot *before, const snapshot *after,
                              const char *culprit)
{
    assert_int_equal(before->n, after->n);
    for (size_t i = 0; i < before->n; i++) {
        const plugin_snap *a = &before->p[i], *b = &after->p[i];
        bool skip = culprit && strcmp(a->name, culprit) == 0;
#define SAME(field)                                                                       \
    if (a->field != b->field)                                                             \
        fail_msg("plugin %s: " #field " was %lld, is %lld", a->name, (long long)a->field, \
                 (long long)b->field);
        if (!skip) {
            SAME(status);
            SAME(active);
            if (a->error != b->error)
                fail_msg("plugin %s: its error changed", a->name);
        }
        SAME(state);
        if (a->shadowed_by != b->shadowed_by)
            fail_msg("plugin %s: shadowed_by changed", a->name);
        SAME(n_holders);
        SAME(holds);
        SAME(n_instances);
        SAME(n_deps);
        SAME(has_dl);
        SAME(has_entry);
        SAME(has_values);
        SAME(has_data);
#undef SAME
    }
    assert_int_equal(before->instances, after->instances);
    assert_int_equal(before->named_instances, after->named_instances);
    assert_int_equal(before->fd_objects, after->fd_objects);
    assert_int_equal(before->open_fds, after->open_fds);
}

/* ---- Dependencies ---------------------------------------------------------------- */

static void test_chain(void **state)
{
    fixture *f = *state;
    tenon_registry *reg = registry_with(f, "chain_a", "chain_b", "chain_c");
    tenon_plugin *a = find(reg, "chain_a");

    tenon_plugin *order[8];
    assert_int_equal(tenon_plugin_load_order(a, order, 8), 3);
    assert_string_equal(tenon_plugin_name(order[0]), "chain_c");
    assert_string_equal(tenon_plugin_name(order[1]), "chain_b");
    assert_string_equal(tenon_plugin_name(order[2]), "chain_a");
    /* A short buffer still gets the count. */
    assert_int_equal(tenon_plugin_load_order(a, order, 1), 3);
    assert_string_equal(tenon_plugin_name(order[0]), "chain_c");
    assert_string_equal(captured_events(&f->cap), "");

    expect_ok(tenon_plugin_load(a));
    assert_string_equal(captured_events(&f->cap), "chain_c:init chain_b:init chain_a:init ");
    expect_status(reg, "chain_a", TENON_STATUS_LOADED);
    expect_status(reg, "chain_b", TENON_STATUS_LOADED);
    expect_status(reg, "chain_c", TENON_STATUS_LOADED);
    /* Nothing is left to load. */
    assert_int_equal(tenon_plugin_load_order(a, order, 8), 0);

    capture_reset(&f->cap);
    tenon_registry_free(reg);
    assert_string_equal(captured_events(&f->cap), "chain_a:fini chain_b:fini chain_c:fini ");
}

static void test_chain_partly_loaded(void **state)
{
    fixture *f = *state;
    tenon_registry *reg = registry_with(f, "chain_a", "chain_b", "chain_c");
    expect_ok(tenon_registry_load(reg, "chain_b", NULL));
    assert_string_equal(captured_events(&f->cap), "chain_c:init chain_b:init ");
    tenon_plugin *order[4];
    assert_int_equal(tenon_plugin_load_order(find(reg, "chain_a"), order, 4), 1);
    expect_ok(tenon_registry_load(reg, "chain_a", NULL));
    assert_string_equal(captured_events(&f->cap), "chain_c:init chain_b:init chain_a:init ");
    capture_reset(&f->cap);
    tenon_registry_free(reg);
    assert_string_equal(captured_events(&f->cap), "chain_a:fini chain_b:fini chain_c:fini ");
}

static void test_diamond(void **state)
{
    fixture *f = *state;
    tenon_registry *reg = registry_with(f, "dia_top", "dia_left", "dia_right", "dia_base");
    expect_ok(tenon_registry_load(reg, "dia_top", NULL));
    /* The shared dependency loads once, first; the top last. */
    assert_string_equal(captured_events(&f->cap),
                        "dia_base:init dia_left:init dia_right:init dia_top:init ");
    capture_reset(&f->cap);
    tenon_registry_free(reg);
    assert_string_equal(captured_events(&f->cap),
                        "dia_top:fini dia_right:fini dia_left:fini dia_base:fini ");
}

static void test_cycle(void **state)
{
    fixture *f = *state;
    tenon_registry *reg = registry_with(f, "cyc_a", "cyc_b", "cyc_c", "good_basic");
    expect_ok(tenon_registry_load(reg, "good_basic", NULL));
    snapshot before, after;
    take_snapshot(reg, &before);

    expect_error(tenon_registry_load(reg, "cyc_a", NULL), TENON_ECYCLE, "cyc_a",
                 "cyc_a -> cyc_b -> cyc_c -> cyc_a", NULL);
    assert_int_equal(tenon_last_error()->stage, TENON_STAGE_RESOLVE);
    expect_error(tenon_registry_load(reg, "cyc_b", NULL), TENON_ECYCLE, "cyc_b",
                 "cyc_b -> cyc_c -> cyc_a -> cyc_b", NULL);
    tenon_plugin *order[4];
    expect_error(tenon_plugin_load_order(find(reg, "cyc_c"), order, 4), TENON_ECYCLE, "cyc_c",
                 "cyc_c -> cyc_a -> cyc_b -> cyc_c", NULL);

    take_snapshot(reg, &after);
    expect_same_state(&before, &after, NULL);
    assert_string_equal(captured_events(&f->cap), "good_basic:init ");
    tenon_registry_free(reg);
}

static void test_missing_dependency(void **state)
{
    fixture *f = *state;
    tenon_registry *reg = registry_with(f, "miss_a", "chain_c");
    snapshot before, after;
    take_snapshot(reg, &before);
    expect_error(tenon_registry_load(reg, "miss_a", NULL), TENON_EMISSINGDEP, "miss_a",
                 "plugin miss_a requires miss_gone >=1.1", "not installed", f->dir, NULL);
    take_snapshot(reg, &after);
    expect_same_state(&before, &after, NULL);
    assert_string_equal(captured_events(&f->cap), "");
    tenon_registry_free(reg);
}

static void test_unusable_dependency(void **state)
{
    fixture *f = *state;
    /* chain_b needs chain_c, which is broken here (a text file). */
    copy_fixtures(f->dir, "chain_b", NULL);
    write_file(tmp_path(f->dir, "chain_c.so"), "not a plugin");
    tenon_registry *reg = new_registry(f->dir, 0, &f->cap);
    expect_error(tenon_registry_load(reg, "chain_b", NULL), TENON_EMISSINGDEP, "chain_b",
                 "requires chain_c, but it is broken", "not an ELF file", NULL);
    assert_null(strstr(tenon_last_error()->message, "not installed"));
    tenon_registry_free(reg);
}

static void test_version_conflict(void **state)
{
    fixture *f = *state;
    tenon_registry *reg = registry_with(f, "ver_a", "ver_b");
    snapshot before, after;
    take_snapshot(reg, &before);
    expect_error(tenon_registry_load(reg, "ver_a", NULL), TENON_EVERSION, "ver_a",
                 "ver_a 3.0.0 requires ver_b >=2 <3", "ver_b is 1.4.0", NULL);
    take_snapshot(reg, &after);
    expect_same_state(&before, &after, NULL);
    /* The dependency itself is fine on its own. */
    expect_ok(tenon_registry_load(reg, "ver_b", NULL));
    expect_error(tenon_registry_load(reg, "ver_a", NULL), TENON_EVERSION, "ver_a", "1.4.0",
                 NULL);
    tenon_registry_free(reg);
}

static void test_dependency_init_fails(void **state)
{
    fixture *f = *state;
    tenon_registry *reg = registry_with(f, "dfail_top", "dfail_ok", "dfail_bad", "good_basic");
    expect_ok(tenon_registry_load(reg, "good_basic", NULL));
    capture_reset(&f->cap);
    snapshot before, after;
    take_snapshot(reg, &before);

    expect_error(tenon_registry_load(reg, "dfail_top", NULL), TENON_EINIT, "dfail_bad",
                 "no frobnicator", "needed by dfail_top", NULL);
    /* dfail_ok was initialized on the way and is finished again; the top
     * never ran. */
    assert_string_equal(captured_events(&f->cap),
                        "dfail_ok:init dfail_bad:init dfail_ok:fini ");
    take_snapshot(reg, &after);
    expect_same_state(&before, &after, "dfail_bad");
    expect_status(reg, "dfail_top", TENON_STATUS_FOUND);
    expect_status(reg, "dfail_ok", TENON_STATUS_FOUND);
    expect_status(reg, "good_basic", TENON_STATUS_LOADED);
    /* The culprit is recorded; the top fails fast and says why. */
    tenon_plugin *bad = tenon_registry_at(reg, 0);
    assert_string_equal(tenon_plugin_name(bad), "dfail_bad");
    assert_int_equal(tenon_plugin_status(bad), TENON_STATUS_BROKEN);
    expect_error_obj(tenon_plugin_error(bad), TENON_EINIT, "dfail_bad", "no frobnicator", NULL);
    capture_reset(&f->cap);
    expect_error(tenon_registry_load(reg, "dfail_top", NULL), TENON_EMISSINGDEP, "dfail_top",
                 "requires dfail_bad, but it is broken", "no frobnicator", NULL);
    assert_string_equal(captured_events(&f->cap), "");
    tenon_registry_free(reg);
}

static void test_failed_load_keeps_earlier_loads(void **state)
{
    fixture *f = *state;
    tenon_registry *reg = registry_with(f, "dfail_top", "dfail_ok", "dfail_bad");
    tenon_plugin *ok;
    expect_ok(tenon_registry_load(reg, "dfail_ok", &ok));
    expect_ok(tenon_plugin_hold(ok, "the test"));
    capture_reset(&f->cap);
    snapshot before, after;
    take_snapshot(reg, &before);
    expect_error(tenon_registry_load(reg, "dfail_top", NULL), TENON_EINIT, "dfail_bad", NULL);
    take_snapshot(reg, &after);
    expect_same_state(&before, &after, "dfail_bad");
    /* dfail_ok was loaded before the transaction: it stays. */
    assert_string_equal(captured_events(&f->cap), "dfail_bad:init ");
    expect_status(reg, "dfail_ok", TENON_STATUS_LOADED);
    expect_ok(tenon_plugin_release(ok, "the test"));
    tenon_registry_free(reg);
}

static void test_failed_init_releases_its_holds(void **state)
{
    fixture *f = *state;
    tenon_registry *reg = registry_with(f, "hold_badinit", "hold_provider");
    snapshot before, after;
    take_snapshot(reg, &before);
    /* hold_badinit's init looks up hold_provider (loading it), then fails:
     * the provider it loaded goes too. */
    expect_error(tenon_registry_load(reg, "hold_badinit", NULL), TENON_EINIT, "hold_badinit",
                 "fails after taking a hold on hold_provider", NULL);
    assert_string_equal(captured_events(&f->cap),
                        "hold_badinit:init hold_provider:init hold_provider:fini ");
    take_snapshot(reg, &after);
    expect_same_state(&before, &after, "hold_badinit");
    tenon_registry_free(reg);

    /* With the provider loaded beforehand, it stays, without the hold. */
    tmp_remove(f->dir);
    f->dir = tmp_dir();
    reg = registry_with(f, "hold_badinit", "hold_provider");
    expect_ok(tenon_registry_load(reg, "hold_provider", NULL));
    take_snapshot(reg, &before);
    expect_error(tenon_registry_load(reg, "hold_badinit", NULL), TENON_EINIT, "hold_badinit",
                 NULL);
    take_snapshot(reg, &after);
    expect_same_state(&before, &after, "hold_badinit");
    expect_status(reg, "hold_provider", TENON_STATUS_LOADED);
    expect_ok(tenon_plugin_unload(find(reg, "hold_provider")));
    tenon_registry_free(reg);
}

/* ---- Unloading ------------------------------------------------------------------- */

static void test_unload_refused_while_held_by_the_host(void **state)
{
    fixture *f = *state;
    tenon_registry *reg = registry_with(f, "good_unloadable");
    tenon_plugin *p = find(reg, "good_unloadable");
    expect_error(tenon_plugin_hold(p, "early"), TENON_ESTATE, "good_unloadable", "not loaded",
                 NULL);
    expect_error(tenon_plugin_unload(p), TENON_ESTATE, "good_unloadable", "not loaded", NULL);
    expect_ok(tenon_plugin_load(p));
    expect_ok(tenon_plugin_hold(p, "job 1"));
    expect_ok(tenon_plugin_hold(p, "job 1"));
    expect_ok(tenon_plugin_hold(p, "job 2"));
    expect_error(tenon_plugin_unload(p), TENON_EBUSY, "good_unloadable", "held by job 1",
                 "held by job 2", NULL);
    assert_int_equal(tenon_last_error()->stage, TENON_STAGE_UNLOAD);
    expect_ok(tenon_plugin_release(p, "job 2"));
    expect_ok(tenon_plugin_release(p, "job 1"));
    /* job 1 held twice. */
    expect_error(tenon_plugin_unload(p), TENON_EBUSY, "good_unloadable", "held by job 1", NULL);
    expect_ok(tenon_plugin_release(p, "job 1"));
    expect_error(tenon_plugin_release(p, "job 1"), TENON_EINVAL, "good_unloadable",
                 "not held by job 1", NULL);
    expect_ok(tenon_plugin_unload(p));
    assert_string_equal(captured_events(&f->cap), "good_unloadable:init good_unloadable:fini ");
    expect_status(reg, "good_unloadable", TENON_STATUS_FOUND);
    tenon_registry_free(reg);
}

static void test_unload_refused_while_held_by_a_plugin(void **state)
{
    fixture *f = *state;
    tenon_registry *reg = registry_with(f, "hold_user", "hold_provider");
    /* hold_user's init looks up hold_provider through host->interface. */
    expect_ok(tenon_registry_load(reg, "hold_user", NULL));
    assert_string_equal(captured_events(&f->cap), "hold_user:init hold_provider:init ");
    tenon_plugin *provider = find(reg, "hold_provider");
    expect_error(tenon_plugin_unload(provider), TENON_EBUSY, "hold_provider",
                 "held by hold_user", NULL);
    /* Unloading the holder releases its holds. */
    capture_reset(&f->cap);
    expect_ok(tenon_plugin_unload(find(reg, "hold_user")));
    assert_string_equal(captured_events(&f->cap), "hold_user:fini ");
    expect_contains(f->cap.all, "hold_user:fini (target hold_provider alive)");
    expect_ok(tenon_plugin_unload(provider));
    tenon_registry_free(reg);
}

static void test_unload_refused_while_required(void **state)
{
    fixture *f = *state;
    tenon_registry *reg = registry_with(f, "chain_a", "chain_b", "chain_c");
    expect_ok(tenon_registry_load(reg, "chain_a", NULL));
    expect_error(tenon_plugin_unload(find(reg, "chain_b")), TENON_EBUSY, "chain_b",
                 "required by loaded plugin chain_a", NULL);
    expect_error(tenon_plugin_unload(find(reg, "chain_c")), TENON_EBUSY, "chain_c",
                 "required by loaded plugin chain_b", NULL);
    /* From the top down it works. */
    expect_ok(tenon_plugin_unload(find(reg, "chain_a")));
    expect_ok(tenon_plugin_unload(find(reg, "chain_b")));
    expect_ok(tenon_plugin_unload(find(reg, "chain_c")));
    assert_string_equal(captured_events(&f->cap), "chain_c:init chain_b:init chain_a:init "
                                                  "chain_a:fini chain_b:fini chain_c:fini ");
    tenon_registry_free(reg);
}

static void test_unload_refused_while_instances_live(void **state)
{
    fixture *f = *state;
    tenon_registry *reg = registry_with(f, "good_unloadable");
    tenon_instance *named, *anon;
    expect_ok(tenon_instance_new(reg, "good_unloadable", FX_IFACE, "inst-1", NULL, &named));
    expect_ok(tenon_instance_new(reg, "good_unloadable", FX_IFACE, NULL, NULL, &anon));
    tenon_plugin *p = find(reg, "good_unloadable");
    expect_error(tenon_plugin_unload(p), TENON_EBUSY, "good_unloadable", "2 instances",
                 "inst-1", NULL);
    tenon_instance_free(named);
    expect_error(tenon_plugin_unload(p), TENON_EBUSY, "good_unloadable", "1 instance", NULL);
    tenon_instance_free(anon);
    expect_ok(tenon_plugin_unload(p));
    tenon_registry_free(reg);
}

static void test_resident_and_static_refused(void **state)
{
    fixture *f = *state;
    tenon_registry *reg = registry_with(f, "good_basic");
    tenon_plugin *p;
    expect_ok(tenon_registry_load(reg, "good_basic", &p));
    expect_error(tenon_plugin_unload(p), TENON_ENOTUNLOADABLE, "good_basic", "resident",
                 "TENON_PLUGIN_UNLOADABLE", NULL);
    expect_status(reg, "good_basic", TENON_STATUS_LOADED);
    assert_int_equal(tenon_plugin_unload(NULL), TENON_EINVAL);
    tenon_registry_free(reg);
    /* Static plugins: see test_static. */
}

static void test_unload_and_reload(void **state)
{
    fixture *f = *state;
    tenon_registry *reg = registry_with(f, "good_unloadable");
    tenon_plugin *p = find(reg, "good_unloadable");
    snapshot before, after;
    take_snapshot(reg, &before);
    for (int round = 0; round < 3; round++) {
        expect_ok(tenon_plugin_load(p));
        expect_status(reg, "good_unloadable", TENON_STATUS_LOADED);
        const fx_table *t;
        expect_ok(
            tenon_interface(reg, "good_unloadable", FX_IFACE, 1, (const void **)&t, NULL));
        assert_string_equal(t->name(), "good_unloadable");
        tenon_instance *inst;
        expect_ok(tenon_instance_new(reg, NULL, FX_IFACE, "again", NULL, &inst));
        tenon_instance_free(inst);
        expect_ok(tenon_plugin_unload(p));
        expect_status(reg, "good_unloadable", TENON_STATUS_FOUND);
    }
    /* Back where it started: no handle, no fd, no leftovers. */
    take_snapshot(reg, &after);
    expect_same_state(&before, &after, NULL);
    assert_string_equal(captured_events(&f->cap),
                        "good_unloadable:init good_unloadable:instance_init "
                        "good_unloadable:instance_fini good_unloadable:fini "
                        "good_unloadable:init good_unloadable:instance_init "
                        "good_unloadable:instance_fini good_unloadable:fini "
                        "good_unloadable:init good_unloadable:instance_init "
                        "good_unloadable:instance_fini good_unloadable:fini ");
    tenon_registry_free(reg);
}

static void test_teardown_finis_holders_first(void **state)
{
    fixture *f = *state;
    tenon_registry *reg = registry_with(f, "lazy_user", "lazy_provider");
    expect_ok(tenon_registry_load(reg, "lazy_user", NULL));
    /* lazy_user takes its hold at run time, after its own init: the
     * provider loads later than its user. */
    const struct {
        uint32_t struct_size, version;
        int (*use)(void);
        int (*release)(void);
    } * lazy;
    expect_ok(tenon_interface(reg, "lazy_user", "fixture.lazy", 1, (const void **)&lazy, NULL));
    expect_ok(lazy->use());
    expect_error(tenon_plugin_unload(find(reg, "lazy_provider")), TENON_ENOTUNLOADABLE,
                 "lazy_provider", NULL);
    capture_reset(&f->cap);
    /* Teardown must fini the holder before what it holds (its fini still
     * calls the provider). */
    tenon_registry_free(reg);
    assert_string_equal(captured_events(&f->cap), "lazy_user:fini lazy_provider:fini ");
    expect_contains(f->cap.all, "lazy_user:fini (target lazy_provider alive)");
}

static void test_runtime_hold_and_release(void **state)
{
    fixture *f = *state;
    tenon_registry *reg = registry_with(f, "lazy_user", "hold_provider", "lazy_provider");
    expect_ok(tenon_registry_load(reg, "lazy_user", NULL));
    const struct {
        uint32_t struct_size, version;
        int (*use)(void);
        int (*release)(void);
    } * lazy;
    expect_ok(tenon_interface(reg, "lazy_user", "fixture.lazy", 1, (const void **)&lazy, NULL));
    expect_ok(lazy->use());
    expect_ok(lazy->use());
    expect_ok(lazy->release());
    expect_ok(lazy->release());
    expect_error(lazy->release(), TENON_EINVAL, "lazy_provider", "not held by lazy_user", NULL);
    tenon_registry_free(reg);
}

/* ---- Interfaces --------------------------------------------------------------- */

static const char *table_name(const void *table)
{
    return ((const fx_table *)table)->name();
}

static void test_interface_lookup_and_ranks(void **state)
{
    fixture *f = *state;
    tenon_registry *reg = registry_with(f, "rank_a", "rank_b", "rank_c", "rank_old",
                                        "good_disabled");

    /* Enumeration: best rank first, ties by name; disabled ones excluded;
     * nothing is loaded by listing. */
    tenon_plugin *list[8];
    assert_int_equal(tenon_providers(reg, FX_IFACE, 2, list, 8), 3);
    assert_string_equal(tenon_plugin_name(list[0]), "rank_b");
    assert_string_equal(tenon_plugin_name(list[1]), "rank_a");
    assert_string_equal(tenon_plugin_name(list[2]), "rank_c");
    assert_int_equal(tenon_providers(reg, FX_IFACE, 1, list, 8), 4);
    assert_string_equal(tenon_plugin_name(list[0]), "rank_old");
    assert_string_equal(tenon_plugin_name(list[1]), "rank_b");
    assert_string_equal(tenon_plugin_name(list[3]), "rank_c");
    /* A short buffer gets the best ones and the full count. */
    assert_int_equal(tenon_providers(reg, FX_IFACE, 1, list, 2), 4);
    assert_string_equal(tenon_plugin_name(list[0]), "rank_old");
    assert_string_equal(tenon_plugin_name(list[1]), "rank_b");
    assert_int_equal(tenon_providers(reg, FX_IFACE, 1, NULL, 0), 4);
    assert_int_equal(tenon_providers(reg, FX_IFACE, 3, list, 8), 0);
    assert_int_equal(tenon_providers(reg, "fixture.none", 0, list, 8), 0);
    assert_string_equal(captured_events(&f->cap), "");

    /* By best rank. */
    const void *t;
    tenon_plugin *provider;
    expect_ok(tenon_interface(reg, NULL, FX_IFACE, 2, &t, &provider));
    assert_string_equal(tenon_plugin_name(provider), "rank_b");
    assert_string_equal(table_name(t), "rank_b");
    assert_int_equal(((const tenon_iface_header *)t)->version, 2);
    expect_ok(tenon_interface(reg, NULL, FX_IFACE, 1, &t, &provider));
    assert_string_equal(table_name(t), "rank_old");
    /* By name. */
    expect_ok(tenon_interface(reg, "rank_c", FX_IFACE, 2, &t, &provider));
    assert_string_equal(table_name(t), "rank_c");
    expect_ok(tenon_interface(reg, "rank_a", FX_IFACE, 0, &t, NULL));
    assert_string_equal(table_name(t), "rank_a");
    assert_string_equal(captured_events(&f->cap),
                        "rank_b:init rank_old:init rank_c:init rank_a:init ");

    /* Errors. */
    expect_error(tenon_interface(reg, "rank_old", FX_IFACE, 2, &t, NULL), TENON_EVERSION,
                 "rank_old", "version 1", "version 2 or newer", NULL);
    assert_null(t);
    expect_error(tenon_interface(reg, NULL, FX_IFACE, 3, &t, NULL), TENON_EVERSION, NULL,
                 "fixture.dep version 3", NULL);
    expect_error(tenon_interface(reg, NULL, "fixture.none", 1, &t, NULL), TENON_ENOIFACE, NULL,
                 "fixture.none", NULL);
    expect_error(tenon_interface(reg, "rank_a", "fixture.none", 1, &t, NULL), TENON_ENOIFACE,
                 "rank_a", "fixture.none", NULL);
    expect_error(tenon_interface(reg, "nobody", FX_IFACE, 1, &t, NULL), TENON_ENOTFOUND,
                 "nobody", NULL);
    expect_error(tenon_interface(reg, "good_disabled", FX_IFACE, 1, &t, NULL), TENON_EDISABLED,
                 "good_disabled", NULL);
    assert_int_equal(tenon_interface(reg, NULL, FX_IFACE, 1, NULL, NULL), TENON_EINVAL);
    assert_int_equal(tenon_interface(NULL, NULL, FX_IFACE, 1, &t, NULL), TENON_EINVAL);
    tenon_registry_free(reg);
}

static void test_symbol_parity(void **state)
{
    fixture *f = *state;
    tenon_registry *reg = registry_with(f, "sym_user", "sym_lib", "good_basic");
    const probe_table *probe;
    expect_ok(tenon_interface(reg, "sym_user", PROBE_IFACE, 1, (const void **)&probe, NULL));
    /* sym_lib loaded first, as a dependency. */
    assert_string_equal(captured_events(&f->cap), "sym_lib:init sym_user:init ");
    /* Its exported symbol was found and works. */
    assert_int_equal(probe->declared(), 42);
    /* A plugin not in requires, and a hidden symbol, are refused. */
    assert_int_equal(probe->undeclared_refused(), 1);
    assert_int_equal(probe->hidden_refused(), 1);
    expect_contains(f->cap.all, "does not list good_basic in its requires");
    tenon_registry_free(reg);
}

/* ---- Instances and options ------------------------------------------------------ */

static tenon_options *opts_of(const char *const *kv)
{
    tenon_options *o;
    expect_ok(tenon_options_new(&o));
    for (; kv && kv[0]; kv += 2)
        expect_ok(tenon_options_set(o, kv[0], kv[1], NULL));
    return o;
}

static const basic_instance *new_basic(tenon_registry *reg, const char *name,
                                       const char *const *kv, tenon_instance **out)
{
    tenon_options *o = opts_of(kv);
    expect_ok(tenon_instance_new(reg, "good_basic", BASIC_IFACE, name, o, out));
    tenon_options_free(o);
    const basic_instance *b = tenon_instance_data(*out);
    assert_int_equal(b->magic, BASIC_MAGIC);
    return b;
}

static void test_instances_with_options(void **state)
{
    fixture *f = *state;
    tenon_registry *reg = registry_with(f, "good_basic");
    tenon_instance *d, *a, *b;
    /* Defaults. */
    const basic_instance *def = new_basic(reg, "defaults", NULL, &d);
    assert_false(def->verbose);
    assert_int_equal(def->depth, 4);
    assert_false(def->depth_given);
    assert_int_equal(def->block, 4096);
    assert_int_equal(def->timeout_ns, 1500000000LL);
    assert_true(def->ratio == 0.5);
    assert_string_equal(def->label, "none");
    assert_string_equal(def->mode, "auto");

    /* Two instances of one plugin, each with its own options (OPAE's
     * tcp-proxy1 / rdma-proxy1). */
    static const char *const kv_a[] = {"verbose", "yes",         "depth", "16",    "block",
                                       "1MiB",    "timeout",     "250ms", "ratio", "0.25",
                                       "label",   "hello world", "mode",  "fast",  NULL};
    static const char *const kv_b[] = {"depth", "0x20", "block", "2GB", "timeout",
                                       "2",     "mode", "slow",  NULL};
    const basic_instance *ia = new_basic(reg, "tcp-proxy1", kv_a, &a);
    const basic_instance *ib = new_basic(reg, "rdma-proxy1", kv_b, &b);
    assert_true(ia->verbose);
    assert_int_equal(ia->depth, 16);
    assert_true(ia->depth_given);
    assert_int_equal(ia->block, 1 << 20);
    assert_int_equal(ia->timeout_ns, 250000000LL);
    assert_true(ia->ratio == 0.25);
    assert_string_equal(ia->label, "hello world");
    assert_string_equal(ia->mode, "fast");
    assert_int_equal(ib->depth, 32);
    assert_int_equal(ib->block, 2000000000LL);
    assert_int_equal(ib->timeout_ns, 2000000000LL);
    assert_string_equal(ib->mode, "slow");
    assert_string_equal(ib->label, "none");

    /* The instance's own view. */
    assert_string_equal(tenon_instance_name(a), "tcp-proxy1");
    assert_ptr_equal(tenon_instance_plugin(a), find(reg, "good_basic"));
    assert_int_equal(tenon_values_int(tenon_instance_values(a), "depth"), 16);
    assert_true(tenon_values_is_set(tenon_instance_values(a), "depth"));
    assert_false(tenon_values_is_set(tenon_instance_values(d), "depth"));
    assert_ptr_equal(tenon_registry_instance(reg, "rdma-proxy1"), b);
    assert_null(tenon_registry_instance(reg, "nothing"));
    const basic_table *t = tenon_instance_table(a);
    assert_int_equal(t->live(), 3);

    /* Names are unique; anonymous instances are not named. */
    tenon_instance *dup = (tenon_instance *)1;
    expect_error(tenon_instance_new(reg, "good_basic", BASIC_IFACE, "tcp-proxy1", NULL, &dup),
                 TENON_EEXISTS, "tcp-proxy1", "already exists", NULL);
    assert_null(dup);
    tenon_instance *x, *y;
    expect_ok(tenon_instance_new(reg, NULL, BASIC_IFACE, NULL, NULL, &x));
    expect_ok(tenon_instance_new(reg, NULL, BASIC_IFACE, "", NULL, &y));
    assert_string_equal(tenon_instance_name(x), "");
    assert_int_equal(t->live(), 5);
    tenon_instance_free(x);
    tenon_instance_free(y);
    tenon_instance_free(a);
    /* A freed name can be used again. */
    const basic_instance *again = new_basic(reg, "tcp-proxy1", NULL, &a);
    assert_int_equal(again->depth, 4);
    tenon_instance_free(NULL);
    /* The registry frees what is left (d, a, b). */
    tenon_registry_free(reg);
}

/* An option error from tenon_instance_new, with what its message says. */
static void expect_option_error(tenon_registry *reg, const char *key, const char *value,
                                int code, const char *const *texts)
{
    tenon_options *o;
    expect_ok(tenon_options_new(&o));
    expect_ok(tenon_options_set(o, key, value, "job.fio:12"));
    tenon_instance *inst = (tenon_instance *)1;
    int rc = tenon_instance_new(reg, "good_basic", BASIC_IFACE, "checked", o, &inst);
    tenon_options_free(o);
    expect_error(rc, code, "good_basic", key, "job.fio:12", NULL);
    assert_null(inst);
    char text[2048];
    tenon_error_format(tenon_last_error(), text, sizeof(text));
    for (; *texts; texts++)
        if (!strstr(text, *texts))
            fail_msg("%s=%s: expected \"%s\" in: %s", key, value, *texts, text);
    assert_null(tenon_registry_instance(reg, "checked"));
}

static void test_options_checked_against_the_schema(void **state)
{
    fixture *f = *state;
    tenon_registry *reg = registry_with(f, "good_basic");
    expect_ok(tenon_registry_load(reg, "good_basic", NULL));
    snapshot before, after;
    take_snapshot(reg, &before);
#define TEXTS(...) ((const char *const[]){__VA_ARGS__, NULL})
    /* Unknown: lists the valid ones. */
    expect_option_error(reg, "colour", "red", TENON_EOPTION,
                        TEXTS("unknown option 'colour'", "verbose, depth, block, timeout, "
                                                         "ratio, label, mode, fail"));
    /* Wrong type: names the expected type. */
    expect_option_error(reg, "depth", "many", TENON_EOPTTYPE, TEXTS("an integer", "\"many\""));
    expect_option_error(reg, "depth", "4k", TENON_EOPTTYPE, TEXTS("an integer"));
    expect_option_error(reg, "verbose", "maybe", TENON_EOPTTYPE, TEXTS("a boolean"));
    expect_option_error(reg, "block", "4 parsecs", TENON_EOPTTYPE, TEXTS("a size"));
    expect_option_error(reg, "timeout", "soon", TENON_EOPTTYPE, TEXTS("a duration"));
    expect_option_error(reg, "ratio", "half", TENON_EOPTTYPE, TEXTS("a number"));
    expect_option_error(reg, "ratio", "nan", TENON_EOPTTYPE, TEXTS("a number"));
    /* Out of range: names the range, or the choices. */
    expect_option_error(reg, "depth", "100", TENON_EOPTRANGE, TEXTS("from 1 to 64"));
    expect_option_error(reg, "depth", "0", TENON_EOPTRANGE, TEXTS("from 1 to 64"));
    expect_option_error(reg, "depth", "99999999999999999999", TENON_EOPTRANGE,
                        TEXTS("64 bits"));
    expect_option_error(reg, "block", "9000000P", TENON_EOPTRANGE, TEXTS("64 bits"));
    expect_option_error(reg, "block", "-4k", TENON_EOPTRANGE, TEXTS("a size", "not negative"));
    expect_option_error(reg, "timeout", "-1s", TENON_EOPTRANGE, TEXTS("not negative"));
    expect_option_error(reg, "ratio", "1.5", TENON_EOPTRANGE, TEXTS("from 0 to 1"));
    expect_option_error(reg, "mode", "medium", TENON_EOPTRANGE, TEXTS("fast|slow|auto"));
    expect_option_error(reg, "mode", "", TENON_EOPTRANGE, TEXTS("fast|slow|auto"));
#undef TEXTS
    /* The whole text: stage use (an instance is a use of the plugin, even
     * without a configuration), and a fix that says what to set, not the
     * option's help text. */
    static const struct {
        const char *key, *value, *want;
    } exact[] = {
        {"depth", "100",
         "use: good_basic: option 'depth' (job.fio:12) of plugin good_basic: expected a value "
         "from 1 to 64, got \"100\"; set 'depth' to an integer from 1 to 64"},
        {"mode", "medium",
         "use: good_basic: option 'mode' (job.fio:12) of plugin good_basic: expected one of "
         "fast|slow|auto, got \"medium\"; set 'mode' to one of: fast, slow, auto"},
        {"verbose", "maybe",
         "use: good_basic: option 'verbose' (job.fio:12) of plugin good_basic: expected a "
         "boolean (1/0, true/false, yes/no, on/off), got \"maybe\"; set 'verbose' to a boolean "
         "(1/0, true/false, yes/no, on/off)"},
    };
    for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++) {
        tenon_options *o;
        expect_ok(tenon_options_new(&o));
        expect_ok(tenon_options_set(o, exact[i].key, exact[i].value, "job.fio:12"));
        tenon_instance *inst;
        assert_true(tenon_instance_new(reg, "good_basic", BASIC_IFACE, "checked", o, &inst) <
                    0);
        tenon_options_free(o);
        char text[2048];
        tenon_error_format(NULL, text, sizeof(text));
        assert_string_equal(text, exact[i].want);
        assert_int_equal(tenon_last_error()->stage, TENON_STAGE_USE);
    }
    /* None of it touched the registry or the plugin. */
    take_snapshot(reg, &after);
    expect_same_state(&before, &after, NULL);
    assert_string_equal(captured_events(&f->cap), "good_basic:init ");

    /* The same checks without an instance, on the descriptor. */
    const tenon_plugin_desc *desc = tenon_plugin_descriptor(find(reg, "good_basic"));
    tenon_options *o;
    expect_ok(tenon_options_new(&o));
    expect_ok(tenon_options_set(o, "depth", "8", "cli"));
    expect_ok(tenon_options_set(o, "depth", "9", "cli")); /* replaces */
    assert_int_equal(tenon_options_count(o), 1);
    assert_string_equal(tenon_options_get(o, "depth"), "9");
    tenon_values *v;
    expect_ok(tenon_values_check(desc, o, &v));
    assert_int_equal(tenon_values_int(v, "depth"), 9);
    assert_int_equal(tenon_values_int(v, "block"), 4096);
    assert_true(tenon_values_double(v, "ratio") == 0.5);
    assert_string_equal(tenon_values_string(v, "mode"), "auto");
    assert_false(tenon_values_bool(v, "verbose"));
    assert_int_equal(tenon_values_int(v, "nothing"), 0);
    assert_null(tenon_values_string(v, "nothing"));
    tenon_values_free(v);
    tenon_options_free(o);
    tenon_registry_free(reg);
}

static void test_required_option(void **state)
{
    fixture *f = *state;
    tenon_registry *reg = registry_with(f, "opt_required");
    tenon_plugin *p = find(reg, "opt_required");
    tenon_values *v;
    expect_error(tenon_values_check(tenon_plugin_descriptor(p), NULL, &v), TENON_EOPTION,
                 "opt_required", "option 'target'", "is required", "string", NULL);
    char text[2048];
    tenon_error_format(NULL, text, sizeof(text));
    assert_string_equal(text, "config: opt_required: option 'target' of plugin opt_required is "
                              "required (string: what to work on); set 'target' to a string");
    tenon_options *o;
    expect_ok(tenon_options_new(&o));
    expect_ok(tenon_options_set(o, "target", "/dev/null", NULL));
    expect_ok(tenon_values_check(tenon_plugin_descriptor(p), o, &v));
    assert_string_equal(tenon_values_string(v, "target"), "/dev/null");
    assert_int_equal(tenon_values_int(v, "retries"), 3);
    tenon_values_free(v);
    tenon_options_free(o);
    /* The plugin itself gets no plugin-level options from this host: its
     * load fails before any of its code runs, and nothing stays. */
    snapshot before, after;
    take_snapshot(reg, &before);
    expect_error(tenon_plugin_load(p), TENON_EOPTION, "opt_required", "is required", NULL);
    take_snapshot(reg, &after);
    expect_same_state(&before, &after, "opt_required");
    assert_string_equal(captured_events(&f->cap), "");
    tenon_registry_free(reg);
}

static void test_instance_init_failure(void **state)
{
    fixture *f = *state;
    tenon_registry *reg = registry_with(f, "good_basic");
    expect_ok(tenon_registry_load(reg, "good_basic", NULL));
    snapshot before, after;
    take_snapshot(reg, &before);
    tenon_options *o;
    expect_ok(tenon_options_new(&o));
    expect_ok(tenon_options_set(o, "fail", "true", NULL));
    tenon_instance *inst = (tenon_instance *)1;
    expect_error(tenon_instance_new(reg, "good_basic", BASIC_IFACE, "doomed", o, &inst),
                 TENON_EINIT, "good_basic", "instance doomed", "option fail is set", NULL);
    assert_null(inst);
    tenon_options_free(o);
    take_snapshot(reg, &after);
    expect_same_state(&before, &after, NULL);
    assert_null(tenon_registry_instance(reg, "doomed"));
    /* The name is free again. */
    expect_ok(tenon_instance_new(reg, "good_basic", BASIC_IFACE, "doomed", NULL, &inst));
    tenon_instance_free(inst);
    tenon_registry_free(reg);
}

static void test_log_levels(void **state)
{
    fixture *f = *state;
    copy_fixtures(f->dir, "good_basic", "sym_user", "sym_lib", NULL);
    tenon_registry *reg = new_registry(f->dir, 0, NULL);
    /* Only warnings and errors: the plugins' INFO messages are dropped,
     * sym_user's refused symbol lookup (an ERROR) is kept, tagged with the
     * plugin's name. */
    capture_log_level(reg, &f->cap, TENON_LOG_WARN);
    expect_ok(tenon_registry_load(reg, "sym_user", NULL));
    assert_string_equal(captured_events(&f->cap), "");
    expect_contains(f->cap.all,
                    "sym_user:symbol lookup of tenon_entry in plugin good_basic refused");
    tenon_registry_free(reg);
}

static void test_two_registries_share_a_file(void **state)
{
    fixture *f = *state;
    copy_fixtures(f->dir, "good_unloadable", "good_basic", NULL);
    snapshot empty;
    tenon_registry *probe = new_registry(NULL, 0, NULL);
    take_snapshot(probe, &empty);
    tenon_registry_free(probe);

    tenon_registry *r1 = new_registry(f->dir, 0, NULL);
    tenon_registry *r2 = new_registry(f->dir, 0, NULL);
    const fx_table *t1, *t2;
    expect_ok(tenon_interface(r1, "good_unloadable", FX_IFACE, 1, (const void **)&t1, NULL));
    expect_ok(tenon_interface(r2, "good_unloadable", FX_IFACE, 1, (const void **)&t2, NULL));
    expect_ok(tenon_registry_load(r2, "good_basic", NULL));
    /* One file, one mapping, loaded through one reserved descriptor. */
    assert_ptr_equal(t1, t2);
    int objects = 0;
    dl_iterate_phdr(count_fd_object, &objects);
    assert_int_equal(objects, empty.fd_objects + 2);
    /* Unloading it from one registry leaves the other's copy working. */
    expect_ok(tenon_plugin_unload(find(r1, "good_unloadable")));
    assert_string_equal(t2->name(), "good_unloadable");
    expect_ok(tenon_plugin_unload(find(r2, "good_unloadable")));
    /* And it loads again in both. */
    expect_ok(tenon_interface(r1, "good_unloadable", FX_IFACE, 1, (const void **)&t1, NULL));
    expect_ok(tenon_interface(r2, "good_unloadable", FX_IFACE, 1, (const void **)&t2, NULL));
    assert_string_equal(t1->name(), "good_unloadable");
    tenon_registry_free(r1);
    assert_string_equal(t2->name(), "good_unloadable");
    tenon_registry_free(r2);
    /* Nothing stays mapped or open. */
    int after_objects = 0;
    dl_iterate_phdr(count_fd_object, &after_objects);
    assert_int_equal(after_objects, empty.fd_objects);
    assert_int_equal(count_open_fds(), empty.open_fds);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, tmp_fixture_setup, tmp_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_chain),
        T(test_chain_partly_loaded),
        T(test_diamond),
        T(test_cycle),
        T(test_missing_dependency),
        T(test_unusable_dependency),
        T(test_version_conflict),
        T(test_dependency_init_fails),
        T(test_failed_load_keeps_earlier_loads),
        T(test_failed_init_releases_its_holds),
        T(test_unload_refused_while_held_by_the_host),
        T(test_unload_refused_while_held_by_a_plugin),
        T(test_unload_refused_while_required),
        T(test_unload_refused_while_instances_live),
        T(test_resident_and_static_refused),
        T(test_unload_and_reload),
        T(test_teardown_finis_holders_first),
        T(test_runtime_hold_and_release),
        T(test_interface_lookup_and_ranks),
        T(test_symbol_parity),
        T(test_instances_with_options),
        T(test_options_checked_against_the_schema),
        T(test_required_option),
        T(test_instance_init_failure),
        T(test_log_levels),
        T(test_two_registries_share_a_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
