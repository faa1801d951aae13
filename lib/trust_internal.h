/* Declarations shared by trust.c, signature.c and signature_format.c:
 * the key and signature file formats, reading those files safely, and the
 * one streaming pass that hashes and signature-checks a file. Kept apart
 * from internal.h so that only these sources see libsodium. */
#ifndef TENON_TRUST_INTERNAL_H
#define TENON_TRUST_INTERNAL_H

#include "internal.h"

#include <sodium.h>

#define TENON__PUBLIC_KEY_HEADER "tenon-public-key-v1"
#define TENON__SECRET_KEY_HEADER "tenon-secret-key-v1"
#define TENON__SIGNATURE_HEADER "tenon-signature-v1"

/* Fed to Ed25519ph before the file's bytes (with its NUL), so a signature
 * made by a tenon key over a plugin can never be mistaken for one over
 * anything else the key might sign. */
#define TENON__SIGNATURE_DOMAIN TENON__SIGNATURE_HEADER

typedef struct tenon__secret_key {
    char key_id[TENON_KEY_ID_SIZE];
    unsigned char ed25519[crypto_sign_SECRETKEYBYTES]; /* seed, then public key */
    char comment[TENON_KEY_COMMENT_SIZE];
} tenon__secret_key;

/* sodium_init() once per process. Returns 0 or TENON_ESYSTEM. */
TENON__HIDDEN int tenon__sodium_ready(void);

/* The key id of a public key: first 8 bytes of its SHA-256, lowercase hex. */
TENON__HIDDEN void tenon__key_id(const unsigned char pk[crypto_sign_PUBLICKEYBYTES],
                                 char out[TENON_KEY_ID_SIZE]);

/* Parses a secret key file's text. Errors: TENON_ECONFIG at line N. */
TENON__HIDDEN int tenon__secret_key_parse(const char *text, size_t len, const char *source,
                                          tenon__secret_key *out);

/* The file texts, NUL-terminated, in buffers of TENON_TRUST_FILE_MAX. */
TENON__HIDDEN void tenon__public_key_format(const tenon_public_key *key, char *buf,
                                            size_t size);
TENON__HIDDEN void tenon__secret_key_format(const tenon__secret_key *key, char *buf,
                                            size_t size);
TENON__HIDDEN void tenon__signature_format(const tenon_signature *sig, char *buf, size_t size);

/* Lowercase hex of n bytes into out (2n+1 bytes). */
TENON__HIDDEN void tenon__hex(const unsigned char *bin, size_t n, char *out);

/* How a key or signature file must be protected. */
typedef enum tenon__file_kind {
    TENON__FILE_ANY,    /* regular, not a symbolic link; any owner */
    TENON__FILE_PUBLIC, /* + the plugin policy: file and folders owned by root
                           or the user, not writable by group or others */
    TENON__FILE_SECRET, /* + owned by the user or root, no group or other bits */
} tenon__file_kind;

/* Reads a small file opened without following a final symbolic link,
 * checked through the open descriptor: at most TENON_TRUST_FILE_MAX + 1
 * bytes, so that the parsers see and refuse a file that is too big.
 * what names the file in messages ("signature file"). *text is allocated
 * and NUL-terminated. A missing file is TENON_ENOTFOUND with errno ENOENT
 * in the error's sys_errno, so callers can tell "absent" from "bad". */
TENON__HIDDEN int tenon__trust_file_read(const char *path, tenon__file_kind kind,
                                         const char *what, char **text, size_t *len);

/* Reads the size bytes of the file open as fd from offset 0 with pread
 * (the descriptor's offset is left alone), hashing them with SHA-256 and,
 * when sig is not NULL, checking sig against each of the n_keys keys. The
 * file must still be exactly size bytes long at the end (it changed
 * otherwise). *verified is the index of the key that verified, or -1.
 * path names the file in errors. Errors: TENON_EIO, TENON_ENOMEM. */
TENON__HIDDEN int tenon__digest_fd(int fd, off_t size, const char *path,
                                   unsigned char sha256[crypto_hash_sha256_BYTES],
                                   const tenon_signature *sig, const tenon_public_key *keys,
                                   size_t n_keys, int *verified);

#endif
