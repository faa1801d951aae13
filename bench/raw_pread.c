/* The floor for a synchronous 4k random-read engine: a bare pread(2) loop
 * over a file, random block offsets from the same kind of generator, for a
 * given time. Prints the IOs per second. bench/vs-fio compiles and runs it
 * beside fio and tenon-io.
 *
 * usage: raw_pread FILE BLOCK_SIZE SECONDS */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc != 4)
        return 2;
    int fd = open(argv[1], O_RDONLY);
    struct stat st;
    size_t bs = (size_t)atol(argv[2]);
    double seconds = atof(argv[3]);
    if (fd < 0 || fstat(fd, &st) != 0 || bs == 0)
        return 1;
    uint64_t blocks = (uint64_t)st.st_size / bs;
    char *buf = aligned_alloc(4096, bs);
    uint64_t x = 0x9e3779b97f4a7c15ull, ios = 0;
    uint64_t start = now_ns(), end = start + (uint64_t)(seconds * 1e9), t = start;
    while (t < end) {
        /* 64 IOs between clock reads: the loop measures pread, not the clock. */
        for (int i = 0; i < 64; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if (pread(fd, buf, bs, (off_t)((x % blocks) * bs)) != (ssize_t)bs)
                return 1;
        }
        ios += 64;
        t = now_ns();
    }
    printf("%.0f\n", (double)ios / ((double)(t - start) / 1e9));
    free(buf);
    return 0;
}
