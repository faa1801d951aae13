#include "tio_prio_stats.h"

#include <errno.h>
#include <stdlib.h>

int tio_prio_stats_index(struct tio_prio_stats *s, uint32_t ioprio)
{
    for (unsigned i = 0; i < s->n; i++)
        if (s->e[i].ioprio == ioprio)
            return (int)i;
    struct tio_prio_hist *e = realloc(s->e, (s->n + 1) * sizeof(*e));
    if (!e)
        return -1;
    s->e = e;
    e[s->n].ioprio = ioprio;
    tio_hist_init(&e[s->n].h);
    return (int)s->n++;
}

void tio_prio_stats_reset(struct tio_prio_stats *s)
{
    for (unsigned i = 0; i < s->n; i++)
        tio_hist_init(&s->e[i].h);
}

int tio_prio_stats_merge(struct tio_prio_stats *dst, const struct tio_prio_stats *src)
{
    for (unsigned i = 0; i < src->n; i++) {
        int k = tio_prio_stats_index(dst, src->e[i].ioprio);
        if (k < 0)
            return -ENOMEM;
        tio_hist_merge(&dst->e[k].h, &src->e[i].h);
    }
    return 0;
}

void tio_prio_stats_free(struct tio_prio_stats *s)
{
    free(s->e);
    s->e = NULL;
    s->n = 0;
}

unsigned tio_prio_stats_with_samples(const struct tio_prio_stats *s)
{
    unsigned k = 0;
    for (unsigned i = 0; i < s->n; i++)
        k += tio_hist_count(&s->e[i].h) > 0;
    return k;
}
