/* Error codes, origins and message formatting. */
#include <stdio.h>
#include <string.h>

#include "job_internal.h"

static const struct {
    const char *name;
    const char *text;
} err_table[] = {{"OK", "success"},
#define TIO__ERR_ROW(name, text) {"E" #name, text},
                 TIO_ERRNO_MAP(TIO__ERR_ROW)
#undef TIO__ERR_ROW
};

const char *tio_err_name(int code)
{
    if (code > 0 || (size_t)-code >= TIO__ARRAY_LEN(err_table))
        return "EUNKNOWN_ERROR";
    return err_table[-code].name;
}

const char *tio_strerror(int code)
{
    if (code > 0 || (size_t)-code >= TIO__ARRAY_LEN(err_table))
        return "unknown error";
    return err_table[-code].text;
}

size_t tio_origin_format(const struct tio_origin *o, char *buf, size_t size)
{
    int n;

    if (!o || o->kind == TIO_ORIGIN_NONE)
        n = snprintf(buf, size, "default");
    else if (o->kind == TIO_ORIGIN_FILE)
        n = snprintf(buf, size, "%s:%u", o->file ? o->file : "<buffer>", o->line);
    else
        n = snprintf(buf, size, "argument %u ('%s')", o->arg, o->argtext ? o->argtext : "");
    return n < 0 ? 0 : (size_t)n;
}

void tio_error_clear(struct tio_error *err)
{
    if (!err)
        return;
    err->code = TIO_OK;
    err->text[0] = '\0';
}

/* Values can be long (a filename list, a whole line of garbage): keep the
 * message readable and leave room for the fix-it part. */
#define TIO__CLIP_MAX 96

void tio__clip(char *dst, size_t size, const char *s)
{
    size_t len = strlen(s);
    size_t max = size - 1 < TIO__CLIP_MAX ? size - 1 : TIO__CLIP_MAX;

    if (len <= max) {
        memcpy(dst, s, len + 1);
        return;
    }
    memcpy(dst, s, max - 3);
    memcpy(dst + max - 3, "...", 4);
}

int tio_error_setv(struct tio_error *err, int code, const struct tio_origin *where,
                   const char *key, const char *value, const char *fmt, va_list ap)
{
    char clipped[TIO__CLIP_MAX + 1];
    size_t off = 0;
    int n;

    if (!err)
        return code;
    err->code = code;
    err->text[0] = '\0';
    if (where) {
        off = tio_origin_format(where, err->text, sizeof(err->text));
        if (off >= sizeof(err->text))
            off = sizeof(err->text) - 1;
        n = snprintf(err->text + off, sizeof(err->text) - off, ": ");
        off += n > 0 ? (size_t)n : 0;
    }
    if (key && off < sizeof(err->text)) {
        tio__clip(clipped, sizeof(clipped), key);
        n = snprintf(err->text + off, sizeof(err->text) - off, "%s", clipped);
        off += n > 0 ? (size_t)n : 0;
        if (value && off < sizeof(err->text)) {
            tio__clip(clipped, sizeof(clipped), value);
            n = snprintf(err->text + off, sizeof(err->text) - off, "=%s", clipped);
            off += n > 0 ? (size_t)n : 0;
        }
        if (off < sizeof(err->text)) {
            n = snprintf(err->text + off, sizeof(err->text) - off, ": ");
            off += n > 0 ? (size_t)n : 0;
        }
    }
    if (off < sizeof(err->text))
        vsnprintf(err->text + off, sizeof(err->text) - off, fmt, ap);
    return code;
}

int tio_error_set(struct tio_error *err, int code, const struct tio_origin *where,
                  const char *key, const char *value, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    tio_error_setv(err, code, where, key, value, fmt, ap);
    va_end(ap);
    return code;
}

int tio__oom(struct tio_error *err)
{
    return tio_error_set(err, TIO_ENOMEM, NULL, NULL, NULL, "out of memory while parsing jobs");
}
