/* Lists of CPU and NUMA node numbers, "0,5,8-15": what fio's cpus_allowed
 * and libnuma's node lists (numa_cpu_nodes, numa_mem_policy) take. fio reads
 * each entry with atoi, so "x" is CPU 0, "3-1" is nothing, "1-2-3" is 1-3
 * and "0,,1" stops at the empty entry; here they are refused with a reason
 * instead. Whether a CPU is online or a node present is the host's check:
 * the parser looks at nothing but the text. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "job_internal.h"
#include "tio_job_units.h"

unsigned tio_idset_count(const struct tio_idset *s)
{
    unsigned n = 0;

    for (size_t i = 0; i < TIO__ARRAY_LEN(s->bits); i++)
        n += (unsigned)__builtin_popcountll(s->bits[i]);
    return n;
}

unsigned tio_idset_nth(const struct tio_idset *s, unsigned n)
{
    for (unsigned id = 0; id < TIO_IDSET_MAX; id++)
        if (tio_idset_has(s, id) && n-- == 0)
            return id;
    return TIO_IDSET_MAX;
}

static const char *skip_blanks(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* One number of an entry; *p moves past it and the blanks after it. */
static int read_id(const char **p, const char *what, unsigned *out, char *why, size_t whylen)
{
    const char *s = skip_blanks(*p);
    unsigned long v = 0;

    if (!isdigit((unsigned char)*s)) {
        int n = (int)strcspn(s, ",-");
        if (n == 0)
            return tio__why_set(why, whylen, TIO_EVALUE,
                                "a %s number is missing (write numbers and ranges joined by "
                                "commas, e.g. 0,2-3)",
                                what);
        return tio__why_set(why, whylen, TIO_EVALUE,
                            "'%.*s' is not a %s number (write numbers and ranges joined by "
                            "commas, e.g. 0,2-3)",
                            n > 32 ? 32 : n, s, what);
    }
    const char *digits = s;
    while (isdigit((unsigned char)*s) && v < TIO_IDSET_MAX)
        v = v * 10 + (unsigned long)(*s++ - '0');
    if (isdigit((unsigned char)*s) || v >= TIO_IDSET_MAX) {
        int n = (int)strspn(digits, "0123456789");
        return tio__why_set(why, whylen, TIO_ERANGE, "%s %.*s is too large (at most %u)", what,
                            n > 32 ? 32 : n, digits, TIO_IDSET_MAX - 1);
    }
    *out = (unsigned)v;
    *p = skip_blanks(s);
    return TIO_OK;
}

int tio_parse_idset(const char *s, const char *what, struct tio_idset *out, char *why,
                    size_t whylen)
{
    struct tio_idset set;
    const char *p = s;

    memset(&set, 0, sizeof(set));
    if (!*skip_blanks(p))
        return tio__why_set(why, whylen, TIO_EVALUE,
                            "the list of %ss is empty (write numbers and ranges joined by "
                            "commas, "
                            "e.g. 0,2-3)",
                            what);
    for (;;) {
        unsigned lo, hi;
        int rc = read_id(&p, what, &lo, why, whylen);

        if (rc)
            return rc;
        hi = lo;
        if (*p == '-') {
            p++;
            if ((rc = read_id(&p, what, &hi, why, whylen)))
                return rc;
            if (hi < lo)
                return tio__why_set(why, whylen, TIO_EVALUE,
                                    "the range %u-%u runs backwards (write the lower %s first: "
                                    "%u-%u)",
                                    lo, hi, what, hi, lo);
            if (*p == '-')
                return tio__why_set(why, whylen, TIO_EVALUE,
                                    "'%u-%u-' is not a range (a range is low-high, e.g. 2-3)",
                                    lo, hi);
        }
        for (unsigned id = lo; id <= hi; id++)
            tio_idset_add(&set, id);
        if (*p == '\0')
            break;
        if (*p != ',')
            return tio__why_set(why, whylen, TIO_EVALUE,
                                "unexpected '%c' after %s %u (write numbers and ranges joined "
                                "by "
                                "commas, e.g. 0,2-3)",
                                *p, what, hi);
        p++;
    }
    *out = set;
    return TIO_OK;
}

size_t tio_idset_format(const struct tio_idset *s, char *buf, size_t size)
{
    size_t at = 0;

    if (size)
        buf[0] = '\0';
    for (unsigned id = 0; id < TIO_IDSET_MAX; id++) {
        if (!tio_idset_has(s, id))
            continue;
        unsigned end = id;
        while (end + 1 < TIO_IDSET_MAX && tio_idset_has(s, end + 1))
            end++;
        char *dst = at < size ? buf + at : NULL;
        size_t room = at < size ? size - at : 0;
        int n = end == id ? snprintf(dst, room, "%s%u", at ? "," : "", id)
                          : snprintf(dst, room, "%s%u-%u", at ? "," : "", id, end);
        at += n > 0 ? (size_t)n : 0;
        id = end;
    }
    return at;
}
