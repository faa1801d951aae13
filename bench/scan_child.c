/* The second process of bench/scan: starts, makes a registry, scans one
 * folder (with the cache when given one), and reports on stdout
 *   plugins files_read cache_hits rss_start_kb rss_after_kb peak_rss_kb
 * so the parent can time whole process starts (and exits) and see the
 * memory a registry of N scanned plugins takes. */
#include <stdio.h>
#include <string.h>

#include <tenon/tenon.h>

#include "common.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s DIR CACHE|-\n", argv[0]);
        return 2;
    }
    long start = bench_rss_kb();
    tenon_registry *reg;
    if (tenon_registry_create("tenon-bench",
                              TENON_REGISTRY_NO_ENV | TENON_REGISTRY_NO_DEFAULT_PATH, &reg) < 0)
        return 1;
    if (strcmp(argv[2], "-") != 0 && tenon_registry_set_cache(reg, argv[2], 0) < 0)
        return 1;
    if (tenon_registry_add_path(reg, argv[1]) < 0)
        return 1;
    int n = tenon_registry_scan(reg);
    if (n < 0)
        return 1;
    long after = bench_rss_kb();
    tenon_cache_stats st = {.struct_size = sizeof(st)};
    tenon_registry_cache_stats(reg, &st);
    printf("%d %llu %llu %ld %ld %ld\n", n, (unsigned long long)st.files_read,
           (unsigned long long)st.cache_hits, start, after, bench_peak_rss_kb());
    fflush(stdout);
    tenon_registry_free(reg);
    return 0;
}
