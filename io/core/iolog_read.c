/* read_iolog: fio's replay. Before the run, each log is read once and
 * checked (tio_iolog_plan): every line parses, every file it names is one
 * the job allows, and the job's directions and buffer sizes are set from
 * it. In the run, the main phase's IOs are the log's, in its order, at its
 * pace (replay_no_stall, replay_time_scale), shaped by replay_scale,
 * replay_align, replay_skip and replay_redirect.
 *
 * Which files a log may name: a log never widens what a job touches. With
 * an engine that has no files (null), nothing is touched and any name is
 * taken. Otherwise each name must be one of the job's own files (filename=,
 * as resolved), or the log is refused at the line naming another; with
 * replay_redirect, every IO goes to the redirect, which must itself be one
 * of the job's files. fio would add the log's files to the job instead. An
 * IO past the end of its file is refused too (fio would extend the file). */
#include "worker.h"

#include "iolog.h"
#include "tio_job.h"
#include "tio_job_error.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct tio_replay {
    FILE *f;
    const char *path;
    int version;
    unsigned line;
    struct tio_iolog_entry *ents; /* the whole log, unless chunked */
    uint32_t *lines;
    size_t n, next;
    uint64_t start_ns;
    uint64_t t0; /* version 3: the first entry's time */
    bool have_t0;
};

/* ---- the check before the run ---------------------------------------------- */

static bool job_has_file(const struct tio_job *job, const char *name)
{
    const struct tio_strv *v = &job->files.filenames;
    for (size_t i = 0; i < v->n; i++)
        if (!strcmp(v->v[i], name))
            return true;
    return false;
}

struct scan {
    bool reads, writes, trims;
    uint64_t max_len[2];
    uint64_t bytes;
};

/* Opens a log and reads its version line. NULL with err set on failure. */
static FILE *open_log(const struct tio_job *job, const char *path, int *version, unsigned *line,
                      struct tio_error *err)
{
    if (!strcmp(path, "-")) {
        tio_error_set(err, TIO_EJOB, &job->origin, "read_iolog", path,
                      "job %s: read_iolog=- (standard input) is not supported: write the log "
                      "to a file and name it",
                      job->identity.name);
        return NULL;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        tio_error_set(err, TIO_EJOB, &job->origin, "read_iolog", path,
                      "job %s: cannot open the iolog %s: %s", job->identity.name, path,
                      strerror(errno));
        return NULL;
    }
    char buf[256], why[300];
    size_t got = fread(buf, 1, sizeof(buf) - 1, f);
    buf[got] = '\0';
    *version = tio_iolog_version(buf, got, why, sizeof(why));
    if (!*version) {
        tio_error_set(err, TIO_EJOB, &job->origin, "read_iolog", path, "job %s: %s:1: %s",
                      job->identity.name, path, why);
        fclose(f);
        return NULL;
    }
    /* on past the version line */
    rewind(f);
    int c;
    while ((c = fgetc(f)) != EOF && c != '\n')
        ;
    *line = 1;
    return f;
}

/* The next entry of the log; 0 at its end, -1 with why on a bad line. */
static int next_entry(FILE *f, int version, unsigned *line, struct tio_iolog_entry *e,
                      char *why, size_t why_size)
{
    char buf[4096];
    while (fgets(buf, sizeof(buf), f)) {
        ++*line;
        size_t len = strlen(buf);
        if (len == sizeof(buf) - 1 && buf[len - 1] != '\n') {
            snprintf(why, why_size, "line longer than %zu bytes", sizeof(buf) - 2);
            return -1;
        }
        int rc = tio_iolog_parse_line(version, buf, e, why, why_size);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static int check_file(const struct tio_job *job, const char *path, unsigned line,
                      const char *name, bool no_files, struct tio_error *err)
{
    if (no_files || job->replay.redirect || job_has_file(job, name))
        return 0;
    return tio_error_set(err, TIO_EJOB, &job->origin, "read_iolog", path,
                         "job %s: %s:%u: the iolog names the file %s, which is not one of the "
                         "job's files; tenon-io replays only onto files the job names (add "
                         "filename=%s to the job, or set replay_redirect= to one of its files)",
                         job->identity.name, path, line, name, name);
}

static int scan_log(const struct tio_job *job, bool no_files, struct scan *s,
                    struct tio_error *err)
{
    const char *path = job->replay.read_iolog;
    int version;
    unsigned line;
    FILE *f = open_log(job, path, &version, &line, err);
    if (!f)
        return -1;
    struct tio_iolog_entry e;
    char why[400];
    int rc;
    while ((rc = next_entry(f, version, &line, &e, why, sizeof(why))) > 0) {
        if (check_file(job, path, line, e.file, no_files, err) < 0) {
            fclose(f);
            return -1;
        }
        if (e.act != TIO_IOLOG_IO)
            continue;
        if (e.dir == TIO_READ)
            s->reads = true;
        else if (e.dir == TIO_WRITE)
            s->writes = true;
        else if (e.dir == TIO_TRIM)
            s->trims = true;
        if (s->bytes + e.len >= s->bytes)
            s->bytes += e.len;
        if (e.dir <= TIO_WRITE && e.len > s->max_len[e.dir])
            s->max_len[e.dir] = e.len;
    }
    fclose(f);
    if (rc < 0)
        return tio_error_set(err, TIO_EJOB, &job->origin, "read_iolog", path,
                             "job %s: %s:%u: %s", job->identity.name, path, line, why);
    return 0;
}

/* read_iolog=A:B:...: clone N of the job replays part N modulo their
 * number, as fio ("\\:" is a ':' in a name). The job's own copy of the
 * string is cut down to that part in place. */
static void pick_clone_log(struct tio_job *job)
{
    char *s = job->replay.read_iolog, *out = s;
    unsigned parts = 1;
    for (const char *p = s; *p; p++) {
        if (p[0] == '\\' && p[1] == ':')
            p++;
        else if (*p == ':')
            parts++;
    }
    unsigned want = job->clone % parts, at = 0;
    for (const char *p = s; *p; p++) {
        if (p[0] == '\\' && p[1] == ':') {
            if (at == want)
                *out++ = ':';
            p++;
        } else if (*p == ':') {
            at++;
        } else if (at == want) {
            *out++ = *p;
        }
    }
    *out = '\0';
}

int tio_iolog_plan(struct tio_job *job, bool no_files, struct tio_error *err)
{
    pick_clone_log(job);
    if (job->verify.method != TIO_VERIFY_NONE)
        return tio_error_set(err, TIO_EUNSUPPORTED, &job->origin, "read_iolog",
                             job->replay.read_iolog,
                             "job %s: verify with read_iolog is not supported by tenon-io yet "
                             "(replay without verify=, or verify with the job that wrote the "
                             "data)",
                             job->identity.name);
    if (job->replay.redirect && !no_files && !job_has_file(job, job->replay.redirect))
        return tio_error_set(err, TIO_EJOB, &job->origin, "replay_redirect",
                             job->replay.redirect,
                             "job %s: replay_redirect=%s is not one of the job's files; name "
                             "it with filename= too",
                             job->identity.name, job->replay.redirect);
    struct scan s = {0};
    if (scan_log(job, no_files, &s, err) < 0)
        return -1;
    if (!s.reads && !s.writes && !s.trims)
        return tio_error_set(err, TIO_EJOB, &job->origin, "read_iolog", job->replay.read_iolog,
                             "job %s: the iolog %s has no read, write or trim to replay",
                             job->identity.name, job->replay.read_iolog);
    if (no_files && !job->files.size.set) {
        /* as fio: the job's size is the bytes its log moves */
        job->files.size.bytes = s.bytes;
        job->files.size.set = true;
    }
    bool w = s.writes || s.trims;
    job->pattern.rw = s.reads && w ? TIO_RW_RW : w ? TIO_RW_WRITE : TIO_RW_READ;
    for (int d = 0; d < 2; d++) {
        if (s.max_len[d] > job->pattern.bs[d])
            job->pattern.bs[d] = s.max_len[d];
        if (s.max_len[d] > job->pattern.max_bs[d])
            job->pattern.max_bs[d] = s.max_len[d];
    }
    return 0;
}

/* ---- the replay ------------------------------------------------------------ */

static void fail_at(struct worker *w, unsigned line, const char *why)
{
    tio_worker_fail(w, EINVAL, "%s:%u: %s", w->job->replay.read_iolog, line, why);
}

int tio_replay_setup(struct worker *w)
{
    const struct tio_job *job = w->job;
    if (!job->replay.read_iolog)
        return 0;
    struct tio_replay *r = calloc(1, sizeof(*r));
    if (!r)
        return -ENOMEM;
    w->replay = r;
    r->path = job->replay.read_iolog;
    struct tio_error err;
    r->f = open_log(job, r->path, &r->version, &r->line, &err);
    if (!r->f) {
        tio_worker_fail(w, EINVAL, "%s", err.text);
        return -EINVAL;
    }
    w->features |= TIO_WF_REPLAY;
    if (job->replay.chunked)
        return 0; /* read as the replay goes */
    size_t cap = 0;
    struct tio_iolog_entry e;
    char why[400];
    int rc;
    while ((rc = next_entry(r->f, r->version, &r->line, &e, why, sizeof(why))) > 0) {
        if (r->n == cap) {
            cap = cap ? cap * 2 : 256;
            void *ne = realloc(r->ents, cap * sizeof(*r->ents));
            void *nl = ne ? realloc(r->lines, cap * sizeof(*r->lines)) : NULL;
            if (ne)
                r->ents = ne;
            if (!nl)
                return -ENOMEM;
            r->lines = nl;
        }
        r->ents[r->n] = e;
        r->lines[r->n++] = r->line;
    }
    if (rc < 0) {
        fail_at(w, r->line, why);
        return -EINVAL;
    }
    fclose(r->f);
    r->f = NULL;
    return 0;
}

void tio_replay_teardown(struct worker *w)
{
    struct tio_replay *r = w->replay;
    if (!r)
        return;
    if (r->f)
        fclose(r->f);
    free(r->ents);
    free(r->lines);
    free(r);
    w->replay = NULL;
}

/* The log's next entry, from memory or (chunked) from the file. */
static int take(struct worker *w, struct tio_iolog_entry *e, unsigned *line)
{
    struct tio_replay *r = w->replay;
    if (!r->f) {
        if (r->next == r->n)
            return 0;
        *line = r->lines[r->next];
        *e = r->ents[r->next++];
        return 1;
    }
    char why[400];
    int rc = next_entry(r->f, r->version, &r->line, e, why, sizeof(why));
    *line = r->line;
    if (rc < 0)
        fail_at(w, r->line, why);
    return rc;
}

/* Waits until `due`; false if the job stopped or its runtime ran out. */
static bool wait_until(struct worker *w, uint64_t due)
{
    for (uint64_t now = tio_now_ns(); now < due; now = tio_now_ns()) {
        if (tio_halted(w) || tio_phase_time_up(w, now))
            return false;
        uint64_t left = due - now;
        struct timespec ts = {0, (long)(left < 100000000 ? left : 100000000)};
        nanosleep(&ts, NULL);
    }
    return true;
}

/* As fio: version 3 entries keep the recorded gaps between them (scaled by
 * replay_time_scale), version 2's wait entries wait until a time of the
 * job's clock; replay_no_stall does neither. */
static bool pace(struct worker *w, const struct tio_iolog_entry *e)
{
    struct tio_replay *r = w->replay;
    const struct tio_job *job = w->job;
    if (job->replay.no_stall)
        return true;
    if (!r->start_ns)
        r->start_ns = tio_now_ns();
    if (e->act == TIO_IOLOG_WAIT)
        return wait_until(w, r->start_ns + e->offset * 1000000);
    if (r->version != 3)
        return true;
    if (!r->have_t0) {
        r->t0 = e->usec;
        r->have_t0 = true;
    }
    if (e->usec <= r->t0)
        return true;
    uint64_t us = (e->usec - r->t0) * 100 / job->replay.time_scale;
    return wait_until(w, r->start_ns + us * 1000);
}

static bool skipped(const struct tio_job *job, uint32_t dir)
{
    unsigned s = job->replay.skip;
    return (dir == TIO_READ && (s & TIO_REPLAY_SKIP_READ)) ||
           (dir == TIO_WRITE && (s & TIO_REPLAY_SKIP_WRITE)) ||
           (dir == TIO_TRIM && (s & TIO_REPLAY_SKIP_TRIM)) ||
           (dir >= TIO_SYNC && (s & TIO_REPLAY_SKIP_SYNC));
}

/* The job's file the entry goes to; w->nf (and the job failed) if none. */
static size_t file_of(struct worker *w, const struct tio_iolog_entry *e, unsigned line)
{
    const struct tio_host_job *t = w->t;
    if (t->engine.no_files)
        return 0;
    const char *name = w->job->replay.redirect ? w->job->replay.redirect : e->file;
    for (size_t i = 0; i < t->n_files; i++)
        if (!strcmp(t->names[i], name))
            return i;
    char why[600];
    snprintf(why, sizeof(why),
             "the iolog names the file %s, which is not one of the job's files (add "
             "filename=%s to the job, or set replay_redirect=)",
             name, name);
    fail_at(w, line, why);
    return w->nf;
}

bool tio_replay_next(struct worker *w, tio_io *io, uint64_t now)
{
    const struct tio_job *job = w->job;
    struct tio_iolog_entry e;
    unsigned line;
    (void)now;
    for (;;) {
        if (take(w, &e, &line) <= 0)
            return false;
        if (!pace(w, &e))
            return false;
        if (e.act != TIO_IOLOG_IO || skipped(job, e.dir))
            continue; /* the job's files stay open from start to end */
        size_t fi = file_of(w, &e, line);
        if (fi == w->nf)
            return false;
        uint64_t off = e.offset / job->replay.scale;
        if (job->replay.align)
            off &= ~((uint64_t)job->replay.align - 1);
        uint64_t size = w->t->engine.no_files ? UINT64_MAX : w->t->sizes[fi];
        if (e.dir <= TIO_TRIM && off + e.len > size) {
            char why[600];
            snprintf(why, sizeof(why),
                     "%s of %" PRIu64 " bytes at offset %" PRIu64
                     " ends past the end of %s (%" PRIu64 " bytes); tenon-io does not extend "
                     "files in a replay (make the file larger, or use replay_scale=)",
                     tio_dir_word(e.dir), e.len, off, w->h[fi].file.name, size);
            fail_at(w, line, why);
            return false;
        }
        struct io_meta *m = tio_units_meta(w, io);
        io->ddir = e.dir;
        io->offset = off;
        io->len = e.dir <= TIO_TRIM ? e.len : 0;
        io->file = &w->h[fi].file;
        io->buf = m->buf;
        m->offset = off;
        m->len = io->len;
        m->file = (uint32_t)fi;
        m->verify_read = false;
        if (e.dir == TIO_WRITE)
            tio_units_on_write(w, io, off);
        w->next.bytes_issued += io->len;
        return true;
    }
}
