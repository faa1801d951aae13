/* The core option table: every job option tenon-io itself understands, how
 * its value is read and where it is stored. An option is either in this
 * table and fully parsed, or it is not accepted here at all. */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "job_internal.h"

enum otype {
    O_STR,      /* char * */
    O_BOOL,     /* bool; bare means true; on the command line it may take the next argument */
    O_FLAG,     /* bool; bare means true; never takes the next argument (fio's "set" options) */
    O_UINT,     /* unsigned, [min, max], size units allowed as fio */
    O_U64,      /* uint64_t, [min, max] */
    O_SIZE,     /* uint64_t bytes */
    O_TIME,     /* uint64_t microseconds, bare numbers in seconds */
    O_AMOUNT,   /* struct tio_amount: bytes or percent */
    O_CUSTOM,
};

struct optctx {
    const struct tio_allocator *a;
    struct tio_job *job;
    bool is_global;
    const char *key;
    const char *value;
    const struct tio_origin *origin;
    struct tio_error *err;
};

struct tio__option {
    const char *name;
    const char *alias;
    enum otype type;
    size_t off;
    uint64_t min, max;
    int (*set)(struct optctx *c, const struct tio__option *o);
    const char *example;      /* a valid value, for "needs a value" messages */
    bool early;               /* kb_base, unit_base: before everything else */
};

static int fail(struct optctx *c, int code, const char *fmt, ...) TIO__PRINTF(3, 4);

static int fail(struct optctx *c, int code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    tio_error_setv(c->err, code, c->origin, c->key, c->value, fmt, ap);
    va_end(ap);
    return code;
}

static void *field(struct optctx *c, const struct tio__option *o)
{
    return (char *)c->job + o->off;
}

static int set_string(struct optctx *c, char **dst, const char *v)
{
    char *s = tio__strdup(c->a, v);

    if (!s)
        return tio__oom(c->err);
    tio__free(c->a, *dst);
    *dst = s;
    return TIO_OK;
}

/* ---- values that name one of a fixed set ---------------------------------- */

struct enumval {
    const char *name;
    int value;
    const char *unsupported;   /* non-NULL: a value fio has and tenon-io lacks; why, or "" */
};

/* `word` is the part of the value that must name one of vals (all of it,
 * or "randread" in "randread:8"). */
static int pick(struct optctx *c, const char *word, const struct enumval *vals, size_t n,
                const char *what, const char *choices, int *out)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (strcmp(word, vals[i].name) != 0)
            continue;
        if (vals[i].unsupported)
            return fail(c, TIO_EUNSUPPORTED, "fio's %s '%s' is not supported by tenon-io yet "
                        "(%s%suse %s)", what, word, vals[i].unsupported,
                        *vals[i].unsupported ? "; " : "", choices);
        *out = vals[i].value;
        return TIO_OK;
    }
    /* fio compares case-sensitively; say so rather than just "unknown" */
    for (i = 0; i < n; i++)
        if (strcasecmp(word, vals[i].name) == 0)
            return fail(c, TIO_EVALUE, "unknown %s '%s' (did you mean '%s'? values are "
                        "case-sensitive)", what, word, vals[i].name);
    return fail(c, TIO_EVALUE, "unknown %s '%s' (use %s)", what, word, choices);
}

/* ---- generic setters ------------------------------------------------------- */

static int set_generic(struct optctx *c, const struct tio__option *o)
{
    char why[160];
    uint64_t v = 0;
    bool b;
    int rc;

    switch (o->type) {
    case O_STR:
        return set_string(c, field(c, o), c->value);
    case O_BOOL:
    case O_FLAG:
        if (!c->value) {
            *(bool *)field(c, o) = true;
            return TIO_OK;
        }
        rc = tio_parse_bool(c->value, &b, why, sizeof(why));
        if (rc)
            return fail(c, rc, "%s", why);
        *(bool *)field(c, o) = b;
        return TIO_OK;
    case O_UINT:
    case O_U64:
        rc = tio_parse_uint(c->value, c->job->kb_base, o->min, o->max, &v, why, sizeof(why));
        if (rc)
            return fail(c, rc, "%s", why);
        if (o->type == O_UINT)
            *(unsigned *)field(c, o) = (unsigned)v;
        else
            *(uint64_t *)field(c, o) = v;
        return TIO_OK;
    case O_SIZE:
        rc = tio_parse_size(c->value, c->job->kb_base, &v, why, sizeof(why));
        if (rc)
            return fail(c, rc, "%s", why);
        *(uint64_t *)field(c, o) = v;
        return TIO_OK;
    case O_TIME:
        rc = tio_parse_time(c->value, TIO_SEC, &v, why, sizeof(why));
        if (rc)
            return fail(c, rc, "%s", why);
        *(uint64_t *)field(c, o) = v;
        return TIO_OK;
    case O_AMOUNT:
        rc = tio_parse_amount(c->value, c->job->kb_base, field(c, o), why, sizeof(why));
        if (rc)
            return fail(c, rc, "%s", why);
        return TIO_OK;
    case O_CUSTOM:
        break;
    }
    return o->set(c, o);
}

/* ---- custom setters ---------------------------------------------------------- */

static int set_name(struct optctx *c, const struct tio__option *o)
{
    (void)o;
    if (c->is_global)
        return fail(c, TIO_EVALUE, "name= in [global] would have no effect "
                    "(a job is named by its [section] or by --name)");
    return set_string(c, &c->job->name, c->value);
}

/* Length of a URI scheme and its "://" at p ("nbd://" -> 6), or 0. */
static size_t uri_prefix(const char *p)
{
    const char *q = p;
    if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z')))
        return 0;
    while ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
           *q == '+' || *q == '-' || *q == '.')
        q++;
    return strncmp(q, "://", 3) == 0 ? (size_t)(q - p) + 3 : 0;
}

/* fio's list syntax: ':' separates, "\:" is a literal colon (device paths
 * such as /dev/disk/by-path/pci-0000\:00\:1f.2). A name that is a URI
 * (nbd://host:10809/export, engines claim schemes) keeps its colons: inside
 * it, a ':' separates only when another URI follows. */
static int split_colons(struct optctx *c, struct tio_strv *out, const char *what)
{
    struct tio_strv v = {NULL, 0};
    struct tio__buf b;
    const char *p = c->value;
    bool in_uri = false;

    tio__buf_init(&b, c->a);
    for (;;) {
        if (b.len == 0 && !in_uri && uri_prefix(p))
            in_uri = true;
        if (in_uri && *p == ':' && !uri_prefix(p + 1)) {
            tio__buf_putc(&b, *p++);
            continue;
        }
        if (*p == '\\' && p[1] == ':') {
            tio__buf_putc(&b, ':');
            p += 2;
            continue;
        }
        if (*p != ':' && *p != '\0') {
            tio__buf_putc(&b, *p++);
            continue;
        }
        if (b.len == 0 && !b.failed) {
            tio__buf_free(&b);
            tio__strv_free(c->a, &v);
            return fail(c, TIO_EVALUE, "empty %s in the list (separate names with a single "
                        "':', write '\\:' for a ':' inside a name)", what);
        }
        if (tio__strv_push(c->a, &v, tio__buf_take(&b)) != 0) {
            tio__buf_free(&b);
            tio__strv_free(c->a, &v);
            return tio__oom(c->err);
        }
        in_uri = false;
        if (v.n > TIO_MAX_NRFILES) {
            tio__strv_free(c->a, &v);
            return fail(c, TIO_ERANGE, "more than %u names in the list", TIO_MAX_NRFILES);
        }
        if (*p == '\0')
            break;
        p++;
    }
    tio__strv_free(c->a, out);
    *out = v;
    return TIO_OK;
}

static int set_filename(struct optctx *c, const struct tio__option *o)
{
    int rc;

    (void)o;
    rc = split_colons(c, &c->job->filenames, "file name");
    if (rc == TIO_OK)
        c->job->filename_explicit = true;
    return rc;
}

static int set_directory(struct optctx *c, const struct tio__option *o)
{
    (void)o;
    return split_colons(c, &c->job->directories, "directory");
}

/* "r[,w[,t]]": fio's per-direction form; an empty part keeps that
 * direction's current value, a single value sets all three. */
static int set_per_ddir(struct optctx *c, uint64_t *dst, const char *what)
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
            return fail(c, TIO_EVALUE, "too many values (give at most three: read,write,trim)");
        if (len >= sizeof(part))
            return fail(c, TIO_EVALUE, "'%.20s...' is not a %s", p, what);
        memcpy(part, p, len);
        part[len] = '\0';
        if (len) {
            if (isdigit((unsigned char)part[0]) && strpbrk(part, ":-"))
                return fail(c, TIO_EUNSUPPORTED, "%s ranges ('%s') are not supported by "
                            "tenon-io yet (give one %s per direction)", what, part, what);
            rc = tio_parse_size(part, c->job->kb_base, &vals[n], why, sizeof(why));
            if (rc)
                return fail(c, rc, "%s", why);
            if (vals[n] == 0)
                return fail(c, TIO_ERANGE, "a %s of 0 bytes is not allowed (the minimum is 1)",
                            what);
            given[n] = true;
        }
        n++;
        if (!comma)
            break;
        p = comma + 1;
    }
    if (!given[0] && !given[1] && !given[2])
        return fail(c, TIO_ENOVALUE, "no %s given (write %s=4k, or %s=4k,8k for reads,writes)",
                    what, c->key, c->key);
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

static int set_bs(struct optctx *c, const struct tio__option *o)
{
    (void)o;
    return set_per_ddir(c, c->job->bs, "block size");
}

static int set_ba(struct optctx *c, const struct tio__option *o)
{
    (void)o;
    return set_per_ddir(c, c->job->ba, "block alignment");
}

static const struct enumval rw_values[] = {
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

static int set_rw(struct optctx *c, const struct tio__option *o)
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
    rc = pick(c, colon ? type : c->value, rw_values, TIO__ARRAY_LEN(rw_values), "IO pattern",
              "read, write, randread, randwrite, rw or randrw", &v);
    if (rc)
        return rc;
    if (colon) {
        rc = tio_parse_size(colon + 1, c->job->kb_base, &mod, why, sizeof(why));
        if (rc)
            return fail(c, rc, "bad offset modifier after ':': %s", why);
        if (mod == 0)
            return fail(c, TIO_ERANGE, "the offset modifier after ':' must be at least 1");
    }
    c->job->rw = (enum tio_rw)v;
    c->job->rw_modifier = mod;
    return TIO_OK;
}

static int set_rwmix(struct optctx *c, const struct tio__option *o)
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
        return fail(c, rc, "%s", why);
    if (rc || strpbrk(num, "kmgtpKMGTPbBxX"))
        return fail(c, TIO_EVALUE, "'%s' is not a percentage (give a number from 0 to 100)",
                    c->value);
    c->job->rwmixread = strcmp(o->name, "rwmixread") == 0 ? (unsigned)v : 100 - (unsigned)v;
    return TIO_OK;
}

/* unlink_each_loop needs the files closed, removed and created again
 * between loops, which tenon-io's workers do not do yet: only its default
 * (0) is accepted. */
static int set_unlink_each_loop(struct optctx *c, const struct tio__option *o)
{
    char why[160];
    bool b = true;
    int rc;

    (void)o;
    if (c->value) {
        rc = tio_parse_bool(c->value, &b, why, sizeof(why));
        if (rc)
            return fail(c, rc, "%s", why);
    }
    if (b)
        return fail(c, TIO_EUNSUPPORTED, "fio's unlink_each_loop=1 is not supported by tenon-io "
                    "yet (it would remove and re-create the files between loops; use unlink=1 "
                    "to remove them when the job ends)");
    c->job->unlink_each_loop = false;
    return TIO_OK;
}

static int set_ioengine(struct optctx *c, const struct tio__option *o)
{
    (void)o;
    if (strncmp(c->value, "external:", 9) == 0 && c->value[9] == '\0')
        return fail(c, TIO_EVALUE, "missing path after 'external:' "
                    "(write ioengine=external:/absolute/path/engine.so)");
    return set_string(c, &c->job->ioengine, c->value);
}

static int set_buffered(struct optctx *c, const struct tio__option *o)
{
    char why[160];
    bool b = true;
    int rc;

    (void)o;
    if (c->value) {
        rc = tio_parse_bool(c->value, &b, why, sizeof(why));
        if (rc)
            return fail(c, rc, "%s", why);
    }
    c->job->direct = !b;
    return TIO_OK;
}

/* "low-high" or "low:high", as fio's range options. */
static int parse_range(struct optctx *c, int (*one)(struct optctx *, const char *, uint64_t *),
                       uint64_t *lo, uint64_t *hi)
{
    const char *sep = strpbrk(c->value, "-:");
    char left[64];
    int rc;

    if (!sep || sep == c->value) {
        rc = one(c, c->value, lo);
        if (rc == TIO_OK)
            *hi = *lo;
        return rc;
    }
    if ((size_t)(sep - c->value) >= sizeof(left))
        return fail(c, TIO_EVALUE, "value too long");
    memcpy(left, c->value, (size_t)(sep - c->value));
    left[sep - c->value] = '\0';
    rc = one(c, left, lo);
    if (rc == TIO_OK)
        rc = one(c, sep + 1, hi);
    if (rc == TIO_OK && *hi < *lo)
        return fail(c, TIO_ERANGE, "the range is backwards (write the low end first)");
    return rc;
}

static int one_time(struct optctx *c, const char *s, uint64_t *out)
{
    char why[160];
    int rc = tio_parse_time(s, TIO_SEC, out, why, sizeof(why));

    return rc ? fail(c, rc, "%s", why) : TIO_OK;
}

static int one_filesize(struct optctx *c, const char *s, uint64_t *out)
{
    char why[160];
    int rc;

    if (strchr(s, '%'))
        return fail(c, TIO_EUNSUPPORTED, "filesize as a percentage is not supported by "
                    "tenon-io yet (give a size)");
    rc = tio_parse_size(s, c->job->kb_base, out, why, sizeof(why));
    if (rc)
        return fail(c, rc, "%s", why);
    if (*out == 0)
        return fail(c, TIO_ERANGE, "a file size of 0 bytes is not allowed");
    return TIO_OK;
}

static int set_startdelay(struct optctx *c, const struct tio__option *o)
{
    (void)o;
    return parse_range(c, one_time, &c->job->startdelay, &c->job->startdelay_max);
}

static int set_filesize(struct optctx *c, const struct tio__option *o)
{
    (void)o;
    return parse_range(c, one_filesize, &c->job->filesize_min, &c->job->filesize_max);
}

static const struct enumval verify_values[] = {
    {"0", TIO_VERIFY_NONE, NULL},
    {"none", TIO_VERIFY_NONE, NULL},
    {"crc32c", TIO_VERIFY_CRC32C, NULL},
    {"crc32c-intel", TIO_VERIFY_CRC32C, NULL},
    {"md5", TIO_VERIFY_MD5, NULL},
    {"sha256", TIO_VERIFY_SHA256, NULL},
    {"crc64", 0, ""},
    {"crc32", 0, ""},
    {"crc16", 0, ""},
    {"crc7", 0, ""},
    {"sha1", 0, ""},
    {"sha512", 0, ""},
    {"sha3-224", 0, ""},
    {"sha3-256", 0, ""},
    {"sha3-384", 0, ""},
    {"sha3-512", 0, ""},
    {"xxhash", 0, ""},
    {"meta", 0, "obsolete in fio too"},
    {"pattern", 0, ""},
    {"null", 0, ""},
};

static int set_verify(struct optctx *c, const struct tio__option *o)
{
    int v = 0, rc;

    (void)o;
    rc = pick(c, c->value, verify_values, TIO__ARRAY_LEN(verify_values), "verify method",
              "crc32c, md5, sha256 or 0", &v);
    if (rc == TIO_OK)
        c->job->verify = (enum tio_verify)v;
    return rc;
}

static const struct enumval coe_values[] = {
    {"none", TIO_COE_NONE, NULL},
    {"0", TIO_COE_NONE, NULL},
    {"read", TIO_COE_READ, NULL},
    {"write", TIO_COE_WRITE, NULL},
    {"io", TIO_COE_IO, NULL},
    {"verify", TIO_COE_VERIFY, NULL},
    {"all", TIO_COE_ALL, NULL},
    {"1", TIO_COE_ALL, NULL},
};

static int set_coe(struct optctx *c, const struct tio__option *o)
{
    int v = 0, rc;

    (void)o;
    rc = pick(c, c->value, coe_values, TIO__ARRAY_LEN(coe_values), "error class",
              "none, read, write, io, verify or all", &v);
    if (rc == TIO_OK)
        c->job->continue_on_error = (unsigned)v;
    return rc;
}

static const struct enumval sync_values[] = {
    {"none", TIO_SYNC_NONE, NULL},
    {"0", TIO_SYNC_NONE, NULL},
    {"sync", TIO_SYNC_SYNC, NULL},
    {"1", TIO_SYNC_SYNC, NULL},
    {"dsync", TIO_SYNC_DSYNC, NULL},
};

static int set_sync(struct optctx *c, const struct tio__option *o)
{
    int v = 0, rc;

    (void)o;
    rc = pick(c, c->value, sync_values, TIO__ARRAY_LEN(sync_values), "sync mode", "none, sync or dsync", &v);
    if (rc == TIO_OK)
        c->job->sync = (enum tio_sync)v;
    return rc;
}

static const struct enumval kb_base_values[] = {
    {"1024", 1024, NULL},
    {"1000", 1000, NULL},
};

static int set_kb_base(struct optctx *c, const struct tio__option *o)
{
    int v = 0, rc;

    (void)o;
    rc = pick(c, c->value, kb_base_values, TIO__ARRAY_LEN(kb_base_values), "kb_base", "1024 or 1000", &v);
    if (rc == TIO_OK)
        c->job->kb_base = (unsigned)v;
    return rc;
}

static const struct enumval unit_base_values[] = {
    {"0", 0, NULL},
    {"8", 8, NULL},
    {"1", 1, "reports in bits are not implemented yet"},
};

static int set_unit_base(struct optctx *c, const struct tio__option *o)
{
    int v = 0, rc;

    (void)o;
    rc = pick(c, c->value, unit_base_values, TIO__ARRAY_LEN(unit_base_values), "unit_base",
              "0 (auto) or 8 (bytes)", &v);
    if (rc == TIO_OK)
        c->job->unit_base = (unsigned)v;
    return rc;
}

static int set_randseed(struct optctx *c, const struct tio__option *o)
{
    char why[160];
    uint64_t v = 0;
    int rc;

    (void)o;
    rc = tio_parse_uint(c->value, c->job->kb_base, 0, UINT64_MAX, &v, why, sizeof(why));
    if (rc)
        return fail(c, rc, "%s", why);
    c->job->randseed = v;
    c->job->randseed_set = true;
    return TIO_OK;
}

#define TIO__PATTERN_MAX 4096

static int set_buffer_pattern(struct optctx *c, const struct tio__option *o)
{
    const char *s = c->value;
    size_t len = strlen(s), n = 0, i;
    unsigned char *pat;

    (void)o;
    if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
        if (len == 2)
            return fail(c, TIO_EVALUE, "empty pattern (give \"text\", 0xhex or a number)");
        if (len - 2 > TIO__PATTERN_MAX)
            return fail(c, TIO_ERANGE, "pattern longer than %d bytes", TIO__PATTERN_MAX);
        pat = tio__alloc(c->a, len - 2);
        if (!pat)
            return tio__oom(c->err);
        memcpy(pat, s + 1, len - 2);
        n = len - 2;
    } else if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        size_t digits = len - 2;

        if (digits == 0 || strspn(s + 2, "0123456789abcdefABCDEF") != digits)
            return fail(c, TIO_EVALUE, "'%s' is not a hexadecimal pattern (write 0xdeadbeef)", s);
        n = (digits + 1) / 2;
        if (n > TIO__PATTERN_MAX)
            return fail(c, TIO_ERANGE, "pattern longer than %d bytes", TIO__PATTERN_MAX);
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
            return fail(c, TIO_EVALUE, "'%s' is not a pattern (use \"text\", 0xhex or a "
                        "decimal number)", s);
        rc = tio_parse_uint(s, 1024, 0, UINT64_MAX, &v, why, sizeof(why));
        if (rc)
            return fail(c, rc, "%s", why);
        pat = tio__alloc(c->a, 8);
        if (!pat)
            return tio__oom(c->err);
        /* fio stores a decimal pattern little-endian in as few bytes as it needs */
        do {
            pat[n++] = (unsigned char)(v & 0xff);
            v >>= 8;
        } while (v);
    } else {
        return fail(c, TIO_EVALUE, "'%s' is not a pattern (use \"text\", 0xhex or a decimal "
                    "number)", s);
    }
    tio__free(c->a, c->job->buffer_pattern);
    c->job->buffer_pattern = pat;
    c->job->buffer_pattern_len = n;
    return TIO_OK;
}

/* ---- the table ------------------------------------------------------------------ */

#define OFF(f) offsetof(struct tio_job, f)
#define GEN(n, al, t, f, mn, mx, ex) {n, al, t, OFF(f), mn, mx, NULL, ex, false}
#define CUS(n, al, fn, ex) {n, al, O_CUSTOM, 0, 0, 0, fn, ex, false}

/* Sorted by name for bsearch; aliases are found by a linear pass. */
static const struct tio__option options[] = {
    GEN("allow_file_create", NULL, O_BOOL, allow_file_create, 0, 1, "1"),
    GEN("allow_mounted_write", NULL, O_BOOL, allow_mounted_write, 0, 1, "1"),
    CUS("ba", "blockalign", set_ba, "4k"),
    CUS("bs", "blocksize", set_bs, "4k"),
    CUS("buffer_pattern", NULL, set_buffer_pattern, "0xdeadbeef"),
    CUS("buffered", NULL, set_buffered, "1"),
    CUS("continue_on_error", NULL, set_coe, "io"),
    GEN("create_on_open", NULL, O_BOOL, create_on_open, 0, 1, "1"),
    GEN("description", NULL, O_STR, description, 0, 0, "\"text\""),
    GEN("direct", NULL, O_BOOL, direct, 0, 1, "1"),
    CUS("directory", NULL, set_directory, "/mnt/test"),
    GEN("do_verify", NULL, O_BOOL, do_verify, 0, 1, "1"),
    GEN("end_fsync", NULL, O_BOOL, end_fsync, 0, 1, "1"),
    GEN("fdatasync", NULL, O_UINT, fdatasync, 0, UINT_MAX, "32"),
    CUS("filename", NULL, set_filename, "/dev/nvme0n1"),
    GEN("filename_format", NULL, O_STR, filename_format, 0, 0, "$jobname.$jobnum.$filenum"),
    CUS("filesize", NULL, set_filesize, "1g"),
    GEN("fsync", NULL, O_UINT, fsync, 0, UINT_MAX, "32"),
    GEN("fsync_on_close", NULL, O_BOOL, fsync_on_close, 0, 1, "1"),
    GEN("group_reporting", NULL, O_FLAG, group_reporting, 0, 1, "1"),
    GEN("gtod_reduce", NULL, O_BOOL, gtod_reduce, 0, 1, "1"),
    GEN("invalidate", NULL, O_BOOL, invalidate, 0, 1, "1"),
    GEN("io_size", "io_limit", O_AMOUNT, io_size, 0, 0, "10g"),
    GEN("iodepth", NULL, O_UINT, iodepth, 1, 65536, "32"),
    GEN("iodepth_batch", "iodepth_batch_submit", O_UINT, iodepth_batch, 0, 65536, "8"),
    GEN("iodepth_batch_complete_max", NULL, O_UINT, iodepth_batch_complete_max, 0, 65536, "8"),
    GEN("iodepth_batch_complete_min", "iodepth_batch_complete", O_UINT,
        iodepth_batch_complete_min, 0, 65536, "1"),
    GEN("iodepth_low", NULL, O_UINT, iodepth_low, 0, 65536, "16"),
    CUS("ioengine", NULL, set_ioengine, "psync"),
    {"kb_base", NULL, O_CUSTOM, 0, 0, 0, set_kb_base, "1000", true},
    GEN("loops", NULL, O_UINT, loops, 1, UINT_MAX, "2"),
    CUS("name", NULL, set_name, "job1"),
    GEN("new_group", NULL, O_FLAG, new_group, 0, 1, "1"),
    GEN("norandommap", NULL, O_FLAG, norandommap, 0, 1, "1"),
    GEN("nrfiles", "nr_files", O_UINT, nrfiles, 1, TIO_MAX_NRFILES, "4"),
    GEN("number_ios", NULL, O_U64, number_ios, 0, UINT64_MAX, "1000"),
    GEN("numjobs", NULL, O_UINT, numjobs, 1, TIO_MAX_NUMJOBS, "4"),
    GEN("offset", "fileoffset", O_AMOUNT, offset, 0, 0, "1g"),
    GEN("offset_increment", NULL, O_AMOUNT, offset_increment, 0, 0, "1g"),
    GEN("overwrite", NULL, O_BOOL, overwrite, 0, 1, "1"),
    GEN("ramp_time", NULL, O_TIME, ramp_time, 0, 0, "5s"),
    GEN("randrepeat", NULL, O_BOOL, randrepeat, 0, 1, "0"),
    CUS("randseed", NULL, set_randseed, "1234"),
    GEN("refill_buffers", NULL, O_FLAG, refill_buffers, 0, 1, "1"),
    GEN("runtime", "timeout", O_TIME, runtime, 0, 0, "60s"),
    CUS("rw", "readwrite", set_rw, "randread"),
    CUS("rwmixread", NULL, set_rwmix, "70"),
    CUS("rwmixwrite", NULL, set_rwmix, "30"),
    GEN("scramble_buffers", NULL, O_BOOL, scramble_buffers, 0, 1, "1"),
    GEN("size", NULL, O_AMOUNT, size, 0, 0, "1g"),
    CUS("startdelay", NULL, set_startdelay, "5s"),
    GEN("stonewall", "wait_for_previous", O_FLAG, stonewall, 0, 1, "1"),
    CUS("sync", NULL, set_sync, "dsync"),
    GEN("thread", NULL, O_FLAG, thread, 0, 1, "1"),
    GEN("time_based", NULL, O_FLAG, time_based, 0, 1, "1"),
    {"unit_base", NULL, O_CUSTOM, 0, 0, 0, set_unit_base, "8", true},
    GEN("unlink", NULL, O_BOOL, unlink, 0, 1, "1"),
    CUS("unlink_each_loop", NULL, set_unlink_each_loop, "0"),
    CUS("verify", NULL, set_verify, "crc32c"),
    GEN("verify_fatal", NULL, O_BOOL, verify_fatal, 0, 1, "1"),
    GEN("verify_interval", NULL, O_SIZE, verify_interval, 0, 0, "4k"),
    GEN("zero_buffers", NULL, O_FLAG, zero_buffers, 0, 1, "1"),
};

#undef OFF
#undef GEN
#undef CUS

static int cmp_option(const void *key, const void *elem)
{
    return strcmp(key, ((const struct tio__option *)elem)->name);
}

const struct tio__option *tio__option_find(const char *name)
{
    const struct tio__option *o;
    size_t i;

    o = bsearch(name, options, TIO__ARRAY_LEN(options), sizeof(options[0]), cmp_option);
    if (o)
        return o;
    for (i = 0; i < TIO__ARRAY_LEN(options); i++)
        if (options[i].alias && strcmp(options[i].alias, name) == 0)
            return &options[i];
    return NULL;
}

enum tio__argkind tio__option_argkind(const struct tio__option *opt)
{
    if (opt->type == O_FLAG)
        return TIO__ARG_NONE;
    if (opt->type == O_BOOL || opt->set == set_buffered || opt->set == set_unlink_each_loop)
        return TIO__ARG_OPTIONAL;
    return TIO__ARG_REQUIRED;
}

bool tio__option_is_early(const struct tio__option *opt)
{
    return opt->early;
}

size_t tio__option_count(void)
{
    return TIO__ARRAY_LEN(options);
}

const char *tio__option_at(size_t i, const char **alias)
{
    if (i >= TIO__ARRAY_LEN(options))
        return NULL;
    if (alias)
        *alias = options[i].alias;
    return options[i].name;
}

bool tio__option_info(size_t i, const char **name, const char **kind, const char **example)
{
    static const char *const kinds[] = {
        [O_STR] = "string", [O_BOOL] = "bool", [O_FLAG] = "flag", [O_UINT] = "uint",
        [O_U64] = "u64", [O_SIZE] = "size", [O_TIME] = "time", [O_AMOUNT] = "amount",
        [O_CUSTOM] = "custom",
    };

    if (i >= TIO__ARRAY_LEN(options))
        return false;
    *name = options[i].name;
    *kind = kinds[options[i].type];
    *example = options[i].example;
    return true;
}

bool tio_is_core_option(const char *name)
{
    return name && tio__option_find(name) != NULL;
}

bool tio_is_fio_only_option(const char *name)
{
    return name && !tio__option_find(name) && !tio__program_option(name) &&
           (tio__fio_job_option(name) || tio__fio_program_option(name));
}

const char *tio__suggest_core(const char *name)
{
    const char *cands[2 * TIO__ARRAY_LEN(options)];
    size_t i, n = 0;

    for (i = 0; i < TIO__ARRAY_LEN(options); i++) {
        cands[n++] = options[i].name;
        if (options[i].alias)
            cands[n++] = options[i].alias;
    }
    return tio__suggest(name, cands, n);
}

int tio__option_set(const struct tio__option *opt, const struct tio_allocator *a,
                    struct tio_job *job, bool is_global, const char *key, const char *value,
                    const struct tio_origin *origin, struct tio_error *err)
{
    struct optctx c = {a, job, is_global, key, value, origin, err};
    bool bare_ok = opt->type == O_BOOL || opt->type == O_FLAG || opt->set == set_buffered ||
                   opt->set == set_unlink_each_loop;

    const char *dashes = origin && origin->kind == TIO_ORIGIN_ARG ? "--" : "";

    if (!value && !bare_ok)
        return fail(&c, TIO_ENOVALUE, "needs a value (write %s%s=%s)", dashes, key, opt->example);
    if (value && !*value)
        return fail(&c, TIO_ENOVALUE, "empty value (write %s%s=%s, or remove the option)", dashes,
                    key, opt->example);
    return set_generic(&c, opt);
}
