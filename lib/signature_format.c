/* The key and signature file formats: parsing and writing them.
 *
 * These parsers read files that anyone may have handed to the host, and
 * they are fuzzed: every read stays inside text[0..len), nothing assumes a
 * NUL terminator, every field has a fixed size, and no allocation happens,
 * so there is nothing to leak on the many ways out. The format is strict
 * (one known header, known fields once each, printable ASCII only) so that
 * what a person reads in the file is exactly what is checked. */
#include "trust_internal.h"

#include <stdio.h>
#include <string.h>

#define FIELD_NAME_MAX 32

typedef struct field {
    const char *name;
    bool required;
    const char *value; /* into the text; not NUL-terminated */
    size_t len;
    size_t line;
} field;

typedef struct format {
    const char *header;
    const char *what; /* "signature file", for messages */
    int code;         /* error code of malformed input */
    const char *hint;
} format;

static int malformed(const format *fmt, const char *source, size_t line, const char *why, ...)
    TENON_PRINTF(4, 5);
static int malformed(const format *fmt, const char *source, size_t line, const char *why, ...)
{
    char text[TENON_ERROR_TEXT_MAX / 2];
    va_list ap;
    va_start(ap, why);
    vsnprintf(text, sizeof(text), why, ap);
    va_end(ap);
    return tenon__fail(fmt->code, TENON_STAGE_VERIFY, NULL, source, fmt->hint,
                       "malformed %s at line %zu: %s", fmt->what, line, text);
}

/* What a foreign first line is, to say which file was given instead. */
static const char *known_header(const char *line, size_t len)
{
    static const struct {
        const char *header, *what;
    } known[] = {
        {TENON__PUBLIC_KEY_HEADER, "a tenon public key"},
        {TENON__SECRET_KEY_HEADER, "a tenon secret key"},
        {TENON__SIGNATURE_HEADER, "a tenon signature"},
    };
    for (size_t i = 0; i < TENON__ARRAY_SIZE(known); i++)
        if (len == strlen(known[i].header) && memcmp(line, known[i].header, len) == 0)
            return known[i].what;
    return NULL;
}

static bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

/* Splits text into the fields of fmt. On success every required field is
 * present; optional ones have value NULL when absent. */
static int parse_fields(const format *fmt, const char *text, size_t len, const char *source,
                        field *fields, size_t n_fields)
{
    if (!text && len)
        return tenon__fail(TENON_EINVAL, TENON_STAGE_VERIFY, NULL, source, NULL,
                           "no text to parse");
    if (len > TENON_TRUST_FILE_MAX)
        return malformed(fmt, source, 1,
                         "more than %d bytes; a %s is a few short lines (is it the right "
                         "file?)",
                         TENON_TRUST_FILE_MAX, fmt->what);
    for (size_t i = 0; i < n_fields; i++) {
        fields[i].value = NULL;
        fields[i].len = 0;
        fields[i].line = 0;
    }
    size_t pos = 0, line_no = 0;
    while (pos < len) {
        line_no++;
        const char *line = text + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t line_len = nl ? (size_t)(nl - line) : len - pos;
        pos += line_len + (nl ? 1 : 0);

        if (line_no == 1 && line_len >= 4 && memcmp(line, "\177ELF", 4) == 0)
            return malformed(fmt, source, 1, "this is an ELF file (a plugin?), not a %s",
                             fmt->what);
        for (size_t i = 0; i < line_len; i++) {
            unsigned char c = (unsigned char)line[i];
            if (c == '\r')
                return malformed(fmt, source, line_no,
                                 "carriage return: the file has DOS line endings "
                                 "(convert it with dos2unix)");
            if (c < 0x20 || c > 0x7e)
                return malformed(fmt, source, line_no,
                                 "byte 0x%02x at column %zu is not printable ASCII", c, i + 1);
        }
        if (line_no == 1) {
            size_t hlen = strlen(fmt->header);
            if (line_len == hlen && memcmp(line, fmt->header, hlen) == 0)
                continue;
            const char *other = known_header(line, line_len);
            if (other)
                return malformed(fmt, source, 1, "this is %s, not a %s", other, fmt->what);
            return malformed(fmt, source, 1, "the first line must be \"%s\"", fmt->header);
        }
        if (line_len == 0 || line[0] == '#')
            continue;

        size_t name_len = 0;
        while (name_len < line_len && is_name_char(line[name_len]))
            name_len++;
        if (name_len == 0 || name_len >= line_len || line[name_len] != ':')
            return malformed(fmt, source, line_no,
                             "expected \"name: value\" (lowercase name, a colon, one space, "
                             "the "
                             "value)");
        if (name_len > FIELD_NAME_MAX)
            return malformed(fmt, source, line_no, "field name longer than %d characters",
                             FIELD_NAME_MAX);
        field *f = NULL;
        for (size_t i = 0; i < n_fields && !f; i++)
            if (strlen(fields[i].name) == name_len &&
                memcmp(fields[i].name, line, name_len) == 0)
                f = &fields[i];
        if (!f)
            return malformed(fmt, source, line_no, "unknown field \"%.*s\"", (int)name_len,
                             line);
        if (f->value)
            return malformed(fmt, source, line_no, "second \"%s\" line (the first is line %zu)",
                             f->name, f->line);
        if (name_len + 1 >= line_len || line[name_len + 1] != ' ' || name_len + 2 >= line_len)
            return malformed(fmt, source, line_no,
                             "\"%s:\" must be followed by one space and a value", f->name);
        const char *value = line + name_len + 2;
        size_t value_len = line_len - name_len - 2;
        if (value[0] == ' ' || value[value_len - 1] == ' ')
            return malformed(fmt, source, line_no, "spaces around the value of \"%s\"",
                             f->name);
        f->value = value;
        f->len = value_len;
        f->line = line_no;
    }
    if (line_no == 0)
        return malformed(fmt, source, 1, "the file is empty; the first line must be \"%s\"",
                         fmt->header);
    for (size_t i = 0; i < n_fields; i++)
        if (fields[i].required && !fields[i].value)
            return malformed(fmt, source, line_no + 1, "no \"%s:\" line before the end",
                             fields[i].name);
    return 0;
}

static int decode_base64(const format *fmt, const char *source, const field *f,
                         unsigned char *out, size_t size)
{
    size_t got = 0;
    const char *end = NULL;
    /* Canonical padded base64 of exactly size bytes and nothing after it
     * (sodium also refuses non-zero padding bits). */
    if (sodium_base642bin(out, size, f->value, f->len, NULL, &got, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != f->value + f->len || got != size)
        return malformed(fmt, source, f->line, "\"%s\" is not the base64 of %zu bytes", f->name,
                         size);
    return 0;
}

static int decode_hex(const format *fmt, const char *source, const field *f, unsigned char *out,
                      size_t size)
{
    size_t got = 0;
    const char *end = NULL;
    if (f->len != 2 * size ||
        sodium_hex2bin(out, size, f->value, f->len, NULL, &got, &end) != 0 ||
        end != f->value + f->len || got != size)
        return malformed(fmt, source, f->line, "\"%s\" is not %zu hex digits", f->name,
                         2 * size);
    return 0;
}

static int decode_key_id(const format *fmt, const char *source, const field *f,
                         char out[TENON_KEY_ID_SIZE])
{
    unsigned char bin[(TENON_KEY_ID_SIZE - 1) / 2];
    int rc = decode_hex(fmt, source, f, bin, sizeof(bin));
    if (rc == 0)
        tenon__hex(bin, sizeof(bin), out);
    return rc;
}

static void copy_comment(const field *f, char out[TENON_KEY_COMMENT_SIZE])
{
    out[0] = '\0';
    if (!f->value)
        return;
    size_t n = f->len < TENON_KEY_COMMENT_SIZE - 1 ? f->len : TENON_KEY_COMMENT_SIZE - 1;
    memcpy(out, f->value, n);
    out[n] = '\0';
}

static int check_comment(const format *fmt, const char *source, const field *f)
{
    if (f->value && f->len >= TENON_KEY_COMMENT_SIZE)
        return malformed(fmt, source, f->line, "comment longer than %d characters",
                         TENON_KEY_COMMENT_SIZE - 1);
    return 0;
}

void tenon__hex(const unsigned char *bin, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bin[i] >> 4];
        out[2 * i + 1] = digits[bin[i] & 15];
    }
    out[2 * n] = '\0';
}

void tenon__key_id(const unsigned char pk[crypto_sign_PUBLICKEYBYTES],
                   char out[TENON_KEY_ID_SIZE])
{
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, pk, crypto_sign_PUBLICKEYBYTES);
    tenon__hex(digest, (TENON_KEY_ID_SIZE - 1) / 2, out);
}

/* ---- Signature files --------------------------------------------------------- */

static const format signature_format = {
    TENON__SIGNATURE_HEADER,
    "signature file",
    TENON_ESIGNATURE,
    "sign the plugin again: tenon sign --key KEY.key PLUGIN",
};

int tenon_signature_parse(const char *text, size_t len, const char *source,
                          tenon_signature *out)
{
    TENON__CHECK_ARG(out, TENON_STAGE_VERIFY, "out is NULL", TENON_EINVAL);
    memset(out, 0, sizeof(*out));
    TENON__CHECK_ARG(text || !len, TENON_STAGE_VERIFY, "text is NULL", TENON_EINVAL);
    field fields[] = {
        {"key-id", true, NULL, 0, 0},
        {"signed-sha256", false, NULL, 0, 0},
        {"signature", true, NULL, 0, 0},
    };
    tenon_signature sig = {0};
    int rc = parse_fields(&signature_format, text, len, source, fields,
                          TENON__ARRAY_SIZE(fields));
    if (rc == 0)
        rc = decode_key_id(&signature_format, source, &fields[0], sig.key_id);
    if (rc == 0 && fields[1].value) {
        rc = decode_hex(&signature_format, source, &fields[1], sig.signed_sha256,
                        sizeof(sig.signed_sha256));
        sig.has_signed_sha256 = rc == 0;
    }
    if (rc == 0)
        rc = decode_base64(&signature_format, source, &fields[2], sig.signature,
                           sizeof(sig.signature));
    if (rc == 0)
        *out = sig;
    return rc;
}

void tenon__signature_format(const tenon_signature *sig, char *buf, size_t size)
{
    char b64[sodium_base64_ENCODED_LEN(64, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof(b64), sig->signature, sizeof(sig->signature),
                      sodium_base64_VARIANT_ORIGINAL);
    char sha[65] = "";
    if (sig->has_signed_sha256)
        tenon__hex(sig->signed_sha256, sizeof(sig->signed_sha256), sha);
    snprintf(buf, size,
             TENON__SIGNATURE_HEADER "\n"
                                     "key-id: %s\n"
                                     "%s%s%s"
                                     "signature: %s\n",
             sig->key_id, sig->has_signed_sha256 ? "signed-sha256: " : "", sha,
             sig->has_signed_sha256 ? "\n" : "", b64);
}

/* ---- Public keys ------------------------------------------------------------- */

static const format public_key_format = {
    TENON__PUBLIC_KEY_HEADER,
    "public key",
    TENON_ECONFIG,
    "use the .pub file that tenon keygen wrote, unchanged",
};

/* "  BASE64  " alone: the one-line form hosts can keep in a config. */
static bool bare_base64(const char *text, size_t len, const char **b64, size_t *b64_len)
{
    while (len && (text[0] == ' ' || text[0] == '\n' || text[0] == '\t')) {
        text++;
        len--;
    }
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\n' || text[len - 1] == '\t'))
        len--;
    if (len !=
        sodium_base64_ENCODED_LEN(crypto_sign_PUBLICKEYBYTES, sodium_base64_VARIANT_ORIGINAL) -
            1)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/' || c == '='))
            return false;
    }
    *b64 = text;
    *b64_len = len;
    return true;
}

int tenon_public_key_parse(const char *text, size_t len, const char *source,
                           tenon_public_key *out)
{
    TENON__CHECK_ARG(out, TENON_STAGE_VERIFY, "out is NULL", TENON_EINVAL);
    memset(out, 0, sizeof(*out));
    TENON__CHECK_ARG(text || !len, TENON_STAGE_VERIFY, "text is NULL", TENON_EINVAL);
    int rc = tenon__sodium_ready();
    if (rc < 0)
        return rc;
    tenon_public_key key = {0};
    const char *b64;
    size_t b64_len;
    if (text && len <= TENON_TRUST_FILE_MAX && bare_base64(text, len, &b64, &b64_len)) {
        field f = {"ed25519", true, b64, b64_len, 1};
        if ((rc = decode_base64(&public_key_format, source, &f, key.ed25519,
                                sizeof(key.ed25519))) < 0)
            return rc;
        tenon__key_id(key.ed25519, key.key_id);
        *out = key;
        return 0;
    }
    field fields[] = {
        {"key-id", true, NULL, 0, 0},
        {"ed25519", true, NULL, 0, 0},
        {"comment", false, NULL, 0, 0},
    };
    rc = parse_fields(&public_key_format, text, len, source, fields, TENON__ARRAY_SIZE(fields));
    if (rc == 0)
        rc = decode_key_id(&public_key_format, source, &fields[0], key.key_id);
    if (rc == 0)
        rc = decode_base64(&public_key_format, source, &fields[1], key.ed25519,
                           sizeof(key.ed25519));
    if (rc == 0)
        rc = check_comment(&public_key_format, source, &fields[2]);
    if (rc < 0)
        return rc;
    char computed[TENON_KEY_ID_SIZE];
    tenon__key_id(key.ed25519, computed);
    if (strcmp(computed, key.key_id) != 0)
        return malformed(&public_key_format, source, fields[0].line,
                         "key-id %s does not belong to the key (its id is %s): the file was "
                         "edited",
                         key.key_id, computed);
    copy_comment(&fields[2], key.comment);
    *out = key;
    return 0;
}

void tenon__public_key_format(const tenon_public_key *key, char *buf, size_t size)
{
    char b64[sodium_base64_ENCODED_LEN(crypto_sign_PUBLICKEYBYTES,
                                       sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof(b64), key->ed25519, sizeof(key->ed25519),
                      sodium_base64_VARIANT_ORIGINAL);
    snprintf(buf, size,
             TENON__PUBLIC_KEY_HEADER
             "\n"
             "# A tenon signing key. Hosts that trust it load plugins it signed.\n"
             "key-id: %s\n"
             "ed25519: %s\n"
             "%s%s%s",
             key->key_id, b64, key->comment[0] ? "comment: " : "", key->comment,
             key->comment[0] ? "\n" : "");
}

/* ---- Secret keys ------------------------------------------------------------- */

static const format secret_key_format = {
    TENON__SECRET_KEY_HEADER,
    "secret key",
    TENON_ECONFIG,
    "use the .key file that tenon keygen wrote, unchanged",
};

int tenon__secret_key_parse(const char *text, size_t len, const char *source,
                            tenon__secret_key *out)
{
    memset(out, 0, sizeof(*out));
    int rc = tenon__sodium_ready();
    if (rc < 0)
        return rc;
    field fields[] = {
        {"key-id", true, NULL, 0, 0},
        {"ed25519-secret", true, NULL, 0, 0},
        {"comment", false, NULL, 0, 0},
    };
    rc = parse_fields(&secret_key_format, text, len, source, fields, TENON__ARRAY_SIZE(fields));
    if (rc == 0)
        rc = decode_key_id(&secret_key_format, source, &fields[0], out->key_id);
    if (rc == 0)
        rc = decode_base64(&secret_key_format, source, &fields[1], out->ed25519,
                           sizeof(out->ed25519));
    if (rc == 0)
        rc = check_comment(&secret_key_format, source, &fields[2]);
    if (rc < 0) {
        sodium_memzero(out, sizeof(*out));
        return rc;
    }
    /* The public half is stored after the seed: it must be the one the
     * seed derives, or signatures would name a key that cannot check them. */
    unsigned char pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    crypto_sign_seed_keypair(pk, sk, out->ed25519);
    bool consistent = sodium_memcmp(sk, out->ed25519, sizeof(sk)) == 0;
    char computed[TENON_KEY_ID_SIZE];
    tenon__key_id(pk, computed);
    sodium_memzero(sk, sizeof(sk));
    if (!consistent) {
        sodium_memzero(out, sizeof(*out));
        return malformed(&secret_key_format, source, fields[1].line,
                         "the secret key's public half does not match its seed");
    }
    if (strcmp(computed, out->key_id) != 0) {
        size_t line = fields[0].line;
        sodium_memzero(out, sizeof(*out));
        return malformed(&secret_key_format, source, line,
                         "key-id does not belong to the key (its id is %s): the file was "
                         "edited",
                         computed);
    }
    copy_comment(&fields[2], out->comment);
    return 0;
}

void tenon__secret_key_format(const tenon__secret_key *key, char *buf, size_t size)
{
    char b64[sodium_base64_ENCODED_LEN(crypto_sign_SECRETKEYBYTES,
                                       sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof(b64), key->ed25519, sizeof(key->ed25519),
                      sodium_base64_VARIANT_ORIGINAL);
    snprintf(buf, size,
             TENON__SECRET_KEY_HEADER
             "\n"
             "# SECRET: anyone who reads this file can sign plugins as you.\n"
             "# Keep it private (mode 0600), never copy it to the hosts.\n"
             "key-id: %s\n"
             "ed25519-secret: %s\n"
             "%s%s%s",
             key->key_id, b64, key->comment[0] ? "comment: " : "", key->comment,
             key->comment[0] ? "\n" : "");
    sodium_memzero(b64, sizeof(b64));
}
