/* Definitions shared by every tenon header: the export macro and the
 * library's version. */
#ifndef TENON_COMMON_H
#define TENON_COMMON_H

#include <stddef.h>
#include <stdint.h>
#ifndef __cplusplus
#include <stdbool.h> /* bool is a keyword in C++ */
#endif

#include <tenon/version.h>

#if defined(TENON_BUILDING_LIBRARY)
#define TENON_API __attribute__((visibility("default")))
#else
#define TENON_API
#endif

#if defined(__GNUC__)
#define TENON_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
#else
#define TENON_PRINTF(fmt_index, first_arg)
#endif

/* A struct member that C code may also call by its name from before 1.0's
 * C++ support (C++ reserves the old name, e.g. requires in C++20): in C both
 * names share the member's bytes; C++ sees the new name only. */
#ifdef __cplusplus
#define TENON__C_ALIAS(member, old_member) member
#else
#define TENON__C_ALIAS(member, old_member) \
    __extension__ union {                  \
        member;                            \
        old_member;                        \
    }
#endif

/* A name kept from an earlier minor release for compatibility, replaced by
 * another (docs/abi.md lists each with its successor). The compiler warns
 * where it is used; define TENON_NO_DEPRECATED_WARNINGS before including
 * any tenon header to silence that (the library itself, which defines the
 * old names, builds so). */
#if defined(__GNUC__) && !defined(TENON_NO_DEPRECATED_WARNINGS) && \
    !defined(TENON_BUILDING_LIBRARY)
#define TENON_DEPRECATED(msg) __attribute__((deprecated(msg)))
#else
#define TENON_DEPRECATED(msg)
#endif

/* A struct member renamed in a minor release: in C and in C++ both names
 * share the member's bytes (an anonymous union), and the old one is
 * deprecated. */
#ifdef __cplusplus
#define TENON__RENAMED(member, old_member, msg) \
    union {                                     \
        member;                                 \
        old_member TENON_DEPRECATED(msg);       \
    }
#else
#define TENON__RENAMED(member, old_member, msg) \
    __extension__ union {                       \
        member;                                 \
        old_member TENON_DEPRECATED(msg);       \
    }
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version as "MAJOR.MINOR.PATCH" (may differ from the headers
 * the host compiled with when the shared library was upgraded).
 * Returns a static string; never NULL. */
TENON_API const char *tenon_version(void);

/* The library's version as TENON_VERSION_HEX would compute it. */
TENON_API unsigned tenon_version_hex(void);

#ifdef __cplusplus
}
#endif

#endif
