/* Checks a raw descriptor (the note payload, untrusted bytes from a file)
 * and turns it into the host's view: one allocation holding the struct,
 * its lists and its strings, so a scanned plugin costs only what its
 * descriptor actually says. The rules and the builder serve the registry
 * cache's descriptors too (descriptor_internal.h). */
#include "descriptor_internal.h"

#include <stdio.h>
#include <string.h>

/* Size of layout 1's descriptor: what this library reads. */
#define LAYOUT1_SIZE sizeof(tenon_descriptor)
#define HEADER_SIZE offsetof(tenon_descriptor, abi_major)

typedef struct checker {
    const char *path;
    const char *plugin; /* name once known, for messages */
} checker;

static int field_error(const checker *c, const char *field, const char *fmt_detail,
                       const char *value)
{
    return tenon__fail(TENON_EFIELD, TENON_STAGE_SCAN, c->plugin, c->path,
                       "rebuild the plugin with the tenon headers; if it was built "
                       "with TENON_PLUGIN(), the descriptor was damaged after the build",
                       "descriptor field '%s' %s%s%s", field, fmt_detail, value ? ": " : "",
                       value ? value : "");
}

/* ---- The rules ------------------------------------------------------------- */

/* No byte below 0x20 (NUL included) and no DEL, eight bytes at a time
 * (bytes of 0x80 and up, UTF-8, are fine): descriptors are printed to
 * terminals. */
static bool text_ok(tenon__text t)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    size_t i = 0;
    for (; i + 8 <= t.len; i += 8) {
        uint64_t w, del;
        memcpy(&w, t.s + i, 8);
        del = w ^ (0x7f * ones);
        if (((w - 0x20 * ones) & ~w & highs) || ((del - ones) & ~del & highs))
            return false;
    }
    for (; i < t.len; i++) {
        unsigned char ch = (unsigned char)t.s[i];
        if (ch < 0x20 || ch == 0x7f)
            return false;
    }
    return true;
}

static bool name_char(char ch, bool first)
{
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
        ch == '_')
        return true;
    return !first && (ch == '-' || ch == '.' || ch == '+');
}

/* What is wrong with a plugin name, or NULL. */
static const char *name_problem(const char *name)
{
    size_t len = strnlen(name, TENON_NAME_MAX);
    if (len == 0)
        return "is empty";
    if (len >= TENON_NAME_MAX)
        return "is too long";
    if (strstr(name, ".."))
        return "contains \"..\"";
    for (size_t i = 0; i < len; i++) {
        if (!name_char(name[i], i == 0))
            return name[i] == '/' ? "contains '/'"
                   : ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
                       ? "contains a control character"
                       : "contains a character other than letters, digits, '_', "
                         "'-', '.' and '+' (or starts with one of '-', '.', '+')";
    }
    return NULL;
}

int tenon__name_check(const char *name, tenon_stage stage, const char *path)
{
    const char *why = name_problem(name);
    if (!why)
        return 0;
    size_t len = strnlen(name, TENON_NAME_MAX);
    char shown[TENON_NAME_MAX * 4];
    size_t o = 0;
    for (size_t i = 0; i < len && o + 5 < sizeof(shown); i++) {
        unsigned char ch = (unsigned char)name[i];
        if (ch < 0x20 || ch == 0x7f)
            o += (size_t)snprintf(shown + o, sizeof(shown) - o, "\\x%02x", ch);
        else
            shown[o++] = (char)ch;
    }
    shown[o] = '\0';
    return tenon__fail(TENON_ENAME, stage, NULL, path,
                       "plugin names use letters, digits, '_', '-', '.' and '+'",
                       "invalid plugin name \"%s\": it %s", shown, why);
}

static bool option_name_ok(const char *name)
{
    if (!*name)
        return false;
    for (const char *p = name; *p; p++)
        if (!name_char(*p, p == name))
            return false;
    return true;
}

bool tenon__desc_fields_check(const tenon__desc_fields *f, tenon__desc_defect *defect)
{
    /* Fills the defect and returns; the label is formatted only then. */
#define DEFECT(why_, value_, ...)                                    \
    do {                                                             \
        snprintf(defect->field, sizeof(defect->field), __VA_ARGS__); \
        defect->why = (why_);                                        \
        defect->value = (value_);                                    \
        return false;                                                \
    } while (0)
#define TEXT(t, ...)                                                   \
    do {                                                               \
        if (!text_ok(t))                                               \
            DEFECT("contains a control character", NULL, __VA_ARGS__); \
    } while (0)

    if (f->layout == 0 || f->layout > TENON_DESC_LAYOUT)
        DEFECT("is not a layout this library reads", NULL, "layout");
    TEXT(f->name, "name");
    if (name_problem(f->name.s))
        DEFECT("is not a valid plugin name", f->name.s, "name");
    TEXT(f->version, "version");
    TEXT(f->description, "description");
    TEXT(f->license, "license");
    TEXT(f->url, "url");
    tenon_semver sv;
    if (tenon_semver_parse(f->version.s, &sv) < 0)
        DEFECT("is not a semantic version (MAJOR.MINOR.PATCH)",
               f->version.len ? f->version.s : "(empty)", "version");

    for (size_t i = 0; i < f->n_requires; i++) {
        size_t slot = f->requires[i].slot;
        tenon__text name = f->requires[i].name, range = f->requires[i].range;
        TEXT(name, "deps[%zu].name", slot);
        TEXT(range, "deps[%zu].range", slot);
        if (name_problem(name.s))
            DEFECT("is not a valid plugin name", name.s, "deps[%zu].name", slot);
        if (tenon_semver_range_check(range.s) < 0)
            DEFECT("is not a version range (e.g. \">=1.2 <2\", \"^1.4\")", range.s,
                   "deps[%zu].range", slot);
    }
    for (size_t i = 0; i < f->n_provides; i++) {
        size_t slot = f->provides[i].slot;
        tenon__text name = f->provides[i].name;
        TEXT(name, "provides[%zu].name", slot);
        if (!option_name_ok(name.s))
            DEFECT("is not a valid interface name", name.s, "provides[%zu].name", slot);
        if (f->provides[i].version == 0)
            DEFECT("is 0; interface versions start at 1", name.s, "provides[%zu].version",
                   slot);
    }
    for (size_t i = 0; i < f->n_overrides; i++) {
        size_t slot = f->overrides[i].slot;
        TEXT(f->overrides[i].name, "overrides[%zu]", slot);
        if (name_problem(f->overrides[i].name.s))
            DEFECT("is not a valid plugin name", f->overrides[i].name.s, "overrides[%zu]",
                   slot);
    }
    for (size_t i = 0; i < f->n_options; i++) {
        size_t slot = f->options[i].slot;
        const char *name = f->options[i].name.s;
        uint32_t type = f->options[i].type;
        TEXT(f->options[i].name, "options[%zu].name", slot);
        TEXT(f->options[i].def, "options[%zu].def", slot);
        TEXT(f->options[i].help, "options[%zu].help", slot);
        TEXT(f->options[i].choices, "options[%zu].choices", slot);
        const char *why = NULL;
        if (!option_name_ok(name))
            why = "has an invalid name";
        else if (type < TENON_OPT_BOOL || type > TENON_OPT_ENUM)
            why = "has an unknown type";
        else if (type == TENON_OPT_ENUM && !f->options[i].choices.len)
            why = "is an enum without choices";
        for (size_t j = 0; !why && j < i; j++)
            if (strcmp(f->options[j].name.s, name) == 0)
                why = "is declared twice";
        if (why)
            DEFECT(why, name, "options[%zu]", slot);
    }
    for (size_t i = 0; i < f->n_meta; i++) {
        size_t slot = f->meta[i].slot;
        TEXT(f->meta[i].key, "meta[%zu].key", slot);
        TEXT(f->meta[i].value, "meta[%zu].value", slot);
        if (!f->meta[i].key.len)
            DEFECT("is empty", NULL, "meta[%zu].key", slot);
    }
#undef TEXT
#undef DEFECT
    return true;
}

bool tenon__desc_defaults_ok(const tenon_plugin_desc *desc, size_t *option, char *why,
                             size_t size)
{
    for (size_t i = 0; i < desc->n_options; i++) {
        const tenon_option *o = &desc->options[i];
        if (!o->def[0])
            continue;
        tenon__value v;
        if (tenon__value_parse(o, o->def, &v, why, size) < 0) {
            *option = i;
            return false;
        }
    }
    return true;
}

/* ---- The view -------------------------------------------------------------- */

static char *put_text(char **cursor, tenon__text t)
{
    char *out = *cursor;
    memcpy(out, t.s, t.len);
    out[t.len] = '\0';
    *cursor += t.len + 1;
    return out;
}

#define ALIGN_UP(n, a) (((n) + (a)-1) & ~((size_t)(a)-1))

tenon_plugin_desc *tenon__desc_build(const tenon__desc_fields *f)
{
    size_t string_bytes = f->name.len + f->version.len + f->description.len + f->license.len +
                          f->url.len + 5;
    for (size_t i = 0; i < f->n_requires; i++)
    string_bytes += f->requires[i].name.len + f->requires[i].range.len + 2;
    for (size_t i = 0; i < f->n_provides; i++)
        string_bytes += f->provides[i].name.len + 1;
    for (size_t i = 0; i < f->n_overrides; i++)
        string_bytes += f->overrides[i].name.len + 1;
    for (size_t i = 0; i < f->n_options; i++)
        string_bytes += f->options[i].name.len + f->options[i].def.len +
                        f->options[i].help.len + f->options[i].choices.len + 4;
    for (size_t i = 0; i < f->n_meta; i++)
        string_bytes += f->meta[i].key.len + f->meta[i].value.len + 2;

    size_t off_requires = ALIGN_UP(sizeof(tenon_plugin_desc), 8);
    size_t off_provides = ALIGN_UP(off_requires + f->n_requires * sizeof(tenon_dep), 8);
    size_t off_overrides = ALIGN_UP(off_provides + f->n_provides * sizeof(tenon_provide), 8);
    size_t off_options = ALIGN_UP(off_overrides + f->n_overrides * sizeof(char *), 8);
    size_t off_meta = ALIGN_UP(off_options + f->n_options * sizeof(tenon_option), 8);
    size_t off_strings = off_meta + f->n_meta * sizeof(tenon_meta);
    char *block = tenon__malloc(off_strings + string_bytes);
    if (!block)
        return NULL;
    tenon_plugin_desc *v = (tenon_plugin_desc *)block;
    memset(v, 0, sizeof(*v));
    char *cursor = block + off_strings;
    v->struct_size = sizeof(*v);
    v->layout = f->layout;
    v->name = put_text(&cursor, f->name);
    v->version = put_text(&cursor, f->version);
    v->description = put_text(&cursor, f->description);
    v->license = put_text(&cursor, f->license);
    v->url = put_text(&cursor, f->url);
    v->abi_major = f->abi_major;
    v->abi_minor = f->abi_minor;
    v->flags = f->flags;

    tenon_dep *deps = (tenon_dep *)(block + off_requires);
    for (size_t i = 0; i < f->n_requires; i++) {
        deps[i].name = put_text(&cursor, f->requires[i].name);
        deps[i].range = put_text(&cursor, f->requires[i].range);
    }
    v->deps = deps;
    v->n_deps = f->n_requires;

    tenon_provide *provides = (tenon_provide *)(block + off_provides);
    for (size_t i = 0; i < f->n_provides; i++) {
        provides[i].name = put_text(&cursor, f->provides[i].name);
        provides[i].version = f->provides[i].version;
        provides[i].rank = f->provides[i].rank;
    }
    v->provides = provides;
    v->n_provides = f->n_provides;

    const char **overrides = (const char **)(block + off_overrides);
    for (size_t i = 0; i < f->n_overrides; i++)
        overrides[i] = put_text(&cursor, f->overrides[i].name);
    v->overrides = overrides;
    v->n_overrides = f->n_overrides;

    tenon_option *options = (tenon_option *)(block + off_options);
    for (size_t i = 0; i < f->n_options; i++) {
        tenon_option *o = &options[i];
        o->name = put_text(&cursor, f->options[i].name);
        o->type = (tenon_opt_type)f->options[i].type;
        o->flags = f->options[i].flags;
        o->def = put_text(&cursor, f->options[i].def);
        o->help = put_text(&cursor, f->options[i].help);
        o->choices = put_text(&cursor, f->options[i].choices);
        o->min = f->options[i].min;
        o->max = f->options[i].max;
    }
    v->options = options;
    v->n_options = f->n_options;

    tenon_meta *meta = (tenon_meta *)(block + off_meta);
    for (size_t i = 0; i < f->n_meta; i++) {
        meta[i].key = put_text(&cursor, f->meta[i].key);
        meta[i].value = put_text(&cursor, f->meta[i].value);
    }
    v->meta = meta;
    v->n_meta = f->n_meta;
    return v;
}

/* ---- A plugin file's descriptor -------------------------------------------- */

/* What check_string checks, without naming the field: the common case of
 * a good field is answered without formatting its label. */
static bool string_ok(const char *text, size_t cap)
{
    if (!text[0])
        return true; /* most fields are empty: skip the call to memchr */
    const char *nul = memchr(text, '\0', cap);
    return nul && text_ok((tenon__text){text, (size_t)(nul - text)});
}

/* A string field must end within its capacity and hold no control bytes
 * (descriptors are printed to terminals). */
static int check_string(const checker *c, const char *field, const char *text, size_t cap)
{
    const char *nul = memchr(text, '\0', cap);
    if (!nul) {
        /* What C allows: a literal exactly as long as its field, NUL dropped.
         * Today's TENON_PLUGIN() refuses it at compile time. */
        char hint[160];
        snprintf(hint, sizeof(hint),
                 "shorten it to at most %zu bytes and rebuild the plugin with the current "
                 "tenon headers, which refuse such strings at compile time",
                 cap - 1);
        return tenon__fail(TENON_EFIELD, TENON_STAGE_SCAN, c->plugin, c->path, hint,
                           "descriptor field '%s' fills all its %zu bytes, leaving no room "
                           "for the terminating NUL",
                           field, cap);
    }
    if (!text_ok((tenon__text){text, (size_t)(nul - text)}))
        return field_error(c, field, "contains a control character", NULL);
    return 0;
}

/* Checks that every string field of d, used or not, ends within its
 * capacity and is printable, and takes the used entries into f. */
static int fields_from_raw(const checker *c, const tenon_descriptor *d, tenon__desc_fields *f)
{
    int rc;
    char label[64];
    /* The label is formatted only for an error: formatting one for each of
     * the ~190 fields was most of a cold scan's time. */
#define CHECK(field, ...)                                            \
    do {                                                             \
        if (string_ok(field, sizeof(field)))                         \
            break;                                                   \
        snprintf(label, sizeof(label), __VA_ARGS__);                 \
        if ((rc = check_string(c, label, field, sizeof(field))) < 0) \
            return rc;                                               \
    } while (0)
#define TEXT(field) ((tenon__text){(field), strlen(field)})

    CHECK(d->version, "version");
    CHECK(d->description, "description");
    CHECK(d->license, "license");
    CHECK(d->url, "url");
    f->version = TEXT(d->version);
    f->description = TEXT(d->description);
    f->license = TEXT(d->license);
    f->url = TEXT(d->url);
    for (size_t i = 0; i < TENON_MAX_REQUIRES; i++) {
        const tenon_desc_require *r = &d->deps[i];
        CHECK(r->name, "deps[%zu].name", i);
        CHECK(r->range, "deps[%zu].range", i);
        if (!r->name[0])
            continue;
        size_t k = f->n_requires++;
        f->requires[k].name = TEXT(r->name);
        f->requires[k].range = TEXT(r->range);
        f->requires[k].slot = i;
    }
    for (size_t i = 0; i < TENON_MAX_PROVIDES; i++) {
        const tenon_desc_provide *p = &d->provides[i];
        CHECK(p->name, "provides[%zu].name", i);
        if (!p->name[0])
            continue;
        size_t k = f->n_provides++;
        f->provides[k].name = TEXT(p->name);
        f->provides[k].version = p->version;
        f->provides[k].rank = p->rank;
        f->provides[k].slot = i;
    }
    for (size_t i = 0; i < TENON_MAX_OVERRIDES; i++) {
        CHECK(d->overrides[i], "overrides[%zu]", i);
        if (!d->overrides[i][0])
            continue;
        size_t k = f->n_overrides++;
        f->overrides[k].name = TEXT(d->overrides[i]);
        f->overrides[k].slot = i;
    }
    for (size_t i = 0; i < TENON_MAX_OPTIONS; i++) {
        const tenon_desc_option *o = &d->options[i];
        CHECK(o->name, "options[%zu].name", i);
        CHECK(o->def, "options[%zu].def", i);
        CHECK(o->help, "options[%zu].help", i);
        CHECK(o->choices, "options[%zu].choices", i);
        if (!o->name[0])
            continue;
        size_t k = f->n_options++;
        f->options[k].name = TEXT(o->name);
        f->options[k].def = TEXT(o->def);
        f->options[k].help = TEXT(o->help);
        f->options[k].choices = TEXT(o->choices);
        f->options[k].type = o->type;
        f->options[k].flags = o->flags;
        f->options[k].min = o->min;
        f->options[k].max = o->max;
        f->options[k].slot = i;
    }
    for (size_t i = 0; i < TENON_MAX_META; i++) {
        CHECK(d->meta[i].key, "meta[%zu].key", i);
        CHECK(d->meta[i].value, "meta[%zu].value", i);
        if (!d->meta[i].key[0])
            continue;
        size_t k = f->n_meta++;
        f->meta[k].key = TEXT(d->meta[i].key);
        f->meta[k].value = TEXT(d->meta[i].value);
        f->meta[k].slot = i;
    }
#undef CHECK
#undef TEXT
    return 0;
}

/* Checks that every option's default parses as its type; done on the built
 * view so the option parser sees the same struct hosts see. */
static int check_defaults(const checker *c, const tenon_plugin_desc *desc)
{
    size_t i;
    char why[160];
    if (tenon__desc_defaults_ok(desc, &i, why, sizeof(why)))
        return 0;
    const tenon_option *o = &desc->options[i];
    char label[64], detail[224];
    snprintf(label, sizeof(label), "options[%zu].def", i);
    snprintf(detail, sizeof(detail), "of option '%s' does not parse: %s", o->name, why);
    return field_error(c, label, detail, o->def);
}

/* The header: magic, a layout this library reads, and the size. */
static int check_header(const void *raw, size_t size, const char *path, uint16_t *layout_out)
{
    if (size < HEADER_SIZE)
        return tenon__fail(TENON_EFIELD, TENON_STAGE_SCAN, NULL, path,
                           "rebuild the plugin with the tenon headers",
                           "descriptor is %zu bytes, too short for its %zu-byte header", size,
                           (size_t)HEADER_SIZE);

    uint32_t magic, dsize;
    uint16_t layout;
    memcpy(&magic, (const char *)raw + offsetof(tenon_descriptor, magic), sizeof(magic));
    memcpy(&layout, (const char *)raw + offsetof(tenon_descriptor, layout), sizeof(layout));
    memcpy(&dsize, (const char *)raw + offsetof(tenon_descriptor, size), sizeof(dsize));
    if (magic != TENON_DESC_MAGIC)
        return tenon__fail(TENON_EBADMAGIC, TENON_STAGE_SCAN, NULL, path,
                           "rebuild the plugin with TENON_PLUGIN() from <tenon/plugin.h>",
                           "descriptor magic is 0x%08x, expected 0x%08x", magic,
                           TENON_DESC_MAGIC);
    if (layout == 0 || layout > TENON_DESC_LAYOUT)
        return tenon__fail(TENON_ELAYOUT, TENON_STAGE_SCAN, NULL, path,
                           layout ? "upgrade libtenon to a version that reads this layout, "
                                    "or rebuild the plugin against this libtenon's headers"
                                  : "rebuild the plugin with the tenon headers",
                           "descriptor layout %u is not known to this library, which "
                           "reads layouts 1 to %u",
                           layout, TENON_DESC_LAYOUT);
    if (dsize != size || dsize != LAYOUT1_SIZE)
        return tenon__fail(TENON_EFIELD, TENON_STAGE_SCAN, NULL, path,
                           "rebuild the plugin with the tenon headers",
                           "descriptor size field says %u bytes, the note holds %zu and "
                           "layout %u is %zu bytes",
                           dsize, size, layout, (size_t)LAYOUT1_SIZE);
    *layout_out = layout;
    return 0;
}

/* Checks d's fields into f and makes the view. */
static int view_of(checker *c, const tenon_descriptor *d, uint16_t layout,
                   tenon_plugin_desc **out)
{
    int rc;
    if ((rc = check_string(c, "name", d->name, sizeof(d->name))) < 0 ||
        (rc = tenon__name_check(d->name, TENON_STAGE_SCAN, c->path)) < 0)
        return rc;
    c->plugin = d->name;
    tenon__desc_fields f;
    f.n_requires = f.n_provides = f.n_overrides = f.n_options = f.n_meta = 0;
    if ((rc = fields_from_raw(c, d, &f)) < 0)
        return rc;
    f.layout = layout;
    f.flags = d->flags;
    f.abi_major = d->abi_major;
    f.abi_minor = d->abi_minor;
    f.name = (tenon__text){d->name, strlen(d->name)};
    tenon__desc_defect defect;
    if (!tenon__desc_fields_check(&f, &defect))
        return field_error(c, defect.field, defect.why, defect.value);
    *out = tenon__desc_build(&f);
    return *out ? 0 : tenon__nomem(TENON_STAGE_SCAN, NULL);
}

int tenon__desc_from_raw(const void *raw, size_t size, const char *path,
                         tenon_plugin_desc **out)
{
    checker c = {path, NULL};
    *out = NULL;
    uint16_t layout;
    int rc = check_header(raw, size, path, &layout);
    if (rc < 0)
        return rc;

    /* A payload that is aligned for the descriptor (a note read in place,
     * a static plugin's) is checked where it lies; only others are copied
     * (14 KiB, the largest cost of a scan after the read itself). */
    tenon_descriptor *copy = NULL;
    const tenon_descriptor *d = raw;
    if ((uintptr_t)raw % _Alignof(tenon_descriptor)) {
        copy = tenon__malloc(sizeof(*copy));
        if (!copy)
            return tenon__nomem(TENON_STAGE_SCAN, NULL);
        memcpy(copy, raw, LAYOUT1_SIZE);
        d = copy;
    }
    tenon_plugin_desc *v = NULL;
    rc = view_of(&c, d, layout, &v);
    tenon__free(copy);
    if (rc < 0)
        return rc;
    c.plugin = v->name; /* d's copy of the name is gone */
    if ((rc = check_defaults(&c, v)) < 0) {
        tenon_descriptor_free(v);
        return rc;
    }
    *out = v;
    return 0;
}

void tenon_descriptor_free(tenon_plugin_desc *desc)
{
    tenon__free(desc);
}

const tenon_option *tenon_descriptor_option(const tenon_plugin_desc *desc, const char *name)
{
    TENON__CHECK_ARG(desc, TENON_STAGE_SCAN, "desc is NULL", NULL);
    TENON__CHECK_ARG(name, TENON_STAGE_SCAN, "name is NULL", NULL);
    for (size_t i = 0; i < desc->n_options; i++)
        if (strcmp(desc->options[i].name, name) == 0)
            return &desc->options[i];
    return NULL;
}

const char *tenon_descriptor_meta(const tenon_plugin_desc *desc, const char *key)
{
    TENON__CHECK_ARG(desc, TENON_STAGE_SCAN, "desc is NULL", NULL);
    TENON__CHECK_ARG(key, TENON_STAGE_SCAN, "key is NULL", NULL);
    for (size_t i = 0; i < desc->n_meta; i++)
        if (strcmp(desc->meta[i].key, key) == 0)
            return desc->meta[i].value;
    return NULL;
}

const char *tenon_opt_type_name(tenon_opt_type type)
{
    switch (type) {
    case TENON_OPT_BOOL:
        return "bool";
    case TENON_OPT_INT:
        return "int";
    case TENON_OPT_SIZE:
        return "size";
    case TENON_OPT_DURATION:
        return "duration";
    case TENON_OPT_DOUBLE:
        return "double";
    case TENON_OPT_STRING:
        return "string";
    case TENON_OPT_ENUM:
        return "enum";
    }
    return "unknown";
}

static bool same_str(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

const char *tenon__desc_diff(const tenon_plugin_desc *a, const tenon_plugin_desc *b,
                             bool *affects_selection)
{
    *affects_selection = true;
    if (!same_str(a->name, b->name))
        return "name";
    if (!same_str(a->version, b->version))
        return "version";
    if (a->flags != b->flags)
        return "flags";
    if (a->n_overrides != b->n_overrides)
        return "overrides";
    for (size_t i = 0; i < a->n_overrides; i++)
        if (!same_str(a->overrides[i], b->overrides[i]))
            return "overrides";
    if (a->n_requires != b->n_requires)
        return "requires";
    for (size_t i = 0; i < a->n_requires; i++)
        if (!same_str(a->requires[i].name, b->requires[i].name) ||
            !same_str(a->requires[i].range, b->requires[i].range))
            return "requires";
    if (a->n_provides != b->n_provides)
        return "provides";
    for (size_t i = 0; i < a->n_provides; i++)
        if (!same_str(a->provides[i].name, b->provides[i].name) ||
            a->provides[i].version != b->provides[i].version ||
            a->provides[i].rank != b->provides[i].rank)
            return "provides";
    /* The rest is read when the plugin loads, from the record's descriptor
     * at that time: no choice made before the load depends on it. */
    *affects_selection = false;
    if (a->abi_major != b->abi_major || a->abi_minor != b->abi_minor || a->layout != b->layout)
        return "abi";
    if (a->n_options != b->n_options)
        return "options";
    for (size_t i = 0; i < a->n_options; i++) {
        const tenon_option *x = &a->options[i], *y = &b->options[i];
        if (!same_str(x->name, y->name) || x->type != y->type || x->flags != y->flags ||
            !same_str(x->def, y->def) || !same_str(x->help, y->help) ||
            !same_str(x->choices, y->choices) || x->min != y->min || x->max != y->max)
            return "options";
    }
    if (!same_str(a->description, b->description) || !same_str(a->license, b->license) ||
        !same_str(a->url, b->url))
        return "description";
    if (a->n_meta != b->n_meta)
        return "meta";
    for (size_t i = 0; i < a->n_meta; i++)
        if (!same_str(a->meta[i].key, b->meta[i].key) ||
            !same_str(a->meta[i].value, b->meta[i].value))
            return "meta";
    return NULL;
}
