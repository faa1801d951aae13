/* Replays real fio runs through our reports.
 *
 * Each folder in data/fio-compat/ holds fio 3.33's JSON+ output of a run
 * (with the full latency histograms) and its normal output of the same run
 * (captured by capture.sh). The test loads fio's numbers into our
 * statistics, renders our normal report and JSON, and compares them with
 * fio's: the text line by line (same words, same units, same layout; numbers
 * equal, or within the histogram's error where ours are recomputed from
 * bins), and the JSON key by key (same paths, same types, same values).
 *
 * A case's optional "known-diffs" file lists what differs on purpose, one
 * per line: "text:<line prefix>" skips the numbers of matching text lines,
 * "json:<path prefix>" the values under a JSON path. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_util.h"

#define MAX_KNOWN 32

struct known {
    char *text[MAX_KNOWN];
    size_t ntext;
    char *json[MAX_KNOWN];
    size_t njson;
};

static void load_known(const char *dir, struct known *k)
{
    memset(k, 0, sizeof(*k));
    char rel[512];
    snprintf(rel, sizeof(rel), "fio-compat/%s/known-diffs", dir);
    char *buf = tu_read_file(tu_data_path(rel), NULL);
    if (!buf)
        return;
    char *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#' || !*line)
            continue;
        if (strncmp(line, "text:", 5) == 0 && k->ntext < MAX_KNOWN)
            k->text[k->ntext++] = strdup(line + 5);
        else if (strncmp(line, "json:", 5) == 0 && k->njson < MAX_KNOWN)
            k->json[k->njson++] = strdup(line + 5);
    }
    free(buf);
}

static void free_known(struct known *k)
{
    for (size_t i = 0; i < k->ntext; i++)
        free(k->text[i]);
    for (size_t i = 0; i < k->njson; i++)
        free(k->json[i]);
}

/* ---- text ---- */

#define MAX_NUMS 64

/* Splits a line into its words (numbers replaced by '#') and its numbers. */
static size_t tokenize(const char *line, size_t len, char *skel, size_t skel_size, double *nums,
                       int *decimals)
{
    size_t n = 0, o = 0;
    for (size_t i = 0; i < len;) {
        if (isdigit((unsigned char)line[i])) {
            char *end;
            double v = strtod(line + i, &end);
            size_t used = (size_t)(end - (line + i));
            const char *dot = memchr(line + i, '.', used);
            if (n < MAX_NUMS) {
                nums[n] = v;
                decimals[n] = dot ? (int)(used - (size_t)(dot - (line + i)) - 1) : 0;
                n++;
            }
            i += used;
            if (o + 1 < skel_size)
                skel[o++] = '#';
        } else {
            if (o + 1 < skel_size)
                skel[o++] = line[i];
            i++;
        }
    }
    skel[o] = '\0';
    return n;
}

static bool starts_with_any(const char *line, char *const *prefixes, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strncmp(line, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    return false;
}

/* How far apart two printed numbers may be on this line. */
static bool close_enough(const char *line, double want, double got, int decimals)
{
    double diff = fabs(want - got);
    double unit = pow(10.0, -decimals); /* one step in the last printed digit */
    if (strstr(line, "th=["))           /* percentiles: within the histogram error */
        return diff <= fmax(1.0, fabs(want) * 0.01);
    /* The distribution is recomputed from fio's bins, whose keys are the
     * top of 1/64-wide ranges, not the latencies: a busy bin straddling an
     * edge (50 us) moves all its IOs to the upper side. */
    if (strncmp(line, "  lat (", 7) == 0)
        return diff <= 2.0;
    /* Values recomputed from fio's summary (mean, stddev) may differ in
     * the last printed digit. */
    return diff <= unit + 1e-9;
}

static void compare_text(const char *name, const char *want, const char *got,
                         const struct known *k)
{
    const char *w = want, *g = got;
    int lineno = 0;
    while (*w || *g) {
        lineno++;
        size_t wl = strcspn(w, "\n"), gl = strcspn(g, "\n");
        char wline[1024], gline[1024];
        snprintf(wline, sizeof(wline), "%.*s", (int)wl, w);
        snprintf(gline, sizeof(gline), "%.*s", (int)gl, g);
        if (!*w || !*g)
            fail_msg("%s line %d: fio's output has %s lines\n  fio:  %s\n  ours: %s", name,
                     lineno, *w ? "more" : "fewer", wline, gline);
        char ws[1024], gs[1024];
        double wn[MAX_NUMS], gn[MAX_NUMS];
        int wd[MAX_NUMS], gd[MAX_NUMS];
        size_t nw = tokenize(wline, wl, ws, sizeof(ws), wn, wd);
        size_t ng = tokenize(gline, gl, gs, sizeof(gs), gn, gd);
        if (strcmp(ws, gs) != 0 || nw != ng)
            fail_msg("%s line %d differs in layout\n  fio:  %s\n  ours: %s", name, lineno,
                     wline, gline);
        if (!starts_with_any(wline, k->text, k->ntext)) {
            for (size_t i = 0; i < nw; i++)
                if (!close_enough(wline, wn[i], gn[i], wd[i]))
                    fail_msg("%s line %d: number %zu differs (%g vs %g)\n  fio:  %s\n  ours: "
                             "%s",
                             name, lineno, i + 1, wn[i], gn[i], wline, gline);
        }
        w += wl + (w[wl] == '\n');
        g += gl + (g[gl] == '\n');
    }
}

/* ---- JSON ---- */

static size_t json_checked;

static bool json_close(const char *path, double want, double got)
{
    double diff = fabs(want - got);
    if (strstr(path, ".percentile."))
        return diff <= fmax(1.0, fabs(want) * 0.01);
    if (strncmp(path, "jobs[].latency_", 15) == 0 && strcmp(path, "jobs[].latency_depth") &&
        strcmp(path, "jobs[].latency_target") && strcmp(path, "jobs[].latency_percentile") &&
        strcmp(path, "jobs[].latency_window"))
        return diff <= 2.0; /* see close_enough */
    /* Depth shares are rebuilt from fio's percentages, where any small
     * share reads 0.1. */
    if (strncmp(path, "jobs[].iodepth_", 15) == 0)
        return diff <= 0.1 + 1e-9;
    /* Rebuilt from six printed decimals: agree to about that. */
    return diff <= 2e-6 * fabs(want) + 2e-3;
}

static void walk(const char *name, json_t *fio, json_t *ours, char *path, size_t len,
                 const struct known *k)
{
    if (!ours)
        fail_msg("%s: fio has \"%s\", ours does not", name, path);
    bool fint = json_is_integer(fio), oint = json_is_integer(ours);
    if (json_typeof(fio) != json_typeof(ours) || fint != oint)
        fail_msg("%s: \"%s\" has another type in ours", name, path);
    json_checked++;
    if (json_is_object(fio)) {
        const char *key;
        json_t *v;
        json_object_foreach(fio, key, v) {
            /* Per-bucket counts are JSON+ only (fio's --output-format=json+). */
            if (strcmp(key, "bins") == 0)
                continue;
            snprintf(path + len, 1024 - len, "%s%s", len ? "." : "", key);
            walk(name, v, json_object_get(ours, key), path, strlen(path), k);
            path[len] = '\0';
        }
    } else if (json_is_array(fio)) {
        if (json_array_size(fio) != json_array_size(ours))
            fail_msg("%s: \"%s\" has %zu elements, ours %zu", name, path, json_array_size(fio),
                     json_array_size(ours));
        for (size_t i = 0; i < json_array_size(fio); i++) {
            snprintf(path + len, 1024 - len, "[]");
            walk(name, json_array_get(fio, i), json_array_get(ours, i), path, strlen(path), k);
            path[len] = '\0';
        }
    } else if (json_is_number(fio)) {
        if (starts_with_any(path, k->json, k->njson) || strcmp(path, "fio version") == 0)
            return;
        double a = json_number_value(fio), b = json_number_value(ours);
        if (!json_close(path, a, b))
            fail_msg("%s: \"%s\" is %.6f in fio, %.6f in ours", name, path, a, b);
    } else if (json_is_string(fio) && strcmp(path, "fio version") != 0) {
        if (strcmp(json_string_value(fio), json_string_value(ours)) != 0)
            fail_msg("%s: \"%s\" is \"%s\" in fio, \"%s\" in ours", name, path,
                     json_string_value(fio), json_string_value(ours));
    }
}

static void run_case(const char *name)
{
    char jrel[512], trel[512];
    snprintf(jrel, sizeof(jrel), "fio-compat/%s/fio.json", name);
    snprintf(trel, sizeof(trel), "fio-compat/%s/fio.txt", name);
    char jpath[4096], tpath[4096];
    snprintf(jpath, sizeof(jpath), "%s", tu_data_path(jrel));
    snprintf(tpath, sizeof(tpath), "%s", tu_data_path(trel));
    struct known k;
    load_known(name, &k);

    struct tio_report *rep = tu_load_fio(jpath, tpath);
    char *ours = tu_render_normal(rep);
    char *fio = tu_read_file(tpath, NULL);
    assert_non_null(fio);
    compare_text(name, fio, ours, &k);

    char *ojson = tu_render_json(rep);
    json_error_t jerr;
    json_t *oroot = json_loads(ojson, 0, &jerr);
    assert_non_null(oroot);
    json_t *froot = json_load_file(jpath, 0, &jerr);
    assert_non_null(froot);
    char path[1024] = "";
    json_checked = 0;
    walk(name, froot, oroot, path, 0, &k);
    print_message("%s: text and %zu JSON values match fio\n", name, json_checked);

    json_decref(froot);
    json_decref(oroot);
    free(ojson);
    free(fio);
    free(ours);
    free_known(&k);
    tio_report_free(rep);
}

static void test_fio_cases(void **state)
{
    (void)state;
    assert_true(tu_for_each_case("fio-compat", "fio.json", run_case) >= 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fio_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
