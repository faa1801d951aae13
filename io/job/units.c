/* Sizes, times, booleans and percentages, read the way fio reads them -
 * except that input fio 3.33 silently misreads ("4q" as 4, "1.5k" as 1,
 * "16384p" as 0) is refused with a reason instead. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "job_internal.h"
#include "tio_job_units.h"

int tio__why_set(char *why, size_t whylen, int code, const char *fmt, ...)
{
    va_list ap;

    if (why && whylen) {
        va_start(ap, fmt);
        vsnprintf(why, whylen, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* Reads decimal digits; *end points past them. -1 on overflow, 0 if none. */
static int read_decimal(const char *p, const char **end, uint64_t *out)
{
    uint64_t v = 0;
    int n = 0;

    while (isdigit((unsigned char)*p)) {
        unsigned d = (unsigned)(*p - '0');

        if (v > (UINT64_MAX - d) / 10) {
            while (isdigit((unsigned char)*p))
                p++;
            *end = p;
            return -1;
        }
        v = v * 10 + d;
        p++;
        n++;
    }
    *end = p;
    *out = v;
    return n;
}

static int read_hex(const char *p, const char **end, uint64_t *out)
{
    uint64_t v = 0;
    int n = 0;

    while (isxdigit((unsigned char)*p)) {
        unsigned d = isdigit((unsigned char)*p)
                         ? (unsigned)(*p - '0')
                         : (unsigned)(tolower((unsigned char)*p) - 'a' + 10);

        if (v > (UINT64_MAX >> 4)) {
            while (isxdigit((unsigned char)*p))
                p++;
            *end = p;
            return -1;
        }
        v = (v << 4) | d;
        p++;
        n++;
    }
    *end = p;
    *out = v;
    return n;
}

static bool mul_overflows(uint64_t a, uint64_t b, uint64_t *r)
{
    if (a && b > UINT64_MAX / a)
        return true;
    *r = a * b;
    return false;
}

/* The multiplier of a size unit, or 0 if the unit is not one. */
static uint64_t size_unit(const char *u, unsigned kb_base)
{
    static const char letters[] = "kmgtp";
    const char *l;
    uint64_t base = kb_base == 1000 ? 1000 : 1024;
    uint64_t mult = 1;
    bool has_i = false, has_b = false;
    int exp, i;

    if (*u == '\0' || ((*u == 'b' || *u == 'B') && u[1] == '\0'))
        return 1;
    l = strchr(letters, tolower((unsigned char)*u));
    if (!l || *u == '\0')
        return 0;
    exp = (int)(l - letters) + 1;
    u++;
    if (*u == 'i' || *u == 'I') {
        has_i = true;
        u++;
    }
    if (*u == 'b' || *u == 'B') {
        has_b = true;
        u++;
    }
    if (*u != '\0')
        return 0;
    /* fio's compatibility rule: only the full IEC spelling flips the base */
    if (has_i && has_b)
        base = base == 1024 ? 1000 : 1024;
    for (i = 0; i < exp; i++)
        mult *= base;
    return mult;
}

int tio_parse_size(const char *s, unsigned kb_base, uint64_t *out, char *why, size_t whylen)
{
    const char *p = s, *end;
    uint64_t v, mult;
    int n;

    if (!s || !*s)
        return tio__why_set(why, whylen, TIO_EVALUE,
                            "empty value (give a size such as 4k or 1MiB)");
    if (*p == '-')
        return tio__why_set(why, whylen, TIO_EVALUE, "negative sizes are not allowed");
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        n = read_hex(p + 2, &end, &v);
        if (n < 0)
            return tio__why_set(why, whylen, TIO_ERANGE,
                                "'%s' is too large (the maximum is 2^64-1)", s);
        if (n == 0)
            return tio__why_set(why, whylen, TIO_EVALUE,
                                "'%s' has no hexadecimal digits after 0x", s);
        if (*end)
            return tio__why_set(why, whylen, TIO_EVALUE,
                                "a hexadecimal size cannot have a unit ('%s'); write it in "
                                "decimal",
                                end);
        *out = v;
        return TIO_OK;
    }
    n = read_decimal(p, &end, &v);
    if (n < 0)
        return tio__why_set(why, whylen, TIO_ERANGE,
                            "'%s' is too large (the maximum is 2^64-1)", s);
    if (n == 0)
        return tio__why_set(why, whylen, TIO_EVALUE,
                            "'%s' is not a size (give a number with an optional unit: 4k, "
                            "1MiB, 2g)",
                            s);
    if (*end == '.')
        return tio__why_set(why, whylen, TIO_EVALUE,
                            "fractional sizes are not supported (use a smaller unit: 1536k, "
                            "not "
                            "1.5m)");
    while (*end == ' ' || *end == '\t')
        end++;
    mult = size_unit(end, kb_base);
    if (mult == 0)
        return tio__why_set(why, whylen, TIO_EVALUE,
                            "unknown size suffix '%s' (use k, m, g, t, p or KiB, MiB...)", end);
    if (mul_overflows(v, mult, out))
        return tio__why_set(why, whylen, TIO_ERANGE,
                            "'%s' is too large (the maximum is 2^64-1 bytes)", s);
    return TIO_OK;
}

int tio_parse_uint(const char *s, unsigned kb_base, uint64_t min, uint64_t max, uint64_t *out,
                   char *why, size_t whylen)
{
    uint64_t v = 0;
    int rc;

    rc = tio_parse_size(s, kb_base, &v, why, whylen);
    if (rc == TIO_EVALUE && s && *s && !isdigit((unsigned char)*s) && *s != '-')
        return tio__why_set(why, whylen, TIO_EVALUE, "'%s' is not a number", s);
    if (rc == TIO_ERANGE)
        return tio__why_set(why, whylen, TIO_ERANGE, "'%s' is too large (the maximum is %llu)",
                            s, (unsigned long long)max);
    if (rc)
        return rc;
    if (v < min)
        return tio__why_set(why, whylen, TIO_ERANGE, "%llu is too small (the minimum is %llu)",
                            (unsigned long long)v, (unsigned long long)min);
    if (v > max)
        return tio__why_set(why, whylen, TIO_ERANGE, "%llu is too large (the maximum is %llu)",
                            (unsigned long long)v, (unsigned long long)max);
    *out = v;
    return TIO_OK;
}

static const struct {
    const char *unit;
    uint64_t usec;
} time_units[] = {
    {"us", 1},
    {"usec", 1},
    {"ms", 1000},
    {"msec", 1000},
    {"s", 1000000},
    {"sec", 1000000},
    {"m", 60000000},
    {"min", 60000000},
    {"h", UINT64_C(3600000000)},
    {"d", UINT64_C(86400000000)},
};

int tio_parse_time(const char *s, uint64_t default_unit, uint64_t *out_us, char *why,
                   size_t whylen)
{
    const char *end;
    uint64_t v, mult = 0;
    size_t i;
    int n;

    if (!s || !*s)
        return tio__why_set(why, whylen, TIO_EVALUE,
                            "empty value (give a time such as 30, 30s or 500ms)");
    if (*s == '-')
        return tio__why_set(why, whylen, TIO_EVALUE, "negative times are not allowed");
    n = read_decimal(s, &end, &v);
    if (n < 0)
        return tio__why_set(why, whylen, TIO_ERANGE, "'%s' is too large", s);
    if (n == 0)
        return tio__why_set(why, whylen, TIO_EVALUE,
                            "'%s' is not a time (give a number with an optional unit: 30s, "
                            "500ms, "
                            "2m)",
                            s);
    if (*end == '.')
        return tio__why_set(why, whylen, TIO_EVALUE,
                            "fractional times are not supported (use a smaller unit: 1500ms, "
                            "not "
                            "1.5s)");
    while (*end == ' ' || *end == '\t')
        end++;
    if (*end == '\0') {
        mult = default_unit;
    } else {
        for (i = 0; i < TIO__ARRAY_LEN(time_units); i++)
            if (strcasecmp(end, time_units[i].unit) == 0)
                mult = time_units[i].usec;
    }
    if (mult == 0)
        return tio__why_set(why, whylen, TIO_EVALUE,
                            "unknown time unit '%s' (use us, ms, s, m, h or d)", end);
    /* The host adds times up and counts them in nanoseconds: the cap keeps
     * ramp_time + runtime + startdelay in 64 bits there. */
    if (mul_overflows(v, mult, out_us) || *out_us > TIO_MAX_TIME_US)
        return tio__why_set(why, whylen, TIO_ERANGE,
                            "'%s' is too long (the maximum is 36500d, "
                            "about 100 years)",
                            s);
    return TIO_OK;
}

int tio_parse_bool(const char *s, bool *out, char *why, size_t whylen)
{
    static const char *const yes[] = {"1", "true", "yes", "on"};
    static const char *const no[] = {"0", "false", "no", "off"};
    size_t i;

    if (!s || !*s)
        return tio__why_set(why, whylen, TIO_EVALUE, "empty value (use 0 or 1)");
    for (i = 0; i < TIO__ARRAY_LEN(yes); i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return TIO_OK;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return TIO_OK;
        }
    }
    return tio__why_set(why, whylen, TIO_EVALUE, "'%s' is not a boolean (use 0 or 1)", s);
}

int tio_parse_percent(const char *s, unsigned *out, char *why, size_t whylen)
{
    const char *end;
    uint64_t v = 0;
    int n;

    if (!s || !*s)
        return tio__why_set(why, whylen, TIO_EVALUE,
                            "empty value (give a percentage such as 50%%)");
    n = read_decimal(s, &end, &v);
    if (n == 0 || (end[0] == '.' && isdigit((unsigned char)end[1])))
        return tio__why_set(why, whylen, TIO_EVALUE,
                            "'%s' is not a whole percentage (such as 50%%)", s);
    if (strcmp(end, "%") != 0)
        return tio__why_set(why, whylen, TIO_EVALUE, "'%s' is not a percentage (such as 50%%)",
                            s);
    /* n < 0: too many digits for 64 bits, certainly over 100 */
    if (n < 0 || v > 100)
        return tio__why_set(why, whylen, TIO_ERANGE, "'%s' is more than 100%%", s);
    *out = (unsigned)v;
    return TIO_OK;
}

/* "Nz": N zones, as fio's parser takes it (decimal digits, then z). */
static int parse_zones(const char *s, size_t len, struct tio_amount *out, char *why,
                       size_t whylen)
{
    uint64_t n = 0;
    for (size_t i = 0; i + 1 < len; i++) {
        if (s[i] < '0' || s[i] > '9' || n > UINT32_MAX)
            return tio__why_set(why, whylen, TIO_EVALUE,
                                "'%s' is not a number of zones (give decimal digits before "
                                "z, at most %u, e.g. 4z)",
                                s, (unsigned)UINT32_MAX);
        n = n * 10 + (uint64_t)(s[i] - '0');
    }
    if (len == 1 || n > UINT32_MAX)
        return tio__why_set(why, whylen, TIO_EVALUE,
                            "'%s' is not a number of zones (give decimal digits before z, at "
                            "most %u, e.g. 4z)",
                            s, (unsigned)UINT32_MAX);
    out->bytes = 0;
    out->percent = 0;
    out->zones = (uint32_t)n;
    out->set = n != 0;
    return TIO_OK;
}

int tio_parse_amount(const char *s, unsigned kb_base, struct tio_amount *out, char *why,
                     size_t whylen)
{
    size_t len = s ? strlen(s) : 0;
    unsigned pct;
    uint64_t v = 0;
    int rc;

    if (len && s[len - 1] == 'z')
        return parse_zones(s, len, out, why, whylen);
    if (len && s[len - 1] == '%') {
        rc = tio_parse_percent(s, &pct, why, whylen);
        if (rc)
            return rc;
        if (pct == 0)
            return tio__why_set(why, whylen, TIO_ERANGE,
                                "0%% is not a useful amount (give 1%% to 100%%, or leave it "
                                "out)");
        out->bytes = 0;
        out->percent = pct;
        out->zones = 0;
        out->set = true;
        return TIO_OK;
    }
    rc = tio_parse_size(s, kb_base, &v, why, whylen);
    if (rc)
        return rc;
    out->bytes = v;
    out->percent = 0;
    out->zones = 0;
    out->set = v != 0;
    return TIO_OK;
}

uint64_t tio_amount_bytes(const struct tio_amount *a, uint64_t whole)
{
    if (!a->set)
        return 0;
    if (a->percent)
        return whole / 100 * a->percent + whole % 100 * a->percent / 100;
    return a->bytes;
}
