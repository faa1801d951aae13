/* Fuzzes fio's iolog text formats (read_iolog): the version line, then
 * each line as the replay parses it, in version 2 and in version 3. No
 * file is read or touched. Checks: a line is taken (its file name within
 * bounds, an IO's length and end within 64 bits, a known action) or
 * refused with a reason, never both. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "iolog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_line(int version, const char *line)
{
    struct tio_iolog_entry e;
    char why[400] = "";
    int rc = tio_iolog_parse_line(version, line, &e, why, sizeof(why));
    if (rc < 0) {
        if (!why[0])
            abort();
        return;
    }
    if (rc == 0)
        return;
    if (rc != 1 || why[0] || strlen(e.file) >= sizeof(e.file) || e.act > TIO_IOLOG_WAIT)
        abort();
    if (e.act == TIO_IOLOG_IO &&
        (e.dir > 4 || e.offset + e.len < e.offset || e.len > UINT32_MAX))
        abort();
    if (version == 2 && e.usec)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16384)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char why[400];
    (void)tio_iolog_version(text, size, why, sizeof(why));
    for (char *line = text; line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        check_line(2, line);
        check_line(3, line);
        line = nl ? nl + 1 : NULL;
    }
    free(text);
    return 0;
}
