// The dynamic plugin, in C++: says its text in capitals.
#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>

#include <tenon/plugin.h>

#include "echo.h"

namespace {

int loud_say(const char *text, char *out, size_t size) noexcept
{
    try {
        std::string s(text);
        std::transform(s.begin(), s.end(), s.begin(),
                       [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        if (s.size() >= size)
            return TENON_EINVAL;
        std::memcpy(out, s.c_str(), s.size() + 1);
        return 0;
    } catch (...) {
        return TENON_ENOMEM;
    }
}

const test_echo loud_table = {sizeof(test_echo), TEST_ECHO_VERSION, loud_say};

} // namespace

TENON_PLUGIN(loud,
    TENON_DESCRIBE(
        .version = "1.0.0",
        .description = "says it loudly (C++, dynamic)",
        .license = "MIT",
        .provides = {{TEST_ECHO, TEST_ECHO_VERSION, 2}},
    ),
    TENON_CODE(
        TENON_IMPLEMENTS(TENON_IMPL(TEST_ECHO, &loud_table)),
    ));
