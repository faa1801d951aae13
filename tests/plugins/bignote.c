/* A good plugin whose note segment is larger than the reader's first read
 * (an extra 40 KiB note beside the descriptor), so the descriptor is found
 * in a second read.
 *
 * AddressSanitizer pads instrumented globals with redzones and aligns them
 * to 32 bytes, which would shift the note after this one; the pad is left
 * uninstrumented and its size is a multiple of 32 (header 16 + 40976). */
#include "fixture.h"

#define PAD_SIZE (40 * 1024 + 16)

#if defined(__clang__)
#define PAD_NO_ASAN no_sanitize_address /* gcc has it for functions only */
#else
#define PAD_NO_ASAN
#endif

__attribute__((section(".note.tenon.pad"), used, aligned(4), PAD_NO_ASAN)) static const struct {
    uint32_t namesz, descsz, type;
    char name[4];
    char desc[PAD_SIZE];
} pad_note = {4, PAD_SIZE, 1, "PAD", {0}};

TENON_PLUGIN(good_bignote,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "a plugin with a large note segment",
    ),
    TENON_CODE(
        .init = fx_init,
        .fini = fx_fini,
    ));
