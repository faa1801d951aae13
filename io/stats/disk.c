#include "tio_disk.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

int tio_disk_stat_read(const char *name, struct tio_disk_stat *out)
{
    char path[PATH_MAX];
    if (strchr(name, '/'))
        return -EINVAL;
    snprintf(path, sizeof(path), "/sys/block/%s/stat", name);
    FILE *f = fopen(path, "re");
    if (!f)
        return -errno;
    /* Fields: reads, read merges, read sectors, read ticks, writes, write
     * merges, write sectors, write ticks, in flight, io ticks, queue time. */
    uint64_t sectors_r, sectors_w, in_flight;
    int n = fscanf(f,
                   "%" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64
                   " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64 " %" SCNu64,
                   &out->ios[0], &out->merges[0], &sectors_r, &out->ticks[0], &out->ios[1],
                   &out->merges[1], &sectors_w, &out->ticks[1], &in_flight, &out->io_ticks,
                   &out->in_queue);
    fclose(f);
    return n == 11 ? 0 : -EPROTO;
}

static int dev_of(const char *path, dev_t *dev)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        *dev = S_ISBLK(st.st_mode) ? st.st_rdev : st.st_dev;
        return 0;
    }
    if (errno != ENOENT)
        return -errno;
    /* Not created yet: its folder decides where it will live. */
    char *copy = strdup(path);
    if (!copy)
        return -ENOMEM;
    char *slash = strrchr(copy, '/');
    const char *dir = ".";
    if (slash == copy)
        dir = "/";
    else if (slash) {
        *slash = '\0';
        dir = copy;
    }
    int rc = stat(dir, &st) == 0 ? 0 : -errno;
    if (rc == 0)
        *dev = st.st_dev;
    free(copy);
    return rc;
}

int tio_disk_for_path(const char *path, char *name, size_t size)
{
    dev_t dev;
    int rc = dev_of(path, &dev);
    if (rc)
        return rc;
    char link[PATH_MAX], real[PATH_MAX];
    snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", major(dev), minor(dev));
    if (!realpath(link, real))
        return errno == ENOENT ? -ENODEV : -errno;
    /* A partition's folder sits inside its disk's and has a "partition"
     * file; the disk is what /sys/block lists. */
    char part[PATH_MAX + 16];
    snprintf(part, sizeof(part), "%s/partition", real);
    if (access(part, F_OK) == 0) {
        char *slash = strrchr(real, '/');
        if (slash)
            *slash = '\0';
    }
    const char *base = strrchr(real, '/');
    base = base ? base + 1 : real;
    char check[PATH_MAX + 32];
    snprintf(check, sizeof(check), "/sys/block/%s/stat", base);
    if (access(check, R_OK) != 0)
        return -ENODEV;
    if ((size_t)snprintf(name, size, "%s", base) >= size)
        return -ENAMETOOLONG;
    return 0;
}

static uint64_t diff(uint64_t a, uint64_t b)
{
    return b > a ? b - a : 0;
}

void tio_disk_util_compute(const char *name, const struct tio_disk_stat *start,
                           const struct tio_disk_stat *end, uint64_t elapsed_ms,
                           struct tio_disk_util *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->name, sizeof(out->name), "%s", name);
    for (int i = 0; i < 2; i++) {
        out->ios[i] = diff(start->ios[i], end->ios[i]);
        out->merges[i] = diff(start->merges[i], end->merges[i]);
        out->ticks[i] = diff(start->ticks[i], end->ticks[i]);
    }
    out->in_queue = diff(start->in_queue, end->in_queue);
    if (elapsed_ms) {
        out->util = (double)diff(start->io_ticks, end->io_ticks) * 100.0 / (double)elapsed_ms;
        if (out->util > 100.0)
            out->util = 100.0;
    }
}

struct watched {
    char name[64];
    struct tio_disk_stat start;
};

struct tio_disk_watch {
    struct watched *disks;
    size_t n;
    uint64_t start_ms;
};

struct tio_disk_watch *tio_disk_watch_new(void)
{
    return calloc(1, sizeof(struct tio_disk_watch));
}

void tio_disk_watch_free(struct tio_disk_watch *w)
{
    if (!w)
        return;
    free(w->disks);
    free(w);
}

int tio_disk_watch_add_path(struct tio_disk_watch *w, const char *path)
{
    char name[64];
    int rc = tio_disk_for_path(path, name, sizeof(name));
    if (rc)
        return rc;
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->disks[i].name, name) == 0)
            return 0;
    struct watched *d = realloc(w->disks, (w->n + 1) * sizeof(*d));
    if (!d)
        return -ENOMEM;
    w->disks = d;
    memset(&w->disks[w->n], 0, sizeof(w->disks[w->n]));
    snprintf(w->disks[w->n].name, sizeof(w->disks[w->n].name), "%s", name);
    w->n++;
    return 0;
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int tio_disk_watch_start(struct tio_disk_watch *w)
{
    for (size_t i = 0; i < w->n; i++) {
        int rc = tio_disk_stat_read(w->disks[i].name, &w->disks[i].start);
        if (rc)
            return rc;
    }
    w->start_ms = mono_ms();
    return 0;
}

int tio_disk_watch_stop(struct tio_disk_watch *w, struct tio_report *rep)
{
    uint64_t elapsed = mono_ms() - w->start_ms;
    for (size_t i = 0; i < w->n; i++) {
        struct tio_disk_stat end;
        int rc = tio_disk_stat_read(w->disks[i].name, &end);
        if (rc)
            return rc;
        struct tio_disk_util u;
        tio_disk_util_compute(w->disks[i].name, &w->disks[i].start, &end, elapsed, &u);
        rc = tio_report_add_disk(rep, &u);
        if (rc)
            return rc;
    }
    return 0;
}
