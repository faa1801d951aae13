/* Where a job's thread runs and takes its memory: fio's cpumask,
 * cpus_allowed and cpus_allowed_policy (the thread's CPU affinity), and
 * numa_cpu_nodes and numa_mem_policy (libnuma's node lists). Only the text
 * is read here; whether the CPUs are online and the nodes present is
 * io/core/placement.c's check, before any job starts. */
#include <stdio.h>
#include <string.h>

#include "option.h"

#define OFF(f) TIO__OFF(placement, f)

/* The widest mask fio reads of cpumask: the bits of an int. */
#define CPUMASK_BITS 32u

static int idset(struct tio__optctx *c, const char *s, const char *what, struct tio_idset *out)
{
    char why[200];
    int rc = tio_parse_idset(s, what, out, why, sizeof(why));
    return rc ? tio__opt_fail(c, rc, "%s", why) : TIO_OK;
}

static int set_cpumask(struct tio__optctx *c, const struct tio__option *o)
{
    struct tio_job_placement *p = &c->job->placement;
    char why[160];
    uint64_t v;
    (void)o;
    int rc = tio_parse_uint(c->value, c->job->reporting.kb_base, 0, UINT64_MAX, &v, why,
                            sizeof(why));
    if (rc)
        return tio__opt_fail(c, rc, "%s", why);
    if (v == 0)
        return tio__opt_fail(c, TIO_EVALUE,
                             "a cpumask of 0 allows no CPU (bit N allows CPU N: 3 is CPUs 0 "
                             "and 1)");
    if (v >> CPUMASK_BITS)
        return tio__opt_fail(c, TIO_ERANGE,
                             "cpumask covers CPUs 0 to %u only, as fio's; name CPUs from %u "
                             "on with cpus_allowed (e.g. cpus_allowed=0,40-47)",
                             CPUMASK_BITS - 1, CPUMASK_BITS);
    memset(&p->cpus, 0, sizeof(p->cpus));
    for (unsigned i = 0; i < CPUMASK_BITS; i++)
        if (v >> i & 1)
            tio_idset_add(&p->cpus, i);
    p->cpus_given = true;
    p->cpus_from_mask = true;
    return TIO_OK;
}

static int set_cpus_allowed(struct tio__optctx *c, const struct tio__option *o)
{
    struct tio_job_placement *p = &c->job->placement;
    (void)o;
    int rc = idset(c, c->value, "CPU", &p->cpus);
    if (rc)
        return rc;
    p->cpus_given = true;
    p->cpus_from_mask = false;
    return TIO_OK;
}

static int set_cpus_policy(struct tio__optctx *c, const struct tio__option *o)
{
    static const struct tio__enumval vals[] = {
        {"shared", TIO_CPUS_SHARED, NULL},
        {"split", TIO_CPUS_SPLIT, NULL},
    };
    int v = 0;
    (void)o;
    int rc = tio__opt_pick(c, c->value, vals, TIO__ARRAY_LEN(vals), "CPU policy",
                           "shared, split", &v);
    if (rc == TIO_OK)
        c->job->placement.cpus_policy = (unsigned)v;
    return rc;
}

/* A node list as libnuma's numa_parse_nodestring reads it, but for its
 * "!" (all nodes but these) and "+" (numbers relative to the cpuset),
 * which fio's HOWTO does not name. */
static int nodes(struct tio__optctx *c, const char *s, struct tio_idset *out, bool *all)
{
    const char *t = s + strspn(s, " \t");
    *all = false;
    memset(out, 0, sizeof(*out));
    if (*t == '!' || *t == '+')
        return tio__opt_fail(c, TIO_EUNSUPPORTED,
                             "libnuma's '%c' node syntax is not supported (list the nodes, "
                             "e.g. 0,2-3, or write all)",
                             *t);
    size_t n = strcspn(t, " \t");
    if (n == 3 && strncmp(t, "all", 3) == 0 && t[3 + strspn(t + 3, " \t")] == '\0') {
        *all = true;
        return TIO_OK;
    }
    return idset(c, s, "node", out);
}

static int set_cpu_nodes(struct tio__optctx *c, const struct tio__option *o)
{
    struct tio_job_placement *p = &c->job->placement;
    (void)o;
    int rc = nodes(c, c->value, &p->cpu_nodes, &p->cpu_nodes_all);
    p->cpu_nodes_given = rc == TIO_OK;
    return rc;
}

/* "prefer:N": one node, digits only, as fio insists. */
static int prefer_node(struct tio__optctx *c, const char *list, struct tio_idset *out)
{
    if (!list || !*list || list[strspn(list, "0123456789")] != '\0')
        return tio__opt_fail(c, TIO_EVALUE,
                             "prefer takes one node (write prefer:N, e.g. prefer:0)");
    return idset(c, list, "node", out);
}

/* MODE[:NODES], fio's numa_mem_policy: which modes want nodes is fio's. */
static int set_mem_policy(struct tio__optctx *c, const struct tio__option *o)
{
    static const struct tio__enumval vals[] = {
        {"default", TIO_MPOL_DEFAULT, NULL}, {"prefer", TIO_MPOL_PREFER, NULL},
        {"bind", TIO_MPOL_BIND, NULL},       {"interleave", TIO_MPOL_INTERLEAVE, NULL},
        {"local", TIO_MPOL_LOCAL, NULL},
    };
    struct tio_job_placement *p = &c->job->placement;
    char mode[16];
    const char *colon = strchr(c->value, ':');
    const char *list = colon ? colon + 1 : NULL;
    size_t len = colon ? (size_t)(colon - c->value) : strlen(c->value);
    int v = 0, rc;
    (void)o;
    snprintf(mode, sizeof(mode), "%.*s", (int)(len < sizeof(mode) ? len : sizeof(mode) - 1),
             c->value);
    if (len >= sizeof(mode))
        mode[sizeof(mode) - 2] = '?'; /* too long: no mode's name */
    rc = tio__opt_pick(c, mode, vals, TIO__ARRAY_LEN(vals), "memory policy",
                       "default, prefer:N, bind:NODES, interleave[:NODES], local", &v);
    if (rc)
        return rc;
    memset(&p->mem_nodes, 0, sizeof(p->mem_nodes));
    p->mem_nodes_all = false;
    p->mem_policy = (unsigned)v;
    switch (v) {
    case TIO_MPOL_DEFAULT:
    case TIO_MPOL_LOCAL:
        if (list)
            return tio__opt_fail(c, TIO_EVALUE, "%s takes no nodes (write %s alone)", mode,
                                 mode);
        return TIO_OK;
    case TIO_MPOL_PREFER:
        return prefer_node(c, list, &p->mem_nodes);
    case TIO_MPOL_BIND:
        if (!list)
            return tio__opt_fail(c, TIO_EVALUE,
                                 "bind needs its nodes (write bind:NODES, e.g. bind:0-1)");
        return nodes(c, list, &p->mem_nodes, &p->mem_nodes_all);
    default: /* interleave: over every node when none are named, as fio */
        if (!list)
            return (p->mem_nodes_all = true), TIO_OK;
        return nodes(c, list, &p->mem_nodes, &p->mem_nodes_all);
    }
}

static void dump_nodes(struct tio__dump *d, const char *key, const struct tio_idset *s,
                       bool all)
{
    char buf[512];
    tio_idset_format(s, buf, sizeof(buf));
    tio__dump_printf(d, "%s%s", key, all ? "all" : buf);
}

static void dump_cpus(struct tio__dump *d, const struct tio__option *o, const struct tio_job *j)
{
    if (!j->placement.cpus_given)
        tio__dump_printf(d, "%s=(thread's own)", o->name);
    else
        dump_nodes(d, "cpus_allowed=", &j->placement.cpus, false);
}

static void dump_cpus_policy(struct tio__dump *d, const struct tio__option *o,
                             const struct tio_job *j)
{
    tio__dump_printf(d, "%s=%s", o->name,
                     j->placement.cpus_policy == TIO_CPUS_SPLIT ? "split" : "shared");
}

static void dump_cpu_nodes(struct tio__dump *d, const struct tio__option *o,
                           const struct tio_job *j)
{
    const struct tio_job_placement *p = &j->placement;
    if (!p->cpu_nodes_given)
        tio__dump_printf(d, "%s=(thread's own)", o->name);
    else
        dump_nodes(d, "numa_cpu_nodes=", &p->cpu_nodes, p->cpu_nodes_all);
}

static void dump_mem_policy(struct tio__dump *d, const struct tio__option *o,
                            const struct tio_job *j)
{
    static const char *const names[] = {"(thread's own)", "default",    "prefer",
                                        "bind",           "interleave", "local"};
    const struct tio_job_placement *p = &j->placement;
    char key[64];
    snprintf(key, sizeof(key), "%s=%s:", o->name, names[p->mem_policy]);
    if (p->mem_policy == TIO_MPOL_PREFER || p->mem_policy == TIO_MPOL_BIND ||
        p->mem_policy == TIO_MPOL_INTERLEAVE)
        dump_nodes(d, key, &p->mem_nodes, p->mem_nodes_all);
    else
        tio__dump_printf(d, "%s=%s", o->name, names[p->mem_policy]);
}

static const struct tio__enumval mem_values[] = {
    {"malloc", TIO_MEM_MALLOC, NULL},
    {"shm", TIO_MEM_SHM, NULL},
    {"shmhuge", TIO_MEM_SHMHUGE, NULL},
    {"mmap", TIO_MEM_MMAP, NULL},
    {"mmaphuge", TIO_MEM_MMAPHUGE, NULL},
    {"mmapshared", TIO_MEM_MMAPSHARED, NULL},
    {"cudamalloc", TIO_MEM_MALLOC,
     "GPU memory is only for fio's rdma engine, which tenon-io "
     "has not"},
};

/* TYPE, or mmap, mmaphuge or mmapshared with ":FILE" (fio's postfix). */
static int set_mem(struct tio__optctx *c, const struct tio__option *o)
{
    struct tio_job_placement *p = &c->job->placement;
    const char *colon = strchr(c->value, ':');
    char type[32];
    int v = 0, rc;

    (void)o;
    snprintf(type, sizeof(type), "%.*s", colon ? (int)(colon - c->value) : 31, c->value);
    rc = tio__opt_pick(c, type, mem_values, TIO__ARRAY_LEN(mem_values), "memory type",
                       "malloc, shm, shmhuge, mmap[:FILE], mmaphuge[:FILE] or "
                       "mmapshared[:FILE]",
                       &v);
    if (rc)
        return rc;
    bool mapped = v == TIO_MEM_MMAP || v == TIO_MEM_MMAPHUGE || v == TIO_MEM_MMAPSHARED;
    if (colon && (!mapped || !colon[1]))
        return tio__opt_fail(c, TIO_EVALUE,
                             mapped ? "'%s:' names no file (write %s:/path/to/file, or %s "
                                      "alone for anonymous memory)"
                                    : "'%s' takes no file after ':' (only mmap, mmaphuge "
                                      "and mmapshared do)%.0s%.0s",
                             type, type, type);
    p->mem_type = (enum tio_mem_type)v;
    tio__free(c->a, p->mmapfile);
    p->mmapfile = NULL;
    if (colon) {
        p->mmapfile = tio__strdup(c->a, colon + 1);
        if (!p->mmapfile)
            return tio__oom(c->err);
    }
    return TIO_OK;
}

static void dump_mem(struct tio__dump *d, const struct tio__option *o, const struct tio_job *j)
{
    const struct tio_job_placement *p = &j->placement;
    if (p->mmapfile)
        tio__dump_printf(d, "%s=%s:%s", o->name, mem_values[p->mem_type].name, p->mmapfile);
    else
        tio__dump_str(d, o->name, mem_values[p->mem_type].name);
}

static const struct tio__option rows[] = {
    {.name = "cpumask",
     .type = O_CUSTOM,
     .set = set_cpumask,
     .off = OFF(cpus),
     .dump = tio__dump_nothing,
     .example = "3",
     .def_text = "the thread's own (every CPU tenon-io may use)",
     .values = "a bit per CPU, CPUs 0 to 31 (3: CPUs 0 and 1)",
     .help = "The CPUs the job's thread may run on, as a bit mask (sched_setaffinity)",
     .status = TIO__REFUSED_VALUE},
    {.name = "cpus_allowed",
     .type = O_CUSTOM,
     .set = set_cpus_allowed,
     .off = OFF(cpus),
     .dump = dump_cpus,
     .example = "0,2-3",
     .def_text = "the thread's own (every CPU tenon-io may use)",
     .values = "online CPUs and ranges, joined by commas (0,5,8-15)",
     .help = "The CPUs the job's thread may run on (sched_setaffinity)"},
    {.name = "cpus_allowed_policy",
     .type = O_CUSTOM,
     .set = set_cpus_policy,
     .off = OFF(cpus_policy),
     .dump = dump_cpus_policy,
     .example = "split",
     .def = "shared",
     .values = "shared (every job on the whole set), split (a CPU of the set per job)",
     .help = "How jobs share the CPUs of cpus_allowed or cpumask"},
    {.name = "numa_cpu_nodes",
     .type = O_CUSTOM,
     .set = set_cpu_nodes,
     .off = OFF(cpu_nodes),
     .dump = dump_cpu_nodes,
     .example = "0",
     .def_text = "the thread's own",
     .values = "NUMA nodes and ranges joined by commas, or all",
     .help = "Run the job's thread on these NUMA nodes' CPUs (libnuma)",
     .status = TIO__REFUSED_VALUE},
    {.name = "numa_mem_policy",
     .type = O_CUSTOM,
     .set = set_mem_policy,
     .off = OFF(mem_policy),
     .dump = dump_mem_policy,
     .example = "bind:0",
     .def_text = "the thread's own",
     .values = "default, prefer:NODE, bind:NODES, interleave[:NODES], local",
     .help = "The job thread's NUMA memory policy, set before its buffers are allocated "
             "(libnuma)",
     .status = TIO__REFUSED_VALUE},
    {.name = "mem",
     .alias = "iomem",
     .type = O_CUSTOM,
     .set = set_mem,
     .dump = dump_mem,
     .example = "mmap:/dev/shm/buf",
     .def = "malloc",
     .values = "malloc, shm, shmhuge, mmap[:FILE], mmaphuge[:FILE], mmapshared[:FILE]",
     .status = TIO__REFUSED_VALUE,
     .help = "What the job's IO buffers are allocated from"},
    {.name = "hugepage-size",
     .type = O_SIZE,
     .off = OFF(hugepage_size),
     .example = "2m",
     .def = "2m",
     .help = "The huge page size mem=shmhuge and mmaphuge round their memory up to"},
    {.name = "lockmem",
     .type = O_SIZE,
     .off = OFF(lockmem),
     .example = "1g",
     .def_text = "0 (none)",
     .help = "Memory the job's thread pins with mlock(2), per job"},
};

TIO__FAMILY(tio__family_placement, "placement", "CPU and NUMA placement", rows);
