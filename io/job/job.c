/* A job's life: fio's defaults, deep copies (a [global] becomes each job's
 * starting point; numjobs makes clones), and freeing; plus the plan that
 * holds them. */
#include <string.h>

#include "job_internal.h"

/* The defaults are the option table's (io/job/options/). */
int tio__job_init(const struct tio_allocator *a, struct tio_job *job)
{
    memset(job, 0, sizeof(*job));
    if (tio__options_defaults(a, job) != TIO_OK) {
        tio__job_free(a, job);
        return -1;
    }
    return 0;
}

static int dup_str(const struct tio_allocator *a, char **dst, const char *src)
{
    *dst = NULL;
    if (!src)
        return 0;
    *dst = tio__strdup(a, src);
    return *dst ? 0 : -1;
}

int tio__job_copy(const struct tio_allocator *a, struct tio_job *dst, const struct tio_job *src)
{
    *dst = *src;
    /* detach every owned pointer first, so a failure part-way frees only
     * what this copy allocated */
    dst->identity.name = dst->identity.description = dst->files.filename_format =
        dst->queue.ioengine = NULL;
    dst->verify.verify_async_cpus = NULL;
    dst->origin.file = dst->origin.argtext = NULL;
    dst->files.filenames.v = dst->files.directories.v = dst->given.v = dst->global_given
                                                                           .v = NULL;
    dst->files.filenames.n = dst->files.directories.n = dst->given.n = dst->global_given.n = 0;
    dst->buffers.buffer_pattern = NULL;
    for (int k = 0; k < TIO_LOG_KINDS; k++)
        dst->logs.names[k] = NULL;
    dst->replay.read_iolog = dst->replay.write_iolog = dst->replay.redirect = NULL;
    dst->flow.wait_for = NULL;
    dst->placement.mmapfile = dst->files.ioscheduler = NULL;
    dst->engine_options = NULL;
    dst->nr_engine_options = 0;

    if (dup_str(a, &dst->identity.name, src->identity.name) ||
        dup_str(a, &dst->identity.description, src->identity.description) ||
        dup_str(a, &dst->files.filename_format, src->files.filename_format) ||
        dup_str(a, &dst->queue.ioengine, src->queue.ioengine) ||
        dup_str(a, &dst->verify.verify_async_cpus, src->verify.verify_async_cpus) ||
        dup_str(a, &dst->replay.read_iolog, src->replay.read_iolog) ||
        dup_str(a, &dst->replay.write_iolog, src->replay.write_iolog) ||
        dup_str(a, &dst->replay.redirect, src->replay.redirect) ||
        dup_str(a, &dst->flow.wait_for, src->flow.wait_for) ||
        dup_str(a, &dst->placement.mmapfile, src->placement.mmapfile) ||
        dup_str(a, &dst->files.ioscheduler, src->files.ioscheduler) ||
        tio__origin_copy(a, &dst->origin, &src->origin) ||
        tio__strv_copy(a, &dst->files.filenames, &src->files.filenames) ||
        tio__strv_copy(a, &dst->files.directories, &src->files.directories) ||
        tio__strv_copy(a, &dst->given, &src->given) ||
        tio__strv_copy(a, &dst->global_given, &src->global_given) ||
        tio__engine_options_copy(a, dst, src))
        goto fail;
    for (int k = 0; k < TIO_LOG_KINDS; k++)
        if (dup_str(a, &dst->logs.names[k], src->logs.names[k]))
            goto fail;
    if (src->buffers.buffer_pattern) {
        dst->buffers.buffer_pattern = tio__alloc(a, src->buffers.buffer_pattern_len);
        if (!dst->buffers.buffer_pattern)
            goto fail;
        memcpy(dst->buffers.buffer_pattern, src->buffers.buffer_pattern,
               src->buffers.buffer_pattern_len);
    }
    return 0;
fail:
    tio__job_free(a, dst);
    return -1;
}

void tio__job_free(const struct tio_allocator *a, struct tio_job *job)
{
    if (!job)
        return;
    tio__free(a, job->identity.name);
    tio__free(a, job->identity.description);
    tio__free(a, job->files.filename_format);
    tio__free(a, job->queue.ioengine);
    tio__free(a, job->verify.verify_async_cpus);
    tio__free(a, job->buffers.buffer_pattern);
    tio__free(a, job->replay.read_iolog);
    tio__free(a, job->replay.write_iolog);
    tio__free(a, job->replay.redirect);
    tio__free(a, job->flow.wait_for);
    tio__free(a, job->placement.mmapfile);
    tio__free(a, job->files.ioscheduler);
    for (int k = 0; k < TIO_LOG_KINDS; k++)
        tio__free(a, job->logs.names[k]);
    tio__origin_free(a, &job->origin);
    tio__strv_free(a, &job->files.filenames);
    tio__strv_free(a, &job->files.directories);
    tio__strv_free(a, &job->given);
    tio__strv_free(a, &job->global_given);
    tio__engine_options_free(a, job);
    memset(job, 0, sizeof(*job));
}

void tio_parse_config_init(struct tio_parse_config *cfg)
{
    if (cfg)
        memset(cfg, 0, sizeof(*cfg));
}

struct tio_plan *tio__plan_new(const struct tio_parse_config *cfg)
{
    struct tio_allocator a = {NULL, NULL};
    struct tio_plan *s;

    if (cfg)
        a = cfg->alloc;
    s = tio__alloc(&a, sizeof(*s));
    if (!s)
        return NULL;
    s->alloc = a;
    s->program.output_format = TIO_OUTPUT_NORMAL;
    s->program.eta = TIO_ETA_AUTO;
    s->program.terse_version = 3;
    return s;
}

int tio__plan_add_job(struct tio_plan *s, struct tio_job *job)
{
    void *arr = s->jobs;

    if (s->nr_jobs >= TIO_MAX_JOBS)
        return TIO_ERANGE;
    if (tio__grow(&s->alloc, &arr, &s->jobs_cap_, s->nr_jobs + 1, sizeof(*s->jobs)) != 0)
        return TIO_ENOMEM;
    s->jobs = arr;
    s->jobs[s->nr_jobs++] = *job;
    memset(job, 0, sizeof(*job));
    return TIO_OK;
}

void tio_plan_free(struct tio_plan *s)
{
    struct tio_allocator a;
    size_t i;

    if (!s)
        return;
    a = s->alloc;
    for (i = 0; i < s->nr_jobs; i++)
        tio__job_free(&a, &s->jobs[i]);
    tio__free(&a, s->jobs);
    if (s->cmdline_global)
        tio__job_free(&a, s->cmdline_global);
    tio__free(&a, s->cmdline_global);
    tio__free(&a, s->program.output);
    tio__free(&a, s->program.enghelp_engine);
    tio__free(&a, s->program.enghelp_option);
    tio__free(&a, s->program.cmdhelp_option);
    tio__free(&a, s->program.plugin_config);
    tio__free(&a, s->program.plot);
    tio__free(&a, s->program.inflate_log);
    tio__strv_free(&a, &s->program.sections);
    tio__strv_free(&a, &s->program.showcmd_lines);
    tio__free(&a, s->program.aux_path);
    tio__strv_free(&a, &s->program.job_files);
    tio__free(&a, s);
}

/* ---- small helpers for the host ------------------------------------------ */

const char *tio_rw_name(enum tio_rw rw)
{
    switch (rw) {
    case TIO_RW_READ:
        return "read";
    case TIO_RW_WRITE:
        return "write";
    case TIO_RW_RANDREAD:
        return "randread";
    case TIO_RW_RANDWRITE:
        return "randwrite";
    case TIO_RW_RW:
        return "rw";
    case TIO_RW_RANDRW:
        return "randrw";
    case TIO_RW_TRIM:
        return "trim";
    case TIO_RW_RANDTRIM:
        return "randtrim";
    case TIO_RW_TRIMWRITE:
        return "trimwrite";
    case TIO_RW_RANDTRIMWRITE:
        return "randtrimwrite";
    }
    return "?";
}

const char *tio_verify_name(enum tio_verify v)
{
    switch (v) {
    case TIO_VERIFY_NONE:
        return "none";
    case TIO_VERIFY_META:
        return "meta";
    case TIO_VERIFY_MD5:
        return "md5";
    case TIO_VERIFY_CRC64:
        return "crc64";
    case TIO_VERIFY_CRC32:
        return "crc32";
    case TIO_VERIFY_CRC32C:
        return "crc32c";
    case TIO_VERIFY_CRC32C_INTEL:
        return "crc32c-intel";
    case TIO_VERIFY_CRC16:
        return "crc16";
    case TIO_VERIFY_CRC7:
        return "crc7";
    case TIO_VERIFY_SHA256:
        return "sha256";
    case TIO_VERIFY_SHA512:
        return "sha512";
    case TIO_VERIFY_SHA3_224:
        return "sha3-224";
    case TIO_VERIFY_SHA3_256:
        return "sha3-256";
    case TIO_VERIFY_SHA3_384:
        return "sha3-384";
    case TIO_VERIFY_SHA3_512:
        return "sha3-512";
    case TIO_VERIFY_XXHASH:
        return "xxhash";
    case TIO_VERIFY_SHA1:
        return "sha1";
    case TIO_VERIFY_PATTERN_HDR:
        return "pattern_hdr";
    case TIO_VERIFY_PATTERN:
        return "pattern";
    case TIO_VERIFY_NULL:
        return "null";
    }
    return "?";
}

bool tio_rw_is_random(enum tio_rw rw)
{
    return rw == TIO_RW_RANDREAD || rw == TIO_RW_RANDWRITE || rw == TIO_RW_RANDRW ||
           rw == TIO_RW_RANDTRIM || rw == TIO_RW_RANDTRIMWRITE;
}

bool tio_rw_reads(enum tio_rw rw)
{
    return rw == TIO_RW_READ || rw == TIO_RW_RANDREAD || rw == TIO_RW_RW || rw == TIO_RW_RANDRW;
}

bool tio_rw_writes(enum tio_rw rw)
{
    return rw == TIO_RW_WRITE || rw == TIO_RW_RANDWRITE || rw == TIO_RW_RW ||
           rw == TIO_RW_RANDRW || rw == TIO_RW_TRIMWRITE || rw == TIO_RW_RANDTRIMWRITE;
}

bool tio_rw_trims(enum tio_rw rw)
{
    return rw >= TIO_RW_TRIM;
}

uint64_t tio_job_start_offset(const struct tio_job *job, uint64_t file_size)
{
    uint64_t off = tio_amount_bytes(&job->files.offset, file_size);
    uint64_t inc = tio_amount_bytes(&job->files.offset_increment, file_size);

    if (inc && job->clone > (UINT64_MAX - off) / inc)
        return UINT64_MAX;
    return off + (uint64_t)job->clone * inc;
}
