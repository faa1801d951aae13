/* The tenon.json cases: every folder of cases/ is one configuration and what
 * `tenon list --config` must print for it.
 *
 *   tenon.json   the configuration (copied to a fresh folder, CASE)
 *   plugins      fixture plugins to put beside it, one per line:
 *                "DEST [FILE]" copies built fixture FILE (default: DEST's
 *                base name) to CASE/DEST
 *   tree/        more files, copied into CASE as they are (XDG folders...)
 *   args         the arguments after `tenon list --no-default` (default:
 *                "--config CASE/tenon.json"); CASE is replaced
 *   env          "NAME=VALUE" sets, "NAME" unsets (CASE is replaced); HOME
 *                is CASE/home and TENON_CONFIG, XDG_CONFIG_HOME are unset
 *                unless set here
 *   mode         "PATH OCTAL" lines: chmod after copying
 *   expected     stdout, then stderr, then "[exit N]" if N is not 0, with
 *                CASE for the folder: a load plan
 *   error        the same, for configurations that do not load (stdout
 *                must be empty and the exit status not 0)
 *
 * usage: config-cases TENON CASES_DIR FIXTURE_DIR...
 * TENON_CONFIG_REGEN=1 rewrites expected/error from what the tool prints. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *tenon_cli;
static char **fixture_dirs;
static int n_fixture_dirs;

static char *read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n < 2) {
            cap *= 2;
            char *grown = realloc(buf, cap);
            if (!grown) {
                free(buf);
                buf = NULL;
            }
            buf = grown;
        }
    }
    fclose(f);
    if (!buf)
        return NULL;
    buf[n] = '\0';
    if (size)
        *size = n;
    return buf;
}

static int write_all(const char *path, const char *text, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return -1;
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    fchmod(fd, mode);
    return close(fd);
}

static int mkdirs(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof(buf), "%s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    }
    return mkdir(buf, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static int copy_file(const char *from, const char *to, mode_t mode)
{
    size_t n;
    char *text = read_all(from, &n);
    if (!text)
        return -1;
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", to);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        mkdirs(dir);
    }
    int rc = write_all(to, text, n, mode);
    free(text);
    return rc;
}

static int copy_tree(const char *from, const char *to)
{
    DIR *d = opendir(from);
    if (!d)
        return errno == ENOENT ? 0 : -1;
    mkdirs(to);
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char a[4096], b[4096];
        snprintf(a, sizeof(a), "%s/%s", from, de->d_name);
        snprintf(b, sizeof(b), "%s/%s", to, de->d_name);
        struct stat st;
        if (stat(a, &st) != 0)
            rc = -1;
        else if (S_ISDIR(st.st_mode))
            rc = copy_tree(a, b);
        else
            rc = copy_file(a, b, 0644);
    }
    closedir(d);
    return rc;
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

/* Replaces every occurrence of from in text with to. */
static char *replace_all(const char *text, const char *from, const char *to)
{
    size_t lf = strlen(from), lt = strlen(to), n = 0;
    for (const char *p = text; (p = strstr(p, from)); p += lf)
        n++;
    char *out = malloc(strlen(text) + n * (lt > lf ? lt - lf : 0) + 1);
    char *o = out;
    for (const char *p = text;;) {
        const char *hit = strstr(p, from);
        if (!hit) {
            strcpy(o, p);
            break;
        }
        memcpy(o, p, (size_t)(hit - p));
        o += hit - p;
        memcpy(o, to, lt);
        o += lt;
        p = hit + lf;
    }
    return out;
}

static const char *find_fixture(const char *file)
{
    static char path[4096];
    for (int i = 0; i < n_fixture_dirs; i++) {
        snprintf(path, sizeof(path), "%s/%s", fixture_dirs[i], file);
        if (access(path, R_OK) == 0)
            return path;
    }
    return NULL;
}

/* Sets up CASE from the case folder. Returns 0 or prints why not. */
static int setup(const char *cdir, const char *tmp)
{
    char a[4096], b[4096];
    snprintf(a, sizeof(a), "%s/tenon.json", cdir);
    snprintf(b, sizeof(b), "%s/tenon.json", tmp);
    if (access(a, F_OK) == 0 && copy_file(a, b, 0644) != 0) {
        fprintf(stderr, "cannot copy %s\n", a);
        return -1;
    }
    snprintf(a, sizeof(a), "%s/tree", cdir);
    if (copy_tree(a, tmp) != 0) {
        fprintf(stderr, "cannot copy %s\n", a);
        return -1;
    }
    snprintf(a, sizeof(a), "%s/home", tmp);
    mkdirs(a);
    snprintf(a, sizeof(a), "%s/plugins", cdir);
    char *list = read_all(a, NULL);
    for (char *save = NULL, *line = list ? strtok_r(list, "\n", &save) : NULL; line;
         line = strtok_r(NULL, "\n", &save)) {
        char dest[1024], file[1024] = "";
        if (line[0] == '#' || sscanf(line, "%1023s %1023s", dest, file) < 1)
            continue;
        if (!file[0]) {
            const char *slash = strrchr(dest, '/');
            snprintf(file, sizeof(file), "%s", slash ? slash + 1 : dest);
        }
        const char *from = find_fixture(file);
        snprintf(b, sizeof(b), "%s/%s", tmp, dest);
        if (!from || copy_file(from, b, 0755) != 0) {
            fprintf(stderr, "%s: fixture %s not found or not copied\n", cdir, file);
            free(list);
            return -1;
        }
    }
    free(list);
    snprintf(a, sizeof(a), "%s/mode", cdir);
    list = read_all(a, NULL);
    for (char *save = NULL, *line = list ? strtok_r(list, "\n", &save) : NULL; line;
         line = strtok_r(NULL, "\n", &save)) {
        char path[1024];
        unsigned mode;
        if (sscanf(line, "%1023s %o", path, &mode) == 2) {
            snprintf(b, sizeof(b), "%s/%s", tmp, path);
            chmod(b, mode);
        }
    }
    free(list);
    return 0;
}

/* Runs the tool for the case; fills out with the normalised output. */
static int run(const char *cdir, const char *tmp, char **out)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/args", cdir);
    char *args = read_all(path, NULL);
    if (!args) {
        args = strdup("--config CASE/tenon.json");
    }
    char *expanded = replace_all(args, "CASE", tmp);
    free(args);
    char *argv[64] = {(char *)tenon_cli, "list", "--no-default"};
    int argc = 3;
    for (char *save = NULL, *w = strtok_r(expanded, " \t\n", &save); w && argc < 63;
         w = strtok_r(NULL, " \t\n", &save))
        argv[argc++] = w;
    argv[argc] = NULL;

    snprintf(path, sizeof(path), "%s/env", cdir);
    char *env = read_all(path, NULL);
    char *env_expanded = env ? replace_all(env, "CASE", tmp) : NULL;
    free(env);

    char outp[4096], errp[4096];
    snprintf(outp, sizeof(outp), "%s/.stdout", tmp);
    snprintf(errp, sizeof(errp), "%s/.stderr", tmp);
    pid_t pid = fork();
    if (pid == 0) {
        int fo = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fe = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fo, 1);
        dup2(fe, 2);
        char home[4096];
        snprintf(home, sizeof(home), "%s/home", tmp);
        setenv("HOME", home, 1);
        setenv("TENON_PLUGIN_PATH", "", 1);
        unsetenv("TENON_CONFIG");
        unsetenv("XDG_CONFIG_HOME");
        for (char *save = NULL,
                  *line = env_expanded ? strtok_r(env_expanded, "\n", &save) : NULL;
             line; line = strtok_r(NULL, "\n", &save)) {
            char *eq = strchr(line, '=');
            if (eq) {
                *eq = '\0';
                setenv(line, eq + 1, 1);
            } else if (line[0]) {
                unsetenv(line);
            }
        }
        if (chdir(tmp) != 0)
            _exit(126);
        alarm(60);
        execv(tenon_cli, argv);
        _exit(127);
    }
    free(env_expanded);
    free(expanded);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    char *so = read_all(outp, NULL), *se = read_all(errp, NULL);
    unlink(outp);
    unlink(errp);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    size_t len = strlen(so ? so : "") + strlen(se ? se : "") + 32;
    char *all = malloc(len);
    snprintf(all, len, "%s%s", so ? so : "", se ? se : "");
    if (code)
        snprintf(all + strlen(all), len - strlen(all), "[exit %d]\n", code);
    *out = replace_all(all, tmp, "CASE");
    free(all);
    bool stdout_empty = !so || !so[0];
    free(so);
    free(se);
    return code == 0 ? 0 : (stdout_empty ? 2 : 1);
}

/* Prints the first differing line of the two texts, then both. */
static void show_diff(const char *want, const char *got)
{
    int line = 1;
    const char *a = want, *b = got;
    while (*a && *a == *b) {
        if (*a == '\n')
            line++;
        a++;
        b++;
    }
    fprintf(stderr, "  first difference at line %d\n  --- expected\n%s  --- got\n%s", line,
            want, got);
}

static int run_case(const char *cases, const char *name)
{
    char cdir[4096];
    snprintf(cdir, sizeof(cdir), "%s/%s", cases, name);
    char tmpl[] = "/tmp/tenon-config-XXXXXX";
    char *tmp = mkdtemp(tmpl);
    if (!tmp || chmod(tmp, 0755) != 0) {
        fprintf(stderr, "%s: cannot make a folder\n", name);
        return 1;
    }
    int failed = 1;
    char *got = NULL;
    if (setup(cdir, tmp) == 0) {
        int kind = run(cdir, tmp, &got);
        char exp_path[4096], err_path[4096];
        snprintf(exp_path, sizeof(exp_path), "%s/expected", cdir);
        snprintf(err_path, sizeof(err_path), "%s/error", cdir);
        bool has_error = access(err_path, F_OK) == 0;
        const char *want_path = has_error ? err_path : exp_path;
        if (getenv("TENON_CONFIG_REGEN")) {
            const char *to = kind == 2 ? err_path : exp_path;
            unlink(kind == 2 ? exp_path : err_path);
            write_all(to, got, strlen(got), 0644);
            failed = 0;
        } else {
            char *want = read_all(want_path, NULL);
            if (!want) {
                fprintf(stderr, "FAIL %s: no expected or error file; the tool printed:\n%s",
                        name, got);
            } else if (has_error && kind != 2) {
                fprintf(stderr, "FAIL %s: expected the configuration to be refused\n%s", name,
                        got);
            } else if (strcmp(want, got) != 0) {
                fprintf(stderr, "FAIL %s\n", name);
                show_diff(want, got);
            } else {
                failed = 0;
            }
            free(want);
        }
    }
    free(got);
    nftw(tmp, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    if (!failed)
        printf("ok %s\n", name);
    return failed;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s TENON CASES_DIR FIXTURE_DIR...\n", argv[0]);
        return 2;
    }
    umask(022);
    /* Cases run in their own folder: the tool's path must not be relative. */
    static char cli[4096];
    if (!realpath(argv[1], cli)) {
        perror(argv[1]);
        return 2;
    }
    tenon_cli = cli;
    fixture_dirs = argv + 3;
    n_fixture_dirs = argc - 3;
    DIR *d = opendir(argv[2]);
    if (!d) {
        perror(argv[2]);
        return 2;
    }
    char *names[1024];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < 1024)
        if (de->d_name[0] != '.')
            names[n++] = strdup(de->d_name);
    closedir(d);
    qsort(names, n, sizeof(char *), compare_names);
    int failures = 0;
    for (size_t i = 0; i < n; i++) {
        failures += run_case(argv[2], names[i]);
        free(names[i]);
    }
    printf("%zu cases, %d failed\n", n, failures);
    return failures ? 1 : 0;
}
