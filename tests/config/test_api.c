/* The tenon.json C API: loading (buffers, files, the default lookup), what
 * the configuration does to selection, apply with every load policy at run
 * time (init and instance failures, which the listing cannot show), the
 * options that reach plugins and instances, configured instances for hosts
 * that make their own, the integrity settings, and use from several
 * threads. The cases folder covers the load plans and error texts. */
#include "helpers.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef CFG_FIXTURE_DIR
#error "CFG_FIXTURE_DIR must name the folder of the tenon.json fixtures"
#endif

/* Copies tests/config fixture name.so into dir (as name.so). */
static void cfg_copy(const char *dir, const char *name)
{
    char from[1024], to[1024];
    snprintf(from, sizeof(from), "%s/%s.so", CFG_FIXTURE_DIR, name);
    snprintf(to, sizeof(to), "%s/%s.so", dir, name);
    copy_file(from, to);
}

static tenon_registry *registry(log_capture *cap)
{
    return new_registry(NULL, TENON_REGISTRY_NO_STATIC, cap);
}

/* Loads text (with "DIR" replaced by dir) from memory. */
static int load(tenon_registry *reg, const char *dir, const char *text)
{
    char buf[8192];
    size_t o = 0;
    for (const char *p = text; *p && o + 1024 < sizeof(buf);) {
        if (dir && strncmp(p, "DIR", 3) == 0) {
            o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s", dir);
            p += 3;
        } else {
            buf[o++] = *p++;
        }
    }
    buf[o] = '\0';
    return tenon_config_load_buffer(reg, buf, o, "tenon.json");
}

/* ---- Loading ------------------------------------------------------------------ */

static void test_errors_name_file_line_column(void **state)
{
    (void)state;
    tenon_registry *reg = registry(NULL);
    const char
        *text = "{\n  \"plugins\": [\n    {\"module\": \"x\", \"enabeld\": true}\n  ]\n}\n";
    int rc = tenon_config_load_buffer(reg, text, strlen(text), "my.json");
    expect_error(rc, TENON_ECONFIG, "my.json",
                 "my.json:3:21: \"enabeld\": unknown key in plugins[0]",
                 "expected one of module, name, enabled", "did you mean \"enabled\"", NULL);
    const tenon_error *e = tenon_last_error();
    assert_int_equal(e->stage, TENON_STAGE_CONFIG);
    assert_string_equal(e->path, "my.json");
    assert_null(tenon_config_file(reg)); /* a failed load installs nothing */

    /* A syntax error points at the offending token's start. */
    text = "{\"plugins\": [1, 2,, 3]}";
    rc = tenon_config_load_buffer(reg, text, strlen(text), NULL);
    expect_error(rc, TENON_ECONFIG, "tenon.json", "tenon.json:1:19: invalid JSON", NULL);

    /* Memory has no folder: relative folders are refused. */
    text = "{\"plugin_path\": [\"plugins\"]}";
    rc = tenon_config_load_buffer(reg, text, strlen(text), "mem");
    expect_error(rc, TENON_ECONFIG, "mem", "mem:1:18: plugin_path[0]", "is relative", NULL);
    text = "{\"keys_dir\": \"keys\"}";
    rc = tenon_config_load_buffer(reg, text, strlen(text), "mem");
    expect_error(rc, TENON_ECONFIG, "mem", "keys_dir", "is relative", NULL);

    /* Arguments. */
    assert_int_equal(tenon_config_load_buffer(NULL, "{}", 2, NULL), TENON_EINVAL);
    assert_int_equal(tenon_config_load_buffer(reg, NULL, 2, NULL), TENON_EINVAL);
    expect_error(tenon_config_load_buffer(reg, NULL, 0, NULL), TENON_ECONFIG, "tenon.json",
                 "invalid JSON", NULL);
    assert_int_equal(tenon_config_load(NULL, NULL), TENON_EINVAL);
    assert_int_equal(tenon_config_load(reg, ""), TENON_EINVAL);
    assert_int_equal(tenon_config_apply(NULL), TENON_EINVAL);
    assert_int_equal(tenon_config_plan(NULL, NULL), TENON_EINVAL);
    assert_int_equal(tenon_config_instance(NULL, "x", NULL, NULL, NULL), TENON_EINVAL);
    assert_int_equal(tenon_config_instances(NULL, NULL, 0), 0);
    assert_null(tenon_config_file(NULL));
    /* Without a configuration, apply does nothing. */
    assert_int_equal(tenon_config_apply(reg), 0);
    tenon_registry_free(reg);
}

static void test_relative_paths_follow_the_file(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    char sub[1024], file[1024], home[1024];
    snprintf(sub, sizeof(sub), "%s/plugins", dir);
    snprintf(home, sizeof(home), "%s/home", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    assert_int_equal(mkdir(home, 0755), 0);
    snprintf(file, sizeof(file), "%s/home/lib", dir);
    assert_int_equal(mkdir(file, 0755), 0);
    cfg_copy(sub, "cfg_proxy");
    snprintf(file, sizeof(file), "%s/tenon.json", dir);
    write_file(file, "{\"plugin_path\": [\"plugins\", \"~/lib\"]}");
    char *old_home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
    setenv("HOME", home, 1);
    tenon_registry *reg = registry(NULL);
    expect_ok(tenon_config_load(reg, file));
    const char *dirs[8];
    assert_int_equal(tenon_registry_paths(reg, dirs, 8), 2);
    assert_string_equal(dirs[0], sub);
    assert_string_equal(dirs[1], tmp_path(home, "lib"));
    assert_string_equal(tenon_config_file(reg), file);
    assert_null(tenon_registry_find(reg, "cfg_proxy")); /* not scanned yet */
    assert_true(tenon_registry_scan(reg) >= 1);
    assert_non_null(tenon_registry_find(reg, "cfg_proxy"));
    tenon_registry_free(reg);
    if (old_home)
        setenv("HOME", old_home, 1);
    else
        unsetenv("HOME");
    free(old_home);
    tmp_remove(dir);
}

/* The default lookup: TENON_CONFIG, then $XDG_CONFIG_HOME/APP, then
 * ~/.config/APP, then /etc/APP. (AT_SECURE, which skips the first three,
 * needs a setuid program and is not tested here.) */
static void test_default_lookup(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    char app[64], path[1024], xdg[1024], home[1024];
    snprintf(app, sizeof(app), "tenon-cfgtest-%d", (int)getpid());
    snprintf(xdg, sizeof(xdg), "%s/xdg", dir);
    snprintf(home, sizeof(home), "%s/home", dir);
    snprintf(path, sizeof(path), "%s/xdg/%s", dir, app);
    assert_int_equal(mkdir(xdg, 0755), 0);
    assert_int_equal(mkdir(path, 0755), 0);
    assert_int_equal(mkdir(home, 0755), 0);
    snprintf(path, sizeof(path), "%s/home/.config", dir);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof(path), "%s/home/.config/%s", dir, app);
    assert_int_equal(mkdir(path, 0755), 0);
    write_file(tmp_path(path, "tenon.json"), "{\"comment\": \"home\"}");
    snprintf(path, sizeof(path), "%s/xdg/%s/tenon.json", dir, app);
    write_file(path, "{\"comment\": \"xdg\"}");
    write_file(tmp_path(dir, "env.json"), "{\"comment\": \"env\"}");

    char *saved[3];
    const char *names[3] = {"HOME", "XDG_CONFIG_HOME", "TENON_CONFIG"};
    for (int i = 0; i < 3; i++)
        saved[i] = getenv(names[i]) ? strdup(getenv(names[i])) : NULL;
    setenv("HOME", home, 1);

    tenon_registry *reg;
    log_capture cap;
    /* 1. TENON_CONFIG wins; TENON_REGISTRY_NO_ENV ignores it. */
    setenv("TENON_CONFIG", tmp_path(dir, "env.json"), 1);
    setenv("XDG_CONFIG_HOME", xdg, 1);
    expect_ok(tenon_registry_create(app, TENON_REGISTRY_NO_DEFAULT_PATH, &reg));
    expect_ok(tenon_config_load(reg, NULL));
    assert_string_equal(tenon_config_file(reg), tmp_path(dir, "env.json"));
    tenon_registry_free(reg);
    expect_ok(tenon_registry_create(app, TENON_REGISTRY_NO_DEFAULT_PATH | TENON_REGISTRY_NO_ENV,
                                    &reg));
    capture_log_level(reg, &cap, TENON_LOG_DEBUG);
    expect_ok(tenon_config_load(reg, NULL));
    assert_string_equal(tenon_config_file(reg), path);
    expect_contains(cap.all, "TENON_CONFIG ignored");
    tenon_registry_free(reg);
    /* A TENON_CONFIG that names nothing is an error, not a fallback. */
    setenv("TENON_CONFIG", tmp_path(dir, "none.json"), 1);
    expect_ok(tenon_registry_create(app, TENON_REGISTRY_NO_DEFAULT_PATH, &reg));
    expect_error(tenon_config_load(reg, NULL), TENON_ECONFIG, "none.json", "TENON_CONFIG",
                 NULL);
    tenon_registry_free(reg);
    unsetenv("TENON_CONFIG");

    /* 2. XDG_CONFIG_HOME. */
    expect_ok(tenon_registry_create(app, TENON_REGISTRY_NO_DEFAULT_PATH, &reg));
    expect_ok(tenon_config_load(reg, NULL));
    assert_string_equal(tenon_config_file(reg), path);
    tenon_registry_free(reg);

    /* 3. ~/.config when XDG_CONFIG_HOME is unset or relative. */
    setenv("XDG_CONFIG_HOME", "relative/xdg", 1);
    expect_ok(tenon_registry_create(app, TENON_REGISTRY_NO_DEFAULT_PATH, &reg));
    expect_ok(tenon_config_load(reg, NULL));
    snprintf(path, sizeof(path), "%s/home/.config/%s/tenon.json", dir, app);
    assert_string_equal(tenon_config_file(reg), path);
    tenon_registry_free(reg);

    /* 4. Nothing found: not an error, and the debug log says where it looked. */
    unlink(path);
    unsetenv("XDG_CONFIG_HOME");
    expect_ok(tenon_registry_create(app, TENON_REGISTRY_NO_DEFAULT_PATH, &reg));
    capture_log_level(reg, &cap, TENON_LOG_DEBUG);
    expect_ok(tenon_config_load(reg, NULL));
    assert_null(tenon_config_file(reg));
    expect_contains(cap.all, "no configuration: looked for");
    expect_contains(cap.all, path);
    char etc[256];
    snprintf(etc, sizeof(etc), "/etc/%s/tenon.json", app);
    expect_contains(cap.all, etc);
    tenon_registry_free(reg);

    for (int i = 0; i < 3; i++) {
        if (saved[i])
            setenv(names[i], saved[i], 1);
        else
            unsetenv(names[i]);
        free(saved[i]);
    }
    tmp_remove(dir);
}

static void test_unsafe_file(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    const char *file = tmp_path(dir, "tenon.json");
    write_file(file, "{}");
    assert_int_equal(chmod(file, 0620), 0);
    tenon_registry *reg = registry(NULL);
    expect_error(tenon_config_load(reg, file), TENON_EUNSAFE, "tenon.json",
                 "writable by its group", NULL);
    tenon_registry_free(reg);
    /* Not even with the registry's relaxation for plugin files: the
     * configuration can switch require_signed off. */
    reg = new_registry(NULL, TENON_REGISTRY_ALLOW_UNSAFE_FILES, NULL);
    expect_error(tenon_config_load(reg, file), TENON_EUNSAFE, "tenon.json", NULL);
    tenon_registry_free(reg);
    assert_int_equal(chmod(file, 0644), 0);
    reg = registry(NULL);
    expect_ok(tenon_config_load(reg, file));
    tenon_registry_free(reg);
    /* A folder is not a configuration. */
    reg = registry(NULL);
    expect_error(tenon_config_load(reg, dir), TENON_ECONFIG, dir, "not a regular file", NULL);
    tenon_registry_free(reg);
    tmp_remove(dir);
}

/* ---- Selection ---------------------------------------------------------------- */

static void test_disabled_by_default_and_overrides(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    cfg_copy(dir, "cfg_hidden");
    cfg_copy(dir, "cfg_old");
    cfg_copy(dir, "cfg_new");
    cfg_copy(dir, "cfg_proxy");
    log_capture cap;

    /* Without a configuration: the flagged plugin stays off, the
     * overridden one never runs. */
    tenon_registry *reg = new_registry(dir, TENON_REGISTRY_NO_STATIC, &cap);
    tenon_plugin *p;
    expect_error(tenon_registry_load(reg, "cfg_hidden", &p), TENON_EDISABLED, "cfg_hidden",
                 "disabled by default", NULL);
    expect_error(tenon_registry_load(reg, "cfg_old", &p), TENON_EOVERRIDDEN, "cfg_old",
                 "overridden by cfg_new", NULL);
    tenon_registry_free(reg);

    /* Enabled by the configuration; the overrider disabled, so the
     * overridden plugin is itself again; another disabled by name. */
    reg = new_registry(dir, TENON_REGISTRY_NO_STATIC, &cap);
    expect_ok(load(reg, NULL,
                   "{\"enable\": [\"cfg_h*\"], \"disable\": [\"cfg_new\", \"cfg_proxy\"]}"));
    expect_ok(tenon_registry_load(reg, "cfg_hidden", &p));
    expect_ok(tenon_registry_load(reg, "cfg_old", &p));
    expect_error(tenon_registry_load(reg, "cfg_proxy", &p), TENON_EDISABLED, "cfg_proxy",
                 "disabled by the configuration", NULL);
    expect_contains(captured_events(&cap), "cfg_hidden:init");
    expect_contains(captured_events(&cap), "cfg_old:init");
    assert_null(strstr(captured_events(&cap), "cfg_new:init"));
    assert_null(strstr(captured_events(&cap), "cfg_proxy:init"));
    tenon_registry_free(reg);

    /* A configuration loaded later re-decides for plugins not loaded yet;
     * plugins scanned after it are decided as they appear. */
    reg = registry(&cap);
    expect_ok(load(reg, dir,
                   "{\"plugin_path\": [\"DIR\"], \"default\": {\"enabled\": false},"
                   " \"enable\": [\"cfg_old\"]}"));
    assert_true(tenon_registry_scan(reg) >= 4);
    assert_int_equal(tenon_plugin_status(tenon_registry_find(reg, "cfg_proxy")),
                     TENON_STATUS_DISABLED);
    assert_int_equal(tenon_plugin_status(tenon_registry_find(reg, "cfg_old")),
                     TENON_STATUS_FOUND);
    expect_ok(load(reg, dir, "{\"enable\": [\"*\"]}"));
    assert_int_equal(tenon_plugin_status(tenon_registry_find(reg, "cfg_proxy")),
                     TENON_STATUS_FOUND);
    assert_int_equal(tenon_plugin_status(tenon_registry_find(reg, "cfg_old")),
                     TENON_STATUS_OVERRIDDEN);
    tenon_registry_free(reg);
    tmp_remove(dir);
}

/* ---- Apply ---------------------------------------------------------------------- */

static const char opae[] =
    "{\n"
    "  \"plugin_path\": [\"DIR\"],\n"
    "  \"plugins\": [\n"
    "    {\"module\": \"cfg_proxy\", \"config\": {\"verbose\": true, \"port\": 1234}},\n"
    "    {\"module\": \"cfg_proxy\", \"name\": \"tcp-proxy1\",\n"
    "     \"config\": {\"transport\": \"tcp\", \"hosts\": \"host1,host2,host3\",\n"
    "                \"timeout\": \"500ms\", \"bufsize\": \"1MiB\", \"ratio\": 0.25}},\n"
    "    {\"module\": \"cfg_proxy\", \"name\": \"rdma-proxy1\", \"interface\": \"cfg.stats\",\n"
    "     \"config\": {\"transport\": \"rdma\", \"hosts\": \"host4\", \"timeout\": 2,\n"
    "                \"bufsize\": 4096}},\n"
    "    {\"module\": \"cfg_proxy\", \"name\": \"spare\", \"enabled\": false}\n"
    "  ]\n"
    "}\n";

static void test_instances_with_their_own_options(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    cfg_copy(dir, "cfg_proxy");
    log_capture cap;
    tenon_registry *reg = registry(&cap);
    expect_ok(load(reg, dir, opae));
    assert_int_equal(tenon_config_apply(reg), 0);

    /* The plugin's own options reached its init. */
    expect_contains(cap.all, "cfg_proxy:init transport=tcp hosts=localhost port=1234");
    expect_contains(cap.all, "verbose=1");

    tenon_instance *tcp = tenon_registry_instance(reg, "tcp-proxy1");
    tenon_instance *rdma = tenon_registry_instance(reg, "rdma-proxy1");
    assert_non_null(tcp);
    assert_non_null(rdma);
    assert_null(tenon_registry_instance(reg, "spare"));
    const tenon_values *v = tenon_instance_values(tcp);
    assert_string_equal(tenon_values_string(v, "transport"), "tcp");
    assert_string_equal(tenon_values_string(v, "hosts"), "host1,host2,host3");
    assert_int_equal(tenon_values_int(v, "timeout"), 500000000);
    assert_int_equal(tenon_values_int(v, "bufsize"), 1 << 20);
    assert_true(tenon_values_double(v, "ratio") == 0.25);
    assert_int_equal(tenon_values_int(v, "port"), 10809); /* instances have their own */
    v = tenon_instance_values(rdma);
    assert_string_equal(tenon_values_string(v, "transport"), "rdma");
    assert_int_equal(tenon_values_int(v, "timeout"), 2000000000);
    assert_int_equal(tenon_values_int(v, "bufsize"), 4096);
    expect_contains(cap.all, "cfg_proxy:instance tcp-proxy1: transport=tcp hosts=host1,host2");
    expect_contains(cap.all, "cfg_proxy:instance rdma-proxy1: transport=rdma hosts=host4");

    /* What a host needs to make more of them (one per thread, say). */
    const char *module, *iface;
    const tenon_options *opts;
    expect_ok(tenon_config_instance(reg, "rdma-proxy1", &module, &iface, &opts));
    assert_string_equal(module, "cfg_proxy");
    assert_string_equal(iface, "cfg.stats");
    assert_int_equal(tenon_options_count(opts), 4);
    const char *key, *value, *origin;
    expect_ok(tenon_options_at(opts, 0, &key, &value, &origin));
    assert_string_equal(key, "transport");
    assert_string_equal(value, "rdma");
    assert_string_equal(origin, "tenon.json:9:30");
    expect_ok(tenon_config_instance(reg, "tcp-proxy1", &module, &iface, &opts));
    assert_string_equal(iface, "cfg.proxy"); /* the module's first */
    tenon_instance *mine;
    expect_ok(tenon_instance_new(reg, module, iface, NULL, opts, &mine));
    assert_string_equal(tenon_values_string(tenon_instance_values(mine), "hosts"),
                        "host1,host2,host3");
    tenon_instance_free(mine);

    expect_error(tenon_config_instance(reg, "spare", NULL, NULL, NULL), TENON_EDISABLED,
                 "spare", "tenon.json:11:5", "disabled", NULL);
    expect_error(tenon_config_instance(reg, "nope", NULL, NULL, NULL), TENON_ENOTFOUND, NULL,
                 "no instance named \"nope\"", "tcp-proxy1, rdma-proxy1, spare", NULL);
    const char *names[8];
    assert_int_equal(tenon_config_instances(reg, names, 8), 3);
    assert_string_equal(names[0], "tcp-proxy1");
    assert_string_equal(names[2], "spare");
    assert_int_equal(tenon_config_instances(reg, NULL, 0), 3);

    /* A configuration applies once. */
    expect_error(tenon_config_apply(reg), TENON_ESTATE, NULL, "already applied", NULL);
    tenon_registry_free(reg);
    tmp_remove(dir);
}

/* A plugin loaded on demand, not by apply, still gets its options. */
static void test_on_demand_load_gets_options(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    cfg_copy(dir, "cfg_proxy");
    log_capture cap;
    tenon_registry *reg = new_registry(dir, TENON_REGISTRY_NO_STATIC, &cap);
    expect_ok(load(reg, NULL,
                   "{\"plugins\": [{\"module\": \"cfg_proxy\", \"config\": {\"hosts\": "
                   "\"far\"}}]}"));
    const void *table;
    expect_ok(tenon_interface(reg, NULL, "cfg.proxy", 1, &table, NULL));
    expect_contains(cap.all, "cfg_proxy:init transport=tcp hosts=far");
    /* A loaded plugin keeps what it was loaded with. */
    expect_ok(load(reg, NULL,
                   "{\"plugins\": [{\"module\": \"cfg_proxy\", \"config\": {\"hosts\": "
                   "\"near\"}}]}"));
    assert_int_equal(tenon_config_apply(reg), 0);
    assert_null(strstr(cap.all, "hosts=near"));
    tenon_registry_free(reg);
    tmp_remove(dir);
}

typedef struct policy_case {
    const char *policy;
    int rc;              /* what apply returns */
    const char *warning; /* in the log at WARN, or NULL for none */
} policy_case;

/* Init failures and instance failures: the listing cannot know them, so
 * only apply meets them, and the load policy decides. */
static void test_runtime_failures_follow_the_policy(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    cfg_copy(dir, "cfg_proxy");
    cfg_copy(dir, "cfg_initfail");
    cfg_copy(dir, "cfg_instfail");
    static const policy_case cases[] = {
        {"{\"on_error\": \"fail\"}", TENON_EINIT, NULL},
        {"{\"on_error\": \"warn\"}", 2, "cannot reach its device"},
        {"{\"on_error\": \"skip\"}", 2, NULL},
        {"{\"required\": false, \"on_error\": \"warn\"}", 2, "no route to far"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char text[2048];
        snprintf(text, sizeof(text),
                 "{\"plugin_path\": [\"DIR\"], \"plugins\": ["
                 "{\"module\": \"cfg_proxy\", \"name\": \"good\"},"
                 "{\"module\": \"cfg_initfail\", \"name\": \"i1\", \"load_policy\": %s},"
                 "{\"module\": \"cfg_instfail\", \"name\": \"i2\", \"config\": {\"hosts\": "
                 "\"far\"}, \"load_policy\": %s},"
                 "{\"module\": \"cfg_proxy\", \"name\": \"good2\"}]}",
                 cases[i].policy, cases[i].policy);
        log_capture cap;
        tenon_registry *reg = registry(NULL);
        capture_log_level(reg, &cap, TENON_LOG_WARN);
        expect_ok(load(reg, dir, text));
        int rc = tenon_config_apply(reg);
        if (rc != cases[i].rc)
            fail_msg("policy %s: apply returned %d (%s), expected %d", cases[i].policy, rc,
                     tenon_last_error()->message, cases[i].rc);
        if (rc < 0) {
            /* It stopped at the failing init, after the good plugin loaded,
             * before any instance. */
            expect_error(rc, TENON_EINIT, "cfg_initfail", "cannot reach its device", NULL);
            assert_null(tenon_registry_instance(reg, "good"));
        } else {
            assert_non_null(tenon_registry_instance(reg, "good"));
            assert_non_null(tenon_registry_instance(reg, "good2"));
            assert_null(tenon_registry_instance(reg, "i1"));
            assert_null(tenon_registry_instance(reg, "i2"));
        }
        if (cases[i].warning)
            expect_contains(cap.all, cases[i].warning);
        else if (rc >= 0 && cap.all[0])
            fail_msg("policy %s: unexpected warnings: %s", cases[i].policy, cap.all);
        tenon_registry_free(reg);
    }
    tmp_remove(dir);
}

/* Failures found from descriptors stop apply before any plugin code runs. */
static void test_static_failure_stops_before_loading(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    cfg_copy(dir, "cfg_proxy");
    log_capture cap;
    tenon_registry *reg = registry(&cap);
    expect_ok(load(reg, dir,
                   "{\"plugins\": [{\"module\": \"cfg_proxy\", \"name\": \"p\"},"
                   "{\"module\": \"cfg_gone\"}], \"plugin_path\": [\"DIR\"]}"));
    tenon_plan *plan;
    expect_ok(tenon_config_plan(reg, &plan));
    const tenon_error *stop = tenon_plan_stop_error(plan);
    assert_non_null(stop);
    expect_contains(stop->message, "tenon.json:1:62: plugins[1]: no plugin named cfg_gone");
    assert_int_equal(tenon_plan_count(plan), 2);
    const tenon_plan_item *it = tenon_plan_at(plan, 0);
    assert_int_equal(it->struct_size, sizeof(tenon_plan_item));
    assert_int_equal(it->action, TENON_PLAN_LOAD);
    assert_string_equal(it->name, "cfg_proxy");
    it = tenon_plan_at(plan, 1);
    assert_int_equal(it->action, TENON_PLAN_FAIL);
    assert_null(it->plugin);
    assert_true(it->stops);
    assert_string_equal(it->reason, "not installed");
    assert_null(tenon_plan_at(plan, 2));
    assert_int_equal(tenon_plan_instance_count(plan), 1);
    assert_int_equal(tenon_plan_instance_at(plan, 0)->action, TENON_PLAN_LOAD);
    assert_null(tenon_plan_instance_at(plan, 1));
    tenon_plan_free(plan);
    tenon_plan_free(NULL);

    expect_error(tenon_config_apply(reg), TENON_ENOTFOUND, "cfg_gone",
                 "no plugin named cfg_gone is installed", NULL);
    assert_int_equal(tenon_plugin_status(tenon_registry_find(reg, "cfg_proxy")),
                     TENON_STATUS_FOUND);
    assert_null(strstr(captured_events(&cap), "init"));
    tenon_registry_free(reg);
    tmp_remove(dir);

    assert_string_equal(tenon_plan_action_name(TENON_PLAN_ON_DEMAND), "on demand");
    assert_string_equal(tenon_plan_action_name((tenon_plan_action)42), "unknown");
}

/* ---- Integrity settings ----------------------------------------------------------- */

static void test_integrity_settings(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    cfg_copy(dir, "cfg_proxy");
    tenon_registry *reg = new_registry(dir, TENON_REGISTRY_NO_STATIC, NULL);
    tenon_integrity_info info = {.struct_size = sizeof(info)};
    expect_ok(tenon_plugin_integrity_info(tenon_registry_find(reg, "cfg_proxy"), &info));
    char good[65];
    snprintf(good, sizeof(good), "%s", info.sha256);
    tenon_registry_free(reg);

    /* A wrong pin refuses the file at load. */
    char text[2048];
    snprintf(text, sizeof(text),
             "{\"plugin_path\": [\"DIR\"], \"plugins\": [{\"module\": \"cfg_proxy\", "
             "\"sha256\": \"%064d\"}]}",
             0);
    reg = registry(NULL);
    expect_ok(load(reg, dir, text));
    expect_error(tenon_config_apply(reg), TENON_EHASH, "cfg_proxy", NULL);
    tenon_registry_free(reg);

    /* The right pin, in capitals, loads. */
    for (char *p = good; *p; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 'a' + 'A');
    snprintf(text, sizeof(text),
             "{\"plugin_path\": [\"DIR\"], \"plugins\": [{\"module\": \"cfg_proxy\", "
             "\"sha256\": \"%s\"}]}",
             good);
    reg = registry(NULL);
    expect_ok(load(reg, dir, text));
    assert_int_equal(tenon_config_apply(reg), 0);
    tenon_registry_free(reg);

    /* A trusted key from a folder, and signatures required: the unsigned
     * plugin is refused, the signed one loads. */
    char keys[1024], base[1024], keyfile[1024];
    snprintf(keys, sizeof(keys), "%s/keys", dir);
    assert_int_equal(mkdir(keys, 0755), 0);
    snprintf(base, sizeof(base), "%s/builder", keys);
    tenon_public_key_info pub = {.struct_size = sizeof(pub)};
    expect_ok(tenon_key_generate_info(base, "test builder", &pub));
    snprintf(keyfile, sizeof(keyfile), "%s.key", base);
    char secret[1024];
    snprintf(secret, sizeof(secret), "%s/builder.key", dir);
    assert_int_equal(rename(keyfile, secret), 0); /* only public keys in the folder */
    snprintf(text, sizeof(text),
             "{\"plugin_path\": [\"DIR\"], \"keys_dir\": \"DIR/keys\", \"require_signed\": "
             "true,"
             " \"plugins\": [{\"module\": \"cfg_proxy\"}]}");
    reg = registry(NULL);
    expect_ok(load(reg, dir, text));
    expect_error(tenon_config_apply(reg), TENON_ESIGNATURE, "cfg_proxy", NULL);
    tenon_registry_free(reg);
    expect_ok(
        tenon_signature_sign_file_info(tmp_path(dir, "cfg_proxy.so"), secret, NULL, NULL));
    reg = registry(NULL);
    expect_ok(load(reg, dir, text));
    assert_int_equal(tenon_config_apply(reg), 0);
    tenon_registry_free(reg);

    /* A key given inline, and a malformed one, with its position. */
    reg = registry(NULL);
    snprintf(text, sizeof(text), "{\"trusted_keys\": [\"%s\", \"AAAA\"]}", "x");
    expect_error(load(reg, NULL, text), TENON_ECONFIG, "tenon.json",
                 "tenon.json:1:19: trusted_keys[0]", NULL);
    tenon_registry_free(reg);
    tmp_remove(dir);
}

/* ---- Threads ---------------------------------------------------------------------- */

typedef struct shared {
    tenon_registry *reg;
    atomic_int stop;
} shared;

static void *reader(void *arg)
{
    shared *s = arg;
    while (!atomic_load(&s->stop)) {
        const char *module, *iface;
        const tenon_options *opts;
        if (tenon_config_instance(s->reg, "tcp-proxy1", &module, &iface, &opts) == 0) {
            assert_string_equal(module, "cfg_proxy");
            assert_true(tenon_options_count(opts) > 0);
        }
        const char *names[8];
        tenon_config_instances(s->reg, names, 8);
        tenon_plan *plan;
        if (tenon_config_plan(s->reg, &plan) == 0)
            tenon_plan_free(plan);
        tenon_config_file(s->reg);
        tenon_registry_find(s->reg, "cfg_proxy");
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    cfg_copy(dir, "cfg_proxy");
    cfg_copy(dir, "cfg_hidden");
    shared s = {registry(NULL), 0};
    expect_ok(load(s.reg, dir, opae));
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, reader, &s), 0);
    for (int i = 0; i < 200; i++) {
        expect_ok(load(s.reg, dir, i % 2 ? opae : "{\"enable\": [\"cfg_hidden\"]}"));
        if (i == 100)
            assert_true(tenon_config_apply(s.reg) >= 0);
    }
    atomic_store(&s.stop, 1);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    tenon_registry_free(s.reg);
    tmp_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors_name_file_line_column),
        cmocka_unit_test(test_relative_paths_follow_the_file),
        cmocka_unit_test(test_default_lookup),
        cmocka_unit_test(test_unsafe_file),
        cmocka_unit_test(test_disabled_by_default_and_overrides),
        cmocka_unit_test(test_instances_with_their_own_options),
        cmocka_unit_test(test_on_demand_load_gets_options),
        cmocka_unit_test(test_runtime_failures_follow_the_policy),
        cmocka_unit_test(test_static_failure_stops_before_loading),
        cmocka_unit_test(test_integrity_settings),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
