/* json.c — the JSON writer behind run.json, the safetensors header and the
 * model description, and the reader of those, on jansson.
 *
 * The writer is lrc's own because jansson cannot produce the bytes lrc
 * writes: it prints a real with "%.17g" and a ".0" suffix (0.1 becomes
 * 0.10000000000000001, 100 becomes 100.0, 1e+21 is written 1e21), has no node
 * for a number already formatted, escapes \b \f \r differently and puts a
 * space after compact commas; run.json and the model metadata would all
 * change. Numbers here are decimal_shortest's, which read back exactly.
 *
 * The reader parses with jansson (strict RFC 8259, duplicate keys
 * refused), then copies its tree into LrJson nodes and their strings in
 * one allocation, so that callers walk plain structs and free one block. */
#include <jansson.h>

#include "json.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decimal.h"

/* ======================================================================
 * Writer
 * ====================================================================== */

enum { JSON_WRITER_MAX_DEPTH = 31 }; /* need_comma[] has 32 levels */

static void json_newline(LrJsonWriter *w)
{
    buffer_append(w->out, "\n", 1);
    for (int i = 0; i < w->depth * w->indent; i++)
        buffer_append(w->out, " ", 1);
}

/* What goes before any value or key: the comma after the previous sibling
 * and, when indenting, a new line. A value right after its key gets
 * neither. */
static void json_prefix(LrJsonWriter *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->need_comma[w->depth])
        buffer_append(w->out, ",", 1);
    if (w->depth > 0 && w->indent > 0)
        json_newline(w);
    w->need_comma[w->depth] = true;
}

static void json_open(LrJsonWriter *w, char c)
{
    json_prefix(w);
    if (w->depth >= JSON_WRITER_MAX_DEPTH) {
        w->out->failed = 1;
        return;
    }
    buffer_append(w->out, &c, 1);
    w->depth++;
    w->need_comma[w->depth] = false;
}

static void json_close(LrJsonWriter *w, char c)
{
    if (w->depth == 0) {
        w->out->failed = 1; /* unbalanced: a bug in the caller */
        return;
    }
    bool had_members = w->need_comma[w->depth];
    w->depth--;
    if (had_members && w->indent > 0)
        json_newline(w);
    buffer_append(w->out, &c, 1);
}

void json_begin_object(LrJsonWriter *w)
{
    json_open(w, '{');
}

void json_end_object(LrJsonWriter *w)
{
    json_close(w, '}');
}

void json_begin_array(LrJsonWriter *w)
{
    json_open(w, '[');
}

void json_end_array(LrJsonWriter *w)
{
    json_close(w, ']');
}

/* A quoted string: '"' and '\' escaped, newline and tab by their short
 * escapes (run.json holds multi-line text), other control characters as
 * \u00XX, every other byte (UTF-8 included) as is. */
static void json_quote(LrBuffer *out, const char *s, size_t n)
{
    buffer_append(out, "\"", 1);
    size_t run = 0; /* bytes since the last escape, appended in one go */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        buffer_append(out, s + run, i - run);
        if (c == '"' || c == '\\' || c == '\n' || c == '\t') {
            char esc[2] = {'\\', c == '\n' ? 'n' : c == '\t' ? 't' : (char)c};
            buffer_append(out, esc, 2);
        } else {
            buffer_printf(out, "\\u%04x", c);
        }
        run = i + 1;
    }
    buffer_append(out, s + run, n - run);
    buffer_append(out, "\"", 1);
}

void json_key(LrJsonWriter *w, const char *key)
{
    json_prefix(w);
    json_quote(w->out, key, strlen(key));
    buffer_append(w->out, w->indent > 0 ? ": " : ":", w->indent > 0 ? 2 : 1);
    w->after_key = true;
}

void json_write_string(LrJsonWriter *w, const char *s)
{
    if (!s) {
        json_write_null(w);
        return;
    }
    json_write_string_n(w, s, strlen(s));
}

void json_write_string_n(LrJsonWriter *w, const char *s, size_t n)
{
    json_prefix(w);
    json_quote(w->out, s, n);
}

void json_write_number(LrJsonWriter *w, double v)
{
    if (!isfinite(v)) {
        json_write_null(w); /* JSON has no NaN or infinity */
        return;
    }
    char text[DECIMAL_SHORTEST_SIZE];
    size_t len = decimal_shortest(v, text);
    json_prefix(w);
    buffer_append(w->out, text, len);
}

void json_write_integer(LrJsonWriter *w, int64_t v)
{
    json_prefix(w);
    buffer_printf(w->out, "%" PRId64, v);
}

void json_write_bool(LrJsonWriter *w, bool v)
{
    json_prefix(w);
    buffer_append(w->out, v ? "true" : "false", v ? 4 : 5);
}

void json_write_null(LrJsonWriter *w)
{
    json_prefix(w);
    buffer_append(w->out, "null", 4);
}

/* ======================================================================
 * Reader
 * ====================================================================== */

/* jansson nests to 2048; lrc's documents need a few levels, and a
 * shallow limit keeps both parsers' recursion small. */
enum { JSON_MAX_DEPTH = 64 };
/* The largest text read: safetensors headers stop at 100 MB. */
#define JSON_MAX_TEXT ((size_t)128 << 20)

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void json_fail(char *why, size_t why_size, const char *fmt, ...)
{
    if (!why || why_size == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, why_size, fmt, ap);
    va_end(ap);
}

/* Offset of the bracket that opens level JSON_MAX_DEPTH + 1, or -1. Only
 * brackets outside strings count; the text's validity is jansson's part. */
static long json_too_deep_at(const char *text, size_t size)
{
    int depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < size; i++) {
        char c = text[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > JSON_MAX_DEPTH)
                return (long)i;
        } else if (c == ']' || c == '}') {
            depth--;
        }
    }
    return -1;
}

/* jansson quotes the text near an error as is; a damaged file's bytes
 * should not reach a terminal, so the unprintable ones become \xNN. */
static void json_printable(const char *in, char *out, size_t out_size)
{
    size_t n = 0;
    for (; *in && n + 5 < out_size; in++) {
        unsigned char c = (unsigned char)*in;
        if (c >= 0x20 && c < 0x7f)
            out[n++] = (char)c;
        else
            n += (size_t)snprintf(out + n, out_size - n, "\\x%02x", c);
    }
    out[n] = '\0';
}

/* Nodes and string bytes (NULs included) that value's tree needs. */
static void json_measure(json_t *value, size_t *nodes, size_t *bytes)
{
    ++*nodes;
    if (json_typeof(value) == JSON_STRING) {
        *bytes += json_string_length(value) + 1;
    } else if (json_typeof(value) == JSON_ARRAY) {
        for (size_t i = 0; i < json_array_size(value); i++)
            json_measure(json_array_get(value, i), nodes, bytes);
    } else if (json_typeof(value) == JSON_OBJECT) {
        const char *key;
        json_t *member;
        json_object_foreach (value, key, member) {
            *bytes += strlen(key) + 1;
            json_measure(member, nodes, bytes);
        }
    }
}

/* Where json_fill_node puts the next node and string. */
typedef struct JsonFill {
    LrJson *node;
    char *string;
} JsonFill;

static char *json_fill_string(JsonFill *f, const char *s, size_t n)
{
    char *copy = f->string;
    memcpy(copy, s, n);
    copy[n] = '\0';
    f->string += n + 1;
    return copy;
}

/* Copies value's tree in the order json_measure counted it. */
static LrJson *json_fill_node(JsonFill *f, json_t *value)
{
    LrJson *n = f->node++;
    memset(n, 0, sizeof *n);
    LrJson **link = &n->first;
    switch (json_typeof(value)) {
    case JSON_OBJECT: {
        n->kind = LR_JSON_OBJECT;
        const char *key;
        json_t *member;
        json_object_foreach (value, key, member) {
            char *name = json_fill_string(f, key, strlen(key));
            LrJson *child = json_fill_node(f, member);
            child->key = name;
            *link = child;
            link = &child->next;
            n->count++;
        }
        break;
    }
    case JSON_ARRAY:
        n->kind = LR_JSON_ARRAY;
        for (size_t i = 0; i < json_array_size(value); i++) {
            LrJson *child = json_fill_node(f, json_array_get(value, i));
            *link = child;
            link = &child->next;
            n->count++;
        }
        break;
    case JSON_STRING:
        n->kind = LR_JSON_STRING;
        n->string = json_fill_string(f, json_string_value(value), json_string_length(value));
        break;
    case JSON_INTEGER:
        n->kind = LR_JSON_NUMBER;
        n->is_integer = true;
        n->integer = json_integer_value(value);
        n->number = (double)n->integer;
        break;
    case JSON_REAL:
        n->kind = LR_JSON_NUMBER;
        n->number = json_real_value(value);
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        n->kind = LR_JSON_BOOL;
        n->number = json_typeof(value) == JSON_TRUE;
        break;
    case JSON_NULL:
        n->kind = LR_JSON_NULL;
        break;
    }
    return n;
}

LrJson *json_parse(const char *text, size_t size, char *why, size_t why_size)
{
    if (size > JSON_MAX_TEXT) {
        json_fail(why, why_size, "offset 0: %zu bytes is over the limit of %zu", size,
                  JSON_MAX_TEXT);
        return NULL;
    }
    long deep = json_too_deep_at(text, size);
    if (deep >= 0) {
        json_fail(why, why_size, "offset %ld: nesting too deep (limit is %d)", deep,
                  JSON_MAX_DEPTH);
        return NULL;
    }
    /* Without JSON_ALLOW_NUL jansson refuses "\u0000": strings here end at
     * their NUL. Integers beyond int64 are refused (too big integer). */
    json_error_t error;
    json_t *doc = json_loadb(text, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &error);
    if (!doc) {
        char reason[sizeof error.text * 4];
        if (json_error_code(&error) == json_error_null_character)
            snprintf(reason, sizeof reason, "\\u0000 is not supported (strings end at a NUL)");
        else
            json_printable(error.text, reason, sizeof reason);
        json_fail(why, why_size, "offset %d: %s", error.position, reason);
        return NULL;
    }
    size_t nodes = 0, bytes = 0;
    json_measure(doc, &nodes, &bytes);
    /* Nodes first, then the strings; the root is nodes[0], so freeing the
     * root frees everything. */
    LrJson *block = malloc(nodes * sizeof(LrJson) + bytes);
    if (!block) {
        json_decref(doc);
        json_fail(why, why_size, "offset 0: out of memory");
        return NULL;
    }
    JsonFill fill = {.node = block, .string = (char *)(block + nodes)};
    LrJson *root = json_fill_node(&fill, doc);
    json_decref(doc);
    return root;
}

const LrJson *json_get(const LrJson *object, const char *key)
{
    if (!object || object->kind != LR_JSON_OBJECT)
        return NULL;
    for (const LrJson *m = object->first; m; m = m->next)
        if (strcmp(m->key, key) == 0)
            return m;
    return NULL;
}

void json_free(LrJson *root)
{
    free(root);
}
