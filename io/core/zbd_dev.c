/* zonemode=zbd on a zoned block device: the kernel's interface, as fio's
 * oslib/linux-blkzoned.c uses it. The zoned model and the open-zone limit
 * come from sysfs (queue/zoned, queue/max_open_zones, the parent's queue
 * for a partition), the zones from BLKREPORTZONE, resets go through
 * BLKRESETZONE. Sizes are in 512-byte sectors there, bytes here.
 *
 * No machine the tests run on has a zoned device (no null_blk): these
 * wrappers are exercised only as far as a block device without zones goes
 * (its model is "none", and zones are emulated as on a file). */
#include "zbd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#ifdef __linux__
#include <linux/blkzoned.h>
#include <sys/ioctl.h>
#endif

#define REPORT_MAX 8192u /* zones per report, as fio */

/* The first line of sysfs attribute attr of fd's device (or, for a
 * partition, of the disk it is on) into buf; 0, or -errno. */
static int sysfs_read(int fd, const char *attr, char *buf, size_t len)
{
    struct stat st;
    if (fstat(fd, &st) < 0)
        return -errno;
    if (!S_ISBLK(st.st_mode))
        return -ENOTBLK;
    static const char *const where[] = {"/sys/dev/block/%u:%u/queue/%s",
                                        "/sys/dev/block/%u:%u/../queue/%s"};
    for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
        char path[128];
        snprintf(path, sizeof(path), where[i], major(st.st_rdev), minor(st.st_rdev), attr);
        FILE *f = fopen(path, "re");
        if (!f)
            continue;
        bool got = fgets(buf, (int)len, f) != NULL;
        fclose(f);
        if (got) {
            buf[strcspn(buf, "\n")] = '\0';
            return 0;
        }
    }
    return -ENOENT;
}

int tio__zbd_dev_model(int fd, enum tio_zbd_model *model, char *why, size_t len)
{
    char v[64];
    *model = TIO_ZBD_NONE;
    /* no queue/zoned (an old kernel): not zoned, as fio takes it */
    if (sysfs_read(fd, "zoned", v, sizeof(v)) < 0)
        return 0;
    if (strcmp(v, "host-managed") == 0)
        *model = TIO_ZBD_HOST_MANAGED;
    else if (strcmp(v, "host-aware") == 0)
        *model = TIO_ZBD_HOST_AWARE;
    else if (strcmp(v, "none") != 0) {
        snprintf(why, len, "unknown zoned model '%s' in sysfs queue/zoned", v);
        return -EINVAL;
    }
    return 0;
}

int tio__zbd_dev_max_open(int fd, uint32_t *max, char *why, size_t len)
{
    char v[32];
    *max = 0;
    if (sysfs_read(fd, "max_open_zones", v, sizeof(v)) < 0)
        return 0; /* an older kernel: no limit known */
    char *end;
    unsigned long n = strtoul(v, &end, 10);
    if (end == v || *end || n > UINT32_MAX) {
        snprintf(why, len, "sysfs queue/max_open_zones reads '%s', not a number", v);
        return -EINVAL;
    }
    *max = (uint32_t)n;
    return 0;
}

#ifdef BLKREPORTZONE

/* One report from sector; the zones found into f->z from index j on. */
static int report(int fd, struct tio_zbd_file *f, struct blk_zone_report *rep, uint64_t sector,
                  uint32_t j, uint32_t *got, char *why, size_t len)
{
    memset(rep, 0, sizeof(*rep));
    rep->sector = sector;
    rep->nr_zones = f->nr - j < REPORT_MAX ? f->nr - j : REPORT_MAX;
    if (ioctl(fd, BLKREPORTZONE, rep) < 0) {
        int e = errno;
        snprintf(why, len, "report zones from sector %llu failed: %s",
                 (unsigned long long)sector, strerror(e));
        return -e;
    }
    if (!rep->nr_zones) {
        snprintf(why, len, "report zones from sector %llu is empty",
                 (unsigned long long)sector);
        return -EIO;
    }
    for (uint32_t i = 0; i < rep->nr_zones && j + i < f->nr; i++) {
        const struct blk_zone *b = &rep->zones[i];
        struct tio_zbd_zone *z = &f->z[j + i];
        z->start = b->start << 9;
        z->capacity = (rep->flags & BLK_ZONE_REP_CAPACITY ? b->capacity : b->len) << 9;
        z->type = b->type;
        z->cond = b->cond;
        z->has_wp = b->type == BLK_ZONE_TYPE_SEQWRITE_REQ;
        z->wp = b->cond == BLK_ZONE_COND_NOT_WP || b->cond == BLK_ZONE_COND_FULL
                    ? z->start + z->capacity
                    : b->wp << 9;
        if (j + i > 0 && z->start != z[-1].start + f->zone_size) {
            snprintf(why, len, "invalid zone data (zone %u starts at %llu)", j + i,
                     (unsigned long long)z->start);
            return -EINVAL;
        }
    }
    *got = rep->nr_zones;
    return 0;
}

int tio__zbd_dev_zones(int fd, struct tio_zbd_file *f, char *why, size_t len)
{
    uint32_t sectors = 0;
    if (ioctl(fd, BLKGETZONESZ, &sectors) < 0 || !sectors) {
        snprintf(why, len, "BLKGETZONESZ gives no zone size");
        return -EINVAL;
    }
    f->zone_size = (uint64_t)sectors << 9;
    f->nr = (uint32_t)((f->size + f->zone_size - 1) / f->zone_size);
    f->z = calloc((size_t)f->nr + 1, sizeof(*f->z));
    struct blk_zone_report *rep = malloc(sizeof(*rep) + REPORT_MAX * sizeof(struct blk_zone));
    if (!f->z || !rep) {
        free(rep);
        snprintf(why, len, "no memory for %u zones", f->nr);
        return -ENOMEM;
    }
    int rc = 0;
    uint32_t j = 0;
    while (rc == 0 && j < f->nr) {
        uint32_t got = 0;
        rc = report(fd, f, rep, j ? (f->z[j - 1].start + f->zone_size) >> 9 : 0, j, &got, why,
                    len);
        j += got;
    }
    free(rep);
    f->z[f->nr].start = (uint64_t)f->nr * f->zone_size; /* the sentinel */
    return rc;
}

int tio__zbd_dev_reset(int fd, uint64_t offset, uint64_t length)
{
    struct blk_zone_range r = {.sector = offset >> 9, .nr_sectors = length >> 9};
    return ioctl(fd, BLKRESETZONE, &r) < 0 ? -errno : 0;
}

#else /* no linux/blkzoned.h: no zoned devices */

int tio__zbd_dev_zones(int fd, struct tio_zbd_file *f, char *why, size_t len)
{
    (void)fd;
    (void)f;
    snprintf(why, len, "this system has no zoned block device interface");
    return -ENOTSUP;
}

int tio__zbd_dev_reset(int fd, uint64_t offset, uint64_t length)
{
    (void)fd;
    (void)offset;
    (void)length;
    return -ENOTSUP;
}

#endif
