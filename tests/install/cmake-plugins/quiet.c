/* The static plugin, in C: says its text in lower case. */
#include <ctype.h>
#include <string.h>

#include <tenon/plugin.h>

#include "echo.h"

static int quiet_say(const char *text, char *out, size_t size)
{
    size_t n = strlen(text);
    if (n >= size)
        return TENON_EINVAL;
    for (size_t i = 0; i <= n; i++)
        out[i] = (char)tolower((unsigned char)text[i]);
    return 0;
}

static const test_echo quiet_table = {
    .struct_size = sizeof(test_echo),
    .version = TEST_ECHO_VERSION,
    .say = quiet_say,
};

TENON_PLUGIN(quiet,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "says it quietly (C, static)",
        .license = "MIT",
        .provides = {{TEST_ECHO, TEST_ECHO_VERSION, 1}},
    ),
    TENON_CODE(
        TENON_IMPLEMENTS(TENON_IMPL(TEST_ECHO, &quiet_table)),
    ));
