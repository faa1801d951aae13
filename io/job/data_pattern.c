/* fio's data pattern syntax (see data_pattern.h). Every way fio's parser
 * fails is refused here with what and where; what fio accepts, this
 * accepts with the same bytes. */
#include "data_pattern.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct pp {
    const char *in;
    const char *s; /* the piece being read */
    uint8_t *out;
    size_t n; /* bytes so far */
    char *why;
    size_t why_size;
};

static const char *fail(struct pp *p, const char *fmt, const char *detail)
{
    char what[160];
    snprintf(what, sizeof(what), fmt, detail);
    snprintf(p->why, p->why_size, "%s at character %zu of '%s'", what,
             (size_t)(p->s - p->in) + 1, p->in);
    return NULL;
}

#define ROOM(p) (TIO_JOB_PATTERN_MAX - (p)->n)

static const char *piece_string(struct pp *p)
{
    const char *end = strchr(p->s + 1, '"');
    if (!end)
        return fail(p, "%sunterminated \"text\" (add the closing quote)", "");
    size_t len = (size_t)(end - p->s - 1);
    if (!len)
        return fail(p, "%sempty \"\" adds nothing to the pattern (remove it)", "");
    if (len > ROOM(p))
        return fail(p, "%s\"text\" makes the pattern longer than 512 bytes (fio's limit)", "");
    memcpy(p->out + p->n, p->s + 1, len);
    p->n += len;
    return end + 1;
}

/* fio reads what of the file fits in the pattern. */
static const char *piece_file(struct pp *p)
{
    const char *end = strchr(p->s + 1, '\'');
    if (!end)
        return fail(p, "%sunterminated 'file' (add the closing quote)", "");
    char path[PATH_MAX];
    size_t len = (size_t)(end - p->s - 1);
    if (!len || len >= sizeof(path))
        return fail(p, "%s'file' needs a file name between the quotes", "");
    memcpy(path, p->s + 1, len);
    path[len] = '\0';
    if (!ROOM(p))
        return fail(p, "%sthe pattern is already 512 bytes (fio's limit)", "");
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fail(p, "cannot open pattern file '%s'", path);
    ssize_t got = read(fd, p->out + p->n, ROOM(p));
    close(fd);
    if (got <= 0)
        return fail(p, "pattern file '%s' is empty or unreadable", path);
    p->n += (size_t)got;
    return end + 1;
}

static const char *piece_format(struct pp *p, struct tio_job_pattern_fmt *fmt)
{
    if (!fmt)
        return fail(p, "%s%% formats (%%o) are for verify_pattern only", "");
    if (p->s[1] != 'o')
        return fail(p, "%sunknown format (the one format is %%o, the IO's offset)", "");
    if (fmt->n == sizeof(fmt->off) / sizeof(fmt->off[0]))
        return fail(p, "%smore than 8 %%o (fio's limit)", "");
    if (ROOM(p) < 8)
        return fail(p, "%s%%o makes the pattern longer than 512 bytes (fio's limit)", "");
    fmt->off[fmt->n++] = (uint16_t)p->n;
    memset(p->out + p->n, 0, 8);
    p->n += 8;
    return p->s + 2;
}

static unsigned hexval(char c)
{
    return isdigit((unsigned char)c) ? (unsigned)(c - '0')
                                     : (unsigned)(tolower((unsigned char)c) - 'a' + 10);
}

static const char *piece_hex(struct pp *p)
{
    const char *d = p->s + 2;
    size_t digits = strspn(d, "0123456789abcdefABCDEF");
    /* "0xff0x14": the 0 before the x starts the next piece. */
    if (digits > 1 && d[digits - 1] == '0' && (d[digits] == 'x' || d[digits] == 'X'))
        digits--;
    size_t bytes = (digits + 1) / 2;
    if (bytes > ROOM(p))
        return fail(p, "%s0xhex makes the pattern longer than 512 bytes (fio's limit)", "");
    size_t i = 0;
    if (digits % 2)
        p->out[p->n++] = (uint8_t)hexval(d[i++]);
    for (; i < digits; i += 2)
        p->out[p->n++] = (uint8_t)(hexval(d[i]) << 4 | hexval(d[i + 1]));
    return d + digits;
}

/* A decimal int: its digits stop where a "0x" starts (fio's look-ahead). */
static const char *piece_decimal(struct pp *p)
{
    const char *q = p->s;
    bool neg = *q == '-';
    if (*q == '-' || *q == '+')
        q++;
    long long v = 0;
    const char *digits = q;
    while (isdigit((unsigned char)*q) && !(q[0] == '0' && (q[1] == 'x' || q[1] == 'X'))) {
        v = v * 10 + (*q - '0');
        if (v > (long long)INT_MAX + 1)
            return fail(p, "%sthe number does not fit in an int (fio's limit)", "");
        q++;
    }
    if (q == digits)
        return fail(p, "%sexpected 0xhex, a number, \"text\", 'file' or %%o", "");
    if (neg)
        v = -v;
    if (v > INT_MAX)
        return fail(p, "%sthe number does not fit in an int (fio's limit)", "");
    unsigned val = (unsigned)(int)v;
    if (!val) {
        if (!ROOM(p))
            return fail(p, "%sthe number makes the pattern longer than 512 bytes", "");
        p->out[p->n++] = 0;
        return q;
    }
    for (; val; val >>= 8) {
        if (!ROOM(p))
            return fail(p, "%sthe number makes the pattern longer than 512 bytes", "");
        p->out[p->n++] = (uint8_t)(val & 0xff);
    }
    return q;
}

size_t tio__data_pattern_parse(const char *in, uint8_t *out, struct tio_job_pattern_fmt *fmt,
                               char *why, size_t why_size)
{
    struct pp p = {.in = in, .s = in, .out = out, .why = why, .why_size = why_size};
    if (fmt)
        fmt->n = 0;
    if (!*in) {
        snprintf(why, why_size, "empty pattern (give 0xhex, a number, \"text\", 'file'%s)",
                 fmt ? " or %o" : "");
        return 0;
    }
    while (*p.s) {
        const char *next;
        if (*p.s == '"')
            next = piece_string(&p);
        else if (*p.s == '\'')
            next = piece_file(&p);
        else if (*p.s == '%')
            next = piece_format(&p, fmt);
        else if (p.s[0] == '0' && (p.s[1] == 'x' || p.s[1] == 'X') &&
                 isxdigit((unsigned char)p.s[2]))
            next = piece_hex(&p);
        else
            next = piece_decimal(&p);
        if (!next)
            return 0;
        p.s = next;
    }
    return p.n;
}
