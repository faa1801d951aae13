/* Verify and errors: checking the data read back, and which IO errors a
 * job survives. */
#include <stdio.h>
#include <string.h>

#include "data_pattern.h"
#include "option.h"

#define OFF(f) TIO__OFF(verify, f)

static const struct tio__enumval verify_values[] = {
    {"0", TIO_VERIFY_NONE, NULL},
    {"none", TIO_VERIFY_NONE, NULL},
    {"md5", TIO_VERIFY_MD5, NULL},
    {"crc64", TIO_VERIFY_CRC64, NULL},
    {"crc32", TIO_VERIFY_CRC32, NULL},
    {"crc32c", TIO_VERIFY_CRC32C, NULL},
    {"crc32c-intel", TIO_VERIFY_CRC32C, NULL},
    {"crc16", TIO_VERIFY_CRC16, NULL},
    {"crc7", TIO_VERIFY_CRC7, NULL},
    {"sha1", TIO_VERIFY_SHA1, NULL},
    {"sha256", TIO_VERIFY_SHA256, NULL},
    {"sha512", TIO_VERIFY_SHA512, NULL},
    {"sha3-224", TIO_VERIFY_SHA3_224, NULL},
    {"sha3-256", TIO_VERIFY_SHA3_256, NULL},
    {"sha3-384", TIO_VERIFY_SHA3_384, NULL},
    {"sha3-512", TIO_VERIFY_SHA3_512, NULL},
    {"xxhash", TIO_VERIFY_XXHASH, NULL},
    {"meta", TIO_VERIFY_META, NULL},
    {"pattern", TIO_VERIFY_PATTERN, NULL},
    {"null", TIO_VERIFY_NULL, NULL},
};

static int set_verify(struct tio__optctx *c, const struct tio__option *o)
{
    int v = 0, rc;

    (void)o;
    rc =
        tio__opt_pick(c, c->value, verify_values, TIO__ARRAY_LEN(verify_values),
                      "verify method",
                      "md5, crc64, crc32, crc32c, crc16, crc7, sha1, sha256, sha512, sha3-224, "
                      "sha3-256, sha3-384, sha3-512, xxhash, meta, pattern, null or 0",
                      &v);
    if (rc == TIO_OK) {
        c->job->verify.method = (enum tio_verify)v;
        c->job->verify.verify_given = !c->is_default;
    }
    return rc;
}

static int set_verify_pattern(struct tio__optctx *c, const struct tio__option *o)
{
    char why[400];
    uint8_t pat[TIO_JOB_PATTERN_MAX];
    struct tio_job_pattern_fmt fmt;

    (void)o;
    size_t n = tio__data_pattern_parse(c->value, pat, &fmt, why, sizeof(why));
    if (!n)
        return tio__opt_fail(c, TIO_EVALUE, "%s", why);
    memcpy(c->job->verify.verify_pattern, pat, n);
    c->job->verify.verify_pattern_len = n;
    c->job->verify.verify_pattern_fmt = fmt;
    return TIO_OK;
}

/* The pattern in fio's syntax: runs of 0xhex, and %o where the IO's
 * offset goes. */
static void dump_verify_pattern(struct tio__dump *d, const struct tio__option *o,
                                const struct tio_job *j)
{
    static const char digits[] = "0123456789abcdef";
    char text[3 * TIO_JOB_PATTERN_MAX + 64];
    size_t n = 0, f = 0;
    bool in_hex = false;

    if (!j->verify.verify_pattern_len) {
        tio__dump_str(d, o->name, "none");
        return;
    }
    for (size_t i = 0; i < j->verify.verify_pattern_len; i++) {
        if (f < j->verify.verify_pattern_fmt.n && j->verify.verify_pattern_fmt.off[f] == i) {
            text[n++] = '%';
            text[n++] = 'o';
            in_hex = false;
            f++;
            i += 7;
            continue;
        }
        if (!in_hex) {
            text[n++] = '0';
            text[n++] = 'x';
            in_hex = true;
        }
        text[n++] = digits[j->verify.verify_pattern[i] >> 4];
        text[n++] = digits[j->verify.verify_pattern[i] & 15];
    }
    text[n] = '\0';
    tio__dump_str(d, o->name, text);
}

static void dump_verify(struct tio__dump *d, const struct tio__option *o,
                        const struct tio_job *j)
{
    tio__dump_str(d, o->name, tio_verify_name(j->verify.method));
}

static const struct tio__option rows[] = {
    {.name = "verify",
     .type = O_CUSTOM,
     .set = set_verify,
     .dump = dump_verify,
     .example = "crc32c",
     .def_text = "0",
     .values = "md5, crc64, crc32, crc32c (crc32c-intel), crc16, crc7, sha1, sha256, sha512, "
               "sha3-224, sha3-256, sha3-384, sha3-512, xxhash, meta, pattern, null, 0 or none",
     .help = "Write blocks with checksums and check them when read back"},
    {.name = "do_verify",
     .type = O_BOOL,
     .off = OFF(do_verify),
     .example = "1",
     .def = "1",
     .help = "Run the verify pass after a verify job's writes"},
    {.name = "verify_fatal",
     .type = O_BOOL,
     .off = OFF(verify_fatal),
     .example = "1",
     .help = "Stop the job at its first verify failure"},
    {.name = "verify_interval",
     .type = O_SIZE,
     .off = OFF(verify_interval),
     .example = "4k",
     .def_text = "the smallest write size",
     .help = "Bytes of a block covered by each verify header"},
    {.name = "verify_offset",
     .type = O_U64,
     .off = OFF(verify_offset),
     .min = 40,
     .max = UINT32_MAX,
     .example = "1k",
     .help = "Swap each verify header with the bytes this far into its piece"},
    {.name = "verify_pattern",
     .type = O_CUSTOM,
     .set = set_verify_pattern,
     .dump = dump_verify_pattern,
     .example = "0xdeadbeef",
     .values = "pieces one after another: 0xhex, a number, \"text\", 'file', %o",
     .help = "Write this pattern and check it (verify=pattern, meta, or alone)"},
    {.name = "verify_only",
     .type = O_BOOL,
     .off = OFF(verify_only),
     .example = "1",
     .status = TIO__DIFFERS,
     .help = "Do not write: check what an earlier run of the same job wrote"},
    {.name = "verify_dump",
     .type = O_BOOL,
     .off = OFF(verify_dump),
     .example = "1",
     .help = "Write a failing block, and what it should hold, to files"},
    {.name = "verify_header_seed",
     .type = O_BOOL,
     .off = OFF(verify_header_seed),
     .example = "0",
     .def = "1",
     .status = TIO__DIFFERS,
     .help = "Check the write's seed in each verify header"},
    {.name = "verify_backlog",
     .type = O_U64,
     .off = OFF(verify_backlog),
     .max = UINT64_MAX,
     .example = "128",
     .help = "Verify the blocks written after every N writes"},
    {.name = "verify_backlog_batch",
     .type = O_U64,
     .off = OFF(verify_backlog_batch),
     .max = UINT32_MAX,
     .example = "64",
     .def_text = "verify_backlog",
     .help = "How many blocks each backlog verify reads"},
    {.name = "trim_percentage",
     .type = O_UINT,
     .off = OFF(trim_percentage),
     .max = 100,
     .example = "10",
     .help = "Queue this percentage of the verified writes for a trim (trim_backlog)"},
    {.name = "trim_backlog",
     .type = O_U64,
     .off = OFF(trim_backlog),
     .max = UINT64_MAX,
     .example = "16",
     .help = "Trim the queued blocks whenever the logged writes reach a multiple of N"},
    {.name = "trim_backlog_batch",
     .type = O_U64,
     .off = OFF(trim_backlog_batch),
     .max = UINT64_MAX,
     .example = "4",
     .def_text = "trim_backlog",
     .help = "How many queued blocks each trim batch trims"},
    {.name = "trim_verify_zero",
     .type = O_BOOL,
     .off = OFF(trim_verify_zero),
     .example = "0",
     .def = "1",
     .help = "Verify that trimmed blocks read as zeros (0: skip them in the verify phase)"},
    {.name = "verify_async",
     .type = O_UINT,
     .off = OFF(verify_async),
     .max = 1024,
     .example = "2",
     .status = TIO__DIFFERS,
     .help = "Check blocks in N threads (tenon-io checks them in the job's thread)"},
    {.name = "verify_async_cpus",
     .type = O_STR,
     .off = OFF(verify_async_cpus),
     .example = "0-1",
     .status = TIO__DIFFERS,
     .help = "CPUs of the verify_async threads (tenon-io has none to place)"},
    {.name = "experimental_verify",
     .type = O_BOOL,
     .off = OFF(experimental_verify),
     .example = "1",
     .status = TIO__DIFFERS,
     .help = "Verify by replaying the offsets (tenon-io verifies from its log)"},
    {.name = "verify_state_save",
     .type = O_BOOL,
     .off = OFF(verify_state_save),
     .example = "0",
     .def = "1",
     .help = "Save the verify state file when a job stops early"},
    {.name = "verify_state_load",
     .type = O_BOOL,
     .off = OFF(verify_state_load),
     .example = "1",
     .help = "Verify only what the saved verify state says was written"},
};

TIO__FAMILY(tio__family_verify, "verify", "Verify", rows);
