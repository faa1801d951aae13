/* The sized structs of ABI 1.1 (tenon_integrity_info, tenon_public_key_info,
 * tenon_signature_info) in and out of the checks, which work on 1.0's
 * layouts. 1.0's structs have no size, so a caller built against them
 * cannot be told apart from one built against a grown struct: the sized
 * ones start with struct_size, the caller's sizeof, and the library writes
 * only what that covers. */
#include "trust_internal.h"

#include <string.h>

/* Whether the caller's struct_size covers 1.1's struct (the first sized
 * version: every later one only appends). Records TENON_EINVAL if not. */
static bool size_ok(uint32_t struct_size, size_t size_1_1, const char *fn, const char *type)
{
    if (struct_size >= size_1_1)
        return true;
    tenon__fail(TENON_EINVAL, TENON_STAGE_VERIFY, NULL, NULL,
                "set struct_size to sizeof the struct before the call",
                "%s: struct_size of the %s is %u, less than the %zu bytes it has had since "
                "1.1",
                fn, type, (unsigned)struct_size, size_1_1);
    return false;
}

/* Copies the filled struct into the caller's, up to the caller's size,
 * and records that size in it. */
static void copy_out(void *out, const void *full, size_t full_size)
{
    uint32_t size = *(const uint32_t *)out;
    size_t n = size < full_size ? size : full_size;
    memcpy(out, full, n);
    memcpy(out, &size, sizeof(size));
}

static void integrity_out(tenon_integrity_info *out, const tenon_integrity *in)
{
    tenon_integrity_info full = {.struct_size = sizeof(full)};
    full.signature = in->signature;
    full.hashed = in->hashed;
    memcpy(full.sha256, in->sha256, sizeof(full.sha256));
    full.pinned = in->pinned;
    memcpy(full.pinned_sha256, in->pinned_sha256, sizeof(full.pinned_sha256));
    memcpy(full.key_id, in->key_id, sizeof(full.key_id));
    copy_out(out, &full, sizeof(full));
}

static void key_out(tenon_public_key_info *out, const tenon_public_key *in)
{
    tenon_public_key_info full = {.struct_size = sizeof(full)};
    memcpy(full.key_id, in->key_id, sizeof(full.key_id));
    memcpy(full.ed25519, in->ed25519, sizeof(full.ed25519));
    memcpy(full.comment, in->comment, sizeof(full.comment));
    copy_out(out, &full, sizeof(full));
}

static void key_in(tenon_public_key *out, const tenon_public_key_info *in)
{
    memcpy(out->key_id, in->key_id, sizeof(out->key_id));
    memcpy(out->ed25519, in->ed25519, sizeof(out->ed25519));
    memcpy(out->comment, in->comment, sizeof(out->comment));
}

static void signature_out(tenon_signature_info *out, const tenon_signature *in)
{
    tenon_signature_info full = {.struct_size = sizeof(full)};
    memcpy(full.key_id, in->key_id, sizeof(full.key_id));
    memcpy(full.signature, in->signature, sizeof(full.signature));
    full.has_signed_sha256 = in->has_signed_sha256;
    memcpy(full.signed_sha256, in->signed_sha256, sizeof(full.signed_sha256));
    copy_out(out, &full, sizeof(full));
}

int tenon_plugin_integrity_info(tenon_plugin *p, tenon_integrity_info *out)
{
    TENON__CHECK_ARG(p, TENON_STAGE_VERIFY, "p is NULL", TENON_EINVAL);
    if (out && !size_ok(out->struct_size, sizeof(*out), __func__, "out"))
        return TENON_EINVAL;
    tenon_integrity in;
    int rc = tenon_plugin_integrity(p, &in);
    if (out)
        integrity_out(out, &in);
    return rc;
}

int tenon_signature_parse_info(const char *text, size_t len, const char *source,
                               tenon_signature_info *out)
{
    TENON__CHECK_ARG(text || !len, TENON_STAGE_VERIFY, "text is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(out, TENON_STAGE_VERIFY, "out is NULL", TENON_EINVAL);
    if (!size_ok(out->struct_size, sizeof(*out), __func__, "out"))
        return TENON_EINVAL;
    tenon_signature in;
    int rc = tenon_signature_parse(text, len, source, &in);
    signature_out(out, &in);
    return rc;
}

int tenon_public_key_parse_info(const char *text, size_t len, const char *source,
                                tenon_public_key_info *out)
{
    TENON__CHECK_ARG(text || !len, TENON_STAGE_VERIFY, "text is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(out, TENON_STAGE_VERIFY, "out is NULL", TENON_EINVAL);
    if (!size_ok(out->struct_size, sizeof(*out), __func__, "out"))
        return TENON_EINVAL;
    tenon_public_key in;
    int rc = tenon_public_key_parse(text, len, source, &in);
    key_out(out, &in);
    return rc;
}

int tenon_public_key_read_info(const char *path, tenon_public_key_info *out)
{
    TENON__CHECK_ARG(path, TENON_STAGE_VERIFY, "path is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(out, TENON_STAGE_VERIFY, "out is NULL", TENON_EINVAL);
    if (!size_ok(out->struct_size, sizeof(*out), __func__, "out"))
        return TENON_EINVAL;
    tenon_public_key in;
    int rc = tenon_public_key_read(path, &in);
    key_out(out, &in);
    return rc;
}

int tenon_key_generate_info(const char *basename, const char *comment,
                            tenon_public_key_info *out)
{
    TENON__CHECK_ARG(basename, TENON_STAGE_VERIFY, "basename is NULL", TENON_EINVAL);
    if (out && !size_ok(out->struct_size, sizeof(*out), __func__, "out"))
        return TENON_EINVAL;
    tenon_public_key in;
    memset(&in, 0, sizeof(in));
    int rc = tenon_key_generate(basename, comment, &in);
    if (out)
        key_out(out, &in);
    return rc;
}

int tenon_signature_sign_file_info(const char *path, const char *key_path, const char *sig_path,
                                   tenon_signature_info *out)
{
    TENON__CHECK_ARG(path, TENON_STAGE_VERIFY, "path is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(key_path, TENON_STAGE_VERIFY, "key_path is NULL", TENON_EINVAL);
    if (out && !size_ok(out->struct_size, sizeof(*out), __func__, "out"))
        return TENON_EINVAL;
    tenon_signature in;
    memset(&in, 0, sizeof(in));
    int rc = tenon_signature_sign_file(path, key_path, sig_path, &in);
    if (out)
        signature_out(out, &in);
    return rc;
}

/* The caller's keys as 1.0's layout, stepping by their struct_size; NULL
 * with the error recorded when a size is short or memory runs out. */
static tenon_public_key *keys_in(const tenon_public_key_info *keys, size_t n_keys)
{
    tenon_public_key *in = tenon__calloc(n_keys ? n_keys : 1, sizeof(*in));
    if (!in) {
        tenon__nomem(TENON_STAGE_VERIFY, NULL);
        return NULL;
    }
    const unsigned char *at = (const unsigned char *)keys;
    for (size_t i = 0; i < n_keys; i++) {
        const tenon_public_key_info *k = (const tenon_public_key_info *)at;
        if (!size_ok(k->struct_size, sizeof(*k), "tenon_signature_verify_file_info", "key")) {
            tenon__free(in);
            return NULL;
        }
        key_in(&in[i], k);
        at += k->struct_size;
    }
    return in;
}

int tenon_signature_verify_file_info(const char *path, const char *sig_path,
                                     const tenon_public_key_info *keys, size_t n_keys,
                                     tenon_signature_info *out)
{
    TENON__CHECK_ARG(path, TENON_STAGE_VERIFY, "path is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(keys || !n_keys, TENON_STAGE_VERIFY, "keys is NULL", TENON_EINVAL);
    if (out && !size_ok(out->struct_size, sizeof(*out), __func__, "out"))
        return TENON_EINVAL;
    tenon_public_key *in = keys_in(keys, n_keys);
    if (!in)
        return tenon_last_error()->code;
    tenon_signature sig;
    memset(&sig, 0, sizeof(sig));
    int rc = tenon_signature_verify_file_keys(path, sig_path, in, n_keys, &sig);
    if (out)
        signature_out(out, &sig);
    tenon__free(in);
    return rc;
}
