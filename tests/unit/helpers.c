#include "helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ROTATE 8

static char *rotating(void)
{
    static _Thread_local char bufs[ROTATE][4096];
    static _Thread_local unsigned next;
    return bufs[next++ % ROTATE];
}

const char *fx_path(const char *file)
{
    char *buf = rotating();
    snprintf(buf, 4096, "%s/%s", FIXTURE_DIR, file);
    return buf;
}

const char *tmp_path(const char *dir, const char *name)
{
    char *buf = rotating();
    snprintf(buf, 4096, "%s/%s", dir, name);
    return buf;
}

int fixture_exists(const char *file)
{
    return access(fx_path(file), R_OK) == 0;
}

char *tmp_dir(void)
{
    char tmpl[] = "/tmp/tenon-test-XXXXXX";
    char *dir = mkdtemp(tmpl);
    assert_non_null(dir);
    assert_int_equal(chmod(dir, 0755), 0);
    return strdup(dir);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_DP)
        chmod(path, 0700);
    remove(path);
    return 0;
}

void tmp_remove(char *dir)
{
    if (!dir)
        return;
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

void copy_file(const char *from, const char *to)
{
    size_t size;
    unsigned char *data = read_file(from, &size);
    int fd = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
    if (fd < 0)
        fail_msg("cannot create %s: %s", to, strerror(errno));
    size_t off = 0;
    while (off < size) {
        ssize_t n = write(fd, data + off, size - off);
        assert_true(n > 0);
        off += (size_t)n;
    }
    assert_int_equal(fchmod(fd, 0755), 0);
    close(fd);
    free(data);
}

void copy_fixture(const char *dir, const char *name, const char *as)
{
    char file[256], target[256];
    snprintf(file, sizeof(file), "%s.so", name);
    snprintf(target, sizeof(target), "%s", as ? as : file);
    copy_file(fx_path(file), tmp_path(dir, target));
}

void copy_fixtures(const char *dir, ...)
{
    va_list ap;
    va_start(ap, dir);
    const char *name;
    while ((name = va_arg(ap, const char *)))
        copy_fixture(dir, name, NULL);
    va_end(ap);
}

void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        fail_msg("cannot create %s: %s", path, strerror(errno));
    fputs(text, f);
    fclose(f);
    assert_int_equal(chmod(path, 0644), 0);
}

unsigned char *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s: %s", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *data = malloc(len > 0 ? (size_t)len : 1);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    *size = (size_t)len;
    return data;
}

/* ---- Log capture ------------------------------------------------------------ */

static pthread_mutex_t capture_lock = PTHREAD_MUTEX_INITIALIZER;

static void append(char *buf, size_t size, const char *text)
{
    size_t len = strlen(buf);
    snprintf(buf + len, size - len, "%s", text);
}

static int is_event(const char *message)
{
    static const char *const events[] = {"init", "fini", "instance_init", "instance_fini"};
    for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
        size_t n = strlen(events[i]);
        if (strncmp(message, events[i], n) == 0 && (message[n] == '\0' || message[n] == ' '))
            return (int)n;
    }
    return 0;
}

static void capture_fn(void *userdata, tenon_log_level level, const char *plugin,
                       const char *message)
{
    (void)level;
    log_capture *cap = userdata;
    char line[1200];
    pthread_mutex_lock(&capture_lock);
    snprintf(line, sizeof(line), "%s:%s\n", plugin ? plugin : "", message);
    append(cap->all, sizeof(cap->all), line);
    int n = is_event(message);
    if (n) {
        snprintf(line, sizeof(line), "%s:%.*s ", plugin ? plugin : "", n, message);
        append(cap->events, sizeof(cap->events), line);
    }
    pthread_mutex_unlock(&capture_lock);
}

void capture_log(tenon_registry *reg, log_capture *cap)
{
    capture_log_level(reg, cap, TENON_LOG_INFO);
}

void capture_log_level(tenon_registry *reg, log_capture *cap, tenon_log_level level)
{
    capture_reset(cap);
    tenon_registry_set_log(reg, capture_fn, cap, level);
}

void capture_reset(log_capture *cap)
{
    pthread_mutex_lock(&capture_lock);
    cap->all[0] = '\0';
    cap->events[0] = '\0';
    pthread_mutex_unlock(&capture_lock);
}

const char *captured_events(log_capture *cap)
{
    return cap->events;
}

bool capture_has_event(log_capture *cap, const char *text)
{
    pthread_mutex_lock(&capture_lock);
    bool found = strstr(cap->events, text) != NULL;
    pthread_mutex_unlock(&capture_lock);
    return found;
}

tenon_registry *new_registry(const char *dir, unsigned flags, log_capture *cap)
{
    tenon_registry *reg = NULL;
    expect_ok(
        tenon_registry_create("tenon-test",
                              flags | TENON_REGISTRY_NO_ENV | TENON_REGISTRY_NO_DEFAULT_PATH,
                              &reg));
    if (cap)
        capture_log(reg, cap);
    else
        tenon_registry_set_log(reg, NULL, NULL, TENON_LOG_ERROR);
    if (dir) {
        expect_ok(tenon_registry_add_path(reg, dir));
        int n = tenon_registry_scan(reg);
        if (n < 0)
            expect_ok(n);
    }
    return reg;
}

/* ---- Assertions ------------------------------------------------------------- */

void expect_ok_at(const char *file, int line, int rc)
{
    if (rc == 0)
        return;
    char text[2048];
    tenon_error_format(tenon_last_error(), text, sizeof(text));
    fail_msg("%s:%d: expected success, got %d (%s): %s", file, line, rc, tenon_err_name(rc),
             text);
}

void expect_contains_at(const char *file, int line, const char *haystack, const char *needle)
{
    if (haystack && needle && strstr(haystack, needle))
        return;
    fail_msg("%s:%d: expected \"%s\" in \"%s\"", file, line, needle ? needle : "(null)",
             haystack ? haystack : "(null)");
}

void expect_error_at(const char *file, int line, int rc, int code, const tenon_error *err,
                     const char *who, ...)
{
    char text[2048] = "(no error object)";
    if (err)
        tenon_error_format(err, text, sizeof(text));
    if (rc != code)
        fail_msg("%s:%d: expected %s, got %d (%s): %s", file, line, tenon_err_name(code), rc,
                 tenon_err_name(rc), text);
    if (!err)
        fail_msg("%s:%d: no error object for %s", file, line, tenon_err_name(code));
    if (err->code != code)
        fail_msg("%s:%d: returned %s but the error object says %s: %s", file, line,
                 tenon_err_name(code), tenon_err_name(err->code), text);
    if (!err->message[0])
        fail_msg("%s:%d: %s with an empty message", file, line, tenon_err_name(code));
    if (who && !strstr(err->message, who) && !strstr(err->plugin, who) &&
        !strstr(err->path, who))
        fail_msg("%s:%d: the error does not name \"%s\": %s", file, line, who, text);
    va_list ap;
    va_start(ap, who);
    const char *s;
    while ((s = va_arg(ap, const char *)))
        if (!strstr(text, s))
            fail_msg("%s:%d: expected \"%s\" in the error: %s", file, line, s, text);
    va_end(ap);
}

void flip_comment_byte(const char *path)
{
    size_t size;
    unsigned char *data = read_file(path, &size);
    static const char *const marks[] = {"GCC: (", "clang version", "Linker: "};
    size_t at = 0;
    for (size_t m = 0; m < sizeof(marks) / sizeof(marks[0]) && !at; m++) {
        size_t n = strlen(marks[m]);
        for (size_t i = 0; i + n <= size && !at; i++)
            if (memcmp(data + i, marks[m], n) == 0)
                at = i + n - 1;
    }
    free(data);
    if (!at)
        fail_msg("no .comment text to change in %s", path);
    int fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    unsigned char c = 'X';
    assert_int_equal(pwrite(fd, &c, 1, (off_t)at), 1);
    close(fd);
}

int tmp_fixture_setup(void **state)
{
    tmp_fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    f->dir = tmp_dir();
    *state = f;
    return 0;
}

int tmp_fixture_teardown(void **state)
{
    tmp_fixture *f = *state;
    tmp_remove(f->dir);
    free(f);
    return 0;
}
