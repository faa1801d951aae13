/* Reading a job file or an include into memory: what the parser accepts to
 * open (a regular file of bounded size, a FIFO when allowed, stdin) and the
 * refusals that say why anything else is not read. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "job_internal.h"

#define TIO__MAX_JOBFILE (64u * 1024 * 1024)

/* strerror is not thread-safe; strerror_r comes in two flavours. */
static const char *errtext(int e, char *buf, size_t len)
{
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
    return strerror_r(e, buf, len);
#else
    return strerror_r(e, buf, len) == 0 ? buf : "unknown error";
#endif
}

/* What kind of file a job file or include is, for refusals. */
static const char *file_kind(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "not a regular file";
}

/* Opens a job file or include, keeping only a regular file of at most
 * TIO__MAX_JOBFILE bytes (else fails with EFBIG) or, when allow_fifo, a
 * FIFO; anything else fails with *refused saying what it is. A FIFO is
 * opened blocking, as fio's fopen() does, so its writer can come later
 * (closing a first, non-blocking descriptor would lose what an early writer
 * wrote); anything else is opened without blocking, so a FIFO put in its
 * place never holds the open up. */
static int open_job_source(const char *path, bool allow_fifo, const char **refused)
{
    struct stat st;
    bool fifo = allow_fifo && stat(path, &st) == 0 && S_ISFIFO(st.st_mode);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | (fifo ? 0 : O_NONBLOCK));

    *refused = NULL;
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) != 0) {
        int e = errno;

        close(fd);
        errno = e;
        return -1;
    }
    if (fifo && S_ISFIFO(st.st_mode))
        return fd;
    if (S_ISREG(st.st_mode) && st.st_size > (off_t)TIO__MAX_JOBFILE) {
        close(fd);
        errno = EFBIG;
        return -1;
    }
    if (S_ISREG(st.st_mode)) {
        int fl = fcntl(fd, F_GETFL);

        if (fl >= 0 && fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == 0)
            return fd;
        close(fd);
        return -1;
    }
    close(fd);
    *refused = file_kind(st.st_mode);
    return -1;
}

int tio__read_file(const struct tio_allocator *a, const char *path, const char *what,
                   bool allow_fifo, char **text, size_t *len, const struct tio_origin *where,
                   struct tio_error *err)
{
    bool is_stdin = strcmp(path, "-") == 0;
    const char *refused = NULL;
    int fd = is_stdin ? STDIN_FILENO : open_job_source(path, allow_fifo, &refused);
    struct tio__buf b;
    char chunk[8192], ebuf[128];
    ssize_t n;
    int rc = TIO_OK;

    if (fd < 0 && errno == EFBIG)
        return tio_error_set(err, TIO_EIO, where, NULL, NULL,
                             "%s '%s' is larger than %u MiB (is it a job file?)", what, path,
                             TIO__MAX_JOBFILE >> 20);
    if (fd < 0 && refused)
        return tio_error_set(err, TIO_EIO, where, NULL, NULL,
                             "%s '%s' is %s; give a regular file%s", what, path, refused,
                             allow_fifo ? " or a FIFO (or - for stdin)" : "");
    if (fd < 0)
        return tio_error_set(err, TIO_EIO, where, NULL, NULL, "cannot open %s '%s': %s", what,
                             path, errtext(errno, ebuf, sizeof(ebuf)));
    tio__buf_init(&b, a);
    for (;;) {
        n = read(fd, chunk, sizeof(chunk));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = tio_error_set(err, TIO_EIO, where, NULL, NULL, "cannot read %s '%s': %s", what,
                               path, errtext(errno, ebuf, sizeof(ebuf)));
            break;
        }
        if (n == 0)
            break;
        /* a NUL byte means binary data (or /dev/zero on stdin): stop at the
         * first chunk rather than read up to the size limit */
        if (memchr(chunk, '\0', (size_t)n)) {
            rc = tio_error_set(err, TIO_EIO, where, NULL, NULL,
                               "%s '%s' contains a NUL byte: it is not a text job file", what,
                               path);
            break;
        }
        tio__buf_add(&b, chunk, (size_t)n);
        if (b.len > TIO__MAX_JOBFILE) {
            rc = tio_error_set(err, TIO_EIO, where, NULL, NULL,
                               "%s '%s' is larger than %u MiB (is it a job file?)", what, path,
                               TIO__MAX_JOBFILE >> 20);
            break;
        }
    }
    if (!is_stdin)
        close(fd);
    if (rc) {
        tio__buf_free(&b);
        return rc;
    }
    *len = b.len;
    *text = tio__buf_take(&b);
    return *text ? TIO_OK : tio__oom(err);
}
