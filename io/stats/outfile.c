#include "tio_outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct tio_outfile {
    char *path;   /* as the user gave it */
    char *target; /* the name renamed over: path with its symlinks followed */
    char *tmp;
    char *dir;
    FILE *fp;
    bool in_place; /* a device, a FIFO, /dev/stdout: written where it is */
};

static void set_err(struct tio_error *err, const char *what, const struct tio_outfile *of,
                    int errnum)
{
    if (of->in_place)
        tio_error_set(err, TIO_EOUTPUT, NULL, NULL, NULL,
                      "cannot write results to '%s': %s failed: %s", of->path, what,
                      strerror(errnum));
    else
        tio_error_set(err, TIO_EOUTPUT, NULL, NULL, NULL,
                      "cannot write results to '%s': %s '%s' failed: %s; "
                      "any previous '%s' is unchanged",
                      of->path, what, of->tmp, strerror(errnum), of->target);
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
    free(of->target);
    free(of->tmp);
    free(of->dir);
    free(of);
}

/* Follows the symlinks of path's last component by name, so the rename
 * replaces the file the link points to and the link stays. Sets *magic when
 * a link is one of /proc's (/dev/stdout -> /proc/self/fd/1 -> ...), whose
 * text is no name to rename over. Returns a malloc'd name, or NULL. */
static char *follow_links(const char *path, bool *magic)
{
    struct stat proc;
    bool have_proc = lstat("/proc/self", &proc) == 0;
    char *cur = strdup(path);
    *magic = false;
    for (int hops = 0; cur && hops < 40; hops++) {
        struct stat st;
        if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode))
            return cur;
        if (have_proc && st.st_dev == proc.st_dev) {
            *magic = true;
            return cur;
        }
        char link[PATH_MAX];
        ssize_t n = readlink(cur, link, sizeof(link) - 1);
        if (n < 0 || n == sizeof(link) - 1)
            break;
        link[n] = '\0';
        char *next;
        const char *slash = strrchr(cur, '/');
        if (link[0] == '/' || !slash) {
            next = strdup(link);
        } else {
            size_t len = (size_t)(slash - cur) + 1 + (size_t)n + 1;
            next = malloc(len);
            if (next)
                snprintf(next, len, "%.*s/%s", (int)(slash - cur), cur, link);
        }
        free(cur);
        cur = next;
    }
    free(cur);
    return NULL;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == path)
        return strdup("/");
    if (slash)
        return strndup(path, (size_t)(slash - path));
    return strdup(".");
}

/* Opens a device, a FIFO or a file behind /proc's links where it is. */
static int open_in_place(struct tio_outfile *of, bool regular, struct tio_error *err)
{
    of->in_place = true;
    int fd = open(of->path, O_WRONLY | O_NOCTTY | O_CLOEXEC | (regular ? O_APPEND : 0));
    if (fd < 0) {
        int e = errno;
        tio_error_set(err, TIO_EOUTPUT, NULL, NULL, NULL, "cannot write results to '%s': %s",
                      of->path, strerror(e));
        return -e;
    }
    of->fp = fdopen(fd, "w");
    if (!of->fp) {
        int e = errno;
        close(fd);
        set_err(err, "opening", of, e);
        return -e;
    }
    return 0;
}

/* A hidden temporary file beside target (same filesystem, so the rename
 * is atomic), with the mode the result should have. */
static int open_temporary(struct tio_outfile *of, mode_t mode, struct tio_error *err)
{
    of->dir = dir_of(of->target);
    const char *slash = strrchr(of->target, '/');
    const char *base = slash ? slash + 1 : of->target;
    size_t len = strlen(of->dir ? of->dir : "") + strlen(base) + 16;
    of->tmp = malloc(len);
    if (!of->dir || !of->tmp) {
        tio_error_set(err, TIO_ENOMEM, NULL, NULL, NULL,
                      "cannot write results to '%s': out of memory", of->path);
        return -ENOMEM;
    }
    snprintf(of->tmp, len, "%s/.%s.XXXXXX", of->dir, base);
    int fd = mkstemp(of->tmp);
    if (fd < 0) {
        int e = errno;
        tio_error_set(err, TIO_EOUTPUT, NULL, NULL, NULL,
                      "cannot write results to '%s': creating a temporary file in '%s' failed: "
                      "%s",
                      of->path, of->dir, strerror(e));
        return -e;
    }
    (void)fchmod(fd, mode);
    of->fp = fdopen(fd, "w");
    if (!of->fp) {
        int e = errno;
        close(fd);
        unlink(of->tmp);
        set_err(err, "opening", of, e);
        return -e;
    }
    return 0;
}

int tio_outfile_open(struct tio_outfile **out, const char *path, struct tio_error *err)
{
    *out = NULL;
    if (!path || !*path) {
        tio_error_set(err, TIO_EOUTPUT, NULL, NULL, NULL,
                      "cannot write results: the output path is empty");
        return -EINVAL;
    }
    if (path[strlen(path) - 1] == '/') {
        tio_error_set(err, TIO_EOUTPUT, NULL, NULL, NULL,
                      "cannot write results to '%s': the path names a folder; "
                      "give a file name",
                      path);
        return -EISDIR;
    }
    struct tio_outfile *of = calloc(1, sizeof(*of));
    if (!of || !(of->path = strdup(path))) {
        tio_error_set(err, TIO_ENOMEM, NULL, NULL, NULL,
                      "cannot write results to '%s': out of memory", path);
        free(of);
        return -ENOMEM;
    }
    /* Only a regular file (or a new name) is replaced by a rename: anything
     * else is not ours to replace (--output=/dev/null as root must not put
     * a regular file in its place) and is written where it is. */
    struct stat st;
    int rc;
    bool magic = false;
    int missing = stat(path, &st) != 0 ? errno : 0;
    if (missing && missing != ENOENT) {
        tio_error_set(err, TIO_EOUTPUT, NULL, NULL, NULL, "cannot write results to '%s': %s",
                      path, strerror(missing));
        rc = -missing;
    } else if (missing) {
        /* A new name, or a symlink to one: the file is created there. */
        of->target = follow_links(path, &magic);
        rc = of->target ? open_temporary(of, 0666 & ~current_umask(), err) : -ELOOP;
        if (!of->target)
            tio_error_set(err, TIO_EOUTPUT, NULL, NULL, NULL,
                          "cannot write results to '%s': %s", path, strerror(ELOOP));
    } else if (S_ISDIR(st.st_mode)) {
        tio_error_set(err, TIO_EOUTPUT, NULL, NULL, NULL,
                      "cannot write results to '%s': it is a folder; give a file "
                      "name",
                      path);
        rc = -EISDIR;
    } else if (S_ISBLK(st.st_mode)) {
        tio_error_set(err, TIO_EOUTPUT, NULL, NULL, NULL,
                      "cannot write results to '%s': it is a block device, whose "
                      "data the report would overwrite; give a file name",
                      path);
        rc = -EINVAL;
    } else if (!S_ISREG(st.st_mode)) {
        rc = open_in_place(of, false, err);
    } else {
        of->target = follow_links(path, &magic);
        struct stat tst;
        if (!of->target || magic || lstat(of->target, &tst) != 0 || tst.st_dev != st.st_dev ||
            tst.st_ino != st.st_ino) {
            rc = open_in_place(of, true, err);
        } else if (faccessat(AT_FDCWD, of->target, W_OK, AT_EACCESS) != 0) {
            int e = errno;
            tio_error_set(err, TIO_EOUTPUT, NULL, NULL, NULL,
                          "cannot write results to '%s': %s; it is unchanged", path,
                          strerror(e));
            rc = -e;
        } else {
            rc = open_temporary(of, st.st_mode & 07777, err);
        }
    }
    if (rc < 0) {
        outfile_free(of);
        return rc;
    }
    *out = of;
    return 0;
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
    if (!of->in_place)
        unlink(of->tmp);
    outfile_free(of);
}

static int fail(struct tio_outfile *of, const char *what, int e, struct tio_error *err)
{
    set_err(err, what, of, e);
    tio_outfile_abort(of);
    return -e;
}

int tio_outfile_commit(struct tio_outfile *of, struct tio_error *err)
{
    FILE *fp = of->fp;
    if (fflush(fp) != 0)
        return fail(of, "writing", errno, err);
    if (ferror(fp))
        return fail(of, "writing", EIO, err);
    /* Devices and FIFOs cannot be synced (EINVAL); their data is gone
     * from here once written. */
    if (fsync(fileno(fp)) != 0 && !(of->in_place && (errno == EINVAL || errno == EROFS)))
        return fail(of, "syncing", errno, err);
    of->fp = NULL;
    if (fclose(fp) != 0)
        return fail(of, "closing", errno, err);
    if (of->in_place) {
        outfile_free(of);
        return 0;
    }
    if (rename(of->tmp, of->target) != 0) {
        int e = errno;
        tio_error_set(err, TIO_EOUTPUT, NULL, NULL, NULL,
                      "cannot write results to '%s': renaming '%s' over it failed: %s; "
                      "any previous '%s' is unchanged",
                      of->path, of->tmp, strerror(e), of->target);
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
