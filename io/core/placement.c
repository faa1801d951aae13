/* Where a job's thread runs and takes its memory (fio's cpumask,
 * cpus_allowed, cpus_allowed_policy, numa_cpu_nodes, numa_mem_policy).
 *
 * Before any job starts, tio_placement_check refuses CPUs that are not
 * online and NUMA nodes that are not there, naming the ones that are.
 * tio_placement_apply runs once in the job's thread before the job opens
 * or allocates anything, in fio's thread_main order: the CPU affinity,
 * then numa_cpu_nodes (which, as in fio, replaces that affinity with the
 * nodes' CPUs), then the memory policy. Both are per thread (a job is a
 * thread), so the IO path pays nothing for them. */
#include "worker.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "debug.h"

#ifdef TIO_HAVE_NUMA
#include <numa.h>
#include <numaif.h>
#endif

/* What the user wrote for key (the job's own section wins over
 * [global]), for messages. */
static const char *written(const struct tio_job *job, const char *key)
{
    const struct tio_strv *lists[] = {&job->given, &job->global_given};
    for (int l = 0; l < 2; l++)
        for (size_t i = lists[l]->n; i >= 2; i -= 2)
            if (strcmp(lists[l]->v[i - 2], key) == 0)
                return lists[l]->v[i - 1];
    return "(as given)";
}

static const char *cpus_key(const struct tio_job *job)
{
    return job->placement.cpus_from_mask ? "cpumask" : "cpus_allowed";
}

/* The CPUs online, as the kernel lists them; without /sys, the CPUs
 * configured (fio's bound). */
static void online_cpus(struct tio_idset *out)
{
    char line[4096];
    FILE *f = fopen("/sys/devices/system/cpu/online", "r");
    bool read = f && fgets(line, sizeof(line), f);
    if (f)
        fclose(f);
    if (read) {
        line[strcspn(line, "\n")] = '\0';
        if (tio_parse_idset(line, "CPU", out, NULL, 0) == TIO_OK)
            return;
    }
    memset(out, 0, sizeof(*out));
    long n = sysconf(_SC_NPROCESSORS_CONF);
    for (long i = 0; i < n && i < (long)TIO_IDSET_MAX; i++)
        tio_idset_add(out, (unsigned)i);
}

/* The first member of `want` not in `have`, or TIO_IDSET_MAX. */
static unsigned first_missing(const struct tio_idset *want, const struct tio_idset *have)
{
    for (unsigned id = 0; id < TIO_IDSET_MAX; id++)
        if (tio_idset_has(want, id) && !tio_idset_has(have, id))
            return id;
    return TIO_IDSET_MAX;
}

/* A CPU or node the machine lacks: the refusal names the ones it has. */
static int missing(const struct tio_job *job, const char *key, const char *what, unsigned id,
                   const char *lacks, const struct tio_idset *have, const char *have_name,
                   struct tio_error *err)
{
    char list[512];
    tio_idset_format(have, list, sizeof(list));
    return tio_error_set(err, TIO_EVALUE, NULL, NULL, NULL,
                         "job %s: %s=%s: %s %u is %s (%s: %s; name only those)",
                         job->identity.name, key, written(job, key), what, id, lacks, have_name,
                         list);
}

#ifdef TIO_HAVE_NUMA

/* The nodes the process may take memory from: what libnuma's node lists
 * accept (numa_all_nodes_ptr, the cpuset's). */
static void present_nodes(struct tio_idset *out)
{
    memset(out, 0, sizeof(*out));
    for (unsigned i = 0; i < TIO_IDSET_MAX && i < numa_all_nodes_ptr->size; i++)
        if (numa_bitmask_isbitset(numa_all_nodes_ptr, i))
            tio_idset_add(out, i);
}

static int numa_check(const struct tio_job *job, const char *key, struct tio_error *err)
{
    const struct tio_job_placement *p = &job->placement;
    if (numa_available() < 0)
        return tio_error_set(err, TIO_EUNSUPPORTED, NULL, NULL, NULL,
                             "job %s: %s=%s: NUMA is not available here (the kernel refuses "
                             "get_mempolicy); remove the option",
                             job->identity.name, key, written(job, key));
    struct tio_idset have;
    present_nodes(&have);
    unsigned id;
    if (p->cpu_nodes_given && !p->cpu_nodes_all &&
        (id = first_missing(&p->cpu_nodes, &have)) < TIO_IDSET_MAX)
        return missing(job, "numa_cpu_nodes", "node", id, "not present", &have,
                       "the NUMA nodes here", err);
    if (p->mem_policy >= TIO_MPOL_PREFER && !p->mem_nodes_all &&
        (id = first_missing(&p->mem_nodes, &have)) < TIO_IDSET_MAX)
        return missing(job, "numa_mem_policy", "node", id, "not present", &have,
                       "the NUMA nodes here", err);
    /* libnuma caches each node's CPUs on first use without a lock: fill
     * the cache here, before the job threads read it */
    struct bitmask *cpus = numa_allocate_cpumask();
    for (unsigned i = 0; p->cpu_nodes_given && i < TIO_IDSET_MAX; i++)
        if (tio_idset_has(&have, i) && (p->cpu_nodes_all || tio_idset_has(&p->cpu_nodes, i)))
            (void)numa_node_to_cpus((int)i, cpus);
    numa_free_cpumask(cpus);
    return 0;
}

#else

static int numa_check(const struct tio_job *job, const char *key, struct tio_error *err)
{
    return tio_error_set(err, TIO_EUNSUPPORTED, NULL, NULL, NULL,
                         "job %s: %s=%s: NUMA placement needs libnuma, and this tenon-io was "
                         "built without it (install libnuma-dev, then rebuild: meson setup "
                         "--reconfigure -Dnuma=enabled)",
                         job->identity.name, key, written(job, key));
}

#endif

int tio_placement_check(const struct tio_job *job, struct tio_error *err)
{
    const struct tio_job_placement *p = &job->placement;
    if (p->cpus_given) {
        struct tio_idset online;
        online_cpus(&online);
        unsigned id = first_missing(&p->cpus, &online);
        if (id < TIO_IDSET_MAX)
            return missing(job, cpus_key(job), "CPU", id, "not online", &online,
                           "the online CPUs", err);
    }
    if (p->cpu_nodes_given)
        return numa_check(job, "numa_cpu_nodes", err);
    if (p->mem_policy != TIO_MPOL_NONE)
        return numa_check(job, "numa_mem_policy", err);
    return 0;
}

/* The CPUs of the job's affinity: the whole set, or under split the
 * (index mod size)-th CPU of it, index counting every job of the run from
 * 0 as fio's thread_number - 1 does. */
static void job_cpus(const struct tio_job *job, cpu_set_t *set)
{
    const struct tio_job_placement *p = &job->placement;
    CPU_ZERO(set);
    if (p->cpus_policy == TIO_CPUS_SPLIT) {
        CPU_SET(tio_idset_nth(&p->cpus, job->index % tio_idset_count(&p->cpus)), set);
        return;
    }
    for (unsigned id = 0; id < TIO_IDSET_MAX && id < CPU_SETSIZE; id++)
        if (tio_idset_has(&p->cpus, id))
            CPU_SET(id, set);
}

static void format_cpus(const cpu_set_t *set, char *buf, size_t size)
{
    struct tio_idset s;
    memset(&s, 0, sizeof(s));
    for (unsigned id = 0; id < TIO_IDSET_MAX && id < CPU_SETSIZE; id++)
        if (CPU_ISSET(id, set))
            tio_idset_add(&s, id);
    tio_idset_format(&s, buf, size);
}

#ifdef TIO_HAVE_NUMA

static struct bitmask *node_mask(const struct tio_idset *nodes, bool all)
{
    struct bitmask *m = numa_allocate_nodemask();
    for (unsigned i = 0; i < m->size && i < TIO_IDSET_MAX; i++)
        if (all ? numa_bitmask_isbitset(numa_all_nodes_ptr, i) : tio_idset_has(nodes, i))
            numa_bitmask_setbit(m, i);
    return m;
}

static int apply_numa(struct worker *w)
{
    const struct tio_job_placement *p = &w->job->placement;
    if (p->cpu_nodes_given) {
        struct bitmask *m = node_mask(&p->cpu_nodes, p->cpu_nodes_all);
        errno = 0;
        int rc = numa_run_on_node_mask(m);
        int e = errno ? errno : EINVAL;
        numa_free_nodemask(m);
        if (rc < 0) {
            tio_worker_fail(w, e, "numa_cpu_nodes=%s: cannot run on these nodes' CPUs: %s",
                            written(w->job, "numa_cpu_nodes"), strerror(e));
            return -e;
        }
    }
    static const int modes[] = {
        [TIO_MPOL_PREFER] = MPOL_PREFERRED,
        [TIO_MPOL_BIND] = MPOL_BIND,
        [TIO_MPOL_INTERLEAVE] = MPOL_INTERLEAVE,
        [TIO_MPOL_LOCAL] = MPOL_LOCAL,
    };
    /* default leaves the thread's policy as it is, as fio */
    if (p->mem_policy < TIO_MPOL_PREFER)
        return 0;
    struct bitmask *m = p->mem_policy == TIO_MPOL_LOCAL
                            ? numa_allocate_nodemask()
                            : node_mask(&p->mem_nodes, p->mem_nodes_all);
    long rc = set_mempolicy(modes[p->mem_policy], m->maskp, m->size + 1);
    int e = errno;
    numa_free_nodemask(m);
    if (rc != 0) {
        tio_worker_fail(w, e, "numa_mem_policy=%s: set_mempolicy failed: %s",
                        written(w->job, "numa_mem_policy"), strerror(e));
        return -e;
    }
    return 0;
}

/* The thread's memory policy as the kernel has it: "bind:0". */
static void format_policy(char *buf, size_t size)
{
    static const char *const names[] = {"default",    "prefer", "bind",
                                        "interleave", "local",  "prefer_many"};
    struct bitmask *m = numa_allocate_nodemask();
    int mode = -1;
    if (get_mempolicy(&mode, m->maskp, m->size + 1, NULL, 0) != 0 || mode < 0 ||
        (size_t)mode >= sizeof(names) / sizeof(names[0])) {
        snprintf(buf, size, "unknown");
    } else {
        struct tio_idset s;
        memset(&s, 0, sizeof(s));
        for (unsigned i = 0; i < m->size && i < TIO_IDSET_MAX; i++)
            if (numa_bitmask_isbitset(m, i))
                tio_idset_add(&s, i);
        char list[256];
        tio_idset_format(&s, list, sizeof(list));
        snprintf(buf, size, "%s%s%s", names[mode], *list ? ":" : "", list);
    }
    numa_free_nodemask(m);
}

#else

static int apply_numa(struct worker *w)
{
    (void)w;
    return 0; /* refused by tio_placement_check */
}

static void format_policy(char *buf, size_t size)
{
    snprintf(buf, size, "unknown (built without libnuma)");
}

#endif

/* --debug=process: where the thread runs, read back from the kernel. */
static void trace(const struct tio_job *job)
{
    if (!tio_debug_on(TIO_DEBUG_PROCESS))
        return;
    cpu_set_t set;
    char cpus[512], policy[300];
    if (sched_getaffinity(0, sizeof(set), &set) == 0)
        format_cpus(&set, cpus, sizeof(cpus));
    else
        snprintf(cpus, sizeof(cpus), "unknown");
    format_policy(policy, sizeof(policy));
    tio_debug_printf(TIO_DEBUG_PROCESS, "job %s.%u: CPUs allowed %s, memory policy %s\n",
                     job->identity.name, job->clone, cpus, policy);
}

int tio_placement_apply(struct worker *w)
{
    const struct tio_job *job = w->job;
    if (job->placement.cpus_given) {
        cpu_set_t set;
        job_cpus(job, &set);
        if (sched_setaffinity(0, sizeof(set), &set) != 0) {
            int e = errno;
            char cpus[512];
            format_cpus(&set, cpus, sizeof(cpus));
            tio_worker_fail(w, e, "%s=%s: cannot run on CPUs %s: %s%s", cpus_key(job),
                            written(job, cpus_key(job)), cpus, strerror(e),
                            e == EINVAL ? " (this process's cpuset may exclude them)" : "");
            return -e;
        }
    }
    int rc = apply_numa(w);
    if (rc == 0)
        trace(job);
    return rc;
}
