/* Buffers: what the data written looks like. */
#include <ctype.h>
#include <string.h>

#include "option.h"

#define OFF(f) TIO__OFF(buffers, f)

#define TIO__PATTERN_MAX 4096

static int set_buffer_pattern(struct tio__optctx *c, const struct tio__option *o)
{
    const char *s = c->value;
    size_t len = strlen(s), n = 0, i;
    unsigned char *pat;

    (void)o;
    if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
        if (len == 2)
            return tio__opt_fail(c, TIO_EVALUE, "empty pattern (give \"text\", 0xhex or a "
                                 "number)");
        if (len - 2 > TIO__PATTERN_MAX)
            return tio__opt_fail(c, TIO_ERANGE, "pattern longer than %d bytes",
                                 TIO__PATTERN_MAX);
        pat = tio__alloc(c->a, len - 2);
        if (!pat)
            return tio__oom(c->err);
        memcpy(pat, s + 1, len - 2);
        n = len - 2;
    } else if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        size_t digits = len - 2;

        if (digits == 0 || strspn(s + 2, "0123456789abcdefABCDEF") != digits)
            return tio__opt_fail(c, TIO_EVALUE, "'%s' is not a hexadecimal pattern (write "
                                 "0xdeadbeef)", s);
        n = (digits + 1) / 2;
        if (n > TIO__PATTERN_MAX)
            return tio__opt_fail(c, TIO_ERANGE, "pattern longer than %d bytes",
                                 TIO__PATTERN_MAX);
        pat = tio__alloc(c->a, n);
        if (!pat)
            return tio__oom(c->err);
        /* an odd digit count gets a leading zero nibble, as fio: 0xabc is 0a bc */
        for (i = 0; i < digits; i++) {
            char ch = (char)tolower((unsigned char)s[2 + i]);
            unsigned nib = isdigit((unsigned char)ch) ? (unsigned)(ch - '0') : (unsigned)(ch - 'a' + 10);
            size_t pos = digits - 1 - i;   /* nibble index from the right */

            pat[n - 1 - pos / 2] |= (unsigned char)(pos % 2 ? nib << 4 : nib);
        }
    } else if (isdigit((unsigned char)s[0])) {
        char why[160];
        uint64_t v = 0;
        int rc;

        if (strspn(s, "0123456789") != len)
            return tio__opt_fail(c, TIO_EVALUE, "'%s' is not a pattern (use \"text\", 0xhex or "
                                 "a decimal number)", s);
        rc = tio_parse_uint(s, 1024, 0, UINT64_MAX, &v, why, sizeof(why));
        if (rc)
            return tio__opt_fail(c, rc, "%s", why);
        pat = tio__alloc(c->a, 8);
        if (!pat)
            return tio__oom(c->err);
        /* fio stores a decimal pattern little-endian in as few bytes as it needs */
        do {
            pat[n++] = (unsigned char)(v & 0xff);
            v >>= 8;
        } while (v);
    } else {
        return tio__opt_fail(c, TIO_EVALUE, "'%s' is not a pattern (use \"text\", 0xhex or a "
                             "decimal number)", s);
    }
    tio__free(c->a, c->job->buffers.buffer_pattern);
    c->job->buffers.buffer_pattern = pat;
    c->job->buffers.buffer_pattern_len = n;
    return TIO_OK;
}

static void dump_buffer_pattern(struct tio__dump *d, const struct tio__option *o,
                                const struct tio_job *j)
{
    char hex[2 * TIO__PATTERN_MAX + 3];
    size_t i, n = 0;

    (void)o;
    if (!j->buffers.buffer_pattern) {
        tio__dump_str(d, "buffer_pattern", "none");
        return;
    }
    hex[n++] = '0';
    hex[n++] = 'x';
    for (i = 0; i < j->buffers.buffer_pattern_len && i < TIO__PATTERN_MAX; i++) {
        static const char digits[] = "0123456789abcdef";

        hex[n++] = digits[j->buffers.buffer_pattern[i] >> 4];
        hex[n++] = digits[j->buffers.buffer_pattern[i] & 15];
    }
    hex[n] = '\0';
    tio__dump_str(d, "buffer_pattern", hex);
}

static const struct tio__option rows[] = {
    {.name = "zero_buffers", .type = O_FLAG, .off = OFF(zero_buffers), .example = "1",
     .help = "Write zeroes"},
    {.name = "refill_buffers", .type = O_FLAG, .off = OFF(refill_buffers), .example = "1",
     .help = "Make new data for every write"},
    {.name = "scramble_buffers", .type = O_BOOL, .off = OFF(scramble_buffers), .example = "1",
     .def = "1", .help = "Vary the data of each write a little"},
    {.name = "buffer_pattern", .type = O_CUSTOM, .set = set_buffer_pattern,
     .dump = dump_buffer_pattern, .example = "0xdeadbeef",
     .values = "0xhex, a decimal number, or \"text\"",
     .help = "Fill written blocks with this pattern"},
};

TIO__FAMILY(tio__family_buffers, "buffers", "Buffer contents", rows);
