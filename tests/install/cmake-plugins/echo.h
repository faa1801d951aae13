/* The interface both plugins provide: "test.echo", version 1. */
#ifndef TEST_ECHO_H
#define TEST_ECHO_H

#include <stddef.h>
#include <stdint.h>

#define TEST_ECHO "test.echo"
#define TEST_ECHO_VERSION 1

typedef struct test_echo {
    uint32_t struct_size;
    uint32_t version;
    /* Writes text, in the plugin's voice, into out. Returns 0 or an error. */
    int (*say)(const char *text, char *out, size_t size);
} test_echo;

#endif
