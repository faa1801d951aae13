/* Where plugin code may come from. A plugin runs with the host's
 * privileges, so its file and every folder above it must be controlled by
 * root or by the user running the host: otherwise another user could swap
 * in their own code (CVE-2009-3736, libltdl loading from the current
 * folder). Only absolute paths are accepted, canonicalized before checking,
 * and the file is opened without following a final symlink. */
#include "path_policy.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The kernel's protected_symlinks rule, applied whatever the sysctl says:
 * in a sticky world-writable folder (like /tmp), where anyone may create
 * entries, a symlink is followed only if it belongs to the follower or to
 * the folder's owner; otherwise another user could point a plugin path at
 * code of their choosing (or at an older version of a plugin). Walks path
 * component by component as the kernel resolves it. Problems other than
 * this rule are left to realpath to report. */
static int symlinks_policy(const char *path, tenon_stage stage)
{
    char done[PATH_MAX] = "";    /* resolved so far, "" for "/" */
    char todo[2 * PATH_MAX + 2]; /* still to walk */
    if (strlen(path) >= sizeof(todo))
        return 0;
    tenon__strlcpy(todo, path, sizeof(todo));
    uid_t euid = geteuid();
    int links = 0;
    char *rest = todo;
    while (*rest) {
        while (*rest == '/')
            rest++;
        if (!*rest)
            break;
        char *end = strchr(rest, '/');
        size_t len = end ? (size_t)(end - rest) : strlen(rest);
        char name[NAME_MAX + 1];
        if (len > NAME_MAX)
            return 0;
        memcpy(name, rest, len);
        name[len] = '\0';
        rest += len;
        if (strcmp(name, ".") == 0)
            continue;
        if (strcmp(name, "..") == 0) {
            char *slash = strrchr(done, '/');
            if (slash)
                *slash = '\0';
            continue;
        }
        size_t done_len = strlen(done);
        if (done_len + 1 + len >= sizeof(done))
            return 0;
        char candidate[PATH_MAX];
        snprintf(candidate, sizeof(candidate), "%s/%s", done, name);
        struct stat lst;
        if (lstat(candidate, &lst) != 0)
            return 0;
        if (!S_ISLNK(lst.st_mode)) {
            memcpy(done, candidate, strlen(candidate) + 1);
            continue;
        }
        if (++links > 40)
            return 0; /* realpath reports the loop */
        struct stat dst;
        const char *dir = done[0] ? done : "/";
        if (stat(dir, &dst) != 0)
            return 0;
        if ((dst.st_mode & S_ISVTX) && (dst.st_mode & S_IWOTH) && lst.st_uid != euid &&
            lst.st_uid != dst.st_uid)
            return tenon__fail(TENON_EUNSAFE, stage, NULL, candidate,
                               "remove the link, or have it made by the folder's owner or "
                               "by the user running the host",
                               "symbolic link %s is owned by uid %u, in sticky "
                               "world-writable folder %s owned by uid %u: it is not followed "
                               "(protected_symlinks rule: a link there is followed only if "
                               "its owner is the folder's owner or the current user, uid %u)",
                               candidate, (unsigned)lst.st_uid, dir, (unsigned)dst.st_uid,
                               (unsigned)euid);
        char target[PATH_MAX];
        ssize_t n = readlink(candidate, target, sizeof(target) - 1);
        if (n <= 0)
            return 0;
        target[n] = '\0';
        char next[sizeof(todo)];
        if ((size_t)n + 1 + strlen(rest) >= sizeof(next))
            return 0;
        snprintf(next, sizeof(next), "%s/%s", target, rest);
        memcpy(todo, next, strlen(next) + 1);
        rest = todo;
        if (target[0] == '/')
            done[0] = '\0';
    }
    return 0;
}

int tenon__path_canonical(const char *path, tenon_stage stage, char **out)
{
    *out = NULL;
    if (!path || path[0] != '/')
        return tenon__fail(TENON_EPATH, stage, NULL, path,
                           "give the absolute path (e.g. $PWD/plugin.so); relative paths "
                           "depend on the current folder and are never searched",
                           "path \"%s\" is not absolute", path ? path : "(null)");
    int rc = symlinks_policy(path, stage);
    if (rc < 0)
        return rc;
    char *resolved = realpath(path, NULL);
    if (!resolved) {
        int e = errno;
        if (e == ENOMEM)
            return tenon__nomem(stage, NULL);
        if (e == ELOOP)
            return tenon__fail(TENON_ELOOP, stage, NULL, path,
                               "fix the symbolic links along the path",
                               "too many levels of symbolic links (a symlink loop?)");
        if (e == ENOENT || e == ENOTDIR)
            return tenon__fail(TENON_ENOTFOUND, stage, NULL, path, "check the path",
                               "no such file or folder");
        return tenon__fail(TENON_EIO, stage, NULL, path, NULL, "cannot resolve the path: %s",
                           strerror(e));
    }
    /* realpath's result comes from the C library's malloc. */
    *out = tenon__strdup(resolved);
    free(resolved);
    return *out ? 0 : tenon__nomem(stage, NULL);
}

static bool trusted_owner(uid_t uid, uid_t euid)
{
    return uid == 0 || uid == euid;
}

/* How each kind of file is named in messages. */
typedef struct trusted_words {
    tenon_stage stage;
    const char *noun; /* followed by the path when names_path */
    bool names_path;
    const char *owner_hint; /* for a file with another owner */
    const char *owner_why;  /* after the owner message */
} trusted_words;

static const trusted_words *words_of(tenon__trusted_kind kind)
{
    static const trusted_words words[] = {
        [TENON__TRUSTED_PLUGIN] = {TENON_STAGE_VERIFY, "plugin file", true,
                                   "install plugins as root or as the user running the host",
                                   ""},
        [TENON__TRUSTED_CONFIG] = {TENON_STAGE_CONFIG, "configuration", true,
                                   "the file must belong to root or to the user running the "
                                   "program",
                                   "; it names the plugins that run"},
        [TENON__TRUSTED_CACHE] = {TENON_STAGE_CACHE, "the cache file", false, NULL, ""},
        [TENON__TRUSTED_KEY] = {TENON_STAGE_VERIFY, "secret key", true,
                                "sign with your own key", ""},
    };
    return &words[kind];
}

/* The mode message: who could do what with the file. */
static int mode_error(const struct stat *st, const char *path, tenon__trusted_kind kind)
{
    const trusted_words *w = words_of(kind);
    const char *who = (st->st_mode & S_IWOTH) ? "every user" : "its group";
    char fix[TENON_ERROR_TEXT_MAX];
    switch (kind) {
    case TENON__TRUSTED_PLUGIN:
        snprintf(fix, sizeof(fix), "run: chmod go-w %s", path);
        return tenon__fail(TENON_EUNSAFE, w->stage, NULL, path, fix,
                           "plugin file %s has mode %04o, writable by %s: anyone %s could "
                           "replace the plugin's code",
                           path, (unsigned)(st->st_mode & 07777), who,
                           (st->st_mode & S_IWOTH) ? "on the machine" : "in the group");
    case TENON__TRUSTED_CONFIG:
        return tenon__fail(TENON_EUNSAFE, w->stage, NULL, path, "run: chmod go-w on the file",
                           "configuration %s is writable by %s, who could make the program "
                           "load any plugin",
                           path, who);
    case TENON__TRUSTED_CACHE:
        return tenon__fail(TENON_EUNSAFE, w->stage, NULL, path, NULL,
                           "the cache file is writable by %s", who);
    case TENON__TRUSTED_KEY:
        break;
    }
    snprintf(fix, sizeof(fix),
             "run: chmod 600 %s; if others could read it, make a new key (tenon keygen) "
             "and stop trusting this one",
             path);
    return tenon__fail(TENON_EUNSAFE, w->stage, NULL, path, fix,
                       "secret key %s has mode %04o: it is %s by %s, and anyone who can "
                       "read it can sign plugins as you",
                       path, (unsigned)(st->st_mode & 07777),
                       (st->st_mode & (S_IRGRP | S_IROTH)) ? "readable" : "accessible",
                       (st->st_mode & S_IRWXO) ? "other users" : "its group");
}

int tenon__trusted_file_policy(const struct stat *st, const char *path,
                               tenon__trusted_kind kind, uid_t euid)
{
    const trusted_words *w = words_of(kind);
    if (!trusted_owner(st->st_uid, euid))
        return tenon__fail(TENON_EUNSAFE, w->stage, NULL, path, w->owner_hint,
                           "%s%s%s is owned by uid %u, neither root nor the current user "
                           "(uid %u)%s",
                           w->noun, w->names_path ? " " : "", w->names_path ? path : "",
                           (unsigned)st->st_uid, (unsigned)euid, w->owner_why);
    /* Whoever can write the file decides what runs; whoever can read a
     * secret key can sign as its owner. */
    mode_t forbidden = kind == TENON__TRUSTED_KEY ? (S_IRWXG | S_IRWXO) : (S_IWGRP | S_IWOTH);
    if (st->st_mode & forbidden)
        return mode_error(st, path, kind);
    return 0;
}

int tenon__file_policy(const struct stat *st, const char *path)
{
    return tenon__file_policy_as(st, path, geteuid());
}

int tenon__file_policy_as(const struct stat *st, const char *path, uid_t euid)
{
    if (!S_ISREG(st->st_mode))
        return tenon__fail(TENON_ENOTREG, TENON_STAGE_VERIFY, NULL, path,
                           "plugin files are regular files; remove or rename this entry",
                           "is not a regular file (it is a %s)",
                           S_ISDIR(st->st_mode)    ? "folder"
                           : S_ISFIFO(st->st_mode) ? "FIFO"
                           : S_ISSOCK(st->st_mode) ? "socket"
                           : S_ISCHR(st->st_mode)  ? "character device"
                           : S_ISBLK(st->st_mode)  ? "block device"
                                                   : "special file");
    return tenon__trusted_file_policy(st, path, TENON__TRUSTED_PLUGIN, euid);
}

int tenon__trusted_dir_policy(const struct stat *st, const char *dir, const char *path,
                              tenon__trusted_kind kind)
{
    const trusted_words *w = words_of(kind);
    uid_t euid = geteuid();
    bool owner_ok = trusted_owner(st->st_uid, euid);
    /* In a sticky folder (like /tmp) others cannot rename or remove
     * entries they do not own, and the entry's owner is checked. */
    bool mode_ok = !(st->st_mode & (S_IWGRP | S_IWOTH)) || (st->st_mode & S_ISVTX);
    if (owner_ok && mode_ok)
        return 0;
    if (kind == TENON__TRUSTED_CACHE)
        return tenon__fail(TENON_EUNSAFE, w->stage, NULL, path,
                           "keep the cache in a folder only its owner can write",
                           "the cache folder %s is %s", dir,
                           owner_ok ? "writable by others" : "owned by another user");
    bool config = kind == TENON__TRUSTED_CONFIG;
    const char *of = config ? " of configuration " : "";
    const char *file = config ? path : "";
    if (!owner_ok)
        return tenon__fail(TENON_EUNSAFE, w->stage, NULL, path,
                           config ? "keep the configuration in folders owned by root or the "
                                    "current user"
                                  : "keep plugins in folders owned by root or the current user",
                           "folder %s%s%s is owned by uid %u, neither root nor the current "
                           "user (uid %u)",
                           dir, of, file, (unsigned)st->st_uid, (unsigned)euid);
    const char *who = (st->st_mode & S_IWOTH) ? "every user" : "its group";
    return tenon__fail(TENON_EUNSAFE, w->stage, NULL, path, "run: chmod go-w on that folder",
                       config ? "folder %s of configuration %s is writable by %s, who could "
                                "replace it"
                              : "folder %s%s is writable by %s: anyone in it could replace "
                                "the plugin",
                       dir, file, who);
}

int tenon__dir_policy(const struct stat *st, const char *dir, const char *path)
{
    return tenon__trusted_dir_policy(st, dir, path, TENON__TRUSTED_PLUGIN);
}

int tenon__trusted_dirs_policy(const char *resolved, const char *path, tenon__trusted_kind kind)
{
    bool config = kind == TENON__TRUSTED_CONFIG;
    char dir[PATH_MAX];
    tenon__strlcpy(dir, resolved, sizeof(dir));
    for (;;) {
        char *slash = strrchr(dir, '/');
        if (!slash)
            return 0;
        if (slash == dir)
            slash[1] = '\0';
        else
            *slash = '\0';
        struct stat st;
        if (stat(dir, &st) != 0)
            return tenon__fail(TENON_EIO, words_of(kind)->stage, NULL, path, NULL,
                               "cannot check folder %s%s%s: %s", dir,
                               config ? " of configuration " : "", config ? path : "",
                               strerror(errno));
        int rc = tenon__trusted_dir_policy(&st, dir, path, kind);
        if (rc < 0)
            return rc;
        if (strcmp(dir, "/") == 0)
            return 0;
    }
}

int tenon__dirs_policy(const char *path)
{
    return tenon__trusted_dirs_policy(path, path, TENON__TRUSTED_PLUGIN);
}

int tenon__open_plugin_file(const char *path, int *fd_out, struct stat *st)
{
    return tenon__open_plugin_file_at(AT_FDCWD, path, path, false, fd_out, st);
}

int tenon__open_plugin_file_at(int dirfd, const char *name, const char *path,
                               bool keep_nonblock, int *fd_out, struct stat *st)
{
    *fd_out = -1;
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        int e = errno;
        if (e == ELOOP)
            return tenon__fail(TENON_ELOOP, TENON_STAGE_VERIFY, NULL, path,
                               "give the path the symlink points to",
                               "is a symbolic link (or a symlink loop)");
        if (e == ENOENT)
            return tenon__fail(TENON_ENOTFOUND, TENON_STAGE_VERIFY, NULL, path, "scan again",
                               "the file is gone");
        if (e == EISDIR)
            return tenon__fail(TENON_ENOTREG, TENON_STAGE_VERIFY, NULL, path,
                               "plugin files are regular files; remove or rename this entry",
                               "is not a regular file (it is a folder)");
        if (e == EACCES)
            return tenon__fail(TENON_EIO, TENON_STAGE_VERIFY, NULL, path,
                               "make the file readable by the user running the host",
                               "permission denied");
        return tenon__fail(TENON_EIO, TENON_STAGE_VERIFY, NULL, path, NULL, "cannot open: %s",
                           strerror(e));
    }
    if (fstat(fd, st) != 0) {
        int e = errno;
        close(fd);
        return tenon__fail(TENON_EIO, TENON_STAGE_VERIFY, NULL, path, NULL, "cannot stat: %s",
                           strerror(e));
    }
    if (!S_ISREG(st->st_mode)) {
        close(fd);
        return tenon__file_policy(st, path);
    }
    /* The file is regular: reads will not block; drop O_NONBLOCK anyway so
     * the fd behaves normally for whoever uses it next. */
    if (!keep_nonblock) {
        int flags = fcntl(fd, F_GETFL);
        if (flags >= 0)
            fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    }
    *fd_out = fd;
    return 0;
}
