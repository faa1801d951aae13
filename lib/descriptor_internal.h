/* A descriptor's fields between their source (a plugin file's raw
 * descriptor, descriptor.c; a cache entry, cache_format.c) and the host's
 * view: one set of rules checks them and one builder makes the view, so a
 * cache cannot hand the registry anything a plugin file could not. */
#ifndef TENON_DESCRIPTOR_INTERNAL_H
#define TENON_DESCRIPTOR_INTERNAL_H

#include "internal.h"

/* A string of len bytes, NUL-terminated at s[len]. */
typedef struct tenon__text {
    const char *s;
    size_t len;
} tenon__text;

/* The fields a view is built from: strings in place in their source,
 * lists without their empty slots. slot is the entry's index in its source,
 * for messages. */
typedef struct tenon__desc_fields {
    uint32_t layout, flags;
    unsigned abi_major, abi_minor;
    tenon__text name, version, description, license, url;
    size_t n_requires, n_provides, n_overrides, n_options, n_meta;
    struct {
        tenon__text name, range;
        size_t slot;
    } requires[TENON_MAX_REQUIRES];
    struct {
        tenon__text name;
        uint32_t version;
        int32_t rank;
        size_t slot;
    } provides[TENON_MAX_PROVIDES];
    struct {
        tenon__text name;
        size_t slot;
    } overrides[TENON_MAX_OVERRIDES];
    struct {
        tenon__text name, def, help, choices;
        uint32_t type, flags;
        int64_t min, max;
        size_t slot;
    } options[TENON_MAX_OPTIONS];
    struct {
        tenon__text key, value;
        size_t slot;
    } meta[TENON_MAX_META];
} tenon__desc_fields;

/* The first rule a descriptor breaks: "descriptor field 'FIELD' WHY[: VALUE]". */
typedef struct tenon__desc_defect {
    char field[64];    /* "version", "deps[2].name", "options[0]" */
    const char *why;   /* "is not a valid plugin name" */
    const char *value; /* the offending text, or NULL (never one with control bytes) */
} tenon__desc_defect;

/* Checks every rule of f's fields except option defaults (which need the
 * view). True when f is good; otherwise *defect says why. Touches no
 * thread error. */
TENON__HIDDEN bool tenon__desc_fields_check(const tenon__desc_fields *f,
                                            tenon__desc_defect *defect);

/* The view of checked fields, in one allocation (tenon_descriptor_free
 * frees it). NULL when out of memory. */
TENON__HIDDEN tenon_plugin_desc *tenon__desc_build(const tenon__desc_fields *f);

/* Whether every option's default parses as its option's type; if not,
 * *option is the first that does not and why (size bytes) says why. */
TENON__HIDDEN bool tenon__desc_defaults_ok(const tenon_plugin_desc *desc, size_t *option,
                                           char *why, size_t size);

#endif
