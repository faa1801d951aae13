/* Integrity of plugin files: SHA-256 pins and detached Ed25519 signatures.
 *
 * A host pins a plugin's exact content (tenon_registry_pin_sha256), or
 * trusts the keys of whoever builds its plugins (tenon_registry_trust_key,
 * tenon_registry_trust_keys_dir) and may then require every plugin file to
 * be signed by one of them (tenon_registry_require_signed). Both are checked
 * when a plugin is loaded, by reading the very file descriptor that is then
 * handed to the dynamic loader, so the file cannot be swapped in between.
 * Static plugins are part of the host and are not checked.
 *
 * The files, all line-based text ("name: value" lines after a first line
 * that names the format; blank lines and lines starting with '#' are
 * ignored; at most TENON_TRUST_FILE_MAX bytes):
 *
 *   NAME.pub   tenon-public-key-v1          NAME.key (mode 0600)
 *              key-id: <16 hex digits>                tenon-secret-key-v1
 *              ed25519: <base64, 32 bytes>            key-id: <16 hex digits>
 *              comment: <text> (optional)             ed25519-secret: <base64, 64 bytes>
 *                                                     comment: <text> (optional)
 *
 *   PLUGIN.so.sig   tenon-signature-v1
 *                   key-id: <16 hex digits>
 *                   signed-sha256: <64 hex digits> (optional, informational)
 *                   signature: <base64, 64 bytes>
 *
 * The key id is the first 8 bytes of the SHA-256 of the 32-byte public key,
 * in lowercase hex. The signature is Ed25519ph (RFC 8032, empty context) of
 * the bytes "tenon-signature-v1" and a NUL, followed by the whole file, so
 * a file of any size is signed and checked in one streaming pass. */
#ifndef TENON_TRUST_H
#define TENON_TRUST_H

#include <tenon/common.h>
#include <tenon/error.h>
#include <tenon/registry.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Largest key or signature file accepted. */
#define TENON_TRUST_FILE_MAX 4096
/* A key id: 16 lowercase hex digits and the NUL. */
#define TENON_KEY_ID_SIZE 17
#define TENON_KEY_COMMENT_SIZE 128

/* ---- Policy of a registry -------------------------------------------------- */

/* Pins the plugin named plugin (its descriptor name) to the file content
 * whose SHA-256 is hex (64 hex digits, either case). A plugin file whose
 * content differs is refused at load with TENON_EHASH; the error names the
 * file and shows both hashes. Pinning a name again replaces the pin; hex
 * NULL removes it. Static plugins are never checked against pins.
 * Errors: TENON_EINVAL (hex is not 64 hex digits), TENON_ENAME, TENON_ENOMEM. */
TENON_API int tenon_registry_pin_sha256(tenon_registry *reg, const char *plugin,
                                        const char *hex);

/* Trusts an Ed25519 public key given as text: the whole content of a .pub
 * file that `tenon keygen` writes, or the base64 key alone. Adding a key
 * twice is harmless. Errors: TENON_ECONFIG (malformed key: the message
 * says at which line and why), TENON_ENOMEM. */
TENON_API int tenon_registry_trust_key(tenon_registry *reg, const char *public_key);

/* Trusts the public key in the file at path (absolute). The file and its
 * folders must pass the owner and permission policy of plugins (always:
 * TENON_REGISTRY_ALLOW_UNSAFE_FILES does not relax it, since whoever can
 * write a trusted key can sign any code). Errors: those of
 * tenon_registry_trust_key, TENON_EPATH, TENON_ENOTFOUND, TENON_ELOOP,
 * TENON_ENOTREG, TENON_EUNSAFE, TENON_EIO. */
TENON_API int tenon_registry_trust_key_file(tenon_registry *reg, const char *path);

/* Trusts every "*.pub" in the folder dir (absolute; names starting with
 * '.' are skipped), under the same policy. All or nothing: if one file
 * fails, no key of the folder is added and the error names that file.
 * Returns the number of key files read, or a negative error. */
TENON_API int tenon_registry_trust_keys_dir(tenon_registry *reg, const char *dir);

/* require true: every plugin file must carry a valid signature by a
 * trusted key; an unsigned plugin, one signed by an untrusted key, one
 * whose signature does not match and one with a malformed signature file
 * are all refused with TENON_ESIGNATURE and the reason.
 * require false (the default): unsigned plugins, and plugins signed by
 * keys that are not trusted, load (the latter with a warning). Still, once
 * any key is trusted, a signature by a trusted key that does not match the
 * file (a tampered plugin) and an unreadable or malformed signature file
 * are refused. */
TENON_API void tenon_registry_require_signed(tenon_registry *reg, bool require);

/* ---- What a check found ---------------------------------------------------- */

typedef enum tenon_sig_state {
    TENON_SIG_NOT_CHECKED = 0, /* no trusted keys and no requirement: not looked at */
    TENON_SIG_NONE,            /* no signature file */
    TENON_SIG_TRUSTED,         /* valid signature by a trusted key */
    TENON_SIG_UNTRUSTED,       /* signature by a key that is not trusted */
    TENON_SIG_BAD,             /* signature by a trusted key that does not match */
    TENON_SIG_MALFORMED,       /* the signature file is unreadable, unsafe or malformed */
} tenon_sig_state;

/* "not checked", "unsigned", "trusted", "untrusted key", "bad", "malformed". */
TENON_API const char *tenon_sig_state_name(tenon_sig_state state);

/* What tenon_plugin_integrity_info found. The caller sets struct_size to
 * sizeof(tenon_integrity_info) (e.g. tenon_integrity_info info =
 * {sizeof info};); the library fills the members that size covers, so
 * members appended later stay out of older callers' memory. Since 1.1. */
typedef struct tenon_integrity_info {
    uint32_t struct_size;
    tenon_sig_state signature;
    bool hashed;                    /* sha256 holds the file's hash */
    char sha256[65];                /* hex, or "" */
    bool pinned;                    /* a pin exists for the plugin's name */
    char pinned_sha256[65];         /* hex, or "" */
    char key_id[TENON_KEY_ID_SIZE]; /* signer's key id, or "" */
} tenon_integrity_info;

/* Checks p's file as a load would (pin, signature, the registry's policy),
 * without loading it, and reports what it found in *out (may be NULL;
 * otherwise its struct_size must be set). The file is always hashed and
 * its signature file always read here, so out shows the hash to pin and
 * who signed it even when the policy needs neither. Returns 0 if a load
 * would pass these checks, or the error it would fail with; TENON_EINVAL
 * when out->struct_size is smaller than 1.1's tenon_integrity_info. A
 * static plugin gives 0 and nothing checked. Since 1.1. */
TENON_API int tenon_plugin_integrity_info(tenon_plugin *p, tenon_integrity_info *out);

/* ---- Keys and signatures as files ------------------------------------------ */

/* A public key. struct_size as in tenon_integrity_info: set by the caller
 * of a function that fills one, and in each element of an array given to
 * the library (which then steps through the array by struct_size). Since
 * 1.1. */
typedef struct tenon_public_key_info {
    uint32_t struct_size;
    char key_id[TENON_KEY_ID_SIZE];
    unsigned char ed25519[32];
    char comment[TENON_KEY_COMMENT_SIZE]; /* "" when none */
} tenon_public_key_info;

/* A signature file's content; struct_size set by the caller. Since 1.1. */
typedef struct tenon_signature_info {
    uint32_t struct_size;
    char key_id[TENON_KEY_ID_SIZE];
    unsigned char signature[64];
    bool has_signed_sha256;
    unsigned char signed_sha256[32]; /* what the signer saw; not trusted */
} tenon_signature_info;

/* Parses the text of a signature file (len bytes; need not be
 * NUL-terminated). source names it in errors (NULL: none). Never reads
 * outside text[0..len). Errors: TENON_ESIGNATURE, whose message says
 * "malformed signature file at line N: why"; TENON_EINVAL (out or its
 * struct_size). Since 1.1. */
TENON_API int tenon_signature_parse_info(const char *text, size_t len, const char *source,
                                         tenon_signature_info *out);

/* Parses a public key: the text of a .pub file, or the base64 key alone.
 * Errors: TENON_ECONFIG, "malformed public key at line N: why";
 * TENON_EINVAL. Since 1.1. */
TENON_API int tenon_public_key_parse_info(const char *text, size_t len, const char *source,
                                          tenon_public_key_info *out);

/* Reads and parses a .pub file under the owner and permission policy.
 * Errors: those of tenon_registry_trust_key_file. Since 1.1. */
TENON_API int tenon_public_key_read_info(const char *path, tenon_public_key_info *out);

/* Writes a new key pair: basename.pub (mode 0644) and basename.key (mode
 * 0600). Refuses to overwrite either (TENON_EEXISTS). comment (NULL: none)
 * is one line of printable ASCII, at most 127 bytes. If out is not NULL it
 * receives the public key. Errors: TENON_EEXISTS, TENON_EINVAL, TENON_EIO.
 * Since 1.1. */
TENON_API int tenon_key_generate_info(const char *basename, const char *comment,
                                      tenon_public_key_info *out);

/* Signs the file at path with the secret key in key_path and writes the
 * signature to sig_path (NULL: path + ".sig"), replacing it atomically.
 * The secret key file must be a regular file owned by the user (or root)
 * with no permissions for group or others; path must not be a symbolic
 * link. If out is not NULL it receives the signature written. Errors:
 * TENON_EUNSAFE (key permissions), TENON_ECONFIG (malformed key file),
 * TENON_ELOOP, TENON_ENOTREG, TENON_ENOTFOUND, TENON_EIO, TENON_EINVAL.
 * Since 1.1. */
TENON_API int tenon_signature_sign_file_info(const char *path, const char *key_path,
                                             const char *sig_path, tenon_signature_info *out);

/* Verifies the signature of the file at path (not followed if a symbolic
 * link) against sig_path (NULL: path + ".sig") and the public keys given as
 * text (see tenon_registry_trust_key). Only content is checked: the owner
 * and permission policy applies when plugins are loaded, not here.
 * Returns 0 if the signature is valid and made by one of the keys.
 * Errors: TENON_ESIGNATURE (no signature file; untrusted key, naming its
 * id; signature does not match the file; malformed signature file at line
 * N), TENON_ECONFIG (a malformed key), TENON_ENOTFOUND, TENON_ELOOP,
 * TENON_ENOTREG, TENON_EIO. */
TENON_API int tenon_signature_verify_file(const char *path, const char *sig_path,
                                          const char *const *keys, size_t n_keys);

/* The same with parsed keys (n_keys elements, each with its struct_size
 * set); out (may be NULL) receives the signature read, even when it does
 * not verify (if it could be parsed). Since 1.1. */
TENON_API int tenon_signature_verify_file_info(const char *path, const char *sig_path,
                                               const tenon_public_key_info *keys, size_t n_keys,
                                               tenon_signature_info *out);

/* ---- Deprecated since 1.1 ----------------------------------------------------
 * 1.0's structs, which have no size and so could never grow, and the calls
 * that take them. Each call does what its _info successor does and fills
 * the 1.0 layout. */

typedef struct tenon_integrity {
    bool hashed;
    char sha256[65];
    bool pinned;
    char pinned_sha256[65];
    tenon_sig_state signature;
    char key_id[TENON_KEY_ID_SIZE];
} tenon_integrity;

typedef struct tenon_public_key {
    char key_id[TENON_KEY_ID_SIZE];
    unsigned char ed25519[32];
    char comment[TENON_KEY_COMMENT_SIZE];
} tenon_public_key;

typedef struct tenon_signature {
    char key_id[TENON_KEY_ID_SIZE];
    unsigned char signature[64];
    bool has_signed_sha256;
    unsigned char signed_sha256[32];
} tenon_signature;

/* Deprecated since 1.1: tenon_plugin_integrity_info() with 1.0's struct. */
TENON_API int tenon_plugin_integrity(tenon_plugin *p, tenon_integrity *out)
    TENON_DEPRECATED("use tenon_plugin_integrity_info");

/* Deprecated since 1.1: tenon_signature_parse_info() with 1.0's struct. */
TENON_API int tenon_signature_parse(const char *text, size_t len, const char *source,
                                    tenon_signature *out)
    TENON_DEPRECATED("use tenon_signature_parse_info");

/* Deprecated since 1.1: tenon_public_key_parse_info() with 1.0's struct. */
TENON_API int tenon_public_key_parse(const char *text, size_t len, const char *source,
                                     tenon_public_key *out)
    TENON_DEPRECATED("use tenon_public_key_parse_info");

/* Deprecated since 1.1: tenon_public_key_read_info() with 1.0's struct. */
TENON_API int tenon_public_key_read(const char *path, tenon_public_key *out)
    TENON_DEPRECATED("use tenon_public_key_read_info");

/* Deprecated since 1.1: tenon_key_generate_info() with 1.0's struct. */
TENON_API int tenon_key_generate(const char *basename, const char *comment,
                                 tenon_public_key *out)
    TENON_DEPRECATED("use tenon_key_generate_info");

/* Deprecated since 1.1: tenon_signature_sign_file_info() with 1.0's struct. */
TENON_API int tenon_signature_sign_file(const char *path, const char *key_path,
                                        const char *sig_path, tenon_signature *out)
    TENON_DEPRECATED("use tenon_signature_sign_file_info");

/* Deprecated since 1.1: tenon_signature_verify_file_info() with 1.0's
 * structs. */
TENON_API int tenon_signature_verify_file_keys(const char *path, const char *sig_path,
                                               const tenon_public_key *keys, size_t n_keys,
                                               tenon_signature *out)
    TENON_DEPRECATED("use tenon_signature_verify_file_info");

#ifdef __cplusplus
}
#endif

#endif
