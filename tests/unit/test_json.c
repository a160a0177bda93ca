/* test_json.c — the writer's exact output (compact and indented, escapes,
 * shortest round-trip numbers, exact integers) and the strict reader: the
 * tree it builds, every escape, and the RFC 8259 violations it refuses
 * with their messages. */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"

static LrJson *parse_ok(const char *text)
{
    char why[256] = "";
    LrJson *j = json_parse(text, strlen(text), why, sizeof why);
    if (!j)
        fail_msg("parsing %s: %s", text, why);
    return j;
}

/* What the writer made of one number. */
static const char *number_text(double v, char out[64])
{
    LrBuffer b = {0};
    LrJsonWriter w = {.out = &b};
    json_write_number(&w, v);
    assert_false(b.failed);
    snprintf(out, 64, "%s", b.data);
    buffer_free(&b);
    return out;
}

/* ---- writer -------------------------------------------------------------- */

static void write_sample(LrJsonWriter *w)
{
    json_begin_object(w);
    json_key(w, "a");
    json_write_integer(w, 1);
    json_key(w, "b");
    json_begin_array(w);
    json_write_number(w, 2.5);
    json_write_string(w, "x");
    json_write_bool(w, true);
    json_write_bool(w, false);
    json_write_null(w);
    json_end_array(w);
    json_key(w, "c");
    json_begin_object(w);
    json_end_object(w);
    json_key(w, "d");
    json_begin_array(w);
    json_end_array(w);
    json_key(w, "e");
    json_begin_object(w);
    json_key(w, "f");
    json_begin_array(w);
    json_write_integer(w, -3);
    json_end_array(w);
    json_end_object(w);
    json_end_object(w);
}

static void test_json__writes_compact(void **state)
{
    (void)state;
    LrBuffer b = {0};
    LrJsonWriter w = {.out = &b};
    write_sample(&w);
    assert_false(b.failed);
    assert_string_equal(b.data,
                        "{\"a\":1,\"b\":[2.5,\"x\",true,false,null],\"c\":{},\"d\":[],\"e\":{\"f\":[-3]}}");
    buffer_free(&b);
}

static void test_json__writes_indented(void **state)
{
    (void)state;
    LrBuffer b = {0};
    LrJsonWriter w = {.out = &b, .indent = 2};
    write_sample(&w);
    assert_false(b.failed);
    assert_string_equal(b.data, "{\n"
                                "  \"a\": 1,\n"
                                "  \"b\": [\n"
                                "    2.5,\n"
                                "    \"x\",\n"
                                "    true,\n"
                                "    false,\n"
                                "    null\n"
                                "  ],\n"
                                "  \"c\": {},\n"
                                "  \"d\": [],\n"
                                "  \"e\": {\n"
                                "    \"f\": [\n"
                                "      -3\n"
                                "    ]\n"
                                "  }\n"
                                "}");
    buffer_free(&b);
}

static void test_json__writer_escapes_strings(void **state)
{
    (void)state;
    LrBuffer b = {0};
    LrJsonWriter w = {.out = &b};
    json_begin_array(&w);
    json_write_string(&w, "q\"b\\s/\n\t\x01\x1f\x7f caf\xc3\xa9 \xe2\x82\xac");
    json_write_string_n(&w, "a\0b", 3);
    json_write_string(&w, NULL);
    json_end_array(&w);
    assert_string_equal(b.data, "[\"q\\\"b\\\\s/\\n\\t\\u0001\\u001f\x7f caf\xc3\xa9 "
                                "\xe2\x82\xac\",\"a\\u0000b\",null]");
    /* Keys are escaped the same way. */
    b.length = 0;
    LrJsonWriter w2 = {.out = &b};
    json_begin_object(&w2);
    json_key(&w2, "dense/\"kernel\"");
    json_write_integer(&w2, 0);
    json_end_object(&w2);
    assert_string_equal(b.data, "{\"dense/\\\"kernel\\\"\":0}");
    buffer_free(&b);
}

static void test_json__writer_numbers_are_shortest_exact(void **state)
{
    (void)state;
    char t[64];
    assert_string_equal(number_text(0.1, t), "0.1");
    assert_string_equal(number_text(1e-300, t), "1e-300");
    assert_string_equal(number_text(0.1 + 0.2, t), "0.30000000000000004");
    assert_string_equal(number_text(1.0 / 3.0, t), "0.3333333333333333");
    assert_string_equal(number_text(100, t), "100");
    assert_string_equal(number_text(-0.0, t), "-0");
    assert_string_equal(number_text(1e21, t), "1e+21");
    assert_string_equal(number_text(DBL_MAX, t), "1.7976931348623157e+308");
    assert_string_equal(number_text(5e-324, t), "5e-324"); /* subnormal: shortest too */
    assert_string_equal(number_text(NAN, t), "null");
    assert_string_equal(number_text(INFINITY, t), "null");
    assert_string_equal(number_text(-INFINITY, t), "null");

    /* Any double survives writing and reading, bit for bit. */
    uint64_t x = 0x9E3779B97F4A7C15u;
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        double v;
        memcpy(&v, &x, sizeof v);
        if (!isfinite(v))
            continue;
        number_text(v, t);
        LrJson *j = parse_ok(t);
        assert_int_equal(j->kind, LR_JSON_NUMBER);
        assert_memory_equal(&j->number, &v, sizeof v);
        json_free(j);
    }
}

static void test_json__integers_are_exact(void **state)
{
    (void)state;
    LrBuffer b = {0};
    LrJsonWriter w = {.out = &b};
    json_begin_array(&w);
    json_write_integer(&w, INT64_C(123456789012345678));
    json_write_integer(&w, INT64_MAX);
    json_write_integer(&w, INT64_MIN);
    json_write_integer(&w, 0);
    json_end_array(&w);
    assert_string_equal(b.data, "[123456789012345678,9223372036854775807,-9223372036854775808,0]");
    LrJson *j = parse_ok(b.data);
    const LrJson *e = j->first;
    assert_true(e->is_integer);
    assert_true(e->integer == INT64_C(123456789012345678));
    assert_true(e->next->integer == INT64_MAX);
    assert_true(e->next->next->integer == INT64_MIN);
    assert_true(e->next->next->next->is_integer);
    json_free(j);
    buffer_free(&b);

    /* Fractions and exponents are numbers only. */
    j = parse_ok("[1.0, 1e3, -0]");
    assert_false(j->first->is_integer);
    assert_false(j->first->next->is_integer);
    assert_true(j->first->next->number == 1000);
    assert_true(j->first->next->next->is_integer);
    assert_true(j->first->next->next->integer == 0);
    json_free(j);

    /* Integers beyond int64 are refused (jansson keeps every integer
     * exact), not rounded to a double. */
    char why[128];
    assert_null(json_parse("[9223372036854775808]", 21, why, sizeof why));
    assert_string_equal(why, "offset 20: too big integer near '9223372036854775808'");
    assert_null(json_parse("-9223372036854775809", 20, why, sizeof why));
    assert_string_equal(why, "offset 20: too big negative integer near '-9223372036854775809'");
}

static void test_json__writer_depth_limit_sets_failed(void **state)
{
    (void)state;
    LrBuffer b = {0};
    LrJsonWriter w = {.out = &b};
    for (int i = 0; i < 31; i++)
        json_begin_array(&w);
    assert_false(b.failed);
    json_begin_array(&w);
    assert_true(b.failed);
    buffer_free(&b);
}

/* ---- reader -------------------------------------------------------------- */

static void test_json__parses_tree(void **state)
{
    (void)state;
    LrJson *j = parse_ok(" {\"n\": -12.5e1, \"s\": \"hi\", \"t\": true, \"f\": false, \"z\": null,\n"
                         "\t\"a\": [1, [2], {}], \"o\": {\"k\": \"v\"}, \"\": 0}\r\n");
    assert_int_equal(j->kind, LR_JSON_OBJECT);
    assert_int_equal(j->count, 8);
    const char *keys[] = {"n", "s", "t", "f", "z", "a", "o", ""};
    int i = 0;
    for (const LrJson *m = j->first; m; m = m->next)
        assert_string_equal(m->key, keys[i++]);
    assert_int_equal(i, 8);
    assert_true(json_get(j, "n")->number == -125.0);
    assert_false(json_get(j, "n")->is_integer);
    assert_string_equal(json_get(j, "s")->string, "hi");
    assert_int_equal(json_get(j, "t")->kind, LR_JSON_BOOL);
    assert_true(json_get(j, "t")->number == 1);
    assert_true(json_get(j, "f")->number == 0);
    assert_int_equal(json_get(j, "z")->kind, LR_JSON_NULL);
    const LrJson *a = json_get(j, "a");
    assert_int_equal(a->kind, LR_JSON_ARRAY);
    assert_int_equal(a->count, 3);
    assert_null(a->first->key);
    assert_int_equal(a->first->next->kind, LR_JSON_ARRAY);
    assert_true(a->first->next->first->number == 2);
    assert_int_equal(a->first->next->next->kind, LR_JSON_OBJECT);
    assert_int_equal(a->first->next->next->count, 0);
    assert_null(a->first->next->next->first);
    assert_string_equal(json_get(json_get(j, "o"), "k")->string, "v");
    assert_non_null(json_get(j, ""));
    assert_null(json_get(j, "missing"));
    assert_null(json_get(a, "n")); /* not an object */
    assert_null(json_get(NULL, "n"));
    json_free(j);

    /* Scalars are documents too. */
    j = parse_ok("\"only\"");
    assert_string_equal(j->string, "only");
    json_free(j);
    /* Duplicate keys are refused, at any depth: which one counts would
     * depend on the reader. */
    char why[128];
    assert_null(json_parse("{\"k\": 1, \"k\": 2}", 16, why, sizeof why));
    assert_string_equal(why, "offset 12: duplicate object key near '\"k\"'");
    const char *nested = "[{\"a\": {\"b\": 1, \"b\": 1}}]";
    assert_null(json_parse(nested, strlen(nested), why, sizeof why));
    assert_string_equal(why, "offset 19: duplicate object key near '\"b\"'");
}

static void test_json__reads_only_the_given_bytes(void **state)
{
    (void)state;
    /* The text need not be NUL-terminated: "1234" read as its first 3. */
    char why[128];
    LrJson *j = json_parse("1234", 3, why, sizeof why);
    assert_non_null(j);
    assert_true(j->integer == 123);
    json_free(j);
    j = json_parse("\"ab\"", 3, why, sizeof why);
    assert_null(j);
    assert_string_equal(why, "offset 3: premature end of input near '\"ab'");
    /* A number longer than the parser's small buffer. */
    char text[200] = "0.";
    for (int i = 0; i < 150; i++)
        strcat(text, "0");
    strcat(text, "1");
    j = parse_ok(text);
    assert_true(j->number == 1e-151);
    json_free(j);
    j = parse_ok("123456789012345678901234567890.0");
    assert_false(j->is_integer);
    assert_true(j->number == 123456789012345678901234567890.0);
    json_free(j);
}

static void test_json__reads_escapes(void **state)
{
    (void)state;
    LrJson *j = parse_ok("[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\", \"\\u00e9\\u20AC\\ud83d\\ude00\", "
                         "\"raw caf\xc3\xa9 \xf0\x9f\x98\x80\", \"\\u0041\\u007f\"]");
    assert_string_equal(j->first->string, "\"\\/\b\f\n\r\t");
    assert_string_equal(j->first->next->string, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    assert_string_equal(j->first->next->next->string, "raw caf\xc3\xa9 \xf0\x9f\x98\x80");
    assert_string_equal(j->first->next->next->next->string, "A\x7f");
    json_free(j);

    /* What the writer escapes, the reader restores. */
    LrBuffer b = {0};
    LrJsonWriter w = {.out = &b};
    const char *s = "tab\there \"quoted\" back\\slash \x01\x1f caf\xc3\xa9";
    json_write_string(&w, s);
    j = parse_ok(b.data);
    assert_string_equal(j->string, s);
    json_free(j);
    buffer_free(&b);
}

static void test_json__rejects_invalid(void **state)
{
    (void)state;
    static const struct {
        const char *text, *why;
    } cases[] = {
        {"", "offset 0: unexpected token near end of file"},
        {"   ", "offset 3: unexpected token near end of file"},
        {"[1,2,]", "offset 6: unexpected token near ']'"},
        {"{\"a\":1,}", "offset 8: string or '}' expected near '}'"},
        {"{\"a\":1 , }", "offset 10: string or '}' expected near '}'"},
        {"[,1]", "offset 2: unexpected token near ','"},
        {"[1 2]", "offset 4: ']' expected near '2'"},
        {"[1,2", "offset 4: ']' expected near end of file"},
        {"{\"a\":1", "offset 6: '}' expected near end of file"},
        {"{\"a\" 1}", "offset 6: ':' expected near '1'"},
        {"{1:2}", "offset 2: string or '}' expected near '1'"},
        {"{'a':2}", "offset 2: string or '}' expected near '''"},
        {"\"abc", "offset 4: premature end of input near '\"abc'"},
        {"[\"abc\\", "offset 6: invalid escape near '\"abc\\'"},
        {"\"\\x\"", "offset 3: invalid escape near '\"\\x'"},
        {"\"\\'\"", "offset 3: invalid escape near '\"\\''"},
        {"\"\\u12G4\"", "offset 6: invalid escape near '\"\\u12G'"},
        {"\"\\u12\"", "offset 6: invalid escape near '\"\\u12\"'"},
        {"\"\\ud800\"", "offset 8: invalid Unicode '\\uD800' near '\"\\ud800\"'"},
        {"\"\\udc00\"", "offset 8: invalid Unicode '\\uDC00' near '\"\\udc00\"'"},
        {"\"ab\\ud83d\\u0041\"", "offset 16: invalid Unicode '\\uD83D\\u0041' near '\"ab\\ud83d\\u0041\"'"},
        {"\"\\ud83d\\ud83d\"", "offset 14: invalid Unicode '\\uD83D\\uD83D' near '\"\\ud83d\\ud83d\"'"},
        {"\"\\u0000\"", "offset 8: \\u0000 is not supported (strings end at a NUL)"},
        {"\"a\tb\"", "offset 2: control character 0x9 near '\"a'"},
        {"\"\xc3\x28\"", "offset 1: unable to decode byte 0xc3 near '\"'"},
        {"\"\xc0\xaf\"", "offset 1: unable to decode byte 0xc0 near '\"'"},          /* overlong '/' */
        {"\"\xe0\x80\xaf\"", "offset 1: unable to decode byte 0xe0 near '\"'"},      /* overlong '/' */
        {"\"\xed\xa0\x80\"", "offset 1: unable to decode byte 0xed near '\"'"},      /* U+D800 */
        {"\"\xf4\x90\x80\x80\"", "offset 1: unable to decode byte 0xf4 near '\"'"},  /* > U+10FFFF */
        {"\"\xe2\x82\"", "offset 1: unable to decode byte 0xe2 near '\"'"},          /* cut short */
        {"\"\xff\"", "offset 1: unable to decode byte 0xff near '\"'"},
        {"01", "offset 1: invalid token near '0'"},
        {"-01", "offset 2: invalid token near '-0'"},
        {"[00]", "offset 2: invalid token near '0'"},
        {"1.", "offset 2: invalid token near '1.'"},
        {"1.e5", "offset 2: invalid token near '1.'"},
        {".5", "offset 1: invalid token near '.'"},
        {"-", "offset 1: invalid token near '-'"},
        {"-a", "offset 1: invalid token near '-'"},
        {"+1", "offset 1: invalid token near '+'"},
        {"1e", "offset 2: invalid token near '1e'"},
        {"1e+", "offset 3: invalid token near '1e+'"},
        {"1e400", "offset 5: real number overflow near '1e400'"},
        {"-1e400", "offset 6: real number overflow near '-1e400'"},
        {"NaN", "offset 3: invalid token near 'NaN'"},
        {"Infinity", "offset 8: invalid token near 'Infinity'"},
        {"tru", "offset 3: invalid token near 'tru'"},
        {"nul", "offset 3: invalid token near 'nul'"},
        {"True", "offset 4: invalid token near 'True'"},
        {"1 2", "offset 3: end of file expected near '2'"},
        {"{} x", "offset 4: end of file expected near 'x'"},
        {"[1]\x01", "offset 4: end of file expected near '\\x01'"},
        {"\xef\xbb\xbf{}", "offset 3: invalid token near '\\xef\\xbb\\xbf'"}, /* BOM */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char why[256] = "";
        LrJson *j = json_parse(cases[i].text, strlen(cases[i].text), why, sizeof why);
        if (j) {
            json_free(j);
            fail_msg("accepted %s", cases[i].text);
        }
        if (strcmp(why, cases[i].why) != 0)
            fail_msg("for %s: got \"%s\", want \"%s\"", cases[i].text, why, cases[i].why);
    }
    /* No reason buffer: still refused, nothing written. */
    assert_null(json_parse("[", 1, NULL, 0));
}

static void test_json__depth_limit(void **state)
{
    (void)state;
    char text[512];
    /* 64 nested arrays are fine, 65 are not. */
    memset(text, '[', 64);
    memset(text + 64, ']', 64);
    LrJson *j = json_parse(text, 128, NULL, 0);
    assert_non_null(j);
    const LrJson *deepest = j;
    int depth = 1;
    while (deepest->first)
        deepest = deepest->first, depth++;
    assert_int_equal(depth, 64);
    json_free(j);

    char why[128];
    memset(text, '[', 65);
    memset(text + 65, ']', 65);
    assert_null(json_parse(text, 130, why, sizeof why));
    assert_string_equal(why, "offset 64: nesting too deep (limit is 64)");

    /* Objects count the same way. */
    size_t n = 0;
    for (int i = 0; i < 65; i++)
        n += (size_t)sprintf(text + n, "{\"a\":");
    text[n++] = '1';
    for (int i = 0; i < 65; i++)
        text[n++] = '}';
    assert_null(json_parse(text, n, why, sizeof why));
    assert_string_equal(why, "offset 320: nesting too deep (limit is 64)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json__writes_compact),
        cmocka_unit_test(test_json__writes_indented),
        cmocka_unit_test(test_json__writer_escapes_strings),
        cmocka_unit_test(test_json__writer_numbers_are_shortest_exact),
        cmocka_unit_test(test_json__integers_are_exact),
        cmocka_unit_test(test_json__writer_depth_limit_sets_failed),
        cmocka_unit_test(test_json__parses_tree),
        cmocka_unit_test(test_json__reads_only_the_given_bytes),
        cmocka_unit_test(test_json__reads_escapes),
        cmocka_unit_test(test_json__rejects_invalid),
        cmocka_unit_test(test_json__depth_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
