/* ioscheduler=: the job's thread switches the IO scheduler of its block
 * devices before the IO, as fio does: it writes the name to the disk's
 * queue/scheduler in sysfs (a partition's disk for a partition) and reads
 * it back to check it took. tenon-io does it for block devices the job
 * names only: fio also switches the disk under a regular file, which
 * would change the scheduler of a disk the job never names. A scheduler
 * the device does not offer is refused before anything is written. */
#include "files.h"
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* The sysfs queue/scheduler file of the disk holding device rdev. */
static int scheduler_path(dev_t rdev, char *out, size_t size)
{
    char dev[64], real[PATH_MAX], probe[PATH_MAX + 16];
    snprintf(dev, sizeof(dev), "/sys/dev/block/%u:%u", major(rdev), minor(rdev));
    if (!realpath(dev, real))
        return -1;
    /* a partition's queue is its disk's: the folder above it */
    snprintf(probe, sizeof(probe), "%s/partition", real);
    if (access(probe, F_OK) == 0) {
        char *slash = strrchr(real, '/');
        if (slash)
            *slash = '\0';
    }
    return snprintf(out, size, "%s/queue/scheduler", real) < (int)size ? 0 : -1;
}

/* Whether the scheduler list ("none [mq-deadline] kyber") offers name. */
static bool offers(const char *list, const char *name, bool *current)
{
    char copy[512];
    snprintf(copy, sizeof(copy), "%s", list);
    for (char *save = NULL, *tok = strtok_r(copy, " \n", &save); tok;
         tok = strtok_r(NULL, " \n", &save)) {
        size_t n = strlen(tok);
        bool cur = n > 2 && tok[0] == '[' && tok[n - 1] == ']';
        if (cur ? (n - 2 == strlen(name) && strncmp(tok + 1, name, n - 2) == 0)
                : strcmp(tok, name) == 0) {
            *current = cur;
            return true;
        }
    }
    return false;
}

static int read_list(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n < 0)
        return -1;
    buf[n] = '\0';
    return 0;
}

static int switch_one(struct worker *w, size_t i)
{
    const char *name = w->job->files.ioscheduler;
    const char *dev = w->h[i].file.name;
    char path[PATH_MAX], list[512];
    bool current = false;
    if (scheduler_path(w->t->targets[i].rdev, path, sizeof(path)) < 0 ||
        read_list(path, list, sizeof(list)) < 0) {
        tio_worker_fail(w, errno ? errno : ENOENT,
                        "ioscheduler: %s has no IO scheduler tenon-io can find in sysfs "
                        "(queue/scheduler): %s",
                        dev, strerror(errno ? errno : ENOENT));
        return -1;
    }
    list[strcspn(list, "\n")] = '\0';
    if (!offers(list, name, &current) || strcmp(list, "none") == 0) {
        tio_worker_fail(w, EINVAL,
                        "ioscheduler=%s: %s does not offer that scheduler (it offers: %s)",
                        name, dev, list);
        return -1;
    }
    if (current)
        return 0;
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    ssize_t n = fd < 0 ? -1 : write(fd, name, strlen(name));
    int e = errno;
    if (fd >= 0)
        close(fd);
    /* read back, as fio: the name must now be the one in brackets */
    if (n != (ssize_t)strlen(name) || read_list(path, list, sizeof(list)) < 0 ||
        !offers(list, name, &current) || !current) {
        tio_worker_fail(w, n < 0 ? e : EINVAL, "ioscheduler=%s: cannot switch %s to it: %s",
                        name, dev, n < 0 ? strerror(e) : "the device kept its scheduler");
        return -1;
    }
    return 0;
}

int tio_iosched_switch(struct worker *w)
{
    const struct tio_host_job *t = w->t;
    if (!w->job->files.ioscheduler)
        return 0;
    if (!tio_files_has_path_targets(t)) {
        tio_worker_fail(w, EINVAL,
                        "ioscheduler needs the job's block devices, and engine %s has no "
                        "files",
                        t->engine.label);
        return -1;
    }
    for (size_t i = 0; i < w->nf; i++) {
        if (t->targets[i].type != S_IFBLK) {
            tio_worker_fail(w, EINVAL,
                            "ioscheduler: %s is not a block device; tenon-io switches the "
                            "scheduler of block devices the job names only (fio would "
                            "switch the disk under the file); name the device in "
                            "filename=, or drop ioscheduler",
                            w->h[i].file.name);
            return -1;
        }
        if (switch_one(w, i) < 0)
            return -1;
    }
    return 0;
}
