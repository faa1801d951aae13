/* fio's per-direction values, "read,write,trim" (bs, rate, max_latency,
 * cmdprio_percentage, ...): the comma splitting and the rule for the
 * directions a value leaves out, shared by the families' setters. */
#include <assert.h>
#include <string.h>

#include "job_internal.h"
#include "options/option.h"

/* The largest element a per-direction option stores (uint64_t). */
#define ELEM_MAX 8

/* Copies directions from parsed parts into out by f's rule: one part
 * serves every direction; else each its own part, and (fio's rule) the
 * last part, when given, the directions after it. */
static void fill(const struct tio__ddir_form *f, void *out, const unsigned char *vals,
                 unsigned given, int n)
{
    unsigned char *o = out;
    for (unsigned d = 0; d < f->ndirs; d++) {
        int from = n == 1 ? 0 : (int)d < n ? (int)d : n - 1;
        if (f->own_only)
            from = n == 1 ? 0 : (int)d; /* not given: 0, as vals holds */
        else if (!(given & 1u << from))
            continue;
        memcpy(o + d * f->size, vals + (size_t)from * f->size, f->size);
    }
}

int tio__opt_per_ddir(struct tio__optctx *c, const char *text, tio__ddir_parse parse, void *out,
                      const struct tio__ddir_form *f, unsigned *given_out)
{
    unsigned char vals[TIO_JOB_DDIR_COUNT * ELEM_MAX] = {0};
    unsigned given = 0;
    const char *p = text;
    char part[64];
    int n = 0;

    assert(f->size <= ELEM_MAX && f->ndirs <= TIO_JOB_DDIR_COUNT);
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (n == (int)f->ndirs) {
            if (f->ignore_extra)
                break;
            return tio__opt_fail(c, TIO_EVALUE,
                                 "too many values (give at most three: read,write,trim)");
        }
        if (len >= sizeof(part))
            return tio__opt_fail(c, TIO_EVALUE, "'%.20s...' is not a %s", p, f->what);
        memcpy(part, p, len);
        part[len] = '\0';
        if (len || !f->empty_skips) {
            int rc = parse(c, part, f, vals + (size_t)n * f->size);
            if (rc)
                return rc;
            given |= 1u << n;
        }
        n++;
        if (!comma)
            break;
        p = comma + 1;
    }
    fill(f, out, vals, given, n);
    if (given_out)
        *given_out = given;
    return TIO_OK;
}
