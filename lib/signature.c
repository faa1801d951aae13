/* Signing and checking files: reading key and signature files safely,
 * the streaming hash and Ed25519ph pass over an open descriptor, key
 * generation, and the sign and verify operations the tools use.
 *
 * Files are read through descriptors opened with O_NOFOLLOW and checked
 * with fstat on that same descriptor, so a symbolic link or a swap between
 * the check and the read cannot substitute another file. Secret key bytes
 * are wiped from memory as soon as they are not needed. */
#include "path_policy.h"
#include "trust_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;
static int sodium_status;

static void sodium_start(void)
{
    sodium_status = sodium_init();
}

int tenon__sodium_ready(void)
{
    pthread_once(&sodium_once, sodium_start);
    if (sodium_status < 0)
        return tenon__fail(TENON_ESYSTEM, TENON_STAGE_VERIFY, NULL, NULL,
                           "check that /dev/urandom or getrandom() is available",
                           "libsodium failed to initialize");
    return 0;
}

/* ---- Reading key and signature files --------------------------------------- */

static int open_error(int e, const char *path, const char *what)
{
    if (e == ENOENT)
        return tenon__fail(TENON_ENOTFOUND, TENON_STAGE_VERIFY, NULL, path, NULL, "no %s %s",
                           what, path);
    if (e == ELOOP)
        return tenon__fail(TENON_ELOOP, TENON_STAGE_VERIFY, NULL, path,
                           "give the real file, not a symbolic link to it",
                           "%s %s is a symbolic link, which is never followed", what, path);
    if (e == EISDIR)
        return tenon__fail(TENON_ENOTREG, TENON_STAGE_VERIFY, NULL, path, NULL,
                           "%s %s is a folder", what, path);
    if (e == EACCES)
        return tenon__fail(TENON_EIO, TENON_STAGE_VERIFY, NULL, path,
                           "make it readable by the user running this program",
                           "cannot read %s %s: permission denied", what, path);
    return tenon__fail(TENON_EIO, TENON_STAGE_VERIFY, NULL, path, NULL, "cannot open %s %s: %s",
                       what, path, strerror(e));
}

int tenon__trust_file_read(const char *path, tenon__file_kind kind, const char *what,
                           char **text_out, size_t *len_out)
{
    *text_out = NULL;
    *len_out = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return open_error(errno, path, what);
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0) {
        rc = tenon__fail(TENON_EIO, TENON_STAGE_VERIFY, NULL, path, NULL,
                         "cannot stat %s %s: %s", what, path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = tenon__fail(TENON_ENOTREG, TENON_STAGE_VERIFY, NULL, path,
                         "remove or rename this entry", "%s %s is not a regular file", what,
                         path);
        goto out;
    }
    if (kind == TENON__FILE_PUBLIC &&
        ((rc = tenon__file_policy(&st, path)) < 0 || (rc = tenon__dirs_policy(path)) < 0)) {
        tenon_error *e = tenon__error_tls();
        char msg[TENON_ERROR_TEXT_MAX];
        tenon__strlcpy(msg, e->message, sizeof(msg));
        /* The plugin policy's message names no file: say which one. */
        rc = tenon__fail(rc, TENON_STAGE_VERIFY, NULL, path, e->hint, "%s %s%s %s", what, path,
                         strncmp(msg, "folder ", 7) == 0 ? ":" : "", msg);
        goto out;
    }
    if (kind == TENON__FILE_SECRET &&
        (rc = tenon__trusted_file_policy(&st, path, TENON__TRUSTED_KEY, geteuid())) < 0)
        goto out;
    char *text = tenon__malloc(TENON_TRUST_FILE_MAX + 2);
    if (!text) {
        rc = tenon__nomem(TENON_STAGE_VERIFY, NULL);
        goto out;
    }
    /* Up to one byte past the limit, so the parser sees that the file is
     * too big and refuses it with the format's own error. */
    size_t len = 0;
    while (len < TENON_TRUST_FILE_MAX + 1) {
        ssize_t n = read(fd, text + len, TENON_TRUST_FILE_MAX + 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = tenon__fail(TENON_EIO, TENON_STAGE_VERIFY, NULL, path, NULL,
                             "cannot read %s %s: %s", what, path, strerror(errno));
            break;
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    if (rc < 0) {
        sodium_memzero(text, TENON_TRUST_FILE_MAX + 2);
        tenon__free(text);
        goto out;
    }
    text[len] = '\0';
    *text_out = text;
    *len_out = len;
out:
    close(fd);
    return rc;
}

/* Frees a file's text, wiping it first (it may be a secret key). */
static void text_free(char *text)
{
    if (text) {
        sodium_memzero(text, TENON_TRUST_FILE_MAX + 2);
        tenon__free(text);
    }
}

int tenon_public_key_read(const char *path, tenon_public_key *out)
{
    TENON__CHECK_ARG(path, TENON_STAGE_VERIFY, "path is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(out, TENON_STAGE_VERIFY, "out is NULL", TENON_EINVAL);
    memset(out, 0, sizeof(*out));
    char *text;
    size_t len;
    int rc = tenon__trust_file_read(path, TENON__FILE_PUBLIC, "public key", &text, &len);
    if (rc < 0)
        return rc;
    rc = tenon_public_key_parse(text, len, path, out);
    text_free(text);
    return rc;
}

/* ---- One pass over a file ---------------------------------------------------- */

#define CHUNK (64 * 1024)

int tenon__digest_fd(int fd, off_t size, const char *path,
                     unsigned char sha256[crypto_hash_sha256_BYTES], const tenon_signature *sig,
                     const tenon_public_key *keys, size_t n_keys, int *verified)
{
    *verified = -1;
    int rc = tenon__sodium_ready();
    if (rc < 0)
        return rc;
    unsigned char *buf = tenon__malloc(CHUNK);
    if (!buf)
        return tenon__nomem(TENON_STAGE_VERIFY, NULL);
    crypto_hash_sha256_state sha;
    crypto_sign_state ph;
    crypto_hash_sha256_init(&sha);
    bool want_ph = sig && n_keys;
    if (want_ph) {
        crypto_sign_init(&ph);
        crypto_sign_update(&ph, (const unsigned char *)TENON__SIGNATURE_DOMAIN,
                           sizeof(TENON__SIGNATURE_DOMAIN));
    }
    off_t off = 0;
    for (;;) {
        /* One byte more than remains, to see that the file did not grow. */
        size_t want = (size_t)(size - off < CHUNK ? size - off + 1 : CHUNK);
        ssize_t n = pread(fd, buf, want, off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = tenon__fail(TENON_EIO, TENON_STAGE_VERIFY, NULL, path, NULL,
                             "cannot read %s to check it: %s", path, strerror(errno));
            break;
        }
        if (n == 0 && off < size) {
            rc = tenon__fail(TENON_EIO, TENON_STAGE_VERIFY, NULL, path,
                             "do not change plugin files in place while hosts load them; "
                             "install new versions by renaming a new file over the old one",
                             "%s shrank while it was being checked", path);
            break;
        }
        if (off + n > size) {
            rc = tenon__fail(TENON_EIO, TENON_STAGE_VERIFY, NULL, path,
                             "do not change plugin files in place while hosts load them; "
                             "install new versions by renaming a new file over the old one",
                             "%s grew while it was being checked", path);
            break;
        }
        if (n == 0)
            break;
        crypto_hash_sha256_update(&sha, buf, (size_t)n);
        if (want_ph)
            crypto_sign_update(&ph, buf, (size_t)n);
        off += n;
    }
    tenon__free(buf);
    crypto_hash_sha256_final(&sha, sha256);
    if (rc < 0)
        return rc;
    for (size_t i = 0; want_ph && i < n_keys; i++) {
        if (strcmp(keys[i].key_id, sig->key_id) != 0)
            continue;
        /* final_verify consumes the state; each candidate gets a copy. */
        crypto_sign_state copy = ph;
        if (crypto_sign_final_verify(&copy, sig->signature, keys[i].ed25519) == 0) {
            *verified = (int)i;
            break;
        }
    }
    return 0;
}

/* ---- Key generation ---------------------------------------------------------- */

static int check_comment_arg(const char *comment)
{
    if (!comment)
        return 0;
    size_t n = strlen(comment);
    if (n >= TENON_KEY_COMMENT_SIZE)
        return tenon__fail(TENON_EINVAL, TENON_STAGE_NONE, NULL, NULL, "shorten it",
                           "the key comment is %zu bytes; at most %d fit", n,
                           TENON_KEY_COMMENT_SIZE - 1);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)comment[i] < 0x20 || (unsigned char)comment[i] > 0x7e)
            return tenon__fail(TENON_EINVAL, TENON_STAGE_NONE, NULL, NULL,
                               "use printable ASCII on one line",
                               "the key comment holds byte 0x%02x", (unsigned char)comment[i]);
    return 0;
}

static int write_all(int fd, const char *text, size_t len)
{
    while (len) {
        ssize_t n = write(fd, text, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        text += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Creates path (which must not exist) with exactly mode, holding text. */
static int create_new(const char *path, mode_t mode, const char *text, const char *what)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode & 0600);
    if (fd < 0) {
        int e = errno;
        if (e == EEXIST)
            return tenon__fail(TENON_EEXISTS, TENON_STAGE_NONE, NULL, path,
                               "choose another name, or remove the old key pair first if it "
                               "is no longer used",
                               "%s %s already exists; it is never overwritten", what, path);
        return tenon__fail(TENON_EIO, TENON_STAGE_NONE, NULL, path, NULL,
                           "cannot create %s %s: %s", what, path, strerror(e));
    }
    /* Created private, then given its final mode, so the umask cannot
     * leave a secret readable and a public key gets the documented mode. */
    int rc = 0;
    if (fchmod(fd, mode) != 0 || write_all(fd, text, strlen(text)) != 0 || fsync(fd) != 0)
        rc = tenon__fail(TENON_EIO, TENON_STAGE_NONE, NULL, path, NULL,
                         "cannot write %s %s: %s", what, path, strerror(errno));
    if (close(fd) != 0 && rc == 0)
        rc = tenon__fail(TENON_EIO, TENON_STAGE_NONE, NULL, path, NULL,
                         "cannot write %s %s: %s", what, path, strerror(errno));
    if (rc < 0)
        unlink(path);
    return rc;
}

int tenon_key_generate(const char *basename, const char *comment, tenon_public_key *out)
{
    if (out)
        memset(out, 0, sizeof(*out));
    TENON__CHECK_ARG(basename, TENON_STAGE_NONE, "basename is NULL", TENON_EINVAL);
    if (!basename[0])
        return tenon__fail(TENON_EINVAL, TENON_STAGE_NONE, NULL, NULL, NULL,
                           "no base name for the key files");
    int rc = tenon__sodium_ready();
    if (rc < 0 || (rc = check_comment_arg(comment)) < 0)
        return rc;
    char *pub_path = tenon__asprintf("%s.pub", basename);
    char *key_path = tenon__asprintf("%s.key", basename);
    char *text = tenon__malloc(TENON_TRUST_FILE_MAX);
    if (!pub_path || !key_path || !text) {
        rc = tenon__nomem(TENON_STAGE_NONE, NULL);
        goto out;
    }
    struct stat st;
    /* Both names are checked first, so a refusal leaves nothing behind. */
    if (lstat(pub_path, &st) == 0 || lstat(key_path, &st) == 0) {
        const char *which = lstat(pub_path, &st) == 0 ? pub_path : key_path;
        rc = tenon__fail(TENON_EEXISTS, TENON_STAGE_NONE, NULL, which,
                         "choose another name (--output), or remove the old key pair first "
                         "if it is no longer used",
                         "%s already exists; keys are never overwritten", which);
        goto out;
    }
    tenon__secret_key sk = {0};
    tenon_public_key pk = {0};
    crypto_sign_keypair(pk.ed25519, sk.ed25519);
    tenon__key_id(pk.ed25519, pk.key_id);
    memcpy(sk.key_id, pk.key_id, sizeof(sk.key_id));
    tenon__strlcpy(pk.comment, comment, sizeof(pk.comment));
    tenon__strlcpy(sk.comment, comment, sizeof(sk.comment));

    tenon__secret_key_format(&sk, text, TENON_TRUST_FILE_MAX);
    sodium_memzero(&sk, sizeof(sk));
    rc = create_new(key_path, 0600, text, "secret key");
    sodium_memzero(text, TENON_TRUST_FILE_MAX);
    if (rc < 0)
        goto out;
    tenon__public_key_format(&pk, text, TENON_TRUST_FILE_MAX);
    if ((rc = create_new(pub_path, 0644, text, "public key")) < 0) {
        unlink(key_path);
        goto out;
    }
    if (out)
        *out = pk;
out:
    tenon__free(pub_path);
    tenon__free(key_path);
    tenon__free(text);
    return rc;
}

/* ---- Signing ----------------------------------------------------------------- */

/* Opens the file to sign or verify: not through a final symbolic link,
 * regular, with its size. */
static int open_subject(const char *path, int *fd_out, struct stat *st)
{
    *fd_out = -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return open_error(errno, path, "file");
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        int e = errno;
        bool reg = S_ISREG(st->st_mode);
        close(fd);
        if (!reg)
            return tenon__fail(TENON_ENOTREG, TENON_STAGE_VERIFY, NULL, path, NULL,
                               "%s is not a regular file", path);
        return tenon__fail(TENON_EIO, TENON_STAGE_VERIFY, NULL, path, NULL,
                           "cannot stat %s: %s", path, strerror(e));
    }
    *fd_out = fd;
    return 0;
}

/* Writes text to path atomically: a temporary file beside it, renamed
 * over it, so a reader never sees half a signature. */
static int replace_file(const char *path, const char *text)
{
    char *tmp = tenon__asprintf("%s.tmp-XXXXXX", path);
    if (!tmp)
        return tenon__nomem(TENON_STAGE_NONE, NULL);
    int fd = mkostemp(tmp, O_CLOEXEC);
    int rc = 0;
    if (fd < 0) {
        rc = tenon__fail(TENON_EIO, TENON_STAGE_NONE, NULL, path, NULL,
                         "cannot create a file beside %s: %s", path, strerror(errno));
        tenon__free(tmp);
        return rc;
    }
    if (fchmod(fd, 0644) != 0 || write_all(fd, text, strlen(text)) != 0 || fsync(fd) != 0)
        rc = tenon__fail(TENON_EIO, TENON_STAGE_NONE, NULL, path, NULL, "cannot write %s: %s",
                         path, strerror(errno));
    if (close(fd) != 0 && rc == 0)
        rc = tenon__fail(TENON_EIO, TENON_STAGE_NONE, NULL, path, NULL, "cannot write %s: %s",
                         path, strerror(errno));
    if (rc == 0 && rename(tmp, path) != 0)
        rc = tenon__fail(TENON_EIO, TENON_STAGE_NONE, NULL, path, NULL, "cannot replace %s: %s",
                         path, strerror(errno));
    if (rc < 0)
        unlink(tmp);
    tenon__free(tmp);
    return rc;
}

int tenon_signature_sign_file(const char *path, const char *key_path, const char *sig_path,
                              tenon_signature *out)
{
    if (out)
        memset(out, 0, sizeof(*out));
    TENON__CHECK_ARG(path, TENON_STAGE_VERIFY, "path is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(key_path, TENON_STAGE_VERIFY, "key_path is NULL", TENON_EINVAL);
    int rc = tenon__sodium_ready();
    if (rc < 0)
        return rc;
    char *key_text;
    size_t key_len;
    if ((rc = tenon__trust_file_read(key_path, TENON__FILE_SECRET, "secret key", &key_text,
                                     &key_len)) < 0)
        return rc;
    tenon__secret_key sk;
    rc = tenon__secret_key_parse(key_text, key_len, key_path, &sk);
    text_free(key_text);
    if (rc < 0)
        return rc;

    char *own_sig_path = sig_path ? NULL : tenon__asprintf("%s.sig", path);
    unsigned char *buf = tenon__malloc(CHUNK);
    char *text = tenon__malloc(TENON_TRUST_FILE_MAX);
    int fd = -1;
    if ((!sig_path && !own_sig_path) || !buf || !text) {
        rc = tenon__nomem(TENON_STAGE_NONE, NULL);
        goto out;
    }
    struct stat st;
    if ((rc = open_subject(path, &fd, &st)) < 0)
        goto out;
    tenon_signature sig = {0};
    memcpy(sig.key_id, sk.key_id, sizeof(sig.key_id));
    sig.has_signed_sha256 = true;
    crypto_hash_sha256_state sha;
    crypto_sign_state ph;
    crypto_hash_sha256_init(&sha);
    crypto_sign_init(&ph);
    crypto_sign_update(&ph, (const unsigned char *)TENON__SIGNATURE_DOMAIN,
                       sizeof(TENON__SIGNATURE_DOMAIN));
    for (off_t off = 0;;) {
        ssize_t n = pread(fd, buf, CHUNK, off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = tenon__fail(TENON_EIO, TENON_STAGE_NONE, NULL, path, NULL,
                             "cannot read %s: %s", path, strerror(errno));
            goto out;
        }
        if (n == 0)
            break;
        crypto_hash_sha256_update(&sha, buf, (size_t)n);
        crypto_sign_update(&ph, buf, (size_t)n);
        off += n;
    }
    crypto_hash_sha256_final(&sha, sig.signed_sha256);
    crypto_sign_final_create(&ph, sig.signature, NULL, sk.ed25519);
    tenon__signature_format(&sig, text, TENON_TRUST_FILE_MAX);
    if ((rc = replace_file(sig_path ? sig_path : own_sig_path, text)) < 0)
        goto out;
    if (out)
        *out = sig;
out:
    sodium_memzero(&sk, sizeof(sk));
    if (fd >= 0)
        close(fd);
    tenon__free(own_sig_path);
    tenon__free(buf);
    tenon__free(text);
    return rc;
}

/* ---- Verifying --------------------------------------------------------------- */

int tenon_signature_verify_file_keys(const char *path, const char *sig_path,
                                     const tenon_public_key *keys, size_t n_keys,
                                     tenon_signature *out)
{
    if (out)
        memset(out, 0, sizeof(*out));
    TENON__CHECK_ARG(path, TENON_STAGE_VERIFY, "path is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(keys || !n_keys, TENON_STAGE_VERIFY, "keys is NULL", TENON_EINVAL);
    int rc = tenon__sodium_ready();
    if (rc < 0)
        return rc;
    char *own_sig_path = sig_path ? NULL : tenon__asprintf("%s.sig", path);
    if (!sig_path && !own_sig_path)
        return tenon__nomem(TENON_STAGE_VERIFY, NULL);
    const char *spath = sig_path ? sig_path : own_sig_path;
    int fd = -1;
    char *text = NULL;
    size_t len;
    struct stat st;
    if ((rc = open_subject(path, &fd, &st)) < 0)
        goto out;
    rc = tenon__trust_file_read(spath, TENON__FILE_ANY, "signature file", &text, &len);
    if (rc == TENON_ENOTFOUND && tenon_last_error()->sys_errno == ENOENT) {
        rc = tenon__fail(TENON_ESIGNATURE, TENON_STAGE_VERIFY, NULL, path,
                         "sign it: tenon sign --key KEY.key FILE",
                         "%s is not signed: no signature file %s", path, spath);
        goto out;
    }
    if (rc < 0)
        goto out;
    tenon_signature sig;
    if ((rc = tenon_signature_parse(text, len, spath, &sig)) < 0)
        goto out;
    if (out)
        *out = sig;
    unsigned char sha[crypto_hash_sha256_BYTES];
    int verified;
    if ((rc = tenon__digest_fd(fd, st.st_size, path, sha, &sig, keys, n_keys, &verified)) < 0)
        goto out;
    if (verified >= 0)
        goto out;
    bool known = false;
    for (size_t i = 0; i < n_keys && !known; i++)
        known = strcmp(keys[i].key_id, sig.key_id) == 0;
    if (!known) {
        rc = tenon__fail(TENON_ESIGNATURE, TENON_STAGE_VERIFY, NULL, path,
                         "if you trust its owner, add that key's .pub file to the trusted keys",
                         "%s is signed by key %s, which is not a trusted key", path,
                         sig.key_id);
        goto out;
    }
    char actual[65], claimed[65];
    tenon__hex(sha, sizeof(sha), actual);
    tenon__hex(sig.signed_sha256, sizeof(sig.signed_sha256), claimed);
    if (sig.has_signed_sha256 && strcmp(actual, claimed) != 0)
        rc = tenon__fail(TENON_ESIGNATURE, TENON_STAGE_VERIFY, NULL, path,
                         "the file was changed after it was signed: reinstall it, or sign "
                         "the new file",
                         "the signature by key %s does not match %s: the file's SHA-256 is "
                         "%s but it was signed as %s",
                         sig.key_id, path, actual, claimed);
    else
        rc = tenon__fail(TENON_ESIGNATURE, TENON_STAGE_VERIFY, NULL, path,
                         "the signature file was damaged or made for other content: sign "
                         "the file again",
                         "the signature by key %s does not match %s (SHA-256 %s)", sig.key_id,
                         path, actual);
out:
    if (fd >= 0)
        close(fd);
    text_free(text);
    tenon__free(own_sig_path);
    return rc;
}

int tenon_signature_verify_file(const char *path, const char *sig_path, const char *const *keys,
                                size_t n_keys)
{
    TENON__CHECK_ARG(path, TENON_STAGE_VERIFY, "path is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(keys || !n_keys, TENON_STAGE_VERIFY, "keys is NULL", TENON_EINVAL);
    tenon_public_key *parsed = n_keys ? tenon__calloc(n_keys, sizeof(*parsed)) : NULL;
    if (n_keys && !parsed)
        return tenon__nomem(TENON_STAGE_VERIFY, NULL);
    int rc = 0;
    for (size_t i = 0; i < n_keys && rc == 0; i++) {
        char source[32];
        snprintf(source, sizeof(source), "key %zu", i + 1);
        rc = keys[i] ? tenon_public_key_parse(keys[i], strlen(keys[i]), source, &parsed[i])
                     : TENON_EINVAL;
    }
    if (rc == 0)
        rc = tenon_signature_verify_file_keys(path, sig_path, parsed, n_keys, NULL);
    tenon__free(parsed);
    return rc;
}
