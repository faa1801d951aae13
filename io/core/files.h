/* Path targets before the run: what the check (files_check.c) and the
 * preparation (files_prepare.c) share. The preparation applies the same
 * refusals as the check to what it really opened, so both judge a target
 * through tio_files_judge. */
#ifndef TIO_FILES_H
#define TIO_FILES_H

#include "host.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

static inline bool tio_files_job_writes(const struct tio_job *job)
{
    return job->pattern.rw != TIO_RW_READ && job->pattern.rw != TIO_RW_RANDREAD;
}

static inline bool tio_files_job_reads(const struct tio_job *job)
{
    return job->pattern.rw != TIO_RW_WRITE && job->pattern.rw != TIO_RW_RANDWRITE;
}

/* fio's td_min_bs: the smallest block size of all three directions, done
 * or not. It aligns percentage offsets, rounds size=% and is the unit in
 * which the remainder of size= goes to the first files. */
static inline uint64_t tio_files_smallest_bs(const struct tio_job *job)
{
    uint64_t m = 0;
    for (int d = 0; d < TIO_JOB_DDIR_COUNT; d++)
        if (job->pattern.bs[d] && (!m || job->pattern.bs[d] < m))
            m = job->pattern.bs[d];
    return m;
}

/* The largest block size of the directions the job does: a region holds
 * whole blocks of each (a write-only job with bs=4k,1k is cut to 1k). */
static inline uint64_t tio_files_cut_bs(const struct tio_job *job)
{
    /* trims, and the writes that follow them at their size (trimwrite) */
    if (tio_rw_trims(job->pattern.rw))
        return job->pattern.bs[TIO_JOB_DDIR_TRIM];
    uint64_t r = tio_files_job_reads(job) ? job->pattern.bs[TIO_JOB_DDIR_READ] : 0;
    uint64_t w = tio_files_job_writes(job) ? job->pattern.bs[TIO_JOB_DDIR_WRITE] : 0;
    return r > w ? r : w;
}

static inline bool tio_files_has_path_targets(const struct tio_host_job *t)
{
    return !t->engine.no_files && !t->engine.uri_targets && !t->engine.names_only;
}

/* What a path names, from stat (the check) or fstat (what was opened). */
struct target_state {
    bool exists;
    mode_t type;        /* S_IFMT bits */
    uint64_t size;      /* file or device size; 0 for other kinds */
    uint64_t allocated; /* bytes a regular file occupies on its filesystem */
};

/* What the job will do with one target. */
struct target_plan {
    struct tio_region region;
    uint64_t need;      /* the end the job reaches: offset + length */
    bool grow;          /* a regular file is created or extended to need */
    bool layout;        /* ...with data (reads and verify read what is there) */
    uint64_t new_space; /* most bytes the job can newly allocate on the filesystem */
};

/* The size filesize= gives file i: fixed, or for a range a size in it
 * drawn per file. The same every call: the check and the preparation
 * agree. */
uint64_t tio_files_size_in_range(const struct tio_job *job, size_t i);

/* Every refusal that depends on what the target is and how big, and the
 * plan for it. Returns 0, or -1 with err. */
int tio_files_judge(const struct tio_host_job *t, size_t i, const struct target_state *s,
                    struct target_plan *p, struct tio_error *err);

/* Bytes this process may still allocate on the filesystem v describes. */
uint64_t tio_files_free_bytes(const struct statvfs *v);

/* Fills err with the not-enough-space refusal for path; returns -1. */
int tio_files_refuse_space(const struct tio_job *job, const char *path, uint64_t want,
                           uint64_t avail, struct tio_error *err);

/* The size of the block device open as fd. Returns 0, or -1 with err. */
int tio_files_device_size(int fd, const char *path, uint64_t *size, struct tio_error *err);

/* fill_device's layout of path stopped at byte end, the filesystem full:
 * the plan's region ends there, in whole blocks (files_check.c). Returns
 * 0, or -1 with err when no whole block is left. */
int tio_files_filled(const struct tio_job *job, const char *path, uint64_t end,
                     struct target_plan *p, struct tio_error *err);

/* A target's state from its stat or fstat. */
void tio_files_state_from(const struct stat *st, struct target_state *s);

#endif /* TIO_FILES_H */
