/* tenon-io job parser: errors and where they come from.
 *
 * The parser never prints and never exits: every failure comes back as a
 * struct tio_error whose text names the option, says where it was written
 * (FILE:LINE, or the command-line argument) and how to fix it. The host
 * decides how to show it. */
#ifndef TIO_JOB_ERROR_H
#define TIO_JOB_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The one list of error codes: X(NAME, description). Codes are negative and
 * stable; new ones are appended, none is ever renumbered. */
#define TIO_ERRNO_MAP(X)                                        \
    X(NOMEM, "out of memory")                                   \
    X(INVAL, "invalid argument")                                \
    X(IO, "cannot read job file")                               \
    X(SYNTAX, "job file syntax error")                          \
    X(UNKNOWN, "unknown option")                                \
    X(UNSUPPORTED, "fio feature not supported by tenon-io yet") \
    X(VALUE, "invalid option value")                            \
    X(RANGE, "option value out of range")                       \
    X(NOVALUE, "option needs a value")                          \
    X(ENV, "undefined variable in job file")                    \
    X(USAGE, "command-line usage error")                        \
    X(JOB, "inconsistent job")                                  \
    X(ENGINE, "IO engine not found or not usable")              \
    X(SYSTEM, "a file, device or system call failed")           \
    X(OUTPUT, "cannot write results")                           \
    X(VERIFY, "data read back is not what was written")

enum tio__err_seq {
    TIO__ERR_SEQ_FIRST_ = 0,
#define TIO__ERR_ENUM(name, text) TIO__ERR_SEQ_##name,
    TIO_ERRNO_MAP(TIO__ERR_ENUM)
#undef TIO__ERR_ENUM
        TIO__ERR_SEQ_END_
};

/* TIO_ENOMEM == -1, TIO_EINVAL == -2, ... in list order. */
enum {
    TIO_OK = 0,
#define TIO__ERR_VALUE(name, text) TIO_E##name = -(int)TIO__ERR_SEQ_##name,
    TIO_ERRNO_MAP(TIO__ERR_VALUE)
#undef TIO__ERR_VALUE
};

/* Room for the longest message; values quoted in messages are shortened so
 * the "where" and "how to fix" parts always fit. */
#define TIO_ERROR_TEXT_MAX 1024

struct tio_error {
    int code;                      /* TIO_OK or a negative TIO_E* code */
    char text[TIO_ERROR_TEXT_MAX]; /* "WHERE: KEY=VALUE: what is wrong (how to fix)" */
};

enum tio_origin_kind {
    TIO_ORIGIN_NONE = 0, /* built-in default */
    TIO_ORIGIN_FILE,     /* a line of a job file */
    TIO_ORIGIN_ARG,      /* a command-line argument */
};

/* Where an option or a job was written. Strings are owned by the structure
 * that holds the origin (a job, an engine option). */
struct tio_origin {
    enum tio_origin_kind kind;
    char *file;    /* FILE: the path as it was given (or the buffer's name) */
    unsigned line; /* FILE: 1-based line number */
    unsigned arg;  /* ARG: index in argv (argv[0] is the program) */
    char *argtext; /* ARG: the argument as typed, e.g. "--bs=4q" or "--bs 4q" */
};

/* Name ("ENOMEM") and description of a code; "unknown error" otherwise. */
const char *tio_err_name(int code);
const char *tio_strerror(int code);

/* "job.fio:7", "argument 3 ('--bs=4q')" or "default". Returns the length
 * snprintf would have written. */
size_t tio_origin_format(const struct tio_origin *origin, char *buf, size_t size);

void tio_error_clear(struct tio_error *err);

/* Fill err with "WHERE: KEY=VALUE: message". where and key may be NULL;
 * value NULL means the option was given without a value. Returns code, so
 * callers can write `return tio_error_set(...)`. err may be NULL. The host
 * uses this to report engine-option problems in the parser's format. */
int tio_error_set(struct tio_error *err, int code, const struct tio_origin *where,
                  const char *key, const char *value, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;
int tio_error_setv(struct tio_error *err, int code, const struct tio_origin *where,
                   const char *key, const char *value, const char *fmt, va_list ap)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 0)))
#endif
    ;

#ifdef __cplusplus
}
#endif

#endif /* TIO_JOB_ERROR_H */
