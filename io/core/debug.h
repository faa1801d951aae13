/* --debug: fio's debug tracing for the categories tenon-io traces (io,
 * random, parse, process), in fio's line format "<category padded to 8> <thread id
 * padded to 5> <text>", so scripts that grep fio's traces read ours.
 *
 * The lines go where the report goes: to standard output, or, with
 * --output, collected in memory and written at the top of the output
 * file (which tenon-io replaces all at once at the end of the run). */
#ifndef TIO_DEBUG_H
#define TIO_DEBUG_H

#include <stdbool.h>
#include <stddef.h>

#include "tio_job.h"

/* Set once before any job thread starts; read on the IO path. */
extern bool tio_debug_io_on;

/* Starts tracing the categories in mask (enum tio_debug); to_memory
 * collects the lines for tio_debug_take. Returns 0 or -ENOMEM. */
int tio_debug_open(unsigned mask, bool to_memory);

bool tio_debug_on(unsigned category);

/* One line (fmt ends with '\n', as fio's dprint); thread-safe. */
void tio_debug_printf(unsigned category, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The collected lines (to_memory), owned by the caller; NULL if none. */
char *tio_debug_take(size_t *len);

void tio_debug_close(void);

/* fio's list for --debug=?. */
void tio_debug_help(void);

#endif
