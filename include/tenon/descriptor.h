/* Reading plugin descriptors, without loading or running any plugin code. */
#ifndef TENON_DESCRIPTOR_H
#define TENON_DESCRIPTOR_H

#include <tenon/common.h>
#include <tenon/error.h>
#include <tenon/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tenon_dep {
    const char *name;
    const char *range; /* "" when any version will do */
} tenon_dep;

typedef struct tenon_provide {
    const char *name;
    uint32_t version;
    int32_t rank;
} tenon_provide;

typedef struct tenon_option {
    const char *name;
    tenon_opt_type type;
    uint32_t flags;  /* TENON_OPT_* */
    const char *def; /* "" when no default */
    const char *help;
    const char *choices; /* "a|b|c" for TENON_OPT_ENUM, else "" */
    int64_t min, max;    /* range applies when max > min */
} tenon_option;

typedef struct tenon_meta {
    const char *key;
    const char *value;
} tenon_meta;

/* A descriptor as the host sees it: every string NUL-terminated, every list
 * counted. Owned by whoever produced it (the registry, or the caller of
 * tenon_descriptor_read, who frees it with tenon_descriptor_free). Fields
 * are only appended in later versions; struct_size tells which exist. */
typedef struct tenon_plugin_desc {
    uint32_t struct_size;
    uint32_t layout; /* descriptor layout version found in the file */
    const char *name;
    const char *version;
    const char *description;
    const char *license;
    const char *url;
    unsigned abi_major, abi_minor;
    uint32_t flags; /* TENON_PLUGIN_* */
    /* The other plugins this one needs. C code may still say requires and
     * n_requires, the names before C++ support (requires is a C++20
     * keyword): the same members. */
    TENON__C_ALIAS(const tenon_dep *deps, const tenon_dep *requires);
    TENON__C_ALIAS(size_t n_deps, size_t n_requires);
    const tenon_provide *provides;
    size_t n_provides;
    const char *const *overrides;
    size_t n_overrides;
    const tenon_option *options;
    size_t n_options;
    const tenon_meta *meta;
    size_t n_meta;
} tenon_plugin_desc;

/* Reads the descriptor of the plugin file at path (absolute) without loading
 * it: the ELF note is found through the program headers with libelf. On
 * success *out receives a descriptor the caller frees with
 * tenon_descriptor_free. Errors: TENON_ENOTELF, TENON_EELFCLASS,
 * TENON_EELFMACHINE, TENON_EELFTYPE, TENON_ETRUNCATED, TENON_ENODESC,
 * TENON_EBADMAGIC, TENON_ELAYOUT, TENON_EFIELD, TENON_EIO, TENON_ENOMEM;
 * tenon_last_error() names the file and the defect. No permission or ABI
 * check is made here (the registry does those). */
TENON_API int tenon_descriptor_read(const char *path, tenon_plugin_desc **out);

/* Same, from a file already open for reading (the file position is unused). */
TENON_API int tenon_descriptor_read_fd(int fd, const char *path_for_messages,
                                       tenon_plugin_desc **out);

/* Same, from an ELF image in memory (for tools and fuzzers). */
TENON_API int tenon_descriptor_read_memory(const void *image, size_t size,
                                           const char *name_for_messages,
                                           tenon_plugin_desc **out);

/* Frees a descriptor returned by the functions above. NULL is allowed. */
TENON_API void tenon_descriptor_free(tenon_plugin_desc *desc);

/* The option of the descriptor called name, or NULL. */
TENON_API const tenon_option *tenon_descriptor_option(const tenon_plugin_desc *desc,
                                                      const char *name);

/* The value of metadata key, or NULL. */
TENON_API const char *tenon_descriptor_meta(const tenon_plugin_desc *desc, const char *key);

/* The name of an option type ("size"), or "unknown". */
TENON_API const char *tenon_opt_type_name(tenon_opt_type type);

#ifdef __cplusplus
}
#endif

#endif
