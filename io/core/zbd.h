/* zonemode=zbd's zones, shared by zbd.c (setup, the run's files),
 * zbd_io.c (each IO's zone and offset) and zbd_dev.c (the kernel's zoned
 * block device interface).
 *
 * One struct tio_zbd_file per file name, shared by every job of the run
 * that works on it, as fio shares its zone information: write pointers,
 * open zones and the bytes written stay from one job to the next, to the
 * run's end. Its mutex guards all of it; an IO's zone and offset are
 * chosen under it (fio locks each zone, and keeps it locked while the
 * IO is in flight; here a zone is held only while the IO is chosen). */
#ifndef TIO_ZBD_H
#define TIO_ZBD_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* fio's zoned models: a zoned block device is host-managed or
 * host-aware; anything else gets emulated zones (ZBD_NONE). */
enum tio_zbd_model { TIO_ZBD_NONE, TIO_ZBD_HOST_AWARE, TIO_ZBD_HOST_MANAGED };

/* The kernel's zone types and conditions (linux/blkzoned.h's values). */
enum { TIO_ZBD_TYPE_CONV = 1, TIO_ZBD_TYPE_SWR = 2, TIO_ZBD_TYPE_SWP = 3 };
enum {
    TIO_ZBD_COND_NOT_WP = 0,
    TIO_ZBD_COND_EMPTY = 1,
    TIO_ZBD_COND_IMP_OPEN = 2,
    TIO_ZBD_COND_EXP_OPEN = 3,
    TIO_ZBD_COND_CLOSED = 4,
    TIO_ZBD_COND_READONLY = 0xd,
    TIO_ZBD_COND_FULL = 0xe,
    TIO_ZBD_COND_OFFLINE = 0xf,
};

/* fio's limit on max_open_zones (ZBD_MAX_OPEN_ZONES). */
#define TIO_ZBD_MAX_OPEN 4096u

struct tio_zbd_zone {
    uint64_t start, wp, capacity; /* bytes from the file's start */
    uint8_t type, cond;
    bool has_wp;         /* a sequential zone: writes only at wp */
    bool open;           /* in the file's open zones */
    bool reset_due;      /* zone_reset_frequency picked it for a reset */
    atomic_uint *opener; /* the open-zone count of the job that opened it */
};

struct tio_zbd_file {
    char *name;
    pthread_mutex_t mu;
    enum tio_zbd_model model;
    uint64_t zone_size;
    uint64_t size; /* the file's size: zones reach past it at most to a zone's end */
    uint32_t nr;   /* zones; z[nr] is a sentinel whose start ends the last */
    struct tio_zbd_zone *z;
    uint32_t max_open; /* 0: no limit, open zones are not tracked */
    uint32_t n_open;
    uint32_t *open;      /* the open zones' numbers, oldest first */
    uint64_t wp_bytes;   /* bytes below sequential zones' write pointers (fio's
                            wp_sectors_with_data) */
    uint64_t data_bytes; /* the same, conventional zones' too (sectors_with_data) */
    uint32_t write_cnt;  /* writes to the next periodic reset check */
    struct tio_zbd_file *next;
};

/* ---- zbd_dev.c ------------------------------------------------------------ */

/* The zoned model of the block device open as fd (sysfs queue/zoned);
 * 0, or -errno with why. */
int tio__zbd_dev_model(int fd, enum tio_zbd_model *model, char *why, size_t len);
/* Fills f's zones from the device's zone report (BLKREPORTZONE), with its
 * zone size; 0 or -errno with why. */
int tio__zbd_dev_zones(int fd, struct tio_zbd_file *f, char *why, size_t len);
/* The device's max_open_zones (sysfs); 0: no limit. */
int tio__zbd_dev_max_open(int fd, uint32_t *max, char *why, size_t len);
/* Resets the write pointers of the zones in [offset, offset + length)
 * (BLKRESETZONE); 0 or -errno. */
int tio__zbd_dev_reset(int fd, uint64_t offset, uint64_t length);

/* ---- zbd_io.c (caller holds f->mu) ---------------------------------------- */

struct worker;
struct tio_zbd_area;
bool tio__zbd_open(struct worker *w, struct tio_zbd_file *f, struct tio_zbd_zone *z);
void tio__zbd_close(struct tio_zbd_file *f, struct tio_zbd_zone *z);
int tio__zbd_reset(struct worker *w, struct tio_zbd_area *a, struct tio_zbd_zone *z);
/* The same without waiting for the IO in flight (a trim's reset). */
int tio__zbd_reset_wp(struct worker *w, struct tio_zbd_area *a, struct tio_zbd_zone *z);

/* ---- zbd_trim.c ----------------------------------------------------------- */

/* A trim job's worker queues through the table that makes its trims
 * zone resets (w->ops and w->ed replaced). */
void tio__zbd_trim_setup(struct worker *w);

#endif
