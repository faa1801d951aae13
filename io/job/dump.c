/* The canonical text form of a plan: what the data-driven tests compare,
 * and what `tenon-io --parse-only` can show a user who wonders how a job
 * file was understood. Every field is printed, keys sorted, units explicit
 * (sizes in bytes, times with "us"), so a change in parsing shows up as a
 * one-line diff. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job_internal.h"

struct lines {
    const struct tio_allocator *a;
    char **v;
    size_t n;
    size_t cap;
    bool failed;
};

static void add(struct lines *l, struct tio__buf *b)
{
    char *s = tio__buf_take(b);
    void *v = l->v;

    if (!s) {
        l->failed = true;
        return;
    }
    if (l->failed || tio__grow(l->a, &v, &l->cap, l->n + 1, sizeof(char *)) != 0) {
        tio__free(l->a, s);
        l->failed = true;
        return;
    }
    l->v = v;
    l->v[l->n++] = s;
}

/* Bytes outside printable ASCII, and the backslash, as \xNN; in lists
 * also ':' as "\:" (fio's own escape). */
static void put_escaped(struct tio__buf *b, const char *s, bool in_list)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;

        if (ch < 0x20 || ch >= 0x7f || ch == '\\')
            tio__buf_printf(b, "\\x%02x", ch);
        else if (in_list && ch == ':')
            tio__buf_puts(b, "\\:");
        else
            tio__buf_putc(b, (char)ch);
    }
}

static void kv_str(struct lines *l, const char *key, const char *v)
{
    struct tio__buf b;

    tio__buf_init(&b, l->a);
    tio__buf_printf(&b, "%s=", key);
    if (v)
        put_escaped(&b, v, false);
    add(l, &b);
}

static void kv_u64(struct lines *l, const char *key, uint64_t v, const char *unit)
{
    struct tio__buf b;

    tio__buf_init(&b, l->a);
    tio__buf_printf(&b, "%s=%llu%s", key, (unsigned long long)v, unit);
    add(l, &b);
}

static void kv_bool(struct lines *l, const char *key, bool v)
{
    kv_u64(l, key, v ? 1 : 0, "");
}

static void kv_list(struct lines *l, const char *key, const struct tio_strv *v)
{
    struct tio__buf b;
    size_t i;

    tio__buf_init(&b, l->a);
    tio__buf_printf(&b, "%s=", key);
    for (i = 0; i < v->n; i++) {
        if (i)
            tio__buf_putc(&b, ':');
        put_escaped(&b, v->v[i], true);
    }
    add(l, &b);
}

static void kv_amount(struct lines *l, const char *key, const struct tio_amount *am)
{
    struct tio__buf b;

    tio__buf_init(&b, l->a);
    if (!am->set)
        tio__buf_printf(&b, "%s=unset", key);
    else if (am->percent)
        tio__buf_printf(&b, "%s=%u%%", key, am->percent);
    else
        tio__buf_printf(&b, "%s=%llu", key, (unsigned long long)am->bytes);
    add(l, &b);
}

static void kv_ddir(struct lines *l, const char *key, const uint64_t *v)
{
    struct tio__buf b;

    tio__buf_init(&b, l->a);
    tio__buf_printf(&b, "%s=%llu,%llu,%llu", key, (unsigned long long)v[0],
                    (unsigned long long)v[1], (unsigned long long)v[2]);
    add(l, &b);
}

static const char *coe_name(unsigned v)
{
    switch (v) {
    case TIO_COE_NONE: return "none";
    case TIO_COE_READ: return "read";
    case TIO_COE_WRITE: return "write";
    case TIO_COE_IO: return "io";
    case TIO_COE_VERIFY: return "verify";
    case TIO_COE_ALL: return "all";
    }
    return "?";
}

static const char *sync_name(enum tio_sync s)
{
    return s == TIO_SYNC_SYNC ? "sync" : s == TIO_SYNC_DSYNC ? "dsync" : "none";
}

static void job_lines(struct lines *l, const struct tio_job *j)
{
    char where[TIO_ERROR_TEXT_MAX];
    struct tio__buf b;
    size_t i;

    kv_bool(l, "allow_file_create", j->allow_file_create);
    kv_bool(l, "allow_mounted_write", j->allow_mounted_write);
    kv_ddir(l, "ba", j->ba);
    kv_ddir(l, "bs", j->bs);
    tio__buf_init(&b, l->a);
    tio__buf_puts(&b, "buffer_pattern=");
    if (!j->buffer_pattern)
        tio__buf_puts(&b, "none");
    else
        tio__buf_puts(&b, "0x");
    for (i = 0; j->buffer_pattern && i < j->buffer_pattern_len; i++)
        tio__buf_printf(&b, "%02x", j->buffer_pattern[i]);
    add(l, &b);
    kv_u64(l, "clone", j->clone, "");
    kv_str(l, "continue_on_error", coe_name(j->continue_on_error));
    kv_bool(l, "create_on_open", j->create_on_open);
    kv_str(l, "description", j->description);
    kv_bool(l, "direct", j->direct);
    kv_list(l, "directory", &j->directories);
    kv_bool(l, "do_verify", j->do_verify);
    kv_bool(l, "end_fsync", j->end_fsync);
    for (i = 0; i < j->nr_engine_options; i++) {
        const struct tio_engine_option *o = &j->engine_options[i];

        tio_origin_format(&o->origin, where, sizeof(where));
        tio__buf_init(&b, l->a);
        tio__buf_puts(&b, "engine.");
        put_escaped(&b, o->key, false);
        if (o->value) {
            tio__buf_putc(&b, '=');
            put_escaped(&b, o->value, false);
        }
        tio__buf_puts(&b, " @ ");
        put_escaped(&b, where, false);
        add(l, &b);
    }
    kv_u64(l, "fdatasync", j->fdatasync, "");
    kv_list(l, "filename", &j->filenames);
    kv_bool(l, "filename_explicit", j->filename_explicit);
    kv_str(l, "filename_format", j->filename_format);
    tio__buf_init(&b, l->a);
    if (!j->filesize_min)
        tio__buf_puts(&b, "filesize=unset");
    else if (j->filesize_min == j->filesize_max)
        tio__buf_printf(&b, "filesize=%llu", (unsigned long long)j->filesize_min);
    else
        tio__buf_printf(&b, "filesize=%llu-%llu", (unsigned long long)j->filesize_min,
                        (unsigned long long)j->filesize_max);
    add(l, &b);
    kv_u64(l, "fsync", j->fsync, "");
    kv_bool(l, "fsync_on_close", j->fsync_on_close);
    kv_u64(l, "group", j->group, "");
    kv_bool(l, "group_reporting", j->group_reporting);
    kv_bool(l, "gtod_reduce", j->gtod_reduce);
    kv_u64(l, "index", j->index, "");
    kv_bool(l, "invalidate", j->invalidate);
    kv_amount(l, "io_size", &j->io_size);
    kv_u64(l, "iodepth", j->iodepth, "");
    kv_u64(l, "iodepth_batch", j->iodepth_batch, "");
    kv_u64(l, "iodepth_batch_complete_max", j->iodepth_batch_complete_max, "");
    kv_u64(l, "iodepth_batch_complete_min", j->iodepth_batch_complete_min, "");
    kv_u64(l, "iodepth_low", j->iodepth_low, "");
    kv_str(l, "ioengine", j->ioengine);
    kv_u64(l, "kb_base", j->kb_base, "");
    kv_u64(l, "loops", j->loops, "");
    kv_str(l, "name", j->name);
    kv_bool(l, "new_group", j->new_group);
    kv_bool(l, "norandommap", j->norandommap);
    kv_u64(l, "nrfiles", j->nrfiles, "");
    kv_u64(l, "number_ios", j->number_ios, "");
    kv_u64(l, "numjobs", j->numjobs, "");
    kv_amount(l, "offset", &j->offset);
    kv_amount(l, "offset_increment", &j->offset_increment);
    tio_origin_format(&j->origin, where, sizeof(where));
    kv_str(l, "origin", where);
    kv_bool(l, "overwrite", j->overwrite);
    kv_u64(l, "ramp_time", j->ramp_time, "us");
    kv_bool(l, "randrepeat", j->randrepeat);
    kv_u64(l, "randseed", j->randseed, "");
    kv_bool(l, "randseed_set", j->randseed_set);
    kv_bool(l, "refill_buffers", j->refill_buffers);
    kv_u64(l, "runtime", j->runtime, "us");
    kv_str(l, "rw", tio_rw_name(j->rw));
    kv_u64(l, "rw_modifier", j->rw_modifier, "");
    kv_u64(l, "rwmixread", j->rwmixread, "");
    kv_u64(l, "rwmixwrite", 100 - j->rwmixread, "");
    kv_bool(l, "scramble_buffers", j->scramble_buffers);
    kv_amount(l, "size", &j->size);
    kv_u64(l, "startdelay", j->startdelay, "us");
    kv_u64(l, "startdelay_max", j->startdelay_max, "us");
    kv_bool(l, "stonewall", j->stonewall);
    kv_str(l, "sync", sync_name(j->sync));
    kv_bool(l, "thread", j->thread);
    kv_bool(l, "time_based", j->time_based);
    kv_u64(l, "unit_base", j->unit_base, "");
    kv_bool(l, "unlink", j->unlink);
    kv_bool(l, "unlink_each_loop", j->unlink_each_loop);
    kv_str(l, "verify", tio_verify_name(j->verify));
    kv_bool(l, "verify_fatal", j->verify_fatal);
    kv_u64(l, "verify_interval", j->verify_interval, "");
    kv_bool(l, "zero_buffers", j->zero_buffers);
}

static void program_lines(struct lines *l, const struct tio_plan *s)
{
    const struct tio_program *p = &s->program;

    kv_bool(l, "enghelp", p->enghelp);
    kv_str(l, "enghelp_engine", p->enghelp_engine);
    kv_str(l, "enghelp_option", p->enghelp_option);
    kv_str(l, "eta", p->eta == TIO_ETA_ALWAYS ? "always" : p->eta == TIO_ETA_NEVER ? "never"
                                                                                     : "auto");
    kv_u64(l, "groups", s->resolved ? s->nr_groups : 0, "");
    kv_bool(l, "help", p->help);
    kv_list(l, "job_files", &p->job_files);
    kv_u64(l, "jobs", s->nr_jobs, "");
    kv_str(l, "output", p->output);
    kv_str(l, "output-format", p->output_format == TIO_OUTPUT_JSON ? "json" : "normal");
    kv_bool(l, "parse-only", p->parse_only);
    kv_str(l, "plot", p->plot);
    kv_str(l, "plugin-config", p->plugin_config);
    kv_bool(l, "resolved", s->resolved);
    kv_list(l, "section", &p->sections);
    kv_bool(l, "version", p->version);
}

static size_t key_len(const char *s)
{
    size_t n = strcspn(s, "= ");

    return n;
}

static int cmp_lines(const void *x, const void *y)
{
    const char *a = *(const char *const *)x, *b = *(const char *const *)y;
    size_t la = key_len(a), lb = key_len(b);
    int c = strncmp(a, b, la < lb ? la : lb);

    if (c)
        return c;
    if (la != lb)
        return la < lb ? -1 : 1;
    return strcmp(a, b);
}

static int flush(struct lines *l, FILE *out, const char *header)
{
    size_t i;
    int rc = TIO_OK;

    if (l->failed)
        rc = TIO_ENOMEM;
    else {
        qsort(l->v, l->n, sizeof(*l->v), cmp_lines);
        if (fprintf(out, "%s\n", header) < 0)
            rc = TIO_EIO;
        for (i = 0; rc == TIO_OK && i < l->n; i++)
            if (fprintf(out, "%s\n", l->v[i]) < 0)
                rc = TIO_EIO;
    }
    for (i = 0; i < l->n; i++)
        tio__free(l->a, l->v[i]);
    l->n = 0;
    l->failed = false;
    return rc;
}

int tio_plan_dump(const struct tio_plan *s, FILE *out)
{
    struct lines l = {NULL, NULL, 0, 0, false};
    char header[64];
    size_t i;
    int rc;

    if (!s || !out)
        return TIO_EINVAL;
    l.a = &s->alloc;
    program_lines(&l, s);
    rc = flush(&l, out, "[plan]");
    for (i = 0; rc == TIO_OK && i < s->nr_jobs; i++) {
        job_lines(&l, &s->jobs[i]);
        snprintf(header, sizeof(header), "[job %zu]", i);
        rc = flush(&l, out, header);
    }
    tio__free(l.a, l.v);
    return rc;
}
