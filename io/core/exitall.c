/* exitall, exit_what, exitall_on_error: a job that ends ends others, as
 * fio's fio_terminate_threads. As in fio, exitall in any job holds for
 * the whole run; the ending job's exit_what says which others end: those
 * of its reporting group, every job running alongside it (its stonewall
 * segment: the jobs started with it), or every job, including those not
 * started yet, which then end as soon as they start. The others end as if
 * their runtime had run out: no error, their results reported. */
#include "worker.h"

/* The stonewall segment of thread i: jobs run together until a stonewall. */
static size_t segment_of(const struct tio_host *h, size_t i)
{
    size_t seg = 0;
    for (size_t k = 1; k <= i; k++)
        seg += h->threads[k].job->identity.stonewall;
    return seg;
}

void tio_exitall_on_end(struct tio_host_job *t)
{
    struct tio_host *h = t->host;
    const struct tio_job *job = t->job;
    bool exitall = false;
    for (size_t i = 0; i < h->n_threads && !exitall; i++)
        exitall = h->threads[i].job->errors.exitall;
    if (!exitall && !(job->errors.exitall_on_error && t->error))
        return;
    size_t self = (size_t)(t - h->threads), seg = segment_of(h, self);
    for (size_t i = 0; i < h->n_threads; i++) {
        struct tio_host_job *u = &h->threads[i];
        if (u == t)
            continue;
        switch (job->errors.exit_what) {
        case TIO_EXIT_GROUP:
            if (u->job->group != job->group)
                continue;
            break;
        case TIO_EXIT_STONEWALL:
            if (segment_of(h, i) != seg)
                continue;
            break;
        case TIO_EXIT_ALL:
            break;
        }
        tio_job_end_now(u);
    }
}
