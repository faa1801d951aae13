/* Buffers: what the data written looks like. */
#include <limits.h>
#include <string.h>

#include "data_pattern.h"
#include "option.h"
#include "tio_job_units.h"

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

/* refill_buffers: fio tells a value written from its default (a
 * compressible job refills unless refill_buffers was given). */
static int set_refill_given(struct tio__optctx *c, const struct tio__option *o)
{
    (void)o;
    c->job->buffers.refill_given = !c->is_default;
    return TIO_OK;
}

/* A percentage 0..100 into the row's field. */
static int set_percentage(struct tio__optctx *c, const struct tio__option *o)
{
    char why[160];
    uint64_t v;
    int rc = tio_parse_uint(c->value, c->job->reporting.kb_base, 0, 100, &v, why, sizeof(why));

    if (rc)
        return tio__opt_fail(c, rc, "%s (%s is a percentage: 0 to 100)", why, o->name);
    *(unsigned *)(void *)((char *)c->job + o->off) = (unsigned)v;
    return TIO_OK;
}

/* Either content percentage written, whatever its value, turns
 * scramble_buffers' per-write stamp off, as in fio. */
static int set_compress_percentage(struct tio__optctx *c, const struct tio__option *o)
{
    int rc = set_percentage(c, o);

    if (rc == TIO_OK && !c->is_default)
        c->job->buffers.content_given = true;
    return rc;
}

/* fio: dedupe_percentage turns refill_buffers on where it is written (a
 * later refill_buffers=0 still turns it off). */
static int set_dedupe_percentage(struct tio__optctx *c, const struct tio__option *o)
{
    int rc = set_compress_percentage(c, o);

    if (rc == TIO_OK && !c->is_default)
        c->job->buffers.refill_buffers = true;
    return rc;
}

static const struct tio__enumval dedupe_modes[] = {
    {"repeat", TIO_DEDUPE_REPEAT, NULL},
    {"working_set", TIO_DEDUPE_WORKING_SET, NULL},
};

static int set_dedupe_mode(struct tio__optctx *c, const struct tio__option *o)
{
    int v = 0, rc;

    (void)o;
    rc = tio__opt_pick(c, c->value, dedupe_modes, TIO__ARRAY_LEN(dedupe_modes), "dedupe mode",
                       "repeat or working_set", &v);
    if (rc == TIO_OK)
        c->job->buffers.dedupe_mode = (enum tio_dedupe_mode)v;
    return rc;
}

static void dump_dedupe_mode(struct tio__dump *d, const struct tio__option *o,
                             const struct tio_job *j)
{
    tio__dump_str(d, o->name, dedupe_modes[j->buffers.dedupe_mode].name);
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
     .set = set_refill_given,
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
    {.name = "buffer_compress_percentage",
     .type = O_CUSTOM,
     .off = OFF(compress_percentage),
     .set = set_compress_percentage,
     .dump = tio__dump_field_uint,
     .example = "50",
     .def_text = "0",
     .values = "percentage 0..100",
     .help = "Make this percentage of each written region compressible"},
    {.name = "buffer_compress_chunk",
     .type = O_UINT,
     .off = OFF(compress_chunk),
     .max = UINT_MAX,
     .example = "4k",
     .def = "512",
     .help = "Bytes per random-then-fixed region (0: the block size)"},
    {.name = "dedupe_percentage",
     .type = O_CUSTOM,
     .off = OFF(dedupe_percentage),
     .set = set_dedupe_percentage,
     .dump = tio__dump_field_uint,
     .example = "50",
     .def_text = "0",
     .values = "percentage 0..100",
     .help = "Make this percentage of written blocks repeat others",
     .status = TIO__REFUSED_VALUE},
    {.name = "dedupe_mode",
     .type = O_CUSTOM,
     .set = set_dedupe_mode,
     .dump = dump_dedupe_mode,
     .example = "working_set",
     .def = "repeat",
     .values = "repeat, working_set",
     .help = "Repeat the previous block, or one of a working set"},
    {.name = "dedupe_working_set_percentage",
     .type = O_CUSTOM,
     .off = OFF(dedupe_working_set_percentage),
     .set = set_percentage,
     .dump = tio__dump_field_uint,
     .example = "10",
     .def = "5",
     .values = "percentage 0..100",
     .help = "Share of size the working_set dedupe mode repeats blocks from"},
    {.name = "dedupe_global",
     .type = O_BOOL,
     .off = OFF(dedupe_global),
     .example = "1",
     .def = "0",
     .help = "Share the dedupe working set between the jobs",
     .status = TIO__REFUSED_VALUE},
};

TIO__FAMILY(tio__family_buffers, "buffers", "Buffer contents", rows);
