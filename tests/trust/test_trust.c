/* Integrity of plugin files: SHA-256 pins, Ed25519 signatures and the
 * require_signed policy, from key generation to a refused tampered plugin,
 * the key and signature file formats (line numbers of every malformed
 * case), the file permission rules for keys and signatures, and the proof
 * that the file checked is the file loaded: a file renamed over the
 * plugin between the check and dlopen is neither checked nor loaded.
 * Linked with the library's internals for the test hook that runs right
 * before dlopen. */
#include "helpers.h"

#include "internal.h"

#include "alloc_fail.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct fixture {
    char *dir;
    log_capture cap;
    char plugin[4096]; /* dir/good_basic.so */
    char sig[4096];
    char key_base[4096];
    char pub[4096], key[4096];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    f->dir = tmp_dir();
    snprintf(f->plugin, sizeof(f->plugin), "%s/good_basic.so", f->dir);
    snprintf(f->sig, sizeof(f->sig), "%s.sig", f->plugin);
    /* Keys live in their own folder, away from the plugins. */
    char keys[4096];
    snprintf(keys, sizeof(keys), "%s/keys", f->dir);
    assert_int_equal(mkdir(keys, 0755), 0);
    snprintf(f->key_base, sizeof(f->key_base), "%s/signer", keys);
    snprintf(f->pub, sizeof(f->pub), "%s.pub", f->key_base);
    snprintf(f->key, sizeof(f->key), "%s.key", f->key_base);
    copy_fixture(f->dir, "good_basic", NULL);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tmp_remove(f->dir);
    free(f);
    return 0;
}

/* ---- Helpers ----------------------------------------------------------------- */

static char *file_text(const char *path)
{
    size_t size;
    unsigned char *data = read_file(path, &size);
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    free(data);
    return text;
}

static void sha256_hex(const char *path, char out[65])
{
    size_t size;
    unsigned char *data = read_file(path, &size);
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, data, size);
    free(data);
    sodium_bin2hex(out, 65, digest, sizeof(digest));
}

static void keygen(const char *base, tenon_public_key_info *pk)
{
    expect_ok(tenon_key_generate_info(base, "test key", pk));
}

static tenon_registry *registry(fixture *f)
{
    tenon_registry *reg = new_registry(f->dir, 0, &f->cap);
    assert_true(tenon_registry_scan(reg) >= 1);
    return reg;
}

/* The plugin named name, usable or not (a plugin that failed a load is
 * broken, and tenon_registry_find no longer returns it). */
static tenon_plugin *find_any(tenon_registry *reg, const char *name)
{
    for (size_t i = 0; i < tenon_registry_count(reg); i++)
        if (strcmp(tenon_plugin_name(tenon_registry_at(reg, i)), name) == 0)
            return tenon_registry_at(reg, i);
    fail_msg("no plugin %s", name);
    return NULL;
}

static int load_basic(tenon_registry *reg, tenon_plugin **out)
{
    tenon_plugin *p = NULL;
    int rc = tenon_registry_load(reg, "good_basic", &p);
    if (out)
        *out = p;
    return rc;
}

/* ---- Signing end to end ------------------------------------------------------ */

static void test_sign_and_load(void **state)
{
    fixture *f = *state;
    tenon_public_key_info pk = {.struct_size = sizeof(pk)};
    keygen(f->key_base, &pk);
    assert_int_equal(strlen(pk.key_id), 16);

    struct stat st;
    assert_int_equal(stat(f->key, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(stat(f->pub, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644);

    tenon_signature_info sig = {.struct_size = sizeof(sig)};
    expect_ok(tenon_signature_sign_file_info(f->plugin, f->key, NULL, &sig));
    assert_string_equal(sig.key_id, pk.key_id);
    assert_true(sig.has_signed_sha256);
    char *text = file_text(f->sig);
    expect_contains(text, "tenon-signature-v1\n");
    expect_contains(text, pk.key_id);
    char sha[65];
    sha256_hex(f->plugin, sha);
    expect_contains(text, sha);
    free(text);

    /* The tools' check, with the key as text and as the bare base64 line. */
    char *pub_text = file_text(f->pub);
    const char *keys[] = {pub_text};
    expect_ok(tenon_signature_verify_file(f->plugin, NULL, keys, 1));
    char b64[64];
    sodium_bin2base64(b64, sizeof(b64), pk.ed25519, sizeof(pk.ed25519),
                      sodium_base64_VARIANT_ORIGINAL);
    const char *bare[] = {b64};
    expect_ok(tenon_signature_verify_file(f->plugin, NULL, bare, 1));

    /* And a host that requires signatures loads it. */
    tenon_registry *reg = registry(f);
    expect_ok(tenon_registry_trust_key(reg, pub_text));
    tenon_registry_require_signed(reg, true);
    tenon_integrity_info info = {.struct_size = sizeof(info)};
    expect_ok(tenon_plugin_integrity_info(find_any(reg, "good_basic"), &info));
    assert_int_equal(info.signature, TENON_SIG_TRUSTED);
    assert_string_equal(info.key_id, pk.key_id);
    assert_true(info.hashed);
    assert_string_equal(info.sha256, sha);
    assert_string_equal(tenon_sig_state_name(info.signature), "trusted");
    tenon_plugin *p;
    expect_ok(load_basic(reg, &p));
    assert_int_equal(tenon_plugin_status(p), TENON_STATUS_LOADED);
    tenon_registry_free(reg);
    free(pub_text);
}

static void test_tampered_plugin_refused(void **state)
{
    fixture *f = *state;
    tenon_public_key_info pk = {.struct_size = sizeof(pk)};
    keygen(f->key_base, &pk);
    expect_ok(tenon_signature_sign_file_info(f->plugin, f->key, NULL, NULL));
    char signed_sha[65], tampered_sha[65];
    sha256_hex(f->plugin, signed_sha);
    flip_comment_byte(f->plugin);
    sha256_hex(f->plugin, tampered_sha);
    assert_string_not_equal(signed_sha, tampered_sha);

    char *pub_text = file_text(f->pub);
    const char *keys[] = {pub_text};
    expect_error(tenon_signature_verify_file(f->plugin, NULL, keys, 1), TENON_ESIGNATURE,
                 f->plugin, "does not match", pk.key_id, signed_sha, tampered_sha, NULL);

    /* Refused even though signatures are not required: a trusted key's
     * signature that does not match means the file was tampered with. */
    tenon_registry *reg = registry(f);
    expect_ok(tenon_registry_trust_key(reg, pub_text));
    expect_error(load_basic(reg, NULL), TENON_ESIGNATURE, "good_basic", "trusted key",
                 pk.key_id, "does not match", tampered_sha, signed_sha, NULL);
    tenon_integrity_info info = {.struct_size = sizeof(info)};
    assert_int_equal(tenon_plugin_integrity_info(find_any(reg, "good_basic"), &info),
                     TENON_ESIGNATURE);
    assert_int_equal(info.signature, TENON_SIG_BAD);
    /* The failure is remembered: the plugin stays broken in this registry. */
    assert_int_equal(tenon_plugin_status(find_any(reg, "good_basic")), TENON_STATUS_BROKEN);
    expect_error_obj(tenon_plugin_error(find_any(reg, "good_basic")), TENON_ESIGNATURE,
                     "good_basic", "does not match", NULL);
    tenon_registry_free(reg);
    reg = registry(f);
    expect_ok(tenon_registry_trust_key(reg, pub_text));
    tenon_registry_require_signed(reg, true);
    expect_error(load_basic(reg, NULL), TENON_ESIGNATURE, "good_basic", "does not match", NULL);
    tenon_registry_free(reg);

    /* A signature whose "signed-sha256" line was edited to match still
     * fails: that line is only a note for people, never trusted. */
    char *sig_text = file_text(f->sig);
    char *at = strstr(sig_text, signed_sha);
    assert_non_null(at);
    memcpy(at, tampered_sha, 64);
    write_file(f->sig, sig_text);
    free(sig_text);
    reg = registry(f);
    expect_ok(tenon_registry_trust_key(reg, pub_text));
    expect_error(load_basic(reg, NULL), TENON_ESIGNATURE, "good_basic", "does not match",
                 "damaged", NULL);
    tenon_registry_free(reg);
    free(pub_text);
}

static void test_untrusted_key(void **state)
{
    fixture *f = *state;
    tenon_public_key_info signer = {.struct_size = sizeof(signer)},
                          other = {.struct_size = sizeof(other)};
    keygen(f->key_base, &signer);
    keygen(tmp_path(f->dir, "keys/other"), &other);
    expect_ok(tenon_signature_sign_file_info(f->plugin, f->key, NULL, NULL));

    char *other_text = file_text(tmp_path(f->dir, "keys/other.pub"));
    const char *keys[] = {other_text};
    expect_error(tenon_signature_verify_file(f->plugin, NULL, keys, 1), TENON_ESIGNATURE,
                 f->plugin, "not a trusted key", signer.key_id, NULL);

    /* Required: refused, naming the signer's key id. */
    tenon_registry *reg = registry(f);
    expect_ok(tenon_registry_trust_key(reg, other_text));
    tenon_registry_require_signed(reg, true);
    expect_error(load_basic(reg, NULL), TENON_ESIGNATURE, "good_basic", "not a trusted key",
                 signer.key_id, NULL);
    tenon_integrity_info info = {.struct_size = sizeof(info)};
    tenon_plugin_integrity_info(find_any(reg, "good_basic"), &info);
    assert_int_equal(info.signature, TENON_SIG_UNTRUSTED);
    assert_string_equal(info.key_id, signer.key_id);

    /* Not required: it loads as an unsigned plugin would, with a warning. */
    tenon_registry_free(reg);
    reg = registry(f);
    expect_ok(tenon_registry_trust_key(reg, other_text));
    expect_ok(load_basic(reg, NULL));
    expect_contains(f->cap.all, "not trusted");
    expect_contains(f->cap.all, signer.key_id);
    tenon_registry_free(reg);
    free(other_text);
}

static void test_unsigned(void **state)
{
    fixture *f = *state;
    tenon_public_key_info pk = {.struct_size = sizeof(pk)};
    keygen(f->key_base, &pk);
    char *pub_text = file_text(f->pub);

    const char *keys[] = {pub_text};
    expect_error(tenon_signature_verify_file(f->plugin, NULL, keys, 1), TENON_ESIGNATURE,
                 f->plugin, "not signed", f->sig, NULL);

    tenon_registry *reg = registry(f);
    expect_ok(tenon_registry_trust_key_file(reg, f->pub));
    tenon_registry_require_signed(reg, true);
    expect_error(load_basic(reg, NULL), TENON_ESIGNATURE, "good_basic", "not signed",
                 "no signature file", f->sig, "tenon sign", NULL);
    tenon_integrity_info info = {.struct_size = sizeof(info)};
    tenon_plugin_integrity_info(find_any(reg, "good_basic"), &info);
    assert_int_equal(info.signature, TENON_SIG_NONE);

    /* Trusted keys without the requirement: unsigned plugins load. */
    tenon_registry_free(reg);
    reg = registry(f);
    expect_ok(tenon_registry_trust_key_file(reg, f->pub));
    tenon_registry_require_signed(reg, true);
    tenon_registry_require_signed(reg, false);
    expect_ok(load_basic(reg, NULL));
    tenon_registry_free(reg);

    /* Required with no key at all: nothing can pass. */
    reg = registry(f);
    tenon_registry_require_signed(reg, true);
    expect_error(load_basic(reg, NULL), TENON_ESIGNATURE, "good_basic", "not signed", NULL);
    tenon_registry_free(reg);
    free(pub_text);
}

static void test_no_policy_ignores_signatures(void **state)
{
    fixture *f = *state;
    /* A host that configured nothing never reads signature files, so a
     * stray or broken one changes nothing for it. */
    write_file(f->sig, "this is not a signature\n");
    tenon_registry *reg = registry(f);
    expect_ok(load_basic(reg, NULL));
    tenon_registry_free(reg);

    /* But once a key is trusted, a malformed signature file is refused:
     * it cannot be told apart from a damaged signature by that key. */
    tenon_public_key_info pk = {.struct_size = sizeof(pk)};
    keygen(f->key_base, &pk);
    reg = registry(f);
    expect_ok(tenon_registry_trust_key_file(reg, f->pub));
    expect_error(load_basic(reg, NULL), TENON_ESIGNATURE, "good_basic", f->sig,
                 "malformed signature file at line 1", NULL);
    tenon_integrity_info info = {.struct_size = sizeof(info)};
    tenon_plugin_integrity_info(find_any(reg, "good_basic"), &info);
    assert_int_equal(info.signature, TENON_SIG_MALFORMED);
    tenon_registry_free(reg);
}

/* ---- Pins -------------------------------------------------------------------- */

static void test_pins(void **state)
{
    fixture *f = *state;
    char sha[65], upper[65];
    sha256_hex(f->plugin, sha);
    for (size_t i = 0; i < 65; i++)
        upper[i] = (char)(sha[i] >= 'a' && sha[i] <= 'f' ? sha[i] - 32 : sha[i]);

    tenon_registry *reg = registry(f);
    expect_ok(tenon_registry_pin_sha256(reg, "good_basic", upper));
    tenon_integrity_info info = {.struct_size = sizeof(info)};
    expect_ok(tenon_plugin_integrity_info(find_any(reg, "good_basic"), &info));
    assert_true(info.pinned);
    assert_string_equal(info.pinned_sha256, sha);
    expect_ok(load_basic(reg, NULL));
    tenon_registry_free(reg);

    const char *wrong = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    reg = registry(f);
    expect_ok(tenon_registry_pin_sha256(reg, "good_basic", wrong));
    expect_error(load_basic(reg, NULL), TENON_EHASH, "good_basic", f->plugin, "expected", wrong,
                 sha, "pin its new hash", NULL);
    assert_int_equal(tenon_plugin_status(find_any(reg, "good_basic")), TENON_STATUS_BROKEN);
    tenon_registry_free(reg);
    /* Pinning again replaces the pin; NULL removes it. */
    reg = registry(f);
    expect_ok(tenon_registry_pin_sha256(reg, "good_basic", sha));
    expect_ok(tenon_registry_pin_sha256(reg, "good_basic", NULL));
    expect_ok(tenon_registry_pin_sha256(reg, "good_basic", wrong));
    expect_ok(tenon_registry_pin_sha256(reg, "good_basic", NULL));
    expect_ok(load_basic(reg, NULL));
    /* A pin for another name does not apply. */
    expect_ok(tenon_registry_pin_sha256(reg, "someone_else", wrong));

    expect_error(tenon_registry_pin_sha256(reg, "good_basic", "abc"), TENON_EINVAL,
                 "good_basic", "64 hex digits", NULL);
    expect_error(tenon_registry_pin_sha256(reg, "good_basic",
                                           "zz23456789abcdef0123456789abcdef0123456789abcdef012"
                                           "3456789abcdef"),
                 TENON_EINVAL, "good_basic", "64 hex digits", NULL);
    expect_error(tenon_registry_pin_sha256(reg, "../etc", sha), TENON_ENAME, NULL, NULL);
    tenon_registry_free(reg);

    /* A pin and a signature together: both must hold. */
    tenon_public_key_info pk = {.struct_size = sizeof(pk)};
    keygen(f->key_base, &pk);
    expect_ok(tenon_signature_sign_file_info(f->plugin, f->key, NULL, NULL));
    reg = registry(f);
    expect_ok(tenon_registry_trust_key_file(reg, f->pub));
    tenon_registry_require_signed(reg, true);
    expect_ok(tenon_registry_pin_sha256(reg, "good_basic", wrong));
    expect_error(load_basic(reg, NULL), TENON_EHASH, "good_basic", wrong, sha, NULL);
    tenon_registry_free(reg);
    reg = registry(f);
    expect_ok(tenon_registry_trust_key_file(reg, f->pub));
    tenon_registry_require_signed(reg, true);
    expect_ok(tenon_registry_pin_sha256(reg, "good_basic", sha));
    expect_ok(load_basic(reg, NULL));
    tenon_registry_free(reg);
}

/* ---- Key files --------------------------------------------------------------- */

static void test_keygen_never_overwrites(void **state)
{
    fixture *f = *state;
    tenon_public_key_info pk = {.struct_size = sizeof(pk)};
    keygen(f->key_base, &pk);
    char *before = file_text(f->key);
    expect_error(tenon_key_generate_info(f->key_base, NULL, NULL), TENON_EEXISTS, f->pub,
                 "already exists", NULL);
    char *after = file_text(f->key);
    assert_string_equal(before, after);
    free(before);
    free(after);

    /* Only the .key exists: still refused, and no .pub is left behind. */
    const char *lone = tmp_path(f->dir, "keys/lone");
    write_file(tmp_path(f->dir, "keys/lone.key"), "x\n");
    expect_error(tenon_key_generate_info(lone, NULL, NULL), TENON_EEXISTS, "lone.key", NULL);
    assert_int_equal(access(tmp_path(f->dir, "keys/lone.pub"), F_OK), -1);

    expect_error(tenon_key_generate_info(tmp_path(f->dir, "keys/c"), "two\nlines", NULL),
                 TENON_EINVAL, NULL, "comment", NULL);
}

static void test_secret_key_permissions(void **state)
{
    fixture *f = *state;
    tenon_public_key_info pk = {.struct_size = sizeof(pk)};
    keygen(f->key_base, &pk);
    static const mode_t bad[] = {0640, 0604, 0644, 0620, 0660, 0700 | 0004};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(chmod(f->key, bad[i]), 0);
        expect_error(tenon_signature_sign_file_info(f->plugin, f->key, NULL, NULL),
                     TENON_EUNSAFE, f->key, "chmod 600", NULL);
        assert_int_equal(access(f->sig, F_OK), -1);
    }
    assert_int_equal(chmod(f->key, 0400), 0);
    expect_ok(tenon_signature_sign_file_info(f->plugin, f->key, NULL, NULL));

    /* A symbolic link to the key is not followed. */
    const char *link = tmp_path(f->dir, "keys/link.key");
    assert_int_equal(symlink(f->key, link), 0);
    expect_error(tenon_signature_sign_file_info(f->plugin, link, NULL, NULL), TENON_ELOOP, link,
                 "symbolic link", NULL);
    /* Nor is a plugin given through a link: sign the file hosts load. */
    const char *plink = tmp_path(f->dir, "link.so");
    assert_int_equal(symlink(f->plugin, plink), 0);
    expect_error(tenon_signature_sign_file_info(plink, f->key, NULL, NULL), TENON_ELOOP, plink,
                 NULL);
}

static void test_public_key_files(void **state)
{
    fixture *f = *state;
    tenon_public_key_info pk = {.struct_size = sizeof(pk)},
                          read = {.struct_size = sizeof(read)};
    keygen(f->key_base, &pk);
    expect_ok(tenon_public_key_read_info(f->pub, &read));
    assert_memory_equal(read.ed25519, pk.ed25519, sizeof(pk.ed25519));
    assert_string_equal(read.comment, "test key");

    /* A public key anyone can rewrite is not a key anyone should trust. */
    tenon_registry *reg = registry(f);
    assert_int_equal(chmod(f->pub, 0664), 0);
    expect_error(tenon_registry_trust_key_file(reg, f->pub), TENON_EUNSAFE, f->pub, "writable",
                 NULL);
    assert_int_equal(chmod(f->pub, 0644), 0);
    expect_ok(tenon_registry_trust_key_file(reg, f->pub));
    expect_ok(tenon_registry_trust_key_file(reg, f->pub)); /* twice is harmless */
    expect_error(tenon_registry_trust_key_file(reg, "keys/signer.pub"), TENON_EPATH, NULL,
                 "absolute", NULL);
    /* A secret key where a public one belongs says so. */
    expect_error(tenon_registry_trust_key(reg, "tenon-secret-key-v1\nkey-id: 00\n"),
                 TENON_ECONFIG, NULL, "line 1", "secret key", NULL);
    tenon_registry_free(reg);
}

static void test_keys_dir(void **state)
{
    fixture *f = *state;
    tenon_public_key_info a = {.struct_size = sizeof(a)}, b = {.struct_size = sizeof(b)};
    keygen(f->key_base, &a);
    keygen(tmp_path(f->dir, "keys/second"), &b);
    write_file(tmp_path(f->dir, "keys/README"), "not a key\n");
    write_file(tmp_path(f->dir, "keys/.hidden.pub"), "not read\n");
    expect_ok(tenon_signature_sign_file_info(f->plugin, tmp_path(f->dir, "keys/second.key"),
                                             NULL, NULL));
    const char *keys = tmp_path(f->dir, "keys");

    tenon_registry *reg = registry(f);
    tenon_registry_require_signed(reg, true);
    assert_int_equal(tenon_registry_trust_keys_dir(reg, keys), 2);
    expect_ok(load_basic(reg, NULL));
    tenon_registry_free(reg);

    /* A folder others can write to: anyone could add their key. */
    assert_int_equal(chmod(keys, 0775), 0);
    reg = registry(f);
    tenon_registry_require_signed(reg, true);
    expect_error(tenon_registry_trust_keys_dir(reg, keys), TENON_EUNSAFE, keys, "keys folder",
                 "writable", NULL);
    expect_error(load_basic(reg, NULL), TENON_ESIGNATURE, "good_basic", "not a trusted key",
                 NULL);
    tenon_registry_free(reg);
    /* Sticky like /tmp: others cannot replace our files there. */
    assert_int_equal(chmod(keys, 01777), 0);
    reg = registry(f);
    assert_int_equal(tenon_registry_trust_keys_dir(reg, keys), 2);
    tenon_registry_free(reg);
    assert_int_equal(chmod(keys, 0755), 0);

    /* One bad file: nothing of the folder is trusted, and it is named. */
    const char *bad = tmp_path(f->dir, "keys/zz-bad.pub");
    write_file(bad, "tenon-public-key-v1\nkey-id: 0011223344556677\n");
    reg = registry(f);
    tenon_registry_require_signed(reg, true);
    expect_error(tenon_registry_trust_keys_dir(reg, keys), TENON_ECONFIG, bad,
                 "malformed public key at line 3", "ed25519", NULL);
    expect_error(load_basic(reg, NULL), TENON_ESIGNATURE, "good_basic", "not a trusted key",
                 NULL);
    tenon_registry_free(reg);
    unlink(bad);

    /* A key file that is a symbolic link is refused. */
    assert_int_equal(symlink(f->pub, tmp_path(f->dir, "keys/link.pub")), 0);
    reg = registry(f);
    expect_error(tenon_registry_trust_keys_dir(reg, keys), TENON_ELOOP, "link.pub",
                 "symbolic link", NULL);
    tenon_registry_free(reg);
}

/* ---- The signature file's own safety ----------------------------------------- */

static void test_signature_file_safety(void **state)
{
    fixture *f = *state;
    tenon_public_key_info pk = {.struct_size = sizeof(pk)};
    keygen(f->key_base, &pk);
    expect_ok(tenon_signature_sign_file_info(f->plugin, f->key, NULL, NULL));

    /* Writable by others: refused as a load would refuse the plugin. */
    assert_int_equal(chmod(f->sig, 0666), 0);
    tenon_registry *reg = registry(f);
    expect_ok(tenon_registry_trust_key_file(reg, f->pub));
    expect_error(load_basic(reg, NULL), TENON_ESIGNATURE, "good_basic", f->sig, "writable",
                 NULL);
    tenon_registry_free(reg);
    assert_int_equal(chmod(f->sig, 0644), 0);

    /* A symbolic link in place of the signature is never followed. */
    const char *real = tmp_path(f->dir, "elsewhere.sig");
    assert_int_equal(rename(f->sig, real), 0);
    assert_int_equal(symlink(real, f->sig), 0);
    reg = registry(f);
    expect_ok(tenon_registry_trust_key_file(reg, f->pub));
    expect_error(load_basic(reg, NULL), TENON_ESIGNATURE, "good_basic", f->sig, "symbolic link",
                 NULL);
    tenon_registry_free(reg);
    unlink(f->sig);

    /* A folder in place of the signature, and an oversized one. */
    assert_int_equal(mkdir(f->sig, 0755), 0);
    reg = registry(f);
    expect_ok(tenon_registry_trust_key_file(reg, f->pub));
    expect_error(load_basic(reg, NULL), TENON_ESIGNATURE, "good_basic", f->sig, NULL);
    tenon_registry_free(reg);
    rmdir(f->sig);
    char *big = malloc(TENON_TRUST_FILE_MAX + 100);
    memset(big, '#', TENON_TRUST_FILE_MAX + 99);
    big[TENON_TRUST_FILE_MAX + 99] = '\0';
    write_file(f->sig, big);
    free(big);
    reg = registry(f);
    expect_ok(tenon_registry_trust_key_file(reg, f->pub));
    expect_error(load_basic(reg, NULL), TENON_ESIGNATURE, "good_basic", f->sig,
                 "more than 4096 bytes", NULL);
    tenon_registry_free(reg);

    /* With TENON_REGISTRY_ALLOW_UNSAFE_FILES the signature's permissions
     * are relaxed like the plugin's, but its content is not. */
    expect_ok(tenon_signature_sign_file_info(f->plugin, f->key, NULL, NULL));
    assert_int_equal(chmod(f->sig, 0666), 0);
    reg = new_registry(f->dir, TENON_REGISTRY_ALLOW_UNSAFE_FILES, &f->cap);
    assert_true(tenon_registry_scan(reg) >= 1);
    expect_ok(tenon_registry_trust_key_file(reg, f->pub));
    tenon_registry_require_signed(reg, true);
    expect_ok(load_basic(reg, NULL));
    tenon_registry_free(reg);
}

/* ---- What is checked is what is loaded --------------------------------------- */

typedef struct swap {
    const char *from, *to;
    int calls;
    char sha_at_path[65];
} swap;

/* Runs after every check passed and before dlopen: renames another
 * plugin (another version of the same name) over the checked one. */
static void swap_hook(void *userdata, tenon_plugin *p)
{
    swap *s = userdata;
    (void)p;
    s->calls++;
    assert_int_equal(rename(s->from, s->to), 0);
    sha256_hex(s->to, s->sha_at_path);
}

static void test_swap_between_check_and_load(void **state)
{
    fixture *f = *state;
    char *other = tmp_dir();
    copy_fixture(f->dir, "shadow_v1", "shadow.so");
    copy_fixture(other, "shadow_v2", "shadow.so");
    char path[4096], evil[4096];
    snprintf(path, sizeof(path), "%s/shadow.so", f->dir);
    snprintf(evil, sizeof(evil), "%s/shadow.so", other);
    char v1_sha[65], v2_sha[65];
    sha256_hex(path, v1_sha);
    sha256_hex(evil, v2_sha);
    assert_string_not_equal(v1_sha, v2_sha);

    tenon_public_key_info pk = {.struct_size = sizeof(pk)};
    keygen(f->key_base, &pk);
    expect_ok(tenon_signature_sign_file_info(path, f->key, NULL, NULL));

    tenon_registry *reg = registry(f);
    expect_ok(tenon_registry_trust_key_file(reg, f->pub));
    tenon_registry_require_signed(reg, true);
    expect_ok(tenon_registry_pin_sha256(reg, "shadow", v1_sha));
    swap s = {evil, path, 0, ""};
    reg->before_dlopen_hook = swap_hook;
    reg->before_dlopen_userdata = &s;

    tenon_plugin *p = NULL;
    expect_ok(tenon_registry_load(reg, "shadow", &p));
    assert_int_equal(s.calls, 1);
    /* The swap happened: the path now holds version 2... */
    assert_string_equal(s.sha_at_path, v2_sha);
    /* ...yet the code that runs is version 1, the file that was checked
     * against the pin and the signature. */
    assert_non_null(p->entry);
    assert_string_equal(p->entry->descriptor->version, "1.0.0");
    assert_string_equal(tenon_plugin_version(p), "1.0.0");
    tenon_registry_free(reg);

    /* And what now sits at the path would have been refused by both. */
    reg = registry(f);
    expect_ok(tenon_registry_trust_key_file(reg, f->pub));
    expect_error(tenon_registry_load(reg, "shadow", NULL), TENON_ESIGNATURE, "shadow",
                 "does not match", NULL);
    tenon_registry_free(reg);
    reg = registry(f);
    expect_ok(tenon_registry_pin_sha256(reg, "shadow", v1_sha));
    expect_error(tenon_registry_load(reg, "shadow", NULL), TENON_EHASH, "shadow", v1_sha,
                 v2_sha, NULL);
    tenon_registry_free(reg);
    tmp_remove(other);
}

/* ---- Formats: every malformed case names its line ---------------------------- */

#define SIG_OK_ID "0011223344556677"
#define SIG_OK_SHA "aa11223344556677001122334455667700112233445566770011223344556677"
#define SIG_OK_B64 \
    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw=="
#define SIG_OK                                                              \
    "tenon-signature-v1\nkey-id: " SIG_OK_ID "\nsigned-sha256: " SIG_OK_SHA \
    "\nsignature: " SIG_OK_B64 "\n"

typedef struct bad_case {
    const char *text;
    int line;
    const char *why;
} bad_case;

static void test_signature_format(void **state)
{
    (void)state;
    tenon_signature_info sig = {.struct_size = sizeof(sig)};
    expect_ok(tenon_signature_parse_info(SIG_OK, strlen(SIG_OK), "ok.sig", &sig));
    assert_string_equal(sig.key_id, SIG_OK_ID);
    assert_true(sig.has_signed_sha256);
    for (int i = 0; i < 64; i++)
        assert_int_equal(sig.signature[i], i);
    /* Comments, blank lines, any field order, no final newline, no sha. */
    const char *loose = "tenon-signature-v1\n# made by hand\n\nsignature: " SIG_OK_B64
                        "\nkey-id: 0011223344556677";
    expect_ok(tenon_signature_parse_info(loose, strlen(loose), NULL, &sig));
    assert_false(sig.has_signed_sha256);
    /* Upper-case hex is read as the same id. */
    const char *upper = "tenon-signature-v1\nkey-id: 00112233445566AA\nsignature: " SIG_OK_B64;
    expect_ok(tenon_signature_parse_info(upper, strlen(upper), NULL, &sig));
    assert_string_equal(sig.key_id, "00112233445566aa");

    static const bad_case cases[] = {
        {"", 1, "empty"},
        {"tenon-signature-v2\n", 1, "first line"},
        {"tenon-public-key-v1\n", 1, "a tenon public key"},
        {"\177ELF\002\001\001", 1, "an ELF file"},
        {"tenon-signature-v1\r\nkey-id: " SIG_OK_ID "\n", 1, "dos2unix"},
        {"tenon-signature-v1\nkey-id: " SIG_OK_ID "\n", 3, "no \"signature:\" line"},
        {"tenon-signature-v1\nsignature: " SIG_OK_B64 "\n", 3, "no \"key-id:\" line"},
        {"tenon-signature-v1\nkey-id: 0011\nsignature: " SIG_OK_B64 "\n", 2, "16 hex digits"},
        {"tenon-signature-v1\nkey-id: 00112233445566zz\nsignature: " SIG_OK_B64 "\n", 2, "hex"},
        {"tenon-signature-v1\nkey-id: " SIG_OK_ID "\nkey-id: " SIG_OK_ID "\n", 3,
         "second \"key-id\" line (the first is line 2)"},
        {"tenon-signature-v1\nkey-id: " SIG_OK_ID "\nsignature: AAAA\n", 3,
         "base64 of 64 bytes"},
        {"tenon-signature-v1\nkey-id: " SIG_OK_ID "\nsignature: " SIG_OK_B64 "AAAA\n", 3,
         "base64"},
        {"tenon-signature-v1\nkey-id: " SIG_OK_ID "\nsignature: " SIG_OK_B64 "\nsigner: me\n",
         4, "unknown field \"signer\""},
        {"tenon-signature-v1\nkey-id:" SIG_OK_ID "\n", 2, "one space"},
        {"tenon-signature-v1\nkey-id: \n", 2, "one space and a value"},
        {"tenon-signature-v1\nkey-id:  " SIG_OK_ID "\n", 2, "spaces around"},
        {"tenon-signature-v1\nkey-id: " SIG_OK_ID " \n", 2, "spaces around"},
        {"tenon-signature-v1\nKey-Id: " SIG_OK_ID "\n", 2, "name: value"},
        {"tenon-signature-v1\n\n\nno colon here\n", 4, "name: value"},
        {"tenon-signature-v1\nkey-id: " SIG_OK_ID "\tx\n", 2, "0x09"},
        {"tenon-signature-v1\nkey-id: " SIG_OK_ID "\nsigned-sha256: abc\nsignature: " SIG_OK_B64
         "\n",
         3, "64 hex digits"},
        {"tenon-signature-v1\nkey-id: " SIG_OK_ID "\nsignature: " SIG_OK_B64 "\n\xc3\xa9\n", 4,
         "0xc3"},
        {"tenon-signature-v1\nthis-name-is-far-too-long-to-be-any-field-at-all: x\n", 2,
         "longer than"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char want[64];
        snprintf(want, sizeof(want), "malformed signature file at line %d:", cases[i].line);
        int rc = tenon_signature_parse_info(cases[i].text, strlen(cases[i].text), "case.sig",
                                            &sig);
        if (rc != TENON_ESIGNATURE || !strstr(tenon_last_error()->message, want) ||
            !strstr(tenon_last_error()->message, cases[i].why))
            fail_msg("case %zu: got %s: %s (want line %d, \"%s\")", i, tenon_err_name(rc),
                     tenon_last_error()->message, cases[i].line, cases[i].why);
        assert_string_equal(tenon_last_error()->path, "case.sig");
    }
    /* A NUL inside the text is a byte like any other, not an end. */
    static const char with_nul[] = "tenon-signature-v1\nkey-id: 00112233\0"
                                   "44556677\n";
    expect_error(tenon_signature_parse_info(with_nul, sizeof(with_nul) - 1, NULL, &sig),
                 TENON_ESIGNATURE, NULL, "line 2", "0x00", NULL);
    /* Oversized input is refused before it is scanned. */
    char *big = malloc(TENON_TRUST_FILE_MAX + 1);
    memset(big, '#', TENON_TRUST_FILE_MAX + 1);
    expect_error(tenon_signature_parse_info(big, TENON_TRUST_FILE_MAX + 1, NULL, &sig),
                 TENON_ESIGNATURE, NULL, "more than", NULL);
    free(big);
    expect_error(tenon_signature_parse_info(NULL, 5, NULL, &sig), TENON_EINVAL, NULL, NULL);
    expect_error(tenon_signature_parse_info(NULL, 0, NULL, &sig), TENON_ESIGNATURE, NULL,
                 "empty", NULL);
}

static void test_public_key_format(void **state)
{
    (void)state;
    unsigned char pk[32], sk[64];
    crypto_sign_keypair(pk, sk);
    unsigned char digest[32];
    crypto_hash_sha256(digest, pk, sizeof(pk));
    char id[17], b64[64];
    sodium_bin2hex(id, sizeof(id), digest, 8);
    sodium_bin2base64(b64, sizeof(b64), pk, sizeof(pk), sodium_base64_VARIANT_ORIGINAL);
    char good[512];
    snprintf(good, sizeof(good), "tenon-public-key-v1\nkey-id: %s\ned25519: %s\ncomment: me\n",
             id, b64);
    tenon_public_key_info key = {.struct_size = sizeof(key)};
    expect_ok(tenon_public_key_parse_info(good, strlen(good), NULL, &key));
    assert_string_equal(key.key_id, id);
    assert_string_equal(key.comment, "me");
    char bare[80];
    snprintf(bare, sizeof(bare), "  %s\n", b64);
    expect_ok(tenon_public_key_parse_info(bare, strlen(bare), NULL, &key));
    assert_string_equal(key.key_id, id);

    char wrong_id[512], short_key[512], long_comment[512], dup[512], no_key[512];
    snprintf(wrong_id, sizeof(wrong_id),
             "tenon-public-key-v1\ned25519: %s\nkey-id: 0000000000000000\n", b64);
    snprintf(short_key, sizeof(short_key),
             "tenon-public-key-v1\n# c\nkey-id: %s\ned25519: AAAA\n", id);
    snprintf(long_comment, sizeof(long_comment),
             "tenon-public-key-v1\nkey-id: %s\ned25519: %s\ncomment: %0130d\n", id, b64, 0);
    snprintf(dup, sizeof(dup), "tenon-public-key-v1\nkey-id: %s\ned25519: %s\ned25519: %s\n",
             id, b64, b64);
    snprintf(no_key, sizeof(no_key), "tenon-public-key-v1\nkey-id: %s\n\n", id);
    const bad_case cases[] = {
        {wrong_id, 3, "does not belong to the key"},
        {short_key, 4, "base64 of 32 bytes"},
        {long_comment, 4, "comment longer"},
        {dup, 4, "second \"ed25519\""},
        {no_key, 4, "no \"ed25519:\" line"},
        {"tenon-signature-v1\n", 1, "a tenon signature, not a public key"},
        {"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG me@host\n", 1, "first line"},
        {"", 1, "empty"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char want[64];
        snprintf(want, sizeof(want), "malformed public key at line %d:", cases[i].line);
        int rc = tenon_public_key_parse_info(cases[i].text, strlen(cases[i].text), "case.pub",
                                             &key);
        if (rc != TENON_ECONFIG || !strstr(tenon_last_error()->message, want) ||
            !strstr(tenon_last_error()->message, cases[i].why))
            fail_msg("case %zu: got %s: %s (want line %d, \"%s\")", i, tenon_err_name(rc),
                     tenon_last_error()->message, cases[i].line, cases[i].why);
    }
}

static void test_secret_key_format(void **state)
{
    fixture *f = *state;
    tenon_public_key_info pk = {.struct_size = sizeof(pk)};
    keygen(f->key_base, &pk);
    char *text = file_text(f->key);

    /* The public half of the secret key edited: caught, with its line. */
    char *b64 = strstr(text, "ed25519-secret: ");
    assert_non_null(b64);
    b64 += strlen("ed25519-secret: ");
    char *end = strchr(b64, '\n');
    char *mangled = strdup(text);
    size_t at = (size_t)(end - text) - 6; /* inside the public half */
    mangled[at] = mangled[at] == 'A' ? 'B' : 'A';
    const char *bad = tmp_path(f->dir, "keys/bad.key");
    write_file(bad, mangled);
    assert_int_equal(chmod(bad, 0600), 0);
    int line = 0;
    for (const char *c = text; c < b64; c++)
        line += *c == '\n';
    char want[64];
    snprintf(want, sizeof(want), "malformed secret key at line %d", line + 1);
    expect_error(tenon_signature_sign_file_info(f->plugin, bad, NULL, NULL), TENON_ECONFIG, bad,
                 want, NULL);
    free(mangled);

    /* A public key given as the secret key. */
    const char *pubcopy = tmp_path(f->dir, "keys/pub-as.key");
    copy_file(f->pub, pubcopy);
    assert_int_equal(chmod(pubcopy, 0600), 0);
    expect_error(tenon_signature_sign_file_info(f->plugin, pubcopy, NULL, NULL), TENON_ECONFIG,
                 pubcopy, "line 1", "a tenon public key, not a secret key", NULL);
    free(text);
}

/* No input crashes the parsers or reads outside it: every truncation and
 * many single-byte changes of valid files (ASan watches the reads; the
 * text is copied into exact-size heap blocks so overruns are caught). */
static void test_parsers_on_damaged_input(void **state)
{
    fixture *f = *state;
    tenon_public_key_info pk = {.struct_size = sizeof(pk)};
    keygen(f->key_base, &pk);
    expect_ok(tenon_signature_sign_file_info(f->plugin, f->key, NULL, NULL));
    char *sig_text = file_text(f->sig);
    char *pub_text = file_text(f->pub);
    static const unsigned char values[] = {0,   '\n', '\r', ' ',  ':',  '#', '=',
                                           'A', 'z',  '0',  0x7f, 0x80, 0xff};
    const char *texts[] = {sig_text, pub_text};
    for (int which = 0; which < 2; which++) {
        const char *text = texts[which];
        size_t len = strlen(text);
        size_t ok = 0;
        for (size_t cut = 0; cut <= len; cut++) {
            char *copy = malloc(cut ? cut : 1);
            memcpy(copy, text, cut);
            tenon_signature_info sig = {.struct_size = sizeof(sig)};
            tenon_public_key_info key = {.struct_size = sizeof(key)};
            int rc = which == 0 ? tenon_signature_parse_info(copy, cut, NULL, &sig)
                                : tenon_public_key_parse_info(copy, cut, NULL, &key);
            ok += rc == 0;
            free(copy);
        }
        /* A signature parses only whole, with or without its last
         * newline (a public key's optional comment may be cut shorter). */
        if (which == 0)
            assert_int_equal(ok, 2);
        for (size_t i = 0; i < len; i++) {
            for (size_t v = 0; v < sizeof(values); v++) {
                char *copy = malloc(len);
                memcpy(copy, text, len);
                copy[i] = (char)values[v];
                tenon_signature_info sig = {.struct_size = sizeof(sig)};
                tenon_public_key_info key = {.struct_size = sizeof(key)};
                int rc = which == 0 ? tenon_signature_parse_info(copy, len, NULL, &sig)
                                    : tenon_public_key_parse_info(copy, len, NULL, &key);
                assert_true(rc == 0 || rc == (which == 0 ? TENON_ESIGNATURE : TENON_ECONFIG));
                free(copy);
            }
        }
    }
    free(sig_text);
    free(pub_text);
}

/* ---- Policy inheritance ------------------------------------------------------ */

/* What validate.c's child registry needs to apply the host's policy. */
static void test_trust_copy(void **state)
{
    fixture *f = *state;
    tenon_public_key_info pk = {.struct_size = sizeof(pk)};
    keygen(f->key_base, &pk);
    tenon_registry *src = registry(f);
    expect_ok(tenon_registry_trust_key_file(src, f->pub));
    tenon_registry_require_signed(src, true);
    expect_ok(tenon_registry_pin_sha256(
        src, "good_basic", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
    tenon_registry *dst = registry(f);
    tenon__trust copy;
    tenon__lock(src);
    expect_ok(tenon__trust_snapshot(src, &copy));
    tenon__unlock(src);
    tenon__trust_adopt(dst, &copy);
    assert_null(copy.keys);
    assert_null(copy.pins);
    assert_true(dst->trust.require_signed);
    assert_int_equal(dst->trust.n_keys, 1);
    assert_int_equal(dst->trust.n_pins, 1);
    expect_error(load_basic(dst, NULL), TENON_EHASH, "good_basic", NULL);
    tenon_registry_free(src);
    tenon_registry_free(dst);
}

static void test_validate_applies_policy(void **state)
{
    fixture *f = *state;
    tenon_public_key_info pk = {.struct_size = sizeof(pk)};
    keygen(f->key_base, &pk);
    tenon_registry *reg = registry(f);
    expect_ok(tenon_registry_trust_key_file(reg, f->pub));
    tenon_registry_require_signed(reg, true);
    expect_error(tenon_plugin_validate(tenon_registry_find(reg, "good_basic"), 10000),
                 TENON_ESIGNATURE, "good_basic", "not signed", NULL);
    tenon_registry_free(reg);
    expect_ok(tenon_signature_sign_file_info(f->plugin, f->key, NULL, NULL));
    reg = registry(f);
    expect_ok(tenon_registry_trust_key_file(reg, f->pub));
    tenon_registry_require_signed(reg, true);
    expect_ok(tenon_plugin_validate(tenon_registry_find(reg, "good_basic"), 10000));
    tenon_registry_free(reg);
}

/* ---- Running out of memory ---------------------------------------------------- */

struct oom_run {
    fixture *f;
    const char *pub_text, *sha, *other_sig, *keys_dir;
    const char *step; /* where the last run stopped */
};

/* Every trust call, on a registry made with nothing failing: each ends in
 * TENON_ENOMEM (or succeeds, when the failure was absorbed), and a failed
 * keys folder leaves the registry's keys as they were. */
static int oom_run(void *arg)
{
    struct oom_run *o = arg;
    alloc_fail_pause();
    tenon_registry *reg = registry(o->f);
    tenon_plugin *p = tenon_registry_find(reg, "good_basic");
    assert_non_null(p);
    alloc_fail_resume();

    int rc = 0;
    o->step = NULL;
#define STEP(name, call) \
    if (rc >= 0) {       \
        o->step = name;  \
        rc = (call);     \
    }
    STEP("trust_keys_dir", tenon_registry_trust_keys_dir(reg, o->keys_dir));
    if (rc < 0)
        assert_int_equal(reg->trust.n_keys, 0);
    STEP("trust_key", tenon_registry_trust_key(reg, o->pub_text));
    STEP("trust_key_file", tenon_registry_trust_key_file(reg, o->f->pub));
    STEP("pin", tenon_registry_pin_sha256(reg, "good_basic", o->sha));
    tenon_registry_require_signed(reg, true);
    tenon_integrity_info info = {.struct_size = sizeof(info)};
    STEP("integrity", tenon_plugin_integrity_info(p, &info));
    const char *texts[] = {o->pub_text};
    STEP("verify_file", tenon_signature_verify_file(o->f->plugin, NULL, texts, 1));
    STEP("sign_file",
         tenon_signature_sign_file_info(o->f->plugin, o->f->key, o->other_sig, NULL));
#undef STEP
    if (rc < 0 && (rc != TENON_ENOMEM || !alloc_fail.failures))
        fail_msg("allocation %lu failed; %s ended with %s instead of TENON_ENOMEM: %s",
                 alloc_fail.fail_at, o->step, tenon_err_name(rc), tenon_last_error()->message);
    tenon_registry_free(reg);
    return 0;
}

/* Every trust call with the Nth allocation failing, for N = 1, 2, ...
 * until a run meets no failure (tests/common/alloc_fail.h): each must end
 * in TENON_ENOMEM and leak nothing. */
static void test_out_of_memory(void **state)
{
    fixture *f = *state;
    tenon_public_key_info pk = {.struct_size = sizeof(pk)};
    keygen(f->key_base, &pk);
    expect_ok(tenon_signature_sign_file_info(f->plugin, f->key, NULL, NULL));
    char *pub_text = file_text(f->pub);
    char sha[65];
    sha256_hex(f->plugin, sha);
    char keys_dir[4096], other_sig[4096];
    snprintf(keys_dir, sizeof(keys_dir), "%s/keys", f->dir);
    snprintf(other_sig, sizeof(other_sig), "%s/other.sig", f->dir);
    struct oom_run o = {f, pub_text, sha, other_sig, keys_dir, NULL};

    tenon_set_allocator(alloc_fail_malloc, alloc_fail_realloc, alloc_fail_free);
    struct alloc_fail_result r;
    if (alloc_fail_sweep(oom_run, &o, &r) != 0)
        fail_msg("%s (in %s)", alloc_fail.error, o.step ? o.step : "?");
    tenon_set_allocator(NULL, NULL, NULL);
    /* The calls above allocate dozens of times: make sure the sweep went
     * through them. */
    assert_true(r.failed_runs + 1 > 20);
    free(pub_text);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sign_and_load, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tampered_plugin_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_untrusted_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unsigned, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_policy_ignores_signatures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keygen_never_overwrites, setup, teardown),
        cmocka_unit_test_setup_teardown(test_secret_key_permissions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_public_key_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys_dir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signature_file_safety, setup, teardown),
        cmocka_unit_test_setup_teardown(test_swap_between_check_and_load, setup, teardown),
        cmocka_unit_test(test_signature_format),
        cmocka_unit_test(test_public_key_format),
        cmocka_unit_test_setup_teardown(test_secret_key_format, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parsers_on_damaged_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trust_copy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_out_of_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validate_applies_policy, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
