/* Helpers shared by the stats tests: reading files, building reports from
 * the JSON descriptions in data/, and rendering them to strings. */
#ifndef TIO_TEST_UTIL_H
#define TIO_TEST_UTIL_H

#include <stddef.h>

#include <jansson.h>

#include "tio_report.h"

/* Path under the tests' data folder. Returns a static buffer. */
const char *tu_data_path(const char *rel);

/* Runs run(NAME) for every subfolder NAME of the data folder `folder` that
 * holds a file called `marker`, in name order. Returns how many ran. */
size_t tu_for_each_case(const char *folder, const char *marker, void (*run)(const char *name));

/* Whole file, NUL-terminated; NULL if it cannot be read. */
char *tu_read_file(const char *path, size_t *len);

/* Writes text to path (used to refresh golden files on request). */
int tu_write_file(const char *path, const char *text);

/* Builds a report from an input description (see data/normal/README). The
 * values are recorded through the same calls a worker makes, so the report
 * is computed by the real code. Fails the test on a malformed file. */
struct tio_report *tu_load_input(const char *path);

/* Builds a report from fio's JSON+ output (with latency bins) and the header
 * lines of fio's normal output of the same run (pid, job count, error text,
 * end time). */
struct tio_report *tu_load_fio(const char *json_path, const char *txt_path);

/* The normal / JSON report as a string (caller frees). */
char *tu_render_normal(struct tio_report *rep);
char *tu_render_json(struct tio_report *rep);

/* A scratch folder for the test (removed by tu_rmdir_all). */
char *tu_mkdtemp(void);
void tu_rmdir_all(const char *dir);

#endif
