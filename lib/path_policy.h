/* The owner and mode rule for every file whose contents decide what runs
 * in the host: plugins, the configuration, the registry cache and secret
 * keys. One rule, its messages worded for the kind of file. */
#ifndef TENON_PATH_POLICY_H
#define TENON_PATH_POLICY_H

#include "internal.h"

#include <sys/stat.h>

typedef enum tenon__trusted_kind {
    TENON__TRUSTED_PLUGIN, /* stage VERIFY */
    TENON__TRUSTED_CONFIG, /* stage CONFIG */
    TENON__TRUSTED_CACHE,  /* stage CACHE */
    TENON__TRUSTED_KEY,    /* a secret key, stage VERIFY: not even readable by others */
} tenon__trusted_kind;

/* Checks that st (of the file at path) is owned by root or euid and not
 * writable by group or others (for a key: no group or other bits at all).
 * Does not look at the file's type. Errors: TENON_EUNSAFE. */
TENON__HIDDEN int tenon__trusted_file_policy(const struct stat *st, const char *path,
                                             tenon__trusted_kind kind, uid_t euid);
/* Checks folder dir from its stat: owned by root or the effective user,
 * and not writable by group or others unless sticky. path is the file the
 * error is about. Errors: TENON_EUNSAFE. */
TENON__HIDDEN int tenon__trusted_dir_policy(const struct stat *st, const char *dir,
                                            const char *path, tenon__trusted_kind kind);
/* The same check of every folder from resolved's parent up to "/"; path
 * (resolved, or the name the user gave for it) names the file in errors.
 * Errors: TENON_EUNSAFE, TENON_EIO. */
TENON__HIDDEN int tenon__trusted_dirs_policy(const char *resolved, const char *path,
                                             tenon__trusted_kind kind);

#endif
