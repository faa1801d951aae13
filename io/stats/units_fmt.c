#include "tio_units.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const prefix_dec[] = {"", "k", "M", "G", "T", "P", "E"};
static const char *const prefix_bin[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
#define PREFIX_COUNT (sizeof(prefix_dec) / sizeof(prefix_dec[0]))

static unsigned count_digits(uint64_t v)
{
    unsigned n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

char *tio_fmt_num(char *buf, size_t size, uint64_t num, unsigned maxlen, unsigned base,
                  const char *suffix)
{
    return tio_fmt_num_from(buf, size, num, maxlen, base, 0, suffix);
}

char *tio_fmt_num_from(char *buf, size_t size, uint64_t num, unsigned maxlen, unsigned base,
                       unsigned unit_index, const char *suffix)
{
    const char *const *prefix = base == 1024 ? prefix_bin : prefix_dec;
    if (maxlen == 0)
        maxlen = 1;
    if (!suffix)
        suffix = "";
    size_t unit = unit_index < PREFIX_COUNT ? unit_index : PREFIX_COUNT - 1;

    if (count_digits(num) <= maxlen) {
        snprintf(buf, size, "%" PRIu64 "%s%s", num, prefix[unit], suffix);
        return buf;
    }

    /* Work in long double so that 2^64 bytes still keep all their digits. */
    long double v = (long double)num;
    long double limit = powl(10.0L, (long double)maxlen);
    while (v >= limit && unit + 1 < PREFIX_COUNT) {
        v /= base;
        unit++;
    }

    for (;;) {
        unsigned int_digits = count_digits((uint64_t)v);
        int decimals = (int)maxlen - (int)int_digits - 1;
        if (decimals < 0)
            decimals = 0;
        char tmp[TIO_NUM_STR_MAX];
        snprintf(tmp, sizeof(tmp), "%.*Lf", decimals, v);
        /* Rounding can carry into a new digit (9999.7 -> "10000", 9.996 ->
         * "10.00"); then the same value needs fewer decimals or the next
         * unit. */
        size_t whole = strcspn(tmp, ".");
        if (whole > int_digits) {
            if (whole > maxlen && unit + 1 < PREFIX_COUNT) {
                v /= base;
                unit++;
            } else {
                v = roundl(v * powl(10.0L, decimals)) / powl(10.0L, decimals);
            }
            continue;
        }
        snprintf(buf, size, "%s%s%s", tmp, prefix[unit], suffix);
        return buf;
    }
}

char *tio_fmt_bw_bin(char *buf, size_t size, uint64_t bytes_per_sec)
{
    return tio_fmt_num(buf, size, bytes_per_sec, 4, 1024, "B/s");
}

char *tio_fmt_bw_dec(char *buf, size_t size, uint64_t bytes_per_sec)
{
    return tio_fmt_num(buf, size, bytes_per_sec, 4, 1000, "B/s");
}

char *tio_fmt_bytes_bin(char *buf, size_t size, uint64_t bytes)
{
    return tio_fmt_num(buf, size, bytes, 4, 1024, "B");
}

char *tio_fmt_bytes_dec(char *buf, size_t size, uint64_t bytes)
{
    return tio_fmt_num(buf, size, bytes, 4, 1000, "B");
}

char *tio_fmt_iops(char *buf, size_t size, uint64_t iops)
{
    return tio_fmt_num(buf, size, iops, 4, 1000, "");
}

char *tio_fmt_eta(char *buf, size_t size, uint64_t seconds)
{
    uint64_t d = seconds / 86400, h = seconds / 3600 % 24, m = seconds / 60 % 60,
             s = seconds % 60;
    if (d)
        snprintf(buf, size, "%" PRIu64 "d:%02" PRIu64 "h:%02" PRIu64 "m:%02" PRIu64 "s", d, h,
                 m, s);
    else if (h)
        snprintf(buf, size, "%02" PRIu64 "h:%02" PRIu64 "m:%02" PRIu64 "s", h, m, s);
    else
        snprintf(buf, size, "%02" PRIu64 "m:%02" PRIu64 "s", m, s);
    return buf;
}

const char *tio_lat_unit_name(enum tio_lat_unit unit)
{
    switch (unit) {
    case TIO_LAT_USEC:
        return "usec";
    case TIO_LAT_MSEC:
        return "msec";
    case TIO_LAT_NSEC:
    default:
        return "nsec";
    }
}

uint64_t tio_lat_unit_div(enum tio_lat_unit unit)
{
    switch (unit) {
    case TIO_LAT_USEC:
        return 1000;
    case TIO_LAT_MSEC:
        return 1000000;
    case TIO_LAT_NSEC:
    default:
        return 1;
    }
}

enum tio_lat_unit tio_lat_unit_for_stats(uint64_t min_ns, uint64_t max_ns, double stddev_ns)
{
    enum tio_lat_unit unit = TIO_LAT_NSEC;
    uint64_t lo = min_ns, hi = max_ns;
    double dev = stddev_ns;
    while (unit != TIO_LAT_MSEC && lo > 2000 && hi > 99999 && dev > 1000.0) {
        lo /= 1000;
        hi /= 1000;
        dev /= 1000.0;
        unit = unit == TIO_LAT_NSEC ? TIO_LAT_USEC : TIO_LAT_MSEC;
    }
    return unit;
}

enum tio_lat_unit tio_lat_unit_for_max(uint64_t max_ns)
{
    if (max_ns <= 99999)
        return TIO_LAT_NSEC;
    if (max_ns / 1000 <= 99999)
        return TIO_LAT_USEC;
    return TIO_LAT_MSEC;
}
