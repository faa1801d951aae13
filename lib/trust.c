/* A registry's integrity policy (pins, trusted keys, require_signed) and
 * the check that applies it to a plugin file at load.
 *
 * The check reads the plugin through the descriptor the loader opened and
 * will hand to the dynamic loader, from offset 0 with pread, so the bytes
 * hashed and signature-checked are the bytes of the inode that is mapped:
 * renaming another file over the path in between changes nothing. The
 * policy is copied out under the registry lock and the file is read
 * without it, so a slow disk never blocks other threads' lookups. */
#include "trust_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void tenon__trust_free(tenon__trust *t)
{
    for (size_t i = 0; i < t->n_pins; i++)
        tenon__free(t->pins[i].plugin);
    tenon__free(t->pins);
    tenon__free(t->keys);
    memset(t, 0, sizeof(*t));
}

static int add_keys_locked(tenon_registry *reg, const tenon_public_key *keys, size_t n)
{
    tenon__trust *t = &reg->trust;
    if (n && tenon__grow((void **)&t->keys, &t->cap_keys, t->n_keys + n, sizeof(*keys)) < 0)
        return tenon__nomem(TENON_STAGE_CONFIG, NULL);
    for (size_t i = 0; i < n; i++) {
        bool dup = false;
        for (size_t k = 0; k < t->n_keys && !dup; k++)
            dup = memcmp(t->keys[k].ed25519, keys[i].ed25519, sizeof(keys[i].ed25519)) == 0;
        if (!dup)
            t->keys[t->n_keys++] = keys[i];
    }
    return 0;
}

static int add_pin_locked(tenon__trust *t, const char *plugin, const unsigned char *sha)
{
    char *name = tenon__strdup(plugin);
    if (!name ||
        tenon__grow((void **)&t->pins, &t->cap_pins, t->n_pins + 1, sizeof(*t->pins)) < 0) {
        tenon__free(name);
        return tenon__nomem(TENON_STAGE_CONFIG, plugin);
    }
    t->pins[t->n_pins].plugin = name;
    memcpy(t->pins[t->n_pins].sha256, sha, sizeof(t->pins[t->n_pins].sha256));
    t->n_pins++;
    return 0;
}

int tenon__trust_snapshot(tenon_registry *reg, tenon__trust *out)
{
    const tenon__trust *t = &reg->trust;
    memset(out, 0, sizeof(*out));
    out->require_signed = t->require_signed;
    int rc = 0;
    if (t->n_keys) {
        out->keys = tenon__malloc(t->n_keys * sizeof(*t->keys));
        if (!out->keys)
            rc = tenon__nomem(TENON_STAGE_CHECK, NULL);
        else
            memcpy(out->keys, t->keys, t->n_keys * sizeof(*t->keys));
        out->n_keys = out->cap_keys = out->keys ? t->n_keys : 0;
    }
    for (size_t i = 0; rc == 0 && i < t->n_pins; i++)
        rc = add_pin_locked(out, t->pins[i].plugin, t->pins[i].sha256);
    if (rc < 0)
        tenon__trust_free(out);
    return rc;
}

void tenon__trust_adopt(tenon_registry *reg, tenon__trust *t)
{
    tenon__lock(reg);
    tenon__trust_free(&reg->trust);
    reg->trust = *t;
    tenon__unlock(reg);
    memset(t, 0, sizeof(*t));
}

/* ---- Configuring ------------------------------------------------------------- */

int tenon_registry_pin_sha256(tenon_registry *reg, const char *plugin, const char *hex)
{
    TENON__CHECK_ARG(reg, TENON_STAGE_VERIFY, "reg is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(plugin, TENON_STAGE_VERIFY, "plugin is NULL", TENON_EINVAL);
    int rc = tenon__name_check(plugin, TENON_STAGE_CONFIG, NULL);
    if (rc < 0)
        return rc;
    unsigned char sha[crypto_hash_sha256_BYTES];
    if (hex) {
        size_t got = 0;
        const char *end = NULL;
        size_t len = strlen(hex);
        if (len != 2 * sizeof(sha) ||
            sodium_hex2bin(sha, sizeof(sha), hex, len, NULL, &got, &end) != 0 ||
            end != hex + len || got != sizeof(sha))
            return tenon__fail(TENON_EINVAL, TENON_STAGE_CONFIG, plugin, NULL,
                               "give the 64 hex digits that sha256sum prints for the file",
                               "the pinned SHA-256 of plugin %s is not 64 hex digits: "
                               "\"%.80s\"",
                               plugin, hex);
    }
    tenon__lock(reg);
    tenon__trust *t = &reg->trust;
    for (size_t i = 0; i < t->n_pins; i++) {
        if (strcmp(t->pins[i].plugin, plugin) != 0)
            continue;
        if (hex) {
            memcpy(t->pins[i].sha256, sha, sizeof(sha));
        } else {
            tenon__free(t->pins[i].plugin);
            t->pins[i] = t->pins[--t->n_pins];
        }
        tenon__unlock(reg);
        return 0;
    }
    if (hex)
        rc = add_pin_locked(t, plugin, sha);
    tenon__unlock(reg);
    return rc;
}

int tenon_registry_trust_key(tenon_registry *reg, const char *public_key)
{
    TENON__CHECK_ARG(reg, TENON_STAGE_VERIFY, "reg is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(public_key, TENON_STAGE_VERIFY, "public_key is NULL", TENON_EINVAL);
    tenon_public_key key;
    int rc = tenon_public_key_parse(public_key, strlen(public_key), "trusted key", &key);
    if (rc < 0)
        return rc;
    tenon__lock(reg);
    rc = add_keys_locked(reg, &key, 1);
    tenon__unlock(reg);
    return rc;
}

int tenon_registry_trust_key_file(tenon_registry *reg, const char *path)
{
    TENON__CHECK_ARG(reg, TENON_STAGE_VERIFY, "reg is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(path, TENON_STAGE_VERIFY, "path is NULL", TENON_EINVAL);
    char *canonical;
    int rc = tenon__path_canonical(path, TENON_STAGE_CONFIG, &canonical);
    if (rc < 0)
        return rc;
    tenon_public_key key;
    rc = tenon_public_key_read(canonical, &key);
    tenon__free(canonical);
    if (rc < 0)
        return rc;
    tenon__lock(reg);
    rc = add_keys_locked(reg, &key, 1);
    tenon__unlock(reg);
    return rc;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int tenon_registry_trust_keys_dir(tenon_registry *reg, const char *dir)
{
    TENON__CHECK_ARG(reg, TENON_STAGE_VERIFY, "reg is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(dir, TENON_STAGE_VERIFY, "dir is NULL", TENON_EINVAL);
    char *canonical;
    int rc = tenon__path_canonical(dir, TENON_STAGE_CONFIG, &canonical);
    if (rc < 0)
        return rc;
    char **names = NULL;
    size_t n_names = 0, cap_names = 0;
    tenon_public_key *keys = NULL;
    DIR *d = NULL;

    /* The folder itself and every folder above it: whoever can add a file
     * here can make the host trust their key. */
    char *probe = tenon__asprintf("%s/.", canonical);
    if (!probe) {
        rc = tenon__nomem(TENON_STAGE_CONFIG, NULL);
        goto out;
    }
    rc = tenon__dirs_policy(probe);
    tenon__free(probe);
    if (rc < 0) {
        tenon_error *e = tenon__error_tls();
        char msg[TENON_ERROR_TEXT_MAX];
        tenon__strlcpy(msg, e->message, sizeof(msg));
        rc = tenon__fail(rc, TENON_STAGE_CONFIG, NULL, canonical, e->hint,
                         "keys folder %s is unsafe: %s", canonical, msg);
        goto out;
    }
    d = opendir(canonical);
    if (!d) {
        rc = tenon__fail(errno == ENOENT ? TENON_ENOTFOUND : TENON_EIO, TENON_STAGE_CONFIG,
                         NULL, canonical, NULL, "cannot read keys folder %s: %s", canonical,
                         strerror(errno));
        goto out;
    }
    for (struct dirent *de; (de = readdir(d));) {
        size_t len = strlen(de->d_name);
        if (de->d_name[0] == '.' || len <= 4 || strcmp(de->d_name + len - 4, ".pub") != 0)
            continue;
        char *name = tenon__strdup(de->d_name);
        if (!name ||
            tenon__grow((void **)&names, &cap_names, n_names + 1, sizeof(*names)) < 0) {
            tenon__free(name);
            rc = tenon__nomem(TENON_STAGE_CONFIG, NULL);
            goto out;
        }
        names[n_names++] = name;
    }
    /* Sorted, so that the file an error names does not depend on the
     * order of directory entries. */
    if (n_names)
        qsort(names, n_names, sizeof(*names), compare_names);
    keys = n_names ? tenon__calloc(n_names, sizeof(*keys)) : NULL;
    if (n_names && !keys) {
        rc = tenon__nomem(TENON_STAGE_CONFIG, NULL);
        goto out;
    }
    for (size_t i = 0; i < n_names; i++) {
        char *path = tenon__asprintf("%s/%s", canonical, names[i]);
        if (!path) {
            rc = tenon__nomem(TENON_STAGE_CONFIG, NULL);
            goto out;
        }
        rc = tenon_public_key_read(path, &keys[i]);
        tenon__free(path);
        if (rc < 0)
            goto out;
    }
    tenon__lock(reg);
    rc = add_keys_locked(reg, keys, n_names);
    tenon__unlock(reg);
    if (rc == 0)
        rc = (int)n_names;
out:
    if (d)
        closedir(d);
    for (size_t i = 0; i < n_names; i++)
        tenon__free(names[i]);
    tenon__free(names);
    tenon__free(keys);
    tenon__free(canonical);
    return rc;
}

void tenon_registry_require_signed(tenon_registry *reg, bool require)
{
    TENON__CHECK_ARG(reg, TENON_STAGE_VERIFY, "reg is NULL", );
    tenon__lock(reg);
    reg->trust.require_signed = require;
    tenon__unlock(reg);
}

const char *tenon_sig_state_name(tenon_sig_state state)
{
    switch (state) {
    case TENON_SIG_NOT_CHECKED:
        return "not checked";
    case TENON_SIG_NONE:
        return "unsigned";
    case TENON_SIG_TRUSTED:
        return "trusted";
    case TENON_SIG_UNTRUSTED:
        return "untrusted key";
    case TENON_SIG_BAD:
        return "bad";
    case TENON_SIG_MALFORMED:
        return "malformed";
    }
    return "unknown";
}

/* ---- The check --------------------------------------------------------------- */

/* What a check needs of the policy, copied out under the lock. */
typedef struct policy {
    bool pinned;
    unsigned char pin[crypto_hash_sha256_BYTES];
    bool require;
    tenon_public_key *keys;
    size_t n_keys;
} policy;

static int policy_take(tenon_plugin *p, policy *pol)
{
    tenon_registry *reg = p->reg;
    memset(pol, 0, sizeof(*pol));
    int rc = 0;
    tenon__lock(reg);
    const tenon__trust *t = &reg->trust;
    pol->require = t->require_signed;
    for (size_t i = 0; i < t->n_pins && !pol->pinned; i++) {
        if (strcmp(t->pins[i].plugin, p->desc->name) == 0) {
            pol->pinned = true;
            memcpy(pol->pin, t->pins[i].sha256, sizeof(pol->pin));
        }
    }
    if (t->n_keys) {
        pol->keys = tenon__malloc(t->n_keys * sizeof(*pol->keys));
        if (pol->keys) {
            memcpy(pol->keys, t->keys, t->n_keys * sizeof(*pol->keys));
            pol->n_keys = t->n_keys;
        } else {
            rc = tenon__nomem(TENON_STAGE_VERIFY, p->display_name);
        }
    }
    tenon__unlock(reg);
    return rc;
}

/* Re-raises the thread's error (about the signature file) as a refusal of
 * the plugin: TENON_ESIGNATURE, the plugin named, the original reason. */
static int refuse_signature_file(tenon_plugin *p, const char *sig_path)
{
    tenon_error *e = tenon__error_tls();
    char msg[TENON_ERROR_TEXT_MAX], hint[TENON_ERROR_TEXT_MAX];
    tenon__strlcpy(msg, e->message, sizeof(msg));
    tenon__strlcpy(hint, e->hint, sizeof(hint));
    if (strstr(msg, sig_path))
        return tenon__fail(TENON_ESIGNATURE, TENON_STAGE_VERIFY, p->display_name, sig_path,
                           hint, "plugin %s is refused: %s", p->display_name, msg);
    return tenon__fail(TENON_ESIGNATURE, TENON_STAGE_VERIFY, p->display_name, sig_path, hint,
                       "plugin %s is refused: signature file %s: %s", p->display_name, sig_path,
                       msg);
}

static int check_file(tenon_plugin *p, int fd, const struct stat *st, bool always,
                      tenon_integrity *info)
{
    tenon_registry *reg = p->reg;
    memset(info, 0, sizeof(*info));
    policy pol;
    int rc = policy_take(p, &pol);
    if (rc < 0)
        return rc;
    bool sig_active = pol.require || pol.n_keys;
    info->pinned = pol.pinned;
    if (pol.pinned)
        tenon__hex(pol.pin, sizeof(pol.pin), info->pinned_sha256);
    if (!always && !pol.pinned && !sig_active) {
        /* Nothing configured: no hashing cost for hosts that do not ask. */
        tenon__free(pol.keys);
        return 0;
    }

    char *sig_path = tenon__asprintf("%s.sig", p->path);
    if (!sig_path) {
        tenon__free(pol.keys);
        return tenon__nomem(TENON_STAGE_VERIFY, p->display_name);
    }
    tenon_error *sig_error = NULL; /* why the signature file is unusable */
    tenon_signature sig;
    bool have_sig = false;
    char *text = NULL;
    size_t len;
    info->signature = TENON_SIG_NOT_CHECKED;
    if (sig_active || always) {
        tenon__file_kind kind = (reg->flags & TENON_REGISTRY_ALLOW_UNSAFE_FILES)
                                    ? TENON__FILE_ANY
                                    : TENON__FILE_PUBLIC;
        rc = tenon__trust_file_read(sig_path, kind, "signature file", &text, &len);
        if (rc == TENON_ENOTFOUND && tenon__error_tls()->sys_errno == ENOENT) {
            info->signature = TENON_SIG_NONE;
            rc = 0;
        } else if (rc == 0 && (rc = tenon_signature_parse(text, len, sig_path, &sig)) == 0) {
            have_sig = true;
            memcpy(info->key_id, sig.key_id, sizeof(info->key_id));
        }
        tenon__free(text);
        if (rc == TENON_ENOMEM)
            goto out;
        if (rc < 0) {
            info->signature = TENON_SIG_MALFORMED;
            if (!(sig_error = tenon__error_dup_last())) {
                rc = tenon__nomem(TENON_STAGE_VERIFY, p->display_name);
                goto out;
            }
            rc = 0;
        }
    }

    unsigned char sha[crypto_hash_sha256_BYTES];
    int verified = -1;
    if ((rc = tenon__digest_fd(fd, st->st_size, p->path, sha, have_sig ? &sig : NULL, pol.keys,
                               pol.n_keys, &verified)) < 0) {
        tenon__strlcpy(tenon__error_tls()->plugin, p->display_name, TENON_ERROR_NAME_MAX);
        goto out;
    }
    info->hashed = true;
    tenon__hex(sha, sizeof(sha), info->sha256);
    if (have_sig) {
        bool known = false;
        for (size_t i = 0; i < pol.n_keys && !known; i++)
            known = strcmp(pol.keys[i].key_id, sig.key_id) == 0;
        info->signature = verified >= 0 ? TENON_SIG_TRUSTED
                          : known       ? TENON_SIG_BAD
                                        : TENON_SIG_UNTRUSTED;
    }

    if (pol.pinned && sodium_memcmp(sha, pol.pin, sizeof(sha)) != 0) {
        rc =
            tenon__fail(TENON_EHASH, TENON_STAGE_VERIFY, p->display_name, p->path,
                        "if this file is the build you mean to run, pin its new hash; "
                        "otherwise it was replaced or tampered with: reinstall it",
                        "%s does not match the hash pinned for plugin %s: expected SHA-256 %s, "
                        "the file has %s",
                        p->path, p->display_name, info->pinned_sha256, info->sha256);
        goto out;
    }
    if (!sig_active)
        goto out;
    switch (info->signature) {
    case TENON_SIG_MALFORMED:
        tenon__error_restore(sig_error);
        rc = refuse_signature_file(p, sig_path);
        break;
    case TENON_SIG_NONE:
        if (pol.require)
            rc = tenon__fail(TENON_ESIGNATURE, TENON_STAGE_VERIFY, p->display_name, p->path,
                             "sign it (tenon sign --key KEY.key PLUGIN) with a trusted key, "
                             "or do not require signatures",
                             "plugin %s is not signed (no signature file %s) and this host "
                             "requires signed plugins",
                             p->display_name, sig_path);
        break;
    case TENON_SIG_UNTRUSTED:
        if (pol.require)
            rc = tenon__fail(TENON_ESIGNATURE, TENON_STAGE_VERIFY, p->display_name, sig_path,
                             "if you trust the key's owner, add its .pub file to the trusted "
                             "keys; otherwise get the plugin from a trusted signer",
                             "plugin %s is signed by key %s, which is not a trusted key",
                             p->display_name, sig.key_id);
        else
            tenon__log(reg, TENON_LOG_WARN, p->display_name,
                       "%s is signed by key %s, which is not trusted; it loads as an unsigned "
                       "plugin would",
                       p->path, sig.key_id);
        break;
    case TENON_SIG_BAD: {
        char claimed[65];
        tenon__hex(sig.signed_sha256, sizeof(sig.signed_sha256), claimed);
        if (sig.has_signed_sha256 && strcmp(claimed, info->sha256) != 0)
            rc = tenon__fail(TENON_ESIGNATURE, TENON_STAGE_VERIFY, p->display_name, p->path,
                             "the plugin was changed after it was signed: reinstall it from "
                             "its source, or have it signed again",
                             "the signature by trusted key %s does not match %s: the file's "
                             "SHA-256 is %s but it was signed as %s",
                             sig.key_id, p->path, info->sha256, claimed);
        else
            rc = tenon__fail(TENON_ESIGNATURE, TENON_STAGE_VERIFY, p->display_name, p->path,
                             "the signature file was damaged or made for other content: "
                             "have the plugin signed again",
                             "the signature by trusted key %s does not match %s (SHA-256 %s)",
                             sig.key_id, p->path, info->sha256);
        break;
    }
    case TENON_SIG_NOT_CHECKED:
    case TENON_SIG_TRUSTED:
        break;
    }
out:
    tenon__free(sig_error);
    tenon__free(sig_path);
    tenon__free(pol.keys);
    return rc;
}

int tenon__integrity_check(tenon_plugin *p, int fd, const struct stat *st)
{
    if (!p->path)
        return 0;
    tenon_integrity info;
    return check_file(p, fd, st, false, &info);
}

int tenon_plugin_integrity(tenon_plugin *p, tenon_integrity *out)
{
    tenon_integrity local;
    if (!out)
        out = &local;
    memset(out, 0, sizeof(*out));
    TENON__CHECK_ARG(p, TENON_STAGE_VERIFY, "p is NULL", TENON_EINVAL);
    if (!p->path)
        return 0;
    if (!p->desc)
        return tenon__plugin_unusable_error(p, TENON_STAGE_VERIFY);
    int fd;
    struct stat st;
    int rc = tenon__open_plugin_file(p->path, &fd, &st);
    if (rc < 0)
        return rc;
    rc = check_file(p, fd, &st, true, out);
    close(fd);
    return rc;
}
