/* What a buffered 1 MiB pread(2) costs by where its destination buffer
 * starts: page-aligned, a few bytes past a page (where a malloc()ed buffer
 * such as fio's lands), half a page, 2 MiB-aligned with and without
 * MADV_HUGEPAGE. One process reads a page-cached file into each buffer in
 * turn and times every read in thread CPU time, so other load on a shared
 * machine hits all the buffers alike. Prints the 10th percentile and the
 * median per buffer. docs/performance.md explains the result.
 *
 * usage: cc -O2 -o copy_offset bench/copy_offset.c
 *        copy_offset FILE [READS]   (FILE at least 1 MiB, page-cached) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BS (1u << 20)
#define HUGE (2u << 20)

enum { N_BUFS = 6 };
static const char *const names[N_BUFS] = {
    "page-aligned", "page + 16", "page + 64", "page + 2048", "2 MiB-aligned", "2 MiB + THP",
};

static uint64_t thread_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3)
        return 2;
    int fd = open(argv[1], O_RDONLY);
    struct stat st;
    long reads = argc == 3 ? atol(argv[2]) : 3000;
    if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < BS || reads <= 0)
        return 1;
    char *bufs[N_BUFS];
    const size_t skews[4] = {0, 16, 64, 2048};
    for (int i = 0; i < 4; i++)
        bufs[i] = (char *)aligned_alloc(4096, BS + 4096) + skews[i];
    bufs[4] = aligned_alloc(HUGE, HUGE);
    bufs[5] = aligned_alloc(HUGE, HUGE);
    madvise(bufs[5], HUGE, MADV_HUGEPAGE);
    uint64_t *ns = calloc((size_t)reads * N_BUFS, sizeof(*ns));
    if (!ns)
        return 1;
    for (int i = 0; i < N_BUFS; i++)
        memset(bufs[i], 1, BS); /* fault the pages in before timing */
    uint64_t blocks = (uint64_t)st.st_size / BS, block = 0;
    for (long r = 0; r < reads; r++) {
        for (int i = 0; i < N_BUFS; i++) {
            uint64_t start = thread_ns();
            if (pread(fd, bufs[i], BS, (off_t)(block * BS)) != (ssize_t)BS)
                return 1;
            ns[(size_t)i * reads + r] = thread_ns() - start;
            block = (block + 1) % blocks;
        }
    }
    for (int i = 0; i < N_BUFS; i++) {
        uint64_t *t = ns + (size_t)i * reads;
        qsort(t, (size_t)reads, sizeof(*t), by_value);
        printf("%-14s p10 %7.1f us  median %7.1f us\n", names[i], t[reads / 10] / 1e3,
               t[reads / 2] / 1e3);
    }
    return 0;
}
