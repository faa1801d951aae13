#include "tio_outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct tio_outfile {
    char *path;
    char *tmp;
    char *dir;
    FILE *fp;
};

static void set_err(char *err, size_t errlen, const char *what, const struct tio_outfile *of,
                    int errnum)
{
    if (err && errlen)
        snprintf(err, errlen,
                 "cannot write results to '%s': %s '%s' failed: %s; "
                 "any previous '%s' is unchanged",
                 of->path, what, of->tmp, strerror(errnum), of->path);
}

/* The umask without changing it: umask(2) can only be read by setting it,
 * which would race with other threads creating files. */
static mode_t current_umask(void)
{
    mode_t mask = 022;
    FILE *f = fopen("/proc/self/status", "re");
    if (!f)
        return mask;
    char line[256];
    while (fgets(line, sizeof(line), f)) {
        unsigned m;
        if (sscanf(line, "Umask: %o", &m) == 1) {
            mask = (mode_t)m;
            break;
        }
    }
    fclose(f);
    return mask;
}

static void outfile_free(struct tio_outfile *of)
{
    free(of->path);
    free(of->tmp);
    free(of->dir);
    free(of);
}

int tio_outfile_open(struct tio_outfile **out, const char *path, char *err, size_t errlen)
{
    *out = NULL;
    if (!path || !*path) {
        if (err && errlen)
            snprintf(err, errlen, "cannot write results: the output path is empty");
        return -EINVAL;
    }
    struct tio_outfile *of = calloc(1, sizeof(*of));
    if (!of)
        goto nomem;
    of->path = strdup(path);
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (!*base) {
        if (err && errlen)
            snprintf(err, errlen, "cannot write results to '%s': the path names a folder", path);
        outfile_free(of);
        return -EISDIR;
    }
    if (slash == path)
        of->dir = strdup("/");
    else if (slash)
        of->dir = strndup(path, (size_t)(slash - path));
    else
        of->dir = strdup(".");
    size_t len = strlen(of->dir ? of->dir : "") + strlen(base) + 16;
    of->tmp = malloc(len);
    if (!of->path || !of->dir || !of->tmp)
        goto nomem;
    /* Hidden and beside the target: same filesystem, so rename is atomic. */
    snprintf(of->tmp, len, "%s/.%s.XXXXXX", of->dir, base);
    int fd = mkstemp(of->tmp);
    if (fd < 0) {
        int e = errno;
        if (err && errlen)
            snprintf(err, errlen, "cannot write results to '%s': creating a temporary file in '%s' failed: %s",
                     path, of->dir, strerror(e));
        outfile_free(of);
        return -e;
    }
    /* mkstemp makes the file 0600; results are ordinary files, so give them
     * the mode a plain create would (0666 less the umask). */
    (void)fchmod(fd, 0666 & ~current_umask());
    of->fp = fdopen(fd, "w");
    if (!of->fp) {
        int e = errno;
        close(fd);
        unlink(of->tmp);
        set_err(err, errlen, "opening", of, e);
        outfile_free(of);
        return -e;
    }
    *out = of;
    return 0;
nomem:
    if (err && errlen)
        snprintf(err, errlen, "cannot write results to '%s': out of memory", path);
    if (of)
        outfile_free(of);
    return -ENOMEM;
}

FILE *tio_outfile_stream(struct tio_outfile *of)
{
    return of->fp;
}

void tio_outfile_replace_stream(struct tio_outfile *of, FILE *fp)
{
    if (of->fp)
        fclose(of->fp);
    of->fp = fp;
}

void tio_outfile_abort(struct tio_outfile *of)
{
    if (!of)
        return;
    if (of->fp)
        fclose(of->fp);
    unlink(of->tmp);
    outfile_free(of);
}

static int fail(struct tio_outfile *of, const char *what, int e, char *err, size_t errlen)
{
    set_err(err, errlen, what, of, e);
    tio_outfile_abort(of);
    return -e;
}

int tio_outfile_commit(struct tio_outfile *of, char *err, size_t errlen)
{
    FILE *fp = of->fp;
    if (fflush(fp) != 0)
        return fail(of, "writing", errno, err, errlen);
    if (ferror(fp))
        return fail(of, "writing", EIO, err, errlen);
    if (fsync(fileno(fp)) != 0)
        return fail(of, "syncing", errno, err, errlen);
    of->fp = NULL;
    if (fclose(fp) != 0)
        return fail(of, "closing", errno, err, errlen);
    if (rename(of->tmp, of->path) != 0) {
        int e = errno;
        if (err && errlen)
            snprintf(err, errlen,
                     "cannot write results to '%s': renaming '%s' over it failed: %s; "
                     "any previous '%s' is unchanged",
                     of->path, of->tmp, strerror(e), of->path);
        unlink(of->tmp);
        outfile_free(of);
        return -e;
    }
    /* The rename is only durable once the folder is synced. A folder that
     * cannot be opened or synced (some filesystems refuse) still holds the
     * complete file, so this is best effort. */
    int dfd = open(of->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
    outfile_free(of);
    return 0;
}
