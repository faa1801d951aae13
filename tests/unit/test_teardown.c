/* Registry teardown follows ownership: an instance is freed after whatever
 * made it (the host, the configuration, a plugin, another instance), and a
 * plugin is finied before what it requires, holds or owns instances of,
 * whatever order things were made in. The owner fixtures (owner.c) make
 * instances of each other on request and log every init and fini, so a
 * test reads the order back from the log; ASan (the asan build runs this
 * suite) catches any instance freed twice or used after its free. */
#include "helpers.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "owner.h"

typedef tmp_fixture fixture;

#define OWNERS "own_a", "own_b", "own_c", "own_d"

static tenon_plugin *find(tenon_registry *reg, const char *name)
{
    tenon_plugin *p = tenon_registry_find(reg, name);
    if (!p)
        fail_msg("no plugin %s", name);
    return p;
}

static tenon_registry *owners_registry(fixture *f, const char *config)
{
    tenon_registry *reg = new_registry(f->dir, 0, &f->cap);
    if (config)
        expect_ok(tenon_config_load_buffer(reg, config, strlen(config), NULL));
    return reg;
}

static tenon_instance *host_instance(tenon_registry *reg, const char *plugin, const char *name,
                                     const char *make)
{
    tenon_options *opts;
    expect_ok(tenon_options_new(&opts));
    expect_ok(tenon_options_set(opts, "tag", name, "test"));
    expect_ok(tenon_options_set(opts, "make", make ? make : "", "test"));
    tenon_instance *inst;
    expect_ok(tenon_instance_new(reg, plugin, OWN_IFACE, name, opts, &inst));
    tenon_options_free(opts);
    return inst;
}

static const own_table *owner_table(tenon_registry *reg, const char *plugin)
{
    const void *t;
    expect_ok(tenon_interface(reg, plugin, OWN_IFACE, 1, &t, NULL));
    return t;
}

/* ---- Reading the log ------------------------------------------------------- */

typedef struct event {
    char plugin[32];
    char kind[8]; /* init, fini, iinit, ifini, dead */
    char tag[128];
} event;

typedef struct events {
    event ev[512];
    size_t n;
} events;

/* The owner fixtures' events in the captured log ("plugin:kind tag"). */
static void read_events(const char *log, events *out)
{
    out->n = 0;
    for (const char *line = log; *line;) {
        size_t len = strcspn(line, "\n");
        char text[256];
        snprintf(text, sizeof(text), "%.*s", (int)len, line);
        line += len + (line[len] == '\n');
        char *colon = strchr(text, ':');
        if (!colon)
            continue;
        *colon = '\0';
        char *kind = colon + 1, *tag = strchr(kind, ' ');
        if (tag)
            *tag++ = '\0';
        static const char *const kinds[] = {"init", "fini", "iinit", "ifini", "dead"};
        bool known = false;
        for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
            known = known || strcmp(kind, kinds[k]) == 0;
        if (!known)
            continue;
        assert_true(out->n < sizeof(out->ev) / sizeof(out->ev[0]));
        event *e = &out->ev[out->n++];
        snprintf(e->plugin, sizeof(e->plugin), "%s", text);
        snprintf(e->kind, sizeof(e->kind), "%s", kind);
        snprintf(e->tag, sizeof(e->tag), "%s", tag ? tag : "");
    }
}

/* Position of the first event of kind about who (a tag, or a plugin for
 * init and fini) at or after from; -1 if none. */
static long find_event(const events *evs, size_t from, const char *kind, const char *who)
{
    bool by_plugin = strcmp(kind, "init") == 0 || strcmp(kind, "fini") == 0;
    for (size_t i = from; i < evs->n; i++)
        if (strcmp(evs->ev[i].kind, kind) == 0 &&
            strcmp(by_plugin ? evs->ev[i].plugin : evs->ev[i].tag, who) == 0)
            return (long)i;
    return -1;
}

/* Checks the rules of a teardown in the log of one run. Returns NULL or
 * what is wrong (static buffer). */
static const char *teardown_violation(const events *evs)
{
    static char why[512];
    for (size_t i = 0; i < evs->n; i++) {
        const event *e = &evs->ev[i];
        if (strcmp(e->kind, "dead") == 0) {
            snprintf(why, sizeof(why), "instance %s was finished before its owner freed it",
                     e->tag);
            return why;
        }
        if (strcmp(e->kind, "init") == 0) {
            long fini = find_event(evs, i + 1, "fini", e->plugin);
            long again = find_event(evs, i + 1, "init", e->plugin);
            if (fini < 0 || (again >= 0 && again < fini)) {
                snprintf(why, sizeof(why), "plugin %s was not finied after its init",
                         e->plugin);
                return why;
            }
        }
        if (strcmp(e->kind, "fini") == 0) {
            long init = -1;
            for (size_t k = 0; k < i; k++)
                if (strcmp(evs->ev[k].plugin, e->plugin) == 0 &&
                    (strcmp(evs->ev[k].kind, "init") == 0 ||
                     strcmp(evs->ev[k].kind, "fini") == 0))
                    init = strcmp(evs->ev[k].kind, "init") == 0 ? (long)k : -1;
            if (init < 0) {
                snprintf(why, sizeof(why), "plugin %s was finied twice", e->plugin);
                return why;
            }
        }
        if (strcmp(e->kind, "iinit") == 0) {
            long fini = find_event(evs, i + 1, "ifini", e->tag);
            if (fini < 0) {
                snprintf(why, sizeof(why), "instance %s was never finished", e->tag);
                return why;
            }
            if (find_event(evs, (size_t)fini + 1, "ifini", e->tag) >= 0) {
                snprintf(why, sizeof(why), "instance %s was finished twice", e->tag);
                return why;
            }
        }
        if (strcmp(e->kind, "ifini") == 0) {
            /* Its plugin's code still runs it: the plugin's fini comes later. */
            if (find_event(evs, i + 1, "fini", e->plugin) < 0) {
                snprintf(why, sizeof(why), "instance %s was finished after its plugin %s",
                         e->tag, e->plugin);
                return why;
            }
            /* Its owner went first: "A/B" is owned by instance A, "P@/B"
             * by plugin P. */
            char owner[128];
            snprintf(owner, sizeof(owner), "%s", e->tag);
            char *slash = strrchr(owner, '/');
            if (!slash)
                continue;
            *slash = '\0';
            size_t len = strlen(owner);
            bool plugin_owner = len > 0 && owner[len - 1] == '@';
            if (plugin_owner)
                owner[len - 1] = '\0';
            long went = -1;
            for (size_t k = 0; k < i; k++)
                if (plugin_owner ? strcmp(evs->ev[k].kind, "fini") == 0 &&
                                       strcmp(evs->ev[k].plugin, owner) == 0
                                 : strcmp(evs->ev[k].kind, "ifini") == 0 &&
                                       strcmp(evs->ev[k].tag, owner) == 0)
                    went = (long)k;
            if (went < 0) {
                snprintf(why, sizeof(why), "instance %s was freed before its owner %s%s",
                         e->tag, plugin_owner ? "plugin " : "", owner);
                return why;
            }
        }
    }
    return NULL;
}

static void expect_clean_teardown(fixture *f, const char *what)
{
    events evs;
    read_events(f->cap.all, &evs);
    const char *why = teardown_violation(&evs);
    if (why)
        fail_msg("%s: %s; log:\n%s", what, why, f->cap.all);
}

/* The owner fixtures' events as "plugin:kind[ tag]" words, for exact checks. */
static const char *event_words(fixture *f)
{
    static char text[4096];
    events evs;
    read_events(f->cap.all, &evs);
    text[0] = '\0';
    for (size_t i = 0; i < evs.n; i++) {
        size_t len = strlen(text);
        snprintf(text + len, sizeof(text) - len, "%s:%s%s%s ", evs.ev[i].plugin, evs.ev[i].kind,
                 evs.ev[i].tag[0] ? " " : "", evs.ev[i].tag);
    }
    return text;
}

/* ---- What used to crash ------------------------------------------------------ */

/* An instance whose instance_init made another one, both left to
 * tenon_registry_free: the owner's fini frees what it made. */
static void test_host_instance_owning_another(void **state)
{
    fixture *f = *state;
    copy_fixtures(f->dir, OWNERS, NULL);
    tenon_registry *reg = owners_registry(f, NULL);
    host_instance(reg, "own_a", "h0", "own_b");
    capture_reset(&f->cap);
    tenon_registry_free(reg);
    /* own_b loaded last (during h0's instance_init): it goes first. */
    assert_string_equal(event_words(f), "own_a:ifini h0 own_b:ifini h0/own_b own_b:fini "
                                        "own_a:fini ");
}

/* The same made by tenon.json. */
static void test_config_instance_owning_another(void **state)
{
    fixture *f = *state;
    copy_fixtures(f->dir, OWNERS, NULL);
    tenon_registry *reg =
        owners_registry(f, "{\"plugins\": [{\"name\": \"c0\", \"module\": \"own_a\", "
                           "\"config\": {\"make\": \"own_b>own_c\", \"tag\": \"c0\"}}]}");
    assert_int_equal(tenon_config_apply(reg), 0);
    expect_contains(event_words(f), "own_c:iinit c0/own_b/own_c ");
    capture_reset(&f->cap);
    tenon_registry_free(reg);
    assert_string_equal(event_words(f), "own_a:ifini c0 own_b:ifini c0/own_b "
                                        "own_c:ifini c0/own_b/own_c own_c:fini own_b:fini "
                                        "own_a:fini ");
}

/* A plugin that passes options as 1.0 did (a NULL-terminated list of
 * strings to the deprecated host->instance_new) makes the same instances,
 * with the same options, as one that passes tenon_options to
 * host->instance_create. */
static void test_strv_options_as_tenon_options(void **state)
{
    fixture *f = *state;
    char words[2][4096];
    const char *makers[2] = {"own_a", "own_strv"};
    copy_fixtures(f->dir, OWNERS, "own_strv", NULL);
    for (int k = 0; k < 2; k++) {
        capture_reset(&f->cap);
        tenon_registry *reg = owners_registry(f, NULL);
        host_instance(reg, makers[k], "h0", "own_b>own_c");
        tenon_registry_free(reg);
        /* Compare with the maker's name taken out. */
        const char *w = event_words(f);
        size_t n = 0, len = strlen(makers[k]);
        for (const char *at = w; *at && n + 1 < sizeof(words[k]);)
            if (strncmp(at, makers[k], len) == 0 && at[len] == ':') {
                words[k][n++] = '@';
                at += len;
            } else {
                words[k][n++] = *at++;
            }
        words[k][n] = '\0';
    }
    expect_contains(words[0], "own_c:iinit h0/own_b/own_c ");
    assert_string_equal(words[0], words[1]);
}

/* The documented pattern: make an instance in init, free it in fini. */
static void test_make_in_init_free_in_fini(void **state)
{
    fixture *f = *state;
    copy_fixtures(f->dir, "own_maker", "own_b", NULL);
    tenon_registry *reg = owners_registry(f, NULL);
    expect_ok(tenon_registry_load(reg, "own_maker", NULL));
    assert_string_equal(event_words(f),
                        "own_maker:init own_b:init own_b:iinit own_maker@/own_b ");
    capture_reset(&f->cap);
    tenon_registry_free(reg);
    assert_string_equal(event_words(f),
                        "own_maker:fini own_b:ifini own_maker@/own_b own_b:fini ");
}

/* `tenon check` runs load, init and fini in a child: the same pattern must
 * pass it, not be blamed on the plugin. */
static void test_check_passes_make_in_init(void **state)
{
    fixture *f = *state;
    copy_fixtures(f->dir, "own_maker", "own_b", NULL);
    tenon_registry *reg = owners_registry(f, NULL);
    expect_ok(tenon_plugin_validate(find(reg, "own_maker"), 0));
    assert_int_equal(tenon_plugin_status(find(reg, "own_maker")), TENON_STATUS_FOUND);
    tenon_registry_free(reg);
}

/* What an owner leaves behind is freed after it is gone, and before the
 * plugin the instance belongs to is finied. */
static void test_leftovers_freed_after_their_owner(void **state)
{
    fixture *f = *state;
    copy_fixtures(f->dir, OWNERS, NULL);
    tenon_registry *reg = owners_registry(f, "{\"plugins\": [{\"module\": \"own_a\", "
                                             "\"config\": {\"make\": \"own_b!\"}}]}");
    expect_ok(tenon_registry_load(reg, "own_a", NULL));
    host_instance(reg, "own_c", "h0", "own_d!");
    capture_reset(&f->cap);
    tenon_registry_free(reg);
    assert_string_equal(event_words(f), "own_c:ifini h0 own_d:ifini h0/own_d own_d:fini "
                                        "own_c:fini own_a:fini own_b:ifini own_a@/own_b "
                                        "own_b:fini ");
}

/* An instance freed by the host takes what it made and left with it; a
 * plugin unloaded at run time, what it made and left. Its instances no
 * longer keep the other plugin loaded. */
static void test_leftovers_freed_with_their_owner_at_run_time(void **state)
{
    fixture *f = *state;
    copy_fixtures(f->dir, OWNERS, NULL);
    tenon_registry *reg = owners_registry(f, "{\"plugins\": [{\"module\": \"own_a\", "
                                             "\"config\": {\"make\": \"own_b!\"}}]}");
    tenon_instance *h0 = host_instance(reg, "own_c", "h0", "own_d!");
    expect_ok(tenon_registry_load(reg, "own_a", NULL));
    capture_reset(&f->cap);
    tenon_instance_free(h0);
    assert_string_equal(event_words(f), "own_c:ifini h0 own_d:ifini h0/own_d ");
    expect_ok(tenon_plugin_unload(find(reg, "own_d")));
    capture_reset(&f->cap);
    expect_error(tenon_plugin_unload(find(reg, "own_b")), TENON_EBUSY, "own_b",
                 "1 instance (one made by plugin own_a)", NULL);
    expect_ok(tenon_plugin_unload(find(reg, "own_a")));
    assert_string_equal(event_words(f), "own_a:fini own_b:ifini own_a@/own_b ");
    expect_ok(tenon_plugin_unload(find(reg, "own_b")));
    tenon_registry_free(reg);
}

/* ---- Fini order -------------------------------------------------------------------- */

/* A plugin that made an instance at run time of a plugin loaded after it
 * is finied first: reverse load order alone would fini the other first. */
static void test_fini_order_follows_instances_made_at_run_time(void **state)
{
    fixture *f = *state;
    copy_fixtures(f->dir, OWNERS, NULL);
    tenon_registry *reg = owners_registry(f, NULL);
    const own_table *a = owner_table(reg, "own_a");
    expect_ok(tenon_registry_load(reg, "own_b", NULL));
    expect_ok(a->make("own_b"));
    capture_reset(&f->cap);
    tenon_registry_free(reg);
    assert_string_equal(event_words(f), "own_a:fini own_b:ifini own_a@/own_b own_b:fini ");
}

/* Holds taken at run time against load order: own_b holds own_a, own_a
 * holds own_d, own_c holds nothing. */
static void test_fini_order_follows_holds(void **state)
{
    fixture *f = *state;
    copy_fixtures(f->dir, OWNERS, NULL);
    tenon_registry *reg = owners_registry(f, NULL);
    const own_table *a = owner_table(reg, "own_a");
    const own_table *b = owner_table(reg, "own_b");
    owner_table(reg, "own_c");
    owner_table(reg, "own_d");
    expect_ok(b->hold("own_a"));
    expect_ok(a->hold("own_d"));
    capture_reset(&f->cap);
    tenon_registry_free(reg);
    assert_string_equal(event_words(f), "own_c:fini own_b:fini own_a:fini own_d:fini ");
}

/* A cycle of holds falls back to reverse load order for the plugins in it;
 * the rest still waits for its holders. */
static void test_fini_order_hold_cycle(void **state)
{
    fixture *f = *state;
    copy_fixtures(f->dir, OWNERS, NULL);
    tenon_registry *reg = owners_registry(f, NULL);
    const own_table *a = owner_table(reg, "own_a");
    const own_table *b = owner_table(reg, "own_b");
    const own_table *c = owner_table(reg, "own_c");
    owner_table(reg, "own_d");
    expect_ok(a->hold("own_b"));
    expect_ok(b->hold("own_c"));
    expect_ok(c->hold("own_a"));
    expect_ok(c->hold("own_d"));
    capture_reset(&f->cap);
    tenon_registry_free(reg);
    /* Everything waits. own_d, the newest, is not on the cycle: it waits
     * for own_c, the newest on it, which goes first; then own_d, and
     * own_a before own_b, which it holds. */
    assert_string_equal(event_words(f), "own_c:fini own_d:fini own_a:fini own_b:fini ");
}

/* ---- Threads ---------------------------------------------------------------------- */

/* Instances that make instances, made and freed by several threads at once
 * (the tsan suite runs this): each records its own maker, the innermost
 * instance_init running on its thread. Every fourth is left to teardown. */
typedef struct maker_thread {
    tenon_registry *reg;
    int index;
    int failures;
} maker_thread;

static void *make_and_free(void *arg)
{
    maker_thread *t = arg;
    static const char *const chains[] = {"own_b>own_c", "own_c!>own_d", "own_d>own_b!"};
    for (int i = 0; i < 10; i++) {
        tenon_options *opts;
        char tag[32];
        snprintf(tag, sizeof(tag), "t%d.%d", t->index, i);
        tenon_instance *inst = NULL;
        if (tenon_options_new(&opts) != 0 || tenon_options_set(opts, "tag", tag, "test") != 0 ||
            tenon_options_set(opts, "make", chains[(t->index + i) % 3], "test") != 0 ||
            tenon_instance_new(t->reg, "own_a", OWN_IFACE, NULL, opts, &inst) != 0)
            t->failures++;
        tenon_options_free(opts);
        if (inst && i % 4 != 0)
            tenon_instance_free(inst);
    }
    return NULL;
}

static void test_threads_make_and_free_owned_instances(void **state)
{
    fixture *f = *state;
    copy_fixtures(f->dir, OWNERS, NULL);
    tenon_registry *reg = owners_registry(f, NULL);
    maker_thread threads[4];
    pthread_t ids[4];
    for (int i = 0; i < 4; i++) {
        threads[i] = (maker_thread){reg, i, 0};
        assert_int_equal(pthread_create(&ids[i], NULL, make_and_free, &threads[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(ids[i], NULL), 0);
        assert_int_equal(threads[i].failures, 0);
    }
    tenon_registry_free(reg);
    /* The whole log fits the capture, so every event is checked. */
    assert_true(strlen(f->cap.all) < sizeof(f->cap.all) - 1);
    expect_clean_teardown(f, "four threads");
}

/* ---- The sweep ------------------------------------------------------------------- */

/* A small ownership graph, made in every order and freed in every order.
 * Steps: "h PLUGIN CHAIN" a host instance (named h0, h1... in the order
 * the steps are listed here), "l PLUGIN" loads it, "m PLUGIN CHAIN" the
 * plugin makes an instance at run time, "c" applies the configuration. A
 * "?" in the configuration or a chain is swept too: the owner frees that
 * instance in its fini, or leaves it ("!"). */
typedef struct sweep_case {
    const char *what;
    const char *config;
    const char *steps[4];
} sweep_case;

static const sweep_case sweep_cases[] = {
    {"an instance made by an instance", NULL, {"h own_a own_b?", "h own_b"}},
    {"a chain of three instances", NULL, {"h own_a own_b?>own_c?", "h own_c"}},
    {"a plugin's init makes one, an instance's init loads that plugin",
     "{\"plugins\": [{\"module\": \"own_a\", \"config\": {\"make\": \"own_b?\"}}]}",
     {"l own_a", "h own_b", "h own_c own_a?"}},
    {"configured instances",
     "{\"plugins\": [{\"name\": \"c0\", \"module\": \"own_a\", "
     "\"config\": {\"make\": \"own_b?>own_c\", \"tag\": \"c0\"}}]}",
     {"c", "h own_c own_b?", "h own_b"}},
    {"an instance made at run time",
     NULL,
     {"l own_a", "l own_b", "m own_a own_b?>own_c", "h own_c"}},
    {"plugins whose inits make instances of each other",
     "{\"plugins\": [{\"module\": \"own_a\", \"config\": {\"make\": \"own_b?\"}}, "
     "{\"module\": \"own_b\", \"config\": {\"make\": \"own_c?\"}}]}",
     {"l own_a", "l own_b", "l own_c", "h own_d own_a"}},
};

/* text with its "?" replaced by "!" or "" from bits of mask, from bit *next. */
static void expand(const char *text, unsigned mask, unsigned *next, char *out, size_t size)
{
    size_t n = 0;
    for (; text && *text && n + 1 < size; text++) {
        if (*text == '?') {
            if (mask & (1u << (*next)++))
                out[n++] = '!';
        } else {
            out[n++] = *text;
        }
    }
    out[n] = '\0';
}

static unsigned count_marks(const sweep_case *sc)
{
    unsigned n = 0;
    for (const char *s = sc->config; s && *s; s++)
        n += *s == '?';
    for (size_t i = 0; i < 4 && sc->steps[i]; i++)
        for (const char *s = sc->steps[i]; *s; s++)
            n += *s == '?';
    return n;
}

typedef struct sweep_run {
    const sweep_case *sc;
    char config[512];
    char steps[4][128];
    size_t n_steps;
    size_t order[4]; /* the steps, in the order they run */
    size_t frees[4]; /* host instances freed explicitly, in order */
    size_t n_frees;
    size_t n_host;
    size_t runs;
} sweep_run;

static void describe_run(const sweep_run *r, char *out, size_t size)
{
    int n = snprintf(out, size, "%s; config %s; steps:", r->sc->what,
                     r->config[0] ? r->config : "none");
    for (size_t i = 0; i < r->n_steps && n > 0 && (size_t)n < size; i++)
        n += snprintf(out + n, size - (size_t)n, " [%s]", r->steps[r->order[i]]);
    if (n > 0 && (size_t)n < size)
        n += snprintf(out + n, size - (size_t)n, "; then frees:");
    for (size_t i = 0; i < r->n_frees && n > 0 && (size_t)n < size; i++)
        n += snprintf(out + n, size - (size_t)n, " h%zu", r->frees[i]);
}

static void run_once(fixture *f, sweep_run *r)
{
    char what[1024];
    describe_run(r, what, sizeof(what));
    tenon_registry *reg = owners_registry(f, r->config[0] ? r->config : NULL);
    tenon_instance *host[4] = {0};
    for (size_t i = 0; i < r->n_steps; i++) {
        const char *step = r->steps[r->order[i]];
        char plugin[32] = "", chain[96] = "";
        sscanf(step + 1, " %31s %95s", plugin, chain);
        int rc = 0;
        if (step[0] == 'h') {
            size_t k = 0; /* which host instance: its position among the "h" steps */
            for (size_t s = 0; s < r->order[i]; s++)
                k += r->steps[s][0] == 'h';
            char name[8];
            snprintf(name, sizeof(name), "h%zu", k);
            tenon_options *opts;
            expect_ok(tenon_options_new(&opts));
            expect_ok(tenon_options_set(opts, "tag", name, "test"));
            expect_ok(tenon_options_set(opts, "make", chain, "test"));
            rc = tenon_instance_new(reg, plugin, OWN_IFACE, name, opts, &host[k]);
            tenon_options_free(opts);
        } else if (step[0] == 'l') {
            rc = tenon_registry_load(reg, plugin, NULL);
        } else if (step[0] == 'm') {
            const void *t;
            rc = tenon_interface(reg, plugin, OWN_IFACE, 1, &t, NULL);
            if (rc == 0)
                rc = ((const own_table *)t)->make(chain);
        } else {
            rc = tenon_config_apply(reg);
        }
        if (rc != 0) {
            char text[1024];
            tenon_error_format(tenon_last_error(), text, sizeof(text));
            fail_msg("%s: step [%s] returned %d: %s", what, step, rc, text);
        }
    }
    for (size_t i = 0; i < r->n_frees; i++)
        tenon_instance_free(host[r->frees[i]]);
    tenon_registry_free(reg);
    expect_clean_teardown(f, what);
    r->runs++;
}

/* Every ordered choice of host instances to free before the teardown. */
static void sweep_frees(fixture *f, sweep_run *r, unsigned used)
{
    run_once(f, r);
    for (size_t k = 0; k < r->n_host; k++) {
        if (used & (1u << k))
            continue;
        r->frees[r->n_frees++] = k;
        sweep_frees(f, r, used | (1u << k));
        r->n_frees--;
    }
}

/* Every order of the steps (Heap's algorithm). */
static void sweep_orders(fixture *f, sweep_run *r, size_t k)
{
    if (k <= 1) {
        sweep_frees(f, r, 0);
        return;
    }
    for (size_t i = 0; i < k; i++) {
        sweep_orders(f, r, k - 1);
        size_t j = k % 2 == 0 ? i : 0;
        size_t t = r->order[j];
        r->order[j] = r->order[k - 1];
        r->order[k - 1] = t;
    }
}

static void test_sweep_teardown_orders(void **state)
{
    fixture *f = *state;
    copy_fixtures(f->dir, OWNERS, NULL);
    size_t total = 0;
    for (size_t c = 0; c < sizeof(sweep_cases) / sizeof(sweep_cases[0]); c++) {
        const sweep_case *sc = &sweep_cases[c];
        unsigned marks = count_marks(sc);
        for (unsigned mask = 0; mask < (1u << marks); mask++) {
            sweep_run r = {.sc = sc};
            unsigned next = 0;
            expand(sc->config, mask, &next, r.config, sizeof(r.config));
            for (; r.n_steps < 4 && sc->steps[r.n_steps]; r.n_steps++) {
                expand(sc->steps[r.n_steps], mask, &next, r.steps[r.n_steps],
                       sizeof(r.steps[0]));
                r.order[r.n_steps] = r.n_steps;
                r.n_host += sc->steps[r.n_steps][0] == 'h';
            }
            sweep_orders(f, &r, r.n_steps);
            total += r.runs;
        }
    }
    print_message("%zu teardowns checked\n", total);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, tmp_fixture_setup, tmp_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_host_instance_owning_another),
        T(test_config_instance_owning_another),
        T(test_strv_options_as_tenon_options),
        T(test_make_in_init_free_in_fini),
        T(test_check_passes_make_in_init),
        T(test_leftovers_freed_after_their_owner),
        T(test_leftovers_freed_with_their_owner_at_run_time),
        T(test_fini_order_follows_instances_made_at_run_time),
        T(test_fini_order_follows_holds),
        T(test_fini_order_hold_cycle),
        T(test_threads_make_and_free_owned_instances),
        T(test_sweep_teardown_orders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
