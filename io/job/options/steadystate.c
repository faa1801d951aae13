/* Steady state: fio's ss= (what is measured and the limit), ss_dur= (the
 * window the criterion is computed over) and ss_ramp= (time before samples
 * count). What they do is io/core/steadystate.c's. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "option.h"
#include "tio_job_units.h"

#define OFF(f) TIO__OFF(steadystate, f)

static const struct tio__enumval measures[] = {
    {"iops", TIO_SS_IOPS, NULL},
    {"iops_slope", TIO_SS_IOPS | TIO_SS_SLOPE, NULL},
    {"bw", 0, NULL},
    {"bw_slope", TIO_SS_SLOPE, NULL},
};

static int parse_limit(struct tio__optctx *c, const char *s, int mode, double *out)
{
    char *end;
    const char *pct = strchr(s, '%');
    if (pct || (mode & TIO_SS_IOPS)) {
        errno = 0;
        double v = strtod(s, &end);
        while (*end == ' ' || *end == '\t')
            end++;
        if (end == s || errno || !isfinite(v) || v < 0 || (pct ? end != pct || pct[1] : *end))
            return tio__opt_fail(c, TIO_EVALUE,
                                 "the steady-state limit '%s' is not a %s "
                                 "(write ss=iops:10, ss=iops_slope:0.1%% or ss=bw:10M)",
                                 s, pct ? "number of percent" : "number of IOPS");
        *out = v;
        return TIO_OK;
    }
    char why[160];
    uint64_t v;
    int rc = tio_parse_size(s, c->job->reporting.kb_base, &v, why, sizeof(why));
    if (rc)
        return tio__opt_fail(c, rc,
                             "the steady-state bandwidth limit: %s (write ss=bw:10M "
                             "or ss=bw:5%%)",
                             why);
    *out = (double)v;
    return TIO_OK;
}

/* "iops_slope:0.1%": the measure, then the limit fio requires after it. */
static int set_steadystate(struct tio__optctx *c, const struct tio__option *o)
{
    char word[16];
    (void)o;
    const char *colon = strchr(c->value, ':');
    size_t len = colon ? (size_t)(colon - c->value) : strlen(c->value);
    if (len >= sizeof(word))
        len = sizeof(word) - 1;
    memcpy(word, c->value, len);
    word[len] = '\0';
    int mode,
        rc = tio__opt_pick(c, word, measures, sizeof(measures) / sizeof(measures[0]),
                           "steady-state measure", "iops, iops_slope, bw, bw_slope", &mode);
    if (rc)
        return rc;
    if (!colon || !colon[1])
        return tio__opt_fail(c, TIO_EVALUE,
                             "ss=%s needs a limit after the measure "
                             "(write ss=%s:0.1%%)",
                             word, word);
    double limit = 0;
    rc = parse_limit(c, colon + 1, mode, &limit);
    if (rc)
        return rc;
    c->job->steadystate.mode = (unsigned)mode | (strchr(colon, '%') ? TIO_SS_PCT : 0);
    c->job->steadystate.limit = limit;
    return TIO_OK;
}

static void dump_steadystate(struct tio__dump *d, const struct tio__option *o,
                             const struct tio_job *j)
{
    unsigned m = j->steadystate.mode;
    tio__dump_printf(d, "%s=%s%s:%f%s", o->name, m & TIO_SS_IOPS ? "iops" : "bw",
                     m & TIO_SS_SLOPE ? "_slope" : "", j->steadystate.limit,
                     m & TIO_SS_PCT ? "%" : "");
}

static const struct tio__option rows[] = {
    {.name = "steadystate",
     .alias = "ss",
     .type = O_CUSTOM,
     .set = set_steadystate,
     .dump = dump_steadystate,
     .example = "iops_slope:0.1%",
     .def = "iops_slope:0.01%",
     .values = "iops, iops_slope, bw or bw_slope, ':' and a limit (N or N%)",
     .help = "End the job once this measure is steady within the limit"},
    {.name = "steadystate_duration",
     .alias = "ss_dur",
     .type = O_TIME,
     .off = OFF(dur),
     .example = "30s",
     .def_text = "0 (no steady-state detection)",
     .help = "Seconds of samples the steady-state criterion is computed over"},
    {.name = "steadystate_ramp_time",
     .alias = "ss_ramp",
     .type = O_TIME,
     .off = OFF(ramp),
     .example = "10s",
     .help = "Time before steady-state samples are collected"},
};

TIO__FAMILY(tio__family_steadystate, "steadystate", "Steady state", rows);
