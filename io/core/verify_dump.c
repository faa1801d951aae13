/* verify_dump: fio's dump of a piece that failed verification, for a
 * person to compare: the bytes read ("received") and what the piece
 * should have held ("expected", made again from the seed and write number
 * its header carries), or, when the header itself is bad, the bytes read
 * ("hdr_fail"). Files are named as fio names them, FILE.OFFSET.KIND in
 * --aux-path's folder or the working folder, and each is announced on
 * stderr as fio does. */
#include "verify.h"

#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void dump_one(const char *dir, const char *file_name, uint64_t offset, const char *kind,
                     const uint8_t *p, size_t n)
{
    char *copy = strdup(file_name);
    char path[4096];
    if (!copy)
        return;
    snprintf(path, sizeof(path), "%s%s%s.%" PRIu64 ".%s", dir ? dir : "", dir ? "/" : "",
             basename(copy), offset, kind);
    free(copy);
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0) {
        fprintf(stderr, "tenon-io: verify_dump: cannot create %s: %m\n", path);
        return;
    }
    while (n) {
        ssize_t done = write(fd, p, n);
        if (done <= 0) {
            fprintf(stderr, "tenon-io: verify_dump: cannot write %s: %m\n", path);
            break;
        }
        p += done;
        n -= (size_t)done;
    }
    close(fd);
    fprintf(stderr, "       %s data dumped as %s\n", kind, path);
}

void tio_verify_dump(const struct tio_verify_params *p, const void *buf, size_t len,
                     uint64_t io_offset, uint64_t bad_offset, const char *file_name,
                     bool header_bad)
{
    uint64_t piece = p->interval && p->interval < len && len % p->interval == 0 ? p->interval
                                                                                : len;
    size_t at = (size_t)(bad_offset - io_offset);
    const uint8_t *b = buf;
    if (header_bad) {
        dump_one(p->aux_path, file_name, bad_offset, "hdr_fail", b + at, piece);
        return;
    }
    dump_one(p->aux_path, file_name, bad_offset, "received", b + at, piece);
    struct tio_verify_hdr h = {0};
    if (tio_verify_header_size(p->m))
        memcpy(&h, b + at, sizeof(h));
    uint8_t *expected = malloc(len);
    if (!expected)
        return;
    if (tio_verify_fill(expected, len, p, io_offset, h.rand_seed, h.numberio))
        dump_one(p->aux_path, file_name, bad_offset, "expected", expected + at, piece);
    free(expected);
}
