/* fio's random, compressible and deduplicable write data (buffer_fill.h),
 * drawn as fio 3.33 draws it so that the same job and seed write the same bytes:
 * a seed per region from the job's buffer stream (fio's buf_state, seeded
 * from FIO_RAND_BUF_OFF), each seed spread over the region by four
 * multiplicative hashes (fio's default of four seed buckets), and the
 * dedupe draws from their own streams (FIO_DEDUPE_OFF and
 * FIO_RAND_DEDUPE_WORKING_SET_IX). */
#include "buffer_fill.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "rand_gen.h"
#include "worker.h"

#define GOLDEN_RATIO_64 UINT64_C(0x61C8864680B583EB)
#define SEED_BUCKETS 4

struct tio_bufill {
    struct tio_frand buf;  /* fio's buf_state: the seeds of unique data */
    struct tio_frand prev; /* buf_state_prev: where the last unique write ended */
    struct tio_frand ret;  /* buf_state_ret: the copy a repeated write draws from */
    struct tio_frand dedupe;
    struct tio_frand ws_index;
    struct tio_frand *ws; /* the working set's states (dedupe_mode=working_set) */
    uint64_t ws_n;
    uint64_t seeds[3]; /* buf, dedupe and working-set index seeds, for reseeding */
    bool use64;
    unsigned compress;
    unsigned dedupe_pct;
    bool working_set;
    uint64_t chunk;     /* compress chunk; 0: the write */
    uint64_t min_write; /* the smallest write's size (fio's min_bs[WRITE]) */
    const uint8_t *pattern;
    size_t pattern_len;
};

bool tio_bufill_wanted(const struct worker *w)
{
    const struct tio_job_buffers *b = &w->job->buffers;
    return (b->compress_percentage || b->dedupe_percentage || tio_bufill_plain_wanted(w)) &&
           tio_rw_writes(w->job->pattern.rw) && !(w->features & TIO_WF_VERIFY);
}

bool tio_bufill_plain_wanted(const struct worker *w)
{
    const struct tio_job_buffers *b = &w->job->buffers;
    return !b->compress_percentage && !b->dedupe_percentage && !b->zero_buffers &&
           !(b->buffer_pattern && b->buffer_pattern_len);
}

/* Two draws multiplied: fio's seed of one region on a 64-bit host. */
static uint64_t next_seed(struct tio_frand *r)
{
    uint64_t v = tio_frand_next(r);
    return v * tio_frand_next(r);
}

/* Words from the seed and its successive hashes; a tail shorter than a
 * word takes the first bytes of the next. */
static void fill_small(uint8_t *b, uint64_t len, uint64_t seed)
{
    for (; len >= 8; len -= 8, b += 8) {
        memcpy(b, &seed, 8);
        seed *= GOLDEN_RATIO_64;
    }
    if (len)
        memcpy(b, &seed, len);
}

/* fio's random fill: interleaved streams from seed times the first primes,
 * then what does not fill a whole round from the first stream. */
static void fill_random(uint8_t *b, uint64_t len, uint64_t seed)
{
    static const uint64_t prime[SEED_BUCKETS] = {1, 2, 3, 5};
    uint64_t s[SEED_BUCKETS];
    uint64_t rounds = len / 8 / SEED_BUCKETS;

    for (int p = 0; p < SEED_BUCKETS; p++)
        s[p] = seed * prime[p];
    for (uint64_t i = 0; i < rounds; i++, b += 8 * SEED_BUCKETS) {
        for (int p = 0; p < SEED_BUCKETS; p++) {
            memcpy(b + 8 * p, &s[p], 8);
            s[p] *= GOLDEN_RATIO_64;
        }
    }
    fill_small(b, len - rounds * 8 * SEED_BUCKETS, s[0]);
}

/* The fixed part: buffer_pattern from its first byte, or zeros. */
static void fill_fixed(const struct tio_bufill *f, uint8_t *b, uint64_t len)
{
    if (!f->pattern_len) {
        memset(b, 0, len);
        return;
    }
    for (uint64_t i = 0; i < len; i += f->pattern_len)
        memcpy(b + i, f->pattern, len - i < f->pattern_len ? len - i : f->pattern_len);
}

/* One region: (100 - compress)% random, the rest fixed (fio's
 * __fill_random_buf_percentage with a segment as long as the region). */
static void fill_region(const struct tio_bufill *f, uint8_t *b, uint64_t len, uint64_t seed)
{
    uint64_t random = len * (100 - f->compress) / 100;

    fill_random(b, random, seed);
    fill_fixed(f, b + random, len - random);
}

/* Where a write's seeds come from: the unique stream, or a copy of an
 * earlier state when the dedupe draw says this write repeats one (fio's
 * get_buf_state). */
static struct tio_frand *write_state(struct tio_bufill *f)
{
    if (!f->dedupe_pct)
        return &f->buf;
    if (f->dedupe_pct == 100) {
        f->prev = f->buf;
        return &f->buf;
    }
    if (tio_frand_between(&f->dedupe, 1, 100) > f->dedupe_pct)
        return &f->buf;
    if (f->working_set)
        f->ret = f->ws[tio_frand_between(&f->ws_index, 0, f->ws_n - 1)];
    else
        f->ret = f->prev;
    return &f->ret;
}

/* After each region (fio's save_buf_state): 100% dedupe rewinds to the
 * same seed; a unique write marks where the next repeat starts. */
static void region_done(struct tio_bufill *f, struct tio_frand *rs)
{
    if (f->dedupe_pct == 100)
        *rs = f->prev;
    else if (rs == &f->buf)
        f->prev = f->buf;
}

void tio_bufill_fill(struct tio_bufill *f, uint8_t *buf, uint64_t len)
{
    if (!f->compress && !f->dedupe_pct) {
        /* fio's fill_random_buf: one seed for the whole write */
        fill_random(buf, len, next_seed(&f->buf));
        return;
    }
    struct tio_frand *rs = write_state(f);
    uint64_t min_write = f->min_write;

    while (len) {
        if (min_write > len)
            min_write = len;
        uint64_t n = f->chunk && f->chunk < min_write ? f->chunk : min_write;
        fill_region(f, buf, n, next_seed(rs));
        buf += n;
        len -= n;
        region_done(f, rs);
    }
}

/* fio's init_dedupe_working_set_seeds: the state before each of the
 * first blocks the job writes (a block draws one seed per region), or
 * with dedupe_global the other jobs' first blocks in turn. */
static int working_set(struct tio_bufill *f, struct worker *w)
{
    const struct tio_job *job = w->job;
    const struct tio_host *host = w->t->host;
    uint64_t size = job->files.size.bytes;
    uint64_t n = (uint64_t)((unsigned __int128)size *
                            job->buffers.dedupe_working_set_percentage / 100 / f->min_write);
    uint64_t steps = f->min_write /
                     (f->chunk && f->chunk < f->min_write ? f->chunk : f->min_write);
    uint64_t per_job = host->n_threads && n / host->n_threads ? n / host->n_threads : 1;
    size_t next_job = job->index;

    f->ws = calloc(n ? n : 1, sizeof(*f->ws));
    if (!f->ws) {
        tio_worker_fail(w, ENOMEM,
                        "the dedupe working set's %llu seeds (%llu MiB) do not fit in memory: "
                        "lower dedupe_working_set_percentage or size, or raise bs",
                        (unsigned long long)n,
                        (unsigned long long)((n * sizeof(*f->ws)) >> 20));
        return -1;
    }
    f->ws_n = n;
    struct tio_frand s = f->buf;
    f->ws[0] = s;
    for (uint64_t i = 1; i < n; i++) {
        for (uint64_t j = 0; j < steps; j++)
            next_seed(&s);
        if (job->buffers.dedupe_global && i % per_job == 0) {
            const struct tio_job *other = host->threads[++next_job % host->n_threads].job;
            uint64_t seeds[TIO_FSEED_COUNT];
            tio_fseeds(other, seeds);
            tio_frand_seed(&s, seeds[TIO_FSEED_BUF],
                           other->pattern.random_generator == TIO_RAND_TAUSWORTHE64);
        }
        f->ws[i] = s;
    }
    return 0;
}

void tio_bufill_reseed(struct tio_bufill *f)
{
    tio_frand_seed(&f->buf, f->seeds[0], f->use64);
    f->prev = f->buf;
    tio_frand_seed(&f->dedupe, f->seeds[1], false);
    tio_frand_seed(&f->ws_index, f->seeds[2], f->use64);
}

struct tio_bufill *tio_bufill_new(struct worker *w)
{
    const struct tio_job *job = w->job;
    struct tio_bufill *f = calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    f->use64 = job->pattern.random_generator == TIO_RAND_TAUSWORTHE64;
    f->seeds[0] = w->fseeds[TIO_FSEED_BUF];
    f->seeds[1] = w->fseeds[TIO_FSEED_DEDUPE];
    f->seeds[2] = w->fseeds[TIO_FSEED_DEDUPE_WS];
    tio_bufill_reseed(f);
    f->compress = job->buffers.compress_percentage;
    f->dedupe_pct = job->buffers.dedupe_percentage;
    f->chunk = job->buffers.compress_chunk;
    f->min_write = job->pattern.min_bs[TIO_JOB_DDIR_WRITE];
    f->pattern = job->buffers.buffer_pattern;
    f->pattern_len = f->pattern ? job->buffers.buffer_pattern_len : 0;
    f->working_set = f->dedupe_pct && job->buffers.dedupe_mode == TIO_DEDUPE_WORKING_SET;
    if (f->working_set && working_set(f, w) != 0) {
        tio_bufill_free(f);
        return NULL;
    }
    return f;
}

void tio_bufill_free(struct tio_bufill *f)
{
    if (f)
        free(f->ws);
    free(f);
}
