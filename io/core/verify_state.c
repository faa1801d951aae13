/* verify_state_save / verify_state_load, in fio's state file format
 * (fio 3.33 verify-state.h): a job that writes with verify records, per
 * file, the offsets of its last iodepth writes that completed, and at its
 * end saves them with the number of writes it issued to
 * local-JOBNAME-INDEX-verify.state in --aux-path's folder or else the
 * working folder, as fio does. A verify job with verify_state_load reads that file back, and
 * as its checks reach the last iodepth writes of the saved run, checks
 * only those the file says completed, stopping at the first other one
 * (after a crash, a write in flight may never have reached the storage).
 *
 * The file: a header (version 3, the size and the crc32c of the rest,
 * all 64-bit little-endian) and one thread_io_list: the number of
 * completions listed, iodepth, nrfiles, the writes issued, the job's
 * index, fio's random state (tenon-io has none to give: zeros), the job's
 * name (64 bytes) and iodepth x nrfiles (file number, offset) pairs. */
#include "worker.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coord.h"
#include "crc32c.h"

#define VSTATE_VERSION 3u
#define HDR_BYTES 24u
#define LIST_BYTES (8u + 4u + 4u + 8u + 8u + 56u + 64u) /* thread_io_list before comps */

/* fio's name, in --aux-path's folder when one is given (fio's prefix). */
static void state_name(const struct worker *w, char *out, size_t size)
{
    const struct tio_job *job = w->job;
    const char *dir = w->t->host->plan->program.aux_path;
    char name[PATH_MAX];
    snprintf(name, sizeof(name), "%s", job->identity.name);
    for (char *p = name; *p; p++)
        if (*p == '/')
            *p = '.';
    /* fio's client names a client's state HOST-NAME-N-verify.state */
    const char *tag = tio_coord_tag();
    if (*tag)
        snprintf(out, size, "%s%s%s-%s-%u-verify.state", dir ? dir : "", dir ? "/" : "",
                 tag + 1, name, job->index);
    else
        snprintf(out, size, "%s%slocal-%s-%u-verify.state", dir ? dir : "", dir ? "/" : "",
                 name, job->index);
}

static uint32_t depth_of(const struct tio_job *job)
{
    return job->queue.iodepth ? job->queue.iodepth : 1;
}

int tio_vstate_setup(struct worker *w)
{
    const struct tio_job *job = w->job;
    struct tio_vstate *s = &w->vlog.vs;
    if (job->verify.verify_state_save && tio_rw_writes(job->pattern.rw) && !w->vlog.dry) {
        s->comp = calloc((w->nf ? w->nf : 1) * depth_of(job), sizeof(*s->comp));
        s->comp_next = calloc(w->nf ? w->nf : 1, sizeof(*s->comp_next));
        if (!s->comp || !s->comp_next)
            return -ENOMEM;
        s->saving = true;
    }
    if (job->verify.verify_state_load)
        return tio_vstate_load(w);
    return 0;
}

void tio_vstate_teardown(struct worker *w)
{
    struct tio_vstate *s = &w->vlog.vs;
    free(s->comp);
    free(s->comp_next);
    free(s->loaded);
    memset(s, 0, sizeof(*s));
}

void tio_vstate_completed(struct worker *w, const struct io_meta *m)
{
    struct tio_vstate *s = &w->vlog.vs;
    uint32_t depth = depth_of(w->job);
    s->comp[m->file * depth + s->comp_next[m->file]] = m->offset;
    s->comp_next[m->file] = (s->comp_next[m->file] + 1) % depth;
    s->completed++;
}

static void put64(uint8_t *p, uint64_t v)
{
    v = htole64(v);
    memcpy(p, &v, 8);
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return le64toh(v);
}

void tio_vstate_save(struct worker *w)
{
    const struct tio_job *job = w->job;
    struct tio_vstate *s = &w->vlog.vs;
    if (!s->saving)
        return;
    uint32_t depth = depth_of(job), nf = (uint32_t)w->nf;
    size_t size = LIST_BYTES + (size_t)depth * nf * 16;
    uint8_t *b = calloc(1, HDR_BYTES + size);
    if (!b)
        return;
    uint8_t *l = b + HDR_BYTES;
    /* As fio: per file, its last completions newest first, as many as
     * the job's completed writes up to iodepth. */
    uint64_t comps = s->completed < depth ? s->completed : depth, n = 0;
    for (uint32_t f = 0; f < nf; f++) {
        uint32_t j = s->comp_next[f];
        for (uint64_t i = 0; i < comps; i++, n++) {
            j = j ? j - 1 : depth - 1;
            put64(l + LIST_BYTES + n * 16, f);
            put64(l + LIST_BYTES + n * 16 + 8, s->comp[f * depth + j]);
        }
    }
    put64(l, n);
    uint32_t d32 = htole32(depth), nf32 = htole32(nf);
    memcpy(l + 8, &d32, 4);
    memcpy(l + 12, &nf32, 4);
    put64(l + 16, w->vlog.writes);
    put64(l + 24, job->index);
    snprintf((char *)l + LIST_BYTES - 64, 64, "%s", job->identity.name);
    put64(b, VSTATE_VERSION);
    put64(b + 8, size);
    put64(b + 16, ~tio_crc32c(0, l, size));

    char path[PATH_MAX];
    state_name(w, path, sizeof(path));
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, b, HDR_BYTES + size) != (ssize_t)(HDR_BYTES + size))
        fprintf(stderr,
                "tenon-io: job %s: cannot write the verify state file %s: %s "
                "(verify_state_save=0 writes none)\n",
                job->identity.name, path, strerror(errno));
    if (fd >= 0)
        close(fd);
    free(b);
}

int tio_vstate_load(struct worker *w)
{
    struct tio_vstate *s = &w->vlog.vs;
    char path[PATH_MAX];
    uint8_t hdr[HDR_BYTES];
    state_name(w, path, sizeof(path));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        tio_worker_fail(w, errno,
                        "verify_state_load: cannot open %s: %s (a job of the same "
                        "name and index with verify_state_save=1 writes it)",
                        path, strerror(errno));
        return -1;
    }
    const char *bad = NULL;
    uint64_t size = 0;
    if (read(fd, hdr, sizeof(hdr)) != (ssize_t)sizeof(hdr))
        bad = "too short for its header";
    else if (get64(hdr) != VSTATE_VERSION)
        bad = "not version 3 of fio's format";
    else if ((size = get64(hdr + 8)) < LIST_BYTES || size > (64u << 20))
        bad = "of a size fio never writes";
    if (!bad && !(s->loaded = malloc(size)))
        bad = "too large for memory";
    if (!bad && read(fd, s->loaded, size) != (ssize_t)size)
        bad = "shorter than its header says";
    if (!bad && ~tio_crc32c(0, s->loaded, size) != get64(hdr + 16))
        bad = "corrupt (its crc32c does not match)";
    close(fd);
    if (!bad && get64(s->loaded) > (size - LIST_BYTES) / 16)
        bad = "corrupt (more completions than room)";
    if (bad) {
        tio_worker_fail(w, EINVAL, "verify_state_load: the verify state file %s is %s", path,
                        bad);
        return -1;
    }
    s->no_comps = get64(s->loaded);
    uint32_t d32;
    memcpy(&d32, s->loaded + 8, 4);
    s->depth = le32toh(d32);
    s->numberio = get64(s->loaded + 16);
    return 0;
}

/* fio's verify_state_should_stop: outside the window of the saved run's
 * last iodepth writes every block is checked; inside it, only those whose
 * completion the file lists. */
bool tio_vstate_should_stop(const struct worker *w, uint32_t file, uint64_t offset)
{
    const struct tio_vstate *s = &w->vlog.vs;
    if (!s->loaded)
        return false;
    uint64_t done = w->js->dir[TIO_DDIR_READ].ios;
    if ((done < s->depth || s->numberio - done > s->depth) && s->numberio > s->depth)
        return false;
    for (uint64_t i = 0; i < s->no_comps; i++) {
        const uint8_t *c = s->loaded + LIST_BYTES + i * 16;
        if (get64(c) == file && get64(c + 8) == offset)
            return false;
    }
    return true;
}
