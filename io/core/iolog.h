/* fio's iolog, version 2 and 3 text formats: the line parser (shared by
 * the check before the run, the replay and the fuzz target), the replay
 * (iolog_read.c) and the recording (iolog_write.c).
 *
 *   fio version 3 iolog          (or "fio version 2 iolog")
 *   [USEC] FILE add|open|close
 *   [USEC] FILE read|write|trim|sync|datasync OFFSET LENGTH
 *   FILE wait USEC               (version 2 only: the job's clock, in ms)
 *
 * USEC (version 3 only) is microseconds since the recording started. */
#ifndef TIO_IOLOG_H
#define TIO_IOLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum tio_iolog_act {
    TIO_IOLOG_IO,    /* an IO: dir, offset, len */
    TIO_IOLOG_ADD,   /* a file enters the job */
    TIO_IOLOG_OPEN,  /* ... is opened */
    TIO_IOLOG_CLOSE, /* ... is closed */
    TIO_IOLOG_WAIT,  /* version 2: wait until offset ms of the job's clock */
};

struct tio_iolog_entry {
    uint64_t usec; /* version 3: the entry's time; 0 in version 2 */
    uint64_t offset;
    uint64_t len;
    uint32_t dir; /* TIO_READ...TIO_DATASYNC (engine.h) for TIO_IOLOG_IO */
    uint8_t act;  /* enum tio_iolog_act */
    char file[257];
};

/* The version its first line names (2 or 3), 0 if none: then why says
 * what the file is (a blktrace binary, an old version 1 log, no iolog). */
int tio_iolog_version(const char *line, size_t len, char *why, size_t why_size);

/* One line (its newline stripped or not). Returns 1 with *e filled, 0 for
 * a blank line, -1 with why filled (what is wrong and how to fix it). */
int tio_iolog_parse_line(int version, const char *line, struct tio_iolog_entry *e, char *why,
                         size_t why_size);

/* ---- iolog_read.c: the check before the run ------------------------------- */

struct tio_job;
struct tio_error;
/* A job with read_iolog: its log is read once, checked line by line
 * (file:line in every error), its files held to what the job allows, and
 * the job's directions and buffer sizes set from what the log does (as
 * fio sets td_ddir and max_bs from it). */
int tio_iolog_plan(struct tio_job *job, bool no_files, struct tio_error *err);

#endif
