/* The library's own version, which may be newer than the headers a host
 * compiled with. */
#include "internal.h"

const char *tenon_version(void)
{
    return TENON_VERSION_STRING;
}

unsigned tenon_version_hex(void)
{
    return TENON_VERSION_HEX;
}
