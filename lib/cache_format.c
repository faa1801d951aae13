/* The registry cache's bytes: encoding entries, and reading them back with
 * every length and offset checked (the reader is fuzzed). Files and the
 * registry are cache.c's business; see cache_internal.h for the layout. */
#include "cache_internal.h"
#include "descriptor_internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t tenon__now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- Byte buffer ----------------------------------------------------------- */

void tenon__bytes_free(tenon__bytes *b)
{
    tenon__free(b->data);
    memset(b, 0, sizeof(*b));
}

void tenon__bytes_add(tenon__bytes *b, const void *data, size_t len)
{
    if (b->failed || !len)
        return;
    if (b->len + len > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + len)
            cap *= 2;
        unsigned char *grown = tenon__realloc(b->data, cap);
        if (!grown) {
            b->failed = true;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
}

static void add_u8(tenon__bytes *b, uint8_t v)
{
    tenon__bytes_add(b, &v, 1);
}
static void add_u16(tenon__bytes *b, uint16_t v)
{
    tenon__bytes_add(b, &v, 2);
}
static void add_u32(tenon__bytes *b, uint32_t v)
{
    tenon__bytes_add(b, &v, 4);
}
static void add_u64(tenon__bytes *b, uint64_t v)
{
    tenon__bytes_add(b, &v, 8);
}

/* Strings longer than the format allows are cut; the writers only hand in
 * strings that already fit their field. */
static void add_str(tenon__bytes *b, const char *s)
{
    size_t len = s ? strlen(s) : 0;
    if (len > UINT16_MAX)
        len = UINT16_MAX;
    add_u16(b, (uint16_t)len);
    tenon__bytes_add(b, s, len);
    add_u8(b, 0);
}

/* ---- Checksum -------------------------------------------------------------- */

uint64_t tenon__cache_sum(const void *data, size_t size)
{
    /* Four independent lanes, so the multiplies overlap (a cache of ten
     * thousand plugins is a few MiB to sum at every scan). */
    const unsigned char *p = data;
    const uint64_t k = 0x9e3779b97f4a7c15ull;
    uint64_t h[4] = {0x243f6a8885a308d3ull ^ (size * k), 0x13198a2e03707344ull,
                     0xa4093822299f31d0ull, 0x082efa98ec4e6c89ull};
    size_t i = 0;
    for (; i + 32 <= size; i += 32) {
        for (int lane = 0; lane < 4; lane++) {
            uint64_t w;
            memcpy(&w, p + i + 8 * (size_t)lane, 8);
            h[lane] = (h[lane] ^ w) * k;
            h[lane] ^= h[lane] >> 31;
        }
    }
    for (; i + 8 <= size; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h[0] = (h[0] ^ w) * k;
        h[0] ^= h[0] >> 31;
    }
    uint64_t tail = 0;
    if (size > i)
        memcpy(&tail, p + i, size - i);
    uint64_t x = h[0] ^ (h[1] * 0xc2b2ae3d27d4eb4full) ^ (h[2] * 0x165667b19e3779f9ull) ^
                 (h[3] * 0xd6e8feb86659fd93ull) ^ tail;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* ---- Encoding -------------------------------------------------------------- */

static void encode_error(tenon__bytes *b, const tenon_error *e)
{
    add_u32(b, (uint32_t)e->code);
    add_u8(b, (uint8_t)e->stage);
    add_u32(b, (uint32_t)e->sys_errno);
    add_str(b, e->plugin);
    add_str(b, e->path);
    add_str(b, e->message);
    add_str(b, e->hint);
}

static void encode_desc(tenon__bytes *b, const tenon_plugin_desc *d)
{
    add_u16(b, (uint16_t)d->layout);
    add_u16(b, (uint16_t)d->abi_major);
    add_u16(b, (uint16_t)d->abi_minor);
    add_u32(b, d->flags);
    add_str(b, d->name);
    add_str(b, d->version);
    add_str(b, d->description);
    add_str(b, d->license);
    add_str(b, d->url);
    add_u8(b, (uint8_t)d->n_deps);
    add_u8(b, (uint8_t)d->n_provides);
    add_u8(b, (uint8_t)d->n_overrides);
    add_u8(b, (uint8_t)d->n_options);
    add_u8(b, (uint8_t)d->n_meta);
    for (size_t i = 0; i < d->n_deps; i++) {
        add_str(b, d->deps[i].name);
        add_str(b, d->deps[i].range);
    }
    for (size_t i = 0; i < d->n_provides; i++) {
        add_str(b, d->provides[i].name);
        add_u32(b, d->provides[i].version);
        add_u32(b, (uint32_t)d->provides[i].rank);
    }
    for (size_t i = 0; i < d->n_overrides; i++)
        add_str(b, d->overrides[i]);
    for (size_t i = 0; i < d->n_options; i++) {
        const tenon_option *o = &d->options[i];
        add_str(b, o->name);
        add_u8(b, (uint8_t)o->type);
        add_u32(b, o->flags);
        add_str(b, o->def);
        add_str(b, o->help);
        add_str(b, o->choices);
        add_u64(b, (uint64_t)o->min);
        add_u64(b, (uint64_t)o->max);
    }
    for (size_t i = 0; i < d->n_meta; i++) {
        add_str(b, d->meta[i].key);
        add_str(b, d->meta[i].value);
    }
}

void tenon__cache_encode(tenon__bytes *out, const tenon_cache_entry *e)
{
    size_t start = out->len;
    uint16_t flags = e->folder ? (uint16_t)TENON__CACHE_E_FOLDER
                               : (uint16_t)((e->desc ? TENON__CACHE_E_DESC : 0) |
                                            (e->error ? TENON__CACHE_E_ERROR : 0));
    uint8_t check = e->folder ? TENON_CHECK_NONE : (uint8_t)e->check;
    if (check == TENON_CHECK_FAILED && !e->check_error)
        check = TENON_CHECK_NONE;
    add_u32(out, 0); /* size, patched below */
    add_u16(out, flags);
    add_u8(out, check);
    add_u8(out, 0);
    add_u64(out, e->dev);
    add_u64(out, e->ino);
    add_u64(out, (uint64_t)e->size);
    add_u64(out, (uint64_t)e->mtime_ns);
    add_u64(out, (uint64_t)e->ctime_ns);
    add_u64(out, (uint64_t)e->read_ns);
    add_u64(out, (uint64_t)e->checked_ns);
    add_u64(out, check == TENON_CHECK_NONE ? 0 : e->check_key);
    add_str(out, e->path);
    if (e->folder) {
        add_u32(out, (uint32_t)e->n_names);
        for (size_t i = 0; i < e->n_names; i++)
            add_str(out, e->names[i]);
    } else {
        if (e->desc)
            encode_desc(out, e->desc);
        if (e->error)
            encode_error(out, e->error);
        if (check == TENON_CHECK_FAILED)
            encode_error(out, e->check_error);
    }
    static const unsigned char zeros[8];
    tenon__bytes_add(out, zeros, (8 - (out->len - start) % 8) % 8);
    if (out->failed)
        return;
    uint32_t size = (uint32_t)(out->len - start);
    memcpy(out->data + start, &size, 4);
}

void tenon__cache_header(unsigned char h[TENON__CACHE_HEADER_SIZE], const unsigned char *body,
                         size_t body_size, uint32_t n_entries, int64_t written_ns)
{
    memset(h, 0, TENON__CACHE_HEADER_SIZE);
    memcpy(h, TENON__CACHE_MAGIC, 8);
    uint32_t v32 = TENON__CACHE_VERSION;
    memcpy(h + 8, &v32, 4);
    v32 = TENON__CACHE_HEADER_SIZE;
    memcpy(h + 12, &v32, 4);
    v32 = TENON__CACHE_BYTE_ORDER;
    memcpy(h + 16, &v32, 4);
    uint16_t v16 = TENON_ABI_MAJOR;
    memcpy(h + 20, &v16, 2);
    v16 = TENON_ABI_MINOR;
    memcpy(h + 22, &v16, 2);
    memcpy(h + 24, &written_ns, 8);
    uint64_t v64 = body_size;
    memcpy(h + 32, &v64, 8);
    memcpy(h + 40, &n_entries, 4);
    v64 = tenon__cache_sum(body, body_size);
    memcpy(h + 48, &v64, 8);
    v64 = tenon__cache_sum(h, 56);
    memcpy(h + 56, &v64, 8);
}

/* ---- Reading --------------------------------------------------------------- */

int tenon__cache_malformed(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = tenon__vfail(TENON_ECACHE, TENON_STAGE_CACHE, NULL, NULL,
                          "it is rebuilt by the next scan (or run: tenon cache rebuild)", fmt,
                          ap);
    va_end(ap);
    return rc;
}

int tenon__cache_check_image(const unsigned char *image, size_t size, unsigned flags,
                             const unsigned char **body, size_t *body_size, uint32_t *n_entries,
                             int64_t *written_ns)
{
    if (size < TENON__CACHE_HEADER_SIZE)
        return tenon__cache_malformed("the file is %zu bytes, shorter than the %u-byte header",
                                      size, TENON__CACHE_HEADER_SIZE);
    if (memcmp(image, TENON__CACHE_MAGIC, 8) != 0)
        return tenon__cache_malformed("it is not a tenon registry cache (bad magic number)");
    uint32_t version, header_size, order;
    memcpy(&version, image + 8, 4);
    memcpy(&header_size, image + 12, 4);
    memcpy(&order, image + 16, 4);
    if (order != TENON__CACHE_BYTE_ORDER)
        return tenon__cache_malformed("it was written on a machine of the other byte order");
    if (version != TENON__CACHE_VERSION)
        return tenon__cache_malformed("it is in cache format version %u; this library reads "
                                      "version %u",
                                      version, TENON__CACHE_VERSION);
    if (header_size != TENON__CACHE_HEADER_SIZE)
        return tenon__cache_malformed("its header size is %u, not %u", header_size,
                                      TENON__CACHE_HEADER_SIZE);
    uint64_t sum, bsize;
    if (!(flags & TENON_CACHE_PARSE_NO_CHECKSUM)) {
        memcpy(&sum, image + 56, 8);
        if (sum != tenon__cache_sum(image, 56))
            return tenon__cache_malformed(
                "its header checksum does not match (the file is damaged)");
    }
    memcpy(&bsize, image + 32, 8);
    if (bsize != size - TENON__CACHE_HEADER_SIZE)
        return tenon__cache_malformed("its header announces %llu bytes of entries but %zu "
                                      "follow (the file is "
                                      "truncated or has trailing bytes)",
                                      (unsigned long long)bsize,
                                      size - TENON__CACHE_HEADER_SIZE);
    if (!(flags & TENON_CACHE_PARSE_NO_CHECKSUM)) {
        memcpy(&sum, image + 48, 8);
        if (sum != tenon__cache_sum(image + TENON__CACHE_HEADER_SIZE, (size_t)bsize))
            return tenon__cache_malformed(
                "the checksum of its entries does not match (the file is damaged)");
    }
    uint32_t reserved;
    memcpy(&reserved, image + 44, 4);
    if (reserved != 0)
        return tenon__cache_malformed("reserved header bytes are not zero");
    *body = image + TENON__CACHE_HEADER_SIZE;
    *body_size = (size_t)bsize;
    memcpy(n_entries, image + 40, 4);
    memcpy(written_ns, image + 24, 8);
    /* Every entry takes at least ENTRY_FIXED bytes. */
    if (*n_entries > *body_size / TENON__CACHE_ENTRY_FIXED)
        return tenon__cache_malformed("its header announces %u entries, more than %zu bytes "
                                      "can hold",
                                      *n_entries, *body_size);
    return 0;
}

/* A bounded reader over untrusted bytes. Reads past the end fail once and
 * leave the cursor failed; callers check ok at the end. */
typedef struct cursor {
    const unsigned char *p, *end;
    bool ok;
} cursor;

static bool take(cursor *c, void *out, size_t n)
{
    if (!c->ok || (size_t)(c->end - c->p) < n) {
        c->ok = false;
        memset(out, 0, n);
        return false;
    }
    memcpy(out, c->p, n);
    c->p += n;
    return true;
}

static uint8_t get_u8(cursor *c)
{
    uint8_t v;
    take(c, &v, 1);
    return v;
}
static uint16_t get_u16(cursor *c)
{
    uint16_t v;
    take(c, &v, 2);
    return v;
}
static uint32_t get_u32(cursor *c)
{
    uint32_t v;
    take(c, &v, 4);
    return v;
}
static uint64_t get_u64(cursor *c)
{
    uint64_t v;
    take(c, &v, 8);
    return v;
}

typedef tenon__text cstr;

/* A string of at most cap-1 bytes, NUL-terminated in place. */
static cstr get_str(cursor *c, size_t cap)
{
    cstr out = {"", 0};
    uint16_t len = get_u16(c);
    if (!c->ok)
        return out;
    /* A NUL inside is a control byte, which descriptor strings are
     * checked for. */
    if ((size_t)len >= cap || (size_t)(c->end - c->p) < (size_t)len + 1 || c->p[len] != '\0') {
        c->ok = false;
        return out;
    }
    out.s = (const char *)c->p;
    out.len = len;
    c->p += len + 1;
    return out;
}

int tenon__cache_next(const unsigned char *body, size_t body_size, size_t *offset,
                      tenon__cache_raw *raw)
{
    size_t off = *offset;
    if (off >= body_size)
        return 0;
    size_t left = body_size - off;
    uint32_t size;
    if (left < TENON__CACHE_ENTRY_FIXED)
        return tenon__cache_malformed("entry at byte %zu is cut short", off);
    memcpy(&size, body + off, 4);
    if (size < TENON__CACHE_ENTRY_FIXED || size % 8 || size > left)
        return tenon__cache_malformed("entry at byte %zu has an impossible size (%u)", off,
                                      size);
    cursor c = {body + off + 4, body + off + size, true};
    memset(raw, 0, sizeof(*raw));
    raw->start = body + off;
    raw->size = size;
    raw->flags = get_u16(&c);
    raw->check = get_u8(&c);
    uint8_t reserved = get_u8(&c);
    raw->dev = get_u64(&c);
    raw->ino = get_u64(&c);
    raw->size_bytes = (int64_t)get_u64(&c);
    raw->mtime_ns = (int64_t)get_u64(&c);
    raw->ctime_ns = (int64_t)get_u64(&c);
    raw->read_ns = (int64_t)get_u64(&c);
    raw->checked_ns = (int64_t)get_u64(&c);
    raw->check_key = get_u64(&c);
    cstr path = get_str(&c, TENON_ERROR_PATH_MAX);
    bool folder = raw->flags == TENON__CACHE_E_FOLDER;
    if (!c.ok || reserved ||
        raw->flags & ~(TENON__CACHE_E_DESC | TENON__CACHE_E_ERROR | TENON__CACHE_E_FOLDER) ||
        raw->check > TENON_CHECK_FAILED || (folder && raw->check) ||
        (raw->check == TENON_CHECK_NONE && raw->check_key))
        return tenon__cache_malformed("entry at byte %zu is malformed", off);
    if (path.len == 0 || path.s[0] != '/')
        return tenon__cache_malformed("entry at byte %zu names no absolute file", off);
    if (!folder && (!(raw->flags & (TENON__CACHE_E_DESC | TENON__CACHE_E_ERROR)) ||
                    (raw->flags & TENON__CACHE_E_FOLDER)))
        return tenon__cache_malformed(
            "entry at byte %zu (%s) holds neither a descriptor nor an error", off, path.s);
    raw->path = path.s;
    raw->path_len = path.len;
    raw->payload = c.p;
    raw->end = c.end;
    *offset = off + size;
    return 1;
}

/* ---- Descriptors ----------------------------------------------------------- */

/* The descriptor as the entry holds it: strings in place, lists counted.
 * The rules and the view are descriptor.c's. */
static void read_fields(cursor *c, tenon__desc_fields *f)
{
    f->layout = get_u16(c);
    f->abi_major = get_u16(c);
    f->abi_minor = get_u16(c);
    f->flags = get_u32(c);
    f->name = get_str(c, TENON_NAME_MAX);
    f->version = get_str(c, TENON_VERSION_MAX);
    f->description = get_str(c, TENON_DESCRIPTION_MAX);
    f->license = get_str(c, TENON_LICENSE_MAX);
    f->url = get_str(c, TENON_URL_MAX);
    f->n_requires = get_u8(c);
    f->n_provides = get_u8(c);
    f->n_overrides = get_u8(c);
    f->n_options = get_u8(c);
    f->n_meta = get_u8(c);
    if (f->n_requires > TENON_MAX_REQUIRES || f->n_provides > TENON_MAX_PROVIDES ||
        f->n_overrides > TENON_MAX_OVERRIDES || f->n_options > TENON_MAX_OPTIONS ||
        f->n_meta > TENON_MAX_META) {
        c->ok = false;
        return;
    }
    for (size_t i = 0; i < f->n_requires; i++) {
        f->requires[i].name = get_str(c, TENON_NAME_MAX);
        f->requires[i].range = get_str(c, TENON_RANGE_MAX);
        f->requires[i].slot = i;
    }
    for (size_t i = 0; i < f->n_provides; i++) {
        f->provides[i].name = get_str(c, TENON_NAME_MAX);
        f->provides[i].version = get_u32(c);
        f->provides[i].rank = (int32_t)get_u32(c);
        f->provides[i].slot = i;
    }
    for (size_t i = 0; i < f->n_overrides; i++) {
        f->overrides[i].name = get_str(c, TENON_NAME_MAX);
        f->overrides[i].slot = i;
    }
    for (size_t i = 0; i < f->n_options; i++) {
        f->options[i].name = get_str(c, TENON_OPTION_NAME_MAX);
        f->options[i].type = get_u8(c);
        f->options[i].flags = get_u32(c);
        f->options[i].def = get_str(c, TENON_OPTION_DEFAULT_MAX);
        f->options[i].help = get_str(c, TENON_OPTION_HELP_MAX);
        f->options[i].choices = get_str(c, TENON_OPTION_CHOICES_MAX);
        f->options[i].min = (int64_t)get_u64(c);
        f->options[i].max = (int64_t)get_u64(c);
        f->options[i].slot = i;
    }
    for (size_t i = 0; i < f->n_meta; i++) {
        f->meta[i].key = get_str(c, TENON_META_KEY_MAX);
        f->meta[i].value = get_str(c, TENON_META_VALUE_MAX);
        f->meta[i].slot = i;
    }
}

/* Reads, checks and builds an entry's descriptor. On a defect *desc is
 * NULL and what (size bytes) says what is wrong. Errors: TENON_ENOMEM. */
static int read_desc(cursor *c, bool strict, tenon_plugin_desc **desc, char *what, size_t size)
{
    *desc = NULL;
    tenon__desc_fields f;
    read_fields(c, &f);
    tenon__desc_defect defect;
    if (!c->ok) {
        snprintf(what, size, "its descriptor is cut short or oversized");
        return 0;
    }
    if (!tenon__desc_fields_check(&f, &defect)) {
        snprintf(what, size, "descriptor field '%s' %s", defect.field, defect.why);
        return 0;
    }
    tenon_plugin_desc *d = tenon__desc_build(&f);
    if (!d)
        return tenon__nomem(TENON_STAGE_CACHE, NULL);
    size_t option;
    char why[160];
    if (strict && !tenon__desc_defaults_ok(d, &option, why, sizeof(why))) {
        snprintf(what, size, "descriptor field 'options[%zu].def' does not parse", option);
        tenon_descriptor_free(d);
        return 0;
    }
    *desc = d;
    return 0;
}

/* ---- Errors ---------------------------------------------------------------- */

static bool read_error(cursor *c, tenon_error *e)
{
    memset(e, 0, sizeof(*e));
    e->code = (int)get_u32(c);
    uint8_t stage = get_u8(c);
    e->sys_errno = (int)get_u32(c);
    cstr plugin = get_str(c, sizeof(e->plugin));
    cstr path = get_str(c, sizeof(e->path));
    cstr message = get_str(c, sizeof(e->message));
    cstr hint = get_str(c, sizeof(e->hint));
    /* Codes are small negative numbers; anything else is damage (and
     * would overflow code that negates it). */
    if (!c->ok || e->code >= 0 || e->code < -65535 || stage > TENON_STAGE_CHECK || !message.len)
        return false;
    e->stage = (tenon_stage)stage;
    memcpy(e->plugin, plugin.s, plugin.len);
    memcpy(e->path, path.s, path.len);
    memcpy(e->message, message.s, message.len);
    memcpy(e->hint, hint.s, hint.len);
    return true;
}

int tenon__cache_decode(const tenon__cache_raw *raw, bool strict, tenon_plugin_desc **desc_out,
                        tenon_error **error_out, tenon_error **check_out)
{
    *desc_out = NULL;
    *error_out = NULL;
    *check_out = NULL;
    cursor c = {raw->payload, raw->end, true};
    tenon_plugin_desc *desc = NULL;
    tenon_error *error = NULL, *check = NULL;
    const char *what = NULL;
    char defect[160] = "";
    if (raw->flags & TENON__CACHE_E_DESC) {
        int rc = read_desc(&c, strict, &desc, defect, sizeof(defect));
        if (rc < 0)
            return rc;
        if (defect[0])
            what = defect;
    }
    if (!what && (raw->flags & TENON__CACHE_E_ERROR)) {
        error = tenon__malloc(sizeof(*error));
        if (!error) {
            tenon_descriptor_free(desc);
            return tenon__nomem(TENON_STAGE_CACHE, NULL);
        }
        if (!read_error(&c, error))
            what = "its read error is malformed";
    }
    if (!what && raw->check == TENON_CHECK_FAILED) {
        check = tenon__malloc(sizeof(*check));
        if (!check) {
            tenon_descriptor_free(desc);
            tenon__free(error);
            return tenon__nomem(TENON_STAGE_CACHE, NULL);
        }
        if (!read_error(&c, check))
            what = "its check error is malformed";
    }
    /* Only zero padding may follow, less than 8 bytes of it. */
    static const unsigned char zeros[8];
    if (!what && ((size_t)(c.end - c.p) >= 8 || memcmp(c.p, zeros, (size_t)(c.end - c.p)) != 0))
        what = "it has trailing bytes";
    if (what) {
        tenon_descriptor_free(desc);
        tenon__free(error);
        tenon__free(check);
        return tenon__cache_malformed("entry for %s is malformed: %s", raw->path, what);
    }
    *desc_out = desc;
    *error_out = error;
    *check_out = check;
    return 0;
}

/* ---- Folders --------------------------------------------------------------- */

/* The rule of scan.c's is_plugin_file_name, and no '/'. */
static bool plugin_file_name_ok(cstr s)
{
    return s.len > 3 && s.len <= 255 && s.s[0] != '.' && !memchr(s.s, '/', s.len) &&
           memcmp(s.s + s.len - 3, ".so", 3) == 0;
}

int tenon__cache_folder_names(const tenon__cache_raw *raw, const char ***names_out,
                              size_t *n_out)
{
    *names_out = NULL;
    *n_out = 0;
    cursor c = {raw->payload, raw->end, true};
    uint32_t n = get_u32(&c);
    /* Each name takes at least 6 bytes: the bound keeps the allocation
     * proportional to the entry. */
    if (!c.ok || n > (size_t)(c.end - c.p) / 6)
        return tenon__cache_malformed("folder entry for %s is malformed: impossible name count",
                                      raw->path);
    const char **names = tenon__malloc((n ? n : 1) * sizeof(char *));
    if (!names)
        return tenon__nomem(TENON_STAGE_CACHE, NULL);
    cstr prev = {NULL, 0};
    for (uint32_t i = 0; i < n; i++) {
        cstr name = get_str(&c, 256);
        if (!c.ok || !plugin_file_name_ok(name) || (prev.s && strcmp(prev.s, name.s) >= 0)) {
            tenon__free(names);
            return tenon__cache_malformed(
                "folder entry for %s is malformed: bad or unsorted file name", raw->path);
        }
        names[i] = name.s;
        prev = name;
    }
    static const unsigned char zeros[8];
    if ((size_t)(c.end - c.p) >= 8 || memcmp(c.p, zeros, (size_t)(c.end - c.p)) != 0) {
        tenon__free(names);
        return tenon__cache_malformed("folder entry for %s is malformed: it has trailing bytes",
                                      raw->path);
    }
    *names_out = names;
    *n_out = n;
    return 0;
}
