/* The interface of the C++ test plugin, "tenon-test.counter" version 1: a C
 * table, as every tenon interface is, so C and C++ hosts use it alike. */
#ifndef TENON_TEST_COUNTER_H
#define TENON_TEST_COUNTER_H

#include <stddef.h>
#include <stdint.h>

#define TEST_COUNTER "tenon-test.counter"
#define TEST_COUNTER_VERSION 1

typedef struct test_counter {
    uint32_t struct_size;
    uint32_t version;
    /* Adds the decimal number text to the instance's total. Returns 0, or
     * TENON_EINVAL for text that is not a number (the reason is kept for
     * last_error). */
    int (*add)(void *data, const char *text);
    long long (*total)(void *data);
    /* The instance's "label" option, and the last add's error ("" if none). */
    const char *(*label)(void *data);
    const char *(*last_error)(void *data);
} test_counter;

#endif
