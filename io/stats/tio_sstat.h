/* Statistics of periodic samples (bandwidth and IOPS per interval): a few
 * samples per second, so Welford's update in double precision is cheap and
 * accurate here. */
#ifndef TIO_SSTAT_H
#define TIO_SSTAT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tio_sstat {
    uint64_t n;
    double min;
    double max;
    double mean;
    double m2; /* sum of squared deviations from the mean */
};

void tio_sstat_init(struct tio_sstat *s);
void tio_sstat_add(struct tio_sstat *s, double x);

/* Pools two sets of samples of the same quantity (Chan et al.), e.g. the same
 * job's samples from two phases. */
void tio_sstat_merge(struct tio_sstat *dst, const struct tio_sstat *src);

/* Adds the samples of a job that ran at the same time as dst's, the way fio
 * sums bandwidth samples under group_reporting: the group's rate is the sum
 * of its jobs' rates, so min, max and mean add, variances add (independent
 * jobs), and the sample counts add. */
void tio_sstat_sum(struct tio_sstat *dst, const struct tio_sstat *src);

/* Sample standard deviation (n - 1); 0 below two samples. */
double tio_sstat_stddev(const struct tio_sstat *s);

/* Rebuilds the state from a summary, e.g. to replay another tool's numbers. */
void tio_sstat_from_summary(struct tio_sstat *s, uint64_t n, double min, double max,
                            double mean, double stddev);

#ifdef __cplusplus
}
#endif

#endif
