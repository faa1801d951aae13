/* The position index of tenon.json (lib/config_index.c): where every key
 * and value is, found by key, index or JSON Pointer, with columns counted
 * in characters; and that no input, JSON or not, makes it read out of
 * bounds or recurse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config_internal.h"

static tenon__jindex *build(const char *text)
{
    tenon__jindex *ix = NULL;
    int rc = tenon__jindex_build(text, strlen(text), &ix);
    if (rc != 0)
        fail_msg("index of %s: %d", text, rc);
    return ix;
}

/* Asserts the value at pointer starts at line:col (and its key at kl:kc,
 * when kl is not 0). */
#define expect_at(ix, pointer, line, col, kl, kc) \
    expect_at_(__LINE__, ix, pointer, line, col, kl, kc)
static void expect_at_(int where, const tenon__jindex *ix, const char *pointer, unsigned line,
                       unsigned col, unsigned kl, unsigned kc)
{
    size_t node = tenon__jindex_find(ix, pointer);
    if (node == TENON__JNONE)
        fail_msg("line %d: %s not found", where, pointer);
    tenon__jpos p = tenon__jindex_pos(ix, node);
    if (p.line != line || p.col != col)
        fail_msg("line %d: %s is at %u:%u, expected %u:%u", where, pointer, p.line, p.col, line,
                 col);
    if (kl) {
        tenon__jpos k = tenon__jindex_key_pos(ix, node);
        if (k.line != kl || k.col != kc)
            fail_msg("line %d: key of %s is at %u:%u, expected %u:%u", where, pointer, k.line,
                     k.col, kl, kc);
    }
}

static const char doc[] = "{\n"
                          "  \"plugin_path\": [\"a\", \"b\"],\n"
                          "  \"plugins\": [\n"
                          "    {\"module\": \"x\", \"config\": {\"port\": 1}},\n"
                          "    {\"module\": \"y\",\n"
                          "     \"enabled\": false}\n"
                          "  ],\n"
                          "  \"default\": {}\n"
                          "}\n";

static void test_positions(void **state)
{
    (void)state;
    tenon__jindex *ix = build(doc);
    expect_at(ix, "", 1, 1, 0, 0);
    expect_at(ix, "/plugin_path", 2, 18, 2, 3);
    expect_at(ix, "/plugin_path/0", 2, 19, 0, 0);
    expect_at(ix, "/plugin_path/1", 2, 24, 0, 0);
    expect_at(ix, "/plugins", 3, 14, 3, 3);
    expect_at(ix, "/plugins/0", 4, 5, 0, 0);
    expect_at(ix, "/plugins/0/module", 4, 16, 4, 6);
    expect_at(ix, "/plugins/0/config/port", 4, 40, 4, 32);
    expect_at(ix, "/plugins/1/enabled", 6, 17, 6, 6);
    expect_at(ix, "/default", 8, 14, 8, 3);
    /* An array item's "key" is the item itself. */
    tenon__jpos k = tenon__jindex_key_pos(ix, tenon__jindex_find(ix, "/plugins/1"));
    assert_int_equal(k.line, 5);
    assert_int_equal(k.col, 5);
    assert_int_equal(tenon__jindex_count(ix), 13);
    tenon__jindex_free(ix);
}

static void test_lookup_by_key_and_index(void **state)
{
    (void)state;
    tenon__jindex *ix = build(doc);
    size_t root = tenon__jindex_root(ix);
    assert_int_equal(root, 0);
    size_t plugins = tenon__jindex_member(ix, root, "plugins");
    assert_true(plugins != TENON__JNONE);
    size_t second = tenon__jindex_item(ix, plugins, 1);
    assert_int_equal(tenon__jindex_pos(ix, second).line, 5);
    assert_int_equal(tenon__jindex_item(ix, plugins, 2), TENON__JNONE);
    /* Keys are not indices and indices are not keys. */
    assert_int_equal(tenon__jindex_member(ix, plugins, "0"), TENON__JNONE);
    assert_int_equal(tenon__jindex_item(ix, root, 0), TENON__JNONE);
    assert_int_equal(tenon__jindex_member(ix, root, "nope"), TENON__JNONE);
    assert_int_equal(tenon__jindex_member(ix, TENON__JNONE, "plugins"), TENON__JNONE);
    assert_int_equal(tenon__jindex_member(ix, 999999, "plugins"), TENON__JNONE);
    /* Pointers that name nothing. */
    assert_int_equal(tenon__jindex_find(ix, "plugins"), TENON__JNONE);
    assert_int_equal(tenon__jindex_find(ix, "/plugins/01"), TENON__JNONE);
    assert_int_equal(tenon__jindex_find(ix, "/plugins/-1"), TENON__JNONE);
    assert_int_equal(tenon__jindex_find(ix, "/plugins/99999999999999999999999"), TENON__JNONE);
    assert_int_equal(tenon__jindex_find(ix, "/plugins/0/module/x"), TENON__JNONE);
    assert_int_equal(tenon__jindex_find(ix, NULL), TENON__JNONE);
    tenon__jindex_free(ix);

    /* A NULL index finds nothing and reports unknown positions. */
    assert_int_equal(tenon__jindex_root(NULL), TENON__JNONE);
    assert_int_equal(tenon__jindex_find(NULL, ""), TENON__JNONE);
    assert_int_equal(tenon__jindex_pos(NULL, 0).line, 0);
    assert_int_equal(tenon__jindex_key_pos(NULL, 0).line, 0);
    tenon__jindex_free(NULL);
}

/* Keys are decoded as jansson decodes them, so a lookup with the key
 * jansson hands out finds the node. */
static void test_escaped_keys(void **state)
{
    (void)state;
    tenon__jindex *ix = build("{\"caf\\u00e9\": 1, \"a\\\"b\": 2, \"s/l~\": 3, "
                              "\"\\ud83d\\ude00\": 4, \"t\\tab\\n\": 5, \"\\/\": 6}");
    size_t root = tenon__jindex_root(ix);
    assert_true(tenon__jindex_member(ix, root, "caf\xc3\xa9") != TENON__JNONE);
    assert_true(tenon__jindex_member(ix, root, "a\"b") != TENON__JNONE);
    assert_true(tenon__jindex_member(ix, root, "\xf0\x9f\x98\x80") != TENON__JNONE);
    assert_true(tenon__jindex_member(ix, root, "t\tab\n") != TENON__JNONE);
    assert_true(tenon__jindex_member(ix, root, "/") != TENON__JNONE);
    /* RFC 6901 escapes in pointers. */
    assert_true(tenon__jindex_find(ix, "/s~1l~0") != TENON__JNONE);
    assert_int_equal(tenon__jindex_find(ix, "/s/l~"), TENON__JNONE);
    tenon__jindex_free(ix);
}

/* Columns count characters, as jansson's do: "é" and "☕" are one each. */
static void test_utf8_columns(void **state)
{
    (void)state;
    tenon__jindex *ix = build("{\"é\": \"☕☕\", \"b\": 1}");
    expect_at(ix, "/\xc3\xa9", 1, 7, 1, 2);
    expect_at(ix, "/b", 1, 18, 1, 13);
    tenon__jindex_free(ix);

    const char *text = "ab\nc\xc3\xa9"
                       "d\n";
    tenon__jpos p = tenon__jpos_at(text, strlen(text), 6);
    assert_int_equal(p.line, 2);
    assert_int_equal(p.col, 3); /* c, é, then d */
    p = tenon__jpos_at(text, strlen(text), 0);
    assert_int_equal(p.line, 1);
    assert_int_equal(p.col, 1);
    p = tenon__jpos_at(text, strlen(text), 1000); /* clamped to the end */
    assert_int_equal(p.line, 3);
    assert_int_equal(p.col, 1);
    assert_int_equal(p.offset, strlen(text));
}

static void test_scalars_and_empty_containers(void **state)
{
    (void)state;
    tenon__jindex *ix = build("  42  ");
    expect_at(ix, "", 1, 3, 0, 0);
    tenon__jindex_free(ix);
    ix = build("\"top\"");
    expect_at(ix, "", 1, 1, 0, 0);
    tenon__jindex_free(ix);
    ix = build(
        "{\"a\": {}, \"b\": [], \"c\": [[], {}], \"d\": null, \"e\": -1.5e3, \"f\": true}");
    expect_at(ix, "/a", 1, 7, 1, 2);
    expect_at(ix, "/b", 1, 16, 1, 11);
    expect_at(ix, "/c/1", 1, 30, 0, 0);
    expect_at(ix, "/d", 1, 40, 1, 35);
    expect_at(ix, "/e", 1, 51, 1, 46);
    expect_at(ix, "/f", 1, 64, 1, 59);
    tenon__jindex_free(ix);
}

/* The index runs only on text jansson accepted, but anything else must
 * come back as TENON_ECONFIG, never as a crash or a read past the end. */
static void test_not_json(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "   ",
        "{",
        "}",
        "[",
        "]",
        "{\"a\"",
        "{\"a\":",
        "{\"a\" 1}",
        "{\"a\":1,}x",
        "[1,,2]",
        "[1 2]",
        "\"unterminated",
        "\"esc\\",
        "{\"\\u12\": 1}",
        "{\"\\uZZZZ\": 1}",
        "{\"\\u0000\": 1}",
        "{\"\\q\": 1}",
        "{1: 2}",
        "{\"a\": 1} 2",
        "[]]",
        "{\"a\": [}",
        "\"\\ud83d\\u",
        "{\"a\":1}}",
        ",",
        ":",
        "{\"a\"::1}",
        "[\"a\":1]",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        tenon__jindex *ix = (tenon__jindex *)(uintptr_t)1;
        int rc = tenon__jindex_build(bad[i], strlen(bad[i]), &ix);
        if (rc != TENON_ECONFIG)
            fail_msg("%s: %d", bad[i], rc);
        assert_null(ix);
    }
    /* A raw NUL inside a key, and a length that cuts a string short. */
    static const char nul[] = {'{', '"', 'a', '\0', 'b', '"', ':', '1', '}'};
    tenon__jindex *ix;
    assert_int_equal(tenon__jindex_build(nul, sizeof(nul), &ix), TENON_ECONFIG);
    assert_int_equal(tenon__jindex_build("{\"abc\": 1}", 4, &ix), TENON_ECONFIG);
}

/* Nesting far deeper than jansson allows costs no stack. */
static void test_deep_nesting(void **state)
{
    (void)state;
    enum { DEPTH = 200000 };
    char *text = malloc(2 * DEPTH + 1);
    memset(text, '[', DEPTH);
    memset(text + DEPTH, ']', DEPTH);
    text[2 * DEPTH] = '\0';
    tenon__jindex *ix = build(text);
    assert_int_equal(tenon__jindex_count(ix), DEPTH);
    size_t node = tenon__jindex_root(ix);
    for (int i = 1; i < DEPTH; i++)
        node = tenon__jindex_item(ix, node, 0);
    assert_int_equal(tenon__jindex_pos(ix, node).col, DEPTH);
    tenon__jindex_free(ix);
    text[2 * DEPTH - 1] = '\0'; /* one bracket short */
    assert_int_equal(tenon__jindex_build(text, strlen(text), &ix), TENON_ECONFIG);
    free(text);
}

/* Many keys in one object: lookups stay fast (a map, not a scan), and
 * long keys are looked up as well as short ones. */
static void test_many_keys(void **state)
{
    (void)state;
    enum { N = 50000 };
    size_t cap = (size_t)N * 24 + 600;
    char *text = malloc(cap);
    size_t o = 0;
    text[o++] = '{';
    for (int i = 0; i < N; i++)
        o += (size_t)snprintf(text + o, cap - o, "%s\"k%d\": %d", i ? ", " : "", i, i);
    o += (size_t)snprintf(text + o, cap - o, ", \"");
    for (int i = 0; i < 500; i++)
        text[o++] = 'L';
    o += (size_t)snprintf(text + o, cap - o, "\": true}");
    tenon__jindex *ix = build(text);
    size_t root = tenon__jindex_root(ix);
    char key[32];
    for (int i = 0; i < N; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        assert_true(tenon__jindex_member(ix, root, key) != TENON__JNONE);
    }
    char longkey[501];
    memset(longkey, 'L', 500);
    longkey[500] = '\0';
    assert_true(tenon__jindex_member(ix, root, longkey) != TENON__JNONE);
    tenon__jindex_free(ix);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_positions),
        cmocka_unit_test(test_lookup_by_key_and_index),
        cmocka_unit_test(test_escaped_keys),
        cmocka_unit_test(test_utf8_columns),
        cmocka_unit_test(test_scalars_and_empty_containers),
        cmocka_unit_test(test_not_json),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_many_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
