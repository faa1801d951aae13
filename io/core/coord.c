/* Which coordination a run uses: MPI when the process is a rank that an
 * MPI launcher started, threads of this process otherwise. The launcher
 * is recognised by its environment alone, so a plain `tenon-io job.fio`
 * never loads or initialises MPI and behaves as it always did. */
#include "coord.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct tio_coord current = {.ops = &tio_coord_threads};
static struct tio_coord_self self = {.rank = 0, .nranks = 1};
static bool begun;
static char tag[sizeof(self.host) + 32];

/* The ranks a launcher says it started: Open MPI's mpirun, a PMIx launcher
 * (srun --mpi=pmix), a PMI one (MPICH's hydra, srun --mpi=pmi2). 0 when
 * none did; 1 when one did but did not say how many. */
static unsigned launched_ranks(void)
{
    static const char *const sizes[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        const char *v = getenv(sizes[i]);
        if (v && *v) {
            unsigned long n = strtoul(v, NULL, 10);
            return n ? (unsigned)n : 1;
        }
    }
    return getenv("PMIX_RANK") ? 1 : 0;
}

static int threads_init(struct tio_coord_self *s, struct tio_error *err)
{
    (void)err;
    s->rank = 0;
    s->nranks = 1;
    if (gethostname(s->host, sizeof(s->host)) != 0)
        strcpy(s->host, "localhost");
    s->host[sizeof(s->host) - 1] = '\0';
    return 0;
}

struct tio_coord *tio_coord_begin(struct tio_error *err)
{
    tio_coord_end();
    unsigned launched = launched_ranks();
#ifdef TIO_HAVE_MPI
    current.ops = launched ? &tio_coord_mpi : &tio_coord_threads;
#else
    current.ops = &tio_coord_threads;
    if (launched > 1) {
        tio_error_set(err, TIO_EUSAGE, NULL, NULL, NULL,
                      "started as one of %u ranks by an MPI launcher (mpirun, srun), but "
                      "this tenon-io was built without MPI: every rank would run the whole "
                      "job alone; rebuild with Open MPI (libopenmpi-dev, meson setup "
                      "-Dmpi=enabled) or run tenon-io without the launcher",
                      launched);
        return NULL;
    }
#endif
    int rc = current.ops == &tio_coord_threads ? threads_init(&self, err)
                                               : current.ops->init(&current, &self, err);
    if (rc < 0) {
        current.ops = &tio_coord_threads;
        return NULL;
    }
    begun = true;
    if (current.ops != &tio_coord_threads)
        snprintf(tag, sizeof(tag), ".%s.rank%u", self.host, self.rank);
    return &current;
}

struct tio_coord *tio_coord_current(void)
{
    return &current;
}

const struct tio_coord_self *tio_coord_self(void)
{
    return &self;
}

const char *tio_coord_tag(void)
{
    return tag;
}

void tio_coord_join(struct tio_host *host, size_t upto)
{
    for (size_t i = 0; i < upto; i++) {
        struct tio_host_job *t = &host->threads[i];
        if (t->started) {
            pthread_join(t->tid, NULL);
            t->started = false;
        }
    }
}

void tio_coord_end(void)
{
    if (begun && current.ops->fini)
        current.ops->fini(&current);
    begun = false;
    current.ops = &tio_coord_threads;
    self.rank = 0;
    self.nranks = 1;
    tag[0] = '\0';
}
