/* Options: what a host hands to a plugin or an instance (strings, with where
 * each came from), and the checked, typed values the plugin reads. */
#ifndef TENON_OPTIONS_H
#define TENON_OPTIONS_H

#include <tenon/common.h>
#include <tenon/descriptor.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tenon_options tenon_options;

/* An empty set. Errors: TENON_ENOMEM. */
TENON_API int tenon_options_new(tenon_options **out);
TENON_API void tenon_options_free(tenon_options *opts);

/* Sets key to value, replacing an earlier value of key. origin says where
 * the value came from ("job.fio:12", "--bs=4k", "tenon.json:7:15") for
 * error messages; it may be NULL. Strings are copied. */
TENON_API int tenon_options_set(tenon_options *opts, const char *key, const char *value,
                                const char *origin);

/* How many options are set (0 for NULL). */
TENON_API size_t tenon_options_count(const tenon_options *opts);
/* The i-th key, value and origin (any out pointer may be NULL). */
TENON_API int tenon_options_at(const tenon_options *opts, size_t i, const char **key,
                               const char **value, const char **origin);
/* The value of key, or NULL. */
TENON_API const char *tenon_options_get(const tenon_options *opts, const char *key);

/* Checks opts (NULL means none) against desc's option schema and returns
 * typed values with defaults filled in. Errors name the plugin, the option
 * and its origin: TENON_EOPTION (unknown; lists the valid names),
 * TENON_EOPTTYPE (names the expected type), TENON_EOPTRANGE (names the
 * range or the choices), TENON_ENOMEM. */
TENON_API int tenon_values_check(const tenon_plugin_desc *desc, const tenon_options *opts,
                                 tenon_values **out);
TENON_API void tenon_values_free(tenon_values *values);

/* Typed reads, as the host API table offers them to plugins. */
TENON_API bool tenon_values_bool(const tenon_values *v, const char *name);
TENON_API int64_t tenon_values_int(const tenon_values *v, const char *name);
TENON_API double tenon_values_double(const tenon_values *v, const char *name);
TENON_API const char *tenon_values_string(const tenon_values *v, const char *name);
TENON_API bool tenon_values_is_set(const tenon_values *v, const char *name);

/* Parses a value of the given type as option checks do. For SIZE the result
 * is bytes, for DURATION nanoseconds, for BOOL 0 or 1. Returns 0,
 * TENON_EOPTTYPE or TENON_EOPTRANGE (overflow). */
TENON_API int tenon_parse_int(const char *text, tenon_opt_type type, int64_t *out);

#ifdef __cplusplus
}
#endif

#endif
