/* Checks a raw descriptor (the note payload, untrusted bytes from a file)
 * and turns it into the host's view: one allocation holding the struct,
 * its lists and its strings, so a scanned plugin costs only what its
 * descriptor actually says. */
#include "internal.h"

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
                       "descriptor field '%s' %s%s%s", field, fmt_detail,
                       value ? ": " : "", value ? value : "");
}

/* A string field must end within its capacity and hold no control bytes
 * (descriptors are printed to terminals). Returns its length or < 0. */
/* What check_string checks, without naming the field: the common case of
 * a good field is answered without formatting its label. */
static bool string_ok(const char *text, size_t cap)
{
    if (!text[0])
        return true; /* most fields are empty: skip the call to memchr */
    const char *nul = memchr(text, '\0', cap);
    if (!nul)
        return false;
    for (const char *p = text; p < nul; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch < 0x20 || ch == 0x7f)
            return false;
    }
    return true;
}

static int check_string(const checker *c, const char *field, const char *text,
                        size_t cap, size_t *len)
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
    for (const char *p = text; p < nul; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch < 0x20 || ch == 0x7f)
            return field_error(c, field, "contains a control character", NULL);
    }
    *len = (size_t)(nul - text);
    return 0;
}

static bool name_char(char ch, bool first)
{
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
        ch == '_')
        return true;
    return !first && (ch == '-' || ch == '.' || ch == '+');
}

int tenon__name_check(const char *name, tenon_stage stage, const char *path)
{
    size_t len = strnlen(name, TENON_NAME_MAX);
    const char *why = NULL;
    if (len == 0)
        why = "is empty";
    else if (len >= TENON_NAME_MAX)
        why = "is too long";
    else if (strstr(name, ".."))
        why = "contains \"..\"";
    else {
        for (size_t i = 0; i < len; i++) {
            if (!name_char(name[i], i == 0)) {
                why = name[i] == '/' ? "contains '/'"
                      : ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
                          ? "contains a control character"
                          : "contains a character other than letters, digits, '_', "
                            "'-', '.' and '+' (or starts with one of '-', '.', '+')";
                break;
            }
        }
    }
    if (!why)
        return 0;
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

/* Sizes of the view: the struct, its arrays and the string bytes. */
typedef struct view_plan {
    size_t n_deps, n_provides, n_overrides, n_options, n_meta;
    size_t string_bytes;
} view_plan;

static char *put_string(char **cursor, const char *s, size_t len)
{
    char *out = *cursor;
    memcpy(out, s, len);
    out[len] = '\0';
    *cursor += len + 1;
    return out;
}

#define ALIGN_UP(n, a) (((n) + (a) - 1) & ~((size_t)(a) - 1))

static int check_fields(const checker *c, const tenon_descriptor *d, view_plan *plan)
{
    size_t len;
    int rc;
    char label[64];
    memset(plan, 0, sizeof(*plan));

    /* Validates a string field; its bytes are counted only for entries the
     * view keeps (see KEEP). */
#define CHECK(field, ...)                                                   \
    do {                                                                    \
        /* The label is formatted only for an error: formatting one for   \
         * each of the ~190 fields was most of a cold scan's time. */       \
        if (string_ok(field, sizeof(field)))                                \
            break;                                                          \
        snprintf(label, sizeof(label), __VA_ARGS__);                        \
        if ((rc = check_string(c, label, field, sizeof(field), &len)) < 0)  \
            return rc;                                                      \
    } while (0)
#define KEEP(text) (plan->string_bytes += strlen(text) + 1)

    CHECK(d->version, "version");
    CHECK(d->description, "description");
    CHECK(d->license, "license");
    CHECK(d->url, "url");
    KEEP(d->version);
    KEEP(d->description);
    KEEP(d->license);
    KEEP(d->url);
    tenon_semver sv;
    if (tenon_semver_parse(d->version, &sv) < 0)
        return field_error(c, "version", "is not a semantic version (MAJOR.MINOR.PATCH)",
                           d->version[0] ? d->version : "(empty)");

    for (size_t i = 0; i < TENON_MAX_REQUIRES; i++) {
        const tenon_desc_require *r = &d->deps[i];
        CHECK(r->name, "deps[%zu].name", i);
        CHECK(r->range, "deps[%zu].range", i);
        if (!r->name[0])
            continue;
        if (tenon__name_check(r->name, TENON_STAGE_SCAN, c->path) < 0) {
            snprintf(label, sizeof(label), "deps[%zu].name", i);
            return field_error(c, label, "is not a valid plugin name", r->name);
        }
        if (tenon_semver_range_check(r->range) < 0) {
            snprintf(label, sizeof(label), "deps[%zu].range", i);
            return field_error(c, label,
                               "is not a version range (e.g. \">=1.2 <2\", \"^1.4\")",
                               r->range);
        }
        KEEP(r->name);
        KEEP(r->range);
        plan->n_deps++;
    }
    for (size_t i = 0; i < TENON_MAX_PROVIDES; i++) {
        const tenon_desc_provide *p = &d->provides[i];
        CHECK(p->name, "provides[%zu].name", i);
        if (!p->name[0])
            continue;
        if (!option_name_ok(p->name)) {
            snprintf(label, sizeof(label), "provides[%zu].name", i);
            return field_error(c, label, "is not a valid interface name", p->name);
        }
        if (p->version == 0) {
            snprintf(label, sizeof(label), "provides[%zu].version", i);
            return field_error(c, label, "is 0; interface versions start at 1", p->name);
        }
        KEEP(p->name);
        plan->n_provides++;
    }
    for (size_t i = 0; i < TENON_MAX_OVERRIDES; i++) {
        CHECK(d->overrides[i], "overrides[%zu]", i);
        if (!d->overrides[i][0])
            continue;
        if (tenon__name_check(d->overrides[i], TENON_STAGE_SCAN, c->path) < 0) {
            snprintf(label, sizeof(label), "overrides[%zu]", i);
            return field_error(c, label, "is not a valid plugin name", d->overrides[i]);
        }
        KEEP(d->overrides[i]);
        plan->n_overrides++;
    }
    for (size_t i = 0; i < TENON_MAX_OPTIONS; i++) {
        const tenon_desc_option *o = &d->options[i];
        CHECK(o->name, "options[%zu].name", i);
        CHECK(o->def, "options[%zu].def", i);
        CHECK(o->help, "options[%zu].help", i);
        CHECK(o->choices, "options[%zu].choices", i);
        if (!o->name[0])
            continue;
        const char *why = NULL;
        if (!option_name_ok(o->name))
            why = "has an invalid name";
        else if (o->type < TENON_OPT_BOOL || o->type > TENON_OPT_ENUM)
            why = "has an unknown type";
        else if (o->type == TENON_OPT_ENUM && !o->choices[0])
            why = "is an enum without choices";
        for (size_t j = 0; !why && j < i; j++)
            if (strcmp(d->options[j].name, o->name) == 0)
                why = "is declared twice";
        if (why) {
            snprintf(label, sizeof(label), "options[%zu]", i);
            return field_error(c, label, why, o->name);
        }
        KEEP(o->name);
        KEEP(o->def);
        KEEP(o->help);
        KEEP(o->choices);
        plan->n_options++;
    }
    for (size_t i = 0; i < TENON_MAX_META; i++) {
        CHECK(d->meta[i].key, "meta[%zu].key", i);
        CHECK(d->meta[i].value, "meta[%zu].value", i);
        if (!d->meta[i].key[0])
            continue;
        KEEP(d->meta[i].key);
        KEEP(d->meta[i].value);
        plan->n_meta++;
    }
#undef CHECK
#undef KEEP
    return 0;
}

/* Checks that every option's default parses as its type; done on the built
 * view so the option parser sees the same struct hosts see. */
static int check_defaults(const checker *c, const tenon_plugin_desc *desc)
{
    for (size_t i = 0; i < desc->n_options; i++) {
        const tenon_option *o = &desc->options[i];
        if (!o->def[0])
            continue;
        tenon__value v;
        char why[160];
        if (tenon__value_parse(o, o->def, &v, why, sizeof(why)) < 0) {
            char label[64], detail[224];
            snprintf(label, sizeof(label), "options[%zu].def", i);
            snprintf(detail, sizeof(detail), "of option '%s' does not parse: %s", o->name, why);
            return field_error(c, label, detail, o->def);
        }
    }
    return 0;
}

int tenon__desc_from_raw(const void *raw, size_t size, const char *path,
                         tenon_plugin_desc **out)
{
    checker c = {path, NULL};
    *out = NULL;
    if (size < HEADER_SIZE)
        return tenon__fail(TENON_EFIELD, TENON_STAGE_SCAN, NULL, path,
                           "rebuild the plugin with the tenon headers",
                           "descriptor is %zu bytes, too short for its %zu-byte header",
                           size, (size_t)HEADER_SIZE);

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

    int rc;
    size_t name_len;
    if ((rc = check_string(&c, "name", d->name, sizeof(d->name), &name_len)) < 0 ||
        (rc = tenon__name_check(d->name, TENON_STAGE_SCAN, path)) < 0) {
        tenon__free(copy);
        return rc;
    }
    c.plugin = d->name;
    view_plan plan;
    if ((rc = check_fields(&c, d, &plan)) < 0) {
        tenon__free(copy);
        return rc;
    }
    plan.string_bytes += name_len + 1;

    size_t off_requires = ALIGN_UP(sizeof(tenon_plugin_desc), 8);
    size_t off_provides = ALIGN_UP(off_requires + plan.n_deps * sizeof(tenon_dep), 8);
    size_t off_overrides = ALIGN_UP(off_provides + plan.n_provides * sizeof(tenon_provide), 8);
    size_t off_options = ALIGN_UP(off_overrides + plan.n_overrides * sizeof(char *), 8);
    size_t off_meta = ALIGN_UP(off_options + plan.n_options * sizeof(tenon_option), 8);
    size_t off_strings = off_meta + plan.n_meta * sizeof(tenon_meta);
    char *block = tenon__malloc(off_strings + plan.string_bytes);
    if (!block) {
        tenon__free(copy);
        return tenon__nomem(TENON_STAGE_SCAN, NULL);
    }
    tenon_plugin_desc *v = (tenon_plugin_desc *)block;
    memset(v, 0, sizeof(*v));
    char *cursor = block + off_strings;
    v->struct_size = sizeof(*v);
    v->layout = layout;
    v->name = put_string(&cursor, d->name, name_len);
    v->version = put_string(&cursor, d->version, strlen(d->version));
    v->description = put_string(&cursor, d->description, strlen(d->description));
    v->license = put_string(&cursor, d->license, strlen(d->license));
    v->url = put_string(&cursor, d->url, strlen(d->url));
    v->abi_major = d->abi_major;
    v->abi_minor = d->abi_minor;
    v->flags = d->flags;

    tenon_dep *deps = (tenon_dep *)(block + off_requires);
    for (size_t i = 0; i < TENON_MAX_REQUIRES; i++) {
        if (!d->deps[i].name[0])
            continue;
        tenon_dep *dep = &deps[v->n_deps++];
        dep->name = put_string(&cursor, d->deps[i].name, strlen(d->deps[i].name));
        dep->range = put_string(&cursor, d->deps[i].range, strlen(d->deps[i].range));
    }
    v->deps = deps;

    tenon_provide *provides = (tenon_provide *)(block + off_provides);
    for (size_t i = 0; i < TENON_MAX_PROVIDES; i++) {
        if (!d->provides[i].name[0])
            continue;
        tenon_provide *pr = &provides[v->n_provides++];
        pr->name = put_string(&cursor, d->provides[i].name, strlen(d->provides[i].name));
        pr->version = d->provides[i].version;
        pr->rank = d->provides[i].rank;
    }
    v->provides = provides;

    const char **overrides = (const char **)(block + off_overrides);
    for (size_t i = 0; i < TENON_MAX_OVERRIDES; i++) {
        if (!d->overrides[i][0])
            continue;
        overrides[v->n_overrides++] =
            put_string(&cursor, d->overrides[i], strlen(d->overrides[i]));
    }
    v->overrides = overrides;

    tenon_option *options = (tenon_option *)(block + off_options);
    for (size_t i = 0; i < TENON_MAX_OPTIONS; i++) {
        const tenon_desc_option *o = &d->options[i];
        if (!o->name[0])
            continue;
        tenon_option *opt = &options[v->n_options++];
        opt->name = put_string(&cursor, o->name, strlen(o->name));
        opt->type = (tenon_opt_type)o->type;
        opt->flags = o->flags;
        opt->def = put_string(&cursor, o->def, strlen(o->def));
        opt->help = put_string(&cursor, o->help, strlen(o->help));
        opt->choices = put_string(&cursor, o->choices, strlen(o->choices));
        opt->min = o->min;
        opt->max = o->max;
    }
    v->options = options;

    tenon_meta *meta = (tenon_meta *)(block + off_meta);
    for (size_t i = 0; i < TENON_MAX_META; i++) {
        if (!d->meta[i].key[0])
            continue;
        tenon_meta *m = &meta[v->n_meta++];
        m->key = put_string(&cursor, d->meta[i].key, strlen(d->meta[i].key));
        m->value = put_string(&cursor, d->meta[i].value, strlen(d->meta[i].value));
    }
    v->meta = meta;
    tenon__free(copy);
    c.plugin = v->name; /* d's copy of the name is gone */

    if ((rc = check_defaults(&c, v)) < 0) {
        tenon__free(block);
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
    if (!desc || !name)
        return NULL;
    for (size_t i = 0; i < desc->n_options; i++)
        if (strcmp(desc->options[i].name, name) == 0)
            return &desc->options[i];
    return NULL;
}

const char *tenon_descriptor_meta(const tenon_plugin_desc *desc, const char *key)
{
    if (!desc || !key)
        return NULL;
    for (size_t i = 0; i < desc->n_meta; i++)
        if (strcmp(desc->meta[i].key, key) == 0)
            return desc->meta[i].value;
    return NULL;
}

const char *tenon_opt_type_name(tenon_opt_type type)
{
    switch (type) {
    case TENON_OPT_BOOL: return "bool";
    case TENON_OPT_INT: return "int";
    case TENON_OPT_SIZE: return "size";
    case TENON_OPT_DURATION: return "duration";
    case TENON_OPT_DOUBLE: return "double";
    case TENON_OPT_STRING: return "string";
    case TENON_OPT_ENUM: return "enum";
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
