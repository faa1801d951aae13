/* The interface the example plugins provide: "example.greeter", version 1.
 * Like every tenon interface table it starts with its size and version and
 * only ever grows at the end. */
#ifndef EXAMPLE_GREETER_H
#define EXAMPLE_GREETER_H

#include <stddef.h>
#include <stdint.h>

#define EXAMPLE_GREETER "example.greeter"
#define EXAMPLE_GREETER_VERSION 1

typedef struct example_greeter {
    uint32_t struct_size;
    uint32_t version;
    /* Writes a greeting for who into out; data is the instance's private
     * data. Returns 0 or a negative error. */
    int (*greet)(void *data, const char *who, char *out, size_t size);
} example_greeter;

#endif
