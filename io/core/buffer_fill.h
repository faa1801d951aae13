/* fio's write buffers: random (the default), compressible and
 * deduplicable (buffer_compress_*, dedupe_*): the data fio 3.33 writes for
 * the same job and seed, from its buffer generator (buf_state), dedupe
 * draws and dedupe working set. The units choose at setup; plain random
 * data costs a draw per buffer filled (setup, refill_buffers). */
#ifndef TIO_BUFFER_FILL_H
#define TIO_BUFFER_FILL_H

#include <stdbool.h>
#include <stdint.h>

struct worker;
struct tio_bufill;

/* Whether the job's writes take their data from here. */
bool tio_bufill_wanted(const struct worker *w);

/* Whether that data is plain random (no compress, dedupe, pattern or
 * zero_buffers): fio's fill_random_buf, one seed per buffer filled. */
bool tio_bufill_plain_wanted(const struct worker *w);

/* The generator's state from the job's seeds, and the dedupe working set
 * (dedupe_mode=working_set). Returns NULL when out of memory (the job
 * failed with the reason). */
struct tio_bufill *tio_bufill_new(struct worker *w);
void tio_bufill_free(struct tio_bufill *f);

/* Fills len bytes at buf as fio's fill_io_buffer does for a write of len
 * bytes: plain random from one seed, or random regions followed by zeros
 * (or buffer_pattern), one seed per region of the smallest write or
 * compress chunk, a whole write drawn again from an earlier seed when
 * dedupe says so. */
void tio_bufill_fill(struct tio_bufill *f, uint8_t *buf, uint64_t len);

/* A new loop under randrepeat: fio seeds the streams afresh. */
void tio_bufill_reseed(struct tio_bufill *f);

#endif
