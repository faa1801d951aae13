/* zonemode=strided, as fio 3.33 defines it: IO stays in one zone of
 * zonerange bytes until zonesize bytes of IO were done in it, then moves
 * zonerange + zoneskip bytes on, back to the region's start once past the
 * file's end. Random IO draws its blocks in the zone (fio scales its draws
 * by the zone's blocks and keeps its random map for one zone), and the
 * zone's blocks start afresh every zonerange bytes of IO; sequential IO
 * goes back to the zone's start once past its end. The zones wrap, so the
 * job's IO is io_size (or size) x loops as one stream, unless an IO would
 * reach past the file's end: that ends fio's loop (the next starts over
 * at the first zone) or, after the last, the job.
 *
 * next_io.c chooses each offset inside the zone as it would in a region
 * of the zone's size; tio_zones_enter and tio_zones_place, behind
 * TIO_WF_ZONES, move the zone and the IO. zonemode=zbd is zbd.c's. */
#include "worker.h"

#include <errno.h>
#include <inttypes.h>
#include <sys/stat.h>

/* The smallest block size of all directions: the random map's block when
 * the directions share it (next_io.c keeps one per direction otherwise). */
static uint64_t min_bs(const struct tio_job *job)
{
    uint64_t m = UINT64_MAX;
    for (int d = 0; d < TIO_JOB_DDIR_COUNT; d++)
        if (job->pattern.bs[d] && job->pattern.bs[d] < m)
            m = job->pattern.bs[d];
    return m == UINT64_MAX ? 4096 : m;
}

/* The zone must hold whole blocks of each direction the job does, and fit
 * in the job's region: what fio does otherwise (a map that fills before
 * the zone moves ends the job early) is not followed here. */
static int check_fit(struct worker *w, uint64_t len)
{
    const struct tio_job *job = w->job;
    uint64_t range = job->zones.range;
    for (unsigned d = 0; d < 2; d++) {
        bool does = d ? tio_rw_writes(job->pattern.rw) : tio_rw_reads(job->pattern.rw);
        uint64_t bs = job->pattern.bs[d];
        if (does && (range < bs || range % bs)) {
            tio_worker_fail(w, ENOTSUP,
                            "zonerange=%" PRIu64 " is not a multiple of the %s block size "
                            "(%" PRIu64 "): not supported by tenon-io yet (make zonerange a "
                            "multiple of bs)",
                            range, d ? "write" : "read", bs);
            return -ENOTSUP;
        }
    }
    if (range > len) {
        tio_worker_fail(w, EINVAL,
                        "zonerange=%" PRIu64 " is larger than the job's region of %" PRIu64
                        " bytes (lower zonerange, or raise size)",
                        range, len);
        return -EINVAL;
    }
    return 0;
}

/* fio keeps the random map, and scales its draws, for one zone. */
static int zone_map(struct worker *w, struct file_gen *g)
{
    const struct tio_job *job = w->job;
    uint64_t range = job->zones.range;
    for (int d = 0; d < 2; d++) {
        g->blocks[d] = range / job->pattern.ba[d];
        g->blocks_d[d] = (double)g->blocks[d];
    }
    if (!w->next.random || job->pattern.norandommap)
        return 0;
    bool shared = w->next.map_of[1] == 0;
    for (int d = 0; d < (shared ? 1 : 2); d++) {
        tio_rmap_free(&g->maps[d]);
        if (tio_rmap_init(&g->maps[d], range / (shared ? min_bs(job) : job->pattern.bs[d])) <
            0) {
            tio_worker_fail(w, ENOMEM, "no memory for the random map of a zone");
            return -ENOMEM;
        }
    }
    return 0;
}

int tio_zones_setup(struct worker *w)
{
    const struct tio_job *job = w->job;
    struct tio_next *n = &w->next;
    /* resolve.c refuses strided zones over more than one file */
    const struct tio_region *r = &w->t->regions[0];
    int rc = check_fit(w, r->len);
    if (rc == 0)
        rc = zone_map(w, &n->gen[0]);
    if (rc)
        return rc;
    w->zones.off = 0;
    w->zones.bytes = 0;
    /* fio's LFSR covers one zone's blocks of the smallest size */
    w->zones.lfsr = n->random && job->pattern.random_generator == TIO_RAND_LFSR;
    if (w->zones.lfsr && !tio_lfsr_init(&w->zones.gen, job->zones.range / min_bs(job),
                                        w->fseeds[TIO_FSEED_BLOCK])) {
        tio_worker_fail(w, EINVAL,
                        "random_generator=lfsr cannot cover the %" PRIu64 " blocks of a zone "
                        "with this seed (change randseed, or use tausworthe)",
                        job->zones.range / min_bs(job));
        return -EINVAL;
    }
    /* an engine without files has the size fio gives its file: filesize=,
     * else the region's end */
    uint64_t size = w->t->sizes[0];
    struct stat st;
    /* the file as the jobs laid it out, clones further on included: fio's
     * zones run on to the file's end, past the job's own region */
    if (!w->t->engine.no_files && stat(w->h[0].file.name, &st) == 0 && S_ISREG(st.st_mode) &&
        (uint64_t)st.st_size > size)
        size = (uint64_t)st.st_size;
    if (w->t->engine.no_files)
        size = job->files.filesize_max ? job->files.filesize_max : r->start + r->len;
    w->zones.end = size > r->start ? size - r->start : 0;
    w->zones.loops_left = job->files.loops > 1 ? job->files.loops - 1 : 0;
    w->features |= TIO_WF_ZONES;
    /* the zones wrap, so the files never run out and no pass starts
     * afresh: the job does io_size (or size) bytes per loop, as fio */
    w->features &= ~TIO_WF_MAP_LOOPS;
    n->until_used = false;
    if (!job->time.time_based) {
        uint64_t loops = job->files.loops ? job->files.loops : 1;
        /* fio: io_size, else size= as given (a region that reaches past
         * it to filesize does not count) */
        uint64_t limit = n->io_limit;
        if (!job->files.io_size.set && job->files.size.set && !job->files.size.percent &&
            job->files.size.bytes < limit)
            limit = job->files.size.bytes;
        n->pass_bytes = n->loop_bytes = n->io_limit = limit;
        if (__builtin_mul_overflow(limit, loops, &n->bytes_total))
            n->bytes_total = UINT64_MAX;
    }
    return 0;
}

/* The zone's blocks start afresh: fio's fio_file_reset. */
static void zone_reset(struct worker *w, struct file_gen *g)
{
    if (w->next.random && !w->job->pattern.norandommap)
        for (unsigned d = 0; d <= w->next.map_of[1]; d++)
            tio_rmap_reset(&g->maps[d]);
    for (int d = 0; d < 2; d++)
        g->seq[d] = g->last_start[d] = 0;
    if (w->zones.lfsr)
        tio_lfsr_reset(&w->zones.gen, w->fseeds[TIO_FSEED_BLOCK]);
}

void tio_zones_enter(struct worker *w, size_t fi, unsigned di)
{
    struct tio_zones *z = &w->zones;
    const struct tio_job_zones *o = &w->job->zones;
    struct file_gen *g = &w->next.gen[fi];
    if (z->bytes >= o->size) {
        z->bytes = 0;
        z->off += o->range + o->skip;
        if (z->off >= z->end)
            z->off = 0;
        g->seq[di] = 0;
    }
    /* fio compares where the last IO ended, without rw=TYPE:N's hole */
    uint64_t hole = w->next.random ? 0 : w->job->pattern.rw_modifier;
    if ((g->seq[di] > hole ? g->seq[di] - hole : 0) >= o->range)
        g->seq[di] = 0;
    if (z->bytes % o->range == 0)
        zone_reset(w, g);
}

/* An IO past the file's end ends fio's loop: the next one (time_based
 * jobs loop on) starts over at the first zone, its draws from their seeds
 * under randrepeat; after the last loop the job ends. */
static bool next_loop(struct worker *w)
{
    struct tio_zones *z = &w->zones;
    if (!w->job->time.time_based) {
        if (!z->loops_left) {
            w->next.bytes_total = w->next.bytes_issued;
            return false;
        }
        z->loops_left--;
    }
    z->off = 0;
    z->bytes = 0; /* tio_zones_enter starts the zone afresh */
    tio_next_new_loop(w);
    return true;
}

bool tio_zones_place(struct worker *w, unsigned di, uint64_t *pos, uint64_t bs)
{
    struct tio_zones *z = &w->zones;
    uint64_t p = *pos + z->off, block;
    if (z->lfsr) {
        /* the block next_io.c drew is replaced by the LFSR's (resolve.c
         * keeps every IO of such a job random, and without the map) */
        if (!tio_lfsr_next(&z->gen, &block))
            goto end; /* as fio: every block of the zone given, the loop ends */
        p = block * w->job->pattern.ba[di] + z->off;
    }
    if (p + bs > z->end) {
    end:
        next_loop(w);
        return false;
    }
    *pos = p;
    z->bytes += bs;
    return true;
}
