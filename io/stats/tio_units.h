/* Number formatting shared by the reports and the live status line.
 *
 * fio prints quantities with a fixed number of significant characters so that
 * columns stay narrow: "IOPS=19.4k", "BW=75.7MiB/s (79.4MB/s)", "io=1024MiB".
 * These helpers reproduce that rule so tools and people reading fio output
 * read ours the same way. */
#ifndef TIO_UNITS_H
#define TIO_UNITS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest text any helper here produces, including the NUL. */
#define TIO_NUM_STR_MAX 48

/* Formats num with at most maxlen digits (plus a decimal point when there is
 * room for decimals). A number that fits is printed as an integer; otherwise
 * it is divided by base (1000 or 1024) until its integer part fits, and the
 * unit prefix is added ("k", "M", ... for 1000; "Ki", "Mi", ... for 1024),
 * followed by suffix ("" for counts, "B" or "B/s" for bytes). The remaining
 * room holds decimals, rounded: 9.99MiB, 19.4k, 182MiB, 1074MB.
 * Returns buf. The decimal kilo prefix is the SI lower-case "k", as in
 * fio's "1023kB/s". */
char *tio_fmt_num(char *buf, size_t size, uint64_t num, unsigned maxlen, unsigned base,
                  const char *suffix);

/* Same, for a num already counted in the unit_index-th unit (1 = k or Ki):
 * the live status line counts in KiB/s, so an idle job shows "0KiB/s". */
char *tio_fmt_num_from(char *buf, size_t size, uint64_t num, unsigned maxlen, unsigned base,
                       unsigned unit_index, const char *suffix);

/* "75.7MiB/s" and "79.4MB/s" halves of a bandwidth, from bytes per second. */
char *tio_fmt_bw_bin(char *buf, size_t size, uint64_t bytes_per_sec);
char *tio_fmt_bw_dec(char *buf, size_t size, uint64_t bytes_per_sec);

/* "1024MiB" and "1074MB" halves of an amount of bytes. */
char *tio_fmt_bytes_bin(char *buf, size_t size, uint64_t bytes);
char *tio_fmt_bytes_dec(char *buf, size_t size, uint64_t bytes);

/* IOPS as fio shows them: "97", "9039k", "19.4k", "18.1M". */
char *tio_fmt_iops(char *buf, size_t size, uint64_t iops);

/* A duration as the status line's ETA: "00m:11s", "01h:02m:03s", "2d:01h:02m:03s". */
char *tio_fmt_eta(char *buf, size_t size, uint64_t seconds);

/* Latency display scale, chosen per line the way fio does. */
enum tio_lat_unit { TIO_LAT_NSEC, TIO_LAT_USEC, TIO_LAT_MSEC };

/* "nsec", "usec" or "msec". */
const char *tio_lat_unit_name(enum tio_lat_unit unit);

/* Nanoseconds per unit: 1, 1000 or 1000000. */
uint64_t tio_lat_unit_div(enum tio_lat_unit unit);

/* The unit fio picks for a min/max/avg/stdev line: a larger unit only when
 * the smallest value is already over 2000 of the current unit, the largest
 * needs more than five digits and the spread is over 1000 of the current
 * unit, so that short latencies keep their nanosecond detail. */
enum tio_lat_unit tio_lat_unit_for_stats(uint64_t min_ns, uint64_t max_ns, double stddev_ns);

/* The unit of a percentile block: the smallest one in which the largest
 * percentile value fits in five digits. */
enum tio_lat_unit tio_lat_unit_for_max(uint64_t max_ns);

#ifdef __cplusplus
}
#endif

#endif
