/* The --plot chart drawn from a job's latency log (write_lat_log). */
#ifndef TIO_PLOT_LOGS_H
#define TIO_PLOT_LOGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "tio_job.h"

#define TIO_PLOT_LAT_BINS 200

/* Direction d of a job's clat log, gathered into time bins. */
struct tio_plot_lat {
    char path[4096];
    size_t lines;
    double t_max_s;
    double y_max;
    bool has[TIO_PLOT_LAT_BINS];
    double mean[TIO_PLOT_LAT_BINS];
    double max[TIO_PLOT_LAT_BINS];
};

/* Reads the clat log job wrote; false when it wrote none (or it holds no
 * line of direction d, or is stored compressed). */
bool tio_plot_lat_load(const struct tio_job *job, unsigned d, struct tio_plot_lat *out);
void tio_plot_lat_chart(FILE *o, const struct tio_plot_lat *l, int x0, int y0, int w, int ht,
                        const char *color);

#endif
