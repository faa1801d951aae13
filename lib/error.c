/* Error codes, their names and texts (from the one X-macro list in
 * <tenon/error.h>), and the per-thread detailed error. The detailed error
 * lives in thread-local storage with fixed buffers so that reporting a
 * failure never allocates, even when the failure is an allocation. */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static _Thread_local tenon_error last_error;

static const char *const error_texts[] = {
#define TENON__ERR_TEXT(name, text) text,
    TENON_ERRNO_MAP(TENON__ERR_TEXT)
#undef TENON__ERR_TEXT
};

static const char *const error_names[] = {
#define TENON__ERR_NAME(name, text) "TENON_E" #name,
    TENON_ERRNO_MAP(TENON__ERR_NAME)
#undef TENON__ERR_NAME
};

static const char *const stage_names[] = {
#define TENON__STAGE_NAME(name, text) text,
    TENON_STAGE_MAP(TENON__STAGE_NAME)
#undef TENON__STAGE_NAME
};

const char *tenon_strerror(int code)
{
    if (code == 0)
        return "success";
    if (code < 0 && code >= -(int)TENON__ARRAY_SIZE(error_texts)) /* -INT_MIN overflows */
        return error_texts[-code - 1];
    return "unknown error";
}

const char *tenon_err_name(int code)
{
    if (code == 0)
        return "TENON_OK";
    if (code < 0 && code >= -(int)TENON__ARRAY_SIZE(error_names)) /* -INT_MIN overflows */
        return error_names[-code - 1];
    return "TENON_UNKNOWN";
}

const char *tenon_stage_name(tenon_stage stage)
{
    if ((size_t)stage < TENON__ARRAY_SIZE(stage_names))
        return stage_names[stage];
    return "unknown";
}

const tenon_error *tenon_last_error(void)
{
    return &last_error;
}

tenon_error *tenon__error_tls(void)
{
    return &last_error;
}

void tenon__strlcpy(char *dst, const char *src, size_t size)
{
    if (!size)
        return;
    size_t len = src ? strnlen(src, size - 1) : 0;
    if (len)
        memcpy(dst, src, len);
    dst[len] = '\0';
}

int tenon__vfail(int code, tenon_stage stage, const char *plugin, const char *path,
                 const char *hint, const char *fmt, va_list ap)
{
    int saved_errno = errno;
    tenon_error *e = &last_error;

    /* The arguments may point into the current error (when a caller rewraps
     * it), so everything is formatted into locals before e is written. */
    char message[TENON_ERROR_TEXT_MAX];
    char hint_copy[TENON_ERROR_TEXT_MAX];
    char plugin_copy[TENON_ERROR_NAME_MAX];
    char path_copy[TENON_ERROR_PATH_MAX];
    vsnprintf(message, sizeof(message), fmt, ap);
    tenon__strlcpy(hint_copy, hint, sizeof(hint_copy));
    tenon__strlcpy(plugin_copy, plugin, sizeof(plugin_copy));
    tenon__strlcpy(path_copy, path, sizeof(path_copy));

    e->code = code;
    e->stage = stage;
    e->sys_errno = saved_errno;
    memcpy(e->plugin, plugin_copy, sizeof(e->plugin));
    memcpy(e->path, path_copy, sizeof(e->path));
    memcpy(e->message, message, sizeof(e->message));
    memcpy(e->hint, hint_copy, sizeof(e->hint));
    errno = saved_errno;
    return code;
}

int tenon__fail(int code, tenon_stage stage, const char *plugin, const char *path,
                const char *hint, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tenon__vfail(code, stage, plugin, path, hint, fmt, ap);
    va_end(ap);
    return code;
}

int tenon__no_plugin_named(const tenon_registry *reg, tenon_stage stage, const char *name,
                           const char *hint)
{
    if (!reg->scan_called)
        return tenon__fail(TENON_ENOTFOUND, stage, name, NULL,
                           "call tenon_registry_scan first (after adding the plugin "
                           "folders): only it, tenon_registry_rescan, tenon_config_plan and "
                           "tenon_config_apply scan",
                           "no plugin named %s: the registry was never scanned, so it knows "
                           "only static plugins",
                           name);
    return tenon__fail(TENON_ENOTFOUND, stage, name, NULL,
                       hint ? hint : "check the name with `tenon list`", "no plugin named %s",
                       name);
}

int tenon__nomem(tenon_stage stage, const char *plugin)
{
    return tenon__fail(TENON_ENOMEM, stage, plugin, NULL, NULL, "out of memory");
}

tenon_error *tenon__error_dup_last(void)
{
    tenon_error *copy = tenon__malloc(sizeof(*copy));
    if (copy)
        memcpy(copy, &last_error, sizeof(*copy));
    return copy;
}

int tenon__error_restore(const tenon_error *err)
{
    if (err != &last_error)
        memcpy(&last_error, err, sizeof(last_error));
    return err->code;
}

int tenon_error_format(const tenon_error *err, char *buf, size_t size)
{
    TENON__CHECK_ARG(buf || !size, TENON_STAGE_NONE, "buf is NULL", TENON_EINVAL);
    if (!err)
        err = &last_error;
    char where[TENON_ERROR_NAME_MAX + 8] = "";
    if (err->plugin[0])
        snprintf(where, sizeof(where), "%s: ", err->plugin);
    char path[TENON_ERROR_PATH_MAX + 4] = "";
    if (err->path[0] && !strstr(err->message, err->path))
        snprintf(path, sizeof(path), " (%s)", err->path);
    return snprintf(buf, size, "%s: %s%s%s%s%s", tenon_stage_name(err->stage), where,
                    err->message, path, err->hint[0] ? "; " : "", err->hint);
}
