/* End to end through the tenon tool: `tenon keygen`, `tenon sign` and
 * `tenon verify`, then a host that requires signatures from a keys folder
 * loads the signed plugin and refuses it once one byte changed. Also what
 * each command says and exits with when it refuses. */
#include "helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef TENON_CLI
#error "TENON_CLI must name the built tenon tool"
#endif

typedef struct result {
    int status;      /* exit status, or 128 + signal */
    char out[16384]; /* stdout and stderr together */
} result;

/* Runs TENON_CLI with args (NULL-terminated) in folder cwd. */
static void run(result *r, const char *cwd, ...)
{
    const char *argv[32] = {TENON_CLI};
    size_t argc = 1;
    va_list ap;
    va_start(ap, cwd);
    for (const char *a; (a = va_arg(ap, const char *)) && argc < 31;)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;

    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        if (chdir(cwd) != 0)
            _exit(126);
        execv(TENON_CLI, (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fds[0], r->out + len, sizeof(r->out) - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        if (len == sizeof(r->out) - 1)
            break;
    }
    r->out[len] = '\0';
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    r->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

#define expect_run(r, want_status, ...)                                                  \
    do {                                                                                 \
        if ((r)->status != (want_status))                                                \
            fail_msg("exit status %d, want %d; output:\n%s", (r)->status, (want_status), \
                     (r)->out);                                                          \
        const char *want_[] = {__VA_ARGS__, NULL};                                       \
        for (size_t i_ = 0; want_[i_]; i_++)                                             \
            expect_contains((r)->out, want_[i_]);                                        \
    } while (0)

static tenon_registry *strict_host(const char *plugins, const char *keys)
{
    tenon_registry *reg = new_registry(plugins, 0, NULL);
    assert_true(tenon_registry_scan(reg) >= 1);
    tenon_registry_require_signed(reg, true);
    assert_int_equal(tenon_registry_trust_keys_dir(reg, keys), 1);
    return reg;
}

static void test_keygen_to_refused_tampered_plugin(void **state)
{
    (void)state;
    char *work = tmp_dir();
    char plugins[4096], keys[4096], plugin[4096];
    snprintf(plugins, sizeof(plugins), "%s/plugins", work);
    snprintf(keys, sizeof(keys), "%s/trusted", work);
    snprintf(plugin, sizeof(plugin), "%s/good_basic.so", plugins);
    assert_int_equal(mkdir(plugins, 0755), 0);
    assert_int_equal(mkdir(keys, 0755), 0);
    copy_fixture(plugins, "good_basic", NULL);

    result r;
    run(&r, work, "keygen", "--output", "release", "--comment", "release key", NULL);
    expect_run(&r, 0, "key id ", "release.pub", "release.key");
    char key_id[17];
    const char *id = strstr(r.out, "key id ") + strlen("key id ");
    memcpy(key_id, id, 16);
    key_id[16] = '\0';
    struct stat st;
    assert_int_equal(stat(tmp_path(work, "release.key"), &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);

    run(&r, work, "keygen", "--output", "release", NULL);
    expect_run(&r, 1, "already exists", "never overwritten");

    run(&r, work, "sign", "--key", "release.key", "plugins/good_basic.so", NULL);
    expect_run(&r, 0, "signed plugins/good_basic.so", key_id);
    assert_int_equal(access(tmp_path(plugins, "good_basic.so.sig"), R_OK), 0);

    run(&r, work, "verify", "--key", "release.pub", "plugins/good_basic.so", NULL);
    expect_run(&r, 0, "ok ", key_id, "release key");

    /* The host: signatures required, keys from a folder. */
    copy_file(tmp_path(work, "release.pub"), tmp_path(keys, "release.pub"));
    assert_int_equal(chmod(tmp_path(keys, "release.pub"), 0644), 0);
    tenon_registry *reg = strict_host(plugins, keys);
    tenon_plugin *p = NULL;
    expect_ok(tenon_registry_load(reg, "good_basic", &p));
    tenon_registry_free(reg);

    /* One byte changes: the tool and the host both refuse, saying why. */
    flip_comment_byte(plugin);
    run(&r, work, "verify", "--keys-dir", "trusted", "plugins/good_basic.so", NULL);
    expect_run(&r, 1, "FAILED", "does not match", key_id, "changed after it was signed");
    reg = strict_host(plugins, keys);
    expect_error(tenon_registry_load(reg, "good_basic", NULL), TENON_ESIGNATURE, "good_basic",
                 "does not match", key_id, NULL);
    tenon_registry_free(reg);

    /* Signed again, it loads again. */
    run(&r, work, "sign", "-k", "release.key", "plugins/good_basic.so", NULL);
    expect_run(&r, 0, "signed");
    reg = strict_host(plugins, keys);
    expect_ok(tenon_registry_load(reg, "good_basic", NULL));
    tenon_registry_free(reg);

    /* Signed by a key the host does not trust: named by its id. */
    run(&r, work, "keygen", "-o", "intruder", NULL);
    expect_run(&r, 0, "key id ");
    char intruder_id[17];
    id = strstr(r.out, "key id ") + strlen("key id ");
    memcpy(intruder_id, id, 16);
    intruder_id[16] = '\0';
    run(&r, work, "sign", "--key", "intruder.key", "plugins/good_basic.so", NULL);
    expect_run(&r, 0, "signed");
    run(&r, work, "verify", "--keys-dir", "trusted", "plugins/good_basic.so", NULL);
    expect_run(&r, 1, "FAILED", intruder_id, "not a trusted key");
    reg = strict_host(plugins, keys);
    expect_error(tenon_registry_load(reg, "good_basic", NULL), TENON_ESIGNATURE, "good_basic",
                 intruder_id, "not a trusted key", NULL);
    tenon_registry_free(reg);

    /* Unsigned. */
    unlink(tmp_path(plugins, "good_basic.so.sig"));
    run(&r, work, "verify", "--key", "release.pub", "plugins/good_basic.so", NULL);
    expect_run(&r, 1, "not signed", "good_basic.so.sig");
    reg = strict_host(plugins, keys);
    expect_error(tenon_registry_load(reg, "good_basic", NULL), TENON_ESIGNATURE, "good_basic",
                 "not signed", NULL);
    tenon_registry_free(reg);

    /* A secret key others can read is refused, and nothing is signed. */
    assert_int_equal(chmod(tmp_path(work, "release.key"), 0644), 0);
    run(&r, work, "sign", "--key", "release.key", "plugins/good_basic.so", NULL);
    expect_run(&r, 1, "release.key", "0644", "chmod 600");
    assert_int_equal(access(tmp_path(plugins, "good_basic.so.sig"), F_OK), -1);

    /* A malformed signature file: the line is named. */
    write_file(tmp_path(plugins, "good_basic.so.sig"),
               "tenon-signature-v1\nkey-id: 0011223344556677\nsignature: nope\n");
    run(&r, work, "verify", "--key", "release.pub", "plugins/good_basic.so", NULL);
    expect_run(&r, 1, "malformed signature file at line 3");
    tmp_remove(work);
}

static void test_usage(void **state)
{
    (void)state;
    char *work = tmp_dir();
    result r;
    static const char *const commands[] = {"keygen", "sign", "verify"};
    for (size_t i = 0; i < 3; i++) {
        run(&r, work, commands[i], "--help", NULL);
        expect_run(&r, 0, "usage: tenon ", commands[i], "exit status");
    }
    run(&r, work, "--help", NULL);
    expect_run(&r, 0, "keygen", "sign", "verify");
    run(&r, work, "verify", "x.so", NULL);
    expect_run(&r, 2, "--key FILE.pub");
    run(&r, work, "sign", "x.so", NULL);
    expect_run(&r, 2, "--key FILE.key");
    run(&r, work, "sign", "--key", "x.key", NULL);
    expect_run(&r, 2, "usage:");
    run(&r, work, "keygen", "extra", NULL);
    expect_run(&r, 2, "usage:");
    run(&r, work, "keygen", "--comment", "two\nlines", NULL);
    expect_run(&r, 2, "comment");
    run(&r, work, "verify", "--key", "missing.pub", "x.so", NULL);
    expect_run(&r, 1, "missing.pub");
    /* Nothing was left behind by the refusals. */
    assert_int_equal(access(tmp_path(work, "tenon-signing.pub"), F_OK), -1);
    tmp_remove(work);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keygen_to_refused_tampered_plugin),
        cmocka_unit_test(test_usage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
