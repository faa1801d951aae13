/* Every tenon.json of the cases, damaged: truncated at every length,
 * with bytes flipped, inserted, deleted and swapped for JSON punctuation or
 * schema words, thousands of times with a fixed seed. Loading must either
 * succeed or fail with an error that names the document, never crash or
 * leak (the ASan build checks that), and a position in an error must lie
 * inside the text. This is the fuzz target's job in miniature, run on every
 * build. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tenon/tenon.h>

#ifndef CFG_CASES_DIR
#error "CFG_CASES_DIR must name tests/config/cases"
#endif

static unsigned long long rng = 0x9E3779B97F4A7C15ull;

static unsigned next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng >> 11);
}

static const char *const words[] = {
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\\",
    "\\u00e9",
    "\\ud83d",
    "null",
    "true",
    "1e999",
    "-0",
    "\"plugins\"",
    "\"module\"",
    "\"name\"",
    "\"config\"",
    "\"enable\"",
    "\"disable\"",
    "\"*\"",
    "\"default\"",
    "\"load_policy\"",
    "\"on_error\"",
    "\"plugin_path\"",
    "\"/\"",
    "\"sha256\"",
    "\"version\"",
    "\"interface\"",
    "\"trusted_keys\"",
    "\"keys_dir\"",
    "\xff",
    "\xc3",
    "\n",
    "\"enabled\"",
    "{\"module\": \"x\", \"name\": \"y\"}",
    "999999999999999999999",
};

static unsigned long runs, accepted;
static char file_path[4096]; /* a quarter of the documents go through a file, so
                              * relative folders resolve and those checks run */

/* Loads one text; returns 1 on a broken contract. */
static int check(const char *text, size_t len, const char *origin)
{
    tenon_registry *reg;
    if (tenon_registry_create("tenon-damage",
                              TENON_REGISTRY_NO_ENV | TENON_REGISTRY_NO_DEFAULT_PATH |
                                  TENON_REGISTRY_NO_STATIC,
                              &reg) < 0)
        return 1;
    tenon_registry_set_log(reg, NULL, NULL, TENON_LOG_ERROR);
    int rc;
    if (runs % 4 == 1) {
        int fd = open(file_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
            perror(file_path);
            exit(2);
        }
        close(fd);
        rc = tenon_config_load(reg, file_path);
    } else {
        rc = tenon_config_load_buffer(reg, text, len, "fuzz.json");
    }
    runs++;
    int bad = 0;
    if (rc == 0) {
        accepted++;
        /* Plans and instance lookups of what loaded; the search path stays
         * empty unless the text named folders, which are then not scanned
         * (a damaged path could name any folder of the machine). */
        const char *dirs[1];
        if (tenon_registry_paths(reg, dirs, 1) == 0) {
            tenon_plan *plan;
            if (tenon_config_plan(reg, &plan) == 0)
                tenon_plan_free(plan);
        }
        const char *names[4];
        size_t n = tenon_config_instances(reg, names, 4);
        for (size_t i = 0; i < n && i < 4; i++)
            tenon_config_instance(reg, names[i], NULL, NULL, NULL);
    } else {
        const tenon_error *e = tenon_last_error();
        unsigned line = 0, col = 0;
        size_t lines = 1;
        for (size_t i = 0; i < len; i++)
            lines += text[i] == '\n';
        if (e->code != rc || e->stage != TENON_STAGE_CONFIG ||
            strncmp(e->message, "fuzz.json", 9) != 0) {
            fprintf(stderr, "%s: error without the document's name: %d %s\n", origin, rc,
                    e->message);
            bad = 1;
        } else if (sscanf(e->message, "fuzz.json:%u:%u:", &line, &col) == 2 &&
                   (line < 1 || line > lines || col < 1 || col > len + 1)) {
            fprintf(stderr, "%s: position %u:%u outside the text (%zu lines): %s\n", origin,
                    line, col, lines, e->message);
            bad = 1;
        }
    }
    tenon_registry_free(reg);
    return bad;
}

static int damage_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char src[65536];
    size_t len = fread(src, 1, sizeof(src), f);
    fclose(f);
    int failures = 0;
    char *buf = malloc(len + 4096);

    /* Every truncation (a copy of exactly that length, so reading past it
     * is caught by ASan). */
    for (size_t cut = 0; cut <= len; cut++) {
        char *t = malloc(cut ? cut : 1);
        memcpy(t, src, cut);
        failures += check(t, cut, path);
        free(t);
    }
    /* Random edits. */
    for (int round = 0; round < 3000; round++) {
        size_t n = len;
        memcpy(buf, src, len);
        /* Mostly one edit, so many damaged documents still parse and reach
         * the schema checks and the plan. */
        int edits = next() % 10 < 6 ? 1 : 1 + (int)(next() % 8);
        for (int k = 0; k < edits && n + 64 < len + 4096; k++) {
            size_t at = n ? next() % (n + 1) : 0;
            switch (next() % 5) {
            case 0: /* flip a byte */
                if (at < n)
                    buf[at] = (char)(next() & 0xff);
                break;
            case 1: /* delete a run */
                if (at < n) {
                    size_t run = 1 + next() % 8;
                    if (run > n - at)
                        run = n - at;
                    memmove(buf + at, buf + at + run, n - at - run);
                    n -= run;
                }
                break;
            default: { /* insert a word */
                const char *w = words[next() % (sizeof(words) / sizeof(words[0]))];
                size_t wl = strlen(w);
                memmove(buf + at + wl, buf + at, n - at);
                memcpy(buf + at, w, wl);
                n += wl;
                break;
            }
            }
        }
        char *t = malloc(n ? n : 1);
        memcpy(t, buf, n);
        failures += check(t, n, path);
        free(t);
    }
    free(buf);
    return failures;
}

static int walk(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int failures = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
        size_t l = strlen(de->d_name);
        if (de->d_type == DT_DIR)
            failures += walk(path);
        else if (l > 5 && strcmp(de->d_name + l - 5, ".json") == 0)
            failures += damage_file(path);
    }
    closedir(d);
    return failures;
}

int main(void)
{
    /* tmpfs when there is one: a quarter of a million small writes. */
    char tmpl[64];
    snprintf(tmpl, sizeof(tmpl), "%s/tenon-damage-XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    char *dir = mkdtemp(tmpl);
    if (!dir || chmod(dir, 0755) != 0) {
        perror("mkdtemp");
        return 2;
    }
    snprintf(file_path, sizeof(file_path), "%s/fuzz.json", dir);
    int failures = walk(CFG_CASES_DIR);
    unlink(file_path);
    rmdir(dir);
    printf("%lu damaged documents, %lu accepted, %d broken contracts\n", runs, accepted,
           failures);
    return failures ? 1 : 0;
}
