/* Semantic versions and version ranges, as used in descriptors' version and
 * requires fields. */
#ifndef TENON_SEMVER_H
#define TENON_SEMVER_H

#include <tenon/common.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tenon_semver {
    uint64_t major, minor, patch;
    char prerelease[32]; /* "" for a release */
} tenon_semver;

/* Parses "1", "1.2", "1.2.3", "1.2.3-rc.1" (build metadata "+..." is
 * ignored). Missing minor or patch parts are 0. Returns 0 or TENON_EINVAL. */
TENON_API int tenon_semver_parse(const char *text, tenon_semver *out);

/* Compares by semantic version precedence: <0, 0 or >0. */
TENON_API int tenon_semver_compare(const tenon_semver *a, const tenon_semver *b);

/* Whether version satisfies range. A range is one or more alternatives
 * separated by "||"; an alternative is comparators separated by spaces, all
 * of which must hold: "=1.2.3", ">1", ">=1.2", "<2", "<=2.1", "^1.2"
 * (compatible: >=1.2.0 <2.0.0), "~1.2" (>=1.2.0 <1.3.0), "1.x" or "1.2.*"
 * (wildcards), "*" or "" (any). Returns 1 if satisfied, 0 if not,
 * TENON_EINVAL if version or range does not parse. */
TENON_API int tenon_semver_satisfies(const char *version, const char *range);

/* Whether range parses. Returns 0 or TENON_EINVAL. */
TENON_API int tenon_semver_range_check(const char *range);

#ifdef __cplusplus
}
#endif

#endif
