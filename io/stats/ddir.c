#include "tio_ddir.h"

const char *tio_ddir_name(enum tio_ddir d)
{
    switch (d) {
    case TIO_DDIR_READ:
        return "read";
    case TIO_DDIR_WRITE:
        return "write";
    case TIO_DDIR_TRIM:
        return "trim";
    case TIO_DDIR_COUNT:
    default:
        return "unknown";
    }
}
