/* write_iolog: fio's iolog, version 3 as fio 3.33 writes it. The version
 * line, an "add" and an "open" line per file when the job starts, one line
 * per IO as it is issued (syncs included), a "close" line per file at the
 * end; each line starts with the microseconds since the log was opened.
 * The file is appended to, as fio does. */
#include "worker.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct tio_iolog_w {
    FILE *f;
    char *buf;
    uint64_t start_ns;
};

static const char *file_name(const struct worker *w, size_t fi)
{
    return w->t->n_files ? w->t->names[fi] : w->job->identity.name;
}

static void file_line(struct worker *w, size_t fi, const char *act)
{
    struct tio_iolog_w *l = w->iolog_w;
    fprintf(l->f, "%" PRIu64 " %s %s\n", (tio_now_ns() - l->start_ns) / 1000, file_name(w, fi),
            act);
}

int tio_iolog_write_setup(struct worker *w)
{
    const char *path = w->job->replay.write_iolog;
    if (!path)
        return 0;
    struct tio_iolog_w *l = calloc(1, sizeof(*l));
    if (!l)
        return -ENOMEM;
    w->iolog_w = l;
    l->start_ns = tio_now_ns();
    l->f = fopen(path, "a");
    if (!l->f) {
        int e = errno;
        tio_worker_fail(w, e, "write_iolog=%s: cannot open it for appending: %s", path,
                        strerror(e));
        return -e;
    }
    l->buf = malloc(8192);
    if (l->buf)
        setvbuf(l->f, l->buf, _IOFBF, 8192);
    fprintf(l->f, "fio version 3 iolog\n");
    for (size_t i = 0; i < w->nf; i++)
        file_line(w, i, "add");
    for (size_t i = 0; i < w->nf; i++)
        file_line(w, i, "open");
    w->features |= TIO_WF_IOLOG_W;
    return 0;
}

static const char *dir_name(uint32_t d)
{
    static const char *const names[] = {"read", "write", "trim", "sync", "datasync"};
    return d < sizeof(names) / sizeof(names[0]) ? names[d] : "?";
}

void tio_iolog_write_io(struct worker *w, const tio_io *io)
{
    struct tio_iolog_w *l = w->iolog_w;
    size_t fi = io->file ? io->file->index : 0;
    fprintf(l->f, "%" PRIu64 " %s %s %" PRIu64 " %" PRIu64 "\n",
            (tio_now_ns() - l->start_ns) / 1000, file_name(w, fi), dir_name(io->ddir),
            io->offset, io->len);
}

void tio_iolog_write_teardown(struct worker *w)
{
    struct tio_iolog_w *l = w->iolog_w;
    if (!l)
        return;
    if (l->f) {
        for (size_t i = 0; i < w->nf; i++)
            file_line(w, i, "close");
        if (fclose(l->f) != 0 && !w->t->error)
            tio_worker_fail(w, errno, "write_iolog=%s: cannot write it: %s",
                            w->job->replay.write_iolog, strerror(errno));
    }
    free(l->buf);
    free(l);
    w->iolog_w = NULL;
}
