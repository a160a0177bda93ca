/* json.c — the JSON writer behind run.json and the safetensors header, and
 * a strict RFC 8259 reader for safetensors headers. The writer's numbers
 * read back to the same double; the reader parses twice, once to count
 * nodes and string bytes and once to fill a single allocation, so that a
 * tree is one malloc and one free. */
#include "json.h"

#include <errno.h>
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

void json_string(LrJsonWriter *w, const char *s)
{
    if (!s) {
        json_null(w);
        return;
    }
    json_string_n(w, s, strlen(s));
}

void json_string_n(LrJsonWriter *w, const char *s, size_t n)
{
    json_prefix(w);
    json_quote(w->out, s, n);
}

void json_number(LrJsonWriter *w, double v)
{
    if (!isfinite(v)) {
        json_null(w); /* JSON has no NaN or infinity */
        return;
    }
    char text[DECIMAL_SHORTEST_SIZE];
    size_t len = decimal_shortest(v, text);
    json_prefix(w);
    buffer_append(w->out, text, len);
}

void json_integer(LrJsonWriter *w, int64_t v)
{
    json_prefix(w);
    buffer_printf(w->out, "%" PRId64, v);
}

void json_bool(LrJsonWriter *w, bool v)
{
    json_prefix(w);
    buffer_append(w->out, v ? "true" : "false", v ? 4 : 5);
}

void json_null(LrJsonWriter *w)
{
    json_prefix(w);
    buffer_append(w->out, "null", 4);
}

/* ======================================================================
 * Reader
 * ====================================================================== */

enum { JSON_MAX_DEPTH = 64 };

/* One pass over the text. With build false it only counts nodes and the
 * bytes of decoded strings (NULs included); with build true it fills
 * nodes[] and strings[], which the first pass sized exactly. */
typedef struct JsonParser {
    const char *text, *p, *end;
    int depth;
    bool build;
    LrJson *nodes;
    size_t node_count;
    char *strings;
    size_t string_bytes;
    char *why;
    size_t why_size;
} JsonParser;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int json_fail(JsonParser *ps, const char *fmt, ...)
{
    if (ps->why && ps->why_size > 0) {
        int n = snprintf(ps->why, ps->why_size, "offset %zu: ", (size_t)(ps->p - ps->text));
        if (n >= 0 && (size_t)n < ps->why_size) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(ps->why + n, ps->why_size - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return -1;
}

/* Names the byte at p for a message: 'x', or a hex code if unprintable. */
static const char *json_describe(const JsonParser *ps, char buf[16])
{
    if (ps->p >= ps->end)
        return "end of input";
    unsigned char c = (unsigned char)*ps->p;
    if (c >= 0x20 && c < 0x7f)
        snprintf(buf, 16, "'%c'", c);
    else
        snprintf(buf, 16, "byte 0x%02x", c);
    return buf;
}

static void json_skip_space(JsonParser *ps)
{
    while (ps->p < ps->end &&
           (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static LrJson *json_new_node(JsonParser *ps, LrJsonKind kind)
{
    size_t i = ps->node_count++;
    if (!ps->build)
        return NULL;
    LrJson *n = &ps->nodes[i];
    memset(n, 0, sizeof *n);
    n->kind = kind;
    return n;
}

/* Appends one decoded byte to the current string (or counts it). */
static void json_put(JsonParser *ps, unsigned char c)
{
    if (ps->build)
        ps->strings[ps->string_bytes] = (char)c;
    ps->string_bytes++;
}

static void json_put_utf8(JsonParser *ps, uint32_t cp)
{
    if (cp < 0x80) {
        json_put(ps, (unsigned char)cp);
    } else if (cp < 0x800) {
        json_put(ps, (unsigned char)(0xc0 | cp >> 6));
        json_put(ps, (unsigned char)(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        json_put(ps, (unsigned char)(0xe0 | cp >> 12));
        json_put(ps, (unsigned char)(0x80 | (cp >> 6 & 0x3f)));
        json_put(ps, (unsigned char)(0x80 | (cp & 0x3f)));
    } else {
        json_put(ps, (unsigned char)(0xf0 | cp >> 18));
        json_put(ps, (unsigned char)(0x80 | (cp >> 12 & 0x3f)));
        json_put(ps, (unsigned char)(0x80 | (cp >> 6 & 0x3f)));
        json_put(ps, (unsigned char)(0x80 | (cp & 0x3f)));
    }
}

/* Four hex digits after "\u" at p; -1 if they are not there. */
static long json_hex4(const JsonParser *ps)
{
    if (ps->end - ps->p < 4)
        return -1;
    long v = 0;
    for (int i = 0; i < 4; i++) {
        char c = ps->p[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Length of the well-formed UTF-8 sequence at p (Unicode table 3-7: no
 * overlong forms, no surrogates, nothing above U+10FFFF), or 0. */
static int json_utf8_length(const unsigned char *p, const unsigned char *end)
{
    unsigned char c = p[0];
    int n;
    unsigned char lo = 0x80, hi = 0xbf; /* range of the second byte */
    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        if (c == 0xe0)
            lo = 0xa0;
        if (c == 0xed)
            hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        if (c == 0xf0)
            lo = 0x90;
        if (c == 0xf4)
            hi = 0x8f;
    } else
        return 0;
    if (end - p < n || p[1] < lo || p[1] > hi)
        return 0;
    for (int i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xbf)
            return 0;
    return n;
}

/* A string at p (on its opening quote); *out gets the decoded copy when
 * building. */
static int json_parse_string(JsonParser *ps, char **out)
{
    const char *open = ps->p;
    char *start = ps->build ? ps->strings + ps->string_bytes : NULL;
    ps->p++;
    for (;;) {
        if (ps->p >= ps->end) {
            ps->p = open;
            return json_fail(ps, "unterminated string");
        }
        unsigned char c = (unsigned char)*ps->p;
        if (c == '"') {
            ps->p++;
            break;
        }
        if (c < 0x20)
            return json_fail(ps, "control character (byte 0x%02x) in a string; write it as \\u%04x",
                             c, c);
        if (c >= 0x80) {
            int n = json_utf8_length((const unsigned char *)ps->p, (const unsigned char *)ps->end);
            if (n == 0)
                return json_fail(ps, "invalid UTF-8 in a string");
            for (int i = 0; i < n; i++)
                json_put(ps, (unsigned char)ps->p[i]);
            ps->p += n;
            continue;
        }
        if (c != '\\') {
            json_put(ps, c);
            ps->p++;
            continue;
        }
        /* An escape. */
        const char *esc = ps->p;
        ps->p++;
        if (ps->p >= ps->end) {
            ps->p = open;
            return json_fail(ps, "unterminated string");
        }
        char e = *ps->p++;
        switch (e) {
        case '"': json_put(ps, '"'); break;
        case '\\': json_put(ps, '\\'); break;
        case '/': json_put(ps, '/'); break;
        case 'b': json_put(ps, '\b'); break;
        case 'f': json_put(ps, '\f'); break;
        case 'n': json_put(ps, '\n'); break;
        case 'r': json_put(ps, '\r'); break;
        case 't': json_put(ps, '\t'); break;
        case 'u': {
            long cp = json_hex4(ps);
            if (cp < 0) {
                ps->p = esc;
                return json_fail(ps, "\\u must be followed by four hex digits");
            }
            ps->p += 4;
            if (cp >= 0xdc00 && cp <= 0xdfff) {
                ps->p = esc;
                return json_fail(ps, "lone surrogate \\u%04lX", cp);
            }
            if (cp >= 0xd800 && cp <= 0xdbff) {
                /* A high surrogate must be followed by a low one; the pair
                 * is one code point above U+FFFF. */
                long lo = -1;
                if (ps->end - ps->p >= 2 && ps->p[0] == '\\' && ps->p[1] == 'u') {
                    ps->p += 2;
                    lo = json_hex4(ps);
                    ps->p -= 2;
                }
                if (lo < 0xdc00 || lo > 0xdfff) {
                    ps->p = esc;
                    return json_fail(ps, "lone surrogate \\u%04lX", cp);
                }
                ps->p += 6;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            }
            if (cp == 0) {
                ps->p = esc;
                return json_fail(ps, "\\u0000 is not supported (strings end at a NUL)");
            }
            json_put_utf8(ps, (uint32_t)cp);
            break;
        }
        default:
            ps->p = esc;
            if ((unsigned char)e >= 0x20 && (unsigned char)e < 0x7f)
                return json_fail(ps, "invalid escape '\\%c'", e);
            return json_fail(ps, "invalid escape (byte 0x%02x after '\\')", (unsigned char)e);
        }
    }
    json_put(ps, '\0');
    if (out)
        *out = start;
    return 0;
}

/* A number per the RFC 8259 grammar; its double from strtod, and its exact
 * value too when it is an integer that fits int64. */
static int json_parse_number(JsonParser *ps, LrJson *node)
{
    const char *start = ps->p, *q = ps->p, *end = ps->end;
    bool integral = true;
    if (q < end && *q == '-')
        q++;
    if (q >= end || *q < '0' || *q > '9') {
        ps->p = q;
        return json_fail(ps, "expected a digit");
    }
    if (*q == '0' && q + 1 < end && q[1] >= '0' && q[1] <= '9') {
        ps->p = q;
        return json_fail(ps, "leading zeros are not allowed");
    }
    while (q < end && *q >= '0' && *q <= '9')
        q++;
    if (q < end && *q == '.') {
        integral = false;
        q++;
        if (q >= end || *q < '0' || *q > '9') {
            ps->p = q;
            return json_fail(ps, "expected a digit after '.'");
        }
        while (q < end && *q >= '0' && *q <= '9')
            q++;
    }
    if (q < end && (*q == 'e' || *q == 'E')) {
        integral = false;
        q++;
        if (q < end && (*q == '+' || *q == '-'))
            q++;
        if (q >= end || *q < '0' || *q > '9') {
            ps->p = q;
            return json_fail(ps, "expected a digit in the exponent");
        }
        while (q < end && *q >= '0' && *q <= '9')
            q++;
    }
    /* strtod needs a NUL-terminated copy: the text need not end here. */
    size_t len = (size_t)(q - start);
    char small[64];
    char *copy = len < sizeof small ? small : malloc(len + 1);
    if (!copy)
        return json_fail(ps, "out of memory");
    memcpy(copy, start, len);
    copy[len] = '\0';
    errno = 0;
    double v = strtod(copy, NULL);
    int range_error = errno == ERANGE && isinf(v);
    long long iv = 0;
    int exact = 0;
    if (integral) {
        errno = 0;
        iv = strtoll(copy, NULL, 10);
        exact = errno == 0;
    }
    if (copy != small)
        free(copy);
    if (range_error)
        return json_fail(ps, "number out of range");
    if (node) {
        node->number = v;
        node->is_integer = exact;
        node->integer = exact ? (int64_t)iv : 0;
    }
    ps->p = q;
    return 0;
}

static int json_parse_value(JsonParser *ps, LrJson **out);

/* An array or object at p (on its bracket). */
static int json_parse_container(JsonParser *ps, LrJson *node, bool object)
{
    const char close = object ? '}' : ']';
    if (ps->depth >= JSON_MAX_DEPTH)
        return json_fail(ps, "nesting too deep (limit is %d)", JSON_MAX_DEPTH);
    ps->depth++;
    ps->p++;
    json_skip_space(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        ps->depth--;
        return 0;
    }
    LrJson **link = node ? &node->first : NULL;
    for (;;) {
        char *key = NULL;
        char what[16];
        json_skip_space(ps);
        if (object) {
            if (ps->p >= ps->end || *ps->p != '"')
                return json_fail(ps, "expected a member name in double quotes, found %s",
                                 json_describe(ps, what));
            if (json_parse_string(ps, &key) != 0)
                return -1;
            json_skip_space(ps);
            if (ps->p >= ps->end || *ps->p != ':')
                return json_fail(ps, "expected ':' after a member name, found %s",
                                 json_describe(ps, what));
            ps->p++;
        }
        LrJson *child = NULL;
        if (json_parse_value(ps, &child) != 0)
            return -1;
        if (node) {
            child->key = key;
            *link = child;
            link = &child->next;
            node->count++;
        }
        json_skip_space(ps);
        if (ps->p < ps->end && *ps->p == close) {
            ps->p++;
            break;
        }
        if (ps->p >= ps->end || *ps->p != ',')
            return json_fail(ps, "expected ',' or '%c', found %s", close, json_describe(ps, what));
        const char *comma = ps->p++;
        json_skip_space(ps);
        if (ps->p < ps->end && (*ps->p == '}' || *ps->p == ']')) {
            ps->p = comma;
            return json_fail(ps, "trailing comma");
        }
    }
    ps->depth--;
    return 0;
}

static int json_parse_literal(JsonParser *ps, const char *word)
{
    size_t n = strlen(word);
    char what[16];
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return json_fail(ps, "expected a value, found %s", json_describe(ps, what));
    ps->p += n;
    return 0;
}

static int json_parse_value(JsonParser *ps, LrJson **out)
{
    char what[16];
    json_skip_space(ps);
    if (ps->p >= ps->end)
        return json_fail(ps, "expected a value, found end of input");
    LrJson *node;
    switch (*ps->p) {
    case '{':
        node = json_new_node(ps, JSON_OBJECT);
        if (json_parse_container(ps, node, true) != 0)
            return -1;
        break;
    case '[':
        node = json_new_node(ps, JSON_ARRAY);
        if (json_parse_container(ps, node, false) != 0)
            return -1;
        break;
    case '"':
        node = json_new_node(ps, JSON_STRING);
        if (json_parse_string(ps, node ? &node->string : NULL) != 0)
            return -1;
        break;
    case 't':
    case 'f': {
        bool truth = *ps->p == 't';
        node = json_new_node(ps, JSON_BOOL);
        if (json_parse_literal(ps, truth ? "true" : "false") != 0)
            return -1;
        if (node)
            node->number = truth;
        break;
    }
    case 'n':
        node = json_new_node(ps, JSON_NULL);
        if (json_parse_literal(ps, "null") != 0)
            return -1;
        break;
    default:
        if (*ps->p != '-' && (*ps->p < '0' || *ps->p > '9'))
            return json_fail(ps, "expected a value, found %s", json_describe(ps, what));
        node = json_new_node(ps, JSON_NUMBER);
        if (json_parse_number(ps, node) != 0)
            return -1;
        break;
    }
    if (out)
        *out = node;
    return 0;
}

static int json_parse_text(JsonParser *ps, LrJson **root)
{
    char what[16];
    if (json_parse_value(ps, root) != 0)
        return -1;
    json_skip_space(ps);
    if (ps->p < ps->end)
        return json_fail(ps, "unexpected %s after the value", json_describe(ps, what));
    return 0;
}

LrJson *json_parse(const char *text, size_t size, char *why, size_t why_size)
{
    JsonParser ps = {.text = text, .p = text, .end = text + size, .why = why, .why_size = why_size};
    if (json_parse_text(&ps, NULL) != 0)
        return NULL;
    /* Nodes first, then the strings, in one block; the root is nodes[0],
     * so freeing the root frees everything. */
    size_t nodes = ps.node_count, strings = ps.string_bytes;
    if (nodes > ((size_t)-1 - strings) / sizeof(LrJson)) {
        ps.p = text;
        json_fail(&ps, "out of memory");
        return NULL;
    }
    LrJson *block = malloc(nodes * sizeof(LrJson) + strings);
    if (!block) {
        ps.p = text;
        json_fail(&ps, "out of memory");
        return NULL;
    }
    JsonParser fill = {.text = text, .p = text, .end = text + size, .build = true, .nodes = block,
                       .strings = (char *)(block + nodes), .why = why, .why_size = why_size};
    LrJson *root = NULL;
    if (json_parse_text(&fill, &root) != 0) { /* cannot happen: same text */
        free(block);
        return NULL;
    }
    return root;
}

const LrJson *json_get(const LrJson *object, const char *key)
{
    if (!object || object->kind != JSON_OBJECT)
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
