/* IO priorities: the job thread's (prio, prioclass) and, per IO, the
 * cmdprio_* options fio's libaio and io_uring engines take. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "option.h"

#define OFF(f) TIO__OFF(prio, f)

#define PRIO_LEVEL_MAX 7u /* Linux's IOPRIO_NR_LEVELS - 1 */
#define PRIO_CLASS_MAX 3u /* IOPRIO_CLASS_IDLE */

static int one_number(struct tio__optctx *c, const char *s, unsigned max, const char *what,
                      unsigned *out)
{
    char why[160];
    uint64_t v;
    if (tio_parse_uint(s, 1000, 0, max, &v, why, sizeof(why)) != 0)
        return tio__opt_fail(c, TIO_EVALUE, "'%s' is not a %s: give a number from 0 to %u", s,
                             what, max);
    *out = (unsigned)v;
    return TIO_OK;
}

static int set_prio(struct tio__optctx *c, const struct tio__option *o)
{
    (void)o;
    c->job->prio.prio_given = !c->is_default;
    return one_number(c, c->value, PRIO_LEVEL_MAX, "priority level", &c->job->prio.prio);
}

static int set_prioclass(struct tio__optctx *c, const struct tio__option *o)
{
    (void)o;
    c->job->prio.prioclass_given = !c->is_default;
    return one_number(c, c->value, PRIO_CLASS_MAX, "priority class", &c->job->prio.prioclass);
}

/* One part of "R[,W]": a number from 0 to *f->arg. */
static int one_part(struct tio__optctx *c, const char *part, const struct tio__ddir_form *f,
                    void *out)
{
    return one_number(c, part, *(const unsigned *)f->arg, f->what, out);
}

/* "R[,W]": one value serves reads and writes; a third (trims) is ignored,
 * as fio ignores it. */
static int set_rw_pair(struct tio__optctx *c, unsigned *dst, unsigned max, const char *what)
{
    const struct tio__ddir_form form = {.what = what,
                                        .size = sizeof(unsigned),
                                        .ndirs = 2,
                                        .ignore_extra = true,
                                        .arg = &max};
    return tio__opt_per_ddir(c, c->value, one_part, dst, &form, NULL);
}

static int set_percentage(struct tio__optctx *c, const struct tio__option *o)
{
    (void)o;
    return set_rw_pair(c, c->job->prio.cmdprio_percentage, 100, "percentage");
}

static int set_cmdprio_class(struct tio__optctx *c, const struct tio__option *o)
{
    (void)o;
    return set_rw_pair(c, c->job->prio.cmdprio_class, PRIO_CLASS_MAX, "priority class");
}

static int set_cmdprio(struct tio__optctx *c, const struct tio__option *o)
{
    (void)o;
    return set_rw_pair(c, c->job->prio.cmdprio, PRIO_LEVEL_MAX, "priority level");
}

/* One entry: "bs/", "bs/perc" or "bs/perc/class/level", as fio; class and
 * level above Linux's limits are clamped to them, as fio clamps them. */
static int split_entry(struct tio__optctx *c, char *text, struct tio_cmdprio_split *e)
{
    char *f[4] = {text, NULL, NULL, NULL};
    int n = 1;
    for (char *p = text; *p && n < 4; p++)
        if (*p == '/') {
            *p = '\0';
            f[n++] = p + 1;
        }
    if (n == 3 || (f[3] && strchr(f[3], '/')))
        return tio__opt_fail(c, TIO_EVALUE,
                             "'%s' is not a cmdprio_bssplit entry (write bs/percentage or "
                             "bs/percentage/class/level, e.g. 64k/25/1/0)",
                             text);
    char why[160];
    int rc = tio_parse_size(f[0], c->job->reporting.kb_base, &e->bs, why, sizeof(why));
    if (rc)
        return tio__opt_fail(c, rc, "cmdprio_bssplit block size: %s", why);
    unsigned perc = 0, cls = 0, lvl = 0;
    if (n >= 2 && *f[1] && (rc = one_number(c, f[1], UINT32_MAX, "percentage", &perc)))
        return rc;
    e->perc = perc > 100 ? 100 : perc;
    e->prio = -1;
    if (n == 4) {
        if ((rc = one_number(c, f[2], UINT32_MAX, "priority class", &cls)) ||
            (rc = one_number(c, f[3], UINT32_MAX, "priority level", &lvl)))
            return rc;
        cls = cls > PRIO_CLASS_MAX ? PRIO_CLASS_MAX : cls;
        lvl = lvl > PRIO_LEVEL_MAX ? PRIO_LEVEL_MAX : lvl;
        e->prio = (int)(cls << 13 | lvl);
    }
    return TIO_OK;
}

/* One direction's entries, ':'-separated; entries of 0% are dropped (they
 * say nothing), the rest sorted by block size, as fio keeps them. */
static int split_dir(struct tio__optctx *c, unsigned d, const char *s, size_t len)
{
    struct tio_job_prio *p = &c->job->prio;
    struct tio_cmdprio_split e[TIO_CMDPRIO_MAX];
    unsigned n = 0;
    while (len) {
        const char *colon = memchr(s, ':', len);
        size_t l = colon ? (size_t)(colon - s) : len;
        char part[96];
        if (l == 0)
            break; /* fio stops at an empty entry */
        if (n == TIO_CMDPRIO_MAX)
            return tio__opt_fail(c, TIO_EVALUE, "more than %d entries in one direction",
                                 TIO_CMDPRIO_MAX);
        if (l >= sizeof(part))
            return tio__opt_fail(c, TIO_EVALUE, "'%.20s...' is not a cmdprio_bssplit entry", s);
        memcpy(part, s, l);
        part[l] = '\0';
        int rc = split_entry(c, part, &e[n]);
        if (rc)
            return rc;
        n += e[n].perc != 0;
        len -= colon ? l + 1 : l;
        s += colon ? l + 1 : l;
    }
    for (unsigned i = 1; i < n; i++)
        for (unsigned k = i; k > 0 && e[k - 1].bs > e[k].bs; k--) {
            struct tio_cmdprio_split t = e[k];
            e[k] = e[k - 1];
            e[k - 1] = t;
        }
    /* fio refuses a block size whose percentages pass 100 */
    for (unsigned i = 0; i < n;) {
        unsigned k = i, sum = 0;
        for (; k < n && e[k].bs == e[i].bs; k++)
            sum += e[k].perc;
        if (sum > 100)
            return tio__opt_fail(c, TIO_ERANGE,
                                 "the percentages of block size %llu add up to %u (they must "
                                 "not pass 100)",
                                 (unsigned long long)e[i].bs, sum);
        i = k;
    }
    memcpy(p->bssplit[d], e, n * sizeof(e[0]));
    p->bssplit_nr[d] = n;
    return TIO_OK;
}

/* cmdprio_bssplit=SPLIT[,SPLIT[,SPLIT]]: one split serves reads and
 * writes; trims' are ignored, as fio ignores them. */
static int set_cmdprio_bssplit(struct tio__optctx *c, const struct tio__option *o)
{
    (void)o;
    struct tio_job_prio *p = &c->job->prio;
    const char *v = c->value, *c1 = strchr(v, ',');
    p->bssplit_given = *v != '\0';
    if (!c1) {
        int rc = split_dir(c, 0, v, strlen(v));
        return rc ? rc : split_dir(c, 1, v, strlen(v));
    }
    const char *w = c1 + 1, *c2 = strchr(w, ',');
    int rc = split_dir(c, 0, v, (size_t)(c1 - v));
    return rc ? rc : split_dir(c, 1, w, c2 ? (size_t)(c2 - w) : strlen(w));
}

static void dump_level(struct tio__dump *d, const struct tio__option *o,
                       const struct tio_job *j)
{
    bool given = o->off == OFF(prio) ? j->prio.prio_given : j->prio.prioclass_given;
    unsigned v = o->off == OFF(prio) ? j->prio.prio : j->prio.prioclass;
    if (given)
        tio__dump_printf(d, "%s=%u", o->name, v);
    else
        tio__dump_printf(d, "%s=(thread's own)", o->name);
}

static void dump_pair(struct tio__dump *d, const struct tio__option *o, const struct tio_job *j)
{
    const unsigned *v = (const unsigned *)(const void *)((const char *)j + o->off);
    tio__dump_printf(d, "%s=%u,%u", o->name, v[0], v[1]);
}

static void dump_cmdprio_bssplit(struct tio__dump *d, const struct tio__option *o,
                                 const struct tio_job *j)
{
    static const char *const dirs[] = {"read", "write"};
    for (int k = 0; k < 2; k++) {
        char buf[512];
        size_t at = 0;
        buf[0] = '\0';
        for (unsigned i = 0; i < j->prio.bssplit_nr[k] && at < sizeof(buf) - 1; i++) {
            const struct tio_cmdprio_split *e = &j->prio.bssplit[k][i];
            at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%s%llu/%u", i ? ":" : "",
                                   (unsigned long long)e->bs, e->perc);
            if (e->prio >= 0 && at < sizeof(buf) - 1)
                at += (size_t)snprintf(buf + at, sizeof(buf) - at, "/%d/%d", e->prio >> 13,
                                       e->prio & 7);
        }
        tio__dump_printf(d, "%s.%s=%s", o->name, dirs[k], buf);
    }
}

/* nice=: an integer -20..19, as fio's. */
static int set_nice(struct tio__optctx *c, const struct tio__option *o)
{
    char *end;
    long v;

    (void)o;
    errno = 0;
    v = strtol(c->value, &end, 10);
    if (errno || end == c->value || *end || v < -20 || v > 19)
        return tio__opt_fail(c, TIO_ERANGE,
                             "'%s' is not a nice value from -20 (favoured) to 19 (least "
                             "favoured)",
                             c->value);
    c->job->prio.nice = (int)v;
    return TIO_OK;
}

static void dump_nice(struct tio__dump *d, const struct tio__option *o, const struct tio_job *j)
{
    tio__dump_printf(d, "%s=%d", o->name, j->prio.nice);
}

static const struct tio__option rows[] = {
    {.name = "prio",
     .type = O_CUSTOM,
     .set = set_prio,
     .off = OFF(prio),
     .dump = dump_level,
     .example = "4",
     .def_text = "the thread's own",
     .values = "0 (highest) to 7",
     .help = "Set the job thread's IO priority level (ioprio_set)"},
    {.name = "prioclass",
     .type = O_CUSTOM,
     .set = set_prioclass,
     .off = OFF(prioclass),
     .dump = dump_level,
     .example = "2",
     .def_text = "the thread's own",
     .values = "0 (none), 1 (real-time), 2 (best-effort), 3 (idle)",
     .help = "Set the job thread's IO priority class (ioprio_set)"},
    {.name = "cmdprio_percentage",
     .type = O_CUSTOM,
     .set = set_percentage,
     .off = OFF(cmdprio_percentage),
     .dump = dump_pair,
     .example = "50",
     .def = "0",
     .values = "0 to 100, or read,write",
     .help = "Issue this percentage of IOs with cmdprio_class/cmdprio's priority "
             "(io_uring, libaio)"},
    {.name = "cmdprio_class",
     .type = O_CUSTOM,
     .set = set_cmdprio_class,
     .off = OFF(cmdprio_class),
     .dump = dump_pair,
     .example = "1",
     .def = "0",
     .def_text = "1 (real-time) when cmdprio_percentage or cmdprio_bssplit is set",
     .values = "0 to 3, or read,write",
     .help = "The priority class of the IOs cmdprio_percentage or cmdprio_bssplit picks"},
    {.name = "cmdprio",
     .type = O_CUSTOM,
     .set = set_cmdprio,
     .off = OFF(cmdprio),
     .dump = dump_pair,
     .example = "0",
     .def = "0",
     .values = "0 to 7, or read,write",
     .help = "The priority level of the IOs cmdprio_percentage or cmdprio_bssplit picks"},
    {.name = "cmdprio_bssplit",
     .type = O_CUSTOM,
     .set = set_cmdprio_bssplit,
     .off = OFF(bssplit),
     .dump = dump_cmdprio_bssplit,
     .example = "64k/25/1/0:1m/0",
     .values = "bs/percentage[/class/level]:..., or read,write",
     .help = "Per block size, the percentage of IOs issued with a priority "
             "(io_uring, libaio)"},
    {.name = "nice",
     .type = O_CUSTOM,
     .set = set_nice,
     .dump = dump_nice,
     .example = "10",
     .def_text = "0",
     .values = "-20 to 19",
     .help = "nice(2) the job's thread by this much before its IO"},
};

TIO__FAMILY(tio__family_prio, "prio", "IO priorities", rows);
