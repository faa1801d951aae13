/* Steady-state detection (fio's ss=, ss_dur=): the last ss_dur one-second
 * samples of a job's (or a reporting group's) IOPS and bandwidth, the
 * criterion computed from them, and the JSON "steadystate" section.
 *
 * Pure data and arithmetic: the sampler (io/core/steadystate.c) feeds it
 * once a second and ends the jobs when tio_ss_add says the criterion holds. */
#ifndef TIO_SS_H
#define TIO_SS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tio_ss {
    unsigned mode; /* TIO_SS_* (tio_job.h) */
    double limit;
    unsigned dur;     /* samples (seconds) in the window */
    uint64_t *iops;   /* ring of dur samples, IOs per second */
    uint64_t *bw;     /* ring of dur samples, bytes per second */
    unsigned n;       /* samples held, <= dur */
    unsigned head;    /* index of the oldest sample */
    double criterion; /* last value computed; 0 before the window is full */
    double slope;
    double deviation;
    bool attained;
};

/* NULL when out of memory or dur is 0. */
struct tio_ss *tio_ss_new(unsigned mode, double limit, unsigned dur);
struct tio_ss *tio_ss_dup(const struct tio_ss *s);
void tio_ss_free(struct tio_ss *s);

/* Adds one second's sample. Once dur samples are held, computes the
 * criterion over them and returns true when it is below the limit (the
 * state is then attained). */
bool tio_ss_add(struct tio_ss *s, uint64_t iops, uint64_t bw);

/* fio's "iops_mean" / "bw_mean": the sum over the window divided by dur
 * (samples not yet taken count as 0). */
uint64_t tio_ss_mean(const struct tio_ss *s, bool iops);

/* "iops_slope:0.100000%", as fio's JSON "ss" key. */
void tio_ss_describe(const struct tio_ss *s, char *buf, size_t size);

/* fio's JSON "steadystate" object; NULL when out of memory. */
typedef struct json_t json_t;
json_t *tio_ss_json(const struct tio_ss *s);

#ifdef __cplusplus
}
#endif

#endif /* TIO_SS_H */
