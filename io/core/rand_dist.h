/* random_distribution (zipf, pareto, normal, zoned, zoned_abs) and
 * random_generator=lfsr: where a random IO's block comes from when it is
 * not fio's uniform draw. Chosen once at setup (worker.features bit
 * TIO_WF_RAND_DIST); the uniform default never reaches this file. */
#ifndef TIO_RAND_DIST_H
#define TIO_RAND_DIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct worker;
struct file_gen;

/* 0, or -errno with the worker failed (a zone past the file's end). */
int tio_rdist_setup(struct worker *w);
void tio_rdist_teardown(struct worker *w);
/* The block of file fi a random IO in direction di starts on, in units
 * of blockalign; UINT64_MAX when the LFSR has given every block. */
uint64_t tio_rdist_block(struct worker *w, const struct file_gen *g, size_t fi, unsigned di);
/* A file's new pass: the LFSR starts over from its seed, as fio resets it
 * when it opens the file again; the zone draws are reseeded with the rest
 * under randrepeat. */
void tio_rdist_new_pass(struct worker *w, size_t fi, bool reseed);

#endif
