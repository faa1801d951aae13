/* Fuzzes the ELF descriptor reader: any bytes, as a plugin file's content. */
#include <stddef.h>
#include <stdint.h>

#include <tenon/tenon.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tenon_plugin_desc *desc = NULL;
    if (tenon_descriptor_read_memory(data, size, "fuzz.so", &desc) == 0) {
        /* Touch everything a listing would print. */
        size_t sum = 0;
        for (size_t i = 0; i < desc->n_options; i++)
            sum += desc->options[i].name[0] + desc->options[i].help[0];
        for (size_t i = 0; i < desc->n_deps; i++)
            sum += tenon_semver_satisfies(desc->version, desc->deps[i].range) > 0;
        (void)sum;
        tenon_descriptor_free(desc);
    }
    return 0;
}
