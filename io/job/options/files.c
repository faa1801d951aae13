/* Files and sizes: which files a job uses, how large, where in them it
 * starts and how much IO it does. */
#include <limits.h>
#include <string.h>

#include "option.h"

#define OFF(f) TIO__OFF(files, f)

/* Length of a URI scheme and its "://" at p ("nbd://" -> 6), or 0. */
static size_t uri_prefix(const char *p)
{
    const char *q = p;
    if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z')))
        return 0;
    while ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
           *q == '+' || *q == '-' || *q == '.')
        q++;
    return strncmp(q, "://", 3) == 0 ? (size_t)(q - p) + 3 : 0;
}

/* fio's list syntax: ':' separates, "\:" is a literal colon (device paths
 * such as /dev/disk/by-path/pci-0000\:00\:1f.2). A name that is a URI
 * (nbd://host:10809/export, engines claim schemes) keeps its colons: inside
 * it, a ':' separates only when another URI follows. */
static int split_colons(struct tio__optctx *c, struct tio_strv *out, const char *what)
{
    struct tio_strv v = {NULL, 0};
    struct tio__buf b;
    const char *p = c->value;
    bool in_uri = false;

    tio__buf_init(&b, c->a);
    for (;;) {
        if (b.len == 0 && !in_uri && uri_prefix(p))
            in_uri = true;
        if (in_uri && *p == ':' && !uri_prefix(p + 1)) {
            tio__buf_putc(&b, *p++);
            continue;
        }
        if (*p == '\\' && p[1] == ':') {
            tio__buf_putc(&b, ':');
            p += 2;
            continue;
        }
        if (*p != ':' && *p != '\0') {
            tio__buf_putc(&b, *p++);
            continue;
        }
        if (b.len == 0 && !b.failed) {
            tio__buf_free(&b);
            tio__strv_free(c->a, &v);
            return tio__opt_fail(c, TIO_EVALUE,
                                 "empty %s in the list (separate names with a "
                                 "single ':', write '\\:' for a ':' inside a name)",
                                 what);
        }
        if (tio__strv_push(c->a, &v, tio__buf_take(&b)) != 0) {
            tio__buf_free(&b);
            tio__strv_free(c->a, &v);
            return tio__oom(c->err);
        }
        in_uri = false;
        if (v.n > TIO_MAX_NRFILES) {
            tio__strv_free(c->a, &v);
            return tio__opt_fail(c, TIO_ERANGE, "more than %u names in the list",
                                 TIO_MAX_NRFILES);
        }
        if (*p == '\0')
            break;
        p++;
    }
    tio__strv_free(c->a, out);
    *out = v;
    return TIO_OK;
}

static int set_filename(struct tio__optctx *c, const struct tio__option *o)
{
    int rc;

    (void)o;
    rc = split_colons(c, &c->job->files.filenames, "file name");
    if (rc == TIO_OK)
        c->job->files.filename_explicit = true;
    return rc;
}

static void dump_filename(struct tio__dump *d, const struct tio__option *o,
                          const struct tio_job *j)
{
    tio__dump_list(d, o->name, &j->files.filenames);
    tio__dump_bool(d, "filename_explicit", j->files.filename_explicit);
}

/* fio's nbd engine option uri=: the export the job works on. The target is
 * a URI, which tenon-io routes to the engine that claims its scheme, so
 * uri=URI is the job's one file, as filename=URI would be; its size comes
 * from the export once the engine has connected. */
static int set_uri(struct tio__optctx *c, const struct tio__option *o)
{
    (void)o;
    if (!uri_prefix(c->value))
        return tio__opt_fail(c, TIO_EVALUE,
                             "'%s' is not a URI (such as nbd://HOST/EXPORT or "
                             "nbd+unix:///EXPORT?socket=PATH); give a path with filename=",
                             c->value);
    struct tio_strv v = {NULL, 0};
    if (tio__strv_push(c->a, &v, tio__strdup(c->a, c->value)) != 0)
        return tio__oom(c->err); /* the push frees what it was given */
    tio__strv_free(c->a, &c->job->files.filenames);
    c->job->files.filenames = v;
    c->job->files.filename_explicit = true;
    return TIO_OK;
}

static int set_directory(struct tio__optctx *c, const struct tio__option *o)
{
    (void)o;
    return split_colons(c, &c->job->files.directories, "directory");
}

static void dump_directory(struct tio__dump *d, const struct tio__option *o,
                           const struct tio_job *j)
{
    tio__dump_list(d, o->name, &j->files.directories);
}

static int one_filesize(struct tio__optctx *c, const char *s, uint64_t *out)
{
    char why[160];
    int rc;

    if (strchr(s, '%'))
        return tio__opt_fail(c, TIO_EUNSUPPORTED,
                             "filesize as a percentage is not supported "
                             "by tenon-io yet (give a size)");
    rc = tio_parse_size(s, c->job->reporting.kb_base, out, why, sizeof(why));
    if (rc)
        return tio__opt_fail(c, rc, "%s", why);
    if (*out == 0)
        return tio__opt_fail(c, TIO_ERANGE, "a file size of 0 bytes is not allowed");
    return TIO_OK;
}

static int set_filesize(struct tio__optctx *c, const struct tio__option *o)
{
    (void)o;
    return tio__opt_range(c, one_filesize, &c->job->files.filesize_min,
                          &c->job->files.filesize_max);
}

static void dump_filesize(struct tio__dump *d, const struct tio__option *o,
                          const struct tio_job *j)
{
    (void)o;
    if (!j->files.filesize_min)
        tio__dump_printf(d, "filesize=unset");
    else if (j->files.filesize_min == j->files.filesize_max)
        tio__dump_printf(d, "filesize=%llu", (unsigned long long)j->files.filesize_min);
    else
        tio__dump_printf(d, "filesize=%llu-%llu", (unsigned long long)j->files.filesize_min,
                         (unsigned long long)j->files.filesize_max);
}

static const struct tio__enumval fallocate_values[] = {
    {"native", TIO_FALLOCATE_NATIVE, NULL},
    {"none", TIO_FALLOCATE_NONE, NULL},
    {"0", TIO_FALLOCATE_NONE, NULL},
    {"posix", TIO_FALLOCATE_POSIX, NULL},
    {"1", TIO_FALLOCATE_POSIX, NULL},
    {"keep", TIO_FALLOCATE_KEEP, NULL},
    {"truncate", TIO_FALLOCATE_TRUNCATE, NULL},
};

static int set_fallocate(struct tio__optctx *c, const struct tio__option *o)
{
    int v = 0, rc;

    (void)o;
    rc = tio__opt_pick(c, c->value, fallocate_values, TIO__ARRAY_LEN(fallocate_values),
                       "fallocate mode", "none (0), native, posix (1), keep or truncate", &v);
    if (rc == TIO_OK)
        c->job->files.fallocate = (enum tio_fallocate)v;
    return rc;
}

static void dump_fallocate(struct tio__dump *d, const struct tio__option *o,
                           const struct tio_job *j)
{
    static const char *const names[] = {"native", "none", "posix", "keep", "truncate"};
    tio__dump_str(d, o->name, names[j->files.fallocate]);
}

static const struct tio__enumval fservice_values[] = {
    {"roundrobin", TIO_FSERVICE_RR, NULL},         {"random", TIO_FSERVICE_RANDOM, NULL},
    {"sequential", TIO_FSERVICE_SEQUENTIAL, NULL}, {"zipf", TIO_FSERVICE_ZIPF, NULL},
    {"pareto", TIO_FSERVICE_PARETO, NULL},         {"normal", TIO_FSERVICE_NORMAL, NULL},
    {"gauss", TIO_FSERVICE_NORMAL, NULL},
};

/* fio's TYPE[:N]: N IOs go to a file before the next is chosen; zipf,
 * pareto and normal take random_distribution's VALUE[:CENTER] instead and
 * choose a file for every IO. */
static int set_fservice(struct tio__optctx *c, const struct tio__option *o)
{
    static const char *const models[] = {"zipf", "pareto", "normal"};
    struct tio_job_files *f = &c->job->files;
    const char *colon = strchr(c->value, ':');
    char type[32], why[160];
    uint64_t nr = 1;
    int v = 0, rc;

    (void)o;
    snprintf(type, sizeof(type), "%.*s", colon ? (int)(colon - c->value) : 31, c->value);
    rc = tio__opt_pick(c, type, fservice_values, TIO__ARRAY_LEN(fservice_values),
                       "file service type",
                       "roundrobin, random or sequential (with :N), or zipf, pareto or "
                       "normal (with :VALUE[:CENTER])",
                       &v);
    if (rc)
        return rc;
    if (v >= TIO_FSERVICE_ZIPF) {
        rc = tio__dist_args(c, models[v - TIO_FSERVICE_ZIPF], colon ? colon + 1 : NULL,
                            &f->fservice_value, &f->fservice_center);
        if (rc)
            return rc;
    } else if (colon && tio_parse_uint(colon + 1, 1000, 1, UINT32_MAX, &nr, why, sizeof(why))) {
        return tio__opt_fail(c, TIO_EVALUE,
                             "'%s' after ':' is not a number of IOs from 1 (%s:8 issues 8 "
                             "IOs to a file before choosing the next)",
                             colon + 1, type);
    }
    f->fservice = (enum tio_fservice)v;
    f->fservice_nr = (unsigned)nr;
    return TIO_OK;
}

static void dump_fservice(struct tio__dump *d, const struct tio__option *o,
                          const struct tio_job *j)
{
    static const char *const names[] = {"roundrobin", "random", "sequential",
                                        "zipf",       "pareto", "normal"};
    const struct tio_job_files *f = &j->files;
    if (f->fservice >= TIO_FSERVICE_ZIPF)
        tio__dump_printf(d, "%s=%s:%.15g:%.15g", o->name, names[f->fservice], f->fservice_value,
                         f->fservice_center);
    else if (f->fservice_nr > 1)
        tio__dump_printf(d, "%s=%s:%u", o->name, names[f->fservice], f->fservice_nr);
    else
        tio__dump_str(d, o->name, names[f->fservice]);
}

static const struct tio__option rows[] = {
    {.name = "filename",
     .type = O_CUSTOM,
     .set = set_filename,
     .dump = dump_filename,
     .example = "/dev/nvme0n1",
     .def_text = "generated",
     .values = "list of names (':' separates)",
     .help = "File(s) or device(s) the job does IO to"},
    {.name = "uri",
     .type = O_CUSTOM,
     .set = set_uri,
     .dump = tio__dump_nothing,
     .example = "nbd+unix:///?socket=/tmp/sock",
     .def_text = "none",
     .values = "a URI (nbd://, nbd+unix://, nbds://...)",
     .help = "The export an engine that takes URIs works on (fio's nbd uri=): the "
             "same as filename=URI"},
    {.name = "directory",
     .type = O_CUSTOM,
     .set = set_directory,
     .dump = dump_directory,
     .example = "/mnt/test",
     .values = "list of directories (':' separates)",
     .help = "Directory the job's files are put in"},
    {.name = "filename_format",
     .type = O_STR,
     .off = OFF(filename_format),
     .example = "$jobname.$jobnum.$filenum",
     .def = "$jobname.$jobnum.$filenum",
     .help = "How generated file names are made"},
    {.name = "nrfiles",
     .alias = "nr_files",
     .type = O_UINT,
     .off = OFF(nrfiles),
     .min = 1,
     .max = TIO_MAX_NRFILES,
     .example = "4",
     .def = "1",
     .help = "Number of files to generate for the job"},
    {.name = "size",
     .type = O_AMOUNT,
     .off = OFF(size),
     .example = "1g",
     .help = "Total size of the job's files (or a percentage of them)"},
    {.name = "filesize",
     .type = O_CUSTOM,
     .set = set_filesize,
     .dump = dump_filesize,
     .example = "1g",
     .values = "size, or a range low-high",
     .help = "Size of each file"},
    {.name = "offset",
     .alias = "fileoffset",
     .type = O_AMOUNT,
     .off = OFF(offset),
     .example = "1g",
     .def_text = "0",
     .help = "Where in each file the IO starts"},
    {.name = "offset_increment",
     .type = O_AMOUNT,
     .off = OFF(offset_increment),
     .example = "1g",
     .def_text = "0",
     .help = "Added to offset for each clone of the job"},
    {.name = "io_size",
     .alias = "io_limit",
     .type = O_AMOUNT,
     .off = OFF(io_size),
     .example = "10g",
     .def_text = "size",
     .help = "Bytes of IO to do"},
    {.name = "loops",
     .type = O_UINT,
     .off = OFF(loops),
     .min = 1,
     .max = UINT_MAX,
     .example = "2",
     .def = "1",
     .help = "Times to repeat the job"},
    {.name = "number_ios",
     .type = O_U64,
     .off = OFF(number_ios),
     .max = UINT64_MAX,
     .example = "1000",
     .def_text = "0 (no limit)",
     .help = "Stop after this many IOs"},
    {.name = "fallocate",
     .type = O_CUSTOM,
     .set = set_fallocate,
     .dump = dump_fallocate,
     .example = "posix",
     .def_text = "native",
     .status = TIO__DIFFERS,
     .values = "none (0), native, posix (1), keep or truncate",
     .help = "How a file being laid out is pre-allocated"},
    {.name = "fill_device",
     .alias = "fill_fs",
     .type = O_BOOL,
     .off = OFF(fill_device),
     .example = "1",
     .def = "0",
     .status = TIO__DIFFERS,
     .help = "Write until the filesystem is full (ENOSPC), size unset"},
    {.name = "openfiles",
     .type = O_UINT,
     .off = OFF(openfiles),
     .min = 1,
     .max = TIO_MAX_NRFILES,
     .example = "2",
     .def_text = "nrfiles",
     .status = TIO__DIFFERS,
     .help = "Number of files serviced at the same time"},
    {.name = "file_service_type",
     .type = O_CUSTOM,
     .set = set_fservice,
     .dump = dump_fservice,
     .example = "random:8",
     .def_text = "roundrobin",
     .values = "roundrobin, random or sequential, each with :N; zipf, pareto or normal (gauss) "
               "with :VALUE[:CENTER]",
     .status = TIO__SUPPORTED,
     .help = "How the job picks the file of its next IO"},
    {.name = "file_append",
     .type = O_BOOL,
     .off = OFF(file_append),
     .example = "1",
     .help = "A regular file's IO starts at its end (offset= is ignored)"},
    {.name = "offset_align",
     .type = O_SIZE,
     .off = OFF(offset_align),
     .example = "64k",
     .def_text = "0 (the smallest block size)",
     .help = "What a percentage offset (and offset_increment) is aligned up to"},
    {.name = "unique_filename",
     .type = O_BOOL,
     .off = OFF(unique_filename),
     .example = "0",
     .def = "1",
     .help = "Prefix generated names with a client's address (fio's client/server only)"},
    {.name = "ioscheduler",
     .type = O_STR,
     .off = OFF(ioscheduler),
     .example = "mq-deadline",
     .def_text = "the device's own",
     .status = TIO__DIFFERS,
     .help = "Switch the job's block devices to this IO scheduler before the run"},
    {.name = "create_serialize",
     .type = O_BOOL,
     .off = OFF(create_serialize),
     .example = "0",
     .def = "1",
     .help = "Lay out the jobs' files before the run, one job after the other (0: each "
             "job's thread lays out its own as it starts)"},
};

TIO__FAMILY(tio__family_files, "files", "Files and sizes", rows);
