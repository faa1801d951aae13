/* A descriptor note written by hand instead of with TENON_PLUGIN(), to make
 * the defects TENON_PLUGIN() never produces:
 *   HM_NAME          plugin name (a string)
 *   HM_MAGIC         the magic number (default: the right one)
 *   HM_LAYOUT        the layout version (default: the current one)
 *   HM_UNTERMINATED  defined: the description fills its field with no NUL
 * The file has no entry symbol: every defect is found before loading. */
#include <tenon/plugin.h>

#ifndef HM_MAGIC
#define HM_MAGIC TENON_DESC_MAGIC
#endif
#ifndef HM_LAYOUT
#define HM_LAYOUT TENON_DESC_LAYOUT
#endif

/* clang-format misindents the #else branch inside this initializer */
/* clang-format off */
__attribute__((section(TENON_NOTE_SECTION), used, aligned(4)))
static const tenon_note handmade_note = {
    .namesz = sizeof(TENON_NOTE_OWNER),
    .descsz = sizeof(tenon_descriptor),
    .type = TENON_NOTE_TYPE,
    .owner = TENON_NOTE_OWNER,
    .desc = {
        .magic = HM_MAGIC,
        .layout = HM_LAYOUT,
        .size = sizeof(tenon_descriptor),
        .abi_major = TENON_ABI_MAJOR,
        .abi_minor = TENON_ABI_MINOR,
        .name = HM_NAME,
        .version = "1.0.0",
#ifdef HM_UNTERMINATED
        .description = {[0 ... TENON_DESCRIPTION_MAX - 1] = 'x'},
#else
        .description = "hand-made descriptor",
#endif
    }};
/* clang-format on */
