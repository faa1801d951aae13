/* IO pattern and block sizes: the direction, sequential or random, the
 * mix, the block sizes and the random generator. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "option.h"

#define OFF(f) TIO__OFF(pattern, f)

/* "r[,w[,t]]": fio's per-direction form; an empty part keeps that
 * direction's current value, a single value sets all three. */
static int set_per_ddir(struct tio__optctx *c, uint64_t *dst, const char *what)
{
    uint64_t vals[TIO_JOB_DDIR_COUNT];
    bool given[TIO_JOB_DDIR_COUNT] = {false, false, false};
    const char *p = c->value;
    char part[64], why[160];
    int n = 0, d, rc;

    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);

        if (n == TIO_JOB_DDIR_COUNT)
            return tio__opt_fail(c, TIO_EVALUE, "too many values (give at most three: "
                                 "read,write,trim)");
        if (len >= sizeof(part))
            return tio__opt_fail(c, TIO_EVALUE, "'%.20s...' is not a %s", p, what);
        memcpy(part, p, len);
        part[len] = '\0';
        if (len) {
            if (isdigit((unsigned char)part[0]) && strpbrk(part, ":-"))
                return tio__opt_fail(c, TIO_EUNSUPPORTED, "%s ranges ('%s') are not supported "
                                     "by tenon-io yet (give one %s per direction)", what, part,
                                     what);
            rc = tio_parse_size(part, c->job->reporting.kb_base, &vals[n], why, sizeof(why));
            if (rc)
                return tio__opt_fail(c, rc, "%s", why);
            if (vals[n] == 0)
                return tio__opt_fail(c, TIO_ERANGE, "a %s of 0 bytes is not allowed (the "
                                     "minimum is 1)", what);
            given[n] = true;
        }
        n++;
        if (!comma)
            break;
        p = comma + 1;
    }
    if (!given[0] && !given[1] && !given[2])
        return tio__opt_fail(c, TIO_ENOVALUE, "no %s given (write %s=4k, or %s=4k,8k for "
                             "reads,writes)", what, c->key, c->key);
    if (n == 1) {
        for (d = 0; d < TIO_JOB_DDIR_COUNT; d++)
            dst[d] = vals[0];
        return TIO_OK;
    }
    for (d = 0; d < n; d++)
        if (given[d])
            dst[d] = vals[d];
    return TIO_OK;
}

static int set_bs(struct tio__optctx *c, const struct tio__option *o)
{
    (void)o;
    return set_per_ddir(c, c->job->pattern.bs, "block size");
}

static int set_ba(struct tio__optctx *c, const struct tio__option *o)
{
    (void)o;
    return set_per_ddir(c, c->job->pattern.ba, "block alignment");
}

static void dump_ddir(struct tio__dump *d, const struct tio__option *o, const struct tio_job *j)
{
    tio__dump_ddir(d, o->name, (const uint64_t *)(const void *)((const char *)j + o->off));
}

static const struct tio__enumval rw_values[] = {
    {"read", TIO_RW_READ, NULL},
    {"write", TIO_RW_WRITE, NULL},
    {"randread", TIO_RW_RANDREAD, NULL},
    {"randwrite", TIO_RW_RANDWRITE, NULL},
    {"rw", TIO_RW_RW, NULL},
    {"readwrite", TIO_RW_RW, NULL},
    {"randrw", TIO_RW_RANDRW, NULL},
    {"trim", 0, ""},
    {"randtrim", 0, ""},
    {"trimwrite", 0, ""},
    {"randtrimwrite", 0, ""},
};

static int set_rw(struct tio__optctx *c, const struct tio__option *o)
{
    const char *colon = strchr(c->value, ':');
    char type[32], why[160];
    uint64_t mod = 0;
    int v = 0, rc;

    (void)o;
    if (colon) {
        size_t len = (size_t)(colon - c->value);

        if (len >= sizeof(type))
            len = sizeof(type) - 1;
        memcpy(type, c->value, len);
        type[len] = '\0';
    }
    rc = tio__opt_pick(c, colon ? type : c->value, rw_values, TIO__ARRAY_LEN(rw_values),
                       "IO pattern", "read, write, randread, randwrite, rw or randrw", &v);
    if (rc)
        return rc;
    if (colon) {
        rc = tio_parse_size(colon + 1, c->job->reporting.kb_base, &mod, why, sizeof(why));
        if (rc)
            return tio__opt_fail(c, rc, "bad offset modifier after ':': %s", why);
        if (mod == 0)
            return tio__opt_fail(c, TIO_ERANGE, "the offset modifier after ':' must be at "
                                 "least 1");
    }
    c->job->pattern.rw = (enum tio_rw)v;
    c->job->pattern.rw_modifier = mod;
    return TIO_OK;
}

static void dump_rw(struct tio__dump *d, const struct tio__option *o, const struct tio_job *j)
{
    tio__dump_str(d, o->name, tio_rw_name(j->pattern.rw));
    tio__dump_u64(d, "rw_modifier", j->pattern.rw_modifier, "");
}

static int set_rwmix(struct tio__optctx *c, const struct tio__option *o)
{
    char why[160];
    uint64_t v = 0;
    int rc;

    char num[24];
    size_t len = strlen(c->value);

    /* fio wants a bare number; "70%" can only mean 70 */
    if (len > 1 && len < sizeof(num) && c->value[len - 1] == '%') {
        memcpy(num, c->value, len - 1);
        num[len - 1] = '\0';
    } else {
        snprintf(num, sizeof(num), "%s", len < sizeof(num) ? c->value : "x");
    }
    rc = tio_parse_uint(num, 1000, 0, 100, &v, why, sizeof(why));
    if (rc == TIO_ERANGE)
        return tio__opt_fail(c, rc, "%s", why);
    if (rc || strpbrk(num, "kmgtpKMGTPbBxX"))
        return tio__opt_fail(c, TIO_EVALUE, "'%s' is not a percentage (give a number from 0 "
                             "to 100)", c->value);
    c->job->pattern.rwmixread = strcmp(o->name, "rwmixread") == 0 ? (unsigned)v : 100 - (unsigned)v;
    return TIO_OK;
}

static void dump_rwmixwrite(struct tio__dump *d, const struct tio__option *o,
                            const struct tio_job *j)
{
    tio__dump_u64(d, o->name, 100 - j->pattern.rwmixread, "");
}

static int set_randseed(struct tio__optctx *c, const struct tio__option *o)
{
    char why[160];
    uint64_t v = 0;
    int rc;

    (void)o;
    rc = tio_parse_uint(c->value, c->job->reporting.kb_base, 0, UINT64_MAX, &v, why, sizeof(why));
    if (rc)
        return tio__opt_fail(c, rc, "%s", why);
    c->job->pattern.randseed = v;
    c->job->pattern.randseed_set = !c->is_default;
    return TIO_OK;
}

static void dump_randseed(struct tio__dump *d, const struct tio__option *o,
                          const struct tio_job *j)
{
    tio__dump_u64(d, o->name, j->pattern.randseed, "");
    tio__dump_bool(d, "randseed_set", j->pattern.randseed_set);
}

static const struct tio__option rows[] = {
    {.name = "rw", .alias = "readwrite", .type = O_CUSTOM, .set = set_rw, .dump = dump_rw,
     .example = "randread", .def = "read",
     .values = "read, write, randread, randwrite, rw (readwrite), randrw; "
               "TYPE:N adds an offset modifier",
     .help = "Direction and order of the IO"},
    {.name = "bs", .alias = "blocksize", .type = O_CUSTOM, .off = OFF(bs), .set = set_bs,
     .dump = dump_ddir, .example = "4k", .def = "4k", .values = "size, or read,write,trim sizes",
     .help = "Block size of each IO"},
    {.name = "ba", .alias = "blockalign", .type = O_CUSTOM, .off = OFF(ba), .set = set_ba,
     .dump = dump_ddir, .example = "4k", .def_text = "bs",
     .values = "size, or read,write,trim sizes",
     .help = "Alignment of random offsets"},
    {.name = "rwmixread", .type = O_CUSTOM, .off = OFF(rwmixread), .set = set_rwmix,
     .dump = tio__dump_field_uint, .example = "70", .def = "50", .values = "0..100",
     .help = "Percentage of reads in a mixed workload"},
    {.name = "rwmixwrite", .type = O_CUSTOM, .set = set_rwmix, .dump = dump_rwmixwrite,
     .example = "30", .def_text = "50", .values = "0..100",
     .help = "Percentage of writes in a mixed workload"},
    {.name = "norandommap", .type = O_FLAG, .off = OFF(norandommap), .example = "1",
     .help = "Random offsets may repeat (no map of blocks done)"},
    {.name = "randrepeat", .type = O_BOOL, .off = OFF(randrepeat), .example = "0", .def = "1",
     .help = "Seed the random generator the same way every run"},
    {.name = "randseed", .type = O_CUSTOM, .set = set_randseed, .dump = dump_randseed,
     .example = "1234", .def = "0x89", .def_text = "0x89 (fio's)", .values = "integer",
     .help = "Seed of the random generator"},
};

TIO__FAMILY(tio__family_pattern, "pattern", "IO pattern and block sizes", rows);
