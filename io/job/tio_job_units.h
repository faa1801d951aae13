/* tenon-io job parser: numbers (and lists of them) as fio reads them.
 *
 * Exported because the host validates engine options (declared by plugins)
 * with the same rules as core options, so `hipri=1` and `direct=1`, or
 * `sqthread_poll_cpu=4k` and `bs=4k`, never disagree.
 *
 * Every parser takes a trimmed, NUL-terminated value and returns TIO_OK,
 * TIO_EVALUE (malformed) or TIO_ERANGE (does not fit). On failure `why`
 * receives a short reason that ends with how to fix it, e.g.
 * "unknown size suffix 'q' (use k, m, g, t, p or KiB, MiB...)". */
#ifndef TIO_JOB_UNITS_H
#define TIO_JOB_UNITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Microseconds per unit, for tio_parse_time's default unit. */
#define TIO_USEC UINT64_C(1)
#define TIO_MSEC UINT64_C(1000)
#define TIO_SEC UINT64_C(1000000)

/* The longest time any option takes: 100 years (36500d). Three such times
 * in nanoseconds still fit in 64 bits. */
#define TIO_MAX_TIME_US (UINT64_C(36500) * 86400 * TIO_SEC)

/* The largest byte offset or size a file can have (off_t): offsets, sizes
 * and where a job's region ends are checked against it. */
#define TIO_MAX_OFFSET UINT64_C(0x7fffffffffffffff)

/* A quantity of bytes that fio also accepts as a percentage of the file or
 * device ("size=50%", "offset=25%"), or as a number of zones ("size=4z"). */
struct tio_amount {
    uint64_t bytes;   /* valid when set and percent == 0 */
    unsigned percent; /* 1..100 when given as a percentage, else 0 */
    uint32_t zones;   /* given as zones, until resolved into bytes (zonesize) */
    bool set;         /* false: not given (size: use the file's size) */
};

/* Sizes: decimal or 0x hex, then an optional unit: b, k, m, g, t, p with an
 * optional i and/or b ("4k", "4kb", "4KiB", "1Mi"), any case. As in fio, with
 * kb_base=1024 (the default) k/kb/ki mean 1024 and only the three-letter IEC
 * forms (kib, mib...) mean powers of 1000 - fio's historical inversion; with
 * kb_base=1000 it is the other way round. Fractions ("1.5k") and hex with a
 * unit are refused rather than silently truncated as fio 3.33 does. */
int tio_parse_size(const char *s, unsigned kb_base, uint64_t *out, char *why, size_t whylen);

/* An integer option (fio accepts size units on those too, "iodepth=1k"),
 * checked against [min, max]. */
int tio_parse_uint(const char *s, unsigned kb_base, uint64_t min, uint64_t max, uint64_t *out,
                   char *why, size_t whylen);

/* Durations, in microseconds. Units (any case): us/usec, ms/msec, s/sec,
 * m/min, h, d; a bare number is in `default_unit` microseconds (TIO_SEC for
 * runtime, ramp_time and startdelay, as fio). At most TIO_MAX_TIME_US. */
int tio_parse_time(const char *s, uint64_t default_unit, uint64_t *out_us, char *why,
                   size_t whylen);

/* Booleans: 0/1 as fio, plus true/false, yes/no, on/off (any case). */
int tio_parse_bool(const char *s, bool *out, char *why, size_t whylen);

/* "N%" with 0 <= N <= 100; the % sign is required. */
int tio_parse_percent(const char *s, unsigned *out, char *why, size_t whylen);

/* A size, a percentage (1%..100%) or a number of zones ("4z", fio's zone
 * granularity: zones are bytes only once zonesize is known). "0" and "0z"
 * leave the amount unset. */
int tio_parse_amount(const char *s, unsigned kb_base, struct tio_amount *out, char *why,
                     size_t whylen);

/* Bytes an amount stands for against a file or device of `whole` bytes. */
uint64_t tio_amount_bytes(const struct tio_amount *a, uint64_t whole);

/* A set of CPU or NUMA node numbers, as fio's cpus_allowed and libnuma's
 * node lists name them. 1024 is fio's most CPUs on Linux (CPU_SETSIZE) and
 * the kernel's most NUMA nodes. */
#define TIO_IDSET_MAX 1024u
struct tio_idset {
    uint64_t bits[TIO_IDSET_MAX / 64];
};

static inline bool tio_idset_has(const struct tio_idset *s, unsigned id)
{
    return id < TIO_IDSET_MAX && (s->bits[id / 64] >> (id % 64) & 1u);
}

static inline void tio_idset_add(struct tio_idset *s, unsigned id)
{
    if (id < TIO_IDSET_MAX)
        s->bits[id / 64] |= UINT64_C(1) << (id % 64);
}

unsigned tio_idset_count(const struct tio_idset *s);

/* The n-th (from 0) number of the set, or TIO_IDSET_MAX past its end. */
unsigned tio_idset_nth(const struct tio_idset *s, unsigned n);

/* "0,5,8-15": decimal numbers and low-high ranges joined by commas, blanks
 * around any of them allowed (fio's cpus_allowed, libnuma's node lists).
 * `what` names a member in reasons ("CPU", "node"). Refused where fio
 * guesses: an empty list or entry, a range that runs backwards, anything
 * but digits, a number of TIO_IDSET_MAX or more. */
int tio_parse_idset(const char *s, const char *what, struct tio_idset *out, char *why,
                    size_t whylen);

/* The set as tio_parse_idset reads it, ranges joined ("0-3,8"); "" when
 * empty. Returns the length it needed (snprintf's). */
size_t tio_idset_format(const struct tio_idset *s, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif /* TIO_JOB_UNITS_H */
