/* verify: each write carries a header and data derived from the job's
 * seed and the write's number; a log per file remembers the last write to
 * each block of the write size, so the verify phase reads back exactly the
 * blocks written and knows what each must hold. Writes that vary in size
 * (bsrange, bssplit, bs_unaligned) or leave the grid (sequential gaps) are
 * logged as extents instead, each read back with its own length, as fio's
 * io_piece log (verify_extents.c). A read-only job checks what it reads as
 * it goes, as fio. */
#include "worker.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VERIFY_REPORTS 10

int tio_vlog_setup(struct worker *w)
{
    const struct tio_job *job = w->job;
    struct tio_vlog *v = &w->vlog;
    tio_verify_params_init(&v->vp, job);
    v->vp.aux_path = w->t->host->plan->program.aux_path;
    if (job->verify.method == TIO_VERIFY_NONE)
        return 0;
    w->features |= TIO_WF_VERIFY;
    v->main_reads = !tio_rw_writes(job->pattern.rw);
    /* As fio: a time_based job that only writes spends all its runtime
     * writing, so its verify phase could never start; it is skipped, and
     * said so, instead of running past the runtime. */
    v->phase_skipped = job->time.time_based && job->time.runtime && job->verify.do_verify &&
                       tio_rw_writes(job->pattern.rw) && !tio_rw_reads(job->pattern.rw);
    /* verify_backlog checks along the way: fio says nothing then. */
    if (v->phase_skipped && job->clone == 0 && !job->verify.verify_backlog)
        fprintf(stderr,
                "tenon-io: job %s: the verify phase never starts: a time_based job "
                "that only writes spends all of runtime writing (verify headers are still "
                "written; read them back with a verify job of rw=read)\n",
                job->identity.name);
    /* Another job's or run's blocks carry other seeds: a write that never
     * reached the storage shows as a bad rand_seed. */
    v->seed = tio_verify_write_seed(w->seed, tio_verify_job_hash(job->identity.name));
    if (!tio_rw_writes(job->pattern.rw))
        return tio_vstate_setup(w);
    v->dry = job->verify.verify_only;
    /* As fio: do_verify=0 logs no write, so the backlog has none to check */
    if (job->verify.verify_backlog && job->verify.do_verify && !v->dry &&
        tio_vlog_backlog_setup(w))
        return -ENOMEM;
    int rc = tio_vstate_setup(w);
    if (rc)
        return rc;
    v->next_block = calloc(w->nf ? w->nf : 1, sizeof(*v->next_block));
    if (!v->next_block)
        return -ENOMEM;
    /* Nothing will read the log back (do_verify=0): none is kept, as fio
     * logs no io_piece then. */
    if (!job->verify.do_verify && !v->bl.on)
        return 0;
    if (tio_verify_uses_extents(job, TIO_JOB_DDIR_WRITE)) {
        v->ext = calloc(w->nf ? w->nf : 1, sizeof(*v->ext));
        if (!v->ext)
            return -ENOMEM;
        for (size_t i = 0; i < w->nf; i++)
            tio_vext_clear(&v->ext[i]);
        return tio_vlist_setup(w);
    }
    v->written = calloc(w->nf ? w->nf : 1, sizeof(*v->written));
    if (!v->written)
        return -ENOMEM;
    for (size_t i = 0; i < w->nf; i++) {
        uint64_t blocks = w->t->regions[i].len / job->pattern.bs[TIO_DDIR_WRITE] + 1;
        v->written[i] = calloc(blocks, sizeof(*v->written[i]));
        if (!v->written[i])
            return -ENOMEM;
    }
    return tio_vlist_setup(w);
}

void tio_vlog_teardown(struct worker *w)
{
    struct tio_vlog *v = &w->vlog;
    for (size_t i = 0; v->written && i < w->nf; i++)
        free(v->written[i]);
    free(v->written);
    for (size_t i = 0; v->ext && i < w->nf; i++)
        tio_vext_free(&v->ext[i]);
    free(v->ext);
    v->ext = NULL;
    tio_vlist_free(&v->list);
    free(v->next_block);
    free(v->bl.ring);
    v->bl.ring = NULL;
    tio_vstate_teardown(w);
    v->written = NULL;
    v->next_block = NULL;
}

bool tio_vlog_phase_due(const struct worker *w)
{
    return (w->features & TIO_WF_VERIFY) && w->job->verify.do_verify &&
           !w->vlog.phase_skipped && ((w->vlog.written && w->vlog.written[0]) || w->vlog.ext);
}

/* fio verifies after each pass what that pass wrote: a new pass starts
 * with an empty log. */
void tio_vlog_new_pass(struct worker *w)
{
    struct tio_vlog *v = &w->vlog;
    if (!v->written && !v->ext)
        return;
    uint64_t bs = w->job->pattern.bs[TIO_DDIR_WRITE];
    for (size_t i = 0; i < w->nf; i++) {
        if (v->ext)
            tio_vext_clear(&v->ext[i]);
        else
            memset(v->written[i], 0, (w->t->regions[i].len / bs + 1) * sizeof(*v->written[i]));
        v->next_block[i] = 0;
    }
    v->file = 0;
    v->list.len = v->list.next = 0;
    v->bl.len = v->bl.head = 0;
    v->bl.batch_left = 0;
    w->phase.backlog = false;
}

/* Fills the write just chosen and records it: fixed-size writes start on
 * the write-size grid, so one entry per block holds the last write there;
 * other writes go into the log of extents. Either way the verify phase
 * knows each one's seed and number. */
void tio_vlog_write(struct worker *w, tio_io *io, struct io_meta *m, uint64_t pos)
{
    struct tio_vlog *v = &w->vlog;
    uint32_t n = v->writes;
    /* verify=null writes the job's own data: nothing is checked; a dry
     * run writes nothing. */
    if (v->vp.m->type != TIO_VERIFY_NULL && !v->dry &&
        !tio_verify_fill(io->buf, io->len, &v->vp, io->offset,
                         tio_verify_write_seed(v->seed, n), (uint16_t)n))
        tio_worker_fail(w, EINVAL,
                        "a write of %" PRIu64 " bytes at offset %" PRIu64
                        " cannot hold a verify header and data",
                        io->len, io->offset);
    uint32_t *log = v->written ? v->written[m->file] : NULL;
    m->verify_write = ++v->writes; /* 0 after 2^32 writes: that one goes unchecked */
    m->verify_read = v->bl.on || v->vs.saving; /* its completion is logged */
    if (log) {
        uint64_t b = pos / w->job->pattern.bs[TIO_DDIR_WRITE];
        bool again = log[b] != 0;
        log[b] = m->verify_write;
        if (unlikely(w->features & TIO_WF_TRIM_VLOG))
            tio_trim_logged(w, m->file, b, m->verify_write, again);
    } else if (v->ext && tio_vext_put(&v->ext[m->file], pos, io->len, m->verify_write) < 0) {
        tio_worker_fail(w, ENOMEM, "verify: no memory to log the extents written");
    }
    if (unlikely(v->list.on))
        tio_vlist_push(w, m->file, pos, io->len, m->verify_write);
}

/* A write that failed (and continue_on_error let the job go on) wrote
 * nothing that verify could check: forget it, as fio's unlog_io_piece,
 * unless a later write to the block took its place. */
void tio_vlog_unmark(struct worker *w, const struct io_meta *m)
{
    uint64_t pos = m->offset - w->t->regions[m->file].start;
    if (w->vlog.list.on && m->verify_write)
        tio_vlist_drop(&w->vlog.list, m->verify_write);
    if (m->verify_write && tio_vlog_current(w, m->file, pos, m->verify_write))
        tio_vlog_forget(w, m->file, pos, m->verify_write);
}

bool tio_vlog_current(const struct worker *w, uint32_t fi, uint64_t pos, uint32_t num)
{
    const struct tio_vlog *v = &w->vlog;
    if (v->ext)
        return tio_vext_holds(&v->ext[fi], pos, num);
    return v->written && v->written[fi][pos / w->job->pattern.bs[TIO_DDIR_WRITE]] == num;
}

void tio_vlog_forget(struct worker *w, uint32_t fi, uint64_t pos, uint32_t num)
{
    struct tio_vlog *v = &w->vlog;
    if (v->ext)
        tio_vext_drop(&v->ext[fi], pos, num);
    else
        v->written[fi][pos / w->job->pattern.bs[TIO_DDIR_WRITE]] = 0;
}

/* As fio's do_dry_run: the writes a run would do, each logged, up to the
 * job's size; nothing is submitted. fio counts them as done (its report
 * shows the writes): so are they here, IOs and bytes, without latencies. */
void tio_vlog_dry_run(struct worker *w)
{
    tio_io *io = tio_units_io(w, 0);
    uint64_t now = tio_now_ns(), size = w->job->files.size.bytes;
    while (!tio_halted(w) && (!size || tio_next_bytes_issued(w) < size) &&
           tio_next_main(w, io, now)) {
        enum tio_ddir d = tio_stats_dir(io->ddir);
        w->js->dir[d].ios++;
        w->js->dir[d].bytes += io->len;
    }
}

void tio_vlog_read_at(struct worker *w, tio_io *io, size_t fi, uint64_t pos, uint64_t len,
                      uint32_t num)
{
    const struct tio_region *r = &w->t->regions[fi];
    struct io_meta *m = tio_units_meta(w, io);
    io->ddir = TIO_READ;
    io->offset = r->start + pos;
    io->len = len;
    io->file = &w->h[fi].file;
    io->buf = m->buf;
    m->offset = io->offset;
    m->len = len;
    m->file = (uint32_t)fi;
    m->verify_write = num;
    m->verify_read = true;
    m->verify_backlog = false;
}

/* The verify phase's next extent, file by file in offset order. */
static bool next_extent(struct worker *w, tio_io *io)
{
    struct tio_vlog *v = &w->vlog;
    struct tio_vext_extent e;
    for (; v->file < w->nf; v->file++)
        if (tio_vext_first_from(&v->ext[v->file], v->next_block[v->file], &e))
            break;
    if (v->file == w->nf)
        return false;
    v->next_block[v->file] = e.pos + e.len; /* extents never overlap */
    const struct tio_region *r = &w->t->regions[v->file];
    if (unlikely(v->vs.loaded) &&
        tio_vstate_should_stop(w, (uint32_t)v->file, r->start + e.pos))
        return false;
    tio_vlog_read_at(w, io, v->file, e.pos, e.len, e.num);
    v->read_bytes += io->len;
    v->read_ios++;
    return true;
}

bool tio_vlog_next(struct worker *w, tio_io *io, uint64_t now)
{
    struct tio_vlog *v = &w->vlog;
    if (!w->phase.verifying)
        return tio_vlog_backlog_next(w, io, now);
    if (unlikely(v->list.on))
        return tio_vlist_next(w, io);
    if (v->ext)
        return next_extent(w, io);
    uint64_t bs = w->job->pattern.bs[TIO_DDIR_WRITE];
    while (v->file < w->nf) {
        const uint32_t *written = v->written[v->file];
        const struct tio_region *r = &w->t->regions[v->file];
        uint64_t blocks = (r->len + bs - 1) / bs;
        while (v->next_block[v->file] < blocks) {
            uint64_t b = v->next_block[v->file]++;
            if (!written[b])
                continue;
            if (unlikely(v->vs.loaded) &&
                tio_vstate_should_stop(w, (uint32_t)v->file, r->start + b * bs))
                return false;
            /* The block as written: whole, or cut by the region's end. */
            uint64_t len = r->len - b * bs < bs ? r->len - b * bs : bs;
            tio_vlog_read_at(w, io, v->file, b * bs, len, written[b]);
            v->read_bytes += io->len;
            v->read_ios++;
            return true;
        }
        v->file++;
    }
    return false;
}

void tio_vlog_check(struct worker *w, tio_io *io)
{
    struct io_meta *m = tio_units_meta(w, io);
    struct tio_host_job *t = w->t;
    /* verify_backlog: a write done joins the backlog. */
    if (io->ddir == TIO_WRITE) {
        if (w->vlog.vs.saving)
            tio_vstate_completed(w, m);
        if (w->vlog.bl.on)
            tio_vlog_backlog_push(w, m);
        return;
    }
    /* An engine without files fakes its IO: nothing to check, as fio;
     * a backlog read that met a newer write to its block has nothing to
     * check either (the newer write is checked in its turn). */
    if (t->engine.no_files || (m->verify_backlog && tio_vlog_backlog_stale(w, m)))
        return;
    struct tio_verify_expect expect, *e = NULL;
    /* verify_only checks blocks an earlier run wrote: which write, and its
     * seed, are not known (fio checks neither then). */
    if (m->verify_write && m->verify_write != TIO_VLOG_TRIMMED && !w->vlog.dry) {
        uint32_t n = m->verify_write - 1;
        expect.rand_seed = tio_verify_write_seed(w->vlog.seed, n);
        expect.numberio = (uint16_t)n;
        expect.check_numberio = true;
        expect.check_seed = w->job->verify.verify_header_seed;
        e = &expect;
    }
    struct tio_error why;
    uint64_t bad;
    if (unlikely(m->verify_write == TIO_VLOG_TRIMMED)) {
        if (tio_trim_check_zero(m->buf, m->len, m->offset, &bad, &why))
            return;
    } else if (tio_verify_check(m->buf, m->len, &w->vlog.vp, m->offset, e, &bad, &why)) {
        return;
    }
    t->verify_failures++;
    /* The read itself completed and is counted; the failure is counted by
     * kind only, so read.total_ios holds it once, as fio's. */
    tio_stats_error(w->js, TIO_DDIR_COUNT, "verify");
    if (t->verify_failures <= MAX_VERIFY_REPORTS)
        fprintf(stderr,
                "tenon-io: job %s: verify failed: %s offset %" PRIu64 " (block at %" PRIu64
                ", %" PRIu64 " bytes): %s\n",
                w->job->identity.name, w->h[m->file].file.name, bad, m->offset, m->len,
                why.text);
    if (!t->error) {
        t->error = EILSEQ;
        snprintf(t->error_text, sizeof(t->error_text),
                 "verify failed: %s offset %" PRIu64 ": %s", w->h[m->file].file.name, bad,
                 why.text);
    }
    /* A header check's reason starts "bad header" (verify.c says so). */
    if (w->job->verify.verify_dump)
        tio_verify_dump(&w->vlog.vp, m->buf, m->len, m->offset, bad, w->h[m->file].file.name,
                        strncmp(why.text, "bad header", 10) == 0);
    if (w->job->verify.verify_fatal)
        w->stop = true;
}
