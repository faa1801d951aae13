/* Built for i386 by the build (clang --target=i386-linux-gnu, freestanding,
 * no libc): a real 32-bit plugin that a 64-bit host refuses. */
#include <tenon/plugin.h>

TENON_PLUGIN(bad_elf32,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "a 32-bit plugin",
    ),
    TENON_CODE());
