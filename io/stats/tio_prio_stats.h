/* Latency per IO priority, for jobs whose IOs carry different priorities
 * (cmdprio_percentage, cmdprio_bssplit), as fio's clat_prio stats: one
 * histogram per priority value, per direction. Which latency they hold is
 * fio's choice too: total latency under lat_percentiles=1, completion
 * latency otherwise. */
#ifndef TIO_PRIO_STATS_H
#define TIO_PRIO_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "tio_hist.h"

#ifdef __cplusplus
extern "C" {
#endif

struct tio_prio_hist {
    uint32_t ioprio; /* Linux's value: class << 13 | level */
    struct tio_hist h;
};

struct tio_prio_stats {
    unsigned n;
    struct tio_prio_hist *e;
};

/* The index of priority ioprio, added if new; -1 without memory. */
int tio_prio_stats_index(struct tio_prio_stats *s, uint32_t ioprio);
/* Forgets the samples, keeps the priorities and their indexes. */
void tio_prio_stats_reset(struct tio_prio_stats *s);
/* Adds src's samples, priority by priority. 0 or -ENOMEM. */
int tio_prio_stats_merge(struct tio_prio_stats *dst, const struct tio_prio_stats *src);
void tio_prio_stats_free(struct tio_prio_stats *s);
/* How many priorities have samples: fio shows per-priority figures only
 * when at least two have. */
unsigned tio_prio_stats_with_samples(const struct tio_prio_stats *s);

static inline void tio_prio_stats_record(struct tio_prio_stats *s, unsigned index, uint64_t ns)
{
    tio_hist_record(&s->e[index].h, ns);
}

#ifdef __cplusplus
}
#endif

#endif
