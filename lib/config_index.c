/* The position index of a JSON text: jansson parses tenon.json but keeps no
 * positions once parsing succeeded, and every configuration error must say
 * where it is. This pass records, for every value, the line and column of
 * the value and of its key, found again by key or array index from the
 * parent, so the checks that walk jansson's tree can point at the text.
 *
 * The scanner is iterative (no recursion on nesting depth) and bounds-checks
 * every read: it runs on text jansson accepted, but fuzzed input must never
 * make a disagreement between the two an out-of-bounds read. Memory is
 * linear in the text: each node stores its own key once, never the whole
 * path. */
#include "config_internal.h"

#include <stdio.h>
#include <string.h>

typedef struct jnode {
    size_t parent;
    tenon__jpos pos, key_pos;
    char *lookup; /* "<parent>:<key>" or "<parent>#<index>"; the map key */
} jnode;

struct tenon__jindex {
    jnode *nodes;
    size_t n, cap;
    tenon__map children;
};

typedef struct frame {
    size_t node;
    bool is_array;
    size_t count;
} frame;

typedef struct scanner {
    const char *text;
    size_t len, at;
    unsigned line, col; /* of text[at] */
} scanner;

static void advance(scanner *s)
{
    unsigned char c = (unsigned char)s->text[s->at++];
    if (c == '\n') {
        s->line++;
        s->col = 1;
    } else if ((c & 0xC0) != 0x80) {
        /* Columns count characters: continuation bytes of a UTF-8
         * sequence do not move the column, as in jansson. */
        s->col++;
    }
}

static tenon__jpos here(const scanner *s)
{
    return (tenon__jpos){s->line, s->col, s->at};
}

static void skip_ws(scanner *s)
{
    while (s->at < s->len) {
        char c = s->text[s->at];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return;
        advance(s);
    }
}

static void put_utf8(char *out, size_t *n, unsigned long cp)
{
    if (cp < 0x80) {
        out[(*n)++] = (char)cp;
    } else if (cp < 0x800) {
        out[(*n)++] = (char)(0xC0 | (cp >> 6));
        out[(*n)++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out[(*n)++] = (char)(0xE0 | (cp >> 12));
        out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*n)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        out[(*n)++] = (char)(0xF0 | (cp >> 18));
        out[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[(*n)++] = (char)(0x80 | (cp & 0x3F));
    }
}

static int hex4(const scanner *s, size_t at, unsigned long *out)
{
    if (at + 4 > s->len)
        return -1;
    unsigned long v = 0;
    for (size_t i = 0; i < 4; i++) {
        char c = s->text[at + i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v << 4 | (unsigned long)d;
    }
    *out = v;
    return 0;
}

/* Scans a string starting at its opening quote. With out set, decodes it
 * (as jansson does) into *out (allocated); decoded text is never longer
 * than the escaped text, so one allocation of the raw length suffices. */
static int scan_string(scanner *s, char **out)
{
    size_t start = s->at + 1, end = start;
    while (end < s->len && s->text[end] != '"') {
        if (s->text[end] == '\\')
            end++;
        end++;
    }
    if (end >= s->len)
        return TENON_ECONFIG;
    if (out) {
        char *buf = tenon__malloc(end - start + 1);
        if (!buf)
            return TENON_ENOMEM;
        size_t n = 0;
        for (size_t i = start; i < end;) {
            char c = s->text[i];
            if (c != '\\') {
                buf[n++] = c;
                i++;
                continue;
            }
            char e = s->text[i + 1];
            i += 2;
            switch (e) {
            case '"':
                buf[n++] = '"';
                break;
            case '\\':
                buf[n++] = '\\';
                break;
            case '/':
                buf[n++] = '/';
                break;
            case 'b':
                buf[n++] = '\b';
                break;
            case 'f':
                buf[n++] = '\f';
                break;
            case 'n':
                buf[n++] = '\n';
                break;
            case 'r':
                buf[n++] = '\r';
                break;
            case 't':
                buf[n++] = '\t';
                break;
            case 'u': {
                unsigned long cp, lo;
                if (hex4(s, i, &cp) < 0 || i + 4 > end) {
                    tenon__free(buf);
                    return TENON_ECONFIG;
                }
                i += 4;
                if (cp >= 0xD800 && cp < 0xDC00 && i + 6 <= end && s->text[i] == '\\' &&
                    s->text[i + 1] == 'u' && hex4(s, i + 2, &lo) == 0 && lo >= 0xDC00 &&
                    lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                }
                /* 6 escaped bytes always hold the (at most 4) encoded ones;
                 * a NUL would cut the key short, so it ends the scan. */
                if (cp == 0) {
                    tenon__free(buf);
                    return TENON_ECONFIG;
                }
                put_utf8(buf, &n, cp);
                break;
            }
            default:
                tenon__free(buf);
                return TENON_ECONFIG;
            }
        }
        buf[n] = '\0';
        if (strlen(buf) != n) { /* a raw NUL byte */
            tenon__free(buf);
            return TENON_ECONFIG;
        }
        *out = buf;
    }
    while (s->at <= end)
        advance(s);
    return 0;
}

/* Numbers, true, false, null: jansson checked their spelling. */
static int scan_scalar(scanner *s)
{
    size_t start = s->at;
    while (s->at < s->len) {
        char c = s->text[s->at];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '-' || c == '+' || c == '.'))
            break;
        advance(s);
    }
    return s->at > start ? 0 : TENON_ECONFIG;
}

static int add_node(tenon__jindex *ix, size_t parent, tenon__jpos pos, tenon__jpos key_pos,
                    char *lookup, size_t *out)
{
    if (tenon__grow((void **)&ix->nodes, &ix->cap, ix->n + 1, sizeof(jnode)) < 0) {
        tenon__free(lookup);
        return TENON_ENOMEM;
    }
    size_t id = ix->n;
    ix->nodes[id] = (jnode){parent, pos, key_pos, lookup};
    ix->n++;
    if (lookup && tenon__map_put(&ix->children, lookup, (void *)(uintptr_t)(id + 1)) < 0)
        return TENON_ENOMEM; /* the node owns lookup; freed with the index */
    *out = id;
    return 0;
}

void tenon__jindex_free(tenon__jindex *ix)
{
    if (!ix)
        return;
    for (size_t i = 0; i < ix->n; i++)
        tenon__free(ix->nodes[i].lookup);
    tenon__free(ix->nodes);
    tenon__map_free(&ix->children);
    tenon__free(ix);
}

enum {
    EXPECT_VALUE,
    EXPECT_KEY_OR_END,
    EXPECT_KEY,
    EXPECT_COLON,
    EXPECT_COMMA_OR_END,
    EXPECT_VALUE_OR_END,
    EXPECT_EOF
};

int tenon__jindex_build(const char *text, size_t len, tenon__jindex **out)
{
    *out = NULL;
    tenon__jindex *ix = tenon__calloc(1, sizeof(*ix));
    if (!ix)
        return TENON_ENOMEM;
    tenon__map_init(&ix->children);
    frame *stack = NULL;
    size_t depth = 0, cap = 0;
    scanner s = {text, len, 0, 1, 1};
    int state = EXPECT_VALUE, rc = 0;
    char *key = NULL; /* the pending member key */
    tenon__jpos key_pos = {0, 0, 0};

    while (rc == 0) {
        skip_ws(&s);
        if (state == EXPECT_EOF) {
            if (s.at != s.len)
                rc = TENON_ECONFIG;
            break;
        }
        if (s.at >= s.len) {
            rc = TENON_ECONFIG;
            break;
        }
        char c = text[s.at];
        switch (state) {
        case EXPECT_VALUE_OR_END:
        case EXPECT_KEY_OR_END:
            if (c == (state == EXPECT_KEY_OR_END ? '}' : ']')) {
                advance(&s);
                depth--;
                state = depth ? EXPECT_COMMA_OR_END : EXPECT_EOF;
                continue;
            }
            state = state == EXPECT_KEY_OR_END ? EXPECT_KEY : EXPECT_VALUE;
            continue;
        case EXPECT_KEY:
            if (c != '"') {
                rc = TENON_ECONFIG;
                break;
            }
            key_pos = here(&s);
            rc = scan_string(&s, &key);
            state = EXPECT_COLON;
            continue;
        case EXPECT_COLON:
            if (c != ':') {
                rc = TENON_ECONFIG;
                break;
            }
            advance(&s);
            state = EXPECT_VALUE;
            continue;
        case EXPECT_COMMA_OR_END: {
            frame *f = &stack[depth - 1];
            if (c == ',') {
                advance(&s);
                state = f->is_array ? EXPECT_VALUE : EXPECT_KEY;
            } else if (c == (f->is_array ? ']' : '}')) {
                advance(&s);
                depth--;
                state = depth ? EXPECT_COMMA_OR_END : EXPECT_EOF;
            } else {
                rc = TENON_ECONFIG;
            }
            continue;
        }
        case EXPECT_VALUE:
            break;
        }
        if (rc < 0)
            break;

        /* A value: make its node, found from the parent by key or index. */
        tenon__jpos pos = here(&s);
        size_t parent = depth ? stack[depth - 1].node : TENON__JNONE;
        char *lookup = NULL;
        tenon__jpos kpos = pos;
        if (depth && stack[depth - 1].is_array) {
            lookup = tenon__asprintf("%zu#%zu", parent, stack[depth - 1].count++);
        } else if (depth) {
            if (!key) {
                rc = TENON_ECONFIG;
                break;
            }
            lookup = tenon__asprintf("%zu:%s", parent, key);
            kpos = key_pos;
        }
        tenon__free(key);
        key = NULL;
        if (depth && !lookup) {
            rc = TENON_ENOMEM;
            break;
        }
        size_t id;
        if ((rc = add_node(ix, parent, pos, kpos, lookup, &id)) < 0)
            break;
        if (c == '{' || c == '[') {
            if (tenon__grow((void **)&stack, &cap, depth + 1, sizeof(frame)) < 0) {
                rc = TENON_ENOMEM;
                break;
            }
            stack[depth++] = (frame){id, c == '[', 0};
            advance(&s);
            state = c == '[' ? EXPECT_VALUE_OR_END : EXPECT_KEY_OR_END;
            continue;
        }
        rc = c == '"' ? scan_string(&s, NULL) : scan_scalar(&s);
        state = depth ? EXPECT_COMMA_OR_END : EXPECT_EOF;
    }
    tenon__free(key);
    tenon__free(stack);
    if (rc < 0) {
        tenon__jindex_free(ix);
        return rc;
    }
    *out = ix;
    return 0;
}

size_t tenon__jindex_root(const tenon__jindex *ix)
{
    return ix && ix->n ? 0 : TENON__JNONE;
}

size_t tenon__jindex_count(const tenon__jindex *ix)
{
    return ix ? ix->n : 0;
}

/* Looks up "<node><sep><what>", formatting into a stack buffer when it fits:
 * lookups run once per key the checks visit. */
static size_t lookup(const tenon__jindex *ix, size_t node, char sep, const char *what)
{
    if (!ix || node >= ix->n)
        return TENON__JNONE;
    char small[256];
    int n = snprintf(small, sizeof(small), "%zu%c%s", node, sep, what);
    if (n < 0)
        return TENON__JNONE;
    char *key = small;
    if ((size_t)n >= sizeof(small)) {
        key = tenon__asprintf("%zu%c%s", node, sep, what);
        if (!key)
            return TENON__JNONE;
    }
    void *v = tenon__map_get(&ix->children, key);
    if (key != small)
        tenon__free(key);
    return v ? (size_t)(uintptr_t)v - 1 : TENON__JNONE;
}

size_t tenon__jindex_member(const tenon__jindex *ix, size_t node, const char *key)
{
    return key ? lookup(ix, node, ':', key) : TENON__JNONE;
}

size_t tenon__jindex_item(const tenon__jindex *ix, size_t node, size_t i)
{
    char num[32];
    snprintf(num, sizeof(num), "%zu", i);
    return lookup(ix, node, '#', num);
}

size_t tenon__jindex_find(const tenon__jindex *ix, const char *pointer)
{
    size_t node = tenon__jindex_root(ix);
    if (!pointer || node == TENON__JNONE)
        return TENON__JNONE;
    if (*pointer && *pointer != '/')
        return TENON__JNONE;
    char *token = tenon__malloc(strlen(pointer) + 1);
    if (!token)
        return TENON__JNONE;
    const char *p = pointer;
    while (*p == '/' && node != TENON__JNONE) {
        p++;
        size_t n = 0;
        while (*p && *p != '/') {
            if (p[0] == '~' && (p[1] == '0' || p[1] == '1')) {
                token[n++] = p[1] == '0' ? '~' : '/';
                p += 2;
            } else {
                token[n++] = *p++;
            }
        }
        token[n] = '\0';
        /* Arrays and objects are told apart by trying both: "0" is a key
         * of an object or an index of an array, never both. */
        size_t next = tenon__jindex_member(ix, node, token);
        if (next == TENON__JNONE && n > 0 && strspn(token, "0123456789") == n &&
            (n == 1 || token[0] != '0') && n < 20) {
            size_t i = 0;
            for (size_t k = 0; k < n; k++)
                i = i * 10 + (size_t)(token[k] - '0');
            next = tenon__jindex_item(ix, node, i);
        }
        node = next;
    }
    tenon__free(token);
    return node;
}

tenon__jpos tenon__jindex_pos(const tenon__jindex *ix, size_t node)
{
    if (!ix || node >= ix->n)
        return (tenon__jpos){0, 0, 0};
    return ix->nodes[node].pos;
}

tenon__jpos tenon__jindex_key_pos(const tenon__jindex *ix, size_t node)
{
    if (!ix || node >= ix->n)
        return (tenon__jpos){0, 0, 0};
    return ix->nodes[node].key_pos;
}

tenon__jpos tenon__jpos_at(const char *text, size_t len, size_t offset)
{
    scanner s = {text, len, 0, 1, 1};
    if (offset > len)
        offset = len;
    while (s.at < offset)
        advance(&s);
    return here(&s);
}
