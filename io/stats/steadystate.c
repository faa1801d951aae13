/* Steady-state detection: the window of samples and fio 3.33's criteria.
 * The slope is that of the least-squares line through the window's samples
 * taken as equally spaced (x = 0 .. dur-1, oldest first), as fio assumes;
 * the deviation is the largest distance of a sample from the mean. */
#include "tio_ss.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tio_job.h"

struct tio_ss *tio_ss_new(unsigned mode, double limit, unsigned dur)
{
    if (!dur)
        return NULL;
    struct tio_ss *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->iops = calloc(dur, sizeof(*s->iops));
    s->bw = calloc(dur, sizeof(*s->bw));
    if (!s->iops || !s->bw) {
        tio_ss_free(s);
        return NULL;
    }
    s->mode = mode;
    s->limit = limit;
    s->dur = dur;
    return s;
}

struct tio_ss *tio_ss_dup(const struct tio_ss *s)
{
    struct tio_ss *d = tio_ss_new(s->mode, s->limit, s->dur);
    if (!d)
        return NULL;
    uint64_t *iops = d->iops, *bw = d->bw;
    *d = *s;
    d->iops = iops;
    d->bw = bw;
    memcpy(d->iops, s->iops, s->dur * sizeof(*s->iops));
    memcpy(d->bw, s->bw, s->dur * sizeof(*s->bw));
    return d;
}

void tio_ss_free(struct tio_ss *s)
{
    if (!s)
        return;
    free(s->iops);
    free(s->bw);
    free(s);
}

static uint64_t sample(const struct tio_ss *s, unsigned i)
{
    unsigned k = (s->head + i) % s->dur;
    return s->mode & TIO_SS_IOPS ? s->iops[k] : s->bw[k];
}

/* fio's closed form with sum_x = d(d-1)/2 and sum_x^2 = (d-1)d(2d-1)/6. */
static double window_slope(const struct tio_ss *s, double sum_y)
{
    double d = s->dur, sum_x = d * (d - 1) / 2, sum_x_sq = (d - 1) * d * (2 * d - 1) / 6;
    double sum_xy = 0;
    for (unsigned i = 0; i < s->dur; i++)
        sum_xy += (double)i * (double)sample(s, i);
    return (sum_xy - sum_x * sum_y / d) / (sum_x_sq - sum_x * sum_x / d);
}

static double window_deviation(const struct tio_ss *s, double mean)
{
    double dev = 0;
    for (unsigned i = 0; i < s->dur; i++)
        dev = fmax(dev, fabs((double)sample(s, i) - mean));
    return dev;
}

bool tio_ss_add(struct tio_ss *s, uint64_t iops, uint64_t bw)
{
    unsigned tail = (s->head + s->n) % s->dur;
    if (s->n == s->dur)
        s->head = (s->head + 1) % s->dur; /* the oldest sample makes room */
    else
        s->n++;
    s->iops[tail] = iops;
    s->bw[tail] = bw;
    if (s->n < s->dur)
        return false;

    double sum_y = 0;
    for (unsigned i = 0; i < s->dur; i++)
        sum_y += (double)sample(s, i);
    double mean = sum_y / s->dur, measure;
    /* One sample has no slope, and a window without IO no relative size:
     * fio's arithmetic gives NaN there, which never meets the limit. */
    if ((s->mode & TIO_SS_SLOPE && s->dur < 2) || (s->mode & TIO_SS_PCT && mean == 0)) {
        s->criterion = 0;
        return false;
    }
    if (s->mode & TIO_SS_SLOPE) {
        s->slope = window_slope(s, sum_y);
        measure = s->slope;
    } else {
        s->deviation = window_deviation(s, mean);
        measure = s->deviation;
    }
    s->criterion = s->mode & TIO_SS_PCT ? 100.0 * measure / mean : measure;
    /* A falling rate is as unsteady as a rising one. */
    if (fabs(s->criterion) < s->limit)
        s->attained = true;
    return s->attained;
}

uint64_t tio_ss_mean(const struct tio_ss *s, bool iops)
{
    uint64_t sum = 0;
    for (unsigned i = 0; i < s->dur; i++)
        sum += iops ? s->iops[i] : s->bw[i];
    return sum / s->dur;
}

void tio_ss_describe(const struct tio_ss *s, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s:%f%s", s->mode & TIO_SS_IOPS ? "iops" : "bw",
             s->mode & TIO_SS_SLOPE ? "_slope" : "", s->limit, s->mode & TIO_SS_PCT ? "%" : "");
}

static bool set(json_t *o, const char *key, json_t *v)
{
    return v && json_object_set_new(o, key, v) == 0;
}

/* fio prints reals with six decimals. */
static json_t *real6(double v)
{
    return json_real(isfinite(v) ? round(v * 1e6) / 1e6 : 0.0);
}

static json_t *samples(const struct tio_ss *s, const uint64_t *ring)
{
    json_t *a = json_array();
    /* oldest first; before the window is full the ring starts at 0 */
    for (unsigned i = 0; a && i < s->dur; i++)
        if (json_array_append_new(a, json_integer((json_int_t)ring[(s->head + i) % s->dur])))
            return json_decref(a), NULL;
    return a;
}

json_t *tio_ss_json(const struct tio_ss *s)
{
    char buf[64];
    json_t *o = json_object(), *data = json_object();
    bool ok = o && data;
    tio_ss_describe(s, buf, sizeof(buf));
    ok = ok && set(o, "ss", json_string(buf));
    ok = ok && set(o, "duration", json_integer(s->dur));
    ok = ok && set(o, "attained", json_integer(s->attained));
    snprintf(buf, sizeof(buf), "%f%s", s->criterion, s->mode & TIO_SS_PCT ? "%" : "");
    ok = ok && set(o, "criterion", json_string(buf));
    ok = ok && set(o, "max_deviation", real6(s->deviation));
    ok = ok && set(o, "slope", real6(s->slope));
    ok = ok && set(data, "bw", samples(s, s->bw));
    ok = ok && set(data, "iops", samples(s, s->iops));
    ok = ok && set(data, "bw_mean", json_integer((json_int_t)tio_ss_mean(s, false)));
    ok = ok && set(data, "iops_mean", json_integer((json_int_t)tio_ss_mean(s, true)));
    if (ok && set(o, "data", data))
        return o;
    if (!ok)
        json_decref(data);
    json_decref(o);
    return NULL;
}
