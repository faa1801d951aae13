/* Helpers shared by the unit and plugins suites: temporary folders with
 * copies of fixture plugins, a log capture for the registry, and error
 * assertions that print the whole error when they fail. */
#ifndef TENON_TEST_HELPERS_H
#define TENON_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include <tenon/tenon.h>

#ifndef FIXTURE_DIR
#error "FIXTURE_DIR must name the folder of the built fixture plugins"
#endif

/* "FIXTURE_DIR/name" in a static buffer (one of a few rotating ones). */
const char *fx_path(const char *file);

/* A new empty folder under /tmp (mode 0755, owned by us); abort on failure. */
char *tmp_dir(void);
/* Removes a folder and everything in it (never follows symlinks). */
void tmp_remove(char *dir);
/* "dir/name" in a static buffer (rotating). */
const char *tmp_path(const char *dir, const char *name);

/* Copies a file (mode 0755); asserts success. */
void copy_file(const char *from, const char *to);
/* Copies FIXTURE_DIR/<name>.so into dir/<as> (as NULL: <name>.so). */
void copy_fixture(const char *dir, const char *name, const char *as);
/* Copies several fixtures (NULL-terminated names) into dir. */
void copy_fixtures(const char *dir, ...);
/* Writes text to path (mode 0644). */
void write_file(const char *path, const char *text);
/* Reads a whole file; *size receives its size. Caller frees. */
unsigned char *read_file(const char *path, size_t *size);

/* Changes one byte inside the ELF .comment section (the compiler's name),
 * which neither the descriptor reader nor the dynamic loader look at: the
 * plugin still scans and would still load; only its content differs (from
 * what was signed or pinned). */
void flip_comment_byte(const char *path);

/* Whether FIXTURE_DIR holds file (the 32-bit fixture needs clang + lld). */
int fixture_exists(const char *file);

/* Log capture: every message up to INFO, as "plugin:message\n" lines; the
 * lifecycle events ("init", "fini", "instance_init"...) also go to events
 * as "plugin:event " words, for order checks. Thread-safe. */
typedef struct log_capture {
    char all[16384];
    char events[8192];
} log_capture;

void capture_log(tenon_registry *reg, log_capture *cap);

/* The state most tests run in: a fresh temporary folder (removed after the
 * test) and a log capture. cmocka setup and teardown functions. */
typedef struct tmp_fixture {
    char *dir;
    log_capture cap;
} tmp_fixture;
int tmp_fixture_setup(void **state);
int tmp_fixture_teardown(void **state);
/* Same, keeping only messages up to level. */
void capture_log_level(tenon_registry *reg, log_capture *cap, tenon_log_level level);
void capture_reset(log_capture *cap);
/* The captured events, e.g. "chain_c:init chain_b:init chain_a:init ".
 * Not while other threads may log: use capture_has_event then. */
const char *captured_events(log_capture *cap);
/* Whether the events so far contain text (thread-safe). */
bool capture_has_event(log_capture *cap, const char *text);

/* A registry that sees only dir (NULL: nothing), no environment, no
 * default folder; static plugins of the test program included unless
 * flags has TENON_REGISTRY_NO_STATIC. Logs go to cap when not NULL. */
tenon_registry *new_registry(const char *dir, unsigned flags, log_capture *cap);

/* Asserts rc == code, that the thread's last error has that code, that
 * its formatted text names who (plugin or file; NULL: skip) and contains
 * every further string (NULL-terminated list). Prints the error otherwise. */
#define expect_error(rc, code, who, ...) \
    expect_error_at(__FILE__, __LINE__, (rc), (code), tenon_last_error(), (who), __VA_ARGS__)
/* Same, for an error object (tenon_plugin_error) with no return code. */
#define expect_error_obj(err, code, who, ...) \
    expect_error_at(__FILE__, __LINE__, (code), (code), (err), (who), __VA_ARGS__)
void expect_error_at(const char *file, int line, int rc, int code, const tenon_error *err,
                     const char *who, ...);

/* Asserts rc == 0, printing the last error otherwise. */
#define expect_ok(rc) expect_ok_at(__FILE__, __LINE__, (rc))
void expect_ok_at(const char *file, int line, int rc);

/* Asserts haystack contains needle. */
#define expect_contains(haystack, needle) \
    expect_contains_at(__FILE__, __LINE__, (haystack), (needle))
void expect_contains_at(const char *file, int line, const char *haystack, const char *needle);

#endif
