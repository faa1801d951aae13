/* Fuzzes the signature and public-key file parsers. */
#include <stddef.h>
#include <stdint.h>

#include <tenon/tenon.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tenon_signature_info sig = {.struct_size = sizeof(sig)};
    tenon_public_key_info key = {.struct_size = sizeof(key)};
    (void)tenon_signature_parse_info((const char *)data, size, "fuzz.sig", &sig);
    (void)tenon_public_key_parse_info((const char *)data, size, "fuzz.pub", &key);
    return 0;
}
