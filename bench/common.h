/* Helpers the benchmarks share: clocks, statistics over rounds, temporary
 * folders, and copies of the benchmark plugin with their own names. */
#ifndef TENON_BENCH_COMMON_H
#define TENON_BENCH_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int64_t bench_now_ns(void);
void bench_sleep_ms(unsigned ms);

/* Median, min and max of n values (sorts a copy). */
typedef struct bench_stat {
    double median, min, max;
} bench_stat;
bench_stat bench_stats(const double *values, size_t n);

/* Exits with a message (benchmarks have no error recovery to speak of). */
void bench_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* A new folder /tmp/tenon-bench-WHAT-XXXXXX (0755), removed with its
 * contents when the program exits unless bench_keep_tmp(true); caller
 * frees the string. */
char *bench_tmp_dir(const char *what);
void bench_keep_tmp(bool keep);
void bench_rm_rf(const char *dir);

/* The whole file; *size set; caller frees. */
unsigned char *bench_read_file(const char *path, size_t *size);

/* Where the plugin's name sits in its descriptor note (the entry's
 * descriptor pointer points into the note, so patching it keeps the two
 * consistent). */
size_t bench_name_offset(const unsigned char *image, size_t size);

/* Writes image as DIR/bench_NNNNNNN.so with the name patched to index i. */
void bench_write_copy(const char *dir, unsigned char *image, size_t size, size_t name_offset,
                      unsigned i);

/* VmRSS and VmHWM (peak) of this process in KiB. */
long bench_rss_kb(void);
long bench_peak_rss_kb(void);

/* Model name, kernel and compiler, one line each, for the record. */
void bench_print_machine(void);

#endif
