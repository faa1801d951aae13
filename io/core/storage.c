/* The forwarding layer (OPAE's plugin manager, in tenon-io): tenon-io's
 * storage calls go through here. Each target is routed to the engine that
 * claims it, read from the engines' descriptors without loading them, and
 * what an engine opens is wrapped in a handle tagged with that engine. No
 * code here or anywhere in the host names a particular engine or scheme,
 * so an engine for a new kind of target slots in as a plugin. */
#include "host.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

bool tio_target_scheme(const char *target, char *scheme, size_t size)
{
    const char *p = target;
    if (!isalpha((unsigned char)*p))
        return false;
    while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
        p++;
    if (strncmp(p, "://", 3) != 0)
        return false;
    size_t n = (size_t)(p - target);
    if (n + 1 > size)
        return false;
    for (size_t i = 0; i < n; i++)
        scheme[i] = (char)tolower((unsigned char)target[i]);
    scheme[n] = '\0';
    return true;
}

/* Whether word is one of the comma-separated tokens of list. */
static bool has_token(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t len = strcspn(p, ", ");
        if (len == n && strncmp(p, word, n) == 0)
            return true;
        p += len;
    }
    return false;
}

bool tio_engine_claims(const tenon_plugin *engine, const char *target)
{
    const char *targets = tenon_descriptor_meta(tenon_plugin_descriptor(engine),
                                                TIO_META_TARGETS);
    if (!targets || !*targets)
        targets = "path";
    char scheme[64];
    if (tio_target_scheme(target, scheme, sizeof(scheme)))
        return has_token(targets, scheme);
    return has_token(targets, "path");
}

tenon_plugin *tio_route(tenon_registry *reg, const char *target)
{
    tenon_plugin *engines[256];
    size_t n = tenon_providers(reg, TIO_ENGINE_INTERFACE, TIO_ENGINE_VERSION, engines, 256);
    for (size_t i = 0; i < n && i < 256; i++)
        if (tio_engine_claims(engines[i], target))
            return engines[i]; /* best rank first */
    return NULL;
}

/* fio's td_min_bs, the smallest block size of all three directions (done
 * or not), aligns percentage offsets; the largest block size of the
 * directions the job does rounds the region's length so that every block
 * fits (a write-only job with bs=4k,1k is cut to 1k). Both as the regions
 * of path targets (files_check.c). */
static uint64_t min_bs(const struct tio_job *job)
{
    uint64_t m = 0;
    for (int d = 0; d < TIO_JOB_DDIR_COUNT; d++)
        if (job->pattern.bs[d] && (!m || job->pattern.bs[d] < m))
            m = job->pattern.bs[d];
    return m;
}

static uint64_t max_bs(const struct tio_job *job)
{
    if (tio_rw_trims(job->pattern.rw)) /* trimwrite's writes take the trims' size */
        return job->pattern.bs[TIO_JOB_DDIR_TRIM];
    uint64_t r = job->pattern.rw != TIO_RW_WRITE && job->pattern.rw != TIO_RW_RANDWRITE
                     ? job->pattern.bs[TIO_JOB_DDIR_READ]
                     : 0;
    uint64_t w = tio_rw_writes(job->pattern.rw) ? job->pattern.bs[TIO_JOB_DDIR_WRITE] : 0;
    return r > w ? r : w;
}

int tio_uri_region(const struct tio_job *job, const char *target, uint64_t target_size,
                   size_t n_targets, struct tio_region *region, struct tio_error *err)
{
    uint64_t start = tio_job_start_offset(job, target_size);
    uint64_t align = job->files.offset_align ? job->files.offset_align : min_bs(job);
    if ((job->files.offset.percent || job->files.offset_increment.percent) && align &&
        start % align && start <= UINT64_MAX - align)
        start += align - start % align;
    if (start >= target_size) {
        tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                      "%s is %" PRIu64 " bytes and the job starts at byte %" PRIu64
                      " (offset= + clone * offset_increment=), at or past its end; lower "
                      "offset= "
                      "(or offset_increment=), or use a larger target",
                      target, target_size, start);
        return -1;
    }
    uint64_t room = target_size - start;
    uint64_t len = room;
    if (job->files.size.set && job->files.size.percent) {
        /* fio: a percentage of the whole target, cut at its end. */
        len = tio_amount_bytes(&job->files.size, target_size);
        if (len > room)
            len = room;
    } else if (job->files.size.set) {
        len = job->files.size.bytes / (n_targets ? n_targets : 1);
        if (len > room) {
            /* A target is never extended: the job would run over less than
             * it asked for. */
            tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                          "%s is %" PRIu64 " bytes, the job needs %" PRIu64 " (offset %" PRIu64
                          " + size %" PRIu64 "); lower size= or offset=, give size= as a "
                          "percentage (size=100%%), or use a larger target",
                          target, target_size, start + len, start, len);
            return -1;
        }
    }
    uint64_t bs = max_bs(job);
    if (bs)
        len -= len % bs;
    if (len == 0) {
        tio_error_set(err, TIO_EJOB, NULL, NULL, NULL,
                      "%s leaves no room for IO (size %" PRIu64 ", offset %" PRIu64
                      ", block size %" PRIu64 "); lower offset= or bs=, or raise size=",
                      target, target_size, start, bs);
        return -1;
    }
    *region = (struct tio_region){start, len};
    return 0;
}

int tio_handle_open(struct tio_handle *h, const tio_engine *ops, void *engine_data,
                    const char *engine_name, struct tio_error *err)
{
    h->ops = ops;
    h->engine_data = engine_data;
    if (ops->open_file) {
        int rc = ops->open_file(engine_data, &h->file);
        if (rc < 0) {
            tio_error_set(err, TIO_EENGINE, NULL, NULL, NULL,
                          "%s: engine %s cannot open it: %s", h->file.name, engine_name,
                          strerror(-rc));
            return rc;
        }
    }
    h->open = true;
    return 0;
}

void tio_handle_close(struct tio_handle *h)
{
    if (h->open && h->ops->close_file)
        h->ops->close_file(h->engine_data, &h->file);
    h->open = false;
    if (h->file.fd >= 0) {
        close(h->file.fd);
        h->file.fd = -1;
    }
}
