/* Zones as a job is resolved: sizes given as a number of zones ("size=4z",
 * fio's zone granularity) made bytes, and fio's checks of zonemode=,
 * zonesize=, zonerange= and zoneskip= and of what they combine with. What
 * zones do in a run is io/core/zones.c's (strided) and io/core/zbd*.c's
 * (zbd). */
#include <stdint.h>

#include "job_internal.h"

/* One amount given as zones: bytes of zonesize each. */
static int zone_bytes(struct tio_job *job, const char *name, uint32_t zones, uint64_t *bytes,
                      struct tio_error *err)
{
    const struct tio_job_zones *z = &job->zones;
    if (z->mode == TIO_ZONE_NONE)
        return tio__job_error(err, job,
                              "%s=%uz: a number of zones needs zonemode=zbd or "
                              "zonemode=strided with zonesize= (fio leaves the option "
                              "unset otherwise); give bytes, or set zonemode",
                              name, zones);
    if (!z->size)
        return tio__job_error(err, job,
                              "%s=%uz: a number of zones needs zonesize= (for a zoned "
                              "device, give its zone size); or give bytes",
                              name, zones);
    if (z->size > TIO_MAX_OFFSET / zones)
        return tio__job_error(err, job,
                              "%s=%uz: %u zones of %llu bytes are more than 2^63-1 bytes "
                              "(give fewer zones)",
                              name, zones, zones, (unsigned long long)z->size);
    *bytes = zones * z->size;
    return TIO_OK;
}

int tio__resolve_zone_counts(struct tio_job *job, struct tio_error *err)
{
    struct tio_job_files *f = &job->files;
    struct {
        const char *name;
        struct tio_amount *a;
    } amounts[] = {{"size", &f->size},
                   {"io_size", &f->io_size},
                   {"offset", &f->offset},
                   {"offset_increment", &f->offset_increment}};
    int rc;
    for (size_t i = 0; i < sizeof(amounts) / sizeof(amounts[0]); i++) {
        struct tio_amount *a = amounts[i].a;
        if (!a->zones)
            continue;
        rc = zone_bytes(job, amounts[i].name, a->zones, &a->bytes, err);
        if (rc)
            return rc;
        a->zones = 0;
    }
    if (job->zones.skip_zones) {
        rc = zone_bytes(job, "zoneskip", job->zones.skip_zones, &job->zones.skip, err);
        if (rc)
            return rc;
        job->zones.skip_zones = 0;
    }
    return TIO_OK;
}

/* zonemode=zbd: fio's checks that need no target, and what tenon-io does
 * not combine with it (io/core/zbd.c checks the rest against the targets
 * as the job starts: zone sizes, trim and verify block sizes, zoneskip). */
static int resolve_zbd(struct tio_job *job, struct tio_error *err)
{
    const struct tio_job_zones *z = &job->zones;
    const struct tio_job_pattern *p = &job->pattern;
    const struct tio_job_verify *v = &job->verify;
    if (!job->files.create_serialize)
        return tio__job_error(err, job,
                              "zonemode=zbd and create_serialize=0 are not compatible (fio "
                              "refuses this too: drop create_serialize=0)");
    if (z->size && z->capacity > z->size)
        return tio__job_error(err, job,
                              "zonecapacity=%llu is larger than zonesize=%llu (a zone's "
                              "capacity "
                              "is at most its size)",
                              (unsigned long long)z->capacity, (unsigned long long)z->size);
    if (tio_rw_trims(p->rw) && (p->min_bs[TIO_JOB_DDIR_TRIM] != p->max_bs[TIO_JOB_DDIR_TRIM] ||
                                p->bssplit_nr[TIO_JOB_DDIR_TRIM]))
        return tio__job_error(err, job,
                              "bsrange and bssplit are not allowed for trims with "
                              "zonemode=zbd (fio refuses them too: a trim resets one whole "
                              "zone; give bs= the zone size)");
    bool verifies = v->method != TIO_VERIFY_NONE && v->do_verify && tio_rw_writes(p->rw);
    if (verifies && z->reset_frequency > 0)
        return tio__job_error(err, job,
                              "zone_reset_frequency with verify: a zone reset while writing "
                              "would lose data the verify phase reads (fio 3.33 aborts on "
                              "this); drop one of them");
    const char *what = NULL;
    if (verifies && job->time.time_based)
        what = "verify and time_based (fio verifies each pass of writes as the zones fill "
               "up; drop time_based, and use loops= or io_size= for more passes)";
    else if (v->method != TIO_VERIFY_NONE && v->experimental_verify)
        what = "experimental_verify (drop it: the verify phase reads back the writes logged)";
    else if (v->method != TIO_VERIFY_NONE && v->verify_only)
        what = "verify_only (run the writing job with verify= instead)";
    else if (v->trim_percentage)
        what = "trim_percentage (fio resets a whole zone for a trim)";
    else if (tio_rw_trims(p->rw) && job->queue.offload)
        what = "trims under io_submit_mode=offload (use io_submit_mode=inline)";
    else if ((p->rw == TIO_RW_TRIMWRITE || p->rw == TIO_RW_RANDTRIMWRITE) &&
             (p->bs[TIO_JOB_DDIR_WRITE] != p->bs[TIO_JOB_DDIR_TRIM] ||
              p->min_bs[TIO_JOB_DDIR_WRITE] != p->max_bs[TIO_JOB_DDIR_WRITE] ||
              p->bssplit_nr[TIO_JOB_DDIR_WRITE]))
        what = "a trimwrite whose writes differ in size from its trims (give one bs=, the "
               "zone size)";
    if (what)
        return tio_error_set(err, TIO_EUNSUPPORTED, &job->origin, NULL, NULL,
                             "job '%s': zonemode=zbd together with %s is not supported by "
                             "tenon-io",
                             job->identity.name, what);
    return TIO_OK;
}

/* fio's checks of zonemode=, zonesize= and zonerange=, and what tenon-io
 * does not combine with strided zones yet (io/core/zones.c). */
int tio__resolve_zones(struct tio_job *job, struct tio_error *err)
{
    struct tio_job_zones *z = &job->zones;
    const struct tio_job_pattern *p = &job->pattern;
    if (z->mode == TIO_ZONE_NONE && z->size)
        return tio__job_error(err, job,
                              "zonesize=%llu needs zonemode=strided (or zbd); zonemode is none "
                              "(fio refuses this too: set zonemode=strided or drop zonesize)",
                              (unsigned long long)z->size);
    if (z->mode == TIO_ZONE_ZBD)
        return resolve_zbd(job, err);
    if (z->mode != TIO_ZONE_STRIDED)
        return TIO_OK;
    if (!z->size)
        return tio__job_error(err, job,
                              "zonemode=strided needs zonesize= (the bytes of IO per zone, "
                              "e.g. zonesize=64k)");
    if (!z->range)
        z->range = z->size; /* fio: zonerange defaults to zonesize */
    const char *what = NULL;
    if (job->files.nrfiles > 1)
        what = "more than one file (fio turns zones off then without a word; set "
               "nrfiles=1 or drop zonemode)";
    else if (job->verify.method != TIO_VERIFY_NONE)
        what = "verify (drop verify= or zonemode=)";
    else if (p->rw_modifier && p->rw_backward)
        what = "backward sequential IO, rw=TYPE:-N (drop the modifier or zonemode=)";
    else if (p->random_generator == TIO_RAND_LFSR && tio_rw_is_random(p->rw) &&
             (p->rw_modifier > 1 || p->perc_rand[0] < 100 || p->perc_rand[1] < 100))
        what = "random_generator=lfsr and rw=randTYPE:N or percentage_random (drop one)";
    else if (p->rw == TIO_RW_RANDRW && p->bs[0] != p->bs[1])
        what = "a random mix with different read and write block sizes (give one bs=)";
    else if (p->rw == TIO_RW_RW)
        what = "sequential mixed IO, rw=rw (use rw=randrw, or separate read and write jobs)";
    else
        for (int d = 0; d < TIO_JOB_DDIR_COUNT; d++)
            if (p->min_bs[d] != p->max_bs[d] || p->bssplit_nr[d] || p->ba[d] != p->bs[d])
                what = "bsrange, bssplit or blockalign (give one bs= per direction)";
    if (what)
        return tio_error_set(err, TIO_EUNSUPPORTED, &job->origin, NULL, NULL,
                             "job '%s': zonemode=strided together with %s is not supported "
                             "by tenon-io yet",
                             job->identity.name, what);
    /* fio keeps no random map beside its LFSR */
    if (p->random_generator == TIO_RAND_LFSR)
        job->pattern.norandommap = true;
    return TIO_OK;
}
