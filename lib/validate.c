/* Validation in a child process: the plugin's verify, load, init and fini
 * run in a forked child under a timeout, so a plugin that crashes or hangs
 * is reported (signal or timeout, and the stage it was in) instead of
 * taking the host down. The child reports its progress and any error
 * through a pipe. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT_MS 10000

enum { MSG_STAGE = 1, MSG_ERROR = 2, MSG_DONE = 3 };

typedef struct stage_msg {
    uint32_t kind;
    uint32_t stage;
    char plugin[TENON_ERROR_NAME_MAX];
} stage_msg;

static void write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        p += n;
        len -= (size_t)n;
    }
}

static void child_stage_hook(void *userdata, const tenon_plugin *p, tenon_stage stage)
{
    stage_msg m = {MSG_STAGE, (uint32_t)stage, ""};
    tenon__strlcpy(m.plugin, p->display_name, sizeof(m.plugin));
    write_all(*(int *)userdata, &m, sizeof(m));
}

/* The options a load of p uses: the host's, else tenon.json's. Lock held. */
static const tenon_options *load_options(const tenon_plugin *p)
{
    return p->config ? p->config : p->file_config;
}

static uint64_t fnv1a(uint64_t h, const char *s)
{
    /* The terminating NUL is hashed too, so "ab"+"c" differs from "a"+"bc". */
    for (const unsigned char *c = (const unsigned char *)s;; c++) {
        h = (h ^ *c) * 0x100000001b3ull;
        if (!*c)
            return h;
    }
}

uint64_t tenon__check_key(const tenon_plugin *p)
{
    const tenon_options *opts = load_options(p);
    size_t n = tenon_options_count(opts);
    if (!n)
        return 0;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        const char *key = "", *value = "";
        tenon_options_at(opts, i, &key, &value, NULL);
        h = fnv1a(fnv1a(h, key ? key : ""), value ? value : "");
    }
    return h ? h : 1;
}

typedef struct snapshot {
    char *app, *path, *name;
    unsigned flags;
    tenon_options *options; /* what the plugin would be loaded with, or NULL */
    uint64_t key;           /* tenon__check_key of them */
    /* The same for the other plugins, which the load may need: by name. */
    char **dep_names;
    tenon_options **dep_options;
    size_t n_deps;
    char **dirs;
    size_t n_dirs;
    const tenon_plugin_entry **statics;
    size_t n_statics;
    tenon__trust trust; /* the host's pins, keys and require_signed */
} snapshot;

static void snapshot_free(snapshot *s)
{
    tenon__free(s->app);
    tenon__free(s->path);
    tenon__free(s->name);
    for (size_t i = 0; i < s->n_dirs; i++)
        tenon__free(s->dirs[i]);
    tenon__free(s->dirs);
    tenon__free(s->statics);
    tenon_options_free(s->options);
    for (size_t i = 0; i < s->n_deps; i++) {
        tenon__free(s->dep_names[i]);
        tenon_options_free(s->dep_options[i]);
    }
    tenon__free(s->dep_names);
    tenon__free(s->dep_options);
    tenon__trust_free(&s->trust);
}

static int take_snapshot(tenon_plugin *p, snapshot *s)
{
    tenon_registry *reg = p->reg;
    memset(s, 0, sizeof(*s));
    tenon__lock(reg);
    s->flags = reg->flags;
    s->app = tenon__strdup(reg->app);
    s->path = p->path ? tenon__strdup(p->path) : NULL;
    s->name = tenon__strdup(p->display_name);
    s->dirs = tenon__calloc(reg->n_dirs + 1, sizeof(char *));
    s->statics = tenon__calloc(reg->n_plugins + 1, sizeof(*s->statics));
    bool ok = s->app && s->name && (!p->path || s->path) && s->dirs && s->statics &&
              tenon__trust_snapshot(reg, &s->trust) == 0;
    /* The check loads the plugin with the options the host would: a
     * required option from tenon.json is there, and the result holds for
     * these options only (its key). */
    if (ok && load_options(p))
        ok = tenon__options_copy(load_options(p), &s->options) == 0;
    s->key = tenon__check_key(p);
    /* Its dependencies load with theirs (those of the active plugin of
     * each name; the child's registry sees the same files). */
    if (ok) {
        s->dep_names = tenon__calloc(reg->n_plugins + 1, sizeof(char *));
        s->dep_options = tenon__calloc(reg->n_plugins + 1, sizeof(tenon_options *));
        ok = s->dep_names && s->dep_options;
    }
    for (size_t i = 0; ok && i < reg->n_plugins; i++) {
        const tenon_plugin *q = reg->plugins[i];
        if (q == p || !q->desc || !load_options(q) ||
            tenon__map_get(&reg->by_name, q->desc->name) != q)
            continue;
        ok = (s->dep_names[s->n_deps] = tenon__strdup(q->desc->name)) != NULL &&
             tenon__options_copy(load_options(q), &s->dep_options[s->n_deps]) == 0;
        if (s->dep_names[s->n_deps])
            s->n_deps++;
    }
    for (size_t i = 0; ok && i < reg->n_dirs; i++)
        ok = (s->dirs[s->n_dirs++] = tenon__strdup(reg->dirs[i].path)) != NULL;
    for (size_t i = 0; ok && i < reg->n_plugins; i++)
        if (reg->plugins[i]->static_entry)
            s->statics[s->n_statics++] = reg->plugins[i]->static_entry;
    tenon__unlock(reg);
    if (!ok) {
        snapshot_free(s);
        return tenon__nomem(TENON_STAGE_CHECK, p->display_name);
    }
    return 0;
}

static void child_main(snapshot *s, int fd) __attribute__((noreturn));
static void child_main(snapshot *s, int fd)
{
    setpgid(0, 0);
    tenon_registry *reg;
    int rc = tenon_registry_create_with(s->app,
                                        s->flags | TENON_REGISTRY_NO_ENV |
                                            TENON_REGISTRY_NO_DEFAULT_PATH,
                                        s->statics, s->statics + s->n_statics, &reg);
    if (rc == 0) {
        /* The child checks what the host would: same pins and signatures. */
        tenon__trust_adopt(reg, &s->trust);
        tenon_registry_set_log(reg, NULL, NULL, TENON_LOG_ERROR);
        reg->stage_hook = child_stage_hook;
        reg->stage_userdata = &fd;
        for (size_t i = 0; i < s->n_dirs; i++)
            tenon_registry_add_path(reg, s->dirs[i]); /* absent folders are fine */
        rc = tenon_registry_scan(reg);
    }
    tenon_plugin *target = NULL;
    if (rc >= 0) {
        if (s->path)
            rc = tenon_registry_add_file(reg, s->path, &target);
        else
            target = tenon_registry_find(reg, s->name);
        if (rc >= 0 && !target)
            rc = tenon__fail(TENON_ENOTFOUND, TENON_STAGE_CHECK, s->name, NULL, NULL,
                             "plugin %s vanished", s->name);
    }
    for (size_t i = 0; rc >= 0 && i < s->n_deps; i++) {
        tenon_plugin *dep = tenon_registry_find(reg, s->dep_names[i]);
        if (!dep || dep == target)
            continue;
        tenon__lock(reg);
        tenon_options_free(dep->config);
        dep->config = s->dep_options[i];
        s->dep_options[i] = NULL;
        tenon__unlock(reg);
    }
    if (rc >= 0 && s->options) {
        tenon__lock(reg);
        tenon_options_free(target->config);
        target->config = s->options;
        s->options = NULL;
        tenon__unlock(reg);
    }
    if (rc >= 0)
        rc = tenon_plugin_load(target);
    if (rc < 0) {
        stage_msg m = {MSG_ERROR, 0, ""};
        write_all(fd, &m, sizeof(m));
        write_all(fd, tenon_last_error(), sizeof(tenon_error));
        _exit(1);
    }
    tenon_registry_free(reg);
    stage_msg done = {MSG_DONE, 0, ""};
    write_all(fd, &done, sizeof(done));
    _exit(0);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads exactly len bytes unless the deadline passes or the pipe ends.
 * Returns 1 read, 0 end of pipe, -1 timeout. */
static int read_full(int fd, void *buf, size_t len, int64_t deadline)
{
    char *p = buf;
    size_t got = 0;
    while (got < len) {
        int64_t left = deadline - now_ms();
        if (left <= 0)
            return -1;
        struct pollfd pfd = {fd, POLLIN, 0};
        int r = poll(&pfd, 1, (int)(left > 1000000 ? 1000000 : left));
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            return -1;
        ssize_t n = read(fd, p + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return 0;
        got += (size_t)n;
    }
    return 1;
}

static int wait_child(pid_t pid, int64_t deadline, int *status)
{
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid)
            return 0;
        if (r < 0 && errno != EINTR)
            return -1;
        if (now_ms() >= deadline)
            return 1;
        struct timespec ts = {0, 2 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

int tenon_plugin_validate(tenon_plugin *p, unsigned timeout_ms)
{
    TENON__CHECK_ARG(p, TENON_STAGE_CHECK, "p is NULL", TENON_EINVAL);
    if (!timeout_ms)
        timeout_ms = DEFAULT_TIMEOUT_MS;
    snapshot s;
    int rc = take_snapshot(p, &s);
    if (rc < 0)
        return rc;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        snapshot_free(&s);
        return tenon__fail(TENON_ESYSTEM, TENON_STAGE_CHECK, p->display_name, p->path, NULL,
                           "cannot create a pipe: %s", strerror(errno));
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        snapshot_free(&s);
        return tenon__fail(TENON_ESYSTEM, TENON_STAGE_CHECK, p->display_name, p->path, NULL,
                           "cannot fork: %s", strerror(errno));
    }
    if (pid == 0) {
        close(fds[0]);
        child_main(&s, fds[1]);
    }
    close(fds[1]);

    int64_t deadline = now_ms() + timeout_ms;
    stage_msg last = {MSG_STAGE, TENON_STAGE_VERIFY, ""};
    tenon__strlcpy(last.plugin, s.name, sizeof(last.plugin));
    tenon_error child_error;
    bool got_error = false, done = false, timed_out = false;
    for (;;) {
        stage_msg m;
        int r = read_full(fds[0], &m, sizeof(m), deadline);
        if (r < 0) {
            timed_out = true;
            break;
        }
        if (r == 0)
            break;
        if (m.kind == MSG_STAGE) {
            last = m;
        } else if (m.kind == MSG_ERROR) {
            r = read_full(fds[0], &child_error, sizeof(child_error), deadline);
            if (r < 0) {
                timed_out = true;
                break;
            }
            got_error = r == 1;
        } else if (m.kind == MSG_DONE) {
            done = true;
        }
    }
    close(fds[0]);
    int status = 0;
    if (!timed_out && wait_child(pid, deadline, &status) == 1)
        timed_out = true;
    if (timed_out) {
        kill(-pid, SIGKILL);
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }

    last.plugin[sizeof(last.plugin) - 1] = '\0';
    const char *stage = tenon_stage_name((tenon_stage)last.stage);
    if (timed_out) {
        rc = tenon__fail(TENON_ETIMEOUT, (tenon_stage)last.stage, s.name, s.path,
                         "the plugin hangs; fix it or remove it from the plugin folders",
                         "plugin %s did not finish within %u ms (stuck in %s of %s)", s.name,
                         timeout_ms, stage, last.plugin);
    } else if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        rc = tenon__fail(TENON_ECRASH, (tenon_stage)last.stage, s.name, s.path,
                         "the plugin is faulty; fix it or remove it from the plugin folders",
                         "plugin %s crashed with signal %d (SIG%s: %s) during %s of %s", s.name,
                         sig, sigabbrev_np(sig) ? sigabbrev_np(sig) : "?", strsignal(sig),
                         stage, last.plugin);
    } else if (got_error) {
        child_error.message[sizeof(child_error.message) - 1] = '\0';
        child_error.hint[sizeof(child_error.hint) - 1] = '\0';
        child_error.plugin[sizeof(child_error.plugin) - 1] = '\0';
        child_error.path[sizeof(child_error.path) - 1] = '\0';
        rc = tenon__error_restore(&child_error);
        if (rc >= 0)
            rc = tenon__fail(TENON_EBROKEN, TENON_STAGE_CHECK, s.name, s.path, NULL,
                             "plugin %s failed its check", s.name);
    } else if (!done || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        rc = tenon__fail(TENON_ECRASH, (tenon_stage)last.stage, s.name, s.path,
                         "a plugin must never end the process",
                         "plugin %s ended the process with exit status %d during %s of %s",
                         s.name, WIFEXITED(status) ? WEXITSTATUS(status) : -1, stage,
                         last.plugin);
    } else {
        rc = 0;
    }
    snapshot_free(&s);
    if (rc < 0 && rc != TENON_ENOMEM) {
        tenon_registry *reg = p->reg;
        tenon_error err = *tenon__error_tls();
        tenon__lock(reg);
        if (p->state == TENON__UNLOADED) {
            tenon__plugin_set_error(p, TENON_STATUS_BROKEN);
            tenon__registry_select(reg);
        }
        tenon__unlock(reg);
        tenon__error_restore(&err);
    }
    /* The outcome is remembered with the file's identity (and cached), so
     * it holds until the file changes; failures of the host itself are not
     * the plugin's. */
    if (rc == 0 || (rc != TENON_ENOMEM && rc != TENON_ESYSTEM))
        tenon__cache_record_check(p, rc, s.key);
    return rc;
}
