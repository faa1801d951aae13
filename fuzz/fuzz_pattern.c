/* Fuzzes fio's data pattern syntax (verify_pattern, buffer_pattern: 0xhex,
 * numbers, "text", 'file', %o and their concatenations). The input is one
 * pattern, parsed with %o allowed and without. Inputs naming a file
 * ('...') are skipped so the fuzzer never reads files. Checks: a pattern
 * is 1..512 bytes, each %o lies wholly inside it in order, and a refusal
 * says why. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data_pattern.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_one(const char *in, struct tio_job_pattern_fmt *fmt)
{
    uint8_t out[TIO_JOB_PATTERN_MAX];
    char why[400] = "";
    size_t n = tio__data_pattern_parse(in, out, fmt, why, sizeof(why));
    if (!n) {
        if (!why[0])
            abort();
        return;
    }
    if (n > TIO_JOB_PATTERN_MAX)
        abort();
    for (unsigned i = 0; fmt && i < fmt->n; i++)
        if (fmt->off[i] + 8u > n || (i && fmt->off[i] < fmt->off[i - 1] + 8u))
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096 || memchr(data, '\'', size))
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct tio_job_pattern_fmt fmt;
    check_one(text, &fmt);
    check_one(text, NULL);
    free(text);
    return 0;
}
