/* The choice of the next IO of the main phase: its direction (rw,
 * rwmixread), file (round robin), offset (sequential with rw_modifier, or
 * random over a permutation of blocks or with norandommap, on blockalign),
 * length (bs, cut at the region's end and the byte budget) and the budget
 * itself (size or io_size, times loops; number_ios). */
#include "worker.h"

#include "buffer_fill.h"
#include "rand_dist.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

/* The next draw of the offsets' generator: the one drawn ahead, if any. */
static inline double offset_draw(struct tio_next *n, struct tio_frand *r)
{
    if (likely(n->ahead)) {
        n->ahead = false;
        return n->next_unit;
    }
    return tio_frand_unit(r);
}

/* Draws the next IO's offset now and fetches its word of the map: the
 * map is too large for the cache at most sizes, and the load would
 * otherwise wait in the next IO's path (the same draws, in the same order). */
static inline void draw_ahead(struct tio_next *n, struct tio_frand *r, struct tio_rmap *map,
                              double blocks)
{
    n->next_unit = tio_frand_unit(r);
    n->ahead = true;
    __builtin_prefetch(&map->level[0][tio_frand_at(n->next_unit, blocks) >> 6], 1);
}

/* The random map direction di looks blocks up in. */
static inline struct tio_rmap *file_map(struct tio_next *n, struct file_gen *g, unsigned di)
{
    return &g->maps[n->map_of[di]];
}

/* A mixed job's direction as fio picks it: a direction drawn (rwmixread
 * percent reads) holds until it has done its share of the other's IOs. */
uint32_t tio_next_mix_dir(struct worker *w)
{
    struct tio_next *n = &w->next;
    if (n->issues[n->mix_dir] >= n->mix_issues) {
        unsigned d = tio_frand_between(&n->mix, 1, 100) <= w->job->pattern.rwmixread ? 0 : 1;
        if (d != n->mix_dir) {
            unsigned other = n->mix_dir ? w->job->pattern.rwmixread
                                        : 100 - w->job->pattern.rwmixread;
            n->mix_issues = n->issues[n->mix_dir] * other / 100;
        }
        n->mix_dir = d;
    }
    n->issues[n->mix_dir]++;
    return n->mix_dir ? TIO_WRITE : TIO_READ;
}

static uint32_t pick_dir(struct worker *w)
{
    switch (w->job->pattern.rw) {
    case TIO_RW_READ:
    case TIO_RW_RANDREAD:
        return TIO_READ;
    case TIO_RW_WRITE:
    case TIO_RW_RANDWRITE:
        return TIO_WRITE;
    case TIO_RW_TRIM:
    case TIO_RW_RANDTRIM:
    case TIO_RW_TRIMWRITE: /* trim.c issues the write after each trim */
    case TIO_RW_RANDTRIMWRITE:
        return TIO_TRIM;
    default:
        return tio_next_mix_dir(w);
    }
}

/* fio's draw of a random block that finds the map full: spent. The
 * distributions that keep a map draw as zoned does (the others have none). */
static void spend_draw(struct worker *w, const struct file_gen *g, size_t fi, unsigned di)
{
    if (w->features & TIO_WF_RAND_DIST)
        (void)tio_rdist_block(w, g, fi, di);
    else
        (void)offset_draw(&w->next, &w->offsets);
}

/* As fio once the budget reaches past the files' whole blocks (their
 * shares' remainders count in it): a file whose next block would not fit,
 * or whose random blocks are all done (one map for both directions), is
 * done instead of starting over, and IO goes on in the other files. Returns
 * the file the IO goes to, or w->nf when every file is done. */
static size_t next_unused_file(struct worker *w, size_t fi, unsigned di, uint64_t bs)
{
    const struct tio_job *job = w->job;
    struct tio_next *n = &w->next;
    bool random = tio_rw_is_random(job->pattern.rw);
    if (n->files_used_up == w->nf)
        n->next_file = fi; /* fio finds none before its round robin moves */
    while (n->files_used_up < w->nf) {
        struct file_gen *g = &n->gen[fi];
        if (!g->used_up) {
            /* sizes that vary: as fio, room for the smallest */
            uint64_t least = job->pattern.min_bs[di] < bs ? job->pattern.min_bs[di] : bs;
            /* a random IO finds out itself (file_used_up): the file's
             * turn and direction are drawn first, as in fio */
            if (random || g->seq[di] + least <= w->t->regions[fi].len ||
                (w->features & TIO_WF_NO_END))
                return fi;
            /* fio's uniform draw that finds no free block */
            if (random && !(w->features & TIO_WF_RAND_DIST))
                (void)offset_draw(n, &w->offsets);
            g->used_up = true;
            if (++n->files_used_up == w->nf)
                break; /* fio's round robin stays past this file */
        }
        fi = n->next_file;
        if (++n->next_file == w->nf)
            n->next_file = 0;
    }
    return w->nf;
}

/* An IO that cannot be done where files run out (a random one whose map
 * is full, its draw spent; one to follow on with no room before the
 * region's end): the file is done, and the IO is chosen again in the next
 * file (fio's set_io_u_file), its direction and turn drawn anew. */
__attribute__((noinline, cold)) static bool file_used_up(struct worker *w, tio_io *io,
                                                         struct file_gen *g, size_t fi,
                                                         unsigned di, bool drew, bool mark,
                                                         uint64_t now)
{
    struct tio_next *n = &w->next;
    /* fio's unit keeps IO_U_F_BUSY_OK from an IO that was to follow on
     * until an IO of it completes: the next random IO goes unmarked */
    n->busy_ok = n->busy_ok || !mark;
    if (drew)
        spend_draw(w, g, fi, di);
    g->used_up = true;
    n->files_used_up++;
    n->issues[di] -= w->job->pattern.rw == TIO_RW_RANDRW || /* not issued */
                     w->job->pattern.rw == TIO_RW_RW;
    if (w->features & TIO_WF_IOS_LIMIT)
        n->ios_issued--;
    return tio_next_main(w, io, now);
}

/* Sequential IO with holes (rw=read:N) whose next IO starts inside the
 * region but would end past it: fio wraps only once the next offset is at
 * or past the file's end; before that, the IO cannot be done and the file
 * (one file, one loop, not time_based) is over (fio's t0007: 85 IOs of 1m
 * with 512k holes in 128m). */
static bool seq_holes_end(const struct worker *w, uint64_t pos, uint64_t len)
{
    const struct tio_job *job = w->job;
    return pos < len && !job->pattern.rw_backward && !job->time.time_based && w->nf == 1 &&
           job->files.loops <= 1;
}

/* rw=randTYPE:N and percentage_random: whether this IO of a random job
 * takes a random offset, as fio decides: every Nth IO may (the first one
 * does), and then does with percentage_random's odds; the others follow
 * on from the last IO (or repeat its offset: rw_sequencer=identical). One
 * that cannot follow on before the region's end takes a random block once
 * the file's end is reached, found in the map as fio finds it but not
 * marked there (fio's IO_U_F_BUSY_OK: a later random IO may reach over it
 * whole); short of the file's end, where files run out, it ends the file
 * (TURN_NONE: fio's IO does not fit). */
enum turn { TURN_FOLLOW, TURN_REPEAT, TURN_RANDOM, TURN_UNMARKED, TURN_NONE }; /* 0: follow */

static enum turn no_follow(const struct worker *w, const struct file_gen *g, size_t fi,
                           unsigned di)
{
    const struct tio_region *r = &w->t->regions[fi];
    uint64_t end = w->t->sizes[fi] > r->start + r->len ? w->t->sizes[fi] : r->start + r->len;
    if (w->features & TIO_WF_NO_END) /* no random block: go on, or the file is done */
        return tio_noend_room(w, fi, di, g->seq[di]) ? TURN_FOLLOW : TURN_NONE;
    return w->next.until_used && r->start + g->seq[di] < end ? TURN_NONE : TURN_UNMARKED;
}

static enum turn random_turn(struct worker *w, const struct file_gen *g, size_t fi, unsigned di,
                             uint64_t bs, uint64_t len)
{
    struct tio_next *n = &w->next;
    const struct tio_job_pattern *p = &w->job->pattern;
    enum turn follow = g->seq[di] + bs > len ? no_follow(w, g, fi, di) : TURN_FOLLOW;
    if (p->rw_modifier > 1) {
        if (--n->seq_left != 0)
            return p->rw_sequencer == TIO_RW_SEQ_IDENTICAL ? TURN_REPEAT : follow;
        n->seq_left = p->rw_modifier;
    }
    if (p->perc_rand[di] < 100 &&
        tio_frand_between(&n->seq_rand[di], 1, 100) > p->perc_rand[di])
        return follow;
    return TURN_RANDOM;
}

/* The features that move the next position or size once the offset is
 * chosen: a size drawn per IO, backward sequential IO, and where rw_sequencer
 * goes on from. Returns the IO's size. */
static uint64_t vary(struct worker *w, struct file_gen *g, unsigned di, uint64_t pos,
                     uint64_t bs, uint64_t len)
{
    const struct tio_job_pattern *p = &w->job->pattern;
    uint64_t size = bs;
    if (w->features & TIO_WF_BS_VARY) {
        size = tio_bsz_next(w, di, len - pos);
        if (!tio_rw_is_random(p->rw))
            g->seq[di] += size - bs; /* on from this IO's end */
    }
    if (w->features & TIO_WF_SEQ_BACK) {
        /* as fio: N bytes back from this IO's end, and from the region's
         * end less N once that goes below its start */
        uint64_t end = pos + size;
        g->seq[di] = end >= p->rw_modifier           ? end - p->rw_modifier
                     : (w->features & TIO_WF_NO_END) ? TIO_NOEND_PAST
                     : len >= p->rw_modifier         ? len - p->rw_modifier
                                                     : 0;
    }
    if (w->features & TIO_WF_SEQUENCER) {
        w->next.busy_ok = false; /* this IO goes out */
        g->seq[di] = pos + size;
        g->last_start[di] = pos;
    }
    return size;
}

/* The direction and random-or-not draws start afresh (fio's seq_rand_state
 * per direction, all from one seed, and rwmix_state). */
static void reseed_draws(struct worker *w)
{
    for (int d = 0; d < 2; d++)
        tio_frand_seed(&w->next.seq_rand[d], w->fseeds[TIO_FSEED_SEQ_RAND_READ], false);
    tio_frand_seed(&w->next.mix, w->fseeds[TIO_FSEED_MIX], false);
}

void tio_next_reseed(struct worker *w)
{
    tio_frand_seed(&w->offsets, w->fseeds[TIO_FSEED_BLOCK], w->offsets.use64);
    tio_bsz_setup(w);
    reseed_draws(w);
    if (w->units.content)
        tio_bufill_reseed(w->units.content);
}

/* A file's blocks are all done: the next pass starts, with its cached
 * pages dropped; a new loop (not a time_based wrap) draws the same
 * offsets and sizes again under randrepeat, as fio reseeds then. */
static void new_map_pass(struct worker *w, struct tio_rmap *map, size_t fi)
{
    bool wrap = w->job->time.time_based || w->next.files_wrap;
    tio_rmap_reset(map);
    tio_phase_invalidate(w, fi);
    if (w->features & TIO_WF_RAND_DIST)
        tio_rdist_new_pass(w, fi, !wrap && tio_reseeds(&w->job->pattern));
    if (!wrap)
        tio_next_new_loop(w);
}

void tio_next_new_loop(struct worker *w)
{
    w->next.mix_issues = 0;
    /* the draw made ahead is fio's last of the loop, the one that found
     * no free block: it is not the next loop's first */
    w->next.ahead = false;
    if (tio_reseeds(&w->job->pattern))
        tio_next_reseed(w);
}

/* The next loop of file fi's full maps. */
static void file_loop_start(struct worker *w, size_t fi)
{
    struct file_gen *g = &w->next.gen[fi];
    for (unsigned d = 0; d <= w->next.map_of[1]; d++)
        if (tio_rmap_full(&g->maps[d]))
            new_map_pass(w, &g->maps[d], fi);
}

/* Loops run as one stream: a file whose map is full starts the next loop
 * before its direction is drawn, as fio reseeds before a loop's first IO. */
static void loop_start(struct worker *w)
{
    file_loop_start(w, w->next.next_file);
}

static bool file_full(const struct tio_next *n, size_t fi)
{
    for (unsigned d = 0; d <= n->map_of[1]; d++)
        if (tio_rmap_full(&n->gen[fi].maps[d]))
            return true;
    return false;
}

bool tio_next_loop_due(struct worker *w)
{
    struct tio_next *n = &w->next;
    if (!(w->features & TIO_WF_MAP_LOOPS) || !w->nf ||
        (n->bytes_total && n->bytes_issued >= n->bytes_total))
        return false;
    for (size_t fi = 0; fi < w->nf; fi++)
        if (!file_full(n, fi))
            return false;
    return true;
}

void tio_next_loop_start(struct worker *w)
{
    for (size_t fi = 0; fi < w->nf; fi++)
        file_loop_start(w, fi);
}

/* As fio: a drawn block already done gives way to the next free one after
 * it; a file whose blocks are all done starts a new pass (time_based,
 * loops as one stream), its cached pages dropped. Always inline, as
 * draw_block and map_block: random IO's hot path, which the compiler would
 * otherwise call out of line now that sequenced_pos uses them too. */
__attribute__((always_inline)) static inline uint64_t
map_free_block(struct worker *w, struct file_gen *g, size_t fi, unsigned di, uint64_t block)
{
    struct tio_rmap *map = file_map(&w->next, g, di);
    block = tio_rmap_free_from(map, block);
    if (likely(block != TIO_RMAP_NONE))
        return block;
    /* only bits past the end were free: the pass is over */
    new_map_pass(w, map, fi);
    return tio_frand_at(offset_draw(&w->next, &w->offsets), g->blocks_d[di]);
}

/* A random IO's block under the map, fio's: the draw, or the next free
 * block when that one is done. With one block per IO (map_simple) it is
 * marked done here, its word just read; else map_mark marks the IO's
 * blocks once its size is known. */
/* A random IO's block as drawn: fio's uniform draw, or its
 * random_distribution's or LFSR's (rand_dist.c). */
__attribute__((always_inline)) static inline uint64_t
draw_block(struct worker *w, struct file_gen *g, size_t fi, unsigned di)
{
    if (unlikely(w->features & TIO_WF_RAND_DIST))
        return tio_rdist_block(w, g, fi, di);
    return tio_frand_at(offset_draw(&w->next, &w->offsets), g->blocks_d[di]);
}

__attribute__((always_inline)) static inline uint64_t
map_block(struct worker *w, struct file_gen *g, size_t fi, unsigned di, bool mark)
{
    struct tio_next *n = &w->next;
    struct tio_rmap *map = file_map(n, g, di);
    if (unlikely(tio_rmap_full(map))) {
        if (n->until_used)
            return TIO_RMAP_NONE; /* the file is done (file_used_up) */
        /* a pass that goes on (time_based, non-uniform file choices) spends
         * fio's draw that found no free block; a new loop reseeds anyway */
        if (w->job->time.time_based || n->files_wrap)
            (void)draw_block(w, g, fi, di);
        new_map_pass(w, map, fi);
    }
    uint64_t block = map_free_block(w, g, fi, di, draw_block(w, g, fi, di));
    if (likely(n->map_simple) && mark)
        tio_rmap_set1(map, block); /* free: map_free_block found it so */
    /* the uniform draw is taken one IO ahead (draw_ahead's prefetch) */
    if (likely(!(w->features & TIO_WF_RAND_DIST)))
        draw_ahead(n, &w->offsets, map, g->blocks_d[di]);
    return block;
}

/* Marks the IO's blocks done, in blocks of the direction's size as fio
 * (its map counts blocks of the smallest size of all directions); an IO
 * that reaches blocks done already is cut before them, as fio cuts it,
 * and the IOs that follow on go on from the cut IO's end. */
static uint64_t map_mark(struct worker *w, struct file_gen *g, unsigned di, uint64_t pos,
                         uint64_t bs)
{
    uint64_t unit = w->job->pattern.bs[di];
    uint64_t set = tio_rmap_set_nr(file_map(&w->next, g, di), pos / unit,
                                   (bs + unit - 1) / unit);
    if (!set || set * unit >= bs)
        return bs;
    if (w->features & TIO_WF_SEQUENCER)
        g->seq[di] = pos + set * unit;
    return set * unit;
}

/* A random job's IO under rw=randTYPE:N or percentage_random: its position
 * and whether its blocks are marked after; 0, or the turn (TURN_NONE, or
 * TURN_RANDOM / TURN_UNMARKED finding the map full) that ends the file. */
__attribute__((noinline)) static int sequenced_pos(struct worker *w, struct file_gen *g,
                                                   size_t fi, unsigned di, uint64_t bs,
                                                   uint64_t len, uint64_t *pos,
                                                   bool *mark_after)
{
    struct tio_next *n = &w->next;
    enum turn t = random_turn(w, g, fi, di, bs, len);
    if (t == TURN_NONE)
        return t;
    if (t == TURN_FOLLOW || t == TURN_REPEAT) {
        *pos = t == TURN_REPEAT ? g->last_start[di] : g->seq[di];
        return 0;
    }
    bool map = !w->job->pattern.norandommap, mark = t == TURN_RANDOM && !n->busy_ok;
    uint64_t block = map ? map_block(w, g, fi, di, mark) : draw_block(w, g, fi, di);
    if (block == TIO_RMAP_NONE)
        return t;
    *mark_after = map && mark && !n->map_simple;
    *pos = block * w->job->pattern.ba[di];
    return 0;
}

/* The IO chosen goes into io; what it writes is filled in or logged. */
static inline bool fill_io(struct worker *w, tio_io *io, uint32_t d, size_t fi, uint64_t pos,
                           uint64_t bs)
{
    const struct tio_region *r = &w->t->regions[fi];
    struct io_meta *m = tio_units_meta(w, io);
    io->ddir = d;
    io->offset = r->start + pos;
    io->len = bs;
    io->file = &w->h[fi].file;
    io->buf = m->buf;
    m->offset = io->offset;
    m->len = bs;
    m->file = (uint32_t)fi;
    /* As fio: the main phase of a job that also writes checks no reads
     * (they may meet blocks in flight or not yet written); its verify
     * phase reads back exactly the blocks written. */
    m->verify_read = tio_vlog_checks_reads(w) && d == TIO_READ;
    if (unlikely(m->verify_read && w->vlog.vs.loaded) &&
        tio_vstate_should_stop(w, (uint32_t)fi, io->offset))
        return false;
    if (d == TIO_WRITE) {
        if (w->features & TIO_WF_VERIFY) {
            tio_vlog_on_write(w, io, m, pos);
            if (unlikely(w->stop))
                return false; /* the block could not be filled: not written */
        } else {
            tio_units_on_write(w, io, io->offset);
        }
    } else if (unlikely(d == TIO_TRIM)) {
        tio_trim_issued(w, io, pos);
    }
    w->next.bytes_issued += bs;
    return true;
}

bool tio_next_fill(struct worker *w, tio_io *io, uint32_t d, size_t fi, uint64_t pos,
                   uint64_t bs)
{
    return fill_io(w, io, d, fi, pos, bs);
}

/* A sequential mix (rw=rw) whose direction reaches its file's end ends
 * fio's loop there, that IO not issued (fio's io_issues count it not):
 * the next loop starts both directions at the start, under randrepeat
 * with its draws and written data reseeded, and draws the direction
 * again (rw=rw loops=2 writes loop 1's data again, as fio). One file,
 * no verify, zones or file service: else the directions wrap alone. */
static bool mix_loop_end(struct worker *w, struct file_gen *g, uint64_t len)
{
    struct tio_next *n = &w->next;
    const struct tio_job *job = w->job;
    if (job->time.time_based || w->nf != 1 || job->pattern.rw_modifier ||
        (w->features & (TIO_WF_VERIFY | TIO_WF_ZONES | TIO_WF_ZBD | TIO_WF_FSERVICE |
                        TIO_WF_SEQ_BACK | TIO_WF_SEQUENCER | TIO_WF_TRIMWRITE)) ||
        len < job->pattern.max_bs[0] || len < job->pattern.max_bs[1])
        return false;
    n->issues[n->mix_dir]--;
    if (w->features & TIO_WF_IOS_LIMIT)
        n->ios_issued--;
    g->seq[0] = g->seq[1] = 0;
    tio_phase_invalidate(w, 0);
    tio_next_new_loop(w);
    return true;
}

/* Every file is used up: the pass, or the job's IO, is over. An IO whose
 * direction was drawn (drew: a sequential file found full after the draw)
 * was not issued, so fio's io_issues do not count it; where fio finds no
 * file at all it draws no direction (rw=randrw:2 with verify on the null
 * engine: the next pass's mix starts from the IOs issued). */
static bool files_all_used(struct worker *w, tio_io *io, uint64_t now, unsigned di, bool drew)
{
    struct tio_next *n = &w->next;
    enum tio_rw rw = w->job->pattern.rw;
    if (drew)
        n->issues[di] -= rw == TIO_RW_RANDRW || rw == TIO_RW_RW; /* not issued */
    if (w->features & TIO_WF_IOS_LIMIT)
        n->ios_issued--;
    if ((unlikely(w->features & TIO_WF_MAP_PASSES) && tio_passes_next(w)) ||
        (unlikely(w->features & TIO_WF_NO_END) && tio_noend_next_pass(w)))
        return tio_next_main(w, io, now); /* the next pass's first IO */
    n->bytes_total = n->bytes_issued;     /* the job's IO is over */
    return false;
}

bool tio_next_main(struct worker *w, tio_io *io, uint64_t now)
{
    const struct tio_job *job = w->job;
    struct tio_next *n = &w->next;
    if (unlikely(w->features & (TIO_WF_TRIMWRITE | TIO_WF_TRIM_VLOG))) {
        int t = tio_trim_before(w, io);
        if (t)
            return t > 0;
    }
    if (tio_phase_time_up(w, now))
        return false;
    if (unlikely(w->features & TIO_WF_REPLAY))
        return tio_replay_next(w, io, now);
    if (n->bytes_total && n->bytes_issued >= n->bytes_total)
        return false;
    if (unlikely(w->features & TIO_WF_IOS_LIMIT)) {
        /* number_ios: queued and in-flight IOs count, as in fio */
        if (n->ios_issued >= n->ios_total)
            return false;
        n->ios_issued++;
    }

    if (unlikely(w->features & TIO_WF_MIX_PASS))
        return tio_mixpass_io(w, io);
    if (unlikely(w->features & TIO_WF_MAP_LOOPS))
        loop_start(w);
    else if (unlikely(w->features & TIO_WF_MAP_PASSES) && !tio_passes_go_on(w))
        return false;
    /* fio finds no file (get_next_file) before it draws a direction */
    if (unlikely(n->until_used) && n->files_used_up == w->nf &&
        !(w->features & TIO_WF_FSERVICE))
        return files_all_used(w, io, now, 0, false);
    uint32_t d = pick_dir(w);
    if (unlikely(w->features & TIO_WF_RATE))
        d = tio_rate_dir(w, d);
    if (unlikely(w->features & TIO_WF_ZBD) && d == TIO_READ &&
        tio_zbd_read_as_write(w, n->next_file)) {
        /* as fio: with no data to read, a mixed job writes first (the
         * direction drawn keeps its turn, the write counts as one) */
        d = TIO_WRITE;
        n->issues[0]--;
        n->issues[1]++;
    }
    unsigned di = d != TIO_READ; /* trims: the write slot (trim.c) */
    /* The last IO stays whole, as fio issues it: fio stops once the bytes
     * issued reach the budget, not before it. */
    uint64_t bs = job->pattern.bs[di];
    size_t fi = n->next_file;
    if (unlikely(w->features & TIO_WF_FSERVICE))
        fi = tio_fservice_next(w, di, bs);
    else if (++n->next_file == w->nf)
        n->next_file = 0;
    if (unlikely(n->until_used)) {
        if (!(w->features & TIO_WF_FSERVICE))
            fi = next_unused_file(w, fi, di, bs);
        if (fi == w->nf)
            return files_all_used(w, io, now, di, true);
    }
    struct file_gen *g = &n->gen[fi];
    const struct tio_region *r = &w->t->regions[fi];
    uint64_t pos;
    bool mark_after = false; /* map_mark, once the size is known */
    if (unlikely(w->features & TIO_WF_ZONES))
        tio_zones_enter(w, fi, di);
    if (n->random) {
        if (unlikely(w->features & TIO_WF_SEQUENCER)) {
            int rc = sequenced_pos(w, g, fi, di, bs, r->len, &pos, &mark_after);
            if (unlikely(rc))
                return file_used_up(w, io, g, fi, di, rc != TURN_NONE, rc == TURN_RANDOM, now);
        } else {
            /* fio's generator and scaling, and its map: fio's offsets */
            bool map = !job->pattern.norandommap;
            uint64_t block = map ? map_block(w, g, fi, di, true) : draw_block(w, g, fi, di);
            if (unlikely(block == TIO_RMAP_NONE))
                return file_used_up(w, io, g, fi, di, true, true, now);
            mark_after = map && !n->map_simple;
            pos = block * job->pattern.ba[di];
        }
    } else {
        if (g->seq[di] + bs > r->len &&
            !((w->features & TIO_WF_NO_END) && tio_noend_room(w, fi, di, g->seq[di]))) {
            if (w->features & TIO_WF_NO_END) /* done, not wrapped */
                return file_used_up(w, io, g, fi, di, false, true, now);
            if (unlikely(job->pattern.rw_modifier) && seq_holes_end(w, g->seq[di], r->len)) {
                n->bytes_total = n->bytes_issued; /* the job's IO is over */
                if (w->features & TIO_WF_IOS_LIMIT)
                    n->ios_issued--;
                return false;
            }
            /* a sequential mix's loop ends here: the next loop's first IO */
            if (unlikely(job->pattern.rw == TIO_RW_RW) && mix_loop_end(w, g, r->len))
                return tio_next_main(w, io, now);
            g->seq[di] = 0; /* wrap: time_based, loops, or rw mixes */
            tio_phase_invalidate(w, fi);
            /* a new loop of a one-direction job draws its sizes and its
             * written data afresh, as fio reseeds under randrepeat */
            if (job->pattern.rw != TIO_RW_RW && !job->time.time_based &&
                tio_reseeds(&job->pattern)) {
                if (unlikely(w->features & TIO_WF_BS_VARY))
                    tio_bsz_setup(w);
                if (unlikely(w->units.content != NULL))
                    tio_bufill_reseed(w->units.content);
            }
        }
        pos = g->seq[di];
        g->seq[di] += bs + job->pattern.rw_modifier;
    }
    uint64_t end = r->len;
    if (unlikely(w->features & (TIO_WF_BS_VARY | TIO_WF_SEQ_BACK | TIO_WF_SEQUENCER))) {
        if (unlikely(w->features & TIO_WF_NO_END))
            end = tio_noend_len(w, fi);
        else if (g->fit_end)
            end = g->fit_end;
        bs = vary(w, g, di, pos, bs, end);
    }
    /* an IO cut at the region's end (or where its size had to fit); fio's
     * files without an end take it whole as it starts short of their
     * io_size */
    if (pos + bs > end && !(w->features & TIO_WF_NO_END))
        bs = end - pos;
    if (unlikely(w->features & TIO_WF_ZBD)) {
        /* the map marks the block drawn, with the IO's length in the zone */
        uint64_t drawn = pos;
        int z = tio_next_zbd_place(w, g, fi, d, &pos, &bs);
        if (z != 1)
            return z == TIO_NEXT_AGAIN ? tio_next_main(w, io, now) : false;
        if (unlikely(mark_after))
            bs = map_mark(w, g, di, drawn, bs);
        if (w->zbd.held)
            tio_zbd_issued(w, r->start + pos, bs);
    } else if (unlikely(mark_after)) {
        bs = map_mark(w, g, di, pos, bs);
    }
    if (unlikely(w->features & TIO_WF_ZONES) && !tio_zones_place(w, di, &pos, bs)) {
        if (w->features & TIO_WF_IOS_LIMIT)
            n->ios_issued--;
        /* a loop that reached the file's end: the next loop's first IO */
        return n->bytes_issued != n->bytes_total && tio_next_main(w, io, now);
    }

    return fill_io(w, io, d, fi, pos, bs);
}

/* An engine without files in one region (tio_host_job_nf), the whole
 * blocks of the nrfiles files size= is split into: the bytes of those
 * files, as fio splits them (the remainder to the first ones, a smallest
 * block each). */
static uint64_t files_share(const struct tio_job *job)
{
    uint64_t parts = job->files.nrfiles ? job->files.nrfiles : 1,
             each = job->files.size.bytes / parts;
    uint64_t align = 0;
    for (int d = 0; d < TIO_JOB_DDIR_COUNT; d++)
        if (job->pattern.bs[d] && (!align || job->pattern.bs[d] < align))
            align = job->pattern.bs[d];
    uint64_t extra = align ? (job->files.size.bytes - each * parts) / align : 0;
    return each * parts + (extra < parts ? extra : parts) * align;
}

static uint64_t rw_min_bs(const struct tio_job *job)
{
    uint64_t m = UINT64_MAX;
    for (int d = 0; d < TIO_JOB_DDIR_COUNT; d++)
        if (job->pattern.bs[d] && job->pattern.bs[d] < m)
            m = job->pattern.bs[d];
    return m == UINT64_MAX ? 4096 : m;
}

/* fio's map: one per file, in blocks of the smallest size of all three
 * directions. Where a direction's size differs from that, fio 3.33 looks
 * its map up in the direction's own block numbers and ends such jobs
 * early; tenon-io keeps a map per direction then, in its own blocks. */
static int map_init(struct worker *w, struct file_gen *g, uint64_t len)
{
    const struct tio_job *job = w->job;
    bool shared = w->next.map_of[1] == 0;
    for (int d = 0; d < (shared ? 1 : 2); d++) {
        uint64_t nbits = len / (shared ? rw_min_bs(job) : job->pattern.bs[d]);
        if (tio_rmap_init(&g->maps[d], nbits) < 0) {
            tio_worker_fail(w, ENOMEM,
                            "no memory for the random map of %" PRIu64 " blocks "
                            "(set norandommap=1)",
                            nbits);
            return -ENOMEM;
        }
    }
    return 0;
}

/* File i's share of the budget: its bytes from the region's start, or 0
 * where the budget keeps to the whole blocks (whole); an engine without
 * files in one region (merged) has the nrfiles files' bytes. */
static uint64_t file_share(const struct worker *w, size_t i, bool whole, bool merged)
{
    const struct tio_job *job = w->job;
    const struct tio_region *r = &w->t->regions[i];
    uint64_t share = whole || merged || w->t->sizes[i] < r->start ? 0
                                                                  : w->t->sizes[i] - r->start;
    if (!whole && merged)
        share = files_share(job);
    /* a file larger than filesize= keeps its IO to filesize (fio); one of
     * a range has its random size in whole blocks here */
    if (!w->t->engine.no_files && job->files.filesize_max &&
        share > job->files.filesize_max - r->start)
        share = job->files.filesize_max > r->start &&
                        job->files.filesize_min == job->files.filesize_max
                    ? job->files.filesize_max - r->start
                    : 0;
    return share;
}

/* Per file and direction, the blocks random IO starts on, and the budget. */
int tio_next_setup(struct worker *w)
{
    const struct tio_job *job = w->job;
    struct tio_next *n = &w->next;
    n->gen = calloc(w->nf ? w->nf : 1, sizeof(*n->gen));
    if (!n->gen)
        return -ENOMEM;
    n->random = tio_rw_is_random(job->pattern.rw);
    n->map_of[1] = job->pattern.bs[0] == job->pattern.bs[1] &&
                           job->pattern.bs[0] == rw_min_bs(job)
                       ? 0
                       : 1;
    /* fio's budget counts each file's share whole, the bytes past its
     * last whole block included (size=17k over 3 files of 512-byte blocks:
     * 17406 bytes, 34 writes where the blocks run out first at 33). Jobs
     * that verify keep to the whole blocks, pass by pass, where their files
     * run out (random writes without a map never do: fio's budget is size
     * then, verify or not). A percentage size= has shares in whole blocks
     * already. */
    bool verifies = job->verify.method != TIO_VERIFY_NONE;
    bool map = tio_rw_is_random(job->pattern.rw) && !job->pattern.norandommap;
    bool no_files = w->t->engine.no_files;
    /* Backward holes at least a block long (rw=write:-16k) never reach a
     * file's end: fio's files never run out, each loop ends at size. */
    bool back = job->pattern.rw_modifier && job->pattern.rw_backward &&
                !tio_rw_is_random(job->pattern.rw) &&
                job->pattern.rw_modifier >= job->pattern.max_bs[0] &&
                job->pattern.rw_modifier >= job->pattern.max_bs[1];
    bool whole_fio = (job->files.size.set && job->files.size.percent) ||
                     (no_files && (!job->files.size.set || job->files.filesize_min));
    bool whole_shares = (verifies && !back && (map || !tio_rw_is_random(job->pattern.rw))) ||
                        whole_fio;
    /* an engine without files in one region for its nrfiles files */
    bool merged = no_files && w->nf < job->files.nrfiles;
    const struct tio_job_pattern *pat = &job->pattern;
    /* random sizes drawn unaligned fit up to the file's io_size, past its
     * last whole block (fio's io_u_fits); with a map the IO keeps that
     * size, its last block's run reaching past the map's end (rmap.c) */
    bool unaligned_draws = tio_rw_is_random(pat->rw) && pat->bs_unaligned &&
                           (pat->min_bs[0] != pat->max_bs[0] ||
                            pat->min_bs[1] != pat->max_bs[1]);
    uint64_t whole = 0, shares = 0, fio_shares = 0;
    for (size_t i = 0; i < w->nf; i++) {
        const struct tio_region *r = &w->t->regions[i];
        uint64_t share = file_share(w, i, whole_shares, merged);
        uint64_t fio_share = whole_shares == whole_fio ? share
                                                       : file_share(w, i, whole_fio, merged);
        whole += r->len;
        shares += share > r->len ? share : r->len;
        fio_shares += fio_share > r->len ? fio_share : r->len;
        for (int d = 0; d < 2; d++) {
            uint64_t bs = job->pattern.bs[d] ? job->pattern.bs[d] : 4096;
            /* Random IO starts on multiples of ba (resolved to bs when not
             * given), and the last start still leaves room for a block. */
            uint64_t ba = job->pattern.ba[d] ? job->pattern.ba[d] : bs;
            uint64_t span = bs > ba ? (r->len > bs - ba ? r->len - (bs - ba) : 0) : r->len;
            n->gen[i].blocks[d] = span / ba ? span / ba : 1;
            n->gen[i].blocks_d[d] = (double)n->gen[i].blocks[d];
        }
        if (tio_rw_is_random(job->pattern.rw) && !job->pattern.norandommap &&
            map_init(w, &n->gen[i], r->len) < 0)
            return -ENOMEM;
        if (unaligned_draws && tio_file_io_len(w, i) > r->len)
            n->gen[i].fit_end = tio_file_io_len(w, i);
    }
    /* Loops, and passes to reach an io_size above size, run as one stream
     * here, where each of fio's starts afresh and ends when the files run
     * out or at size: at the shares where the files do not run out (random
     * IO without a map, or a sequential mix, a position per direction),
     * else at the whole blocks. */
    uint64_t loops = job->files.loops ? job->files.loops : 1;
    bool endless = tio_rw_is_random(job->pattern.rw) ? job->pattern.norandommap
                                                     : job->pattern.rw == TIO_RW_RW || back;
    /* files larger than their share of size= keep to size (fio) */
    if (job->files.size.set && !job->files.size.percent) {
        if (shares > job->files.size.bytes)
            shares = job->files.size.bytes > whole ? job->files.size.bytes : whole;
        if (fio_shares > job->files.size.bytes)
            fio_shares = job->files.size.bytes > whole ? job->files.size.bytes : whole;
    }
    n->size_bytes = fio_shares;
    uint64_t total = endless || loops == 1 ? shares : whole;
    uint64_t io_size = job->files.io_size.set ? tio_amount_bytes(&job->files.io_size, total)
                                              : total;
    /* A 0-byte region or IO size would have the IO loop spin on 0-byte IOs
     * (bytes_total 0 means "no limit"): refuse it here, once. */
    for (size_t i = 0; i < w->nf; i++)
        if (!w->t->regions[i].len) {
            bool one = merged || !w->t->n_files;
            const char *what = one ? "the job" : w->t->names[i];
            if (job->clone && job->files.offset_increment.set)
                /* fio refuses such a clone too ("blocksize is larger than
                 * data set range"), the others run */
                tio_worker_fail(w, EINVAL,
                                "clone %u starts at offset %" PRIu64 " (offset + %u x "
                                "offset_increment), which leaves %s%s less than a block to "
                                "do IO on (set a lower offset_increment or numjobs, or a "
                                "larger size or filesize)",
                                job->clone, w->t->regions[i].start, job->clone,
                                one ? "" : "file ", what);
            else
                tio_worker_fail(w, EINVAL,
                                "%s%s has 0 bytes to do IO on (check size, offset and "
                                "filesize)",
                                one ? "" : "file ", what);
            return -EINVAL;
        }
    if (!io_size && !job->time.time_based) {
        tio_worker_fail(w, EINVAL,
                        "io_size comes out as 0 bytes of a %" PRIu64 "-byte region "
                        "(raise io_size or size)",
                        total);
        return -EINVAL;
    }
    /* fio's IO loop stops a pass at size bytes (random writes without a
     * random map excepted); with do_verify=0 and one loop its files stay
     * done over the passes, so one pass here, where the files run out at
     * size (random IO runs fio's passes in map_passes.c instead). */
    bool overwrites = tio_rw_writes(job->pattern.rw) && tio_rw_is_random(job->pattern.rw) &&
                      job->pattern.norandommap;
    n->pass_bytes = overwrites && io_size > total ? io_size : total;
    n->io_limit = io_size;
    if (!job->verify.do_verify && loops == 1 && !job->time.time_based &&
        io_size > n->pass_bytes)
        io_size = n->pass_bytes;
    n->loop_bytes = io_size;
    uint64_t loops_bytes = UINT64_MAX;
    if (loops > 1 && !job->time.time_based) {
        /* Each of fio's loops ends when its files run out (or at size);
         * once the loops are done, passes go on while the bytes done fall
         * short of io_size by a block or more. */
        uint64_t pass = n->pass_bytes, maxbs = job->pattern.bs[0] > job->pattern.bs[1]
                                                   ? job->pattern.bs[0]
                                                   : job->pattern.bs[1];
        if (!__builtin_mul_overflow(pass, loops, &loops_bytes) && loops_bytes < io_size &&
            io_size - loops_bytes >= maxbs) {
            uint64_t more = (io_size - maxbs - loops_bytes) / pass + 1;
            if (__builtin_mul_overflow(more, pass, &more) ||
                __builtin_add_overflow(loops_bytes, more, &loops_bytes))
                loops_bytes = UINT64_MAX;
        }
        if (io_size > pass)
            n->loop_bytes = pass;
    }
    if (!job->time.time_based && __builtin_mul_overflow(io_size, loops, &n->bytes_total)) {
        tio_worker_fail(w, EINVAL,
                        "io_size (%" PRIu64 " bytes) x loops (%" PRIu64 ") is more "
                        "than 2^64-1 bytes (the maximum is %" PRIu64 " loops; lower loops or "
                        "io_size)",
                        io_size, loops, UINT64_MAX / io_size);
        return -EINVAL;
    }
    if (job->time.time_based || w->t->engine.no_io)
        n->bytes_total = 0; /* no byte limit */
    else if (loops_bytes < n->bytes_total)
        n->bytes_total = loops_bytes;
    /* Files running out end the job only where fio's do: not in time_based
     * jobs (they start over) nor across loops (each loop starts afresh). */
    /* Sequential IO with holes (rw=write:4k) wraps at a file's end in fio
     * too: its files do not run out. */
    /* With IOs of several sizes a file can be done short of its share:
     * sequential IO reaches its end while another file has bytes left,
     * random IO finds every block of its map done (an unaligned IO marks
     * its last block whole, an IO is cut at blocks done). fio's file is
     * done then, and so is a job without io_size once they all are
     * (bsrange=512-16k blocksize_unaligned filesize=592k: 593438 bytes). */
    bool sizes_end = n->bytes_total && !job->files.io_size.set &&
                     !(tio_rw_is_random(job->pattern.rw) && job->pattern.norandommap) &&
                     (job->pattern.min_bs[0] != job->pattern.max_bs[0] ||
                      job->pattern.min_bs[1] != job->pattern.max_bs[1]);
    /* IO that follows on (rw=randTYPE:N, percentage_random) ends a file
     * whose region ends inside it (clones placed by offset_increment) where
     * it reaches the region's end, as fio's offset at io_size does */
    bool follows = tio_rw_is_random(job->pattern.rw) && !no_files &&
                   (job->pattern.rw_modifier > 1 || job->pattern.perc_rand[0] < 100 ||
                    job->pattern.perc_rand[1] < 100);
    /* a sync every N writes takes a file's turn, so over several files
     * one map fills first: fio's file is done then and the others take
     * its turns (rw=randrw nrfiles=3 fsync=2: the direction drawn in each
     * turn falls on another file), not a new pass over every file */
    bool turns_fill = map && w->nf > 1 && (job->durability.fsync || job->durability.fdatasync);
    bool inside = false;
    for (size_t i = 0; follows && i < w->nf; i++)
        inside = inside || w->t->sizes[i] > w->t->regions[i].start + w->t->regions[i].len;
    /* A job that verifies has its budget at the whole blocks, yet a file
     * can fill before the others (a sync takes a file's turn): fio's file
     * whose map is full is done then, its blocks not written over (the
     * verify phase reads back every block written). Here one pass, one
     * stream; a job with a verify phase runs fio's passes, each one so
     * (tio_next_verify_pass decides, once the features are known). */
    bool verify_ends = verifies && map && !job->time.time_based;
    /* without a map too, where IO that follows on ends a file at its
     * region's end: fio's pass ends there and its verify phase runs */
    n->verify_files = (verify_ends ||
                       (verifies && follows && inside && !job->time.time_based)) &&
                      job->verify.do_verify;
    n->until_used = loops == 1 && n->bytes_total <= total &&
                    (verify_ends ||
                     (!verifies &&
                      (n->bytes_total > whole || sizes_end || (follows && inside) ||
                       turns_fill) &&
                      (tio_rw_is_random(job->pattern.rw) || !job->pattern.rw_modifier)));
    if (job->pattern.rw_modifier && job->pattern.rw_backward &&
        !tio_rw_is_random(job->pattern.rw))
        w->features |= TIO_WF_SEQ_BACK;
    /* rw=randTYPE:N and percentage_random share one path, and fio's seeds */
    n->seq_left = 1; /* fio's first IO takes a random offset */
    bool sometimes = job->pattern.perc_rand[0] < 100 || job->pattern.perc_rand[1] < 100;
    if ((job->pattern.rw_modifier > 1 || sometimes) && tio_rw_is_random(job->pattern.rw)) {
        w->features |= TIO_WF_SEQUENCER;
    }
    reseed_draws(w);
    if (tio_rw_is_random(job->pattern.rw) && !job->pattern.norandommap &&
        !job->time.time_based && !n->until_used)
        w->features |= TIO_WF_MAP_LOOPS;
    /* the map's blocks are the IOs' own: one bit per IO */
    n->map_simple = true;
    for (int d = 0; d < 2; d++)
        n->map_simple = n->map_simple && job->pattern.bs[d] == rw_min_bs(job) &&
                        job->pattern.ba[d] == job->pattern.bs[d] &&
                        job->pattern.min_bs[d] == job->pattern.bs[d] &&
                        job->pattern.max_bs[d] == job->pattern.bs[d];
    /* number_ios counts over all loops and, as in fio, not in time_based jobs */
    if (job->files.number_ios && !job->time.time_based) {
        n->ios_total = job->files.number_ios > UINT64_MAX / loops
                           ? UINT64_MAX
                           : job->files.number_ios * loops;
        w->features |= TIO_WF_IOS_LIMIT;
    }
    return 0;
}

void tio_next_teardown(struct worker *w)
{
    for (size_t i = 0; w->next.gen && i < w->nf; i++)
        for (int d = 0; d < 2; d++)
            tio_rmap_free(&w->next.gen[i].maps[d]);
    free(w->next.gen);
    w->next.gen = NULL;
}

/* Loops that end with a sync run one at a time: the budget of one loop. A
 * time_based job (no byte limit) stays one stream, and so does random IO
 * without a map where fio counts no bytes per pass (a synchronous engine,
 * offload's): it never runs out of blocks, so fio's first loop does every
 * loop's IO, its sync at the end, and the loops after it find none left. */
void tio_next_per_loop(struct worker *w)
{
    const struct tio_job_pattern *p = &w->job->pattern;
    if ((w->features & (TIO_WF_SYNC_ENGINE | TIO_WF_OFFLOAD)) && tio_rw_is_random(p->rw) &&
        p->norandommap) {
        w->next.one_loop = true;
        return;
    }
    if (w->next.bytes_total)
        w->next.bytes_total = w->next.loop_bytes;
}

/* Another loop's budget; false when there is none to add (no byte limit,
 * loops as one, or number_ios spent). */
bool tio_next_add_loop(struct worker *w)
{
    struct tio_next *n = &w->next;
    if (!n->bytes_total || n->one_loop || (n->ios_total && n->ios_issued >= n->ios_total))
        return false;
    n->bytes_total += n->loop_bytes;
    return true;
}

bool tio_next_has_more(const struct worker *w)
{
    const struct tio_next *n = &w->next;
    if (w->trim.pending)
        return true;
    if (n->bytes_total && n->bytes_issued >= n->bytes_total)
        return false;
    return !(w->features & TIO_WF_IOS_LIMIT) || n->ios_issued < n->ios_total;
}

/* Random IO under a map that verifies, pass by pass as fio's thread loop
 * runs it: a file is done for the pass once its map is full, and the pass
 * once every file is (a sync takes a file's turn, so one file can fill
 * before the others: it is not written over); each pass does at most size
 * bytes, fio's size (the bytes past the files' last whole blocks
 * included), and io_size or size is the budget the passes after the loops
 * are measured against. The features that choose files or blocks their
 * own way keep to the maps that start over (TIO_WF_MAP_LOOPS). */
static void verify_files_setup(struct worker *w)
{
    const struct tio_job *job = w->job;
    struct tio_next *n = &w->next;
    unsigned others = TIO_WF_FSERVICE | TIO_WF_ZONES | TIO_WF_ZBD | TIO_WF_REPLAY |
                      TIO_WF_TRIMWRITE | TIO_WF_TRIM_VLOG | TIO_WF_NO_END | TIO_WF_MAP_PASSES;
    if ((w->features & others) || job->pattern.random_generator == TIO_RAND_LFSR ||
        !n->bytes_total || (job->files.io_size.set && job->files.io_size.percent)) {
        n->verify_files = false;
        return;
    }
    n->until_used = true;
    w->features &= ~(unsigned)TIO_WF_MAP_LOOPS;
    /* where fio counts no bytes per pass (a synchronous engine, offload's)
     * only the maps end it: IO that follows on, unmarked, writes past size */
    n->pass_bytes = w->features & (TIO_WF_SYNC_ENGINE | TIO_WF_OFFLOAD) ? UINT64_MAX
                                                                        : n->size_bytes;
    n->io_limit = job->files.io_size.set ? job->files.io_size.bytes : n->size_bytes;
}

/* A new pass of fio's (clear_io_state, the files reopened): every map
 * empty, the positions at the files' starts, no file used up, and the
 * distributions' state as a new pass has it. */
void tio_next_files_afresh(struct worker *w)
{
    struct tio_next *n = &w->next;
    for (size_t fi = 0; fi < w->nf; fi++) {
        struct file_gen *g = &n->gen[fi];
        for (unsigned d = 0; d <= n->map_of[1]; d++)
            tio_rmap_reset(&g->maps[d]);
        for (int d = 0; d < 2; d++)
            g->seq[d] = g->last_start[d] = 0;
        g->used_up = false;
        if (w->features & TIO_WF_RAND_DIST)
            tio_rdist_new_pass(w, fi, tio_reseeds(&w->job->pattern));
    }
}

/* The new pass's draws: reseeded under randrepeat; otherwise the draw
 * taken ahead, if any, is the pass's first (a pass that ended before its
 * maps filled made no draw that found one full). */
void tio_next_pass_draws(struct worker *w)
{
    bool ahead = w->next.ahead;
    tio_next_new_loop(w);
    w->next.ahead = ahead && !tio_reseeds(&w->job->pattern);
}

/* fio's clear_io_state after the verify phase: no file is done
 * (do_verify counts them anew). */
static void verify_files_pass(struct worker *w)
{
    tio_next_files_afresh(w);
    w->next.files_used_up = 0;
    tio_next_pass_draws(w);
}

/* As fio's thread loop with verify: each pass writes at most size bytes
 * (pass_bytes) and its verify phase reads them back; the main phases' IO
 * stays within io_size x loops (fio counts no verify read there, a mixed
 * job's neither: randrw loops=2 does two whole passes). Passes run loops
 * times, then on while the bytes done, verify reads included, are short
 * of io_size by the largest block size or more (size=147k io_size=852k
 * bs=1k: three passes of 147 writes and 147 verify reads). */
bool tio_next_verify_pass(struct worker *w, unsigned pass)
{
    const struct tio_job *job = w->job;
    struct tio_next *n = &w->next;
    if (w->features & TIO_WF_IOS_LIMIT) {
        /* fio's number_ios counts the verify phases' reads too (its
         * io_blocks): what they read leaves fewer IOs to the next pass */
        uint64_t reads = w->vlog.read_ios - n->ios_verify_counted;
        n->ios_verify_counted = w->vlog.read_ios;
        n->ios_total = n->ios_total - n->ios_issued > reads ? n->ios_total - reads
                                                            : n->ios_issued;
    }
    if (unlikely(w->features & TIO_WF_MIX_PASS))
        return pass == 1 || tio_mixpass_next_pass(w);
    if (pass == 1 && n->verify_files)
        verify_files_setup(w);
    unsigned loops = job->files.loops ? job->files.loops : 1;
    uint64_t verified = w->vlog.read_bytes;
    if (w->filled || (n->ios_total && n->ios_issued >= n->ios_total))
        return false; /* fill_device: no space for another pass */
    if (pass > loops) {
        uint64_t done = n->bytes_issued + verified, bs = 0;
        for (int d = 0; d < TIO_JOB_DDIR_COUNT; d++) /* fio's td_max_bs */
            bs = job->pattern.max_bs[d] > bs ? job->pattern.max_bs[d] : bs;
        if (done >= n->io_limit || n->io_limit - done < bs)
            return false;
    }
    /* fio counts no verify read against io_size x loops (IO_U_F_VER_LIST) */
    uint64_t issued = n->bytes_issued;
    uint64_t limit = n->io_limit > UINT64_MAX / loops ? UINT64_MAX : n->io_limit * loops;
    if (issued >= limit)
        return false;
    uint64_t left = limit - issued, pass_bytes = n->pass_bytes;
    bool no_map = tio_rw_is_random(job->pattern.rw) && job->pattern.norandommap;
    /* fio ends a pass at size only where it counts the bytes an engine
     * queues; random IO without a map never runs out of blocks, so on a
     * synchronous engine (or offload's) its first pass does every loop's
     * bytes, and one verify phase reads back all of them */
    if (no_map && (w->features & (TIO_WF_SYNC_ENGINE | TIO_WF_OFFLOAD)))
        pass_bytes = UINT64_MAX;
    /* each later pass starts afresh (fio's clear_io_state): under
     * randrepeat the same offsets and sizes again; a map starts its own
     * pass as it fills (verify_files_pass starts the passes of files
     * that end) */
    if (pass > 1 && no_map && !n->verify_files) {
        if (w->features & TIO_WF_RAND_DIST)
            for (size_t i = 0; i < (w->nf ? w->nf : 1); i++)
                tio_rdist_new_pass(w, i, tio_reseeds(&job->pattern));
        tio_next_new_loop(w);
    }
    if (pass > 1 && n->verify_files)
        verify_files_pass(w);
    n->bytes_total = n->bytes_issued + (left < pass_bytes ? left : pass_bytes);
    return true;
}
