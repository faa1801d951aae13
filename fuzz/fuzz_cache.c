/* Fuzzes the registry cache file parser. Checksums are skipped so the
 * fuzzer reaches the entries (a corrupt cache with valid checksums must be
 * just as harmless); every entry found is read as listings would. */
#include <stddef.h>
#include <stdint.h>

#include <tenon/tenon.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int pass = 0; pass < 2; pass++) {
        tenon_cache *cache = NULL;
        unsigned flags = pass ? TENON_CACHE_PARSE_NO_CHECKSUM : 0;
        if (tenon_cache_parse(data, size, flags, &cache) == 0) {
            size_t n = tenon_cache_count(cache);
            for (size_t i = 0; i < n; i++)
                (void)tenon_cache_at(cache, i);
            (void)tenon_cache_written_ns(cache);
            tenon_cache_free(cache);
        }
    }
    return 0;
}
