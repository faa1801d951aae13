#include "tio_units.h"

#include <inttypes.h>
#include <stdbool.h>
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

/* fio's num2str, step for step, since its output is what tools parse: the
 * number is divided in whole units (the remainder of the last division
 * alone kept, rounding up from half a unit) until its digits fit maxlen;
 * decimals come from that remainder, where room is left for more than the
 * point. So 9999600 IOPS at 4 figures is "10000k", as fio prints it. */
char *tio_fmt_num_from(char *buf, size_t size, uint64_t num, unsigned maxlen, unsigned base,
                       unsigned unit_index, const char *suffix)
{
    const char *const *prefix = base == 1024 ? prefix_bin : prefix_dec;
    size_t unit = unit_index;
    uint64_t rem = 0;
    bool divided = false;

    if (maxlen == 0)
        maxlen = 1;
    if (!suffix)
        suffix = "";
    while (unit < PREFIX_COUNT && count_digits(num) > maxlen) {
        rem = num % base;
        num /= base;
        divided = true;
        unit++;
    }
    if (unit >= PREFIX_COUNT)
        unit = 0; /* as fio: only a unit_index past the prefixes gets here */
    if (divided) {
        unsigned len = count_digits(num);
        if ((int)maxlen - (int)len <= 1) {
            if (rem >= base / 2)
                num++;
        } else {
            char frac[TIO_NUM_STR_MAX];
            snprintf(frac, sizeof(frac), "%.*f", (int)(maxlen - len - 1),
                     (double)rem / (double)base);
            if (frac[0] == '1')
                num++;
            snprintf(buf, size, "%" PRIu64 ".%s%s%s", num, frac + 2, prefix[unit], suffix);
            return buf;
        }
    }
    snprintf(buf, size, "%" PRIu64 "%s%s", num, prefix[unit], suffix);
    return buf;
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
