/* Errors: every public function that can fail returns 0 or a negative
 * tenon error code. The code says what kind of failure it was; the detailed
 * error of the calling thread (tenon_last_error) says where and how to fix it. */
#ifndef TENON_ERROR_H
#define TENON_ERROR_H

#include <tenon/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The one list of error codes. X(NAME, description). Codes are negative and
 * stable: new ones are appended, none is ever renumbered. */
/* clang-format off */
#define TENON_ERRNO_MAP(X)                                                        \
    X(NOMEM,       "out of memory")                                               \
    X(INVAL,       "invalid argument")                                            \
    X(NOTFOUND,    "no such plugin")                                              \
    X(EXISTS,      "already exists")                                              \
    X(IO,          "input/output error")                                          \
    X(PATH,        "path is not absolute and canonical")                          \
    X(NAME,        "invalid plugin name")                                         \
    X(NOTREG,      "not a regular file")                                          \
    X(LOOP,        "too many levels of symbolic links")                           \
    X(UNSAFE,      "file or folder is writable or owned by someone untrusted")    \
    X(NOTELF,      "not an ELF file")                                             \
    X(ELFCLASS,    "ELF class does not match the host")                           \
    X(ELFMACHINE,  "ELF machine does not match the host")                         \
    X(ELFTYPE,     "ELF file is not a shared object")                             \
    X(TRUNCATED,   "file is truncated")                                           \
    X(NODESC,      "no tenon descriptor in the file")                             \
    X(BADMAGIC,    "descriptor has a bad magic number")                           \
    X(LAYOUT,      "descriptor layout version is newer than this library")        \
    X(FIELD,       "descriptor field is oversized or unterminated")               \
    X(ABIMAJOR,    "plugin ABI major version differs from the host's")            \
    X(ABIMINOR,    "plugin ABI minor version is newer than the host's")           \
    X(DLOPEN,      "the dynamic loader refused the file")                         \
    X(NOENTRY,     "plugin entry symbol is missing")                              \
    X(MISMATCH,    "plugin entry does not match its descriptor")                  \
    X(INIT,        "plugin init failed")                                          \
    X(CRASH,       "plugin crashed")                                              \
    X(TIMEOUT,     "plugin timed out")                                            \
    X(CYCLE,       "dependency cycle")                                            \
    X(MISSINGDEP,  "missing dependency")                                          \
    X(VERSION,     "version does not satisfy the required range")                 \
    X(NOIFACE,     "no such interface")                                           \
    X(OPTION,      "unknown option")                                              \
    X(OPTTYPE,     "option value has the wrong type")                             \
    X(OPTRANGE,    "option value is out of range")                                \
    X(DISABLED,    "plugin is disabled")                                          \
    X(SHADOWED,    "plugin is shadowed by another of the same name")              \
    X(OVERRIDDEN,  "plugin is overridden by another plugin")                      \
    X(BUSY,        "plugin is in use")                                            \
    X(NOTUNLOADABLE, "plugin cannot be unloaded")                                 \
    X(STATE,       "operation not valid in the current state")                    \
    X(CONFIG,      "invalid configuration")                                       \
    X(CACHE,       "invalid registry cache")                                      \
    X(HASH,        "file hash does not match the pinned hash")                    \
    X(SIGNATURE,   "signature is missing or invalid")                             \
    X(SYSTEM,      "system call failed")                                          \
    X(UNSUPPORTED, "operation not supported")                                     \
    X(BROKEN,      "plugin is broken")                                            \
    X(PERM,        "operation not permitted")
/* clang-format on */

typedef enum tenon_err {
    TENON_OK = 0,
#define TENON__ERR_ENUM(name, text) TENON__ERR_SEQ_##name,
    TENON__ERR_SEQ_FIRST_ = 0,
    TENON_ERRNO_MAP(TENON__ERR_ENUM)
#undef TENON__ERR_ENUM
        TENON__ERR_SEQ_END_
} tenon_err;

/* TENON_ENOMEM == -1, TENON_EINVAL == -2, ... in list order. */
enum {
#define TENON__ERR_VALUE(name, text) TENON_E##name = -TENON__ERR_SEQ_##name,
    TENON_ERRNO_MAP(TENON__ERR_VALUE)
#undef TENON__ERR_VALUE
};

/* The lifecycle stage an error happened in. */
#define TENON_STAGE_MAP(X) \
    X(NONE, "none")        \
    X(SCAN, "scan")        \
    X(SELECT, "select")    \
    X(VERIFY, "verify")    \
    X(RESOLVE, "resolve")  \
    X(LOAD, "load")        \
    X(INIT, "init")        \
    X(USE, "use")          \
    X(FINI, "fini")        \
    X(UNLOAD, "unload")    \
    X(CONFIG, "config")    \
    X(CACHE, "cache")      \
    X(CHECK, "check")

typedef enum tenon_stage {
#define TENON__STAGE_ENUM(name, text) TENON_STAGE_##name,
    TENON_STAGE_MAP(TENON__STAGE_ENUM)
#undef TENON__STAGE_ENUM
} tenon_stage;

#define TENON_ERROR_TEXT_MAX 512
#define TENON_ERROR_PATH_MAX 4096
#define TENON_ERROR_NAME_MAX 64

/* A detailed error. message says what is wrong and where; hint says how to
 * fix it (may be empty). Strings are always NUL-terminated (truncated if
 * needed). */
typedef struct tenon_error {
    int code; /* negative tenon error code, or 0 */
    tenon_stage stage;
    int sys_errno;                     /* errno behind the failure, or 0 */
    char plugin[TENON_ERROR_NAME_MAX]; /* plugin name, or "" */
    char path[TENON_ERROR_PATH_MAX];   /* file the error is about, or "" */
    char message[TENON_ERROR_TEXT_MAX];
    char hint[TENON_ERROR_TEXT_MAX];
} tenon_error;

/* Short description of an error code ("plugin init failed"). Unknown codes
 * give "unknown error". Returns a static string; never NULL. */
TENON_API const char *tenon_strerror(int code);

/* Symbolic name of an error code ("TENON_EINIT"), or "TENON_UNKNOWN". */
TENON_API const char *tenon_err_name(int code);

/* Name of a stage ("verify"). Returns a static string; never NULL. */
TENON_API const char *tenon_stage_name(tenon_stage stage);

/* The detailed error of the last failing tenon call in this thread. The
 * object belongs to the library and stays valid until the next tenon call
 * in the same thread fails. A thread with no failure gets a zeroed error.
 * Never NULL. */
TENON_API const tenon_error *tenon_last_error(void);

/* Formats an error as one line: "stage: plugin: message (path)" followed by
 * "; hint" when there is a hint. Writes at most size bytes including the NUL.
 * Returns the length the full text would have, like snprintf. */
TENON_API int tenon_error_format(const tenon_error *err, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif
