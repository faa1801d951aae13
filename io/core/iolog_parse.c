/* fio's iolog text formats, one line at a time: no state, no IO, so the
 * check before the run, the replay and the fuzz target share it. */
#include "iolog.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "tenon-io/engine.h"

static const char ver2[] = "fio version 2 iolog";
static const char ver3[] = "fio version 3 iolog";

int tio_iolog_version(const char *line, size_t len, char *why, size_t why_size)
{
    if (len >= 4) {
        /* fio's is_blktrace: blktrace's magic in the first word, either
         * byte order */
        uint32_t magic;
        memcpy(&magic, line, 4);
        if ((magic & 0xffffff00u) == 0x65617400u || (magic & 0x00ffffffu) == 0x00746165u) {
            snprintf(why, why_size,
                     "is a blktrace binary; tenon-io replays fio's text iologs only "
                     "(record one with write_iolog=, or convert the trace to fio's "
                     "iolog format)");
            return 0;
        }
    }
    if (len >= sizeof(ver2) - 1 && !memcmp(line, ver2, sizeof(ver2) - 1))
        return 2;
    if (len >= sizeof(ver3) - 1 && !memcmp(line, ver3, sizeof(ver3) - 1))
        return 3;
    snprintf(why, why_size,
             "its first line is not \"%s\" or \"%s\" (fio's version 1 iologs are not "
             "supported, by fio either: record the log again with write_iolog=)",
             ver3, ver2);
    return 0;
}

/* Splits off the next space-separated word; NULL at the end. */
static const char *word(const char **p, size_t *len)
{
    const char *s = *p;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s || *s == '\n' || *s == '\r')
        return NULL;
    const char *e = s;
    while (*e && *e != ' ' && *e != '\t' && *e != '\n' && *e != '\r')
        e++;
    *len = (size_t)(e - s);
    *p = e;
    return s;
}

static bool number(const char *s, size_t len, uint64_t *out)
{
    char buf[24];
    if (!len || len >= sizeof(buf) || s[0] < '0' || s[0] > '9')
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    unsigned long long v = strtoull(buf, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

static int act_of(const char *s, size_t len, uint8_t *act, uint32_t *dir)
{
    static const struct {
        const char *name;
        uint8_t act;
        uint32_t dir;
    } acts[] = {
        {"read", TIO_IOLOG_IO, TIO_READ},
        {"write", TIO_IOLOG_IO, TIO_WRITE},
        {"trim", TIO_IOLOG_IO, TIO_TRIM},
        {"sync", TIO_IOLOG_IO, TIO_SYNC},
        {"datasync", TIO_IOLOG_IO, TIO_DATASYNC},
        {"add", TIO_IOLOG_ADD, 0},
        {"open", TIO_IOLOG_OPEN, 0},
        {"close", TIO_IOLOG_CLOSE, 0},
        {"wait", TIO_IOLOG_WAIT, 0},
    };
    for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
        if (strlen(acts[i].name) == len && !memcmp(acts[i].name, s, len)) {
            *act = acts[i].act;
            *dir = acts[i].dir;
            return 0;
        }
    return -1;
}

int tio_iolog_parse_line(int version, const char *line, struct tio_iolog_entry *e, char *why,
                         size_t why_size)
{
    const char *p = line, *w[6];
    size_t l[6];
    int n = 0;
    while (n < 6 && (w[n] = word(&p, &l[n])) != NULL)
        n++;
    if (n == 0)
        return 0;
    memset(e, 0, sizeof(*e));
    int k = 0;
    const char *form = version == 3 ? "USEC FILE read|write|trim|sync|datasync OFFSET LENGTH, "
                                      "or USEC FILE add|open|close"
                                    : "FILE read|write|trim|sync|datasync OFFSET LENGTH, FILE "
                                      "add|open|close, or FILE wait USEC";
    if (version == 3) {
        if (!number(w[0], l[0], &e->usec)) {
            snprintf(why, why_size, "'%.*s' is not a time in microseconds (a line is %s)",
                     (int)(l[0] > 40 ? 40 : l[0]), w[0], form);
            return -1;
        }
        k = 1;
    }
    if (n - k < 2) {
        snprintf(why, why_size, "too few fields (a line is %s)", form);
        return -1;
    }
    if (l[k] >= sizeof(e->file)) {
        snprintf(why, why_size, "file name longer than %zu bytes", sizeof(e->file) - 1);
        return -1;
    }
    memcpy(e->file, w[k], l[k]);
    e->file[l[k]] = '\0';
    if (act_of(w[k + 1], l[k + 1], &e->act, &e->dir) < 0) {
        snprintf(why, why_size,
                 "'%.*s' is not an action (read, write, trim, sync, datasync, add, open, "
                 "close%s)",
                 (int)(l[k + 1] > 40 ? 40 : l[k + 1]), w[k + 1], version == 2 ? ", wait" : "");
        return -1;
    }
    int want = e->act == TIO_IOLOG_IO ? 4 : e->act == TIO_IOLOG_WAIT ? 3 : 2;
    if (e->act == TIO_IOLOG_WAIT && version == 3) {
        snprintf(why, why_size, "'wait' is a version 2 action; version 3 logs carry times");
        return -1;
    }
    if (n - k != want) {
        snprintf(why, why_size, "%s takes %d fields after the file name, this line has %d (%s)",
                 e->act == TIO_IOLOG_IO ? "an IO" : "this action", want - 1, n - k - 1, form);
        return -1;
    }
    if (want >= 3 && !number(w[k + 2], l[k + 2], &e->offset)) {
        snprintf(why, why_size, "'%.*s' is not an offset in bytes",
                 (int)(l[k + 2] > 40 ? 40 : l[k + 2]), w[k + 2]);
        return -1;
    }
    if (want == 4 && !number(w[k + 3], l[k + 3], &e->len)) {
        snprintf(why, why_size, "'%.*s' is not a length in bytes",
                 (int)(l[k + 3] > 40 ? 40 : l[k + 3]), w[k + 3]);
        return -1;
    }
    if (e->act == TIO_IOLOG_IO && e->len > UINT32_MAX) {
        /* fio reads the length as an unsigned int */
        snprintf(why, why_size,
                 "length %" PRIu64 " is more than 4 GiB - 1, the most an iolog IO may be",
                 e->len);
        return -1;
    }
    if (e->act == TIO_IOLOG_IO && e->offset + e->len < e->offset) {
        snprintf(why, why_size, "offset %" PRIu64 " + length %" PRIu64 " is past 2^64",
                 e->offset, e->len);
        return -1;
    }
    if (e->act == TIO_IOLOG_IO && e->len == 0 && e->dir <= TIO_TRIM) {
        snprintf(why, why_size, "a %s of 0 bytes",
                 e->dir == TIO_READ    ? "read"
                 : e->dir == TIO_WRITE ? "write"
                                       : "trim");
        return -1;
    }
    return 1;
}
