/* "Did you mean ...?" for misspelt option names: a typo should cost the
 * user one glance, not a trip to the manual. */
#include <string.h>

#include "job_internal.h"

#define TIO__SUGGEST_MAX 64

static size_t edit_distance(const char *a, const char *b)
{
    size_t row[TIO__SUGGEST_MAX + 1];
    size_t la = strlen(a), lb = strlen(b);
    size_t i, j;

    if (la > TIO__SUGGEST_MAX || lb > TIO__SUGGEST_MAX)
        return (size_t)-1;
    for (j = 0; j <= lb; j++)
        row[j] = j;
    for (i = 1; i <= la; i++) {
        size_t diag = row[0];

        row[0] = i;
        for (j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] == b[j - 1] ? 0 : 1);

            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

const char *tio__suggest(const char *name, const char *const *cands, size_t n)
{
    size_t limit = strlen(name) <= 4 ? 1 : 2;
    size_t best = (size_t)-1, i;
    const char *pick = NULL;

    for (i = 0; i < n; i++) {
        size_t d;

        if (!cands[i])
            continue;
        d = edit_distance(name, cands[i]);
        if (d < best) {
            best = d;
            pick = cands[i];
        }
    }
    return best <= limit ? pick : NULL;
}
