/* fio's json+ ("--output-format=json+"): the JSON report plus, in every
 * latency object that has percentiles, the histogram as "bins": bucket
 * value in ns -> count, for the buckets that hold any IO.
 *
 * Keys are fio's bucket values, not ours, so fio's tools (such as
 * tools/fio_jsonplus_clat2csv) and scripts read the same layout: fio cuts
 * each power of two into 64 buckets (values below 128 ns are exact) and
 * names a bucket by its middle. tenon-io's histogram cuts each power of two
 * into 128 aligned buckets, so each of ours lies inside exactly one of
 * fio's and the conversion adds counts without moving any IO to a
 * neighbouring bucket. */
#include "report_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* fio 3.33's stat.h: FIO_IO_U_PLAT_BITS, _VAL and _GROUP_NR. */
#define FIO_PLAT_BITS 6u
#define FIO_PLAT_VAL (1u << FIO_PLAT_BITS)
#define FIO_PLAT_NR (29u * FIO_PLAT_VAL)

static unsigned fio_plat_index(uint64_t v)
{
    unsigned msb = v ? 63u - (unsigned)__builtin_clzll(v) : 0;
    if (msb <= FIO_PLAT_BITS)
        return (unsigned)v;
    unsigned error_bits = msb - FIO_PLAT_BITS;
    uint64_t idx = ((uint64_t)(error_bits + 1) << FIO_PLAT_BITS) +
                   ((FIO_PLAT_VAL - 1) & (v >> error_bits));
    return idx < FIO_PLAT_NR ? (unsigned)idx : FIO_PLAT_NR - 1;
}

/* The middle of fio's bucket idx, rounded down as fio's cast does. */
static uint64_t fio_plat_value(unsigned idx)
{
    if (idx < (FIO_PLAT_VAL << 1))
        return idx;
    unsigned error_bits = (idx >> FIO_PLAT_BITS) - 1;
    uint64_t base = UINT64_C(1) << (error_bits + FIO_PLAT_BITS);
    uint64_t k = idx % FIO_PLAT_VAL;
    return base + (k << error_bits) + ((UINT64_C(1) << error_bits) >> 1);
}

json_t *tio__json_bins(const struct tio_hist *h)
{
    uint64_t *counts = calloc(FIO_PLAT_NR, sizeof(*counts));
    json_t *o = json_object();
    if (!counts || !o) {
        free(counts);
        json_decref(o);
        return NULL;
    }
    for (unsigned i = 0; i < TIO_HIST_BUCKETS; i++)
        if (h->counts[i])
            counts[fio_plat_index(tio_hist_bucket_low(i))] += h->counts[i];
    bool ok = true;
    for (unsigned i = 0; i < FIO_PLAT_NR && ok; i++) {
        if (!counts[i])
            continue;
        char key[32];
        snprintf(key, sizeof(key), "%llu", (unsigned long long)fio_plat_value(i));
        ok = json_object_set_new(o, key, json_integer((json_int_t)counts[i])) == 0;
    }
    free(counts);
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *tio_report_to_json_plus(struct tio_report *rep)
{
    rep->json_plus = true;
    json_t *root = tio_report_to_json(rep);
    rep->json_plus = false;
    return root;
}

int tio_report_write_json_plus(struct tio_report *rep, FILE *out)
{
    rep->json_plus = true;
    int rc = tio_report_write_json(rep, out);
    rep->json_plus = false;
    return rc;
}
