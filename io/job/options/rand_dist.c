/* random_distribution's value, as fio 3.33 parses it:
 *   random
 *   zipf[:THETA[:CENTER]]    THETA != 1, default 1.1
 *   pareto[:H[:CENTER]]      0 < H < 1, default 0.2
 *   normal[:DEV[:CENTER]]    0 <= DEV < 100 (percent), default 0
 *   zoned:ACC/SIZE%:...      access and size percentages, per direction
 *   zoned_abs:ACC/SIZE:...   access percentage and absolute size
 * CENTER in [0, 1] places the distribution's peak; zones take fio's
 * read,write,trim form (one set for all, or two: trims take the writes'). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "option.h"

/* A whole-text decimal number (fio's str_to_float). */
static bool one_float(const char *s, size_t len, double *out)
{
    char buf[64], *end;
    if (!len || len >= sizeof(buf))
        return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    *out = strtod(buf, &end);
    return *end == '\0' && errno == 0 && isfinite(*out);
}

/* ":VALUE[:CENTER]" after a model's name, checked as fio checks it. */
int tio__dist_args(struct tio__optctx *c, const char *model, const char *args, double *value,
                   double *centerp)
{
    double val = strcmp(model, "zipf") == 0 ? 1.1 : strcmp(model, "pareto") == 0 ? 0.2 : 0.0;
    double center = -1;
    if (args) {
        const char *colon = strchr(args, ':');
        size_t vlen = colon ? (size_t)(colon - args) : strlen(args);
        if (!one_float(args, vlen, &val) ||
            (colon && !one_float(colon + 1, strlen(colon + 1), &center)))
            return tio__opt_fail(c, TIO_EVALUE,
                                 "'%s' after '%s:' is not VALUE[:CENTER] (write e.g. %s:%s, "
                                 "or %s:%s:0.25 to center it at a quarter of the file)",
                                 args, model, model,
                                 model[0] == 'z'   ? "1.2"
                                 : model[0] == 'p' ? "0.3"
                                                   : "10",
                                 model,
                                 model[0] == 'z'   ? "1.2"
                                 : model[0] == 'p' ? "0.3"
                                                   : "10");
        if (colon && (center < 0 || center > 1))
            return tio__opt_fail(c, TIO_ERANGE,
                                 "the center %g is out of range (give a fraction of the file "
                                 "from 0 to 1)",
                                 center);
    }
    if (model[0] == 'z' && val == 1.0)
        return tio__opt_fail(c, TIO_ERANGE, "zipf's theta must not be 1 (try 1.2 or 0.9)");
    if (model[0] == 'p' && (val <= 0 || val >= 1))
        return tio__opt_fail(c, TIO_ERANGE,
                             "pareto's power %g is out of range (give a number between 0 and "
                             "1, both excluded)",
                             val);
    if (model[0] == 'n' && (val < 0 || val >= 100))
        return tio__opt_fail(c, TIO_ERANGE,
                             "normal's deviation %g is out of range (give a percentage from 0 "
                             "up to, not including, 100)",
                             val);
    *value = val;
    *centerp = center;
    return TIO_OK;
}

/* A whole number 0..100 of the text s[0..len). */
static bool one_perc(const char *s, size_t len, unsigned *out)
{
    unsigned v = 0;
    if (!len || len > 3)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return v <= 100;
}

/* One zone "ACC[/SIZE]" into z; for zoned, a missing or 0 size is
 * marked 255 (fio's "missing"), sizes above 100 count as 100. */
static int one_zone(struct tio__optctx *c, const char *s, size_t len, bool abs,
                    struct tio_zone_split *z)
{
    const char *slash = memchr(s, '/', len);
    size_t alen = slash ? (size_t)(slash - s) : len;
    unsigned acc;
    if (!one_perc(s, alen, &acc))
        return tio__opt_fail(c, TIO_EVALUE,
                             "'%.*s' in zone '%.*s' is not an access percentage (give a whole "
                             "number from 0 to 100)",
                             (int)alen, s, (int)len, s);
    z->access_perc = (uint8_t)acc;
    z->size_perc = abs ? 0 : 255;
    z->size = 0;
    if (!slash)
        return TIO_OK;
    char part[64], why[160];
    size_t slen = len - alen - 1;
    if (slen >= sizeof(part))
        return tio__opt_fail(c, TIO_EVALUE, "zone '%.20s...' is too long", s);
    memcpy(part, slash + 1, slen);
    part[slen] = '\0';
    if (abs) {
        int rc = tio_parse_size(part, c->job->reporting.kb_base, &z->size, why, sizeof(why));
        return rc ? tio__opt_fail(c, rc, "zone '%.*s': %s", (int)len, s, why) : TIO_OK;
    }
    unsigned perc = 0;
    if (!one_perc(part, slen, &perc) && !(slen <= 20 && strspn(part, "0123456789") == slen))
        return tio__opt_fail(c, TIO_EVALUE,
                             "'%s' in zone '%.*s' is not a size percentage (give a whole "
                             "number from 0 to 100)",
                             part, (int)len, s);
    perc = slen > 3 || perc > 100 ? 100 : perc;
    z->size_perc = perc ? (uint8_t)perc : 255;
    return TIO_OK;
}

/* One direction's zones "ACC/SIZE:ACC/SIZE:...", checked and completed
 * as fio's zone_split_ddir: access percentages add up to exactly 100,
 * sizes to at most 100, missing sizes share what is left. */
static int zones_dir(struct tio__optctx *c, int d, const char *s, size_t len, bool abs)
{
    struct tio_job_pattern *p = &c->job->pattern;
    struct tio_zone_split *zs = p->zone_split[d];
    unsigned n = 0, perc = 0, sperc = 0, missing = 0;
    while (len) {
        const char *colon = memchr(s, ':', len);
        size_t l = colon ? (size_t)(colon - s) : len;
        if (!l)
            break; /* fio stops at an empty entry */
        if (n == TIO_ZONESPLIT_MAX)
            return tio__opt_fail(c, TIO_EVALUE, "more than %d zones in one direction",
                                 TIO_ZONESPLIT_MAX);
        int rc = one_zone(c, s, l, abs, &zs[n]);
        if (rc)
            return rc;
        perc += zs[n].access_perc;
        if (!abs && zs[n].size_perc == 255)
            missing++;
        else if (!abs)
            sperc += zs[n].size_perc;
        n++;
        len -= colon ? l + 1 : l;
        s += colon ? l + 1 : l;
    }
    p->zone_split_nr[d] = n;
    if (!n)
        return TIO_OK;
    if (perc > 100 || sperc > 100)
        return tio__opt_fail(c, TIO_ERANGE,
                             "the zones' %s percentages add up to %u, more than 100",
                             perc > 100 ? "access" : "size", perc > 100 ? perc : sperc);
    if (perc < 100)
        return tio__opt_fail(c, TIO_ERANGE,
                             "the zones' access percentages add up to %u (they must add up "
                             "to 100)",
                             perc);
    if (missing == 1 && n == 1)
        sperc = 100; /* as fio: a lone zone without a size gets 0% */
    for (unsigned i = 0; missing && i < n; i++)
        if (zs[i].size_perc == 255)
            zs[i].size_perc = (uint8_t)((100 - sperc) / missing);
    return TIO_OK;
}

/* fio's read,write,trim split: one part for all, two (trims take the
 * writes'), or three. */
static int zones(struct tio__optctx *c, const char *v, bool abs)
{
    const char *c1 = strchr(v, ','), *c2 = c1 ? strchr(c1 + 1, ',') : NULL;
    int rc;
    if (c2 && strchr(c2 + 1, ','))
        return tio__opt_fail(c, TIO_EVALUE,
                             "too many zone sets (give at most three: read,write,trim)");
    if (!c1) {
        for (int d = 0; d < TIO_JOB_DDIR_COUNT; d++)
            if ((rc = zones_dir(c, d, v, strlen(v), abs)))
                return rc;
        return TIO_OK;
    }
    const char *w = c1 + 1, *t = c2 ? c2 + 1 : w;
    size_t wl = c2 ? (size_t)(c2 - w) : strlen(w);
    if ((rc = zones_dir(c, 0, v, (size_t)(c1 - v), abs)) || (rc = zones_dir(c, 1, w, wl, abs)))
        return rc;
    return zones_dir(c, 2, t, c2 ? strlen(t) : wl, abs);
}

static const struct tio__enumval dist_values[] = {
    {"random", TIO_DIST_RANDOM, NULL}, {"zipf", TIO_DIST_ZIPF, NULL},
    {"pareto", TIO_DIST_PARETO, NULL}, {"normal", TIO_DIST_NORMAL, NULL},
    {"zoned", TIO_DIST_ZONED, NULL},   {"zoned_abs", TIO_DIST_ZONED_ABS, NULL},
};

int tio__set_random_distribution(struct tio__optctx *c, const struct tio__option *o)
{
    struct tio_job_pattern *p = &c->job->pattern;
    const char *colon = strchr(c->value, ':');
    char word[16];
    int v = 0, rc;

    (void)o;
    snprintf(word, sizeof(word), "%.*s", colon ? (int)(colon - c->value) : 15, c->value);
    rc = tio__opt_pick(c, word, dist_values, TIO__ARRAY_LEN(dist_values), "random distribution",
                       "random, zipf, pareto, normal, zoned or zoned_abs", &v);
    if (rc)
        return rc;
    memset(p->zone_split_nr, 0, sizeof(p->zone_split_nr));
    p->dist_center = -1;
    p->dist_value = 0;
    if (v == TIO_DIST_ZONED || v == TIO_DIST_ZONED_ABS) {
        if (!colon)
            return tio__opt_fail(c, TIO_EVALUE,
                                 "%s needs its zones (write e.g. %s:60/10:30/20:10/70)", word,
                                 word);
        rc = zones(c, colon + 1, v == TIO_DIST_ZONED_ABS);
    } else if (v != TIO_DIST_RANDOM) {
        rc = tio__dist_args(c, word, colon ? colon + 1 : NULL, &p->dist_value, &p->dist_center);
    } else if (colon) {
        rc = tio__opt_fail(c, TIO_EVALUE, "random takes no value after ':'");
    }
    if (rc) {
        memset(p->zone_split_nr, 0, sizeof(p->zone_split_nr));
        return rc;
    }
    p->random_distribution = (enum tio_rand_dist)v;
    return TIO_OK;
}

/* Lines only for a distribution other than the default. */
void tio__dump_random_distribution(struct tio__dump *d, const struct tio__option *o,
                                   const struct tio_job *j)
{
    static const char *const dirs[] = {"read", "write", "trim"};
    const struct tio_job_pattern *p = &j->pattern;
    if (p->random_distribution == TIO_DIST_RANDOM)
        return;
    tio__dump_str(d, o->name, dist_values[p->random_distribution].name);
    if (p->random_distribution < TIO_DIST_ZONED) {
        tio__dump_printf(d, "random_distribution.value=%.15g", p->dist_value);
        tio__dump_printf(d, "random_distribution.center=%.15g", p->dist_center);
        return;
    }
    for (int k = 0; k < TIO_JOB_DDIR_COUNT; k++)
        for (unsigned i = 0; i < p->zone_split_nr[k]; i++) {
            const struct tio_zone_split *z = &p->zone_split[k][i];
            tio__dump_printf(d, "random_distribution.%s.%u=%u/%llu%s", dirs[k], i,
                             z->access_perc,
                             (unsigned long long)(p->random_distribution == TIO_DIST_ZONED
                                                      ? z->size_perc
                                                      : z->size),
                             p->random_distribution == TIO_DIST_ZONED ? "%" : "");
        }
}
