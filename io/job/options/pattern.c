/* IO pattern and block sizes: the direction, sequential or random, the
 * mix, the block sizes and the random generator. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "option.h"

#define OFF(f) TIO__OFF(pattern, f)

/* "r[,w[,t]]": fio's per-direction form; an empty part keeps that
 * direction's current value, a single value sets all three, the last one
 * given the directions after it. */
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
            return tio__opt_fail(c, TIO_EVALUE,
                                 "too many values (give at most three: "
                                 "read,write,trim)");
        if (len >= sizeof(part))
            return tio__opt_fail(c, TIO_EVALUE, "'%.20s...' is not a %s", p, what);
        memcpy(part, p, len);
        part[len] = '\0';
        if (len) {
            if (isdigit((unsigned char)part[0]) && strpbrk(part, ":-"))
                return tio__opt_fail(c, TIO_EUNSUPPORTED,
                                     "%s ranges ('%s') are not supported "
                                     "by tenon-io yet (give one %s per direction)",
                                     what, part, what);
            rc = tio_parse_size(part, c->job->reporting.kb_base, &vals[n], why, sizeof(why));
            if (rc)
                return tio__opt_fail(c, rc, "%s", why);
            if (vals[n] == 0)
                return tio__opt_fail(c, TIO_ERANGE,
                                     "a %s of 0 bytes is not allowed (the "
                                     "minimum is 1)",
                                     what);
            given[n] = true;
        }
        n++;
        if (!comma)
            break;
        p = comma + 1;
    }
    if (!given[0] && !given[1] && !given[2])
        return tio__opt_fail(c, TIO_ENOVALUE,
                             "no %s given (write %s=4k, or %s=4k,8k for "
                             "reads,writes)",
                             what, c->key, c->key);
    if (n == 1) {
        for (d = 0; d < TIO_JOB_DDIR_COUNT; d++)
            dst[d] = vals[0];
        return TIO_OK;
    }
    for (d = 0; d < n; d++)
        if (given[d])
            dst[d] = vals[d];
    /* as fio: the last value given also serves the directions after it
     * (bs=4k,8k: trims take 8k, as writes) */
    if (given[n - 1])
        for (d = n; d < TIO_JOB_DDIR_COUNT; d++)
            dst[d] = vals[n - 1];
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

/* One size of a block-size option, at least 1 byte. */
static int one_bs(struct tio__optctx *c, const char *s, uint64_t *out, const char *what)
{
    char why[160];
    int rc = tio_parse_size(s, c->job->reporting.kb_base, out, why, sizeof(why));

    if (rc)
        return tio__opt_fail(c, rc, "%s: %s", what, why);
    if (*out == 0)
        return tio__opt_fail(c, TIO_ERANGE,
                             "%s: a block size of 0 bytes is not allowed (the "
                             "minimum is 1)",
                             what);
    return TIO_OK;
}

/* bsrange=LO-HI[,LO-HI[,LO-HI]]: as fio, a range given alone serves every
 * direction, two serve reads and writes (trims take the writes'), and a
 * backwards range is turned around. */
static int set_bsrange(struct tio__optctx *c, const struct tio__option *o)
{
    struct tio_job_pattern *p = &c->job->pattern;
    const char *s = c->value;
    int d = 0, rc;

    (void)o;
    for (;;) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        char part[64], *sep;
        uint64_t lo, hi;

        if (d == TIO_JOB_DDIR_COUNT)
            return tio__opt_fail(c, TIO_EVALUE,
                                 "too many ranges (give at most three: "
                                 "read,write,trim)");
        if (len == 0 || len >= sizeof(part))
            return tio__opt_fail(c, TIO_EVALUE,
                                 "'%.*s' is not a block size range (write "
                                 "LOW-HIGH, e.g. 1k-16k)",
                                 (int)(len > 20 ? 20 : len), s);
        memcpy(part, s, len);
        part[len] = '\0';
        sep = strpbrk(part, "-:");
        if (!sep)
            return tio__opt_fail(c, TIO_EVALUE,
                                 "'%s' is not a block size range (write "
                                 "LOW-HIGH, e.g. 1k-16k)",
                                 part);
        *sep = '\0';
        if ((rc = one_bs(c, part, &lo, "low end")) ||
            (rc = one_bs(c, sep + 1, &hi, "high end")))
            return rc;
        for (int k = d; k < (comma ? d + 1 : TIO_JOB_DDIR_COUNT); k++) {
            p->min_bs[k] = lo < hi ? lo : hi;
            p->max_bs[k] = lo < hi ? hi : lo;
        }
        d++;
        if (!comma)
            break;
        s = comma + 1;
    }
    return TIO_OK;
}

/* One direction's "bs/perc:bs/perc:...": as fio, sizes without a
 * percentage (or with 0) share what the others leave, and entries are
 * kept in order of percentage. An empty text keeps the direction as is. */
static int bssplit_dir(struct tio__optctx *c, int d, const char *s, size_t len)
{
    struct tio_job_pattern *p = &c->job->pattern;
    struct tio_bssplit e[TIO_BSSPLIT_MAX];
    unsigned n = 0, sum = 0, missing = 0;
    char part[64];

    while (len) {
        const char *colon = memchr(s, ':', len);
        size_t l = colon ? (size_t)(colon - s) : len;
        char *slash;
        int rc;

        if (l == 0)
            break; /* fio stops at an empty entry */
        if (n == TIO_BSSPLIT_MAX)
            return tio__opt_fail(c, TIO_EVALUE, "more than %d block sizes in one direction",
                                 TIO_BSSPLIT_MAX);
        if (l >= sizeof(part))
            return tio__opt_fail(c, TIO_EVALUE, "'%.20s...' is not a size/percentage", s);
        memcpy(part, s, l);
        part[l] = '\0';
        e[n].perc = 0;
        slash = strchr(part, '/');
        if (slash && !slash[1]) /* "1k/": no percentage, as fio */
            *slash = '\0';
        else if (slash) {
            uint64_t v;
            char why[160];

            *slash = '\0';
            rc = tio_parse_uint(slash + 1, 1000, 0, UINT32_MAX, &v, why, sizeof(why));
            if (rc || strpbrk(slash + 1, "kmgtpKMGTPbBxX"))
                return tio__opt_fail(c, TIO_EVALUE,
                                     "'%s' in '%s/%s' is not a percentage "
                                     "(give a number from 0 to 100)",
                                     slash + 1, part, slash + 1);
            e[n].perc = v > 100 ? 100 : (unsigned)v;
        }
        if ((rc = one_bs(c, part, &e[n].bs, "bssplit")))
            return rc;
        if (e[n].perc)
            sum += e[n].perc;
        else
            missing++;
        n++;
        len -= colon ? l + 1 : l;
        s += colon ? l + 1 : l;
    }
    if (!n)
        return TIO_OK;
    if (sum > 100)
        return tio__opt_fail(c, TIO_ERANGE,
                             "the percentages of one direction add up to %u "
                             "(they must not pass 100)",
                             sum);
    for (unsigned i = 0; i < n; i++)
        if (!e[i].perc)
            e[i].perc = n == 1 ? 100 : (100 - sum) / missing;
    /* insertion sort: stable, by percentage */
    for (unsigned i = 1; i < n; i++)
        for (unsigned k = i; k > 0 && e[k - 1].perc > e[k].perc; k--) {
            struct tio_bssplit t = e[k];
            e[k] = e[k - 1];
            e[k - 1] = t;
        }
    p->min_bs[d] = UINT64_MAX;
    p->max_bs[d] = 0;
    for (unsigned i = 0; i < n; i++) {
        p->bssplit[d][i] = e[i];
        p->min_bs[d] = e[i].bs < p->min_bs[d] ? e[i].bs : p->min_bs[d];
        p->max_bs[d] = e[i].bs > p->max_bs[d] ? e[i].bs : p->max_bs[d];
    }
    p->bssplit_nr[d] = n;
    return TIO_OK;
}

/* bssplit=SPLIT[,SPLIT[,SPLIT]]: one split alone serves every direction;
 * with two, trims take the writes'. */
static int set_bssplit(struct tio__optctx *c, const struct tio__option *o)
{
    const char *v = c->value, *c1 = strchr(v, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
    int rc;

    (void)o;
    if (c2 && strchr(c2 + 1, ','))
        return tio__opt_fail(c, TIO_EVALUE,
                             "too many splits (give at most three: "
                             "read,write,trim)");
    if (!c1) {
        for (int d = 0; d < TIO_JOB_DDIR_COUNT; d++)
            if ((rc = bssplit_dir(c, d, v, strlen(v))))
                return rc;
        return TIO_OK;
    }
    const char *w = c1 + 1, *t = c2 ? c2 + 1 : w;
    size_t wl = c2 ? (size_t)(c2 - w) : strlen(w);
    if ((rc = bssplit_dir(c, 0, v, (size_t)(c1 - v))) || (rc = bssplit_dir(c, 1, w, wl)))
        return rc;
    return bssplit_dir(c, 2, t, c2 ? strlen(t) : wl);
}

static void dump_bsrange(struct tio__dump *d, const struct tio__option *o,
                         const struct tio_job *j)
{
    tio__dump_ddir(d, "min_bs", j->pattern.min_bs);
    tio__dump_ddir(d, o->name, j->pattern.max_bs);
}

static void dump_bssplit(struct tio__dump *d, const struct tio__option *o,
                         const struct tio_job *j)
{
    char buf[256];
    static const char *const dirs[] = {"read", "write", "trim"};

    for (int k = 0; k < TIO_JOB_DDIR_COUNT; k++) {
        size_t at = 0;

        buf[0] = '\0';
        for (unsigned i = 0; i < j->pattern.bssplit_nr[k] && at < sizeof(buf) - 1; i++)
            at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%s%llu/%u", i ? ":" : "",
                                   (unsigned long long)j->pattern.bssplit[k][i].bs,
                                   j->pattern.bssplit[k][i].perc);
        tio__dump_printf(d, "%s.%s=%s", o->name, dirs[k], buf);
    }
}

/* percentage_random=R[,W[,T]]: as bs, one value serves every direction,
 * two serve reads and writes (trims take the writes'). */
static int set_perc_rand(struct tio__optctx *c, const struct tio__option *o)
{
    const char *s = c->value;
    unsigned *dst = c->job->pattern.perc_rand;
    int d = 0;

    (void)o;
    for (;;) {
        const char *comma = strchr(s, ',');
        char num[24], why[160];
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        uint64_t v;

        if (d == TIO_JOB_DDIR_COUNT)
            return tio__opt_fail(c, TIO_EVALUE,
                                 "too many values (give at most three: "
                                 "read,write,trim)");
        snprintf(num, sizeof(num), "%.*s", (int)(len < sizeof(num) ? len : 0), s);
        if (!len || tio_parse_uint(num, 1000, 0, 100, &v, why, sizeof(why)) ||
            strpbrk(num, "kmgtpKMGTPbBxX"))
            return tio__opt_fail(c, TIO_EVALUE,
                                 "'%.*s' is not a percentage (give a number "
                                 "from 0 to 100)",
                                 (int)(len > 20 ? 20 : len), s);
        for (int k = d; k < (comma ? d + 1 : TIO_JOB_DDIR_COUNT); k++)
            dst[k] = (unsigned)v;
        d++;
        if (!comma)
            return TIO_OK;
        s = comma + 1;
    }
}

static void dump_perc_rand(struct tio__dump *d, const struct tio__option *o,
                           const struct tio_job *j)
{
    const unsigned *p = j->pattern.perc_rand;
    tio__dump_printf(d, "%s=%u,%u,%u", o->name, p[0], p[1], p[2]);
}

static const struct tio__enumval rw_seq_values[] = {
    {"sequential", TIO_RW_SEQ_SEQUENTIAL, NULL},
    {"identical", TIO_RW_SEQ_IDENTICAL, NULL},
};

static int set_rw_sequencer(struct tio__optctx *c, const struct tio__option *o)
{
    int v = 0, rc;

    (void)o;
    rc = tio__opt_pick(c, c->value, rw_seq_values, TIO__ARRAY_LEN(rw_seq_values), "sequencer",
                       "sequential or identical", &v);
    if (rc == TIO_OK)
        c->job->pattern.rw_sequencer = (enum tio_rw_seq)v;
    return rc;
}

static void dump_rw_sequencer(struct tio__dump *d, const struct tio__option *o,
                              const struct tio_job *j)
{
    tio__dump_str(d, o->name, j->pattern.rw_sequencer ? "identical" : "sequential");
}

static const struct tio__enumval gen_values[] = {
    {"tausworthe", TIO_RAND_TAUSWORTHE, NULL},
    {"lfsr", TIO_RAND_LFSR, NULL},
    {"tausworthe64", TIO_RAND_TAUSWORTHE64, NULL},
};

static int set_random_generator(struct tio__optctx *c, const struct tio__option *o)
{
    int v = 0, rc;

    (void)o;
    rc = tio__opt_pick(c, c->value, gen_values, TIO__ARRAY_LEN(gen_values), "random generator",
                       "tausworthe, lfsr or tausworthe64", &v);
    if (rc == TIO_OK) {
        c->job->pattern.random_generator = (enum tio_rand_gen)v;
        c->job->pattern.random_generator_set = !c->is_default;
    }
    return rc;
}

static void dump_random_generator(struct tio__dump *d, const struct tio__option *o,
                                  const struct tio_job *j)
{
    tio__dump_str(d, o->name,
                  j->pattern.random_generator == TIO_RAND_TAUSWORTHE64 ? "tausworthe64"
                  : j->pattern.random_generator == TIO_RAND_LFSR       ? "lfsr"
                                                                       : "tausworthe");
}

static const struct tio__enumval rw_values[] = {
    {"read", TIO_RW_READ, NULL},
    {"write", TIO_RW_WRITE, NULL},
    {"randread", TIO_RW_RANDREAD, NULL},
    {"randwrite", TIO_RW_RANDWRITE, NULL},
    {"rw", TIO_RW_RW, NULL},
    {"readwrite", TIO_RW_RW, NULL},
    {"randrw", TIO_RW_RANDRW, NULL},
    {"trim", TIO_RW_TRIM, NULL},
    {"randtrim", TIO_RW_RANDTRIM, NULL},
    {"trimwrite", TIO_RW_TRIMWRITE, NULL},
    {"randtrimwrite", TIO_RW_RANDTRIMWRITE, NULL},
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
                       "IO pattern",
                       "read, write, randread, randwrite, rw, randrw, trim, randtrim, "
                       "trimwrite or randtrimwrite",
                       &v);
    if (rc)
        return rc;
    /* fio: after a sequential type, bytes to skip (back, when negative)
     * after each IO; after a random one, the IOs per new random offset */
    bool back = colon && colon[1] == '-';
    if (colon) {
        const char *num = colon + 1 + back;

        if (tio_rw_is_random((enum tio_rw)v)) {
            if (back || tio_parse_uint(num, 1000, 1, UINT32_MAX, &mod, why, sizeof(why)) ||
                strpbrk(num, "kmgtpKMGTPbBxX"))
                return tio__opt_fail(c, TIO_EVALUE,
                                     "'%s' after ':' is not a number of IOs (a "
                                     "random type takes a count from 1: %s:8 draws a new "
                                     "offset every 8 IOs)",
                                     colon + 1, type);
        } else {
            rc = tio_parse_size(num, c->job->reporting.kb_base, &mod, why, sizeof(why));
            if (rc)
                return tio__opt_fail(c, rc, "bad offset modifier after ':': %s", why);
            if (mod == 0)
                return tio__opt_fail(c, TIO_ERANGE,
                                     "the offset modifier after ':' must not "
                                     "be 0");
        }
    }
    c->job->pattern.rw = (enum tio_rw)v;
    c->job->pattern.rw_modifier = mod;
    c->job->pattern.rw_backward = back;
    return TIO_OK;
}

static void dump_rw(struct tio__dump *d, const struct tio__option *o, const struct tio_job *j)
{
    tio__dump_str(d, o->name, tio_rw_name(j->pattern.rw));
    tio__dump_u64(d, "rw_modifier", j->pattern.rw_modifier, "");
    tio__dump_bool(d, "rw_backward", j->pattern.rw_backward);
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
        return tio__opt_fail(c, TIO_EVALUE,
                             "'%s' is not a percentage (give a number from 0 "
                             "to 100)",
                             c->value);
    c->job->pattern.rwmixread = strcmp(o->name, "rwmixread") == 0 ? (unsigned)v
                                                                  : 100 - (unsigned)v;
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
    rc = tio_parse_uint(c->value, c->job->reporting.kb_base, 0, UINT64_MAX, &v, why,
                        sizeof(why));
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
    {.name = "rw",
     .alias = "readwrite",
     .type = O_CUSTOM,
     .set = set_rw,
     .dump = dump_rw,
     .example = "randread",
     .def = "read",
     .values = "read, write, randread, randwrite, rw (readwrite), randrw, trim, randtrim, "
               "trimwrite, randtrimwrite; TYPE:N adds an offset modifier",
     .help = "Direction and order of the IO"},
    {.name = "bs",
     .alias = "blocksize",
     .type = O_CUSTOM,
     .off = OFF(bs),
     .set = set_bs,
     .dump = dump_ddir,
     .example = "4k",
     .def = "4k",
     .values = "size, or read,write,trim sizes",
     .help = "Block size of each IO"},
    {.name = "ba",
     .alias = "blockalign",
     .type = O_CUSTOM,
     .off = OFF(ba),
     .set = set_ba,
     .dump = dump_ddir,
     .example = "4k",
     .def_text = "bs",
     .values = "size, or read,write,trim sizes",
     .help = "Alignment of random offsets"},
    {.name = "bsrange",
     .alias = "blocksize_range",
     .type = O_CUSTOM,
     .set = set_bsrange,
     .dump = dump_bsrange,
     .example = "1k-16k",
     .def_text = "bs",
     .values = "LOW-HIGH, or read,write,trim ranges",
     .help = "Range of IO sizes, drawn per IO"},
    {.name = "bssplit",
     .type = O_CUSTOM,
     .set = set_bssplit,
     .dump = dump_bssplit,
     .example = "4k/10:64k/50:32k/40",
     .def_text = "none",
     .values = "size/percentage:... , per direction read,write,trim",
     .help = "Weights of IO sizes, drawn per IO"},
    {.name = "blocksize_unaligned",
     .alias = "bs_unaligned",
     .type = O_FLAG,
     .off = OFF(bs_unaligned),
     .example = "1",
     .help = "Drawn IO sizes need not be multiples of the smallest"},
    {.name = "bs_is_seq_rand",
     .type = O_BOOL,
     .off = OFF(bs_is_seq_rand),
     .example = "1",
     .def = "0",
     .help = "bs=A,B: A for sequential IO, B for random IO"},
    {.name = "rw_sequencer",
     .type = O_CUSTOM,
     .set = set_rw_sequencer,
     .dump = dump_rw_sequencer,
     .example = "identical",
     .def = "sequential",
     .values = "sequential, identical",
     .help = "rw=randTYPE:N: the IOs between new random offsets follow on, or repeat"},
    {.name = "percentage_random",
     .type = O_CUSTOM,
     .set = set_perc_rand,
     .dump = dump_perc_rand,
     .example = "70",
     .def = "100",
     .values = "0..100, or read,write,trim percentages",
     .help = "Share of a random job's IOs at random offsets (the rest follow on)"},
    {.name = "rwmixread",
     .type = O_CUSTOM,
     .off = OFF(rwmixread),
     .set = set_rwmix,
     .dump = tio__dump_field_uint,
     .example = "70",
     .def = "50",
     .values = "0..100",
     .help = "Percentage of reads in a mixed workload"},
    {.name = "rwmixwrite",
     .type = O_CUSTOM,
     .set = set_rwmix,
     .dump = dump_rwmixwrite,
     .example = "30",
     .def_text = "50",
     .values = "0..100",
     .help = "Percentage of writes in a mixed workload"},
    {.name = "norandommap",
     .type = O_FLAG,
     .off = OFF(norandommap),
     .example = "1",
     .help = "Random offsets may repeat (no map of blocks done)"},
    /* allrandrepeat as fio 3.36 and later have it, one option with
     * randrepeat: fio 3.33's separate meaning (fixed seeds for all but the
     * offsets, randseed ignored) was dropped by fio as a bug */
    {.name = "randrepeat",
     .alias = "allrandrepeat",
     .type = O_BOOL,
     .off = OFF(randrepeat),
     .example = "0",
     .def = "1",
     .help = "Seed the random generators the same way every run"},
    {.name = "random_generator",
     .type = O_CUSTOM,
     .set = set_random_generator,
     .dump = dump_random_generator,
     .example = "tausworthe64",
     .def = "tausworthe",
     .values = "tausworthe, lfsr, tausworthe64 (lfsr: fixed bs, ba=bs, no distribution)",
     .help = "Generator of random offsets and sizes (fio's)",
     .status = TIO__REFUSED_VALUE},
    {.name = "random_distribution",
     .type = O_CUSTOM,
     .set = tio__set_random_distribution,
     .dump = tio__dump_random_distribution,
     .example = "zipf:1.2",
     .def = "random",
     .values = "random, zipf[:theta[:center]], pareto[:h[:center]], normal[:dev[:center]], "
               "zoned:ACC/SIZE%:..., zoned_abs:ACC/SIZE:... (per direction r,w,t)",
     .help = "How random offsets spread over the file (fio's models)",
     .status = TIO__DIFFERS},
    {.name = "randseed",
     .type = O_CUSTOM,
     .set = set_randseed,
     .dump = dump_randseed,
     .example = "1234",
     .def = "0x89",
     .def_text = "0x89 (fio's)",
     .values = "integer",
     .help = "Seed of the random generator"},
};

TIO__FAMILY(tio__family_pattern, "pattern", "IO pattern and block sizes", rows);
