/* Verify and errors: checking the data read back, and which IO errors a
 * job survives. */
#include "option.h"

#define OFF(f) TIO__OFF(verify, f)

static const struct tio__enumval verify_values[] = {
    {"0", TIO_VERIFY_NONE, NULL},
    {"none", TIO_VERIFY_NONE, NULL},
    {"crc32c", TIO_VERIFY_CRC32C, NULL},
    {"crc32c-intel", TIO_VERIFY_CRC32C, NULL},
    {"md5", TIO_VERIFY_MD5, NULL},
    {"sha256", TIO_VERIFY_SHA256, NULL},
    {"crc64", 0, ""},
    {"crc32", 0, ""},
    {"crc16", 0, ""},
    {"crc7", 0, ""},
    {"sha1", 0, ""},
    {"sha512", 0, ""},
    {"sha3-224", 0, ""},
    {"sha3-256", 0, ""},
    {"sha3-384", 0, ""},
    {"sha3-512", 0, ""},
    {"xxhash", 0, ""},
    {"meta", 0, "obsolete in fio too"},
    {"pattern", 0, ""},
    {"null", 0, ""},
};

static int set_verify(struct tio__optctx *c, const struct tio__option *o)
{
    int v = 0, rc;

    (void)o;
    rc = tio__opt_pick(c, c->value, verify_values, TIO__ARRAY_LEN(verify_values),
                       "verify method", "crc32c, md5, sha256 or 0", &v);
    if (rc == TIO_OK)
        c->job->verify.method = (enum tio_verify)v;
    return rc;
}

static void dump_verify(struct tio__dump *d, const struct tio__option *o,
                        const struct tio_job *j)
{
    tio__dump_str(d, o->name, tio_verify_name(j->verify.method));
}

static const struct tio__enumval coe_values[] = {
    {"none", TIO_COE_NONE, NULL},
    {"0", TIO_COE_NONE, NULL},
    {"read", TIO_COE_READ, NULL},
    {"write", TIO_COE_WRITE, NULL},
    {"io", TIO_COE_IO, NULL},
    {"verify", TIO_COE_VERIFY, NULL},
    {"all", TIO_COE_ALL, NULL},
    {"1", TIO_COE_ALL, NULL},
};

static int set_coe(struct tio__optctx *c, const struct tio__option *o)
{
    int v = 0, rc;

    (void)o;
    rc = tio__opt_pick(c, c->value, coe_values, TIO__ARRAY_LEN(coe_values), "error class",
                       "none, read, write, io, verify or all", &v);
    if (rc == TIO_OK)
        c->job->verify.continue_on_error = (unsigned)v;
    return rc;
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

static void dump_coe(struct tio__dump *d, const struct tio__option *o, const struct tio_job *j)
{
    tio__dump_str(d, o->name, coe_name(j->verify.continue_on_error));
}

static const struct tio__option rows[] = {
    {.name = "verify", .type = O_CUSTOM, .set = set_verify, .dump = dump_verify,
     .example = "crc32c", .def_text = "0",
     .values = "crc32c (crc32c-intel), sha256, md5 (refused when run), 0 or none",
     .help = "Write blocks with checksums and check them when read back"},
    {.name = "do_verify", .type = O_BOOL, .off = OFF(do_verify), .example = "1", .def = "1",
     .help = "Run the verify pass after a verify job's writes"},
    {.name = "verify_fatal", .type = O_BOOL, .off = OFF(verify_fatal), .example = "1",
     .help = "Stop the job at its first verify failure"},
    {.name = "verify_interval", .type = O_SIZE, .off = OFF(verify_interval), .example = "4k",
     .def_text = "0 (one header per block)", .status = TIO__DIFFERS,
     .help = "Bytes of a block covered by each verify header"},
    {.name = "continue_on_error", .type = O_CUSTOM, .set = set_coe, .dump = dump_coe,
     .example = "io", .values = "none (0), read, write, io, verify, all (1)",
     .help = "Classes of errors the job carries on after"},
};

TIO__FAMILY(tio__family_verify, "verify", "Verify and errors", rows);
