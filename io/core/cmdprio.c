/* Per-IO priorities: the job thread's own (prio, prioclass: ioprio_set, as
 * fio sets it before the engine starts) and, for engines that issue each
 * IO at a priority of its own, fio's cmdprio_percentage, cmdprio_class,
 * cmdprio and cmdprio_bssplit: a share of the reads and writes, per block
 * size with cmdprio_bssplit, goes out at another priority, and each
 * priority's latency is kept apart (io/stats/prio_stats.c).
 *
 * As fio: the thread's priority is index 0 of each direction's table; a
 * draw in [0, 99] from fio's prio stream decides each IO; the class
 * defaults to real-time when the job names none. */
#include "worker.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define IOPRIO_CLASS_SHIFT 13
#define IOPRIO_CLASS_RT 1
#define IOPRIO_CLASS_BE 2
#define IOPRIO_WHO_PROCESS 1

/* Linux's value of a class and level; class 0 means best-effort, as fio's
 * ioprio_value() takes it. */
static uint32_t ioprio_value(unsigned cls, unsigned level)
{
    return (cls ? cls : IOPRIO_CLASS_BE) << IOPRIO_CLASS_SHIFT | level;
}

bool tio_cmdprio_wanted(const struct tio_job *job)
{
    const struct tio_job_prio *p = &job->prio;
    return p->bssplit_given || p->cmdprio_percentage[0] || p->cmdprio_percentage[1];
}

int tio_cmdprio_check(const struct tio_job *job, uint32_t engine_flags, const char *engine,
                      struct tio_error *err)
{
    const struct tio_job_prio *p = &job->prio;
    if (!tio_cmdprio_wanted(job))
        return 0;
    if (p->bssplit_given && (p->cmdprio_percentage[0] || p->cmdprio_percentage[1]))
        return tio_error_set(err, TIO_EJOB, &job->origin, NULL, NULL,
                             "job %s: cmdprio_percentage and cmdprio_bssplit exclude each "
                             "other; keep one",
                             job->identity.name);
    if (!(engine_flags & TIO_ENGINE_IOPRIO))
        return tio_error_set(err, TIO_EJOB, &job->origin, NULL, NULL,
                             "job %s: %s gives IOs priorities of their own, which engine %s "
                             "cannot issue; use ioengine=io_uring or libaio, or prio and "
                             "prioclass for the whole job",
                             job->identity.name,
                             p->bssplit_given ? "cmdprio_bssplit" : "cmdprio_percentage",
                             engine);
    return 0;
}

uint16_t tio_prio_of_thread(const struct tio_job *job)
{
    if (!job->prio.prio_given && !job->prio.prioclass_given)
        return 0;
    return ioprio_value(job->prio.prioclass, job->prio.prio);
}

/* nice=: the job thread's CPU priority, as fio's nice(2) in the job's
 * thread (on Linux it is the calling thread's own, fio's thread=1 too). */
static int thread_nice(struct worker *w)
{
    const struct tio_job *job = w->job;
    errno = 0;
    if (nice(job->prio.nice) != -1 || errno == 0)
        return 0;
    int e = errno;
    tio_worker_fail(w, e, "nice(%d) failed: %s%s", job->prio.nice, strerror(e),
                    e == EPERM ? " (a negative nice value needs CAP_SYS_NICE: run as root or "
                                 "give 0..19)"
                               : "");
    return -e;
}

int tio_prio_thread_setup(struct worker *w)
{
    const struct tio_job *job = w->job;
    if (job->prio.nice && thread_nice(w) < 0)
        return -w->t->error;
    if (!job->prio.prio_given && !job->prio.prioclass_given)
        return 0;
    if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, (int)tio_prio_of_thread(job)) != 0) {
        int e = errno;
        tio_worker_fail(w, e, "ioprio_set(class %u, level %u) failed: %s%s",
                        job->prio.prioclass, job->prio.prio, strerror(e),
                        e == EPERM ? " (the real-time class needs CAP_SYS_ADMIN: run as root "
                                     "or choose prioclass=2)"
                                   : "");
        return -e;
    }
    return 0;
}

/* The index of priority v in direction d's table, added if new. */
static int index_of(struct worker *w, unsigned d, uint32_t v)
{
    int k = tio_prio_stats_index(&w->js->dir[d].prios, v);
    return k < 0 ? -ENOMEM : k;
}

static int setup_dir(struct worker *w, unsigned d)
{
    const struct tio_job_prio *p = &w->job->prio;
    struct tio_cmdprio *cp = &w->cmdprio;
    unsigned cls = p->cmdprio_class[d] ? p->cmdprio_class[d] : IOPRIO_CLASS_RT;
    uint32_t implicit = ioprio_value(cls, p->cmdprio[d]);
    int k = index_of(w, d, tio_prio_of_thread(w->job));
    if (k < 0)
        return k;
    if (!p->bssplit_given) {
        cp->perc[d] = p->cmdprio_percentage[d];
        cp->perc_prio[d] = implicit;
        k = index_of(w, d, implicit);
        cp->perc_index[d] = (uint8_t)k;
        return k < 0 ? k : 0;
    }
    cp->n[d] = p->bssplit_nr[d];
    for (unsigned i = 0; i < p->bssplit_nr[d]; i++) {
        const struct tio_cmdprio_split *s = &p->bssplit[d][i];
        cp->split[d][i].bs = s->bs;
        cp->split[d][i].perc = s->perc;
        cp->split[d][i].prio = s->prio < 0 ? implicit : (uint32_t)s->prio;
        k = index_of(w, d, cp->split[d][i].prio);
        if (k < 0)
            return k;
        cp->split[d][i].index = (uint8_t)k;
    }
    return 0;
}

int tio_cmdprio_setup(struct worker *w)
{
    const struct tio_job *job = w->job;
    if (!tio_cmdprio_wanted(job))
        return 0;
    memset(&w->cmdprio, 0, sizeof(w->cmdprio));
    tio_frand_seed(&w->cmdprio.state, w->fseeds[TIO_FSEED_PRIO], false);
    w->cmdprio.total_lat = job->reporting.lat_percentiles;
    w->cmdprio.thread_prio = tio_prio_of_thread(job);
    enum tio_rw rw = job->pattern.rw;
    for (unsigned d = 0; d < 2; d++) {
        /* as fio: no table for a direction the job does not do, or whose
         * share is zero */
        bool does = d == 0 ? tio_rw_reads(rw) : tio_rw_writes(rw);
        bool some = job->prio.bssplit_given ? job->prio.bssplit_nr[d] > 0
                                            : job->prio.cmdprio_percentage[d] > 0;
        if (!does || !some)
            continue;
        int rc = setup_dir(w, d);
        if (rc < 0)
            return rc;
        w->cmdprio.on[d] = true;
    }
    w->features |= TIO_WF_CMDPRIO;
    return 0;
}

void tio_cmdprio_pick(struct worker *w, tio_io *io, struct io_meta *m)
{
    struct tio_cmdprio *cp = &w->cmdprio;
    unsigned d = io->ddir;
    io->ioprio = TIO_IOPRIO_THREAD;
    m->prio_index = 0;
    m->ioprio = cp->thread_prio;
    if (d > TIO_WRITE || !cp->on[d])
        return;
    unsigned total = cp->perc[d];
    const struct tio_cmdprio_choice *found = NULL;
    if (w->job->prio.bssplit_given) {
        /* entries of one block size are adjacent: their shares add up */
        total = 0;
        for (unsigned i = 0; i < cp->n[d]; i++)
            if (cp->split[d][i].bs == m->len) {
                found = found ? found : &cp->split[d][i];
                total += cp->split[d][i].perc;
            }
    }
    if (!total)
        return;
    unsigned r = (unsigned)tio_frand_between(&cp->state, 0, 99);
    if (r >= total)
        return;
    if (!found) {
        io->ioprio = (int32_t)cp->perc_prio[d];
        m->prio_index = cp->perc_index[d];
        m->ioprio = (uint16_t)cp->perc_prio[d];
        return;
    }
    for (unsigned acc = 0; found < cp->split[d] + cp->n[d] && found->bs == m->len; found++) {
        acc += found->perc;
        if (r < acc) {
            io->ioprio = (int32_t)found->prio;
            m->prio_index = found->index;
            m->ioprio = (uint16_t)found->prio;
            return;
        }
    }
}
