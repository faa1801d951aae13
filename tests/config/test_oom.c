/* Allocation failures (jansson's approach): the Nth allocation libtenon
 * makes fails, for N = 1, 2, ... along load, plan, apply and instance
 * lookups of a configuration that uses every part, until a run completes.
 * Every failing run must stop with TENON_ENOMEM from the call that ran out
 * (or, for a failure inside apply's logging or a plugin's instance, a
 * result that says so), and free everything: the hooks count live blocks,
 * and the ASan build checks the rest. jansson's own allocations go through
 * the C library and are not counted. */
#include "helpers.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alloc_fail.h"

static const char config[] =
    "{\n"
    "  \"plugin_path\": [\"DIR\"],\n"
    "  \"default\": {\"enabled\": true, \"load_policy\": {\"required\": true}},\n"
    "  \"enable\": [\"cfg_h*\"],\n"
    "  \"disable\": [\"net_*\"],\n"
    "  \"plugins\": [\n"
    "    {\"module\": \"cfg_proxy\", \"config\": {\"verbose\": true, \"port\": 99}},\n"
    "    {\"module\": \"cfg_proxy\", \"name\": \"tcp-proxy1\",\n"
    "     \"config\": {\"transport\": \"tcp\", \"hosts\": \"a,b\", \"timeout\": \"1s\"}},\n"
    "    {\"module\": \"cfg_proxy\", \"name\": \"rdma-proxy1\", \"interface\": \"cfg.stats\",\n"
    "     \"config\": {\"transport\": \"rdma\", \"ratio\": 0.5}},\n"
    "    {\"module\": \"cfg_needs\", \"version\": \">=1\"},\n"
    "    {\"module\": \"cfg_missing\", \"load_policy\": {\"required\": false}},\n"
    "    {\"module\": \"cfg_hidden\", \"name\": \"h\", \"config\": {\"port\": 0},\n"
    "     \"load_policy\": {\"on_error\": \"skip\"}},\n"
    "    {\"module\": \"net_*\", \"enabled\": false}\n"
    "  ]\n"
    "}\n";

/* One run. Returns 0 when everything succeeded, TENON_ENOMEM when a step
 * ran out of memory, anything else is a failure of the test. */
static int run(const char *text, const char **step)
{
    tenon_registry *reg = NULL;
    int rc;
    *step = "registry_new";
    if ((rc = tenon_registry_create("tenon-oom",
                                    TENON_REGISTRY_NO_ENV | TENON_REGISTRY_NO_DEFAULT_PATH |
                                        TENON_REGISTRY_NO_STATIC,
                                    &reg)) < 0)
        return rc;
    tenon_registry_set_log(reg, NULL, NULL, TENON_LOG_ERROR);
    *step = "load_config_buffer";
    rc = tenon_config_load_buffer(reg, text, strlen(text), "tenon.json");
    tenon_plan *plan = NULL;
    if (rc == 0) {
        *step = "plan";
        rc = tenon_config_plan(reg, &plan);
    }
    if (rc == 0) {
        /* The plan: cfg_proxy, cfg_needs loaded; h fails its options. */
        if (tenon_plan_stop_error(plan) != NULL)
            rc = -1000;
        tenon_plan_free(plan);
    }
    if (rc == 0) {
        *step = "apply";
        rc = tenon_config_apply(reg);
        if (rc == 1) /* the skipped instance h */
            rc = 0;
        else if (rc >= 0)
            rc = -1001;
    }
    if (rc == 0) {
        *step = "instance";
        const char *module, *iface;
        const tenon_options *opts;
        rc = tenon_config_instance(reg, "rdma-proxy1", &module, &iface, &opts);
        if (rc == 0 && (strcmp(iface, "cfg.stats") || tenon_options_count(opts) != 2))
            rc = -1002;
        if (rc == 0 && !tenon_registry_instance(reg, "tcp-proxy1"))
            rc = -1003;
    }
    tenon_registry_free(reg);
    return rc;
}

struct sweep_run {
    const char *text;
    const char *step; /* where the last run stopped */
    unsigned long enomem_runs;
};

/* A failing allocation may be absorbed (the library goes on without it: a
 * log line); otherwise the run ends in TENON_ENOMEM. */
static int sweep_run(void *arg)
{
    struct sweep_run *s = arg;
    int rc = run(s->text, &s->step);
    if (rc == 0)
        return 0;
    if (alloc_fail.failures == 0)
        fail_msg("the run without failures stopped at %s: %d %s", s->step, rc,
                 tenon_last_error()->message);
    if (rc != TENON_ENOMEM)
        fail_msg("allocation %lu failing: %s returned %d (%s): %s", alloc_fail.fail_at, s->step,
                 rc, tenon_err_name(rc), tenon_last_error()->message);
    s->enomem_runs++;
    return 0;
}

static void test_every_allocation_fails_once(void **state)
{
    (void)state;
    char *dir = tmp_dir();
    static const char *const fixtures[] = {"cfg_proxy", "cfg_needs", "cfg_hidden", "net_tcp"};
    for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
        char from[1024], to[1024];
        snprintf(from, sizeof(from), "%s/%s.so", CFG_FIXTURE_DIR, fixtures[i]);
        snprintf(to, sizeof(to), "%s/%s.so", dir, fixtures[i]);
        copy_file(from, to);
    }
    char text[4096];
    const char *at = strstr(config, "DIR");
    snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - config), config, dir, at + 3);

    /* One run with the C library's allocator first: the loader keeps a
     * process-wide table of loaded files that grows once and is never
     * freed, and that is not a leak of any run. */
    const char *step;
    if (run(text, &step) != 0)
        fail_msg("the warm-up run stopped at %s: %s", step, tenon_last_error()->message);
    tenon_set_allocator(alloc_fail_malloc, alloc_fail_realloc, alloc_fail_free);
    struct sweep_run s = {text, NULL};
    struct alloc_fail_result r;
    if (alloc_fail_sweep(sweep_run, &s, &r) != 0)
        fail_msg("%s (in %s)", alloc_fail.error, s.step);
    tenon_set_allocator(NULL, NULL, NULL);
    assert_true(r.allocations > 50);
    print_message("%lu allocations per run, %lu runs ended in TENON_ENOMEM\n", r.allocations,
                  s.enomem_runs);
    assert_true(s.enomem_runs > 0);
    tmp_remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_allocation_fails_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
