/* Semantic versions (semver.org precedence) and the range syntax used in
 * descriptors' requires: npm-style comparators, caret, tilde, wildcards and
 * "||" alternatives. */
#include "internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Parses a number at *s; returns false if there is none or it overflows. */
static bool parse_number(const char **s, uint64_t *out)
{
    const char *p = *s;
    if (!isdigit((unsigned char)*p))
        return false;
    uint64_t v = 0;
    for (; isdigit((unsigned char)*p); p++) {
        uint64_t d = (uint64_t)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *s = p;
    *out = v;
    return true;
}

/* A partial version: parts that are absent or wildcards are "unset", so
 * "1.2" and "1.2.x" can mean a range of versions. */
typedef struct partial {
    uint64_t part[3];
    int given;     /* how many leading parts are numbers (0..3) */
    bool wildcard; /* a part was "x", "X" or "*" */
    char prerelease[32];
} partial;

static bool is_wild(char c)
{
    return c == 'x' || c == 'X' || c == '*';
}

/* Parses a partial version at *s up to a space, '|' or end. */
static bool parse_partial(const char **s, partial *out)
{
    const char *p = *s;
    memset(out, 0, sizeof(*out));
    if (*p == 'v' || *p == 'V')
        p++;
    bool wild = false;
    for (int i = 0; i < 3; i++) {
        if (i > 0) {
            if (*p != '.')
                break;
            p++;
        }
        if (is_wild(*p)) {
            p++;
            wild = true;
            out->wildcard = true;
            continue;
        }
        if (wild)
            return false; /* "1.x.3" */
        if (!parse_number(&p, &out->part[i]))
            return false;
        out->given = i + 1;
    }
    if (*p == '-') {
        p++;
        size_t n = 0;
        while (*p && (isalnum((unsigned char)*p) || *p == '.' || *p == '-')) {
            if (n + 1 >= sizeof(out->prerelease))
                return false;
            out->prerelease[n++] = *p++;
        }
        if (!n || out->given < 3)
            return false;
        out->prerelease[n] = '\0';
    }
    if (*p == '+') { /* build metadata does not affect precedence */
        p++;
        if (!*p)
            return false;
        while (*p && (isalnum((unsigned char)*p) || *p == '.' || *p == '-'))
            p++;
    }
    if (*p && *p != ' ' && *p != '|' && *p != '\t')
        return false;
    *s = p;
    return true;
}

int tenon_semver_parse(const char *text, tenon_semver *out)
{
    TENON__CHECK_ARG(text, TENON_STAGE_NONE, "text is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(out, TENON_STAGE_NONE, "out is NULL", TENON_EINVAL);
    const char *p = text;
    partial v;
    /* Wildcards belong to ranges: "1.x" is not a version. */
    if (!parse_partial(&p, &v) || *p || v.given == 0 || v.wildcard)
        return TENON_EINVAL;
    out->major = v.part[0];
    out->minor = v.part[1];
    out->patch = v.part[2];
    memcpy(out->prerelease, v.prerelease, sizeof(out->prerelease));
    return 0;
}

/* Prerelease precedence: dot-separated identifiers, numeric ones compare
 * numerically and sort before alphanumeric ones; a release sorts after any
 * prerelease of the same version. */
static int compare_prerelease(const char *a, const char *b)
{
    if (!*a || !*b)
        return (*a == '\0') - (*b == '\0');
    while (*a && *b) {
        size_t la = strcspn(a, "."), lb = strcspn(b, ".");
        bool na = la && strspn(a, "0123456789") >= la;
        bool nb = lb && strspn(b, "0123456789") >= lb;
        int c;
        if (na && nb) {
            c = la != lb ? (la < lb ? -1 : 1) : strncmp(a, b, la);
        } else if (na != nb) {
            c = na ? -1 : 1;
        } else {
            c = strncmp(a, b, la < lb ? la : lb);
            if (!c && la != lb)
                c = la < lb ? -1 : 1;
        }
        if (c)
            return c < 0 ? -1 : 1;
        a += la + (a[la] == '.');
        b += lb + (b[lb] == '.');
    }
    return (*a != '\0') - (*b != '\0');
}

int tenon_semver_compare(const tenon_semver *a, const tenon_semver *b)
{
    TENON__CHECK_ARG(a, TENON_STAGE_NONE, "a is NULL", 0);
    TENON__CHECK_ARG(b, TENON_STAGE_NONE, "b is NULL", 0);
    const uint64_t pa[3] = {a->major, a->minor, a->patch};
    const uint64_t pb[3] = {b->major, b->minor, b->patch};
    for (int i = 0; i < 3; i++)
        if (pa[i] != pb[i])
            return pa[i] < pb[i] ? -1 : 1;
    return compare_prerelease(a->prerelease, b->prerelease);
}

static tenon_semver from_partial(const partial *p)
{
    tenon_semver v = {p->part[0], p->part[1], p->part[2], ""};
    memcpy(v.prerelease, p->prerelease, sizeof(v.prerelease));
    return v;
}

/* The lowest version above every version that matches partial p, e.g.
 * "1.2" -> 1.3.0, "1" -> 2.0.0. */
static tenon_semver next_after(const partial *p)
{
    tenon_semver v = {p->part[0], p->part[1], p->part[2], ""};
    if (p->given == 1) {
        v.major++;
        v.minor = v.patch = 0;
    } else if (p->given == 2) {
        v.minor++;
        v.patch = 0;
    } else {
        v.patch++;
    }
    return v;
}

typedef enum { OP_EQ, OP_LT, OP_LE, OP_GT, OP_GE, OP_CARET, OP_TILDE } op_kind;

/* Evaluates one comparator against v. */
static bool comparator_holds(op_kind op, const partial *p, const tenon_semver *v)
{
    if (p->given == 0)
        return true; /* "*" */
    tenon_semver low = from_partial(p);
    tenon_semver high;
    switch (op) {
    case OP_EQ:
        if (p->given == 3)
            return tenon_semver_compare(v, &low) == 0;
        high = next_after(p);
        return tenon_semver_compare(v, &low) >= 0 && tenon_semver_compare(v, &high) < 0;
    case OP_GE:
        return tenon_semver_compare(v, &low) >= 0;
    case OP_LT:
        return tenon_semver_compare(v, &low) < 0;
    case OP_GT:
        if (p->given == 3)
            return tenon_semver_compare(v, &low) > 0;
        high = next_after(p);
        return tenon_semver_compare(v, &high) >= 0;
    case OP_LE:
        if (p->given == 3)
            return tenon_semver_compare(v, &low) <= 0;
        high = next_after(p);
        return tenon_semver_compare(v, &high) < 0;
    case OP_TILDE: {
        partial q = *p;
        q.given = p->given >= 2 ? 2 : 1;
        high = next_after(&q);
        return tenon_semver_compare(v, &low) >= 0 && tenon_semver_compare(v, &high) < 0;
    }
    case OP_CARET: {
        /* Compatible: the leftmost non-zero part may not change. */
        partial q = *p;
        if (p->part[0] != 0 || p->given == 1)
            q.given = 1;
        else if (p->part[1] != 0 || p->given == 2)
            q.given = 2;
        else
            q.given = 3;
        high = next_after(&q);
        return tenon_semver_compare(v, &low) >= 0 && tenon_semver_compare(v, &high) < 0;
    }
    }
    return false;
}

/* Evaluates range against v (NULL: only check the syntax). Returns 1, 0, or
 * TENON_EINVAL. */
static int evaluate(const char *range, const tenon_semver *v)
{
    const char *p = range;
    bool any_alt_true = false;
    for (;;) {
        const char *alt_start = p;
        bool alt_true = true;
        int comparators = 0;
        for (;;) {
            while (*p == ' ' || *p == '\t')
                p++;
            if (!*p || *p == '|')
                break;
            op_kind op = OP_EQ;
            if (p[0] == '>' && p[1] == '=') {
                op = OP_GE;
                p += 2;
            } else if (p[0] == '<' && p[1] == '=') {
                op = OP_LE;
                p += 2;
            } else if (*p == '>') {
                op = OP_GT;
                p++;
            } else if (*p == '<') {
                op = OP_LT;
                p++;
            } else if (*p == '=') {
                p++;
            } else if (*p == '^') {
                op = OP_CARET;
                p++;
            } else if (*p == '~') {
                op = OP_TILDE;
                p++;
            }
            while (*p == ' ')
                p++;
            partial part;
            if (!parse_partial(&p, &part))
                return TENON_EINVAL;
            if (part.given == 0 && op != OP_EQ)
                return TENON_EINVAL; /* ">*" means nothing */
            comparators++;
            if (v && !comparator_holds(op, &part, v))
                alt_true = false;
        }
        /* Only a whole range may be empty ("" is "any"); an empty
         * alternative next to "||" is a typo, as "1 ||" is. */
        if (comparators == 0 && (*p || alt_start != range))
            return TENON_EINVAL;
        if (alt_true)
            any_alt_true = true;
        if (!*p)
            break;
        if (p[0] != '|' || p[1] != '|')
            return TENON_EINVAL;
        p += 2;
        while (*p == ' ')
            p++;
        if (!*p)
            return TENON_EINVAL;
    }
    return any_alt_true ? 1 : 0;
}

int tenon_semver_range_check(const char *range)
{
    TENON__CHECK_ARG(range, TENON_STAGE_NONE, "range is NULL", TENON_EINVAL);
    int rc = evaluate(range, NULL);
    return rc < 0 ? rc : 0;
}

int tenon_semver_satisfies(const char *version, const char *range)
{
    tenon_semver v;
    TENON__CHECK_ARG(version, TENON_STAGE_NONE, "version is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(range, TENON_STAGE_NONE, "range is NULL", TENON_EINVAL);
    if (tenon_semver_parse(version, &v) < 0)
        return TENON_EINVAL;
    return evaluate(range, &v);
}
