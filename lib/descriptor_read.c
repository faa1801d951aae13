/* Public descriptor reading for tools: the same reader the registry uses,
 * without a registry and without any permission policy. */
#include "internal.h"

#include <sys/stat.h>
#include <unistd.h>

int tenon_descriptor_read_fd(int fd, const char *path, tenon_plugin_desc **out)
{
    TENON__CHECK_ARG(out, TENON_STAGE_SCAN, "out is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(fd >= 0, TENON_STAGE_SCAN, "fd is negative", TENON_EINVAL);
    *out = NULL;
    struct stat st;
    if (fstat(fd, &st) != 0)
        return tenon__fail(TENON_EIO, TENON_STAGE_SCAN, NULL, path, NULL,
                           "cannot stat the file");
    if (!S_ISREG(st.st_mode))
        return tenon__file_policy(&st, path);
    void *raw;
    size_t raw_size;
    int rc = tenon__elf_read_note(fd, st.st_size, path, &raw, &raw_size);
    if (rc < 0)
        return rc;
    rc = tenon__desc_from_raw(raw, raw_size, path, out);
    tenon__free(raw);
    return rc;
}

int tenon_descriptor_read(const char *path, tenon_plugin_desc **out)
{
    TENON__CHECK_ARG(out, TENON_STAGE_SCAN, "out is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(path, TENON_STAGE_SCAN, "path is NULL", TENON_EINVAL);
    *out = NULL;
    char *canonical;
    int rc = tenon__path_canonical(path, TENON_STAGE_SCAN, &canonical);
    if (rc < 0)
        return rc;
    int fd;
    struct stat st;
    rc = tenon__open_plugin_file(canonical, &fd, &st);
    if (rc == 0) {
        rc = tenon_descriptor_read_fd(fd, canonical, out);
        close(fd);
    }
    tenon__free(canonical);
    return rc;
}

int tenon_descriptor_read_memory(const void *image, size_t size, const char *name,
                                 tenon_plugin_desc **out)
{
    TENON__CHECK_ARG(out, TENON_STAGE_SCAN, "out is NULL", TENON_EINVAL);
    TENON__CHECK_ARG(image || !size, TENON_STAGE_SCAN, "image is NULL", TENON_EINVAL);
    *out = NULL;
    void *raw;
    size_t raw_size;
    int rc = tenon__elf_read_note_memory(image, size, name, &raw, &raw_size);
    if (rc < 0)
        return rc;
    rc = tenon__desc_from_raw(raw, raw_size, name, out);
    tenon__free(raw);
    return rc;
}
