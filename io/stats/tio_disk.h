/* Block-device activity during a run, from /sys/block/NAME/stat (fio's
 * "Disk stats" and "disk_util"). Linux only; files on filesystems without a
 * block device (tmpfs, overlay) simply have no disk to show. */
#ifndef TIO_DISK_H
#define TIO_DISK_H

#include <stddef.h>
#include <stdint.h>

#include "tio_report.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Counters of one device at one moment; index 0 reads, 1 writes. */
struct tio_disk_stat {
    uint64_t ios[2];
    uint64_t merges[2];
    uint64_t ticks[2]; /* ms */
    uint64_t io_ticks; /* ms the device was busy */
    uint64_t in_queue; /* ms, weighted by queue depth */
};

/* Reads /sys/block/<name>/stat. Returns 0 or -errno. */
int tio_disk_stat_read(const char *name, struct tio_disk_stat *out);

/* The whole disk holding path (a file, a folder, or a block device; a path
 * that does not exist yet is looked up through its folder): "vda" for a
 * file on /dev/vda1. Returns 0, -ENODEV when no block device backs it, or
 * another -errno. */
int tio_disk_for_path(const char *path, char *name, size_t size);

/* The change between two readings over elapsed_ms, as fio reports it. */
void tio_disk_util_compute(const char *name, const struct tio_disk_stat *start,
                           const struct tio_disk_stat *end, uint64_t elapsed_ms,
                           struct tio_disk_util *out);

/* Watches the disks behind a set of paths over a run:
 *     w = tio_disk_watch_new();
 *     tio_disk_watch_add_path(w, filename);   // per target; duplicates fold
 *     tio_disk_watch_start(w);                // before the jobs start
 *     ... run ...
 *     tio_disk_watch_stop(w, report);         // adds one entry per disk */
struct tio_disk_watch;

struct tio_disk_watch *tio_disk_watch_new(void);
void tio_disk_watch_free(struct tio_disk_watch *w);

/* Returns 0, -ENODEV when the path has no block device (not an error for
 * the run), or another -errno. */
int tio_disk_watch_add_path(struct tio_disk_watch *w, const char *path);
int tio_disk_watch_start(struct tio_disk_watch *w);
int tio_disk_watch_stop(struct tio_disk_watch *w, struct tio_report *rep);

#ifdef __cplusplus
}
#endif

#endif
