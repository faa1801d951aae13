/* The registry (issue 2): scanning, listing order, statuses and their
 * names, shadowing, add_file, find, TENON_PLUGIN_PATH, and loading every
 * fixture plugin with its exact error code and a message naming the plugin
 * (or file) and the cause. */
#include "helpers.h"

#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "basic.h"
#include "fixture.h"

typedef tmp_fixture fixture;

static tenon_plugin *by_file(tenon_registry *reg, const char *dir, const char *file)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    for (size_t i = 0; i < tenon_registry_count(reg); i++) {
        tenon_plugin *p = tenon_registry_at(reg, i);
        if (tenon_plugin_path(p) && strcmp(tenon_plugin_path(p), path) == 0)
            return p;
    }
    fail_msg("no plugin record for %s", path);
    return NULL;
}

/* ---- Scanning ------------------------------------------------------------------- */

static void test_scan_reads_descriptors_only(void **state)
{
    fixture *f = *state;
    copy_fixtures(f->dir, "good_basic", "good_unloadable", "good_disabled", "bad_initcrash",
                  "bad_initfail", "chain_c", NULL);
    tenon_registry *reg = new_registry(f->dir, 0, &f->cap);
    /* Nothing ran: no init, and the crashing plugin did not crash. */
    assert_string_equal(captured_events(&f->cap), "");
    assert_int_equal(tenon_registry_count(reg), 6);
    /* Scan order: file names sorted within the folder. */
    static const char *const order[] = {"bad_initcrash", "bad_initfail",  "chain_c",
                                        "good_basic",    "good_disabled", "good_unloadable"};
    for (size_t i = 0; i < 6; i++) {
        tenon_plugin *p = tenon_registry_at(reg, i);
        assert_string_equal(tenon_plugin_name(p), order[i]);
        assert_false(tenon_plugin_is_static(p));
        assert_ptr_equal(tenon_plugin_registry(p), reg);
        char file[64];
        snprintf(file, sizeof(file), "%s.so", order[i]);
        assert_string_equal(tenon_plugin_path(p), tmp_path(f->dir, file));
    }
    assert_null(tenon_registry_at(reg, 6));
    assert_int_equal(tenon_plugin_status(tenon_registry_find(reg, "good_basic")),
                     TENON_STATUS_FOUND);
    tenon_plugin *disabled = tenon_registry_find(reg, "good_disabled");
    assert_int_equal(tenon_plugin_status(disabled), TENON_STATUS_DISABLED);
    expect_error(tenon_plugin_load(disabled), TENON_EDISABLED, "good_disabled",
                 "disabled by default", NULL);
    /* Scanning again reads only what is new (or changed), still running
     * nothing. */
    assert_int_equal(tenon_registry_scan(reg), 6);
    copy_fixtures(f->dir, "chain_b", NULL);
    assert_int_equal(tenon_registry_scan(reg), 7);
    assert_string_equal(captured_events(&f->cap), "");
    tenon_registry_free(reg);
}

static void test_status_names(void **state)
{
    (void)state;
    assert_string_equal(tenon_status_name(TENON_STATUS_FOUND), "ok");
    assert_string_equal(tenon_status_name(TENON_STATUS_LOADED), "loaded");
    assert_string_equal(tenon_status_name(TENON_STATUS_DISABLED), "disabled");
    assert_string_equal(tenon_status_name(TENON_STATUS_INCOMPATIBLE), "incompatible");
    assert_string_equal(tenon_status_name(TENON_STATUS_SHADOWED), "shadowed");
    assert_string_equal(tenon_status_name(TENON_STATUS_OVERRIDDEN), "overridden");
    assert_string_equal(tenon_status_name(TENON_STATUS_BROKEN), "broken");
    assert_string_equal(tenon_status_name((tenon_status)77), "unknown");
}

/* A broken file: its status and recorded error, then tenon_registry_load
 * by its name gives the same error. */
static void expect_broken(tenon_registry *reg, const char *dir, const char *file,
                          const char *name, tenon_status status, int code, const char *cause)
{
    tenon_plugin *p = by_file(reg, dir, file);
    assert_string_equal(tenon_plugin_name(p), name);
    if (tenon_plugin_status(p) != status)
        fail_msg("%s: status %s, want %s", file, tenon_status_name(tenon_plugin_status(p)),
                 tenon_status_name(status));
    expect_error_obj(tenon_plugin_error(p), code, file, cause, NULL);
    assert_null(tenon_registry_find(reg, name));
    expect_error(tenon_registry_load(reg, name, NULL), code, file, cause, NULL);
    expect_error(tenon_plugin_load(p), code, file, cause, NULL);
}

static void test_broken_files_at_scan(void **state)
{
    fixture *f = *state;
    copy_fixtures(f->dir, "bad_nodesc", "bad_magic", "bad_layout", "bad_field", "bad_abimajor",
                  "bad_abiminor", "good_basic", NULL);
    if (fixture_exists("bad_elf32.so"))
        copy_fixture(f->dir, "bad_elf32", NULL);
    write_file(tmp_path(f->dir, "text.so"), "not a plugin\n");
    copy_fixture(f->dir, "good_basic", "cut.so");
    assert_int_equal(truncate(tmp_path(f->dir, "cut.so"), 3000), 0);
    assert_int_equal(mkdir(tmp_path(f->dir, "folder.so"), 0755), 0);
    assert_int_equal(mkfifo(tmp_path(f->dir, "fifo.so"), 0644), 0);
    assert_int_equal(symlink("loop2.so", tmp_path(f->dir, "loop1.so")), 0);
    assert_int_equal(symlink("loop1.so", tmp_path(f->dir, "loop2.so")), 0);
    /* Files that are not "*.so", and hidden ones, are not plugins. */
    write_file(tmp_path(f->dir, "README"), "x");
    write_file(tmp_path(f->dir, ".hidden.so"), "x");
    write_file(tmp_path(f->dir, "x.so.1"), "x");

    alarm(20); /* the FIFO must not block the scan */
    tenon_registry *reg = new_registry(f->dir, 0, &f->cap);
    alarm(0);
    assert_int_equal(tenon_registry_count(reg), fixture_exists("bad_elf32.so") ? 14 : 13);

    expect_broken(reg, f->dir, "bad_nodesc.so", "bad_nodesc", TENON_STATUS_BROKEN,
                  TENON_ENODESC, "no tenon descriptor");
    expect_broken(reg, f->dir, "bad_magic.so", "bad_magic", TENON_STATUS_BROKEN,
                  TENON_EBADMAGIC, "magic is 0xdeadbeef");
    expect_broken(reg, f->dir, "bad_layout.so", "bad_layout", TENON_STATUS_BROKEN,
                  TENON_ELAYOUT, "layout 99");
    expect_broken(reg, f->dir, "bad_field.so", "bad_field", TENON_STATUS_BROKEN, TENON_EFIELD,
                  "no room for the terminating NUL");
    expect_broken(reg, f->dir, "text.so", "text", TENON_STATUS_BROKEN, TENON_ENOTELF,
                  "not an ELF file");
    expect_broken(reg, f->dir, "cut.so", "cut", TENON_STATUS_BROKEN, TENON_ETRUNCATED,
                  "truncated");
    expect_broken(reg, f->dir, "folder.so", "folder", TENON_STATUS_BROKEN, TENON_ENOTREG,
                  "not a regular file");
    expect_broken(reg, f->dir, "fifo.so", "fifo", TENON_STATUS_BROKEN, TENON_ENOTREG, "FIFO");
    expect_broken(reg, f->dir, "loop1.so", "loop1", TENON_STATUS_BROKEN, TENON_ELOOP,
                  "symbolic links");
    if (fixture_exists("bad_elf32.so"))
        expect_broken(reg, f->dir, "bad_elf32.so", "bad_elf32", TENON_STATUS_BROKEN,
                      TENON_EELFCLASS, "32-bit");

    /* ABI: incompatible, not broken; the message says which side is which. */
    expect_broken(reg, f->dir, "bad_abimajor.so", "bad_abimajor", TENON_STATUS_INCOMPATIBLE,
                  TENON_EABIMAJOR, "ABI 99.0");
    const tenon_error *e = tenon_plugin_error(by_file(reg, f->dir, "bad_abimajor.so"));
    expect_contains(e->message, "plugin bad_abimajor was built for tenon ABI 99.0");
    expect_contains(e->message, "host's libtenon has ABI 1.1");
    expect_contains(e->hint, "rebuild");
    assert_int_equal(e->stage, TENON_STAGE_VERIFY);
    expect_broken(reg, f->dir, "bad_abiminor.so", "bad_abiminor", TENON_STATUS_INCOMPATIBLE,
                  TENON_EABIMINOR, "1.99 (plugin)");
    e = tenon_plugin_error(by_file(reg, f->dir, "bad_abiminor.so"));
    expect_contains(e->message, "libtenon ABI 1.1 (host)");
    /* The descriptor of an incompatible plugin stays readable for listings. */
    assert_non_null(tenon_plugin_descriptor(by_file(reg, f->dir, "bad_abimajor.so")));
    assert_null(tenon_plugin_descriptor(by_file(reg, f->dir, "bad_magic.so")));

    /* The good one among them is fine, and nothing ran. */
    assert_int_equal(tenon_plugin_status(tenon_registry_find(reg, "good_basic")),
                     TENON_STATUS_FOUND);
    assert_string_equal(captured_events(&f->cap), "");
    tenon_registry_free(reg);
}

static void test_unsafe_folder(void **state)
{
    fixture *f = *state;
    char sub[4096];
    snprintf(sub, sizeof(sub), "%s/shared", f->dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    copy_fixtures(sub, "good_basic", "chain_c", NULL);
    assert_int_equal(chmod(sub, 0775), 0);
    tenon_registry *reg = new_registry(sub, 0, NULL);
    assert_int_equal(tenon_registry_count(reg), 2);
    for (size_t i = 0; i < 2; i++) {
        tenon_plugin *p = tenon_registry_at(reg, i);
        assert_int_equal(tenon_plugin_status(p), TENON_STATUS_BROKEN);
        expect_error_obj(tenon_plugin_error(p), TENON_EUNSAFE, tenon_plugin_name(p), sub,
                         "writable by its group", NULL);
    }
    expect_error(tenon_registry_load(reg, "good_basic", NULL), TENON_EUNSAFE, "good_basic",
                 "writable by its group", NULL);
    tenon_registry_free(reg);

    /* A file made unsafe after the scan is refused at load: the load
     * checks the file it opens, not what the scan saw. */
    assert_int_equal(chmod(sub, 0755), 0);
    reg = new_registry(sub, 0, NULL);
    tenon_plugin *p = tenon_registry_find(reg, "good_basic");
    assert_int_equal(tenon_plugin_status(p), TENON_STATUS_FOUND);
    assert_int_equal(chmod(tmp_path(sub, "good_basic.so"), 0666), 0);
    expect_error(tenon_plugin_load(p), TENON_EUNSAFE, "good_basic", "every user", NULL);
    assert_int_equal(chmod(sub, 0775), 0);
    expect_error(tenon_registry_load(reg, "chain_c", NULL), TENON_EUNSAFE, "chain_c",
                 "its group", NULL);
    tenon_registry_free(reg);
}

/* ---- Loading every fixture ------------------------------------------------------- */

static void test_load_good(void **state)
{
    fixture *f = *state;
    copy_fixtures(f->dir, "good_basic", NULL);
    tenon_registry *reg = new_registry(f->dir, 0, &f->cap);
    tenon_plugin *p = NULL;
    expect_ok(tenon_registry_load(reg, "good_basic", &p));
    assert_non_null(p);
    assert_int_equal(tenon_plugin_status(p), TENON_STATUS_LOADED);
    assert_null(tenon_plugin_error(p));
    assert_string_equal(captured_events(&f->cap), "good_basic:init ");
    /* Loading again is a no-op. */
    expect_ok(tenon_plugin_load(p));
    assert_string_equal(captured_events(&f->cap), "good_basic:init ");
    const basic_table *t;
    expect_ok(tenon_interface(reg, "good_basic", BASIC_IFACE, 1, (const void **)&t, NULL));
    assert_int_equal(t->version, BASIC_IFACE_VERSION);
    /* init read its option default and stored it with host->set_data. */
    assert_int_equal(t->plugin_depth(), 4);
    tenon_registry_free(reg);
    assert_string_equal(captured_events(&f->cap), "good_basic:init good_basic:fini ");
}

static void test_load_broken_code(void **state)
{
    fixture *f = *state;
    copy_fixtures(f->dir, "bad_mismatch", "bad_noentry", "bad_undefined", "bad_initfail", NULL);
    tenon_registry *reg = new_registry(f->dir, 0, &f->cap);
    /* Their descriptors are fine: they are found... */
    for (size_t i = 0; i < tenon_registry_count(reg); i++)
        assert_int_equal(tenon_plugin_status(tenon_registry_at(reg, i)), TENON_STATUS_FOUND);

    /* ...and fail when loaded, each with its own code. */
    expect_error(tenon_registry_load(reg, "bad_mismatch", NULL), TENON_EMISMATCH,
                 "bad_mismatch", "\"bad_mismatch\"", "\"mismatch_other\"", NULL);
    assert_int_equal(tenon_last_error()->stage, TENON_STAGE_LOAD);
    expect_error(tenon_registry_load(reg, "bad_noentry", NULL), TENON_ENOENTRY, "bad_noentry",
                 "tenon_entry", NULL);
    expect_error(tenon_registry_load(reg, "bad_undefined", NULL), TENON_EDLOPEN,
                 "bad_undefined", "undefined symbol: fixture_function_nobody_defines", NULL);
    /* The error names the plugin's file, not the /proc/self/fd alias. */
    assert_string_equal(tenon_last_error()->path, tmp_path(f->dir, "bad_undefined.so"));
    expect_error(tenon_registry_load(reg, "bad_initfail", NULL), TENON_EINIT, "bad_initfail",
                 "no frobnicator", NULL);
    assert_int_equal(tenon_last_error()->stage, TENON_STAGE_INIT);
    assert_string_equal(tenon_last_error()->plugin, "bad_initfail");
    /* Only the plugin that got as far as init ran any code. */
    assert_string_equal(captured_events(&f->cap), "bad_initfail:init ");

    /* The failures are remembered: listings show them, loads fail fast. */
    static const struct {
        const char *name;
        int code;
    } failed[] = {{"bad_mismatch", TENON_EMISMATCH},
                  {"bad_noentry", TENON_ENOENTRY},
                  {"bad_undefined", TENON_EDLOPEN},
                  {"bad_initfail", TENON_EINIT}};
    for (size_t i = 0; i < 4; i++) {
        tenon_plugin *p = NULL;
        for (size_t k = 0; k < tenon_registry_count(reg); k++)
            if (strcmp(tenon_plugin_name(tenon_registry_at(reg, k)), failed[i].name) == 0)
                p = tenon_registry_at(reg, k);
        assert_non_null(p);
        assert_int_equal(tenon_plugin_status(p), TENON_STATUS_BROKEN);
        expect_error_obj(tenon_plugin_error(p), failed[i].code, failed[i].name, NULL);
        expect_error(tenon_plugin_load(p), failed[i].code, failed[i].name, NULL);
    }
    assert_string_equal(captured_events(&f->cap), "bad_initfail:init ");
    tenon_registry_free(reg);
}

static void test_code_disagrees_with_descriptor(void **state)
{
    fixture *f = *state;
    copy_fixtures(f->dir, "bad_impl_undeclared", "bad_impl_missing", "bad_impl_version",
                  "bad_impl_nosize", NULL);
    tenon_registry *reg = new_registry(f->dir, 0, &f->cap);
    expect_error(tenon_registry_load(reg, "bad_impl_undeclared", NULL), TENON_EMISMATCH,
                 "bad_impl_undeclared", "implements interface \"fixture.dep\"",
                 "does not declare", NULL);
    expect_error(tenon_registry_load(reg, "bad_impl_missing", NULL), TENON_EMISMATCH,
                 "bad_impl_missing", "declares interface \"fixture.dep\"", "implements none",
                 NULL);
    expect_error(tenon_registry_load(reg, "bad_impl_version", NULL), TENON_EMISMATCH,
                 "bad_impl_version", "table is version 2", "declares version 1", NULL);
    expect_error(tenon_registry_load(reg, "bad_impl_nosize", NULL), TENON_EMISMATCH,
                 "bad_impl_nosize", "struct_size 0", NULL);
    /* Refused before init. */
    assert_string_equal(captured_events(&f->cap), "");
    tenon_registry_free(reg);
}

static void test_load_crashing_init_in_a_child(void **state)
{
    fixture *f = *state;
    copy_fixtures(f->dir, "bad_initcrash", NULL);
    tenon_registry *reg = new_registry(f->dir, 0, NULL);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        alarm(20);
        tenon_registry_load(reg, "bad_initcrash", NULL);
        _exit(0); /* not reached: init raises SIGSEGV */
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGSEGV);
    /* The parent never ran the plugin. */
    assert_int_equal(tenon_plugin_status(tenon_registry_find(reg, "bad_initcrash")),
                     TENON_STATUS_FOUND);
    tenon_registry_free(reg);
}

static void test_symlinked_plugin(void **state)
{
    fixture *f = *state;
    char store[4096], plugins[4096];
    snprintf(store, sizeof(store), "%s/store", f->dir);
    snprintf(plugins, sizeof(plugins), "%s/plugins", f->dir);
    assert_int_equal(mkdir(store, 0755), 0);
    assert_int_equal(mkdir(plugins, 0755), 0);
    copy_fixtures(store, "good_basic", NULL);
    assert_int_equal(symlink(tmp_path(store, "good_basic.so"),
                             tmp_path(plugins, "good_basic.so")),
                     0);
    tenon_registry *reg = new_registry(plugins, 0, NULL);
    tenon_plugin *p = tenon_registry_find(reg, "good_basic");
    assert_non_null(p);
    /* The record names the canonical file, which is what gets loaded. */
    assert_string_equal(tenon_plugin_path(p), tmp_path(store, "good_basic.so"));
    expect_ok(tenon_plugin_load(p));
    tenon_registry_free(reg);

    /* The target's folders are checked too. */
    assert_int_equal(chmod(store, 0777), 0);
    reg = new_registry(plugins, 0, NULL);
    p = tenon_registry_at(reg, 0);
    assert_int_equal(tenon_plugin_status(p), TENON_STATUS_BROKEN);
    expect_error_obj(tenon_plugin_error(p), TENON_EUNSAFE, "good_basic", store, NULL);
    tenon_registry_free(reg);
    assert_int_equal(chmod(store, 0755), 0);
}

/* A sticky world-writable folder (like /tmp): a symlink there is followed
 * only if its owner is the folder's owner or the user running the host,
 * as the kernel's protected_symlinks rule says, whatever the sysctl is. */
static void test_symlink_in_sticky_folder(void **state)
{
    fixture *f = *state;
    if (geteuid() != 0)
        skip(); /* making a link owned by another user needs root */
    char store[4096], sticky[4096];
    snprintf(store, sizeof(store), "%s/store", f->dir);
    snprintf(sticky, sizeof(sticky), "%s/sticky", f->dir);
    assert_int_equal(mkdir(store, 0755), 0);
    assert_int_equal(mkdir(sticky, 0755), 0);
    assert_int_equal(chmod(sticky, 01777), 0);
    copy_fixtures(store, "good_basic", "chain_c", NULL);
    assert_int_equal(symlink(tmp_path(store, "good_basic.so"),
                             tmp_path(sticky, "good_basic.so")),
                     0);
    assert_int_equal(lchown(tmp_path(sticky, "good_basic.so"), 4242, 4242), 0);
    /* Ours: followed. */
    assert_int_equal(symlink(tmp_path(store, "chain_c.so"), tmp_path(sticky, "chain_c.so")), 0);

    tenon_registry *reg = new_registry(sticky, 0, NULL);
    assert_null(tenon_registry_find(reg, "good_basic"));
    tenon_plugin *p = by_file(reg, sticky, "good_basic.so");
    assert_int_equal(tenon_plugin_status(p), TENON_STATUS_BROKEN);
    expect_error_obj(tenon_plugin_error(p), TENON_EUNSAFE, tmp_path(sticky, "good_basic.so"),
                     "uid 4242", "protected_symlinks", NULL);
    assert_non_null(tenon_registry_find(reg, "chain_c"));
    /* The same link given to add_file. */
    expect_error(tenon_registry_add_file(reg, tmp_path(sticky, "good_basic.so"), NULL),
                 TENON_EUNSAFE, "good_basic.so", "uid 4242", NULL);
    tenon_registry_free(reg);
}

/* ---- Names: shadowing, add_file, find ---------------------------------------------- */

static void make_two_folders(fixture *f, char *one, char *two)
{
    snprintf(one, 4096, "%s/one", f->dir);
    snprintf(two, 4096, "%s/two", f->dir);
    assert_int_equal(mkdir(one, 0755), 0);
    assert_int_equal(mkdir(two, 0755), 0);
    copy_fixture(one, "shadow_v1", "shadow.so");
    copy_fixture(two, "shadow_v2", "shadow.so");
}

static void test_same_name_in_two_folders(void **state)
{
    fixture *f = *state;
    char one[4096], two[4096];
    make_two_folders(f, one, two);

    tenon_registry *reg = new_registry(NULL, 0, NULL);
    expect_ok(tenon_registry_add_path(reg, one));
    expect_ok(tenon_registry_add_path(reg, two));
    assert_int_equal(tenon_registry_scan(reg), 2);
    tenon_plugin *first = by_file(reg, one, "shadow.so");
    tenon_plugin *second = by_file(reg, two, "shadow.so");
    /* The first search path wins; the other stays listed as shadowed. */
    assert_ptr_equal(tenon_registry_find(reg, "shadow"), first);
    assert_string_equal(tenon_plugin_version(first), "1.0.0");
    assert_int_equal(tenon_plugin_status(first), TENON_STATUS_FOUND);
    assert_null(tenon_plugin_shadowed_by(first));
    assert_int_equal(tenon_plugin_status(second), TENON_STATUS_SHADOWED);
    assert_ptr_equal(tenon_plugin_shadowed_by(second), first);
    expect_error(tenon_plugin_load(second), TENON_ESHADOWED, "shadow", two, one, NULL);
    /* Loading by name loads the winner. */
    expect_ok(tenon_registry_load(reg, "shadow", NULL));
    assert_int_equal(tenon_plugin_status(first), TENON_STATUS_LOADED);
    assert_int_equal(tenon_plugin_status(second), TENON_STATUS_SHADOWED);
    tenon_registry_free(reg);

    /* The other order, the other winner. */
    reg = new_registry(NULL, 0, NULL);
    expect_ok(tenon_registry_add_path(reg, two));
    expect_ok(tenon_registry_add_path(reg, one));
    tenon_registry_scan(reg);
    assert_string_equal(tenon_plugin_version(tenon_registry_find(reg, "shadow")), "2.0.0");
    assert_ptr_equal(tenon_plugin_shadowed_by(by_file(reg, one, "shadow.so")),
                     by_file(reg, two, "shadow.so"));
    tenon_registry_free(reg);

    /* A folder added after a scan ranks after the folders added before it. */
    reg = new_registry(NULL, 0, NULL);
    expect_ok(tenon_registry_add_path(reg, two));
    tenon_registry_scan(reg);
    expect_ok(tenon_registry_add_path(reg, one));
    tenon_registry_scan(reg);
    assert_string_equal(tenon_plugin_version(tenon_registry_find(reg, "shadow")), "2.0.0");
    assert_int_equal(tenon_plugin_status(by_file(reg, one, "shadow.so")),
                     TENON_STATUS_SHADOWED);
    tenon_registry_free(reg);
}

static void test_add_file(void **state)
{
    fixture *f = *state;
    char one[4096], two[4096];
    make_two_folders(f, one, two);
    tenon_registry *reg = new_registry(one, 0, NULL);
    tenon_plugin *scanned = tenon_registry_find(reg, "shadow");
    tenon_plugin *added = NULL;
    /* An explicit file beats scanned ones of the same name. */
    expect_ok(tenon_registry_add_file(reg, tmp_path(two, "shadow.so"), &added));
    assert_non_null(added);
    assert_ptr_equal(tenon_registry_find(reg, "shadow"), added);
    assert_string_equal(tenon_plugin_version(added), "2.0.0");
    assert_int_equal(tenon_plugin_status(scanned), TENON_STATUS_SHADOWED);
    assert_ptr_equal(tenon_plugin_shadowed_by(scanned), added);
    /* Adding it again gives the same record. */
    tenon_plugin *again = NULL;
    expect_ok(tenon_registry_add_file(reg, tmp_path(two, "shadow.so"), &again));
    assert_ptr_equal(again, added);
    assert_int_equal(tenon_registry_count(reg), 2);

    /* A broken file: its error, and its record. */
    copy_fixtures(f->dir, "bad_magic", NULL);
    tenon_plugin *bad = NULL;
    expect_error(tenon_registry_add_file(reg, tmp_path(f->dir, "bad_magic.so"), &bad),
                 TENON_EBADMAGIC, "bad_magic.so", "magic", NULL);
    assert_non_null(bad);
    assert_int_equal(tenon_plugin_status(bad), TENON_STATUS_BROKEN);
    /* Missing, relative, a loop, a folder. */
    expect_error(tenon_registry_add_file(reg, tmp_path(f->dir, "missing.so"), NULL),
                 TENON_ENOTFOUND, "missing.so", NULL);
    expect_error(tenon_registry_add_file(reg, "shadow.so", NULL), TENON_EPATH, "shadow.so",
                 "not absolute", NULL);
    assert_int_equal(symlink("l2.so", tmp_path(f->dir, "l1.so")), 0);
    assert_int_equal(symlink("l1.so", tmp_path(f->dir, "l2.so")), 0);
    expect_error(tenon_registry_add_file(reg, tmp_path(f->dir, "l1.so"), NULL), TENON_ELOOP,
                 "l1.so", NULL);
    assert_int_equal(mkdir(tmp_path(f->dir, "dir.so"), 0755), 0);
    expect_error(tenon_registry_add_file(reg, tmp_path(f->dir, "dir.so"), NULL), TENON_ENOTREG,
                 "dir.so", "folder", NULL);
    /* An ABI mismatch is refused at add time, not only at load. */
    copy_fixtures(f->dir, "bad_abimajor", NULL);
    tenon_plugin *incompatible = NULL;
    expect_error(tenon_registry_add_file(reg, tmp_path(f->dir, "bad_abimajor.so"),
                                         &incompatible),
                 TENON_EABIMAJOR, "bad_abimajor", "99.0", NULL);
    assert_int_equal(tenon_plugin_status(incompatible), TENON_STATUS_INCOMPATIBLE);

    assert_null(tenon_registry_find(reg, "nothing-by-that-name"));
    expect_error(tenon_registry_load(reg, "nothing-by-that-name", NULL), TENON_ENOTFOUND,
                 "nothing-by-that-name", NULL);
    tenon_registry_free(reg);
}

/* ---- Search path ----------------------------------------------------------------- */

static void test_plugin_path_environment(void **state)
{
    fixture *f = *state;
    char one[4096], two[4096], env[12000];
    make_two_folders(f, one, two);
    copy_fixtures(two, "good_basic", NULL);
    snprintf(env, sizeof(env), "relative/dir::%s:%s/missing:%s", two, f->dir, one);
    setenv("TENON_PLUGIN_PATH", env, 1);

    tenon_registry *reg;
    expect_ok(tenon_registry_create("tenon-test", TENON_REGISTRY_NO_DEFAULT_PATH, &reg));
    tenon_registry_set_log(reg, NULL, NULL, TENON_LOG_ERROR);
    const char *dirs[8];
    /* The relative and the empty entries are ignored; order is kept. */
    assert_int_equal(tenon_registry_paths(reg, dirs, 8), 3);
    assert_string_equal(dirs[0], two);
    assert_string_equal(dirs[2], one);
    /* Folders from the API come first. */
    expect_ok(tenon_registry_add_path(reg, f->dir));
    assert_int_equal(tenon_registry_paths(reg, dirs, 8), 4);
    assert_string_equal(dirs[0], f->dir);
    assert_string_equal(dirs[1], two);
    /* A missing folder is not an error; the env folder's plugins are found,
     * and env order decides between them. */
    assert_true(tenon_registry_scan(reg) >= 3);
    assert_string_equal(tenon_plugin_version(tenon_registry_find(reg, "shadow")), "2.0.0");
    assert_non_null(tenon_registry_find(reg, "good_basic"));
    expect_ok(tenon_registry_load(reg, "good_basic", NULL));
    tenon_registry_free(reg);

    /* NO_ENV ignores it. */
    expect_ok(tenon_registry_create("tenon-test",
                                    TENON_REGISTRY_NO_DEFAULT_PATH | TENON_REGISTRY_NO_ENV,
                                    &reg));
    assert_int_equal(tenon_registry_paths(reg, dirs, 8), 0);
    tenon_registry_free(reg);

    /* A folder reached through a symlink: plugin paths are canonical. */
    assert_int_equal(symlink(two, tmp_path(f->dir, "via")), 0);
    setenv("TENON_PLUGIN_PATH", tmp_path(f->dir, "via"), 1);
    expect_ok(tenon_registry_create("tenon-test", TENON_REGISTRY_NO_DEFAULT_PATH, &reg));
    tenon_registry_set_log(reg, NULL, NULL, TENON_LOG_ERROR);
    tenon_registry_scan(reg);
    tenon_plugin *p = tenon_registry_find(reg, "good_basic");
    assert_non_null(p);
    assert_string_equal(tenon_plugin_path(p), tmp_path(two, "good_basic.so"));
    tenon_registry_free(reg);
    unsetenv("TENON_PLUGIN_PATH");
}

/* Runs the helper (or its setgid copy) with TENON_PLUGIN_PATH set and
 * returns what it prints. */
static void run_helper(const char *exe, const char *env_path, char *out, size_t size)
{
    char cmd[8192];
    snprintf(cmd, sizeof(cmd), "TENON_PLUGIN_PATH='%s' '%s'", env_path, exe);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    out[0] = '\0';
    if (!fgets(out, (int)size, p))
        out[0] = '\0';
    assert_int_equal(pclose(p), 0);
}

static void test_plugin_path_ignored_when_secure(void **state)
{
    fixture *f = *state;
    char out[256];
    run_helper(SECURE_ENV_HELPER, f->dir, out, sizeof(out));
    assert_string_equal(out, "secure=0 paths=1\n");
    if (geteuid() != 0)
        skip(); /* making a setgid copy for another group needs root */
    const char *copy = tmp_path(f->dir, "helper");
    copy_file(SECURE_ENV_HELPER, copy);
    assert_int_equal(chown(copy, 0, 65534), 0);
    assert_int_equal(chmod(copy, 02755), 0);
    run_helper(copy, f->dir, out, sizeof(out));
    /* setgid: the environment belongs to a less trusted user. */
    assert_string_equal(out, "secure=1 paths=0\n");
}

static void test_default_folder(void **state)
{
    (void)state;
    const char *dir = tenon_default_plugin_dir();
    assert_non_null(dir);
    assert_true(dir[0] == '/');
    size_t len = strlen(dir);
    assert_true(len > 14 && strcmp(dir + len - 14, "/tenon/plugins") == 0);

    unsetenv("TENON_PLUGIN_PATH");
    tenon_registry *reg;
    expect_ok(tenon_registry_create(NULL, TENON_REGISTRY_NO_ENV, &reg));
    const char *dirs[4];
    assert_int_equal(tenon_registry_paths(reg, dirs, 4), 1);
    assert_string_equal(dirs[0], dir);
    tenon_registry_free(reg);
}

/* The only folder of a registry for app made with flags NO_ENV, copied. */
static void default_folder_of(const char *app, char *out, size_t size)
{
    tenon_registry *reg;
    expect_ok(tenon_registry_create(app, TENON_REGISTRY_NO_ENV, &reg));
    const char *dirs[4];
    assert_int_equal(tenon_registry_paths(reg, dirs, 4), 1);
    assert_true(strlen(dirs[0]) < size);
    strcpy(out, dirs[0]);
    tenon_registry_free(reg);
}

static void test_default_folder_per_app(void **state)
{
    (void)state;
    /* Hosts do not share a default folder: one host's plugins (tenon-io's
     * engines) are not offered to every other host. */
    char io[PATH_MAX], other[PATH_MAX], tenon[PATH_MAX];
    default_folder_of("tenon-io", io, sizeof(io));
    default_folder_of("my-host", other, sizeof(other));
    default_folder_of(NULL, tenon, sizeof(tenon));
    assert_string_not_equal(io, other);
    assert_string_not_equal(io, tenon);
    assert_string_not_equal(other, tenon);
    /* LIBDIR/APP/plugins, LIBDIR being where libtenon.so is. */
    const char *lib = tenon_default_plugin_dir();
    size_t base = strlen(lib) - strlen("/tenon/plugins");
    assert_int_equal(strncmp(io, lib, base), 0);
    assert_string_equal(io + base, "/tenon-io/plugins");
    assert_string_equal(other + base, "/my-host/plugins");
    assert_string_equal(tenon, lib);

    /* An app name is one file name: it cannot lead the folder elsewhere. */
    static const char *const bad[] = {"", ".", "..", "../etc", "a/b", "/abs", "tab\there"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        tenon_registry *reg = (tenon_registry *)&reg;
        assert_int_equal(tenon_registry_create(bad[i], TENON_REGISTRY_NO_ENV, &reg),
                         TENON_EINVAL);
        assert_null(reg);
        expect_contains(tenon_last_error()->message, "is not a file name");
    }
}

static void test_load_all(void **state)
{
    fixture *f = *state;
    copy_fixtures(f->dir, "good_basic", "good_unloadable", "good_disabled", "chain_a",
                  "chain_b", "chain_c", "bad_initfail", "bad_magic", NULL);
    tenon_registry *reg = new_registry(f->dir, 0, &f->cap);
    /* Only the providers of an interface. */
    assert_int_equal(tenon_registry_load_all(reg, BASIC_IFACE), 0);
    assert_string_equal(captured_events(&f->cap), "good_basic:init ");
    /* Everything usable; the one failure is counted, the disabled and the
     * broken are left alone. */
    assert_int_equal(tenon_registry_load_all(reg, NULL), 1);
    assert_int_equal(tenon_plugin_status(tenon_registry_find(reg, "chain_a")),
                     TENON_STATUS_LOADED);
    assert_int_equal(tenon_plugin_status(tenon_registry_find(reg, "good_disabled")),
                     TENON_STATUS_DISABLED);
    assert_null(strstr(captured_events(&f->cap), "good_disabled"));
    expect_contains(f->cap.all, "no frobnicator");
    tenon_registry_free(reg);
}

static void test_file_swapped_after_scan(void **state)
{
    fixture *f = *state;
    copy_fixture(f->dir, "shadow_v1", "shadow.so");
    copy_fixtures(f->dir, "good_basic", NULL);
    tenon_registry *reg = new_registry(f->dir, 0, &f->cap);
    /* Replaced by another version of the same plugin... */
    copy_fixture(f->dir, "shadow_v2", "new.so");
    assert_int_equal(rename(tmp_path(f->dir, "new.so"), tmp_path(f->dir, "shadow.so")), 0);
    expect_error(tenon_registry_load(reg, "shadow", NULL), TENON_EMISMATCH, "shadow",
                 "changed since it was scanned", "shadow 1.0.0", "shadow 2.0.0", NULL);
    /* ...or by another plugin altogether. */
    copy_fixture(f->dir, "chain_c", "new.so");
    assert_int_equal(rename(tmp_path(f->dir, "new.so"), tmp_path(f->dir, "good_basic.so")), 0);
    expect_error(tenon_registry_load(reg, "good_basic", NULL), TENON_EMISMATCH, "good_basic",
                 "changed since it was scanned", "chain_c", NULL);
    /* Nothing of either ran. */
    assert_string_equal(captured_events(&f->cap), "");
    tenon_registry_free(reg);
}

static void test_broken_file_does_not_shadow(void **state)
{
    fixture *f = *state;
    char one[4096], two[4096];
    snprintf(one, sizeof(one), "%s/one", f->dir);
    snprintf(two, sizeof(two), "%s/two", f->dir);
    assert_int_equal(mkdir(one, 0755), 0);
    assert_int_equal(mkdir(two, 0755), 0);
    write_file(tmp_path(one, "shadow.so"), "a broken file of the same name");
    copy_fixture(two, "shadow_v2", "shadow.so");
    tenon_registry *reg = new_registry(NULL, 0, NULL);
    expect_ok(tenon_registry_add_path(reg, one));
    expect_ok(tenon_registry_add_path(reg, two));
    tenon_registry_scan(reg);
    /* Only readable, compatible plugins compete for a name. */
    tenon_plugin *p = tenon_registry_find(reg, "shadow");
    assert_non_null(p);
    assert_string_equal(tenon_plugin_version(p), "2.0.0");
    assert_int_equal(tenon_plugin_status(by_file(reg, one, "shadow.so")), TENON_STATUS_BROKEN);
    tenon_registry_free(reg);
}

/* One plugin providing one interface in two versions, each with its own
 * table: it loads, and each caller gets the newest table that satisfies
 * its minimum. */
static void test_two_versions_of_one_interface(void **state)
{
    fixture *f = *state;
    copy_fixtures(f->dir, "twover", NULL);
    tenon_registry *reg = new_registry(f->dir, 0, NULL);
    tenon_plugin *p = tenon_registry_find(reg, "twover");
    assert_non_null(p);
    assert_int_equal(tenon_plugin_status(p), TENON_STATUS_FOUND);
    const fx_table *t = NULL;
    expect_ok(tenon_interface(reg, "twover", FX_IFACE, 1, (const void **)&t, NULL));
    assert_int_equal(t->version, 2);
    assert_string_equal(t->name(), "twover-v2");
    expect_ok(tenon_interface(reg, NULL, FX_IFACE, 2, (const void **)&t, NULL));
    assert_int_equal(t->version, 2);
    expect_error(tenon_interface(reg, "twover", FX_IFACE, 3, (const void **)&t, NULL),
                 TENON_EVERSION, "twover", "version 2", NULL);
    tenon_registry_free(reg);
}

/* Replaces dir/as with a copy of fixture name (a new file, renamed over). */
static void replace_with(const char *dir, const char *name, const char *as)
{
    copy_fixture(dir, name, "replacement.tmp");
    assert_int_equal(rename(tmp_path(dir, "replacement.tmp"), tmp_path(dir, as)), 0);
}

/* A rescan reads a file again when its identity changed since it was
 * read: a record not in use is updated; a loaded one stays as loaded, says
 * a newer file exists, and the next load (after an unload) takes it. */
static void test_rescan_reads_replaced_files(void **state)
{
    fixture *f = *state;
    copy_fixture(f->dir, "reload_v1", "reload.so");
    copy_fixture(f->dir, "shadow_v1", "shadow.so");
    tenon_registry *reg = new_registry(f->dir, 0, &f->cap);
    size_t count = tenon_registry_count(reg);
    tenon_plugin *shadow = tenon_registry_find(reg, "shadow");
    tenon_plugin *reload = tenon_registry_find(reg, "reload");
    assert_string_equal(tenon_plugin_version(shadow), "1.0.0");

    /* Not loaded: the record takes the new file. */
    replace_with(f->dir, "shadow_v2", "shadow.so");
    assert_true(tenon_registry_scan(reg) >= 0);
    assert_int_equal(tenon_registry_count(reg), count);
    assert_ptr_equal(tenon_registry_find(reg, "shadow"), shadow);
    assert_string_equal(tenon_plugin_version(shadow), "2.0.0");
    expect_ok(tenon_plugin_load(shadow));

    /* Unchanged files are not read again; new ones are found. */
    copy_fixtures(f->dir, "chain_c", NULL);
    assert_true(tenon_registry_scan(reg) >= 0);
    assert_int_equal(tenon_registry_count(reg), count + 1);
    assert_non_null(tenon_registry_find(reg, "chain_c"));

    /* Loaded: the loaded plugin stays, its record says a newer file exists. */
    expect_ok(tenon_plugin_load(reload));
    replace_with(f->dir, "reload_v2", "reload.so");
    assert_true(tenon_registry_scan(reg) >= 0);
    assert_int_equal(tenon_plugin_status(reload), TENON_STATUS_LOADED);
    assert_string_equal(tenon_plugin_version(reload), "1.0.0");
    expect_error_obj(tenon_plugin_error(reload), TENON_EMISMATCH, "reload",
                     "replaced since plugin reload 1.0.0 was loaded", "reload 2.0.0", "load",
                     NULL);
    /* A reload takes the new file. */
    expect_ok(tenon_plugin_unload(reload));
    expect_ok(tenon_plugin_load(reload));
    assert_int_equal(tenon_plugin_status(reload), TENON_STATUS_LOADED);
    assert_string_equal(tenon_plugin_version(reload), "2.0.0");
    assert_null(tenon_plugin_error(reload));
    tenon_registry_free(reg);
}

static const tenon_change *change_of(const tenon_changes *list, const char *plugin)
{
    for (size_t i = 0; i < tenon_changes_count(list); i++) {
        const tenon_change *c = tenon_changes_at(list, i);
        if (strcmp(c->plugin, plugin) == 0)
            return c;
    }
    return NULL;
}

/* tenon_registry_rescan reports each added, removed and replaced file
 * once; a removed plugin that is loaded stays loaded until unloaded. */
static void test_rescan_reports_changes(void **state)
{
    fixture *f = *state;
    copy_fixture(f->dir, "reload_v1", "reload.so");
    copy_fixture(f->dir, "shadow_v1", "shadow.so");
    tenon_registry *reg = new_registry(f->dir, 0, &f->cap);
    tenon_plugin *reload = tenon_registry_find(reg, "reload");
    tenon_plugin *shadow = tenon_registry_find(reg, "shadow");
    tenon_changes *list = NULL;
    assert_int_equal(tenon_registry_rescan(reg, &list), 0);
    assert_int_equal(tenon_changes_count(list), 0);
    assert_null(tenon_changes_at(list, 0));
    tenon_changes_free(list);

    replace_with(f->dir, "shadow_v2", "shadow.so");
    copy_fixtures(f->dir, "chain_c", NULL);
    expect_ok(tenon_plugin_load(reload));
    assert_int_equal(unlink(tmp_path(f->dir, "reload.so")), 0);
    assert_int_equal(tenon_registry_rescan(reg, &list), 3);
    const tenon_change *c = change_of(list, "shadow");
    assert_non_null(c);
    assert_int_equal(c->kind, TENON_CHANGE_REPLACED);
    assert_ptr_equal(c->record, shadow);
    assert_string_equal(tenon_change_kind_name(c->kind), "replaced");
    assert_string_equal(tenon_plugin_version(shadow), "2.0.0");
    c = change_of(list, "chain_c");
    assert_non_null(c);
    assert_int_equal(c->kind, TENON_CHANGE_ADDED);
    expect_contains(c->path, "/chain_c.so");
    c = change_of(list, "reload");
    assert_non_null(c);
    assert_int_equal(c->kind, TENON_CHANGE_REMOVED);
    assert_string_equal(tenon_change_kind_name(c->kind), "removed");
    tenon_changes_free(list);
    /* Still loaded, with a note; broken once unloaded. */
    assert_int_equal(tenon_plugin_status(reload), TENON_STATUS_LOADED);
    expect_error_obj(tenon_plugin_error(reload), TENON_ENOTFOUND, "reload", "was removed",
                     "stays in use", NULL);

    /* Nothing changed: nothing reported, even for the loaded plugin. */
    assert_int_equal(tenon_registry_rescan(reg, NULL), 0);
    expect_ok(tenon_plugin_unload(reload));
    assert_int_equal(tenon_plugin_status(reload), TENON_STATUS_BROKEN);
    expect_error(tenon_plugin_load(reload), TENON_ENOTFOUND, "reload", "was removed", NULL);

    /* It comes back, found by a plain scan: usable again, and not broken
     * after its next unload. */
    copy_fixture(f->dir, "reload_v2", "reload.so");
    assert_true(tenon_registry_scan(reg) >= 0);
    expect_ok(tenon_plugin_load(reload));
    expect_ok(tenon_plugin_unload(reload));
    assert_int_equal(tenon_plugin_status(reload), TENON_STATUS_FOUND);
    /* The next rescan reports it added. */
    assert_int_equal(tenon_registry_rescan(reg, &list), 1);
    c = change_of(list, "reload");
    assert_non_null(c);
    assert_int_equal(c->kind, TENON_CHANGE_ADDED);
    assert_ptr_equal(c->record, reload);
    tenon_changes_free(list);
    expect_ok(tenon_plugin_load(reload));
    assert_string_equal(tenon_plugin_version(reload), "2.0.0");
    tenon_registry_free(reg);
}

static void test_overridden(void **state)
{
    fixture *f = *state;
    copy_fixtures(f->dir, "good_basic", "over_basic", NULL);
    tenon_registry *reg = new_registry(f->dir, 0, NULL);
    tenon_plugin *basic = tenon_registry_find(reg, "good_basic");
    tenon_plugin *over = tenon_registry_find(reg, "over_basic");
    assert_int_equal(tenon_plugin_status(basic), TENON_STATUS_OVERRIDDEN);
    assert_ptr_equal(tenon_plugin_shadowed_by(basic), over);
    assert_int_equal(tenon_plugin_status(over), TENON_STATUS_FOUND);
    expect_error(tenon_plugin_load(basic), TENON_EOVERRIDDEN, "good_basic",
                 "overridden by over_basic", NULL);
    /* An overridden provider is not offered either. */
    tenon_plugin *list[4];
    assert_int_equal(tenon_providers(reg, BASIC_IFACE, 1, list, 4), 0);
    tenon_registry_free(reg);
}

/* Looking a plugin up in a registry that was never scanned says so, and
 * how to fix it, instead of suggesting the name is wrong. */
static void test_lookup_before_scan_says_so(void **state)
{
    fixture *f = *state;
    copy_fixture(f->dir, "good_basic", NULL);
    tenon_registry *reg;
    expect_ok(tenon_registry_create("tenon-test",
                                    TENON_REGISTRY_NO_DEFAULT_PATH | TENON_REGISTRY_NO_ENV |
                                        TENON_REGISTRY_NO_STATIC,
                                    &reg));
    expect_ok(tenon_registry_add_path(reg, f->dir));
    char text[2048];
    static const char want[] =
        "load: good_basic: no plugin named good_basic: the registry was never scanned, so it "
        "knows only static plugins; call tenon_registry_scan first (after adding the plugin "
        "folders): only it, tenon_registry_rescan, tenon_config_plan and tenon_config_apply "
        "scan";
    assert_int_equal(tenon_registry_load(reg, "good_basic", NULL), TENON_ENOTFOUND);
    tenon_error_format(NULL, text, sizeof(text));
    assert_string_equal(text, want);

    /* Once scanned, an unknown name is a wrong name. */
    assert_true(tenon_registry_scan(reg) >= 0);
    assert_int_equal(tenon_registry_load(reg, "good_basics", NULL), TENON_ENOTFOUND);
    tenon_error_format(NULL, text, sizeof(text));
    assert_string_equal(text, "load: good_basics: no plugin named good_basics; check the name "
                              "with `tenon list`, or add the folder that holds it to the "
                              "search path");
    tenon_registry_free(reg);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, tmp_fixture_setup, tmp_fixture_teardown)
    const struct CMUnitTest tests[] = {
        T(test_scan_reads_descriptors_only),
        T(test_lookup_before_scan_says_so),
        T(test_status_names),
        T(test_broken_files_at_scan),
        T(test_unsafe_folder),
        T(test_load_good),
        T(test_load_broken_code),
        T(test_code_disagrees_with_descriptor),
        T(test_load_crashing_init_in_a_child),
        T(test_symlinked_plugin),
        T(test_symlink_in_sticky_folder),
        T(test_same_name_in_two_folders),
        T(test_add_file),
        T(test_plugin_path_environment),
        T(test_plugin_path_ignored_when_secure),
        T(test_default_folder),
        T(test_default_folder_per_app),
        T(test_load_all),
        T(test_file_swapped_after_scan),
        T(test_broken_file_does_not_shadow),
        T(test_overridden),
        T(test_two_versions_of_one_interface),
        T(test_rescan_reads_replaced_files),
        T(test_rescan_reports_changes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
