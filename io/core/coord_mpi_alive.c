/* Whether every rank of an MPI run is still there. A rank that dies
 * (killed, its host down) answers nothing, and the collectives that wait
 * for it would wait forever; so while a group runs the main threads, which
 * poll anyway, tell each other they live (a BEAT every BEAT_MS to every
 * rank) and a rank that hears nothing from another for LOST_MS names it
 * and ends the run.
 *
 * A launcher that sees a rank die usually ends the others at once, with a
 * SIGTERM (Open MPI's mpirun, then a SIGKILL a second later): then there
 * is no time to wait for LOST_MS. A rank stopped by a signal asks every
 * other rank (a PING, answered by a BEAT at its next poll) and names those
 * that do not answer within PING_MS. Either way the lowest rank still
 * there prints the error and the run ends (MPI_Abort). Silence is only
 * counted while every rank polls: from the start of a group's wait, which
 * every rank reaches soon after the collective that starts the group, and
 * from the start of the collectives between groups, which wait polling
 * too (a rank on this host whose process still runs is not named on a
 * ping's silence alone). */
#include "coord_mpi.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define STR_(x) #x
#define STR(x) STR_(x)
#define BEAT_MS 500
#define LOST_MS 10000
#define PING_MS 300
enum { TAG_BEAT = 7102 };
enum { BEAT, PING };

static long *pids;         /* every rank's process */
static char (*hosts)[256]; /* and host */
static uint64_t *heard;    /* when each rank was last heard, ns */
static uint64_t sent_ns, ping_ns;
static const int kinds[2] = {BEAT, PING}; /* the buffers of the sends */

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int tio__mpi_alive_init(struct tio_mpi *m)
{
    long pid = (long)getpid();
    pids = calloc((size_t)m->size, sizeof(*pids));
    hosts = calloc((size_t)m->size, sizeof(*hosts));
    heard = calloc((size_t)m->size, sizeof(*heard));
    if (!pids || !hosts || !heard)
        return -1;
    MPI_Allgather(&pid, 1, MPI_LONG, pids, 1, MPI_LONG, MPI_COMM_WORLD);
    MPI_Allgather(m->host, (int)sizeof(m->host), MPI_CHAR, hosts, (int)sizeof(m->host),
                  MPI_CHAR, MPI_COMM_WORLD);
    return 0;
}

void tio__mpi_alive_fini(void)
{
    free(pids);
    free(hosts);
    free(heard);
    pids = NULL;
    hosts = NULL;
    heard = NULL;
    ping_ns = 0;
}

/* Sends kind to every other rank; nothing waits for the sends. */
static void send_all(struct tio_mpi *m, int kind)
{
    for (int r = 0; r < m->size; r++) {
        if (r == m->rank)
            continue;
        MPI_Request req;
        MPI_Isend(&kinds[kind], 1, MPI_INT, r, TAG_BEAT, MPI_COMM_WORLD, &req);
        MPI_Request_free(&req);
    }
}

void tio__mpi_alive_start(struct tio_mpi *m)
{
    if (ping_ns)
        return; /* the ranks that did not answer stay unheard */
    uint64_t now = now_ns();
    for (int r = 0; r < m->size; r++)
        heard[r] = now;
    sent_ns = 0;
}

/* The ranks not heard since since: the lowest rank still there prints
 * them, and the run ends. */
static void lost(struct tio_mpi *m, uint64_t since, const char *why)
{
    int first = -1, printer = m->rank;
    for (int r = 0; r < m->size; r++) {
        if (r == m->rank || heard[r] >= since) {
            if (r < printer)
                printer = r;
            continue;
        }
        if (first < 0)
            first = r;
    }
    if (first < 0)
        return;
    if (printer == m->rank) {
        for (int r = first; r < m->size; r++)
            if (r != m->rank && heard[r] < since)
                fprintf(stderr,
                        "tenon-io: rank %d on %s (pid %ld) is lost: %s (it was killed, or "
                        "its host or network is down); the run ends on every rank\n",
                        r, hosts[r], pids[r], why);
        fflush(stderr);
    }
    MPI_Abort(MPI_COMM_WORLD, 1);
}

/* Whether rank r is a process of this host that still runs (a rank busy
 * elsewhere than a poll cannot answer a ping, but it is not lost). */
static bool here_and_running(int r)
{
    char me[256];
    if (gethostname(me, sizeof(me)) != 0 || strncmp(me, hosts[r], sizeof(me)) != 0 ||
        kill((pid_t)pids[r], 0) != 0)
        return false;
    char path[64], stat[256];
    snprintf(path, sizeof(path), "/proc/%ld/stat", pids[r]);
    FILE *f = fopen(path, "r");
    if (!f)
        return true; /* no /proc: it exists */
    size_t n = fread(stat, 1, sizeof(stat) - 1, f);
    fclose(f);
    stat[n] = '\0';
    const char *paren = strrchr(stat, ')');
    return !paren || (paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X');
}

void tio__mpi_alive_poll(struct tio_mpi *m, bool silence)
{
    if (!heard || m->size < 2)
        return;
    uint64_t now = now_ns();
    for (;;) {
        int flag = 0, kind = BEAT;
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, TAG_BEAT, MPI_COMM_WORLD, &flag, &st);
        if (!flag)
            break;
        MPI_Recv(&kind, 1, MPI_INT, st.MPI_SOURCE, TAG_BEAT, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        heard[st.MPI_SOURCE] = now;
        if (kind == PING) {
            MPI_Request req;
            MPI_Isend(&kinds[BEAT], 1, MPI_INT, st.MPI_SOURCE, TAG_BEAT, MPI_COMM_WORLD, &req);
            MPI_Request_free(&req);
        }
    }
    if (m->signalled && !ping_ns) {
        ping_ns = now;
        send_all(m, PING);
    }
    if (ping_ns && now - ping_ns >= (uint64_t)PING_MS * 1000000u) {
        for (int r = 0; r < m->size; r++)
            if (heard[r] <= ping_ns && here_and_running(r))
                heard[r] = now;
        lost(m, ping_ns + 1, "it did not answer within " STR(PING_MS) " ms of a signal");
    }
    if (!silence)
        return;
    if (now - sent_ns >= (uint64_t)BEAT_MS * 1000000u) {
        sent_ns = now;
        send_all(m, BEAT);
    }
    if (now >= (uint64_t)LOST_MS * 1000000u)
        lost(m, now - (uint64_t)LOST_MS * 1000000u,
             "nothing heard from it for " STR(LOST_MS) " ms");
}

void tio__mpi_alive_wait(struct tio_mpi *m, MPI_Request *req)
{
    tio__mpi_alive_start(m);
    for (;;) {
        int flag = 0;
        MPI_Test(req, &flag, MPI_STATUS_IGNORE);
        if (flag)
            return;
        tio__mpi_alive_poll(m, true);
        struct timespec nap = {0, 1000000};
        nanosleep(&nap, NULL);
    }
}
