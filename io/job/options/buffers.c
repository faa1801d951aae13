/* Buffers: what the data written looks like. */
#include <string.h>

#include "data_pattern.h"
#include "option.h"

#define OFF(f) TIO__OFF(buffers, f)

#define TIO__PATTERN_MAX TIO_JOB_PATTERN_MAX

/* fio's pattern syntax (data_pattern.h), without %o as fio. */
static int set_buffer_pattern(struct tio__optctx *c, const struct tio__option *o)
{
    char why[400];
    uint8_t parsed[TIO_JOB_PATTERN_MAX];
    unsigned char *pat;

    (void)o;
    size_t n = tio__data_pattern_parse(c->value, parsed, NULL, why, sizeof(why));
    if (!n)
        return tio__opt_fail(c, TIO_EVALUE, "%s", why);
    pat = tio__alloc(c->a, n);
    if (!pat)
        return tio__oom(c->err);
    memcpy(pat, parsed, n);
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
    {.name = "zero_buffers",
     .type = O_FLAG,
     .off = OFF(zero_buffers),
     .example = "1",
     .help = "Write zeroes"},
    {.name = "refill_buffers",
     .type = O_FLAG,
     .off = OFF(refill_buffers),
     .example = "1",
     .help = "Make new data for every write"},
    {.name = "scramble_buffers",
     .type = O_BOOL,
     .off = OFF(scramble_buffers),
     .example = "1",
     .def = "1",
     .help = "Vary the data of each write a little"},
    {.name = "buffer_pattern",
     .type = O_CUSTOM,
     .set = set_buffer_pattern,
     .dump = dump_buffer_pattern,
     .example = "0xdeadbeef",
     .values = "pieces one after another: 0xhex, a number, \"text\", 'file'",
     .help = "Fill written blocks with this pattern"},
};

TIO__FAMILY(tio__family_buffers, "buffers", "Buffer contents", rows);
