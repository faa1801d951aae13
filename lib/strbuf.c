/* A growable string for building messages and listings. An allocation
 * failure marks the buffer failed and keeps what fits, so callers building
 * an error text never need a second error path. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

void tenon__sb_init(tenon__strbuf *sb)
{
    sb->data = NULL;
    sb->len = sb->cap = 0;
    sb->failed = false;
}

void tenon__sb_free(tenon__strbuf *sb)
{
    tenon__free(sb->data);
    tenon__sb_init(sb);
}

static bool sb_reserve(tenon__strbuf *sb, size_t extra)
{
    if (sb->failed)
        return false;
    if (tenon__grow((void **)&sb->data, &sb->cap, sb->len + extra + 1, 1) < 0) {
        sb->failed = true;
        return false;
    }
    return true;
}

void tenon__sb_add(tenon__strbuf *sb, const char *s)
{
    size_t n = strlen(s);
    if (!sb_reserve(sb, n))
        return;
    memcpy(sb->data + sb->len, s, n + 1);
    sb->len += n;
}

void tenon__sb_addf(tenon__strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !sb_reserve(sb, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

const char *tenon__sb_str(const tenon__strbuf *sb)
{
    return sb->data ? sb->data : "";
}
