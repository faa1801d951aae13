/* The --plot picture: latency distributions and throughput over time. */
#ifndef TIO_PLOT_H
#define TIO_PLOT_H

#include <stddef.h>

#include "tio_job.h"
#include "tio_job_error.h"
#include "tio_job_result.h"

/* Writes an SVG of the results to path (which must end in .svg), through a
 * temporary file and a rename. jobs (NULL, or the job of each result):
 * the panels of a job that wrote a latency log (write_lat_log) also draw
 * its completion latency over time from the log. parts (NULL, or np per
 * result, parts[i * np + r]): each participant's result of a distributed
 * run, whose throughput the panels draw summed and one line each. Returns
 * 0 or -errno with a sentence in err. */
int tio_plot_write(const char *path, struct tio_job_result *const *results,
                   const struct tio_job *const *jobs, size_t n,
                   struct tio_job_result *const *parts, size_t np, struct tio_error *err);

#endif
