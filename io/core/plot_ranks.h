/* --plot of a distributed run: the participants' throughput summed. */
#ifndef TIO_PLOT_RANKS_H
#define TIO_PLOT_RANKS_H

#include <stddef.h>

#include "tio_job_result.h"

/* Initialises out with the sum over time of the n results' series (their
 * points spread over common time bins). tio_series_fini frees it. */
void tio_plot_ranks_sum(struct tio_job_result *const *parts, size_t n, struct tio_series *out);

#endif
