/* The note names plugin "bad_mismatch" but the exported entry points to
 * another descriptor, of a plugin called "mismatch_other": the host must
 * refuse to run code that does not belong to the descriptor it checked. */
#include <tenon/plugin.h>

__attribute__((section(TENON_NOTE_SECTION), used, aligned(4))) static const tenon_note
    mismatch_note = {.namesz = sizeof(TENON_NOTE_OWNER),
                     .descsz = sizeof(tenon_descriptor),
                     .type = TENON_NOTE_TYPE,
                     .owner = TENON_NOTE_OWNER,
                     .desc = {
                         .magic = TENON_DESC_MAGIC,
                         .layout = TENON_DESC_LAYOUT,
                         .size = sizeof(tenon_descriptor),
                         .abi_major = TENON_ABI_MAJOR,
                         .abi_minor = TENON_ABI_MINOR,
                         .name = "bad_mismatch",
                         .version = "1.0.0",
                     }};

static const tenon_descriptor other_descriptor = {
    .magic = TENON_DESC_MAGIC,
    .layout = TENON_DESC_LAYOUT,
    .size = sizeof(tenon_descriptor),
    .abi_major = TENON_ABI_MAJOR,
    .abi_minor = TENON_ABI_MINOR,
    .name = "mismatch_other",
    .version = "1.0.0",
};

__attribute__((visibility("default"))) extern const tenon_plugin_entry tenon_entry;
const tenon_plugin_entry tenon_entry = {
    .struct_size = sizeof(tenon_plugin_entry),
    .abi_major = TENON_ABI_MAJOR,
    .abi_minor = TENON_ABI_MINOR,
    .descriptor = &other_descriptor,
    .impl_size = sizeof(tenon_impl),
};
